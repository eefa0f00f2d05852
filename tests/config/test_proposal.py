"""Tests of prioanalysis.config.proposal: the proposed criteria file (weights written in).

Moved from the calibration tests when writing the file left the kernels: the text
edit is here, writing the file and its diff in ``tests/steps/test_calibration.py``.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import numpy as np
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from prioanalysis.config.params import load_criteria
from prioanalysis.config.proposal import (
    ahp_proposal,
    project_weights,
    propose_criteria,
    propose_criteria_text,
    round_weights,
)
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
    with pytest.raises(ParamsError, match=r"my\.yaml: not valid YAML"):
        propose_criteria_text("criteria: [\n", {"a": 1.0}, "my.yaml")


# ---------------------------------------------------------------- AHP weights as a proposal

AHP_WEIGHTS = {"budget": 0.36, "deal": 0.24, "distance": 0.1, "payment_days": 0.3}
AHP_FAMILIES = {
    "budget": "attractiveness",
    "deal": "attractiveness",
    "distance": "feasibility",
    "payment_days": "feasibility",
}


def test_ahp_proposal_is_written_like_any_proposal() -> None:
    """The judges' weights go through the one text edit: same text as plain weights,
    family weights = sums of the global weights (0.6 / 0.4), within = shares."""
    proposal = ahp_proposal(AHP_WEIGHTS, AHP_FAMILIES, source="AHP group weights (AIJ) of judgements.yaml")
    assert dict(proposal) == AHP_WEIGHTS and len(proposal) == 4
    text = propose_criteria_text(CRITERIA_YAML, proposal)
    assert text == propose_criteria_text(CRITERIA_YAML, AHP_WEIGHTS)
    doc = yaml.safe_load(text)
    assert doc["family_weights"] == {"attractiveness": 0.6, "feasibility": 0.4}
    within = {c["id"]: c["weight"] for c in doc["criteria"]}
    assert within == {"budget": 0.6, "deal": 0.4, "distance": 0.25, "payment_days": 0.75}


def test_ahp_proposal_refuses_other_families_and_other_criteria() -> None:
    moved = {**AHP_FAMILIES, "distance": "attractiveness"}
    with pytest.raises(
        ParamsError,
        match=r"criteria\.yaml: AHP weights group the criteria into other families.*"
        r"'distance' \(attractiveness there, feasibility here\)",
    ):
        propose_criteria_text(CRITERIA_YAML, ahp_proposal(AHP_WEIGHTS, moved, source="AHP weights"))
    fewer = {k: v for k, v in AHP_WEIGHTS.items() if k != "deal"}
    with pytest.raises(
        ParamsError, match=r"^AHP weights must name exactly the criteria of criteria\.yaml: missing 'deal'"
    ):
        propose_criteria_text(CRITERIA_YAML, ahp_proposal(fewer, source="AHP weights"), "criteria.yaml")
    with pytest.raises(ParamsError, match=r"no family given for 'deal'"):
        ahp_proposal(AHP_WEIGHTS, {k: v for k, v in AHP_FAMILIES.items() if k != "deal"})
    with pytest.raises(ParamsError, match=r"finite numbers >= 0"):
        ahp_proposal({"budget": -1.0})


def test_ahp_group_weights_written_as_the_sample_proposal(tmp_path: Path) -> None:
    """End to end on the sample: the judges' group weights (params/2026/judgements.yaml)
    written by the calibration's writer into a copy of params/2026/criteria.yaml; the
    written file's global weights (family × within) are the group weights to 4 decimals."""
    import warnings

    from prioanalysis.errors import InconsistencyWarning
    from prioanalysis.inputs.judgements import load_judgements
    from prioanalysis.methods.weights import ahp_group
    from prioanalysis.steps.calibration import write_proposed_criteria

    params = Path(__file__).resolve().parents[2] / "params" / "2026"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", InconsistencyWarning)
        group = ahp_group(load_judgements(params / "judgements.yaml")["judges"], method="aip")
    out = tmp_path / "proposed_criteria.yaml"
    diff = write_proposed_criteria(params / "criteria.yaml", ahp_proposal(group.weights, group.families), out)
    assert diff and out.with_name(out.name + ".diff").is_file()
    written = out.read_text(encoding="utf-8")
    doc = yaml.safe_load(written)
    glob = {c["id"]: doc["family_weights"][c["family"]] * c["weight"] for c in doc["criteria"]}
    # the judges put strategic_fit below its stated lower bound (0.15 within attractiveness):
    # the writer moves it there, the other attractiveness weights give way, and says so
    assert "+#   strategic_fit (within attractiveness): proposed 0.13" in diff
    assert "raised to its lower bound 0.15" in written
    within = {c["id"]: c["weight"] for c in doc["criteria"]}
    assert within["strategic_fit"] == 0.15
    assert load_criteria(out).global_weights() == pytest.approx(glob, abs=1e-12)
    feasibility = [c for c in doc["criteria"] if c["family"] == "feasibility"]
    for c in feasibility:  # untouched family: the group weights to 4 decimals
        assert glob[c["id"]] == pytest.approx(group.weights[c["id"]], abs=2e-4)


