"""Tests of prioanalysis.methods.target_list: the one column schema of a target list."""

from __future__ import annotations

import pandas as pd
import pytest

from prioanalysis.errors import InputError
from prioanalysis.methods import target_list as schema


def _row() -> dict[str, object]:
    values = {"text": "x", "float": 0.5, "int": 1, "bool": True}
    return {name: values[col.kind] for name, col in schema.COLUMNS.items()}


def test_columns_are_described_and_grouped() -> None:
    assert next(iter(schema.COLUMNS)) == schema.KEY == "customer_id"
    names = list(schema.COLUMNS)
    assert names[-1] == "source_row"
    # a mid-year run's columns (where the row comes from) come last, before the source row
    assert names[-4:-1] == ["list_source", "inquiry_id", "accepted_on"]
    for name, col in schema.COLUMNS.items():
        groups = ("core", "optional", "robustness", "decisions", "assignment")
        assert col.kind in schema.KINDS and col.group in groups, name
        assert col.description.endswith(".") and "\n" not in col.description, name
    assert schema.OPTIONAL == ("region", "owner_id", "list_source", "inquiry_id", "accepted_on")
    assert schema.ROBUSTNESS == ("p_keep_tier", "rank_p05", "rank_p95", "review")
    assert schema.ASSIGNMENT == ("assigned_owner_id", "assigned_owner_name", "assignment_status")
    assert set(schema.DRIVERS) <= set(schema.REQUIRED)
    # the eligibility of the weight draws sits next to the reason it replaces
    names = list(schema.COLUMNS)
    assert names.index("eligible") == names.index("not_targeted_reason") + 1


def test_order_columns_orders_and_refuses_unknown_columns() -> None:
    frame = pd.DataFrame([_row()])[list(reversed(schema.COLUMNS))]
    assert list(schema.order_columns(frame).columns) == list(schema.COLUMNS)
    with pytest.raises(ValueError, match="not in the target-list schema: colour"):
        schema.order_columns(frame.assign(colour="red"))


def test_validate_target_list_lists_every_problem() -> None:
    good = pd.DataFrame([_row(), {**_row(), "customer_id": "y"}])
    schema.validate_target_list(good)
    schema.validate_target_list(good.drop(columns=list(schema.ROBUSTNESS + schema.OPTIONAL)))
    bad = good.assign(rank=[1.5, 2.0], eligible=["yes", "no"], customer_id=["x", "x"], extra=1)
    bad = bad.drop(columns=["tier"])
    with pytest.raises(InputError) as err:
        schema.validate_target_list(bad, source="list.csv")
    text = str(err.value)
    assert text.startswith("list.csv: 5 problem(s)")
    for part in (
        "missing column(s): tier",
        "not in the schema: extra",
        "column 'rank': expected int",
        "column 'eligible': expected bool",
        "empty or repeated ids",
    ):
        assert part in text
    with pytest.raises(InputError, match="not in the schema's order"):
        schema.validate_target_list(good[[*list(schema.COLUMNS)[1:], schema.KEY]])
