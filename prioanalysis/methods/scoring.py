"""Scoring kernels: normalization, weighted sum (SAW) and TOPSIS.

Turns the customers x criteria matrix of step 2.3.3 ("score every customer
quantitatively against the criteria") into one number per customer.

The module is split the way scikit-criteria splits its methods:

* private pure numpy kernels (``_normalize_kernel``, itself ``_normalize_apply`` of
  ``_normalize_fit``, ``_weighted_sum_kernel``, ``_topsis_kernel`` built from
  ``_topsis_normalize`` and ``_topsis_distances``) that do no validation and never
  modify their inputs;
* thin public functions (:func:`normalize`, :func:`fit_normalization`,
  :func:`weighted_sum`, :func:`topsis`, :func:`score`) that validate once, call
  ``matrix.to_numpy(dtype=float)`` once and wrap the result back into pandas
  objects with the caller's index.

:func:`fit_normalization` keeps the statistics of a reference population so that
other rows (inquiring customers) are normalized exactly as if they were one more
row of it; ``normalize(matrix)`` is the same rule fitted on ``matrix`` itself.

Validation is a handful of column-wise reductions, so the validated functions run
close to the speed of bare numpy (see ``benchmarks/bench_scoring.py``).

Every variant is a named parameter:

* ``normalization`` -- one of :data:`NORMALIZATIONS` (per column for the weighted
  sum);
* ``method`` -- one of :data:`METHODS`.

Conventions shared by all functions
-----------------------------------
``matrix``
    rows = customers (the index is kept as is), columns = criteria, numeric,
    no NaN and no infinity (apply a missing-value policy first).
``weights``
    mapping criterion -> weight covering exactly the matrix columns; finite,
    non-negative, summing to 1 within ``1e-9``. Weights within the tolerance are
    divided by their sum so that the arithmetic uses weights that sum to 1.
``directions``
    mapping criterion -> ``"benefit"`` (higher is better) or ``"cost"`` (lower is
    better), covering exactly the matrix columns.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
import pandas as pd

from prioanalysis.errors import InputError
from prioanalysis.methods.spec import (
    DIRECTIONS,
    FAMILIES,
    METHOD_DEFAULT_NORMALIZATION,
    METHODS,
    NORMALIZATIONS,
    TOPSIS_NORMALIZATIONS,
    CriteriaSpec,
)

__all__ = [
    "METHODS",
    "NORMALIZATIONS",
    "DIRECTIONS",
    "TOPSIS_NORMALIZATIONS",
    "WEIGHT_SUM_TOLERANCE",
    "ScoreResult",
    "NormalizationStats",
    "fit_normalization",
    "exclude_reweight",
    "family_scores",
    "normalize",
    "weighted_sum",
    "topsis",
    "score",
]

# METHODS, NORMALIZATIONS, TOPSIS_NORMALIZATIONS and DIRECTIONS are the method
# vocabulary of prioanalysis.methods.spec, re-exported here.
#: How far the weights may sum from 1 before the kernels refuse them.
WEIGHT_SUM_TOLERANCE: float = 1e-9

_DEFAULT_NORMALIZATION: Mapping[str, str] = METHOD_DEFAULT_NORMALIZATION


# =============================================================================
# Result object
# =============================================================================


@dataclass(frozen=True, eq=False)
class ScoreResult:
    """Scores of the customers with the tables that explain them.

    Attributes
    ----------
    scores : pandas.Series
        One score per customer, index = the matrix index. Named ``"score"`` for
        the weighted sum (in [0, 1] for min-max normalization) and
        ``"closeness"`` for TOPSIS (always in [0, 1]).
    contributions : pandas.DataFrame
        Customers x criteria: how much each criterion gives to each customer.

        * weighted sum: the exact parts ``w_j * z_ij``; each row sums to the score.
        * TOPSIS: the *signed distance balance*
          ``b_ij = (dminus_ij**2 - dplus_ij**2) / sum_k (dminus_ik**2 + dplus_ik**2)``
          with ``dminus_ij = |v_ij - a-_j|`` and ``dplus_ij = |a+_j - v_ij|``.
          Positive means the criterion pulls the customer towards the ideal.
          Each row sums to ``(D-**2 - D+**2) / (D-**2 + D+**2)``, which equals
          ``(2C - 1) / (2C**2 - 2C + 1)`` for the closeness ``C`` -- a strictly
          increasing function of ``C`` on [0, 1] (from -1 at C = 0 through 0 at
          C = 0.5 to 1 at C = 1), so sorting by the row sum sorts by closeness.
          A row whose denominator is 0 (customer at both the ideal and the
          anti-ideal) gets contributions 0.
    method : str
        ``"weighted_sum"`` or ``"topsis"``.
    normalization : str or dict
        The normalization actually used (the method default when none was
        given; a ``{criterion: method}`` dict when it was given per column).
    normalized : pandas.DataFrame
        Customers x criteria normalized values. For the weighted sum and for
        TOPSIS with ``"minmax"`` these are benefit-oriented (higher is better);
        for TOPSIS with ``"vector"`` they are the classic un-flipped
        ``x / ||x||`` (cost criteria are handled by the ideal taking the minimum).
    ideal, anti_ideal : pandas.Series or None
        TOPSIS only: the positive ideal ``A+`` and the negative ideal ``A-`` of
        the weighted normalized matrix, indexed by criterion.
    d_plus, d_minus : pandas.Series or None
        TOPSIS only: Euclidean distance of each customer to ``A+`` and ``A-``.
    """

    scores: pd.Series
    contributions: pd.DataFrame
    method: str
    normalization: str | dict[Hashable, str]
    normalized: pd.DataFrame
    ideal: pd.Series | None = None
    anti_ideal: pd.Series | None = None
    d_plus: pd.Series | None = None
    d_minus: pd.Series | None = None


# =============================================================================
# Kernels (pure numpy, no validation, inputs never modified)
# =============================================================================


def _take_columns(x: np.ndarray, cols: np.ndarray) -> np.ndarray:
    """``x[:, cols]`` without the copy when ``cols`` is every column in order."""
    if cols.size == x.shape[1]:
        return x
    return x[:, cols]


class _NormStats(NamedTuple):
    """Per-column statistics of the normalization (see :func:`_normalize_fit`).

    Every method except the cost side of ``"max"`` is the affine map
    ``z = (x - offset) / divisor + shift``; the cost side of ``"max"`` is
    ``z = cost_max_min / x`` (``cost_max`` marks those columns).
    """

    offset: np.ndarray
    divisor: np.ndarray
    shift: np.ndarray
    cost_max: np.ndarray
    cost_max_min: np.ndarray


def _normalize_fit(x: np.ndarray, benefit: np.ndarray, methods: Sequence[str]) -> _NormStats:
    """The statistics of the benefit-oriented normalization of every column of ``x``.

    A column the method cannot scale (constant for min-max, all zero for the
    others) gets ``divisor = inf``, which makes ``(x - offset) / divisor`` exactly 0.

    Parameters
    ----------
    x : numpy.ndarray
        Shape (customers, criteria), finite floats: the reference population.
    benefit : numpy.ndarray
        Boolean, shape (criteria,); False marks a cost criterion.
    methods : sequence of str
        One normalization name per column, each in :data:`NORMALIZATIONS`.

    Returns
    -------
    _NormStats
        min and max (min-max), the column norm (vector), the sum (sum), the max or
        the min (max), as offsets, divisors and shifts.
    """
    n_cols = x.shape[1]
    meth = np.asarray(methods, dtype=object)
    is_minmax = meth == "minmax"
    is_max = meth == "max"
    is_scale = (meth == "vector") | (meth == "sum") | is_max
    cost = ~benefit

    a = np.zeros(n_cols)
    d = np.full(n_cols, np.inf)
    c = np.zeros(n_cols)

    if is_minmax.any():
        cols = np.flatnonzero(is_minmax)
        sub = _take_columns(x, cols)
        lo = sub.min(axis=0)
        hi = sub.max(axis=0)
        rng = hi - lo
        flat = rng == 0
        a[cols] = np.where(benefit[cols], lo, hi)
        d[cols] = np.where(flat, np.inf, np.where(benefit[cols], rng, -rng))
        c[cols] = np.where(flat, 0.5, 0.0)

    scale = np.zeros(n_cols)
    for name in ("vector", "sum", "max"):
        cols = np.flatnonzero(meth == name)
        if cols.size == 0:
            continue
        sub = _take_columns(x, cols)
        if name == "vector":
            scale[cols] = np.sqrt(np.einsum("ij,ij->j", sub, sub))
        elif name == "sum":
            scale[cols] = sub.sum(axis=0)
        else:
            scale[cols] = sub.max(axis=0)
    positive = is_scale & (scale > 0)
    d[positive] = scale[positive]
    # cost orientation for vector / sum: 1 - x / scale
    flip = is_scale & ~is_max & cost
    d[flip] = -d[flip]
    c[flip] = 1.0

    max_cost = is_max & cost
    low = np.full(n_cols, np.nan)
    if max_cost.any():
        cols = np.flatnonzero(max_cost)
        low[cols] = _take_columns(x, cols).min(axis=0)
    return _NormStats(a, d, c, max_cost, low)


def _normalize_apply(x: np.ndarray, stats: _NormStats) -> np.ndarray:
    """Normalize ``x`` with statistics from :func:`_normalize_fit` (of ``x`` itself
    or of a reference population); a new array of the shape of ``x``.
    """
    z = np.subtract(x, stats.offset)
    z /= stats.divisor
    z += stats.shift  # also turns the -0.0 of (max - max) / -range into 0.0
    if stats.cost_max.any():
        cols = np.flatnonzero(stats.cost_max)
        z[:, cols] = stats.cost_max_min[cols] / _take_columns(x, cols)
    return z


def _normalize_kernel(x: np.ndarray, benefit: np.ndarray, methods: Sequence[str]) -> np.ndarray:
    """Benefit-oriented normalization of every column of ``x`` with its own statistics.

    The one normalization rule of the package: ``_normalize_apply(x,
    _normalize_fit(x, benefit, methods))``. The whole matrix is done in two or three
    vectorised passes.

    Parameters
    ----------
    x : numpy.ndarray
        Shape (customers, criteria), finite floats.
    benefit : numpy.ndarray
        Boolean, shape (criteria,); False marks a cost criterion.
    methods : sequence of str
        One normalization name per column, each in :data:`NORMALIZATIONS`.

    Returns
    -------
    numpy.ndarray
        New array of the shape of ``x``.
    """
    return _normalize_apply(x, _normalize_fit(x, benefit, methods))


def _weighted_sum_kernel(z: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Weighted sum ``score_i = sum_j w_j * z_ij``.

    Parameters
    ----------
    z : numpy.ndarray
        Normalized matrix, shape (customers, criteria).
    w : numpy.ndarray
        Weights, shape (criteria,).

    Returns
    -------
    numpy.ndarray
        Shape (customers,).
    """
    return z @ w


