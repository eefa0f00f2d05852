"""End-to-end tests of prioanalysis.steps.ranking on the sample data and the tiny list.

Expectations are derived from the raw CSV independently of the package (gates,
completeness and claims re-computed here with plain pandas) or by hand.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from prioanalysis.config.decisions import with_decisions
from prioanalysis.config.params import Params, load_params
from prioanalysis.errors import ParamsError
from prioanalysis.steps.ranking import RankingResult, run_ranking
from tests.conftest import CREDIT, CRITERIA, PARAMS_SRC, SAMPLE_2026, SAMPLE_DIR, edit_yaml, read_yaml, tiny_frame

TIERS = ["战略", "重点", "一般"]
NOT_TARGETED = "非目标"
NEED_REASON = "已确认无需求"
CREDIT_REASON = "信用等级低于B"
SHARES = [0.05, 0.15, 0.30]
SEGMENT_ORDER = ["government", "finance", "telecom", "energy", "manufacturing", "healthcare", "education", "retail"]


@pytest.fixture(scope="module")
def params() -> Params:
    return load_params(PARAMS_SRC)  # without decisions.yaml: the tests below check the rule


@pytest.fixture(scope="module")
def result(params: Params) -> RankingResult:
    return run_ranking(params)


@pytest.fixture(scope="module")
def raw() -> pd.DataFrame:
    """The sample list read with plain pandas (no package code)."""
    df = pd.read_csv(SAMPLE_2026, dtype={"customer_id": str, "owner_id": str})
    df["filled"] = df[CRITERIA].notna().sum(axis=1)
    df["credit_num"] = df["credit_grade"].map(CREDIT)
    df["dead"] = df["need_status"].str.strip().str.lower() == "dead"
    df["low_credit"] = df["credit_num"] < CREDIT["B"]
    return df


@pytest.fixture(scope="module")
def kept(raw: pd.DataFrame) -> pd.DataFrame:
    """One row per customer: the claim with the most criteria filled in, ties going to
    the segment listed first in run.yaml; customers with < 5 of 10 criteria dropped."""
    r = raw.assign(order=raw["segment"].map({s: i for i, s in enumerate(SEGMENT_ORDER)}))
    r = r.sort_values(["customer_id", "filled", "order"], ascending=[True, False, True])
    one = r.drop_duplicates("customer_id", keep="first")
    return one[one["filled"] >= 5].set_index("customer_id")


def _with_run(params_dir: Path, change) -> Params:
    edit_yaml(params_dir / "run.yaml", change)
    return load_params(params_dir)


def _top(scores: pd.Series, k: int) -> set:
    """Ids whose score is at least the k-th best score (ties at the cut included)."""
    if k <= 0:
        return set()
    s = scores.round(10).sort_values(ascending=False)
    cut = s.iloc[min(k, len(s)) - 1]
    return set(s.index[s >= cut])


# --------------------------------------------------------------------------- the list
def test_every_customer_once(result: RankingResult, kept: pd.DataFrame, raw: pd.DataFrame) -> None:
    t = result.target_list
    assert t["customer_id"].is_unique
    assert set(t["customer_id"]) == set(kept.index)
    # everybody proposed is either scored or excluded for too little data
    low = set(raw["customer_id"]) - set(kept.index)
    assert low == set(
        result.intake.excluded.loc[result.intake.excluded["reason"].str.contains("completeness"), "customer_id"]
    )
    assert result.choices["customers_scored"] == len(t)


def test_kept_segment_of_multi_segment_customers(result: RankingResult, kept: pd.DataFrame, raw: pd.DataFrame) -> None:
    t = result.target_list.set_index("customer_id")
    multi = raw["customer_id"][raw["customer_id"].duplicated()].unique()
    assert len(multi) > 10  # the sample has ~2% customers proposed twice
    ids = [i for i in multi if i in kept.index]
    assert t.loc[ids, "segment"].tolist() == kept.loc[ids, "segment"].tolist()
    # every customer proposed twice has exactly one kept claim
    claims = result.intake.claims
    kept_claims = claims.loc[claims["kept"], "customer_id"]
    assert kept_claims.is_unique and set(kept_claims) == set(multi)


def test_sorted_and_ranked(result: RankingResult) -> None:
    t = result.target_list
    s = t["score"].round(10)
    assert (s.diff().dropna() <= 0).all()
    # competition ranks ("min"): 1 + number of strictly better scores, overall and per segment
    better = (s.to_numpy()[None, :] > s.to_numpy()[:, None]).sum(axis=1)
    assert (t["rank"].to_numpy() == better + 1).all()
    for _, g in t.groupby("segment"):
        gs = g["score"].round(10).to_numpy()
        assert (g["segment_rank"].to_numpy() == (gs[None, :] > gs[:, None]).sum(axis=1) + 1).all()


def test_gated_customers_are_not_targeted_with_reason(result: RankingResult, kept: pd.DataFrame) -> None:
    t = result.target_list.set_index("customer_id")
    k = kept.loc[t.index]
    dead, low = k["dead"], k["low_credit"]
    assert dead.sum() > 50 and low.sum() > 10
    gated = dead | low
    assert (t.loc[gated, "tier"] == NOT_TARGETED).all()
    assert t.loc[dead, "not_targeted_reason"].str.contains(NEED_REASON, regex=False).all()
    assert t.loc[low, "not_targeted_reason"].str.contains(CREDIT_REASON, regex=False).all()
    both = dead & low
    assert (t.loc[both, "not_targeted_reason"] == f"{NEED_REASON}; {CREDIT_REASON}").all()
    ok = ~gated
    assert not t.loc[ok, "not_targeted_reason"].str.contains(NEED_REASON, regex=False).any()
    assert not t.loc[ok, "not_targeted_reason"].str.contains(CREDIT_REASON, regex=False).any()
    # eligible customers beyond the last cut say so; targeted ones have no reason
    nt_ok = ok & (t["tier"] == NOT_TARGETED)
    assert nt_ok.sum() > 0
    assert (t.loc[nt_ok, "not_targeted_reason"] == "below the tier cut-off").all()
    assert (t.loc[t["tier"] != NOT_TARGETED, "not_targeted_reason"] == "").all()
    # the not-targeted quadrant
    assert (t.loc[t["tier"] == NOT_TARGETED, "quadrant"] == "不投入资源").all()


def test_tier1_per_segment_matches_quota(result: RankingResult, kept: pd.DataFrame) -> None:
    t = result.target_list.set_index("customer_id")
    eligible = ~(kept.loc[t.index, "dead"] | kept.loc[t.index, "low_credit"])
    for seg in SEGMENT_ORDER:
        m = (t["segment"] == seg) & eligible
        n = int(m.sum())
        q1 = math.floor(SHARES[0] * n + 0.5)
        got = set(t.index[(t["segment"] == seg) & (t["tier"] == TIERS[0])])
        assert got == _top(t.loc[m, "score"], q1), seg


def test_all_tiers_per_segment_match_cumulative_quota(result: RankingResult, kept: pd.DataFrame) -> None:
    """Documented rule: cumulative cuts floor((s1+…+sk) × n + 0.5) — e.g. education
    (n = 349 eligible): cuts 17, 70, 175, so 重点 holds 53, not floor(0.15·349+0.5)=52."""
    t = result.target_list.set_index("customer_id")
    eligible = ~(kept.loc[t.index, "dead"] | kept.loc[t.index, "low_credit"])
    for seg in SEGMENT_ORDER:
        m = (t["segment"] == seg) & eligible
        n = int(m.sum())
        for k in range(1, len(TIERS) + 1):
            cut = math.floor(sum(SHARES[:k]) * n + 0.5)
            got = set(t.index[(t["segment"] == seg) & t["tier"].isin(TIERS[:k])])
            assert got == _top(t.loc[m, "score"], cut), (seg, TIERS[k - 1])


def test_weighted_sum_contributions(result: RankingResult, params: Params) -> None:
    t = result.target_list.set_index("customer_id")
    contrib = result.contributions
    assert list(contrib.index) == list(result.target_list["customer_id"])
    np.testing.assert_allclose(contrib.sum(axis=1).to_numpy(), t.loc[contrib.index, "score"].to_numpy(), atol=1e-12)
    # each contribution = global weight × min-max normalised value of the prepared matrix
    x = result.prepared.matrix.loc[contrib.index]
    w = params.criteria.global_weights()
    for c in params.criteria.criteria:
        col = x[c.id]
        lo, hi = col.min(), col.max()
        z = (col - lo) / (hi - lo) if c.direction == "benefit" else (hi - col) / (hi - lo)
        np.testing.assert_allclose(contrib[c.id].to_numpy(), w[c.id] * z.to_numpy(), atol=1e-12, err_msg=c.id)


def test_family_scores_in_unit_interval_and_by_hand(result: RankingResult, params: Params) -> None:
    t = result.target_list.set_index("customer_id")
    for fam in ("attractiveness", "feasibility"):
        assert t[fam].between(0, 1).all()
        assert t[fam].min() < 0.2 and t[fam].max() > 0.8
    # attractiveness = Σ_attr w·z / Σ_attr w, with the weighted-sum contributions w·z
    attr = [c.id for c in params.criteria.criteria if c.family == "attractiveness"]
    c = result.contributions
    np.testing.assert_allclose(
        (c[attr].sum(axis=1) / 0.60).to_numpy(), t.loc[c.index, "attractiveness"].to_numpy(), atol=1e-12
    )


def test_grades_and_quadrants(result: RankingResult) -> None:
    t = result.target_list
    m = t["expected_months_to_close"]
    target = t["need_status"] == "target"
    assert (t.loc[target & (m <= 1), "grade"] == "A").all()
    assert (t.loc[target & (m > 1) & (m <= 3), "grade"] == "B").all()
    assert (t.loc[t["need_status"] == "dead", "grade"] == "E").all()
    assert (t.loc[t["need_status"] == "potential", "grade"] == "D").all()
    hot = t["tier"].isin(["战略", "重点"]) & t["grade"].isin(["A", "B"])
    assert (t.loc[hot, "quadrant"] == "立即投入").all() and hot.sum() > 0


def test_running_twice_is_identical(result: RankingResult, params: Params) -> None:
    again = run_ranking(params)
    pd.testing.assert_frame_equal(again.target_list, result.target_list)
    pd.testing.assert_frame_equal(again.contributions, result.contributions)


def test_shuffled_input_gives_the_same_list(result: RankingResult, params: Params, tmp_path: Path) -> None:
    text = pd.read_csv(SAMPLE_2026, dtype=str, keep_default_na=False)
    shuffled = text.sample(frac=1.0, random_state=7)
    assert not shuffled.index.equals(text.index)
    p = tmp_path / "shuffled.csv"
    shuffled.to_csv(p, index=False)
    other = run_ranking(params, input_path=p)
    cols = [c for c in result.target_list.columns if c != "source_row"]
    pd.testing.assert_frame_equal(other.target_list[cols], result.target_list[cols])


def test_choices_record_the_method(result: RankingResult) -> None:
    ch = result.choices
    assert ch["scoring_method"] == "weighted_sum"
    assert ch["tie_rule"] == "min"
    assert ch["tie_breakers"] == ["deal_size"]
    assert ch["missing_policy"]["credit_grade"] == "worst"
    assert {v for k, v in ch["missing_policy"].items() if k != "credit_grade"} == {"segment_median"}
    assert ch["normalization"] == dict.fromkeys(CRITERIA, "minmax")
    assert ch["tier_scheme"] == "quota"
    assert ch["weights"]["it_budget"] == pytest.approx(0.15)
    assert ch["customers_excluded"] == len(result.intake.excluded)


# --------------------------------------------------------------------------- variants
def test_topsis_vector_with_negative_values_is_refused_clearly(params_dir: Path) -> None:
    """Vector normalization (the TOPSIS default) is undefined for negative values; the
    shipped growth rates can be negative, so the run says which setting to change."""
    p = _with_run(params_dir, lambda d: d["scoring"].update(method="topsis"))
    with pytest.raises(ParamsError, match=r"run.yaml: .*growth.*set scoring.normalization: minmax"):
        run_ranking(p)


def test_topsis_with_minmax(params_dir: Path, result: RankingResult) -> None:
    p = _with_run(params_dir, lambda d: d["scoring"].update(method="topsis", normalization="minmax", tie_rule="dense"))
    r = run_ranking(p)
    t = r.target_list
    assert t["score"].between(0, 1).all()
    assert t["score"].max() > 0.6 and t["score"].min() < 0.4
    assert r.choices["scoring_method"] == "topsis"
    assert r.choices["normalization"] == "minmax"
    assert r.choices["tie_rule"] == "dense"
    # a different method gives different scores but the same customers
    assert set(t["customer_id"]) == set(result.target_list["customer_id"])
    base = result.target_list.set_index("customer_id")["score"]
    assert not np.allclose(t.set_index("customer_id")["score"].loc[base.index], base)
    # TOPSIS closeness by hand for the best customer: min-max values z, v = w·z,
    # ideal = column max of v, anti-ideal = column min; C = d− / (d+ + d−)
    z = r.prepared.matrix.copy()
    w = p.criteria.global_weights()
    for c in p.criteria.criteria:
        col = z[c.id]
        lo, hi = col.min(), col.max()
        z[c.id] = (col - lo) / (hi - lo) if c.direction == "benefit" else (hi - col) / (hi - lo)
    v = z * pd.Series(w)
    best = t["customer_id"].iloc[0]
    d_plus = math.sqrt(((v.loc[best] - v.max()) ** 2).sum())
    d_minus = math.sqrt(((v.loc[best] - v.min()) ** 2).sum())
    assert t["score"].iloc[0] == pytest.approx(d_minus / (d_plus + d_minus), abs=1e-9)


def test_threshold_scheme(params_dir: Path, kept: pd.DataFrame) -> None:
    def thr(d: dict) -> None:
        d["tiers"]["scheme"] = "threshold"
        d["tiers"]["thresholds"] = [0.7, 0.6, 0.5]

    r = run_ranking(_with_run(params_dir, thr))
    t = r.target_list.set_index("customer_id")
    eligible = ~(kept.loc[t.index, "dead"] | kept.loc[t.index, "low_credit"])
    s = t["score"]
    expected = pd.Series(NOT_TARGETED, index=t.index, dtype=object)
    expected[eligible & (s >= 0.5)] = "一般"
    expected[eligible & (s >= 0.6)] = "重点"
    expected[eligible & (s >= 0.7)] = "战略"
    assert (expected != NOT_TARGETED).sum() > 100
    pd.testing.assert_series_equal(t["tier"], expected, check_names=False, check_dtype=False)
    assert r.choices["tier_scheme"] == "threshold"
    assert r.choices["tier_thresholds"] == [0.7, 0.6, 0.5]


# --------------------------------------------------------------------------- tiny list
def _reweight_params(params_dir: Path, method: str = "weighted_sum") -> Params:
    def crit(d: dict) -> None:
        d["defaults"]["missing"] = "exclude_reweight"
        for c in d["criteria"]:
            c.pop("missing", None)

    edit_yaml(params_dir / "criteria.yaml", crit)
    return _with_run(params_dir, lambda d: d["scoring"].update(method=method))


def test_exclude_reweight_by_hand(params_dir: Path, tiny_csv: Path) -> None:
    p = _reweight_params(params_dir)
    r = run_ranking(p, input_path=tiny_csv)
    t = r.target_list.set_index("customer_id")
    # C4 lacks deal_size and service_distance_km; its other eight values are scored on
    # the min-max range of the observed (transformed, winsorised) values:
    z_it = (math.log(301) - math.log(151)) / (math.log(2001) - math.log(151))  # log1p 300 in [150, 2000]
    # growth sorted -5 0 5 8 10 12 15 20; winsorised at q01 = -5 + 0.07·5 = -4.65 and
    # q99 = 15 + 0.93·5 = 19.65; C4 has 0
    z_growth = (0 + 4.65) / (19.65 + 4.65)
    z_fit = (2 - 1) / (5 - 1)
    z_infl = (2 - 1) / (5 - 1)
    z_rel = (2 - 1) / (5 - 1)
    z_comp = (5 - 4) / (5 - 1)  # cost: C4 has 4, range 1..5
    z_credit = (6 - 3) / (9 - 3)  # BBB = 6, range CCC 3 .. AAA 9
    z_pay = (150 - 90) / (150 - 30)  # cost: 90 days, range 30..150
    # global weights: attractiveness 0.6 × (.25 .30 .10 .25 .10), feasibility 0.4 × (.30 .15 .15 .25 .15)
    num = (
        0.15 * z_it
        + 0.06 * z_growth
        + 0.15 * z_fit
        + 0.06 * z_infl
        + 0.12 * z_rel
        + 0.06 * z_comp
        + 0.10 * z_credit
        + 0.06 * z_pay
    )
    kept_weight = 1.0 - 0.18 - 0.06  # without deal_size (0.18) and distance (0.06)
    assert t.loc["C4", "score"] == pytest.approx(num / kept_weight, abs=1e-12)
    c = r.contributions
    assert c.loc["C4", "deal_size"] == 0 and c.loc["C4", "service_distance_km"] == 0
    np.testing.assert_allclose(c.sum(axis=1).to_numpy(), t.loc[c.index, "score"].to_numpy(), atol=1e-12)
    assert "left out, weights rescaled" in t.loc["C4", "flags"]
    # a complete customer is scored with the full weights: C1 keeps sum of weights 1
    assert "left out" not in t.loc["C1", "flags"]
    assert r.choices["missing_policy"] == dict.fromkeys(CRITERIA, "exclude_reweight")


def test_exclude_reweight_with_topsis_is_refused(params_dir: Path, tiny_csv: Path) -> None:
    p = _reweight_params(params_dir, method="topsis")
    with pytest.raises(ParamsError, match="exclude_reweight") as exc:
        run_ranking(p, input_path=tiny_csv)
    assert "criteria.yaml" in str(exc.value)


def test_tiny_list_gates_and_flags(params: Params, tiny_csv: Path) -> None:
    r = run_ranking(params, input_path=tiny_csv)
    t = r.target_list.set_index("customer_id")
    assert set(t.index) == {f"C{i}" for i in range(1, 9)}
    assert t.loc["C5", "not_targeted_reason"] == CREDIT_REASON  # CCC
    assert t.loc["C6", "not_targeted_reason"] == NEED_REASON  # dead
    assert t.loc["C7", "not_targeted_reason"] in ("", "below the tier cut-off")  # no credit: passes
    assert t.loc["C4", "customer_name"] == "深圳市税务局"
    assert "imputed: " in t.loc["C7", "flags"] and "信用等级" in t.loc["C7", "flags"]
    assert t.loc["C1", "flags"] == ""
    # grades by hand: C1 target 0.5 → A; C2 target 2 → B; C8 target 6 → C; C3 potential → D; C6 dead → E
    assert t.loc[["C1", "C2", "C8", "C3", "C6"], "grade"].tolist() == ["A", "B", "C", "D", "E"]


def test_empty_need_status_cell(params: Params, tmp_path: Path) -> None:
    df = tiny_frame().astype(object)
    df.loc[2, "need_status"] = None
    p = tmp_path / "l.csv"
    df.to_csv(p, index=False)
    r = run_ranking(params, input_path=p)
    row = r.target_list.set_index("customer_id").loc["C3"]
    assert row["grade"] == "D" and "need status unknown" in row["flags"]


def test_run_yaml_not_modified_by_fixture_helpers(params_dir: Path) -> None:
    # the fixture copy points at the real sample data by absolute path
    doc = read_yaml(params_dir / "run.yaml")
    assert Path(doc["inputs"]["preliminary_list"]) == SAMPLE_2026


# --------------------------------------------------------------------------- decisions
def _decided(params_dir: Path, doc: dict) -> Params:
    from tests.conftest import write_yaml

    write_yaml(params_dir / "decisions.yaml", {"year": 2026, **doc})
    return with_decisions(load_params(params_dir))


def test_tier_changes_and_exclusions_apply_after_the_rule(params_dir: Path, result: RankingResult) -> None:
    rule = result.target_list.set_index("customer_id")
    strategic = rule.index[rule["tier"] == "战略"][0]
    below = rule.index[(rule["tier"] == "非目标") & rule["eligible"]][0]
    gated = rule.index[~rule["eligible"]][0]
    p = _decided(
        params_dir,
        {
            "tier_changes": [
                {"customer_id": below, "tier": "重点", "reason": "框架协议短名单", "decided_by": "李明"},
                {
                    "customer_id": gated,
                    "tier": "一般",
                    "reason": "集团要求",
                    "decided_by": "张华",
                    "date": "2026-01-12",
                },
            ],
            "exclusions": [{"customer_id": strategic, "reason": "集团大客户部覆盖", "decided_by": "李明"}],
        },
    )
    got = run_ranking(p).target_list.set_index("customer_id")
    decided = [below, gated, strategic]
    assert got.loc[decided, "tier"].tolist() == ["重点", "一般", "非目标"]
    assert got.loc[decided, "decided_by"].tolist() == ["李明", "张华", "李明"]
    assert got.loc[decided, "decision"].tolist() == ["tier", "tier", "exclusion"]
    assert got.loc[strategic, "not_targeted_reason"] == "集团大客户部覆盖"
    assert got.loc[[below, gated], "not_targeted_reason"].tolist() == ["", ""]
    assert got.loc[below, "quadrant"] in ("立即投入", "计划培育") and got.loc[strategic, "quadrant"] == "不投入资源"
    # the scores, ranks and every other customer's tier are the rule's: a freed slot is not refilled
    others = rule.index.difference(decided)
    pd.testing.assert_series_equal(got.loc[others, "tier"], rule.loc[others, "tier"])
    pd.testing.assert_series_equal(got["score"].loc[rule.index], rule["score"])
    assert (got.loc[others, ["decision", "decided_by", "decision_reason"]] == "").all(axis=None)
    assert list(rule.columns) == list(got.columns)


def test_a_claim_override_keeps_the_decided_segment(params_dir: Path, result: RankingResult) -> None:
    claims = result.intake.claims
    lost = claims[~claims["kept"]].iloc[0]
    cid, seg = lost["customer_id"], lost["segment"]
    p = _decided(
        params_dir, {"claims": [{"customer_id": cid, "segment": seg, "reason": "归口管理", "decided_by": "李明"}]}
    )
    res = run_ranking(p)
    row = res.target_list.set_index("customer_id").loc[cid]
    assert row["segment"] == seg and row["decision"] == "claim" and row["decision_reason"] == "归口管理"
    mine = res.intake.claims[res.intake.claims["customer_id"] == cid]
    assert mine.loc[mine["kept"], "segment"].tolist() == [seg] and set(mine["rule"]) == {"decision"}
    applied = res.summary["decisions"]
    assert applied[["decision", "customer_id", "by_rule", "decided"]].to_numpy().tolist() == [
        ["claim", cid, str(result.target_list.set_index("customer_id").loc[cid, "segment"]), seg]
    ]
    assert res.choices["decisions_applied"][0]["decided_by"] == "李明"
    assert res.choices["decisions"][0]["customer_id"] == cid


def test_a_decision_on_a_customer_not_on_the_list_is_refused(params_dir: Path) -> None:
    p = _decided(params_dir, {"exclusions": [{"customer_id": "C999999", "reason": "r", "decided_by": "v"}]})
    with pytest.raises(
        ParamsError, match=r"decisions\.yaml: exclusions\[0\]: customer 'C999999' is not on .*preliminary"
    ):
        run_ranking(p)
    p = _decided(
        params_dir, {"claims": [{"customer_id": "C000001", "segment": "finance", "reason": "r", "decided_by": "v"}]}
    )
    with pytest.raises(ParamsError, match=r"claims\[0\] \(customer 'C000001'\): segment 'finance' did not propose"):
        run_ranking(p)


def test_the_sample_decisions_and_the_fingerprint(params: Params) -> None:
    from prioanalysis.steps.ranking import result_fingerprint

    with_them = with_decisions(load_params(PARAMS_SRC))
    res = run_ranking(with_them)
    assert len(res.summary["decisions"]) == 4
    assert (res.target_list["decision"] != "").sum() == 4
    assert result_fingerprint(with_them) != result_fingerprint(params)


# --------------------------------------------------------------------------- collection plan
def test_collection_plan_of_the_sample(params: Params, result: RankingResult, raw: pd.DataFrame) -> None:
    from prioanalysis.methods.collection import PLAN_COLUMNS
    from prioanalysis.steps.ranking import collection_plan

    plan = collection_plan(params, result).set_index("segment")
    assert list(plan.reset_index().columns) == list(PLAN_COLUMNS)
    assert list(plan.index) == SEGMENT_ORDER
    assert plan["collected"].to_dict() == raw["segment"].value_counts().reindex(SEGMENT_ORDER).to_dict()
    last = pd.read_csv(SAMPLE_DIR / "preliminary_2025.csv", dtype=str)
    assert plan["records_last_year"].to_dict() == last["segment"].value_counts().reindex(SEGMENT_ORDER).to_dict()
    # the formula by hand for one segment
    s = plan.loc["finance"]
    overall = plan["wins_last_year"].sum() / plan["targets_last_year"].sum()
    c = (s["wins_last_year"] + 10 * overall) / (s["targets_last_year"] + 10)
    assert s["conversion"] == pytest.approx(c)
    assert s["wins_wanted"] == pytest.approx(1.1 * s["wins_last_year"])
    need = math.ceil(1.1 * s["wins_last_year"] / c / (sum(SHARES) * s["eligible_share"]))
    assert s["records_needed"] == need == s["planned"]
    assert (plan["shortfall"] == (plan["planned"] - plan["collected"]).clip(lower=0)).all()


def test_collection_plan_caps_and_wanted_deals(params_dir: Path, result: RankingResult) -> None:
    from prioanalysis.steps.ranking import collection_plan

    def change(doc: dict) -> None:
        doc["segments"]["finance"]["max_records"] = 100
        doc["collection"] = {"wins": {"telecom": 200}, "prior_strength": 0}

    p = _with_run(params_dir, change)
    plan = collection_plan(p, result, previous_params=load_params(PARAMS_SRC.parent / "2025")).set_index("segment")
    assert plan.loc["finance", "planned"] == 100 < plan.loc["finance", "records_needed"]
    assert plan.loc["finance", "shortfall"] == 0  # 411 collected, above the cap
    t = plan.loc["telecom"]
    assert t["wins_wanted"] == 200 and t["conversion"] == pytest.approx(t["wins_last_year"] / t["targets_last_year"])
    assert t["shortfall"] == t["planned"] - t["collected"] > 0
    with pytest.raises(ParamsError, match=r"collection\.wins names unknown segments \['banking'\]"):
        _with_run(params_dir, lambda d: d.update(collection={"wins": {"banking": 3}}))
