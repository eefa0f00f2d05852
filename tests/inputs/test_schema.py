"""Tests of prioanalysis.inputs.schema: the one input-schema mechanism."""

from __future__ import annotations

import datetime
import math
import re

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from prioanalysis.errors import InputError
from prioanalysis.inputs.schema import Check, Column, TableSchema, as_text, check, validate


def _frame(data: dict[str, list[object]], offset: int = 2, source: str = "t.csv") -> pd.DataFrame:
    df = pd.DataFrame(data, dtype=object)
    df.attrs.update(source=source, row_offset=offset)
    return df


def _msg(df: pd.DataFrame, schema: TableSchema, **kw: object) -> str:
    with pytest.raises(InputError) as err:
        validate(df, schema, **kw)
    return str(err.value)


S = TableSchema(
    "table",
    (
        Column("id", "id", required=True, nullable=False),
        Column("name", "text", required=True, nullable=False),
        Column("kind", "choice", vocabulary=("alpha", "Beta"), what="kind", fold_case=True),
        Column("grade", "scale", scale={"AAA": 3, "AA": 2, "A": 1}, scale_name="g"),
        Column("amount", "number", range=(0, 100)),
        Column("count", "integer", range=(0, None), default=0),
        Column("flag", "flag", default=0),
        Column("ok", "bool"),
        Column("day", "date"),
    ),
    key=("id",),
)


def test_kinds_convert() -> None:
    df = _frame(
        {
            "id": [" a ", "b"],
            "name": [" Ann ", "Bo"],
            "kind": ["ALPHA", "beta"],
            "grade": ["aa", "a"],
            "amount": ["12.5", " 7 "],
            "count": ["3", None],
            "flag": ["1", ""],
            "ok": ["True", "false"],
            "day": ["2025-10-01", None],
            "other": ["x", "y"],
        }
    )
    out = validate(df, S)
    assert out["id"].tolist() == ["a", "b"]
    assert out["name"].tolist() == [" Ann ", "Bo"]  # text kept as written
    assert out["kind"].tolist() == ["alpha", "Beta"]  # compared without case, spelt as the vocabulary
    assert out["grade"].tolist() == ["AA", "A"]  # the key as the scale writes it
    assert out["amount"].tolist() == [12.5, 7.0]
    assert out["count"].tolist() == [3, 0] and out["count"].dtype == np.int64  # default filled
    assert out["flag"].tolist() == [1, 0] and out["flag"].dtype == np.int64
    assert out["ok"].tolist() == [True, False]
    assert out["day"].iloc[0] == pd.Timestamp("2025-10-01") and pd.isna(out["day"].iloc[1])
    assert out["other"].tolist() == ["x", "y"]  # undeclared: as read
    assert list(out.columns) == list(df.columns) and out.attrs["source"] == "t.csv"


def test_scale_accepts_numbers_written_any_way() -> None:
    s = TableSchema("t", (Column("r", "scale", scale={"1": 1, "2": 2}, scale_name="r"),))
    assert validate(_frame({"r": ["1", 2.0, " 2 ", "1.0", None]}), s)["r"].tolist()[:4] == ["1", "2", "2", "1"]


def test_every_problem_in_one_message_with_rows_and_columns() -> None:
    df = _frame(
        {
            "id": ["a", "a", None],
            "name": ["x", " ", "z"],
            "kind": ["gamma", "alpha", "alpha"],
            "grade": ["B", "A", "A"],
            "amount": ["abc", "101", "-1"],
            "count": ["1.5", "2", "-3"],
            "flag": ["2", "yes", "0"],
            "ok": ["maybe", "True", "1"],
            "day": ["2025-02-30", "2025/1/1", "2025-01-01"],
        }
    )
    msg = _msg(df, S)
    assert msg.startswith("t.csv: 12 problem(s) in the table:\n")
    for needle in (
        "row 4, column 'id': value is empty",
        "row 3, column 'name': value is empty",
        "row 2, column 'kind': 'gamma' is not a known kind (expected one of alpha, Beta)",
        "row 2, column 'grade': 'B' is not on scale 'g' (expected one of AAA, AA, A)",
        "row 2, column 'amount': 'abc' is not a number",
        "rows 3, 4, column 'amount': '101', '-1' is outside the valid range [0, 100]",
        "row 2, column 'count': '1.5' is not a whole number",
        "row 4, column 'count': '-3' is below 0",
        "rows 2, 3, column 'flag': '2', 'yes' is not 0 or 1",
        "row 2, column 'ok': 'maybe' is not True or False",
        "rows 2, 3, column 'day': '2025-02-30', '2025/1/1' is not a date (expected YYYY-MM-DD)",
        "rows 2, 3, column 'id': listed more than once ('a')",
    ):
        assert needle in msg, needle
    assert not re.search(r"Traceback|dtype|Series|nan", msg)


