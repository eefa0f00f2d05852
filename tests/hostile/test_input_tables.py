"""Hostile preliminary lists: each refused by the run's preflight (exit 2, the file, row
and column named, nothing written) instead of a silent wrong answer or a failed run."""

from __future__ import annotations

import csv
from typing import Any

import pandas as pd
import pytest

from tests.conftest import COLUMNS
from tests.hostile.conftest import Project, assert_mentions, assert_no_traceback, files_under

RUN_20 = ("run", "--notebook", "20_ranking", "--input")


def _set(frame: pd.DataFrame, customer: str, column: str, value: object) -> pd.DataFrame:
    frame = frame.astype({column: object})
    frame.loc[frame["customer_id"] == customer, column] = value
    return frame


def _workbook(frame: pd.DataFrame) -> Any:
    """The list as an openpyxl workbook (one sheet, a header row)."""
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(list(frame.columns))
    for row in frame.itertuples(index=False):
        ws.append([None if v is None or (isinstance(v, float) and pd.isna(v)) else v for v in row])
    return wb


# ------------------------------------------------------------------ checked too late
def test_header_only_list(project: Project) -> None:
    path = project.write_text("header_only.csv", ",".join(COLUMNS) + "\n")
    project.refused(*RUN_20, path.name, mentions=["header_only.csv"])


def test_column_empty_for_everyone(project: Project, tiny_list: pd.DataFrame) -> None:
    tiny_list["deal_size"] = None
    path = project.write_list(tiny_list, "empty_column.csv")
    project.refused(*RUN_20, path.name, mentions=["empty_column.csv", "deal_size"])


def test_nul_characters(project: Project, tiny_list: pd.DataFrame) -> None:
    path = project.write_list(_set(tiny_list, "C2", "customer_name", "上海浦东\x00发展银行分行"), "nul.csv")
    assert b"\x00" in path.read_bytes()
    project.refused(
        *RUN_20, path.name, mentions=["nul.csv", ("customer_name", "NUL", "null", "\\x00", "control")]
    )  # fmt: skip


# ------------------------------------------------------------------ silent wrong answers
def test_excel_formula_without_cached_value(project: Project, tiny_list: pd.DataFrame) -> None:
    """openpyxl writes a formula with no cached value (as any tool that never recalculated):
    read as missing, it would be imputed and the customer silently change tier."""
    wb = _workbook(tiny_list)
    ws = wb.active
    col = chr(ord("A") + COLUMNS.index("it_budget"))  # it_budget of C2: sheet row 3
    ws[f"{col}3"] = f"={col}2*2"
    path = project.root / "formula.xlsx"
    wb.save(path)
    project.refused(*RUN_20, path.name, mentions=["formula.xlsx", "formula", (f"{col}3", "it_budget")])


def test_duplicate_column_header(project: Project, tiny_list: pd.DataFrame) -> None:
    tiny_list.insert(len(tiny_list.columns), "it_budget", tiny_list["it_budget"] * 10, allow_duplicates=True)
    path = project.write_list(tiny_list, "duplicate_header.csv")
    assert path.read_text(encoding="utf-8").splitlines()[0].count("it_budget") == 2
    project.refused(*RUN_20, path.name, mentions=["duplicate_header.csv", "it_budget"])


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_true_in_a_numeric_cell(project: Project, tiny_list: pd.DataFrame, fmt: str) -> None:
    """``TRUE`` typed into it_budget: text in a CSV, a boolean cell in a workbook — never read as 1."""
    frame = _set(tiny_list, "C3", "it_budget", "TRUE" if fmt == "csv" else True)
    name = f"true_cell.{fmt}"
    if fmt == "csv":
        project.write_list(frame, name)
    else:
        _workbook(frame).save(project.root / name)
    project.refused(*RUN_20, name, mentions=[name, "it_budget", "TRUE"])


@pytest.mark.parametrize(
    ("column", "value"), [("owner_id", "O999"), ("region", "atlantis"), ("pipeline_stage", "maybe_later")]
)
def test_unknown_owner_region_or_stage(project: Project, tiny_list: pd.DataFrame, column: str, value: str) -> None:
    path = project.write_list(_set(tiny_list, "C1", column, value), f"unknown_{column}.csv")
    project.refused(*RUN_20, path.name, mentions=[f"unknown_{column}.csv", column, value])


def test_multi_segment_claims_with_conflicting_facts(project: Project, tiny_list: pd.DataFrame) -> None:
    """C1 claimed by government and by finance, the two claims disagreeing on the customer's
    region and credit grade: reported (naming the customer and the facts), never resolved silently."""
    claim = tiny_list[tiny_list["customer_id"] == "C1"].copy()
    claim["segment"], claim["region"], claim["credit_grade"] = "finance", "south", "CCC"
    path = project.write_list(pd.concat([tiny_list, claim], ignore_index=True), "conflicting_claims.csv")
    before = project.snapshot()
    result = project.cli("validate", "--input", path.name)
    assert result.returncode in (0, 2), str(result)
    assert_no_traceback(result)
    assert_mentions(result, ["C1", ("region", "credit_grade")])
    assert project.snapshot() == before


# ------------------------------------------------------------------ formulas in CSV output
def test_hyperlink_cells_do_not_reach_output_csvs(project: Project, tiny_list: pd.DataFrame) -> None:
    """A cell ``=HYPERLINK(...)`` in the input is either refused, or written to the output
    CSV tables defused (never verbatim as a formula a spreadsheet would run)."""
    formula = '=HYPERLINK("http://evil.example/x","点我")'
    path = project.fast().write_list(_set(tiny_list, "C1", "customer_name", formula), "hyperlink.csv")
    result = project.cli(*RUN_20, str(path))
    assert_no_traceback(result)
    if result.returncode == 2:
        assert_mentions(result, ["hyperlink.csv", "customer_name"])
        assert not files_under(project.outputs, "*"), "a refused run wrote files"
        return
    assert result.returncode == 0, str(result)
    written = files_under(project.outputs, "*.csv")
    assert any(p.name == "target_list.csv" for p in written), str(result)
    for p in written:
        with p.open(encoding="utf-8-sig", newline="") as fh:
            for row in csv.reader(fh):
                for cell in row:
                    assert not cell.startswith(("=", "+", "@")), f"{p.name}: formula cell {cell!r}"
