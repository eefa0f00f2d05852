"""Year-end review: did last year's ranking pick the right customers?

Step 2.3.6 of the customer-development process ("annual review") asks how well this
year's criteria picked the right customers.  This module holds the metrics that answer
it, as small pure functions over pandas objects indexed by customer id:

* discrimination of the score: :func:`auc` (DeLong confidence interval),
  :func:`univariate_auc` (one criterion at a time), :func:`rank_correlations`;
* the top of the list: :func:`precision_at_k`, :func:`lift_at`, :func:`capture_at`,
  :func:`gains_table`, :func:`gains_curve`;
* tiers and A-E grades: :func:`rate_table`, :func:`trend_test`,
  :func:`closed_in_time`;
* year-on-year movement: :func:`migration_matrix`, :func:`migration_tests`,
  :func:`psi`, :func:`psi_breakdown`, :func:`stability_table`;
* several scores of one list side by side (candidate weight sets judged on the same
  outcomes): :func:`score_comparison`.

Conventions shared by every function
------------------------------------
* Inputs are pandas Series / DataFrames indexed by customer id.  Several inputs of one
  call must carry the same set of customer ids (the order may differ; they are aligned
  by label).  Duplicate ids, ids present in one input only, and missing outcomes raise
  :class:`~prioanalysis.errors.InputError`.
* ``outcome`` is 0/1 (or boolean): 1 = the customer converted (won, closed a deal).
* A higher ``score`` means "ranked higher, expected to convert".
* **Top-k share** ``k`` (0 < k <= 1) means the first ``m = ceil(k * n)`` customers of
  the list sorted by score, descending (``k * n`` is rounded to 9 decimals first, so
  that ``0.1 * 30`` gives 3, not 4).
* **Ties at the cut** (``ties`` parameter): ``"average"`` (default) gives each customer
  of the tie group that straddles the cut the same fractional share of the remaining
  places -- the expected result over all orders of the tied customers, so it does not
  depend on how the data happen to be sorted.  ``"stable"`` breaks ties by the order of
  the index (first listed wins), which yields whole customers.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt
import pandas as pd
from scipy import stats

from prioanalysis import checks
from prioanalysis.errors import InputError
from prioanalysis.methods.grades import PROMISED_MONTHS as _GRADE_MONTHS

__all__ = [
    "AUCResult",
    "TrendTestResult",
    "PROMISED_MONTHS",
    "PSI_THRESHOLDS",
    "auc",
    "precision_at_k",
    "lift_at",
    "capture_at",
    "gains_table",
    "gains_curve",
    "rank_correlations",
    "rate_table",
    "trend_test",
    "migration_matrix",
    "migration_tests",
    "psi",
    "psi_breakdown",
    "stability_table",
    "univariate_auc",
    "closed_in_time",
    "score_comparison",
]

FloatArray = npt.NDArray[np.float64]
Ties = Literal["average", "stable"]
TIES: tuple[Ties, ...] = ("average", "stable")

#: How the review's messages about missing values end.
_FILL = "Fill or drop them before the review."

#: Close promised by each grade, in months (docs/process.md: A within 1, B within 3,
#: C within 6 months; D and E promise nothing).
PROMISED_MONTHS: Mapping[str, int] = _GRADE_MONTHS  # the one definition: methods.grades

#: The usual reading of the population stability index: below the first value
#: "stable", up to and including the second "moderate shift", above it "major shift".
PSI_THRESHOLDS: tuple[float, float] = (0.1, 0.25)


# ----------------------------------------------------------------------------------
# Validation helpers (private)
# ----------------------------------------------------------------------------------


def _outcome(x: pd.Series, name: str = "outcome") -> FloatArray:
    """Return a 0/1 outcome as a float array of 0.0 and 1.0."""
    missing = x.isna().to_numpy()
    if missing.any():
        raise InputError(
            f"`{name}` has {int(missing.sum())} missing value(s), for customer id(s) "
            f"{checks.short_list(x.index[missing])}. Every customer needs a 0/1 outcome "
            "(1 = converted); record 0 for customers that did not convert."
        )
    if not (pd.api.types.is_bool_dtype(x.dtype) or pd.api.types.is_numeric_dtype(x.dtype)):
        raise InputError(f"`{name}` must be 0/1 or True/False; got dtype {x.dtype}.")
    arr = x.to_numpy(dtype=np.float64)
    bad = (arr != 0.0) & (arr != 1.0)
    if bad.any():
        raise InputError(
            f"`{name}` must be 0/1 or True/False; customer id(s) {checks.short_list(x.index[bad])} "
            f"have other values ({checks.short_list(pd.unique(arr[bad]).tolist(), 3)})."
        )
    return arr


def _value(x: pd.Series, name: str = "value") -> FloatArray:
    """Revenue-like values: numeric, finite, >= 0."""
    return checks.nonnegative(x, name, what="revenue, deal size", hint=_FILL)


def _top_share(k: float, name: str = "k") -> float:
    """The top-k share: 0 < k <= 1."""
    return checks.share(
        k,
        name,
        meaning="the share of customers at the top of the list",
        allow_zero=False,
        hint=f"For the top 10% pass {name}=0.1.",
    )


def _n_top(k: float, n: int) -> int:
    """Number of customers in the top-k share: ``ceil(k * n)``, k*n rounded to 9 dp."""
    return max(1, math.ceil(round(k * n, 9)))


# ----------------------------------------------------------------------------------
# Kernels (pure numpy, no validation)
# ----------------------------------------------------------------------------------


def _top_cumulative(score: FloatArray, x: FloatArray, ties: Ties = "average") -> FloatArray:
    """Cumulative sum of ``x`` over the top ``m`` customers, for m = 0..n.

    Customers are sorted by score, descending.  With ``ties="average"`` the cumulative
    sum is interpolated linearly across each group of tied scores (each member of the
    group gets the same fractional share); with ``"stable"`` ties keep input order.
    """
    n = score.shape[0]
    order = np.argsort(-score, kind="stable")
    cum = np.concatenate(([0.0], np.cumsum(x[order])))
    if ties == "stable" or n == 0:
        return cum
    ss = score[order]
    new = np.concatenate(([True], ss[1:] != ss[:-1]))
    gid = np.cumsum(new) - 1
    starts = np.flatnonzero(new)
    ends = np.concatenate((starts[1:], [n]))
    s, e = starts[gid], ends[gid]
    m = np.arange(1, n + 1)
    interp = cum[s] + (m - s) / (e - s) * (cum[e] - cum[s])
    return np.concatenate(([0.0], np.where(m == e, cum[e], interp)))


def _auc_kernel(pos: FloatArray, neg: FloatArray) -> tuple[float, float, float]:
    """AUC and the two DeLong variance components (Sun & Xu 2014), ties count 1/2.

    Returns ``(auc, s10, s01)`` with ``var(auc) = s10 / m + s01 / n``; a component is
    NaN when its class has a single member.
    """
    m, n = pos.shape[0], neg.shape[0]
    tx = stats.rankdata(pos)
    ty = stats.rankdata(neg)
    tz = stats.rankdata(np.concatenate((pos, neg)))
    v10 = (tz[:m] - tx) / n  # per positive: share of negatives below it (ties 1/2)
    v01 = 1.0 - (tz[m:] - ty) / m  # per negative: share of positives above it
    a = float(v10.mean())
    s10 = float(np.var(v10, ddof=1)) if m > 1 else math.nan
    s01 = float(np.var(v01, ddof=1)) if n > 1 else math.nan
    return a, s10, s01


# ----------------------------------------------------------------------------------
# Discrimination: AUC
# ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class AUCResult:
    """Area under the ROC curve with its confidence interval.

    Attributes
    ----------
    auc : float
        Probability that a randomly chosen converter scores higher than a randomly
        chosen non-converter (ties count 1/2).
    ci_low, ci_high : float
        Confidence bounds (normal approximation, clipped to [0, 1]); NaN when not
        computable (``ci=None``, or a class with a single customer under DeLong).
    n_pos, n_neg : int
        Number of converters and non-converters.
    se : float
        Standard error of the AUC under ``method``.
    ci : float or None
        Confidence level used.
    method : str
        Variance method used (``"delong"`` or ``"hanley_mcneil"``).
    """

    auc: float
    ci_low: float
    ci_high: float
    n_pos: int
    n_neg: int
    se: float
    ci: float | None
    method: str


def auc(
    score: pd.Series,
    outcome: pd.Series,
    ci: float | None = 0.95,
    method: Literal["delong", "hanley_mcneil"] = "delong",
) -> AUCResult:
    """Area under the ROC curve of a score against a 0/1 outcome, with a CI.

    Parameters
    ----------
    score : pd.Series
        Ranking score per customer (higher = expected to convert), indexed by
        customer id.  No missing values.
    outcome : pd.Series
        1/True if the customer converted, 0/False otherwise; same customer ids.
    ci : float or None, default 0.95
        Confidence level of the interval; ``None`` skips it (bounds are NaN).
    method : {"delong", "hanley_mcneil"}, default "delong"
        Variance of the AUC.  ``"delong"``: the nonparametric variance of DeLong,
        DeLong & Clarke-Pearson (1988), computed with the fast midrank algorithm of
        Sun & Xu (2014); needs at least two customers in each class, otherwise the
        bounds are NaN.  ``"hanley_mcneil"``: the exponential-model approximation of
        Hanley & McNeil (1982).

    Returns
    -------
    AUCResult
        ``auc``, ``ci_low``, ``ci_high``, ``n_pos``, ``n_neg``, ``se``, ``ci``,
        ``method``.  The interval is ``auc +/- z * se`` clipped to [0, 1]; a perfectly
        separating score has DeLong ``se = 0`` and a degenerate interval [1, 1].

    Raises
    ------
    InputError
        If inputs are not aligned, have missing values, the outcome is not 0/1, or
        only one class (all converted / none converted) is present.

    Notes
    -----
    The AUC equals the Mann-Whitney statistic ``U / (n_pos * n_neg)``.

    References
    ----------
    DeLong ER, DeLong DM, Clarke-Pearson DL (1988). Comparing the areas under two or
    more correlated receiver operating characteristic curves: a nonparametric
    approach. Biometrics 44(3):837-845.
    Sun X, Xu W (2014). Fast implementation of DeLong's algorithm for comparing the
    areas under correlated receiver operating characteristic curves. IEEE Signal
    Processing Letters 21(11):1389-1393.
    Hanley JA, McNeil BJ (1982). The meaning and use of the area under a receiver
    operating characteristic (ROC) curve. Radiology 143(1):29-36.

    Examples
    --------
    >>> import pandas as pd
    >>> s = pd.Series([0.9, 0.8, 0.7, 0.6, 0.5], index=list("abcde"))
    >>> y = pd.Series([1, 0, 1, 0, 0], index=list("abcde"))
    >>> r = auc(s, y)
    >>> round(r.auc, 4), r.n_pos, r.n_neg
    (0.8333, 2, 3)
    """
    score = checks.series_by_id(score, "score")
    outcome = checks.series_by_id(outcome, "outcome")
    score, outcome = checks.aligned(score=score, outcome=outcome)
    s = checks.numeric(score, "score", hint=_FILL)
    y = _outcome(outcome)
    checks.confidence_level(ci)
    checks.one_of(method, ("delong", "hanley_mcneil"), "method")
    pos, neg = s[y == 1.0], s[y == 0.0]
    m, n = pos.shape[0], neg.shape[0]
    if m == 0 or n == 0:
        raise InputError(
            "The AUC needs both converters and non-converters; "
            f"`outcome` has {m} converter(s) and {n} non-converter(s)."
        )
    a, s10, s01 = _auc_kernel(pos, neg)
    if method == "delong":
        var = s10 / m + s01 / n
    else:
        q1, q2 = a / (2 - a), 2 * a * a / (1 + a)
        var = (a * (1 - a) + (m - 1) * (q1 - a * a) + (n - 1) * (q2 - a * a)) / (m * n)
    se = math.sqrt(max(var, 0.0)) if not math.isnan(var) else math.nan
    if ci is None or math.isnan(se):
        lo = hi = math.nan
    else:
        z = float(stats.norm.ppf(0.5 + ci / 2))
        lo, hi = max(0.0, a - z * se), min(1.0, a + z * se)
    return AUCResult(a, lo, hi, m, n, se, ci, method)


# ----------------------------------------------------------------------------------
# The top of the list
# ----------------------------------------------------------------------------------


def precision_at_k(score: pd.Series, outcome: pd.Series, k: float = 0.1, ties: Ties = "average") -> float:
    """Conversion rate among the top-k share of customers by score.

    Parameters
    ----------
    score : pd.Series
        Ranking score per customer (higher = ranked higher); no missing values.
    outcome : pd.Series
        1/True if the customer converted; same customer ids.
    k : float, default 0.1
        Share of the list, in (0, 1]; the top ``ceil(k * n)`` customers are taken.
    ties : {"average", "stable"}, default "average"
        Tie handling at the cut (module docstring): ``"average"`` shares the remaining
        places equally among the tied customers, ``"stable"`` takes them in index
        order.

    Returns
    -------
    float
        Conversions in the top ``m`` divided by ``m``.

    Raises
    ------
    InputError
        If inputs are not aligned or have missing values, the outcome is not 0/1, or
        ``k`` is outside (0, 1].

    Examples
    --------
    >>> import pandas as pd
    >>> s = pd.Series([5, 4, 3, 2, 1])
    >>> y = pd.Series([1, 0, 1, 0, 0])
    >>> precision_at_k(s, y, k=0.4)   # top 2 = scores 5, 4: one conversion
    0.5
    """
    s, y = _score_and(score, outcome, "outcome", _outcome)
    k = _top_share(k)
    checks.one_of(ties, TIES, "ties")
    m = _n_top(k, s.shape[0])
    return float(_top_cumulative(s, y, ties)[m] / m)


def lift_at(score: pd.Series, outcome: pd.Series, k: float = 0.1, ties: Ties = "average") -> float:
    """Lift at the top-k share: conversion rate in the top k divided by overall rate.

    Parameters
    ----------
    score : pd.Series
        Ranking score per customer (higher = ranked higher); no missing values.
    outcome : pd.Series
        1/True if the customer converted; same customer ids.
    k : float, default 0.1
        Share of the list, in (0, 1]; the top ``ceil(k * n)`` customers are taken.
    ties : {"average", "stable"}, default "average"
        Tie handling at the cut, see :func:`precision_at_k`.

    Returns
    -------
    float
        ``precision_at_k(score, outcome, k) / mean(outcome)``; 1 means the top of the
        list converts no better than the list as a whole.

    Raises
    ------
    InputError
        As :func:`precision_at_k`, and if no customer converted (lift undefined).

    Examples
    --------
    >>> import pandas as pd
    >>> s = pd.Series([5, 4, 3, 2, 1])
    >>> y = pd.Series([1, 0, 1, 0, 0])
    >>> lift_at(s, y, k=0.2)   # top 1 converts at 1/1, overall 2/5
    2.5
    """
    s, y = _score_and(score, outcome, "outcome", _outcome)
    k = _top_share(k)
    checks.one_of(ties, TIES, "ties")
    total = y.sum()
    if total == 0:
        raise InputError("No customer converted (`outcome` is all 0); lift is undefined.")
    m = _n_top(k, s.shape[0])
    return float((_top_cumulative(s, y, ties)[m] / m) / (total / s.shape[0]))


def capture_at(score: pd.Series, value: pd.Series, k: float = 0.1, ties: Ties = "average") -> float:
    """Share of total value (revenue) captured by the top-k share of customers.

    Parameters
    ----------
    score : pd.Series
        Ranking score per customer (higher = ranked higher); no missing values.
    value : pd.Series
        Revenue or deal value per customer, >= 0 (0 for customers that bought
        nothing); same customer ids.  A 0/1 outcome gives the share of conversions.
    k : float, default 0.1
        Share of the list, in (0, 1]; the top ``ceil(k * n)`` customers are taken.
    ties : {"average", "stable"}, default "average"
        Tie handling at the cut, see :func:`precision_at_k`.

    Returns
    -------
    float
        Value of the top ``m`` customers divided by the total value; 1.0 at k = 1.

    Raises
    ------
    InputError
        If inputs are not aligned, have missing or negative values, the total value
        is 0, or ``k`` is outside (0, 1].

    Examples
    --------
    >>> import pandas as pd
    >>> s = pd.Series([5, 4, 3, 2])
    >>> v = pd.Series([100.0, 0.0, 50.0, 50.0])
    >>> capture_at(s, v, k=0.5)   # top 2 hold 100 of 200
    0.5
    """
    s, v = _score_and(score, value, "value", _value)
    k = _top_share(k)
    checks.one_of(ties, TIES, "ties")
    cum = _top_cumulative(s, v, ties)
    if cum[-1] <= 0:
        raise InputError("The total of `value` is 0; the captured share is undefined.")
    return float(cum[_n_top(k, s.shape[0])] / cum[-1])


def _score_and(score: pd.Series, other: pd.Series, other_name: str, convert) -> tuple[FloatArray, FloatArray]:
    """Validate and align a score with an outcome or value Series."""
    score = checks.series_by_id(score, "score")
    other = checks.series_by_id(other, other_name)
    score, other = checks.aligned(score=score, **{other_name: other})
    if score.shape[0] == 0:
        raise InputError("`score` is empty; there are no customers to review.")
    return checks.numeric(score, "score", hint=_FILL), convert(other, other_name)


# ----------------------------------------------------------------------------------
# Gains
# ----------------------------------------------------------------------------------


def gains_table(
    score: pd.Series,
    outcome: pd.Series,
    value: pd.Series | None = None,
    n_bins: int = 10,
    ties: Ties = "average",
) -> pd.DataFrame:
    """Gains (lift) table: customers sorted by score, cut into equal-sized bins.

    Parameters
    ----------
    score : pd.Series
        Ranking score per customer (higher = ranked higher); no missing values.
    outcome : pd.Series
        1/True if the customer converted; same customer ids.
    value : pd.Series, optional
        Revenue per customer (>= 0); adds the value columns.
    n_bins : int, default 10
        Number of bins (10 = deciles).  Bin ``b`` (1-based) ends after the first
        ``ceil(b * n / n_bins)`` customers, so bins differ in size by at most one.
    ties : {"average", "stable"}, default "average"
        Tie handling at bin edges (module docstring).  With ``"average"`` a tie group
        that straddles an edge is shared pro rata, so conversions per bin can be
        fractional; with ``"stable"`` ties keep index order and counts are whole.

    Returns
    -------
    pd.DataFrame
        Indexed by ``bin`` (1 = top), columns ``n_customers``, ``share_customers``,
        ``cum_share_customers``, ``score_high``, ``score_low`` (score range of the
        customers in the bin, index order within ties), ``conversions``, ``rate``,
        ``cum_conversions``, ``cum_share_conversions``, ``lift`` (bin rate / overall
        rate), ``cum_lift`` (cumulative rate / overall rate) and, if ``value`` is
        given, ``value``, ``cum_value``, ``cum_share_value``.

    Raises
    ------
    InputError
        If inputs are not aligned or have missing values, the outcome is not 0/1, no
        customer converted, ``n_bins`` < 1 or there are fewer customers than bins.

    Examples
    --------
    >>> import pandas as pd
    >>> s = pd.Series([4, 3, 2, 1])
    >>> y = pd.Series([1, 1, 0, 0])
    >>> g = gains_table(s, y, n_bins=2)
    >>> g[["n_customers", "conversions", "lift"]]  # doctest: +NORMALIZE_WHITESPACE
         n_customers  conversions  lift
    bin
    1              2          2.0   2.0
    2              2          0.0   0.0
    """
    s, y = _score_and(score, outcome, "outcome", _outcome)
    v = None
    if value is not None:
        value = checks.aligned(score=score, value=checks.series_by_id(value, "value"))[1]
        v = _value(value)
    checks.one_of(ties, TIES, "ties")
    n = s.shape[0]
    n_bins = checks.integer(n_bins, "n_bins")
    if n < n_bins:
        raise InputError(
            f"There are {n} customers but {n_bins} bins were asked for; use fewer bins (n_bins) or more customers."
        )
    total = y.sum()
    if total == 0:
        raise InputError("No customer converted (`outcome` is all 0); lift is undefined.")
    b = np.arange(1, n_bins + 1)
    edge = -(-b * n // n_bins)  # ceil(b * n / n_bins), exact integer arithmetic
    prev_edge = np.concatenate(([0], edge[:-1]))
    size = edge - prev_edge
    cum_y = _top_cumulative(s, y, ties)[edge]
    conv = np.diff(np.concatenate(([0.0], cum_y)))
    overall = total / n
    sorted_s = s[np.argsort(-s, kind="stable")]
    out = pd.DataFrame(
        {
            "n_customers": size,
            "share_customers": size / n,
            "cum_share_customers": edge / n,
            "score_high": sorted_s[prev_edge],
            "score_low": sorted_s[edge - 1],
            "conversions": conv,
            "rate": conv / size,
            "cum_conversions": cum_y,
            "cum_share_conversions": cum_y / total,
            "lift": conv / size / overall,
            "cum_lift": cum_y / edge / overall,
        },
        index=pd.Index(b, name="bin"),
    )
    if v is not None:
        cum_v = _top_cumulative(s, v, ties)
        out["value"] = np.diff(np.concatenate(([0.0], cum_v[edge])))
        out["cum_value"] = cum_v[edge]
        out["cum_share_value"] = cum_v[edge] / cum_v[-1] if cum_v[-1] > 0 else np.nan
    return out


def gains_curve(
    score: pd.Series,
    outcome: pd.Series,
    value: pd.Series | None = None,
    ties: Ties = "average",
) -> pd.DataFrame:
    """Full-resolution cumulative gains curve, one point per customer, from (0, 0).

    Parameters
    ----------
    score : pd.Series
        Ranking score per customer (higher = ranked higher); no missing values.
    outcome : pd.Series
        1/True if the customer converted; same customer ids.
    value : pd.Series, optional
        Revenue per customer (>= 0); adds ``share_value``.
    ties : {"average", "stable"}, default "average"
        ``"average"`` draws a straight segment across each group of tied scores (the
        expected curve over all orders of the tied customers); ``"stable"`` keeps
        index order.

    Returns
    -------
    pd.DataFrame
        ``n + 1`` rows: ``n_customers`` (0..n), ``share_customers``,
        ``share_conversions`` (cumulative share of all conversions), ``score`` (score
        of the last customer included; NaN on the first row) and, if ``value`` is
        given, ``share_value``.  The curve starts at (0, 0) and ends at (1, 1); it is
        flat (0) when nobody converted.

    Raises
    ------
    InputError
        If inputs are not aligned or have missing values, or the outcome is not 0/1.

    Examples
    --------
    >>> import pandas as pd
    >>> c = gains_curve(pd.Series([3, 2, 1]), pd.Series([1, 0, 1]))
    >>> c["share_conversions"].tolist()
    [0.0, 0.5, 0.5, 1.0]
    """
    s, y = _score_and(score, outcome, "outcome", _outcome)
    checks.one_of(ties, TIES, "ties")
    n = s.shape[0]
    cum_y = _top_cumulative(s, y, ties)
    sorted_s = s[np.argsort(-s, kind="stable")]
    out = pd.DataFrame(
        {
            "n_customers": np.arange(n + 1),
            "share_customers": np.arange(n + 1) / n,
            "share_conversions": cum_y / cum_y[-1] if cum_y[-1] > 0 else np.zeros(n + 1),
            "score": np.concatenate(([np.nan], sorted_s)),
        }
    )
    if value is not None:
        value = checks.aligned(score=score, value=checks.series_by_id(value, "value"))[1]
        cum_v = _top_cumulative(s, _value(value), ties)
        out["share_value"] = cum_v / cum_v[-1] if cum_v[-1] > 0 else np.zeros(n + 1)
    return out


# ----------------------------------------------------------------------------------
# Rank correlation
# ----------------------------------------------------------------------------------


def rank_correlations(
    score: pd.Series,
    value: pd.Series,
    alternative: Literal["two-sided", "greater", "less"] = "two-sided",
    kendall_variant: Literal["b", "c"] = "b",
) -> pd.DataFrame:
    """Spearman's rho and Kendall's tau between the score and realised value.

    Parameters
    ----------
    score : pd.Series
        Ranking score per customer; no missing values.
    value : pd.Series
        Realised value (revenue, margin, ...) per customer; no missing values (use 0
        for customers that bought nothing); same customer ids.
    alternative : {"two-sided", "greater", "less"}, default "two-sided"
        Alternative hypothesis of the p-values; "greater" = higher score goes with
        higher value.
    kendall_variant : {"b", "c"}, default "b"
        Kendall's tau-b (adjusts for ties) or tau-c (Stuart), as in
        :func:`scipy.stats.kendalltau`.

    Returns
    -------
    pd.DataFrame
        Index ``["spearman", "kendall"]``, columns ``statistic``, ``p_value``, ``n``.

    Raises
    ------
    InputError
        If inputs are not aligned, have missing values, fewer than 3 customers, or
        either input is constant (correlation undefined).

    Examples
    --------
    >>> import pandas as pd
    >>> rc = rank_correlations(pd.Series([1, 2, 3, 4]), pd.Series([10, 20, 30, 40]))
    >>> rc["statistic"].round(6).tolist()
    [1.0, 1.0]
    """
    s, v = _score_and(score, value, "value", lambda x, name: checks.numeric(x, name, finite=True, hint=_FILL))
    if s.shape[0] < 3:
        raise InputError(f"Rank correlations need at least 3 customers; got {s.shape[0]}.")
    for arr, name in ((s, "score"), (v, "value")):
        if np.all(arr == arr[0]):
            raise InputError(f"`{name}` is constant; a rank correlation is undefined.")
    checks.one_of(alternative, ("two-sided", "greater", "less"), "alternative")
    checks.one_of(kendall_variant, ("b", "c"), "kendall_variant")
    sp = stats.spearmanr(s, v, alternative=alternative)
    kt = stats.kendalltau(s, v, variant=kendall_variant, alternative=alternative)
    return pd.DataFrame(
        {
            "statistic": [float(sp.statistic), float(kt.statistic)],
            "p_value": [float(sp.pvalue), float(kt.pvalue)],
            "n": [s.shape[0]] * 2,
        },
        index=pd.Index(["spearman", "kendall"], name="method"),
    )


# ----------------------------------------------------------------------------------
# Tiers and grades
# ----------------------------------------------------------------------------------


def _wilson(
    count: npt.NDArray[np.number], nobs: npt.NDArray[np.number], ci: float | None
) -> tuple[FloatArray, FloatArray]:
    """Wilson score interval, NaN where ``nobs == 0`` or ``ci`` is None."""
    from statsmodels.stats.proportion import proportion_confint

    lo = np.full(count.shape, np.nan)
    hi = np.full(count.shape, np.nan)
    ok = nobs > 0
    if ci is not None and ok.any():
        lo[ok], hi[ok] = proportion_confint(count[ok], nobs[ok], alpha=1 - ci, method="wilson")
    return lo, hi


def _group_codes(
    groups: pd.Series, order: Sequence[object] | None, name: str = "groups"
) -> tuple[npt.NDArray[np.intp], list[object]]:
    """Codes of each customer's group in ``order`` (validated)."""
    missing = groups.isna().to_numpy()
    if missing.any():
        raise InputError(
            f"`{name}` has {int(missing.sum())} missing label(s), for customer id(s) "
            f"{checks.short_list(groups.index[missing])}. Give every customer a tier/grade or "
            "drop them first."
        )
    if order is None:
        labels = pd.unique(groups.to_numpy()).tolist()
        try:
            order = sorted(labels)
        except TypeError:
            order = labels
    order = list(order)
    if len(set(order)) != len(order):
        raise InputError(f"`order` lists a label more than once: {order!r}.")
    codes = pd.Index(order, dtype=object).get_indexer(groups.to_numpy(dtype=object))
    unknown = codes < 0
    if unknown.any():
        labels = pd.unique(groups.to_numpy()[unknown]).tolist()
        raise InputError(
            f"`{name}` has label(s) {checks.short_list(labels)} that are not in `order` "
            f"{order!r} (customer id(s) {checks.short_list(groups.index[unknown])})."
        )
    return codes, order


