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

from prioanalysis.config.params import Params
from prioanalysis.errors import InputError
from prioanalysis.inputs.schema import Column, TableSchema, check
from prioanalysis.inputs.tables import examples, read_table
from prioanalysis.methods.grades import GRADES
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


def read_frozen_list(path: str | Path | pd.DataFrame, params: Params | None = None) -> pd.DataFrame:
    """Read a published target list and check it against :data:`FROZEN_LIST`.

    Parameters
    ----------
    path : str, Path or pandas.DataFrame
        The file, or the published list already loaded (e.g. from the customer
        database); a frame is checked the same way.
    params : Params, optional
        The parameters of the year the list was published for: every ``tier`` must
        then be one of its tier names (or its not-targeted name). Every ``grade``
        must be one of A–E in any case.

    Returns
    -------
    pandas.DataFrame
        Indexed by customer id; each column of the target-list schema typed by its
        kind (numbers as float, ranks as whole numbers, ``eligible`` as bool).

    Raises
    ------
    InputError
        Missing columns, no rows, empty or repeated ids, scores that are not numbers,
        grades other than A–E, tiers unknown to ``params`` — naming the file, the rows
        and the column.
    """
    if isinstance(path, pd.DataFrame):
        df = path.reset_index(drop=True)
        df.attrs = {"row_offset": 1, **path.attrs}
        source = str(path.attrs.get("source", "the frozen list"))
    else:
        df = read_table(path)
        source = str(df.attrs["source"])
    out, problems = check(df, FROZEN_LIST, source)
    if len(df) == 0:
        raise InputError(f"{source}: the frozen list has no rows (only a header)")
    grade = out["grade"].str.strip()
    bad = (grade.notna() & ~grade.isin(GRADES)).to_numpy()
    if bad.any():
        problems.add(
            bad, "grade", f"{examples(out['grade'], bad)} is not a grade (expected one of {', '.join(GRADES)})"
        )
    if params is not None:
        tiers = params.run.tiers
        names = [*tiers.names, tiers.not_targeted]
        tier = out["tier"].str.strip()
        bad = (tier.notna() & ~tier.isin(names)).to_numpy()
        if bad.any():
            problems.add(
                bad,
                "tier",
                f"{examples(out['tier'], bad)} is not a tier of {params.run_path} (expected one of {', '.join(names)})",
            )
    problems.raise_if_any()
    out[KEY] = out[KEY].to_numpy(dtype=object)
    out.index = pd.Index(out[KEY].to_numpy(dtype=object), name=KEY)
    out.attrs = {"source": source}
    return out
