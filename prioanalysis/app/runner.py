"""The runner: execute the notebooks with papermill into a new, immutable run folder.

Every run writes ``outputs/<year>/<run-id>/`` and never touches an earlier run:

* the executed notebooks (the record of what was done);
* a leadership HTML per notebook, with no code in it;
* the tables (CSV), the target-list workbook (XLSX), figures (PNG + SVG + CSV);
* ``run.json``: parameters, input file hashes, package version, git commit,
  timings and status.

Before any notebook runs, the parameters are validated and each notebook's inputs
are read and checked (its preflight, from the notebook registry
:mod:`prioanalysis.app.registry`), so that bad input stops the run with a clear
message and nothing is written. A notebook that fails still gets its HTML (with the error shown) and
the run's status is ``failed``.
"""

from __future__ import annotations

import datetime as _dt
import json
import platform
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from prioanalysis import __version__
from prioanalysis.app import registry
from prioanalysis.app.registry import file_sha256
from prioanalysis.config.params import Params, load_params
from prioanalysis.errors import ParamsError, PrioanalysisError

__all__ = [
    "ANNUAL_CYCLE",
    "RunRecord",
    "notebook_parameters",
    "check_parameters",
    "new_run_dir",
    "export_html",
    "run_notebooks",
    "file_sha256",
]

#: Notebooks of the annual cycle, in the order the runner executes them.
ANNUAL_CYCLE: tuple[str, ...] = ("30_annual_review", "10_criteria_calibration", "20_ranking", "25_robustness")

#: Parameters the runner fills in for every notebook that declares them.
STANDARD_PARAMETERS = ("year", "params_dir", "output_dir", "input_path")


@dataclass
class RunRecord:
    """What ``run.json`` holds."""

    run_id: str
    year: int
    status: str
    directory: str
    started: str
    finished: str | None = None
    package_version: str = __version__
    git_commit: str | None = None
    python: str = platform.python_version()
    parameters: dict[str, Any] = field(default_factory=dict)
    params_files: dict[str, Any] = field(default_factory=dict)
    inputs: dict[str, str] = field(default_factory=dict)
    method_choices: dict[str, Any] = field(default_factory=dict)
    notebooks: list[dict[str, Any]] = field(default_factory=list)
    error: str | None = None

    def write(self) -> Path:
        """Write ``run.json`` into the run folder."""
        p = Path(self.directory) / "run.json"
        p.write_text(json.dumps(self.__dict__, ensure_ascii=False, indent=2, default=str) + "\n", encoding="utf-8")
        return p


def git_commit(directory: str | Path) -> str | None:
    """The current git commit of ``directory`` (with ``+dirty`` when modified), if any."""
    try:
        sha = subprocess.run(["git", "rev-parse", "HEAD"], cwd=directory, capture_output=True, text=True, timeout=10)
        if sha.returncode != 0:
            return None
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=directory,
            capture_output=True,
            text=True,
            timeout=10,
        )
        return sha.stdout.strip() + ("+dirty" if dirty.stdout.strip() else "")
    except (OSError, subprocess.SubprocessError):
        return None


def notebook_parameters(notebook: str | Path) -> dict[str, dict[str, Any]]:
    """Parameters a notebook declares in its cell tagged ``parameters``.

    Uses :func:`papermill.inspect_notebook`.
    """
    import papermill as pm

    return dict(pm.inspect_notebook(str(notebook)))


def check_parameters(notebook: str | Path, parameters: Mapping[str, Any]) -> None:
    """Refuse parameters the notebook does not declare.

    Raises
    ------
    ParamsError
        Naming the notebook, the unknown parameter(s) and the declared ones.
    """
    declared = notebook_parameters(notebook)
    unknown = sorted(set(parameters) - set(declared))
    if unknown:
        raise ParamsError(
            f"{Path(notebook).name}: unknown parameter(s) {', '.join(unknown)}; "
            f"the notebook declares: {', '.join(declared) or 'none'}"
        )