def test_half_open_ranges_say_which_side() -> None:
    s = TableSchema("t", (Column("lo", "number", range=(0, None)), Column("hi", "number", range=(None, 5))))
    msg = _msg(_frame({"lo": ["-0.5"], "hi": ["6"]}), s)
    assert "column 'lo': '-0.5' is below 0" in msg and "column 'hi': '6' is above 5" in msg


def test_infinite_and_huge_numbers() -> None:
    s = TableSchema("t", (Column("x", "number"), Column("n", "integer")))
    with np.errstate(all="ignore"):
        msg = _msg(_frame({"x": ["inf", "1e400", "1e300"], "n": ["1e30", "2", "3"]}), s)
    assert "rows 2, 3, column 'x': 'inf', '1e400' is not a number" in msg
    assert "column 'n'" not in msg  # 1e30 is a whole number


def test_missing_required_columns_are_reported_at_once() -> None:
    msg = _msg(_frame({"name": ["x"]}), S)
    assert msg == "t.csv: missing required column(s): id (found: name)"


def test_absent_optional_columns() -> None:
    out = validate(_frame({"id": ["a"], "name": ["x"]}), S)
    assert out["count"].tolist() == [0] and out["flag"].tolist() == [0]  # a default: added
    assert "amount" not in out.columns  # no default: not added


def test_rows_beyond_eight_are_counted() -> None:
    df = _frame({"id": [str(i) for i in range(12)], "name": ["n"] * 12, "amount": ["x"] * 12})
    assert "rows 2, 3, 4, 5, 6, 7, 8, 9 and 4 more, column 'amount'" in _msg(df, S)


def test_row_offset_of_the_source() -> None:
    """Parquet and database tables count records from 1, CSV and Excel from line 2."""
    msg = _msg(_frame({"id": ["a"], "name": [None]}, offset=1), S)
    assert "row 1, column 'name'" in msg


def test_nul_characters_are_refused() -> None:
    msg = _msg(_frame({"id": ["a"], "name": ["bad\x00name"]}), S)
    assert "row 2, column 'name': contains a NUL character" in msg and "value is empty" not in msg


def test_compound_key_and_consistent_columns() -> None:
    s = TableSchema(
        "list",
        (Column("id", "id", required=True), Column("seg", "id", required=True), Column("name", "text")),
        key=("id", "seg"),
        consistent=(("id", "name"),),
    )
    msg = _msg(_frame({"id": ["c1", "c1", "c1", "c2"], "seg": ["a", "a", "b", "a"], "name": ["X", "X", "Y", "Z"]}), s)
    assert "rows 2, 3, columns 'id'+'seg': listed more than once ('c1')" in msg
    assert "rows 2, 3, 4, column 'name': the same id has different values on different rows ('c1')" in msg


def test_excel_cells_read_as_the_analyst_wrote_them() -> None:
    cells = pd.Series([123.0, 1.5, pd.Timestamp("2025-10-01"), True, None], dtype=object)
    assert as_text(cells).tolist()[:4] == ["123", "1.5", "2025-10-01", "True"]
    df = _frame({"id": [123.0, 7.0], "name": ["a", "b"], "day": [pd.Timestamp("2025-10-01"), None]})
    out = validate(df, S)
    assert out["id"].tolist() == ["123", "7"]
    assert out["day"].iloc[0] == pd.Timestamp("2025-10-01")


