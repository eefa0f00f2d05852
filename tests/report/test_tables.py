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


def _params(lang: str = "zh"):
    import dataclasses

    p = load_params(ROOT / "params" / "2026")
    run = p.run.model_copy(update={"report": p.run.report.model_copy(update={"language": lang})})
    return dataclasses.replace(p, run=run)


@pytest.fixture(scope="module")
def assigned(result):
    from prioanalysis.steps.robustness import add_assignment

    return add_assignment(result, _params())


def test_workbook_is_what_account_managers_work_from(assigned, tmp_path: Path) -> None:
    """Read back as a reader's spreadsheet would: sheets, headers, frozen pane, filter,
    formats, print set-up, widths, the assigned owner, the title."""
    from openpyxl import load_workbook

    params = _params()
    path = outputs.write_target_workbook(assigned, tmp_path / "list.xlsx", params)
    book = load_workbook(path)
    labels = [s.label for s in params.run.segments.values()]
    assert book.sheetnames == [*labels, "非目标客户", "说明"]
    assert book.properties.title == "2026年度目标客户分级名单——客户经理工作簿"
    tl = assigned.target_list
    owners = pd.read_csv(ROOT / "data" / "sample" / "owners.csv").set_index("owner_id")["owner_name"]
    for seg, label in zip(params.run.segments, labels, strict=True):
        ws = book[label]
        header = [c.value for c in ws[1]]
        assert header[:4] == ["客户名称", "层级", "负责人（本年分配）", "分配状态"]
        assert ws.freeze_panes == "B2" and ws.print_title_rows == "$1:$1"
        part = tl[(tl["segment"] == seg) & (tl["tier"] != "非目标")]
        assert ws.max_row == 1 + len(part)  # the segment's targets only
        assert ws.auto_filter.ref == f"A1:{ws.cell(1, len(header)).column_letter}{1 + len(part)}"
        assert ws.page_setup.orientation == "landscape" and ws.page_setup.paperSize == 9  # A4
        assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.page_setup.fitToHeight == 0
        rows = list(ws.iter_rows(min_row=2, values_only=True))
        assert [r[0] for r in rows] == part["customer_name"].tolist()
        # the owner named is the assigned one (its name from owners.csv), for every target
        assert [r[2] for r in rows] == part["assigned_owner_id"].map(owners).tolist()
        assert {r[3] for r in rows} == {"已分配"}
    ws = book["政府"]
    header = [c.value for c in ws[1]]
    fmt = {h: ws.cell(2, j + 1).number_format for j, h in enumerate(header)}
    assert fmt["得分"] == "0.000" and fmt["数据完整度"] == "0%" and fmt["可获得交易规模（万元）"] == "#,##0"
    width = {h: ws.column_dimensions[ws.cell(1, j + 1).column_letter].width for j, h in enumerate(header)}
    longest = max(outputs.display_width(n) for n in tl.loc[tl["segment"] == "government", "customer_name"])
    assert width["客户名称"] >= longest  # a CJK character counts two
    assert ws.cell(2, 2).fill.fgColor.rgb.endswith(outputs.TIER_COLOURS[0].lstrip("#"))
    nt = book["非目标客户"]
    nt_header = [c.value for c in nt[1]]
    reasons = {r[nt_header.index("未列为目标的原因")] for r in nt.iter_rows(min_row=2, values_only=True)}
    assert "得分低于层级划分线" in reasons and "below the tier cut-off" not in reasons
    assert nt.max_row == 1 + (tl["tier"] == "非目标").sum()


def test_workbook_in_english(assigned, tmp_path: Path) -> None:
    from openpyxl import load_workbook

    book = load_workbook(outputs.write_target_workbook(assigned, tmp_path / "en.xlsx", _params("en")))
    assert book.sheetnames[-2:] == ["Not targeted", "Legend"]
    ws = book["政府"]  # segment labels are the run's own words
    assert [c.value for c in ws[1]][:4] == ["Customer", "Tier", "Assigned owner", "Assignment"]
    assert {c.value for c in ws["D"][1:]} == {"Assigned"}


def test_display_width_counts_cjk_twice() -> None:
    assert outputs.display_width("华信") == 4 and outputs.display_width("ab") == 2
    assert outputs.display_width("ＡＢ") == 4  # full-width Latin too


