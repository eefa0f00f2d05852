"""Writing a run's tables: CSV files and the target-list workbook.

CSV files are written reproducibly — UTF-8, ``\\n`` line ends, numbers rounded to a
fixed number of decimals — so the same inputs and parameters give byte-identical
tables. The workbook has a sheet for the whole list, one per segment, and the
data-quality tables; Chinese text works in sheet names and cells.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from prioanalysis.steps.ranking import RankingResult

__all__ = ["write_csv", "write_ranking_tables", "write_target_workbook", "DECIMALS"]

#: Decimals kept for floating-point columns in CSV tables.
DECIMALS = 6
_SHEET_FORBIDDEN = str.maketrans({c: "_" for c in "[]:*?/\\"})


def write_csv(frame: pd.DataFrame, path: str | Path, index: bool = False) -> Path:
    """Write a table reproducibly (rounded floats, UTF-8, ``\\n`` line ends)."""
    p = Path(path)
    p.parent.mkdir(parents=True, exist_ok=True)
    frame.round(DECIMALS).to_csv(p, index=index, lineterminator="\n", encoding="utf-8")
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
    with pd.ExcelWriter(p, engine="openpyxl") as xw:
        for name, frame in sheets:
            sheet = _sheet_name(name, used)
            frame.to_excel(xw, sheet_name=sheet, index=False)
            ws = xw.sheets[sheet]
            _no_formulas(ws, frame)
            ws.freeze_panes = "A2"
            head = frame.head(200).astype(str)
            for i, col in enumerate(frame.columns):
                width = max(len(str(col)), int(head[col].str.len().max() if len(head) else 0))
                letter = ws.cell(row=1, column=i + 1).column_letter
                ws.column_dimensions[letter].width = min(max(8, width * 1.2 + 2), 48)
    return p


def _no_formulas(ws: Any, frame: pd.DataFrame) -> None:
    """Keep text that starts with "=" as text: a customer name must never become a
    spreadsheet formula (formula injection)."""
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
