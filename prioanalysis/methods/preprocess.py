"""From validated criteria values to the decision matrix: a preprocessor fitted on a list.

:class:`Preprocessor` follows the scikit-learn pattern: ``fit(reference)`` learns
everything the preprocessing takes from a population — the winsorising bounds, the
observed range, the medians (overall and per segment), the neutral midpoints, the
worst values and the normalization statistics — and ``transform(frame)`` applies them
to any rows. The ranking fits on the preliminary list and transforms that same list
(``fit_transform``); the monthly inquiry scoring fits on the year's list and
transforms the inquiring customers, so that each is scored exactly as if it were one
more row of the list, without moving anybody else.

Order of operations, for each criterion: ordinal scale mapping (done at intake) →
transform (``log1p``) → clipping to the winsorising bounds (quantiles of the
reference's observed values) and to the reference's observed range → the
missing-value policy. Scoring then normalises the matrix with the reference's
statistics (:meth:`Preprocessor.normalize`).

On the reference itself the range clip changes nothing; on new rows it means a
newcomer can be no better than the best and no worse than the worst customer of the
reference on any criterion (for a winsorised criterion, the range *is* the
winsorising bounds).

Missing-value policies
----------------------
``segment_median`` (the default, :data:`prioanalysis.methods.spec.DEFAULT_MISSING_POLICY`)
    The median of the reference customers of the row's segment; the overall median
    when the segment has no value (or is not in the reference). Peers stand in for
    the unknown value.
``median``
    The overall median.
``neutral``
    The midpoint of the observed range, which min-max normalization maps to 0.5: the
    criterion neither helps nor hurts.
``worst``
    The worst observed value (minimum for a benefit, maximum for a cost criterion):
    no data, no credit. Conservative; used for credit grades by default.
``exclude_reweight``
    The criterion is left out for that customer and the remaining weights are scaled
    up to sum to 1 for that customer (weighted sum only,
    :func:`prioanalysis.methods.scoring.exclude_reweight`). The cell is filled with
    the median so that normalization bounds come from observed values only; its
    contribution is then set to 0.

Every median, midpoint and worst value is taken over the reference's *observed*
values after the transform and the winsorising. Every imputed cell is recorded
(``PreparedMatrix.imputed``) and shows up in the customer's flags and the
data-quality tables.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from prioanalysis.errors import InputError
from prioanalysis.methods import scoring
from prioanalysis.methods.spec import MISSING_POLICIES, CriteriaSpec

__all__ = ["PreparedMatrix", "Preprocessor", "impute"]


@dataclass(frozen=True)
class PreparedMatrix:
    """The decision matrix with a record of what was imputed.

    Attributes
    ----------
    matrix : pandas.DataFrame
        Customers × criteria, transformed, clipped and filled, ready to score.
    observed : pandas.DataFrame
        Boolean, True where the value was given in the list.
    excluded : pandas.DataFrame
        Boolean, True where the cell is left out and the weights rescaled
        (``exclude_reweight``).
    policies : dict
        Criterion → policy applied.
    clipped : pandas.DataFrame or None
        Boolean, True where a given value lay outside the reference's range (after
        the transform) and was clipped to it — on the reference itself, the values
        moved by winsorising.
    """

    matrix: pd.DataFrame
    observed: pd.DataFrame
    excluded: pd.DataFrame
    policies: dict[str, str]
    clipped: pd.DataFrame | None = None

    @property
    def imputed(self) -> pd.DataFrame:
        """Boolean, True where a value was filled in by a policy (not excluded)."""
        return ~self.observed & ~self.excluded

    @property
    def completeness(self) -> pd.Series:
        """Share of the criteria given, per row."""
        return self.observed.mean(axis=1).rename("completeness")


# --------------------------------------------------------------------------- kernels
def _aligned(groups: pd.Series, index: pd.Index) -> pd.Series:
    """``groups`` in the row order of ``index`` (no reindexing when already so)."""
    return groups if groups.index.equals(index) else groups.reindex(index)


def _no_value(cid: str, policy: str) -> InputError:
    return InputError(
        f"column '{cid}': no customer has a value, so the missing-value policy "
        f"'{policy}' cannot fill it; collect the data or drop the criterion"
    )


def _fill_values(values: pd.Series, benefit: bool) -> tuple[float, float, float]:
    """Overall median, midpoint and worst of one column's observed values, with the
    pandas reductions the policies have always used.
    """
    observed = values.dropna()
    lo, hi = observed.min(), observed.max()
    return (
        float(observed.median()),
        float((lo + hi) / 2.0),
        float(lo if benefit else hi),
    )


@dataclass(frozen=True)
class _FillStats:
    """What the missing-value policies fill with, per criterion (see :func:`_fit_fill`)."""

    median: np.ndarray
    midpoint: np.ndarray
    worst: np.ndarray
    segment_median: pd.DataFrame  # segments × the segment_median columns


def _fit_fill(
    x: pd.DataFrame,
    policies: Mapping[str, str],
    directions: Mapping[str, str],
    groups: pd.Series | None,
    need: np.ndarray,
) -> _FillStats:
    """Fill values of every column of ``x`` that ``need`` marks (NaN = missing).

    Raises InputError for an unknown policy, a needed column with no observed value,
    or ``segment_median`` without groups.
    """
    cols = list(x.columns)
    median = np.full(len(cols), np.nan)
    midpoint = np.full(len(cols), np.nan)
    worst = np.full(len(cols), np.nan)
    seg_cols: list[str] = []
    for j, col in enumerate(cols):
        policy = policies.get(col)
        if policy not in MISSING_POLICIES:
            raise InputError(f"column '{col}': unknown missing-value policy {policy!r}")
        if not need[j]:
            continue
        values = x[col]
        if not values.notna().any():
            raise _no_value(col, policy)
        median[j], midpoint[j], worst[j] = _fill_values(values, directions[col] == "benefit")
        if policy == "segment_median":
            if groups is None:
                raise InputError(f"column '{col}': policy 'segment_median' needs the segments")
            seg_cols.append(col)
    if seg_cols:
        assert groups is not None
        seg = x[seg_cols].groupby(_aligned(groups, x.index)).median()
    else:
        seg = pd.DataFrame(index=pd.Index([], dtype=object))
    return _FillStats(median, midpoint, worst, seg)


def _fill(
    x: np.ndarray,
    columns: list[str],
    stats: _FillStats,
    policies: Mapping[str, str],
    groups: pd.Series | None,
) -> np.ndarray:
    """Fill the NaN of ``x`` (rows × ``columns``, modified in place) by each column's
    policy and the fitted ``stats``; returns ``x``.
    """
    codes: np.ndarray | None = None
    for j, col in enumerate(columns):
        missing = np.isnan(x[:, j])
        if not missing.any():
            continue
        policy = policies[col]
        if np.isnan(stats.median[j]):
            raise _no_value(col, policy)
        if policy in ("median", "exclude_reweight"):
            fill: np.ndarray | float = stats.median[j]
        elif policy == "neutral":
            fill = stats.midpoint[j]
        elif policy == "worst":
            fill = stats.worst[j]
        else:  # segment_median
            if groups is None:
                raise InputError(f"column '{col}': policy 'segment_median' needs the segments")
            if codes is None:
                codes = stats.segment_median.index.get_indexer(groups)
            table = stats.segment_median[col].to_numpy(dtype=float)
            seg_fill = np.where(codes >= 0, table[np.maximum(codes, 0)] if table.size else np.nan, np.nan)
            fill = np.where(np.isnan(seg_fill), stats.median[j], seg_fill)
            fill = fill[missing]
        x[missing, j] = fill
    return x


def impute(
    matrix: pd.DataFrame,
    policies: Mapping[str, str],
    directions: Mapping[str, str],
    groups: pd.Series | None = None,
) -> pd.DataFrame:
    """Fill missing values by each column's policy, with the column's own statistics.

    The filling step of :class:`Preprocessor` for a bare matrix (no transform, no
    winsorising): the medians, midpoints and worst values come from ``matrix``.

    Parameters
    ----------
    matrix : pandas.DataFrame
        Criteria values (already transformed); NaN = missing.
    policies : mapping
        Column → one of ``neutral``, ``median``, ``segment_median``, ``worst``,
        ``exclude_reweight`` (filled with the median; the scorer drops it).
    directions : mapping
        Column → ``benefit`` or ``cost`` (used by ``worst``).
    groups : pandas.Series, optional
        Segment of each row (aligned on the index); required by ``segment_median``.

    Returns
    -------
    pandas.DataFrame
        No NaN left.

    Raises
    ------
    InputError
        Unknown policy, a column with missing values and no observed value, or
        ``segment_median`` without groups.

    Examples
    --------
    >>> m = pd.DataFrame({"x": [1.0, None, 3.0, 10.0]})
    >>> impute(m, {"x": "worst"}, {"x": "benefit"})["x"].tolist()
    [1.0, 1.0, 3.0, 10.0]
    >>> impute(m, {"x": "neutral"}, {"x": "benefit"})["x"].tolist()
    [1.0, 5.5, 3.0, 10.0]
    """
    x = matrix.astype(float)
    need = x.isna().any().to_numpy()
    aligned = None if groups is None else _aligned(groups, matrix.index)
    stats = _fit_fill(x, policies, directions, aligned, need)
    arr = x.to_numpy(dtype=float, copy=True)
    filled = _fill(arr, list(x.columns), stats, policies, aligned)
    out = matrix.copy()
    for j, col in enumerate(x.columns):
        if need[j]:
            out[col] = filled[:, j]
    return out


# --------------------------------------------------------------------------- the preprocessor
class Preprocessor:
    """Transforms, winsorising, range and missing values, fitted on a reference list.

    Parameters
    ----------
    spec : prioanalysis.methods.spec.CriteriaSpec
        The criteria (transforms, winsorising quantiles, policies, directions,
        normalizations).
    segment_column : str, default "segment"
        Column of the frames holding the segment (for ``segment_median``), unless the
        segments are given to :meth:`fit` / :meth:`transform`.

    Attributes
    ----------
    bounds_ : pandas.DataFrame
        After :meth:`fit`, per criterion: ``winsor_lower``, ``winsor_upper`` (the
        quantiles of the transformed observed values; NaN when not winsorised),
        ``lower``, ``upper`` (the observed range after winsorising: every value is
        clipped to it), ``median``, ``midpoint``, ``worst`` (the fill values).
    segment_medians_ : pandas.DataFrame
        Segments × the ``segment_median`` criteria: the medians of the reference's
        observed values per segment.
    normalization_ : prioanalysis.methods.scoring.NormalizationStats or None
        The weighted sum's normalization fitted on the reference's prepared matrix
        (None for TOPSIS, whose closeness is relative to the population's ideals).
    n_reference_ : int
        Rows of the reference.

    Examples
    --------
    >>> from prioanalysis.methods.spec import CriteriaSpec
    >>> spec = CriteriaSpec.from_records(
    ...     [{"id": "a", "label": "A", "family": "attractiveness", "direction": "benefit",
    ...       "weight": 0.5, "missing": "median"},
    ...      {"id": "b", "label": "B", "family": "feasibility", "direction": "cost",
    ...       "weight": 0.5, "missing": "worst"}])
    >>> ref = pd.DataFrame({"a": [0.0, 10.0, 4.0], "b": [1.0, 3.0, 5.0]})
    >>> pre = Preprocessor(spec).fit(ref)
    >>> new = pd.DataFrame({"a": [20.0, None], "b": [None, 2.0]}, index=["q1", "q2"])
    >>> pre.transform(new).matrix   # a clipped to 10 / median 4; b worst 5
           a    b
    q1  10.0  5.0
    q2   4.0  2.0
    >>> pre.normalize(pre.transform(new))
          a     b
    q1  1.0  0.00
    q2  0.4  0.75
    """

    def __init__(self, spec: CriteriaSpec, segment_column: str = "segment") -> None:
        if not isinstance(spec, CriteriaSpec):
            raise InputError(f"Preprocessor needs a CriteriaSpec (Params.spec); got {type(spec).__name__}")
        self.spec = spec
        self.segment_column = segment_column

    def __repr__(self) -> str:
        state = f"fitted on {self.n_reference_} rows" if self.is_fitted else "not fitted"
        return f"Preprocessor({len(self.spec)} criteria, {state})"

    @property
    def is_fitted(self) -> bool:
        """True after :meth:`fit`."""
        return hasattr(self, "bounds_")

    # ------------------------------------------------------------------ public API
    def fit(self, reference: pd.DataFrame, segments: pd.Series | None = None) -> Preprocessor:
        """Learn the bounds, fill values and normalization statistics of ``reference``.

        Parameters
        ----------
        reference : pandas.DataFrame
            The reference population: a column per criterion id (numbers, NaN =
            missing; ordinal scales already mapped) and, when a criterion uses
            ``segment_median``, the segment column.
        segments : pandas.Series, optional
            Segment of each row (aligned on the index), instead of the segment column.

        Returns
        -------
        Preprocessor
            ``self``, fitted.

        Raises
        ------
        InputError
            A criterion column is absent, the reference has no rows, a criterion has
            no observed value, the segments are needed and absent, or a value is
            outside the domain of its normalization.
        """
        self._fit(reference, segments)
        return self

    def fit_transform(self, reference: pd.DataFrame, segments: pd.Series | None = None) -> PreparedMatrix:
        """:meth:`fit` on ``reference`` and return its prepared matrix (the same as
        ``fit(reference).transform(reference)``, computed once).
        """
        return self._fit(reference, segments)

    def transform(self, frame: pd.DataFrame, segments: pd.Series | None = None) -> PreparedMatrix:
        """Transform, clip and fill ``frame`` with the fitted statistics.

        Parameters
        ----------
        frame : pandas.DataFrame
            Rows to prepare: a column per criterion id (numbers, NaN = missing; an
            absent column is all missing) and the segment column when needed.
        segments : pandas.Series, optional
            Segment of each row, instead of the segment column.

        Returns
        -------
        PreparedMatrix
            Indexed like ``frame``; ``clipped`` marks the values outside the
            reference's range.

        Raises
        ------
        InputError
            Not fitted, or the segments are needed and absent.
        """
        self._check_fitted()
        raw = frame.reindex(columns=list(self.spec.ids)).astype(float)
        return self._prepare(raw, self._transformed(raw), self._segments(frame, segments))

    def normalize(self, prepared: PreparedMatrix | pd.DataFrame) -> pd.DataFrame:
        """The prepared matrix normalised with the reference's statistics.

        Applied to the reference's own prepared matrix this is exactly
        :func:`prioanalysis.methods.scoring.normalize` of it with the spec's
        normalizations; applied to other rows, it normalises them as one more row of
        the reference (values outside the reference's range are already clipped).

        Raises
        ------
        InputError
            Not fitted, or the spec scores with TOPSIS.
        """
        self._check_fitted()
        if self.normalization_ is None:
            raise InputError(
                "rows can be normalised against a reference for the weighted sum only: "
                "TOPSIS closeness depends on the ideal customers of the population"
            )
        matrix = prepared.matrix if isinstance(prepared, PreparedMatrix) else prepared
        return self.normalization_.apply(matrix)

    # ------------------------------------------------------------------ internals
    def _check_fitted(self) -> None:
        if not self.is_fitted:
            raise InputError("the Preprocessor is not fitted: call fit(reference) first")

    def _segments(self, frame: pd.DataFrame, segments: pd.Series | None) -> pd.Series | None:
        if segments is not None:
            return _aligned(segments, frame.index)
        if self.segment_column in frame.columns:
            return frame[self.segment_column]
        if "segment_median" in self.spec.policies.values():
            raise InputError(
                f"policy 'segment_median' needs the segments: no column "
                f"'{self.segment_column}' in the table and no segments given"
            )
        return None

    def _transformed(self, raw: pd.DataFrame) -> np.ndarray:
        """The transforms applied, as a new column-major (rows × criteria) array."""
        x = np.empty(raw.shape, dtype=float, order="F")
        for j, cid in enumerate(self.spec.ids):
            col = raw[cid].to_numpy(dtype=float)
            x[:, j] = np.log1p(col) if self.spec.transforms[cid] == "log1p" else col
        return x

    def _fit(self, reference: pd.DataFrame, segments: pd.Series | None) -> PreparedMatrix:
        spec = self.spec
        ids = list(spec.ids)
        absent = [c for c in ids if c not in reference.columns]
        if absent:
            raise InputError(f"the reference has no column for criteria {absent}")
        if len(reference) == 0:
            raise InputError("the reference has no rows to fit the preprocessing on")
        groups = self._segments(reference, segments)
        raw = reference[ids].astype(float)
        x = self._transformed(raw)
        k = len(ids)
        w_lo = np.full(k, np.nan)
        w_hi = np.full(k, np.nan)
        for j, cid in enumerate(ids):
            q = spec.winsorize[cid]
            col = x[:, j]
            if q is not None and np.isfinite(col).any():
                w_lo[j], w_hi[j] = np.nanquantile(col, list(q))
                x[:, j] = np.clip(col, w_lo[j], w_hi[j])
        clipped = pd.DataFrame(x, index=reference.index, columns=ids, copy=False)
        for cid in ids:
            if not clipped[cid].notna().any():
                raise _no_value(cid, spec.policies[cid])
        lower = clipped.min().to_numpy(dtype=float)
        upper = clipped.max().to_numpy(dtype=float)
        fill = _fit_fill(clipped, spec.policies, spec.directions, groups, np.ones(k, dtype=bool))
        self.bounds_ = pd.DataFrame(
            {
                "winsor_lower": w_lo,
                "winsor_upper": w_hi,
                "lower": lower,
                "upper": upper,
                "median": fill.median,
                "midpoint": fill.midpoint,
                "worst": fill.worst,
            },
            index=pd.Index(ids, name="criterion"),
        )
        self.segment_medians_ = fill.segment_median
        self.n_reference_ = len(reference)
        self._fill_stats = fill
        self.normalization_: scoring.NormalizationStats | None = None
        prepared = self._prepare(raw, self._transformed(raw), groups)
        if spec.method == "weighted_sum":
            self.normalization_ = scoring.fit_normalization(prepared.matrix, spec.directions, dict(spec.normalizations))
        return prepared

    def _prepare(self, raw: pd.DataFrame, x: np.ndarray, groups: pd.Series | None) -> PreparedMatrix:
        """Clip the transformed ``x`` (modified in place) to the fitted bounds, fill it,
        and record what was observed, clipped and excluded.
        """
        spec, b = self.spec, self.bounds_
        ids = list(spec.ids)
        w_lo, w_hi = b["winsor_lower"].to_numpy(), b["winsor_upper"].to_numpy()
        lower, upper = b["lower"].to_numpy(), b["upper"].to_numpy()
        observed = raw.notna()
        # the observed range lies inside the winsorising bounds, so a value is moved
        # by either clip exactly when it lies outside the range
        clipped = np.zeros(x.shape, dtype=bool)
        for j in range(len(ids)):
            col = x[:, j]
            clipped[:, j] = (col < lower[j]) | (col > upper[j])
            if not np.isnan(w_lo[j]):
                col = np.clip(col, w_lo[j], w_hi[j])
            x[:, j] = np.clip(col, lower[j], upper[j])
        x = _fill(x, ids, self._fill_stats, spec.policies, groups)
        excluded = pd.DataFrame(False, index=raw.index, columns=ids)
        for cid in spec.ids:
            if spec.policies[cid] == "exclude_reweight":
                excluded[cid] = ~observed[cid]
        return PreparedMatrix(
            matrix=pd.DataFrame(x, index=raw.index, columns=ids, copy=False),
            observed=observed,
            excluded=excluded,
            policies=dict(spec.policies),
            clipped=pd.DataFrame(clipped, index=raw.index, columns=ids, copy=False),
        )