class _TopsisParts(NamedTuple):
    """Intermediate tables of one TOPSIS run (numpy arrays)."""

    v: np.ndarray
    ideal: np.ndarray
    anti_ideal: np.ndarray
    d_plus: np.ndarray
    d_minus: np.ndarray
    closeness: np.ndarray


def _topsis_normalize(x: np.ndarray, benefit_mask: np.ndarray, norm: str) -> tuple[np.ndarray, np.ndarray]:
    """Normalized matrix ``r`` of TOPSIS and where its ideal is the column maximum.

    Parameters
    ----------
    x : numpy.ndarray
        Shape (customers, criteria), finite floats (non-negative for ``"vector"``).
    benefit_mask : numpy.ndarray
        Boolean, shape (criteria,); False marks a cost criterion.
    norm : {"vector", "minmax"}
        ``"vector"``: classic ``r = x / ||x||`` without flipping (an all-zero
        column gives r = 0); the ideal is the maximum of a benefit and the
        minimum of a cost criterion. ``"minmax"``: the benefit-oriented values
        of :func:`normalize`; the ideal is the maximum of every column.

    Returns
    -------
    r : numpy.ndarray
        New array of the shape of ``x``.
    best_is_max : numpy.ndarray
        Boolean, shape (criteria,).
    """
    if norm == "vector":
        length = np.sqrt(np.einsum("ij,ij->j", x, x))
        r = x / np.where(length > 0, length, np.inf)
        return r, benefit_mask
    r = _normalize_kernel(x, benefit_mask, ["minmax"] * x.shape[1])
    return r, np.ones_like(benefit_mask)


