"""The migrations of the customer database keep the data, on SQLite and PostgreSQL.

A database is created at revision 0001 (the sample's ten criteria as columns) and
filled the way that version wrote it; it is upgraded in place to the long-table
schema (0002) and everything is read back; then downgraded and upgraded again.
"""

from __future__ import annotations

import datetime as dt
import math
import sqlite3
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from prioanalysis.store import database as store

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "data" / "sample"
CRITERIA = [
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
STATUS = ["pipeline_stage", "expected_months_to_close", "need_status"]
TEXT = {"credit_grade", "pipeline_stage", "need_status"}
NOW = dt.datetime(2026, 1, 5, 12, 0, tzinfo=dt.UTC)


def _t(name: str, cols: list[str]) -> sa.TableClause:
    json_cols = {"extra", "params", "result_columns"}
    return sa.table(name, *(sa.column(c, sa.JSON() if c in json_cols else None) for c in cols))


def _fact(name: str, raw: Any) -> Any:
    if raw is None or (isinstance(raw, float) and math.isnan(raw)) or raw == "":
        return None
    return str(raw) if name in TEXT else float(raw)


def _old_rows() -> dict[str, list[dict[str, Any]]]:
    """Rows as revision 0001 stored them: facts in columns, other columns in ``extra``."""
    pre = pd.read_csv(SAMPLE / "preliminary_2026.csv", dtype=str, keep_default_na=False).head(40)
    snaps, cust = [], {}
    for i, r in pre.iterrows():
        facts = {f: _fact(f, r[f]) for f in CRITERIA + STATUS}
        extra = {"crm_note": f"备注{i}"} if i % 3 == 0 else None
        snaps.append(
            {
                "year": 2026,
                "customer_id": r["customer_id"],
                "segment": r["segment"],
                "customer_name": r["customer_name"],
                "region": r["region"] or None,
                "owner_id": r["owner_id"] or None,
                **facts,
                "extra": extra,
                "source_file": "preliminary_2026.csv",
                "source_sha256": "x",
                "source_row": int(i) + 2,
                "imported_at": NOW,
            }
        )
        cust.setdefault(
            r["customer_id"],
            {
                "customer_id": r["customer_id"],
                "customer_name": r["customer_name"],
                "segment": r["segment"],
                "segments": r["segment"],
                "region": r["region"] or None,
                "owner_id": r["owner_id"] or None,
                **facts,
                "first_year": 2026,
                "facts_year": 2026,
                "updated_at": NOW,
            },
        )
    inq = pd.read_csv(SAMPLE / "inquiries_2025.csv", dtype=str, keep_default_na=False).head(30)
    inquiries = []
    for i, r in inq.iterrows():
        inquiries.append(
            {
                "inquiry_id": r["inquiry_id"],
                "date": dt.date.fromisoformat(r["date"]),
                "channel": r["channel"],
                "segment": r["segment"],
                "customer_name": r["customer_name"],
                "region": r["region"] or None,
                "need_category": r["need_category"] or None,
                "first_response_hours": float(r["first_response_hours"]) if r["first_response_hours"] else None,
                "handler": r["handler"] or None,
                "decision": r["decision"] or None,
                "follow_ups": int(r["follow_ups"]),
                "converted": int(r["converted"]),
                **{f: _fact(f, r[f]) for f in CRITERIA},
                "extra": {"handling_days": str(i % 5)} if i % 2 else None,
                "updated_at": NOW,
            }
        )
    results = [
        {
            "run_id": "r2025",
            "customer_id": c,
            "customer_name": "x",
            "score": 1.0 - k / 10,
            "rank": k + 1,
            "tier": "战略",
            "grade": "A",
            "extra": {"p_keep_tier": 0.9 - k / 100, "eligible": True, "custom": f"c{k}"},
        }
        for k, c in enumerate(list(cust)[:5])
    ]
    return {"list_snapshots": snaps, "customers": list(cust.values()), "inquiries": inquiries, "results": results}


def _fill_0001(engine: sa.Engine, rows: dict[str, list[dict[str, Any]]]) -> None:
    with engine.begin() as conn:
        for name in ("customers", "list_snapshots", "inquiries"):
            conn.execute(_t(name, list(rows[name][0])).insert(), rows[name])
        conn.execute(
            _t("outcomes", ["year", "customer_id", "won", "revenue", "days_to_close", "imported_at"]).insert(),
            [
                {
                    "year": 2026,
                    "customer_id": r["customer_id"],
                    "won": 1,
                    "revenue": 5.5,
                    "days_to_close": 3,
                    "imported_at": NOW,
                }
                for r in rows["customers"][:4]
            ],
        )
        conn.execute(
            _t("inquiry_followups", ["inquiry_id", "seq", "date", "note"]).insert(),
            [{"inquiry_id": rows["inquiries"][0]["inquiry_id"], "seq": 1, "date": dt.date(2025, 2, 1), "note": "回访"}],
        )
        runs = _t("runs", ["run_id", "year", "kind", "status", "started", "result_columns"])
        conn.execute(
            runs.insert(),
            [
                {
                    "run_id": "r2025",
                    "year": 2025,
                    "kind": "ranking",
                    "status": "running",
                    "started": NOW,
                    "result_columns": [
                        "customer_id",
                        "score",
                        "rank",
                        "tier",
                        "grade",
                        "eligible",
                        "p_keep_tier",
                        "custom",
                    ],
                }
            ],
        )
        cols = list(rows["results"][0])
        conn.execute(_t("results", cols).insert(), rows["results"])
        conn.execute(
            sa.update(_t("runs", ["run_id", "status", "published_at"]))
            .where(sa.column("run_id") == "r2025")
            .values(status="published", published_at=NOW)
        )


def _migrate(engine: sa.Engine, revision: str, down: bool = False) -> None:
    cfg = store.alembic_config()
    with store._writing(engine, "schema") as conn:
        cfg.attributes["connection"] = conn
        (command.downgrade if down else command.upgrade)(cfg, revision)
    store._ready_engines.discard(engine)


def _raw(engine: sa.Engine, name: str, cols: list[str], key: list[str]) -> list[tuple[Any, ...]]:
    t = _t(name, cols)
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(sa.select(*t.c).order_by(*(t.c[k] for k in key)))]


