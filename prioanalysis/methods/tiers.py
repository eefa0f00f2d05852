"""Importance tiers: the one tier rule and the one engine that applies it (2.3.3).

The rule
    :class:`TierRule` — tier names (best first), the label of everyone else, and
    either a **quota** (a share or a count of each group's *eligible* customers per
    tier; shares become cumulative cuts ``floor((s_1 + … + s_k) × n + 0.5)``,
    :func:`quota_counts`) or **thresholds** (descending minimum scores). Customers
    that fail a screening gate are not eligible and never in a tier.

The engine
    Every rule is reduced to *cut keys*: a customer of group ``g`` is in tier ``t``
    or better when its key is at least ``cut[g, t]``; its **tier code** is the number
    of cuts its key falls below (0 = the best tier, ``len(names)`` = not targeted).
    The key is the score rounded for ranking, so that tied customers share the
    better tier (ties at a quota cut are never split); or minus a unique rank, when
    the ranking breaks ties (tie rule ``first``). A quota's cut is the ``m``-th
    largest key among the group's eligible customers (``m`` its cumulative count):
    with competition ranks, a customer's rank within its group is at most ``m``
    exactly when its key is at least that value. Threshold cuts are the thresholds.

    :func:`cut_keys` and :func:`tier_codes` take one key vector ``(customers,)`` or a
    block of weight draws ``(draws, customers)`` alike, so the ranking step
    (:func:`prioanalysis.methods.ranking.rank_and_tier`) and the weight draws
    (:func:`prioanalysis.methods.acceptability.rank_acceptability`) tier with the same
    code. :func:`assign_tiers` is the pandas entry point for one list.

Examples
--------
>>> rule = TierRule(("T1", "T2"), values=(0.25, 0.25))
>>> keys = pd.Series([0.9, 0.8, 0.8, 0.1], index=list("abcd"))
>>> assign_tiers(keys, rule).tolist()  # cuts after 1 and 2 customers; b and c tie
['T1', 'T2', 'T2', 'not targeted']
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise
from typing import Any

import numpy as np
import pandas as pd

from prioanalysis.errors import InputError

__all__ = [
    "SCHEMES",
    "QUOTA_KINDS",
    "TierRule",
    "TierPlan",
    "quota_counts",
    "plan_tiers",
    "cut_keys",
    "tier_codes",
    "tier_labels",
    "assign_tiers",
    "assign_tiers_quota",
    "assign_tiers_threshold",
]

#: Tier schemes.
SCHEMES: tuple[str, ...] = ("quota", "threshold")
#: Quota kinds: a share of the group's eligible customers, or a count.
QUOTA_KINDS: tuple[str, ...] = ("share", "count")
_SHARE_TOLERANCE = 1e-9


# ----------------------------------------------------------------------------- the rule
@dataclass(frozen=True)
class TierRule:
    """The tier rule: names, scheme and one value per tier.

    Parameters
    ----------
    names : sequence of str
        Tier names, best first (unique, other than ``not_targeted``).
    scheme : {"quota", "threshold"}
    values : sequence of float
        One per tier: shares or counts (quota), or descending minimum scores
        (threshold).
    kind : {"share", "count"}
        Quota kind (ignored for thresholds).
    not_targeted : str
        Label of everyone below the last cut and of every customer not eligible.

    Raises
    ------
    InputError
        Names not unique or equal to ``not_targeted``, an unknown scheme or kind, not
        one finite value per tier, negative quota values, shares summing to more than
        1, thresholds not descending.

    Examples
    --------
    >>> TierRule(("A", "B"), "threshold", (0.5, 0.8))
    Traceback (most recent call last):
    ...
    prioanalysis.errors.InputError: tier thresholds must be descending (best tier first); got [0.5, 0.8]
    """

    names: tuple[str, ...]
    scheme: str = "quota"
    values: tuple[float, ...] = ()
    kind: str = "share"
    not_targeted: str = "not targeted"

    def __post_init__(self) -> None:
        names = tuple(str(n) for n in self.names)
        object.__setattr__(self, "names", names)
        if not names or len(set(names)) != len(names) or self.not_targeted in names:
            raise InputError(
                "tier names must be unique, at least one, best first, and differ from the "
                f"not-targeted label {self.not_targeted!r}; got {list(names)}"
            )
        if self.scheme not in SCHEMES:
            raise InputError(f"unknown tier scheme {self.scheme!r} (expected 'quota' or 'threshold')")
        if self.scheme == "quota" and self.kind not in QUOTA_KINDS:
            raise InputError(f"unknown quota kind {self.kind!r} (expected 'share' or 'count')")
        try:
            values = tuple(float(v) for v in self.values)
        except (TypeError, ValueError):
            values = (math.nan,)
        what = "quota values" if self.scheme == "quota" else "thresholds"
        if len(values) != len(names) or not all(math.isfinite(v) for v in values):
            raise InputError(f"the tier rule needs {len(names)} finite {what}, one per tier; got {list(self.values)}")
        object.__setattr__(self, "values", values)
        if self.scheme == "threshold":
            if any(a < b for a, b in pairwise(values)):
                raise InputError(f"tier thresholds must be descending (best tier first); got {list(values)}")
        elif any(v < 0 for v in values) or (self.kind == "share" and sum(values) > 1 + _SHARE_TOLERANCE):
            extra = " and sum to at most 1" if self.kind == "share" else ""
            raise InputError(f"quota {self.kind}s must be non-negative{extra}; got {list(values)}")

    @property
    def labels(self) -> tuple[str, ...]:
        """The tier names, then the not-targeted label: the label of each tier code."""
        return (*self.names, self.not_targeted)

    def describe(self) -> dict[str, Any]:
        """The rule as a record (``names``, ``not_targeted`` and the values under
        ``shares``, ``counts`` or ``thresholds``).
        """
        key = "thresholds" if self.scheme == "threshold" else ("shares" if self.kind == "share" else "counts")
        return {"names": list(self.names), key: list(self.values), "not_targeted": self.not_targeted}


def quota_counts(sizes: np.ndarray | Sequence[int], values: Sequence[float], kind: str = "share") -> np.ndarray:
    """Cumulative quota counts of each group: how many customers tier ``t`` or better holds.

    Shares: ``floor((s_1 + … + s_t) × n + 0.5)`` for a group of ``n`` eligible
    customers — rounding the running total keeps the tiers adding up to the rounded
    total share. Counts: the running total of the counts, whatever the group size.

    Parameters
    ----------
    sizes : array of int
        Eligible customers per group.
    values : sequence of float
        Share or count per tier.
    kind : {"share", "count"}

    Returns
    -------
    numpy.ndarray
        int64, shape (groups, tiers); not clipped to the group size.

    Examples
    --------
    >>> quota_counts([10, 9], [0.05, 0.1]).tolist()
    [[1, 2], [0, 1]]
    >>> quota_counts([10, 9], [1, 2], "count").tolist()
    [[1, 3], [1, 3]]
    """
    n = np.asarray(sizes, dtype=float)
    cum = np.cumsum(np.asarray(values, dtype=float))
    if kind == "share":
        out = np.floor(np.outer(n, cum) + 0.5)
    elif kind == "count":
        out = np.tile(cum, (n.size, 1))
    else:
        raise InputError(f"unknown quota kind {kind!r} (expected 'share' or 'count')")
    return out.astype(np.int64)


# ----------------------------------------------------------------------------- the plan
@dataclass(frozen=True, eq=False)
class TierPlan:
    """A tier rule bound to a list of customers: what every draw's tiering needs.

    Attributes
    ----------
    rule : TierRule
    codes : numpy.ndarray
        intp, shape (customers,): the group of each eligible customer; ineligible
        customers have the extra code ``n_groups`` (whose cuts are +inf).
    n_groups : int
    members : tuple of numpy.ndarray
        Quota: the positions of each group's eligible customers.
    counts : numpy.ndarray or None
        Quota: (groups, tiers) cumulative counts clipped to the group sizes.
    grouped : bool
        Quota within groups (rather than over the whole list).
    """

    rule: TierRule
    codes: np.ndarray
    n_groups: int
    members: tuple[np.ndarray, ...]
    counts: np.ndarray | None
    grouped: bool = False

    @property
    def n(self) -> int:
        """Number of customers."""
        return int(self.codes.size)

    @property
    def eligible(self) -> np.ndarray:
        """Boolean, True for the customers that compete for a tier."""
        return self.codes < self.n_groups

    def describe(self) -> dict[str, Any]:
        """The rule's record plus ``eligible`` (count) and ``by`` (quota grouping)."""
        out = self.rule.describe()
        out["eligible"] = int(self.eligible.sum())
        if self.rule.scheme == "quota":
            out["by"] = "groups" if self.grouped else "all"
        return out


