"""Customer and inquiry facts as rows: a new criterion needs no schema change.

Revision ID: 0002
Revises: 0001
Create Date: 2026-06-02

Revision 0001 kept the sample's ten criteria (and the list's status facts) as
columns of ``customers``, ``list_snapshots`` and ``inquiries``. This revision

* creates ``customer_facts`` (year, customer, segment, fact → a number or a text),
  ``inquiry_facts`` (inquiry, fact → a number or a text) and ``import_columns``
  (each imported table's header, to give a list back as it came in);
* copies every fact there: the wide columns of ``list_snapshots`` and
  ``inquiries``, and the columns kept in their JSON ``extra``;
* drops the wide columns and those ``extra`` columns; ``customers`` keeps no facts
  of its own any more (its current facts are those of its latest list, which
  ``customer_facts`` holds);
* adds the target-list columns ``eligible``, ``p_keep_tier``, ``rank_p05`` and
  ``rank_p95`` to ``results`` (results saved before keep them in ``extra``; frozen
  results are not touched).

SQLite drops the columns in batch mode without copying the tables
(``ALTER TABLE … DROP COLUMN``, SQLite 3.35 or newer): a copy would have to drop
tables that foreign keys point at. :func:`downgrade` moves the facts back.
"""

from __future__ import annotations

import math
import re
import sqlite3
from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0002"
down_revision = "0001"
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
#: 0001's ``preliminary_YYYY.csv`` columns, with the database column of each customer column.
_PRELIMINARY: list[tuple[str, str | None]] = [
    ("customer_id", "customer_id"),
    ("customer_name", "customer_name"),
    ("segment", "segment"),
    ("region", "region"),
    ("owner_id", "owner_id"),
    *((f, None) for f in _CRITERIA + _STATUS),
]
_INQUIRY_BASE = [
    "inquiry_id",
    "date",
    "channel",
    "segment",
    "customer_name",
    "region",
    "need_category",
    "first_response_hours",
    "handler",
    "decision",
    "follow_ups",
    "converted",
]
_NEW_RESULTS: list[tuple[str, Any]] = [
    ("eligible", sa.Boolean()),
    ("p_keep_tier", sa.Double()),
    ("rank_p05", sa.Integer()),
    ("rank_p95", sa.Integer()),
]
_CHUNK = 500

_SQLITE_RESULT_TRIGGERS = [
    """CREATE TRIGGER results_insert_running BEFORE INSERT ON results
    WHEN (SELECT status FROM runs WHERE run_id = NEW.run_id) IS NOT 'running'
    BEGIN SELECT RAISE(ABORT, 'results are frozen: results can only be added to a running run'); END""",
    """CREATE TRIGGER results_update_frozen BEFORE UPDATE ON results
    WHEN (SELECT status FROM runs WHERE run_id = OLD.run_id) = 'published'
    BEGIN SELECT RAISE(ABORT, 'results are frozen: the run is published'); END""",
    """CREATE TRIGGER results_delete_frozen BEFORE DELETE ON results
    WHEN (SELECT status FROM runs WHERE run_id = OLD.run_id) = 'published'
    BEGIN SELECT RAISE(ABORT, 'results are frozen: the run is published'); END""",
]
_SQLITE_DROP_RESULT_TRIGGERS = [
    "DROP TRIGGER results_insert_running",
    "DROP TRIGGER results_update_frozen",
    "DROP TRIGGER results_delete_frozen",
]


def _value_columns() -> list[Any]:
    return [
        sa.Column("value_num", sa.Double()),
        sa.Column("value_text", sa.Text()),
    ]


def _batch(table: str) -> Any:
    """Batch mode without copying the table (foreign keys point at these tables)."""
    if op.get_bind().dialect.name == "sqlite" and sqlite3.sqlite_version_info < (3, 35):
        raise RuntimeError(
            f"this migration needs SQLite 3.35 or newer (ALTER TABLE DROP COLUMN); this Python has "
            f"SQLite {sqlite3.sqlite_version}"
        )
    return op.batch_alter_table(table, recreate="never")


def _insert(conn: sa.Connection, table: sa.TableClause, rows: list[dict[str, Any]]) -> None:
    for i in range(0, len(rows), _CHUNK):
        conn.execute(table.insert(), rows[i : i + _CHUNK])