@pytest.fixture
def old_engine(db_url: str):
    eng = store.get_engine(db_url)
    assert store.init_db(eng, "0001") == "0001"
    yield eng
    eng.dispose()


def test_upgrade_from_0001_keeps_every_fact(old_engine: sa.Engine) -> None:
    rows = _old_rows()
    _fill_0001(old_engine, rows)
    snap_cols = list(rows["list_snapshots"][0])
    before = {
        "list_snapshots": _raw(old_engine, "list_snapshots", snap_cols, ["year", "customer_id", "segment"]),
        "customers": _raw(old_engine, "customers", list(rows["customers"][0]), ["customer_id"]),
        "inquiries": _raw(old_engine, "inquiries", list(rows["inquiries"][0]), ["inquiry_id"]),
    }
    with pytest.raises(store.StoreError, match="db init"):  # the package refuses the old schema until upgraded
        store.load_preliminary(old_engine, 2026)
    assert store.init_db(old_engine) == store.head_revision()

    # the schema is the package's, with no fact column left
    with old_engine.connect() as conn:
        assert compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), store.metadata) == []
        names = {c["name"] for c in sa.inspect(conn).get_columns("list_snapshots")}
    assert not names & {*CRITERIA, *STATUS, "extra"}

    # the list comes back as 0001 gave it: its columns, then the extra ones
    got = store.load_preliminary(old_engine, 2026)
    assert list(got.columns) == [
        "customer_id",
        "customer_name",
        "segment",
        "region",
        "owner_id",
        *CRITERIA,
        *STATUS,
        "crm_note",
    ]
    want = pd.DataFrame(rows["list_snapshots"])
    assert got["customer_id"].tolist() == want["customer_id"].tolist()
    for f in CRITERIA + STATUS:
        if f in TEXT:
            assert _none(got[f]) == _none(want[f]), f
        else:
            np.testing.assert_array_equal(got[f].astype(float).to_numpy(), want[f].astype(float).to_numpy(), err_msg=f)
    notes = [None if e is None else e["crm_note"] for e in want["extra"]]
    assert _none(got["crm_note"]) == notes

    # current facts of each customer, outcomes, inquiries with their facts, follow-ups
    current = store.load_customers(old_engine).set_index("customer_id")
    for r in rows["customers"]:
        for f in CRITERIA + STATUS:
            v = current.loc[r["customer_id"], f]
            assert (r[f] is None and pd.isna(v)) or v == r[f], (r["customer_id"], f)
    assert store.load_outcomes(old_engine, 2026)["won"].tolist() == [1, 1, 1, 1]
    inq = store.load_inquiries(old_engine).set_index("inquiry_id")
    for r in rows["inquiries"]:
        for f in CRITERIA:
            v = inq.loc[r["inquiry_id"], f]
            assert (r[f] is None and pd.isna(v)) or v == r[f], (r["inquiry_id"], f)
        hd = inq.loc[r["inquiry_id"], "handling_days"]
        want_hd = None if r["extra"] is None else int(r["extra"]["handling_days"])
        assert (want_hd is None and pd.isna(hd)) or hd == want_hd
    assert store.table_counts(old_engine)["inquiry_followups"] == 1

    # frozen results: untouched, the now-typed columns read from extra
    res = store.load_results(old_engine, 2025)
    assert res["p_keep_tier"].tolist() == [0.9, 0.89, 0.88, 0.87, 0.86]
    assert res["eligible"].tolist() == [True] * 5 and res["custom"].tolist() == [f"c{k}" for k in range(5)]
    with pytest.raises(sa.exc.DBAPIError, match="frozen"), old_engine.begin() as conn:
        conn.execute(sa.text("DELETE FROM results WHERE run_id = 'r2025'"))

    # the upgraded database takes new lists, with new facts
    rep = store.import_table(old_engine, "customers", SAMPLE / "preliminary_2025.csv")
    assert rep.tables["list_snapshots"].inserted == len(pd.read_csv(SAMPLE / "preliminary_2025.csv"))

    # down to 0001: the same rows as before, in the same columns
    _migrate(old_engine, "0001", down=True)
    assert _raw(old_engine, "customers", list(rows["customers"][0]), ["customer_id"]) != []
    with old_engine.begin() as conn:  # drop what the newer package added, then compare
        conn.execute(sa.text("DELETE FROM list_snapshots WHERE year = 2025"))
    after = {
        "list_snapshots": _raw(old_engine, "list_snapshots", snap_cols, ["year", "customer_id", "segment"]),
        "inquiries": _raw(old_engine, "inquiries", list(rows["inquiries"][0]), ["inquiry_id"]),
    }
    _same_rows(before["list_snapshots"], after["list_snapshots"])
    _same_rows(before["inquiries"], after["inquiries"])
    cust_after = {r[0]: r for r in _raw(old_engine, "customers", list(rows["customers"][0]), ["customer_id"])}
    for r in before["customers"]:
        _same_rows([r[:6] + r[6 : 6 + 13]], [cust_after[r[0]][:6] + cust_after[r[0]][6 : 6 + 13]])
    with old_engine.connect() as conn:
        extra = conn.execute(sa.select(_t("results", ["extra"]).c.extra)).scalars().all()
    assert all(e["p_keep_tier"] > 0.8 for e in extra)
    # ... and up again
    _migrate(old_engine, "head")
    again = store.load_preliminary(old_engine, 2026)
    pd.testing.assert_frame_equal(again, got)