def plan_tiers(
    rule: TierRule,
    eligible: np.ndarray | Sequence[bool] | None = None,
    groups: np.ndarray | Sequence[Any] | None = None,
    n: int | None = None,
) -> TierPlan:
    """Bind a rule to customers: their eligibility and (quota) their groups.

    Parameters
    ----------
    rule : TierRule
    eligible : array of bool, optional
        Passed every gate (default: everyone).
    groups : array, optional
        Quota group of each customer (e.g. the segment; default: one group). Ignored
        by thresholds.
    n : int, optional
        Number of customers, when neither ``eligible`` nor ``groups`` is given.

    Returns
    -------
    TierPlan

    Examples
    --------
    >>> plan = plan_tiers(TierRule(("T",), values=(0.5,)), [True, True, False, True], ["x", "x", "x", "y"])
    >>> plan.codes.tolist(), plan.counts.tolist()
    ([0, 0, 2, 1], [[1], [1]])
    """
    size = next((len(a) for a in (eligible, groups) if a is not None), n)
    if size is None:
        raise InputError("plan_tiers needs the eligibility, the groups or the number of customers")
    ok = np.ones(size, dtype=bool) if eligible is None else np.asarray(eligible, dtype=bool)
    if ok.shape != (size,):
        raise InputError(f"eligible has {ok.size} values for {size} customers")
    grouped = rule.scheme == "quota" and groups is not None
    if grouped:
        # a missing group is a group of its own, as a value
        g = np.asarray(pd.factorize(np.asarray(groups, dtype=object), use_na_sentinel=False)[0], dtype=np.intp)
        if g.shape != (size,):
            raise InputError(f"groups has {g.size} values for {size} customers")
        n_groups = int(g.max()) + 1 if size else 1
    else:
        g = np.zeros(size, dtype=np.intp)
        n_groups = 1
    codes = np.where(ok, g, n_groups).astype(np.intp)
    members: tuple[np.ndarray, ...] = ()
    counts = None
    if rule.scheme == "quota":
        sizes = np.bincount(codes, minlength=n_groups + 1)[:n_groups]
        counts = np.minimum(quota_counts(sizes, rule.values, rule.kind), sizes[:, None])
        order = np.argsort(codes, kind="stable")
        bounds = np.concatenate([[0], np.cumsum(sizes)])
        members = tuple(order[bounds[i] : bounds[i + 1]] for i in range(n_groups))
    return TierPlan(rule=rule, codes=codes, n_groups=n_groups, members=members, counts=counts, grouped=grouped)


