"""Tests of prioanalysis.steps.review (year-end review, step 2.3.6) and of its figures
in prioanalysis.report.review_figures.

Small cases are computed by hand in the comments beside them; the smoke test at the end
runs the package calls of notebooks/30_annual_review.ipynb on the sample data and checks
them against figures the sample's README states.
"""

from __future__ import annotations

import math
import shutil
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import numpy as np
import pandas as pd
import pytest

from prioanalysis.config.goals import MEASURES, Goal
from prioanalysis.config.params import CriteriaParams, load_params
from prioanalysis.errors import InputError, ParamsError
from prioanalysis.methods import metrics as review
from prioanalysis.report import review_figures as review_plots
from prioanalysis.report.tables import write_csv
from prioanalysis.steps import inquiries as iq
from prioanalysis.steps import review as ar
from tests.conftest import ROOT, assert_drawn, edit_yaml


# ------------------------------------------------------------------------- parameters
@pytest.fixture
def tree(tmp_path: Path) -> Path:
    """params/2024–2026 copied under tmp_path/params with absolute input paths."""
    for year in ("2024", "2025", "2026"):
        d = tmp_path / "params" / year
        shutil.copytree(ROOT / "params" / year, d)

        def absolute(doc: dict) -> None:
            for key, rel in list(doc["inputs"].items()):
                if rel is not None:
                    doc["inputs"][key] = str((ROOT / rel).resolve())

        edit_yaml(d / "run.yaml", absolute)
        if (d / "goals.yaml").exists():
            edit_yaml(d / "goals.yaml", absolute)
    return tmp_path / "params"


def test_validate_review_parameters_locates_siblings() -> None:
    inp = ar.validate_review_parameters(2026, str(ROOT / "params" / "2026"))
    assert inp.review_year == 2025
    assert inp.review_params.run.year == 2025 and inp.previous_params.run.year == 2024
    assert inp.outcomes_path == ROOT / "data" / "sample" / "outcomes_2025.csv"
    assert inp.inquiries_path == ROOT / "data" / "sample" / "inquiries_2025.csv"
    src = inp.sources().set_index("input")["source"]
    assert src["list of the reviewed year"].startswith("recomputed with")


def test_validate_review_parameters_errors(tree: Path, tmp_path: Path) -> None:
    p26 = str(tree / "2026")
    with pytest.raises(ParamsError, match="parameter 'year' is 2025"):
        ar.validate_review_parameters(2025, p26)
    with pytest.raises(ParamsError, match="'outcomes_path': file not found"):
        ar.validate_review_parameters(2026, p26, outcomes_path=str(tmp_path / "none.csv"))
    with pytest.raises(ParamsError, match="'frozen_list': file not found"):
        ar.validate_review_parameters(2026, p26, frozen_list=str(tmp_path / "none.csv"))
    with pytest.raises(ParamsError, match="'output_dir': folder not found"):
        ar.validate_review_parameters(2026, p26, output_dir=str(tmp_path / "none"))
    with pytest.raises(ParamsError, match="expected text"):
        ar.validate_review_parameters(2026, p26, frozen_list=None)  # type: ignore[arg-type]
    edit_yaml(tree / "2025" / "goals.yaml", lambda d: d.__setitem__("year", 2024))
    with pytest.raises(ParamsError, match=r"goals\.yaml: year: 2024 does not match its folder .*2025"):
        ar.validate_review_parameters(2026, p26)
    shutil.rmtree(tree / "2025")
    with pytest.raises(ParamsError, match=r"covers 2025 and needs its parameters in .*2025"):
        ar.validate_review_parameters(2026, p26)


def test_without_the_year_before_no_movement(tree: Path) -> None:
    shutil.rmtree(tree / "2024")
    inp = ar.validate_review_parameters(2026, str(tree / "2026"))
    assert inp.previous_params is None
    assert "not reported" in inp.sources().iloc[-1]["source"]