def _none(values: pd.Series) -> list[Any]:
    return [None if pd.isna(v) else v for v in values]


def _same_rows(a: list[tuple[Any, ...]], b: list[tuple[Any, ...]]) -> None:
    assert len(a) == len(b)
    for x, y in zip(a, b):
        for u, v in zip(x, y):
            if isinstance(u, float) and isinstance(v, float):
                assert u == v or (math.isnan(u) and math.isnan(v))
            elif isinstance(u, dt.datetime) and isinstance(v, dt.datetime):
                assert u.replace(tzinfo=None) == v.replace(tzinfo=None)
            else:
                assert u == v, (x, y)


def test_0003_freezes_replace_and_keeps_the_inquiries(db_url: str) -> None:
    """From 0002, with a published run and a logged inquiry: 0003 keeps both, refuses
    SQLite's REPLACE of the published run (it slipped past 0001's delete trigger),
    adds the decision columns; down to 0002 the columns go, up again they come back."""
    eng = store.get_engine(db_url)
    try:
        assert store.init_db(eng, "0002") == "0002"
        replace = (
            "REPLACE INTO runs (run_id, year, kind, status, started) "
            "VALUES ('r', 2026, 'ranking', 'running', '2026-01-01')"
            if eng.dialect.name == "sqlite"
            else "INSERT INTO runs (run_id, year, kind, status, started) "
            "VALUES ('r', 2026, 'ranking', 'running', '2026-01-01') ON CONFLICT (run_id) DO NOTHING"
        )
        with eng.begin() as conn:
            conn.execute(
                sa.text(
                    "INSERT INTO runs (run_id, year, kind, status, started) "
                    "VALUES ('r', 2026, 'ranking', 'running', '2026-01-01')"
                )
            )
            conn.execute(sa.text("INSERT INTO results (run_id, customer_id, score) VALUES ('r', 'C1', 0.5)"))
            conn.execute(sa.text("UPDATE runs SET status = 'published' WHERE run_id = 'r'"))
            conn.execute(
                sa.text(
                    "INSERT INTO inquiries (inquiry_id, date, channel, segment, customer_name, follow_ups, "
                    "updated_at) VALUES ('Q1', '2025-10-03', 'web', 'finance', '甲', 0, '2025-10-03')"
                )
            )
        if eng.dialect.name == "sqlite":  # the hole 0003 closes: raw sqlite3, as any program would
            raw = sqlite3.connect(eng.url.database, isolation_level=None)
            raw.execute("BEGIN")
            raw.execute(replace)  # 0002: accepted, the published row is gone
            assert raw.execute("SELECT status FROM runs WHERE run_id = 'r'").fetchone() == ("running",)
            raw.execute("ROLLBACK")
            raw.close()
        assert store.init_db(eng) == store.head_revision()
        with pytest.raises(sa.exc.DBAPIError, match="frozen"), eng.begin() as conn:
            conn.execute(sa.text(replace))
        if eng.dialect.name == "sqlite":  # refused without the connection's recursive_triggers too
            raw = sqlite3.connect(eng.url.database, isolation_level=None)
            with pytest.raises(sqlite3.DatabaseError, match="frozen"):
                raw.execute(replace)
            raw.close()
        log = store.list_inquiries(eng)
        assert log["inquiry_id"].tolist() == ["Q1"] and log[["reviewer", "decided_on", "converted_on"]].isna().all(
            axis=None
        )
        assert store.load_results(eng, 2026)["score"].tolist() == [0.5]
        store.decide_inquiry(eng, "Q1", "decline", "王经理", "2025-10-04")
        _migrate(eng, "0002", down=True)
        with eng.connect() as conn:
            names = {c["name"] for c in sa.inspect(conn).get_columns("inquiries")}
            assert conn.execute(sa.text("SELECT decision FROM inquiries")).scalar_one() == "decline"
        assert not names & {"reviewer", "decided_on", "converted_on"}
        _migrate(eng, "head")
        with eng.connect() as conn:
            assert compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), store.metadata) == []
        with pytest.raises(sa.exc.DBAPIError, match="frozen"), eng.begin() as conn:
            conn.execute(sa.text(replace))
    finally:
        eng.dispose()