def rate_table(
    groups: pd.Series,
    outcome: pd.Series,
    value: pd.Series | None = None,
    ci: float | None = 0.95,
    order: Sequence[object] | None = None,
) -> pd.DataFrame:
    """Conversion rate and revenue by tier or A-E grade, with Wilson intervals.

    Parameters
    ----------
    groups : pd.Series
        Tier or grade label per customer; no missing labels.
    outcome : pd.Series
        1/True if the customer converted; same customer ids.
    value : pd.Series, optional
        Revenue per customer (>= 0, 0 for no revenue); adds the revenue columns.
    ci : float or None, default 0.95
        Confidence level of the Wilson score interval of each rate (Wilson 1927, via
        ``statsmodels.stats.proportion.proportion_confint(method="wilson")``); None
        leaves the bounds NaN.
    order : sequence, optional
        Row order, e.g. ``["A", "B", "C", "D", "E"]``.  Labels absent from the data
        appear with ``n = 0`` and NaN rate; labels in the data but not in ``order``
        are an error.  Default: the sorted labels found in the data.

    Returns
    -------
    pd.DataFrame
        Indexed by group label (in ``order``), columns ``n``, ``conversions``,
        ``rate``, ``ci_low``, ``ci_high`` and, if ``value`` is given,
        ``revenue_total``, ``revenue_mean`` (over all customers of the group,
        including those with 0) and ``revenue_share`` (of the total over all groups).

    Raises
    ------
    InputError
        If inputs are not aligned, labels or outcomes are missing, the outcome is not
        0/1, or a label is not in ``order``.

    Examples
    --------
    >>> import pandas as pd
    >>> g = pd.Series(["A", "A", "B", "B", "B"])
    >>> y = pd.Series([1, 1, 1, 0, 0])
    >>> rate_table(g, y, ci=None, order=["A", "B", "C"])[["n", "conversions", "rate"]]
       n  conversions      rate
    A  2            2  1.000000
    B  3            1  0.333333
    C  0            0       NaN
    """
    groups = checks.series_by_id(groups, "groups")
    outcome = checks.series_by_id(outcome, "outcome")
    groups, outcome, value = (
        [*checks.aligned(groups=groups, outcome=outcome), None]
        if value is None
        else checks.aligned(groups=groups, outcome=outcome, value=checks.series_by_id(value, "value"))
    )
    y = _outcome(outcome)
    checks.confidence_level(ci)
    codes, order = _group_codes(groups, order)
    k = len(order)
    n = np.bincount(codes, minlength=k)
    conv = np.bincount(codes, weights=y, minlength=k)
    with np.errstate(invalid="ignore", divide="ignore"):
        rate = np.where(n > 0, conv / np.maximum(n, 1), np.nan)
    lo, hi = _wilson(conv, n.astype(float), ci)
    out = pd.DataFrame(
        {
            "n": n,
            "conversions": conv.astype(np.int64),
            "rate": rate,
            "ci_low": lo,
            "ci_high": hi,
        },
        index=pd.Index(order, name=groups.name),
    )
    if value is not None:
        v = _value(value)
        tot = np.bincount(codes, weights=v, minlength=k)
        out["revenue_total"] = tot
        out["revenue_mean"] = np.where(n > 0, tot / np.maximum(n, 1), np.nan)
        out["revenue_share"] = tot / tot.sum() if tot.sum() > 0 else np.nan
    return out


