"""Tests of prioanalysis.inputs.tables: reading a table and naming its rows."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from prioanalysis.errors import InputError
from prioanalysis.inputs.tables import NA_VALUES, examples, format_rows, problems_error, read_table, row_numbers


def test_read_table_errors(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="not found"):
        read_table(tmp_path / "none.csv")
    (tmp_path / "list.txt").write_text("a,b\n1,2\n", encoding="utf-8")
    with pytest.raises(InputError, match="unsupported file type"):
        read_table(tmp_path / "list.txt")
    (tmp_path / "gbk.csv").write_bytes("customer_name\n北京华信\n".encode("gbk"))
    with pytest.raises(InputError, match="UTF-8"):
        read_table(tmp_path / "gbk.csv")


def test_formats_and_their_row_numbers(tmp_path: Path) -> None:
    df = pd.DataFrame({" id ": ["a", "b"], "x": [1.5, None]})
    df.to_csv(tmp_path / "t.csv", index=False)
    df.to_excel(tmp_path / "t.xlsx", index=False)
    df.to_parquet(tmp_path / "t.parquet", index=False)
    csv, xlsx, pq = (read_table(tmp_path / f"t.{s}") for s in ("csv", "xlsx", "parquet"))
    assert list(csv.columns) == ["id", "x"] and csv["x"].tolist()[0] == "1.5"  # CSV: text, names stripped
    assert (csv.attrs["row_offset"], xlsx.attrs["row_offset"], pq.attrs["row_offset"]) == (2, 2, 1)
    assert xlsx["x"].tolist()[0] == 1.5 and csv.attrs["source"] == str(tmp_path / "t.csv")
    assert row_numbers(csv, [False, True]) == [3] and row_numbers(pq, [False, True]) == [2]


def test_missing_cell_texts(tmp_path: Path) -> None:
    p = tmp_path / "t.csv"
    p.write_text("a\n" + "\n".join(v if v else '""' for v in NA_VALUES) + "\nkept\n", encoding="utf-8-sig")
    col = read_table(p)["a"]
    assert col.isna().sum() == len(NA_VALUES) and col.iloc[-1] == "kept"


def test_message_parts() -> None:
    assert format_rows([2]) == "row 2" and format_rows([2, 5]) == "rows 2, 5"
    assert format_rows(list(range(2, 20))) == "rows 2, 3, 4, 5, 6, 7, 8, 9 and 10 more"
    assert examples(pd.Series(["x" * 100]), [True]) == repr("x" * 57 + "...")
    err = problems_error("f.csv", "outcomes", ["a", "b"])
    assert isinstance(err, InputError) and str(err) == "f.csv: 2 problem(s) in the outcomes:\n  - a\n  - b"


# --------------------------------------------------------------------------- hostile tables (issue 11)
def _workbook(path: Path, rows: list[list[object]]) -> Path:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    for row in rows:
        ws.append(row)
    wb.save(path)
    return path


def _with_cached_values(path: Path) -> Path:
    """The workbook as Excel saves it: every formula with its result (here 0).

    openpyxl writes an empty ``<v/>`` (``<v></v>`` with lxml installed) after a formula."""
    import re
    import zipfile

    parts = {}
    with zipfile.ZipFile(path) as zf:
        for name in zf.namelist():
            parts[name] = zf.read(name)
    sheet = "xl/worksheets/sheet1.xml"
    parts[sheet] = re.sub(rb"(<f>[^<]*</f>)(?:<v\s*/>|<v></v>)", rb"\1<v>0</v>", parts[sheet])
    with zipfile.ZipFile(path, "w") as zf:
        for name, data in parts.items():
            zf.writestr(name, data)
    return path


def test_csv_in_gbk_or_utf16_refused_naming_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "list.csv"
    path.write_bytes("customer_id,customer_name\nC1,abc\nC2,北京华信\n".encode("gbk"))
    with pytest.raises(InputError) as exc:
        read_table(path)
    assert str(exc.value).startswith(f"{path}: not UTF-8 text") and "line 3" in str(exc.value)
    path.write_bytes("customer_id\nC1\n".encode("utf-16"))
    with pytest.raises(InputError, match=r"not UTF-8 text \(UTF-16"):
        read_table(path)


def test_csv_with_bom_reads_its_first_header(tmp_path: Path) -> None:
    path = tmp_path / "list.csv"
    path.write_bytes(b"\xef\xbb\xbf" + "customer_id,name\nC1,北京\n".encode())
    assert list(read_table(path).columns) == ["customer_id", "name"]


def test_duplicate_csv_header_refused_naming_column_and_positions(tmp_path: Path) -> None:
    path = tmp_path / "list.csv"
    path.write_text("customer_id,it_budget,deal_size,it_budget\nC1,1,2,30\n", encoding="utf-8")
    with pytest.raises(InputError) as exc:
        read_table(path)
    msg = str(exc.value)
    assert msg.startswith(str(path)) and "'it_budget' (columns 2, 4)" in msg


def test_duplicate_header_after_stripping_spaces_refused(tmp_path: Path) -> None:
    path = tmp_path / "list.csv"
    path.write_text("customer_id,growth ,growth\nC1,1,2\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"'growth' \(columns 2, 3\)"):
        read_table(path)


def test_header_that_only_looks_renamed_is_fine(tmp_path: Path) -> None:
    path = tmp_path / "list.csv"
    path.write_text("v,v.1\n1,2\n", encoding="utf-8")
    assert list(read_table(path).columns) == ["v", "v.1"]


def test_duplicate_excel_header_refused_naming_column_letters(tmp_path: Path) -> None:
    path = _workbook(tmp_path / "list.xlsx", [["customer_id", "deal_size", "deal_size"], ["C1", 1.0, 2.0]])
    with pytest.raises(InputError, match=r"list\.xlsx: .*'deal_size' \(columns B, C\)"):
        read_table(path)


def test_excel_formula_without_saved_result_refused_naming_cells(tmp_path: Path) -> None:
    rows = [["customer_id", "it_budget", "deal_size"], ["C1", 10.0, 1.0], ["C2", "=B2*2", 2.0], ["C3", "=B2*3", 3.0]]
    path = _workbook(tmp_path / "list.xlsx", rows)
    with pytest.raises(InputError) as exc:
        read_table(path)
    msg = str(exc.value)
    assert msg.startswith(f"{path}: 2 cell(s) hold a formula without its saved result")
    assert "B3, B4 (column 'it_budget')" in msg


def test_excel_formula_with_saved_result_is_read(tmp_path: Path) -> None:
    rows = [["customer_id", "it_budget"], ["C1", 10.0], ["C2", "=B2*2"]]
    path = _with_cached_values(_workbook(tmp_path / "list.xlsx", rows))
    assert read_table(path)["it_budget"].tolist() == [10.0, 0.0]


def test_excel_true_false_among_numbers_kept_as_written(tmp_path: Path) -> None:
    """pandas reads TRUE among numbers as 1.0; the reader gives the schema True instead."""
    rows = [["customer_id", "it_budget", "won"], ["C1", 10.0, True], ["C2", True, False], ["C3", 3.5, True]]
    df = read_table(_workbook(tmp_path / "list.xlsx", rows))
    assert df["it_budget"].tolist() == [10.0, True, 3.5]
    assert df["it_budget"].map(type).tolist() == [float, bool, float]
    assert df["won"].dtype == bool  # a whole TRUE/FALSE column stays as pandas reads it


def test_workbook_without_formulas_or_booleans_is_read_as_before(tmp_path: Path) -> None:
    path = _workbook(tmp_path / "list.xlsx", [["customer_id", "x"], ["C1", 1.5], ["C2", None]])
    df = read_table(path)
    assert df["x"].dtype == float and df["x"].isna().tolist() == [False, True]
