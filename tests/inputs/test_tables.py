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
