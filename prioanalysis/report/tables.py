r"""Writing a run's tables: CSV files and the target-list workbook.

CSV files are written reproducibly — UTF-8, ``\n`` line ends, numbers rounded to a
fixed number of decimals — so the same inputs and parameters give byte-identical
tables. The workbook has a sheet for the whole list, one per segment, and the
data-quality tables; Chinese text works in sheet names and cells.
"""

from __future__ import annotations

import json
import os
import re
import zipfile
from collections.abc import Iterator, Mapping
from itertools import repeat
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import numpy as np
import pandas as pd

from prioanalysis.steps.ranking import RankingResult

__all__ = ["write_csv", "csv_safe", "restore_text", "write_ranking_tables", "write_target_workbook", "DECIMALS"]

#: Decimals kept for floating-point columns in CSV tables.
DECIMALS = 6
_SHEET_FORBIDDEN = str.maketrans(dict.fromkeys("[]:*?/\\", "_"))


#: First characters that make a spreadsheet read a text cell as a formula (OWASP CSV injection).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _neutral(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(FORMULA_START) and not _is_number(value):
        return "'" + value
    return value


def csv_safe(frame: pd.DataFrame) -> pd.DataFrame:
    """The table with every text cell (and text header or index label) that a
    spreadsheet would run as a formula — starting with ``=``, ``+``, ``-``, ``@``, a tab
    or a carriage return, and not a number — prefixed with a single quote
    (``=HYPERLINK(...)`` → ``'=HYPERLINK(...)``), as OWASP recommends against CSV
    injection. Numbers, including negative ones, are left as they are.

    Examples
    --------
    >>> csv_safe(pd.DataFrame({"name": ["=1+2", "-3", "@x", "ok"], "n": [-1, 2, 3, 4]}))["name"].tolist()
    ["'=1+2", '-3', "'@x", 'ok']
    """
    out = frame.copy()
    for col in out.columns:
        if out[col].dtype == object or isinstance(out[col].dtype, pd.StringDtype):
            out[col] = out[col].map(_neutral, na_action="ignore")
    out.columns = out.columns.map(_neutral) if out.columns.dtype == object else out.columns
    if out.index.dtype == object:
        out.index = out.index.map(_neutral).rename(out.index.name)
    return out


def restore_text(frame: pd.DataFrame) -> pd.DataFrame:
    """Undo :func:`csv_safe` on a table read back from a run's CSV."""

    def back(value: Any) -> Any:
        if isinstance(value, str) and value.startswith("'") and value[1:].startswith(FORMULA_START):
            return value[1:]
        return value

    out = frame.copy()
    for col in out.columns:
        if out[col].dtype == object or isinstance(out[col].dtype, pd.StringDtype):
            out[col] = out[col].map(back, na_action="ignore")
    return out


def write_csv(frame: pd.DataFrame, path: str | Path, index: bool = False) -> Path:
    r"""Write a table reproducibly (rounded floats, UTF-8, ``\n`` line ends).

    This is where every table of a run is written: text cells a spreadsheet would run
    as a formula are neutralised (:func:`csv_safe`).
    """
    p = Path(path)
    p.parent.mkdir(parents=True, exist_ok=True)
    csv_safe(frame.round(DECIMALS)).to_csv(p, index=index, lineterminator="\n", encoding="utf-8")
    return p


def _sheet_name(name: str, used: set[str]) -> str:
    base = str(name).translate(_SHEET_FORBIDDEN)[:31] or "sheet"
    out, i = base, 2
    while out in used:
        suffix = f"_{i}"
        out, i = base[: 31 - len(suffix)] + suffix, i + 1
    used.add(out)
    return out


def write_target_workbook(
    result: RankingResult, path: str | Path, segment_labels: Mapping[str, str], all_label: str = "全部"
) -> Path:
    """The target list as XLSX: the whole list, a sheet per segment, data quality.

    Parameters
    ----------
    result : RankingResult
    path : str or Path
        ``.xlsx`` file to write.
    segment_labels : mapping
        Segment id → sheet name (e.g. ``finance`` → ``金融``).
    all_label : str
        Name of the sheet with the whole list.
    """
    p = Path(path)
    p.parent.mkdir(parents=True, exist_ok=True)
    tl = result.target_list
    used: set[str] = set()
    sheets: list[tuple[str, pd.DataFrame]] = [(all_label, tl.round(DECIMALS))]
    for seg, label in segment_labels.items():
        part = tl[tl["segment"] == seg]
        if len(part):
            sheets.append((label, part.round(DECIMALS)))
    sheets += [(f"dq_{name}", table) for name, table in result.quality.items()]
    if len(result.intake.claims):
        sheets.append(("multi_segment_claims", result.intake.claims))
    fast = all(_fast_writable(frame) for _, frame in sheets)
    with pd.ExcelWriter(p, engine="openpyxl") as xw:
        for name, frame in sheets:
            sheet = _sheet_name(name, used)
            # fast: openpyxl writes the header, the widths and the pane; the rows follow
            frame.head(0 if fast else len(frame)).to_excel(xw, sheet_name=sheet, index=False)
            ws = xw.sheets[sheet]
            if not fast:
                _no_formulas(ws, frame)
            ws.freeze_panes = "A2"
            head = frame.head(200)
            for i, col in enumerate(frame.columns):
                # map(str): a missing value (pd.NA in a text column) is counted as "<NA>", never NaN
                longest = head.iloc[:, i].map(lambda v: len(str(v))).max() if len(head) else 0
                width = max(len(str(col)), int(longest))
                letter = ws.cell(row=1, column=i + 1).column_letter
                ws.column_dimensions[letter].width = min(max(8, width * 1.2 + 2), 48)
    if fast:
        _add_rows(p, [frame for _, frame in sheets])
    return p


