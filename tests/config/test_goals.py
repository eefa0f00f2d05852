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
