"""Tests of prioanalysis.steps.inquiries (monthly inquiry report, step 2.3.5) and of its
figures in prioanalysis.report.review_figures.

Expected numbers are computed by hand in the comment beside them; the scoring against
the reference population is also checked against the ranking itself (scoring the
listed customers must give back the list's scores).
"""

from __future__ import annotations

import datetime
import math
from pathlib import Path
from types import SimpleNamespace

import matplotlib

matplotlib.use("Agg")
import numpy as np
import pandas as pd
import pytest

from prioanalysis.config.inquiries import load_inquiry_params
from prioanalysis.config.params import CriteriaParams, load_params
from prioanalysis.errors import InputError, ParamsError
from prioanalysis.inputs.inquiries import read_inquiries
from prioanalysis.report import review_figures as review_plots
from prioanalysis.steps import inquiries as iq
from tests.conftest import ROOT, assert_drawn, edit_yaml

Z = 1.959963984540054


def wilson(x: float, n: float, z: float = Z) -> tuple[float, float]:
    """Wilson score interval written out (Wilson 1927)."""
    p = x / n
    d = 1 + z * z / n
    c = (p + z * z / (2 * n)) / d
    h = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / d
    return c - h, c + h


INQ_YAML = ROOT / "params" / "2026" / "inquiries.yaml"


# ------------------------------------------------------------------------- parameters
def test_parse_month() -> None:
    assert iq.parse_month("2025-10") == pd.Period("2025-10", "M")
    for bad in ("2025-13", "2025/10", "25-10", 202510):
        with pytest.raises(ParamsError, match="YYYY-MM"):
            iq.parse_month(bad)  # type: ignore[arg-type]


def test_previous_month_wraps_the_year() -> None:
    assert iq.previous_month(datetime.date(2026, 1, 31)) == "2025-12"
    assert iq.previous_month(datetime.date(2025, 11, 1)) == "2025-10"


def test_inquiries_path_uses_the_months_year() -> None:
    p = load_inquiry_params(INQ_YAML)
    assert iq.inquiries_path_for(p, "/proj", "2025-10") == Path("/proj/data/sample/inquiries_2025.csv")
    assert iq.inquiries_path_for(p, "/proj", "2026-01") == Path("/proj/data/sample/inquiries_2026.csv")


def test_validate_monthly_parameters_defaults_locate_the_sample_log() -> None:
    s = iq.validate_monthly_parameters("2025-10", 2026, str(ROOT / "params" / "2026"))
    assert s.inquiries_path == ROOT / "data" / "sample" / "inquiries_2025.csv"
    assert s.params.run.year == 2026


def test_validate_monthly_parameters_errors(tmp_path: Path) -> None:
    pdir = str(ROOT / "params" / "2026")
    with pytest.raises(ParamsError, match="parameter 'year' is 2025"):
        iq.validate_monthly_parameters("2025-10", 2025, pdir)
    with pytest.raises(ParamsError, match=r"inputs\.inquiries: file not found: .*inquiries_2024\.csv"):
        iq.validate_monthly_parameters("2024-10", 2026, pdir)
    with pytest.raises(ParamsError, match="'inquiries_path': file not found"):
        iq.validate_monthly_parameters("2025-10", 2026, pdir, str(tmp_path / "none.csv"))
    with pytest.raises(ParamsError, match="'output_dir': folder not found"):
        iq.validate_monthly_parameters("2025-10", 2026, pdir, "", str(tmp_path / "none"))
    with pytest.raises(ParamsError, match="YYYY-MM"):
        iq.validate_monthly_parameters("Oct 2025", 2026, pdir)


# ------------------------------------------------------------------------- reading
def test_select_month_and_year_to_date() -> None:
    q = pd.DataFrame({"month": ["2024-12", "2025-01", "2025-10", "2025-10", "2025-11"]})
    q.attrs["source"] = "log.csv"
    assert len(iq.select_month(q, "2025-10")) == 2
    assert iq.year_to_date(q, "2025-10")["month"].tolist() == ["2025-01", "2025-10", "2025-10"]
    with pytest.raises(InputError, match=r"log\.csv: no inquiry in 2025-09 \(the log covers 2024-12 to 2025-11\)"):
        iq.select_month(q, "2025-09")


# ------------------------------------------------------------------------- summaries
def test_volume_table_order_fills_zero() -> None:
    q = pd.DataFrame({"channel": ["web", "web", "phone"]})
    t = iq.volume_table(q, "channel", {"web": "网站"}, order=["phone", "web", "email"])
    assert t["channel"].tolist() == ["phone", "web", "email"]
    assert t["label"].tolist() == ["phone", "网站", "email"]
    assert t["inquiries"].tolist() == [1, 2, 0]
    assert t["share"].tolist() == pytest.approx([1 / 3, 2 / 3, 0.0])


def test_response_time_summary_hand_computed() -> None:
    h = pd.Series([1.0, 2.0, 5.0, 10.0, np.nan], index=list("abcde"))
    g = pd.Series(["web", "web", "web", "phone", "phone"], index=list("abcde"))
    t = iq.response_time_summary(h, 4, g)
    assert list(t.index) == ["phone", "web", "all"]
    a = t.loc["all"]
    # observed 1, 2, 5, 10: two within 4 h of four observed
    assert (a["n"], a["n_missing"], a["within_sla"], a["share_within_sla"]) == (5, 1, 2, 0.5)
    assert a["p50"] == pytest.approx(3.5)  # (2 + 5) / 2
    assert a["p90"] == pytest.approx(8.5)  # position 0.9 * 3 = 2.7: 5 + 0.7 * (10 - 5)
    assert (a["ci_low"], a["ci_high"]) == pytest.approx(wilson(2, 4))
    assert t.loc["web", "share_within_sla"] == pytest.approx(2 / 3)  # 1, 2 of 1, 2, 5
    assert t.loc["phone", "share_within_sla"] == 0.0  # 10 h; NaN left out
    breach = iq.response_time_summary(h, 4, missing="breach", ci=None)
    assert breach.loc["all", "share_within_sla"] == pytest.approx(2 / 5)
    assert math.isnan(breach.loc["all", "ci_low"])


