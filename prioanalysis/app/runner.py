"""The runner: one preflight, then the notebooks with papermill into a new, immutable run folder.

A run goes through two stages:

1. :func:`preflight` — **everything that can be checked without writing**: the
   parameter files (``criteria.yaml``, ``run.yaml``, and those a notebook reads:
   ``judgements.yaml``, ``goals.yaml``, ``inquiries.yaml``, last years' parameters),
   the year (``--year``, the folder, ``run.yaml``), every ``-p`` value against the
   type the notebook declares (standard parameters such as ``input_path`` are the
   runner's and cannot be given with ``-p``), every input table row by row and the
   method's feasibility (the ranking is computed once: TOPSIS on negative values,
   quotas that cannot be met ...), each notebook's own setup and its preflight from
   the notebook registry (:mod:`prioanalysis.app.registry`). Bad input stops here
   with a clear message and nothing is written. ``prioanalysis validate`` runs exactly
   this function. The files it read are hashed (``run.json`` ``files``, paths
   relative to the project root) and hashed again when the run ends: a file changed
   during the run fails it.
2. :func:`execute` — the run is built in a hidden staging folder
   ``outputs/<year>/.staging-<run-id>/`` and becomes visible only at the end, by an
   atomic rename: ``outputs/<year>/<run-id>/`` when it succeeded,
   ``outputs/<year>/<run-id>-failed/`` (``run.json`` ``status: failed`` and the
   ``error``) when it did not. A run that is killed or crashes leaves only its staging
   folder; the next run finds it (:func:`stale_runs`: the process recorded in its
   ``run.json`` — pid, host, start time — is gone) and moves it to
   ``<run-id>-failed/`` with the reason (:func:`mark_stale_runs`).

Every run folder holds the executed notebooks, a leadership HTML per notebook with no
code in it (a notebook that fails still gets its HTML, with the error shown), the
tables (CSV), the target-list workbook (XLSX), figures (PNG + SVG + CSV) and
``run.json``: parameters, hashes of every file read, package version, git commit,
timings and status.
"""

from __future__ import annotations

import ast
import collections
import contextlib
import datetime as _dt
import errno
import json
import os
import platform
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from prioanalysis import __version__
from prioanalysis.app import registry
from prioanalysis.app.registry import file_sha256
from prioanalysis.config.decisions import with_decisions
from prioanalysis.config.params import Params, load_params
from prioanalysis.errors import ParamsError, PrioanalysisError

__all__ = [
    "ANNUAL_CYCLE",
    "MONTHLY",
    "MID_YEAR",
    "STANDARD_PARAMETERS",
    "RunRecord",
    "Plan",
    "notebook_parameters",
    "check_parameters",
    "coerce_parameter",
    "new_run_dir",
    "export_html",
    "preflight",
    "execute",
    "run_notebooks",
    "stale_runs",
    "mark_stale_runs",
    "file_sha256",
]

#: Notebooks of the annual cycle, in the order the runner executes them.
ANNUAL_CYCLE: tuple[str, ...] = ("30_annual_review", "10_criteria_calibration", "20_ranking", "25_robustness")

#: The monthly inquiry report (``--month`` without ``--notebook`` runs it alone).
MONTHLY = "40_inquiry_monthly"

#: What ``--mid-year`` runs without ``--notebook``: the year's list with the accepted
#: inquiries, and its owners.
MID_YEAR: tuple[str, ...] = ("20_ranking", "25_robustness")

#: Parameters the runner fills in for every notebook that declares them → the option
#: that sets them (``-p`` cannot).
STANDARD_PARAMETERS: dict[str, str] = {
    "year": "--year",
    "params_dir": "--params",
    "input_path": "--input",
    "output_dir": "--outputs (every run gets a new folder of its own)",
    "month": "--month",
}

#: Parameters ``--source db`` fills in from the database (``-p`` cannot with it).
DB_PARAMETERS: tuple[str, ...] = ("frozen_list", "outcomes_path", "owners_path", "inquiries_path")

_STAGING = ".staging-"
_FAILED = "-failed"


@dataclass
class RunRecord:
    """What ``run.json`` holds."""

    run_id: str
    year: int
    status: str
    directory: str
    started: str
    finished: str | None = None
    seconds: float | None = None
    package_version: str = __version__
    git_commit: str | None = None
    python: str = platform.python_version()
    process: dict[str, Any] = field(default_factory=dict)
    parameters: dict[str, Any] = field(default_factory=dict)
    params_files: dict[str, Any] = field(default_factory=dict)
    inputs: dict[str, str] = field(default_factory=dict)
    files: dict[str, str] = field(default_factory=dict)
    method_choices: dict[str, Any] = field(default_factory=dict)
    notebooks: list[dict[str, Any]] = field(default_factory=list)
    reports: dict[str, Any] = field(default_factory=dict)
    #: ``cycle`` (the annual cycle or notebooks of it), ``monthly`` (the monthly inquiry
    #: report alone) or ``mid_year`` (``--mid-year``: the list with accepted inquiries).
    kind: str = "cycle"
    #: A mid-year run's added customers: inquiry id, customer id, day accepted.
    list_additions: list[dict[str, Any]] = field(default_factory=list)
    error: str | None = None

    def write(self, directory: str | Path | None = None) -> Path:
        """Write ``run.json`` (atomically: a temporary file renamed) into the run folder."""
        p = Path(directory or self.directory) / "run.json"
        _write_json(p, self.__dict__)
        return p


def _write_json(path: Path, doc: Mapping[str, Any]) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(doc, ensure_ascii=False, indent=2, default=str) + "\n", encoding="utf-8")
    os.replace(tmp, path)


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


# --------------------------------------------------------------------------- parameters
def notebook_parameters(notebook: str | Path) -> dict[str, dict[str, Any]]:
    """Parameters a notebook declares in its cell tagged ``parameters``.

    Uses :func:`papermill.inspect_notebook`.
    """
    p = Path(notebook)
    try:
        key = (str(p.resolve()), p.stat().st_mtime_ns)
    except OSError:
        key = None
    if key is None or key not in _DECLARED:
        import papermill as pm

        declared = {k: dict(v) for k, v in pm.inspect_notebook(str(notebook)).items()}
        if key is None:
            return declared
        _DECLARED[key] = declared
    return {k: dict(v) for k, v in _DECLARED[key].items()}


_DECLARED: dict[tuple[str, int], dict[str, dict[str, Any]]] = {}


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


_INT = re.compile(r"^[+-]?\d+$")
_BOOLS = {"true": True, "false": False, "yes": True, "no": False}