# ------------------------------------------------------- stated bounds and orders

BOUNDED_YAML = """\
version: "2027.1"
family_weights:
  attractiveness: 0.60
  feasibility: 0.40
family_weight_bounds:
  attractiveness: [0.50, 0.70]
  feasibility: [0.30, 0.50]
weight_order:
  - deal >= budget
criteria:
  - id: budget
    label: IT预算
    family: attractiveness
    direction: benefit
    weight: 0.30
    weight_bounds: [0.20, 0.40]
  - id: deal
    label: 交易规模
    family: attractiveness
    direction: benefit
    weight: 0.40
  - id: growth
    label: 增长
    family: attractiveness
    direction: benefit
    weight: 0.30
  - id: distance
    label: 距离
    family: feasibility
    direction: cost
    weight: 0.50
    weight_bounds: [0.10, 0.50]
  - id: payment_days
    label: 回款天数
    family: feasibility
    direction: cost
    weight: 0.50
"""


def test_projection_box_only_is_clipping_plus_equal_shift_by_hand() -> None:
    """Box and sum only: the KKT point is clip(v + t) with one shift t for all free
    weights (not a proportional rescaling). v = (0.5, 0.3, 0.2), first weight <= 0.4:
    0.4 + (0.3 + t) + (0.2 + t) = 1 gives t = 0.05, so (0.40, 0.35, 0.25)."""
    np.testing.assert_allclose(project_weights([0.5, 0.3, 0.2], upper=[0.4, 1, 1]), [0.40, 0.35, 0.25], atol=1e-15)
    # lower bound: (0.05, 0.55, 0.40), first >= 0.2: both others give 0.075
    np.testing.assert_allclose(project_weights([0.05, 0.55, 0.40], [0.2, 0, 0]), [0.2, 0.475, 0.325], atol=1e-15)
    # a free weight that would go below 0 stops at 0 and the rest shift further:
    # (0.9, 0.08, 0.02), first <= 0.5: t = 0.2 for both would be fine (0.28, 0.22)
    np.testing.assert_allclose(project_weights([0.9, 0.08, 0.02], upper=[0.5, 1, 1]), [0.5, 0.28, 0.22], atol=1e-15)
    # already admissible: unchanged
    np.testing.assert_allclose(project_weights([0.3, 0.3, 0.4], upper=[0.4, 1, 1]), [0.3, 0.3, 0.4], atol=1e-15)


def test_projection_with_an_order_by_hand() -> None:
    """w_a >= w_b violated by (0.2, 0.5, 0.3): the closest point averages the pair,
    ((0.2 + 0.5) / 2 twice, 0.3), since that keeps the sum; with a >= b >= c on
    (0.1, 0.2, 0.7) the whole chain pools to 1/3 each (isotonic regression)."""
    np.testing.assert_allclose(project_weights([0.2, 0.5, 0.3], orders=[(0, 1)]), [0.35, 0.35, 0.3], atol=1e-12)
    np.testing.assert_allclose(project_weights([0.1, 0.2, 0.7], orders=[(0, 1), (1, 2)]), [1 / 3] * 3, atol=1e-12)
    with pytest.raises(ParamsError, match="No weights satisfy"):
        project_weights([0.5, 0.5], upper=[0.4, 0.4])


