"""The target list's column schema: one definition for the ranking, the store and the readers.

:data:`COLUMNS` lists every column a ranking's target list can have, in the order
the list is written (``tables/target_list.csv``), each with its kind and a one-line
description. The ranking step builds its list with :func:`order_columns`; the
customer database and the frozen-list reader type and check their columns from the
same mapping.

Kinds
-----
``text``
    Strings (may be empty; ``""`` is a value, not a missing value).
``float``
    Real numbers; NaN is a missing value.
``int``
    Whole numbers (ranks, source rows), never missing in a ranking result.
``bool``
    True / False.

Examples
--------
>>> list(COLUMNS)[:4]
['customer_id', 'customer_name', 'segment', 'region']
>>> COLUMNS["eligible"].kind
'bool'
>>> [c for c in COLUMNS if COLUMNS[c].group == "robustness"]
['p_keep_tier', 'rank_p05', 'rank_p95', 'review']
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from prioanalysis.errors import InputError

__all__ = [
    "Column",
    "COLUMNS",
    "KEY",
    "KINDS",
    "REQUIRED",
    "OPTIONAL",
    "ROBUSTNESS",
    "DECISIONS",
    "ASSIGNMENT",
    "DRIVERS",
    "order_columns",
    "validate_target_list",
]

Kind = Literal["text", "float", "int", "bool"]
Group = Literal["core", "optional", "robustness", "decisions", "assignment"]

#: The kinds a column can have.
KINDS: tuple[str, ...] = ("text", "float", "int", "bool")


@dataclass(frozen=True)
class Column:
    """One target-list column.

    Attributes
    ----------
    kind : {"text", "float", "int", "bool"}
        What the values are.
    description : str
        One line for readers of the list.
    group : {"core", "optional", "robustness", "decisions"}
        ``core`` columns are in every ranking result; ``optional`` ones only when the
        preliminary list has them (region, owner); ``robustness`` ones only when the
        weight draws ran (``robustness.enabled`` in ``run.yaml``); ``decisions`` ones
        in every ranking made since decisions are recorded (lists published before
        may lack them); ``assignment`` ones when the run has owners (``inputs.owners``).
    """

    kind: Kind
    description: str
    group: Group = "core"


def _c(kind: Kind, description: str, group: Group = "core") -> Column:
    return Column(kind=kind, description=description, group=group)


#: Every column of a target list, in the order the list is written.
COLUMNS: dict[str, Column] = {
    "customer_id": _c("text", "Customer id (unique in the list)."),
    "customer_name": _c("text", "Customer name."),
    "segment": _c("text", "Segment the customer is ranked in (after the multi-segment rule)."),
    "region": _c("text", "Sales region, when the preliminary list has one.", "optional"),
    "owner_id": _c("text", "Account owner, when the preliminary list has one.", "optional"),
    "score": _c("float", "Importance score (higher is more important)."),
    "rank": _c("int", "Rank over the whole list (1 = best)."),
    "segment_rank": _c("int", "Rank within the segment (1 = best)."),
    "tier": _c("text", "Tier name, or the not-targeted name."),
    "grade": _c("text", "Urgency grade (A = close to a deal ... E = no need)."),
    "quadrant": _c("text", "Priority-matrix quadrant (tier importance × grade urgency)."),
    "action": _c("text", "What to do with the customer (the quadrant's action)."),
    "not_targeted_reason": _c(
        "text", "Why the customer is not targeted: a gate, or below the tier cut-off; empty when targeted."
    ),
    "eligible": _c("bool", "Scored and passed every gate, so it competes for a tier (also in the weight draws)."),
    "attractiveness": _c("float", "Attractiveness sub-score in [0, 1] (min-max weighted sum of that family)."),
    "feasibility": _c("float", "Feasibility sub-score in [0, 1] (min-max weighted sum of that family)."),
    "deal_size": _c("float", "Obtainable deal size, when a criterion deal_size exists."),
    "need_status": _c("text", "Need status (target, potential, ... as in run.yaml's grades)."),
    "expected_months_to_close": _c("float", "Expected months to close (for the grade)."),
    "completeness": _c("float", "Share of the criteria the customer has a value for."),
    "driver_1": _c("text", "Criterion contributing most to the score, with its contribution."),
    "driver_2": _c("text", "Second largest contribution."),
    "driver_3": _c("text", "Third largest contribution."),
    "p_keep_tier": _c("float", "Probability of keeping the tier under weight draws.", "robustness"),
    "rank_p05": _c("int", "5th percentile of the rank under weight draws.", "robustness"),
    "rank_p95": _c("int", "95th percentile of the rank under weight draws.", "robustness"),
    "review": _c(
        "bool", "Keeps its tier in fewer than robustness.review_threshold of the draws: review it.", "robustness"
    ),
    "assigned_owner_id": _c("text", "Development owner given by the assignment; empty when none.", "assignment"),
    "assigned_owner_name": _c("text", "That owner's name; empty when none.", "assignment"),
    "assignment_status": _c(
        "text", "assigned, capacity_full, no_eligible_owner (targets) or not_targeted.", "assignment"
    ),
    "flags": _c("text", "Notes on the row (review, imputed values, claims, unknown months), ' | '-joined."),
    "decision": _c(
        "text",
        "Decisions of decisions.yaml applied to the customer (claim, tier, exclusion), ';'-joined; empty: none.",
        "decisions",
    ),
    "decided_by": _c("text", "Who took the decision(s); empty when none applies.", "decisions"),
    "decision_reason": _c("text", "The reason recorded with the decision(s); empty when none applies.", "decisions"),
    "list_source": _c(
        "text",
        "Where the row comes from: preliminary_list, or mid_year_addition (an inquiring customer the "
        "marketing lead accepted; a mid-year run only).",
        "optional",
    ),
    "inquiry_id": _c("text", "The inquiry of a mid-year addition; empty for the preliminary list's rows.", "optional"),
    "accepted_on": _c(
        "text", "Day the marketing lead accepted a mid-year addition (YYYY-MM-DD); else empty.", "optional"
    ),
    "source_row": _c("int", "Row of the customer in the preliminary list file."),
}

#: The key column.
KEY = "customer_id"
#: Columns present in every ranking result.
REQUIRED: tuple[str, ...] = tuple(c for c, col in COLUMNS.items() if col.group == "core")
#: Columns present when the preliminary list has them.
OPTIONAL: tuple[str, ...] = tuple(c for c, col in COLUMNS.items() if col.group == "optional")
#: Columns added by the weight draws.
ROBUSTNESS: tuple[str, ...] = tuple(c for c, col in COLUMNS.items() if col.group == "robustness")
#: The owner-assignment columns (:func:`prioanalysis.steps.robustness.add_assignment`).
ASSIGNMENT: tuple[str, ...] = tuple(c for c, col in COLUMNS.items() if col.group == "assignment")
#: The decision columns (``params/<year>/decisions.yaml``: who decided what, and why).
DECISIONS: tuple[str, ...] = tuple(c for c, col in COLUMNS.items() if col.group == "decisions")
#: The explanation columns (largest contributions first).
DRIVERS: tuple[str, ...] = ("driver_1", "driver_2", "driver_3")


def order_columns(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame with its schema columns in :data:`COLUMNS` order.

    Columns of the schema that the frame lacks are left out; columns the schema does
    not know are refused (a target list holds exactly the schema's columns).

    Parameters
    ----------
    frame : pandas.DataFrame
        A target list (any column order).

    Returns
    -------
    pandas.DataFrame
        The same data, columns reordered.

    Raises
    ------
    ValueError
        A column that is not in :data:`COLUMNS`.

    Examples
    --------
    >>> df = pd.DataFrame({"score": [0.5], "customer_id": ["c1"]})
    >>> list(order_columns(df).columns)
    ['customer_id', 'score']
    """
    unknown = [c for c in frame.columns if c not in COLUMNS]
    if unknown:
        raise ValueError(f"column(s) not in the target-list schema: {', '.join(map(str, unknown))}")
    return frame[[c for c in COLUMNS if c in frame.columns]]