def new_run_dir(outputs_root: str | Path, year: int, now: _dt.datetime | None = None) -> Path:
    """Create a new run folder ``<outputs_root>/<year>/<run-id>`` that did not exist.

    The run id is the UTC time ``YYYYmmddTHHMMSSZ``; a suffix ``-2``, ``-3``… is
    added when two runs start in the same second. Creation is exclusive, so no
    earlier run is ever reused or overwritten.
    """
    now = now or _dt.datetime.now(_dt.UTC)
    base = Path(outputs_root) / str(year)
    base.mkdir(parents=True, exist_ok=True)
    stamp = now.strftime("%Y%m%dT%H%M%SZ")
    for i in range(1, 1000):
        d = base / (stamp if i == 1 else f"{stamp}-{i}")
        try:
            d.mkdir()
            return d
        except FileExistsError:
            continue
    raise ParamsError(f"{base}: could not create a new run folder")  # pragma: no cover


# Chinese text in the report uses the reader's CJK fonts, whichever they have.
_CJK_CSS = (
    "<style>body, .jp-RenderedHTMLCommon, table {font-family: system-ui, -apple-system, "
    '"Segoe UI", "Noto Sans SC", "Noto Sans CJK SC", "PingFang SC", "Microsoft YaHei", '
    '"Source Han Sans SC", sans-serif;}</style>\n'
)


def export_html(notebook: str | Path, html: str | Path) -> Path:
    """Render an executed notebook to HTML with no code in it.

    Input cells and prompts are left out (nbconvert ``exclude_input``); outputs,
    markdown and errors are kept, so a failed notebook still shows its error.
    """
    import nbformat
    from nbconvert import HTMLExporter

    nb = nbformat.read(str(notebook), as_version=4)
    exporter = HTMLExporter(exclude_input=True, exclude_input_prompt=True, exclude_output_prompt=True)
    body, _ = exporter.from_notebook_node(nb)
    body = body.replace("</head>", _CJK_CSS + "</head>", 1)
    Path(html).write_text(body, encoding="utf-8")
    return Path(html)