def test_response_time_summary_at_the_limit_counts_in_time() -> None:
    t = iq.response_time_summary(pd.Series([8.0, 8.01]), 8, ci=None)
    assert t.loc["all", "within_sla"] == 1


def test_decision_table_hand_computed() -> None:
    q = pd.DataFrame({"decision": ["follow_up"] * 4 + ["decline"], "converted": [1, 0, 0, 1, 0]})
    t = iq.decision_table(q, {"decline": "婉拒", "follow_up": "跟进", "propose_target": "建议"})
    assert t["inquiries"].tolist() == [1, 4, 0]
    assert t["converted"].tolist() == [0, 2, 0]
    assert t["conversion_rate"].tolist()[:2] == [0.0, 0.5] and math.isnan(t["conversion_rate"].iloc[2])
    assert (t.loc[1, "ci_low"], t.loc[1, "ci_high"]) == pytest.approx(wilson(2, 4))


def test_follow_up_depth_hand_computed_with_benchmark() -> None:
    p = load_inquiry_params(INQ_YAML)
    f = pd.Series([0, 0, 1, 2, 3, 4, 7, 11, 5, 6])
    y = pd.Series([1, 0, 0, 0, 1, 1, 1, 1, 0, 0])
    t = iq.follow_up_depth(f, y, p.follow_up_buckets)
    assert t["inquiries"].tolist() == [2, 1, 1, 1, 5]
    assert t["converted"].tolist() == [1, 0, 0, 1, 3]
    assert t["share_of_conversions"].tolist() == pytest.approx([0.2, 0, 0, 0.2, 0.6])
    assert t["conversion_rate"].tolist() == pytest.approx([0.5, 0, 0, 1.0, 0.6])
    assert t["benchmark_share"].tolist() == [0.02, 0.03, 0.05, 0.10, 0.80]
    assert t["share_inquiries"].sum() == pytest.approx(1.0)


def test_follow_up_depth_value_outside_buckets() -> None:
    b = [{"label": "0", "min": 0, "max": 0}, {"label": "1-3", "min": 1, "max": 3}]
    with pytest.raises(InputError, match="fall in no bucket"):
        iq.follow_up_depth(pd.Series([0, 5]), pd.Series([0, 1]), b)


def test_conversion_summary_hand_computed() -> None:
    t = iq.conversion_summary(
        {"m": pd.DataFrame({"converted": [1, 0, 0, 0]}), "ytd": pd.DataFrame({"converted": [1, 1, 0, 0, 0, 0, 0, 0]})}
    )
    assert t["conversion_rate"].tolist() == [0.25, 0.25]
    assert (t.loc[1, "ci_low"], t.loc[1, "ci_high"]) == pytest.approx(wilson(2, 8))


# ------------------------------------------------------------------------- scoring
def _crit(policy_a: str = "median", norm: str = "minmax") -> CriteriaParams:
    return CriteriaParams.model_validate(
        {
            "version": "t",
            "criteria": [
                {
                    "id": "a",
                    "label": "A",
                    "family": "attractiveness",
                    "direction": "benefit",
                    "weight": 0.5,
                    "missing": policy_a,
                    "normalization": norm,
                },
                {
                    "id": "b",
                    "label": "B",
                    "family": "feasibility",
                    "direction": "cost",
                    "weight": 0.5,
                    "missing": "worst",
                    "normalization": norm,
                },
            ],
        }
    )


def test_score_against_reference_hand_computed() -> None:
    ref = pd.DataFrame({"a": [0.0, 10.0, 4.0, 2.0], "b": [1.0, 3.0, 5.0, np.nan]})
    rseg = pd.Series(["x", "x", "y", "y"])
    new = pd.DataFrame({"a": [20.0, np.nan, np.nan, 5.0], "b": [np.nan, 2.0, 2.0, 0.0]}, index=["q1", "q2", "q3", "q4"])
    seg = pd.Series(["x", "x", "z", "y"], index=new.index)
    r = iq.score_against_reference(new, seg, ref, rseg, _crit("segment_median"))
    # a: min 0, max 10; b (cost): observed 1, 3, 5; the reference's missing b is filled
    # with the worst (5), so the b range stays [1, 5].
    # q1: a 20 -> clipped to 10 -> 1.0; b missing -> worst 5 -> 0.0            -> 0.5
    # q2: a missing -> median of segment x (0, 10) = 5 -> 0.5; b 2 -> 0.75       -> 0.625
    # q3: segment z not on the list -> overall median of a (0, 10, 4, 2) = 3 -> 0.3; b 0.75 -> 0.525
    # q4: a 5 -> 0.5; b 0 -> clipped to 1 -> 1.0                                 -> 0.75
    assert r.scores.tolist() == pytest.approx([0.5, 0.625, 0.525, 0.75])
    assert r.clipped.to_dict("list") == {"a": [True, False, False, False], "b": [False, False, False, True]}
    assert r.imputed["a"].tolist() == [False, True, True, False]
    assert r.completeness.tolist() == [0.5, 0.5, 0.5, 1.0]