@settings(max_examples=60, deadline=None)
@given(
    hnp.arrays(np.float64, 5, elements=st.floats(0.0, 1.0)),
    hnp.arrays(np.float64, 5, elements=st.floats(0.0, 0.15)),
    hnp.arrays(np.float64, 5, elements=st.floats(0.3, 1.0)),
    st.booleans(),
)
def test_projection_is_admissible_and_closest(v: np.ndarray, lo: np.ndarray, hi: np.ndarray, ordered: bool) -> None:
    """Property: the result is admissible, and no admissible point is closer (checked
    against the first-order optimality condition (v - w) . (x - w) <= 0 on random
    admissible points x, which characterises the projection onto a convex set)."""
    orders = [(0, 1), (1, 2)] if ordered else []
    w = project_weights(v, lo, hi, orders)
    assert abs(w.sum() - 1) < 1e-9 and (w >= lo - 1e-9).all() and (w <= hi + 1e-9).all()
    assert all(w[a] >= w[b] - 1e-9 for a, b in orders)
    rng = np.random.default_rng(0)
    for x in rng.dirichlet(np.ones(5), 400):
        x = project_weights(x, lo, hi, orders)  # an admissible point
        assert (v - w) @ (x - w) <= 1e-7


def test_proposal_outside_the_bounds_is_projected_and_loads(tmp_path: Path) -> None:
    """Proposed global weights: attractiveness 0.8 (bound 0.7), budget 0.6 of it (bound
    0.4, and above deal), distance 0.9 of feasibility (bound 0.5).  By hand:
    family weights (0.8, 0.2) -> (0.7, 0.3) (both shift by 0.1 and land on a bound);
    within attractiveness (0.6, 0.25, 0.15): budget capped at 0.4, the free deal and
    growth shift by 0.1 to (0.35, 0.25), but deal >= budget then fails; pooling budget
    and deal (min (b - 0.6)^2 + (b - 0.25)^2 + (g - 0.15)^2, 2b + g = 1) gives b = 0.425,
    above budget's bound, so budget = 0.4 and deal >= 0.4 binds: (0.4, 0.4, 0.2) (the
    gradient (w - v) = (-0.2, 0.15, 0.05) is a non-negative combination of the active
    constraints, KKT); within feasibility (0.9, 0.1): distance capped at 0.5,
    payment_days 0.5."""
    proposed = {"budget": 0.48, "deal": 0.20, "growth": 0.12, "distance": 0.18, "payment_days": 0.02}
    src = tmp_path / "criteria.yaml"
    src.write_text(BOUNDED_YAML, encoding="utf-8")
    result = propose_criteria(BOUNDED_YAML, proposed, src)
    out = tmp_path / "proposed.yaml"
    out.write_text(result.text, encoding="utf-8")
    crit = load_criteria(out)  # loads: no bound or order is broken
    assert crit.family_weights == {"attractiveness": 0.7, "feasibility": 0.3}
    within = {c.id: c.weight for c in crit.criteria}
    assert within == pytest.approx(
        {"budget": 0.4, "deal": 0.4, "growth": 0.2, "distance": 0.5, "payment_days": 0.5}, abs=1e-12
    )
    assert within["deal"] >= within["budget"]
    moved = {m.weight: m for m in result.moved}
    assert set(moved) == {"attractiveness", "feasibility", "budget", "deal", "growth", "distance", "payment_days"}
    assert moved["attractiveness"].reason == "lowered to its upper bound 0.7"
    assert moved["feasibility"].reason == "raised to its lower bound 0.3"
    assert moved["budget"].reason == "lowered to its upper bound 0.4"
    assert moved["deal"].reason == "set equal to budget (weight_order)"
    assert moved["distance"].reason == "lowered to its upper bound 0.5"
    assert moved["budget"].proposed == pytest.approx(0.6) and moved["budget"].written == 0.4
    assert result.text.startswith("# Proposal: the proposed weights broke the bounds or orders")
    assert "#   distance (within feasibility): proposed 0.9000 -> 0.5000, lowered to its upper bound 0.5" in result.text
    assert result.table[0]["weight"] == "attractiveness"
    # the file in force is otherwise copied line by line
    body = result.text.splitlines()[len(result.moved) + 2 :]
    assert len(body) == len(BOUNDED_YAML.splitlines())
    changed = [n for o, n in zip(BOUNDED_YAML.splitlines(), body) if o != n]
    assert changed and all("weight:" in n or n.startswith(("  attractiveness:", "  feasibility:")) for n in changed)


def test_admissible_proposal_is_written_unchanged_and_without_comment() -> None:
    proposed = {"budget": 0.18, "deal": 0.24, "growth": 0.18, "distance": 0.2, "payment_days": 0.2}
    result = propose_criteria(BOUNDED_YAML, proposed)
    assert result.moved == () and not result.text.startswith("# Proposal")
    assert result.text == propose_criteria_text(BOUNDED_YAML, proposed)