# ------------------------------------------------------------------------- reading
def test_frozen_list_equals_the_recomputed_one(tmp_path: Path) -> None:
    """What the notebook documents: without a frozen list, recomputing gives the list
    that was published (the ranking is deterministic)."""
    params = load_params(ROOT / "params" / "2025")
    recomputed = ar.list_snapshot(params)
    path = write_csv(recomputed.target_list.reset_index(drop=True), tmp_path / "target_list.csv")
    frozen = ar.list_snapshot(params, path)
    assert frozen.source.startswith("frozen list")
    assert frozen.target_list.index.tolist() == recomputed.target_list.index.tolist()
    assert (frozen.target_list["tier"] == recomputed.target_list["tier"]).all()
    assert np.allclose(frozen.target_list["score"], recomputed.target_list["score"], atol=1e-6)
    pd.testing.assert_frame_equal(frozen.criteria_values, recomputed.criteria_values)
    from_frame = ar.list_snapshot(params, recomputed.target_list.reset_index(drop=True))
    assert (from_frame.target_list["tier"] == recomputed.target_list["tier"]).all()


def test_join_outcomes_policies() -> None:
    tl = pd.DataFrame({"score": [0.9, 0.5, 0.1]}, index=["c1", "c2", "c3"])
    oc = pd.DataFrame(
        {"won": [1, 0, 1], "revenue": [5.0, 0.0, 2.0], "days_to_close": [10.0, np.nan, 3.0]}, index=["c1", "c2", "c9"]
    )
    with pytest.raises(InputError, match=r"1 customer\(s\) of the list have no outcome row \(c3\)"):
        ar.join_outcomes(tl, oc)
    j, cov = ar.join_outcomes(tl, oc, missing_outcome="not_won")
    assert j["won"].tolist() == [1, 0, 0] and j["revenue"].tolist() == [5.0, 0.0, 0.0]
    assert cov["customers"].tolist() == [3, 2, 1, 1]


def test_tier_order() -> None:
    assert ar.tier_order(load_params(ROOT / "params" / "2025")) == ["战略", "重点", "一般", "非目标"]


# ------------------------------------------------------------------------- metrics
def test_ranking_performance_hand_computed() -> None:
    ids = list("abcdefghij")
    s = pd.Series(np.arange(10, 0, -1, dtype=float), index=ids)
    y = pd.Series([1, 1, 0, 1, 0, 0, 0, 0, 0, 0], index=ids)
    v = pd.Series([50.0, 30.0, 0.0, 20.0, 0, 0, 0, 0, 0, 0], index=ids)
    t = ar.ranking_performance(s, y, v, shares=(0.1, 0.2)).set_index("metric")
    # AUC: positives at ranks 1, 2, 4 of 10; pairs won: 7 + 7 + 6 = 20 of 3 * 7 = 21
    assert t.loc["auc", "value"] == pytest.approx(20 / 21)
    assert t.loc["auc", "ci_low"] < t.loc["auc", "value"] < t.loc["auc", "ci_high"]
    assert t.loc["conversions_captured_top_10%", "value"] == pytest.approx(1 / 3)
    assert t.loc["revenue_captured_top_20%", "value"] == pytest.approx(0.8)
    assert t.loc["lift_top_20%", "value"] == pytest.approx(1.0 / 0.3)
    assert 0 < t.loc["spearman_revenue", "value"] <= 1 and t.loc["kendall_revenue", "p_value"] < 0.05


def test_criteria_effectiveness_orients_costs_and_adds_psi() -> None:
    cp = CriteriaParams.model_validate(
        {
            "version": "t",
            "family_weights": {"attractiveness": 0.6, "feasibility": 0.4},
            "criteria": [
                {"id": "size", "label": "规模", "family": "attractiveness", "direction": "benefit", "weight": 1.0},
                {"id": "days", "label": "回款", "family": "feasibility", "direction": "cost", "weight": 1.0},
            ],
        }
    )
    X = pd.DataFrame(
        {"size": [9.0, 7.0, np.nan, 3.0, 1.0], "days": [10.0, 20.0, 30.0, 80.0, 90.0]}, index=list("vwxyz")
    )
    y = pd.Series([1, 1, 0, 0, 0], index=list("vwxyz"))
    e = ar.criteria_effectiveness(X, y, cp, previous_values=X)
    assert e["weight"].tolist() == pytest.approx([0.6, 0.4])
    assert e.loc["size", "n_missing"] == 1
    assert e["auc"].tolist() == [1.0, 1.0]  # low days (cost) go with winning
    assert e["psi"].tolist() == pytest.approx([0.0, 0.0]) and (e["psi_reading"] == "stable").all()