def test_score_against_reference_exclude_reweight_and_other_normalizations() -> None:
    ref = pd.DataFrame({"a": [1.0, 3.0], "b": [2.0, 4.0]})
    new = pd.DataFrame({"a": [np.nan, 2.0], "b": [3.0, 3.0]}, index=["q1", "q2"])
    seg = pd.Series("x", index=new.index)
    r = iq.score_against_reference(new, seg, ref, pd.Series("x", index=ref.index), _crit("exclude_reweight"))
    # q1: a left out, b (cost) 3 in [2, 4] -> 0.5; weights rescaled to b alone -> 0.5
    # q2: a 0.5, b 0.5 -> 0.5
    assert r.scores.tolist() == pytest.approx([0.5, 0.5])
    assert r.excluded["a"].tolist() == [True, False] and not r.imputed["a"].any()
    v = iq.score_against_reference(new.fillna(2.0), seg, ref, pd.Series("x", index=ref.index), _crit(norm="vector"))
    # vector: a 2 / sqrt(1 + 9); b cost: 1 - 3 / sqrt(4 + 16)
    assert v.scores.iloc[1] == pytest.approx(0.5 * 2 / math.sqrt(10) + 0.5 * (1 - 3 / math.sqrt(20)))
    m = iq.score_against_reference(new.fillna(2.0), seg, ref, pd.Series("x", index=ref.index), _crit(norm="max"))
    # max: a 2 / 3; b cost: min 2 / 3
    assert m.scores.iloc[1] == pytest.approx(0.5 * 2 / 3 + 0.5 * 2 / 3)


def test_scoring_the_list_against_itself_gives_the_lists_scores() -> None:
    """The strongest check of the reference scoring: a listed customer scored as 'one
    more row' of its own list gets exactly the score the ranking gave it."""
    from prioanalysis.steps.ranking import run_ranking

    params = load_params(ROOT / "params" / "2026")
    result = run_ranking(params)
    cust = result.intake.customers
    r = iq.score_against_reference(cust[params.criteria.ids], cust["segment"], cust, cust["segment"], params.criteria)
    listed = result.target_list.set_index("customer_id")["score"]
    # exactly: the same fitted preprocessor and the same scoring kernel as the ranking
    np.testing.assert_array_equal(r.scores.to_numpy(), listed.reindex(r.scores.index).to_numpy())
    # the run's spec gives the same scores
    s = iq.score_against_reference(cust[params.criteria.ids], cust["segment"], cust, cust["segment"], params.spec)
    pd.testing.assert_series_equal(s.scores, r.scores, check_exact=True)


def test_score_against_reference_uses_only_the_reference() -> None:
    """A row's score depends on the reference and on the row, never on the other new
    rows: scoring rows one at a time gives the same scores as scoring them together."""
    ref = pd.DataFrame({"a": [0.0, 10.0, 4.0, 2.0], "b": [1.0, 3.0, 5.0, np.nan]})
    rseg = pd.Series(["x", "x", "y", "y"])
    new = pd.DataFrame({"a": [20.0, np.nan, 3.0], "b": [np.nan, 2.0, 4.0]}, index=["q1", "q2", "q3"])
    seg = pd.Series(["x", "y", "x"], index=new.index)
    together = iq.score_against_reference(new, seg, ref, rseg, _crit("segment_median"))
    for q in new.index:
        alone = iq.score_against_reference(new.loc[[q]], seg.loc[[q]], ref, rseg, _crit("segment_median"))
        assert alone.scores.loc[q] == together.scores.loc[q]


def test_score_against_reference_spec_and_normalization_arguments() -> None:
    from prioanalysis.config.params import criteria_spec

    ref = pd.DataFrame({"a": [1.0, 3.0], "b": [2.0, 4.0]})
    new = pd.DataFrame({"a": [2.0], "b": [3.0]}, index=["q"])
    seg, rseg = pd.Series("x", index=new.index), pd.Series("x", index=ref.index)
    by_map = iq.score_against_reference(new, seg, ref, rseg, _crit(), {"a": "max", "b": "minmax"})
    # a: max 2 / 3; b (cost) minmax (4 - 3) / 2
    assert by_map.scores.iloc[0] == pytest.approx(0.5 * 2 / 3 + 0.5 * 0.5)
    by_spec = iq.score_against_reference(new, seg, ref, rseg, criteria_spec(_crit(), normalization="max"))
    by_name = iq.score_against_reference(new, seg, ref, rseg, _crit(), "max")
    pd.testing.assert_series_equal(by_spec.scores, by_name.scores, check_exact=True)
    with pytest.raises(ParamsError, match="weighted sum only"):
        iq.score_against_reference(new, seg, ref, rseg, criteria_spec(_crit(), "topsis"))
    with pytest.raises(ParamsError, match="in the spec"):
        iq.score_against_reference(new, seg, ref, rseg, criteria_spec(_crit()), "max")
    with pytest.raises(ParamsError, match="normalization"):
        iq.score_against_reference(new, seg, ref, rseg, _crit(), {"a": "max"})


def test_criteria_values_scales_and_ranges() -> None:
    cp = CriteriaParams.model_validate(
        {
            "version": "t",
            "scales": {"g": {"AA": 8, "B": 4}, "r": {"1": 1, "2": 2}},
            "criteria": [
                {"id": "g", "label": "G", "family": "feasibility", "direction": "benefit", "weight": 0.4, "scale": "g"},
                {"id": "r", "label": "R", "family": "feasibility", "direction": "benefit", "weight": 0.3, "scale": "r"},
                {
                    "id": "n",
                    "label": "N",
                    "family": "attractiveness",
                    "direction": "benefit",
                    "weight": 0.3,
                    "valid_range": [0, 100],
                },
            ],
        }
    )
    f = pd.DataFrame({"g": ["aa", None, "B"], "r": ["2.0", "1", None], "n": ["5", "500", "x"]})
    v = iq.criteria_values(f, cp)
    assert v["g"].tolist()[0::2] == [8.0, 4.0] and math.isnan(v["g"].iloc[1])
    assert v["r"].tolist()[:2] == [2.0, 1.0]
    assert v["n"].iloc[0] == 5.0 and v["n"].iloc[1:].isna().all()  # out of range, not a number
    with pytest.raises(InputError, match=r"column 'g': 'BBB' not on the scale"):
        iq.criteria_values(pd.DataFrame({"g": ["BBB"], "r": [1], "n": [1]}), cp)


