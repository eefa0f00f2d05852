"""Tests of prioanalysis.inputs.outcomes: the one way outcomes are read."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from prioanalysis.errors import InputError
from prioanalysis.inputs.outcomes import OUTCOMES, read_outcomes, validate_outcomes
from tests.conftest import ROOT


def test_read_outcomes_reports_rows(tmp_path: Path) -> None:
    p = tmp_path / "outcomes.csv"
    p.write_text("customer_id,won,revenue,days_to_close\nC1,1,10.5,20\nC2,2,-1,\nC1,0,0,x\n", encoding="utf-8")
    with pytest.raises(InputError) as err:
        read_outcomes(p)
    msg = str(err.value)
    assert "outcomes.csv" in msg
    assert "rows 2, 4, column 'customer_id': listed more than once" in msg
    assert "row 3, column 'won': '2' is not 0 or 1" in msg
    assert "row 3, column 'revenue'" in msg
    assert "row 4, column 'days_to_close'" in msg


def test_read_outcomes_defaults(tmp_path: Path) -> None:
    p = tmp_path / "outcomes.csv"
    p.write_text("customer_id,won\nC1,1\nC2,0\n", encoding="utf-8")
    o = read_outcomes(p)
    assert o["won"].tolist() == [1, 0] and o["revenue"].tolist() == [0.0, 0.0]
    assert o["days_to_close"].isna().all()


def test_the_sample_outcomes() -> None:
    o = read_outcomes(ROOT / "data" / "sample" / "outcomes_2025.csv")
    raw = pd.read_csv(ROOT / "data" / "sample" / "outcomes_2025.csv")
    assert o.index.is_unique and o.index.name == "customer_id" and len(o) == len(raw)
    assert o["won"].dtype == np.int64 and o["revenue"].dtype == float and o["days_to_close"].dtype == float
    np.testing.assert_array_equal(o["revenue"].to_numpy(), raw["revenue"].to_numpy())
    assert o.attrs["source"].endswith("outcomes_2025.csv")


def test_whole_days_and_no_yes() -> None:
    """One rule for every reader: days are whole numbers, won is 0 or 1 (not yes/no)."""
    df = pd.DataFrame({"customer_id": ["a", "b"], "won": ["yes", "1"], "days_to_close": ["2.5", "3"]})
    df.attrs.update(source="o.csv", row_offset=2)
    with pytest.raises(InputError) as err:
        validate_outcomes(df)
    assert "row 2, column 'won': 'yes' is not 0 or 1" in str(err.value)
    assert "row 2, column 'days_to_close': '2.5' is not a whole number" in str(err.value)


def test_the_schema_says_what_is_expected() -> None:
    d = OUTCOMES.describe().set_index("column")
    assert d.loc["won", "expected"] == "0 or 1" and d.loc["revenue", "expected"] == "a number >= 0"
    assert OUTCOMES.key == ("customer_id",)
