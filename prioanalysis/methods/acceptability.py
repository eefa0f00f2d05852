"""How far the ranking can be trusted: weight and data uncertainty (step 2.3.3).

The criteria weights of step 2.3.1 are a judgement, and the customer data are
incomplete at first (docs/process.md names both as barriers). This module answers, per
customer, *would the tier change if the weights or the missing-value policy were a
little different?*

Weight uncertainty -- SMAA-2
    :func:`rank_acceptability` rescores the list under many weight vectors drawn at
    random (stochastic multicriteria acceptability analysis, SMAA-2: Lahdelma, R. &
    Salminen, P. (2001) "SMAA-2: Stochastic multicriteria acceptability analysis for
    group decision making", *Operations Research* 49(3):444-454) and reports the
    rank-acceptability indices ``b_i^r`` (share of draws in which customer ``i`` has
    rank ``r``), the central weight vectors, rank quantiles, the probability of each
    tier and of keeping the tier the customer has today.

    Weights are drawn from a Dirichlet distribution: uniformly on the simplex when no
    weights are given (``Dirichlet(1, ..., 1)``, "no preference information"), else
    around the given weights, ``Dirichlet(concentration * w)``. Pre-drawn weights --
    e.g. :func:`ahp_weight_draws`, which perturbs the AHP judgements on Saaty's scale --
    can be passed instead.
Weights within what the experts state -- :func:`constrained_weight_draws`
    Uniform draws on the polytope of weights that satisfy the experts' bounds
    (``lower <= w_j <= upper``) and orders (``w_a >= w_b``), within families or
    globally, by hit-and-run (Smith 1984): partial preference information in the
    SMAA sense. Infeasible constraints are refused with the reason; the draws come
    with mixing diagnostics (split-R-hat, effective sample size) and the acceptance
    rate a rejection sampler would have had.
:func:`review_flags` and :func:`weight_drivers`
    Which customers to review because their tier is unstable, and which weight moves
    them.

The kernels here know no parameter file: the step of the robustness notebook,
:mod:`prioanalysis.steps.robustness`, builds their arguments from a ranking and
``run.yaml`` (and reruns the ranking under each missing-value policy, the data
uncertainty).

Implementation notes
--------------------
The matrix is normalised **once** with the kernels of :mod:`prioanalysis.methods.scoring`.
The weighted sum of a chunk of draws is then one matrix product. TOPSIS needs no
per-draw pass over the criteria either: as every weight is non-negative, the ideal
and anti-ideal of the weighted matrix ``v = w * r`` are ``w_j * max_i r_ij`` and
``w_j * min_i r_ij``, so ``D+^2 = sum_j w_j^2 (r_ij - r+_j)^2`` is the product of the
fixed matrix ``(r - r+)^2`` with the squared weights -- again one matrix product per
chunk, exactly equal to :func:`prioanalysis.methods.scoring.topsis` draw by draw.

Tiers come from the one tier engine, :mod:`prioanalysis.methods.tiers`, applied to
each chunk of draws at once (cut scores per group, then tier codes), so the draws
tier exactly as the ranking step does.

Rank statistics are accumulated chunk by chunk in a per-customer **rank histogram**
of at most ``rank_bins`` bins (memory ``customers x bins`` counters, capped by
``histogram_mb``). With ``customers <= rank_bins`` every bin is one rank and every
statistic is exact; beyond, a bin spans ``width = ceil(customers / bins)`` ranks and
the rank quantiles are located within their bin by assuming the draws in the bin
are spread evenly over its ranks: the error is below ``width`` ranks (the
``rank_bin_width`` recorded in ``params``). The mean rank, the top-k and tier
probabilities are exact in every case.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable, Hashable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple, TypeAlias

import numpy as np
import pandas as pd
from scipy import stats

from prioanalysis.errors import InputError
from prioanalysis.methods import scoring
from prioanalysis.methods import tiers as _tiers
from prioanalysis.methods import weights as _weights

__all__ = [
    "AcceptabilityResult",
    "WeightDraws",
    "DEFAULT_BURN_IN",
    "DEFAULT_CHAINS",
    "DEFAULT_CONCENTRATION",
    "DEFAULT_RANK_BINS",
    "DEFAULT_THINNING",
    "DEFAULT_TOP_K",
    "ahp_weight_draws",
    "constrained_weight_draws",
    "draw_weights",
    "rank_acceptability",
    "review_flags",
    "weight_drivers",
]

#: Default Dirichlet concentration around given weights (see :func:`draw_weights`).
DEFAULT_CONCENTRATION: float = 100.0
#: Default largest number of bins of the per-customer rank histogram.
DEFAULT_RANK_BINS: int = 1000
#: Default memory cap of the rank histogram, in MiB.
DEFAULT_HISTOGRAM_MB: float = 512.0
#: Default ``k`` of the top-k probability (the report's top 10).
DEFAULT_TOP_K: int = 10
#: Scores are rounded to this many decimals before ranking, as in the pipeline.
DEFAULT_DECIMALS: int = 10
#: Default number of hit-and-run chains walked side by side (:func:`constrained_weight_draws`).
DEFAULT_CHAINS: int = 100
#: Default hit-and-run steps of every chain before its first kept draw.
DEFAULT_BURN_IN: int = 500
#: Default hit-and-run steps between two kept draws of a chain.
DEFAULT_THINNING: int = 100

_CHUNK_ELEMENTS = 2**21  # scores per chunk (draws x customers) when chunk_size is None
_SUMMARY_BLOCK = 4096  # customers per block when reading quantiles off the histogram
_PENDING_DRAWS = 64  # draws whose rank bins are counted into the histogram together
_PENDING_BYTES = 128 * 2**20  # memory cap of those bins
_COUNT_CELLS = 2**21  # histogram cells per np.bincount when counting them
_REJECTION_PROPOSALS = 20_000  # uniform proposals behind the rejection-rate estimate
_TIER_KEYS = {"names", "not_targeted", "shares", "counts", "thresholds", "groups", "eligible"}

TierFn: TypeAlias = Callable[[pd.Series], pd.Series]
TierSpec: TypeAlias = Mapping[str, Any] | TierFn


# =============================================================================
# Result object
# =============================================================================


@dataclass(frozen=True, eq=False)
class AcceptabilityResult:
    """Ranks and tiers of the customers under uncertain weights (SMAA-2).

    Attributes
    ----------
    summary : pandas.DataFrame
        One row per customer (index = the matrix index): ``base_score`` and
        ``base_rank`` under the base weights (the given weights; else the mean of
        the given draws; else equal weights), ``mean_rank``, ``median_rank``,
        ``rank_p05`` and ``rank_p95`` (the 90 % rank interval; inverted-CDF
        quantiles of the draws, see the module notes for their precision),
        ``p_top_k`` (share of draws with rank <= ``params["top_k"]``) and, when
        tiers are given, ``base_tier``, ``p_keep_tier`` (share of draws in which the
        customer keeps ``base_tier``) and one ``p_<tier>`` column per tier name
        (the not-targeted label included; they sum to 1 per row).
    acceptability : pandas.DataFrame or None
        Customers x ranks ``1..n``: the rank-acceptability indices ``b_i^r``. Rows
        sum to 1; so do the columns unless customers tie (tied customers share the
        better rank, so a rank column can then hold more than one customer). None
        when there are more than ``full_matrix_max`` customers.
    central_weights : pandas.DataFrame or None
        Customers x criteria: mean weight vector of the draws in which the customer
        ranks first (the SMAA central weight vector ``w_i^c``); NaN for a customer
        never first. None for large lists, as ``acceptability``.
    draws : int
        Number of weight draws.
    weight_draws : pandas.DataFrame
        The draws themselves (draws x criteria), rows summing to 1.
    params : dict
        Every choice made: method, normalization, weights source, base weights,
        n_draws, seed, concentration, tie rule (always ``"min"``), decimals, top_k,
        tiers, rank_bins, rank_bin_width, chunk_size, and ``draws_diagnostics`` (the
        sampler's record for :class:`WeightDraws`, else None).
    """

    summary: pd.DataFrame
    acceptability: pd.DataFrame | None
    central_weights: pd.DataFrame | None
    draws: int
    weight_draws: pd.DataFrame
    params: dict[str, Any]


@dataclass(frozen=True, eq=False)
class WeightDraws:
    """Weight draws with a record of how they were made.

    Pass it as ``weight_draws`` to :func:`rank_acceptability` or
    :func:`weight_drivers`: its ``source`` becomes the result's ``weights_source``
    and its ``diagnostics`` the result's ``params["draws_diagnostics"]``.

    Attributes
    ----------
    weights : pandas.DataFrame
        Draws x criteria, global weights, rows summing to 1.
    source : str
        What drew them, for the record.
    diagnostics : dict
        The sampler's settings and mixing diagnostics
        (:func:`constrained_weight_draws`).
    """

    weights: pd.DataFrame
    source: str
    diagnostics: dict[str, Any]


# =============================================================================
# Kernels (numpy, no validation)
# =============================================================================


class _Prepared(NamedTuple):
    """The normalised matrix in the form the draws need."""

    method: str
    zt: np.ndarray | None  # weighted sum: normalized matrix, transposed (criteria x customers)
    dev_plus_t: np.ndarray | None  # TOPSIS: (r - r+)**2, transposed
    dev_minus_t: np.ndarray | None  # TOPSIS: (r - r-)**2, transposed


def _score_draws(prep: _Prepared, w: np.ndarray) -> np.ndarray:
    """Scores of every customer under every weight vector of ``w``.

    Parameters
    ----------
    prep : _Prepared
        From :func:`_prepare`.
    w : numpy.ndarray
        Shape (draws, criteria), rows summing to 1.

    Returns
    -------
    numpy.ndarray
        Shape (draws, customers), C-contiguous. Weighted sum: ``w @ z.T``, the
        transpose of ``_weighted_sum_kernel(z, w.T)``. TOPSIS: the closeness of
        :func:`prioanalysis.methods.scoring._topsis_distances` (0.5 where both distances
        are 0).
    """
    if prep.method == "weighted_sum":
        assert prep.zt is not None
        return np.matmul(w, prep.zt)
    assert prep.dev_plus_t is not None and prep.dev_minus_t is not None
    w2 = np.square(w)
    d_plus = np.sqrt(np.matmul(w2, prep.dev_plus_t))
    d_minus = np.sqrt(np.matmul(w2, prep.dev_minus_t))
    total = d_plus + d_minus
    closeness = np.full_like(total, 0.5)
    np.divide(d_minus, total, out=closeness, where=total > 0)
    return closeness


def _rank_row(row: np.ndarray, ranks: np.ndarray, positions: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Ranks of one draw, 1 = best, tied scores sharing the best rank ("1224").

    Parameters
    ----------
    row : numpy.ndarray
        Scores of the customers, shape (customers,).
    ranks : numpy.ndarray
        int32 buffer of shape (customers,), filled with each customer's rank.
    positions : numpy.ndarray
        ``arange(1, customers + 1)`` as int32.

    Returns
    -------
    order : numpy.ndarray
        Customers, best first (tied customers in any order).
    values : numpy.ndarray
        Scores sorted best first.
    sorted_ranks : numpy.ndarray
        int32, the rank at each sorted position (non-decreasing).
    """
    order = np.argsort(row)[::-1]
    values = row[order]
    new = np.empty(row.size, dtype=bool)
    new[:1] = True
    np.not_equal(values[1:], values[:-1], out=new[1:])
    sorted_ranks = np.where(new, positions, np.int32(0))
    np.maximum.accumulate(sorted_ranks, out=sorted_ranks)
    ranks[order] = sorted_ranks
    return order, values, sorted_ranks


class _Tiers(NamedTuple):
    """A tier rule ready for the draws: the tier engine's plan, or a callable."""

    kind: str  # "rule" or "callable"
    names: tuple[str, ...]  # tier names, best first, then the not-targeted label
    plan: _tiers.TierPlan | None  # rule: the engine's plan (groups, eligibility, cuts)
    fn: TierFn | None  # callable
    description: Any  # recorded in params


def _call_tier_fn(fn: TierFn, scores: pd.Series) -> pd.Series:
    labels = fn(scores)
    if not isinstance(labels, pd.Series) or not labels.index.equals(scores.index):
        raise InputError(
            "the tier function must return a pandas Series of tier names with the index of the scores it was given"
        )
    return labels


def _callable_row(plan: _Tiers, row: np.ndarray, index: pd.Index) -> np.ndarray:
    """Tier codes of a callable rule for one draw (names fixed by the base call)."""
    assert plan.fn is not None
    labels = _call_tier_fn(plan.fn, pd.Series(row, index=index, name="score")).astype(object)
    codes = labels.map({name: i for i, name in enumerate(plan.names)})
    if codes.isna().any():
        unknown = sorted(map(str, labels[codes.isna()].unique()))
        raise InputError(
            f"the tier function returned tiers {unknown} it did not return for the base "
            f"weights ({list(plan.names)}); return the same tier names whatever the "
            "scores, e.g. as a pandas Categorical"
        )
    return codes.to_numpy(dtype=np.int16)


def _dirichlet(alpha: np.ndarray, n_draws: int, rng: np.random.Generator) -> np.ndarray:
    """Dirichlet draws through Gamma variates; a zero ``alpha`` gives a weight of 0."""
    positive = alpha > 0
    g = np.zeros((n_draws, alpha.size))
    g[:, positive] = rng.gamma(alpha[positive], size=(n_draws, int(positive.sum())))
    total = g.sum(axis=1, keepdims=True)
    # All-zero rows (possible only for tiny alphas) fall back to the mean.
    zero = total[:, 0] <= 0
    if zero.any():
        g[zero] = alpha / alpha.sum()
        total[zero] = 1.0
    return g / total


def _quantile_positions(q: Sequence[float], n_draws: int) -> np.ndarray:
    """1-based order statistic of each inverted-CDF quantile: ``ceil(q * draws)``."""
    return np.array([max(1, math.ceil(round(p * n_draws, 9))) for p in q], dtype=np.int64)


def _histogram_quantiles(hist: np.ndarray, q: Sequence[float], n_draws: int, width: int, n: int) -> np.ndarray:
    """Rank quantiles of every customer from its rank histogram (customers x bins).

    The quantile is the ``ceil(q * draws)``-th smallest rank of the draws (numpy's
    ``"inverted_cdf"``). Inside a bin of several ranks the draws are taken as spread
    evenly over the bin's ranks, so the result is exact when ``width == 1`` and off
    by less than ``width`` otherwise.

    Returns
    -------
    numpy.ndarray
        int64, shape (customers, len(q)).
    """
    need = _quantile_positions(q, n_draws)
    out = np.empty((hist.shape[0], need.size), dtype=np.int64)
    for lo in range(0, hist.shape[0], _SUMMARY_BLOCK):
        block = np.cumsum(hist[lo : lo + _SUMMARY_BLOCK], axis=1, dtype=np.int64)
        rows = np.arange(block.shape[0])
        for k, target in enumerate(need):
            b = np.argmax(block >= target, axis=1)
            before = np.where(b > 0, block[rows, np.maximum(b - 1, 0)], 0)
            in_bin = block[rows, b] - before
            bin_width = np.minimum(width, n - b * width)
            offset = np.floor((target - before - 0.5) * bin_width / in_bin).astype(np.int64)
            out[lo : lo + block.shape[0], k] = b * width + 1 + offset
    return out


def _add_to_histogram(hist: np.ndarray, bins: np.ndarray) -> None:
    """Count the rank bins of several draws into the histogram, in place.

    ``bins`` (draws x customers) holds each customer's bin in each draw. The counts
    are made customer block by customer block with one :func:`numpy.bincount` over
    ``customer * bins + bin`` -- exactly the counts of adding the draws one by one,
    but without a scattered read-modify-write per customer and draw (fancy-index
    ``+= 1`` costs about 30x more on a large histogram).
    """
    n, n_bins = hist.shape
    if bins.shape[0] == 0:
        return
    step = max(1, _COUNT_CELLS // n_bins)
    for lo in range(0, n, step):
        block = bins[:, lo : lo + step].astype(np.int64)
        m = block.shape[1]
        block += np.arange(m, dtype=np.int64) * n_bins
        counts = np.bincount(block.reshape(-1), minlength=m * n_bins)
        hist[lo : lo + m] += counts.reshape(m, n_bins).astype(hist.dtype, copy=False)


def _columnwise_corr(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Pearson correlation of every column of ``a`` with every column of ``b``.

    Columns with no variance give NaN.
    """
    a = a - a.mean(axis=0)
    b = b - b.mean(axis=0)
    na = np.sqrt(np.einsum("ij,ij->j", a, a))
    nb = np.sqrt(np.einsum("ij,ij->j", b, b))
    with np.errstate(invalid="ignore", divide="ignore"):
        out = (a.T @ b) / np.outer(na, nb)
    out[(na == 0)[:, None] | (nb == 0)[None, :]] = np.nan
    return out


# =============================================================================
# Validation and set-up
# =============================================================================


def _prepare(
    matrix: pd.DataFrame,
    directions: Mapping[str, str],
    method: str,
    normalization: str | Mapping[str, str] | None,
) -> tuple[_Prepared, str | dict[Hashable, str]]:
    """Validate the matrix and normalise it once, with the scoring kernels."""
    method = scoring._check_method_name(method, scoring.METHODS, "scoring method")
    x = scoring._check_matrix(matrix)
    benefit = scoring._check_directions(matrix.columns, directions)
    if method == "weighted_sum":
        methods, recorded = scoring._resolve_normalization(
            matrix.columns, "minmax" if normalization is None else normalization
        )
        scoring._check_domain(x, matrix.columns, benefit, methods)
        z = scoring._normalize_kernel(x, benefit, methods)
        return _Prepared(method, np.ascontiguousarray(z.T), None, None), recorded
    if isinstance(normalization, Mapping):
        raise InputError("a per-criterion normalization is accepted for the weighted sum only")
    norm = scoring._check_method_name(
        "vector" if normalization is None else normalization,
        scoring.TOPSIS_NORMALIZATIONS,
        "TOPSIS normalization",
    )
    if norm == "vector":
        scoring._check_domain(x, matrix.columns, benefit, [norm] * len(matrix.columns))
    r, best_is_max = scoring._topsis_normalize(x, benefit, norm)
    r_max, r_min = r.max(axis=0), r.min(axis=0)
    best = np.where(best_is_max, r_max, r_min)
    worst = np.where(best_is_max, r_min, r_max)
    dev_plus = np.ascontiguousarray(np.square(r - best).T)
    dev_minus = np.ascontiguousarray(np.square(r - worst).T)
    return _Prepared(method, None, dev_plus, dev_minus), norm


def _check_int(value: object, name: str, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < minimum:
        raise InputError(f"{name} must be an integer >= {minimum}; got {value!r}")
    return int(value)


def _check_draws(weight_draws: object, columns: pd.Index) -> np.ndarray:
    """Pre-drawn weights as a (draws, criteria) array in matrix column order."""
    if isinstance(weight_draws, pd.DataFrame):
        scoring._check_keys(columns, dict.fromkeys(weight_draws.columns), "the weight draws")
        arr = weight_draws[list(columns)].to_numpy(dtype=float)
    else:
        try:
            arr = np.asarray(weight_draws, dtype=float)
        except (TypeError, ValueError) as exc:
            raise InputError(f"weight draws must be numbers: {exc}") from None
    if arr.ndim != 2 or arr.shape[1] != len(columns) or arr.shape[0] < 1:
        raise InputError(
            f"weight draws must be an array of shape (draws, {len(columns)}) with the "
            f"criteria in matrix column order; got shape {arr.shape}"
        )
    if not np.isfinite(arr).all() or (arr < 0).any():
        raise InputError("weight draws must be finite and non-negative")
    sums = arr.sum(axis=1)
    bad = np.flatnonzero(np.abs(sums - 1.0) > 1e-6)
    if bad.size:
        raise InputError(
            f"every weight draw must sum to 1; draw {int(bad[0])} sums to {sums[bad[0]]:.6g} ({bad.size} draws off)"
        )
    return arr / sums[:, None]


def draw_weights(
    columns: Sequence[Hashable],
    weights: Mapping[str, float] | None = None,
    n_draws: int = 1000,
    seed: int | None = 0,
    concentration: float | None = None,
) -> pd.DataFrame:
    """Random weight vectors: uniform on the simplex, or around given weights.

    Parameters
    ----------
    columns : sequence
        The criteria.
    weights : Mapping[str, float], optional
        None (default): ``Dirichlet(1, ..., 1)``, every weight vector equally likely
        ("no preference information", SMAA's default). Given: ``Dirichlet(alpha)``
        with ``alpha = concentration * w``, whose mean is ``w``; a criterion of
        weight 0 keeps weight 0.
    n_draws : int, default 1000
    seed : int or None, default 0
        Seed of :func:`numpy.random.default_rng`; the same seed gives the same draws.
    concentration : float, optional
        Default :data:`DEFAULT_CONCENTRATION` (100). Larger = tighter around ``w``:
        each weight has standard deviation ``sqrt(w (1 - w) / (concentration + 1))``,
        e.g. 0.030 for ``w = 0.10`` and 0.043 for ``w = 0.25`` at 100 (about ±30 %
        and ±17 % of the weight). Must be None without weights.

    Returns
    -------
    pandas.DataFrame
        Draws x criteria, rows summing to 1.

    Raises
    ------
    InputError
        Bad weights (see :func:`prioanalysis.methods.scoring.weighted_sum`), ``n_draws`` < 1,
        a concentration without weights or not > 0.

    Examples
    --------
    >>> w = draw_weights(["a", "b", "c"], {"a": 0.5, "b": 0.3, "c": 0.2}, n_draws=4000)
    >>> w.mean().round(2).tolist()
    [0.5, 0.3, 0.2]
    >>> bool((w.sum(axis=1).sub(1).abs() < 1e-12).all())
    True
    """
    cols = pd.Index(columns)
    n_draws = _check_int(n_draws, "n_draws", 1)
    rng = np.random.default_rng(seed)
    if weights is None:
        if concentration is not None:
            raise InputError(
                "concentration sets the spread around given weights; give weights too, "
                "or leave it None for uniform draws"
            )
        alpha = np.ones(len(cols))
    else:
        w = scoring._check_weights(cols, weights)
        c = DEFAULT_CONCENTRATION if concentration is None else concentration
        if isinstance(c, bool) or not isinstance(c, (int, float)) or not (math.isfinite(c) and c > 0):
            raise InputError(f"concentration must be a positive number; got {concentration!r}")
        alpha = float(c) * w
    return pd.DataFrame(_dirichlet(alpha, n_draws, rng), columns=cols)


def _aligned(value: object, index: pd.Index, what: str) -> np.ndarray:
    if not isinstance(value, pd.Series):
        raise InputError(f"tiers[{what!r}] must be a pandas Series indexed like the matrix")
    aligned = value.reindex(index)
    if aligned.isna().any():
        missing = list(index[aligned.isna().to_numpy()][:5])
        raise InputError(f"tiers[{what!r}] has no value for customers {missing}")
    return aligned.to_numpy()


def _parse_tiers(tiers: TierSpec | None, index: pd.Index) -> _Tiers | None:
    """Validate a tiers spec and bind it to the customers (:func:`prioanalysis.methods.tiers.plan_tiers`)."""
    if tiers is None:
        return None
    n = len(index)
    if callable(tiers):
        return _Tiers("callable", (), None, tiers, "callable")
    if not isinstance(tiers, Mapping):
        raise InputError(
            "tiers must be a callable scores -> tier names, or a mapping with 'names' and "
            "'shares', 'counts' or 'thresholds'"
        )
    unknown = sorted(set(tiers) - _TIER_KEYS)
    if unknown:
        raise InputError(f"tiers: unknown keys {unknown}; accepted: {sorted(_TIER_KEYS)}")
    names = [str(x) for x in tiers.get("names", [])]
    not_targeted = str(tiers.get("not_targeted", "not targeted"))
    if not names or len(set(names)) != len(names) or not_targeted in names:
        raise InputError("tiers['names'] must list unique tier names, best first, other than the not-targeted label")
    rules = [k for k in ("shares", "counts", "thresholds") if k in tiers]
    if len(rules) != 1:
        raise InputError(f"tiers needs exactly one of 'shares', 'counts', 'thresholds'; got {rules or 'none'}")
    rule = rules[0]
    try:
        values = np.asarray(tiers[rule], dtype=float)
    except (TypeError, ValueError):
        values = np.array([np.nan])
    if values.shape != (len(names),) or not np.isfinite(values).all():
        raise InputError(f"tiers[{rule!r}] needs {len(names)} finite numbers, one per tier")
    eligible = (
        np.ones(n, dtype=bool)
        if tiers.get("eligible") is None
        else _aligned(tiers["eligible"], index, "eligible").astype(bool)
    )
    if rule == "thresholds":
        if (np.diff(values) > 0).any():
            raise InputError("tiers['thresholds'] must be descending (best tier first)")
        tier_rule = _tiers.TierRule(tuple(names), "threshold", tuple(values), not_targeted=not_targeted)
        groups = None
    else:
        if (values < 0).any() or (rule == "shares" and values.sum() > 1 + 1e-9):
            extra = " and sum to at most 1" if rule == "shares" else ""
            raise InputError(f"tiers[{rule!r}] must be non-negative{extra}")
        kind = "share" if rule == "shares" else "count"
        tier_rule = _tiers.TierRule(tuple(names), "quota", tuple(values), kind, not_targeted)
        groups = None if tiers.get("groups") is None else _aligned(tiers["groups"], index, "groups")
    plan = _tiers.plan_tiers(tier_rule, eligible, groups, n=n)
    return _Tiers("rule", tier_rule.labels, plan, None, plan.describe())


def _base_tiers(plan: _Tiers, row: np.ndarray, index: pd.Index) -> tuple[_Tiers, np.ndarray, np.ndarray | None]:
    """Tier codes and cut scores under the base weights.

    For a callable rule this fixes the tier names: the categories of a Categorical
    result, else the names in the order they first appear from the best score down.
    """
    if plan.kind == "callable":
        assert plan.fn is not None
        labels = _call_tier_fn(plan.fn, pd.Series(row, index=index, name="score"))
        if isinstance(labels.dtype, pd.CategoricalDtype):
            names = tuple(labels.cat.categories)
        else:
            best_first = labels.astype(object).to_numpy()[np.argsort(-row, kind="stable")]
            names = tuple(pd.unique(best_first))
        description = {"callable": getattr(plan.fn, "__name__", "tier_fn"), "names": list(names)}
        plan = plan._replace(names=names, description=description)
        return plan, _callable_row(plan, row, index), None
    assert plan.plan is not None
    cut = _tiers.cut_keys(plan.plan, row)
    return plan, _tiers.tier_codes(plan.plan, row, cut), cut


class _Setup(NamedTuple):
    prep: _Prepared
    normalization: Any
    draws: np.ndarray
    base_w: np.ndarray
    source: str
    concentration: float | None
    chunk: int
    diagnostics: dict[str, Any] | None


def _setup(
    matrix: pd.DataFrame,
    directions: Mapping[str, str],
    weights: Mapping[str, float] | None,
    method: str,
    n_draws: int,
    seed: int | None,
    concentration: float | None,
    normalization: str | Mapping[str, str] | None,
    weight_draws: object,
    chunk_size: int | None,
    decimals: int,
) -> _Setup:
    """Everything :func:`rank_acceptability` and :func:`weight_drivers` share."""
    prep, recorded_norm = _prepare(matrix, directions, method, normalization)
    _check_int(decimals, "decimals", 0)
    cols = matrix.columns
    diagnostics = None
    if isinstance(weight_draws, WeightDraws):
        diagnostics, source = dict(weight_draws.diagnostics), weight_draws.source
        weight_draws = weight_draws.weights
    else:
        source = "given draws"
    if weight_draws is not None:
        if concentration is not None:
            raise InputError("give either weight_draws or a concentration, not both")
        draws = _check_draws(weight_draws, cols)
        conc = None
    else:
        draws = draw_weights(cols, weights, n_draws, seed, concentration).to_numpy()
        if weights is None:
            source, conc = "uniform Dirichlet(1, ..., 1)", None
        else:
            source = "Dirichlet around the weights"
            conc = DEFAULT_CONCENTRATION if concentration is None else float(concentration)
    if weights is not None:
        base_w = scoring._check_weights(cols, weights)
    elif weight_draws is not None:
        base_w = draws.mean(axis=0)
    else:
        base_w = np.full(len(cols), 1.0 / len(cols))
    n = len(matrix)
    chunk = max(1, _CHUNK_ELEMENTS // n) if chunk_size is None else _check_int(chunk_size, "chunk_size", 1)
    return _Setup(prep, recorded_norm, draws, base_w, source, conc, min(chunk, len(draws)), diagnostics)


def _scored_chunks(setup: _Setup, decimals: int) -> Iterator[tuple[int, np.ndarray, np.ndarray]]:
    """(first draw, weights, scores rounded to ``decimals``) chunk by chunk."""
    for lo in range(0, len(setup.draws), setup.chunk):
        w = setup.draws[lo : lo + setup.chunk]
        s = _score_draws(setup.prep, w)
        np.round(s, decimals, out=s)
        yield lo, w, s


def _base_scores(setup: _Setup, decimals: int) -> np.ndarray:
    s = _score_draws(setup.prep, setup.base_w[None, :])[0]
    return np.round(s, decimals)


# =============================================================================
# Public API: weight uncertainty
# =============================================================================


def rank_acceptability(
    matrix: pd.DataFrame,
    directions: Mapping[str, str],
    weights: Mapping[str, float] | None = None,
    method: str = "weighted_sum",
    n_draws: int = 1000,
    seed: int | None = 0,
    concentration: float | None = None,
    *,
    normalization: str | Mapping[str, str] | None = None,
    tiers: TierSpec | None = None,
    top_k: int = DEFAULT_TOP_K,
    full_matrix_max: int = 200,
    weight_draws: pd.DataFrame | np.ndarray | WeightDraws | None = None,
    decimals: int = DEFAULT_DECIMALS,
    rank_bins: int = DEFAULT_RANK_BINS,
    histogram_mb: float = DEFAULT_HISTOGRAM_MB,
    chunk_size: int | None = None,
) -> AcceptabilityResult:
    """Rank acceptability of every customer under uncertain weights (SMAA-2).

    Draws ``n_draws`` weight vectors, rescores the whole list with each, and
    accumulates every customer's ranks and tiers over the draws. In every draw
    scores are rounded to ``decimals`` and tied customers share the best rank
    (the ``min`` rule, "1224", the pipeline's default).

    Parameters
    ----------
    matrix : pandas.DataFrame
        Customers x criteria after the missing-value policy (no NaN), e.g.
        ``RankingResult.prepared.matrix``.
    directions : Mapping[str, str]
        ``"benefit"`` or ``"cost"`` for every column.
    weights : Mapping[str, float], optional
        Centre of the draws and base weights. None (default): uniform draws on the
        simplex and equal base weights. See :func:`draw_weights`.
    method : {"weighted_sum", "topsis"}, default "weighted_sum"
        Scoring method, as :func:`prioanalysis.methods.scoring.score`.
    n_draws : int, default 1000
        Number of weight draws (ignored with ``weight_draws``). The Monte Carlo
        error of a probability ``p`` is ``sqrt(p (1 - p) / n_draws)``, at most
        0.016 for 1000 draws.
    seed : int or None, default 0
        Seed of the draws.
    concentration : float, optional
        Spread of the draws around ``weights``; default 100 (see
        :func:`draw_weights`: larger = tighter).
    normalization : str or Mapping[str, str], optional
        As :func:`prioanalysis.methods.scoring.score`: default ``"minmax"`` for the weighted
        sum (a per-criterion mapping is accepted), ``"vector"`` for TOPSIS.
    tiers : mapping or callable, optional
        The tier rule, to get tier probabilities. A mapping with

        * ``names``: tier names, best first; ``not_targeted`` (default
          ``"not targeted"``): the label of everyone else;
        * one of ``shares`` (quota: the best ``share`` of each group's eligible
          customers, cut at ``floor(share * n + 0.5)`` cumulatively, ties never
          split, as :func:`prioanalysis.methods.tiers.assign_tiers`), ``counts``
          (quota by count) or ``thresholds`` (descending minimum scores);
        * ``groups`` (optional Series: quota within each group, e.g. the segment)
          and ``eligible`` (optional boolean Series: passed the gates; the others
          are never in a tier).

        :func:`prioanalysis.steps.robustness.tier_spec` builds it from ``run.yaml``. Or a callable
        ``tier_fn(scores: Series) -> Series`` of tier names, called once per draw
        (slow for long lists; its names are the categories of a Categorical
        result, else those it returns for the base weights, best first).
    top_k : int, default 10
        ``p_top_k`` is the share of draws with overall rank <= ``top_k``.
    full_matrix_max : int, default 200
        Lists up to this size also get the full ``acceptability`` matrix and the
        ``central_weights``.
    weight_draws : DataFrame, array or WeightDraws, optional
        Pre-drawn weights (draws x criteria; a DataFrame is aligned on the column
        names, an array must follow the matrix column order), e.g.
        :func:`ahp_weight_draws`, or :func:`constrained_weight_draws` (whose
        source and diagnostics are recorded). Replaces the Dirichlet draws.
    decimals : int, default 10
        Rounding of the scores before ranking, as in the pipeline.
    rank_bins : int, default 1000
        Largest number of bins of the per-customer rank histogram: exact rank
        quantiles up to that many customers, bins of ``ceil(n / rank_bins)``
        ranks beyond.
    histogram_mb : float, default 512
        Memory cap of the histogram (2 bytes per counter below 65,536 draws, else
        4); the number of bins is lowered to fit.
    chunk_size : int, optional
        Draws scored together (default: about 2 million scores per chunk).

    Returns
    -------
    AcceptabilityResult

    Raises
    ------
    InputError
        Bad matrix, directions, weights, draws, tiers or options.

    Examples
    --------
    Two customers, each best on one criterion: with uniform weights each ranks
    first about half of the time.

    >>> m = pd.DataFrame({"x": [1.0, 0.0], "y": [0.0, 1.0]}, index=["a", "b"])
    >>> res = rank_acceptability(m, {"x": "benefit", "y": "benefit"}, n_draws=2000)
    >>> res.acceptability.round(1)
    rank    1    2
    a     0.5  0.5
    b     0.5  0.5
    >>> res.central_weights.round(2)  # E[w_x | w_x > 1/2] = 3/4
          x     y
    a  0.75  0.25
    b  0.25  0.75
    """
    setup = _setup(
        matrix,
        directions,
        weights,
        method,
        n_draws,
        seed,
        concentration,
        normalization,
        weight_draws,
        chunk_size,
        decimals,
    )
    n, k = matrix.shape
    index = matrix.index
    top_k = min(_check_int(top_k, "top_k", 1), n)
    full_matrix_max = _check_int(full_matrix_max, "full_matrix_max", 0)
    rank_bins = _check_int(rank_bins, "rank_bins", 1)
    if isinstance(histogram_mb, bool) or not isinstance(histogram_mb, (int, float)) or not histogram_mb > 0:
        raise InputError(f"histogram_mb must be a positive number; got {histogram_mb!r}")
    plan = _parse_tiers(tiers, index)
    d = len(setup.draws)
    positions = np.arange(1, n + 1, dtype=np.int32)
    ranks = np.empty(n, dtype=np.int32)

    # --- base ranking ---------------------------------------------------------
    base = _base_scores(setup, decimals)
    _rank_row(base, ranks, positions)
    base_rank = ranks.astype(np.int64)
    base_tier = None
    if plan is not None:
        plan, base_tier, _ = _base_tiers(plan, base, index)

    # --- accumulators -----------------------------------------------------------
    full = n <= full_matrix_max
    dtype = np.uint16 if d < 2**16 else np.uint32
    fit = int(histogram_mb * 2**20 // (n * np.dtype(dtype).itemsize))
    n_bins = n if full else max(1, min(n, rank_bins, fit))
    width = -(-n // n_bins)
    n_bins = -(-n // width)
    hist = np.zeros((n, n_bins), dtype=dtype)
    # the bins of the last draws, counted into the histogram together (_add_to_histogram)
    bin_dtype = np.uint16 if n_bins <= 2**16 else np.uint32
    n_keep = max(1, min(_PENDING_DRAWS, _PENDING_BYTES // (n * np.dtype(bin_dtype).itemsize)))
    pending = np.empty((n_keep, n), dtype=bin_dtype)
    n_pending = 0
    rank_sum = np.zeros(n, dtype=np.int64)
    top_count = np.zeros(n, dtype=np.int64)
    central_sum = np.zeros((n, k)) if full else None
    # bin of each rank (index = rank), so that no division runs per draw
    bin_of_rank = (np.maximum(np.arange(n + 1, dtype=np.int64) - 1, 0) // width).astype(bin_dtype)
    # draws in which the customer is in tier t or better, t = 0 .. tiers - 1
    n_levels = 0 if plan is None else len(plan.names) - 1
    at_least = np.zeros((n_levels, n), dtype=np.int64)

    for _, w, s in _scored_chunks(setup, decimals):
        for j, row in enumerate(s):
            order, _, sorted_ranks = _rank_row(row, ranks, positions)
            rank_sum += ranks
            top_count[order[: np.searchsorted(sorted_ranks, top_k, side="right")]] += 1
            np.take(bin_of_rank, ranks, out=pending[n_pending])
            n_pending += 1
            if n_pending == len(pending):
                _add_to_histogram(hist, pending)
                n_pending = 0
            if central_sum is not None:
                central_sum[order[: np.searchsorted(sorted_ranks, 1, side="right")]] += w[j]
            if plan is not None and plan.kind == "callable":
                codes = _callable_row(plan, row, index)
                for t in range(n_levels):
                    at_least[t] += codes <= t
        if plan is not None and plan.kind == "rule":
            assert plan.plan is not None
            codes = _tiers.tier_codes(plan.plan, s)  # the whole chunk at once
            for t in range(n_levels):
                at_least[t] += np.count_nonzero(codes <= t, axis=0)

    _add_to_histogram(hist, pending[:n_pending])

    # --- summary ----------------------------------------------------------------
    q = _histogram_quantiles(hist, (0.5, 0.05, 0.95), d, width, n)
    summary = pd.DataFrame(
        {
            "base_score": base,
            "base_rank": base_rank,
            "mean_rank": rank_sum / d,
            "median_rank": q[:, 0],
            "rank_p05": q[:, 1],
            "rank_p95": q[:, 2],
            "p_top_k": top_count / d,
        },
        index=index,
    )
    if plan is not None and base_tier is not None:
        tier_count = np.diff(at_least, axis=0, prepend=0, append=d)  # (tiers + 1, customers)
        names = np.asarray(plan.names, dtype=object)
        summary["base_tier"] = names[base_tier]
        summary["p_keep_tier"] = tier_count[base_tier, np.arange(n)] / d
        for t, name in enumerate(plan.names):
            summary[f"p_{name}"] = tier_count[t] / d

    acceptability = central = None
    if full:
        acceptability = pd.DataFrame(hist / d, index=index, columns=pd.RangeIndex(1, n + 1, name="rank"))
        assert central_sum is not None
        firsts = hist[:, 0].astype(float)
        with np.errstate(invalid="ignore", divide="ignore"):
            central = pd.DataFrame(central_sum / firsts[:, None], index=index, columns=matrix.columns)

    params = {
        "method": setup.prep.method,
        "normalization": setup.normalization,
        "weights_source": setup.source,
        "base_weights": dict(zip(matrix.columns, setup.base_w.round(12).tolist(), strict=True)),
        "n_draws": d,
        "seed": seed if weight_draws is None else None,
        "concentration": setup.concentration,
        "tie_rule": "min",
        "decimals": decimals,
        "top_k": top_k,
        "tiers": None if plan is None else plan.description,
        "rank_bins": n_bins,
        "rank_bin_width": width,
        "chunk_size": setup.chunk,
        "draws_diagnostics": setup.diagnostics,
    }
    return AcceptabilityResult(
        summary=summary,
        acceptability=acceptability,
        central_weights=central,
        draws=d,
        weight_draws=pd.DataFrame(setup.draws, columns=matrix.columns),
        params=params,
    )


def review_flags(p_keep_tier: pd.Series, threshold: float = 0.8) -> pd.Series:
    """Customers whose tier is not stable enough: ``"review"``, else ``""``.

    Parameters
    ----------
    p_keep_tier : pandas.Series
        Probability of keeping the tier (``AcceptabilityResult.summary["p_keep_tier"]``).
    threshold : float, default 0.8
        A customer is flagged when ``p_keep_tier < threshold``. Missing values are
        not flagged.

    Returns
    -------
    pandas.Series
        Named ``"review"``, same index.

    Examples
    --------
    >>> review_flags(pd.Series([0.95, 0.8, 0.4], index=["a", "b", "c"])).tolist()
    ['', '', 'review']
    """
    if isinstance(threshold, bool) or not isinstance(threshold, (int, float)) or not 0.0 <= threshold <= 1.0:
        raise InputError(f"threshold must be a probability in [0, 1]; got {threshold!r}")
    p = pd.to_numeric(p_keep_tier, errors="coerce").to_numpy(dtype=float)
    return pd.Series(np.where(p < threshold, "review", ""), index=p_keep_tier.index, name="review", dtype=object)


def weight_drivers(
    matrix: pd.DataFrame,
    directions: Mapping[str, str],
    weights: Mapping[str, float] | None,
    customers: Sequence[Hashable],
    method: str = "weighted_sum",
    n_draws: int = 1000,
    seed: int | None = 0,
    concentration: float | None = None,
    *,
    normalization: str | Mapping[str, str] | None = None,
    tiers: TierSpec | None = None,
    weight_draws: pd.DataFrame | np.ndarray | WeightDraws | None = None,
    decimals: int = DEFAULT_DECIMALS,
    chunk_size: int | None = None,
) -> pd.DataFrame:
    """Which criterion's weight decides the tier of the given (uncertain) customers.

    Method: the same draws as :func:`rank_acceptability` (same arguments, same
    seed) rescore the list. For each customer its **margin over its tier cut** is
    recorded in every draw: its score minus the cut score of the boundary of its
    base tier that is nearer under the base weights (the lower cut: the score needed
    to stay; or, for a customer below a tier or in a lower tier nearer the upper
    cut, the score needed to move up). With a quota rule the cut score moves with
    the weights -- it is the score of the customer at the quota's last place in
    the group -- so the margin is relative to the competitors. Without a tier rule,
    for a callable rule, and for customers with no cut (ineligible), minus the
    overall rank is used instead. The driver is the criterion whose weight has the
    largest absolute Spearman rank correlation with that margin over the draws:
    the weight that most consistently pushes the customer across the cut. A
    positive correlation means more weight on the criterion helps the customer.

    Parameters
    ----------
    matrix, directions, weights, method, n_draws, seed, concentration
        As :func:`rank_acceptability`.
    customers : sequence
        Customer ids (matrix index) to explain, e.g. those :func:`review_flags`
        flags.
    normalization, tiers, weight_draws, decimals, chunk_size
        As :func:`rank_acceptability`.

    Returns
    -------
    pandas.DataFrame
        Index = ``customers``; one column per criterion (the correlation), then
        ``driver``, ``correlation``, ``driver_2`` and ``correlation_2`` (the two
        largest in absolute value) and ``measure`` (``"margin"`` or ``"rank"``). A
        customer whose margin never changes gets NaN correlations and no driver.

    Examples
    --------
    ``c`` is good on ``x`` and ``y`` but has nothing on ``z``, where its rivals
    score: the more weight ``z`` gets, the lower ``c`` ranks.

    >>> m = pd.DataFrame({"x": [0.0, 1.0, 0.8], "y": [1.0, 0.0, 0.6], "z": [0.5, 0.5, 0.0]},
    ...                  index=list("abc"))
    >>> out = weight_drivers(m, dict.fromkeys("xyz", "benefit"), None, ["c"], n_draws=500)
    >>> out.loc["c", "driver"], round(float(out.loc["c", "correlation"]), 1)
    ('z', -0.8)
    """
    setup = _setup(
        matrix,
        directions,
        weights,
        method,
        n_draws,
        seed,
        concentration,
        normalization,
        weight_draws,
        chunk_size,
        decimals,
    )
    wanted = list(customers)
    if not wanted:
        raise InputError("give at least one customer to explain")
    pick = matrix.index.get_indexer(wanted)
    if (pick < 0).any():
        raise InputError(f"customers not in the matrix: {[c for c, p in zip(wanted, pick) if p < 0][:10]}")
    index = matrix.index
    plan = _parse_tiers(tiers, index)
    n = len(index)
    positions = np.arange(1, n + 1, dtype=np.int32)
    ranks = np.empty(n, dtype=np.int32)

    # the boundary each customer is measured against (from the base weights)
    boundary = np.full(pick.size, -1)
    if plan is not None and plan.kind != "callable":
        base = _base_scores(setup, decimals)
        plan, base_tier, cut = _base_tiers(plan, base, index)
        assert cut is not None and plan.plan is not None
        tier_p = base_tier[pick].astype(np.int64)
        cut_p = cut[plan.plan.codes[pick]]  # (picked, tiers)
        n_tiers = cut.shape[1]
        rows = np.arange(pick.size)
        lower = np.where(tier_p < n_tiers, tier_p, -1)
        upper = tier_p - 1
        gap_low = np.where(lower >= 0, np.abs(base[pick] - cut_p[rows, np.maximum(lower, 0)]), np.inf)
        gap_up = np.where(upper >= 0, np.abs(base[pick] - cut_p[rows, np.maximum(upper, 0)]), np.inf)
        boundary = np.where(gap_up < gap_low, upper, lower)
        boundary[~np.isfinite(np.minimum(gap_low, gap_up))] = -1
    use_margin = boundary >= 0

    measure = np.empty((len(setup.draws), pick.size))
    by_rank = ~use_margin
    for lo, _, s in _scored_chunks(setup, decimals):
        block = measure[lo : lo + len(s)]
        if use_margin.any():
            assert plan is not None and plan.plan is not None
            cuts = _tiers.cut_keys(plan.plan, s)  # (chunk, groups + 1, tiers)
            m = use_margin
            block[:, m] = s[:, pick[m]] - cuts[:, plan.plan.codes[pick[m]], boundary[m]]
        if by_rank.any():  # the rank is needed only for customers without a cut
            for j, row in enumerate(s):
                _rank_row(row, ranks, positions)
                block[j, by_rank] = -ranks[pick[by_rank]]
    corr = _columnwise_corr(stats.rankdata(measure, axis=0), stats.rankdata(setup.draws, axis=0))
    cols = list(matrix.columns)
    result = pd.DataFrame(corr, index=pd.Index(wanted), columns=cols)
    size = np.where(np.isnan(corr), -1.0, np.abs(corr))
    top = np.argsort(-size, axis=1, kind="stable")
    names = np.asarray(cols, dtype=object)
    rows = np.arange(pick.size)
    for place, suffix in ((0, ""), (1, "_2")):
        if place >= len(cols):
            break
        col = top[:, place]
        val = corr[rows, col]
        driver = names[col]  # a new object array (fancy indexing copies)
        driver[np.isnan(val)] = None
        result[f"driver{suffix}"] = driver
        result[f"correlation{suffix}"] = val
    result["measure"] = np.where(use_margin, "margin", "rank")
    return result


# =============================================================================
# Public API: weights drawn uniformly within the experts' bounds and orders
# =============================================================================


class _Polytope(NamedTuple):
    """{x : lo <= x <= hi, x[i] >= x[j] for (i, j) in orders, each group sums to 1}."""

    names: tuple[str, ...]  # one per coordinate, for messages
    lo: np.ndarray
    hi: np.ndarray
    groups: tuple[np.ndarray, ...]  # coordinate indices of each group
    group_names: tuple[str, ...]
    orders: np.ndarray  # (orders, 2) int
    family_of: np.ndarray | None  # per criterion: the coordinate of its family weight


def _bound_pair(value: object, what: str) -> tuple[float, float]:
    try:
        lo, hi = (float(v) for v in value)  # type: ignore[attr-defined]
    except (TypeError, ValueError):
        raise InputError(f"{what}: expected [lower, upper]; got {value!r}") from None
    if not (0.0 <= lo <= hi <= 1.0):
        raise InputError(f"{what}: expected 0 <= lower <= upper <= 1; got [{lo:g}, {hi:g}]")
    return lo, hi


def _propagate(lo: np.ndarray, hi: np.ndarray, orders: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The bounds tightened by the orders: ``x_a >= x_b`` lifts the lower bound of
    ``a`` to that of ``b`` and lowers the upper bound of ``b`` to that of ``a``
    (repeated until nothing changes; a cycle of orders ends with equal bounds).
    """
    low, high = lo.copy(), hi.copy()
    for _ in range(len(lo) + 1):
        before = (low.copy(), high.copy())
        for a, b in orders:
            low[a] = max(low[a], low[b])
            high[b] = min(high[b], high[a])
        if np.array_equal(before[0], low) and np.array_equal(before[1], high):
            break
    return low, high


def _weight_polytope(
    columns: Sequence[Hashable],
    bounds: Mapping[str, Sequence[float]] | None,
    orders: Sequence[tuple[str, str]],
    families: Mapping[str, str] | None,
    family_bounds: Mapping[str, Sequence[float]] | None,
) -> _Polytope:
    """Validate the constraints and write them on coordinates; refuse an empty set."""
    cols = [str(c) for c in columns]
    if not cols or len(set(cols)) != len(cols):
        raise InputError("the criteria must be unique and at least one")
    k = len(cols)
    where = {c: i for i, c in enumerate(cols)}
    bounds = dict(bounds or {})
    unknown = sorted(set(map(str, bounds)) - set(cols))
    if unknown:
        raise InputError(f"weight bounds name unknown criteria {unknown}; the criteria are {cols}")
    fam_names: list[str] = []
    family_of = None
    if families is not None:
        missing = [c for c in cols if c not in families]
        if missing:
            raise InputError(f"families: no family for criteria {missing}")
        fam_names = list(dict.fromkeys(str(families[c]) for c in cols))
        family_of = np.array([k + fam_names.index(str(families[c])) for c in cols], dtype=np.int64)
    elif family_bounds:
        raise InputError("family weight bounds need the criteria's families")
    family_bounds = dict(family_bounds or {})
    unknown = sorted(set(map(str, family_bounds)) - set(fam_names))
    if unknown:
        raise InputError(f"family weight bounds name unknown families {unknown}; the families are {fam_names}")
    names = tuple(cols) + tuple(f"family {f!r}" for f in fam_names)
    m = len(names)
    lo, hi = np.zeros(m), np.ones(m)
    for c, pair in bounds.items():
        lo[where[str(c)]], hi[where[str(c)]] = _bound_pair(pair, f"weight bounds of {c!r}")
    for f, pair in family_bounds.items():
        i = k + fam_names.index(str(f))
        lo[i], hi[i] = _bound_pair(pair, f"weight bounds of family {f!r}")
    pairs = []
    for entry in orders:
        try:
            a, b = (str(x) for x in entry)
        except (TypeError, ValueError):
            raise InputError(f"a weight order is a pair (heavier, lighter); got {entry!r}") from None
        bad = [x for x in (a, b) if x not in where]
        if bad:
            raise InputError(f"weight order {a} >= {b}: unknown criteria {bad}; the criteria are {cols}")
        if a == b:
            raise InputError(f"weight order {a} >= {b} compares a criterion with itself")
        if families is not None and families[a] != families[b]:
            raise InputError(
                f"weight order {a} >= {b}: the weights are within-family, and {a} ({families[a]}) and "
                f"{b} ({families[b]}) are in different families; compare criteria of one family"
            )
        pairs.append((where[a], where[b]))
    order_arr = np.array(pairs, dtype=np.int64).reshape(-1, 2)
    if families is None:
        groups: tuple[np.ndarray, ...] = (np.arange(k),)
        group_names: tuple[str, ...] = ("the criteria",)
    else:
        assert family_of is not None
        groups = tuple(np.flatnonzero(family_of == k + f) for f in range(len(fam_names)))
        groups += (np.arange(k, m),)
        group_names = (*(f"family {f!r}" for f in fam_names), "the family weights")
    poly = _Polytope(names, lo, hi, groups, group_names, order_arr, family_of)
    _check_feasible(poly)
    return poly


def _check_feasible(poly: _Polytope) -> None:
    """Refuse bounds and orders that no weights summing to 1 satisfy, saying why.

    With the bounds tightened by the orders (:func:`_propagate`) the set is empty
    exactly when a lower bound exceeds its upper bound, or, in a group, the lower
    bounds sum to more than 1 or the upper bounds to less than 1: both tightened
    vectors satisfy every order, and the sum of the points between them covers
    every value in between.
    """
    low, high = _propagate(poly.lo, poly.hi, poly.orders)
    tol = 1e-9
    bad = np.flatnonzero(low > high + tol)
    if bad.size:
        i = int(bad[0])
        raise InputError(
            f"infeasible weight constraints: with the orders, the weight of {poly.names[i]} must be at least "
            f"{low[i]:.4g} and at most {high[i]:.4g}"
        )
    for idx, name in zip(poly.groups, poly.group_names, strict=True):
        total_low, total_high = float(low[idx].sum()), float(high[idx].sum())
        if total_low > 1 + tol:
            raise InputError(
                f"infeasible weight constraints: the lowest weights the bounds and orders allow for {name} "
                f"sum to {total_low:.4g} > 1"
            )
        if total_high < 1 - tol:
            raise InputError(
                f"infeasible weight constraints: the highest weights the bounds and orders allow for {name} "
                f"sum to {total_high:.4g} < 1"
            )


class _Geometry(NamedTuple):
    """What the hit-and-run walk needs: the affine hull, the facets, a start."""

    centre: np.ndarray  # a point deep inside (Chebyshev centre within the affine hull)
    radius: float
    basis: np.ndarray  # coordinates x (orthonormal columns): the directions of the affine hull
    scale: np.ndarray  # per coordinate: its range over the polytope (0 = fixed)
    a: np.ndarray  # facets a x <= b that are not implicit equalities
    b: np.ndarray
    dimension: int
    fixed: tuple[str, ...]
    equal: tuple[tuple[str, str], ...]


def _inequalities(poly: _Polytope) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """A x <= b (lower bounds, upper bounds, orders) and the group sums E x = 1."""
    m = len(poly.names)
    eye = np.eye(m)
    order_rows = np.zeros((len(poly.orders), m))
    order_rows[np.arange(len(poly.orders)), poly.orders[:, 1]] = 1.0
    order_rows[np.arange(len(poly.orders)), poly.orders[:, 0]] = -1.0  # x_b - x_a <= 0
    a = np.vstack([-eye, eye, order_rows])
    b = np.concatenate([-poly.lo, poly.hi, np.zeros(len(poly.orders))])
    e = np.zeros((len(poly.groups), m))
    for g, idx in enumerate(poly.groups):
        e[g, idx] = 1.0
    return a, b, e, np.ones(len(poly.groups))


def _linprog(c: np.ndarray, a: np.ndarray, b: np.ndarray, e: np.ndarray, f: np.ndarray) -> np.ndarray:
    from scipy.optimize import linprog

    res = linprog(c, A_ub=a, b_ub=b, A_eq=e, b_eq=f, bounds=(None, None), method="highs")
    if res.status != 0:  # pragma: no cover - the set was checked to be non-empty
        raise InputError(f"the weight constraints could not be solved ({res.message})")
    return np.asarray(res.x, dtype=float)


def _chebyshev(a: np.ndarray, b: np.ndarray, e: np.ndarray, f: np.ndarray) -> tuple[np.ndarray, np.ndarray, float]:
    """The directions of the affine hull ``e x = f`` (orthonormal columns) and the
    point of ``{a x <= b}`` on it farthest from every facet, with that distance.
    """
    m = a.shape[1]
    _, s, vt = np.linalg.svd(e)
    rank = int((s > 1e-10 * s.max()).sum())
    basis = vt[rank:].T
    if basis.shape[1] == 0:
        return basis, np.linalg.lstsq(e, f, rcond=None)[0], 0.0
    # max t with a_i x + t |a_i restricted to the hull| <= b_i, and t <= 1 to keep it bounded
    norms = np.linalg.norm(a @ basis, axis=1)
    a_lp = np.vstack([np.hstack([a, norms[:, None]]), np.eye(1, m + 1, m)])
    cost = np.zeros(m + 1)
    cost[-1] = -1.0
    sol = _linprog(cost, a_lp, np.concatenate([b, [1.0]]), np.hstack([e, np.zeros((len(e), 1))]), f)
    return basis, sol[:m], float(sol[m])


def _geometry(poly: _Polytope) -> _Geometry:
    """The affine hull of the polytope (the group sums, the weights it fixes, the
    orders it makes equalities), the facets left, each coordinate's range and a
    start point as far as possible from every facet (linear programmes, HiGHS).

    The weights that the bounds and orders pin by themselves (:func:`_propagate`)
    are fixed first, and one linear programme finds the start; only when that start
    touches a facet (the sums pin a weight or an order, e.g. lower bounds summing to
    1) are the implicit equalities found one linear programme per weight and order.
    """
    tol = 1e-9
    m = len(poly.names)
    a, b, e, f = _inequalities(poly)
    eye = np.eye(m)
    low, high = _propagate(poly.lo, poly.hi, poly.orders)
    fixed = high - low <= tol
    tight = fixed[poly.orders[:, 0]] & fixed[poly.orders[:, 1]]

    def hull() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        keep = np.concatenate([~fixed, ~fixed, ~tight])
        rows, values = [e, eye[fixed]], [f, ((low + high) / 2)[fixed]]
        pairs = tight & ~(fixed[poly.orders[:, 0]] & fixed[poly.orders[:, 1]])
        if pairs.any():
            rows.append(eye[poly.orders[pairs, 0]] - eye[poly.orders[pairs, 1]])
            values.append(np.zeros(int(pairs.sum())))
        return keep, np.vstack(rows), np.concatenate(values)

    keep, e_all, f_all = hull()
    basis, centre, radius = _chebyshev(a[keep], b[keep], e_all, f_all)
    if basis.shape[1] and radius <= tol:  # implicit equalities: find them
        low = np.array([_linprog(eye[i], a, b, e, f)[i] for i in range(m)])
        high = np.array([_linprog(-eye[i], a, b, e, f)[i] for i in range(m)])
        fixed = high - low <= tol
        for r, (i, j) in enumerate(poly.orders):
            if not tight[r]:
                x = _linprog(eye[j] - eye[i], a, b, e, f)
                tight[r] = x[i] - x[j] <= tol
        keep, e_all, f_all = hull()
        basis, centre, radius = _chebyshev(a[keep], b[keep], e_all, f_all)
        if basis.shape[1] and radius <= tol:  # pragma: no cover - every implicit equality was found
            raise InputError("the weight constraints leave no room to draw in; loosen a bound or an order")
    names = poly.names
    return _Geometry(
        centre=centre,
        radius=radius,
        basis=basis,
        scale=np.where(fixed, 0.0, high - low),
        a=a[keep],
        b=b[keep],
        dimension=int(basis.shape[1]),
        fixed=tuple(names[i] for i in np.flatnonzero(fixed)),
        equal=tuple((names[i], names[j]) for (i, j), t in zip(poly.orders, tight, strict=True) if t and not fixed[i]),
    )


def _hit_and_run(
    geo: _Geometry, chains: int, burn_in: int, thinning: int, per_chain: int, rng: np.random.Generator
) -> np.ndarray:
    """Hit-and-run walks of ``chains`` chains side by side; (per_chain, chains, coordinates).

    The walk runs in coordinates ``y`` of the affine hull (``x = centre + basis y``).
    Each step draws a direction ``d ~ N(0, S)``, the chord of the polytope through
    the current point along ``d`` and a point uniformly on that chord; every step
    moves, there is nothing to reject. For any fixed ``S`` the walk is reversible
    with the uniform law as its stationary law (it is the isotropic walk on the
    polytope mapped by ``S^(-1/2)``); ``S`` only sets how fast it mixes. It is the
    coordinates' ranges over the polytope for the first half of the burn-in, then
    the covariance of the chains' points over that half (rounding the polytope, so
    that a thin direction is not crossed by long strides), fixed from then on.
    """
    m, r = geo.basis.shape
    out = np.empty((per_chain, chains, m))
    if r == 0:
        out[:] = geo.centre
        return out
    facets = geo.a @ geo.basis  # (facets, r)
    y = np.zeros((chains, r))
    slack = np.repeat((geo.b - geo.a @ geo.centre)[None, :], chains, axis=0)
    root = _sqrt_psd(geo.basis.T @ (geo.scale[:, None] ** 2 * geo.basis))
    adapt_at, watch_from = (burn_in // 2, burn_in // 4) if burn_in >= 20 else (-1, 0)
    seen: list[np.ndarray] = []
    kept = 0
    for step in range(burn_in + per_chain * thinning):
        if step == adapt_at and seen:
            points = np.concatenate(seen)
            cov = np.cov(points, rowvar=False).reshape(r, r)
            if points.shape[0] > 2 * r and np.linalg.matrix_rank(cov) == r:
                root = _sqrt_psd(cov)
            seen = []
        d = rng.standard_normal((chains, r)) @ root.T
        rate = d @ facets.T  # (chains, facets): how fast each slack shrinks along d
        with np.errstate(divide="ignore", invalid="ignore"):
            ratio = np.maximum(slack, 0.0) / rate
        t_hi = np.where(rate > 0, ratio, np.inf).min(axis=1)
        t_lo = np.where(rate < 0, ratio, -np.inf).max(axis=1)
        span = np.isfinite(t_hi) & np.isfinite(t_lo)
        t = np.where(span, t_lo + rng.random(chains) * np.where(span, t_hi - t_lo, 0.0), 0.0)
        y += t[:, None] * d
        slack -= t[:, None] * rate
        if watch_from <= step < adapt_at:
            seen.append(y.copy())
        if step >= burn_in and (step - burn_in + 1) % thinning == 0:
            x = geo.centre + y @ geo.basis.T
            slack = geo.b - x @ geo.a.T  # exact again: no drift from the running update
            out[kept] = x
            kept += 1
    return out


def _sqrt_psd(cov: np.ndarray) -> np.ndarray:
    """A square root ``R`` of a positive semi-definite matrix (``R R^T = cov``)."""
    values, vectors = np.linalg.eigh(cov)
    return vectors * np.sqrt(np.maximum(values, 0.0))


def _split_r_hat(chains: np.ndarray) -> np.ndarray:
    """Split-R-hat of every column (Gelman et al. 2013, *Bayesian Data Analysis*, 3rd
    ed., 11.4) of draws shaped (draws, chains, columns); NaN where it is undefined.
    """
    n = chains.shape[0] // 2
    out = np.full(chains.shape[2], np.nan)
    if n < 2:
        return out
    halves = np.concatenate([chains[:n], chains[-n:]], axis=1)
    within = halves.var(axis=0, ddof=1).mean(axis=0)
    between = n * halves.mean(axis=0).var(axis=0, ddof=1)
    var_plus = (n - 1) / n * within + between / n
    ok = within > 1e-15
    out[ok] = np.sqrt(var_plus[ok] / within[ok])
    return out


def _effective_size(chains: np.ndarray) -> np.ndarray:
    """Effective sample size of every column of draws shaped (draws, chains, columns):
    the multi-chain estimator with Geyer's initial monotone sequence (as Stan's,
    without rank normalisation); NaN for a constant column.
    """
    n, c, p = chains.shape
    out = np.full(p, np.nan)
    if n < 4:
        return out
    centred = chains - chains.mean(axis=0)
    spec = np.fft.rfft(centred, n=2 * n, axis=0)
    acov = np.fft.irfft(spec * np.conj(spec), n=2 * n, axis=0)[:n] / n  # (lags, chains, columns)
    within = (acov[0] * n / (n - 1)).mean(axis=0)
    between = chains.mean(axis=0).var(axis=0, ddof=1) if c > 1 else np.zeros(p)
    var_plus = (n - 1) / n * within + between
    for j in range(p):
        if not var_plus[j] > 1e-15:
            continue
        rho = 1.0 - (within[j] - acov[:, :, j].mean(axis=1)) / var_plus[j]
        rho[0] = 1.0
        pairs = rho[: n - n % 2].reshape(-1, 2).sum(axis=1)
        stop = int(np.argmin(pairs > 0)) if not (pairs > 0).all() else pairs.size
        tau = -1.0 + 2.0 * np.minimum.accumulate(pairs[:stop]).sum()
        total = n * c
        out[j] = total / max(tau, 1.0 / math.log10(max(total, 10)))
    return out


def _inside(poly: _Polytope, x: np.ndarray, tol: float = 1e-9) -> np.ndarray:
    """True for the rows of ``x`` (coordinates) that satisfy the bounds and orders."""
    ok = ((x >= poly.lo - tol) & (x <= poly.hi + tol)).all(axis=1)
    if len(poly.orders):
        ok &= (x[:, poly.orders[:, 0]] >= x[:, poly.orders[:, 1]] - tol).all(axis=1)
    return np.asarray(ok, dtype=bool)


def _rejection_share(poly: _Polytope, proposals: int, rng: np.random.Generator) -> float:
    """Share of uniform proposals (each group uniform on its simplex) inside the
    polytope: the acceptance rate a rejection sampler would have.
    """
    x = rng.standard_exponential((proposals, len(poly.names)))
    for idx in poly.groups:  # normalised exponentials: Dirichlet(1, ..., 1)
        x[:, idx] /= x[:, idx].sum(axis=1, keepdims=True)
    return float(_inside(poly, x).mean())


def constrained_weight_draws(
    columns: Sequence[Hashable],
    bounds: Mapping[str, Sequence[float]] | None = None,
    orders: Sequence[tuple[str, str]] = (),
    *,
    families: Mapping[str, str] | None = None,
    family_bounds: Mapping[str, Sequence[float]] | None = None,
    n_draws: int = 1000,
    seed: int | None = 0,
    chains: int = DEFAULT_CHAINS,
    burn_in: int = DEFAULT_BURN_IN,
    thinning: int = DEFAULT_THINNING,
) -> WeightDraws:
    """Weights drawn uniformly among those the experts' bounds and orders allow.

    The set ``{w >= 0, sum w = 1, lower_j <= w_j <= upper_j, w_a >= w_b for every
    order (a, b)}`` is a convex polytope; the draws are uniform on it, by
    hit-and-run (Smith, R. L. (1984) "Efficient Monte Carlo procedures for
    generating points uniformly distributed over bounded regions", *Operations
    Research* 32(6):1296-1308; mixing: Lovász, L. (1999) "Hit-and-run mixes fast",
    *Mathematical Programming* 86:443-461). A weight without bounds is free in
    [0, 1]: only what the experts state restricts the draws.

    With ``families`` the weights are within-family (each family's weights sum to
    1), the bounds and orders are on that scale, and the family weights are drawn
    too, uniformly within ``family_bounds`` (free without them), independently of
    the within-family weights; the global weight is family weight x within-family
    weight.

    Method: the affine hull of the polytope is found by linear programmes (the
    group sums, every weight the constraints fix -- e.g. equal bounds -- and every
    order they make an equality), then ``chains`` chains start at its Chebyshev
    centre and walk: a direction (a Gaussian scaled by each coordinate's range over
    the polytope, projected onto the hull -- a fixed symmetric law, so the uniform
    law is stationary), the chord through the current point along it, a uniform
    point on the chord. Every step moves; after ``burn_in`` steps every
    ``thinning``-th point of each chain is kept. All chains step together (one
    array operation per step).

    Parameters
    ----------
    columns : sequence
        The criteria, in the order of the draws' columns.
    bounds : Mapping[str, (float, float)], optional
        ``[lower, upper]`` per criterion, ``0 <= lower <= upper <= 1``.
    orders : sequence of (str, str)
        ``(a, b)``: the weight of ``a`` is at least that of ``b``.
    families : Mapping[str, str], optional
        Family of every criterion; the weights are then within-family.
    family_bounds : Mapping[str, (float, float)], optional
        ``[lower, upper]`` per family weight (with ``families`` only).
    n_draws : int, default 1000
    seed : int or None, default 0
        Seed of :func:`numpy.random.default_rng`; the same seed (and the same
        settings) gives the same draws.
    chains : int, default 100
        Chains walked side by side (at most ``n_draws``); one step of all of them
        costs about as much as one step of one, so more chains, fewer steps.
    burn_in : int, default 500
        Steps of every chain before the first kept point.
    thinning : int, default 100
        Steps between two kept points of a chain. With ten criteria in two
        families, bounded and ordered as in the sample's ``criteria.yaml``, the
        integrated autocorrelation time of a weight is about 33 steps (its
        autocorrelation is 0.06 after 50 steps, 0.006 after 100), so kept points
        100 steps apart are practically independent: effective sample size about
        the number of draws, split-R-hat within a few hundredths of 1. More
        criteria need more steps (hit-and-run mixes in about ``n^2`` steps for a
        well-rounded polytope in ``n`` dimensions); check ``r_hat_max`` and
        ``ess_min``.

    Returns
    -------
    WeightDraws
        ``weights`` (draws x criteria, global, rows summing to 1; the draws of
        all chains interleaved, kept step by kept step) and ``diagnostics``:
        the settings, ``dimension`` of the polytope, the ``fixed`` weights and the
        orders that hold with equality (``equal``), the ``chebyshev_radius`` of the
        start, ``r_hat_max`` (largest split-R-hat over the criteria; near 1 when
        the chains agree -- below 1.01 is the usual standard), ``ess_min``
        (smallest effective sample size), ``acceptance_rate`` (1: hit-and-run
        rejects nothing) and ``rejection_acceptance``: the share of 20,000 uniform
        proposals a rejection sampler would keep (why it is not used).

    Raises
    ------
    InputError
        Unknown criteria or families, bounds outside [0, 1] or reversed, an order
        across families or of a criterion with itself, bounds and orders that no
        weights summing to 1 satisfy (the message says which), bad settings.

    Examples
    --------
    Three weights, ``a >= b`` and ``c`` at most 0.2: the draws stay inside.

    >>> d = constrained_weight_draws(["a", "b", "c"], {"c": (0.0, 0.2)}, [("a", "b")], n_draws=2000)
    >>> w = d.weights
    >>> bool((w["a"] >= w["b"]).all() and (w["c"] <= 0.2).all())
    True
    >>> w.mean().round(1).tolist()  # the region's centroid: (0.678, 0.226, 0.096)
    [0.7, 0.2, 0.1]
    >>> constrained_weight_draws(["a", "b"], {"a": (0.6, 1.0), "b": (0.5, 1.0)})
    Traceback (most recent call last):
    ...
    prioanalysis.errors.InputError: infeasible weight constraints: the lowest weights the bounds and orders allow for the criteria sum to 1.1 > 1
    """  # noqa: E501  (the doctest shows the error message, which is one line)
    n_draws = _check_int(n_draws, "n_draws", 1)
    chains = min(_check_int(chains, "chains", 1), n_draws)
    burn_in = _check_int(burn_in, "burn_in", 0)
    thinning = _check_int(thinning, "thinning", 1)
    poly = _weight_polytope(columns, bounds, orders, families, family_bounds)
    geo = _geometry(poly)
    rng = np.random.default_rng(seed)
    per_chain = -(-n_draws // chains)
    walk = _hit_and_run(geo, chains, burn_in, thinning, per_chain, rng)  # (kept, chains, coordinates)
    k = len(columns)
    w = walk[..., :k] if poly.family_of is None else walk[..., poly.family_of] * walk[..., :k]
    w = np.maximum(w, 0.0)
    w /= w.sum(axis=2, keepdims=True)
    r_hat, ess = _split_r_hat(w), _effective_size(w)
    cols = pd.Index(columns)
    diagnostics = {
        "sampler": "hit-and-run",
        "seed": seed,
        "chains": chains,
        "burn_in": burn_in,
        "thinning": thinning,
        "steps_per_chain": burn_in + per_chain * thinning,
        "dimension": geo.dimension,
        "fixed": list(geo.fixed),
        "equal": [list(p) for p in geo.equal],
        "chebyshev_radius": round(geo.radius, 12),
        "r_hat_max": None if np.isnan(r_hat).all() else round(float(np.nanmax(r_hat)), 6),
        "ess_min": None if np.isnan(ess).all() else round(float(np.nanmin(ess)), 1),
        "acceptance_rate": 1.0,
        "rejection_acceptance": _rejection_share(poly, _REJECTION_PROPOSALS, rng),
        "bounds": {str(c): [float(poly.lo[i]), float(poly.hi[i])] for i, c in enumerate(poly.names)},
        "orders": [[poly.names[a], poly.names[b]] for a, b in poly.orders],
        "by_family": poly.family_of is not None,
    }
    frame = pd.DataFrame(w.reshape(-1, k)[:n_draws], columns=cols)
    return WeightDraws(
        weights=frame, source="uniform within the stated bounds and orders (hit-and-run)", diagnostics=diagnostics
    )


# =============================================================================
# Public API: AHP judgement uncertainty
# =============================================================================


def _perturb(
    a: np.ndarray, n_draws: int, step: int, rng: np.random.Generator, skipped: np.ndarray | None = None
) -> np.ndarray:
    """Draws of a pairwise matrix with each judgement moved along Saaty's scale.

    Every upper-triangle judgement moves by a uniform integer in ``[-step, step]``
    positions on the 17-value scale 1/9 ... 1/2, 1, 2 ... 9 (clipped at 1/9 and 9);
    the lower triangle stays reciprocal. Cells in ``skipped`` (pairs the judge did
    not judge) are not drawn and hold 1 in the stack.
    """
    m = a.shape[0]
    stack = np.ones((n_draws, m, m))
    i, j = np.triu_indices(m, 1)
    if skipped is not None:
        keep = ~skipped[i, j]
        i, j = i[keep], j[keep]
    if i.size == 0:
        return stack
    scale = _weights.SAATY_SCALE
    pos = np.argmin(np.abs(np.log(a[i, j])[:, None] - np.log(scale)[None, :]), axis=1)
    moved = np.clip(pos + rng.integers(-step, step + 1, size=(n_draws, i.size)), 0, scale.size - 1)
    values = scale[moved]
    stack[:, i, j] = values
    stack[:, j, i] = 1.0 / values
    return stack


def _principal_eigen_stack(stack: np.ndarray) -> np.ndarray:
    """Principal eigenvector (sum 1) of every matrix of a stack, as weights.principal."""
    if stack.shape[1] == 1:
        return np.ones((stack.shape[0], 1))
    values, vectors = np.linalg.eig(stack)
    k = np.argmax(values.real, axis=1)
    w = np.abs(vectors[np.arange(stack.shape[0]), :, k].real)
    return w / w.sum(axis=1, keepdims=True)


def _off_scale(a: np.ndarray, tolerance: float) -> bool:
    """True when a cell is not on Saaty's scale within ``tolerance`` (log scale)."""
    dist = np.abs(np.log(a)[..., None] - np.log(_weights.SAATY_SCALE)).min(axis=-1)
    return bool((dist > tolerance).any())


def ahp_weight_draws(
    judgements: Mapping[str, Any] | pd.DataFrame,
    n_draws: int = 1000,
    seed: int | None = 0,
    step: int = 1,
    *,
    judge_weights: Mapping[str, float] | None = None,
    tolerance: float = 0.05,
) -> pd.DataFrame:
    """Weight draws from AHP judgements perturbed on Saaty's scale.

    Each judgement ``a_ij`` of every matrix is moved, independently in every draw,
    by ``-step ... +step`` positions on Saaty's scale ``1/9, ..., 1/2, 1, 2, ..., 9``
    (uniformly; a value at 9 or 1/9 cannot go beyond, so it stays there with the
    moves that would), ``a_ji = 1 / a_ij``, and the weights are recomputed with the
    principal eigenvector (as :func:`prioanalysis.methods.weights.ahp`) and, for a
    hierarchy, global weight = family weight x local weight (as
    :func:`prioanalysis.methods.weights.ahp_hierarchy`). With several judges each judge's
    judgements are perturbed and the judges' matrices combined by the weighted
    geometric mean (as :func:`prioanalysis.methods.weights.ahp_group`).

    A pair a judge skipped (``None``, ``a vs b: null`` in ``judgements.yaml``) is not
    perturbed: only judged cells move. Each cell of the combined matrix is the
    weighted geometric mean over the judges who judged it (their weights
    renormalised, as :func:`prioanalysis.methods.weights.aggregate_judges`), and a pair
    nobody judged is completed in every draw by Harker's (1987) method (the principal
    eigenvector of Harker's matrix, as :func:`prioanalysis.methods.weights.ahp`),
    vectorised over the draws. With ``step=0`` every draw is the point estimate.

    Parameters
    ----------
    judgements : mapping or DataFrame
        One of: a hierarchy spec (``{"families": ..., "criteria": ...}``, see
        :func:`~prioanalysis.methods.weights.ahp_hierarchy`); several judges
        (``{"judges": {name: spec}}``, the content of ``judgements.yaml``); flat
        judgements ``{"a vs b": 3, ...}`` of one matrix; or one pairwise matrix as a
        labelled DataFrame.
    n_draws : int, default 1000
    seed : int or None, default 0
    step : int, default 1
        Largest move, in positions on the scale (1 = to the neighbouring value, so
        3 becomes 2, 3 or 4 and 1 becomes 1/2, 1 or 2).
    judge_weights : Mapping[str, float], optional
        Weights of the judges in the geometric mean (default equal).
    tolerance : float, default 0.05
        How far (log scale) a judgement may sit from a scale value; judgements must
        be on Saaty's scale to be moved along it.

    Returns
    -------
    pandas.DataFrame
        Draws x criteria (in the order of the AHP result's weights), rows summing to
        1; pass it as ``weight_draws`` to :func:`rank_acceptability` (it is aligned
        on the column names).

    Raises
    ------
    InputError
        Malformed judgements (as the AHP functions), judgements off Saaty's scale,
        bad ``n_draws`` or ``step``.

    Examples
    --------
    >>> draws = ahp_weight_draws({"growth vs deal_size": 3}, n_draws=3000, seed=1)
    >>> sorted(draws["growth"].round(4).unique().tolist())
    [0.6667, 0.75, 0.8]
    >>> draws["growth"].value_counts(normalize=True).sort_index().round(1).tolist()
    [0.3, 0.3, 0.3]
    """
    n_draws = _check_int(n_draws, "n_draws", 1)
    step = _check_int(step, "step", 0)
    rng = np.random.default_rng(seed)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", _weights.InconsistencyWarning)
        if isinstance(judgements, pd.DataFrame):
            result = _weights.ahp(judgements, tolerance=tolerance)
            judges = {"": {"single": result.matrix}}
            skipped: dict[str, dict[str, pd.DataFrame | None]] = {"": {"single": result.missing}}
            labels = list(result.weights.index)
            structure: dict[str, list[str]] = {"single": labels}
            has_families = False
        elif isinstance(judgements, Mapping) and "judges" in judgements:
            group = _weights.ahp_group(judgements["judges"], judge_weights=judge_weights, tolerance=tolerance)
            agg = group.aggregate
            judges = {name: {key: r.matrix for key, r in res.results.items()} for name, res in group.judges.items()}
            skipped = {name: {key: r.missing for key, r in res.results.items()} for name, res in group.judges.items()}
            structure = {key: list(r.matrix.index) for key, r in agg.results.items()}
            labels = list(agg.weights.index)
            has_families = "families" in structure
            lambdas = group.judge_weights.to_numpy()
        elif isinstance(judgements, Mapping) and "criteria" in judgements:
            hier = _weights.ahp_hierarchy(judgements, tolerance=tolerance)
            judges = {"": {key: r.matrix for key, r in hier.results.items()}}
            skipped = {"": {key: r.missing for key, r in hier.results.items()}}
            structure = {key: list(r.matrix.index) for key, r in hier.results.items()}
            labels = list(hier.weights.index)
            has_families = "families" in structure
        elif isinstance(judgements, Mapping):
            result = _weights.ahp(_weights.judgements_to_matrix(judgements), tolerance=tolerance)
            judges = {"": {"single": result.matrix}}
            skipped = {"": {"single": result.missing}}
            labels = list(result.weights.index)
            structure = {"single": labels}
            has_families = False
        else:
            raise InputError(
                "judgements must be a hierarchy spec, {'judges': ...}, flat {'a vs b': x} "
                f"judgements or a pairwise DataFrame; got {type(judgements).__name__}"
            )
    if len(judges) == 1:
        lambdas = np.ones(1)

    local: dict[str, np.ndarray] = {}
    for key, order in structure.items():
        m = len(order)
        logs = np.zeros((n_draws, m, m))
        share = np.zeros((m, m))
        for (name, matrices), lam in zip(judges.items(), lambdas, strict=True):
            a = matrices[key].loc[order, order].to_numpy(dtype=float)
            mask = skipped[name].get(key)
            skip = np.zeros((m, m), dtype=bool) if mask is None else mask.loc[order, order].to_numpy(dtype=bool)
            if _off_scale(np.where(skip, 1.0, a), tolerance):
                where = f"judge {name!r}, " if name else ""
                raise InputError(
                    f"{where}matrix {key!r}: judgements must be on Saaty's scale (1/9 ... 9) to be perturbed along it"
                )
            # the judge's skipped cells hold 1 (log 0) and do not count in the cell's share
            logs += lam * np.log(_perturb(a, n_draws, step, rng, skip))
            share += lam * ~skip
        # every cell: the weighted geometric mean over the judges who judged it (as
        # weights.aggregate_judges); a pair nobody judged is completed per draw by
        # Harker's method (as weights.ahp)
        nobody = share <= 0
        stack = np.exp(logs / np.where(nobody, 1.0, share))
        if nobody.any():
            stack = np.where(nobody, 0.0, stack)
            stack[:, np.arange(m), np.arange(m)] = 1.0 + nobody.sum(axis=1)
        local[key] = _principal_eigen_stack(stack)
    if "single" in local:
        return pd.DataFrame(local["single"], columns=pd.Index(labels))
    families = [key.split(".", 1)[1] for key in structure if key != "families"]
    fam_w = local["families"] if has_families else np.ones((n_draws, 1))
    fam_order = structure["families"] if has_families else families
    parts = {}
    for family in families:
        f = fam_order.index(family)
        block = fam_w[:, [f]] * local[f"criteria.{family}"]
        for j, criterion in enumerate(structure[f"criteria.{family}"]):
            parts[criterion] = block[:, j]
    return pd.DataFrame(parts)[labels]