def coerce_parameter(notebook: str, name: str, value: Any, declared_type: str | None) -> Any:
    """A ``-p`` value as the type the notebook declares for it (``int``, ``float``,
    ``bool``, ``str``); text from the command line is converted, anything else must
    already have that type.

    Raises
    ------
    ParamsError
        Naming the notebook, the parameter, the type expected and the value.

    Examples
    --------
    >>> coerce_parameter("10_criteria_calibration", "n_boot", "50", "int")
    50
    >>> coerce_parameter("30_annual_review", "frozen_list", "2025.csv", "str")
    '2025.csv'
    """
    from prioanalysis.config.yamlfile import shown

    def bad(expected: str) -> ParamsError:
        return ParamsError(f"{notebook}: parameter '{name}': expected {expected} (got {shown(value)})")

    if declared_type == "str":
        if not isinstance(value, str):
            raise bad("text")
        return value
    if declared_type == "int":
        if isinstance(value, str) and _INT.match(value.strip()):
            return int(value)
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        raise bad("an integer")
    if declared_type == "float":
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return float(value)
        if isinstance(value, str):
            try:
                number = float(value)
            except ValueError:
                raise bad("a number") from None
            if number == number and abs(number) != float("inf"):
                return number
        raise bad("a finite number")
    if declared_type == "bool":
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.strip().lower() in _BOOLS:
            return _BOOLS[value.strip().lower()]
        raise bad("true or false")
    if isinstance(value, str):  # an undeclared type: read the text as YAML
        from prioanalysis.config.yamlfile import parse_yaml

        return parse_yaml(value, f"-p {name}") if value.strip() else ""
    return value


def _defaults(declared: Mapping[str, Mapping[str, Any]]) -> dict[str, Any]:
    """The literal defaults of a parameters cell."""
    out: dict[str, Any] = {}
    for name, spec in declared.items():
        try:
            out[name] = ast.literal_eval(str(spec.get("default")))
        except (ValueError, SyntaxError):
            continue
    return out


def _split_parameters(
    parameters: Mapping[str, Any], notebooks: Sequence[str]
) -> tuple[dict[str, Any], dict[str, dict[str, Any]]]:
    shared: dict[str, Any] = {}
    scoped: dict[str, dict[str, Any]] = {}
    for key, value in parameters.items():
        nb_name, sep, pname = key.rpartition(":")
        if sep:
            if nb_name not in notebooks:
                raise ParamsError(f"parameter '{key}' names notebook '{nb_name}', which this run does not execute")
            scoped.setdefault(nb_name, {})[pname] = value
        else:
            shared[pname] = value
    return shared, scoped


def _refuse_runner_parameters(parameters: Mapping[str, Any], source: str) -> None:
    for key in parameters:
        name = key.rpartition(":")[2]
        if name in STANDARD_PARAMETERS:
            raise ParamsError(f"-p {key}: '{name}' is set by the runner; use {STANDARD_PARAMETERS[name]}")
        if source == "db" and name in DB_PARAMETERS:
            raise ParamsError(
                f"-p {key}: with --source db the runner reads '{name}' from the database; "
                "give a file with --source file instead"
            )


# --------------------------------------------------------------------------- the files a run reads
_RECORDERS: list[set[str]] = []
_HOOKED: list[bool] = []


def _audit(event: str, args: tuple[Any, ...]) -> None:
    if event != "open" or not _RECORDERS:
        return
    try:
        path, mode, flags = args
        if isinstance(path, int) or path is None:
            return
        reading = (
            (int(flags) & os.O_ACCMODE) == os.O_RDONLY if mode is None else not any(c in str(mode) for c in "wax+")
        )
        if reading:
            _RECORDERS[-1].add(os.fsdecode(path))
    except Exception:  # an audit hook must never raise
        return


@contextmanager
def _recording_reads() -> Iterator[set[str]]:
    """Every file opened for reading in this process while the block runs (an audit
    hook on ``open``: ``open()``, ``os.open``, pandas, openpyxl).
    """
    if not _HOOKED:
        sys.addaudithook(_audit)
        _HOOKED.append(True)
    seen: set[str] = set()
    _RECORDERS.append(seen)
    try:
        yield seen
    finally:
        _RECORDERS.remove(seen)


def _not_an_input(path: Path, excluded: Sequence[Path]) -> bool:
    if path.suffix in (".py", ".pyc", ".so", ".pth", ".ttf", ".otf", ".mplstyle", ".pyi"):
        return True
    return any(path == d or d in path.parents for d in excluded)


def _excluded_dirs(root: Path) -> list[Path]:
    import prioanalysis

    dirs = {Path(sys.prefix), Path(sys.base_prefix), Path(prioanalysis.__file__).parent, root / ".git", root / ".venv"}
    dirs |= {Path(p) for p in ("/proc", "/sys", "/dev", "/etc", "/usr", "/lib", "/opt/conda")}
    home = Path.home()
    dirs |= {home / ".cache", home / ".config", home / ".local", home / ".matplotlib", home / ".jupyter"}
    if "matplotlib" in sys.modules:
        import matplotlib

        dirs |= {Path(matplotlib.get_cachedir()), Path(matplotlib.get_configdir())}
    return sorted(d.resolve() for d in dirs)


def _relative(path: str | Path, root: Path) -> str:
    """``path`` relative to the project root (absolute when outside it)."""
    p = Path(path).resolve()
    try:
        return p.relative_to(root.resolve()).as_posix()
    except ValueError:
        return p.as_posix()


# --------------------------------------------------------------------------- preflight
@dataclass
class Plan:
    """What the preflight checked and the run will do.

    Attributes
    ----------
    params : Params
    notebooks : list of Path
        The notebook templates, in execution order.
    parameters : dict
        Notebook name → its parameters (standard and ``-p``, typed; ``output_dir``
        is added by :func:`execute`).
    inputs : dict
        Input → SHA-256 (files relative to the project root; ``db:…`` for the
        database's tables).
    files : dict
        Every file the preflight read (project-relative path → SHA-256).
    outputs_root : Path
    source : str
    notes : list of str
        What the preflight found (shown by ``validate``).
    engine : object or None
        The database engine (``--source db``).
    db_dir : Path or None
        Temporary folder of the database exports and of a mid-year run's list (copied
        into the run's ``inputs/``).
    kind : str
        ``cycle``, ``monthly`` or ``mid_year`` (:attr:`RunRecord.kind`).
    list_additions : list of dict
        A mid-year run's accepted inquiries added to the list.
    """

    params: Params
    notebooks: list[Path]
    parameters: dict[str, dict[str, Any]]
    inputs: dict[str, str]
    files: dict[str, str]
    outputs_root: Path
    source: str = "file"
    notes: list[str] = field(default_factory=list)
    engine: Any = None
    db_dir: Path | None = None
    absolute_files: dict[str, Path] = field(default_factory=dict)
    kind: str = "cycle"
    list_additions: list[dict[str, Any]] = field(default_factory=list)

    def cleanup(self) -> None:
        """Remove the temporary database exports."""
        if self.db_dir is not None:
            shutil.rmtree(self.db_dir, ignore_errors=True)
            self.db_dir = None


