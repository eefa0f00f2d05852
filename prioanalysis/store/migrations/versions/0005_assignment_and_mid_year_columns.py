"""The owner assignment, the review flag and mid-year additions in the stored target list.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02

``results`` gets the target list's columns added with the owner assignment of the
cycle (:func:`prioanalysis.steps.robustness.add_assignment`): ``review`` (the customer
keeps its tier in fewer than ``robustness.review_threshold`` of the weight draws),
``assigned_owner_id``, ``assigned_owner_name`` and ``assignment_status`` (assigned,
capacity_full, no_eligible_owner, not_targeted). Results stored before stay as they
were (the new columns empty).

A mid-year run (``prioanalysis run --mid-year``) ranks the year's preliminary list with
the inquiring customers the marketing lead accepted (step 2.3.5,
:func:`prioanalysis.steps.inquiries.list_additions`); the columns that mark them are
``list_source`` (``preliminary_list`` or ``mid_year_addition``), ``inquiry_id`` and
``accepted_on`` (the day of the decision, ``YYYY-MM-DD``).
"""

from __future__ import annotations

import sqlite3
from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

_RESULT_COLUMNS: list[tuple[str, Any]] = [
    ("review", sa.Boolean()),
    ("assigned_owner_id", sa.Text()),
    ("assigned_owner_name", sa.Text()),
    ("assignment_status", sa.Text()),
    ("list_source", sa.Text()),
    ("inquiry_id", sa.Text()),
    ("accepted_on", sa.Text()),
]


def upgrade() -> None:
    for name, kind in _RESULT_COLUMNS:
        op.add_column("results", sa.Column(name, kind))


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite" and sqlite3.sqlite_version_info < (3, 35):
        raise RuntimeError(f"this downgrade needs SQLite 3.35 or newer (this Python has {sqlite3.sqlite_version})")
    with op.batch_alter_table("results", recreate="never") as b:
        for name, _ in _RESULT_COLUMNS:
            b.drop_column(name)