@dataclass(frozen=True, eq=False)
class TrendTestResult:
    """Result of the Cochran-Armitage trend test.

    Attributes
    ----------
    statistic : float
        Z statistic; negative when conversion falls along ``order``.
    p_value : float
        P-value for ``alternative``.
    alternative : str
        ``"decreasing"`` (default: rates fall from the first to the last group),
        ``"increasing"`` or ``"two-sided"``.
    monotone : bool
        Whether the observed rates of the non-empty groups are non-increasing along
        ``order`` (every tier converts at most as well as the one above).
    rates : pd.Series
        Observed rate per group in ``order`` (NaN for empty groups).
    n : pd.Series
        Customers per group.
    variance : str
        ``"binomial"`` or ``"hypergeometric"``.
    """

    statistic: float
    p_value: float
    alternative: str
    monotone: bool
    rates: pd.Series
    n: pd.Series
    variance: str


def trend_test(
    groups: pd.Series,
    outcome: pd.Series,
    order: Sequence[object],
    scores: Sequence[float] | None = None,
    alternative: Literal["decreasing", "increasing", "two-sided"] = "decreasing",
    variance: Literal["binomial", "hypergeometric"] = "binomial",
) -> TrendTestResult:
    """Cochran-Armitage test that conversion falls from tier to tier.

    With groups ``i`` in ``order``, ``n_i`` customers, ``x_i`` conversions, scores
    ``t_i`` (increasing along ``order``) and overall rate ``p = X / N``::

        T   = sum_i t_i (x_i - n_i p)
        V   = p (1 - p) [sum_i n_i t_i^2 - (sum_i n_i t_i)^2 / N]
        Z   = T / sqrt(V)

    (Armitage 1955; Cochran 1954).  ``variance="hypergeometric"`` multiplies ``V`` by
    ``N / (N - 1)`` (the conditional, permutation variance); this is the
    linear-by-linear association test of statsmodels'
    ``Table.test_ordinal_association`` (Agresti 2002, sec. 3.4.6) up to the sign.

    Parameters
    ----------
    groups : pd.Series
        Tier or grade per customer; no missing labels.
    outcome : pd.Series
        1/True if the customer converted; same customer ids.
    order : sequence
        Groups from the highest-priority tier to the lowest, e.g. ``["A", ..., "E"]``.
        Groups absent from the data are allowed (they carry no weight).
    scores : sequence of float, optional
        Score ``t_i`` of each group in ``order``; default ``0, 1, ..., K-1``
        (equally spaced).  Keep them increasing along ``order``: the direction of
        ``alternative`` is read against the scores.
    alternative : {"decreasing", "increasing", "two-sided"}, default "decreasing"
        ``"decreasing"``: one-sided p-value ``Phi(Z)`` for conversion falling along
        ``order`` (the ranking worked); ``"increasing"``: ``1 - Phi(Z)``;
        ``"two-sided"``: ``2 Phi(-|Z|)``.
    variance : {"binomial", "hypergeometric"}, default "binomial"
        Armitage's binomial variance, or the conditional variance (see above).

    Returns
    -------
    TrendTestResult
        ``statistic`` (Z), ``p_value``, ``alternative``, ``monotone`` (observed rates
        non-increasing along ``order``), ``rates``, ``n``, ``variance``.

    Raises
    ------
    InputError
        If inputs are not aligned or missing, labels are not in ``order``, fewer than
        two groups have customers, everyone or no one converted, or ``scores`` does
        not match ``order``.

    References
    ----------
    Armitage P (1955). Tests for linear trends in proportions and frequencies.
    Biometrics 11(3):375-386.
    Cochran WG (1954). Some methods for strengthening the common chi-squared tests.
    Biometrics 10(4):417-451.

    Examples
    --------
    >>> import pandas as pd
    >>> g = pd.Series(["A"] * 4 + ["B"] * 4)
    >>> y = pd.Series([1, 1, 1, 0, 1, 0, 0, 0])
    >>> r = trend_test(g, y, order=["A", "B"])
    >>> round(r.statistic, 4), round(r.p_value, 4), r.monotone
    (-1.4142, 0.0786, True)
    """
    groups = checks.series_by_id(groups, "groups")
    outcome = checks.series_by_id(outcome, "outcome")
    groups, outcome = checks.aligned(groups=groups, outcome=outcome)
    y = _outcome(outcome)
    codes, order = _group_codes(groups, order)
    k = len(order)
    t = np.arange(k, dtype=float) if scores is None else np.asarray(scores, dtype=float)
    if t.shape != (k,) or not np.isfinite(t).all():
        raise InputError(f"`scores` must give one finite number per group in `order` ({k}); got {scores!r}.")
    checks.one_of(alternative, ("decreasing", "increasing", "two-sided"), "alternative")
    checks.one_of(variance, ("binomial", "hypergeometric"), "variance")
    n_i = np.bincount(codes, minlength=k).astype(float)
    x_i = np.bincount(codes, weights=y, minlength=k)
    big_n, big_x = n_i.sum(), x_i.sum()
    nonempty = n_i > 0
    if np.unique(t[nonempty]).shape[0] < 2:
        raise InputError(
            "The trend test needs customers in at least two groups with different scores; "
            f"groups with customers: {checks.short_list([o for o, ne in zip(order, nonempty) if ne])}."
        )
    if big_x == 0 or big_x == big_n:
        raise InputError(
            "The trend test needs both converters and non-converters; "
            f"{int(big_x)} of {int(big_n)} customers converted."
        )
    p = big_x / big_n
    stat_t = float(np.dot(t, x_i - n_i * p))
    var = p * (1 - p) * (np.dot(n_i, t * t) - np.dot(n_i, t) ** 2 / big_n)
    if variance == "hypergeometric":
        var *= big_n / (big_n - 1)
    z = stat_t / math.sqrt(var)
    if alternative == "decreasing":
        pval = float(stats.norm.cdf(z))
    elif alternative == "increasing":
        pval = float(stats.norm.sf(z))
    else:
        pval = float(2 * stats.norm.sf(abs(z)))
    rates = np.where(nonempty, x_i / np.maximum(n_i, 1), np.nan)
    observed = rates[nonempty]
    idx = pd.Index(order, name=groups.name)
    return TrendTestResult(
        statistic=float(z),
        p_value=pval,
        alternative=alternative,
        monotone=bool(np.all(np.diff(observed) <= 0)),
        rates=pd.Series(rates, index=idx, name="rate"),
        n=pd.Series(n_i.astype(np.int64), index=idx, name="n"),
        variance=variance,
    )