def _check_outputs_root(out_root: Path) -> None:
    """Refuse an outputs root that is a file or cannot be written (before anything is written)."""
    if out_root.exists() and not out_root.is_dir():
        raise ParamsError(f"--outputs {out_root}: is a file, not a folder")
    probe = out_root
    while not probe.exists():
        if probe.parent == probe:
            break
        probe = probe.parent
    if probe.exists() and not probe.is_dir():
        raise ParamsError(f"--outputs {out_root}: {probe} is a file, not a folder")
    if probe.exists() and not os.access(probe, os.W_OK | os.X_OK):
        raise ParamsError(f"--outputs {out_root}: {probe} is not writable (read-only or no permission)")


def preflight(
    params_dir: str | Path,
    notebooks: Sequence[str] | None = None,
    *,
    notebooks_dir: str | Path | None = None,
    outputs_root: str | Path | None = None,
    input_path: str | None = None,
    parameters: Mapping[str, Any] | None = None,
    source: str = "file",
    year: int | None = None,
    month: str | None = None,
    mid_year: bool = False,
) -> Plan:
    """Check everything a run needs, writing nothing (``prioanalysis validate``).

    Parameters
    ----------
    params_dir : str or Path
        ``params/<year>`` folder.
    notebooks : sequence of str, optional
        Notebook names without ``.ipynb``, in execution order. Default: the annual
        cycle, or the monthly report alone with ``month``.
    notebooks_dir, outputs_root, input_path, source
        As in :func:`run_notebooks`.
    parameters : mapping, optional
        ``-p`` values: ``name`` for every notebook (each must declare it),
        ``notebook:name`` for one. Text is converted to the type the notebook
        declares. The runner's own parameters (:data:`STANDARD_PARAMETERS`) are
        refused, naming the option to use.
    year : int, optional
        ``--year``: ``run.yaml`` (and its folder) must be for that year.
    month : str, optional
        ``--month`` (``YYYY-MM``) for the notebooks that declare ``month``; when they
        run without it, the previous calendar month.
    mid_year : bool
        ``--mid-year``: rank the year's preliminary list with the inquiring customers
        the marketing lead accepted (:func:`prioanalysis.steps.inquiries.accepted_inquiries`)
        added as rows marked ``mid_year_addition``; default notebooks ``20_ranking`` and
        ``25_robustness``. The list ranked is written to the run's
        ``inputs/preliminary_<year>_mid_year.csv``.

    Returns
    -------
    Plan

    Raises
    ------
    ParamsError, InputError
        The first problem found, naming the file, row, column or parameter.
    """
    if source not in ("file", "db"):
        raise ParamsError(f"unknown source {source!r} (expected 'file' or 'db')")
    given = dict(parameters or {})
    _refuse_runner_parameters(given, source)
    if input_path:  # relative to where the command was typed; the notebooks run elsewhere
        input_path = str(Path(input_path).resolve())
    params = with_decisions(load_params(params_dir, year), year)  # the cycle applies the year's decisions
    root = params.root
    nb_dir = Path(notebooks_dir) if notebooks_dir else root / "notebooks"
    out_root = Path(outputs_root) if outputs_root else root / "outputs"
    _check_outputs_root(out_root)
    if mid_year and month:
        raise ParamsError("--mid-year and --month exclude each other (a mid-year run updates the target list)")
    if notebooks is None:
        notebooks = (MONTHLY,) if month else MID_YEAR if mid_year else ANNUAL_CYCLE
    names = list(notebooks)
    shared, scoped = _split_parameters(given, names)
    notes: list[str] = []
    paths: list[Path] = []
    nb_params: dict[str, dict[str, Any]] = {}
    declared_all: dict[str, dict[str, dict[str, Any]]] = {}
    for name in names:
        p = nb_dir / f"{name}.ipynb"
        if not p.is_file():
            available = sorted(x.stem for x in nb_dir.glob("*.ipynb"))
            where = f"available in {nb_dir}: {', '.join(available)}" if available else f"no notebooks in {nb_dir}"
            raise ParamsError(f"unknown notebook '{name}' ({where})")
        values = shared | scoped.get(name, {})
        check_parameters(p, values)
        declared = notebook_parameters(p)
        declared_all[name] = declared
        typed = {k: coerce_parameter(name, k, v, declared[k].get("inferred_type_name")) for k, v in values.items()}
        standard: dict[str, Any] = {
            "year": params.run.year,
            "params_dir": str(params.directory),
            "input_path": str(input_path or ""),
        }
        if "month" in declared:
            from prioanalysis.steps.inquiries import parse_month, previous_month

            chosen = month or previous_month()
            parse_month(chosen)
            if not month:
                notes.append(f"{name}: no --month given, reporting {chosen} (the previous calendar month)")
            standard["month"] = chosen
        nb_params[name] = {k: v for k, v in standard.items() if k in declared} | typed
        paths.append(p)
    if month and not any("month" in d for d in declared_all.values()):
        raise ParamsError(
            f"--month {month}: none of the notebooks run declares a month; "
            f"the monthly inquiry report is --notebook {MONTHLY} (or --month alone)"
        )
    hashes: dict[str, str] = {}
    engine = None
    db_dir: Path | None = None
    check_input = input_path
    if source == "db":
        from prioanalysis.store import database as store

        if input_path:
            raise ParamsError("--input and --source db exclude each other")
        engine = store.get_engine()
        db_dir = Path(tempfile.mkdtemp(prefix="prioanalysis-db-"))
        try:
            exported = _export_db_inputs(engine, params, paths, db_dir, hashes)
        except BaseException:
            shutil.rmtree(db_dir, ignore_errors=True)
            raise
        check_input = exported.pop("input_path")
        year_ = params.run.year
        hashes[f"db:{store.masked_url(engine)}#preliminary/{year_}"] = store.preliminary_fingerprint(engine, year_)
        for name in names:
            nb_params[name] |= {
                k: v for k, v in ({"input_path": check_input} | exported).items() if k in declared_all[name]
            }
    additions: list[dict[str, Any]] = []
    if mid_year:
        if not any("input_path" in declared_all[n] for n in names):
            raise ParamsError(f"--mid-year: none of the notebooks run ranks a list (run {', '.join(MID_YEAR)})")
        made_dir = db_dir is None
        if made_dir:
            db_dir = Path(tempfile.mkdtemp(prefix="prioanalysis-mid-year-"))
        assert db_dir is not None
        try:
            check_input, additions = _mid_year_list(params, check_input, engine, db_dir, hashes, notes)
        except BaseException:
            shutil.rmtree(db_dir, ignore_errors=True)
            raise
        for name in names:
            if "input_path" in declared_all[name]:
                nb_params[name]["input_path"] = check_input
    try:
        with _recording_reads() as seen:
            for name in names:
                spec = registry.NOTEBOOKS.get(name)
                if spec is not None:  # the notebook's own setup, as its first cell calls it (writing nothing)
                    spec.setup(**(_defaults(declared_all[name]) | nb_params[name] | {"output_dir": ""}))
            checked = registry.preflight(params, names, nb_params, check_input, None, notes=notes)
    except ParamsError as exc:
        if db_dir is not None:
            shutil.rmtree(db_dir, ignore_errors=True)
        defaulted = [n for n in names if "month" in nb_params[n]] if not month else []
        if defaulted:
            raise ParamsError(
                f"{exc} (no --month given: {defaulted[0]} reports {nb_params[defaulted[0]]['month']}, "
                "the previous calendar month; give --month YYYY-MM)"
            ) from None
        raise
    except BaseException:
        if db_dir is not None:
            shutil.rmtree(db_dir, ignore_errors=True)
        raise
    excluded = _excluded_dirs(root) + ([db_dir.resolve()] if db_dir else [])
    files: dict[str, Path] = {}
    for f in [
        params.criteria_path,
        params.run_path,
        *paths,
        *(Path(k) for k in checked),
        *(Path(s) for s in seen),
    ]:
        fp = Path(f).resolve()
        if fp.is_file() and not _not_an_input(fp, excluded) and (fp.suffix != ".ipynb" or fp in paths):
            files[_relative(fp, root)] = fp
    for p in paths:
        files[_relative(p, root)] = p.resolve()
    if source != "db":  # the database's exports and a mid-year list are temporary files, hashed above
        temporary = db_dir.resolve() if db_dir is not None else None
        hashes.update(
            {
                _relative(k, root): v
                for k, v in checked.items()
                if temporary is None or temporary not in Path(k).resolve().parents
            }
        )
    plan = Plan(
        params=params,
        notebooks=paths,
        parameters=nb_params,
        inputs=hashes,
        files={k: file_sha256(v) for k, v in sorted(files.items())},
        outputs_root=out_root,
        source=source,
        notes=notes,
        engine=engine,
        db_dir=db_dir,
        absolute_files=dict(sorted(files.items())),
        kind="mid_year" if mid_year else "monthly" if names == [MONTHLY] else "cycle",
        list_additions=additions,
    )
    stale = stale_runs(out_root)
    plan.notes += [f"{_relative(s, root)}: a run whose process is gone; the next run marks it failed" for s in stale]
    return plan