def test_revenue_focus_and_missed_opportunities_hand_computed() -> None:
    c = pd.DataFrame(
        {
            "tier": ["T1", "T2", "no", "no", "no"],
            "won": [1, 0, 1, 1, 0],
            "revenue": [60.0, 0.0, 30.0, 10.0, 0.0],
            "customer_name": list("甲乙丙丁戊"),
        },
        index=list("abcde"),
    )
    f = ar.revenue_focus(c["tier"], c["won"], c["revenue"], "no")
    assert f["customers"].tolist() == [2, 3, 5]
    assert f["win_rate"].tolist() == pytest.approx([0.5, 2 / 3, 0.6])
    assert f["share_revenue"].tolist() == pytest.approx([0.6, 0.4, 1.0])
    assert f["revenue_per_customer"].tolist() == pytest.approx([30.0, 40 / 3, 20.0])
    m = ar.missed_opportunities(c, "no", top_n=5, columns=("customer_name", "revenue"))
    assert m["customer_id"].tolist() == ["c", "d"]  # the non-target that did not win is left out
    assert m["share_of_revenue"].tolist() == pytest.approx([0.3, 0.1])


def test_converted_inquiries_with_and_without_revenue() -> None:
    q = pd.DataFrame(
        {
            "segment": ["x", "x", "y", "y"],
            "converted": [1, 0, 1, 1],
            "decision": ["propose_target", "decline", "follow_up", "propose_target"],
        }
    )
    t = ar.converted_inquiries(q).set_index("segment")
    assert t.loc["all", ["inquiries", "converted", "converted_proposed"]].tolist() == [4, 3, 2]
    assert t.loc["y", "conversion_rate"] == 1.0 and t["revenue"].isna().all()
    t2 = ar.converted_inquiries(q.assign(revenue=[5.0, 9.0, 1.0, 2.0])).set_index("segment")
    assert t2["revenue"].tolist() == [5.0, 3.0, 8.0]  # revenue of converted inquiries only


def test_new_key_accounts_and_completeness() -> None:
    t = pd.Series(["T1", "T1", "T2", "T3", "T2"])
    w = pd.Series([1, 1, 1, 1, 0])
    s = pd.Series(["potential", "closed", "negotiating", "potential", "potential"])
    assert ar.new_key_accounts(t, w, s, ["T1", "T2"]) == 2  # first and third
    assert ar.data_completeness(pd.DataFrame({"a": [1.0, np.nan], "b": [np.nan, np.nan]})) == 0.25


def test_measure_values_hand_computed() -> None:
    c = pd.DataFrame(
        {
            "tier": ["T1", "T2", "T3", "no"],
            "won": [1, 1, 0, 1],
            "revenue": [50.0, 30.0, 0.0, 20.0],
            "pipeline_stage": ["potential", "closed", "potential", "potential"],
        }
    )
    vals = pd.DataFrame({"a": [1.0, np.nan], "b": [1.0, 2.0]})
    q = pd.DataFrame({"first_response_hours": [1.0, 9.0, np.nan], "converted": [1, 0, 0]})
    m = ar.measure_values(c, vals, ["T1", "T2"], "no", q, inquiry_sla_hours=8)
    assert list(m.index) == list(MEASURES)
    assert m["revenue_won"] == 100 and m["conversion_rate"] == 0.75
    assert m["target_conversion_rate"] == pytest.approx(2 / 3) and m["target_revenue_share"] == 0.8
    assert m["new_key_accounts"] == 1 and m["data_completeness"] == 0.75
    assert m["inquiry_within_sla_share"] == 0.5  # 1 h of 1 h and 9 h; NaN left out
    assert m["inquiry_median_first_response_hours"] == 5.0
    assert m["inquiry_p90_first_response_hours"] == pytest.approx(8.2)  # 1 + 0.9 * 8
    assert m["inquiry_conversion_rate"] == pytest.approx(1 / 3)
    assert math.isnan(m["inquiry_handling_days"])
    m2 = ar.measure_values(c, vals, ["T1", "T2"], "no", q.assign(handling_days=[2.0, 4.0, 9.0]))
    assert m2["inquiry_handling_days"] == 4.0


