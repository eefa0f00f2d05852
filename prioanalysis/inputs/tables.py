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

import csv
import re
import xml.etree.ElementTree as ET
import zipfile
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from prioanalysis.config.yamlfile import decode_utf8
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
_RENAMED = re.compile(r"(.+)\.(\d+)")
_REF = re.compile(r"([A-Z]{1,3})(\d+)")
_FORMULA_OR_BOOL = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?f[\s/>]|\st=[\"']b[\"']")


def read_table(path: str | Path) -> pd.DataFrame:
    """Read a CSV, XLSX or Parquet file into a DataFrame of raw values.

    CSV files are read as text (UTF-8, with or without a byte-order mark) so that
    every cell can be checked and reported as written; Excel and Parquet keep their
    own cell types. Missing cells become ``NA``.

    Refused, naming the file (and the line, cells or column):

    * a CSV that is not UTF-8 (GBK, UTF-16...): "save it as UTF-8";
    * a column name given twice in the header (pandas would silently rename the
      second one ``name.1``), also after surrounding spaces are stripped;
    * Excel cells holding a formula without its saved result (a workbook written by a
      program that does not calculate): they would read as missing values;
    * Excel TRUE/FALSE cells in a column of numbers are kept as True/False (not 1/0),
      so that the table's schema refuses them as numbers.

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
        Missing file, unsupported suffix, unreadable content or one of the above.
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
        decode_utf8(p.read_bytes(), p, InputError)  # raises, naming the line
        raise InputError(f"{p}: not UTF-8 text: save it as UTF-8") from None
    except Exception as exc:  # pandas/openpyxl/pyarrow raise many types
        text = str(exc)
        text = text if len(text) <= 200 else text[:197] + "..."
        raise InputError(f"{p}: could not be read ({type(exc).__name__}: {text})") from None
    _check_header(p, df, suffix)
    if suffix in (".xlsx", ".xlsm"):
        df = _check_excel_cells(p, df)
    df.columns = [str(c).strip() for c in df.columns]
    df = df.reset_index(drop=True)
    df.attrs["source"] = str(p)
    df.attrs["row_offset"] = offset
    return df


# --------------------------------------------------------------------------- header
def _column_label(i: int, excel: bool) -> str:
    """``G`` (Excel) or ``7`` (CSV) for the 0-based column ``i``."""
    if not excel:
        return str(i + 1)
    name, n = "", i + 1
    while n:
        n, r = divmod(n - 1, 26)
        name = chr(65 + r) + name
    return name


def _raw_header(p: Path, suffix: str) -> list[str] | None:
    """The header row as written (pandas renames a repeated name ``name.1``)."""
    if suffix == ".csv":
        with p.open(encoding="utf-8-sig", newline="") as fh:
            return next(csv.reader(fh), [])
    if suffix in (".xlsx", ".xlsm"):
        import openpyxl

        wb = openpyxl.load_workbook(p, read_only=True, data_only=True)
        try:
            row = next(wb.worksheets[0].iter_rows(min_row=1, max_row=1, values_only=True), ())
        finally:
            wb.close()
        return ["" if v is None else str(v) for v in row]
    return None


def _check_header(p: Path, df: pd.DataFrame, suffix: str) -> None:
    names = [str(c).strip() for c in df.columns]
    present = set(map(str, df.columns))
    renamed = any((m := _RENAMED.fullmatch(str(c))) is not None and m.group(1) in present for c in df.columns)
    if renamed:  # pandas renamed a repeated header: read the header as written
        names = [str(c).strip() for c in (_raw_header(p, suffix) or names)]
    seen: dict[str, list[int]] = {}
    for i, name in enumerate(names):
        if name:
            seen.setdefault(name, []).append(i)
    repeated = {n: pos for n, pos in seen.items() if len(pos) > 1}
    if repeated:
        excel = suffix in (".xlsx", ".xlsm")
        parts = [
            f"'{n}' (columns {', '.join(_column_label(i, excel) for i in pos)})"
            for n, pos in list(repeated.items())[:8]
        ]
        raise InputError(
            f"{p}: the header names a column more than once: {'; '.join(parts)}; "
            "every column must have its own name (which one holds the data?)"
        )


# --------------------------------------------------------------------------- Excel cells
def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _first_sheet(zf: zipfile.ZipFile) -> str | None:
    """The part name of the first worksheet (the one pandas reads)."""
    names = set(zf.namelist())
    book = "xl/workbook.xml"
    if "_rels/.rels" in names:
        for rel in ET.fromstring(zf.read("_rels/.rels")):
            if rel.get("Type", "").endswith("/officeDocument"):
                book = rel.get("Target", book).lstrip("/")
    folder, _, base = book.rpartition("/")
    rels_name = f"{folder}/_rels/{base}.rels" if folder else f"_rels/{base}.rels"
    if book not in names or rels_name not in names:
        return None
    targets = {
        r.get("Id"): r.get("Target", "")
        for r in ET.fromstring(zf.read(rels_name))
        if r.get("Type", "").endswith("/worksheet")
    }
    for el in ET.fromstring(zf.read(book)).iter():
        if _local(el.tag) == "sheet":
            rid = next((v for k, v in el.attrib.items() if _local(k) == "id"), None)
            if rid in targets:
                t = targets[rid]
                return t.lstrip("/") if t.startswith("/") else (f"{folder}/{t}" if folder else t)
    return None


def _may_hold(zf: zipfile.ZipFile, part: str) -> bool:
    """A fast scan of the sheet's XML for a formula or a TRUE/FALSE cell."""
    tail = b""
    with zf.open(part) as fh:
        while chunk := fh.read(1 << 22):
            if _FORMULA_OR_BOOL.search(tail + chunk):
                return True
            tail = chunk[-32:]
    return False