def test_tier_cuts_by_segment_and_all() -> None:
    tl = pd.DataFrame(
        {
            "segment": ["x", "x", "x", "y", "y", "y"],
            "score": [0.9, 0.8, 0.6, 0.7, 0.5, 0.1],
            "tier": ["T1", "T2", "T2", "T1", "T2", "no"],
        }
    )
    c = iq.tier_cuts(tl, ["T1", "T2"])
    assert c.loc["x"].tolist() == [0.9, 0.6]
    assert c.loc["y"].tolist() == [0.7, 0.5]
    assert c.loc["all"].tolist() == [0.7, 0.5]
    assert list(iq.tier_cuts(tl, ["T1", "T2"], by="all").index) == ["all"]


def test_implied_tier_skips_empty_tiers_and_rounds() -> None:
    cuts = pd.DataFrame({"T1": [np.nan, 0.9], "T2": [0.6, 0.5]}, index=["x", "all"])
    r = iq.implied_tier(pd.Series([0.95, 0.6 - 1e-12, 0.59, 0.55]), pd.Series(["x", "x", "x", "new"]), cuts, "no")
    # x has no T1 customer: 0.95 is only T2; 0.6 - 1e-12 rounds to the cut (10 decimals)
    assert r["implied_tier"].tolist() == ["T2", "T2", "no", "T2"]
    assert r["target_cut"].tolist() == [0.6, 0.6, 0.6, 0.5]


@pytest.fixture
def small_params(params_dir: Path):
    """params/2026 cut down to two criteria: deal size (benefit) and credit grade."""

    def two_criteria(doc: dict) -> None:
        keep = {c["id"]: c for c in doc["criteria"] if c["id"] in ("deal_size", "credit_grade")}
        keep["deal_size"].pop("transform", None)
        keep["deal_size"]["weight"] = 1.0
        keep["credit_grade"]["weight"] = 1.0
        for c in keep.values():  # the experts' bounds and orders are about the ten criteria
            c.pop("weight_bounds", None)
        doc.pop("weight_order", None)
        doc["criteria"] = list(keep.values())
        doc["family_weights"] = {"attractiveness": 0.5, "feasibility": 0.5}

    edit_yaml(params_dir / "criteria.yaml", two_criteria)
    return load_params(params_dir)


def _reference() -> SimpleNamespace:
    customers = pd.DataFrame(
        {
            "segment": ["x", "x", "y", "y"],
            "deal_size": [10.0, 20.0, 30.0, 40.0],
            "credit_grade": [9.0, 7.0, 5.0, np.nan],
        },
        index=["c1", "c2", "c3", "c4"],
    )
    tl = pd.DataFrame(
        {"segment": ["x", "x", "y", "y"], "score": [0.8, 0.5, 0.9, 0.6], "tier": ["战略", "一般", "战略", "一般"]}
    )
    return SimpleNamespace(intake=SimpleNamespace(customers=customers, source="ref.csv"), target_list=tl)


def test_score_inquiries_hand_computed(small_params) -> None:
    q = pd.DataFrame(
        {
            "inquiry_id": ["q1", "q2", "q3", "q4", "q5"],
            "date": pd.to_datetime(["2025-10-01"] * 5),
            "segment": ["x", "y", "x", "zz", "x"],
            "customer_name": list("甲乙丙丁戊"),
            "decision": ["follow_up", "decline", "propose_target", "follow_up", "decline"],
            "deal_size": [25.0, 100.0, 40.0, None, None],
            "credit_grade": ["AA", None, "CCC", "A", None],
        },
        index=["q1", "q2", "q3", "q4", "q5"],
    )
    s = iq.score_inquiries(q, _reference(), small_params).loc[["q1", "q2", "q3", "q4", "q5"]]
    # deal z = (d - 10) / 30 (clipped to [10, 40]); credit z = (c - 5) / 4 (worst 5 if missing)
    # q1: 0.5, 0.75 -> 0.625     q2: 1.0, 0.0 -> 0.5     q3: 1.0, clipped 3 -> 5 -> 0 -> 0.5
    # q4: segment median unknown -> overall median 25 -> 0.5; A = 7 -> 0.5 -> 0.5
    # q5: segment x median 15 -> 1/6; worst -> 0 -> 1/12
    assert s["score"].tolist() == pytest.approx([0.625, 0.5, 0.5, 0.5, 1 / 12])
    # cuts of the last tier (一般): x 0.5, y 0.6, elsewhere the lowest on the list 0.5
    assert s["target_cut"].tolist() == [0.5, 0.6, 0.5, 0.5, 0.5]
    assert s["implied_tier"].tolist() == ["一般", "非目标", "一般", "一般", "非目标"]
    assert s["propose"].tolist() == [True, False, False, True, False]
    assert s.loc["q2", "reason"] == "below the target cut"
    assert s.loc["q3", "gate_reason"] == "信用等级低于B"
    assert s.loc["q5", "reason"].startswith("too little data")
    assert s.loc["q1", "date"] == "2025-10-01"
    assert s.attrs["gates_applied"] == ["credit"] and s.attrs["gates_skipped"] == ["need"]
    assert s.attrs["cut_by"] == "segment"