@pytest.mark.parametrize(
    ("direction", "target", "actual", "status", "attainment"),
    [
        ("at_least", 100, 100.0, "met", 1.0),
        ("at_least", 100, 95.0, "close", 0.95),  # exactly 5% short
        ("at_least", 100, 94.9, "missed", 0.949),
        ("at_most", 4, 4.2, "close", 4 / 4.2),
        ("at_most", 4, 5.0, "missed", 0.8),
        ("at_most", 4, 3.0, "met", 4 / 3),
        ("at_least", 100, math.nan, "no data", math.nan),
    ],
)
def test_goal_attainment_status(direction, target, actual, status, attainment) -> None:
    g = Goal(id="g", perspective="process", label="G", measure="revenue_won", target=target, direction=direction)
    t = ar.goal_attainment([g], {"revenue_won": actual}, near_tolerance=0.05)
    assert t.loc[0, "status"] == status
    assert t.loc[0, "attainment"] == pytest.approx(attainment, nan_ok=True)
    assert t.loc[0, "definition"] == MEASURES["revenue_won"]


# ------------------------------------------------------------------------- changes
EFF = pd.DataFrame(
    {
        "label": ["A", "B", "C", "D"],
        "weight": [0.1, 0.5, 0.2, 0.2],
        "auc": [0.70, 0.55, 0.52, 0.40],
        "ci_low": [0.65, 0.51, 0.47, 0.35],
        "ci_high": [0.75, 0.59, 0.57, 0.45],
        "psi": [0.01, 0.02, 0.30, 0.0],
    },
    index=["a", "b", "c", "d"],
)


def test_criteria_changes_rules_hand_computed() -> None:
    t = ar.criteria_changes(EFF)
    # separation: a 0.20, b 0.05 (c covers 0.5, d lies below) -> shares 0.8, 0.2
    # a: weight 0.1 / 0.8 = 0.125 < 0.5 -> raise; b: 0.5 / 0.2 = 2.5 > 2 -> lower
    assert list(zip(t["item"], t["change"])) == [
        ("a", "raise weight"),
        ("b", "lower weight"),
        ("c", "drop"),
        ("c", "check data"),
        ("d", "reverse or drop"),
    ]
    assert t.set_index("change").loc["raise weight", "suggested_weight"] == pytest.approx(0.8)
    assert (t["kind"] == "criterion").all() and t["evidence"].str.contains("AUC|PSI").all()


def test_criteria_changes_thresholds_are_parameters() -> None:
    t = ar.criteria_changes(EFF, overweight_ratio=3.0, underweight_ratio=0.1, psi_threshold=0.5)
    assert list(zip(t["item"], t["change"])) == [("c", "drop"), ("d", "reverse or drop")]
    keep = ar.criteria_changes(EFF.loc[["a"]].assign(weight=1.0), include_keep=True)
    assert keep["change"].tolist() == ["keep"]  # the only separating criterion carries all the weight


def test_tier_changes_rules() -> None:
    r = pd.DataFrame(
        {
            "n": [50, 100, 400, 300, 0],
            "rate": [0.6, 0.55, 0.1, 0.2, np.nan],
            "ci_low": [0.46, 0.45, 0.07, 0.16, np.nan],
            "ci_high": [0.72, 0.64, 0.13, 0.25, np.nan],
        },
        index=["T1", "T2", "T3", "no", "empty"],
    )
    t = ar.tier_changes(r)
    # T1/T2 overlap -> move cut; T2/T3 separate -> nothing; T3/no inverted -> fix order
    assert list(zip(t["item"], t["next_item"], t["change"])) == [("T1", "T2", "move cut"), ("T3", "no", "fix order")]
    assert t.loc[0, "evidence"].startswith("T1: 60.0% [46.0%, 72.0%], n=50")
    assert len(ar.tier_changes(r, include_keep=True)) == 3