def _fact_value(v: Any) -> tuple[float | None, str | None]:
    """A JSON value as (number, text): a number, or a text that is a plainly written
    decimal number (``12``, ``-0.5``; not ``007``), is stored as a number."""
    if isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v):
        return float(v), None
    text = str(v)
    if re.fullmatch(r"-?(?:0|[1-9]\d*)(?:\.\d+)?", text) and math.isfinite(float(text)):
        return float(text), None
    return None, text


def _render(x: float) -> str:
    return str(int(x)) if float(x).is_integer() and abs(x) < 2**53 else repr(float(x))


# ---------------------------------------------------------------------- tables (light)
def _json() -> sa.types.TypeEngine:
    return sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def _t(name: str, *cols: str) -> sa.TableClause:
    types: dict[str, Any] = {
        "extra": _json(),
        "value_num": sa.Double(),
        "value_text": sa.Text(),
        "year": sa.Integer(),
        "position": sa.Integer(),
        "facts_year": sa.Integer(),
        "source_row": sa.Integer(),
        **{f: sa.Text() if f in _TEXT else sa.Double() for f in [*_CRITERIA, *_STATUS]},
        **dict(_NEW_RESULTS),
    }
    return sa.table(name, *(sa.column(c, types.get(c, sa.Text())) for c in cols))


_snap = _t(
    "list_snapshots", "year", "customer_id", "segment", "source_file", "source_row", "extra", *_CRITERIA, *_STATUS
)
_inq = _t("inquiries", "inquiry_id", "extra", *_CRITERIA)
_cust = _t("customers", "customer_id", "segment", "facts_year", *_CRITERIA, *_STATUS)
_cf = _t("customer_facts", "year", "customer_id", "segment", "fact", "value_num", "value_text")
_if = _t("inquiry_facts", "inquiry_id", "fact", "value_num", "value_text")
_cols = _t("import_columns", "dataset", "position", "name", "field")
_res = _t("results", "run_id", "customer_id", "extra", *(n for n, _ in _NEW_RESULTS))
_NULL_NUM: Any = sa.cast(sa.null(), sa.Double())
_NULL_TEXT: Any = sa.cast(sa.null(), sa.Text())