def test_score_inquiries_threshold_tiers_and_topsis(small_params, params_dir: Path) -> None:
    q = pd.DataFrame(
        {"inquiry_id": ["q1"], "segment": ["y"], "decision": ["decline"], "deal_size": [25.0], "credit_grade": ["AA"]},
        index=["q1"],
    )
    run = small_params.run.model_copy(
        update={
            "tiers": small_params.run.tiers.model_copy(update={"scheme": "threshold", "thresholds": [0.9, 0.7, 0.6]})
        }
    )
    params = type(small_params)(
        small_params.criteria, run, small_params.directory, small_params.criteria_path, small_params.run_path
    )
    s = iq.score_inquiries(q, _reference(), params)
    assert s.loc["q1", "implied_tier"] == "一般" and s.loc["q1", "target_cut"] == 0.6  # 0.625 >= 0.6
    edit_yaml(params_dir / "run.yaml", lambda d: d["scoring"].__setitem__("method", "topsis"))
    with pytest.raises(ParamsError, match="weighted sum only"):
        iq.score_inquiries(q, _reference(), load_params(params_dir))


def test_decision_agreement_hand_computed() -> None:
    s = pd.DataFrame({"decision": ["a", "b", "b", "a"], "propose": [True, True, False, False]})
    t = iq.decision_agreement(s, {"a": "A", "b": "B", "c": "C"}, "yes", "no")
    assert t[["yes", "no", "total"]].to_numpy().tolist() == [[1, 1, 2], [1, 1, 2], [0, 0, 0]]


# ------------------------------------------------------------------------- figures


def test_inquiry_figures_answers_from_data(figure_style) -> None:
    q = pd.DataFrame(
        {
            "segment": ["finance", "finance", "retail", "finance"],
            "channel": ["web", "phone", "web", "web"],
            "first_response_hours": [1.0, 8.0, 12.0, np.nan],
            "decision": ["follow_up", "propose_target", "decline", "follow_up"],
            "converted": [0, 1, 0, 0],
        }
    )
    seg = {"finance": "金融", "retail": "零售"}
    ch = {"phone": "电话", "web": "网站"}
    fr = review_plots.inquiry_volume_chart(q, "2025-10", seg, ch, "zh")
    assert_drawn(fr)
    assert fr.answer == "2025-10共收到4条询价；网站渠道最多（75%），金融细分市场最多（3条）。"
    fr = review_plots.response_time_chart(q["first_response_hours"], 8, lang="zh")
    assert_drawn(fr)
    # observed 1, 8, 12: 8 h counts as in time -> 2 of 3; median 8; p90 8 + 0.8 * 4 = 11.2
    assert fr.answer == "67%的询价在8小时时限内得到首次响应；中位数8.0小时，P90为11.2小时。"
    # bins (0, 2], ..., (6, 8], ..., (10, 12]: 1 h, 8 h and 12 h in bins 0, 3 and 5
    assert fr.data["inquiries"].tolist()[:6] == [1, 0, 0, 1, 0, 1] and fr.data["inquiries"].sum() == 3
    dec = iq.decision_table(q, {"decline": "婉拒", "follow_up": "继续跟进", "propose_target": "建议纳入目标名单"})
    fr = review_plots.decision_chart(dec, "propose_target", "zh")
    assert_drawn(fr)
    assert fr.answer == "最常见的处理决定是继续跟进（50%）；1条询价被建议纳入目标名单。"


def test_follow_up_and_score_figures(figure_style) -> None:
    p = load_inquiry_params(INQ_YAML)
    f, y = pd.Series([0, 1, 4, 5]), pd.Series([0, 0, 1, 1])
    m = iq.follow_up_depth(f, y, p.follow_up_buckets, lang="zh")
    fr = review_plots.follow_up_chart(m, m, "zh")
    assert_drawn(fr)
    # both conversions at 4+ follow-ups; 2 of 4 inquiries stopped at <= 1
    assert fr.answer == "今年以来100%的成交发生在第4次及以后（经验值80%）；50%的询价在1次跟进以内就停止了。"
    s = pd.DataFrame(
        {
            "inquiry_id": ["q1", "q2", "q3"],
            "segment": ["finance", "retail", "finance"],
            "decision": ["propose_target", "decline", "follow_up"],
            "margin": [0.1, -0.2, 0.05],
            "score": [0.7, 0.3, 0.6],
            "propose": [True, False, True],
        }
    )
    fr = review_plots.inquiry_score_chart(s, {"finance": "金融", "retail": "零售"}, "propose_target", "zh")
    assert_drawn(fr)
    assert fr.answer.startswith("2家询价客户") and "其中1家已被处理人建议" in fr.answer
    fr = review_plots.inquiry_score_chart(s.assign(propose=False), {"finance": "金融"}, "propose_target", "en")
    assert fr.answer == "No inquiring customer this month reaches the target cut."


