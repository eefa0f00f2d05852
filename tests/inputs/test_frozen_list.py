"""Tests of prioanalysis.inputs.frozen_list: a published target list read back."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from prioanalysis.errors import InputError
from prioanalysis.inputs.frozen_list import FROZEN_LIST, read_frozen_list
from prioanalysis.methods.target_list import COLUMNS


def test_read_frozen_list_needs_its_columns(tmp_path: Path) -> None:
    p = tmp_path / "tl.csv"
    p.write_text("customer_id,score\nC1,0.5\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"missing required column.*tier, grade"):
        read_frozen_list(p)
    p.write_text("customer_id,score,tier,grade\nC1,abc,战略,A\n", encoding="utf-8")
    with pytest.raises(InputError, match="row 2, column 'score'"):
        read_frozen_list(p)


def test_one_schema_with_the_target_list() -> None:
    """The reader knows every column of the target-list schema, with its kind."""
    assert FROZEN_LIST.names == list(COLUMNS)
    kinds = {"float": "number", "int": "integer", "bool": "bool"}
    for name, spec in COLUMNS.items():
        if spec.kind in kinds:
            assert FROZEN_LIST.column(name).kind == kinds[spec.kind], name


def test_columns_are_typed_by_their_kind(tmp_path: Path) -> None:
    p = tmp_path / "tl.csv"
    p.write_text(
        "customer_id,score,rank,tier,grade,eligible,p_keep_tier,flags,custom\n"
        "C1,0.9,1,战略,A,True,0.95,,x\nC2,0.1,2,非目标,E,False,,review,y\n",
        encoding="utf-8",
    )
    tl = read_frozen_list(p)
    assert tl.index.tolist() == ["C1", "C2"] and tl.index.name == "customer_id"
    assert tl["rank"].dtype == np.int64 and tl["eligible"].dtype == bool and tl["score"].dtype == float
    assert tl["eligible"].tolist() == [True, False] and np.isnan(tl["p_keep_tier"].iloc[1])
    assert tl["custom"].tolist() == ["x", "y"]  # a column the schema does not know: kept


def test_a_frame_is_checked_the_same_way() -> None:
    frame = pd.DataFrame(
        {"customer_id": ["C1", "C1"], "score": [0.5, 0.4], "tier": ["a", "b"], "grade": ["A", None], "flags": ["", ""]}
    )
    frame.attrs["source"] = "db (results 2025)"
    with pytest.raises(InputError) as err:
        read_frozen_list(frame)
    msg = str(err.value)
    assert msg.startswith("db (results 2025): 2 problem(s) in the frozen list")
    assert "rows 1, 2, column 'customer_id': listed more than once ('C1')" in msg  # records count from 1
    assert "row 2, column 'grade': value is empty" in msg
    ok = read_frozen_list(frame.iloc[:1])
    assert ok["flags"].tolist() == [""]  # text kept as written


# --------------------------------------------------------------------------- hostile lists (issue 11)
def test_frozen_list_grade_and_tier_checked(tmp_path: Path) -> None:
    from prioanalysis.config.params import load_params
    from tests.conftest import PARAMS_SRC

    params = load_params(PARAMS_SRC)
    p = tmp_path / "tl.csv"
    p.write_text("customer_id,score,tier,grade\nC1,0.9,战略,A\nC2,0.5,非目标,E\n", encoding="utf-8")
    assert read_frozen_list(p, params).index.tolist() == ["C1", "C2"]
    p.write_text("customer_id,score,tier,grade\nC1,0.9,战略,F\nC2,0.5,VIP,E\n", encoding="utf-8")
    with pytest.raises(InputError) as exc:
        read_frozen_list(p, params)
    msg = str(exc.value)
    assert "row 2, column 'grade': 'F' is not a grade (expected one of A, B, C, D, E)" in msg
    assert "row 3, column 'tier': 'VIP' is not a tier of" in msg and "run.yaml" in msg
    with pytest.raises(InputError, match="'F' is not a grade"):  # grades are checked without params too
        read_frozen_list(p)


def test_frozen_list_without_rows_refused(tmp_path: Path) -> None:
    p = tmp_path / "tl.csv"
    p.write_text("customer_id,score,tier,grade\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"tl\.csv: the frozen list has no rows"):
        read_frozen_list(p)
