"""The one home of the hostile suite's machinery: a private project, the CLI in a
subprocess, and the assertions every case makes (exit code, message, no traceback,
nothing written).

Every case runs the real command line (``python -m prioanalysis ...``) with its working
directory in a private copy of the project's ``params/``, ``data/sample/`` and
``notebooks/`` under ``tmp_path``, so the default outputs root (``outputs/``) and the
default database (``data/prioanalysis.db``) are the copy's.

``PRIOANALYSIS_UNDER_TEST=/some/tree`` runs the suite against another checkout of the
project (its package on ``PYTHONPATH``, its params, data and notebooks copied), e.g. the
code as it was before the hardening, to count the cases it handled cleanly.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import yaml

from tests.conftest import tiny_frame

ROOT = Path(__file__).resolve().parents[2]
#: The project tree whose code and files the cases run against.
UNDER_TEST = Path(os.environ.get("PRIOANALYSIS_UNDER_TEST") or ROOT).resolve()
YEAR = 2026
DB_NAME = "prioanalysis.db"
#: Files SQLite creates and removes by itself; the database is compared by its content.
_SQLITE_SIDE = ("-wal", "-shm", "-journal")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every case of this folder carries the ``hostile`` marker (``-m hostile`` selects the suite)."""
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.hostile)


# ----------------------------------------------------------------------------- results
@dataclass
class Result:
    """A finished command: its arguments, exit code and output."""

    args: list[str]
    returncode: int
    stdout: str
    stderr: str

    @property
    def output(self) -> str:
        return self.stdout + self.stderr

    def __str__(self) -> str:
        tail = lambda s: s if len(s) < 3000 else s[:1500] + "\n…\n" + s[-1500:]  # noqa: E731
        return (
            f"$ prioanalysis {' '.join(self.args)}\nexit {self.returncode}\n"
            f"--- stdout\n{tail(self.stdout)}\n--- stderr\n{tail(self.stderr)}"
        )


Mention = str | tuple[str, ...]


def assert_mentions(result: Result, mentions: Iterable[Mention]) -> None:
    """Each item (or one of a tuple of alternatives) occurs in the output, case-insensitively."""
    text = result.output.lower()
    for item in mentions:
        options = (item,) if isinstance(item, str) else item
        assert any(o.lower() in text for o in options), f"the message should name {' or '.join(options)!r}\n{result}"


def assert_no_traceback(result: Result) -> None:
    assert "Traceback" not in result.output, f"a traceback was shown\n{result}"


# ---------------------------------------------------------------------------- snapshots
def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def db_dump(path: Path) -> str | None:
    """The database's content as SQL text (None when it is not a readable SQLite file)."""
    try:
        con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            return "\n".join(con.iterdump())
        finally:
            con.close()
    except sqlite3.Error:
        return None


def tree_snapshot(*roots: Path) -> dict[str, str]:
    """sha256 of every file under ``roots``; a readable SQLite database by its content
    (SQLite may checkpoint its log into the file without changing a row)."""
    snap: dict[str, str] = {}
    for root in roots:
        if root.is_file():
            snap[str(root)] = _sha256(root)
            continue
        for p in sorted(root.rglob("*")):
            if not p.is_file() or p.name.endswith(_SQLITE_SIDE):
                continue
            if p.suffix == ".db":
                dump = db_dump(p)
                snap[str(p)] = "dump:" + hashlib.sha256(dump.encode()).hexdigest() if dump is not None else _sha256(p)
            else:
                snap[str(p)] = _sha256(p)
    return snap


def assert_same_snapshot(before: dict[str, str], after: dict[str, str], result: Result | None = None) -> None:
    added = sorted(set(after) - set(before))
    removed = sorted(set(before) - set(after))
    changed = sorted(k for k in set(before) & set(after) if before[k] != after[k])
    assert not (added or removed or changed), (
        f"files changed: added {added[:10]}, removed {removed[:10]}, changed {changed[:10]}\n{result or ''}"
    )


# ------------------------------------------------------------------------------ project
_SKIP = shutil.ignore_patterns("*.db", "*.db-*", ".ipynb_checkpoints", "__pycache__")


def _copy_tree(src: Path, dst: Path) -> None:
    """Copy folders and regular files only (a running kernel leaves IPC sockets beside the notebooks)."""

    def ignore(folder: str, names: list[str]) -> set[str]:
        odd = {n for n in names if not (Path(folder, n).is_file() or Path(folder, n).is_dir())}
        return odd | set(_SKIP(folder, names))

    shutil.copytree(src, dst, ignore=ignore)