def _topsis_distances(v: np.ndarray, best_is_max: np.ndarray) -> _TopsisParts:
    """Ideal, anti-ideal, Euclidean distances and closeness of TOPSIS.

    Parameters
    ----------
    v : numpy.ndarray
        Weighted normalized matrix, shape (customers, criteria).
    best_is_max : numpy.ndarray
        Boolean, shape (criteria,): the ideal is the column maximum where True,
        the column minimum where False.

    Returns
    -------
    _TopsisParts
        ``closeness = d_minus / (d_plus + d_minus)``; 0.5 where
        ``d_plus + d_minus == 0`` (every customer identical).
    """
    col_max = v.max(axis=0)
    col_min = v.min(axis=0)
    ideal = np.where(best_is_max, col_max, col_min)
    anti = np.where(best_is_max, col_min, col_max)

    # Accumulate the squared distances one criterion at a time: a loop over the
    # (few) criteria, never over customers. The temporary is one column instead
    # of a whole (customers x criteria) array, which is both leaner and faster
    # than the broadcast form on a memory-bound machine.
    n_rows = v.shape[0]
    d2_plus = np.zeros(n_rows)
    d2_minus = np.zeros(n_rows)
    tmp = np.empty(n_rows)
    for j in range(v.shape[1]):
        col = v[:, j]
        np.subtract(col, ideal[j], out=tmp)
        np.square(tmp, out=tmp)
        d2_plus += tmp
        np.subtract(col, anti[j], out=tmp)
        np.square(tmp, out=tmp)
        d2_minus += tmp
    d_plus = np.sqrt(d2_plus, out=d2_plus)
    d_minus = np.sqrt(d2_minus, out=d2_minus)

    total = np.add(d_plus, d_minus, out=tmp)
    closeness = np.full(n_rows, 0.5)
    np.divide(d_minus, total, out=closeness, where=total > 0)
    return _TopsisParts(v, ideal, anti, d_plus, d_minus, closeness)


def _topsis_kernel(x: np.ndarray, w: np.ndarray, benefit_mask: np.ndarray, norm: str) -> _TopsisParts:
    """TOPSIS of Hwang & Yoon (1981): ``r``, ``v = w * r``, ideals, distances.

    Parameters
    ----------
    x : numpy.ndarray
        Shape (customers, criteria), finite floats (non-negative for ``"vector"``).
    w : numpy.ndarray
        Weights, shape (criteria,).
    benefit_mask : numpy.ndarray
        Boolean, shape (criteria,); False marks a cost criterion.
    norm : {"vector", "minmax"}
        See :func:`_topsis_normalize`.

    Returns
    -------
    _TopsisParts
        The weighted normalized matrix ``v`` and everything computed from it.
        The normalized ``r`` itself is not kept (``v`` is computed in its place);
        call :func:`_topsis_normalize` to get it.
    """
    v, best_is_max = _topsis_normalize(x, benefit_mask, norm)
    v *= w
    return _topsis_distances(v, best_is_max)


def _topsis_balance(parts: _TopsisParts) -> np.ndarray:
    """Signed distance balance ``b_ij`` of TOPSIS (see :class:`ScoreResult`).

    Uses ``dminus_ij**2 - dplus_ij**2 = (a+_j - a-_j) * (2 v_ij - a+_j - a-_j)``
    and ``sum_k (dminus_ik**2 + dplus_ik**2) = D-**2 + D+**2``.

    Parameters
    ----------
    parts : _TopsisParts
        Output of :func:`_topsis_distances`.

    Returns
    -------
    numpy.ndarray
        Shape of ``parts.v``; rows with a zero denominator are 0.
    """
    denom = np.square(parts.d_plus) + np.square(parts.d_minus)
    balance = parts.v * 2.0
    balance -= parts.ideal + parts.anti_ideal
    balance *= parts.ideal - parts.anti_ideal
    balance /= np.where(denom > 0, denom, np.inf)[:, None]
    return balance


# =============================================================================
# Validation
# =============================================================================


def _fmt(keys: Sequence[Hashable]) -> str:
    """Format criterion names for an error message."""
    return ", ".join(repr(k) for k in keys)


