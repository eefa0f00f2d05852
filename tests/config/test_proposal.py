"""Tests of prioanalysis.config.proposal: the proposed criteria file (weights written in).

Moved from the calibration tests when writing the file left the kernels: the text
edit is here, writing the file and its diff in ``tests/steps/test_calibration.py``.
"""

from __future__ import annotations

from decimal import Decimal

import numpy as np
import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from prioanalysis.config.proposal import propose_criteria_text, round_weights
from prioanalysis.errors import ParamsError

CRITERIA_YAML = """\
# Selection criteria (step 2.3.1) -- owner: BU marketing VP.
version: "2026.1"
description: 年度目标客户评价标准
family_weights:
  attractiveness: 0.60   # 客户对我们的吸引力
  feasibility: 0.40      # 服务该客户的可行性
defaults:
  normalization: minmax        # minmax | vector
scales:
  rating_1_5: {1: 1, 2: 2, 3: 3, 4: 4, 5: 5}
criteria:
  - id: budget
    label: IT预算
    family: attractiveness
    direction: benefit
    transform: log1p
    valid_range: [0, null]
    weight: 0.50   # within family
  - id: deal
    label: 交易规模
    family: attractiveness
    direction: benefit
    weight: 0.50
  # feasibility below
  - id: distance
    label: 距离
    family: feasibility
    direction: cost
    winsorize: [0.0, 0.99]
    weight: 0.7
  - id: payment_days
    label: 回款天数
    family: feasibility
    direction: cost
    weight: 0.3
"""


@given(hnp.arrays(np.float64, st.integers(1, 12), elements=st.floats(0.0, 1.0)))
def test_round_weights_sums_to_exactly_one(values: np.ndarray) -> None:
    if values.sum() <= 0:
        return
    out = round_weights(values)
    assert sum(Decimal(s) for s in out) == Decimal(1)
    exact = values / values.sum()
    assert np.abs(np.array([float(s) for s in out]) - exact).max() <= 1e-4 + 1e-12


def test_proposal_with_family_weights() -> None:
    import pandas as pd

    proposed = pd.Series({"budget": 0.3, "deal": 0.4, "distance": 0.2, "payment_days": 0.1})
    new_text = propose_criteria_text(CRITERIA_YAML, proposed, "criteria.yaml")
    # every comment survives, and only weight lines change
    for line in CRITERIA_YAML.splitlines():
        if "#" in line:
            assert line.split("#", 1)[1] in new_text
    changed = [n for o, n in zip(CRITERIA_YAML.splitlines(), new_text.splitlines()) if o != n]
    assert len(new_text.splitlines()) == len(CRITERIA_YAML.splitlines())
    assert changed and all("weight:" in n or "attractiveness:" in n or "feasibility:" in n for n in changed)
    doc = yaml.safe_load(new_text)
    # family weight = sum of proposed global weights: .7 / .3
    assert doc["family_weights"] == {"attractiveness": 0.7, "feasibility": 0.3}
    within = {c["id"]: c["weight"] for c in doc["criteria"]}
    assert within == pytest.approx(
        {"budget": 0.3 / 0.7, "deal": 0.4 / 0.7, "distance": 0.2 / 0.3, "payment_days": 0.1 / 0.3}, abs=1e-4
    )
    # each group sums to exactly 1 as written (4 decimals)
    weight_lines = [n for n in new_text.splitlines() if "weight:" in n]
    values = [n.split("weight:")[1].split("#")[0].strip() for n in weight_lines]
    assert all(len(v.split(".")[1]) == 4 for v in values)
    fam_of = {c["id"]: c["family"] for c in doc["criteria"]}
    for fam in ("attractiveness", "feasibility"):
        txt = [v for v, c in zip(values, doc["criteria"]) if fam_of[c["id"]] == fam]
        assert sum(Decimal(v) for v in txt) == Decimal(1)
    # everything else is unchanged
    old = yaml.safe_load(CRITERIA_YAML)
    for c_old, c_new in zip(old["criteria"], doc["criteria"]):
        assert {k: v for k, v in c_old.items() if k != "weight"} == {k: v for k, v in c_new.items() if k != "weight"}
    assert old["scales"] == doc["scales"] and old["defaults"] == doc["defaults"]
    assert "# within family" in new_text and "# feasibility below" in new_text


def test_proposal_loads_with_params_module(tmp_path) -> None:
    from prioanalysis.config.params import load_criteria

    proposed = {"budget": 0.123, "deal": 0.456, "distance": 0.321, "payment_days": 0.1}
    out = tmp_path / "out.yaml"
    out.write_text(propose_criteria_text(CRITERIA_YAML, proposed), encoding="utf-8")
    got = load_criteria(out).global_weights()
    total = sum(proposed.values())
    for k, v in proposed.items():
        assert got[k] == pytest.approx(v / total, abs=2e-4)


def test_proposal_without_family_weights_keeps_unchanged_spelling() -> None:
    text = "criteria:\n- id: a  # budget\n  weight: 0.25\n- id: b\n  weight: 0.75\n- {id: c, weight: 0.0}\n"
    new = propose_criteria_text(text, {"a": 0.25, "b": 0.5, "c": 0.25})
    assert "  weight: 0.25\n" in new  # same value, same spelling: the line is unchanged
    assert "weight: 0.5000" in new and "{id: c, weight: 0.2500}" in new


def test_proposal_errors() -> None:
    with pytest.raises(ParamsError, match="missing 'payment_days'"):
        propose_criteria_text(CRITERIA_YAML, {"budget": 0.5, "deal": 0.2, "distance": 0.3})
    with pytest.raises(ParamsError, match="not in the file 'x'"):
        propose_criteria_text(
            CRITERIA_YAML, {"budget": 0.25, "deal": 0.25, "distance": 0.25, "payment_days": 0.25, "x": 0.0}
        )
    with pytest.raises(ParamsError, match="finite, >= 0"):
        propose_criteria_text(CRITERIA_YAML, {"budget": -0.5, "deal": 0.5, "distance": 0.5, "payment_days": 0.5})
    with pytest.raises(ParamsError, match="block list"):
        propose_criteria_text("criteria: [{id: a, weight: 0.5}, {id: b, weight: 0.5}]\n", {"a": 0.5, "b": 0.5})
    with pytest.raises(ParamsError, match=r"criteria:. list"):
        propose_criteria_text("version: x\n", {"a": 1.0})
    with pytest.raises(ParamsError, match=r"my\.yaml is not valid YAML"):
        propose_criteria_text("criteria: [\n", {"a": 1.0}, "my.yaml")
