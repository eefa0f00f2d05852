"""The runner: parameter checks, run folders, HTML of a failing notebook."""

from __future__ import annotations

import datetime as dt
import errno
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest

from prioanalysis.app import runner
from prioanalysis.errors import ParamsError, PrioanalysisError

ROOT = Path(__file__).resolve().parents[2]


def test_ranking_notebook_declares_its_parameters() -> None:
    declared = runner.notebook_parameters(ROOT / "notebooks" / "20_ranking.ipynb")
    assert set(declared) == {"year", "params_dir", "input_path", "output_dir", "owners_path"}
    assert declared["year"]["inferred_type_name"] == "int"


def test_unknown_parameter_refused() -> None:
    with pytest.raises(ParamsError, match=r"unknown parameter.*colour.*declares: year"):
        runner.check_parameters(ROOT / "notebooks" / "20_ranking.ipynb", {"colour": "red"})


def test_new_run_dir_never_reuses(tmp_path: Path) -> None:
    now = dt.datetime(2026, 11, 1, 9, 30, tzinfo=dt.UTC)
    a = runner.new_run_dir(tmp_path, 2026, now)
    b = runner.new_run_dir(tmp_path, 2026, now)
    assert a.name == ".staging-20261101T093000Z" and b.name == ".staging-20261101T093000Z-2"
    assert a.parent == b.parent == tmp_path / "2026"
    (tmp_path / "2026" / "20261101T093000Z-3-failed").mkdir()  # the id of a failed run is taken too
    assert runner.new_run_dir(tmp_path, 2026, now).name == ".staging-20261101T093000Z-4"


def _failing_notebooks(tmp_path: Path) -> Path:
    nb = nbformat.v4.new_notebook()
    p = nbformat.v4.new_code_cell("year: int = 2026\noutput_dir: str = ''")
    p.metadata["tags"] = ["parameters"]
    nb.cells = [
        p,
        nbformat.v4.new_markdown_cell("Before the failure"),
        nbformat.v4.new_code_cell("raise RuntimeError('deliberate failure 失败')"),
    ]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    d = tmp_path / "notebooks"
    d.mkdir()
    nbformat.write(nb, d / "99_fail.ipynb")
    return d


def _abs_params(tmp_path: Path) -> Path:
    params = tmp_path / "params" / "2026"
    shutil.copytree(ROOT / "params" / "2026", params)
    text = (params / "run.yaml").read_text(encoding="utf-8")
    text = text.replace("data/sample/", str(ROOT / "data" / "sample") + "/")
    (params / "run.yaml").write_text(text, encoding="utf-8")
    return params