def test_0004_records_earlier_publications_and_adds_the_decision_columns(db_url: str) -> None:
    """From 0003 with two published runs of 2026 and one of 2025: 0004 gives each a
    publication (no approver recorded), the newer 2026 one current and the older marked
    superseded by it; results get the decision columns. Down to 0003 and up again."""
    eng = store.get_engine(db_url)
    try:
        assert store.init_db(eng, "0003") == "0003"
        with eng.begin() as conn:
            for rid, year, at in (("a", 2026, "2026-01-05"), ("b", 2026, "2026-02-05"), ("c", 2025, "2025-01-05")):
                conn.execute(
                    sa.text(
                        "INSERT INTO runs (run_id, year, kind, status, started) "
                        "VALUES (:r, :y, 'ranking', 'running', :t)"
                    ),
                    {"r": rid, "y": year, "t": at},
                )
                conn.execute(
                    sa.text("INSERT INTO results (run_id, customer_id, score) VALUES (:r, 'C1', 0.5)"), {"r": rid}
                )
                conn.execute(
                    sa.text("UPDATE runs SET status = 'published', published_at = :t WHERE run_id = :r"),
                    {"r": rid, "t": at + " 10:00:00+00:00"},
                )
        assert store.init_db(eng) == store.head_revision()
        hist = store.publication_history(eng)
        assert hist[["year", "run_id", "status", "approver", "supersedes", "superseded_by"]].to_numpy().tolist() == [
            [2025, "c", "current", None, None, None],
            [2026, "a", "superseded", None, None, "b"],
            [2026, "b", "current", None, "a", None],
        ]
        with eng.connect() as conn:
            assert compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), store.metadata) == []
            cols = {c["name"] for c in sa.inspect(conn).get_columns("results")}
        assert {"decision", "decided_by", "decision_reason"} <= cols
        _migrate(eng, "0003", down=True)
        with eng.connect() as conn:
            assert "publications" not in sa.inspect(conn).get_table_names()
            assert not {"decision", "decided_by"} & {c["name"] for c in sa.inspect(conn).get_columns("results")}
        _migrate(eng, "head")
        assert len(store.publication_history(eng)) == 3
        store.save_run(eng, "d", 2026, None, pd.DataFrame({"customer_id": ["C1"], "score": [1.0], "rank": [1]}))
        with pytest.raises(store.SupersedeRequired):
            store.publish_run(eng, "d", "李明")
    finally:
        eng.dispose()