def _kind_ok(values: pd.Series, kind: str) -> bool:
    if kind == "bool":
        return pd.api.types.is_bool_dtype(values)
    if kind == "int":
        return pd.api.types.is_integer_dtype(values)
    if kind == "float":
        return pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values)
    v = values.dropna().to_numpy(dtype=object)
    return bool(np.all([isinstance(x, str) for x in v]))


def validate_target_list(frame: pd.DataFrame, *, source: str = "the target list") -> None:
    """Check a target list against the schema.

    Every ``core`` column present, no unknown column, columns in :data:`COLUMNS`
    order, each column of its kind, ids unique and non-empty.

    Parameters
    ----------
    frame : pandas.DataFrame
        The list (as built by the ranking, or read back).
    source : str
        Named in the messages.

    Raises
    ------
    InputError
        Every problem found, one per line.

    Examples
    --------
    >>> validate_target_list(pd.DataFrame({"customer_id": ["c1"]}))
    Traceback (most recent call last):
    ...
    prioanalysis.errors.InputError: the target list: 1 problem(s) against the target-list schema:
      - missing column(s): customer_name, segment, score, rank, segment_rank, tier, grade, quadrant, action, not_targeted_reason, eligible, attractiveness, feasibility, deal_size, need_status, expected_months_to_close, completeness, driver_1, driver_2, driver_3, flags, source_row
    """  # noqa: E501  (the doctest shows the error message, which is one line)
    problems: list[str] = []
    missing = [c for c in REQUIRED if c not in frame.columns]
    if missing:
        problems.append(f"missing column(s): {', '.join(missing)}")
    unknown = [str(c) for c in frame.columns if c not in COLUMNS]
    if unknown:
        problems.append(f"column(s) not in the schema: {', '.join(unknown)}")
    known = [c for c in frame.columns if c in COLUMNS]
    if known != [c for c in COLUMNS if c in known]:
        problems.append("columns are not in the schema's order (use order_columns)")
    for c in known:
        if not _kind_ok(frame[c], COLUMNS[c].kind):
            problems.append(f"column {c!r}: expected {COLUMNS[c].kind}, found {frame[c].dtype}")
    if KEY in frame.columns:
        ids = frame[KEY].astype("string")
        if (ids.isna() | (ids.str.strip() == "")).any() or ids.duplicated().any():
            problems.append(f"column {KEY!r}: empty or repeated ids")
    if problems:
        raise InputError(
            f"{source}: {len(problems)} problem(s) against the target-list schema:\n"
            + "\n".join(f"  - {p}" for p in problems)
        )