def test_failing_notebook_gets_html_and_failed_status(tmp_path: Path) -> None:
    params = _abs_params(tmp_path)
    nb_dir = _failing_notebooks(tmp_path)
    lines: list[str] = []
    rec = runner.run_notebooks(
        params, ["99_fail"], notebooks_dir=nb_dir, outputs_root=tmp_path / "out", progress=lines.append
    )
    assert rec.status == "failed"
    assert "deliberate failure" in (rec.error or "")
    run_dir = Path(rec.directory)
    # a failed run is visible under its own name, never as a complete-looking run folder
    assert run_dir.name == f"{rec.run_id}-failed" and run_dir.parent == tmp_path / "out" / "2026"
    assert sorted(p.name for p in run_dir.parent.iterdir()) == [run_dir.name]
    html = (run_dir / "99_fail.html").read_text(encoding="utf-8")
    assert "deliberate failure" in html and "RuntimeError" in html
    assert "raise RuntimeError" not in html  # the code itself stays out
    saved = json.loads((run_dir / "run.json").read_text(encoding="utf-8"))
    assert saved["status"] == "failed" and saved["notebooks"][0]["status"] == "failed"
    assert "deliberate failure" in saved["error"] and saved["directory"] == str(run_dir)
    assert saved["parameters"]["99_fail"]["output_dir"] == str(run_dir)  # not the staging folder
    nb = nbformat.read(run_dir / "99_fail.ipynb", as_version=4)
    assert ".staging-" not in json.dumps(nb)
    # every log line is timestamped; the last one gives the total time
    assert all(re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ ", line) for line in lines)
    assert re.search(r"run \S+ failed in \d+\.\d s", lines[-1])
    # the kernel runs over IPC: no "running over TCP without encryption" warning
    assert not any("without encryption" in line for line in lines)


def _ok_notebooks(tmp_path: Path, body: str = "print('done')") -> Path:
    nb = nbformat.v4.new_notebook()
    p = nbformat.v4.new_code_cell("year: int = 2026\noutput_dir: str = ''")
    p.metadata["tags"] = ["parameters"]
    nb.cells = [p, nbformat.v4.new_code_cell(body)]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    d = tmp_path / "ok_notebooks"
    d.mkdir(exist_ok=True)
    nbformat.write(nb, d / "98_ok.ipynb")
    return d


def test_a_succeeded_run_appears_only_when_complete(tmp_path: Path) -> None:
    params = _abs_params(tmp_path)
    body = (
        "import os, pathlib\n"
        "d = pathlib.Path(output_dir)\n"
        "assert d.name.startswith('.staging-'), d  # built out of sight\n"
        "(d / 'tables').mkdir()\n"
        "(d / 'tables' / 'x.csv').write_text('a\\n1\\n')\n"
        "visible = [p.name for p in d.parent.iterdir() if not p.name.startswith('.')]\n"
        "assert visible == [], visible"
    )
    rec = runner.run_notebooks(
        params,
        ["98_ok"],
        notebooks_dir=_ok_notebooks(tmp_path, body),
        outputs_root=tmp_path / "out",
        progress=lambda s: None,
    )
    assert rec.status == "succeeded", rec.error
    run_dir = Path(rec.directory)
    assert run_dir.name == rec.run_id and (run_dir / "tables" / "x.csv").is_file()
    assert sorted(p.name for p in run_dir.parent.iterdir()) == [rec.run_id]
    saved = json.loads((run_dir / "run.json").read_text(encoding="utf-8"))
    assert saved["status"] == "succeeded" and saved["seconds"] > 0
    assert saved["process"]["pid"] == os.getpid()
    # every file read, relative to the project root (here tmp_path), with the hash of its bytes
    files = saved["files"]
    assert files["params/2026/run.yaml"] == runner.file_sha256(params / "run.yaml")
    listed = str((ROOT / "data" / "sample" / "preliminary_2026.csv").resolve())
    assert files[listed] == runner.file_sha256(listed)
    assert "ok_notebooks/98_ok.ipynb" in files
    assert not any(k.endswith(".py") or "site-packages" in k for k in files)


def test_an_input_changed_during_the_run_fails_it(tmp_path: Path) -> None:
    params = _abs_params(tmp_path)
    body = f"open({str(params / 'criteria.yaml')!r}, 'a').write('# edited during the run\\n')"
    rec = runner.run_notebooks(
        params,
        ["98_ok"],
        notebooks_dir=_ok_notebooks(tmp_path, body),
        outputs_root=tmp_path / "out",
        progress=lambda s: None,
    )
    assert rec.status == "failed" and "changed during the run: params/2026/criteria.yaml" in (rec.error or "")
    assert Path(rec.directory).name.endswith("-failed")


def test_export_html_excludes_code(tmp_path: Path) -> None:
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("secret_code_marker = 1")
    cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text="visible output")]
    nb.cells = [nbformat.v4.new_markdown_cell("# Title"), cell]
    path = tmp_path / "x.ipynb"
    nbformat.write(nb, path)
    html = runner.export_html(path, tmp_path / "x.html").read_text(encoding="utf-8")
    assert "visible output" in html and "Title" in html
    assert "secret_code_marker" not in html


