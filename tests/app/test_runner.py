"""The runner: parameter checks, run folders, HTML of a failing notebook."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import nbformat
import pytest

from prioanalysis.app import runner
from prioanalysis.errors import ParamsError

ROOT = Path(__file__).resolve().parents[2]


def test_ranking_notebook_declares_its_parameters() -> None:
    declared = runner.notebook_parameters(ROOT / "notebooks" / "20_ranking.ipynb")
    assert set(declared) == {"year", "params_dir", "input_path", "output_dir"}
    assert declared["year"]["inferred_type_name"] == "int"


def test_unknown_parameter_refused() -> None:
    with pytest.raises(ParamsError, match=r"unknown parameter.*colour.*declares: year"):
        runner.check_parameters(ROOT / "notebooks" / "20_ranking.ipynb", {"colour": "red"})


def test_new_run_dir_never_reuses(tmp_path: Path) -> None:
    now = dt.datetime(2026, 11, 1, 9, 30, tzinfo=dt.UTC)
    a = runner.new_run_dir(tmp_path, 2026, now)
    b = runner.new_run_dir(tmp_path, 2026, now)
    assert a != b and a.name == "20261101T093000Z" and b.name == "20261101T093000Z-2"
    assert a.parent == b.parent == tmp_path / "2026"


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


def test_failing_notebook_gets_html_and_failed_status(tmp_path: Path) -> None:
    params = tmp_path / "params" / "2026"
    shutil.copytree(ROOT / "params" / "2026", params)
    text = (params / "run.yaml").read_text(encoding="utf-8")
    text = text.replace("data/sample/", str(ROOT / "data" / "sample") + "/")
    (params / "run.yaml").write_text(text, encoding="utf-8")
    nb_dir = _failing_notebooks(tmp_path)
    rec = runner.run_notebooks(
        params, ["99_fail"], notebooks_dir=nb_dir, outputs_root=tmp_path / "out", progress=lambda s: None
    )
    assert rec.status == "failed"
    assert "deliberate failure" in (rec.error or "")
    run_dir = Path(rec.directory)
    html = (run_dir / "99_fail.html").read_text(encoding="utf-8")
    assert "deliberate failure" in html and "RuntimeError" in html
    assert "raise RuntimeError" not in html  # the code itself stays out
    saved = json.loads((run_dir / "run.json").read_text(encoding="utf-8"))
    assert saved["status"] == "failed" and saved["notebooks"][0]["status"] == "failed"


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

    spec = registry.NotebookSpec("99_fail", "test", registry.notebook("99_fail").setup, (refuse,))
    monkeypatch.setitem(registry.NOTEBOOKS, "99_fail", spec)
    with pytest.raises(ParamsError, match="refused by the notebook's own preflight"):
        runner.run_notebooks(
            params,
            ["99_fail"],
            notebooks_dir=nb_dir,
            outputs_root=tmp_path / "out",
            parameters={"99_fail:year": 2026},
            progress=lambda s: None,
        )
    assert seen == [{"year": 2026}]
    assert not (tmp_path / "out").exists()
