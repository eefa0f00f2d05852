"""Tests of prioanalysis.inputs.owners: the account managers and their capacities."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from prioanalysis.errors import InputError
from prioanalysis.inputs.owners import OWNERS, read_owners, validate_owners
from prioanalysis.methods.assignment import CAPACITY_COLUMNS, assign_owners, capacity_columns
from tests.conftest import ROOT

OWNERS_CSV = ROOT / "data" / "sample" / "owners.csv"


def test_the_sample_owners() -> None:
    o = read_owners(OWNERS_CSV)
    assert len(o) == 40 and o["owner_id"].is_unique
    assert all(o[c].dtype == np.int64 for c in CAPACITY_COLUMNS)
    assert OWNERS.required == ["owner_id", "owner_name", "segment", *CAPACITY_COLUMNS]


def test_problems_name_rows_and_columns(tmp_path: Path) -> None:
    df = pd.read_csv(OWNERS_CSV, dtype=str).head(5)
    df.loc[1, "owner_id"] = df.loc[0, "owner_id"]
    df.loc[2, "capacity_key"] = "-1"
    df.loc[3, "capacity_general"] = "2.5"
    df.loc[4, "segment"] = None
    p = tmp_path / "owners.csv"
    df.to_csv(p, index=False)
    with pytest.raises(InputError) as err:
        read_owners(p)
    msg = str(err.value)
    assert msg.startswith(f"{p}: 4 problem(s) in the owner list:")
    for needle in (
        "rows 2, 3, column 'owner_id': listed more than once",
        "row 4, column 'capacity_key': '-1' is below 0",
        "row 5, column 'capacity_general': '2.5' is not a whole number",
        "row 6, column 'segment': value is empty",
    ):
        assert needle in msg, needle


def test_only_the_runs_capacity_columns_are_needed() -> None:
    df = pd.read_csv(OWNERS_CSV, dtype=str).drop(columns="capacity_general")
    with pytest.raises(InputError, match=r"missing required column.*capacity_general"):
        validate_owners(df)
    cols = capacity_columns(["战略", "重点"]).values()
    assert list(validate_owners(df, cols).columns) == list(df.columns)


def test_read_owners_feeds_the_assignment() -> None:
    owners = read_owners(OWNERS_CSV)
    cust = pd.DataFrame(
        {
            "customer_id": ["c1", "c2"],
            "segment": [owners["segment"].iloc[0]] * 2,
            "tier": ["战略", "重点"],
            "score": [0.9, 0.5],
        }
    )
    res = assign_owners(cust, owners, tier_columns=capacity_columns(["战略", "重点", "一般"]))
    assert len(res.assignments) == 2