def run_notebooks(
    params_dir: str | Path,
    notebooks: Sequence[str] = ANNUAL_CYCLE,
    notebooks_dir: str | Path | None = None,
    outputs_root: str | Path | None = None,
    input_path: str | None = None,
    parameters: Mapping[str, Any] | None = None,
    progress: Callable[[str], None] | None = None,
    source: str = "file",
) -> RunRecord:
    """Execute notebooks in order into a new run folder.

    Parameters
    ----------
    params_dir : str or Path
        ``params/<year>`` folder.
    notebooks : sequence of str
        Notebook names without ``.ipynb``, in execution order.
    notebooks_dir : str or Path, optional
        Where the notebook templates are (default ``<project root>/notebooks``).
    outputs_root : str or Path, optional
        Default ``<project root>/outputs``.
    input_path : str, optional
        Overrides the preliminary list of ``run.yaml``.
    parameters : mapping, optional
        Extra notebook parameters. ``name`` applies to every notebook run and must be
        declared by each; ``notebook:name`` (e.g. ``30_annual_review:frozen_list``)
        applies to that notebook only and must be declared by it.
    progress : callable, optional
        Receives one line per step (default: print to stderr).
    source : {"file", "db"}
        ``db``: read the preliminary list from the customer database
        (:mod:`prioanalysis.store`), write it into the run folder as
        ``inputs/preliminary_<year>.csv`` (the record of what was ranked), give the
        review last year's list *as published* (frozen in the database; written to
        ``inputs/target_list_<year−1>_published.csv``), and save the run and its
        target list into the database — atomically, so a failed or killed run
        leaves no visible results.

    Returns
    -------
    RunRecord
        ``status`` is ``succeeded`` or ``failed``.

    Raises
    ------
    ParamsError, InputError
        Before anything is written: bad parameters, unknown notebook or parameter,
        bad input.
    """
    import papermill as pm

    say = progress or (lambda line: print(line, file=sys.stderr, flush=True))
    params = load_params(params_dir)
    root = params.root
    nb_dir = Path(notebooks_dir) if notebooks_dir else root / "notebooks"
    out_root = Path(outputs_root) if outputs_root else root / "outputs"
    shared = {k: v for k, v in (parameters or {}).items() if ":" not in k}
    scoped: dict[str, dict[str, Any]] = {}
    for key, value in (parameters or {}).items():
        if ":" in key:
            nb_name, _, pname = key.partition(":")
            if nb_name not in notebooks:
                raise ParamsError(f"parameter '{key}' names notebook '{nb_name}', which this run does not execute")
            scoped.setdefault(nb_name, {})[pname] = value
    paths = []
    for name in notebooks:
        p = nb_dir / f"{name}.ipynb"
        if not p.is_file():
            available = sorted(x.stem for x in nb_dir.glob("*.ipynb"))
            raise ParamsError(f"unknown notebook '{name}' (available in {nb_dir}: {', '.join(available)})")
        check_parameters(p, shared | scoped.get(name, {}))
        paths.append(p)
    if source not in ("file", "db"):
        raise ParamsError(f"unknown source {source!r} (expected 'file' or 'db')")
    engine = None
    if source == "db":
        from prioanalysis.store import database as store

        if input_path:
            raise ParamsError("--input and --source db exclude each other")
        engine = store.get_engine()
    inputs = registry.preflight(
        params, notebooks, {name: shared | scoped.get(name, {}) for name in notebooks}, input_path, engine
    )

    run_dir = new_run_dir(out_root, params.run.year)
    db_inputs: dict[str, str] = {}
    if engine is not None:
        try:
            db_inputs = _export_db_inputs(engine, params, paths, run_dir / "inputs", inputs)
        except PrioanalysisError:
            shutil.rmtree(run_dir)  # nothing is left behind by a refused run
            raise
        input_path = db_inputs.pop("input_path")
    from prioanalysis.steps.ranking import method_choices

    record = RunRecord(
        run_id=run_dir.name,
        year=params.run.year,
        status="running",
        directory=str(run_dir),
        started=_dt.datetime.now(_dt.UTC).isoformat(timespec="seconds"),
        git_commit=git_commit(root),
        params_files={
            str(params.criteria_path): {
                "sha256": file_sha256(params.criteria_path),
                "content": params.criteria.model_dump(mode="json"),
            },
            str(params.run_path): {
                "sha256": file_sha256(params.run_path),
                "content": params.run.model_dump(mode="json"),
            },
        },
        inputs=inputs,
        method_choices=method_choices(params),
    )
    record.write()
    if engine is not None:
        store.start_run(engine, record.run_id, params.run.year, record.method_choices)
    say(f"run {record.run_id}: {len(paths)} notebook(s) → {run_dir}")
    for i, nb in enumerate(paths, 1):
        standard = {
            "year": params.run.year,
            "params_dir": str(params.directory),
            "output_dir": str(run_dir),
            "input_path": str(input_path or ""),
        }
        declared = notebook_parameters(nb)
        standard.update(db_inputs)
        nb_params = {k: v for k, v in standard.items() if k in declared} | shared | scoped.get(nb.stem, {})
        out_nb = run_dir / nb.name
        say(f"[{i}/{len(paths)}] {nb.stem} …")
        t0 = time.perf_counter()
        entry: dict[str, Any] = {"notebook": nb.name, "parameters": nb_params, "status": "running"}
        record.parameters[nb.stem] = nb_params
        try:
            pm.execute_notebook(
                str(nb),
                str(out_nb),
                parameters=nb_params,
                kernel_name="python3",
                cwd=str(nb_dir),
                progress_bar=False,
                log_output=False,
            )
            entry["status"] = "succeeded"
        except pm.PapermillExecutionError as exc:
            entry["status"] = "failed"
            entry["error"] = f"{exc.ename}: {exc.evalue}"
            record.error = f"{nb.name}: {exc.ename}: {exc.evalue}"
        entry["seconds"] = round(time.perf_counter() - t0, 2)
        if out_nb.is_file():
            html = export_html(out_nb, run_dir / f"{nb.stem}.html")
            entry["html"] = html.name
        record.notebooks.append(entry)
        say(f"[{i}/{len(paths)}] {nb.stem} {entry['status']} in {entry['seconds']:.1f} s")
        record.write()
        if entry["status"] != "succeeded":
            break
    record.status = "failed" if record.error else "succeeded"
    record.finished = _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds")
    if engine is not None:
        _save_to_store(engine, record, params.run.year, run_dir, say)
    record.write()
    return record


