"""Ranks, screening gates, importance tiers, A–E grades and the priority matrix (2.3.3).

Pure, vectorised functions: pandas in, pandas out. The pipeline
(:mod:`prioanalysis.steps.ranking`) strings them together. The tiers come from the
one tier engine, :mod:`prioanalysis.methods.tiers`; the grade letters and their
promised months from :mod:`prioanalysis.methods.grades`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import cast

import numpy as np
import pandas as pd

from prioanalysis.errors import InputError
from prioanalysis.methods import tiers as _tiers
from prioanalysis.methods.grades import NO_NEED_GRADE, OPEN_GRADE, PROMISED_MONTHS, TIMED_GRADES

__all__ = [
    "rank_and_tier",
    "sort_order",
    "rank_scores",
    "apply_gates",
    "assign_grades",
    "priority_quadrant",
    "top_drivers",
]

TIE_RULES = ("min", "dense", "first")


def sort_order(
    scores: pd.Series,
    tie_breakers: pd.DataFrame | None = None,
    decimals: int = 10,
) -> pd.Index:
    """Deterministic order: score descending, then tie breakers descending, then index.

    Parameters
    ----------
    scores : pandas.Series
        Scores indexed by customer id.
    tie_breakers : pandas.DataFrame, optional
        Columns compared in turn (descending; NaN last) when scores tie.
    decimals : int
        Scores are rounded to this many decimals first, so that floating-point noise
        never decides a tie.

    Returns
    -------
    pandas.Index
        Customer ids, best first.

    Examples
    --------
    >>> s = pd.Series([0.5, 0.7, 0.5], index=["c", "a", "b"])
    >>> list(sort_order(s))
    ['a', 'b', 'c']
    """
    frame = pd.DataFrame({"_s": scores.round(decimals)})
    keys, asc = ["_s"], [False]
    if tie_breakers is not None:
        for i, col in enumerate(tie_breakers.columns):
            frame[f"_t{i}"] = tie_breakers[col].reindex(scores.index).to_numpy()
            keys.append(f"_t{i}")
            asc.append(False)
    frame["_id"] = frame.index.astype(str)
    keys.append("_id")
    asc.append(True)
    return frame.sort_values(keys, ascending=asc, kind="stable", na_position="last").index


def rank_scores(
    scores: pd.Series,
    tie_rule: str = "min",
    tie_breakers: pd.DataFrame | None = None,
    groups: pd.Series | None = None,
    decimals: int = 10,
) -> pd.Series:
    """Rank scores, 1 = best, overall or within groups.

    Parameters
    ----------
    scores : pandas.Series
        Scores indexed by customer id.
    tie_rule : {"min", "dense", "first"}
        ``min``: tied scores share the best rank, the next rank skips ("1224").
        ``dense``: tied scores share a rank, no skip ("1223"). ``first``: every
        customer its own rank, ties broken by ``tie_breakers`` then customer id.
    tie_breakers : pandas.DataFrame, optional
        Used by ``first``.
    groups : pandas.Series, optional
        Rank within each group (e.g. segment).
    decimals : int
        Rounding of scores before comparing.

    Returns
    -------
    pandas.Series
        Integer ranks aligned with ``scores``.

    Examples
    --------
    >>> s = pd.Series([0.9, 0.5, 0.9, 0.1], index=list("abcd"))
    >>> rank_scores(s, "min").tolist()
    [1, 3, 1, 4]
    >>> rank_scores(s, "dense").tolist()
    [1, 2, 1, 3]
    >>> rank_scores(s, "first").tolist()
    [1, 3, 2, 4]
    """
    if tie_rule not in TIE_RULES:
        raise InputError(f"unknown tie rule {tie_rule!r} (expected one of {', '.join(TIE_RULES)})")
    if groups is not None:
        # integer codes group much faster than text
        groups = pd.Series(pd.factorize(groups.reindex(scores.index))[0], index=scores.index)
    rounded = scores.round(decimals)
    if tie_rule == "first":
        order = sort_order(scores, tie_breakers, decimals)
        pos = pd.Series(np.arange(1, len(order) + 1), index=order)
        if groups is None:
            return pos.reindex(scores.index).astype(int)
        g = groups.reindex(order)
        return g.groupby(g, sort=False).cumcount().add(1).reindex(scores.index).astype(int)
    if groups is None:
        return rounded.rank(method=tie_rule, ascending=False).astype(int)
    return rounded.groupby(groups).rank(method=tie_rule, ascending=False).astype(int)


def apply_gates(
    frame: pd.DataFrame,
    gates: Sequence[Mapping[str, object]],
    scales: Mapping[str, Mapping[str, float]] | None = None,
) -> pd.Series:
    """Screening gates: the reasons each customer fails, or "" when it passes all.

    Parameters
    ----------
    frame : pandas.DataFrame
        Customers with the gate columns (ordinal columns already mapped to numbers).
    gates : sequence of mappings
        Each with ``id``, ``column``, ``reason``, one of ``min``/``max``/``not_in``,
        ``missing`` (``pass`` or ``fail``) and, for a text ``min``/``max`` on an
        ordinal column, ``scale`` (the scale name in ``scales``).
    scales : mapping, optional
        Ordinal scales (name → {key: number}).

    Returns
    -------
    pandas.Series
        Text: reasons joined by "; " (empty when the customer passes).

    Examples
    --------
    >>> f = pd.DataFrame({"need": ["dead", "target"], "credit": [3.0, None]})
    >>> g = [{"id": "n", "column": "need", "reason": "no need", "not_in": ["dead"]},
    ...      {"id": "c", "column": "credit", "reason": "credit", "min": 4, "missing": "fail"}]
    >>> apply_gates(f, g).tolist()
    ['no need; credit', 'credit']
    """
    reasons = pd.Series("", index=frame.index, dtype=object)
    for gate in gates:
        col = frame[str(gate["column"])]
        missing = col.isna()
        fail = pd.Series(False, index=frame.index)
        if gate.get("not_in") is not None:
            bad = {str(v).lower() for v in cast("Iterable[object]", gate["not_in"])}
            fail = col.astype("string").str.lower().isin(bad).fillna(False).astype(bool)
        else:
            for key, cmp in (("min", np.less), ("max", np.greater)):
                bound = gate.get(key)
                if bound is None:
                    continue
                if isinstance(bound, str):
                    scale = (scales or {}).get(str(gate.get("scale")), {})
                    bound = scale[bound]
                fail = pd.Series(cmp(col.to_numpy(dtype=float), float(cast("float", bound))), index=frame.index)
                fail &= ~missing
        if gate.get("missing", "pass") == "fail":
            fail |= missing
        add = np.where(fail, str(gate["reason"]), "")
        reasons = pd.Series(
            np.where((reasons != "") & (add != ""), reasons + "; " + add, reasons + add),
            index=frame.index,
            dtype=object,
        )
    return reasons


def assign_grades(
    need_status: pd.Series,
    months: pd.Series,
    limits: Mapping[str, float] | None = None,
    target: str = "target",
    potential: str = "potential",
    dead: str = "dead",
) -> pd.Series:
    """The combined A–E grade of docs/process.md (letters: :mod:`prioanalysis.methods.grades`).

    A: clear need ("target") and expected to close within ``limits["A"]`` months
    (default 1); B within 3; C within 6; D: potential need, or a clear need more
    than ``limits["C"]`` months away, or a clear need with no expected date, or no
    need status given; E: no need ("dead").

    Parameters
    ----------
    need_status : pandas.Series
        ``target`` / ``potential`` / ``dead``.
    months : pandas.Series
        Expected months to close (NaN allowed).
    limits : mapping, optional
        Months per timed grade; :data:`prioanalysis.methods.grades.PROMISED_MONTHS`
        (``{"A": 1, "B": 3, "C": 6}``) by default.

    Returns
    -------
    pandas.Series
        Grade letters.

    Examples
    --------
    >>> need = pd.Series(["target", "target", "target", "potential", "dead", "target"])
    >>> months = pd.Series([0.5, 2, 12, 1, 1, None])
    >>> assign_grades(need, months).tolist()
    ['A', 'B', 'D', 'D', 'E', 'D']
    """
    lim = {**PROMISED_MONTHS, **(limits or {})}
    m = months.to_numpy(dtype=float)
    # a missing need status is no evidence of a need: it falls through to D
    is_target = (need_status == target).fillna(False).to_numpy(dtype=bool)
    is_dead = (need_status == dead).fillna(False).to_numpy(dtype=bool)
    conds = [is_dead, *(is_target & (m <= float(lim[g])) for g in TIMED_GRADES)]
    grade = np.select(conds, [NO_NEED_GRADE, *TIMED_GRADES], default=OPEN_GRADE)
    return pd.Series(grade, index=need_status.index, dtype=object)


def priority_quadrant(
    tier: pd.Series,
    grade: pd.Series,
    important_tiers: Sequence[str],
    urgent_grades: Sequence[str],
    not_targeted: str,
    labels: Mapping[str, str],
) -> pd.Series:
    """Importance (tier) × urgency (grade) → quadrant label.

    Parameters
    ----------
    tier, grade : pandas.Series
        Tier names and A–E grades.
    important_tiers : sequence of str
        Tiers counted as "important".
    urgent_grades : sequence of str
        Grades counted as "urgent".
    not_targeted : str
        Tier name of non-targets (they get ``labels["not_targeted"]``).
    labels : mapping
        Keys ``important_urgent``, ``important_not_urgent``, ``other_urgent``,
        ``other_not_urgent``, ``not_targeted``.

    Returns
    -------
    pandas.Series
        Quadrant label per customer.
    """
    imp = tier.isin(list(important_tiers)).to_numpy()
    urg = grade.isin(list(urgent_grades)).to_numpy()
    out = np.select(
        [
            (tier == not_targeted).to_numpy(),
            imp & urg,
            imp & ~urg,
            ~imp & urg,
        ],
        [
            labels["not_targeted"],
            labels["important_urgent"],
            labels["important_not_urgent"],
            labels["other_urgent"],
        ],
        default=labels["other_not_urgent"],
    )
    return pd.Series(out, index=tier.index, dtype=object)


def top_drivers(contributions: pd.DataFrame, labels: Mapping[str, str] | None = None, n: int = 3) -> pd.DataFrame:
    """The ``n`` criteria that moved each customer's score most, with their sign.

    A driver is a criterion's contribution minus that criterion's average
    contribution over the list: "+" means the customer gains on the average customer
    there, "−" that it loses. For the weighted sum these deviations add up exactly to
    the customer's score minus the average score.

    Parameters
    ----------
    contributions : pandas.DataFrame
        Customers × criteria contributions (:class:`prioanalysis.methods.scoring.ScoreResult`).
    labels : mapping, optional
        Criterion id → display label.
    n : int
        Number of drivers.

    Returns
    -------
    pandas.DataFrame
        Columns ``driver_1`` … ``driver_n``, text like ``"战略契合度 +0.041"``; ties in
        size are broken by the criterion order.

    Examples
    --------
    >>> c = pd.DataFrame({"x": [0.3, 0.1], "y": [0.0, 0.2]}, index=["a", "b"])
    >>> top_drivers(c, n=2)["driver_1"].tolist()
    ['x +0.100', 'x -0.100']
    """
    dev = contributions - contributions.mean(axis=0)
    values = dev.to_numpy().round(12)  # floating-point noise never decides the order
    k = min(n, values.shape[1])
    order = np.argsort(-np.abs(values), axis=1, kind="stable")[:, :k]
    names = np.array([(labels or {}).get(c, c) for c in contributions.columns], dtype=object)
    out = {}
    for i in range(k):
        idx = order[:, i]
        v = values[np.arange(len(values)), idx]
        v = np.round(v, 3) + 0.0  # + 0.0 turns -0.0 into 0.0, so no "-0.000"
        txt = pd.Series(names[idx]).str.cat(pd.Series(v).map(lambda x: f"{x:+.3f}"), sep=" ")
        out[f"driver_{i + 1}"] = txt.to_numpy()
    return pd.DataFrame(out, index=contributions.index)


def rank_and_tier(
    scores: pd.Series,
    segment: pd.Series,
    eligible: pd.Series,
    names: Sequence[str],
    not_targeted: str = "not targeted",
    scheme: str = "quota",
    quota_values: Sequence[float] | None = None,
    quota_kind: str = "share",
    quota_by: str = "segment",
    thresholds: Sequence[float] | None = None,
    tie_rule: str = "min",
    tie_breakers: pd.DataFrame | None = None,
    decimals: int = 10,
) -> pd.DataFrame:
    """Ranks overall and within segment, then importance tiers — the ranking step.

    The tiers come from the tier engine (:func:`prioanalysis.methods.tiers.assign_tiers`):
    quota cuts count eligible customers only, by their rounded score (customers tied
    at a cut all take the better tier, whatever the tie rule) or, under the ``first``
    rule, by their unique rank (ties split by the tie breakers, then the id).

    Parameters
    ----------
    scores : pandas.Series
        Scores indexed by customer id.
    segment : pandas.Series
        Segment of each customer.
    eligible : pandas.Series
        Boolean: passed every screening gate.
    names, not_targeted
        Tier names (best first) and the label of non-targets.
    scheme : {"quota", "threshold"}
    quota_values, quota_kind, quota_by
        See :class:`prioanalysis.methods.tiers.TierRule`; ``quota_by`` is ``segment``
        or ``all``.
    thresholds : sequence of float
        For the threshold scheme.
    tie_rule, tie_breakers, decimals
        See :func:`rank_scores`.

    Returns
    -------
    pandas.DataFrame
        Columns ``rank``, ``segment_rank``, ``tier``, indexed like ``scores``.

    Examples
    --------
    >>> s = pd.Series([0.9, 0.8, 0.7, 0.6], index=list("abcd"))
    >>> seg = pd.Series(["x", "x", "y", "y"], index=s.index)
    >>> ok = pd.Series([True, False, True, True], index=s.index)
    >>> rank_and_tier(s, seg, ok, ["T1"], quota_values=[0.5])["tier"].tolist()
    ['T1', 'not targeted', 'T1', 'not targeted']
    """
    rank_all = rank_scores(scores, tie_rule, tie_breakers, None, decimals)
    rank_seg = rank_scores(scores, tie_rule, tie_breakers, segment, decimals)
    if scheme == "quota":
        if quota_values is None:
            raise InputError("the quota scheme needs quota values, one per tier")
        rule = _tiers.TierRule(tuple(names), "quota", tuple(quota_values), quota_kind, not_targeted)
        groups = segment if quota_by == "segment" else None
        # quota cuts count customers: dense ranks would let everyone after a tie move
        # up, so ties share the better tier through the rounded score itself (the
        # competition rank); the "first" rule splits ties by its unique ranks
        keys = -rank_all.astype(float) if tie_rule == "first" else scores.round(decimals)
        tier = _tiers.assign_tiers(keys, rule, eligible, groups)
    elif scheme == "threshold":
        if thresholds is None:
            raise InputError("the threshold scheme needs thresholds, one per tier")
        rule = _tiers.TierRule(tuple(names), "threshold", tuple(thresholds), not_targeted=not_targeted)
        tier = _tiers.assign_tiers(scores.round(decimals), rule, eligible)
    else:
        raise InputError(f"unknown tier scheme {scheme!r} (expected 'quota' or 'threshold')")
    return pd.DataFrame({"rank": rank_all, "segment_rank": rank_seg, "tier": tier}, index=scores.index)
