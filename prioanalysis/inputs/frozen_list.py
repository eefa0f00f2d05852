"""A published target list read back (``tables/target_list.csv``, or from the database).

The columns are those of the one target-list schema,
:data:`prioanalysis.methods.target_list.COLUMNS`: the frozen-list reader types each
column it finds by that schema's kind. ``customer_id`` (each customer once),
``score``, ``tier`` and ``grade`` must be there and filled in; the other columns are
optional, and columns the schema does not know are kept as written (lists published
by older versions).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from prioanalysis.inputs.schema import Column, TableSchema, validate
from prioanalysis.inputs.tables import read_table
from prioanalysis.methods.target_list import COLUMNS, KEY

__all__ = ["FROZEN_LIST", "NEEDED", "frozen_list_schema", "read_frozen_list"]

#: The columns a frozen list cannot do without.
NEEDED: tuple[str, ...] = (KEY, "score", "tier", "grade")
_KIND = {"float": "number", "int": "integer", "bool": "bool"}


def frozen_list_schema() -> TableSchema:
    """The schema of a frozen list, built from the target-list columns.

    Examples
    --------
    >>> s = frozen_list_schema()
    >>> s.required, s.column("rank").kind, s.column("eligible").kind
    (['customer_id', 'score', 'tier', 'grade'], 'integer', 'bool')
    """
    cols = []
    for name, spec in COLUMNS.items():
        need = name in NEEDED
        if spec.kind in _KIND:
            kind = _KIND[spec.kind]
        elif name == KEY:
            kind = "id"
        else:  # text: kept as written ("" is a value in a list read from the database)
            kind = "text" if need else "any"
        cols.append(Column(name, kind, required=need, nullable=not need, description=spec.description))  # type: ignore[arg-type]
    return TableSchema("frozen list", tuple(cols), key=(KEY,))


#: The schema of a frozen list.
FROZEN_LIST = frozen_list_schema()


def read_frozen_list(path: str | Path | pd.DataFrame) -> pd.DataFrame:
    """Read a published target list and check it against :data:`FROZEN_LIST`.

    Parameters
    ----------
    path : str, Path or pandas.DataFrame
        The file, or the published list already loaded (e.g. from the customer
        database); a frame is checked the same way.

    Returns
    -------
    pandas.DataFrame
        Indexed by customer id; each column of the target-list schema typed by its
        kind (numbers as float, ranks as whole numbers, ``eligible`` as bool).

    Raises
    ------
    InputError
        Missing columns, empty or repeated ids, scores that are not numbers — naming
        the file, the rows and the column.
    """
    if isinstance(path, pd.DataFrame):
        df = path.reset_index(drop=True)
        df.attrs = {"row_offset": 1, **path.attrs}
        source = str(path.attrs.get("source", "the frozen list"))
    else:
        df = read_table(path)
        source = str(df.attrs["source"])
    out = validate(df, FROZEN_LIST, source)
    out[KEY] = out[KEY].to_numpy(dtype=object)
    out.index = pd.Index(out[KEY].to_numpy(dtype=object), name=KEY)
    out.attrs = {"source": source}
    return out
