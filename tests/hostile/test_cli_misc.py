"""The rest of the command line: bad option values refused before a run folder exists,
escaped HTML, clean logs, ``make lab`` as root."""

from __future__ import annotations

import os
import shutil
import subprocess

import pytest

from tests.conftest import tiny_frame
from tests.hostile.conftest import UNDER_TEST, Project, Result, assert_no_traceback, files_under

TIER = "<b>战略</b>"


def test_month_13_is_refused(project: Project) -> None:
    project.refused("run", "--notebook", "40_inquiry_monthly", "--month", "2025-13", mentions=["2025-13"])


def test_year_parameter_not_a_number(project: Project) -> None:
    """``-p year=abc`` (refused as a bad value, or as the runner's own parameter: ``--year``)."""
    project.refused("run", "--notebook", "20_ranking", "-p", "year=abc", mentions=["year"])


def test_bad_frozen_list_refused_before_the_run(project: Project) -> None:
    bad = project.write_text("bad_frozen.csv", "foo,bar\n1,2\n")
    project.refused(
        "run", "--notebook", "30_annual_review", "-p", f"frozen_list={bad}", mentions=["bad_frozen.csv"]
    )  # fmt: skip


def test_topsis_on_negative_values_refused_before_the_run(project: Project) -> None:
    """TOPSIS with vector normalisation is undefined for a criterion that can be negative (growth)."""
    project.edit_yaml("run.yaml", lambda d: d["scoring"].update(method="topsis", normalization="vector"))
    project.write_list(tiny_frame(), "tiny.csv")  # C3's growth is -5
    project.refused(
        "run", "--notebook", "20_ranking", "--input", "tiny.csv", mentions=["growth", ("normalization", "minmax")]
    )


def test_month_without_notebook(project: Project) -> None:
    """``run --month`` alone: a clear refusal naming the monthly notebook, or the monthly
    report itself — never the annual cycle failing on a parameter it does not declare."""
    before = project.snapshot()
    result = project.cli("run", "--month", "2025-10")
    assert_no_traceback(result)
    if result.returncode == 2:
        assert "40_inquiry_monthly" in result.output or "--notebook" in result.output, str(result)
        assert project.snapshot() == before
    else:
        assert result.returncode == 0, str(result)
        assert files_under(project.outputs, "40_inquiry_monthly.html"), str(result)
        assert not files_under(project.outputs, "20_ranking.ipynb"), "the annual cycle ran"


# ------------------------------------------------------------------ one real run, read twice
@pytest.fixture(scope="module")
def html_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Project, Result]:
    """20_ranking on the tiny list with a tier called ``<b>战略</b>`` (one tier per segment filled)."""
    project = Project(tmp_path_factory.mktemp("html") / "project").fast()

    def tiers(doc: dict) -> None:
        doc["tiers"]["names"] = [TIER, "重点", "一般"]
        doc["tiers"]["quota"]["values"] = [0.3, 0.3, 0.3]
        doc["priority_matrix"]["important_tiers"] = [TIER, "重点"]
        levels = doc["assignment"]["service_levels"]  # one service level per tier, named as the tiers
        doc["assignment"]["service_levels"] = {TIER: levels["战略"], "重点": levels["重点"], "一般": levels["一般"]}

    project.edit_yaml("run.yaml", tiers)
    path = project.write_list(tiny_frame(), "tiny.csv")
    return project, project.cli("run", "--notebook", "20_ranking", "--input", str(path))


def test_tier_name_is_escaped_in_html(html_run: tuple[Project, Result]) -> None:
    project, result = html_run
    assert result.returncode == 0, str(result)
    pages = files_under(project.outputs, "20_ranking.html")
    assert pages, str(result)
    html = pages[0].read_text(encoding="utf-8")
    assert "&lt;b&gt;战略&lt;/b&gt;" in html, "the tier name does not appear escaped"
    assert TIER not in html, "the tier name appears raw (as markup) in the report"


def test_no_unencrypted_kernel_warning_in_the_log(html_run: tuple[Project, Result]) -> None:
    """Scheduled runs' logs must not carry IPKernelApp's "running over TCP without encryption"."""
    project, result = html_run
    assert result.returncode == 0, str(result)
    assert_no_traceback(result)
    logs = [
        result.output,
        *(p.read_text(encoding="utf-8", errors="replace") for p in files_under(project.outputs, "*.log")),
    ]
    for text in logs:
        assert "without encryption" not in text, "IPKernelApp's TCP warning is in the run's log"


# ------------------------------------------------------------------ make lab as root
def test_make_lab_as_root_allows_root() -> None:
    """Containers often run as root, where ``jupyter lab`` refuses to start without
    ``--allow-root``; the Makefile's lab target must add it then (no server is started: make -n)."""
    if os.geteuid() != 0:
        pytest.skip("not running as root: the case is about root")
    make = shutil.which("make")
    if make is None:
        pytest.skip("make is not installed")
    done = subprocess.run([make, "-n", "lab"], cwd=UNDER_TEST, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    lines = [line for line in done.stdout.splitlines() if "jupyter" in line and "lab" in line]
    assert lines, done.stdout
    assert any("--allow-root" in line or "allow_root" in line for line in lines), "\n".join(lines)