# --------------------------------------------------------------------------- fast rows
# The rows of a big list are written as the sheet XML openpyxl would write -- the same
# cells (inline strings, "%.16g" numbers, booleans, "" for a missing value, error codes
# as errors, text starting with "=" as text) -- column by column with list
# comprehensions, streamed into the package: openpyxl's cell objects cost ~25 us a cell.
_ILLEGAL_XML = re.compile(r"[\000-\010]|[\013-\014]|[\016-\037]")  # as openpyxl
_ERROR_CODES = frozenset(("#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A"))
_MAX_TEXT = 32767  # longest cell text
_ROW_BLOCK = 20_000  # rows built at once
_MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"


def _fast_writable(frame: pd.DataFrame) -> bool:
    """True when every cell is a number, a boolean, missing or text openpyxl would
    accept (no control character, at most 32,767 characters): the fast path writes
    exactly these; anything else (dates, ...) goes through openpyxl, as does text
    openpyxl rejects (so that it raises as before).
    """
    for col in frame.columns:
        values = frame[col]
        if pd.api.types.is_bool_dtype(values) or pd.api.types.is_numeric_dtype(values):
            if pd.api.types.is_complex_dtype(values):
                return False
            continue
        if not (pd.api.types.is_object_dtype(values) or pd.api.types.is_string_dtype(values)):
            return False
        if not pd.api.types.is_object_dtype(values):  # a string dtype: text or missing
            text = values.dropna()
            if len(text) and (text.str.len().max() > _MAX_TEXT or text.str.contains(_ILLEGAL_XML).any()):
                return False
            continue
        for v in values.tolist():
            if isinstance(v, str):
                if len(v) > _MAX_TEXT or _ILLEGAL_XML.search(v):
                    return False
            elif not (v is None or v is pd.NA or isinstance(v, (bool, int, float, np.bool_, np.integer, np.floating))):
                return False
    return True


def _xml_text(v: str) -> str:
    """An inline-string cell body, escaped as ElementTree does (``xml:space`` as openpyxl)."""
    if "&" in v or "<" in v or ">" in v:
        v = v.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    stripped = v.strip()
    space = ' xml:space="preserve"' if stripped and stripped != v else ""
    return f' t="inlineStr"><is><t{space}>{v}</t></is></c>'


def _text_cell(v: object) -> str:
    """The part of a text (or mixed object) column's cell after ``<c r="A2"``."""
    if isinstance(v, str):
        if v == "":
            return ' t="inlineStr" />'
        if v in _ERROR_CODES:
            return f' t="e"><v>{v}</v></c>'
        return _xml_text(v)
    if isinstance(v, (bool, np.bool_)):
        return ' t="b"><v>1</v></c>' if v else ' t="b"><v>0</v></c>'
    if isinstance(v, (int, np.integer)):
        return f' t="n"><v>{v:.16g}</v></c>'
    if isinstance(v, (float, np.floating)):
        return _number_cell(float(v))
    return ' t="inlineStr" />'  # None, NA: pandas writes na_rep ""


def _number_cell(v: float) -> str:
    if v != v:
        return ' t="inlineStr" />'  # NaN: pandas writes na_rep ""
    if v in (np.inf, -np.inf):
        return ' t="inlineStr"><is><t>' + ("inf" if v > 0 else "-inf") + "</t></is></c>"  # pandas' inf_rep
    return f' t="n"><v>{v:.16g}</v></c>'


def _column_cells(values: pd.Series) -> list[str]:
    """Every cell of a column after its ``<c r="..."``."""
    if pd.api.types.is_bool_dtype(values) and not pd.api.types.is_object_dtype(values):
        return [
            ' t="inlineStr" />' if v is pd.NA else (' t="b"><v>1</v></c>' if v else ' t="b"><v>0</v></c>')
            for v in values.tolist()
        ]
    if pd.api.types.is_integer_dtype(values) and not values.hasnans:
        return [f' t="n"><v>{v:.16g}</v></c>' for v in values.tolist()]
    if pd.api.types.is_numeric_dtype(values):
        return [
            _number_cell(float(v)) if v is not pd.NA and v is not None else ' t="inlineStr" />' for v in values.tolist()
        ]
    return [_text_cell(v) for v in values.tolist()]


def _column_letter(j: int) -> str:
    letters = ""
    j += 1
    while j:
        j, r = divmod(j - 1, 26)
        letters = chr(65 + r) + letters
    return letters