# ----------------------------------------------------------------------------- the engine
def cut_keys(plan: TierPlan, keys: np.ndarray) -> np.ndarray:
    """The cut of every tier in every group: the lowest key that reaches the tier.

    Parameters
    ----------
    plan : TierPlan
    keys : numpy.ndarray
        Shape (customers,) or (draws, customers); higher is better, no NaN.

    Returns
    -------
    numpy.ndarray
        Shape ``keys.shape[:-1] + (n_groups + 1, tiers)``; +inf where nobody reaches
        the tier (a quota count of 0) and in the last row (ineligible customers).

    Examples
    --------
    >>> plan = plan_tiers(TierRule(("T1", "T2"), values=(1, 1), kind="count"), n=4)
    >>> cut_keys(plan, np.array([[4.0, 3.0, 2.0, 1.0], [1.0, 2.0, 2.0, 0.0]])).tolist()
    [[[4.0, 3.0], [inf, inf]], [[2.0, 2.0], [inf, inf]]]
    """
    keys = np.asarray(keys, dtype=float)
    if keys.shape[-1:] != (plan.n,):
        raise InputError(f"keys have {keys.shape[-1] if keys.ndim else 0} customers; the tier plan has {plan.n}")
    lead = keys.shape[:-1]
    n_tiers = len(plan.rule.names)
    out = np.full((*lead, plan.n_groups + 1, n_tiers), np.inf)
    if plan.rule.scheme == "threshold":
        out[..., : plan.n_groups, :] = np.asarray(plan.rule.values, dtype=float)
        return out
    assert plan.counts is not None
    for g, members in enumerate(plan.members):
        m = plan.counts[g]
        reached = m >= 1
        if not reached.any():
            continue
        size = members.size
        pos = size - m[reached]  # the m-th largest is the (size - m)-th smallest
        part = np.partition(keys[..., members], np.unique(pos), axis=-1)
        out[..., g, reached] = part[..., pos]
    return out