# --------------------------------------------------------------------------- run folders
def _process_start(pid: int) -> str | None:
    """The start time of a process (Linux: clock ticks since boot, with the boot id)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
        ticks = stat.rsplit(")", 1)[1].split()[19]
        boot = Path("/proc/sys/kernel/random/boot_id").read_text().strip()
        return f"{boot}:{ticks}"
    except (OSError, IndexError):
        return None


def _this_process() -> dict[str, Any]:
    pid = os.getpid()
    return {"pid": pid, "host": socket.gethostname(), "start": _process_start(pid)}


def _process_alive(info: Mapping[str, Any]) -> bool | None:
    """Whether the process recorded in a ``run.json`` still runs (None: another host)."""
    pid = info.get("pid")
    if not isinstance(pid, int):
        return False
    if info.get("host") != socket.gethostname():
        return None
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass
    start = info.get("start")
    return start is None or _process_start(pid) == start


def _read_run_json(folder: Path) -> dict[str, Any] | None:
    try:
        doc = json.loads((folder / "run.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return doc if isinstance(doc, dict) else None


def stale_runs(outputs_root: str | Path, grace_seconds: float = 60.0) -> list[Path]:
    """Run folders whose process is gone: staging folders of killed or crashed runs, and
    run folders whose ``run.json`` still says ``running`` (written by an older runner).

    A staging folder without ``run.json`` counts once it is older than ``grace_seconds``.
    Folders of a run on another host are left alone.
    """
    root = Path(outputs_root)
    if not root.is_dir():
        return []
    found: list[Path] = []
    for year_dir in sorted(p for p in root.iterdir() if p.is_dir() and p.name.isdigit()):
        for d in sorted(year_dir.iterdir()):
            if not d.is_dir():
                continue
            doc = _read_run_json(d)
            if d.name.startswith(_STAGING):
                if doc is None:
                    if time.time() - d.stat().st_mtime > grace_seconds:
                        found.append(d)
                elif _process_alive(doc.get("process") or {}) is False:
                    found.append(d)
            elif (
                doc is not None
                and doc.get("status") == "running"
                and _process_alive(doc.get("process") or {}) is not True
            ):
                found.append(d)
    return found


def mark_stale_runs(outputs_root: str | Path) -> list[Path]:
    """Mark every stale run (:func:`stale_runs`) failed with the reason, and make a
    staging folder visible as ``<run-id>-failed/``. Returns the marked folders.
    """
    marked = []
    for d in stale_runs(outputs_root):
        doc = _read_run_json(d) or {}
        proc = doc.get("process") or {}
        where = f"process {proc.get('pid')} on {proc.get('host')}" if proc else "its process"
        running = [n.get("notebook") for n in doc.get("notebooks", []) if n.get("status") == "running"]
        doc["status"] = "failed"
        doc["error"] = (
            f"stale: {where} is gone (killed or crashed) before the run finished"
            + (f", during {running[0]}" if running else "")
            + "; its results are incomplete"
        )
        run_id = str(doc.get("run_id") or d.name.removeprefix(_STAGING))
        target = d
        if d.name.startswith(_STAGING):
            target = _free_name(d.parent, run_id + _FAILED)
            os.rename(d, target)
        doc["directory"] = str(target)
        doc.setdefault("run_id", run_id)
        _write_json(target / "run.json", doc)
        marked.append(target)
    return marked


def _fail_stale_in_store(engine: Any, folder: Path) -> None:
    """``--source db``: a stale run recorded in the database is marked failed there too."""
    if engine is None:
        return
    from prioanalysis.errors import StoreError
    from prioanalysis.store import database as store

    doc = _read_run_json(folder) or {}
    with contextlib.suppress(StoreError):  # not a run of this database, or not running there
        store.fail_run(engine, str(doc.get("run_id")), str(doc.get("error")))


def _free_name(base: Path, name: str) -> Path:
    for i in range(1, 1000):
        p = base / (name if i == 1 else f"{name}.{i}")
        if not p.exists():
            return p
    raise PrioanalysisError(f"{base}: no free folder name for {name}")  # pragma: no cover


def new_run_dir(outputs_root: str | Path, year: int, now: _dt.datetime | None = None) -> Path:
    """Create the staging folder ``<outputs_root>/<year>/.staging-<run-id>`` of a new run.

    The run id is the UTC time ``YYYYmmddTHHMMSSZ``; a suffix ``-2``, ``-3``… is added
    when two runs start in the same second. Creation is exclusive and no id of an
    earlier run (visible, failed or staging) is taken, so no earlier run is ever
    reused or overwritten. The run id is the folder's name without ``.staging-``.
    """
    now = now or _dt.datetime.now(_dt.UTC)
    base = Path(outputs_root) / str(year)
    base.mkdir(parents=True, exist_ok=True)
    stamp = now.strftime("%Y%m%dT%H%M%SZ")
    for i in range(1, 1000):
        run_id = stamp if i == 1 else f"{stamp}-{i}"
        if any((base / n).exists() for n in (run_id, run_id + _FAILED)):
            continue
        d = base / f"{_STAGING}{run_id}"
        try:
            d.mkdir()
            return d
        except FileExistsError:
            continue
    raise ParamsError(f"{base}: could not create a new run folder")  # pragma: no cover


def _publish(staging: Path, run_id: str, succeeded: bool) -> Path:
    """Make a staging folder visible: ``<run-id>`` or ``<run-id>-failed`` (atomic rename)."""
    target = staging.parent / run_id if succeeded else _free_name(staging.parent, run_id + _FAILED)
    if target.exists():  # pragma: no cover - new_run_dir reserved the id
        raise PrioanalysisError(f"{target}: exists already; the run stays in {staging}")
    os.rename(staging, target)
    return target


def _relocate(run_dir: Path, old: str, new: str) -> None:
    """Replace the staging path by the final one in what the run folder records: the
    executed notebooks (injected parameters, papermill metadata, outputs that show a
    path) and the run's small text files (``*.diff``, ``*.yaml``, ``*.html``).
    """
    import nbformat

    for nb_path in sorted(run_dir.glob("*.ipynb")):
        try:
            nb = nbformat.read(str(nb_path), as_version=4)
        except Exception:  # a notebook cut short by a full disk stays as it is
            continue
        moved = _replace_in(nb, old, new)
        if moved != nb:
            nbformat.write(nbformat.from_dict(moved), str(nb_path))
    for f in sorted(run_dir.iterdir()):
        if f.is_file() and f.suffix in (".diff", ".yaml", ".html", ".txt", ".md"):
            text = f.read_text(encoding="utf-8", errors="surrogateescape")
            if old in text:
                f.write_text(text.replace(old, new), encoding="utf-8", errors="surrogateescape")


def _page_title(stem: str, params: Params) -> str:
    """A notebook page's ``<title>``: its section name and the report title, in the report language."""
    from prioanalysis.report.i18n import has, t

    run = params.run
    key = f"front.section_{stem}"
    if not has(key):
        return run.report.title
    return t("front.page_title", run.report.language, section=t(key, run.report.language), title=run.report.title)