def test_numeric_columns_of_excel_and_parquet() -> None:
    df = pd.DataFrame({"id": ["a", "b"], "name": ["x", "y"], "amount": [1.5, np.nan], "count": [2, 3]})
    out = validate(df, S)
    assert out["amount"].tolist()[0] == 1.5 and math.isnan(out["amount"].iloc[1])
    assert out["count"].tolist() == [2, 3]


def test_record_mode_names_fields() -> None:
    s = TableSchema("inquiry", (Column("date", "date", required=True, nullable=False), Column("n", "integer")))
    with pytest.raises(InputError) as err:
        validate(_frame({"date": ["2025-13-01"], "n": ["x"]}), s, "inquiry", record=True)
    msg = str(err.value)
    assert msg.startswith("inquiry: 2 problem(s) in the values given:")
    assert "field 'date': '2025-13-01' is not a date" in msg and "field 'n': 'x' is not a whole number" in msg
    with pytest.raises(InputError, match="missing required field"):
        validate(_frame({"n": ["1"]}), s, "inquiry", record=True)


def test_further_checks() -> None:
    s = TableSchema(
        "t",
        (Column("x", "number", checks=(Check(lambda v: v <= -1, "log1p needs values above -1 (got {examples})"),)),),
    )
    assert "row 3, column 'x': log1p needs values above -1 (got '-2')" in _msg(_frame({"x": ["0", "-2"]}), s)