class Project:
    """A private copy of the project under test: ``params/``, ``data/sample/``, ``notebooks/``."""

    def __init__(self, root: Path) -> None:
        self.root = root
        root.mkdir(parents=True, exist_ok=True)
        for part in ("params", "notebooks"):
            _copy_tree(UNDER_TEST / part, root / part)
        _copy_tree(UNDER_TEST / "data" / "sample", root / "data" / "sample")
        # The sample decisions name customers of the sample list; the hostile cases run
        # their own lists, on which those decisions are (rightly) refused. The refusal
        # itself is covered in tests/config/test_decisions.py and test_cli_decisions.py.
        (root / "params" / str(YEAR) / "decisions.yaml").unlink(missing_ok=True)

    # paths
    @property
    def params(self) -> Path:
        return self.root / "params" / str(YEAR)

    @property
    def outputs(self) -> Path:
        return self.root / "outputs"

    @property
    def db(self) -> Path:
        return self.root / "data" / DB_NAME

    # files
    def edit_yaml(self, name: str, change: Callable[[Any], Any], year: int = YEAR) -> Path:
        """Load ``params/<year>/<name>``, let ``change`` mutate it (or return a new doc), write it back."""
        path = self.root / "params" / str(year) / name
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
        new = change(doc)
        path.write_text(
            yaml.safe_dump(doc if new is None else new, allow_unicode=True, sort_keys=False), encoding="utf-8"
        )
        return path

    def write_text(self, relative: str, text: str, encoding: str = "utf-8") -> Path:
        path = self.root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding=encoding)
        return path

    def write_list(self, frame: pd.DataFrame, name: str = "list.csv") -> Path:
        """A preliminary list as CSV (UTF-8) in the project root."""
        path = self.root / name
        frame.to_csv(path, index=False, encoding="utf-8")
        return path

    def fast(self) -> Project:
        """Few weight draws, so that a real run of 20_ranking on the tiny list is quick."""
        self.edit_yaml("run.yaml", lambda d: d["robustness"].update(n_draws=50))
        return self

    def install_db(self, template: Path) -> Path:
        self.db.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(template, self.db)
        return self.db

    # running
    def env(self, extra: dict[str, str] | None = None) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if k not in ("PRIOANALYSIS_DB_URL", "PYTHONPATH")}
        env["PYTHONPATH"] = str(UNDER_TEST)
        env["PYTHONIOENCODING"] = "utf-8"
        env.update(extra or {})
        return env

    def command(self, args: Sequence[str]) -> list[str]:
        return [sys.executable, "-m", "prioanalysis", *map(str, args)]

    def cli(self, *args: Any, env: dict[str, str] | None = None, timeout: float = 600, **popen: Any) -> Result:
        """Run ``prioanalysis ARGS`` in the project; return its exit code and output."""
        argv = [str(a) for a in args]
        proc = subprocess.run(
            self.command(argv),
            cwd=self.root,
            env=self.env(env),
            capture_output=True,
            text=True,
            encoding="utf-8",
            errors="replace",
            timeout=timeout,
            check=False,
            **popen,
        )
        return Result(argv, proc.returncode, proc.stdout, proc.stderr)

    def snapshot(self, *extra: Path) -> dict[str, str]:
        """Everything under the project (outputs, database, params, data) and ``extra`` paths."""
        return tree_snapshot(self.root, *extra)

    def refused(
        self,
        *args: Any,
        code: int | tuple[int, ...] = 2,
        mentions: Iterable[Mention] = (),
        env: dict[str, str] | None = None,
        max_chars: int | None = 4000,
        extra: Sequence[Path] = (),
    ) -> Result:
        """The case's one assertion: the command is refused with ``code``, a message that
        names ``mentions``, no traceback, at most ``max_chars`` of output, and no file of the
        project (outputs, database, params, data) or of ``extra`` written or changed."""
        before = self.snapshot(*extra)
        result = self.cli(*args, env=env)
        codes = (code,) if isinstance(code, int) else code
        assert result.returncode in codes, f"expected exit {codes}\n{result}"
        assert_no_traceback(result)
        assert_mentions(result, mentions)
        if max_chars is not None:
            assert len(result.output) <= max_chars, f"message of {len(result.output)} characters\n{result}"
        assert_same_snapshot(before, self.snapshot(*extra), result)
        return result

    def ok(self, *args: Any, env: dict[str, str] | None = None) -> Result:
        """The command succeeds (exit 0) without a traceback."""
        result = self.cli(*args, env=env)
        assert result.returncode == 0, f"expected success\n{result}"
        assert_no_traceback(result)
        return result

    # run folders
    def run_folders(self, year: int = YEAR) -> list[Path]:
        """The run folders a reader sees: ``outputs/<year>/<id>/`` (not hidden, not staging)."""
        base = self.outputs / str(year)
        if not base.is_dir():
            return []
        hidden = (".", "_")
        staging = (".tmp", ".partial", ".staging", ".incomplete", ".part")
        return sorted(
            p for p in base.iterdir() if p.is_dir() and not p.name.startswith(hidden) and not p.name.endswith(staging)
        )

    def run_status(self, folder: Path) -> str | None:
        try:
            return json.loads((folder / "run.json").read_text(encoding="utf-8")).get("status")
        except (OSError, ValueError):
            return None