# ------------------------------------------------------------------------- smoke
def test_monthly_notebook_calls_on_the_sample(figure_style) -> None:
    """The package calls of notebooks/40_inquiry_monthly.ipynb, in order, on the sample."""
    from prioanalysis.methods.metrics import rate_table
    from prioanalysis.steps.ranking import run_ranking

    month = "2025-10"
    setup = iq.validate_monthly_parameters(month, 2026, str(ROOT / "params" / "2026"))
    params, ip = setup.params, setup.inquiry_params
    seg = {k: v.label for k, v in params.run.segments.items()}
    log = read_inquiries(setup.inquiries_path, ip, list(params.run.segments))
    q = iq.select_month(log, month)
    ytd = iq.year_to_date(log, month)
    assert len(log) == 1477 and (q["month"] == month).all() and len(ytd) >= len(q)
    channels, decisions = ip.labels("channels", "zh"), ip.labels("decisions", "zh")
    figs = [review_plots.inquiry_volume_chart(q, month, seg, channels, "zh")]
    assert iq.volume_table(q, "channel", channels, order=list(channels))["inquiries"].sum() == len(q)
    fr = ip.first_response
    figs.append(review_plots.response_time_chart(q["first_response_hours"], fr.sla_hours, lang="zh"))
    rt = iq.response_time_summary(q["first_response_hours"], fr.sla_hours, q["channel"], fr.quantiles, fr.missing)
    assert rt.loc["all", "n"] == len(q)
    dec = iq.decision_table(q, decisions)
    assert dec["inquiries"].sum() == len(q)
    figs.append(review_plots.decision_chart(dec, ip.propose_decision, "zh"))
    dm = iq.follow_up_depth(q["follow_ups"], q["converted"], ip.follow_up_buckets)
    dy = iq.follow_up_depth(ytd["follow_ups"], ytd["converted"], ip.follow_up_buckets)
    figs.append(review_plots.follow_up_chart(dm, dy, "zh"))
    conv = iq.conversion_summary({month: q, "ytd": ytd})
    assert conv["converted"].iloc[0] == q["converted"].sum()
    rate_table(q["channel"].astype(object), q["converted"], order=[k for k in ip.channels if (q["channel"] == k).any()])
    sc = ip.scoring
    scored = iq.score_inquiries(q, run_ranking(params), params, sc.min_completeness, sc.apply_gates, sc.cut_by)
    assert len(scored) == len(q) and scored["score"].between(0, 1).all()
    assert (scored.loc[scored["propose"], "margin"] >= -1e-10).all()
    assert (scored.loc[scored["propose"], "completeness"] >= 0.5).all()
    figs.append(review_plots.inquiry_score_chart(scored, seg, ip.propose_decision, "zh"))
    iq.decision_agreement(scored, decisions)
    for f in figs:
        assert_drawn(f)


# ------------------------------------------------------------------------- the month reported
def test_empty_month_is_the_previous_calendar_month(monkeypatch: pytest.MonkeyPatch) -> None:
    assert iq.resolve_month("", datetime.date(2026, 1, 5)) == "2025-12"
    assert iq.resolve_month("2025-10", datetime.date(2026, 1, 5)) == "2025-10"
    monkeypatch.setenv("PRIOANALYSIS_TODAY", "2025-11-15")
    assert iq.resolve_month("") == "2025-10" and iq.previous_month() == "2025-10"
    setup = iq.validate_monthly_parameters("", 2026, str(ROOT / "params" / "2026"))
    assert setup.month == "2025-10" and setup.inquiries_path.name == "inquiries_2025.csv"
    monkeypatch.setenv("PRIOANALYSIS_TODAY", "15.11.2025")
    with pytest.raises(ParamsError, match="PRIOANALYSIS_TODAY: expected a day YYYY-MM-DD"):
        iq.resolve_month("")
    monkeypatch.delenv("PRIOANALYSIS_TODAY")
    today = datetime.date.today()
    assert iq.resolve_month("") == str(pd.Period(today, "M") - 1)


def test_notebook_default_month_is_empty_and_resolved_by_the_package() -> None:
    import json

    nb = json.loads((ROOT / "notebooks" / "40_inquiry_monthly.ipynb").read_text(encoding="utf-8"))
    params_cell = next(c for c in nb["cells"] if "parameters" in c["metadata"].get("tags", []))
    assert 'month: str = ""' in "".join(params_cell["source"])
    assert "month = setup.month" in "".join("".join(c["source"]) for c in nb["cells"])
    assert all(c["cell_type"] == "code" for c in nb["cells"])  # every reader text from the catalog


def test_month_end() -> None:
    assert iq.month_end("2024-02") == pd.Timestamp("2024-02-29")
    assert iq.month_end("2025-12") == pd.Timestamp("2025-12-31")


# ------------------------------------------------------------------------- follow-up management
def _log(rows: list[tuple]) -> pd.DataFrame:
    cols = ["inquiry_id", "handler", "date", "decision", "follow_ups", "converted", "decided_on", "last_contact_on"]
    q = pd.DataFrame(rows, columns=cols)
    q["date"] = pd.to_datetime(q["date"])
    q["decided_on"] = pd.to_datetime(q["decided_on"])
    return q.assign(customer_name=q["inquiry_id"] + "公司", segment="finance").set_index("inquiry_id", drop=False)


LOG = _log(
    [
        # id, handler, date, decision, follow-ups, converted, decided on, last contact
        ("a", "O1", "2025-09-01", "follow_up", 1, 0, None, None),  # last 09-01: 60 days -> overdue
        ("b", "O1", "2025-10-20", "follow_up", 0, 0, None, None),  # 11 days: not overdue
        ("c", "O1", "2025-08-01", "follow_up", 5, 0, None, "2025-10-25"),  # contacted 10-25: 6 days
        ("d", "O2", "2025-09-01", "propose_target", 2, 0, "2025-10-01", None),  # decided 10-01: 30 -> overdue
        ("e", "O2", "2025-09-01", "follow_up", 6, 1, None, None),  # converted: not open
        ("f", "O2", "2025-09-01", "decline", 0, 0, None, None),  # declined: not open
        ("g", None, "2025-10-16", "follow_up", 0, 0, None, None),  # exactly 15 days -> overdue (> 14)
        ("h", "O1", "2025-11-03", "follow_up", 0, 0, None, None),  # after the month: left out
    ]
)


