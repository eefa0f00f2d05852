"""From validated criteria values to the decision matrix: transforms and missing values.

Order of operations, for each criterion: ordinal scale mapping (done at intake) →
transform (``log1p``) → winsorising at quantiles of the observed values → the
missing-value policy. Scoring then normalises the matrix.

Missing-value policies
----------------------
``segment_median`` (the default, see :data:`prioanalysis.config.params.DEFAULT_MISSING_POLICY`)
    The median of the customer's segment; the overall median when the whole segment
    lacks the value. Peers stand in for the unknown value.
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
    up to sum to 1 for that customer (weighted sum only). The cell is filled with the
    median so that normalization bounds come from observed values only; its
    contribution is then set to 0.

Every imputed cell is recorded (``PreparedMatrix.imputed``) and shows up in the
customer's flags and the data-quality tables.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from prioanalysis.errors import InputError
from prioanalysis.config.params import MISSING_POLICIES, CriteriaParams

__all__ = ["PreparedMatrix", "transform", "impute", "prepare_matrix"]


def transform(matrix: pd.DataFrame, criteria: CriteriaParams) -> pd.DataFrame:
    """Apply each criterion's transform and winsorising.

    Parameters
    ----------
    matrix : pandas.DataFrame
        Columns = criterion ids, numbers, NaN for missing.
    criteria : CriteriaParams
        Declares ``transform`` and ``winsorize`` per criterion.

    Returns
    -------
    pandas.DataFrame
        Same shape; NaN stays NaN. Winsorising quantiles are taken over the observed
        values (linear interpolation).

    Examples
    --------
    >>> import pandas as pd
    >>> from prioanalysis.config.params import CriteriaParams
    >>> cp = CriteriaParams.model_validate({"version": "x", "criteria": [
    ...     {"id": "a", "label": "A", "family": "attractiveness", "direction": "benefit",
    ...      "weight": 1.0, "transform": "log1p"}]})
    >>> transform(pd.DataFrame({"a": [0.0, 9.0]}), cp)["a"].round(4).tolist()
    [0.0, 2.3026]
    """
    out = matrix.copy()
    for c in criteria.criteria:
        col = out[c.id].to_numpy(dtype=float)
        if c.transform == "log1p":
            col = np.log1p(col)
        if c.winsorize is not None and np.isfinite(col).any():
            lo, hi = np.nanquantile(col, list(c.winsorize))
            col = np.where(np.isnan(col), np.nan, np.clip(col, lo, hi))
        out[c.id] = col
    return out


def impute(
    matrix: pd.DataFrame,
    policies: Mapping[str, str],
    directions: Mapping[str, str],
    groups: pd.Series | None = None,
) -> pd.DataFrame:
    """Fill missing values by each column's policy.

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
        Segment of each row; required by ``segment_median``.

    Returns
    -------
    pandas.DataFrame
        No NaN left, unless a column has no observed value at all (InputError then).

    Raises
    ------
    InputError
        Unknown policy, a column with no observed value, or ``segment_median``
        without groups.

    Examples
    --------
    >>> m = pd.DataFrame({"x": [1.0, None, 3.0, 10.0]})
    >>> impute(m, {"x": "worst"}, {"x": "benefit"})["x"].tolist()
    [1.0, 1.0, 3.0, 10.0]
    >>> impute(m, {"x": "neutral"}, {"x": "benefit"})["x"].tolist()
    [1.0, 5.5, 3.0, 10.0]
    """
    out = matrix.copy()
    for col in matrix.columns:
        values = matrix[col]
        if not values.isna().any():
            continue
        policy = policies.get(col)
        if policy not in MISSING_POLICIES:
            raise InputError(f"column '{col}': unknown missing-value policy {policy!r}")
        observed = values.dropna()
        if observed.empty:
            raise InputError(
                f"column '{col}': no customer has a value, so the missing-value policy "
                f"'{policy}' cannot fill it; collect the data or drop the criterion"
            )
        if policy in ("median", "exclude_reweight"):
            fill: pd.Series | float = float(observed.median())
        elif policy == "neutral":
            fill = float((observed.min() + observed.max()) / 2.0)
        elif policy == "worst":
            fill = float(observed.min() if directions[col] == "benefit" else observed.max())
        else:  # segment_median
            if groups is None:
                raise InputError(f"column '{col}': policy 'segment_median' needs the segments")
            seg_med = values.groupby(groups).transform("median")
            fill = seg_med.fillna(float(observed.median()))
        out[col] = values.fillna(fill)
    return out


@dataclass(frozen=True)
class PreparedMatrix:
    """The decision matrix with a record of what was imputed.

    Attributes
    ----------
    matrix : pandas.DataFrame
        Customers × criteria, transformed and filled, ready to score.
    observed : pandas.DataFrame
        Boolean, True where the value was given in the list.
    excluded : pandas.DataFrame
        Boolean, True where the cell is left out and the weights rescaled
        (``exclude_reweight``).
    policies : dict
        Criterion → policy applied.
    """

    matrix: pd.DataFrame
    observed: pd.DataFrame
    excluded: pd.DataFrame
    policies: dict[str, str]

    @property
    def imputed(self) -> pd.DataFrame:
        """Boolean, True where a value was filled in by a policy (not excluded)."""
        return ~self.observed & ~self.excluded


def prepare_matrix(
    customers: pd.DataFrame, criteria: CriteriaParams, segment_column: str = "segment"
) -> PreparedMatrix:
    """Transform and fill the criteria of validated customers.

    Parameters
    ----------
    customers : pandas.DataFrame
        From :func:`prioanalysis.inputs.preliminary.validate_preliminary` (``.customers``).
    criteria : CriteriaParams
        The criteria.
    segment_column : str
        Column with the segment (for ``segment_median``).

    Returns
    -------
    PreparedMatrix
    """
    ids = criteria.ids
    raw = customers[ids].astype(float)
    observed = raw.notna()
    policies = {c.id: criteria.policy(c) for c in criteria.criteria}
    directions = {c.id: c.direction for c in criteria.criteria}
    transformed = transform(raw, criteria)
    filled = impute(transformed, policies, directions, customers[segment_column])
    reweight_cols = [c for c, p in policies.items() if p == "exclude_reweight"]
    excluded = pd.DataFrame(False, index=raw.index, columns=ids)
    for col in reweight_cols:
        excluded[col] = ~observed[col]
    return PreparedMatrix(matrix=filled, observed=observed, excluded=excluded, policies=policies)
