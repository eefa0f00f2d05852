"""Publication sign-off with history; the decision columns of the target list.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02

* **Publications** (``prioanalysis db publish``): one row per publication of a run —
  the year, who approved it (``approver``), when, a note, and, for a publication that
  replaced the year's earlier one, which run it supersedes and why (``supersedes``,
  ``supersede_reason``). The superseded publication is marked (``superseded_at``,
  ``superseded_by``) and kept: the history is never deleted. At most one publication
  per year is current (not superseded): a partial unique index on ``year``. Triggers
  refuse deleting a publication and changing one, except marking a current one
  superseded once. The runs themselves stay frozen (``0001``/``0003``).
  Runs published before this revision get a publication each, without an approver;
  when a year had several, the newest is current and the earlier ones are marked
  superseded by it.
* **Decisions** (``params/<year>/decisions.yaml``): ``results`` gets ``decision``,
  ``decided_by`` and ``decision_reason``, the target list's decision columns.
"""

from __future__ import annotations

import sqlite3
from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

_RESULT_COLUMNS: list[tuple[str, Any]] = [
    ("decision", sa.Text()),
    ("decided_by", sa.Text()),
    ("decision_reason", sa.Text()),
]

_FIXED = ("pub_id", "year", "run_id", "published_at", "approver", "note", "supersedes", "supersede_reason")
_SQLITE_CHANGED = " OR ".join(f"NEW.{c} IS NOT OLD.{c}" for c in _FIXED)
_PG_CHANGED = " OR ".join(f"NEW.{c} IS DISTINCT FROM OLD.{c}" for c in _FIXED)

_SQLITE_TRIGGERS = [
    """CREATE TRIGGER publications_no_delete BEFORE DELETE ON publications
    BEGIN SELECT RAISE(ABORT, 'publication is frozen: the history of publications is kept'); END""",
    f"""CREATE TRIGGER publications_no_change BEFORE UPDATE ON publications
    WHEN OLD.superseded_at IS NOT NULL OR {_SQLITE_CHANGED}
    BEGIN SELECT RAISE(ABORT, 'publication is frozen: it can only be marked superseded, once'); END""",
]
_SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS publications_no_delete",
    "DROP TRIGGER IF EXISTS publications_no_change",
]
_PG_TRIGGERS = [
    f"""CREATE FUNCTION prioanalysis_publications_kept() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'publication is frozen: the history of publications is kept';
      END IF;
      IF OLD.superseded_at IS NOT NULL OR {_PG_CHANGED} THEN
        RAISE EXCEPTION 'publication is frozen: it can only be marked superseded, once';
      END IF;
      RETURN NEW;
    END $$""",
    """CREATE TRIGGER publications_kept BEFORE UPDATE OR DELETE ON publications
    FOR EACH ROW EXECUTE FUNCTION prioanalysis_publications_kept()""",
    """CREATE FUNCTION prioanalysis_publications_no_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      RAISE EXCEPTION 'publications are frozen: the history of publications is kept';
    END $$""",
    """CREATE TRIGGER publications_no_truncate BEFORE TRUNCATE ON publications
    FOR EACH STATEMENT EXECUTE FUNCTION prioanalysis_publications_no_truncate()""",
]
_PG_DROP = [
    "DROP TRIGGER IF EXISTS publications_no_truncate ON publications",
    "DROP FUNCTION IF EXISTS prioanalysis_publications_no_truncate()",
    "DROP TRIGGER IF EXISTS publications_kept ON publications",
    "DROP FUNCTION IF EXISTS prioanalysis_publications_kept()",
]


def _ts() -> sa.DateTime:
    return sa.DateTime(timezone=True)


def upgrade() -> None:
    for name, kind in _RESULT_COLUMNS:
        op.add_column("results", sa.Column(name, kind))
    op.create_table(
        "publications",
        sa.Column("pub_id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Text(), nullable=False),
        sa.Column("published_at", _ts(), nullable=False),
        sa.Column("approver", sa.Text()),
        sa.Column("note", sa.Text()),
        sa.Column("supersedes", sa.Text()),
        sa.Column("supersede_reason", sa.Text()),
        sa.Column("superseded_at", _ts()),
        sa.Column("superseded_by", sa.Text()),
        sa.ForeignKeyConstraint(["run_id"], ["runs.run_id"], name="fk_publications_run_id_runs"),
        sa.PrimaryKeyConstraint("pub_id", name="pk_publications"),
    )
    op.create_index("ix_publications_run_id", "publications", ["run_id"], unique=True)
    op.create_index(
        "publications_one_current_per_year",
        "publications",
        ["year"],
        unique=True,
        sqlite_where=sa.text("superseded_at IS NULL"),
        postgresql_where=sa.text("superseded_at IS NULL"),
    )
    conn = op.get_bind()
    published = conn.execute(
        sa.text(
            "SELECT run_id, year, coalesce(published_at, finished, started) AS at FROM runs "
            "WHERE status = 'published' ORDER BY year, coalesce(published_at, finished, started), run_id"
        )
    ).all()
    by_year: dict[int, list[Any]] = {}
    for row in published:
        by_year.setdefault(int(row.year), []).append(row)
    table = sa.table(
        "publications",
        *(sa.column(c) for c in ("year", "run_id", "published_at", "supersedes", "superseded_at", "superseded_by")),
    )
    for year, rows in by_year.items():
        for i, row in enumerate(rows):
            later = rows[i + 1] if i + 1 < len(rows) else None
            conn.execute(
                table.insert().values(
                    year=year,
                    run_id=row.run_id,
                    published_at=row.at,
                    supersedes=rows[i - 1].run_id if i > 0 else None,
                    superseded_at=later.at if later is not None else None,
                    superseded_by=later.run_id if later is not None else None,
                )
            )
    for ddl in _PG_TRIGGERS if conn.dialect.name == "postgresql" else _SQLITE_TRIGGERS:
        op.execute(ddl)


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    for ddl in _PG_DROP if dialect == "postgresql" else _SQLITE_DROP:
        op.execute(ddl)
    op.drop_index("publications_one_current_per_year", table_name="publications")
    op.drop_index("ix_publications_run_id", table_name="publications")
    op.drop_table("publications")
    if dialect == "sqlite" and sqlite3.sqlite_version_info < (3, 35):
        raise RuntimeError(f"this downgrade needs SQLite 3.35 or newer (this Python has {sqlite3.sqlite_version})")
    with op.batch_alter_table("results", recreate="never") as b:
        for name, _ in _RESULT_COLUMNS:
            b.drop_column(name)