def half_runs(project: Project) -> list[tuple[Path, str | None]]:
    """Visible run folders that look running or complete although the run did not succeed."""
    folders = project.run_folders()
    return [(f, s) for f in folders if (s := project.run_status(f)) in (None, "running", "succeeded")]


def assert_no_half_run(
    project: Project, follow_up: Callable[[], Result] | None = None, *, require_marked: bool = False
) -> None:
    """After a run that died: no visible run folder is left "running", half written, or
    looks succeeded. A record left "running" may be detected as stale and marked by the
    next run (``follow_up``); with ``require_marked`` the next run is started in any case
    and afterwards no run folder at all (hidden staging folders included) may still say
    "running"."""
    bad = half_runs(project)
    if follow_up is not None and (require_marked or any(status == "running" for _, status in bad)):
        follow_up()
        bad = [(f, s) for f, _ in bad if (s := project.run_status(f)) in (None, "running", "succeeded")]
        if require_marked:
            base = project.outputs / str(YEAR)
            stale = [p.name for p in base.iterdir() if p.is_dir() and project.run_status(p) == "running"]
            assert not stale, f"after the next run, still recorded as running: {stale}"
    assert not bad, "half results visible under outputs/: " + ", ".join(
        f"{f.name} (run.json status {s!r}; {sum(1 for _ in f.rglob('*'))} files)" for f, s in bad
    )


# ------------------------------------------------------------------------------ killing
def descendants(pid: int) -> list[int]:
    """Every living process started (directly or not) by ``pid``; the Jupyter kernel runs in
    a session of its own, so killing the process group would miss it."""
    parent: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            parent[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
    found, frontier = [], [pid]
    while frontier:
        p = frontier.pop()
        children = [c for c, pp in parent.items() if pp == p]
        found.extend(children)
        frontier.extend(children)
    return found


def kernel_running(pid: int) -> bool:
    """A Jupyter kernel started by ``pid`` is alive."""
    for child in descendants(pid):
        try:
            if b"ipykernel" in Path(f"/proc/{child}/cmdline").read_bytes():
                return True
        except OSError:
            continue
    return False


def kill_when(
    project: Project,
    args: Sequence[Any],
    moment: Callable[[Project, int], bool],
    *,
    delay: float = 0.0,
    timeout: float = 300,
) -> None:
    """Start ``prioanalysis ARGS``; when ``moment(project, pid)`` first holds, wait ``delay``
    seconds and kill -9 the command and every process it started (its kernel)."""
    proc = subprocess.Popen(
        project.command([str(a) for a in args]),
        cwd=project.root,
        env=project.env(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    t0 = time.monotonic()
    try:
        while not moment(project, proc.pid):
            if proc.poll() is not None:
                pytest.fail(f"the run ended (exit {proc.returncode}) before the moment to kill it")
            if time.monotonic() - t0 > timeout:
                pytest.fail("the moment to kill the run never came")
            time.sleep(0.02)
        time.sleep(delay)
    finally:
        for pid in [proc.pid, *descendants(proc.pid)]:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        proc.wait(timeout=60)
        time.sleep(0.2)


def files_under(root: Path, pattern: str) -> list[Path]:
    return [p for p in root.rglob(pattern) if p.is_file()] if root.is_dir() else []


# ------------------------------------------------------------------------------ fixtures
@pytest.fixture
def project(tmp_path: Path) -> Project:
    """A fresh private project (params, sample data, notebooks) for one case."""
    return Project(tmp_path / "project")


@pytest.fixture
def tiny_list() -> pd.DataFrame:
    """The tiny hand-made preliminary list of tests/conftest.py (8 customers)."""
    return tiny_frame()


@pytest.fixture(scope="session")
def seeded_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A database made once by the CLI under test: schema, owners, the 2026 preliminary list
    (a run from the database needs it) and the 2025 inquiry log."""
    p = Project(tmp_path_factory.mktemp("seed") / "project")
    for args in (
        ("db", "init"),
        ("db", "import", "owners", "data/sample/owners.csv"),
        ("db", "import", "customers", f"data/sample/preliminary_{YEAR}.csv"),
        ("db", "import", "inquiries", "data/sample/inquiries_2025.csv"),
    ):
        r = p.cli(*args)
        assert r.returncode == 0, f"seeding the database failed\n{r}"
    return p.db


@pytest.fixture(scope="session")
def decide_command(tmp_path_factory: pytest.TempPathFactory) -> str:
    """The name of the command that records an inquiry's decision later (``inquiry decide``
    or ``inquiry update``, whichever the code under test has; ``decide`` when neither)."""
    p = Project(tmp_path_factory.mktemp("help") / "project")
    text = p.cli("inquiry", "--help").output
    for name in ("decide", "update"):
        if name in text:
            return name
    return "decide"