def _plural(n: int, word: str = "row") -> str:
    """``'1 row'`` / ``'3 rows'``."""
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def _check_matrix(matrix: pd.DataFrame) -> np.ndarray:
    """Check the matrix shape and types; return it as a float array.

    The array is ``matrix.to_numpy(dtype=float)`` (a read-only view when the
    frame holds one float block, so no copy is made) and is checked to be finite
    with one column-wise reduction.
    """
    if not isinstance(matrix, pd.DataFrame):
        raise InputError(
            "the criteria matrix must be a pandas DataFrame (rows = customers, "
            f"columns = criteria); got {type(matrix).__name__}"
        )
    columns = matrix.columns
    if columns.has_duplicates:
        dup = list(dict.fromkeys(columns[columns.duplicated()]))
        raise InputError(f"the criteria matrix has duplicated columns: {_fmt(dup)}")
    if len(columns) == 0:
        raise InputError("the criteria matrix has no criteria (no columns)")
    if len(matrix) == 0:
        raise InputError("the criteria matrix has no customers (no rows)")
    not_numeric = [col for col, dtype in matrix.dtypes.items() if not pd.api.types.is_numeric_dtype(dtype)]
    if not_numeric:
        kinds = ", ".join(f"{c!r} ({matrix.dtypes[c]})" for c in not_numeric)
        raise InputError(
            f"criteria columns must be numeric; these are not: {kinds}. "
            "Convert them to numbers (or map categories to scores) first"
        )
    x = matrix.to_numpy(dtype=float, na_value=np.nan)
    with np.errstate(over="ignore", invalid="ignore"):
        finite = np.isfinite(x.sum(axis=0))
    if not finite.all():
        bad = ~np.isfinite(x[:, ~finite])
        counts = bad.sum(axis=0)
        parts = [f"{col!r} ({_plural(int(n))})" for col, n in zip(columns[~finite], counts, strict=True) if n > 0]
        if parts:
            raise InputError(
                "the criteria matrix has missing (NaN) or infinite values in "
                f"{'column' if len(parts) == 1 else 'columns'} {', '.join(parts)}; "
                "apply a missing-value policy first"
            )
        raise InputError(
            f"values too large to add up in column {_fmt(list(columns[~finite]))}; rescale these criteria first"
        )
    return x


def _check_keys(columns: pd.Index, mapping: Mapping, what: str) -> None:
    """Check that ``mapping`` is keyed by exactly the matrix columns."""
    if not isinstance(mapping, Mapping):
        raise InputError(f"{what} must be a mapping criterion -> value; got {type(mapping).__name__}")
    col_set = set(columns)
    missing = [c for c in columns if c not in mapping]
    extra = [k for k in mapping if k not in col_set]
    if missing or extra:
        parts = []
        if missing:
            parts.append(f"criteria in the matrix but not in {what}: {_fmt(missing)}")
        if extra:
            parts.append(f"criteria in {what} but not in the matrix: {_fmt(extra)}")
        raise InputError(f"{what} must cover exactly the matrix columns; " + "; ".join(parts))


def _check_directions(columns: pd.Index, directions: Mapping[str, str]) -> np.ndarray:
    """Return the boolean benefit mask (False = cost) in column order."""
    _check_keys(columns, directions, "directions")
    values = [directions[c] for c in columns]
    bad = [(c, d) for c, d in zip(columns, values, strict=True) if d not in DIRECTIONS]
    if bad:
        listed = ", ".join(f"{c!r}: {d!r}" for c, d in bad)
        raise InputError(
            f"unknown direction for criterion {listed}; "
            "expected 'benefit' (higher is better) or 'cost' (lower is better)"
        )
    return np.array([d == "benefit" for d in values], dtype=bool)


def _check_weights(columns: pd.Index, weights: Mapping[str, float]) -> np.ndarray:
    """Return the weights in column order, rescaled to sum exactly to 1."""
    _check_keys(columns, weights, "weights")
    try:
        w = np.array([weights[c] for c in columns], dtype=float)
    except (TypeError, ValueError) as exc:
        raise InputError(f"weights must be numbers: {exc}") from None
    bad = ~np.isfinite(w) | (w < 0)
    if bad.any():
        pairs = zip(columns[bad], w[bad], strict=True)
        listed = ", ".join(f"{c!r}: {v}" for c, v in pairs)
        raise InputError(f"weights must be finite and non-negative; got {listed}")
    total = float(w.sum())
    if abs(total - 1.0) > WEIGHT_SUM_TOLERANCE:
        raise InputError(
            f"weights sum to {total:.12g}, expected 1 (tolerance "
            f"{WEIGHT_SUM_TOLERANCE:g}); normalise them before scoring"
        )
    return w / total


def _check_method_name(name: object, accepted: Sequence[str], what: str) -> str:
    """Check that ``name`` is one of ``accepted``."""
    if not isinstance(name, str) or name not in accepted:
        raise InputError(f"unknown {what} {name!r}; accepted: {', '.join(map(repr, accepted))}")
    return name


def _resolve_normalization(
    columns: pd.Index, method: str | Mapping[str, str]
) -> tuple[list[str], str | dict[Hashable, str]]:
    """One normalization name per column, plus the value to record."""
    if isinstance(method, Mapping):
        _check_keys(columns, method, "the normalization mapping")
        per_col = [method[c] for c in columns]
        for col, name in zip(columns, per_col, strict=True):
            _check_method_name(name, NORMALIZATIONS, f"normalization for {col!r}:")
        return per_col, {c: method[c] for c in columns}
    name = _check_method_name(method, NORMALIZATIONS, "normalization")
    return [name] * len(columns), name


def _check_domain(x: np.ndarray, columns: pd.Index, benefit: np.ndarray, methods: Sequence[str]) -> None:
    """Refuse values where the chosen normalization is undefined.

    ``"vector"``, ``"sum"`` and ``"max"`` need non-negative values; ``"max"`` on a
    cost criterion (``min / x``) needs strictly positive values.
    """
    meth = np.asarray(methods, dtype=object)
    needs = meth != "minmax"
    if not needs.any():
        return
    cols = np.flatnonzero(needs)
    lows = _take_columns(x, cols).min(axis=0)
    strict = (meth[cols] == "max") & ~benefit[cols]
    bad = (lows < 0) | (strict & (lows <= 0))
    if not bad.any():
        return
    messages = []
    for j, low, is_strict in zip(cols[bad], lows[bad], strict[bad], strict=True):
        column = x[:, j]
        if is_strict:
            n = int(np.count_nonzero(column <= 0))
            messages.append(
                f"column {columns[j]!r} has zero or negative values ({_plural(n)}, "
                f"smallest {low:g}); 'max' normalization of a cost criterion "
                "computes min/x and needs values > 0"
            )
        else:
            n = int(np.count_nonzero(column < 0))
            messages.append(
                f"column {columns[j]!r} has negative values ({_plural(n)}, smallest "
                f"{low:g}); {meth[j]!r} normalization needs values >= 0"
            )
    raise InputError("; ".join(messages) + ". Use 'minmax' for these criteria or shift the data")


