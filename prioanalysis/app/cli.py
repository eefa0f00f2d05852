"""Command-line interface: ``prioanalysis run`` (also ``python -m prioanalysis run``).

Exit codes: 0 success; 1 a notebook failed (its HTML still shows the error);
2 bad parameters or bad input — reported as a message naming the file, row(s),
column or key, without a traceback, and before anything is written.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from prioanalysis import __version__
from prioanalysis.errors import ParamsError, PrioanalysisError

__all__ = ["main", "build_parser"]


def _find_root(start: Path) -> Path:
    for d in (start, *start.parents):
        if (d / "params").is_dir():
            return d
    raise ParamsError(f"no 'params/' folder found in {start} or its parents; use --params")


def _latest_year(root: Path) -> int:
    years = sorted(int(p.name) for p in (root / "params").iterdir() if p.is_dir() and p.name.isdigit())
    if not years:
        raise ParamsError(f"{root / 'params'}: no year folder (such as params/2026)")
    return years[-1]


def _parse_assignments(items: Sequence[str]) -> dict[str, Any]:
    import yaml

    out: dict[str, Any] = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise ParamsError(f"-p expects name=value (got {item!r})")
        out[key.strip()] = yaml.safe_load(value) if value.strip() else ""
    return out


def build_parser() -> argparse.ArgumentParser:
    """The argument parser (exposed for documentation and tests)."""
    parser = argparse.ArgumentParser(
        prog="prioanalysis",
        description="Annual customer importance ranking: criteria → tiered target list → review.",
    )
    parser.add_argument("--version", action="version", version=f"prioanalysis {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)

    run = sub.add_parser("run", help="execute the notebooks of the annual cycle into a new run folder")
    run.add_argument("--year", type=int, help="cycle year (default: the latest folder under params/)")
    run.add_argument("--params", type=Path, help="parameter folder (default: params/<year>)")
    run.add_argument(
        "--notebook",
        action="append",
        default=None,
        help="notebook to run (name without .ipynb); repeat for several (default: the annual cycle)",
    )
    run.add_argument("--input", help="preliminary list to use instead of the one in run.yaml")
    run.add_argument(
        "--source",
        choices=("file", "db"),
        default="file",
        help="read the preliminary list from files (default) or the customer database, "
        "and with db save the run's results into it",
    )
    run.add_argument("--month", help="shorthand for -p month=YYYY-MM (monthly inquiry report)")
    run.add_argument("--outputs", type=Path, help="outputs root (default: <project>/outputs)")
    run.add_argument(
        "-p",
        "--parameter",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="notebook parameter for every notebook run (each must declare it); "
        "NOTEBOOK:NAME=VALUE for one notebook only",
    )

    val = sub.add_parser("validate", help="check parameters and the preliminary list; write nothing")
    val.add_argument("--year", type=int)
    val.add_argument("--params", type=Path)
    val.add_argument("--input")
    val.add_argument("--source", choices=("file", "db"), default="file")

    smp = sub.add_parser("sample", help="write the synthetic sample data set")
    smp.add_argument("directory", type=Path)
    smp.add_argument("--seed", type=int, default=2026)

    from prioanalysis.app import db_commands as store_cli

    store_cli.add_db_parsers(sub)
    store_cli.add_inquiry_parsers(sub)
    return parser


def _params_dir(args: argparse.Namespace) -> Path:
    if args.params:
        return args.params
    root = _find_root(Path.cwd())
    year = args.year or _latest_year(root)
    return root / "params" / str(year)


def _cmd_run(args: argparse.Namespace) -> int:
    from prioanalysis.app import runner

    parameters = _parse_assignments(args.parameter)
    if args.month:
        parameters["month"] = args.month
    record = runner.run_notebooks(
        _params_dir(args),
        notebooks=args.notebook or runner.ANNUAL_CYCLE,
        outputs_root=args.outputs,
        input_path=args.input,
        parameters=parameters,
        source=args.source,
    )
    run_dir = Path(record.directory)
    print(f"run {record.run_id} {record.status}: {run_dir}")
    for nb in record.notebooks:
        if nb.get("html"):
            print(f"  report: {run_dir / nb['html']}")
    if record.status != "succeeded":
        print(f"error: {record.error}", file=sys.stderr)
        return 1
    return 0


def _cmd_validate(args: argparse.Namespace) -> int:
    from prioanalysis.config.params import load_params
    from prioanalysis.inputs import preliminary as intake
    from prioanalysis.inputs.tables import read_table

    params = load_params(_params_dir(args))
    if args.source == "db":
        from prioanalysis.store import database as store

        raw = store.load_preliminary(store.get_engine(), params.run.year)
        path = raw.attrs["source"]
    else:
        path = Path(args.input) if args.input else params.resolve(params.run.inputs.preliminary_list)
        raw = read_table(path)
    res = intake.validate_preliminary(raw, params)
    print(
        f"{path}: ok — {len(res.customers)} customers to score, {res.claims['customer_id'].nunique()} proposed "
        f"by several segments, {len(res.excluded)} rows excluded"
    )
    return 0


def _cmd_sample(args: argparse.Namespace) -> int:
    from prioanalysis import sample

    for p in sample.write_sample(args.directory, seed=args.seed):
        print(p)
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point. Returns the exit code."""
    args = build_parser().parse_args(argv)
    handlers = {"run": _cmd_run, "validate": _cmd_validate, "sample": _cmd_sample}
    try:
        handler = getattr(args, "handler", None) or handlers[args.command]
        return int(handler(args))
    except PrioanalysisError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:  # pragma: no cover
        print("interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
