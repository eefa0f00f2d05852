"""Two rankings compared, what-if rescoring, the reasons of the movers, the HTML views."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from prioanalysis.config.params import Params, load_params
from prioanalysis.errors import ParamsError
from prioanalysis.report.compare import write_comparison
from prioanalysis.steps import compare
from prioanalysis.steps.ranking import RankingResult, rank_customers, run_ranking

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def base() -> tuple[Params, RankingResult]:
    params = load_params(ROOT / "params" / "2026")
    return params, run_ranking(params)


def _side(params: Params, result: RankingResult, name: str = "B") -> compare.Side:
    return compare.Side(result, params, name, name)


def _moved_facts(params: Params, result: RankingResult) -> tuple[str, RankingResult]:
    """The same list with one not-targeted customer's facts made excellent."""
    tl = result.target_list
    cid = tl[(tl["tier"] == params.run.tiers.not_targeted) & tl["eligible"]]["customer_id"].iloc[-1]
    cust = result.intake.customers.copy()
    best = {c: cust[c].max() for c in ("it_budget", "deal_size", "strategic_fit", "relationship_strength")}
    for c, v in best.items():
        cust.loc[cid, c] = v
    intake = dataclasses.replace(result.intake, customers=cust)
    return cid, rank_customers(intake, params)


def test_no_change_is_no_move(base: tuple[Params, RankingResult]) -> None:
    params, result = base
    c = compare.what_if(params, result=result)
    assert c.moved == 0
    assert c.total == len(result.target_list)
    mig = c.migration
    assert int(np.trace(mig.to_numpy())) == c.total
    assert (c.customers["score_change"].abs() < 1e-12).all()
    assert c.rules.empty and (c.weights["change"].abs() < 1e-12).all()


def test_family_weight_what_if_is_one_call_and_explained_by_weights(base: tuple[Params, RankingResult]) -> None:
    params, result = base
    c = compare.what_if(params, family_weights={"feasibility": 0.5}, result=result)
    fam = c.weights[c.weights["kind"] == "family"].set_index("label")
    assert fam["weight_b"].round(10).tolist() == [0.5, 0.5]
    assert fam["weight_a"].round(10).tolist() == [0.6, 0.4]
    assert c.moved > 0
    cust = c.customers
    # the decomposition is exact: weight part + fact part = score change
    np.testing.assert_allclose(cust["weight_part"] + cust["fact_part"], cust["score_change"], atol=1e-12)
    # the same list: no part from the customers' values, every mover moved by the weights
    assert cust["fact_part"].abs().max() < 1e-12
    assert set(cust.loc[cust["status"] != "same", "reason_kind"]) == {"weights"}
    # migration sums to every customer, rows = A's tiers
    assert int(c.migration.to_numpy().sum()) == c.total
    a_counts = result.target_list["tier"].value_counts()
    for tier, n in a_counts.items():
        assert int(c.migration.loc[tier].sum()) == n
    # the reason names the weight that moved it, as a label with before → after
    top = c.movers.iloc[0]
    assert "权重" in top["reason"] and "→" in top["reason"]
    assert any(lab in top["reason"] for lab in params.spec.labels.values())


def test_criterion_weight_what_if_keeps_the_others_proportions(base: tuple[Params, RankingResult]) -> None:
    params, _ = base
    new = compare.what_if_params(params, weights={"deal_size": 0.40})
    w = {c.id: c.weight for c in new.criteria.criteria}
    old = {c.id: c.weight for c in params.criteria.criteria}
    assert w["deal_size"] == pytest.approx(0.40)
    attr = [c.id for c in params.criteria.criteria if c.family == "attractiveness"]
    assert sum(w[c] for c in attr) == pytest.approx(1.0)
    scale = 0.60 / (1 - old["deal_size"])
    assert w["it_budget"] == pytest.approx(old["it_budget"] * scale)
    assert w["relationship_strength"] == old["relationship_strength"]  # the other family untouched
    assert new.spec.weights["deal_size"] == pytest.approx(0.6 * 0.40)


def test_bad_what_if_is_a_params_error(base: tuple[Params, RankingResult]) -> None:
    params, result = base
    with pytest.raises(ParamsError, match="unknown criterion 'deal_sise'"):
        compare.what_if(params, weights={"deal_sise": 0.3}, result=result)
    with pytest.raises(ParamsError, match="unknown family"):
        compare.what_if(params, family_weights={"feasability": 0.5}, result=result)
    with pytest.raises(ParamsError, match="at most 1"):
        compare.what_if_params(params, family_weights={"feasibility": 1.5})
    with pytest.raises(ParamsError, match="run settings"):
        compare.what_if_params(params, tiers={"scheme": "nonsense"})