def upgrade() -> None:
    op.create_table(
        "customer_facts",
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Text(), nullable=False),
        sa.Column("segment", sa.Text(), nullable=False),
        sa.Column("fact", sa.Text(), nullable=False),
        *_value_columns(),
        sa.CheckConstraint("(value_num IS NULL) <> (value_text IS NULL)", name="ck_customer_facts_one_value"),
        sa.ForeignKeyConstraint(
            ["year", "customer_id", "segment"],
            ["list_snapshots.year", "list_snapshots.customer_id", "list_snapshots.segment"],
            ondelete="CASCADE",
            name="fk_customer_facts_year_list_snapshots",
        ),
        sa.PrimaryKeyConstraint("year", "customer_id", "segment", "fact", name="pk_customer_facts"),
    )
    op.create_index("ix_customer_facts_fact", "customer_facts", ["fact"])
    op.create_table(
        "import_columns",
        sa.Column("dataset", sa.Text(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("field", sa.Text()),
        sa.PrimaryKeyConstraint("dataset", "position", name="pk_import_columns"),
        sa.UniqueConstraint("dataset", "name", name="uq_import_columns_dataset_name"),
    )
    op.create_table(
        "inquiry_facts",
        sa.Column("inquiry_id", sa.Text(), nullable=False),
        sa.Column("fact", sa.Text(), nullable=False),
        *_value_columns(),
        sa.CheckConstraint("(value_num IS NULL) <> (value_text IS NULL)", name="ck_inquiry_facts_one_value"),
        sa.ForeignKeyConstraint(
            ["inquiry_id"], ["inquiries.inquiry_id"], ondelete="CASCADE", name="fk_inquiry_facts_inquiry_id_inquiries"
        ),
        sa.PrimaryKeyConstraint("inquiry_id", "fact", name="pk_inquiry_facts"),
    )
    conn = op.get_bind()
    _copy_list_facts(conn)
    _copy_inquiry_facts(conn)
    with _batch("list_snapshots") as b:
        for c in [*_CRITERIA, *_STATUS, "extra"]:
            b.drop_column(c)
    with _batch("customers") as b:
        for c in [*_CRITERIA, *_STATUS]:
            b.drop_column(c)
    with _batch("inquiries") as b:
        for c in [*_CRITERIA, "extra"]:
            b.drop_column(c)
    with _batch("results") as b:
        for name, kind in _NEW_RESULTS:
            b.add_column(sa.Column(name, kind))


def _copy_list_facts(conn: sa.Connection) -> None:
    s = _snap
    for f in [*_CRITERIA, *_STATUS]:
        num = _NULL_NUM if f in _TEXT else s.c[f]
        text = s.c[f] if f in _TEXT else _NULL_TEXT
        conn.execute(
            _cf.insert().from_select(
                ["year", "customer_id", "segment", "fact", "value_num", "value_text"],
                sa.select(s.c.year, s.c.customer_id, s.c.segment, sa.literal(f, sa.Text()), num, text).where(
                    s.c[f].is_not(None)
                ),
            )
        )
    rows = conn.execute(
        sa.select(s.c.year, s.c.customer_id, s.c.segment, s.c.extra).order_by(
            s.c.year, s.c.source_file, s.c.source_row, s.c.customer_id, s.c.segment
        )
    ).all()
    facts: list[dict[str, Any]] = []
    extra_names: dict[int, list[str]] = {}
    for year, cid, seg, extra in rows:
        names = extra_names.setdefault(year, [])
        for k, v in (extra or {}).items():
            if k not in names:
                names.append(k)
            if v is None or (isinstance(v, float) and math.isnan(v)):
                continue
            n, t = _fact_value(v)
            facts.append({"year": year, "customer_id": cid, "segment": seg, "fact": k, "value_num": n, "value_text": t})
    _insert(conn, _cf, facts)
    years = sorted({int(y) for (y,) in conn.execute(sa.select(s.c.year).distinct())})
    header: list[dict[str, Any]] = []
    for y in years:
        columns: list[tuple[str, str | None]] = [*_PRELIMINARY, *((k, None) for k in extra_names.get(y, []))]
        header += [
            {"dataset": f"preliminary/{y}", "position": i, "name": n, "field": fld}
            for i, (n, fld) in enumerate(columns)
        ]
    _insert(conn, _cols, header)


def _copy_inquiry_facts(conn: sa.Connection) -> None:
    q = _inq
    for f in _CRITERIA:
        num = _NULL_NUM if f in _TEXT else q.c[f]
        text = q.c[f] if f in _TEXT else _NULL_TEXT
        conn.execute(
            _if.insert().from_select(
                ["inquiry_id", "fact", "value_num", "value_text"],
                sa.select(q.c.inquiry_id, sa.literal(f, sa.Text()), num, text).where(q.c[f].is_not(None)),
            )
        )
    rows = conn.execute(sa.select(q.c.inquiry_id, q.c.extra).order_by(q.c.inquiry_id)).all()
    if not rows:
        return
    facts, names = [], []
    for qid, extra in rows:
        for k, v in (extra or {}).items():
            if k not in names:
                names.append(k)
            if v is None or (isinstance(v, float) and math.isnan(v)):
                continue
            n, t = _fact_value(v)
            facts.append({"inquiry_id": qid, "fact": k, "value_num": n, "value_text": t})
    _insert(conn, _if, facts)
    header = [*((c, c) for c in _INQUIRY_BASE), *((f, None) for f in [*_CRITERIA, *names])]
    _insert(
        conn,
        _cols,
        [{"dataset": "inquiries", "position": i, "name": n, "field": fld} for i, (n, fld) in enumerate(header)],
    )


# ---------------------------------------------------------------------- downgrade
def _wide_value(fact: str, num: float | None, text: str | None) -> tuple[bool, Any]:
    """(fits the 0001 column, the value for it)."""
    if fact in _TEXT:
        return True, text if text is not None else _render(num)  # type: ignore[arg-type]
    if num is not None:
        return True, num
    try:
        x = float(text)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return False, text
    return (True, x) if math.isfinite(x) else (False, text)


def downgrade() -> None:
    conn = op.get_bind()
    dialect = conn.dialect.name
    with _batch("list_snapshots") as b:
        for c in [*_CRITERIA, *_STATUS]:
            b.add_column(sa.Column(c, sa.Text() if c in _TEXT else sa.Double()))
        b.add_column(sa.Column("extra", _json()))
    with _batch("customers") as b:
        for c in [*_CRITERIA, *_STATUS]:
            b.add_column(sa.Column(c, sa.Text() if c in _TEXT else sa.Double()))
    with _batch("inquiries") as b:
        for c in _CRITERIA:
            b.add_column(sa.Column(c, sa.Text() if c in _TEXT else sa.Double()))
        b.add_column(sa.Column("extra", _json()))
    wide = set(_CRITERIA + _STATUS)

    snaps: dict[tuple[Any, ...], dict[str, Any]] = {}
    for year, cid, seg, fact, num, text in conn.execute(sa.select(*_cf.c)):
        row = snaps.setdefault((year, cid, seg), {"extra": {}})
        fits, value = _wide_value(fact, num, text)
        if fact in wide and fits:
            row[fact] = value
        else:
            row["extra"][fact] = text if text is not None else _render(num)
    s = _snap
    stmt = s.update().where(
        s.c.year == sa.bindparam("k_year"),
        s.c.customer_id == sa.bindparam("k_cid"),
        s.c.segment == sa.bindparam("k_seg"),
    )
    updates = [
        {"k_year": y, "k_cid": c, "k_seg": g, **{f: r.get(f) for f in wide}, "extra": r["extra"] or None}
        for (y, c, g), r in snaps.items()
    ]
    for i in range(0, len(updates), _CHUNK):
        conn.execute(stmt.values({f: sa.bindparam(f) for f in [*wide, "extra"]}), updates[i : i + _CHUNK])
    cu = _cust
    current = [
        {"k_cid": cid, **{f: snaps.get((year, cid, seg), {}).get(f) for f in wide}}
        for cid, seg, year in conn.execute(sa.select(cu.c.customer_id, cu.c.segment, cu.c.facts_year))
    ]
    cstmt = cu.update().where(cu.c.customer_id == sa.bindparam("k_cid")).values({f: sa.bindparam(f) for f in wide})
    for i in range(0, len(current), _CHUNK):
        conn.execute(cstmt, current[i : i + _CHUNK])

    inq: dict[str, dict[str, Any]] = {}
    for qid, fact, num, text in conn.execute(sa.select(*_if.c)):
        row = inq.setdefault(qid, {"extra": {}})
        fits, value = _wide_value(fact, num, text)
        if fact in _CRITERIA and fits:
            row[fact] = value
        else:
            row["extra"][fact] = text if text is not None else _render(num)
    q = _inq
    qstmt = (
        q.update()
        .where(q.c.inquiry_id == sa.bindparam("k_qid"))
        .values({f: sa.bindparam(f) for f in [*_CRITERIA, "extra"]})
    )
    qrows = [{"k_qid": k, **{f: r.get(f) for f in _CRITERIA}, "extra": r["extra"] or None} for k, r in inq.items()]
    for i in range(0, len(qrows), _CHUNK):
        conn.execute(qstmt, qrows[i : i + _CHUNK])

    # The typed result columns go back into extra; frozen results allow that only
    # with their triggers off for the move.
    r = _res
    moved = []
    for run_id, cid, extra, *vals in conn.execute(
        sa.select(r.c.run_id, r.c.customer_id, r.c.extra, *(r.c[n] for n, _ in _NEW_RESULTS))
    ):
        given = {n: v for (n, _), v in zip(_NEW_RESULTS, vals) if v is not None}
        if given:
            moved.append({"k_run": run_id, "k_cid": cid, "extra": {**(extra or {}), **given}})
    if moved:
        if dialect == "postgresql":
            op.execute("ALTER TABLE results DISABLE TRIGGER results_frozen")
        else:
            for ddl in _SQLITE_DROP_RESULT_TRIGGERS:
                op.execute(ddl)
        rstmt = (
            r.update()
            .where(r.c.run_id == sa.bindparam("k_run"), r.c.customer_id == sa.bindparam("k_cid"))
            .values(extra=sa.bindparam("extra"))
        )
        for i in range(0, len(moved), _CHUNK):
            conn.execute(rstmt, moved[i : i + _CHUNK])
        if dialect == "postgresql":
            op.execute("ALTER TABLE results ENABLE TRIGGER results_frozen")
        else:
            for ddl in _SQLITE_RESULT_TRIGGERS:
                op.execute(ddl)
    with _batch("results") as b:
        for name, _ in _NEW_RESULTS:
            b.drop_column(name)
    op.drop_table("inquiry_facts")
    op.drop_table("import_columns")
    op.drop_index("ix_customer_facts_fact", table_name="customer_facts")
    op.drop_table("customer_facts")
