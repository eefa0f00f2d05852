"""Reading an input table, and naming its rows the way the analyst sees them.

:func:`read_table` reads CSV, Excel (.xlsx) and Parquet into a frame of raw values
that remembers its file (``attrs["source"]``) and how to turn a position into the row
the analyst sees (``attrs["row_offset"]``): the line of the CSV file or the Excel row
(the header is row 1, the first data row 2); for Parquet and for tables that come
from the database, the record number counting from 1.

:func:`row_numbers`, :func:`format_rows` and :func:`examples` build the parts of a
problem message (``rows 3, 7, column 'won': '2' is not 0 or 1``);
:func:`problems_error` joins the problems into one :class:`~prioanalysis.errors.InputError`.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from prioanalysis.errors import InputError

__all__ = [
    "NA_VALUES",
    "MAX_LISTED",
    "read_table",
    "row_numbers",
    "format_rows",
    "examples",
    "problems_error",
]

#: Cell texts read as missing in CSV input.
NA_VALUES = ["", "NA", "N/A", "n/a", "NaN", "nan", "null", "NULL", "None", "-", "—"]
#: Rows named in one problem before "and N more".
MAX_LISTED = 8


def read_table(path: str | Path) -> pd.DataFrame:
    """Read a CSV, XLSX or Parquet file into a DataFrame of raw values.

    CSV files are read as text (UTF-8, with or without a byte-order mark) so that
    every cell can be checked and reported as written; Excel and Parquet keep their
    own cell types. Missing cells become ``NA``.

    Parameters
    ----------
    path : str or Path
        ``.csv``, ``.xlsx`` or ``.parquet`` file.

    Returns
    -------
    pandas.DataFrame
        One row per data row, with an ``attrs["source"]`` naming the file and
        ``attrs["row_offset"]`` to turn a position into the row the analyst sees.

    Raises
    ------
    InputError
        Missing file, unsupported suffix or unreadable content.
    """
    p = Path(path)
    if not p.is_file():
        raise InputError(f"{p}: input file not found")
    suffix = p.suffix.lower()
    try:
        if suffix == ".csv":
            df = pd.read_csv(p, dtype=str, keep_default_na=False, na_values=NA_VALUES, encoding="utf-8-sig")
            offset = 2
        elif suffix in (".xlsx", ".xlsm"):
            df = pd.read_excel(p, sheet_name=0, engine="openpyxl")
            offset = 2
        elif suffix == ".parquet":
            df = pd.read_parquet(p)
            offset = 1
        else:
            raise InputError(f"{p}: unsupported file type '{suffix}' (use .csv, .xlsx or .parquet)")
    except InputError:
        raise
    except UnicodeDecodeError:
        raise InputError(f"{p}: not UTF-8 text; save the CSV as UTF-8") from None
    except Exception as exc:  # pandas/openpyxl/pyarrow raise many types
        raise InputError(f"{p}: could not be read ({type(exc).__name__}: {exc})") from None
    df.columns = [str(c).strip() for c in df.columns]
    df = df.reset_index(drop=True)
    df.attrs["source"] = str(p)
    df.attrs["row_offset"] = offset
    return df


def row_numbers(frame: pd.DataFrame, mask: pd.Series | np.ndarray) -> list[int]:
    """The rows (as the analyst sees them) where ``mask`` is true.

    Examples
    --------
    >>> df = pd.DataFrame({"a": [1, 2, 3]})
    >>> df.attrs["row_offset"] = 2
    >>> row_numbers(df, [False, True, True])
    [3, 4]
    """
    offset = int(frame.attrs.get("row_offset", 2))
    return [int(p) + offset for p in np.flatnonzero(np.asarray(mask, dtype=bool))]


def format_rows(rows: Sequence[int]) -> str:
    """``row 3`` or ``rows 3, 4`` — at most :data:`MAX_LISTED`, then ``and N more``.

    Examples
    --------
    >>> format_rows([5])
    'row 5'
    >>> format_rows(list(range(2, 12)))
    'rows 2, 3, 4, 5, 6, 7, 8, 9 and 2 more'
    """
    head = ", ".join(str(r) for r in rows[:MAX_LISTED])
    more = f" and {len(rows) - MAX_LISTED} more" if len(rows) > MAX_LISTED else ""
    return f"{'row' if len(rows) == 1 else 'rows'} {head}{more}"


def examples(values: pd.Series | np.ndarray, mask: pd.Series | np.ndarray, n: int = 3) -> str:
    """Up to ``n`` distinct values where ``mask`` is true, quoted (long texts cut).

    Examples
    --------
    >>> examples(pd.Series(["a", "b", "a", "c"]), [True, False, True, True])
    "'a', 'c'"
    """
    vals = pd.Series(np.asarray(values, dtype=object)[np.asarray(mask, dtype=bool)], dtype=object)
    shown = vals.astype(str).unique()[:n]
    return ", ".join(repr(v if len(v) <= 60 else v[:57] + "...") for v in shown)


def problems_error(source: str, what: str, problems: Sequence[str]) -> InputError:
    """One error listing every problem: ``<source>: N problem(s) in the <what>:``.

    Examples
    --------
    >>> print(problems_error("list.csv", "outcomes", ["row 3, column 'won': '2' is not 0 or 1"]))
    list.csv: 1 problem(s) in the outcomes:
      - row 3, column 'won': '2' is not 0 or 1
    """
    return InputError(
        f"{source}: {len(problems)} problem(s) in the {what}:\n" + "\n".join(f"  - {p}" for p in problems)
    )