def tier_codes(plan: TierPlan, keys: np.ndarray, cuts: np.ndarray | None = None) -> np.ndarray:
    """Tier code of every customer: the number of cuts its key falls below.

    Parameters
    ----------
    plan : TierPlan
    keys : numpy.ndarray
        Shape (customers,) or (draws, customers).
    cuts : numpy.ndarray, optional
        From :func:`cut_keys` (computed when not given).

    Returns
    -------
    numpy.ndarray
        int8 (int16 beyond 126 tiers), the shape of ``keys``: 0 = the best tier,
        ``len(names)`` = not targeted.

    Examples
    --------
    >>> plan = plan_tiers(TierRule(("A", "B"), "threshold", (0.8, 0.5)), [True, True, True, False])
    >>> tier_codes(plan, np.array([0.9, 0.6, 0.1, 0.9])).tolist()
    [0, 1, 2, 2]
    """
    keys = np.asarray(keys, dtype=float)
    if cuts is None:
        cuts = cut_keys(plan, keys)
    n_tiers = cuts.shape[-1]
    out = np.zeros(keys.shape, dtype=np.int8 if n_tiers < 127 else np.int16)
    for t in range(n_tiers):
        out += keys < np.take(cuts[..., t], plan.codes, axis=-1)
    return out


def tier_labels(plan: TierPlan, codes: np.ndarray) -> np.ndarray:
    """Tier names of tier codes (object array of the shape of ``codes``)."""
    return np.asarray(plan.rule.labels, dtype=object)[codes]


def _aligned(values: pd.Series | None, index: pd.Index, what: str) -> np.ndarray | None:
    if values is None:
        return None
    if not isinstance(values, pd.Series):
        return np.asarray(values)
    aligned = values.reindex(index)
    if aligned.isna().any():
        raise InputError(f"{what} has no value for customers {list(index[aligned.isna().to_numpy()][:5])}")
    return aligned.to_numpy()


def assign_tiers(
    keys: pd.Series,
    rule: TierRule,
    eligible: pd.Series | None = None,
    groups: pd.Series | None = None,
) -> pd.Series:
    """Tier names of one list.

    Parameters
    ----------
    keys : pandas.Series
        The tiering key per customer, higher is better: the score rounded as for
        ranking (ties share the better tier) or minus a unique rank (ties split).
    rule : TierRule
    eligible : pandas.Series, optional
        Boolean, aligned on the index (default: everyone).
    groups : pandas.Series, optional
        Quota group of each customer, aligned on the index (default: one group).

    Returns
    -------
    pandas.Series
        Tier name per customer (object), indexed like ``keys``.

    Examples
    --------
    >>> s = pd.Series([0.9, 0.6, 0.2])
    >>> assign_tiers(s, TierRule(("A", "B"), "threshold", (0.8, 0.5))).tolist()
    ['A', 'B', 'not targeted']
    """
    plan = plan_tiers(
        rule,
        _aligned(eligible, keys.index, "eligible"),
        _aligned(groups, keys.index, "groups"),
        n=len(keys),
    )
    codes = tier_codes(plan, keys.to_numpy(dtype=float))
    return pd.Series(tier_labels(plan, codes), index=keys.index, dtype=object)