def _sheet_rows(frame: pd.DataFrame) -> Iterator[bytes]:
    """The ``<row>`` elements of a frame's data (rows 2 ...), in blocks."""
    letters = [_column_letter(j) for j in range(frame.shape[1])]
    for lo in range(0, len(frame), _ROW_BLOCK):
        block = frame.iloc[lo : lo + _ROW_BLOCK]
        rows = [f'{r}"' for r in range(lo + 2, lo + 2 + len(block))]  # the row number, closing the r="..."
        parts: list[Any] = [[f'<row r="{r}>' for r in rows]]
        for j, letter in enumerate(letters):
            head = f'<c r="{letter}'
            parts.append([head + r + cell for r, cell in zip(rows, _column_cells(block.iloc[:, j]), strict=True)])
        parts.append(repeat("</row>", len(rows)))
        yield "".join("".join(cells) for cells in zip(*parts)).encode("utf-8")


def _sheet_parts(zf: zipfile.ZipFile) -> list[str]:
    """The worksheet part of each sheet, in workbook order."""
    book = ElementTree.fromstring(zf.read("xl/workbook.xml"))
    rels = ElementTree.fromstring(zf.read("xl/_rels/workbook.xml.rels"))
    target = {r.get("Id"): r.get("Target", "") for r in rels.iter(f"{{{_PKG_REL_NS}}}Relationship")}
    parts = []
    for sheet in book.iter(f"{{{_MAIN_NS}}}sheet"):
        t = target[sheet.get(f"{{{_REL_NS}}}id")]
        parts.append(t.lstrip("/") if t.startswith("/") else "xl/" + t)
    return parts


def _add_rows(path: Path, frames: list[pd.DataFrame]) -> None:
    """Put the data rows of ``frames`` into the header-only sheets of a workbook."""
    tmp = path.with_name(path.name + ".tmp")
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as dst:
        rows_of = {
            part: frame for part, frame in zip(_sheet_parts(src), frames, strict=True) if len(frame) and frame.shape[1]
        }
        for info in src.infolist():
            data = src.read(info.filename)
            frame = rows_of.get(info.filename)
            if frame is None:
                dst.writestr(info, data, compress_type=zipfile.ZIP_DEFLATED, compresslevel=6)
                continue
            text = data.decode("utf-8")
            last = f"{_column_letter(frame.shape[1] - 1)}{len(frame) + 1}"
            text = re.sub(r'<dimension ref="[^"]*"', f'<dimension ref="A1:{last}"', text, count=1)
            head, sep, tail = text.partition("</sheetData>")
            if not sep:  # pragma: no cover - openpyxl always writes sheetData
                raise RuntimeError(f"no sheetData in {info.filename}")
            with dst.open(zipfile.ZipInfo(info.filename, info.date_time), "w", force_zip64=True) as out:
                out.write(head.encode("utf-8"))
                for chunk in _sheet_rows(frame):
                    out.write(chunk)
                out.write((sep + tail).encode("utf-8"))
    os.replace(tmp, path)


def _no_formulas(ws: Any, frame: pd.DataFrame) -> None:
    """Keep text that starts with "=" as text: a customer name must never become a
    spreadsheet formula (formula injection).
    """
    for j, col in enumerate(frame.columns):
        values = frame[col]
        if not (pd.api.types.is_object_dtype(values) or pd.api.types.is_string_dtype(values)):
            continue
        starts = values.astype("string").str.startswith("=").fillna(False).to_numpy(dtype=bool)
        for i in starts.nonzero()[0]:
            ws.cell(row=int(i) + 2, column=j + 1).data_type = "s"


def write_ranking_tables(result: RankingResult, directory: str | Path) -> list[Path]:
    """Write every table of a ranking run into ``directory/tables/``.

    Files: ``target_list.csv``, ``contributions.csv``, ``tier_by_segment.csv``,
    ``tier_by_grade.csv``, ``quadrants.csv``, ``multi_segment_claims.csv``,
    ``excluded.csv``, ``data_quality_*.csv`` and ``choices.json`` (the method
    choices of the run).

    Returns
    -------
    list of Path
    """
    d = Path(directory) / "tables"
    written = [
        write_csv(result.target_list, d / "target_list.csv"),
        write_csv(result.contributions.rename_axis("customer_id"), d / "contributions.csv", index=True),
        write_csv(result.summary["tier_by_segment"], d / "tier_by_segment.csv", index=True),
        write_csv(result.summary["tier_by_grade"], d / "tier_by_grade.csv", index=True),
        write_csv(result.summary["quadrants"], d / "quadrants.csv", index=True),
        write_csv(result.intake.claims, d / "multi_segment_claims.csv"),
        write_csv(result.intake.excluded, d / "excluded.csv"),
    ]
    for name, table in result.quality.items():
        written.append(write_csv(table, d / f"data_quality_{name}.csv"))
    cj = d / "choices.json"
    cj.write_text(json.dumps(_jsonable(result.choices), ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    written.append(cj)
    return written


def _jsonable(obj: Any) -> Any:
    if isinstance(obj, Mapping):
        return {str(k): _jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_jsonable(v) for v in obj]
    if hasattr(obj, "item"):
        return obj.item()
    return obj
