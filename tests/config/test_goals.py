"""Tests of prioanalysis.config.goals: loading and validating goals.yaml."""

from __future__ import annotations

from pathlib import Path

import pytest

from prioanalysis.config.goals import MEASURES, GoalsParams, load_goals
from prioanalysis.errors import ParamsError
from tests.conftest import ROOT, read_yaml, write_yaml

GOALS = ROOT / "params" / "2025" / "goals.yaml"


def test_goals_yaml_loads_all_perspectives() -> None:
    g = load_goals(GOALS)
    assert isinstance(g, GoalsParams)
    assert g.year == 2025 and g.inquiry_sla_hours == 8
    assert {x.perspective for x in g.goals} == {"financial", "customer", "process"}
    assert all(x.measure in MEASURES for x in g.goals)
    assert g.inputs.outcomes == "data/sample/outcomes_2025.csv"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d["goals"][0].__setitem__("measure", "profit"), "unknown measure 'profit'"),
        (lambda d: d["goals"][0].__setitem__("taget", 1), r"goals\[0\]\.taget: unknown key"),
        (lambda d: d["goals"].append(dict(d["goals"][0])), "goal ids must be unique"),
        (lambda d: d["goals"][0].__setitem__("perspective", "morale"), r"goals\[0\]\.perspective"),
    ],
)
def test_goals_yaml_errors_name_the_key(tmp_path: Path, change, message: str) -> None:
    doc = read_yaml(GOALS)
    change(doc)
    path = write_yaml(tmp_path / "goals.yaml", doc)
    with pytest.raises(ParamsError, match=message):
        load_goals(path)


def test_the_config_layer_holds_no_pandas() -> None:
    """goals.yaml and inquiries.yaml are YAML models: loading them needs no pandas."""
    import subprocess
    import sys

    code = "import sys; import prioanalysis.config.goals, prioanalysis.config.inquiries; print('pandas' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.stdout.strip() == "False", out.stderr


def test_goals_year_must_match_its_folder_and_the_year_asked_for(tmp_path: Path) -> None:
    folder = tmp_path / "params" / "2024"
    folder.mkdir(parents=True)
    path = write_yaml(folder / "goals.yaml", read_yaml(GOALS))  # year: 2025 under params/2024
    with pytest.raises(ParamsError, match=r"goals\.yaml: year: 2025 does not match its folder .*params/2024"):
        load_goals(path)
    assert load_goals(GOALS, year=2025).year == 2025
    with pytest.raises(ParamsError, match=r"goals\.yaml: year: 2025 but the year asked for is 2026"):
        load_goals(GOALS, year=2026)


def test_goals_yaml_repeated_key_refused(tmp_path: Path) -> None:
    path = tmp_path / "goals.yaml"
    path.write_text(GOALS.read_text(encoding="utf-8") + "near_tolerance: 0.5\nnear_tolerance: 0.1\n", encoding="utf-8")
    with pytest.raises(ParamsError, match=r"goals\.yaml: key 'near_tolerance' is given twice"):
        load_goals(path)


def test_goals_yaml_not_utf8_refused(tmp_path: Path) -> None:
    path = tmp_path / "goals.yaml"
    path.write_bytes(GOALS.read_text(encoding="utf-8").encode("gb18030"))
    with pytest.raises(ParamsError, match=r"goals\.yaml: not UTF-8 text"):
        load_goals(path)