def test_a_customer_whose_facts_changed_is_explained_by_its_facts(base: tuple[Params, RankingResult]) -> None:
    params, result = base
    cid, changed = _moved_facts(params, result)
    c = compare.compare_results(_side(params, result, "A"), _side(params, changed, "B"))
    row = c.customers.loc[cid]
    assert row["status"] == "entered"
    assert row["reason_kind"] == "facts"
    assert row["facts_changed"] >= 2
    assert abs(row["weight_part"]) < 1e-12 and row["fact_part"] > 0.1
    label = params.spec.labels["strategic_fit"]
    assert label in row["reason"] or params.spec.labels["relationship_strength"] in row["reason"]
    # the per-criterion parts of the mover add up to its parts
    parts = c.parts[c.parts["customer_id"] == cid]
    assert parts["fact_part"].sum() == pytest.approx(row["fact_part"], abs=1e-12)
    # a customer pushed out by it moved for others' reasons (its own score is unchanged)
    others = c.customers[(c.customers["status"] != "same") & (c.customers.index != cid)]
    assert len(others) >= 1
    assert set(others["reason_kind"]) <= {"others", "range"}


def test_weights_and_facts_together_each_mover_gets_its_own_reason(base: tuple[Params, RankingResult]) -> None:
    params, result = base
    cid, _ = _moved_facts(params, result)
    new_params = compare.what_if_params(params, family_weights={"feasibility": 0.45})
    cust = result.intake.customers.copy()
    for c in ("it_budget", "deal_size", "strategic_fit", "relationship_strength"):
        cust.loc[cid, c] = cust[c].max()
    changed = rank_customers(dataclasses.replace(result.intake, customers=cust), new_params)
    c = compare.compare_results(_side(params, result, "A"), _side(new_params, changed, "B"))
    assert c.customers.loc[cid, "reason_kind"] == "facts"
    movers = c.customers[c.customers["status"] != "same"]
    assert (movers["reason_kind"] == "weights").sum() >= 1
    w = movers[movers["reason_kind"] == "weights"].iloc[0]
    assert abs(w["weight_part"]) >= abs(w["fact_part"])


def test_tier_rule_change_is_explained_by_the_rule(base: tuple[Params, RankingResult]) -> None:
    params, result = base
    c = compare.what_if(params, tiers={"quota": {"values": [0.10, 0.15, 0.30]}}, result=result)
    movers = c.customers[c.customers["status"] != "same"]
    assert len(movers) > 0
    assert set(movers["reason_kind"]) == {"rule"}
    assert (movers["tier_steps"] > 0).all()
    setting = c.rules.set_index("setting")
    assert "各层级名额" in setting.index
    assert "10%" in setting.loc["各层级名额", "after"] and "5%" in setting.loc["各层级名额", "before"]


def test_gate_change_is_explained_by_the_gate(base: tuple[Params, RankingResult]) -> None:
    params, result = base
    gates = [g.model_dump() for g in params.run.gates]
    gates[1]["min"] = "BBB"
    c = compare.what_if(params, gates=gates, result=result)
    left = c.customers[c.customers["status"] == "left"]
    assert len(left) > 0
    assert "gates" in set(left["reason_kind"])
    g = left[left["reason_kind"] == "gates"].iloc[0]
    assert params.run.gates[1].reason in g["reason"]


def test_customers_entering_and_leaving_the_list(base: tuple[Params, RankingResult]) -> None:
    params, result = base
    tl = result.target_list
    first = tl[tl["tier"] == params.run.tiers.names[0]].iloc[0]
    top = first["customer_id"]
    cust = result.intake.customers.drop(index=top)
    smaller = rank_customers(dataclasses.replace(result.intake, customers=cust), params)
    c = compare.compare_results(_side(params, result, "A"), _side(params, smaller, "B"))
    assert c.customers.loc[top, "tier_b"] == compare.ABSENT
    assert c.customers.loc[top, "reason_kind"] == "gone"
    assert c.migration.loc[first["tier"], compare.ABSENT] == 1
    assert c.customers.loc[top, "status"] == "left"
    back = compare.compare_results(_side(params, smaller, "B"), _side(params, result, "A"))
    assert back.customers.loc[top, "reason_kind"] == "new"
    assert back.customers.loc[top, "status"] == "entered"