def export_html(notebook: str | Path, html: str | Path, *, title: str | None = None, lang: str = "en") -> Path:
    """Render an executed notebook to a self-contained HTML page with no code in it.

    Input cells and prompts are left out (nbconvert ``exclude_input``); outputs,
    markdown and errors are kept, so a failed notebook still shows its error. The page
    loads nothing (no scripts, figures inline) and embeds the subset of the CJK font it
    needs (:func:`prioanalysis.report.html.export_notebook`).

    Parameters
    ----------
    notebook, html : str or pathlib.Path
        The executed notebook; the page to write.
    title : str, optional
        The page's ``<title>`` (default: the notebook's file name without extension).
    lang : {"zh", "en"}
        The report language.
    """
    from prioanalysis.report.html import export_notebook

    return export_notebook(notebook, html, title=title or Path(notebook).stem, lang=lang)


def _write_reports(staging: Path, params: Params, record: RunRecord, say: Callable[[str], None]) -> None:
    """The run's annual report, ``report.html`` and ``report.pdf``
    (:func:`prioanalysis.report.annual.write_annual_report`), recorded in ``run.json``
    ``reports``. A PDF that cannot be made (WeasyPrint's system libraries missing) is
    said in the log and in ``run.json``; the run still succeeds with the HTML. A report
    that cannot be written fails the run, with the reason in ``run.json``.
    """
    from prioanalysis.report.annual import write_annual_report

    t0 = time.perf_counter()
    try:
        report = write_annual_report(staging, params, record=record.__dict__)
    except OSError as exc:
        record.error = record.error or f"annual report: cannot write the run folder: {_os_problem(exc)}"
        return
    except Exception as exc:  # the report is the deliverable: never silently missing
        record.error = record.error or f"annual report: {type(exc).__name__}: {exc}"
        return
    seconds = round(time.perf_counter() - t0, 2)
    reports = record.reports
    reports["open_first"] = report.html.name
    reports["report_html"] = report.html.name
    reports["report_pdf"] = report.pdf.path.name if report.pdf.path is not None else None
    if report.pdf.path is None:
        reports["pdf_not_made"] = report.pdf.reason
    else:
        reports["report_pdf_pages"] = report.pdf.pages
    reports.setdefault("seconds", {}).update({f"report_{k}": v for k, v in report.seconds.items()})
    reports["seconds"]["report"] = seconds
    if report.pdf.path is None:
        say(f"annual report {report.html.name} written in {seconds:.1f} s; the PDF was NOT made: {report.pdf.reason}")
    else:
        pdf = f"{report.pdf.path.name} ({report.pdf.pages} pages)"
        say(f"annual report {report.html.name} and {pdf} written in {seconds:.1f} s")


def _write_deck(staging: Path, params: Params, record: RunRecord, say: Callable[[str], None]) -> None:
    """The consultants' deck of the run (:func:`prioanalysis.report.deck.write_deck`);
    a deck that cannot be written fails the run, with the reason in ``run.json``.
    """
    from prioanalysis.report.deck import write_deck

    t0 = time.perf_counter()
    try:
        path = write_deck(staging, params)
    except OSError as exc:
        record.error = f"deck: cannot write the run folder: {_os_problem(exc)}"
        return
    except Exception as exc:  # the deck is a deliverable: never silently missing
        record.error = f"deck: {type(exc).__name__}: {exc}"
        return
    seconds = round(time.perf_counter() - t0, 2)
    reports = getattr(record, "reports", None)
    if isinstance(reports, dict):
        reports["deck"] = path.name
        reports.setdefault("seconds", {})["deck"] = seconds
    say(f"deck {path.name} written in {seconds:.1f} s")


