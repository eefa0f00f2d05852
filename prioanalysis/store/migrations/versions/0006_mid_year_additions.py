"""Mid-year additions in the stored target list.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02

A mid-year run (``prioanalysis run --mid-year``) ranks the year's preliminary list with
the inquiring customers the marketing lead accepted (step 2.3.5,
:func:`prioanalysis.steps.inquiries.list_additions`); ``results`` gets the columns that
mark them: ``list_source`` (``preliminary_list`` or ``mid_year_addition``),
``inquiry_id`` and ``accepted_on`` (the day of the decision, ``YYYY-MM-DD``). Results
stored before stay as they were (the new columns empty).
"""

from __future__ import annotations

import sqlite3
from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

_RESULT_COLUMNS: list[tuple[str, Any]] = [
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
