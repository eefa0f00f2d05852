"""The collection plan, worked by hand."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from prioanalysis.errors import InputError
from prioanalysis.methods.collection import PLAN_COLUMNS, collection_plan, last_year_funnel


def _last_year() -> pd.DataFrame:
    # segment a: 10 records, 8 eligible, 4 targets, 2 of them won (+1 win of a non-target, not counted)
    # segment b: 20 records, 15 eligible, 6 targets, 1 won
    rows = [("a", True, True, 1)] * 2 + [("a", True, True, 0)] * 2 + [("a", True, False, 1)]
    rows += [("a", True, False, 0)] * 3 + [("a", False, False, 0)] * 2
    rows += [("b", True, True, 1)] + [("b", True, True, 0)] * 5 + [("b", True, False, 0)] * 9
    rows += [("b", False, False, 0)] * 5
    return pd.DataFrame(rows, columns=["segment", "eligible", "targeted", "won"])


def test_funnel_counts_wins_of_targets_only() -> None:
    f = last_year_funnel(_last_year(), ["b", "a", "c"])
    assert f.to_dict("index") == {
        "b": {"records": 20, "eligible": 15, "targets": 6, "wins": 1},
        "a": {"records": 10, "eligible": 8, "targets": 4, "wins": 2},
        "c": {"records": 0, "eligible": 0, "targets": 0, "wins": 0},
    }


def test_share_quota_by_hand() -> None:
    plan = collection_plan(
        _last_year(), pd.Series({"a": 9, "b": 40}), ["a", "b"], quota_share=0.5, growth=0.5, prior_strength=5
    ).set_index("segment")
    assert list(plan.reset_index().columns) == list(PLAN_COLUMNS)
    overall = 3 / 10
    ca = (2 + 5 * overall) / (4 + 5)  # 3.5 / 9
    assert plan.loc["a", "conversion"] == pytest.approx(ca)
    assert plan.loc["a", "wins_wanted"] == pytest.approx(3.0)  # 2 × 1.5
    assert plan.loc["a", "targets_needed"] == pytest.approx(3.0 / ca)
    assert plan.loc["a", "records_needed"] == math.ceil(3.0 / ca / (0.5 * 0.8))  # 20
    assert plan.loc["a", "shortfall"] == 20 - 9
    cb = (1 + 5 * overall) / (6 + 5)
    assert plan.loc["b", "records_needed"] == math.ceil(1.5 / cb / (0.5 * 0.75))  # 16
    assert plan.loc["b", "shortfall"] == 0  # 40 collected


def test_wanted_deals_cap_and_count_quota() -> None:
    plan = collection_plan(
        _last_year(),
        pd.Series({"a": 3}),
        ["a", "b"],
        quota_share=0.5,
        wins={"b": 4},
        max_records={"a": 10, "b": None},
        prior_strength=0,
    ).set_index("segment")
    assert plan.loc["b", "wins_wanted"] == 4 and plan.loc["b", "conversion"] == pytest.approx(1 / 6)
    assert plan.loc["b", "records_needed"] == math.ceil(24 / (0.5 * 0.75))  # 64
    assert plan.loc["b", "collected"] == 0 and plan.loc["b", "shortfall"] == 64
    assert plan.loc["a", "records_needed"] == math.ceil(2.2 / 0.5 / 0.4) == 11
    assert plan.loc["a", "planned"] == 10 and plan.loc["a", "shortfall"] == 7
    counts = collection_plan(_last_year(), pd.Series({"a": 3}), ["a"], quota_counts={"a": 6}).set_index("segment")
    assert counts.loc["a", "targets_needed"] == 6 and counts.loc["a", "records_needed"] == math.ceil(6 / 0.8)


def test_a_segment_new_this_year_has_no_plan() -> None:
    plan = collection_plan(_last_year(), pd.Series({"c": 5}), ["a", "c"], quota_share=0.5).set_index("segment")
    assert pd.isna(plan.loc["c", "records_needed"]) and pd.isna(plan.loc["c", "shortfall"])
    assert plan.loc["c", "collected"] == 5


def test_bad_arguments_refused() -> None:
    ly = _last_year()
    with pytest.raises(InputError, match="one of the two"):
        collection_plan(ly, pd.Series(dtype=int), ["a"])
    with pytest.raises(InputError, match=r"in \(0, 1\]"):
        collection_plan(ly, pd.Series(dtype=int), ["a"], quota_share=1.5)
    with pytest.raises(InputError, match="no target"):
        collection_plan(ly.assign(targeted=False), pd.Series(dtype=int), ["a"], quota_share=0.5)
    with pytest.raises(InputError, match="missing column"):
        collection_plan(ly.drop(columns="won"), pd.Series(dtype=int), ["a"], quota_share=0.5)