def test_next_year_changes_concatenates_and_may_be_empty() -> None:
    r = pd.DataFrame(
        {"n": [50, 400], "rate": [0.6, 0.1], "ci_low": [0.46, 0.07], "ci_high": [0.72, 0.13]}, index=["T1", "no"]
    )
    both = ar.next_year_changes(EFF, r)
    assert set(both["kind"]) == {"criterion"}
    none = ar.next_year_changes(EFF.loc[["a"]].assign(weight=1.0), r)
    assert none.empty and "change" in none.columns


# ------------------------------------------------------------------------- figures


def test_gains_chart_answer(figure_style) -> None:
    ids = list("abcdefghij")
    s = pd.Series(np.arange(10, 0, -1, dtype=float), index=ids)
    y = pd.Series([1, 1, 0, 1, 0, 0, 0, 0, 0, 0], index=ids)
    v = pd.Series([50.0, 30.0, 0.0, 20.0, 0, 0, 0, 0, 0, 0], index=ids)
    fr = review_plots.gains_chart(review.gains_table(s, y, v, n_bins=5), top=0.2, lang="zh")
    assert_drawn(fr)
    # top 20% = a, b: 2 of 3 wins, 80 of 100 revenue; band 1 wins 2/2 against 3/10 -> lift 3.3
    assert fr.answer == "排名前20%的客户贡献了67%的成交和80%的收入；排名第一档（前20%）客户的成交率是平均水平的3.3倍。"


def test_rate_chart_answers(figure_style) -> None:
    r = pd.DataFrame(
        {"n": [10, 20, 30], "rate": [0.5, 0.3, 0.1], "ci_low": [0.2, 0.1, 0.03], "ci_high": [0.8, 0.5, 0.25]},
        index=["战略", "重点", "非目标"],
    )
    fr = review_plots.rate_chart(r, 0.0004, "tier", "zh")
    assert_drawn(fr)
    assert fr.answer == "成交率从战略的50%逐级降至非目标的10%（趋势检验单侧 p < 0.001）。"
    fr = review_plots.rate_chart(r.assign(rate=[0.5, 0.1, 0.3]), 0.0312, "grade", "en")
    assert (
        fr.answer
        == "The win rate does not fall step by step: 非目标 (30%) beat 重点 (10%) (one-sided trend test p = 0.031)."
    )


def test_migration_chart_answer(figure_style) -> None:
    prev = pd.Series({"c1": "T1", "c2": "T1", "c3": "T2", "c4": "T2", "c5": "T2"})
    curr = pd.Series({"c1": "T1", "c2": "T2", "c3": "T1", "c4": "T2", "c6": "T2"})
    m = review.migration_matrix(prev, curr, ["T1", "T2"])
    fr = review_plots.migration_chart(m, ["T1", "T2"], 2024, 2025, "zh")
    assert_drawn(fr)
    assert fr.answer == "两年都在名单上的4家客户中，50%保持原层级，1家升级，1家降级；新进入1家，退出1家。"
    assert [t.get_text() for t in fr.figure.axes[0].get_yticklabels()] == ["T1", "T2", "新进入"]


def test_criteria_and_stability_charts(figure_style) -> None:
    fr = review_plots.criteria_auc_chart(EFF, lang="en")
    assert_drawn(fr)
    assert (
        fr.answer
        == "A separated the winners best (AUC 0.70); 2 criteria did not separate or pointed the wrong way: D, C."
    )
    fr = review_plots.stability_chart(EFF, lang="zh")
    assert_drawn(fr)
    assert fr.answer == "1项指标的分布有明显变化：C。"
    fr = review_plots.stability_chart(EFF.assign(psi=[0.01, 0.05, 0.02, 0.0]), lang="zh")
    assert fr.answer == "所有指标的分布都保持稳定（最大PSI为B的0.050）。"