def closed_in_time(
    grade: pd.Series,
    won: pd.Series,
    days_to_close: pd.Series,
    promised_months: Mapping[str, int] = PROMISED_MONTHS,
    days_per_month: float = 30,
    ci: float | None = 0.95,
) -> pd.DataFrame:
    """Did the A-E grades keep their promise of a close within N months?

    Parameters
    ----------
    grade : pd.Series
        Grade per customer at the start of the period.  Customers whose grade is not
        a key of ``promised_months`` (D, E, missing) are left out.
    won : pd.Series
        1/True if the customer closed a deal; same customer ids; no missing values.
    days_to_close : pd.Series
        Days from grading to the close; required (>= 0) for won customers, ignored
        (may be NaN) for the others.
    promised_months : mapping, default ``{"A": 1, "B": 3, "C": 6}``
        Grade -> months within which a close was promised (docs/process.md); rows follow
        its order.
    days_per_month : float, default 30
        A month counts as this many days: grade ``g`` is on time if
        ``days_to_close <= promised_months[g] * days_per_month``.
    ci : float or None, default 0.95
        Level of the Wilson interval of ``share_in_time``; None leaves NaN.

    Returns
    -------
    pd.DataFrame
        Indexed by ``grade``, columns ``promised_months``, ``promised_days``, ``n``,
        ``closed``, ``share_closed``, ``closed_in_time``, ``share_in_time``,
        ``ci_low``, ``ci_high``.  Shares are of all ``n`` customers of the grade (NaN
        when ``n = 0``).

    Raises
    ------
    InputError
        If inputs are not aligned, ``won`` is missing or not 0/1, a won customer has
        no (or a negative) ``days_to_close``, or a promise is not a positive number.

    Examples
    --------
    >>> import pandas as pd
    >>> g = pd.Series(["A", "A", "B", "D"])
    >>> w = pd.Series([1, 1, 0, 1])
    >>> d = pd.Series([20, 45, None, 10])
    >>> t = closed_in_time(g, w, d, ci=None)
    >>> t[["n", "share_closed", "share_in_time"]]  # doctest: +NORMALIZE_WHITESPACE
           n  share_closed  share_in_time
    grade
    A      2           1.0            0.5
    B      1           0.0            0.0
    C      0           NaN            NaN
    """
    grade = checks.series_by_id(grade, "grade")
    won = checks.series_by_id(won, "won")
    days_to_close = checks.series_by_id(days_to_close, "days_to_close")
    grade, won, days_to_close = checks.aligned(grade=grade, won=won, days_to_close=days_to_close)
    w = _outcome(won, "won")
    checks.confidence_level(ci)
    labels = list(promised_months)
    months = np.array([promised_months[g] for g in labels], dtype=float)
    if not (np.isfinite(months).all() and (months > 0).all()):
        raise InputError(f"`promised_months` must map grades to positive months; got {dict(promised_months)!r}.")
    if not pd.api.types.is_numeric_dtype(days_to_close.dtype):
        raise InputError(f"`days_to_close` must be numeric; got dtype {days_to_close.dtype}.")
    days = days_to_close.to_numpy(dtype=np.float64, na_value=np.nan)
    bad = (w == 1) & ~(days >= 0)
    if bad.any():
        raise InputError(
            f"{int(bad.sum())} won customer(s) have a missing or negative `days_to_close`: "
            f"{checks.short_list(grade.index[bad])}. Record how many days the close took."
        )
    codes = pd.Index(labels, dtype=object).get_indexer(grade.to_numpy(dtype=object))
    keep = codes >= 0
    c = codes[keep].astype(np.intp)
    k = len(labels)
    limit = months * days_per_month
    on_time = (w[keep] == 1) & (days[keep] <= limit[c])
    n = np.bincount(c, minlength=k)
    closed = np.bincount(c, weights=w[keep], minlength=k)
    in_time = np.bincount(c, weights=on_time.astype(float), minlength=k)
    denom = np.where(n > 0, n, np.nan)
    lo, hi = _wilson(in_time, n.astype(float), ci)
    return pd.DataFrame(
        {
            "promised_months": months,
            "promised_days": limit,
            "n": n,
            "closed": closed.astype(np.int64),
            "share_closed": closed / denom,
            "closed_in_time": in_time.astype(np.int64),
            "share_in_time": in_time / denom,
            "ci_low": lo,
            "ci_high": hi,
        },
        index=pd.Index(labels, name="grade"),
    )