def test_overdue_follow_ups_by_hand() -> None:
    o = iq.overdue_follow_ups(LOG, "2025-10-31", 14, ["follow_up", "propose_target"])
    got = dict(zip(o["inquiry_id"], zip(o["days_since_contact"], o["overdue"])))
    assert got == {"a": (60, True), "b": (11, False), "c": (6, False), "d": (30, True), "g": (15, True)}
    assert o["inquiry_id"].tolist()[:2] == ["a", "d"]  # longest without contact first
    assert o.set_index("inquiry_id").loc["c", "last_contact"] == "2025-10-25"
    # a 14-day contact gap is not overdue; 15 is
    assert not iq.overdue_follow_ups(LOG, "2025-10-30", 14).set_index("inquiry_id").loc["g", "overdue"]
    with pytest.raises(InputError, match="overdue_days"):
        iq.overdue_follow_ups(LOG, "2025-10-31", 0)
    bad = LOG.assign(last_contact_on=LOG["last_contact_on"].where(LOG["inquiry_id"] != "a", "soon"))
    with pytest.raises(InputError, match=r"last_contact_on.*inquiries a"):
        iq.overdue_follow_ups(bad, "2025-10-31")


def test_overdue_by_handler_reconciles() -> None:
    o = iq.overdue_follow_ups(LOG, "2025-10-31", 14)
    t = iq.overdue_by_handler(o).set_index("handler")
    assert t.loc["O1", ["open", "overdue"]].tolist() == [3, 1]
    assert t.loc["O2", ["open", "overdue"]].tolist() == [1, 1]
    assert t.loc[iq.NO_HANDLER, ["open", "overdue"]].tolist() == [1, 1]
    assert t.index[-1] == iq.ALL_HANDLERS and t.loc[iq.ALL_HANDLERS, ["open", "overdue"]].tolist() == [5, 3]
    assert t.iloc[:-1][["open", "overdue"]].sum().tolist() == [5, 3]  # the handlers add up to the total
    assert t.loc["O1", "share_overdue"] == pytest.approx(1 / 3) and t.loc["O1", "max_days_since_contact"] == 60
    empty = iq.overdue_by_handler(iq.overdue_follow_ups(LOG.iloc[0:0], "2025-10-31"))
    assert empty["handler"].tolist() == [iq.ALL_HANDLERS] and empty["open"].tolist() == [0]


def test_depth_by_handler_against_the_benchmark() -> None:
    d = iq.depth_by_handler(LOG, 4).set_index("handler")
    # followed: O1 a, b, c, h (follow_up); O2 d (propose), e (converted); f declined is not followed
    assert d.loc["O1", "followed"] == 4 and d.loc["O2", "followed"] == 2 and d.loc[iq.NO_HANDLER, "followed"] == 1
    # O1: follow-ups 1, 0, 5, 0 -> stopped by one (not converted): a, b, h = 3; reached 4: c = 1
    assert d.loc["O1", ["stopped_by_one", "reached_benchmark", "converted"]].tolist() == [3, 1, 0]
    assert d.loc["O1", "median_follow_ups"] == 0.5 and d.loc["O1", "share_reached_benchmark"] == 0.25
    # O2: 2 and 6 (converted) -> none stopped, 1 reached, 1 converted
    assert d.loc["O2", ["stopped_by_one", "reached_benchmark", "converted", "conversion_rate"]].tolist() == [
        0,
        1,
        1,
        0.5,
    ]
    total = d.loc[iq.ALL_HANDLERS]
    assert total["followed"] == 7 == d.iloc[:-1]["followed"].sum()
    assert total["stopped_by_one"] == d.iloc[:-1]["stopped_by_one"].sum() == 4
    assert d.index[0] == iq.NO_HANDLER  # fewest reaching the benchmark first (0 of 1)
    assert iq.depth_by_handler(LOG, 6).set_index("handler").loc["O2", "reached_benchmark"] == 1
    with pytest.raises(InputError, match="benchmark_depth"):
        iq.depth_by_handler(LOG, 0)


def test_handler_labels() -> None:
    owners = pd.read_csv(ROOT / "data" / "sample" / "owners.csv")
    names = iq.handler_labels(owners)
    assert len(names) == len(owners) and all(isinstance(v, str) and v for v in names.values())
    with pytest.raises(InputError, match="owner_name"):
        iq.handler_labels(owners.drop(columns="owner_name"))


def test_monthly_report_counts_reconcile_on_the_sample() -> None:
    """Every count of the monthly report adds up: the month's inquiries by channel, by
    segment, by decision; the open follow-ups by handler; the depth by handler."""
    setup = iq.validate_monthly_parameters("2025-10", 2026, str(ROOT / "params" / "2026"))
    ip = setup.inquiry_params
    log = read_inquiries(setup.inquiries_path, ip)
    q, ytd = iq.select_month(log, "2025-10"), iq.year_to_date(log, "2025-10")
    ch = iq.volume_table(q, "channel", ip.labels("channels", "en"), order=list(ip.channels))
    seg = iq.volume_table(q, "segment")
    dec = iq.decision_table(q, ip.labels("decisions", "en"))
    assert ch["inquiries"].sum() == seg["inquiries"].sum() == dec["inquiries"].sum() == len(q) == 128
    assert dec["converted"].sum() == q["converted"].sum()
    fm = ip.follow_up_management
    o = iq.overdue_follow_ups(ytd, iq.month_end("2025-10"), fm.overdue_days, ip.open_decisions)
    by = iq.overdue_by_handler(o)
    assert by["open"].iloc[:-1].sum() == by["open"].iloc[-1] == len(o)
    assert by["overdue"].iloc[:-1].sum() == by["overdue"].iloc[-1] == int(o["overdue"].sum())
    # open = decided follow-up / propose, not converted, logged up to 31 October
    open_now = ytd[ytd["decision"].isin(ip.open_decisions) & (ytd["converted"] == 0)]
    assert len(o) == len(open_now)
    d = iq.depth_by_handler(ytd, fm.benchmark_depth, ip.open_decisions)
    assert d["followed"].iloc[:-1].sum() == d["followed"].iloc[-1]
    assert d["converted"].iloc[-1] == int(ytd["converted"].sum())  # every converted inquiry was followed
    assert d["handler"].iloc[-1] == iq.ALL_HANDLERS and iq.NO_HANDLER not in set(d["handler"])