def _cell_position(ref: str | None, row: int, col: int) -> tuple[int, int]:
    """1-based (row, column) of a cell from its ``r`` attribute (``G3``), else the counters."""
    if not ref:
        return row, col
    m = _REF.fullmatch(ref)
    if m is None:
        return row, col
    c = 0
    for ch in m.group(1):
        c = c * 26 + ord(ch) - 64
    return int(m.group(2)), c


def _scan_cells(zf: zipfile.ZipFile, part: str) -> tuple[list[tuple[int, int]], list[tuple[int, int, bool]]]:
    """Formula cells without a saved result, and TRUE/FALSE cells, as (row, col[, value])."""
    uncached: list[tuple[int, int]] = []
    bools: list[tuple[int, int, bool]] = []
    parent = None
    row, col = 0, 0
    with zf.open(part) as fh:
        for event, el in ET.iterparse(fh, events=("start", "end")):
            name = _local(el.tag)
            if event == "start":
                if name == "sheetData":
                    parent = el
                elif name == "row":
                    r = el.get("r")
                    row, col = (int(r) if r and r.isdigit() else row + 1), 0
                continue
            if name == "c":
                row, col = _cell_position(el.get("r"), row, col + 1)
                t = el.get("t", "n")
                f = v = None
                for child in el:
                    local = _local(child.tag)
                    f = child if local == "f" else f
                    v = child if local == "v" else v
                value = (v.text or "") if v is not None else ""
                if f is not None and not value and t not in ("str", "inlineStr"):
                    uncached.append((row, col))
                elif t == "b" and value:
                    bools.append((row, col, value.strip() == "1"))
                el.clear()
            elif name == "row" and parent is not None:
                parent.remove(el)
    return uncached, bools


def _check_excel_cells(p: Path, df: pd.DataFrame) -> pd.DataFrame:
    try:
        with zipfile.ZipFile(p) as zf:
            part = _first_sheet(zf)
            if part is None or not _may_hold(zf, part):
                return df
            uncached, bools = _scan_cells(zf, part)
    except (KeyError, zipfile.BadZipFile, ET.ParseError, OSError):  # pandas read it: nothing more to say
        return df
    columns = [str(c).strip() for c in df.columns]
    if uncached:
        by_col: dict[int, list[str]] = {}
        for r, c in uncached:
            by_col.setdefault(c, []).append(f"{_column_label(c - 1, True)}{r}")
        parts = []
        for c, cells in list(by_col.items())[:8]:
            head = ", ".join(cells[:MAX_LISTED]) + (
                f" and {len(cells) - MAX_LISTED} more" if len(cells) > MAX_LISTED else ""
            )
            label = f" (column '{columns[c - 1]}')" if 0 < c <= len(columns) else ""
            parts.append(f"{head}{label}")
        raise InputError(
            f"{p}: {len(uncached)} cell(s) hold a formula without its saved result, which would read as missing: "
            f"{'; '.join(parts)}. The workbook was written by a program that does not calculate formulas: "
            "open it in Excel (or LibreOffice) and save it, or paste the values"
        )
    numeric = {j for j in range(df.shape[1]) if pd.api.types.is_numeric_dtype(df.dtypes.iloc[j])}
    numeric -= {j for j in range(df.shape[1]) if pd.api.types.is_bool_dtype(df.dtypes.iloc[j])}
    hits = [(r - 2, c - 1, b) for r, c, b in bools if c - 1 in numeric and 0 <= r - 2 < len(df)]
    if hits:  # pandas read TRUE/FALSE among numbers as 1/0: give the schema the cells as written
        df = df.copy()
        for j in sorted({c for _, c, _ in hits}):
            values = df.iloc[:, j].astype(object)
            for i, c, b in hits:
                if c == j:
                    values.iloc[i] = b
            df.isetitem(j, values)
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