def _export_db_inputs(
    engine: Any, params: Params, notebooks: Sequence[Path], directory: Path, hashes: dict[str, str]
) -> dict[str, str]:
    """``--source db``: write what the notebooks read from the database into the run
    folder (the record of the run's inputs) and return the notebook parameters that
    point at them: the preliminary list; for notebooks declaring them, last year's
    list *as published* (``frozen_list``), last year's outcomes (``outcomes_path``),
    the owners and their capacities (``owners_path``) and the inquiry log
    (``inquiries_path``).

    Raises
    ------
    ParamsError
        A notebook needs something the database does not hold.
    """
    from prioanalysis.store import database as store

    year, prev = params.run.year, params.run.year - 1
    declared = set().union(*(notebook_parameters(p) for p in notebooks))
    where = store.masked_url(engine)
    out = {"input_path": str(store.write_preliminary(engine, year, directory / f"preliminary_{year}.csv"))}
    if "frozen_list" in declared:
        try:
            frozen = store.load_results(engine, prev, published_only=True)
        except store.StoreError as exc:
            raise ParamsError(
                f"{exc}; the review needs last year's list as published: publish its run "
                "(`prioanalysis db runs`, then `prioanalysis db publish RUN_ID`), or run the "
                "cycle without the review (--notebook 10_criteria_calibration --notebook 20_ranking …)"
            ) from None
        p = directory / f"target_list_{prev}_published.csv"
        frozen.to_csv(p, index=False, lineterminator="\n", encoding="utf-8")
        out["frozen_list"] = str(p)
        hashes[f"db:{where}#results/{prev}"] = file_sha256(p)
    if "outcomes_path" in declared:
        outcomes = store.load_outcomes(engine, prev)
        if outcomes.empty:
            raise ParamsError(
                f"{where}: no outcomes stored for {prev}; import them with "
                f"`prioanalysis db import outcomes outcomes_{prev}.csv`"
            )
        p = directory / f"outcomes_{prev}.csv"
        outcomes.to_csv(p, index=False, lineterminator="\n", encoding="utf-8")
        out["outcomes_path"] = str(p)
        hashes[f"db:{where}#outcomes/{prev}"] = file_sha256(p)
    if "owners_path" in declared:
        owners = store.load_owners(engine)
        if owners.empty:
            raise ParamsError(f"{where}: no owners stored; import them with `prioanalysis db import owners owners.csv`")
        p = directory / "owners.csv"
        owners.to_csv(p, index=False, lineterminator="\n", encoding="utf-8")
        out["owners_path"] = str(p)
        hashes[f"db:{where}#owners"] = file_sha256(p)
    if "inquiries_path" in declared:
        p = directory / "inquiries.csv"
        store.load_inquiries(engine).to_csv(
            p, index=False, lineterminator="\n", encoding="utf-8", date_format="%Y-%m-%d"
        )
        out["inquiries_path"] = str(p)
        hashes[f"db:{where}#inquiries"] = file_sha256(p)
    return out


def _save_to_store(engine: Any, record: RunRecord, year: int, run_dir: Path, say: Callable[[str], None]) -> None:
    """Save the run's target list into the database (or mark the run failed there)."""
    import pandas as pd

    from prioanalysis.store import database as store

    table = run_dir / "tables" / "target_list.csv"
    if record.status == "succeeded" and table.is_file():
        frame = pd.read_csv(table, dtype={"customer_id": str, "owner_id": str}, keep_default_na=True)
        store.save_run(engine, record.run_id, year, record.method_choices, frame)
        say(f"saved {len(frame)} results of run {record.run_id} to {store.masked_url(engine)}")
    else:
        store.fail_run(engine, record.run_id, record.error or "no target list was written")
