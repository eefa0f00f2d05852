"""The calibration step of the cycle on the bundled sample data."""

from __future__ import annotations

import shutil
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from prioanalysis.config.decisions import with_decisions
from prioanalysis.config.params import load_params
from prioanalysis.errors import InputError, ParamsError
from prioanalysis.steps import calibration as recalibration
from tests.conftest import CRITERIA, edit_yaml

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def inputs() -> recalibration.CalibrationInputs:
    return recalibration.load_calibration_inputs(load_params(ROOT / "params" / "2026"))


def test_inputs_are_last_years_scored_criteria(inputs: recalibration.CalibrationInputs) -> None:
    assert inputs.year == 2025
    assert inputs.matrix.notna().all().all()  # missing-value policies applied as scored
    assert list(inputs.matrix.columns) == list(inputs.expert_weights.index)
    assert abs(inputs.expert_weights.sum() - 1) < 1e-12
    assert 0.2 < inputs.won.mean() < 0.3
    assert (inputs.revenue[inputs.won == 0] == 0).all()
    assert not hasattr(inputs, "truth")  # the product does not look for the sample's true weights


def test_recalibration_recovers_the_generators_weights(inputs: recalibration.CalibrationInputs) -> None:
    """The sample outcomes come from known weights (data/sample/README.md).

    With ~750 conversions the bootstrap standard error of a data-implied weight is
    about 0.02 (see calibration's table), so every weight should be within 0.06
    (three standard errors) and the mean absolute error well below that.
    """
    rep = recalibration.recalibrate(inputs, n_boot=50, seed=1)
    true = pd.read_csv(ROOT / "data" / "sample" / "true_weights.csv").set_index("criterion")["weight"]
    assert set(rep.weights.columns) == {"expert", "data", "proposed", "proposed_ci_low", "proposed_ci_high"}
    err = (rep.weights["data"] - true.reindex(rep.weights.index)).abs()
    assert err.notna().all()
    assert err.max() < 0.06, err
    assert err.mean() < 0.03
    assert abs(rep.weights["proposed"].sum() - 1) < 1e-9
    assert set(rep.result.cv.index) == {"expert", "data", "blended"}
    assert rep.thresholds["meets_target"].iloc[:2].all()


def test_missing_previous_year_is_a_params_error(tmp_path: Path) -> None:
    d = tmp_path / "params" / "2030"
    shutil.copytree(ROOT / "params" / "2026", d)
    (d / "run.yaml").write_text(
        (d / "run.yaml").read_text(encoding="utf-8").replace("year: 2026", "year: 2030"), encoding="utf-8"
    )
    with pytest.raises(ParamsError, match="no parameters for 2029"):
        recalibration.load_calibration_inputs(load_params(d))


def test_bad_outcomes_file_names_rows(tmp_path: Path) -> None:
    bad = tmp_path / "outcomes.csv"
    bad.write_text("customer_id,won,revenue\nC1,1,10\nC2,yes,0\n", encoding="utf-8")
    with pytest.raises(
        InputError, match=r"outcomes.csv: 1 problem\(s\) in the outcomes:\n  - row 3, column 'won': 'yes' is not 0 or 1"
    ):
        recalibration.load_calibration_inputs(load_params(ROOT / "params" / "2026"), outcomes_path=str(bad))