def test_scoped_parameter_only_checked_against_its_notebook(tmp_path: Path) -> None:
    params = tmp_path / "params" / "2026"
    shutil.copytree(ROOT / "params" / "2026", params)
    text = (
        (params / "run.yaml").read_text(encoding="utf-8").replace("data/sample/", str(ROOT / "data" / "sample") + "/")
    )
    (params / "run.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(ParamsError, match="names notebook '30_annual_review', which this run does not execute"):
        runner.run_notebooks(
            params,
            ["20_ranking"],
            notebooks_dir=ROOT / "notebooks",
            outputs_root=tmp_path / "out",
            parameters={"30_annual_review:frozen_list": "x"},
        )
    with pytest.raises(ParamsError, match=r"20_ranking.ipynb: unknown parameter"):
        runner.run_notebooks(
            params,
            ["20_ranking"],
            notebooks_dir=ROOT / "notebooks",
            outputs_root=tmp_path / "out",
            parameters={"20_ranking:frozen_list": "x"},
        )
    assert not (tmp_path / "out").exists()


def test_preflight_comes_from_the_registry(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The runner knows no notebook: each one's preflight is the registry's, and a
    refused input stops the run before a folder is created."""
    from prioanalysis.app import registry

    params = tmp_path / "params" / "2026"
    shutil.copytree(ROOT / "params" / "2026", params)
    text = (
        (params / "run.yaml").read_text(encoding="utf-8").replace("data/sample/", str(ROOT / "data" / "sample") + "/")
    )
    (params / "run.yaml").write_text(text, encoding="utf-8")
    nb_dir = _failing_notebooks(tmp_path)
    seen: list[dict] = []

    def refuse(params, parameters, input_path=None, engine=None):
        seen.append(dict(parameters))
        raise ParamsError("refused by the notebook's own preflight")

    setups: list[dict] = []
    spec = registry.NotebookSpec("99_fail", "test", lambda **kw: setups.append(kw), (refuse,))
    monkeypatch.setitem(registry.NOTEBOOKS, "99_fail", spec)
    with pytest.raises(ParamsError, match="refused by the notebook's own preflight"):
        runner.run_notebooks(
            params,
            ["99_fail"],
            notebooks_dir=nb_dir,
            outputs_root=tmp_path / "out",
            progress=lambda s: None,
        )
    assert seen == [{"year": 2026}]  # the standard parameters the notebook declares
    assert setups == [{"year": 2026, "output_dir": ""}]  # its setup ran first, writing nothing
    assert not (tmp_path / "out").exists()


# --------------------------------------------------------------------------- parameters
def test_coerce_parameter_to_the_declared_type() -> None:
    c = runner.coerce_parameter
    assert c("nb", "n", "50", "int") == 50 and c("nb", "n", 7, "int") == 7
    assert c("nb", "x", "0.5", "float") == 0.5 and c("nb", "x", 2, "float") == 2.0
    assert c("nb", "b", "true", "bool") is True and c("nb", "b", "No", "bool") is False
    assert c("nb", "s", "2025-01-01.csv", "str") == "2025-01-01.csv"  # text stays text
    assert c("nb", "s", "123", "str") == "123"
    assert c("nb", "y", "[1, 2]", None) == [1, 2]
    for value, kind, expected in (
        ("abc", "int", "an integer"),
        ("1.5", "int", "an integer"),
        (True, "int", "an integer"),
        ("nan", "float", "a finite number"),
        ("x", "float", "a number"),
        ("maybe", "bool", "true or false"),
        (5, "str", "text"),
    ):
        with pytest.raises(ParamsError, match=f"nb: parameter 'p': expected {expected}"):
            c("nb", "p", value, kind)


@pytest.mark.parametrize(
    ("key", "option"),
    [
        ("input_path", "--input"),
        ("year", "--year"),
        ("params_dir", "--params"),
        ("output_dir", "--outputs"),
        ("20_ranking:output_dir", "--outputs"),
        ("month", "--month"),
    ],
)
def test_runner_parameters_cannot_be_set_with_p(key: str, option: str, tmp_path: Path) -> None:
    with pytest.raises(ParamsError, match=f"-p {key}: .* is set by the runner; use {option}"):
        runner.preflight(ROOT / "params" / "2026", ["20_ranking"], parameters={key: "x"}, outputs_root=tmp_path)


def test_database_parameters_refused_with_source_db(tmp_path: Path) -> None:
    with pytest.raises(ParamsError, match="-p 30_annual_review:frozen_list: with --source db"):
        runner.preflight(
            ROOT / "params" / "2026",
            ["30_annual_review"],
            parameters={"30_annual_review:frozen_list": "x.csv"},
            source="db",
            outputs_root=tmp_path,
        )


def test_year_month_and_outputs_checked_before_anything(tmp_path: Path) -> None:
    p2026 = ROOT / "params" / "2026"
    with pytest.raises(ParamsError, match="year: 2026 but the year asked for is 2025"):
        runner.preflight(p2026, ["20_ranking"], year=2025, outputs_root=tmp_path / "o")
    with pytest.raises(ParamsError, match="parameter 'month': expected YYYY-MM"):
        runner.preflight(p2026, month="2025-13", outputs_root=tmp_path / "o")
    with pytest.raises(ParamsError, match="--month 2025-10: none of the notebooks run declares a month"):
        runner.preflight(p2026, ["20_ranking"], month="2025-10", outputs_root=tmp_path / "o")
    a_file = tmp_path / "a_file"
    a_file.write_text("x")
    with pytest.raises(ParamsError, match="is a file, not a folder"):
        runner.preflight(p2026, ["20_ranking"], outputs_root=a_file)
    with pytest.raises(ParamsError, match="is a file, not a folder"):
        runner.preflight(p2026, ["20_ranking"], outputs_root=a_file / "sub")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a_file"]


def test_month_alone_runs_the_monthly_report(tmp_path: Path) -> None:
    plan = runner.preflight(ROOT / "params" / "2026", month="2025-10", outputs_root=tmp_path / "o")
    assert [p.stem for p in plan.notebooks] == [runner.MONTHLY]
    assert plan.parameters[runner.MONTHLY]["month"] == "2025-10"
    assert "params/2026/inquiries.yaml" in plan.files and "data/sample/inquiries_2025.csv" in plan.files
    assert not (tmp_path / "o").exists()


def test_recording_reads_sees_the_files_opened(tmp_path: Path) -> None:
    f = tmp_path / "read_me.txt"
    f.write_text("x")
    with runner._recording_reads() as seen:
        f.read_text()
        (tmp_path / "written.txt").write_text("y")
    assert str(f) in seen and str(tmp_path / "written.txt") not in seen
    f.read_text()  # outside the block: not recorded anywhere
    assert runner._RECORDERS == []


# --------------------------------------------------------------------------- faults
def _dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def _staging(base: Path, name: str, process: dict | None) -> Path:
    d = base / "2026" / f".staging-{name}"
    (d / "tables").mkdir(parents=True)
    (d / "tables" / "target_list.csv").write_text("customer_id\nC1\n")
    doc = {"run_id": name, "status": "running", "notebooks": [{"notebook": "20_ranking.ipynb", "status": "running"}]}
    if process is not None:
        doc["process"] = process
    (d / "run.json").write_text(json.dumps(doc))
    return d


def test_stale_runs_are_detected_and_marked_failed(tmp_path: Path) -> None:
    import socket

    host = socket.gethostname()
    dead = _staging(tmp_path, "20260101T000000Z", {"pid": _dead_pid(), "host": host, "start": None})
    alive = _staging(tmp_path, "20260101T000001Z", runner._this_process())
    elsewhere = _staging(tmp_path, "20260101T000002Z", {"pid": 1, "host": host + "-other", "start": None})
    recycled = _staging(tmp_path, "20260101T000003Z", {**runner._this_process(), "start": "other-boot:1"})
    legacy = tmp_path / "2026" / "20251201T000000Z"  # an older runner's folder stuck in "running"
    legacy.mkdir()
    (legacy / "run.json").write_text(json.dumps({"run_id": legacy.name, "status": "running"}))
    found = runner.stale_runs(tmp_path)
    assert found == [dead, recycled, legacy]
    assert alive not in found and elsewhere not in found
    marked = runner.mark_stale_runs(tmp_path)
    failed = tmp_path / "2026" / "20260101T000000Z-failed"
    assert failed in marked and not dead.exists() and (failed / "tables" / "target_list.csv").is_file()
    doc = json.loads((failed / "run.json").read_text())
    assert doc["status"] == "failed" and "stale" in doc["error"] and "during 20_ranking.ipynb" in doc["error"]
    assert json.loads((legacy / "run.json").read_text())["status"] == "failed"
    assert alive.is_dir() and elsewhere.is_dir()
    assert runner.stale_runs(tmp_path) == []


def test_disk_full_when_creating_the_run_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    params = _abs_params(tmp_path)

    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device", str(tmp_path / "out"))

    monkeypatch.setattr(runner, "new_run_dir", full)
    with pytest.raises(PrioanalysisError, match=r"cannot create the run folder .*the disk is full"):
        runner.run_notebooks(
            params,
            ["99_fail"],
            notebooks_dir=_failing_notebooks(tmp_path),
            outputs_root=tmp_path / "out",
            progress=lambda s: None,
        )


def test_disk_full_mid_run_marks_the_run_failed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import papermill as pm

    params = _abs_params(tmp_path)

    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(pm, "execute_notebook", full)
    rec = runner.run_notebooks(
        params, ["98_ok"], notebooks_dir=_ok_notebooks(tmp_path), outputs_root=tmp_path / "out", progress=lambda s: None
    )
    assert rec.status == "failed" and "the disk is full" in (rec.error or "")
    run_dir = Path(rec.directory)
    assert run_dir.name.endswith("-failed")
    assert json.loads((run_dir / "run.json").read_text())["status"] == "failed"


def test_killed_run_leaves_no_complete_looking_folder(tmp_path: Path) -> None:
    """SIGKILL mid-notebook: only the hidden staging folder remains (its table
    written, the run unfinished); the next run marks it failed with the reason."""
    params = _abs_params(tmp_path)
    body = (
        "import pathlib, time\n"
        "d = pathlib.Path(output_dir)\n"
        "(d / 'tables').mkdir()\n"
        "(d / 'tables' / 'target_list.csv').write_text('customer_id\\nC1\\n')\n"
        "time.sleep(120)"
    )
    nb_dir = _ok_notebooks(tmp_path, body)
    out = tmp_path / "out"
    code = (
        "from prioanalysis.app import runner\n"
        f"runner.run_notebooks({str(params)!r}, ['98_ok'], notebooks_dir={str(nb_dir)!r}, "
        f"outputs_root={str(out)!r}, progress=lambda s: None)"
    )
    proc = subprocess.Popen([sys.executable, "-c", code], cwd=ROOT, start_new_session=True)
    try:
        deadline = time.time() + 240
        while not list(out.glob("2026/.staging-*/tables/target_list.csv")):
            assert proc.poll() is None and time.time() < deadline, "the run did not start"
            time.sleep(0.2)
    finally:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
    left = sorted(p.name for p in (out / "2026").iterdir())
    assert len(left) == 1 and left[0].startswith(".staging-"), left
    assert json.loads((out / "2026" / left[0] / "run.json").read_text())["status"] == "running"
    assert runner.stale_runs(out) == [out / "2026" / left[0]]
    # the next run marks it failed and runs into a folder of its own
    lines: list[str] = []
    rec = runner.run_notebooks(
        params, ["98_ok"], notebooks_dir=_ok_notebooks(tmp_path), outputs_root=out, progress=lines.append
    )
    assert rec.status == "succeeded"
    run_id = left[0].removeprefix(".staging-")
    stale = out / "2026" / f"{run_id}-failed"
    doc = json.loads((stale / "run.json").read_text())
    assert doc["status"] == "failed" and "stale" in doc["error"] and f"process {proc.pid}" in doc["error"]
    assert any("marked a stale run failed" in line for line in lines)
    assert sorted(p.name for p in (out / "2026").iterdir()) == sorted([stale.name, rec.run_id])


def test_relocate_rewrites_the_staging_path_in_the_record(tmp_path: Path) -> None:
    old, new = str(tmp_path / ".staging-1"), str(tmp_path / "1")
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell(f"x = {old + '/b'!r}")
    cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text=f"+++ {old}/proposed.yaml")]
    nb.cells = [cell]
    nb.metadata["papermill"] = {"parameters": {"output_dir": old}}
    nbformat.write(nb, tmp_path / "x.ipynb")
    (tmp_path / "p.yaml.diff").write_text(f"+++ {old}/p.yaml\n", encoding="utf-8")
    (tmp_path / "t.csv").write_text(f"{old}\n", encoding="utf-8")  # tables are never rewritten
    runner._relocate(tmp_path, old, new)
    text = (tmp_path / "x.ipynb").read_text(encoding="utf-8")
    assert ".staging-" not in text and f"{new}/proposed.yaml" in text
    nbformat.validate(nbformat.read(tmp_path / "x.ipynb", as_version=4))
    assert (tmp_path / "p.yaml.diff").read_text(encoding="utf-8") == f"+++ {new}/p.yaml\n"
    assert (tmp_path / "t.csv").read_text(encoding="utf-8") == f"{old}\n"


def test_library_output_during_a_run_is_stamped_like_the_runs_own_lines() -> None:
    """An unattended run's log: what a library writes to stderr mid-run (a warning, a
    dependency's message) gets the time stamp too; the run's own stamped lines stay as
    they are, and a last line without its newline is not lost."""
    import io

    sink = io.StringIO()
    saved = sys.stderr
    sys.stderr = sink
    try:
        with runner._stamped_stderr():
            print("2026-01-02T03:04:05Z run X: 1 notebook(s)", file=sys.stderr)
            print("lib.py:7: UserWarning: a library's warning", file=sys.stderr)  # as warnings prints
            sys.stderr.write("part of a line, ")
            sys.stderr.write("then the rest\nno newline at the end")
    finally:
        sys.stderr = saved
    lines = sink.getvalue().splitlines()
    stamp = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ ")
    assert lines[0] == "2026-01-02T03:04:05Z run X: 1 notebook(s)"
    assert all(stamp.match(line) for line in lines), lines
    assert any(line.endswith("UserWarning: a library's warning") for line in lines), lines
    assert [stamp.sub("", line) for line in lines[-2:]] == ["part of a line, then the rest", "no newline at the end"]
    assert sys.stderr is saved


def test_a_kernels_own_stderr_is_collected_not_logged() -> None:
    """What the kernel process writes straight to its stderr (ipykernel's own start and
    shutdown messages) stays out of the run's log; its last lines are kept for run.json."""
    import collections

    sink: collections.deque[str] = collections.deque(maxlen=3)
    proc = subprocess.Popen(
        [sys.executable, "-c", "import os; os.write(2, '[IPKernelApp] 警告\\n\\nb\\nc\\nd\\n'.encode())"],
        stderr=subprocess.PIPE,
    )
    runner._collect_lines(proc.stderr, sink)
    proc.wait()
    assert list(sink) == ["b", "c", "d"]  # the last lines, blank ones dropped


def test_each_kernel_has_its_own_sockets_in_the_temp_folder() -> None:
    """Two runs at once (two processes, the same notebooks folder) once bound the same
    socket ``kernel-ipc-1`` and one kernel died: every kernel gets its own prefix."""
    import tempfile

    manager = runner._kernel_manager_class()
    a, b = manager(kernel_name="python3"), manager(kernel_name="python3")
    assert a.transport == b.transport == "ipc"
    assert a.ip != b.ip
    assert all(Path(m.ip).parent == Path(tempfile.gettempdir()) for m in (a, b))