def assign_tiers_quota(
    ranks: pd.Series,
    eligible: pd.Series,
    names: Sequence[str],
    values: Sequence[float],
    kind: str = "share",
    groups: pd.Series | None = None,
    not_targeted: str = "not targeted",
) -> pd.Series:
    """Quota tiers from ranks: the best ``values[0]`` of each group in tier 1, and so on.

    A customer is in tier ``t`` or better when its rank is at most the group's
    cumulative count (:func:`quota_counts`) — the engine's comparison with the key
    minus the rank and the cuts minus the counts.

    Parameters
    ----------
    ranks : pandas.Series
        Ranks among *eligible* customers (1 = best) within each group: competition
        ranks (``min``) or unique ranks (``first``). With ``min`` ranks customers tied
        at a cut share a rank and so all take the better tier: ties are never split.
        Dense ranks must not be used (they would move everyone after a tie up).
    eligible : pandas.Series
        Boolean: passed every gate.
    names : sequence of str
        Tier names, best first.
    values : sequence of float
        Per tier: a share of the group's eligible customers (``kind="share"``) or a
        count (``kind="count"``).
    kind : {"share", "count"}
    groups : pandas.Series, optional
        Group of each customer (``None``: one group).
    not_targeted : str
        Label for customers beyond the last cut and those failing a gate.

    Returns
    -------
    pandas.Series
        Tier name per customer.

    Examples
    --------
    >>> r = pd.Series([1, 2, 3, 4], index=list("abcd"))
    >>> e = pd.Series(True, index=r.index)
    >>> assign_tiers_quota(r, e, ["T1", "T2"], [0.25, 0.5]).tolist()
    ['T1', 'T2', 'T2', 'not targeted']
    """
    if kind not in QUOTA_KINDS:
        raise InputError(f"unknown quota kind {kind!r} (expected 'share' or 'count')")
    rule = TierRule(tuple(names), "quota", tuple(values), kind, not_targeted)
    plan = plan_tiers(rule, _aligned(eligible, ranks.index, "eligible"), _aligned(groups, ranks.index, "groups"))
    sizes = np.bincount(plan.codes, minlength=plan.n_groups + 1)[: plan.n_groups]
    cuts = np.full((plan.n_groups + 1, len(rule.names)), np.inf)
    cuts[: plan.n_groups] = -quota_counts(sizes, rule.values, kind).astype(float)
    codes = tier_codes(plan, -ranks.to_numpy(dtype=float), cuts)
    return pd.Series(tier_labels(plan, codes), index=ranks.index, dtype=object)


def assign_tiers_threshold(
    scores: pd.Series,
    eligible: pd.Series,
    names: Sequence[str],
    thresholds: Sequence[float],
    not_targeted: str = "not targeted",
    decimals: int = 10,
) -> pd.Series:
    """Threshold tiers: score ≥ ``thresholds[k]`` (descending) → tier ``names[k]``.

    Scores are rounded to ``decimals`` first, as for ranking.

    Examples
    --------
    >>> s = pd.Series([0.9, 0.6, 0.2])
    >>> assign_tiers_threshold(s, pd.Series(True, index=s.index), ["A", "B"], [0.8, 0.5]).tolist()
    ['A', 'B', 'not targeted']
    """
    rule = TierRule(tuple(names), "threshold", tuple(thresholds), not_targeted=not_targeted)
    return assign_tiers(scores.round(decimals), rule, eligible)