def test_revenue_focus_and_goal_charts(figure_style) -> None:
    f = ar.revenue_focus(
        pd.Series(["T1", "T1", "no", "no"]), pd.Series([1, 1, 1, 0]), pd.Series([60.0, 20.0, 20.0, 0.0]), "no"
    )
    fr = review_plots.revenue_focus_chart(f, "zh")
    assert_drawn(fr)
    assert fr.answer == "目标客户占名单的50%，带来了67%的成交和80%的收入。"
    goals = [
        Goal(id="r", perspective="financial", label="收入", measure="revenue_won", target=100),
        Goal(id="k", perspective="customer", label="新客户", measure="new_key_accounts", target=10),
        Goal(id="h", perspective="process", label="处理", measure="inquiry_handling_days", target=5),
    ]
    t = ar.goal_attainment(goals, {"revenue_won": 120.0, "new_key_accounts": 5.0, "inquiry_handling_days": math.nan})
    fr = review_plots.goal_chart(t, lang="zh")
    assert_drawn(fr)
    assert fr.answer == "3项目标中1项达成、0项接近；未达成：新客户；无数据：处理。"


# ------------------------------------------------------------------------- smoke
def test_annual_review_notebook_calls_on_the_sample(figure_style) -> None:
    """The package calls of notebooks/30_annual_review.ipynb, in order, on the sample."""
    inputs = ar.validate_review_parameters(2026, str(ROOT / "params" / "2026"))
    run = inputs.review_params.run
    order = ar.tier_order(inputs.review_params)
    data = ar.load_review_data(inputs)
    c = data.customers
    # README of data/sample: 2968 customers in 2025, 751 won, 260,101 万元
    assert len(c) == 2968 and int(c["won"].sum()) == 751
    assert c["revenue"].sum() == pytest.approx(260101, abs=1)
    assert data.coverage["customers"].tolist() == [2968, 2968, 0, 0]
    figs = [review_plots.gains_chart(review.gains_table(c["score"], c["won"], c["revenue"]), lang="zh")]
    perf = ar.ranking_performance(c["score"], c["won"], c["revenue"]).set_index("metric")
    assert perf.loc["auc", "ci_low"] > 0.6  # the outcomes follow the criteria (true model, beta = 10)
    tier_rates = review.rate_table(c["tier"], c["won"], c["revenue"], order=order)
    trend = review.trend_test(c["tier"], c["won"], order=order)
    assert trend.monotone and trend.p_value < 1e-6
    figs.append(review_plots.rate_chart(tier_rates, trend.p_value, "tier", "zh"))
    grade_rates = review.rate_table(c["grade"], c["won"], c["revenue"], order=list("ABCDE"))
    figs.append(review_plots.rate_chart(grade_rates, None, "grade", "zh"))
    in_time = review.closed_in_time(c["grade"], c["won"], c["days_to_close"], dict(run.grades.months))
    assert in_time["n"].sum() == (c["grade"].isin(["A", "B", "C"])).sum()
    mig = review.migration_matrix(data.previous.target_list["tier"], data.current.target_list["tier"], order)
    # README: 2726 customers stayed on the list from 2024 to 2025, 242 were new, 284 left
    assert mig.loc[order, order].to_numpy().sum() == 2726
    assert mig.loc["new"].sum() == 242 and mig["dropped"].sum() == 284
    review.migration_tests(mig, order)
    figs.append(review_plots.migration_chart(mig, order, 2024, 2025, "zh"))
    eff = ar.criteria_effectiveness(
        data.current.criteria_values, c["won"], inputs.review_params.criteria, data.previous.criteria_values
    )
    assert (eff["psi_reading"] == "stable").all()  # the sample drifts slowly
    figs += [review_plots.criteria_auc_chart(eff, lang="zh"), review_plots.stability_chart(eff, lang="zh")]
    focus = ar.revenue_focus(c["tier"], c["won"], c["revenue"], run.tiers.not_targeted)
    figs.append(review_plots.revenue_focus_chart(focus, "zh"))
    missed = ar.missed_opportunities(c, run.tiers.not_targeted)
    assert (missed["revenue"].diff().dropna() <= 0).all() and len(missed) == 10
    conv = ar.converted_inquiries(data.inquiries)
    assert conv.iloc[-1]["inquiries"] == 1477
    goals = ar.goal_attainment(inputs.goals.goals, ar.goal_actuals(data), inputs.goals.near_tolerance)
    status = goals.set_index("goal")["status"]
    assert status["revenue"] == "met"  # 260,101 against 240,000
    assert status["inquiry_handling"] == "no data"  # the sample log has no handling time
    figs.append(review_plots.goal_chart(goals, lang="zh"))
    changes = ar.next_year_changes(eff, tier_rates)
    assert set(changes["change"]) <= {
        "drop",
        "reverse or drop",
        "lower weight",
        "raise weight",
        "check data",
        "move cut",
        "fix order",
    }
    for f in figs:
        assert_drawn(f)
    assert iq.response_time_summary(data.inquiries["first_response_hours"], 8).loc["all", "n"] == 1477