def test_check_lets_the_caller_add_problems() -> None:
    df = _frame({"id": ["a", "b"], "name": ["x", "y"]})
    out, problems = check(df, S)
    assert not problems and out["id"].tolist() == ["a", "b"]
    problems.add(np.array([False, True]), "id", "'b' is not a known customer")
    with pytest.raises(InputError, match=r"t.csv: 1 problem\(s\) in the table:\n  - row 3, column 'id': 'b' is not"):
        problems.raise_if_any()


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"kind": "colour"}, "unknown kind"),
        ({"kind": "choice"}, "needs a vocabulary"),
        ({"kind": "scale"}, "needs its scale"),
        ({"kind": "text", "range": (0, 1)}, "numbers only"),
    ],
)
def test_bad_declarations_are_refused(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        Column("c", **kwargs)  # type: ignore[arg-type]


def test_schema_declarations_are_checked() -> None:
    with pytest.raises(ValueError, match="declared twice"):
        TableSchema("t", (Column("a"), Column("a")))
    with pytest.raises(ValueError, match="key column 'b'"):
        TableSchema("t", (Column("a"),), key=("b",))


def test_describe_lists_what_is_expected() -> None:
    d = S.describe().set_index("column")
    assert d.loc["amount", "expected"] == "a number in [0, 100]"
    assert d.loc["count", "expected"] == "a whole number >= 0"
    assert d.loc["kind", "expected"] == "one of alpha, Beta"
    assert bool(d.loc["id", "required"]) and not bool(d.loc["id", "may_be_empty"])


# --------------------------------------------------------------------------- properties
_VALID = st.fixed_dictionaries(
    {
        "amount": st.one_of(st.none(), st.floats(0, 100, allow_nan=False)),
        "count": st.one_of(st.none(), st.integers(0, 10**9)),
        "flag": st.sampled_from([None, 0, 1]),
        "day": st.one_of(st.none(), st.dates(datetime.date(2000, 1, 1), datetime.date(2100, 12, 31))),
    }
)


def _cell(v: object) -> object:
    if v is None:
        return None
    if isinstance(v, float):
        return repr(v)
    return str(v)


@settings(max_examples=60, deadline=None)
@given(rows=st.lists(_VALID, min_size=1, max_size=25), bad=st.data())
def test_valid_tables_round_trip_and_one_bad_cell_is_found(rows: list[dict[str, object]], bad: st.DataObject) -> None:
    df = _frame(
        {
            "id": [f"c{i}" for i in range(len(rows))],
            "name": ["n"] * len(rows),
            **{c: [_cell(r[c]) for r in rows] for c in ("amount", "count", "flag", "day")},
        }
    )
    out = validate(df, S)
    for i, r in enumerate(rows):
        amount = out["amount"].iloc[i] if "amount" in out else None
        assert (r["amount"] is None and math.isnan(amount)) or amount == r["amount"]
        assert out["count"].iloc[i] == (r["count"] if r["count"] is not None else 0)
        assert out["flag"].iloc[i] == (r["flag"] if r["flag"] is not None else 0)
        day = out["day"].iloc[i]
        assert (r["day"] is None and pd.isna(day)) or day == pd.Timestamp(r["day"])
    i = bad.draw(st.integers(0, len(rows) - 1))
    col, value = bad.draw(st.sampled_from([("amount", "-1"), ("count", "0.5"), ("flag", "3"), ("day", "2025-13-01")]))
    df.loc[i, col] = value
    msg = _msg(df, S)
    assert f"row {i + 2}, column '{col}': '{value}'" in msg and "1 problem(s)" in msg


# --------------------------------------------------------------------------- hostile cells (issue 11)
NUMS = TableSchema(
    "list",
    (
        Column("id", "id", required=True, nullable=False),
        Column("x", "number"),
        Column("n", "integer"),
        Column("won", "flag"),
        Column("name", "text"),
        Column("stage", "choice", vocabulary=("closed", "open")),
    ),
)


def test_true_false_text_in_a_number_column_named_as_such() -> None:
    msg = _msg(_frame({"id": ["a", "b", "c"], "x": ["1.5", "TRUE", "false"]}), NUMS)
    assert "rows 3, 4, column 'x': 'TRUE', 'false' is a TRUE/FALSE cell, not a number" in msg


def test_boolean_cells_in_number_columns_refused() -> None:
    """A column pandas typed as booleans (Excel/Parquet TRUE/FALSE) is not numbers: never 1/0."""
    df = pd.DataFrame({"id": ["a", "b"], "x": [True, False], "n": [True, True]})
    df.attrs.update(source="t.xlsx", row_offset=2)
    msg = _msg(df, NUMS)
    assert "rows 2, 3, column 'x': holds TRUE/FALSE cells, not numbers" in msg
    assert "rows 2, 3, column 'n': holds TRUE/FALSE cells, not whole numbers" in msg


def test_boolean_objects_among_numbers_refused_naming_rows() -> None:
    df = _frame({"id": ["a", "b", "c"], "x": [1.5, True, 2.0]})
    assert "row 3, column 'x': 'True' is a TRUE/FALSE cell, not a number" in _msg(df, NUMS)


def test_flag_column_of_booleans_is_still_a_flag() -> None:
    df = pd.DataFrame({"id": ["a", "b"], "won": [True, False]})
    assert validate(df, NUMS)["won"].tolist() == [1, 0]


@pytest.mark.parametrize("ch", ["\x1b", "\x07", "\x7f", "\x9b", "\x0c"])
def test_control_characters_in_text_refused_naming_row_and_column(ch: str) -> None:
    msg = _msg(_frame({"id": ["a", "b"], "name": ["ok", f"red{ch}[31m"]}), NUMS)
    assert f"row 3, column 'name': contains a control character (\\x{ord(ch):02x})" in msg


def test_tab_and_newline_are_text() -> None:
    out = validate(_frame({"id": ["a"], "name": ["two\tparts\nand lines\r\n"]}), NUMS)
    assert out["name"].tolist() == ["two\tparts\nand lines\r\n"]


def test_control_characters_in_choice_and_undeclared_columns_refused() -> None:
    df = _frame({"id": ["a", "b"], "stage": ["closed", "open\x00"], "notes": ["fine", "bell\x07"]})
    msg = _msg(df, NUMS)
    assert "row 3, column 'stage': contains a NUL character" in msg
    assert "row 3, column 'notes': contains a control character (\\x07)" in msg
