"""Tests of prioanalysis.steps.robustness: the robustness step on the 2026 sample — the
draws reproduce the ranking's base tiers, the tier spec of run.yaml, the robustness
columns of the target list, the AHP check and the missing-value policy sensitivity
(moved from the acceptability tests with the step code)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from prioanalysis.config.params import load_params
from prioanalysis.errors import ParamsError
from prioanalysis.inputs.judgements import load_judgements
from prioanalysis.inputs.preliminary import validate_preliminary
from prioanalysis.inputs.tables import read_table
from prioanalysis.methods import target_list as schema
from prioanalysis.methods.acceptability import ahp_weight_draws, rank_acceptability, review_flags
from prioanalysis.steps.ranking import rank_customers, run_ranking
from prioanalysis.steps.robustness import (
    acceptability_inputs,
    add_robustness,
    missing_policy_sensitivity,
    rank_with_robustness,
    tier_spec,
)
from tests.conftest import CRITERIA, PARAMS_SRC, SAMPLE_2026, edit_yaml

# ----------------------------------------------------------------------------------
# The 2026 sample, end to end
# ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def sample_run():
    params = load_params(PARAMS_SRC)
    intake = validate_preliminary(read_table(SAMPLE_2026), params)
    return params, intake, rank_customers(intake, params)


def test_sample_base_ranks_and_tiers_reproduce_the_pipeline(sample_run):
    params, _, result = sample_run
    inputs = acceptability_inputs(result, params)
    res = rank_acceptability(**inputs, n_draws=200, seed=2026)
    table = result.target_list.set_index("customer_id")
    s = res.summary
    assert s.index.equals(inputs["matrix"].index)
    assert (s["base_tier"] == table["tier"].reindex(s.index)).all()
    assert (s["base_rank"] == table["rank"].reindex(s.index)).all()
    np.testing.assert_allclose(s["base_score"], table["score"].reindex(s.index), atol=1e-9)
    # tiers that the gates decide never move: gate failures are never in a tier
    failed = ~inputs["tiers"]["eligible"]
    assert (s.loc[failed, "p_非目标"] == 1.0).all()
    # a few customers near the cut-offs are uncertain, most are not
    flags = review_flags(s["p_keep_tier"])
    assert 0 < (flags == "review").sum() < 0.5 * len(s)
    assert res.params["tiers"]["by"] == "groups" and res.params["n_draws"] == 200


def test_tier_spec_threshold_and_count_schemes(params_dir):
    def threshold(doc):
        doc["tiers"] = {"scheme": "threshold", "names": ["A", "B"], "not_targeted": "none", "thresholds": [0.7, 0.5]}
        doc["priority_matrix"]["important_tiers"] = ["A"]

    edit_yaml(params_dir / "run.yaml", threshold)
    spec = tier_spec(load_params(params_dir), pd.Series(["x"], index=["c"]))
    assert spec == {"names": ["A", "B"], "not_targeted": "none", "thresholds": [0.7, 0.5]}

    def count_all(doc):
        doc["tiers"] = {"scheme": "quota", "names": ["A"], "quota": {"kind": "count", "by": "all", "values": [3]}}
        doc["priority_matrix"]["important_tiers"] = ["A"]

    edit_yaml(params_dir / "run.yaml", count_all)
    spec = tier_spec(load_params(params_dir), pd.Series(["x"], index=["c"]))
    assert spec == {"names": ["A"], "not_targeted": "not targeted", "counts": [3.0]}


def test_ahp_draws_feed_rank_acceptability(sample_run):
    params, _, result = sample_run
    data = load_judgements(PARAMS_SRC / "judgements.yaml")
    draws = ahp_weight_draws(data, n_draws=60, seed=9)
    assert draws.shape == (60, 10) and set(draws.columns) == set(CRITERIA)
    np.testing.assert_allclose(draws.sum(axis=1), 1.0)
    inputs = acceptability_inputs(result, params)
    res = rank_acceptability(**inputs, weight_draws=draws)
    assert res.draws == 60 and res.params["weights_source"] == "given draws"
    np.testing.assert_allclose(res.weight_draws[draws.columns].to_numpy(), draws.to_numpy())


# ----------------------------------------------------------------------------------
# Missing-value policy sensitivity
# ----------------------------------------------------------------------------------


def _set_policy(policy: str):
    def change(doc):
        doc["defaults"]["missing"] = policy
        for c in doc["criteria"]:
            c["missing"] = policy

    return change


def test_missing_policy_sensitivity_matches_reruns_from_edited_files(params_dir, tiny_csv):
    params = load_params(params_dir)
    intake = validate_preliminary(read_table(tiny_csv), params)
    table = missing_policy_sensitivity(intake, params, policies=("median", "worst"))
    # C4 (deal size, distance), C5 (relationship) and C7 (credit) have gaps
    assert table.index.tolist() and set(table.index) == {"C4", "C5", "C7"}
    assert table.loc["C4", "n_missing"] == 2 and table.loc["C7", "n_missing"] == 1
    assert table.loc["C7", "missing"] == "信用等级"
    base = rank_customers(intake, params).target_list.set_index("customer_id")
    assert (table["rank_configured"] == base.loc[table.index, "rank"]).all()
    # an independent rerun: the policy written into a copy of criteria.yaml
    for policy in ("median", "worst"):
        edit_yaml(params_dir / "criteria.yaml", _set_policy(policy))
        rerun = rank_customers(intake, load_params(params_dir)).target_list.set_index("customer_id")
        assert (table[f"rank_{policy}"] == rerun.loc[table.index, "rank"]).all()
        assert (table[f"tier_{policy}"] == rerun.loc[table.index, "tier"]).all()
    ranks = table[["rank_configured", "rank_median", "rank_worst"]]
    assert (table["rank_range"] == ranks.max(axis=1) - ranks.min(axis=1)).all()
    tiers = table[["tier_configured", "tier_median", "tier_worst"]]
    assert (table["tier_depends_on_policy"] == (tiers.nunique(axis=1) > 1)).all()  # noqa: PD101  (per row, as in the code)
    # the params object was not modified
    assert params.criteria.by_id("credit_grade").missing == "worst"


def test_missing_policy_sensitivity_on_the_sample(sample_run):
    params, intake, _ = sample_run
    table = missing_policy_sensitivity(intake, params)
    assert len(table) == int(intake.customers[params.criteria.ids].isna().any(axis=1).sum())
    assert [c for c in table.columns if c.startswith("rank_") and c not in ("rank_min", "rank_max", "rank_range")] == [
        "rank_configured",
        "rank_segment_median",
        "rank_median",
        "rank_neutral",
        "rank_worst",
    ]
    assert table["tier_depends_on_policy"].any() and not table["tier_depends_on_policy"].all()
    assert (table["rank_min"] <= table["rank_configured"]).all()


def test_missing_policy_sensitivity_refuses_unknown_policies(sample_run):
    params, intake, _ = sample_run
    with pytest.raises(ParamsError, match="unknown missing-value policies"):
        missing_policy_sensitivity(intake, params, policies=("mean",))


# ----------------------------------------------------------------------------------
# The robustness columns and the eligibility of the draws
# ----------------------------------------------------------------------------------


def test_eligible_column_decides_who_competes_in_the_draws(sample_run):
    """The draws take eligibility from the ranking's boolean ``eligible`` column (scored
    and passed the gates), not from the text of the not-targeted reason."""
    params, _, result = sample_run
    tl = result.target_list
    assert tl["eligible"].dtype == bool
    # eligible exactly when the reason is empty or the tier cut-off (the old text rule)
    assert (tl["eligible"] == tl["not_targeted_reason"].isin(["", "below the tier cut-off"])).all()
    assert (~tl["eligible"]).any() and tl["eligible"].any()
    # relabel the reasons: the draws do not change
    renamed = tl.assign(not_targeted_reason=np.where(tl["not_targeted_reason"] == "", "", "x"))
    a = acceptability_inputs(result, params)["tiers"]["eligible"]
    import dataclasses

    b = acceptability_inputs(dataclasses.replace(result, target_list=renamed), params)["tiers"]["eligible"]
    pd.testing.assert_series_equal(a, b)
    assert a.sum() == tl["eligible"].sum()


def test_add_robustness_adds_the_schema_columns_and_the_review_flag(sample_run):
    params, _, result = sample_run
    out = add_robustness(result, params)
    tl = out.target_list
    schema.validate_target_list(tl)
    assert list(tl.columns) == [c for c in schema.COLUMNS if c in tl.columns]
    assert set(schema.ROBUSTNESS) <= set(tl.columns)
    rb = params.run.robustness
    review = tl["p_keep_tier"] < rb.review_threshold
    assert (tl.loc[review, "flags"].str.startswith("review")).all()
    assert not tl.loc[~review, "flags"].str.contains("review").any()
    assert out.choices["robustness_flagged_review"] == int(review.sum())
    # the rest of the list is untouched
    rest = [c for c in result.target_list.columns if c != "flags"]
    pd.testing.assert_frame_equal(tl[rest], result.target_list[rest])
    assert (tl["rank_p05"] <= tl["rank_p95"]).all() and tl["p_keep_tier"].between(0, 1).all()


def test_rank_with_robustness_follows_run_yaml(params_dir, tiny_csv):
    params = load_params(params_dir)
    plain = run_ranking(params, tiny_csv)
    assert not set(schema.ROBUSTNESS) & set(plain.target_list.columns)  # run_ranking draws nothing
    schema.validate_target_list(plain.target_list)
    with_draws = rank_with_robustness(params, tiny_csv)
    assert params.run.robustness.enabled and set(schema.ROBUSTNESS) <= set(with_draws.target_list.columns)
    edit_yaml(params_dir / "run.yaml", lambda d: d["robustness"].update(enabled=False))
    off = rank_with_robustness(load_params(params_dir), tiny_csv)
    pd.testing.assert_frame_equal(off.target_list, plain.target_list)


def test_missing_policy_sensitivity_reuses_the_configured_ranking(sample_run):
    params, intake, result = sample_run
    a = missing_policy_sensitivity(intake, params, policies=("median",))
    b = missing_policy_sensitivity(intake, params, policies=("median",), configured=result)
    pd.testing.assert_frame_equal(a, b)


def test_varies_by_row_is_nunique_above_one():
    import numpy as np
    import pandas as pd

    from prioanalysis.steps.robustness import _varies_by_row

    rng = np.random.default_rng(0)
    frame = pd.DataFrame(
        {f"tier_{i}": rng.choice(np.array(["A", "B", None, np.nan], dtype=object), 500) for i in range(4)}
    )
    frame.iloc[0] = None
    frame.iloc[1] = ["A", np.nan, "A", None]
    expected = frame.nunique(axis=1) > 1  # noqa: PD101
    pd.testing.assert_series_equal(_varies_by_row(frame), expected, check_names=False)
    assert _varies_by_row(frame.iloc[:, :0]).eq(False).all()
