"""The ranking step end to end: preliminary list + parameters → tiered target list.

:func:`rank_customers` strings the pure steps together — intake validation,
transforms and missing values, scoring, ranks, gates, tiers, grades, the priority
matrix and the explanation of every score — and returns a :class:`RankingResult`
holding every intermediate table, so that the ranking can explain itself.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from prioanalysis.inputs import preliminary as _intake
from prioanalysis.methods import ranking
from prioanalysis.methods import scoring
from prioanalysis.config.params import Params
from prioanalysis.methods.preprocess import PreparedMatrix, prepare_matrix

__all__ = [
    "RankingResult",
    "rank_customers",
    "run_ranking",
    "add_robustness",
    "family_scores",
    "method_choices",
]

GRADES = ("A", "B", "C", "D", "E")


@dataclass(frozen=True)
class RankingResult:
    """Everything the ranking produced.

    Attributes
    ----------
    target_list : pandas.DataFrame
        One row per scored customer, best first: id, name, segment, score, ranks,
        tier, grade, quadrant, action, the three drivers, completeness, flags.
    contributions : pandas.DataFrame
        Customers × criteria: each criterion's part of the score.
    score_result : prioanalysis.methods.scoring.ScoreResult
        Scores, normalized matrix and (TOPSIS) distances.
    prepared : PreparedMatrix
        The decision matrix after transforms and missing values.
    intake : prioanalysis.inputs.preliminary.IntakeResult
        The validated list, the multi-segment claims and the excluded rows.
    quality : dict of pandas.DataFrame
        Data-quality tables.
    summary : dict of pandas.DataFrame
        Tier × segment, tier × grade, quadrant counts.
    choices : dict
        Every method choice the run made (recorded in ``run.json``).
    """

    target_list: pd.DataFrame
    contributions: pd.DataFrame
    score_result: scoring.ScoreResult
    prepared: PreparedMatrix
    intake: _intake.IntakeResult
    quality: dict[str, pd.DataFrame]
    summary: dict[str, pd.DataFrame]
    choices: dict[str, Any] = field(default_factory=dict)


def family_scores(
    matrix: pd.DataFrame,
    weights: dict[str, float],
    directions: dict[str, str],
    families: dict[str, str],
) -> pd.DataFrame:
    """Attractiveness and feasibility sub-scores in [0, 1].

    The min-max weighted sum within each family, with the family's weights rescaled
    to sum to 1 — whatever the scoring method, so that the attractiveness ×
    feasibility map reads the same way every year.

    Examples
    --------
    >>> m = pd.DataFrame({"a": [0.0, 1.0], "f": [2.0, 1.0]})
    >>> family_scores(m, {"a": 0.5, "f": 0.5}, {"a": "benefit", "f": "benefit"},
    ...               {"a": "attractiveness", "f": "feasibility"}).to_numpy().tolist()
    [[0.0, 1.0], [1.0, 0.0]]
    """
    z = scoring.normalize(matrix, directions, "minmax")
    out = {}
    for fam in ("attractiveness", "feasibility"):
        cols = [c for c in matrix.columns if families[c] == fam]
        w = np.array([weights[c] for c in cols], dtype=float)
        if not cols or w.sum() == 0:
            out[fam] = np.full(len(matrix), np.nan)
            continue
        out[fam] = z[cols].to_numpy() @ (w / w.sum())
    return pd.DataFrame(out, index=matrix.index)


def method_choices(params: Params) -> dict[str, Any]:
    """The method choices of a run, for the record (``run.json``) and the report."""
    crit, run = params.criteria, params.run
    method = run.scoring.method
    if run.scoring.normalization is not None:
        norm: Any = run.scoring.normalization
    elif method == "topsis":
        norm = "vector"
    else:
        norm = {c.id: crit.normalization(c) for c in crit.criteria}
    tiers = run.tiers
    return {
        "criteria_version": crit.version,
        "scoring_method": method,
        "normalization": norm,
        "weights": {k: round(v, 10) for k, v in crit.global_weights().items()},
        "family_weights": {k: round(v, 10) for k, v in crit.family_totals().items()},
        "directions": {c.id: c.direction for c in crit.criteria},
        "transforms": {
            c.id: {"transform": c.transform, "winsorize": list(c.winsorize) if c.winsorize else None}
            for c in crit.criteria
        },
        "missing_policy": {c.id: crit.policy(c) for c in crit.criteria},
        "missing_policy_default": crit.defaults.missing,
        "ordinal_scales": {c.id: c.scale for c in crit.criteria if c.scale},
        "tie_rule": run.scoring.tie_rule,
        "tie_breakers": list(run.scoring.tie_breakers),
        "round_decimals": run.scoring.round_decimals,
        "multi_segment_rule": run.intake.multi_segment_rule,
        "min_completeness": run.intake.min_completeness,
        "gates": [g.model_dump() for g in run.gates],
        "tier_scheme": tiers.scheme,
        "tier_names": list(tiers.names),
        "tier_quota": tiers.quota.model_dump() if tiers.quota else None,
        "tier_thresholds": list(tiers.thresholds) if tiers.thresholds else None,
        "grade_months": dict(run.grades.months),
        "urgent_grades": list(run.priority_matrix.urgent_grades),
        "important_tiers": list(run.priority_matrix.important_tiers),
        "robustness": run.robustness.model_dump(),
        "seed": run.seed,
    }


def _score(prepared: PreparedMatrix, params: Params) -> tuple[scoring.ScoreResult, pd.DataFrame]:
    crit, run = params.criteria, params.run
    weights = crit.global_weights()
    directions = {c.id: c.direction for c in crit.criteria}
    method = run.scoring.method
    norm: Any = run.scoring.normalization
    if norm is None and method == "weighted_sum":
        norm = {c.id: crit.normalization(c) for c in crit.criteria}
    reweight = prepared.excluded.to_numpy().any()
    if reweight and method != "weighted_sum":
        from prioanalysis.errors import ParamsError

        raise ParamsError(
            f"{params.criteria_path}: missing-value policy 'exclude_reweight' is defined for "
            "the weighted sum only; choose another policy for TOPSIS"
        )
    if method == "topsis" and (norm or "vector") in ("vector", "max", "sum"):
        negative = [c for c in prepared.matrix.columns if (prepared.matrix[c] < 0).any()]
        if negative:
            from prioanalysis.errors import ParamsError

            raise ParamsError(
                f"{params.run_path}: scoring.method topsis uses {norm or 'vector'} normalization, "
                f"which is undefined for negative values, and criterion(s) {', '.join(negative)} "
                "have some; set scoring.normalization: minmax"
            )
    result = scoring.score(prepared.matrix, weights, directions, method=method, normalization=norm)
    contributions = result.contributions
    if reweight:
        keep = ~prepared.excluded
        w = pd.Series(weights)[contributions.columns]
        kept_weight = keep.astype(float).to_numpy() @ w.to_numpy()
        contributions = contributions.where(keep, 0.0).div(kept_weight, axis=0)
        result = dataclasses.replace(
            result,
            scores=contributions.sum(axis=1).rename(result.scores.name),
            contributions=contributions,
        )
    return result, contributions


def _flags(
    prepared: PreparedMatrix, customers: pd.DataFrame, params: Params, labels: dict[str, str]
) -> pd.Series:
    it, g = params.run.intake, params.run.grades
    imputed = prepared.imputed
    cols = np.array([labels[c] for c in imputed.columns], dtype=object)

    def _join(mask: pd.DataFrame, prefix: str) -> pd.Series:
        m = mask.to_numpy()
        txt = [
            prefix + "、".join(cols[row]) if row.any() else "" for row in m
        ]
        return pd.Series(txt, index=mask.index, dtype=object)

    parts = [
        _join(imputed, "imputed: "),
        _join(prepared.excluded, "left out, weights rescaled: "),
        pd.Series(
            np.where(customers["claimed_by"].str.contains(";"), "claimed by: " + customers["claimed_by"], ""),
            index=customers.index,
            dtype=object,
        ),
        pd.Series(
            np.where(
                ((customers[it.need_status_column] == g.target_status) & customers[it.months_column].isna())
                .fillna(False)
                .to_numpy(dtype=bool),
                "months to close unknown",
                np.where(customers[it.need_status_column].isna().to_numpy(), "need status unknown", ""),
            ),
            index=customers.index,
            dtype=object,
        ),
    ]
    frame = pd.concat(parts, axis=1)
    return frame.apply(lambda r: " | ".join(x for x in r if x), axis=1)


def rank_customers(intake: _intake.IntakeResult, params: Params) -> RankingResult:
    """Score, rank, screen, tier and grade the validated preliminary list.

    Parameters
    ----------
    intake : IntakeResult
        From :func:`prioanalysis.inputs.preliminary.validate_preliminary`.
    params : Params
        Criteria and run parameters.

    Returns
    -------
    RankingResult
    """
    crit, run = params.criteria, params.run
    it = run.intake
    customers = intake.customers
    labels = {c.id: c.label for c in crit.criteria}
    prepared = prepare_matrix(customers, crit, it.segment_column)
    result, contributions = _score(prepared, params)
    scores = result.scores.rename("score")

    tb_cols = [c for c in run.scoring.tie_breakers]
    src_to_id = {c.source: c.id for c in crit.criteria}
    tie_frame = customers[[src_to_id.get(c, c) for c in tb_cols]] if tb_cols else None
    decimals = run.scoring.round_decimals
    rule = run.scoring.tie_rule
    seg = customers[it.segment_column]
    gates = [
        {
            **g.model_dump(),
            "column": src_to_id.get(g.column, g.column),
            "scale": next((c.scale for c in crit.criteria if c.source == g.column), None),
        }
        for g in run.gates
    ]
    gate_reasons = ranking.apply_gates(customers, gates, crit.scales)
    eligible = gate_reasons == ""
    tiers = run.tiers
    ranked = ranking.rank_and_tier(
        scores,
        seg,
        eligible,
        tiers.names,
        tiers.not_targeted,
        scheme=tiers.scheme,
        quota_values=tiers.quota.values if tiers.quota else None,
        quota_kind=tiers.quota.kind if tiers.quota else "share",
        quota_by=tiers.quota.by if tiers.quota else "segment",
        thresholds=tiers.thresholds,
        tie_rule=rule,
        tie_breakers=tie_frame,
        decimals=decimals,
    )
    rank_all, rank_seg, tier = ranked["rank"], ranked["segment_rank"], ranked["tier"]
    grade = ranking.assign_grades(
        customers[it.need_status_column],
        customers[it.months_column],
        dict(run.grades.months),
        run.grades.target_status,
        run.grades.potential_status,
        run.grades.dead_status,
    )
    pm = run.priority_matrix
    quad_labels = {
        k: getattr(pm, k).label
        for k in ("important_urgent", "important_not_urgent", "other_urgent", "other_not_urgent", "not_targeted")
    }
    quad_actions = {getattr(pm, k).label: getattr(pm, k).action for k in quad_labels}
    quadrant = ranking.priority_quadrant(
        tier, grade, pm.important_tiers, pm.urgent_grades, tiers.not_targeted, quad_labels
    )
    reason = pd.Series(
        np.where(eligible, np.where(tier == tiers.not_targeted, "below the tier cut-off", ""), gate_reasons),
        index=scores.index,
        dtype=object,
    )
    fam = family_scores(
        prepared.matrix,
        crit.global_weights(),
        {c.id: c.direction for c in crit.criteria},
        {c.id: c.family for c in crit.criteria},
    )
    drivers = ranking.top_drivers(contributions, labels, n=3)
    optional = [c for c in ("region", "owner_id") if c in customers.columns]
    table = pd.DataFrame(
        {
            "customer_id": customers[it.id_column],
            "customer_name": customers[it.name_column],
            "segment": seg,
            **{c: customers[c] for c in optional},
            "score": scores,
            "rank": rank_all,
            "segment_rank": rank_seg,
            "tier": tier,
            "grade": grade,
            "quadrant": quadrant,
            "action": quadrant.map(quad_actions),
            "not_targeted_reason": reason,
            "attractiveness": fam["attractiveness"],
            "feasibility": fam["feasibility"],
            "deal_size": customers[src_to_id.get("deal_size", "deal_size")]
            if src_to_id.get("deal_size", "deal_size") in customers.columns
            else np.nan,
            "need_status": customers[it.need_status_column],
            "expected_months_to_close": customers[it.months_column],
            "completeness": customers["completeness"],
            **drivers,
            "flags": _flags(prepared, customers, params, labels),
            "source_row": customers["source_row"],
        }
    )
    order = ranking.sort_order(scores, tie_frame, decimals)
    table = table.loc[order].reset_index(drop=True)
    contributions = contributions.loc[order]

    tier_order = [*tiers.names, tiers.not_targeted]
    summary = {
        "tier_by_segment": pd.crosstab(
            pd.Categorical(table["segment"], categories=list(run.segments)),
            pd.Categorical(table["tier"], categories=tier_order),
            dropna=False,
        ),
        "tier_by_grade": pd.crosstab(
            pd.Categorical(table["tier"], categories=tier_order),
            pd.Categorical(table["grade"], categories=list(GRADES)),
            dropna=False,
        ),
        "quadrants": table.groupby("quadrant", sort=False)
        .size()
        .reindex(list(quad_labels.values()), fill_value=0)
        .rename("customers")
        .to_frame()
        .assign(action=lambda d: d.index.map(quad_actions)),
    }
    summary["tier_by_segment"].index.name = "segment"
    summary["tier_by_segment"].columns.name = "tier"
    summary["tier_by_grade"].index.name = "tier"
    summary["tier_by_grade"].columns.name = "grade"
    summary["quadrants"].index.name = "quadrant"
    quality = _intake.data_quality(intake, params)
    imputed_count = prepared.imputed.sum()
    quality["completeness_by_criterion"]["imputed_in_scored"] = (
        quality["completeness_by_criterion"]["criterion"].map(imputed_count).fillna(0).astype(int)
    )
    choices = method_choices(params)
    choices["customers_scored"] = int(len(table))
    choices["customers_excluded"] = int(len(intake.excluded))
    return RankingResult(
        target_list=table,
        contributions=contributions,
        score_result=result,
        prepared=prepared,
        intake=intake,
        quality=quality,
        summary=summary,
        choices=choices,
    )


def add_robustness(result: RankingResult, params: Params) -> RankingResult:
    """Add each customer's probability of keeping its tier, and flag "review".

    Weights are drawn around the criteria weights (Dirichlet, ``robustness`` in
    ``run.yaml``, seeded with ``run.yaml``'s ``seed``) and the list is rescored and
    re-tiered for every draw (:func:`prioanalysis.methods.acceptability.rank_acceptability`).
    Customers whose probability of keeping their tier is below
    ``robustness.review_threshold`` get the flag ``review``.

    Returns
    -------
    RankingResult
        With columns ``p_keep_tier``, ``rank_p05``, ``rank_p95`` in the target list.
    """
    from prioanalysis.methods import acceptability as sensitivity

    rb = params.run.robustness
    args = sensitivity.acceptability_inputs(result, params)
    acc = sensitivity.rank_acceptability(
        **args, n_draws=rb.n_draws, seed=params.run.seed, concentration=rb.concentration
    )
    summary = acc.summary
    tl = result.target_list.copy()
    ids = tl["customer_id"]
    tl["p_keep_tier"] = ids.map(summary["p_keep_tier"]).to_numpy()
    tl["rank_p05"] = ids.map(summary["rank_p05"]).to_numpy()
    tl["rank_p95"] = ids.map(summary["rank_p95"]).to_numpy()
    review = (tl["p_keep_tier"] < rb.review_threshold).to_numpy()
    tl["flags"] = np.where(
        review, np.where(tl["flags"] != "", "review | " + tl["flags"], "review"), tl["flags"]
    )
    cols = [c for c in tl.columns if c not in ("p_keep_tier", "rank_p05", "rank_p95", "flags", "source_row")]
    tl = tl[[*cols, "p_keep_tier", "rank_p05", "rank_p95", "flags", "source_row"]]
    choices = {**result.choices, "robustness_flagged_review": int(review.sum())}
    return dataclasses.replace(result, target_list=tl, choices=choices)


def run_ranking(params: Params, input_path: str | Path | None = None) -> RankingResult:
    """Read, validate and rank the preliminary list named in ``run.yaml``.

    Parameters
    ----------
    params : Params
        Loaded parameters.
    input_path : str or Path, optional
        Overrides ``inputs.preliminary_list``.

    Returns
    -------
    RankingResult
        With the robustness columns when ``robustness.enabled`` (see
        :func:`add_robustness`).

    Raises
    ------
    InputError
        Bad input (file, rows and column named).
    """
    path = Path(input_path) if input_path else params.resolve(params.run.inputs.preliminary_list)
    raw = _intake.read_table(path)
    validated = _intake.validate_preliminary(raw, params)
    result = rank_customers(validated, params)
    if params.run.robustness.enabled:
        result = add_robustness(result, params)
    return result