# ----------------------------------------------------------------------------------
# Year-on-year movement: tier migration
# ----------------------------------------------------------------------------------


def migration_matrix(
    tier_prev: pd.Series,
    tier_curr: pd.Series,
    order: Sequence[object],
    new_label: str = "new",
    dropped_label: str = "dropped",
) -> pd.DataFrame:
    """Cross-table of last year's tier against this year's, with entries and exits.

    Parameters
    ----------
    tier_prev, tier_curr : pd.Series
        Tier per customer in the previous and the current year, indexed by customer
        id.  The two need not cover the same customers: a customer present in the
        current year only is counted in row ``new_label``, one present in the
        previous year only in column ``dropped_label``.  A missing (NaN) tier counts
        as "not on the list that year".
    order : sequence
        The tiers, from the highest to the lowest priority.
    new_label, dropped_label : str, default "new", "dropped"
        Labels of the extra row and column.

    Returns
    -------
    pd.DataFrame
        Counts of customers; rows ``previous`` = ``order + [new_label]``, columns
        ``current`` = ``order + [dropped_label]``.  Every tier in ``order`` appears on
        both axes, even if empty.  The ``(new, dropped)`` cell is always 0.

    Raises
    ------
    InputError
        If an input is not a Series, has duplicate customer ids or a tier not in
        ``order``, or ``order`` repeats a label or uses ``new_label``/``dropped_label``.

    Examples
    --------
    >>> import pandas as pd
    >>> prev = pd.Series({"c1": "T1", "c2": "T1", "c3": "T2"})
    >>> curr = pd.Series({"c1": "T1", "c2": "T2", "c4": "T2"})
    >>> migration_matrix(prev, curr, order=["T1", "T2"])  # doctest: +NORMALIZE_WHITESPACE
    current   T1  T2  dropped
    previous
    T1         1   1        0
    T2         0   0        1
    new        0   1        0
    """
    tier_prev = checks.series_by_id(tier_prev, "tier_prev")
    tier_curr = checks.series_by_id(tier_curr, "tier_curr")
    order = list(order)
    if len(set(order)) != len(order) or new_label in order or dropped_label in order:
        raise InputError(
            f"`order` must list each tier once and not use {new_label!r} or {dropped_label!r}; got {order!r}."
        )
    prev = tier_prev.dropna()
    curr = tier_curr.dropna()
    ids = prev.index.union(curr.index, sort=False)
    k = len(order)

    def codes(x: pd.Series, name: str) -> npt.NDArray[np.intp]:
        c = pd.Index(order, dtype=object).get_indexer(x.to_numpy(dtype=object))
        if (c < 0).any():
            bad = pd.unique(x.to_numpy()[c < 0]).tolist()
            raise InputError(
                f"`{name}` has tier(s) {checks.short_list(bad)} that are not in `order` {order!r} "
                f"(customer id(s) {checks.short_list(x.index[c < 0])})."
            )
        out = np.full(len(ids), k, dtype=np.intp)
        out[ids.get_indexer(x.index)] = c
        return out

    r = codes(prev, "tier_prev")
    c = codes(curr, "tier_curr")
    counts = np.bincount(r * (k + 1) + c, minlength=(k + 1) ** 2).reshape(k + 1, k + 1)
    return pd.DataFrame(
        counts,
        index=pd.Index([*order, new_label], name="previous"),
        columns=pd.Index([*order, dropped_label], name="current"),
    )


