"""Tests of prioanalysis.steps.robustness: the robustness step on the 2026 sample — the
draws reproduce the ranking's base tiers, the tier spec of run.yaml, the robustness
columns of the target list, the AHP check, the missing-value policy sensitivity
(moved from the acceptability tests with the step code) and the weight draws within
the experts' bounds and orders of criteria.yaml beside the Dirichlet draws."""

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
    constrained_draws,
    draw_arguments,
    missing_policy_sensitivity,
    rank_with_robustness,
    tier_acceptability,
    tier_spec,
    weight_constraints,
)
from tests.conftest import CRITERIA, PARAMS_SRC, SAMPLE_2026, edit_yaml, read_yaml

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


# ----------------------------------------------------------------------------------
# The constrained weight draws (bounds and orders of criteria.yaml)
# ----------------------------------------------------------------------------------


def _strip_constraints(doc):
    doc.pop("family_weight_bounds", None)
    doc.pop("weight_order", None)
    for c in doc["criteria"]:
        c.pop("weight_bounds", None)


def test_weight_constraints_are_those_of_criteria_yaml():
    params = load_params(PARAMS_SRC)
    kw = weight_constraints(params.criteria)
    doc = read_yaml(PARAMS_SRC / "criteria.yaml")
    assert kw["bounds"] == {c["id"]: tuple(c["weight_bounds"]) for c in doc["criteria"] if "weight_bounds" in c}
    assert kw["families"] == {c["id"]: c["family"] for c in doc["criteria"]}
    assert kw["family_bounds"] == {f: tuple(v) for f, v in doc["family_weight_bounds"].items()}
    assert ("deal_size", "it_budget") in kw["orders"]


def test_constrained_draws_on_the_sample_respect_criteria_yaml():
    params = load_params(PARAMS_SRC)
    draws = constrained_draws(params)
    assert draws is constrained_draws(params)  # made once per process
    w = draws.weights
    assert list(w.columns) == CRITERIA and len(w) == params.run.robustness.n_draws
    crit = params.criteria
    fam = pd.Series({c.id: c.family for c in crit.criteria})
    totals = w.T.groupby(fam).sum().T
    within = w / totals[fam.reindex(w.columns)].to_numpy()
    for c in crit.criteria:
        lo, hi = c.weight_bounds
        assert within[c.id].between(lo - 1e-9, hi + 1e-9).all(), c.id
    for a, b in crit.weight_orders:
        assert (within[a] >= within[b] - 1e-9).all()
    for f, (lo, hi) in crit.family_weight_bounds.items():
        assert totals[f].between(lo - 1e-9, hi + 1e-9).all()
    d = draws.diagnostics
    assert d["seed"] == params.run.seed and d["r_hat_max"] < 1.1 and d["ess_min"] > 500


def test_tier_acceptability_under_both_samplers(sample_run):
    params, _, result = sample_run
    with_draws = add_robustness(result, params)
    table = tier_acceptability(with_draws, params)
    assert list(table.columns) == [
        "customer_id",
        "customer_name",
        "segment",
        "tier",
        "score",
        "p_keep_tier_dirichlet",
        "p_keep_tier_constrained",
        "difference",
    ]
    tl = with_draws.target_list
    assert table["customer_id"].tolist() == tl["customer_id"].tolist()
    np.testing.assert_array_equal(table["p_keep_tier_dirichlet"], tl["p_keep_tier"])
    # the constrained column is rank_acceptability with the constrained draws
    res = rank_acceptability(**acceptability_inputs(result, params), weight_draws=constrained_draws(params))
    expected = table["customer_id"].map(res.summary["p_keep_tier"])
    np.testing.assert_array_equal(table["p_keep_tier_constrained"], expected)
    np.testing.assert_allclose(table["difference"], expected - tl["p_keep_tier"].to_numpy())
    assert table["segment"].isin([s.label for s in params.run.segments.values()]).all()
    # the two samplers disagree on some customers, not on all
    assert (table["difference"].abs() > 0.05).any() and (table["difference"] == 0).any()
    # computed from scratch when the ranking has no robustness columns: the same table
    pd.testing.assert_frame_equal(tier_acceptability(result, params), table)


def test_sampler_constrained_drives_the_target_list(params_dir, sample_run):
    _, _, result = sample_run
    edit_yaml(params_dir / "run.yaml", lambda d: d["robustness"].update(sampler="constrained"))
    params = load_params(params_dir)
    out = add_robustness(result, params)
    table = tier_acceptability(out, params)
    np.testing.assert_array_equal(out.target_list["p_keep_tier"], table["p_keep_tier_constrained"])
    assert out.choices["robustness_sampler"] == "constrained"
    assert out.choices["robustness_draws"]["sampler"] == "hit-and-run"
    review = out.target_list["p_keep_tier"] < params.run.robustness.review_threshold
    assert out.choices["robustness_flagged_review"] == int(review.sum())
    # dirichlet (the default) records its sampler and no draws diagnostics
    default = add_robustness(result, load_params(PARAMS_SRC))
    assert default.choices["robustness_sampler"] == "dirichlet" and "robustness_draws" not in default.choices


def test_without_bounds_or_orders_only_the_dirichlet_draws_run(params_dir, sample_run):
    _, _, result = sample_run
    edit_yaml(params_dir / "criteria.yaml", _strip_constraints)
    params = load_params(params_dir)
    assert not params.criteria.states_weight_constraints
    assert tier_acceptability(result, params) is None
    assert draw_arguments(params) == {"n_draws": 1000, "seed": params.run.seed, "concentration": 100.0}
    edit_yaml(params_dir / "run.yaml", lambda d: d["robustness"].update(sampler="constrained"))
    params = load_params(params_dir)
    with pytest.raises(ParamsError, match=r"robustness\.sampler 'constrained'.*states none") as exc:
        add_robustness(result, params)
    assert "run.yaml" in str(exc.value) and "criteria.yaml" in str(exc.value)
    with pytest.raises(ParamsError, match="unknown weight sampler"):
        draw_arguments(params, "uniform")