def test_duplicate_customer_in_outcomes_is_refused(tmp_path: Path) -> None:
    """The calibration reads outcomes like the review and the database do: a customer
    listed twice is an error, not silently the first row."""
    dup = tmp_path / "outcomes.csv"
    dup.write_text("customer_id,won,revenue\nC000001,1,10\nC000001,0,0\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"rows 2, 3, column 'customer_id': listed more than once \('C000001'\)"):
        recalibration.load_calibration_inputs(load_params(ROOT / "params" / "2026"), outcomes_path=str(dup))


# ------------------------------------------------------------- criteria values as scored
def test_calibration_matrix_is_last_years_ranking_matrix(inputs: recalibration.CalibrationInputs) -> None:
    """The criteria values come from Y−1's list prepared by the ranking's own
    preprocessor: exactly the matrix the Y−1 ranking scored (without ranking again)."""
    from prioanalysis.steps.ranking import run_ranking

    ranked = run_ranking(inputs.previous)
    expected = ranked.prepared.matrix.loc[inputs.matrix.index, list(inputs.matrix.columns)]
    pd.testing.assert_frame_equal(inputs.matrix, expected, check_exact=True)
    # the normalization is this year's weighted sum's, per criterion
    assert inputs.normalization == dict.fromkeys(inputs.matrix.columns, "minmax")


# ------------------------------------------------------------- write_proposed_criteria
CRITERIA_TEXT = "criteria:\n  - id: a  # budget\n    weight: 0.5\n  - id: b\n    weight: 0.5\n"


def test_write_proposed_criteria_writes_the_file_and_its_diff(tmp_path: Path) -> None:
    src = tmp_path / "criteria.yaml"
    src.write_text(CRITERIA_TEXT, encoding="utf-8")
    out = tmp_path / "review" / "criteria_proposed.yaml"
    diff = recalibration.write_proposed_criteria(src, pd.Series({"a": 0.7, "b": 0.3}), out)
    assert out.read_text(encoding="utf-8") == CRITERIA_TEXT.replace("0.5\n  -", "0.7000\n  -").replace(
        "weight: 0.5\n", "weight: 0.3000\n"
    )
    assert diff == Path(str(out) + ".diff").read_text(encoding="utf-8")
    changed = [x for x in diff.splitlines() if x[:1] in "+-" and not x.startswith(("+++", "---"))]
    assert changed == ["-    weight: 0.5", "-    weight: 0.5", "+    weight: 0.7000", "+    weight: 0.3000"] or sorted(
        changed
    ) == sorted(["-    weight: 0.5", "+    weight: 0.7000", "-    weight: 0.5", "+    weight: 0.3000"])


def test_write_proposed_criteria_accepts_calibration_results(
    tmp_path: Path, inputs: recalibration.CalibrationInputs
) -> None:
    import yaml

    rep = recalibration.recalibrate(inputs, n_boot=10, seed=1)
    text = "criteria:\n" + "".join(f"  - id: {c}\n    weight: 0.1\n" for c in rep.result.weights.index)
    src = tmp_path / "c.yaml"
    src.write_text(text, encoding="utf-8")
    for given in (rep, rep.result, rep.result.weights, rep.result.weights.to_dict()):
        recalibration.write_proposed_criteria(src, given, tmp_path / "o.yaml")
        doc = yaml.safe_load((tmp_path / "o.yaml").read_text(encoding="utf-8"))
        got = pd.Series({c["id"]: c["weight"] for c in doc["criteria"]})
        assert (got - rep.result.weights.reindex(got.index)).abs().max() <= 1e-4


def test_write_proposed_criteria_refuses_params_directory(tmp_path: Path) -> None:
    src = tmp_path / "criteria.yaml"
    src.write_text(CRITERIA_TEXT, encoding="utf-8")
    out = tmp_path / "params" / "2027" / "criteria.yaml"
    with pytest.raises(ParamsError, match="params"):
        recalibration.write_proposed_criteria(src, {"a": 0.5, "b": 0.5}, out)
    assert not out.exists() and not (tmp_path / "params").exists()
    with pytest.raises(ParamsError, match="overwrite"):
        recalibration.write_proposed_criteria(src, {"a": 0.5, "b": 0.5}, src)
    with pytest.raises(ParamsError, match="Cannot read"):
        recalibration.write_proposed_criteria(tmp_path / "absent.yaml", {"a": 1.0}, tmp_path / "o.yaml")
    flow = tmp_path / "flow.yaml"
    flow.write_text("criteria: [{id: a, weight: 0.5}, {id: b, weight: 0.5}]\n", encoding="utf-8")
    with pytest.raises(ParamsError, match="block list"):
        recalibration.write_proposed_criteria(flow, {"a": 0.5, "b": 0.5}, tmp_path / "o.yaml")
    assert not (tmp_path / "o.yaml").exists()


# ------------------------------------------------------------- temporal validation


N_BOOT = 20  # enough for the shape of the results; the notebooks use 200


@pytest.fixture(scope="module")
def cycle() -> object:
    return with_decisions(load_params(ROOT / "params" / "2026"))  # as the notebooks load it


@pytest.fixture(scope="module")
def lists(cycle) -> dict[int, recalibration.YearList]:
    years = recalibration.years_with_outcomes(cycle)
    return {
        y: recalibration.load_year_list(cycle if y == 2026 else with_decisions(load_params(ROOT / "params" / str(y))))
        for y in [*years, 2026]
    }


@pytest.fixture(scope="module")
def temporal(cycle, lists) -> recalibration.TemporalValidation:
    return recalibration.temporal_validation(cycle, n_boot=N_BOOT, lists=lists)


def test_years_with_outcomes_on_the_sample(cycle) -> None:
    assert recalibration.years_with_outcomes(cycle) == [2023, 2024, 2025]


def test_rescore_with_the_years_weights_is_the_years_ranking(lists) -> None:
    """Rescoring only changes the weights: with the year's own it is its ranking."""
    yl = lists[2025]
    got = recalibration.rescore(yl, yl.params.spec.weights)
    tl = yl.ranking.target_list.set_index("customer_id")
    assert (got["tier"] == tl["tier"].reindex(got.index)).all()
    np.testing.assert_allclose(got["score"], tl["score"].reindex(got.index), atol=1e-12)


def test_temporal_table_shape_and_columns(temporal: recalibration.TemporalValidation) -> None:
    t = temporal.table
    assert temporal.pairs == [(2023, 2024), (2024, 2025)]
    # one row per weight set × pair (AHP from the cycle's judgements, noted)
    assert list(t["pair"].unique()) == ["2023→2024", "2024→2025"]
    for _, rows in t.groupby("pair"):
        assert list(rows["weights"]) == list(recalibration.WEIGHT_SETS)
    for col in (
        "fit_year",
        "score_year",
        "auc",
        "auc_ci_low",
        "auc_ci_high",
        "capture_top10",
        "capture_top20",
        "top_tier_conversion",
        "conversion_战略",
        "conversion_重点",
        "conversion_一般",
        "conversion_非目标",
        "auc_vs_expert",
    ):
        assert col in t.columns, col
    assert ((t["auc"] > 0.6) & (t["auc"] < 0.9)).all()  # the sample's outcomes follow the criteria
    assert (t["capture_top10"] < t["capture_top20"]).all()
    assert (t.loc[t["weights"] == "expert", "auc_vs_expert"] == 0).all()
    assert any("judgements" in n for n in temporal.notes)
    # the weights table: one row per fit year × set, each summing to 1
    w = temporal.weights
    assert len(w) == 2 * len(recalibration.WEIGHT_SETS)
    np.testing.assert_allclose(w[CRITERIA].sum(axis=1), 1.0, atol=1e-9)
    assert set(temporal.share_columns) >= {"capture_top10", "capture_top20", "top_tier_conversion"}


def _shuffled(yl: recalibration.YearList, seed: int) -> recalibration.YearList:
    o = yl.outcomes.copy()
    rng = np.random.default_rng(seed)
    perm = rng.permutation(len(o))
    o["won"] = o["won"].to_numpy()[perm]
    o["revenue"] = o["revenue"].to_numpy()[perm]
    return replace(yl, outcomes=o)


def test_weights_are_fitted_on_year_y_minus_1_only(lists) -> None:
    """Changing year Y's outcomes changes the scores of the table, never the weights;
    changing Y−1's changes the calibrated weights (and only those)."""
    fit, scored = lists[2024], lists[2025]
    t1, w1, _, _ = recalibration.validate_pair(fit, scored, n_boot=N_BOOT)
    t2, w2, _, _ = recalibration.validate_pair(fit, _shuffled(scored, 1), n_boot=N_BOOT)
    pd.testing.assert_frame_equal(w1, w2)
    assert not np.allclose(t1["auc"], t2["auc"])
    w3, _, _ = recalibration.candidate_weights(_shuffled(fit, 2), n_boot=N_BOOT)
    for name in ("expert", "entropy", "critic", "roc"):  # set without outcomes
        pd.testing.assert_series_equal(w1[name], w3[name])
    assert (w1["data"] - w3["data"]).abs().max() > 0.01
    assert (w1["blended"] - w3["blended"]).abs().max() > 0.001


def test_roc_follows_the_expert_order_with_ties(lists) -> None:
    w, _, _ = recalibration.candidate_weights(lists[2024], n_boot=N_BOOT)
    expert = w["expert"].round(10)
    for a in w.index:
        for b in w.index:
            if expert[a] > expert[b]:
                assert w.loc[a, "roc"] > w.loc[b, "roc"]
            elif expert[a] == expert[b]:
                assert w.loc[a, "roc"] == pytest.approx(w.loc[b, "roc"])


# ------------------------------------------------------------- the recommendation rule
def _rule_case() -> tuple[pd.Series, pd.DataFrame]:
    current = pd.Series({"a": 0.40, "b": 0.30, "c": 0.20, "d": 0.10})
    proposed = pd.DataFrame(
        {
            "proposed": [0.50, 0.20, 0.22, 0.08],
            "proposed_ci_low": [0.45, 0.15, 0.15, 0.05],  # a above, b below, c covers, d covers
            "proposed_ci_high": [0.55, 0.25, 0.30, 0.12],
        },
        index=list("abcd"),
    )
    return current, proposed


def test_rule_moves_only_when_calibration_review_and_out_of_sample_agree() -> None:
    current, proposed = _rule_case()
    review = pd.DataFrame({"review_direction": [1, 1, 1], "review_says": ["raise weight"] * 3}, index=["a", "b", "c"])
    gain = pd.Series({"a": 0.004, "b": 0.004, "c": 0.004, "d": 0.004})
    d = recalibration.decide_moves(current, proposed, review, gain)
    # a: all three agree; b: review says raise, calibration lower; c, d: interval covers the weight
    assert d["move"].to_dict() == {"a": True, "b": False, "c": False, "d": False}
    assert d["calibration_direction"].to_dict() == {"a": 1, "b": -1, "c": 0, "d": 0}
    assert "review says" in d.loc["b", "why"]
    # no out-of-sample gain: keep
    d = recalibration.decide_moves(current, proposed, review, gain.replace(0.004, -0.001))
    assert not d["move"].any()
    assert d.loc["a", "why"] == "following the calibration on it did not rank the next year better"
    # the threshold is a parameter
    assert not recalibration.decide_moves(current, proposed, review, gain, min_gain=0.005)["move"].any()
    # a silent review blocks under "agree", not under "not_contrary"
    silent = review.drop(index="a")
    assert not recalibration.decide_moves(current, proposed, silent, gain)["move"]["a"]
    assert recalibration.decide_moves(current, proposed, silent, gain, review_agreement="not_contrary")["move"]["a"]
    with pytest.raises(ParamsError, match="review_agreement"):
        recalibration.decide_moves(current, proposed, review, gain, review_agreement="any")


def test_adopted_weights_keep_the_others_proportions() -> None:
    current, proposed = _rule_case()
    w = recalibration.adopted_weights(current, proposed["proposed"], ["a"])
    # a takes 0.50; b, c, d share 0.50 in the proportions 3:2:1
    assert w.to_dict() == pytest.approx({"a": 0.5, "b": 0.25, "c": 1 / 6, "d": 1 / 12})
    pd.testing.assert_series_equal(recalibration.adopted_weights(current, proposed["proposed"], []), current)


def test_review_directions_read_the_review_words() -> None:
    ch = pd.DataFrame(
        {
            "kind": ["criterion", "criterion", "criterion", "criterion", "tier cut"],
            "item": ["a", "b", "c", "d", "战略"],
            "change": ["raise weight", "lower weight", "reverse or drop", "check data", "move cut"],
        }
    )
    d = recalibration.review_directions(ch)
    assert d["review_direction"].to_dict() == {"a": 1, "b": -1, "c": -1}


@pytest.fixture
def six(params_dir: Path, tmp_path: Path) -> recalibration.YearList:
    """Six finance customers that differ in two ratings only (a = strategic_fit,
    b = relationship_strength); quotas 1 / 2 / 0 of 6; every other criterion constant."""
    ab = {"c1": (5, 1), "c2": (4, 4), "c3": (4, 2), "c4": (2, 5), "c5": (2, 3), "c6": (1, 4)}
    rows = []
    for cid, (a, b) in ab.items():
        rows.append(
            {
                "customer_id": cid,
                "customer_name": f"客户{cid}",
                "segment": "finance",
                "region": "east",
                "owner_id": None,
                "it_budget": 100.0,
                "deal_size": 10.0,
                "growth": 5.0,
                "strategic_fit": a,
                "industry_influence": 3,
                "relationship_strength": b,
                "competitive_intensity": 3,
                "service_distance_km": 10.0,
                "credit_grade": "AAA",
                "payment_days": 30.0,
                "pipeline_stage": "potential",
                "expected_months_to_close": 3.0,
                "need_status": "target",
            }
        )
    path = tmp_path / "six.csv"
    pd.DataFrame(rows).to_csv(path, index=False, encoding="utf-8")

    def change(doc: dict) -> None:
        doc["inputs"]["preliminary_list"] = str(path)
        doc["tiers"]["quota"]["values"] = [0.17, 0.33, 0.0]

    edit_yaml(params_dir / "run.yaml", change)
    return recalibration.load_year_list(load_params(params_dir))


def _ratings(a: float, b: float) -> dict[str, float]:
    return {c: (a if c == "strategic_fit" else b if c == "relationship_strength" else 0.0) for c in CRITERIA}


def test_tier_changes_counted_exactly_on_six_customers(six: recalibration.YearList) -> None:
    """By hand, z = (rating − 1) / 4 and the cuts are 1 and 3 customers:
    0.7 a + 0.3 b → c2 .75, c1 .70, c3 .60, c4 .475, c5 .325, c6 .225: 战略 c2, 重点 c1 c3;
    0.3 a + 0.7 b → c4 .775, c2 .75, c6 .525, c5 .425, c3 .40, c1 .30: 战略 c4, 重点 c2 c6.
    c1, c2, c3, c4 and c6 change tier, c5 stays not targeted: 5 changes."""
    before = recalibration.rescore(six, _ratings(0.7, 0.3))
    assert before["tier"].to_dict() == {
        "c1": "重点",
        "c2": "战略",
        "c3": "重点",
        "c4": "非目标",
        "c5": "非目标",
        "c6": "非目标",
    }
    after = recalibration.rescore(six, _ratings(0.3, 0.7))
    assert after.loc["c4", "tier"] == "战略" and set(after.index[after["tier"] == "重点"]) == {"c2", "c6"}
    assert after.loc["c6", "score"] == pytest.approx(0.525)
    assert recalibration.count_tier_changes(six, _ratings(0.7, 0.3), _ratings(0.3, 0.7)) == 5
    assert recalibration.count_tier_changes(six, before["tier"], _ratings(0.3, 0.7)) == 5
    # 0.6 a + 0.4 b: c2 .75, c1 .60, c3 .55, c4 .55, ...: c3 and c4 tie at the cut and both
    # take 重点 (a tie is never split), so only c4 changes tier
    assert recalibration.count_tier_changes(six, _ratings(0.7, 0.3), _ratings(0.6, 0.4)) == 1
    # 0.8 a + 0.2 b: c1 .80, c2 .75, c3 .65: c1 and c2 swap 战略 and 重点
    assert recalibration.count_tier_changes(six, _ratings(0.7, 0.3), _ratings(0.8, 0.2)) == 2


# ------------------------------------------------------------- one recommendation, two notebooks
def test_both_notebooks_get_the_same_recommendation(cycle, lists, temporal) -> None:
    """Notebook 10 passes its calibration and temporal validation; notebook 30 its
    review evidence and the joint model's view. The one function gives one table, and
    the review's own change table then never contradicts it."""
    from prioanalysis.methods import metrics
    from prioanalysis.steps import review as ar

    seed = cycle.run.seed
    inputs = recalibration.load_calibration_inputs(cycle)
    report = recalibration.recalibrate(inputs, n_boot=N_BOOT, seed=seed, tier_names=cycle.run.tiers.names)
    rec10 = recalibration.recommend_changes(cycle, calibration_report=report, temporal=temporal, lists=lists)

    rin = ar.validate_review_parameters(2026, str(ROOT / "params" / "2026"))
    data = ar.load_review_data(rin)
    c = data.customers
    eff = ar.criteria_effectiveness(
        data.current.criteria_values, c["won"], rin.review_params.criteria, data.previous.criteria_values
    )
    view = recalibration.model_view(rin.params, calibration_year=rin.review_year)
    rec30 = recalibration.recommend_changes(rin.params, effectiveness=eff, model=view, n_boot=N_BOOT)
    pd.testing.assert_frame_equal(rec10.table, rec30.table)
    assert rec10.summary == rec30.summary and rec10.decision == rec30.decision

    t = rec30.table.set_index("criterion")
    assert list(t.index) == [*CRITERIA, "all criteria"]
    assert set(t["decision"]) <= {"move", "keep"}
    np.testing.assert_allclose(rec30.weights.sum(), 1.0)
    kept = t.index[(t["decision"] == "keep") & (t.index != "all criteria")]
    np.testing.assert_allclose(
        t.loc[kept, "to"] / t.loc[kept, "from"], t.loc[kept, "to"].sum() / t.loc[kept, "from"].sum()
    )
    if rec30.decision == "keep":
        pd.testing.assert_series_equal(rec30.weights, report.weights["expert"].rename("weight"))
        assert t.loc["all criteria", "tier_changes"] == 0

    tier_rates = metrics.rate_table(c["tier"], c["won"], c["revenue"], order=ar.tier_order(rin.review_params))
    changes = ar.next_year_changes(eff, tier_rates, model=view, joint=rec30.table)
    crit = changes[changes["kind"] == "criterion"].set_index("item")
    for cid, row in crit.iterrows():
        if row["change"] in ("raise weight", "lower weight", "drop", "reverse or drop"):
            assert t.loc[cid, "decision"] == "move", (cid, row["change"])
            assert (row["change"] == "raise weight") == (t.loc[cid, "change"] > 0)


def test_a_move_is_the_calibrations_value_and_its_tier_changes_are_counted(cycle, lists, temporal) -> None:
    """Under the looser agreement rule the sample's data support a move (the review says
    nothing against it): the moved weight takes the calibration's proposal, the others keep
    their proportions, and the last row counts the customers of the 2026 list that change
    tier under the recommended weights."""
    inputs = recalibration.load_calibration_inputs(cycle)
    report = recalibration.recalibrate(inputs, n_boot=N_BOOT, seed=cycle.run.seed)
    rec = recalibration.recommend_changes(
        cycle, calibration_report=report, temporal=temporal, lists=lists, review_agreement="not_contrary"
    )
    t = rec.table.set_index("criterion")
    moved = t.index[(t["decision"] == "move") & (t.index != "all criteria")]
    assert rec.decision == ("move" if len(moved) else "keep")
    np.testing.assert_allclose(t.loc[moved, "to"], t.loc[moved, "calibration_proposed"])
    assert (t.loc[moved, "out_of_sample_gain"] > 0).all()
    assert len(moved) >= 1  # on the sample: credit grade, lowered
    outside = (t.loc[moved, "calibration_ci_low"] > t.loc[moved, "from"]) | (
        t.loc[moved, "calibration_ci_high"] < t.loc[moved, "from"]
    )
    assert outside.all()
    expected = recalibration.count_tier_changes(lists[2026], report.weights["expert"], rec.weights)
    assert t.loc["all criteria", "tier_changes"] == expected
    assert rec.choices["review_agreement"] == "not_contrary" and "does not propose the opposite" in rec.rule


def test_judge_group_reads_either_form_of_judgements(tmp_path: Path) -> None:
    """A judgements file written as one hierarchy (no ``judges:``) is one judge named after
    the BU; a file with several judges is their group. Either way the same API answers."""
    import yaml

    from prioanalysis.steps.calibration import judge_group, load_judge_group

    params = load_params(ROOT / "params" / "2026")
    several = yaml.safe_load((params.directory / "judgements.yaml").read_text(encoding="utf-8"))
    first = next(iter(several["judges"].values()))
    one = tmp_path / "judgements.yaml"
    one.write_text(yaml.safe_dump(first, allow_unicode=True), encoding="utf-8")
    single = load_judge_group(one, single_judge="事业部")
    assert list(single.judges) == ["事业部"]
    assert abs(single.weights.sum() - 1) < 1e-9
    group = judge_group(params)
    assert set(group.judges) == set(several["judges"])
    # the one judge alone gives that judge's own weights, whichever aggregation
    alone = load_judge_group(one, method="aip")
    assert (alone.weights - single.weights).abs().max() < 1e-12