# ------------------------------------------------------------------------- into the target list
def _decided_log() -> pd.DataFrame:
    q = pd.DataFrame(
        {
            "inquiry_id": ["Q1", "Q2", "Q3", "Q4", "Q5"],
            "customer_name": ["甲银行", "乙通信", "丙医院", "丁学校", "戊集团"],
            "segment": ["finance", "telecom", "healthcare", "education", "finance"],
            "region": ["east", "south", "north", "east", "east"],
            "handler": ["O002", "O003", "O004", "O005", "O002"],
            "decision": ["propose_target", "propose_target", "decline", "propose_target", "propose_target"],
            "reviewer": ["王经理", None, "王经理", "王经理", "王经理"],
            "decided_on": pd.to_datetime(["2026-03-05", None, "2026-03-01", "2025-12-20", "2026-01-10"]),
            "it_budget": [900.0, 50.0, 10.0, 300.0, 800.0],
            "credit_grade": ["AA", "A", "B", "BBB", "A"],
        }
    )
    return q.set_index(pd.Index(q["inquiry_id"].to_numpy(dtype=object)))


def test_accepted_inquiries_need_the_decision_the_review_and_the_year() -> None:
    ip = load_inquiry_params(INQ_YAML)
    got = iq.accepted_inquiries(_decided_log(), ip, 2026)
    # Q2 not reviewed, Q3 declined, Q4 decided in 2025: only Q5 (10 Jan) and Q1 (5 Mar), by day
    assert got["inquiry_id"].tolist() == ["Q5", "Q1"]
    assert iq.accepted_inquiries(_decided_log(), ip, 2025)["inquiry_id"].tolist() == ["Q4"]
    assert iq.accepted_inquiries(_decided_log().drop(columns=["reviewer"]), ip, 2026).empty  # no review recorded


def test_list_additions_marks_the_added_rows() -> None:
    params = load_params(ROOT / "params" / "2026")
    ip = load_inquiry_params(INQ_YAML)
    pre = pd.read_csv(ROOT / "data" / "sample" / "preliminary_2026.csv", dtype={"customer_id": str})
    accepted = iq.accepted_inquiries(_decided_log(), ip, 2026).assign(customer_id=[pre["customer_id"].iloc[0], None])
    out = iq.list_additions(accepted, pre, params, ip)
    # Q1 is new (its id is the inquiry id); Q5 names a customer already on the list: not added again
    assert out.attrs["added"] == ["Q1"] and out.attrs["already_listed"] == ["Q5"]
    assert len(out) == len(pre) + 1 and list(out.columns) == [*pre.columns, *iq.ADDITION_COLUMNS]
    new = out.iloc[-1]
    assert (new["customer_id"], new["customer_name"], new["segment"], new["owner_id"]) == (
        "Q1",
        "甲银行",
        "finance",
        "O002",
    )
    assert (new["list_source"], new["inquiry_id"], new["accepted_on"]) == (iq.MID_YEAR_ADDITION, "Q1", "2026-03-05")
    assert new["it_budget"] == 900.0 and new["credit_grade"] == "AA" and pd.isna(new["deal_size"])
    assert new["need_status"] == "target" and pd.isna(new["expected_months_to_close"])  # inquiries.yaml defaults
    assert set(out["list_source"].iloc[:-1]) == {iq.FROM_PRELIMINARY} and (out["inquiry_id"].iloc[:-1] == "").all()
    with pytest.raises(InputError, match="has a column 'list_source'"):
        iq.list_additions(accepted, out, params, ip)


def test_a_mid_year_list_ranks_with_the_additions_marked(tmp_path: Path) -> None:
    """The list of a mid-year run passes the intake like any list and the target list
    carries where each row comes from."""
    from prioanalysis.steps.ranking import run_ranking

    params = load_params(ROOT / "params" / "2026")
    ip = load_inquiry_params(INQ_YAML)
    pre = pd.read_csv(ROOT / "data" / "sample" / "preliminary_2026.csv", dtype={"customer_id": str})
    best = {
        "deal_size": 800.0,
        "growth": 30.0,
        "strategic_fit": 5,
        "industry_influence": 5,
        "relationship_strength": 5,
        "competitive_intensity": 1,
        "service_distance_km": 5.0,
        "payment_days": 15.0,
        "it_budget": 5000.0,
        "credit_grade": "AAA",
    }
    accepted = iq.accepted_inquiries(_decided_log(), ip, 2026).iloc[1:].assign(**best)
    path = tmp_path / "preliminary_2026_mid_year.csv"
    iq.list_additions(accepted, pre, params, ip).to_csv(path, index=False)
    tl = run_ranking(params, path).target_list
    added = tl[tl["list_source"] == iq.MID_YEAR_ADDITION]
    assert added["customer_id"].tolist() == ["Q1"] and added["accepted_on"].tolist() == ["2026-03-05"]
    assert added["tier"].iloc[0] == params.run.tiers.names[0]  # the best facts on the list: the first tier
    assert (tl["list_source"] == iq.FROM_PRELIMINARY).sum() == len(tl) - 1