# =============================================================================
# Public API
# =============================================================================


def _check_reference(
    reference: NormalizationStats, columns: pd.Index, benefit: np.ndarray, methods: Sequence[str]
) -> None:
    """Refuse fitted statistics that do not belong to this matrix."""
    if not reference.columns.equals(columns):
        raise InputError(
            "the reference normalization was fitted on the criteria "
            f"{_fmt(list(reference.columns))}, not on the matrix columns {_fmt(list(columns))}"
        )
    if not np.array_equal(reference.benefit, benefit) or tuple(methods) != reference.methods:
        raise InputError(
            "the directions or normalizations differ from those the reference normalization was fitted with"
        )


@dataclass(frozen=True, eq=False)
class NormalizationStats:
    """A normalization fitted on a reference population, to apply to other rows.

    Made by :func:`fit_normalization`. Applying it to the reference itself gives
    :func:`normalize` of the reference exactly; applying it to new rows normalizes
    them as if they were scored against the reference (the min and max, column
    norm, sum, or max and min of the reference are used, not those of the new rows).

    Attributes
    ----------
    columns : pandas.Index
        The criteria, in column order.
    methods : tuple of str
        The normalization of each column.
    benefit : numpy.ndarray
        Boolean per column, False for a cost criterion.
    """

    columns: pd.Index
    methods: tuple[str, ...]
    benefit: np.ndarray
    _stats: _NormStats

    def apply(self, matrix: pd.DataFrame) -> pd.DataFrame:
        """Normalize ``matrix`` with the fitted statistics.

        Parameters
        ----------
        matrix : pandas.DataFrame
            Rows x the fitted criteria (any column order), numeric, no NaN /
            infinity, inside the method's domain (see :func:`normalize`).

        Returns
        -------
        pandas.DataFrame
            Index of ``matrix``, the fitted column order, higher is better. Values of
            new rows can lie outside [0, 1] when they lie outside the reference's
            range.

        Raises
        ------
        InputError
            Columns that differ from the fitted ones, or a matrix :func:`normalize`
            would refuse.
        """
        if not isinstance(matrix, pd.DataFrame):
            _check_matrix(matrix)
        _check_keys(self.columns, dict.fromkeys(matrix.columns), "the fitted criteria")
        matrix = matrix[self.columns] if not matrix.columns.equals(self.columns) else matrix
        x = _check_matrix(matrix)
        _check_domain(x, self.columns, self.benefit, self.methods)
        z = _normalize_apply(x, self._stats)
        return pd.DataFrame(z, index=matrix.index, columns=self.columns, copy=False)

    def table(self) -> pd.DataFrame:
        """The fitted statistics, one row per criterion: ``normalization``,
        ``direction`` and the affine map ``z = (x - offset) / divisor + shift``
        (``numerator`` instead for the cost side of ``max``: ``z = numerator / x``).
        """
        st = self._stats
        return pd.DataFrame(
            {
                "normalization": list(self.methods),
                "direction": np.where(self.benefit, "benefit", "cost"),
                "offset": np.where(st.cost_max, np.nan, st.offset),
                "divisor": np.where(st.cost_max, np.nan, st.divisor),
                "shift": np.where(st.cost_max, np.nan, st.shift),
                "numerator": st.cost_max_min,
            },
            index=pd.Index(self.columns, name="criterion"),
        )


def fit_normalization(
    reference: pd.DataFrame,
    directions: Mapping[str, str],
    method: str | Mapping[str, str] = "minmax",
) -> NormalizationStats:
    """Fit the normalization of :func:`normalize` on a reference population.

    Parameters
    ----------
    reference : pandas.DataFrame
        The population whose statistics normalize (customers x criteria, numeric,
        no NaN / infinity).
    directions : Mapping[str, str]
        ``"benefit"`` or ``"cost"`` for every column.
    method : str or Mapping[str, str], default "minmax"
        As in :func:`normalize`.

    Returns
    -------
    NormalizationStats
        ``.apply(matrix)`` normalizes any rows with the reference's statistics.

    Raises
    ------
    InputError
        As :func:`normalize`.

    Examples
    --------
    >>> import pandas as pd
    >>> ref = pd.DataFrame({"revenue": [10.0, 20.0, 40.0], "dso_days": [30.0, 60.0, 90.0]})
    >>> fitted = fit_normalization(ref, {"revenue": "benefit", "dso_days": "cost"})
    >>> fitted.apply(pd.DataFrame({"revenue": [25.0], "dso_days": [45.0]}, index=["new"]))
         revenue  dso_days
    new      0.5      0.75
    >>> fitted.apply(ref).equals(normalize(ref, {"revenue": "benefit", "dso_days": "cost"}))
    True
    """
    x = _check_matrix(reference)
    benefit = _check_directions(reference.columns, directions)
    methods, _ = _resolve_normalization(reference.columns, method)
    _check_domain(x, reference.columns, benefit, methods)
    return NormalizationStats(
        columns=reference.columns.copy(),
        methods=tuple(methods),
        benefit=benefit,
        _stats=_normalize_fit(x, benefit, methods),
    )


