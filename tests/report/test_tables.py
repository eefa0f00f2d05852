"""Tables and the workbook of a ranking run."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from prioanalysis.config.params import load_params
from prioanalysis.report import tables as outputs
from prioanalysis.steps.ranking import run_ranking

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def result():
    return run_ranking(load_params(ROOT / "params" / "2026"))


def test_write_csv_rounds_and_uses_unix_newlines(tmp_path: Path) -> None:
    p = outputs.write_csv(pd.DataFrame({"名称": ["甲"], "x": [1 / 3]}), tmp_path / "t.csv")
    assert p.read_bytes() == "名称,x\n甲,0.333333\n".encode()


def test_tables_identical_when_written_twice(result, tmp_path: Path) -> None:
    a = outputs.write_ranking_tables(result, tmp_path / "a")
    b = outputs.write_ranking_tables(result, tmp_path / "b")
    assert [p.name for p in a] == [p.name for p in b]
    for pa_, pb in zip(a, b):
        assert pa_.read_bytes() == pb.read_bytes(), pa_.name


def test_contributions_sum_to_scores_in_written_tables(result, tmp_path: Path) -> None:
    outputs.write_ranking_tables(result, tmp_path)
    contrib = pd.read_csv(tmp_path / "tables" / "contributions.csv", index_col="customer_id")
    tl = pd.read_csv(tmp_path / "tables" / "target_list.csv", index_col="customer_id")
    diff = (contrib.sum(axis=1) - tl["score"].reindex(contrib.index)).abs()
    assert diff.max() < 1e-5  # both rounded to 6 decimals


def test_workbook_has_a_sheet_per_segment(result, tmp_path: Path) -> None:
    labels = {"government": "政府", "finance": "金融", "telecom": "电信"}
    path = outputs.write_target_workbook(result, tmp_path / "list.xlsx", labels, all_label="全部")
    book = pd.ExcelFile(path)
    assert book.sheet_names[:4] == ["全部", "政府", "金融", "电信"]
    assert any(s.startswith("dq_") for s in book.sheet_names)
    fin = pd.read_excel(book, "金融")
    assert len(fin) == (result.target_list["segment"] == "finance").sum()
    assert fin["customer_name"].str.contains("[\u4e00-\u9fff]").all()


def test_sheet_names_are_valid_and_unique() -> None:
    used: set[str] = set()
    a = outputs._sheet_name("a/b:c*d?[e]" + "x" * 40, used)
    b = outputs._sheet_name("a/b:c*d?[e]" + "x" * 40, used)
    assert len(a) <= 31 and len(b) <= 31 and a != b
    assert not set("[]:*?/\\") & set(a)


def test_hostile_names_stay_text_in_the_workbook(result, tmp_path: Path) -> None:
    import dataclasses

    from openpyxl import load_workbook

    hostile = ['=HYPERLINK("http://x","点我")', "<script>alert(1)</script>", 'O\'Brien "x"; DROP TABLE t;--', "😀" * 50]
    tl = result.target_list.copy()
    tl.loc[: len(hostile) - 1, "customer_name"] = hostile
    path = outputs.write_target_workbook(
        dataclasses.replace(result, target_list=tl), tmp_path / "h.xlsx", {"government": "政府"}
    )
    ws = load_workbook(path)["全部"]
    col = [c.value for c in ws[1]].index("customer_name") + 1
    cells = [ws.cell(row=r, column=col) for r in range(2, 2 + len(hostile))]
    assert [c.value for c in cells] == hostile
    assert all(c.data_type == "s" for c in cells)  # never a formula


def test_fast_rows_are_the_cells_openpyxl_writes(result, tmp_path: Path, monkeypatch) -> None:
    """The fast row writer gives the workbook openpyxl gives: values, types, styles, sheets."""
    import dataclasses

    import numpy as np
    from openpyxl import load_workbook

    tl = result.target_list.copy()
    odd = ["=SUM(A1)", "<b>&amp;</b>", "  padded ", "#N/A", "=", "", "a\nb\tc", "😀"]
    tl.loc[: len(odd) - 1, "customer_name"] = odd
    tl["gappy"] = tl["score"].where(tl.index % 3 != 0)
    tl.loc[1, "gappy"] = np.inf
    tl["mixed"] = pd.Series([None, 1, 2.5, True, "x"] * len(tl), dtype=object).iloc[: len(tl)].to_numpy()
    tl["maybe"] = pd.array([True, None] * len(tl), dtype="boolean")[: len(tl)]
    res = dataclasses.replace(result, target_list=tl)
    labels = {"government": "政府", "finance": "金融"}
    assert outputs._fast_writable(tl)
    fast = load_workbook(outputs.write_target_workbook(res, tmp_path / "fast.xlsx", labels))
    monkeypatch.setattr(outputs, "_fast_writable", lambda frame: False)
    slow = load_workbook(outputs.write_target_workbook(res, tmp_path / "slow.xlsx", labels))
    assert fast.sheetnames == slow.sheetnames
    for name in slow.sheetnames:
        a, b = slow[name], fast[name]
        assert (a.dimensions, a.freeze_panes) == (b.dimensions, b.freeze_panes)
        widths = [{k: v.width for k, v in ws.column_dimensions.items()} for ws in (a, b)]
        assert widths[0] == widths[1]
        cells_a = [(c.value, c.data_type, c.style_id) for row in a.iter_rows() for c in row]
        cells_b = [(c.value, c.data_type, c.style_id) for row in b.iter_rows() for c in row]
        assert cells_a == cells_b


def test_text_openpyxl_rejects_takes_the_openpyxl_path() -> None:
    assert not outputs._fast_writable(pd.DataFrame({"name": ["ok", "bad\x01"]}))
    assert not outputs._fast_writable(pd.DataFrame({"when": pd.to_datetime(["2026-01-01"])}))
    assert outputs._fast_writable(pd.DataFrame({"name": pd.array(["ok", None], dtype="string"), "x": [1.0, None]}))


def test_workbook_with_a_text_column_missing_everywhere(result, tmp_path: Path) -> None:
    """A short list whose text column is empty for every customer (``pd.NA`` in a string
    column) once made the column-width measure fail with "cannot convert float NaN"."""
    import dataclasses

    from openpyxl import load_workbook

    tl = result.target_list.head(29).copy()
    tl["customer_name"] = pd.Series(pd.NA, index=tl.index, dtype="string")
    path = outputs.write_target_workbook(
        dataclasses.replace(result, target_list=tl), tmp_path / "na.xlsx", {"government": "政府"}
    )
    ws = load_workbook(path)["全部"]
    assert ws.max_row == 1 + len(tl)
