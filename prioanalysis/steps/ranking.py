"""The ranking step end to end: preliminary list + parameters → tiered target list.

:func:`rank_customers` strings the pure steps together — intake validation,
transforms and missing values, scoring, ranks, gates, tiers, grades, the priority
matrix and the explanation of every score — and returns a :class:`RankingResult`
holding every intermediate table, so that the ranking can explain itself.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

import numpy as np
import pandas as pd

from prioanalysis.config.params import Params
from prioanalysis.errors import ParamsError
from prioanalysis.inputs import preliminary as _intake
from prioanalysis.inputs.tables import read_table
from prioanalysis.methods import ranking, scoring
from prioanalysis.methods import target_list as _schema
from prioanalysis.methods.grades import GRADES
from prioanalysis.methods.preprocess import PreparedMatrix, Preprocessor
from prioanalysis.methods.scoring import family_scores

__all__ = [
    "RankingResult",
    "AppliedDecisions",
    "APPLIED_COLUMNS",
    "apply_decisions",
    "rank_customers",
    "collection_plan",
    "run_ranking",
    "family_scores",
    "method_choices",
    "RANKINGS_FOLDER",
    "ranking_folder",
    "result_fingerprint",
    "save_result",
    "load_result",
    "stored_result",
    "load_or_rank",
]

#: Sub-folder of a run folder holding the rankings the run made, one folder per year
#: (``<year>``, and ``<year>+robustness`` for a ranking with the weight draws).
RANKINGS_FOLDER = "rankings"
_ROBUST_SUFFIX = "+robustness"


@dataclass(frozen=True)
class RankingResult:
    """Everything the ranking produced.

    Attributes
    ----------
    target_list : pandas.DataFrame
        One row per scored customer, best first: id, name, segment, score, ranks,
        tier, grade, quadrant, action, ``eligible`` (scored and passed every gate),
        the three drivers, completeness, flags — the columns of
        :data:`prioanalysis.methods.target_list.COLUMNS`, in that order.
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

    def _repr_html_(self) -> str:
        """The ranking in JupyterLab: headline, customers per tier and segment, the top
        customers, in the run's language (:func:`prioanalysis.steps.display.ranking_html`).
        """
        from prioanalysis.steps.display import ranking_html

        return ranking_html(self)


def method_choices(params: Params) -> dict[str, Any]:
    """The method choices of a run, for the record (``run.json``) and the report."""
    crit, run, spec = params.criteria, params.run, params.spec
    tiers = run.tiers
    return {
        "criteria_version": crit.version,
        "scoring_method": spec.method,
        "normalization": spec.scoring_normalization,
        "weights": {k: round(v, 10) for k, v in spec.weights.items()},
        "family_weights": {k: round(v, 10) for k, v in spec.family_totals().items()},
        "directions": dict(spec.directions),
        "transforms": {
            cid: {"transform": spec.transforms[cid], "winsorize": list(q) if q else None}
            for cid, q in spec.winsorize.items()
        },
        "missing_policy": dict(spec.policies),
        "missing_policy_default": crit.defaults.missing,
        "ordinal_scales": {c.id: c.scale for c in crit.criteria if c.scale},
        "tie_rule": run.scoring.tie_rule,
        "tie_breakers": list(run.scoring.tie_breakers),
        "round_decimals": run.scoring.round_decimals,
        "multi_segment_rule": run.intake.multi_segment_rule,
        "min_completeness": run.intake.min_completeness,
        "conflicting_facts": run.intake.conflicting_facts,
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
        "year": run.year,
        "report_language": run.report.language,
        "segment_labels": {k: v.label for k, v in run.segments.items()},
        "decisions": [
            {k: (v.isoformat() if k == "date" and v is not None else v) for k, v in vars(e).items()}
            for e in (params.decisions.entries() if params.decisions is not None else ())
        ],
    }


