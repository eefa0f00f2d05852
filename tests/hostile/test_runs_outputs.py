"""Run folders: never overwritten, never left half written (kill -9, disk full), and clear
refusals for outputs that cannot be written."""

from __future__ import annotations

import json
import os
import resource
import shutil
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import pandas as pd
import pytest

from tests.hostile.conftest import (
    YEAR,
    Project,
    assert_mentions,
    assert_no_half_run,
    assert_no_traceback,
    files_under,
    kernel_running,
    kill_when,
)


def _earlier_run(project: Project) -> Path:
    """A run folder as an earlier run left it (its files are what must not change)."""
    run = project.outputs / str(YEAR) / "20260101T000000Z"
    (run / "tables").mkdir(parents=True)
    (run / "tables" / "target_list.csv").write_text("customer_id,tier\nC000001,战略\n", encoding="utf-8")
    (run / "run.json").write_text(
        json.dumps({"run_id": run.name, "status": "succeeded", "inputs": {"data/sample/x.csv": "0" * 64}}),
        encoding="utf-8",
    )
    return run


# ------------------------------------------------------------------ standard parameters
def test_output_dir_of_an_earlier_run_is_refused(project: Project, tiny_list: pd.DataFrame) -> None:
    """``-p output_dir=<earlier run>`` rewrote the earlier run's files under its old run.json."""
    run = _earlier_run(project)
    other = project.write_list(tiny_list, "other.csv")
    project.refused(
        "run", "--notebook", "20_ranking", "-p", f"output_dir={run}", "--input", other.name, mentions=["output_dir"]
    )


def test_input_path_parameter_is_refused(project: Project, tiny_list: pd.DataFrame) -> None:
    """``-p input_path=`` skipped the preflight, and run.json hashed a file the notebook never read."""
    other = project.write_list(tiny_list, "other.csv")
    project.refused("run", "--notebook", "20_ranking", "-p", f"input_path={other.name}", mentions=["input_path"])


def test_standard_parameter_cannot_be_overridden(project: Project) -> None:
    """The runner's own parameters (here ``params_dir``) are not the user's to set."""
    project.refused("run", "--notebook", "20_ranking", "-p", "params_dir=params/2025", mentions=["params_dir"])


# ------------------------------------------------------------------ kill -9 and disk full
def _something_under_outputs(project: Project, pid: int) -> bool:
    return (project.outputs.exists() and any(project.outputs.rglob("*"))) or kernel_running(pid)


def _kernel_busy(project: Project, pid: int) -> bool:
    return kernel_running(pid)


def _results_being_written() -> Callable[[Project, int], bool]:
    seen_kernel = False

    def moment(project: Project, pid: int) -> bool:
        nonlocal seen_kernel
        written = [p for p in files_under(project.outputs, "*") if p.name.startswith("target_list")]
        running = kernel_running(pid)
        seen_kernel = seen_kernel or running
        return bool(written) or (seen_kernel and not running)

    return moment


KILL_MOMENTS: dict[str, tuple[Callable[[], Callable[[Project, int], bool]], float]] = {
    "at_the_start": (lambda: _something_under_outputs, 0.0),
    "while_the_notebook_runs": (lambda: _kernel_busy, 2.0),
    "while_results_are_written": (_results_being_written, 0.0),
}


@pytest.fixture
def ranking_run(project: Project, tiny_list: pd.DataFrame) -> tuple[Project, list[str]]:
    """A quick real run of 20_ranking on the tiny list."""
    path = project.fast().write_list(tiny_list, "tiny.csv")
    return project, ["run", "--notebook", "20_ranking", "--input", str(path)]


@pytest.mark.parametrize("moment", list(KILL_MOMENTS))
def test_killed_run_leaves_no_half_results(ranking_run: tuple[Project, list[str]], moment: str) -> None:
    """kill -9 at three moments: no folder is left "running" for ever, and none holds a
    complete-looking target list, a truncated figure or an invalid notebook unless it is
    visibly marked failed (a stale "running" record may be marked by the next run)."""
    project, args = ranking_run
    make_moment, delay = KILL_MOMENTS[moment]
    kill_when(project, args, make_moment(), delay=delay)
    # the run killed while its notebook runs must be found stale and marked by the next run
    marked = moment == "while_the_notebook_runs"
    assert_no_half_run(project, follow_up=lambda: project.cli(*args), require_marked=marked)


def _limit_file_size() -> None:  # pragma: no cover - runs in the child
    resource.setrlimit(resource.RLIMIT_FSIZE, (150_000, 150_000))


def test_disk_full_is_a_clear_failure(ranking_run: tuple[Project, list[str]]) -> None:
    """No file can grow beyond 150 kB (RLIMIT_FSIZE: writes fail with EFBIG, as on a full
    disk): a clear message, no traceback, no half results."""
    project, args = ranking_run
    result = project.cli(*args, preexec_fn=_limit_file_size)
    assert result.returncode in (1, 2), str(result)
    assert_no_traceback(result)
    assert_mentions(result, [("too large", "space", "disk", "full", "cannot write", "could not write")])
    assert_no_half_run(project, follow_up=lambda: project.cli(*args))


# ------------------------------------------------------------------ unwritable outputs
def test_outputs_pointing_to_a_file(project: Project) -> None:
    target = project.write_text("not_a_folder.txt", "keep me\n")
    project.refused("run", "--notebook", "20_ranking", "--outputs", target.name, mentions=["not_a_folder.txt"])


@pytest.fixture
def read_only_outputs(project: Project) -> Iterator[Path]:
    """``outputs/`` and ``outputs/<year>/`` that cannot be written to. As root chmod does
    not stop writes: the folders are made immutable (``chattr +i``) instead."""
    _earlier_run(project)
    folders = [project.outputs, project.outputs / str(YEAR)]
    if os.geteuid() != 0:
        for f in folders:
            f.chmod(0o555)
        yield project.outputs
        for f in folders:
            f.chmod(0o755)
        return
    chattr = shutil.which("chattr")
    if chattr is None:
        pytest.skip("running as root and no chattr: cannot make a folder read-only")
    done = subprocess.run([chattr, "+i", *map(str, folders)], capture_output=True, check=False)
    if done.returncode != 0:
        pytest.skip(f"running as root and chattr +i is refused here: {done.stderr.decode().strip()}")
    try:
        yield project.outputs
    finally:
        subprocess.run([chattr, "-i", *map(str, folders)], check=False)


def test_read_only_outputs_folder(project: Project, read_only_outputs: Path, tiny_list: pd.DataFrame) -> None:
    project.write_list(tiny_list, "tiny.csv")
    project.refused(
        "run", "--notebook", "20_ranking", "--input", "tiny.csv", code=(1, 2),
        mentions=["outputs", ("permission", "read-only", "not writable", "cannot write", "operation not permitted")],
    )  # fmt: skip