def _kernel_manager_class() -> type:
    """The kernel manager of a notebook run: IPC transport (Unix sockets), so the kernel
    neither listens on TCP nor logs ipykernel's "running over TCP without encryption"
    warning into scheduled logs.

    What the kernel process writes to its own stderr (ipykernel's start and shutdown
    messages, e.g. "KeyboardInterrupt caught in kernel" when a loaded machine is slow to
    shut it down) is kept out of the run's log: the last lines are collected in
    ``_KERNEL_STDERR``, and the run records them in ``run.json`` when a notebook fails. What
    a notebook's cells print is in the notebook, as always.
    """
    from jupyter_client.manager import AsyncKernelManager

    class IPCKernelManager(AsyncKernelManager):
        def __init__(self, **kwargs: Any) -> None:
            super().__init__(**kwargs)
            self.transport = "ipc"
            # the sockets' path prefix, unique to this kernel: jupyter_client's default
            # (``kernel-ipc-N`` in the working directory, the notebooks folder) collides
            # when two runs start kernels at once ("Address already in use")
            self.ip = os.path.join(tempfile.gettempdir(), f"prioanalysis-kernel-{uuid.uuid4().hex[:16]}")

        async def _async_launch_kernel(self, kernel_cmd: list[str], **kw: Any) -> None:
            kw["stderr"] = subprocess.PIPE
            await super()._async_launch_kernel(kernel_cmd, **kw)
            pipe = getattr(getattr(self.provisioner, "process", None), "stderr", None)
            if pipe is not None:
                threading.Thread(target=_collect_lines, args=(pipe, _KERNEL_STDERR), daemon=True).start()

    return IPCKernelManager


#: The kernel's last stderr lines (a failed notebook's entry in run.json keeps them).
_KERNEL_STDERR: collections.deque[str] = collections.deque(maxlen=40)


def _collect_lines(pipe: Any, sink: collections.deque[str]) -> None:
    """Read a subprocess's stderr until it closes, keeping its lines in ``sink``."""
    with pipe:
        for raw in iter(pipe.readline, b""):
            line = raw.decode("utf-8", "replace").rstrip("\r\n")
            if line.strip():
                sink.append(line)


