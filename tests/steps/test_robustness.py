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
        doc["assignment"]["service_levels"] = {"A": 12, "B": 4}  # one per tier, as the tiers are named

    edit_yaml(params_dir / "run.yaml", threshold)
    spec = tier_spec(load_params(params_dir), pd.Series(["x"], index=["c"]))
    assert spec == {"names": ["A", "B"], "not_targeted": "none", "thresholds": [0.7, 0.5]}

    def count_all(doc):
        doc["tiers"] = {"scheme": "quota", "names": ["A"], "quota": {"kind": "count", "by": "all", "values": [3]}}
        doc["priority_matrix"]["important_tiers"] = ["A"]
        for key in ("capacity", "unit", "service_levels"):  # back to one fixed capacity per tier
            doc["assignment"].pop(key)

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
    # the run has owners: the list carries the assignment, with or without the draws
    assert set(schema.ASSIGNMENT) <= set(off.target_list.columns)
    pd.testing.assert_frame_equal(off.target_list.drop(columns=list(schema.ASSIGNMENT)), plain.target_list)


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


# ----------------------------------------------------------------------------- owner assignment
def _with_assignment(params, **changes):
    import dataclasses

    run = params.run.model_copy(update={"assignment": params.run.assignment.model_copy(update=changes)})
    return dataclasses.replace(params, run=run)


def test_add_assignment_names_the_assigned_owner_of_every_target() -> None:
    from prioanalysis.steps.robustness import ASSIGNMENT_STATUSES, add_assignment, owner_plan

    params = load_params(PARAMS_SRC)
    result = run_ranking(params)
    out = add_assignment(result, params)
    tl = out.target_list
    schema.validate_target_list(tl)
    owners = pd.read_csv(SAMPLE_2026.parent / "owners.csv").set_index("owner_id")
    targets = tl[tl["tier"] != params.run.tiers.not_targeted]
    assert set(tl["assignment_status"]) <= set(ASSIGNMENT_STATUSES)
    assert (tl.loc[tl["tier"] == params.run.tiers.not_targeted, "assignment_status"] == "not_targeted").all()
    # the sample's service levels: every target has an owner of its segment, within capacity
    assert (targets["assignment_status"] == "assigned").all()
    assert (targets["assigned_owner_name"] == targets["assigned_owner_id"].map(owners["owner_name"])).all()
    assert (targets["segment"] == targets["assigned_owner_id"].map(owners["segment"])).all()
    plan = owner_plan(result, params)
    assert (plan.workload["used"] <= plan.workload["capacity"]).all()
    assert out.choices["assignment"]["capacity_mode"] == "workload"
    assert out.choices["assignment"]["unassigned"] == {"战略": 0, "重点": 0, "一般": 0}


def test_sample_tier_slots_leave_strategic_targets_while_general_slots_are_free() -> None:
    """The issue's finding, kept as the documented alternative: with one fixed capacity
    per tier, strategic targets go without an owner while general slots sit free in
    the same segments; the sample's service levels serve them all."""
    from prioanalysis.steps.robustness import owner_plan

    params = load_params(PARAMS_SRC)
    result = run_ranking(params)
    slots = owner_plan(result, _with_assignment(params, capacity="tier_slots"))
    gap = slots.unassigned
    assert (gap["tier"] == "战略").sum() > 0
    free_general = slots.loads[slots.loads["tier"] == "一般"].groupby("segment")["free"].sum()
    assert (free_general.reindex(gap["segment"].unique()) > 0).all()
    flow = owner_plan(result, params)
    assert flow.unassigned.empty