def migration_tests(table: pd.DataFrame, order: Sequence[object], ci: float | None = 0.95) -> pd.DataFrame:
    """Symmetry, marginal homogeneity and agreement of the tier migration table.

    Runs on the square part of ``table`` (customers ranked in both years):

    * Bowker's test of symmetry (Bowker 1948), ``SquareTable.symmetry()``: is moving
      from tier i to j as frequent as from j to i?
    * Stuart-Maxwell test of marginal homogeneity (Stuart 1955; Maxwell 1970),
      ``SquareTable.homogeneity()``: is the tier mix the same in both years?
    * Linearly weighted Cohen's kappa (Cohen 1968),
      ``statsmodels.stats.inter_rater.cohens_kappa(table, wt="linear")``: how well do
      the two years' tiers agree, moves of one tier counting as partial agreement?

    Parameters
    ----------
    table : pd.DataFrame
        Output of :func:`migration_matrix` (extra rows/columns are ignored) or any
        count table with the tiers of ``order`` on both axes.
    order : sequence
        The tiers, from the highest to the lowest priority.
    ci : float or None, default 0.95
        Level of the kappa confidence interval; None leaves NaN.

    Returns
    -------
    pd.DataFrame
        Index ``["bowker_symmetry", "stuart_maxwell_homogeneity", "weighted_kappa"]``,
        columns ``statistic`` (chi-square, or kappa), ``df``, ``p_value`` (for kappa:
        two-sided test of kappa = 0), ``ci_low``, ``ci_high`` (kappa only), ``n``
        (customers in the square part) and ``categories`` (tiers used).

    Raises
    ------
    InputError
        If ``table`` lacks a tier of ``order`` on either axis, has negative or
        non-integer counts, or fewer than two tiers have customers.

    Notes
    -----
    Tiers with no customer in either year are removed before the tests (they carry
    no information and make the covariance singular).  For the Stuart-Maxwell test,
    tiers where nobody moved in or out are also removed: their margin difference and
    its variance are both zero, so removing them is the generalised-inverse solution.
    Statsmodels is called with ``shift_zeros=False`` (no 0.5 added to empty cells).
    Bowker's ``df`` is ``k (k - 1) / 2`` over the tiers kept, as in statsmodels.

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.DataFrame([[10, 2], [6, 12]], index=["T1", "T2"], columns=["T1", "T2"])
    >>> migration_tests(t, ["T1", "T2"]).loc["bowker_symmetry", ["statistic", "df"]].tolist()
    [2.0, 1.0]
    """
    import warnings

    from statsmodels.stats.contingency_tables import SquareTable
    from statsmodels.stats.inter_rater import cohens_kappa

    if not isinstance(table, pd.DataFrame):
        raise InputError(f"`table` must be a pandas DataFrame; got {type(table).__name__}.")
    order = list(order)
    miss_r = [o for o in order if o not in table.index]
    miss_c = [o for o in order if o not in table.columns]
    if miss_r or miss_c:
        raise InputError(
            f"`table` must have every tier of `order` on both axes; missing rows "
            f"{miss_r!r}, missing columns {miss_c!r}."
        )
    checks.confidence_level(ci)
    sq = table.loc[order, order].to_numpy(dtype=np.float64)
    if not np.isfinite(sq).all() or (sq < 0).any() or (sq != np.round(sq)).any():
        raise InputError("`table` must hold whole, non-negative counts of customers.")
    keep = (sq.sum(axis=0) + sq.sum(axis=1)) > 0
    if keep.sum() < 2:
        raise InputError(
            "The migration tests need customers in at least two tiers; "
            f"tiers with customers: {checks.short_list([o for o, kk in zip(order, keep) if kk])}."
        )
    sq = sq[np.ix_(keep, keep)]
    used = [o for o, kk in zip(order, keep) if kk]
    n = int(sq.sum())

    sym = SquareTable(sq, shift_zeros=False).symmetry()
    off = sq - np.diag(np.diag(sq))
    moved = (off.sum(axis=0) + off.sum(axis=1)) > 0
    if moved.sum() >= 2:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            hom = SquareTable(sq[np.ix_(moved, moved)], shift_zeros=False).homogeneity()
        hom_stat, hom_df, hom_p = float(hom.statistic), float(hom.df), float(hom.pvalue)
    else:  # nobody moved between tiers: margins identical
        hom_stat, hom_df, hom_p = 0.0, 0.0, 1.0

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        kap = cohens_kappa(sq, wt="linear")
    kappa = float(kap.kappa)
    se = math.sqrt(kap.var_kappa) if kap.var_kappa >= 0 else math.nan
    if ci is None or math.isnan(se):
        k_lo = k_hi = math.nan
    else:
        z = float(stats.norm.ppf(0.5 + ci / 2))
        k_lo, k_hi = kappa - z * se, kappa + z * se
    cats = ", ".join(str(u) for u in used)
    return pd.DataFrame(
        {
            "statistic": [float(sym.statistic), hom_stat, kappa],
            "df": [float(sym.df), hom_df, np.nan],
            "p_value": [float(sym.pvalue), hom_p, float(kap.pvalue_two_sided)],
            "ci_low": [np.nan, np.nan, k_lo],
            "ci_high": [np.nan, np.nan, k_hi],
            "n": [n, n, n],
            "categories": [cats, cats, cats],
        },
        index=pd.Index(["bowker_symmetry", "stuart_maxwell_homogeneity", "weighted_kappa"], name="test"),
    )


# ----------------------------------------------------------------------------------
# Year-on-year movement: population stability
# ----------------------------------------------------------------------------------


def _is_numeric(x: pd.Series) -> bool:
    return pd.api.types.is_numeric_dtype(x.dtype) and not pd.api.types.is_bool_dtype(x.dtype)