def _stamp() -> str:
    return _dt.datetime.now(_dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _os_problem(exc: OSError) -> str:
    what = {
        errno.ENOSPC: "the disk is full",
        errno.EDQUOT: "the disk quota is exceeded",
        errno.EROFS: "the file system is read-only",
        errno.EACCES: "permission denied",
        errno.EPERM: "permission denied",
    }.get(exc.errno or 0, exc.strerror or str(exc))
    return f"{what}{f' ({exc.filename})' if exc.filename else ''}"


# --------------------------------------------------------------------------- execution
def execute(plan: Plan, progress: Callable[[str], None] | None = None) -> RunRecord:
    """Run the notebooks of a checked plan into a new run folder (see the module docs).

    Returns
    -------
    RunRecord
        ``status`` is ``succeeded`` or ``failed``; ``directory`` the visible folder.

    Raises
    ------
    PrioanalysisError
        The run folder cannot be created (full disk, read-only, no permission):
        nothing was written.
    """
    with _stamped_stderr():
        return _execute(plan, progress)


_STAMPED = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ ")


class _StampedStream:
    """A text stream that stamps every line written to it with the time (UTC), unless
    it carries a stamp already: what libraries print during a run (a warning, a
    message of a dependency) reads in the run's log like the run's own lines.
    """

    def __init__(self, stream: Any) -> None:
        self._stream, self._partial = stream, ""

    def write(self, text: str) -> int:
        lines = (self._partial + text).split("\n")
        self._partial = lines.pop()
        for line in lines:
            self._stream.write(f"{line}\n" if not line or _STAMPED.match(line) else f"{_stamp()} {line}\n")
        return len(text)

    def flush(self) -> None:
        self._stream.flush()

    def close_partial(self) -> None:
        if self._partial:
            self.write("\n")
        self.flush()

    def __getattr__(self, name: str) -> Any:  # encoding, isatty, fileno ...
        return getattr(self._stream, name)


@contextmanager
def _stamped_stderr() -> Iterator[None]:
    """``sys.stderr`` stamped line by line for the duration of a run (:class:`_StampedStream`)."""
    saved = sys.stderr
    stamped = _StampedStream(saved)
    sys.stderr = stamped
    try:
        yield
    finally:
        stamped.close_partial()
        sys.stderr = saved


def _execute(plan: Plan, progress: Callable[[str], None] | None = None) -> RunRecord:
    import papermill as pm

    raw_say = progress or (lambda line: print(line, file=sys.stderr, flush=True))

    def say(line: str) -> None:
        raw_say(f"{_stamp()} {line}")

    t_run = time.perf_counter()
    params, root = plan.params, plan.params.root
    try:
        for d in mark_stale_runs(plan.outputs_root):
            say(f"marked a stale run failed: {d}")
            _fail_stale_in_store(plan.engine, d)
        staging = new_run_dir(plan.outputs_root, params.run.year)
    except OSError as exc:
        plan.cleanup()
        raise PrioanalysisError(f"cannot create the run folder in {plan.outputs_root}: {_os_problem(exc)}") from None
    run_id = staging.name.removeprefix(_STAGING)
    final = staging.parent / run_id
    from prioanalysis.steps.ranking import method_choices

    record = RunRecord(
        run_id=run_id,
        year=params.run.year,
        status="running",
        directory=str(staging),
        started=_dt.datetime.now(_dt.UTC).isoformat(timespec="seconds"),
        git_commit=git_commit(root),
        process=_this_process(),
        params_files={
            _relative(params.criteria_path, root): {
                "sha256": plan.files.get(_relative(params.criteria_path, root)),
                "content": params.criteria.model_dump(mode="json"),
            },
            _relative(params.run_path, root): {
                "sha256": plan.files.get(_relative(params.run_path, root)),
                "content": params.run.model_dump(mode="json"),
            },
            **(
                {
                    _relative(params.decisions_path, root): {
                        "sha256": plan.files.get(_relative(params.decisions_path, root)),
                        "content": params.decisions.model_dump(mode="json"),
                    }
                }
                if params.decisions is not None and params.decisions_path is not None
                else {}
            ),
        },
        inputs=dict(plan.inputs),
        files=dict(plan.files),
        method_choices=method_choices(params),
        kind=plan.kind,
        list_additions=list(plan.list_additions),
    )
    db_params: dict[str, str] = {}
    try:
        record.write()
        if plan.db_dir is not None:
            inputs_dir = staging / "inputs"
            shutil.copytree(plan.db_dir, inputs_dir)
            db_params = {str(plan.db_dir / p.name): str(inputs_dir / p.name) for p in plan.db_dir.iterdir()}
    except OSError as exc:
        plan.cleanup()
        shutil.rmtree(staging, ignore_errors=True)
        raise PrioanalysisError(f"cannot write the run folder {staging}: {_os_problem(exc)}") from None
    plan.cleanup()
    if plan.engine is not None:
        from prioanalysis.store import database as store

        store.start_run(
            plan.engine,
            record.run_id,
            params.run.year,
            record.method_choices,
            **({"kind": "mid_year"} if plan.kind == "mid_year" else {}),
        )
    say(f"run {run_id}: {len(plan.notebooks)} notebook(s) → {final}")
    if plan.kind == "mid_year":
        ids = ", ".join(e["inquiry_id"] for e in plan.list_additions)
        say(f"mid-year run: {len(plan.list_additions)} accepted inquiring customer(s) added to the list: {ids}")
    manager = _kernel_manager_class()
    interrupted: BaseException | None = None
    for i, nb in enumerate(plan.notebooks, 1):
        given = {k: db_params.get(v, v) if isinstance(v, str) else v for k, v in plan.parameters[nb.stem].items()}
        declared = notebook_parameters(nb)
        nb_params = given | ({"output_dir": str(staging)} if "output_dir" in declared else {})
        out_nb = staging / nb.name
        say(f"[{i}/{len(plan.notebooks)}] {nb.stem} …")
        t0 = time.perf_counter()
        _KERNEL_STDERR.clear()
        entry: dict[str, Any] = {"notebook": nb.name, "parameters": nb_params, "status": "running"}
        record.notebooks.append(entry)
        record.parameters[nb.stem] = nb_params
        template = _relative(nb, root)
        try:
            record.files[template] = file_sha256(nb)  # the template as papermill reads it now
            record.write()
            pm.execute_notebook(
                str(nb),
                str(out_nb),
                parameters=nb_params,
                kernel_name="python3",
                cwd=str(nb.parent),
                progress_bar=False,
                log_output=False,
                kernel_manager_class=manager,
            )
            entry["status"] = "succeeded"
        except pm.PapermillExecutionError as exc:
            entry["status"] = "failed"
            entry["error"] = f"{exc.ename}: {exc.evalue}"
        except OSError as exc:
            entry["status"] = "failed"
            entry["error"] = f"cannot write the run folder: {_os_problem(exc)}"
        except (KeyboardInterrupt, SystemExit) as exc:
            entry["status"] = "failed"
            entry["error"] = "interrupted"
            interrupted = exc
        except Exception as exc:  # a dead kernel, a broken notebook: the run is failed, not lost
            entry["status"] = "failed"
            entry["error"] = f"{type(exc).__name__}: {exc}"
        entry["seconds"] = round(time.perf_counter() - t0, 2)
        if "error" in entry:
            record.error = f"{nb.name}: {entry['error']}"
            if _KERNEL_STDERR:  # the kernel's own last words, for whoever investigates
                entry["kernel_stderr"] = list(_KERNEL_STDERR)
        if out_nb.is_file() and interrupted is None:
            try:
                _relocate(staging, str(staging), str(final))
                t_html = time.perf_counter()
                entry["html"] = export_html(
                    out_nb,
                    staging / f"{nb.stem}.html",
                    title=_page_title(nb.stem, params),
                    lang=params.run.report.language,
                ).name
                entry["html_seconds"] = round(time.perf_counter() - t_html, 2)
            except OSError as exc:
                entry["status"] = "failed"
                record.error = record.error or f"{nb.name}: cannot write the run folder: {_os_problem(exc)}"
            except Exception:  # a notebook cut short cannot be rendered; run.json says why
                pass
        say(f"[{i}/{len(plan.notebooks)}] {nb.stem} {entry['status']} in {entry['seconds']:.1f} s")
        if entry["status"] != "succeeded":
            break
    if record.error is None:
        templates = {_relative(p, root) for p in plan.notebooks}  # hashed as each notebook starts
        changed = [
            rel
            for rel, p in plan.absolute_files.items()
            if rel not in templates and (not p.is_file() or file_sha256(p) != plan.files[rel])
        ]
        if changed:
            record.error = f"input file(s) changed during the run: {', '.join(changed)}"
    cycle_ok = record.error is None and any(nb.stem == "20_ranking" for nb in plan.notebooks)
    if record.error is None and any(nb.stem == "20_ranking" for nb in plan.notebooks):
        _write_deck(staging, params, record, say)
    if cycle_ok:  # the annual report, even when the deck failed: the run's status says the rest
        _write_reports(staging, params, record, say)
    record.status = "failed" if record.error else "succeeded"
    record.finished = _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds")
    record.seconds = round(time.perf_counter() - t_run, 2)
    if plan.engine is not None and interrupted is None:
        try:
            _save_to_store(plan.engine, record, params.run.year, staging, say)
        except PrioanalysisError as exc:
            record.status, record.error = "failed", f"saving to the database: {exc}"
    for nb_entry in record.notebooks:
        nb_entry["parameters"] = _replace_in(nb_entry["parameters"], str(staging), str(final))
    record.parameters = {k: _replace_in(v, str(staging), str(final)) for k, v in record.parameters.items()}
    try:
        visible = _publish(staging, run_id, record.status == "succeeded")
    except OSError as exc:
        record.status = "failed"
        record.error = record.error or f"cannot publish the run: {_os_problem(exc)}"
        visible = staging
    if visible != final:
        record.parameters = {k: _replace_in(v, str(final), str(visible)) for k, v in record.parameters.items()}
        with contextlib.suppress(OSError):  # the record of the parameters; the run's status says the rest
            _relocate(visible, str(staging), str(visible))
            _relocate(visible, str(final), str(visible))
    record.directory = str(visible)
    try:
        record.write()
    except OSError as exc:
        record.error = record.error or f"cannot write run.json: {_os_problem(exc)}"
        record.status = "failed"
    say(f"run {run_id} {record.status} in {record.seconds:.1f} s → {visible}")
    if interrupted is not None:
        raise interrupted
    return record


def _replace_in(value: Any, old: str, new: str) -> Any:
    if isinstance(value, str):
        return value.replace(old, new)
    if isinstance(value, dict):
        return {k: _replace_in(v, old, new) for k, v in value.items()}
    if isinstance(value, list):
        return [_replace_in(v, old, new) for v in value]
    return value


def run_notebooks(
    params_dir: str | Path,
    notebooks: Sequence[str] | None = None,
    notebooks_dir: str | Path | None = None,
    outputs_root: str | Path | None = None,
    input_path: str | None = None,
    parameters: Mapping[str, Any] | None = None,
    progress: Callable[[str], None] | None = None,
    source: str = "file",
    year: int | None = None,
    month: str | None = None,
    mid_year: bool = False,
) -> RunRecord:
    """Check everything (:func:`preflight`), then execute the notebooks in order into a
    new run folder (:func:`execute`).

    Parameters
    ----------
    params_dir : str or Path
        ``params/<year>`` folder.
    notebooks : sequence of str, optional
        Notebook names without ``.ipynb``, in execution order (default: the annual
        cycle; with ``month``, the monthly inquiry report).
    notebooks_dir : str or Path, optional
        Where the notebook templates are (default ``<project root>/notebooks``).
    outputs_root : str or Path, optional
        Default ``<project root>/outputs``.
    input_path : str, optional
        Overrides the preliminary list of ``run.yaml``.
    parameters : mapping, optional
        Extra notebook parameters. ``name`` applies to every notebook run and must be
        declared by each; ``notebook:name`` (e.g. ``30_annual_review:frozen_list``)
        applies to that notebook only and must be declared by it. The runner's own
        parameters (:data:`STANDARD_PARAMETERS`) are refused.
    progress : callable, optional
        Receives one line per step, timestamped (default: print to stderr).
    source : {"file", "db"}
        ``db``: read the preliminary list from the customer database
        (:mod:`prioanalysis.store`), write it into the run folder as
        ``inputs/preliminary_<year>.csv`` (the record of what was ranked), give the
        review last year's list *as published* (frozen in the database; written to
        ``inputs/target_list_<year−1>_published.csv``), and save the run and its
        target list into the database — atomically, so a failed or killed run
        leaves no visible results.
    year : int, optional
        ``--year``, checked against ``run.yaml``.
    month : str, optional
        ``--month``.
    mid_year : bool
        ``--mid-year`` (:func:`preflight`).

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
    plan = preflight(
        params_dir,
        notebooks,
        notebooks_dir=notebooks_dir,
        outputs_root=outputs_root,
        input_path=input_path,
        parameters=parameters,
        source=source,
        year=year,
        month=month,
        mid_year=mid_year,
    )
    return execute(plan, progress)


def _mid_year_list(
    params: Params,
    input_path: str | None,
    engine: Any,
    directory: Path,
    hashes: dict[str, str],
    notes: list[str],
) -> tuple[str, list[dict[str, Any]]]:
    """``--mid-year``: the year's preliminary list (``input_path``, or the one of
    ``run.yaml``) with the accepted inquiries of the year added
    (:func:`prioanalysis.steps.inquiries.list_additions`), written into ``directory`` as
    ``preliminary_<year>_mid_year.csv``. The inquiry log is the database's with
    ``--source db`` (``engine``), else the logs of the year and the year before named by
    ``inputs.inquiries`` of ``inquiries.yaml`` (a decision in January may be on an
    inquiry of December).

    Returns
    -------
    (str, list of dict)
        The list written, and one entry per added customer.

    Raises
    ------
    ParamsError
        No ``inquiries.yaml``, or no inquiry accepted for the year's list.
    """
    import pandas as pd

    from prioanalysis.config.inquiries import load_inquiry_params
    from prioanalysis.inputs.inquiries import read_inquiries, validate_inquiries
    from prioanalysis.inputs.tables import read_table
    from prioanalysis.steps import inquiries as iq

    year = params.run.year
    ipath = params.directory / "inquiries.yaml"
    if not ipath.is_file():
        raise ParamsError(f"--mid-year: {ipath} not found (it says which decision accepts an inquiring customer)")
    ip = load_inquiry_params(ipath)
    segments = list(params.run.segments)
    if engine is not None:
        from prioanalysis.store import database as store

        log = validate_inquiries(store.load_inquiries(engine), ip, segments, source=store.masked_url(engine))
        where = f"the inquiry log of {store.masked_url(engine)}"
    else:
        logs, read = [], []
        for y in (year - 1, year):
            path = iq.inquiries_path_for(ip, params.root, f"{y}-01")
            if path.is_file():
                logs.append(read_inquiries(path, ip, segments))
                read.append(path)
                hashes[_relative(path, params.root)] = file_sha256(path)
        if not logs:
            raise ParamsError(
                f"--mid-year: no inquiry log for {year - 1} or {year} "
                f"({ipath}: inputs.inquiries is {ip.inputs.inquiries!r})"
            )
        log = pd.concat(logs)
        where = " and ".join(_relative(p, params.root) for p in read)
    accepted = iq.accepted_inquiries(log, ip, year)
    if accepted.empty:
        raise ParamsError(
            f"--mid-year: no inquiry in {where} is accepted for the {year} list (decision "
            f"'{ip.accept_decision}' with a reviewer and a decision day in {year}); record the marketing "
            f"lead's decision with `prioanalysis inquiry decide ID --decision {ip.accept_decision} --reviewer NAME`"
        )
    source = Path(input_path) if input_path else params.resolve(params.run.inputs.preliminary_list)
    combined = iq.list_additions(accepted, read_table(source), params, ip)
    added = combined.attrs["added"]
    for qid in combined.attrs["already_listed"]:
        notes.append(f"--mid-year: inquiry {qid}: the customer is on the list already, not added again")
    if not added:
        raise ParamsError(f"--mid-year: every accepted inquiry's customer is on the {year} list already")
    out = directory / f"preliminary_{year}_mid_year.csv"
    combined.to_csv(out, index=False, lineterminator="\n", encoding="utf-8")
    hashes[f"inputs/{out.name}"] = file_sha256(out)
    rows = combined[combined["list_source"] == iq.MID_YEAR_ADDITION]
    entries = [
        {"inquiry_id": str(q), "customer_id": str(c), "accepted_on": str(d)}
        for q, c, d in zip(rows["inquiry_id"], rows[params.run.intake.id_column], rows["accepted_on"], strict=True)
    ]
    notes.append(
        f"--mid-year: {len(entries)} accepted inquiring customer(s) added to the {year} list: "
        + ", ".join(e["inquiry_id"] for e in entries)
    )
    return str(out), entries


def _export_db_inputs(
    engine: Any, params: Params, notebooks: Sequence[Path], directory: Path, hashes: dict[str, str]
) -> dict[str, str]:
    """``--source db``: write what the notebooks read from the database into
    ``directory`` (copied into the run folder's ``inputs/``, the record of the run's
    inputs) and return the notebook parameters that point at them: the preliminary
    list; for notebooks declaring them, last year's list *as published*
    (``frozen_list``), last year's outcomes (``outcomes_path``), the owners and their
    capacities (``owners_path``) and the inquiry log (``inquiries_path``).

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

    from prioanalysis.report.tables import restore_text
    from prioanalysis.store import database as store

    table = run_dir / "tables" / "target_list.csv"
    if record.status == "succeeded" and table.is_file():
        frame = restore_text(pd.read_csv(table, dtype={"customer_id": str, "owner_id": str}, keep_default_na=True))
        store.save_run(engine, record.run_id, year, record.method_choices, frame)
        say(f"saved {len(frame)} results of run {record.run_id} to {store.masked_url(engine)}")
    else:
        store.fail_run(engine, record.run_id, record.error or "no target list was written")