def _score(
    prepared: PreparedMatrix,
    params: Params,
    reference: scoring.NormalizationStats | None = None,
) -> tuple[scoring.ScoreResult, pd.DataFrame]:
    """Score the prepared matrix with the run's spec.

    Normalised with ``reference``, the preprocessor's fitted statistics, when given.
    """
    spec = params.spec
    method = spec.method
    reweight = prepared.excluded.to_numpy().any()
    if reweight and method != "weighted_sum":
        raise ParamsError(
            f"{params.criteria_path}: missing-value policy 'exclude_reweight' is defined for "
            "the weighted sum only; choose another policy for TOPSIS"
        )
    if method == "topsis" and spec.normalization in ("vector", "max", "sum"):
        negative = [c for c in prepared.matrix.columns if (prepared.matrix[c] < 0).any()]
        if negative:
            raise ParamsError(
                f"{params.run_path}: scoring.method topsis uses {spec.normalization} normalization, "
                f"which is undefined for negative values, and criterion(s) {', '.join(negative)} "
                "have some; set scoring.normalization: minmax"
            )
    result = scoring.score(
        prepared.matrix,
        spec.weights,
        spec.directions,
        method=method,
        normalization=spec.scoring_normalization,
        reference=reference,
    )
    if reweight:
        result = scoring.exclude_reweight(result, prepared.excluded, spec.weights)
    return result, result.contributions


def _flags(prepared: PreparedMatrix, customers: pd.DataFrame, params: Params, labels: Mapping[str, str]) -> pd.Series:
    it, g = params.run.intake, params.run.grades
    imputed = prepared.imputed
    cols = np.array([labels[c] for c in imputed.columns], dtype=object)

    def _join(mask: pd.DataFrame, prefix: str) -> pd.Series:
        m = mask.to_numpy()
        txt = [prefix + "、".join(cols[row]) if row.any() else "" for row in m]
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
    # the non-empty parts of each row, joined (a list comprehension: apply(axis=1) costs ~10x)
    columns = [frame.iloc[:, j].tolist() for j in range(frame.shape[1])]
    return pd.Series([" | ".join(x for x in row if x) for row in zip(*columns)], index=frame.index, dtype=object)


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
    crit, run, spec = params.criteria, params.run, params.spec
    it = run.intake
    customers = intake.customers
    labels = spec.labels
    preprocessor = Preprocessor(spec, it.segment_column)
    prepared = preprocessor.fit_transform(customers)
    result, contributions = _score(prepared, params, preprocessor.normalization_)
    scores = result.scores.rename("score")

    tb_cols = list(run.scoring.tie_breakers)
    src_to_id = {c.source: c.id for c in crit.criteria}
    tie_frame = customers[[src_to_id.get(c, c) for c in tb_cols]] if tb_cols else None
    decimals = run.scoring.round_decimals
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
    ranked = rank_by_rule(params, scores, seg, eligible, tie_frame)
    rank_all, rank_seg = ranked["rank"], ranked["segment_rank"]
    decided = apply_decisions(ranked["tier"], intake, params)
    tier = decided.tier
    grade = ranking.assign_grades(
        customers[it.need_status_column],
        customers[it.months_column],
        dict(cast("Mapping[str, float]", run.grades.months)),
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
    reason = reason.where(decided.not_targeted_reason.isna(), decided.not_targeted_reason)
    fam = family_scores(prepared.matrix, spec)
    drivers = ranking.top_drivers(contributions, labels, n=3)
    # region, owner and, in a mid-year run, where the row comes from (steps.inquiries.list_additions)
    optional = [c for c in ("region", "owner_id", "list_source", "inquiry_id", "accepted_on") if c in customers.columns]
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
            "eligible": eligible.to_numpy(dtype=bool),
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
            **{c: decided.columns[c] for c in _schema.DECISIONS},
            "source_row": customers["source_row"],
        }
    )
    order = ranking.sort_order(scores, tie_frame, decimals)
    table = _schema.order_columns(table.loc[order].reset_index(drop=True))
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
    summary["decisions"] = decided.applied
    quality = _intake.data_quality(intake, params)
    imputed_count = prepared.imputed.sum()
    quality["completeness_by_criterion"]["imputed_in_scored"] = (
        quality["completeness_by_criterion"]["criterion"].map(imputed_count).fillna(0).astype(int)
    )
    choices = method_choices(params)
    choices["decisions_applied"] = _json_records(decided.applied)
    choices["customers_scored"] = len(table)
    choices["customers_excluded"] = len(intake.excluded)
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


