"""The customer information system: customers, yearly list snapshots, owners,
outcomes, inquiries and follow-ups, runs and their frozen results.

Revision ID: 0001
Revises:
Create Date: 2026-05-20

Triggers (SQLite and PostgreSQL) freeze published runs: results may only be added
to a ``running`` run; results of a ``published`` run cannot be updated or deleted;
a published run cannot be changed or deleted.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

_CRITERIA = [
    "it_budget",
    "deal_size",
    "growth",
    "strategic_fit",
    "industry_influence",
    "relationship_strength",
    "competitive_intensity",
    "service_distance_km",
    "credit_grade",
    "payment_days",
]
_STATUS = ["pipeline_stage", "expected_months_to_close", "need_status"]
_TEXT = {"credit_grade", "pipeline_stage", "need_status"}
_RESULTS = [
    ("customer_name", sa.Text),
    ("segment", sa.Text),
    ("region", sa.Text),
    ("owner_id", sa.Text),
    ("score", sa.Double),
    ("rank", sa.Integer),
    ("segment_rank", sa.Integer),
    ("tier", sa.Text),
    ("grade", sa.Text),
    ("quadrant", sa.Text),
    ("action", sa.Text),
    ("not_targeted_reason", sa.Text),
    ("attractiveness", sa.Double),
    ("feasibility", sa.Double),
    ("deal_size", sa.Double),
    ("need_status", sa.Text),
    ("expected_months_to_close", sa.Double),
    ("completeness", sa.Double),
    ("driver_1", sa.Text),
    ("driver_2", sa.Text),
    ("driver_3", sa.Text),
    ("flags", sa.Text),
    ("source_row", sa.Integer),
]


def _json() -> sa.types.TypeEngine:
    return sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def _ts() -> sa.DateTime:
    return sa.DateTime(timezone=True)


def _facts(names: list[str]) -> list[sa.Column]:
    return [sa.Column(n, sa.Text() if n in _TEXT else sa.Double()) for n in names]


_SQLITE_TRIGGERS = [
    """CREATE TRIGGER results_insert_running BEFORE INSERT ON results
    WHEN (SELECT status FROM runs WHERE run_id = NEW.run_id) IS NOT 'running'
    BEGIN SELECT RAISE(ABORT, 'results are frozen: results can only be added to a running run'); END""",
    """CREATE TRIGGER results_update_frozen BEFORE UPDATE ON results
    WHEN (SELECT status FROM runs WHERE run_id = OLD.run_id) = 'published'
    BEGIN SELECT RAISE(ABORT, 'results are frozen: the run is published'); END""",
    """CREATE TRIGGER results_delete_frozen BEFORE DELETE ON results
    WHEN (SELECT status FROM runs WHERE run_id = OLD.run_id) = 'published'
    BEGIN SELECT RAISE(ABORT, 'results are frozen: the run is published'); END""",
    """CREATE TRIGGER runs_update_frozen BEFORE UPDATE ON runs
    WHEN OLD.status = 'published'
    BEGIN SELECT RAISE(ABORT, 'run is frozen: it is published'); END""",
    """CREATE TRIGGER runs_delete_frozen BEFORE DELETE ON runs
    WHEN OLD.status = 'published'
    BEGIN SELECT RAISE(ABORT, 'run is frozen: it is published'); END""",
]

_PG_TRIGGERS = [
    """CREATE FUNCTION prioanalysis_results_frozen() RETURNS trigger LANGUAGE plpgsql AS $$
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
    END $$""",
    """CREATE TRIGGER results_frozen BEFORE INSERT OR UPDATE OR DELETE ON results
    FOR EACH ROW EXECUTE FUNCTION prioanalysis_results_frozen()""",
    """CREATE FUNCTION prioanalysis_results_no_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF EXISTS (SELECT 1 FROM runs WHERE status = 'published') THEN
        RAISE EXCEPTION 'results are frozen: published runs exist';
      END IF;
      RETURN NULL;
    END $$""",
    """CREATE TRIGGER results_no_truncate BEFORE TRUNCATE ON results
    FOR EACH STATEMENT EXECUTE FUNCTION prioanalysis_results_no_truncate()""",
    """CREATE FUNCTION prioanalysis_runs_frozen() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF OLD.status = 'published' THEN
        RAISE EXCEPTION 'run is frozen: run % is published', OLD.run_id;
      END IF;
      IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
      RETURN NEW;
    END $$""",
    """CREATE TRIGGER runs_frozen BEFORE UPDATE OR DELETE ON runs
    FOR EACH ROW EXECUTE FUNCTION prioanalysis_runs_frozen()""",
]


def upgrade() -> None:
    op.create_table(
        "customers",
        sa.Column("customer_id", sa.Text(), nullable=False),
        sa.Column("customer_name", sa.Text(), nullable=False),
        sa.Column("segment", sa.Text(), nullable=False),
        sa.Column("segments", sa.Text(), nullable=False),
        sa.Column("region", sa.Text()),
        sa.Column("owner_id", sa.Text()),
        *_facts(_CRITERIA + _STATUS),
        sa.Column("first_year", sa.Integer(), nullable=False),
        sa.Column("facts_year", sa.Integer(), nullable=False),
        sa.Column("updated_at", _ts(), nullable=False),
        sa.PrimaryKeyConstraint("customer_id", name="pk_customers"),
    )
    op.create_table(
        "list_snapshots",
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Text(), nullable=False),
        sa.Column("segment", sa.Text(), nullable=False),
        sa.Column("customer_name", sa.Text(), nullable=False),
        sa.Column("region", sa.Text()),
        sa.Column("owner_id", sa.Text()),
        *_facts(_CRITERIA + _STATUS),
        sa.Column("extra", _json()),
        sa.Column("source_file", sa.Text()),
        sa.Column("source_sha256", sa.Text()),
        sa.Column("source_row", sa.Integer()),
        sa.Column("imported_at", _ts(), nullable=False),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["customers.customer_id"], name="fk_list_snapshots_customer_id_customers"
        ),
        sa.PrimaryKeyConstraint("year", "customer_id", "segment", name="pk_list_snapshots"),
    )
    op.create_table(
        "owners",
        sa.Column("owner_id", sa.Text(), nullable=False),
        sa.Column("owner_name", sa.Text(), nullable=False),
        sa.Column("segment", sa.Text()),
        sa.Column("region", sa.Text()),
        sa.Column("capacity_strategic", sa.Integer()),
        sa.Column("capacity_key", sa.Integer()),
        sa.Column("capacity_general", sa.Integer()),
        sa.Column("extra", _json()),
        sa.Column("updated_at", _ts(), nullable=False),
        sa.PrimaryKeyConstraint("owner_id", name="pk_owners"),
    )
    op.create_table(
        "outcomes",
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Text(), nullable=False),
        sa.Column("won", sa.Integer(), nullable=False),
        sa.Column("revenue", sa.Double()),
        sa.Column("days_to_close", sa.Integer()),
        sa.Column("source_file", sa.Text()),
        sa.Column("source_sha256", sa.Text()),
        sa.Column("imported_at", _ts(), nullable=False),
        sa.CheckConstraint("won IN (0, 1)", name="ck_outcomes_won_flag"),
        sa.ForeignKeyConstraint(["customer_id"], ["customers.customer_id"], name="fk_outcomes_customer_id_customers"),
        sa.PrimaryKeyConstraint("year", "customer_id", name="pk_outcomes"),
    )
    op.create_table(
        "inquiries",
        sa.Column("inquiry_id", sa.Text(), nullable=False),
        sa.Column("date", sa.Date(), nullable=False),
        sa.Column("channel", sa.Text(), nullable=False),
        sa.Column("segment", sa.Text(), nullable=False),
        sa.Column("customer_name", sa.Text(), nullable=False),
        sa.Column("region", sa.Text()),
        sa.Column("need_category", sa.Text()),
        sa.Column("first_response_hours", sa.Double()),
        sa.Column("handler", sa.Text()),
        sa.Column("decision", sa.Text()),
        sa.Column("follow_ups", sa.Integer(), nullable=False),
        sa.Column("converted", sa.Integer()),
        *_facts(_CRITERIA),
        sa.Column("extra", _json()),
        sa.Column("updated_at", _ts(), nullable=False),
        sa.CheckConstraint("converted IN (0, 1)", name="ck_inquiries_converted_flag"),
        sa.PrimaryKeyConstraint("inquiry_id", name="pk_inquiries"),
    )
    op.create_index("ix_inquiries_date", "inquiries", ["date"])
    op.create_index("ix_inquiries_segment", "inquiries", ["segment"])
    op.create_table(
        "inquiry_followups",
        sa.Column("inquiry_id", sa.Text(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("date", sa.Date(), nullable=False),
        sa.Column("note", sa.Text()),
        sa.ForeignKeyConstraint(
            ["inquiry_id"],
            ["inquiries.inquiry_id"],
            ondelete="CASCADE",
            name="fk_inquiry_followups_inquiry_id_inquiries",
        ),
        sa.PrimaryKeyConstraint("inquiry_id", "seq", name="pk_inquiry_followups"),
    )
    op.create_table(
        "runs",
        sa.Column("run_id", sa.Text(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("kind", sa.Text(), nullable=False),
        sa.Column("status", sa.Text(), nullable=False),
        sa.Column("started", _ts(), nullable=False),
        sa.Column("finished", _ts()),
        sa.Column("published_at", _ts()),
        sa.Column("criteria_version", sa.Text()),
        sa.Column("params", _json()),
        sa.Column("package_version", sa.Text()),
        sa.Column("result_columns", _json()),
        sa.Column("error", sa.Text()),
        sa.CheckConstraint("status IN ('running', 'succeeded', 'failed', 'published')", name="ck_runs_status"),
        sa.PrimaryKeyConstraint("run_id", name="pk_runs"),
    )
    op.create_index("ix_runs_year", "runs", ["year"])
    op.create_table(
        "results",
        sa.Column("run_id", sa.Text(), nullable=False),
        sa.Column("customer_id", sa.Text(), nullable=False),
        *[sa.Column(n, t()) for n, t in _RESULTS],
        sa.Column("extra", _json()),
        sa.ForeignKeyConstraint(["run_id"], ["runs.run_id"], name="fk_results_run_id_runs"),
        sa.PrimaryKeyConstraint("run_id", "customer_id", name="pk_results"),
    )
    dialect = op.get_bind().dialect.name
    for ddl in _PG_TRIGGERS if dialect == "postgresql" else _SQLITE_TRIGGERS:
        op.execute(ddl)


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS runs_frozen ON runs")
        op.execute("DROP TRIGGER IF EXISTS results_frozen ON results")
        op.execute("DROP TRIGGER IF EXISTS results_no_truncate ON results")
        op.execute("DROP FUNCTION IF EXISTS prioanalysis_runs_frozen()")
        op.execute("DROP FUNCTION IF EXISTS prioanalysis_results_frozen()")
        op.execute("DROP FUNCTION IF EXISTS prioanalysis_results_no_truncate()")
    for table in (
        "results",
        "runs",
        "inquiry_followups",
        "inquiries",
        "outcomes",
        "owners",
        "list_snapshots",
        "customers",
    ):
        op.drop_table(table)