def psi_breakdown(
    expected: pd.Series,
    actual: pd.Series,
    bins: int = 10,
    binning: Literal["quantile", "uniform"] = "quantile",
    epsilon: float = 1e-4,
) -> pd.DataFrame:
    """Per-bin table behind the population stability index (see :func:`psi`).

    Parameters
    ----------
    expected : pd.Series
        The reference distribution (previous year's values of one criterion).
    actual : pd.Series
        The new distribution (current year's values).  The two need not share
        customers.
    bins : int, default 10
        Number of bins for numeric values (before merging duplicate edges).
    binning : {"quantile", "uniform"}, default "quantile"
        ``"quantile"``: interior edges at the ``1/bins, ..., (bins-1)/bins``
        quantiles of ``expected`` (duplicate edges merged, so discrete data give
        fewer bins); ``"uniform"``: equal-width edges between the min and max of
        ``expected``.  The outer bins are open, so actual values outside last year's
        range fall in the first or last bin.  Bins are right-closed ``(a, b]``.
    epsilon : float, default 1e-4
        A bin share of exactly 0 (on either side) is replaced by ``epsilon`` before
        taking the logarithm, so an empty bin adds a large but finite term; shares are
        not renormalised.

    Returns
    -------
    pd.DataFrame
        One row per bin (index ``bin``: interval, category, or ``"missing"``),
        columns ``expected_n``, ``actual_n``, ``expected_share``, ``actual_share``,
        ``contribution`` = ``(actual - expected) * ln(actual / expected)``.
        Missing values form their own bin ``"missing"`` (shown only if present on
        either side).  Non-numeric (and boolean) values are binned by category;
        categories seen only this year get their own row.

    Raises
    ------
    InputError
        If an input is empty or all missing on the expected side, ``bins`` < 2,
        ``epsilon`` is not in (0, 1), or the two sides are not both numeric or both
        non-numeric.

    Examples
    --------
    >>> import pandas as pd
    >>> e = pd.Series(["x", "x", "y", "y"])
    >>> a = pd.Series(["x", "y", "y", "y"])
    >>> psi_breakdown(e, a)[["expected_share", "actual_share"]]  # doctest: +NORMALIZE_WHITESPACE
         expected_share  actual_share
    bin
    x               0.5          0.25
    y               0.5          0.75
    """
    for x, name in ((expected, "expected"), (actual, "actual")):
        if not isinstance(x, pd.Series):
            raise InputError(f"`{name}` must be a pandas Series; got {type(x).__name__}.")
        if len(x) == 0:
            raise InputError(f"`{name}` is empty; the stability index needs values.")
    bins = checks.integer(bins, "bins", minimum=2)
    checks.one_of(binning, ("quantile", "uniform"), "binning")
    if not (isinstance(epsilon, (int, float)) and 0 < epsilon < 1):
        raise InputError(f"`epsilon` must be a small positive number; got {epsilon!r}.")
    e_na = expected.isna().to_numpy()
    a_na = actual.isna().to_numpy()
    if e_na.all():
        raise InputError("`expected` has only missing values; there is nothing to bin by.")
    num_e, num_a = _is_numeric(expected), _is_numeric(actual)
    if num_e != num_a and not a_na.all():
        raise InputError(
            f"`expected` ({expected.dtype}) and `actual` ({actual.dtype}) must both be numeric or both categorical."
        )
    if num_e:
        ev = expected.to_numpy(dtype=np.float64, na_value=np.nan)[~e_na]
        av = actual.to_numpy(dtype=np.float64, na_value=np.nan)[~a_na]
        if binning == "quantile":
            inner = np.quantile(ev, np.linspace(0, 1, bins + 1)[1:-1])
        else:
            inner = np.linspace(ev.min(), ev.max(), bins + 1)[1:-1]
        inner = np.unique(inner)
        k = inner.shape[0] + 1
        e_codes = np.searchsorted(inner, ev, side="left")
        a_codes = np.searchsorted(inner, av, side="left")
        breaks = np.concatenate(([-np.inf], inner, [np.inf]))
        labels: list[object] = [f"({lo:.6g}, {hi:.6g}]" for lo, hi in itertools.pairwise(breaks)]
    else:
        e_obj = expected[~e_na].astype(object).to_numpy()
        a_obj = actual[~a_na].astype(object).to_numpy()
        labels = pd.unique(np.concatenate((e_obj, a_obj))).tolist()
        k = len(labels)
        cats = pd.Index(labels)
        e_codes = cats.get_indexer(e_obj)
        a_codes = cats.get_indexer(a_obj)
    e_n = np.bincount(e_codes, minlength=k)
    a_n = np.bincount(a_codes, minlength=k)
    if e_na.any() or a_na.any():
        labels = [*labels, "missing"]
        e_n = np.append(e_n, e_na.sum())
        a_n = np.append(a_n, a_na.sum())
    e_sh = e_n / len(expected)
    a_sh = a_n / len(actual)
    e_adj = np.where(e_n == 0, epsilon, e_sh)
    a_adj = np.where(a_n == 0, epsilon, a_sh)
    return pd.DataFrame(
        {
            "expected_n": e_n,
            "actual_n": a_n,
            "expected_share": e_sh,
            "actual_share": a_sh,
            "contribution": (a_adj - e_adj) * np.log(a_adj / e_adj),
        },
        index=pd.Index(labels, name="bin", dtype=object),
    )


def psi(
    expected: pd.Series,
    actual: pd.Series,
    bins: int = 10,
    binning: Literal["quantile", "uniform"] = "quantile",
    epsilon: float = 1e-4,
) -> float:
    """Population stability index between last year's and this year's values.

    ``PSI = sum_b (a_b - e_b) * ln(a_b / e_b)`` over bins ``b`` with shares ``e_b``
    (expected, previous year) and ``a_b`` (actual, current year); a symmetrised
    Kullback-Leibler divergence (Siddiqi 2006, *Credit Risk Scorecards*, ch. 8).
    Usual reading: < 0.1 stable, 0.1-0.25 moderate shift, > 0.25 major shift
    (:data:`PSI_THRESHOLDS`).

    Parameters
    ----------
    expected, actual : pd.Series
        Values of one criterion in the previous and the current year.
    bins : int, default 10
        Number of bins for numeric values.
    binning : {"quantile", "uniform"}, default "quantile"
        Edges from the previous year's quantiles, or equal width over its range.
    epsilon : float, default 1e-4
        Replaces a bin share of 0 before the logarithm.

    Returns
    -------
    float
        The index (>= 0); the per-bin terms are in :func:`psi_breakdown`, which also
        documents binning, missing values and categories.

    Raises
    ------
    InputError
        See :func:`psi_breakdown`.

    Examples
    --------
    >>> import pandas as pd
    >>> e = pd.Series(["x", "x", "y", "y"])
    >>> a = pd.Series(["x", "y", "y", "y"])
    >>> round(psi(e, a), 4)   # (0.25-0.5) ln(0.5) + (0.75-0.5) ln(1.5)
    0.2747
    """
    return float(psi_breakdown(expected, actual, bins, binning, epsilon)["contribution"].sum())


def _psi_reading(value: float, thresholds: tuple[float, float]) -> str:
    if value < thresholds[0]:
        return "stable"
    if value <= thresholds[1]:
        return "moderate shift"
    return "major shift"


def stability_table(
    prev: pd.DataFrame,
    curr: pd.DataFrame,
    columns: Sequence[str] | None = None,
    bins: int = 10,
    binning: Literal["quantile", "uniform"] = "quantile",
    epsilon: float = 1e-4,
    thresholds: tuple[float, float] = PSI_THRESHOLDS,
) -> pd.DataFrame:
    """Population stability index of each criterion between two years.

    Parameters
    ----------
    prev, curr : pd.DataFrame
        Criteria (columns) per customer (rows) in the previous and the current year;
        the customers need not be the same.
    columns : sequence of str, optional
        Criteria to compare; default: the columns of ``prev`` that are also in
        ``curr``.
    bins, binning, epsilon
        Passed to :func:`psi`; bins come from the previous year.
    thresholds : tuple of float, default (0.1, 0.25)
        ``psi < thresholds[0]`` reads "stable", ``<= thresholds[1]`` "moderate
        shift", above "major shift".

    Returns
    -------
    pd.DataFrame
        Indexed by ``criterion``, columns ``psi``, ``reading``, ``kind`` ("numeric"
        or "categorical"), ``n_prev``, ``n_curr``, ``missing_prev``,
        ``missing_curr`` (shares of missing values).

    Raises
    ------
    InputError
        If a requested column is missing from either year, ``thresholds`` is not
        increasing, or :func:`psi` rejects a column.

    Examples
    --------
    >>> import pandas as pd
    >>> prev = pd.DataFrame({"region": ["x", "x", "y", "y"]})
    >>> curr = pd.DataFrame({"region": ["x", "y", "y", "y"]})
    >>> stability_table(prev, curr)[["psi", "reading"]].round(4)  # doctest: +NORMALIZE_WHITESPACE
                  psi      reading
    criterion
    region     0.2747  major shift
    """
    for df, name in ((prev, "prev"), (curr, "curr")):
        if not isinstance(df, pd.DataFrame):
            raise InputError(f"`{name}` must be a pandas DataFrame; got {type(df).__name__}.")
    cols = [c for c in prev.columns if c in curr.columns] if columns is None else list(columns)
    for df, name in ((prev, "prev"), (curr, "curr")):
        absent = [c for c in cols if c not in df.columns]
        if absent:
            raise InputError(f"Column(s) {absent!r} are not in `{name}`.")
    if not (len(thresholds) == 2 and 0 <= thresholds[0] <= thresholds[1]):
        raise InputError(f"`thresholds` must be two increasing numbers; got {thresholds!r}.")
    rows = []
    for c in cols:
        try:
            value = psi(prev[c], curr[c], bins=bins, binning=binning, epsilon=epsilon)
        except InputError as err:
            raise InputError(f"Criterion {c!r}: {err}") from err
        rows.append(
            {
                "psi": value,
                "reading": _psi_reading(value, thresholds),
                "kind": "numeric" if _is_numeric(prev[c]) else "categorical",
                "n_prev": len(prev),
                "n_curr": len(curr),
                "missing_prev": float(prev[c].isna().mean()) if len(prev) else np.nan,
                "missing_curr": float(curr[c].isna().mean()) if len(curr) else np.nan,
            }
        )
    return pd.DataFrame(rows, index=pd.Index(cols, name="criterion", dtype=object))


# ----------------------------------------------------------------------------------
# One criterion at a time
# ----------------------------------------------------------------------------------