def normalize(
    matrix: pd.DataFrame,
    directions: Mapping[str, str],
    method: str | Mapping[str, str] = "minmax",
    *,
    reference: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Normalize every criterion so that higher is always better.

    Parameters
    ----------
    matrix : pandas.DataFrame
        Customers x criteria, numeric, no NaN / infinity.
    directions : Mapping[str, str]
        ``"benefit"`` or ``"cost"`` for every column of ``matrix``.
    method : str or Mapping[str, str], default "minmax"
        One of :data:`NORMALIZATIONS`, or a mapping giving one per column (it
        must cover exactly the matrix columns). With ``x`` one column:

        * ``"minmax"`` (default): benefit ``(x - min) / (max - min)``, cost
          ``(max - x) / (max - min)``; values in [0, 1]. A constant column
          (max == min) carries no information and gives 0.5 to every customer.
        * ``"vector"``: ``x / sqrt(sum x**2)``; for a cost criterion the
          orientation rule is ``1 - x / sqrt(sum x**2)`` (linear, stays in
          [0, 1]). Needs ``x >= 0``.
        * ``"max"``: benefit ``x / max``, cost ``min / x`` (Hwang & Yoon's linear
          scale transformation). Needs ``x >= 0``, and ``x > 0`` for a cost.
        * ``"sum"``: ``x / sum x``; cost ``1 - x / sum x``. Needs ``x >= 0``.

        For ``"vector"``, ``"sum"`` and ``"max"``, a column that is all zeros
        has ``x / 0`` taken as 0: benefit 0, cost 1, for every customer.
    reference : pandas.DataFrame, optional
        Take the statistics (min and max, norm, sum, max or min) from this
        population instead of ``matrix`` itself:
        ``fit_normalization(reference, directions, method).apply(matrix)``.

    Returns
    -------
    pandas.DataFrame
        Same index and columns as ``matrix``, float values, higher is better.

    Raises
    ------
    InputError
        Matrix not numeric, empty, with NaN / infinity; directions not covering
        exactly the columns or not ``"benefit"`` / ``"cost"``; unknown method;
        values outside the domain of the method.

    Examples
    --------
    >>> import pandas as pd
    >>> m = pd.DataFrame(
    ...     {"revenue": [10.0, 20.0, 40.0], "dso_days": [30.0, 60.0, 90.0]},
    ...     index=["acme", "bolt", "cora"],
    ... )
    >>> normalize(m, {"revenue": "benefit", "dso_days": "cost"})
           revenue  dso_days
    acme  0.000000       1.0
    bolt  0.333333       0.5
    cora  1.000000       0.0
    >>> normalize(m, {"revenue": "benefit", "dso_days": "cost"},
    ...           method={"revenue": "max", "dso_days": "max"})
          revenue  dso_days
    acme     0.25  1.000000
    bolt     0.50  0.500000
    cora     1.00  0.333333
    """
    if reference is not None:
        return fit_normalization(reference, directions, method).apply(matrix)
    x = _check_matrix(matrix)
    benefit = _check_directions(matrix.columns, directions)
    methods, _ = _resolve_normalization(matrix.columns, method)
    _check_domain(x, matrix.columns, benefit, methods)
    z = _normalize_kernel(x, benefit, methods)
    return pd.DataFrame(z, index=matrix.index, columns=matrix.columns, copy=False)


def weighted_sum(
    matrix: pd.DataFrame,
    weights: Mapping[str, float],
    directions: Mapping[str, str],
    normalization: str | Mapping[str, str] = "minmax",
) -> pd.Series:
    """Weighted sum (simple additive weighting, SAW) of the normalized criteria.

    ``score_i = sum_j w_j * z_ij`` with ``z = normalize(matrix, directions,
    normalization)``.

    Parameters
    ----------
    matrix : pandas.DataFrame
        Customers x criteria, numeric, no NaN / infinity.
    weights : Mapping[str, float]
        Weight of every column; finite, non-negative, summing to 1 (within 1e-9).
    directions : Mapping[str, str]
        ``"benefit"`` or ``"cost"`` for every column.
    normalization : str or Mapping[str, str], default "minmax"
        See :func:`normalize`. With ``"minmax"`` the scores lie in [0, 1].

    Returns
    -------
    pandas.Series
        Named ``"score"``, index = ``matrix.index``.

    Raises
    ------
    InputError
        As :func:`normalize`, plus weights not covering exactly the columns,
        negative / non-finite, or not summing to 1.

    Examples
    --------
    >>> import pandas as pd
    >>> m = pd.DataFrame(
    ...     {"revenue": [10.0, 20.0, 40.0], "dso_days": [30.0, 60.0, 90.0]},
    ...     index=["acme", "bolt", "cora"],
    ... )
    >>> weighted_sum(m, {"revenue": 0.75, "dso_days": 0.25},
    ...              {"revenue": "benefit", "dso_days": "cost"})
    acme    0.250
    bolt    0.375
    cora    0.750
    Name: score, dtype: float64
    """
    x = _check_matrix(matrix)
    w = _check_weights(matrix.columns, weights)
    benefit = _check_directions(matrix.columns, directions)
    methods, _ = _resolve_normalization(matrix.columns, normalization)
    _check_domain(x, matrix.columns, benefit, methods)
    z = _normalize_kernel(x, benefit, methods)
    s = _weighted_sum_kernel(z, w)
    return pd.Series(s, index=matrix.index, name="score", copy=False)


def topsis(
    matrix: pd.DataFrame,
    weights: Mapping[str, float],
    directions: Mapping[str, str],
    normalization: str = "vector",
) -> pd.Series:
    """Closeness to the ideal customer, TOPSIS (Hwang & Yoon, 1981).

    Steps: ``r`` = normalized matrix; ``v = w * r``; ideal ``A+`` and anti-ideal
    ``A-`` per criterion; Euclidean distances ``D+`` and ``D-`` of each customer
    to them; closeness ``C = D- / (D+ + D-)``.

    Parameters
    ----------
    matrix : pandas.DataFrame
        Customers x criteria, numeric, no NaN / infinity.
    weights : Mapping[str, float]
        Weight of every column; finite, non-negative, summing to 1 (within 1e-9).
    directions : Mapping[str, str]
        ``"benefit"`` or ``"cost"`` for every column.
    normalization : {"vector", "minmax"}, default "vector"
        ``"vector"`` is the classic ``r = x / ||x||`` *without* flipping cost
        criteria: ``A+`` takes the column maximum of a benefit and the minimum of
        a cost criterion, ``A-`` the opposite. Needs ``x >= 0``; an all-zero
        column gives r = 0. ``"minmax"`` uses the benefit-oriented min-max values
        of :func:`normalize`, and ``A+`` takes the maximum of every column (the
        distances are the same as with un-flipped min-max values).

    Returns
    -------
    pandas.Series
        Named ``"closeness"``, index = ``matrix.index``, values in [0, 1].
        When ``D+ + D- == 0`` (every customer identical on the weighted
        criteria) the closeness is 0.5.

    Raises
    ------
    InputError
        As :func:`weighted_sum`; also a normalization other than "vector" or
        "minmax".

    Examples
    --------
    >>> import pandas as pd
    >>> m = pd.DataFrame(
    ...     {"revenue": [10.0, 20.0, 40.0], "dso_days": [30.0, 60.0, 90.0]},
    ...     index=["acme", "bolt", "cora"],
    ... )
    >>> topsis(m, {"revenue": 0.5, "dso_days": 0.5},
    ...        {"revenue": "benefit", "dso_days": "cost"}).round(4)
    acme    0.4495
    bolt    0.4027
    cora    0.5505
    Name: closeness, dtype: float64
    """
    x = _check_matrix(matrix)
    w = _check_weights(matrix.columns, weights)
    benefit = _check_directions(matrix.columns, directions)
    norm = _check_method_name(normalization, TOPSIS_NORMALIZATIONS, "TOPSIS normalization")
    if norm == "vector":
        _check_domain(x, matrix.columns, benefit, [norm] * len(matrix.columns))
    parts = _topsis_kernel(x, w, benefit, norm)
    return pd.Series(parts.closeness, index=matrix.index, name="closeness", copy=False)


def score(
    matrix: pd.DataFrame,
    weights: Mapping[str, float],
    directions: Mapping[str, str],
    method: str = "weighted_sum",
    normalization: str | Mapping[str, str] | None = None,
    *,
    reference: NormalizationStats | None = None,
) -> ScoreResult:
    """Score the customers and keep every table needed to explain the ranking.

    Parameters
    ----------
    matrix : pandas.DataFrame
        Customers x criteria, numeric, no NaN / infinity.
    weights : Mapping[str, float]
        Weight of every column; finite, non-negative, summing to 1 (within 1e-9).
    directions : Mapping[str, str]
        ``"benefit"`` or ``"cost"`` for every column.
    method : {"weighted_sum", "topsis"}, default "weighted_sum"
        See :func:`weighted_sum` and :func:`topsis`.
    normalization : str, Mapping[str, str] or None, default None
        None uses the method's default: ``"minmax"`` for the weighted sum,
        ``"vector"`` for TOPSIS. A per-column mapping is accepted for the
        weighted sum only.
    reference : NormalizationStats, optional
        Weighted sum only: normalize with these statistics, fitted on a reference
        population (:func:`fit_normalization`), instead of those of ``matrix``. Its
        columns and directions must be the matrix's; ``normalization``, when given,
        must name the fitted normalizations (it is recorded as given).

    Returns
    -------
    ScoreResult
        Scores, contributions, normalized matrix, and for TOPSIS the ideal,
        anti-ideal and distances.

    Raises
    ------
    InputError
        Unknown method (the message lists the accepted ones), or any input
        error of :func:`weighted_sum` / :func:`topsis`; a ``reference`` with
        TOPSIS or one that does not fit the matrix.

    Examples
    --------
    >>> import numpy as np
    >>> import pandas as pd
    >>> m = pd.DataFrame(
    ...     {"revenue": [10.0, 20.0, 40.0], "dso_days": [30.0, 60.0, 90.0]},
    ...     index=["acme", "bolt", "cora"],
    ... )
    >>> res = score(m, {"revenue": 0.75, "dso_days": 0.25},
    ...             {"revenue": "benefit", "dso_days": "cost"})
    >>> res.normalization
    'minmax'
    >>> res.contributions
          revenue  dso_days
    acme     0.00     0.250
    bolt     0.25     0.125
    cora     0.75     0.000
    >>> bool(np.allclose(res.contributions.sum(axis=1), res.scores))
    True
    >>> res = score(m, {"revenue": 0.5, "dso_days": 0.5},
    ...             {"revenue": "benefit", "dso_days": "cost"}, method="topsis")
    >>> res.scores.round(4).tolist()
    [0.4495, 0.4027, 0.5505]
    >>> res.contributions.sum(axis=1).round(4).tolist()  # (2C - 1) / (2C**2 - 2C + 1)
    [-0.2, -0.375, 0.2]
    """
    method = _check_method_name(method, METHODS, "scoring method")
    if reference is not None and method != "weighted_sum":
        raise InputError(
            "a fitted reference normalization is accepted by the weighted sum only: "
            "TOPSIS closeness depends on the ideal customers of the scored population"
        )
    if normalization is None:
        normalization = (
            _DEFAULT_NORMALIZATION[method]
            if reference is None
            else dict(zip(reference.columns, reference.methods, strict=True))
        )
    x = _check_matrix(matrix)
    w = _check_weights(matrix.columns, weights)
    benefit = _check_directions(matrix.columns, directions)
    index, columns = matrix.index, matrix.columns

    def frame(values: np.ndarray) -> pd.DataFrame:
        return pd.DataFrame(values, index=index, columns=columns, copy=False)

    if method == "weighted_sum":
        methods, recorded = _resolve_normalization(columns, normalization)
        _check_domain(x, columns, benefit, methods)
        if reference is None:
            z = _normalize_kernel(x, benefit, methods)
        else:
            _check_reference(reference, columns, benefit, methods)
            z = _normalize_apply(x, reference._stats)
        s = _weighted_sum_kernel(z, w)
        return ScoreResult(
            scores=pd.Series(s, index=index, name="score", copy=False),
            contributions=frame(z * w),
            method=method,
            normalization=recorded,
            normalized=frame(z),
        )

    if isinstance(normalization, Mapping):
        raise InputError(
            "TOPSIS takes one normalization for all criteria; a per-criterion "
            "mapping is only accepted by the weighted sum"
        )
    norm = _check_method_name(normalization, TOPSIS_NORMALIZATIONS, "TOPSIS normalization")
    if norm == "vector":
        _check_domain(x, columns, benefit, [norm] * len(columns))
    r, best_is_max = _topsis_normalize(x, benefit, norm)
    parts = _topsis_distances(r * w, best_is_max)
    return ScoreResult(
        scores=pd.Series(parts.closeness, index=index, name="closeness", copy=False),
        contributions=frame(_topsis_balance(parts)),
        method=method,
        normalization=norm,
        normalized=frame(r),
        ideal=pd.Series(parts.ideal, index=columns, name="ideal", copy=False),
        anti_ideal=pd.Series(parts.anti_ideal, index=columns, name="anti_ideal", copy=False),
        d_plus=pd.Series(parts.d_plus, index=index, name="d_plus", copy=False),
        d_minus=pd.Series(parts.d_minus, index=index, name="d_minus", copy=False),
    )


def exclude_reweight(result: ScoreResult, excluded: pd.DataFrame, weights: Mapping[str, float]) -> ScoreResult:
    """Leave cells out of a weighted sum and rescale each row's other weights.

    The ``exclude_reweight`` missing-value policy: a criterion missing for a customer
    contributes nothing, and the weights of the criteria that remain are scaled up to
    sum to 1 for that customer, ``c_ij = w_j z_ij / sum_{k kept} w_k``.

    Parameters
    ----------
    result : ScoreResult
        A weighted-sum result (:func:`score`).
    excluded : pandas.DataFrame
        Boolean, index and columns of the scored matrix: True where the cell is left
        out (``PreparedMatrix.excluded``).
    weights : Mapping[str, float]
        The weights the result was scored with.

    Returns
    -------
    ScoreResult
        With the rescaled contributions and their row sums as the scores.

    Raises
    ------
    InputError
        ``result`` is not a weighted sum.

    Examples
    --------
    >>> import pandas as pd
    >>> m = pd.DataFrame({"a": [0.0, 1.0, 0.5], "b": [1.0, 0.0, 0.5]})
    >>> res = score(m, {"a": 0.5, "b": 0.5}, {"a": "benefit", "b": "benefit"})
    >>> left_out = pd.DataFrame({"a": [False, True, False], "b": [False, False, False]})
    >>> exclude_reweight(res, left_out, {"a": 0.5, "b": 0.5}).scores.tolist()
    [0.5, 0.0, 0.5]
    """
    if result.method != "weighted_sum":
        raise InputError(
            "leaving criteria out and rescaling the weights (exclude_reweight) is defined for the weighted sum only"
        )
    contributions = result.contributions
    keep = ~excluded
    w = pd.Series(weights)[contributions.columns]
    kept_weight = keep.astype(float).to_numpy() @ w.to_numpy()
    contributions = contributions.where(keep, 0.0).div(kept_weight, axis=0)
    return dataclasses.replace(
        result,
        scores=contributions.sum(axis=1).rename(result.scores.name),
        contributions=contributions,
    )


def family_scores(matrix: pd.DataFrame, spec: CriteriaSpec) -> pd.DataFrame:
    """Attractiveness and feasibility sub-scores in [0, 1].

    The min-max weighted sum within each family, with the family's weights rescaled
    to sum to 1 — whatever the scoring method, so that the attractiveness ×
    feasibility map reads the same way every year.

    Parameters
    ----------
    matrix : pandas.DataFrame
        The prepared matrix (customers × the spec's criteria).
    spec : CriteriaSpec
        Families, directions and global weights.

    Returns
    -------
    pandas.DataFrame
        One column per family of :data:`prioanalysis.methods.spec.FAMILIES`, index of
        ``matrix``; NaN for a family without criteria or weight.

    Examples
    --------
    >>> from prioanalysis.methods.spec import CriteriaSpec
    >>> spec = CriteriaSpec.from_records(
    ...     [{"id": "a", "label": "A", "family": "attractiveness", "direction": "benefit", "weight": 0.5},
    ...      {"id": "f", "label": "F", "family": "feasibility", "direction": "benefit", "weight": 0.5}])
    >>> m = pd.DataFrame({"a": [0.0, 1.0], "f": [2.0, 1.0]})
    >>> family_scores(m, spec).to_numpy().tolist()
    [[0.0, 1.0], [1.0, 0.0]]
    """
    z = normalize(matrix, {c: spec.directions[c] for c in matrix.columns}, "minmax")
    out = {}
    for fam in FAMILIES:
        cols = [c for c in matrix.columns if spec.families[c] == fam]
        w = np.array([spec.weights[c] for c in cols], dtype=float)
        if not cols or w.sum() == 0:
            out[fam] = np.full(len(matrix), np.nan)
            continue
        out[fam] = z[cols].to_numpy() @ (w / w.sum())
    return pd.DataFrame(out, index=matrix.index)
