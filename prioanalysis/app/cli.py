"""Command-line interface: ``prioanalysis run`` (also ``python -m prioanalysis run``).

Exit codes: 0 success; 1 the run failed once started — a notebook failed (its HTML
still shows the error) or the disk filled up — and its folder is
``outputs/<year>/<run-id>-failed/`` with the reason in ``run.json``; 2 bad parameters,
bad input or an outputs folder that cannot be written — reported as one message naming
the file, row(s), column, key or option, without a traceback, and before anything is
written. ``validate`` runs the same preflight as ``run`` with the same options.
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
    """``-p name=value`` as name → the value's text (the runner converts it to the type
    the notebook declares).
    """
    from prioanalysis.config.yamlfile import shown

    out: dict[str, Any] = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise ParamsError(f"-p expects name=value (got {shown(item)})")
        if key.strip() in out:
            raise ParamsError(f"-p {key.strip()} given twice")
        out[key.strip()] = value
    return out


def _add_run_options(cmd: argparse.ArgumentParser) -> None:
    """The options ``run`` and ``validate`` share (``validate`` checks what ``run`` would run)."""
    cmd.add_argument("--year", type=int, help="cycle year (default: the latest folder under params/)")
    cmd.add_argument("--params", type=Path, help="parameter folder (default: params/<year>)")
    cmd.add_argument(
        "--notebook",
        action="append",
        default=None,
        help="notebook to run (name without .ipynb); repeat for several "
        "(default: the annual cycle; with --month, the monthly inquiry report)",
    )
    cmd.add_argument("--input", help="preliminary list to use instead of the one in run.yaml")
    cmd.add_argument(
        "--source",
        choices=("file", "db"),
        default="file",
        help="read the preliminary list from files (default) or the customer database, "
        "and with db save the run's results into it",
    )
    cmd.add_argument(
        "--month",
        help="month of the monthly inquiry report, YYYY-MM (alone: runs 40_inquiry_monthly; "
        "default for that notebook: the previous calendar month)",
    )
    cmd.add_argument(
        "--mid-year",
        action="store_true",
        help="a mid-year run: the year's list with the inquiring customers the marketing lead accepted "
        "(`inquiry decide`) added and marked; default notebooks 20_ranking and 25_robustness",
    )
    cmd.add_argument("--outputs", type=Path, help="outputs root (default: <project>/outputs)")
    cmd.add_argument(
        "-p",
        "--parameter",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="notebook parameter for every notebook run (each must declare it); "
        "NOTEBOOK:NAME=VALUE for one notebook only; the value is converted to the type the notebook declares",
    )


def build_parser() -> argparse.ArgumentParser:
    """The argument parser (exposed for documentation and tests)."""
    parser = argparse.ArgumentParser(
        prog="prioanalysis",
        description="Annual customer importance ranking: criteria → tiered target list → review.",
    )
    parser.add_argument("--version", action="version", version=f"prioanalysis {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)

    run = sub.add_parser("run", help="execute the notebooks of the annual cycle into a new run folder")
    _add_run_options(run)
    val = sub.add_parser(
        "validate",
        help="run the preflight of `run` with the same options (every file and value checked); write nothing",
    )
    _add_run_options(val)

    smp = sub.add_parser("sample", help="write the synthetic sample data set")
    smp.add_argument("directory", type=Path)
    smp.add_argument("--seed", type=int, default=2026)

    cmp = sub.add_parser(
        "compare",
        help="compare two runs (run ids or folders, any years): tier migration, movers and why; "
        "writes a report and tables into outputs/compare/",
    )
    cmp.add_argument(
        "run_a", metavar="RUN_A", help="the earlier run: its id (looked up under outputs/<year>/) or folder"
    )
    cmp.add_argument("run_b", metavar="RUN_B", help="the later run: its id or folder")
    cmp.add_argument("--outputs", type=Path, help="outputs root (default: <project>/outputs)")
    cmp.add_argument("--top", type=int, default=20, help="movers shown in the report (default 20; the tables hold all)")
    cmp.set_defaults(func=_cmd_compare)

    dck = sub.add_parser("deck", help="write the consultants' deck (deck_<year>.pptx) of a finished run folder")
    dck.add_argument("run_dir", metavar="RUN_FOLDER", type=Path, help="the run folder, e.g. outputs/2026/<run-id>")
    dck.set_defaults(func=_cmd_deck)

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


def _run_arguments(args: argparse.Namespace) -> dict[str, Any]:
    return {
        "notebooks": args.notebook,
        "outputs_root": args.outputs,
        "input_path": args.input,
        "parameters": _parse_assignments(args.parameter),
        "source": args.source,
        "year": args.year,
        "month": args.month,
        "mid_year": args.mid_year,
    }


def _cmd_run(args: argparse.Namespace) -> int:
    from prioanalysis.app import runner

    record = runner.run_notebooks(_params_dir(args), **_run_arguments(args))
    run_dir = Path(record.directory)
    print(f"run {record.run_id} {record.status}: {run_dir}")
    reports = getattr(record, "reports", {}) or {}
    if reports.get("open_first"):
        print(f"  open first: {run_dir / reports['open_first']}")
    if reports.get("report_pdf"):
        print(f"  the same as a PDF: {run_dir / reports['report_pdf']}")
    elif reports.get("pdf_not_made"):
        print(f"  no PDF: {reports['pdf_not_made']}")
    for nb in record.notebooks:
        if nb.get("html"):
            print(f"  report: {run_dir / nb['html']}")
    if record.status != "succeeded":
        print(f"error: {record.error}", file=sys.stderr)
        return 1
    return 0


def _cmd_validate(args: argparse.Namespace) -> int:
    from prioanalysis.app import runner

    kwargs = _run_arguments(args)
    plan = runner.preflight(_params_dir(args), kwargs.pop("notebooks"), **kwargs)
    try:
        for note in plan.notes:
            print(note)
        names = ", ".join(p.stem for p in plan.notebooks)
        print(f"ok: {names} — {len(plan.files)} files checked, nothing written")
    finally:
        plan.cleanup()
    return 0


def _cmd_compare(args: argparse.Namespace) -> int:
    from prioanalysis.report.compare import write_comparison
    from prioanalysis.report.i18n import t
    from prioanalysis.steps import compare

    if args.top < 1:
        raise ParamsError(f"--top must be at least 1 (got {args.top})")
    comp = compare.compare_runs(args.run_a, args.run_b, outputs=args.outputs, top=args.top)
    folder = write_comparison(comp, compare.outputs_root(args.outputs))
    for line in comp.summary_lines():
        print(line)
    print(t("compare.written", comp.lang, where=str(folder / "compare.html")))
    return 0


def _cmd_deck(args: argparse.Namespace) -> int:
    from prioanalysis.report.deck import write_deck

    print(write_deck(args.run_dir))
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
        handler = getattr(args, "func", None) or handlers[args.command]  # "func": --handler is an option
        return int(handler(args))
    except PrioanalysisError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:  # a full disk, a read-only folder, no permission: one line, no traceback
        where = f" ({exc.filename})" if exc.filename else ""
        print(f"error: {exc.strerror or exc}{where}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:  # pragma: no cover
        print("interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