@dataclass(frozen=True)
class AppliedDecisions:
    """The decisions of ``decisions.yaml`` applied to a ranking (:func:`apply_decisions`).

    Attributes
    ----------
    tier : pandas.Series
        Each customer's tier after the decisions (the rule's tier where none applies).
    not_targeted_reason : pandas.Series
        The decision's reason for an excluded customer, ``""`` for a customer moved to a
        tier, missing (NaN) where no tier decision applies (the rule's reason stands).
    columns : pandas.DataFrame
        The target list's decision columns (:data:`prioanalysis.methods.target_list.DECISIONS`):
        ``decision`` (the kinds applied, ``;``-joined: ``claim``, ``tier``, ``exclusion``),
        ``decided_by`` and ``decision_reason`` (``; ``-joined when several), ``""`` without one.
    applied : pandas.DataFrame
        One row per decision: ``decision`` (kind), ``customer_id``, ``customer_name``,
        ``by_rule`` (the segment or tier the rule gave), ``decided`` (the segment or tier
        decided; the not-targeted name for an exclusion), ``decision_reason``,
        ``decided_by``, ``decided_on`` (ISO date or ``""``) and ``entry`` (its place in the file).
    """

    tier: pd.Series
    not_targeted_reason: pd.Series
    columns: pd.DataFrame
    applied: pd.DataFrame


#: Columns of :attr:`AppliedDecisions.applied`.
APPLIED_COLUMNS = (
    "decision",
    "customer_id",
    "customer_name",
    "by_rule",
    "decided",
    "decision_reason",
    "decided_by",
    "decided_on",
    "entry",
)


def _rule_segment(claims: pd.DataFrame, params: Params) -> dict[str, str]:
    """Customer id → the segment ``intake.multi_segment_rule`` alone keeps (for the record
    of a claim override).
    """
    it = params.run.intake
    order = {s: i for i, s in enumerate(params.run.segments)}
    c = claims.assign(_o=claims[it.segment_column].map(order))
    if it.multi_segment_rule == "most_complete":
        c = c.sort_values([it.id_column, "completeness", "_o"], ascending=[True, False, True], kind="stable")
    else:
        c = c.sort_values([it.id_column, "_o"], kind="stable")
    first = c.drop_duplicates(it.id_column)
    return dict(zip(first[it.id_column].astype(str), first[it.segment_column].astype(str)))


def apply_decisions(tier: pd.Series, intake: _intake.IntakeResult, params: Params) -> AppliedDecisions:
    """Apply the tier changes and exclusions of ``decisions.yaml`` after the tier rule,
    and record every decision (claim overrides included, applied at intake).

    A tier change sets the customer's tier; an exclusion sets it to
    ``tiers.not_targeted`` with the decision's reason. Scores and ranks are unchanged,
    and so are the other customers' tiers (the rule's quota was met before the
    decisions: a freed slot is not refilled). Without ``decisions.yaml`` nothing
    changes and the decision columns are empty. The weight draws of the robustness
    step measure the rule: a decided customer's ``p_keep_tier`` is that of the tier
    the rule gave it.

    Parameters
    ----------
    tier : pandas.Series
        The rule's tier per scored customer, indexed by customer id.
    intake : IntakeResult
        The validated list (claims resolved, with the overrides).
    params : Params
        With ``decisions`` (None: no decisions).

    Returns
    -------
    AppliedDecisions

    Raises
    ------
    ParamsError
        A decision naming a customer that is not on the list, or a tier change of a
        customer that was not scored; naming the file, the entry and the customer.
    """
    it, tiers = params.run.intake, params.run.tiers
    index = tier.index
    out_tier = tier.astype(object).copy()
    reason = pd.Series(np.nan, index=index, dtype=object)
    kinds: dict[str, list[str]] = {}
    who: dict[str, list[str]] = {}
    why: dict[str, list[str]] = {}
    rows: list[dict[str, str]] = []
    decisions = params.decisions
    if decisions is not None and not decisions.empty:
        from prioanalysis.config.decisions import check_customers

        proposed = intake.proposed
        ids = proposed[it.id_column].astype(str)
        names = dict(zip(ids, proposed[it.name_column].astype(str)))
        path = params.decisions_path or "decisions.yaml"
        check_customers(decisions, path, set(ids), set(map(str, index)), intake.source)
        segment = dict(zip(ids, proposed[it.segment_column].astype(str)))
        by_rule_segment = _rule_segment(intake.claims, params)
        for e in decisions.entries():
            cid = e.customer_id
            if e.kind == "claim":
                before, after = str(by_rule_segment.get(cid, segment[cid])), e.value
            else:
                before = str(tier.get(cid, tiers.not_targeted))
                after = e.value if e.kind == "tier" else tiers.not_targeted
                if cid in out_tier.index:
                    out_tier[cid] = after
                    reason[cid] = "" if e.kind == "tier" else e.reason
            kinds.setdefault(cid, []).append(e.kind)
            who.setdefault(cid, []).append(e.decided_by)
            why.setdefault(cid, []).append(e.reason)
            rows.append(
                {
                    "decision": e.kind,
                    "customer_id": cid,
                    "customer_name": names[cid],
                    "by_rule": before,
                    "decided": after,
                    "decision_reason": e.reason,
                    "decided_by": e.decided_by,
                    "decided_on": e.date.isoformat() if e.date is not None else "",
                    "entry": e.where,
                }
            )

    def _joined(found: dict[str, list[str]], sep: str) -> pd.Series:
        return pd.Series([sep.join(found.get(str(c), [])) for c in index], index=index, dtype=object)

    columns = pd.DataFrame(
        {"decision": _joined(kinds, ";"), "decided_by": _joined(who, "; "), "decision_reason": _joined(why, "; ")},
        index=index,
    )
    applied = pd.DataFrame(rows, columns=list(APPLIED_COLUMNS)).astype(object)
    return AppliedDecisions(tier=out_tier, not_targeted_reason=reason, columns=columns, applied=applied)