def _no_ids(text: str, params: Params) -> None:
    visible = re.sub(r"<[^>]+>", " ", text)
    visible = re.sub(r"<style>.*?</style>", " ", text, flags=re.S)
    visible = re.sub(r"<[^>]+>", " ", visible)
    for raw in [*params.spec.labels, *params.run.segments, compare.ABSENT, "customer_id", "weight_part", "nan"]:
        assert raw not in visible, raw


def test_comparison_html_shows_labels_not_ids(base: tuple[Params, RankingResult]) -> None:
    params, result = base
    c = compare.what_if(params, family_weights={"feasibility": 0.5}, result=result)
    h = c._repr_html_()
    assert "层级" in h and "假设情景" in h
    assert "可行性" in h and "50.0%" in h  # the family weight changed, as its label
    assert "战略" in h and "非目标" in h  # tier names
    assert any(lab in h for lab in params.spec.labels.values())
    assert any(seg.label in h for seg in params.run.segments.values())
    _no_ids(h, params)
    full = c.to_html(full=True)
    assert full.startswith("<!DOCTYPE html>") and "<script" not in full and "http" not in full
    _no_ids(full, params)


def test_comparison_in_english(base: tuple[Params, RankingResult]) -> None:
    params, result = base
    en = dataclasses.replace(
        params, run=params.run.model_copy(update={"report": params.run.report.model_copy(update={"language": "en"})})
    )
    c = compare.what_if(en, family_weights={"feasibility": 0.5}, result=result)
    assert c.headline().startswith("Compared with the current 2026 ranking")
    assert "Mainly the weights" in c.movers.iloc[0]["reason"]
    h = c._repr_html_()
    assert "How customers move between tiers" in h
    _no_ids(h, en)


def test_ranking_result_html(base: tuple[Params, RankingResult]) -> None:
    params, result = base
    h = result._repr_html_()
    assert "2026年度目标客户排序" in h
    assert "政府" in h and "战略" in h
    assert result.target_list.iloc[0]["customer_name"] in h
    _no_ids(h, params)


def test_written_folder_is_new_every_time(base: tuple[Params, RankingResult], tmp_path: Path) -> None:
    params, result = base
    c = compare.what_if(params, family_weights={"feasibility": 0.5}, result=result)
    one = write_comparison(c, tmp_path)
    two = write_comparison(c, tmp_path)
    assert one.name == "current_vs_what-if" and two.name == "current_vs_what-if-2"
    tables = {p.name for p in (one / "tables").iterdir()}
    assert {"migration.csv", "customers.csv", "movers.csv", "mover_parts.csv", "weight_changes.csv"} <= tables
    movers = pd.read_csv(one / "tables" / "movers.csv")
    assert len(movers) == c.moved
    assert set(movers["reason_kind"]) == {"权重变化"}
    assert (one / "compare.html").read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


def test_proposal_effect(base: tuple[Params, RankingResult], tmp_path: Path) -> None:
    params, result = base
    doc = yaml.safe_load((ROOT / "params" / "2026" / "criteria.yaml").read_text(encoding="utf-8"))
    for c in doc["criteria"]:
        c.pop("weight_bounds", None)
    doc.pop("family_weight_bounds", None)
    doc["weight_order"] = []
    doc["criteria"][0]["weight"], doc["criteria"][1]["weight"] = 0.35, 0.20  # it_budget up, deal_size down
    path = tmp_path / "proposed_criteria.yaml"
    path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    c = compare.proposal_effect(params, path, result=result)
    assert c.name_b == "采纳建议后的排序"
    assert c.moved > 0
    changed = c.weights[c.weights["change"].abs() > 1e-12]["label"].tolist()
    assert set(changed) == {params.spec.labels["it_budget"], params.spec.labels["deal_size"]}
    assert set(c.customers.loc[c.customers["status"] != "same", "reason_kind"]) == {"weights"}


def test_topsis_split_by_rescoring_is_exact_in_total(base: tuple[Params, RankingResult]) -> None:
    params, _ = base
    topsis = compare.what_if_params(params, run={"scoring": {"method": "topsis", "normalization": "minmax"}})
    result = run_ranking(topsis)
    c = compare.what_if(topsis, family_weights={"feasibility": 0.5}, result=result)
    cust = c.customers
    np.testing.assert_allclose(cust["weight_part"] + cust["fact_part"], cust["score_change"], atol=1e-12)
    assert cust["fact_part"].abs().max() < 1e-9  # the same list: A's values under B's weights are B's scores
    assert c.moved > 0 and set(cust.loc[cust["status"] != "same", "reason_kind"]) == {"weights"}
    assert c.parts.empty  # no per-criterion split for TOPSIS