def test_joint_model_overrides_univariate_drop() -> None:
    """A criterion weak on its own (interval covering 0.5) but significant with the
    right sign in the joint model is kept; one the model does not support is not."""
    eff = pd.DataFrame(
        {
            "label": ["A", "B"],
            "weight": [0.5, 0.5],
            "auc": [0.52, 0.45],
            "ci_low": [0.47, 0.40],
            "ci_high": [0.57, 0.49],
        },
        index=["a", "b"],
    )
    model = pd.DataFrame(
        {"model_coefficient": [0.8, -0.2], "model_p_value": [0.001, 0.3], "model_sign_ok": [True, False]},
        index=["a", "b"],
    )
    t = ar.criteria_changes(eff, model=model)
    assert dict(zip(t["item"], t["change"])) == {"a": "keep: joint model supports it", "b": "reverse or drop"}
    assert dict(zip(ar.criteria_changes(eff)["item"], ar.criteria_changes(eff)["change"])) == {
        "a": "drop",
        "b": "reverse or drop",
    }


def test_weight_proposals_defer_to_the_joint_recommendation() -> None:
    """With the joint recommendation the review never proposes the opposite of it: a
    weight it keeps reads "keep weight" (naming what the review alone said), a weight
    it moves takes the joint direction and figures; data checks stay."""
    joint = pd.DataFrame(
        {
            "criterion": ["a", "b", "c", "d", "all criteria"],
            "decision": ["keep", "move", "keep", "keep", "move"],
            "from": [0.1, 0.5, 0.2, 0.2, 1.0],
            "to": [0.1, 0.4, 0.25, 0.25, 1.0],
            "reason": ["the calibration's interval covers the current weight", "agree", "x", "y", ""],
        }
    )
    t = ar.criteria_changes(EFF, joint=joint)
    assert list(zip(t["item"], t["change"])) == [
        ("a", "keep weight"),  # the review alone: raise (see the hand-computed case above)
        ("b", "lower weight"),
        ("c", "keep weight"),  # alone: drop
        ("c", "check data"),
        ("d", "keep weight"),  # alone: reverse or drop
    ]
    by = t.drop_duplicates("item").set_index("item")
    assert by.loc["a", "reason"].startswith("the review alone would raise; the joint recommendation keeps it")
    assert "covers the current weight" in by.loc["a", "reason"]
    assert by.loc["b", "reason"] == "joint recommendation: 50.0% → 40.0% (the review alone: lower weight)"
    assert "alone would drop" in by.loc["c", "reason"]
    # a weight the joint answer moves but the review left alone is proposed with the joint figures
    moving = joint.assign(decision="move", to=[0.2, 0.4, 0.25, 0.25, 1.0])
    quiet = ar.criteria_changes(EFF.loc[["a"]].assign(weight=1.0), joint=moving)
    assert quiet[["change", "reason"]].to_numpy().tolist() == [["raise weight", "joint recommendation: 10.0% → 20.0%"]]
    r = pd.DataFrame(
        {"n": [50, 400], "rate": [0.6, 0.1], "ci_low": [0.46, 0.07], "ci_high": [0.72, 0.13]}, index=["T1", "no"]
    )
    both = ar.next_year_changes(EFF, r, joint=joint)
    pd.testing.assert_frame_equal(both, t)