def univariate_auc(
    matrix: pd.DataFrame,
    outcome: pd.Series,
    directions: Mapping[str, str] | pd.Series | None = None,
    ci: float | None = 0.95,
) -> pd.DataFrame:
    """AUC and Cohen's d of each criterion against the outcome, one at a time.

    Parameters
    ----------
    matrix : pd.DataFrame
        Criteria (numeric columns) per customer (rows, indexed by customer id).
        Missing values are excluded criterion by criterion.
    outcome : pd.Series
        1/True if the customer converted; same customer ids; no missing values.
    directions : mapping or pd.Series, optional
        Criterion -> ``"benefit"`` (higher is better) or ``"cost"`` (lower is better).
        Criteria not listed are ``"benefit"``.  ``"cost"`` criteria are negated, so
        that for every criterion an AUC above 0.5 and a positive d mean "the
        criterion pointed the right way".
    ci : float or None, default 0.95
        Level of the DeLong interval of each AUC (see :func:`auc`).

    Returns
    -------
    pd.DataFrame
        Indexed by ``criterion``, columns ``direction``, ``n`` (customers with a
        value), ``n_missing``, ``n_pos``, ``n_neg``, ``auc``, ``ci_low``,
        ``ci_high``, ``cohens_d``.  ``cohens_d`` = (mean of converters - mean of
        non-converters) / pooled standard deviation (ddof = 1), oriented like the
        AUC.  A criterion whose non-missing values lack one class has NaN AUC and d;
        a criterion constant in both classes has AUC 0.5 and NaN d.

    Raises
    ------
    InputError
        If ``matrix`` and ``outcome`` are not aligned, the outcome is missing or not
        0/1, a column is not numeric, or ``directions`` names an unknown criterion or
        direction.

    Examples
    --------
    >>> import pandas as pd
    >>> X = pd.DataFrame({"size": [9, 7, 3, 1], "distance": [1, 2, 8, 9]})
    >>> y = pd.Series([1, 1, 0, 0])
    >>> univariate_auc(X, y, directions={"distance": "cost"})["auc"].tolist()
    [1.0, 1.0]
    """
    if not isinstance(matrix, pd.DataFrame):
        raise InputError(f"`matrix` must be a pandas DataFrame; got {type(matrix).__name__}.")
    outcome = checks.series_by_id(outcome, "outcome")
    checks.unique_index(matrix, "matrix")
    matrix, outcome = checks.aligned(matrix=matrix, outcome=outcome)
    y = _outcome(outcome)
    checks.confidence_level(ci)
    dirs = {} if directions is None else dict(directions)
    unknown = [c for c in dirs if c not in matrix.columns]
    if unknown:
        raise InputError(f"`directions` names criteria not in `matrix`: {unknown!r}.")
    bad = {c: d for c, d in dirs.items() if d not in ("benefit", "cost")}
    if bad:
        raise InputError(f"`directions` must be 'benefit' or 'cost'; got {bad!r}.")
    z = float(stats.norm.ppf(0.5 + ci / 2)) if ci is not None else math.nan
    rows = []
    for col in matrix.columns:
        x = matrix[col]
        if not _is_numeric(x):
            raise InputError(f"Criterion {col!r} must be numeric; got dtype {x.dtype}.")
        direction = dirs.get(col, "benefit")
        xv = x.to_numpy(dtype=np.float64, na_value=np.nan)
        xv = -xv if direction == "cost" else xv
        ok = ~np.isnan(xv)
        pos, neg = xv[ok & (y == 1)], xv[ok & (y == 0)]
        m, n = pos.shape[0], neg.shape[0]
        a = lo = hi = d = math.nan
        if m and n:
            a, s10, s01 = _auc_kernel(pos, neg)
            se = math.sqrt(s10 / m + s01 / n)  # NaN when a class has one customer
            if not math.isnan(se) and ci is not None:
                lo, hi = max(0.0, a - z * se), min(1.0, a + z * se)
            if m + n > 2:
                ss = (m - 1) * (np.var(pos, ddof=1) if m > 1 else 0.0) + (n - 1) * (
                    np.var(neg, ddof=1) if n > 1 else 0.0
                )
                sd = math.sqrt(ss / (m + n - 2))
                d = (pos.mean() - neg.mean()) / sd if sd > 0 else math.nan
        rows.append(
            {
                "direction": direction,
                "n": int(ok.sum()),
                "n_missing": int((~ok).sum()),
                "n_pos": m,
                "n_neg": n,
                "auc": a,
                "ci_low": lo,
                "ci_high": hi,
                "cohens_d": d,
            }
        )
    index = pd.Index(list(matrix.columns), name="criterion", dtype=object)
    return pd.DataFrame(rows, index=index)


# ----------------------------------------------------------------------------------
# Several scores of one list, side by side
# ----------------------------------------------------------------------------------


def score_comparison(
    scores: pd.DataFrame,
    outcome: pd.Series,
    value: pd.Series,
    tiers: pd.DataFrame | None = None,
    tier_order: Sequence[object] | None = None,
    shares: Sequence[float] = (0.1, 0.2),
    ci: float | None = 0.95,
) -> pd.DataFrame:
    """Judge several scores of the same customers on the same outcomes.

    Each column of ``scores`` is one way of scoring the list (e.g. one candidate
    weight set); each becomes a row of the result with its :func:`auc` (DeLong
    interval), the share of ``value`` captured by the top ``shares`` of the list
    (:func:`capture_at`) and, when ``tiers`` is given, the conversion rate of every
    tier (:func:`rate_table`).

    Parameters
    ----------
    scores : pd.DataFrame
        Customers (rows, indexed by customer id) × scores (columns); no missing values.
    outcome : pd.Series
        1/True if the customer converted; same customer ids.
    value : pd.Series
        Revenue per customer, >= 0; same customer ids.
    tiers : pd.DataFrame, optional
        Tier label per customer under each score (same columns as ``scores``).
    tier_order : sequence, optional
        The tiers best first (required with ``tiers``); the first is the top tier.
    shares : sequence of float, default (0.1, 0.2)
        Top shares of the list for the revenue capture.
    ci : float or None, default 0.95
        Level of the AUC interval.

    Returns
    -------
    pd.DataFrame
        Indexed by the columns of ``scores`` (index name ``weights``): ``n``,
        ``conversions``, ``auc``, ``auc_ci_low``, ``auc_ci_high``,
        ``capture_top<p>`` per share (``p`` in percent, e.g. ``capture_top10``) and,
        with ``tiers``, ``top_tier_n``, ``top_tier_conversion`` and
        ``conversion_<tier>`` per tier of ``tier_order`` (NaN for an empty tier).

    Raises
    ------
    InputError
        Misaligned inputs, missing values, an outcome that is not 0/1 or has one
        class, a total value of 0, ``tiers`` without ``tier_order`` or with other
        columns than ``scores``.

    Examples
    --------
    >>> import pandas as pd
    >>> y = pd.Series([1, 0, 1, 0], index=list("abcd"))
    >>> v = pd.Series([10.0, 0.0, 30.0, 0.0], index=y.index)
    >>> s = pd.DataFrame({"good": [4, 3, 2, 1], "bad": [1, 2, 3, 4]}, index=y.index)
    >>> t = score_comparison(s, y, v, shares=(0.25, 0.5), ci=None)
    >>> t[["auc", "capture_top25", "capture_top50"]].to_dict("index")  # doctest: +NORMALIZE_WHITESPACE
    {'good': {'auc': 0.75, 'capture_top25': 0.25, 'capture_top50': 0.25},
     'bad': {'auc': 0.25, 'capture_top25': 0.0, 'capture_top50': 0.75}}
    """
    if not isinstance(scores, pd.DataFrame) or scores.shape[1] == 0:
        raise InputError("`scores` must be a DataFrame with one column per score (customers as rows).")
    if tiers is not None:
        if tier_order is None:
            raise InputError("`tier_order` is needed with `tiers`: the tiers best first.")
        if not isinstance(tiers, pd.DataFrame) or list(tiers.columns) != list(scores.columns):
            raise InputError("`tiers` must be a DataFrame with the same columns as `scores`, in the same order.")
    ks = [_top_share(k, "shares") for k in shares]
    names = [f"capture_top{round(100 * k):d}" for k in ks]
    rows = []
    for col in scores.columns:
        s = scores[col]
        r = auc(s, outcome, ci=ci)
        row: dict[str, float] = {
            "n": float(r.n_pos + r.n_neg),
            "conversions": float(r.n_pos),
            "auc": r.auc,
            "auc_ci_low": r.ci_low,
            "auc_ci_high": r.ci_high,
        }
        for k, name in zip(ks, names, strict=True):
            row[name] = capture_at(s, value, k)
        if tiers is not None:
            rt = rate_table(tiers[col], outcome, ci=None, order=tier_order)
            top = rt.index[0]
            row["top_tier_n"] = float(rt.loc[top, "n"])
            row["top_tier_conversion"] = float(rt.loc[top, "rate"])
            for label in rt.index:
                row[f"conversion_{label}"] = float(rt.loc[label, "rate"])
        rows.append(row)
    out = pd.DataFrame(rows, index=pd.Index(list(scores.columns), name="weights"))
    for c in ("n", "conversions", "top_tier_n"):
        if c in out.columns:
            out[c] = out[c].astype(np.int64)
    return out