def test_capacity_column_in_the_unit(tmp_path) -> None:
    from prioanalysis.steps.robustness import owner_plan, read_run_owners

    params = load_params(PARAMS_SRC)
    owners = pd.read_csv(SAMPLE_2026.parent / "owners.csv").assign(visits=120)
    path = tmp_path / "owners.csv"
    owners.to_csv(path, index=False)
    p = _with_assignment(params, capacity_column="visits")
    read = read_run_owners(p, path)
    assert "visits" in read.columns
    plan = owner_plan(run_ranking(params), p, path)
    assert (plan.workload["capacity"] == 120).all() and (plan.workload["used"] <= 120).all()
    assert len(plan.unassigned) > 0  # 120 visits each: a real gap, costed by tier
    short = plan.resource_plan.groupby("tier", sort=False)["unassigned"].sum()
    assert short.sum() == len(plan.unassigned)
    # lower tiers only use what the better tiers left: in a segment where a target of a
    # tier has no owner, no target of a lower tier has one (120 is a multiple of every
    # service level, so no owner keeps a remainder too small for the better tier)
    rank = {"战略": 0, "重点": 1, "一般": 2}
    worst_gap = plan.unassigned.assign(t=plan.unassigned["tier"].map(rank)).groupby("segment")["t"].min()
    served = plan.assignments.assign(t=plan.assignments["tier"].map(rank)).groupby("segment")["t"].max()
    assert (served.reindex(worst_gap.index).fillna(-1) <= worst_gap).all()
    with pytest.raises(ParamsError, match="file not found"):
        read_run_owners(p, tmp_path / "missing.csv")


def test_service_levels_must_name_every_tier(params_dir) -> None:
    def change(doc):
        doc["assignment"]["service_levels"] = {"战略": 24, "重点": 12}

    edit_yaml(params_dir / "run.yaml", change)
    with pytest.raises(ParamsError, match="service_levels"):
        load_params(params_dir)

    def no_unit(doc):
        doc["assignment"]["service_levels"] = {"战略": 24, "重点": 12, "一般": 4}
        del doc["assignment"]["unit"]

    edit_yaml(params_dir / "run.yaml", no_unit)
    with pytest.raises(ParamsError, match="unit"):
        load_params(params_dir)


def test_cli_run_carries_the_assignment_into_csv_workbook_and_database(tmp_path) -> None:
    """End to end: `run --source db --notebook 20_ranking`; the list's assignment and
    robustness columns agree in target_list.csv, the workbook and the database."""
    import os
    import subprocess
    import sys

    from openpyxl import load_workbook

    from prioanalysis.store import database as store
    from tests.conftest import ROOT

    url = f"sqlite:///{tmp_path / 'team.db'}"
    env = {**os.environ, "PRIOANALYSIS_DB_URL": url}

    def cli(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "prioanalysis", *args],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=900,
        )

    sample = ROOT / "data" / "sample"
    assert cli("db", "init").returncode == 0
    for what, name in (("customers", "preliminary_2026.csv"), ("owners", "owners.csv")):
        res = cli("db", "import", what, str(sample / name))
        assert res.returncode == 0, res.stderr
    res = cli("run", "--source", "db", "--notebook", "20_ranking", "--outputs", str(tmp_path / "out"))
    assert res.returncode == 0, res.stderr
    run = next((tmp_path / "out" / "2026").iterdir())
    tl = pd.read_csv(run / "tables" / "target_list.csv", dtype={"customer_id": str}, keep_default_na=False)
    owners = pd.read_csv(sample / "owners.csv").set_index("owner_id")["owner_name"]
    targets = tl[tl["tier"] != "非目标"]
    assert (targets["assignment_status"] == "assigned").all()
    assert (targets["assigned_owner_name"] == targets["assigned_owner_id"].map(owners)).all()
    assert set(tl["review"].astype(str)) <= {"True", "False"} and "p_keep_tier" in tl.columns
    book = load_workbook(run / "target_list_2026.xlsx", read_only=True)
    ws = book["政府"]
    rows = list(ws.iter_rows(values_only=True))
    head = list(rows[0])
    gov = targets[targets["segment"] == "government"]
    assert [r[0] for r in rows[1:]] == gov["customer_name"].tolist()
    assert [r[head.index("负责人（本年分配）")] for r in rows[1:]] == gov["assigned_owner_name"].tolist()
    assert [r[head.index("需复核")] for r in rows[1:]] == gov["review"].map({True: "是", False: "否"}).tolist()
    db = store.load_results(store.get_engine(url), 2026, published_only=False).set_index("customer_id")
    csv = tl.set_index("customer_id")
    for col in ("assigned_owner_id", "assigned_owner_name", "assignment_status"):
        assert db[col].fillna("").reindex(csv.index).tolist() == csv[col].tolist(), col
    assert db["review"].reindex(csv.index).astype(bool).tolist() == csv["review"].tolist()
