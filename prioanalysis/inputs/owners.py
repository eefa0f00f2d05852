"""The account managers (``owners.csv``): who can develop a target customer, and how many.

One schema, :func:`owners_schema`, for the owner assignment of the robustness
notebook and the customer database: ``owner_id`` (each owner once), ``owner_name``,
``segment`` (every owner has one), ``region`` (optional) and one capacity column per
tier — a whole number >= 0 of customers of that tier the owner can take (0 when
none). The capacity columns are those of
:data:`prioanalysis.methods.assignment.CAPACITY_COLUMNS`, best tier first.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from prioanalysis.inputs.schema import Column, TableSchema, validate
from prioanalysis.inputs.tables import read_table
from prioanalysis.methods.assignment import CAPACITY_COLUMNS

__all__ = ["OWNERS", "owners_schema", "read_owners", "validate_owners"]


def owners_schema(capacity_columns: Sequence[str] = CAPACITY_COLUMNS) -> TableSchema:
    """The schema of an owner list with these capacity columns.

    Examples
    --------
    >>> owners_schema().required
    ['owner_id', 'owner_name', 'segment', 'capacity_strategic', 'capacity_key', 'capacity_general']
    """
    return TableSchema(
        "owner list",
        (
            Column("owner_id", "id", required=True, nullable=False, description="account manager id"),
            Column("owner_name", "text", required=True, nullable=False),
            Column("segment", "id", required=True, nullable=False, description="segment the owner serves"),
            Column("region", "id", description="the owner's region (a same-region match earns a bonus)"),
            *(
                Column(
                    c,
                    "integer",
                    required=True,
                    nullable=False,
                    range=(0, None),
                    description="customers of this tier the owner can take",
                )
                for c in capacity_columns
            ),
        ),
        key=("owner_id",),
    )


#: The schema of ``owners.csv``.
OWNERS = owners_schema()


def validate_owners(
    frame: pd.DataFrame, capacity_columns: Sequence[str] = CAPACITY_COLUMNS, source: str | None = None
) -> pd.DataFrame:
    """Check an owner list against :func:`owners_schema`.

    Returns
    -------
    pandas.DataFrame
        The list, ids and segments stripped, capacities as ``int64``; other columns
        as written.

    Raises
    ------
    InputError
        Naming the file, the rows and the column of every problem.

    Examples
    --------
    >>> df = pd.DataFrame({"owner_id": ["O1"], "owner_name": ["何"], "segment": ["gov"],
    ...                    "capacity_strategic": ["2"], "capacity_key": [3], "capacity_general": [4.0]})
    >>> validate_owners(df)[list(CAPACITY_COLUMNS)].to_numpy().tolist()
    [[2, 3, 4]]
    """
    schema = OWNERS if tuple(capacity_columns) == CAPACITY_COLUMNS else owners_schema(capacity_columns)
    return validate(frame, schema, source)


def read_owners(path: str | Path, capacity_columns: Sequence[str] = CAPACITY_COLUMNS) -> pd.DataFrame:
    """Read and check ``owners.csv`` (CSV, XLSX or Parquet).

    Returns
    -------
    pandas.DataFrame
        As :func:`validate_owners`.

    Raises
    ------
    InputError
        Naming the file, the rows and the column of every problem.
    """
    return validate_owners(read_table(path), capacity_columns)
