"""Published runs frozen against every statement; the marketing lead's decision.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-02

* **Frozen runs, closing SQLite's REPLACE.** ``REPLACE INTO runs …`` (``INSERT OR
  REPLACE``, and ``UPDATE OR REPLACE`` onto a published run's id) removes the
  conflicting row without firing its delete trigger (SQLite fires delete triggers
  on a REPLACE only with ``recursive_triggers`` on), so a published run could be
  replaced by a ``running`` one, its results edited and the run published again.
  New triggers refuse any insert whose key is a published run's (``REPLACE``,
  ``INSERT OR REPLACE``, ``INSERT OR IGNORE`` and ``INSERT … ON CONFLICT`` alike:
  BEFORE INSERT triggers fire before the conflict is resolved), any update that
  moves a run onto a published run's id, and any update that moves a result into
  a published run. PostgreSQL has no REPLACE; there the result trigger now also
  checks the run a result is moved into, and an insert of a published run's id is
  refused with the same message. :func:`prioanalysis.store.get_engine` also turns
  ``recursive_triggers`` on for every SQLite connection it opens.
* **The marketing lead's decision** (step 2.3.5): ``inquiries`` gets ``reviewer``
  (who reviewed the inquiry and decided), ``decided_on`` (the day of the decision)
  and ``converted_on`` (the day the inquiring customer converted), recorded later
  with ``prioanalysis inquiry decide`` / ``inquiry update``.
"""

from __future__ import annotations

import sqlite3
from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

_COLUMNS: list[tuple[str, Any]] = [
    ("reviewer", sa.Text()),
    ("decided_on", sa.Date()),
    ("converted_on", sa.Date()),
]

_SQLITE_TRIGGERS = [
    """CREATE TRIGGER runs_insert_frozen BEFORE INSERT ON runs
    WHEN EXISTS (SELECT 1 FROM runs WHERE run_id = NEW.run_id AND status = 'published')
    BEGIN SELECT RAISE(ABORT, 'run is frozen: it is published (a re-run is a new run)'); END""",
    """CREATE TRIGGER runs_update_onto_frozen BEFORE UPDATE OF run_id ON runs
    WHEN NEW.run_id IS NOT OLD.run_id
      AND EXISTS (SELECT 1 FROM runs WHERE run_id = NEW.run_id AND status = 'published')
    BEGIN SELECT RAISE(ABORT, 'run is frozen: it is published'); END""",
    """CREATE TRIGGER results_update_into_frozen BEFORE UPDATE ON results
    WHEN (SELECT status FROM runs WHERE run_id = NEW.run_id) = 'published'
    BEGIN SELECT RAISE(ABORT, 'results are frozen: the run is published'); END""",
]
_SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS runs_insert_frozen",
    "DROP TRIGGER IF EXISTS runs_update_onto_frozen",
    "DROP TRIGGER IF EXISTS results_update_into_frozen",
]

_PG_RESULTS_FUNCTION = """CREATE OR REPLACE FUNCTION prioanalysis_results_frozen() RETURNS trigger
    LANGUAGE plpgsql AS $$
    DECLARE st text;
    BEGIN
      IF TG_OP = 'INSERT' THEN
        SELECT status INTO st FROM runs WHERE run_id = NEW.run_id;
        IF st IS DISTINCT FROM 'running' THEN
          RAISE EXCEPTION 'results are frozen: results can only be added to a running run (run % is %)',
            NEW.run_id, coalesce(st, 'missing');
        END IF;
        RETURN NEW;
      END IF;
      SELECT status INTO st FROM runs WHERE run_id = OLD.run_id;
      IF st = 'published' THEN
        RAISE EXCEPTION 'results are frozen: run % is published', OLD.run_id;
      END IF;
      IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
      SELECT status INTO st FROM runs WHERE run_id = NEW.run_id;
      IF st = 'published' THEN
        RAISE EXCEPTION 'results are frozen: run % is published', NEW.run_id;
      END IF;
      RETURN NEW;
    END $$"""
_PG_RESULTS_FUNCTION_0001 = """CREATE OR REPLACE FUNCTION prioanalysis_results_frozen() RETURNS trigger
    LANGUAGE plpgsql AS $$
    DECLARE st text;
    BEGIN
      IF TG_OP = 'INSERT' THEN
        SELECT status INTO st FROM runs WHERE run_id = NEW.run_id;
        IF st IS DISTINCT FROM 'running' THEN
          RAISE EXCEPTION 'results are frozen: results can only be added to a running run (run % is %)',
            NEW.run_id, coalesce(st, 'missing');
        END IF;
        RETURN NEW;
      END IF;
      SELECT status INTO st FROM runs WHERE run_id = OLD.run_id;
      IF st = 'published' THEN
        RAISE EXCEPTION 'results are frozen: run % is published', OLD.run_id;
      END IF;
      IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
      RETURN NEW;
    END $$"""
_PG_TRIGGERS = [
    _PG_RESULTS_FUNCTION,
    """CREATE FUNCTION prioanalysis_runs_insert_frozen() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF EXISTS (SELECT 1 FROM runs WHERE run_id = NEW.run_id AND status = 'published') THEN
        RAISE EXCEPTION 'run is frozen: run % is published (a re-run is a new run)', NEW.run_id;
      END IF;
      RETURN NEW;
    END $$""",
    """CREATE TRIGGER runs_insert_frozen BEFORE INSERT ON runs
    FOR EACH ROW EXECUTE FUNCTION prioanalysis_runs_insert_frozen()""",
]
_PG_DROP = [
    "DROP TRIGGER IF EXISTS runs_insert_frozen ON runs",
    "DROP FUNCTION IF EXISTS prioanalysis_runs_insert_frozen()",
    _PG_RESULTS_FUNCTION_0001,
]


def upgrade() -> None:
    for name, kind in _COLUMNS:
        op.add_column("inquiries", sa.Column(name, kind))
    dialect = op.get_bind().dialect.name
    for ddl in _PG_TRIGGERS if dialect == "postgresql" else _SQLITE_TRIGGERS:
        op.execute(ddl)


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    for ddl in _PG_DROP if dialect == "postgresql" else _SQLITE_DROP:
        op.execute(ddl)
    if dialect == "sqlite" and sqlite3.sqlite_version_info < (3, 35):
        raise RuntimeError(f"this downgrade needs SQLite 3.35 or newer (this Python has {sqlite3.sqlite_version})")
    with op.batch_alter_table("inquiries", recreate="never") as b:
        for name, _ in _COLUMNS:
            b.drop_column(name)
