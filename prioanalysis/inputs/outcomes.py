"""The outcomes of a year (``outcomes_YYYY.csv``): which listed customers won a deal.

One schema, :data:`OUTCOMES`, read the same way by the annual review, the
calibration and the customer database: ``customer_id`` (each customer once),
``won`` (0 or 1), ``revenue`` (万元, >= 0; an empty cell or a missing column counts
as 0) and ``days_to_close`` (whole days >= 0; empty when not won or not recorded).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from prioanalysis.inputs.schema import Column, TableSchema, validate
from prioanalysis.inputs.tables import read_table

__all__ = ["OUTCOMES", "read_outcomes", "validate_outcomes"]

#: The columns of an outcome file.
OUTCOMES = TableSchema(
    "outcomes",
    (
        Column("customer_id", "id", required=True, nullable=False, description="customer id, each customer once"),
        Column("won", "flag", required=True, nullable=False, description="1 = won a deal in the year"),
        Column(
            "revenue", "number", range=(0, None), default=0.0, description="revenue won in the year (万元); empty = 0"
        ),
        Column("days_to_close", "integer", range=(0, None), description="days from the list to the deal"),
    ),
    key=("customer_id",),
)


def validate_outcomes(frame: pd.DataFrame, source: str | None = None) -> pd.DataFrame:
    """Check a table of outcomes against :data:`OUTCOMES`.

    Parameters
    ----------
    frame : pandas.DataFrame
        As read (:func:`prioanalysis.inputs.tables.read_table`, or from the database).
    source : str, optional
        Named in messages; default ``frame.attrs["source"]``.

    Returns
    -------
    pandas.DataFrame
        Indexed by customer id: ``won`` (int), ``revenue`` (float), ``days_to_close``
        (float, NaN when not recorded); ``attrs["source"]`` names the file.

    Raises
    ------
    InputError
        Naming the file, the rows and the column of every problem.

    Examples
    --------
    >>> df = pd.DataFrame({"customer_id": ["C1", "C2"], "won": ["1", "0"]})
    >>> validate_outcomes(df).to_dict("index")
    {'C1': {'won': 1, 'revenue': 0.0, 'days_to_close': nan}, 'C2': {'won': 0, 'revenue': 0.0, 'days_to_close': nan}}
    """
    checked = validate(frame, OUTCOMES, source)
    n = len(checked)
    days = checked["days_to_close"] if "days_to_close" in checked.columns else pd.Series(np.nan, index=checked.index)
    out = pd.DataFrame(
        {
            "won": checked["won"].to_numpy(dtype=np.int64),
            "revenue": checked["revenue"].to_numpy(dtype=float) if n else np.zeros(0),
            "days_to_close": days.to_numpy(dtype=float),
        },
        index=pd.Index(checked["customer_id"].to_numpy(dtype=object), name="customer_id"),
    )
    out.attrs["source"] = checked.attrs["source"]
    return out


def read_outcomes(path: str | Path) -> pd.DataFrame:
    """Read and check the outcomes of a year.

    Parameters
    ----------
    path : str or Path
        CSV/XLSX/Parquet with the columns of :data:`OUTCOMES`.

    Returns
    -------
    pandas.DataFrame
        As :func:`validate_outcomes`.

    Raises
    ------
    InputError
        Naming the file, the rows and the column of every problem.
    """
    return validate_outcomes(read_table(path))
