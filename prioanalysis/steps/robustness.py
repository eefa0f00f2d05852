"""The robustness step (notebook 25): how far this year's ranking can be trusted.

The kernels of :mod:`prioanalysis.methods.acceptability` know no parameter file; this
module feeds them a ranking (:class:`prioanalysis.steps.ranking.RankingResult`) and
``run.yaml``:

* :func:`tier_spec` — the tier rule of ``run.yaml`` as the ``tiers`` argument of the
  draws;
* :func:`acceptability_inputs` — every argument of
  :func:`~prioanalysis.methods.acceptability.rank_acceptability` that reproduces the
  ranking (the prepared matrix, weights, scoring method, the ``eligible`` customers);
* :func:`add_robustness` — each customer's probability of keeping its tier, the rank
  interval and the *review* flag, added to the target list;
* :func:`rank_with_robustness` — the ranking of notebook 20: the list ranked, with the
  robustness columns when ``robustness.enabled``;
* :func:`draw_arguments` — the weight draws of ``robustness.sampler``: a Dirichlet
  around the weights, or uniform within the experts' bounds and orders of
  ``criteria.yaml`` (:func:`constrained_draws`, hit-and-run);
* :func:`tier_acceptability` — each customer's probability of keeping its tier under
  both samplers side by side, when ``criteria.yaml`` states bounds or orders;
* :func:`uncertain_targets` — the targets whose tier is unstable, with the weight that
  decides them; :func:`ahp_check` — the same draws from the judges' own AHP
  uncertainty;
* :func:`missing_policy_sensitivity` — the data uncertainty: the whole ranking rerun
  under each missing-value policy;
* :func:`read_run_owners`, :func:`owner_plan` and :func:`add_assignment` — the
  development owners of the targets within the owners' capacity (``assignment`` in
  ``run.yaml``: tier service levels with capacity flowing between tiers by priority,
  or one fixed capacity per tier), carried into the target list
  (``assigned_owner_id``, ``assigned_owner_name``, ``assignment_status``) by
  :func:`rank_with_robustness`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from prioanalysis.config.params import MISSING_POLICIES, CriteriaParams, Params
from prioanalysis.errors import InputError, ParamsError
from prioanalysis.inputs.preliminary import IntakeResult
from prioanalysis.methods import acceptability
from prioanalysis.methods import assignment as _assignment
from prioanalysis.methods import target_list as _schema
from prioanalysis.steps.ranking import (
    RankingResult,
    rank_customers,
    ranking_folder,
    result_fingerprint,
    run_ranking,
    save_result,
    stored_result,
)

__all__ = [
    "tier_spec",
    "acceptability_inputs",
    "SAMPLERS",
    "weight_constraints",
    "constrained_draws",
    "draw_arguments",
    "add_robustness",
    "tier_acceptability",
    "rank_with_robustness",
    "uncertain_targets",
    "ahp_check",
    "missing_policy_sensitivity",
    "ASSIGNMENT_STATUSES",
    "read_run_owners",
    "owner_plan",
    "add_assignment",
    "resource_view",
]

#: Values of the target list's ``assignment_status``.
ASSIGNMENT_STATUSES: tuple[str, ...] = ("assigned", "capacity_full", "no_eligible_owner", "not_targeted")

#: The weight samplers of ``robustness.sampler`` in ``run.yaml``.
SAMPLERS: tuple[str, ...] = ("dirichlet", "constrained")


def tier_spec(params: Params, segments: pd.Series, eligible: pd.Series | None = None) -> dict[str, Any]:
    """The tier rule of ``run.yaml`` as a ``tiers`` spec for
    :func:`~prioanalysis.methods.acceptability.rank_acceptability`.

    Parameters
    ----------
    params : Params
        The run parameters (``tiers`` section).
    segments : pandas.Series
        Segment of each customer, indexed like the criteria matrix (used when the
        quota is by segment).
    eligible : pandas.Series, optional
        Boolean, passed every screening gate (default: everyone).

    Returns
    -------
    dict
        ``names``, ``not_targeted``, ``eligible`` and either ``shares`` / ``counts``
        with ``groups`` (quota) or ``thresholds``.
    """
    tiers = params.run.tiers
    spec: dict[str, Any] = {"names": list(tiers.names), "not_targeted": tiers.not_targeted}
    if eligible is not None:
        spec["eligible"] = eligible
    if tiers.scheme == "threshold":
        spec["thresholds"] = list(tiers.thresholds or [])
        return spec
    quota = tiers.quota
    assert quota is not None
    spec["shares" if quota.kind == "share" else "counts"] = list(quota.values)
    if quota.by == "segment":
        spec["groups"] = segments
    return spec


def acceptability_inputs(result: RankingResult, params: Params) -> dict[str, Any]:
    """Arguments of :func:`~prioanalysis.methods.acceptability.rank_acceptability` that
    reproduce a ranking.

    Parameters
    ----------
    result : RankingResult
        A ranking (its prepared matrix, segments and ``eligible`` column are used).
    params : Params
        The parameters of that run.

    Returns
    -------
    dict
        ``matrix``, ``directions``, ``weights``, ``method``, ``normalization`` and
        ``tiers`` (see :func:`tier_spec`; customers failing a gate are not eligible).
        The draws rank with the ``min`` tie rule and no tie breakers, and a
        criterion under ``exclude_reweight`` is scored on its filled-in median, so
        the base ranks can differ from the run's in these cases only.
    """
    crit, run = params.criteria, params.run
    matrix = result.prepared.matrix
    table = result.target_list.set_index(_schema.KEY)
    eligible = table["eligible"].reindex(matrix.index).astype(bool)
    segments = table["segment"].reindex(matrix.index)
    norm: Any = run.scoring.normalization
    if norm is None and run.scoring.method == "weighted_sum":
        norm = {c.id: crit.normalization(c) for c in crit.criteria}
    return {
        "matrix": matrix,
        "directions": {c.id: c.direction for c in crit.criteria},
        "weights": crit.global_weights(),
        "method": run.scoring.method,
        "normalization": norm,
        "tiers": tier_spec(params, segments, eligible),
    }


def weight_constraints(criteria: CriteriaParams) -> dict[str, Any]:
    """What ``criteria.yaml`` states about the weights, as the constraint arguments of
    :func:`prioanalysis.methods.acceptability.constrained_weight_draws`.

    Returns
    -------
    dict
        ``bounds`` (criterion → ``(lower, upper)``), ``orders`` (pairs ``(a, b)``:
        ``a`` weighs at least ``b``), ``families`` (criterion → family, when
        ``family_weights`` is given: the bounds and orders are then within-family)
        and ``family_bounds``.
    """
    by_family = criteria.family_weights is not None
    return {
        "bounds": {c.id: c.weight_bounds for c in criteria.criteria if c.weight_bounds is not None},
        "orders": criteria.weight_orders,
        "families": {c.id: c.family for c in criteria.criteria} if by_family else None,
        "family_bounds": dict(criteria.family_weight_bounds or {}) or None,
    }


_DRAWS_CACHE: dict[str, acceptability.WeightDraws] = {}


def constrained_draws(params: Params) -> acceptability.WeightDraws:
    """Weights drawn uniformly within the bounds and orders of ``criteria.yaml``.

    :func:`prioanalysis.methods.acceptability.constrained_weight_draws` with
    :func:`weight_constraints`, ``robustness.n_draws``, ``chains``, ``burn_in``,
    ``thinning`` and the run's ``seed``. The same parameters give the same draws
    (they are made once per process and reused).

    Raises
    ------
    ParamsError
        ``criteria.yaml`` states no bounds and no orders (naming both files).
    """
    crit, rb = params.criteria, params.run.robustness
    if not crit.states_weight_constraints:
        raise ParamsError(
            f"{params.run_path}: robustness.sampler 'constrained' draws the weights within the experts' "
            f"bounds and orders, but {params.criteria_path} states none (weight_bounds on a criterion, "
            "family_weight_bounds or weight_order)"
        )
    kwargs = weight_constraints(crit)
    settings: dict[str, Any] = {"n_draws": rb.n_draws, "seed": params.run.seed, "chains": rb.chains}
    settings.update(burn_in=rb.burn_in, thinning=rb.thinning)
    key = repr((crit.ids, sorted(kwargs.items(), key=lambda kv: kv[0]), sorted(settings.items())))
    if key not in _DRAWS_CACHE:
        try:
            draws = acceptability.constrained_weight_draws(crit.ids, **kwargs, **settings)
        except InputError as exc:
            raise ParamsError(f"{params.criteria_path}: {exc}") from None
        _DRAWS_CACHE.clear()  # one set of draws is kept: a run has one set of parameters
        _DRAWS_CACHE[key] = draws
    return _DRAWS_CACHE[key]


def draw_arguments(params: Params, sampler: str | None = None) -> dict[str, Any]:
    """The weight-draw arguments of
    :func:`~prioanalysis.methods.acceptability.rank_acceptability` and
    :func:`~prioanalysis.methods.acceptability.weight_drivers` for a sampler.

    Parameters
    ----------
    params : Params
    sampler : {"dirichlet", "constrained"}, optional
        Default ``robustness.sampler`` of ``run.yaml``.

    Returns
    -------
    dict
        ``dirichlet``: ``n_draws``, ``seed`` and ``concentration``;
        ``constrained``: ``weight_draws`` (:func:`constrained_draws`).
    """
    rb = params.run.robustness
    sampler = rb.sampler if sampler is None else sampler
    if sampler not in SAMPLERS:
        raise ParamsError(f"unknown weight sampler {sampler!r}; accepted: {', '.join(SAMPLERS)}")
    if sampler == "dirichlet":
        return {"n_draws": rb.n_draws, "seed": params.run.seed, "concentration": rb.concentration}
    return {"weight_draws": constrained_draws(params)}


def add_robustness(result: RankingResult, params: Params) -> RankingResult:
    """Add each customer's probability of keeping its tier, and flag "review".

    Weights are drawn by ``robustness.sampler`` of ``run.yaml`` (:func:`draw_arguments`:
    a Dirichlet around the criteria weights by default, or uniformly within the
    experts' bounds and orders), seeded with ``run.yaml``'s ``seed``, and the list is
    rescored and re-tiered for every draw
    (:func:`prioanalysis.methods.acceptability.rank_acceptability`). Customers whose
    probability of keeping their tier is below ``robustness.review_threshold`` get the
    flag ``review``. The sampler (and, for the constrained draws, their diagnostics) is
    recorded in the choices.

    Returns
    -------
    RankingResult
        With columns ``p_keep_tier``, ``rank_p05``, ``rank_p95`` and ``review``
        (``p_keep_tier`` below the threshold) in the target list (in the order of
        :data:`prioanalysis.methods.target_list.COLUMNS`); the choices record how many
        customers, and how many targets, are flagged.
    """
    rb = params.run.robustness
    args = acceptability_inputs(result, params)
    acc = acceptability.rank_acceptability(**args, **draw_arguments(params))
    summary = acc.summary
    tl = result.target_list.copy()
    ids = tl[_schema.KEY]
    for col in ("p_keep_tier", "rank_p05", "rank_p95"):
        tl[col] = ids.map(summary[col]).to_numpy()
    review = (tl["p_keep_tier"] < rb.review_threshold).to_numpy()
    tl["review"] = review
    tl["flags"] = np.where(review, np.where(tl["flags"] != "", "review | " + tl["flags"], "review"), tl["flags"])
    targets_review = int((review & (tl["tier"] != params.run.tiers.not_targeted).to_numpy()).sum())
    choices = {
        **result.choices,
        "robustness_flagged_review": int(review.sum()),
        "robustness_flagged_review_targets": targets_review,
        "robustness_sampler": rb.sampler,
    }
    if acc.params["draws_diagnostics"] is not None:
        choices["robustness_draws"] = acc.params["draws_diagnostics"]
    return dataclasses.replace(result, target_list=_schema.order_columns(tl), choices=choices)


def tier_acceptability(result: RankingResult, params: Params) -> pd.DataFrame | None:
    """Each customer's probability of keeping its tier under both weight samplers.

    The Dirichlet draws around the criteria weights and the draws uniform within the
    experts' bounds and orders (:func:`constrained_draws`), each rescoring and
    re-tiering the whole list (the same seed, the same number of draws). The
    probability under ``robustness.sampler`` is the target list's ``p_keep_tier``
    (read from ``result`` when it has it); the other sampler's is computed here — one
    more pass of the draws.

    Parameters
    ----------
    result : RankingResult
        The ranking (with the robustness columns, or without: then both are computed).
    params : Params

    Returns
    -------
    pandas.DataFrame or None
        None when ``criteria.yaml`` states no bounds or orders. Else one row per
        customer of the target list, in its order: ``customer_id``,
        ``customer_name``, ``segment`` (label), ``tier``, ``score``,
        ``p_keep_tier_dirichlet``, ``p_keep_tier_constrained`` and ``difference``
        (constrained minus Dirichlet).
    """
    if not params.criteria.states_weight_constraints:
        return None
    rb, tl = params.run.robustness, result.target_list
    ids = tl[_schema.KEY]
    args = acceptability_inputs(result, params)
    out = tl[[_schema.KEY, "customer_name", "segment", "tier", "score"]].copy()
    out["segment"] = out["segment"].map({k: v.label for k, v in params.run.segments.items()})
    for sampler in SAMPLERS:
        if sampler == rb.sampler and "p_keep_tier" in tl.columns:
            p = tl["p_keep_tier"].to_numpy()
        else:
            summary = acceptability.rank_acceptability(**args, **draw_arguments(params, sampler)).summary
            p = ids.map(summary["p_keep_tier"]).to_numpy()
        out[f"p_keep_tier_{sampler}"] = p
    out["difference"] = out["p_keep_tier_constrained"] - out["p_keep_tier_dirichlet"]
    return out.reset_index(drop=True)


def rank_with_robustness(
    params: Params,
    input_path: str | Path | None = None,
    run_dir: str | Path | None = None,
    owners_path: str | Path | None = None,
) -> RankingResult:
    """The ranking of the cycle (notebook 20): :func:`prioanalysis.steps.ranking.run_ranking`,
    then :func:`add_robustness` when ``robustness.enabled`` in ``run.yaml`` — made once
    per run folder.

    Parameters
    ----------
    params : Params
    input_path : str or Path, optional
        Overrides ``inputs.preliminary_list``.
    run_dir : str or Path, optional
        The run folder. A ranking of these parameters and this list persisted there
        (with the weight draws when they are enabled) is read instead of ranking
        again; a new ranking is persisted there
        (:func:`prioanalysis.steps.ranking.save_result`), so notebooks 25 and 40 read
        notebook 20's ranking.
    owners_path : str or Path, optional
        The owners and their capacities; default ``inputs.owners`` of ``run.yaml``.
        With owners the target list gets the assignment (:func:`add_assignment`,
        computed on every call -- it is exact and deterministic, so each notebook
        sees the same owners -- and never persisted with the ranking).

    Returns
    -------
    RankingResult
    """
    enabled = params.run.robustness.enabled
    found = stored_result(run_dir, params, input_path, robustness=enabled)
    if found is None:
        result = run_ranking(params, input_path)
        if enabled:
            result = add_robustness(result, params)
        if run_dir:
            folder = ranking_folder(run_dir, params.run.year, robustness=enabled)
            if not folder.exists():
                save_result(result, folder, result_fingerprint(params, input_path))
    else:
        result = found
    owners = read_run_owners(params, owners_path)
    return result if owners is None else add_assignment(result, params, owners)


def read_run_owners(params: Params, owners_path: str | Path | None = None) -> pd.DataFrame | None:
    """The owners and their capacities: ``owners_path``, else ``inputs.owners`` of
    ``run.yaml``; None when neither is given.

    Read and checked row by row (:func:`prioanalysis.inputs.owners.read_owners`): the
    tier-slot columns (``capacity_strategic`` ...), or with
    ``assignment.capacity_column`` that column (whole numbers >= 0 in the unit).

    Raises
    ------
    ParamsError
        The file does not exist (naming ``run.yaml``'s key or the parameter).
    InputError
        A bad row (naming the file, row and column).
    """
    from prioanalysis.inputs.owners import read_owners

    given = str(owners_path or "")
    if not given and not params.run.inputs.owners:
        return None
    path = Path(given) if given else params.resolve(str(params.run.inputs.owners))
    if not path.is_file():
        where = "owners_path" if given else f"{params.run_path}: inputs.owners"
        raise ParamsError(f"{where}: file not found: {path}")
    column = params.run.assignment.capacity_column
    if column and params.run.assignment.mode == "workload":
        return read_owners(path, [column])
    return read_owners(path, list(_assignment.capacity_columns(params.run.tiers.names).values()))


def owner_plan(
    result: RankingResult, params: Params, owners: pd.DataFrame | str | Path | None = None
) -> _assignment.AssignmentResult | None:
    """The owner assignment of a ranking's targets, as ``run.yaml`` asks.

    :func:`prioanalysis.methods.assignment.assign_owners` with ``assignment`` of
    ``run.yaml``: in the ``workload`` mode (``service_levels``) the capacity, in
    ``unit``, flows between tiers by priority -- strategic targets first, on any
    owner's capacity; in the ``tier_slots`` mode each tier has its own slots.

    Parameters
    ----------
    result : RankingResult
    params : Params
    owners : pandas.DataFrame, str or Path, optional
        The owner list (as :func:`read_run_owners` reads it), or its file; default
        ``inputs.owners`` of ``run.yaml``.

    Returns
    -------
    AssignmentResult or None
        None when the run has no owners.
    """
    if owners is None or isinstance(owners, (str, Path)):
        owners = read_run_owners(params, owners)
        if owners is None:
            return None
    a, tiers = params.run.assignment, params.run.tiers
    tl = result.target_list
    targets = tl[tl["tier"] != tiers.not_targeted]
    workload = a.mode == "workload"
    slot_columns = None if (workload and a.capacity_column) else _assignment.capacity_columns(tiers.names)
    return _assignment.assign_owners(
        targets,
        owners,
        tier_columns=slot_columns,
        service_levels=a.service_levels if workload else None,
        capacity_column=a.capacity_column if workload else None,
        keep_existing=a.keep_existing,
        region_bonus=a.region_bonus,
        match=a.match,
        cross_segment_penalty=a.cross_segment_penalty,
    )


def add_assignment(
    result: RankingResult, params: Params, owners: pd.DataFrame | str | Path | None = None
) -> RankingResult:
    """The ranking with every target's development owner in the target list.

    Columns ``assigned_owner_id``, ``assigned_owner_name`` (empty when none) and
    ``assignment_status`` (:data:`ASSIGNMENT_STATUSES`: ``assigned``,
    ``capacity_full`` -- an eligible owner exists but the capacity is used by
    better customers --, ``no_eligible_owner``, or ``not_targeted``). The choices get
    ``assignment``: the capacity mode, unit, service levels, where the owners'
    capacity came from, and the targets assigned and left without an owner per tier.

    Returns
    -------
    RankingResult
        Unchanged when the run has no owners.
    """
    plan = owner_plan(result, params, owners)
    if plan is None:
        return result
    tl = result.target_list.drop(columns=[c for c in _schema.ASSIGNMENT if c in result.target_list.columns])
    ids = tl[_schema.KEY]
    by_id = plan.assignments.set_index("customer_id")
    gap = plan.unassigned.set_index("customer_id")["reason"]
    tl["assigned_owner_id"] = ids.map(by_id["owner_id"]).fillna("").astype(object).to_numpy()
    tl["assigned_owner_name"] = ids.map(by_id["owner_name"]).fillna("").astype(object).to_numpy()
    status = np.where(ids.isin(by_id.index), "assigned", "not_targeted").astype(object)
    reason = ids.map(gap)
    status[(reason == "capacity full").to_numpy()] = "capacity_full"
    status[(reason == "no eligible owner").to_numpy()] = "no_eligible_owner"
    tl["assignment_status"] = status
    a = params.run.assignment
    by_tier = plan.resource_plan.groupby("tier", sort=False)[["assigned", "unassigned"]].sum()
    choices = {
        **result.choices,
        "assignment": {
            "capacity_mode": plan.params["capacity_mode"],
            "unit": a.unit if plan.params["capacity_mode"] == "workload" else None,
            "service_levels": plan.params["service_levels"],
            "capacity_source": plan.params["capacity_source"],
            "match": a.match,
            "keep_existing": a.keep_existing,
            "region_bonus": plan.params["region_bonus"],
            "assigned": {str(k): int(v) for k, v in by_tier["assigned"].items()},
            "unassigned": {str(k): int(v) for k, v in by_tier["unassigned"].items()},
        },
    }
    return dataclasses.replace(result, target_list=_schema.order_columns(tl), choices=choices)


def uncertain_targets(result: RankingResult, params: Params) -> pd.DataFrame:
    """The targets that keep their tier in fewer than ``robustness.review_threshold`` of
    the weight draws, least stable first, with the weight that decides each.

    Parameters
    ----------
    result : RankingResult
        With the robustness columns (:func:`add_robustness`).
    params : Params

    Returns
    -------
    pandas.DataFrame
        ``customer_id``, ``customer_name``, ``segment`` (label), ``tier``, ``score``,
        ``p_keep_tier``, ``driver`` (the criterion's label) and ``correlation``
        (:func:`prioanalysis.methods.acceptability.weight_drivers`, the same draws:
        those of ``robustness.sampler``).
    """
    run, rb = params.run, params.run.robustness
    tl = result.target_list
    targets = tl[tl["tier"] != run.tiers.not_targeted]
    review = targets[targets["p_keep_tier"] < rb.review_threshold].sort_values("p_keep_tier", kind="stable")
    cols = ["customer_name", "segment", "tier", "score", "p_keep_tier"]
    table = review.set_index(_schema.KEY)[cols]
    if len(review):
        drivers = acceptability.weight_drivers(
            **acceptability_inputs(result, params),
            customers=review[_schema.KEY].tolist(),
            **draw_arguments(params),
        )[["driver", "correlation"]]
    else:
        drivers = pd.DataFrame({"driver": pd.Series(dtype=object), "correlation": pd.Series(dtype=float)})
    out = table.join(drivers).reset_index()
    out["driver"] = out["driver"].map({c.id: c.label for c in params.criteria.criteria})
    out["segment"] = out["segment"].map({k: v.label for k, v in run.segments.items()})
    return out


def ahp_check(result: RankingResult, params: Params) -> acceptability.AcceptabilityResult | None:
    """The weight draws from the judges' own uncertainty: their AHP judgements
    (``judgements.yaml`` beside ``criteria.yaml``) moved along Saaty's scale
    (:func:`prioanalysis.methods.acceptability.ahp_weight_draws`), the list rescored and
    re-tiered for each draw; ``None`` without a judgements file.
    """
    from prioanalysis.inputs.judgements import load_judgements

    path = params.directory / "judgements.yaml"
    if not path.is_file():
        return None
    rb, seed = params.run.robustness, params.run.seed
    draws = acceptability.ahp_weight_draws(load_judgements(path), rb.n_draws, seed=seed)
    args = {**acceptability_inputs(result, params), "weights": None}
    return acceptability.rank_acceptability(**args, weight_draws=draws, seed=seed)


def _varies_by_row(frame: pd.DataFrame) -> pd.Series:
    """True where a row holds more than one distinct non-missing value.

    The same as ``frame.nunique(axis=1) > 1``, without its call per row: a row varies
    when a known value differs from the row's first known value.

    Examples
    --------
    >>> _varies_by_row(pd.DataFrame({"a": ["x", "x", None], "b": ["x", "y", "y"]})).tolist()
    [False, True, False]
    """
    values = frame.to_numpy(dtype=object)
    if not values.shape[1]:
        return pd.Series(False, index=frame.index)
    known = pd.notna(values)
    first = values[np.arange(len(values)), known.argmax(axis=1)]
    return pd.Series((known & (values != first[:, None])).any(axis=1), index=frame.index)


def _with_policy(params: Params, policy: str) -> Params:
    """A copy of ``params`` where every criterion uses the missing-value ``policy``."""
    crit = params.criteria
    doc = crit.model_dump()
    doc["defaults"]["missing"] = policy
    for c in doc["criteria"]:
        c["missing"] = policy
    return dataclasses.replace(params, criteria=CriteriaParams.model_validate(doc))


def missing_policy_sensitivity(
    intake: IntakeResult,
    params: Params,
    policies: Sequence[str] = ("segment_median", "median", "neutral", "worst"),
    *,
    include_configured: bool = True,
    configured: RankingResult | None = None,
) -> pd.DataFrame:
    """Ranks and tiers of customers with missing data under each missing-value policy.

    The whole ranking (:func:`prioanalysis.steps.ranking.rank_customers`) is rerun once
    per policy with a copy of the parameters in which *every* criterion uses that
    policy; ranks and tiers therefore include the effect on the normalisation bounds
    and the segment quotas.

    Parameters
    ----------
    intake : prioanalysis.inputs.preliminary.IntakeResult
        The validated preliminary list.
    params : Params
        The run's parameters (not modified).
    policies : sequence of str, default ("segment_median", "median", "neutral", "worst")
        Policies to try, from :data:`prioanalysis.config.params.MISSING_POLICIES`
        (``exclude_reweight`` works with the weighted sum only).
    include_configured : bool, default True
        Also report the run as configured (each criterion's own policy) as
        ``configured``.
    configured : RankingResult, optional
        The run as configured, when it exists already (e.g. the persisted ranking of
        the cycle): its ranks and tiers are used instead of ranking once more.

    Returns
    -------
    pandas.DataFrame
        One row per scored customer with at least one missing criterion, index
        ``customer_id``, sorted by the first run's rank: ``customer_name``,
        ``segment``, ``n_missing``, ``missing`` (criterion labels), then
        ``rank_<run>`` and ``tier_<run>`` per run, ``rank_min``, ``rank_max``,
        ``rank_range`` (max - min) and ``tier_depends_on_policy`` (the tier is not
        the same in every run).

    Raises
    ------
    ParamsError
        An unknown policy, no policy at all, or ``exclude_reweight`` with TOPSIS.
    """
    policies = list(policies)
    unknown = [p for p in policies if p not in MISSING_POLICIES]
    if unknown:
        raise ParamsError(f"unknown missing-value policies {unknown}; accepted: {', '.join(MISSING_POLICIES)}")
    if not policies and not include_configured:
        raise ParamsError("give at least one missing-value policy")
    runs: dict[str, Params] = {}
    if include_configured:
        runs["configured"] = params
    for policy in policies:
        runs[policy] = _with_policy(params, policy)

    crit = params.criteria
    ids = crit.ids
    customers = intake.customers
    gaps = customers[ids].isna()
    has_gap = gaps.any(axis=1).to_numpy()
    it = params.run.intake
    index = pd.Index(customers[it.id_column].to_numpy()[has_gap], name="customer_id")
    labels = np.array([c.label for c in crit.criteria], dtype=object)
    gap_rows = gaps.to_numpy()[has_gap]
    out = pd.DataFrame(
        {
            "customer_name": customers[it.name_column].to_numpy()[has_gap],
            "segment": customers[it.segment_column].to_numpy()[has_gap],
            "n_missing": gap_rows.sum(axis=1),
            "missing": ["、".join(labels[row]) for row in gap_rows],
        },
        index=index,
    )
    for name, run_params in runs.items():
        ranked = configured if name == "configured" and configured is not None else rank_customers(intake, run_params)
        table = ranked.target_list.set_index(it.id_column)
        out[f"rank_{name}"] = table["rank"].reindex(index).to_numpy()
        out[f"tier_{name}"] = table["tier"].reindex(index).to_numpy()
    rank_cols = [f"rank_{name}" for name in runs]
    tier_cols = [f"tier_{name}" for name in runs]
    out["rank_min"] = out[rank_cols].min(axis=1)
    out["rank_max"] = out[rank_cols].max(axis=1)
    out["rank_range"] = out["rank_max"] - out["rank_min"]
    out["tier_depends_on_policy"] = _varies_by_row(out[tier_cols])
    return out.sort_values([rank_cols[0], "rank_max"], kind="stable")


def resource_view(plan: _assignment.AssignmentResult, params: Params) -> dict[str, Any]:
    """The resource plan for the report: segment labels instead of ids, and the
    counts of the headline (they reconcile: assigned + unassigned = targets).

    Returns
    -------
    dict
        ``by_segment`` (:attr:`AssignmentResult.segment_capacity`), ``by_tier``
        (:attr:`AssignmentResult.resource_plan`), ``by_owner``
        (:attr:`AssignmentResult.workload`) and ``gap`` (the unassigned targets with
        their name, tier, score and the units they need), segments as labels; and
        ``fields`` for ``resources.headline`` / ``resources.intro_workload``.
    """
    run = params.run
    labels = {k: v.label for k, v in run.segments.items()}

    def seg(frame: pd.DataFrame) -> pd.DataFrame:
        return frame.assign(segment=frame["segment"].map(lambda s: labels.get(s, s)))

    rp = plan.resource_plan
    a = run.assignment
    by_tier = rp.groupby("tier", sort=False)["unassigned"].sum()
    levels = plan.params["service_levels"] or {}
    fields = {
        "assigned": int(rp["assigned"].sum()),
        "unassigned": int(rp["unassigned"].sum()),
        "by_tier": "、".join(f"{t} {int(n)}" for t, n in by_tier.items()),
        "required": f"{rp['required'].sum():,.0f}",
        "used": f"{rp['used'].sum():,.0f}",
        "free": f"{plan.workload['free'].sum():,.0f}",
        "unit": a.unit or "",
        "levels": "、".join(f"{t} {v:g}" for t, v in levels.items()),
    }
    gap = plan.unassigned[["customer_id", "segment", "tier", "score", "units"]]
    return {
        "by_segment": seg(plan.segment_capacity),
        "by_tier": seg(rp),
        "by_owner": seg(plan.workload.drop(columns="owner_id")),
        "gap": seg(gap),
        "fields": fields,
        "mode": plan.params["capacity_mode"],
    }