def test_sheet_names_are_valid_and_unique() -> None:
    used: set[str] = set()
    a = outputs._sheet_name("a/b:c*d?[e]" + "x" * 40, used)
    b = outputs._sheet_name("a/b:c*d?[e]" + "x" * 40, used)
    c = outputs._sheet_name("A/B:C*D?[E]" + "X" * 40, used)  # Excel compares names case-blind
    assert len(a) <= 31 and len(b) <= 31 and len({a, b, c.lower()}) == 3
    assert not set("[]:*?/\\") & set(a)


def test_hostile_names_stay_text_in_the_workbook(assigned, tmp_path: Path) -> None:
    import dataclasses

    from openpyxl import load_workbook

    hostile = [
        '=HYPERLINK("http://x","点我")',
        "+1+2",
        "-3+cmd|' /C calc'!A0",
        "@SUM(A1)",
        "<script>alert(1)</script>",
        'O\'Brien "x"; DROP TABLE t;--',
        "http://evil.example/x",
        "😀" * 50,
        "bad\x01char",
    ]
    tl = assigned.target_list.copy()
    gov = tl.index[(tl["segment"] == "government") & (tl["tier"] != "非目标")][: len(hostile)]
    tl.loc[gov, "customer_name"] = hostile
    path = outputs.write_target_workbook(dataclasses.replace(assigned, target_list=tl), tmp_path / "h.xlsx", _params())
    ws = load_workbook(path)["政府"]
    cells = [ws.cell(row=r, column=1) for r in range(2, 2 + len(hostile))]
    assert [c.value for c in cells] == [*hostile[:-1], "badchar"]
    assert all(c.data_type == "s" for c in cells)  # never a formula
    assert not ws._hyperlinks  # nor a link


def test_workbook_with_a_text_column_missing_everywhere(assigned, tmp_path: Path) -> None:
    """A short list whose text column is empty for every customer (``pd.NA`` in a string column)."""
    import dataclasses

    from openpyxl import load_workbook

    tl = assigned.target_list.head(29).copy()
    tl["customer_name"] = pd.Series(pd.NA, index=tl.index, dtype="string")
    path = outputs.write_target_workbook(dataclasses.replace(assigned, target_list=tl), tmp_path / "na.xlsx", _params())
    ws = load_workbook(path)["政府"]
    assert ws.max_row == 1 + ((tl["segment"] == "government") & (tl["tier"] != "非目标")).sum()


def test_fast_rows_are_the_cells_xlsxwriter_writes(assigned, tmp_path: Path) -> None:
    """The streamed rows give the workbook the per-cell XlsxWriter calls give: values,
    types, number formats, fills, dimensions, filters and panes, sheet by sheet."""
    import dataclasses

    import numpy as np
    from openpyxl import load_workbook

    tl = assigned.target_list.copy()
    odd = ["=SUM(A1)", "<b>&amp;</b>", "  padded ", "#N/A", "=", "a\nb\tc", "😀", "_x0041_ literal", "ctl\x02x"]
    gov = tl.index[(tl["segment"] == "government") & (tl["tier"] != "非目标")][: len(odd)]
    tl.loc[gov, "customer_name"] = odd
    tl["score"] = tl["score"].where(tl.index % 7 != 0)  # gaps in a number column
    tl.loc[gov[0], "deal_size"] = np.inf
    tl["review"] = tl["score"].fillna(0) > 0.5
    res = dataclasses.replace(assigned, target_list=tl)
    fast = load_workbook(outputs.write_target_workbook(res, tmp_path / "fast.xlsx", _params(), fast=True))
    slow = load_workbook(outputs.write_target_workbook(res, tmp_path / "slow.xlsx", _params(), fast=False))
    assert fast.sheetnames == slow.sheetnames
    for name in slow.sheetnames:
        a, b = slow[name], fast[name]
        assert (a.dimensions, a.freeze_panes, a.auto_filter.ref) == (b.dimensions, b.freeze_panes, b.auto_filter.ref)
        cells_a = [(c.value, c.data_type, c.number_format, c.fill.fgColor.rgb) for row in a.iter_rows() for c in row]
        cells_b = [(c.value, c.data_type, c.number_format, c.fill.fgColor.rgb) for row in b.iter_rows() for c in row]
        assert cells_a == cells_b, name