def _json_records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """A small frame of text as a list of records (for ``choices``)."""
    return [{str(k): str(v) for k, v in row.items()} for row in frame.to_dict(orient="records")]


def rank_by_rule(
    params: Params,
    scores: pd.Series,
    segments: pd.Series,
    eligible: pd.Series,
    tie_breakers: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Rank ``scores`` and split them into tiers under the year's rule (``run.yaml``:
    ``tiers``, ``scoring.tie_rule``, ``scoring.round_decimals``).

    The one place the year's tier rule is turned into a call of
    :func:`prioanalysis.methods.ranking.rank_and_tier`: the ranking and every rescoring
    (the calibration's what-if with other weights) tier alike.

    Parameters
    ----------
    params : Params
    scores : pandas.Series
        Score per customer.
    segments, eligible : pandas.Series
        Each customer's segment and whether it passed the gates (same index).
    tie_breakers : pandas.DataFrame, optional
        The ``scoring.tie_breakers`` columns (same index).

    Returns
    -------
    pandas.DataFrame
        ``rank``, ``segment_rank`` and ``tier`` per customer (see ``rank_and_tier``).
    """
    run = params.run
    tiers = run.tiers
    return ranking.rank_and_tier(
        scores,
        segments,
        eligible,
        tiers.names,
        tiers.not_targeted,
        scheme=tiers.scheme,
        quota_values=tiers.quota.values if tiers.quota else None,  # noqa: PD011  (a params field, not pandas)
        quota_kind=tiers.quota.kind if tiers.quota else "share",
        quota_by=tiers.quota.by if tiers.quota else "segment",
        thresholds=tiers.thresholds,
        tie_rule=run.scoring.tie_rule,
        tie_breakers=tie_breakers,
        decimals=run.scoring.round_decimals,
    )


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
        Without the weight draws: the robustness columns are added by
        :func:`prioanalysis.steps.robustness.add_robustness` (the cycle's ranking,
        notebook 20, calls :func:`prioanalysis.steps.robustness.rank_with_robustness`).

    Raises
    ------
    InputError
        Bad input (file, rows and column named).
    """
    path = Path(input_path) if input_path else params.resolve(params.run.inputs.preliminary_list)
    raw = read_table(path)
    validated = _intake.validate_preliminary(raw, params)
    return rank_customers(validated, params)


# --------------------------------------------------------------------------- collection plan
def _records_funnel(result: RankingResult, params: Params, outcomes: pd.DataFrame | None) -> pd.DataFrame:
    """One row per preliminary record of a ranked list: its segment, whether it ended
    eligible, targeted, and won (from ``outcomes``; 0 without them).
    """
    it = params.run.intake
    raw = result.intake.raw
    ids = raw[it.id_column].astype("string").str.strip()
    segs = raw[it.segment_column].astype("string").str.strip()
    tl = result.target_list.set_index(_schema.KEY)
    kept = tl["segment"].astype(str)
    is_kept = ids.map(kept).eq(segs).fillna(False).to_numpy(dtype=bool)
    eligible = ids.map(tl["eligible"].astype(bool)).fillna(False).to_numpy(dtype=bool) & is_kept
    targeted = ids.map(tl["tier"] != params.run.tiers.not_targeted).fillna(False).to_numpy(dtype=bool) & is_kept
    won = np.zeros(len(raw), dtype=np.int64)
    if outcomes is not None:
        won = ids.map(outcomes["won"]).fillna(0).astype(int).to_numpy() * is_kept
    return pd.DataFrame(
        {"segment": segs.to_numpy(dtype=object), "eligible": eligible, "targeted": targeted, "won": won}
    )


def collection_plan(
    params: Params,
    result: RankingResult | None = None,
    *,
    previous_params: Params | None = None,
    outcomes_path: str | Path | None = None,
    last_year: RankingResult | None = None,
) -> pd.DataFrame:
    """The collection plan of the year: how many preliminary records each segment should
    collect, from its quota and last year's conversion, and the shortfall against the
    records collected (formula: :mod:`prioanalysis.methods.collection`).

    Parameters
    ----------
    params : Params
        This year's parameters: the tier quota (``tiers.quota``), the caps
        (``segments.<id>.max_records``) and ``collection`` (``growth``,
        ``prior_strength``, ``wins``).
    result : RankingResult, optional
        This year's ranking (its list gives the records collected); ranked when omitted.
    previous_params : Params, optional
        Last year's parameters; default ``params/<year − 1>`` beside this year's folder.
    outcomes_path : str or Path, optional
        Last year's outcomes; default ``outcomes_<year − 1>.csv`` beside last year's
        preliminary list (as the calibration finds them).
    last_year : RankingResult, optional
        Last year's list as ranked (default: ranked with ``previous_params``).

    Returns
    -------
    pandas.DataFrame
        :data:`prioanalysis.methods.collection.PLAN_COLUMNS`, one row per segment of
        ``run.yaml`` in its order. The quota: a share quota's ``Σ`` shares (by segment
        or over all); a count quota by segment gives each segment its ``Σ`` counts, over
        all it is split by last year's eligible records; the threshold scheme uses
        last year's share of eligible customers that became targets.

    Raises
    ------
    ParamsError
        No parameters for last year.
    InputError
        Last year's list or outcomes invalid, or no target last year.
    """
    from prioanalysis.config.decisions import with_decisions
    from prioanalysis.config.params import load_params
    from prioanalysis.inputs.outcomes import read_outcomes
    from prioanalysis.methods import collection

    run = params.run
    year = run.year - 1
    if previous_params is None:
        prev_dir = params.directory.parent / str(year)
        if not prev_dir.is_dir():
            raise ParamsError(f"{prev_dir}: no parameters for {year}, the year the collection plan learns from")
        previous_params = with_decisions(load_params(prev_dir))
    if last_year is None:
        last_year = run_ranking(previous_params)
    list_path = previous_params.resolve(previous_params.run.inputs.preliminary_list)
    opath = Path(outcomes_path) if outcomes_path else list_path.parent / f"outcomes_{year}.csv"
    outcomes = read_outcomes(opath)
    funnel = _records_funnel(last_year, previous_params, outcomes)
    if result is None:
        result = run_ranking(params)
    it = run.intake
    collected = result.intake.raw[it.segment_column].astype("string").str.strip().value_counts()
    segments = list(run.segments)
    quota = run.tiers.quota
    share: float | None = None
    counts: dict[str, float] | None = None
    if quota is None:
        eligible = int(funnel["eligible"].sum())
        share = float(funnel["targeted"].sum()) / eligible if eligible else 1.0
    elif quota.kind == "share":
        share = float(sum(quota.values))
    else:
        total = float(sum(quota.values))
        if quota.by == "segment":
            counts = dict.fromkeys(segments, total)
        else:
            elig = funnel.groupby("segment")["eligible"].sum().reindex(segments, fill_value=0)
            counts = (elig / max(int(elig.sum()), 1) * total).to_dict()
    return collection.collection_plan(
        funnel,
        collected,
        segments,
        quota_share=share,
        quota_counts=counts,
        max_records={s: seg.max_records for s, seg in run.segments.items()},
        wins=dict(run.collection.wins),
        growth=run.collection.growth,
        prior_strength=run.collection.prior_strength,
    )


# --------------------------------------------------------------------------- persisted rankings
def ranking_folder(run_dir: str | Path, year: int, *, robustness: bool = False) -> Path:
    """Where a run folder keeps its ranking of ``year``: ``rankings/<year>`` (no weight
    draws) or ``rankings/<year>+robustness`` (with the robustness columns).

    Examples
    --------
    >>> ranking_folder("outputs/2026/RUN", 2025).as_posix()
    'outputs/2026/RUN/rankings/2025'
    """
    return Path(run_dir) / RANKINGS_FOLDER / f"{year}{_ROBUST_SUFFIX if robustness else ''}"


def result_fingerprint(params: Params, input_path: str | Path | None = None) -> str:
    """SHA-256 of what a ranking depends on: ``criteria.yaml``, ``run.yaml``,
    ``decisions.yaml`` (when the year has one) and the preliminary list
    (``input_path`` or the one ``run.yaml`` names).
    """
    import hashlib

    path = Path(input_path) if input_path else params.resolve(params.run.inputs.preliminary_list)
    h = hashlib.sha256()
    files = [params.criteria_path, params.run_path, path]
    if params.decisions_path is not None:
        files.append(params.decisions_path)
    for f in files:
        h.update(str(Path(f).name).encode())
        with Path(f).open("rb") as fh:
            for chunk in iter(lambda: fh.read(1 << 20), b""):
                h.update(chunk)
    return h.hexdigest()


def save_result(result: RankingResult, folder: str | Path, fingerprint: str | None = None) -> Path:
    """Persist a ranking into ``folder`` (Parquet tables + ``result.json``, see
    :mod:`prioanalysis.steps.persist`); :func:`load_result` reads it back exactly.

    Parameters
    ----------
    result : RankingResult
    folder : str or Path
        A new (or empty) folder, e.g. :func:`ranking_folder` of the run.
    fingerprint : str, optional
        :func:`result_fingerprint` of the parameters and the list ranked, checked by
        :func:`load_result`.

    Returns
    -------
    Path
        The ``result.json`` written.
    """
    from prioanalysis.steps import persist

    extra = {
        "kind": "ranking",
        "fingerprint": fingerprint,
        "robustness": bool(set(_schema.ROBUSTNESS) & set(result.target_list.columns)),
    }
    return persist.save(result, folder, extra=extra)


def load_result(folder: str | Path, fingerprint: str | None = None) -> RankingResult:
    """Read a ranking persisted by :func:`save_result`.

    Parameters
    ----------
    folder : str or Path
    fingerprint : str, optional
        When given, the persisted ranking must have been made from the same
        parameters and list (:func:`result_fingerprint`).

    Raises
    ------
    InputError
        No persisted ranking in ``folder``, or one of other parameters or another list.
    """
    from prioanalysis.errors import InputError
    from prioanalysis.steps import persist

    result, extra = persist.load(folder)
    if not isinstance(result, RankingResult):
        raise InputError(f"{folder}: the persisted result is not a ranking")
    if fingerprint is not None and extra.get("fingerprint") != fingerprint:
        raise InputError(
            f"{folder}: the persisted ranking was made from other parameters or another "
            "preliminary list than the ones given"
        )
    return result


def stored_result(
    run_dir: str | Path | None, params: Params, input_path: str | Path | None = None, *, robustness: bool = False
) -> RankingResult | None:
    """The ranking of ``params`` (and ``input_path``) that the run folder holds already,
    or ``None``: no run folder, nothing persisted yet, or made from other inputs.

    ``robustness=True`` accepts only a ranking with the weight draws; otherwise one
    with the draws is preferred, one without is accepted.
    """
    from prioanalysis.errors import InputError

    if not run_dir:
        return None
    fingerprint = result_fingerprint(params, input_path)
    kinds = (True,) if robustness else (True, False)
    for robust in kinds:
        folder = ranking_folder(run_dir, params.run.year, robustness=robust)
        if (folder / "result.json").is_file():
            try:
                return load_result(folder, fingerprint)
            except (InputError, OSError, ValueError):  # other inputs, or unreadable: rank again
                continue
    return None


def load_or_rank(
    params: Params, run_dir: str | Path | None = None, input_path: str | Path | None = None
) -> RankingResult:
    """The ranking of ``params``: read from the run folder when the run has ranked these
    parameters and this list already (:func:`stored_result`, e.g. notebook 20's ranking
    read by notebook 40), else ranked once without weight draws (:func:`run_ranking`).
    """
    found = stored_result(run_dir, params, input_path)
    return found if found is not None else run_ranking(params, input_path)
