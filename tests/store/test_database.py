"""The customer information system (``prioanalysis.store``), on SQLite and PostgreSQL.

Every test taking ``engine`` runs twice: on an SQLite file and on a database of a
throwaway PostgreSQL server (``tests/pgcluster.py``). The PostgreSQL variant is
skipped only when no server binaries are found outside CI; in CI (``CI=true``) a
server that cannot start fails the run.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from prioanalysis.app import db_commands as store_cli
from prioanalysis.config.params import load_params
from prioanalysis.errors import InputError, PrioanalysisError
from prioanalysis.inputs import preliminary as intake
from prioanalysis.inputs.tables import read_table
from prioanalysis.steps.ranking import rank_customers
from prioanalysis.store import database as store
from tests import pgcluster

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "data" / "sample"
PRELIM_2025 = SAMPLE / "preliminary_2025.csv"
PRELIM_2026 = SAMPLE / "preliminary_2026.csv"

HOSTILE = [
    'O\'Brien "x"; DROP TABLE customers;--',
    "<script>alert(1)</script>",
    "x" * 10_000,
    "客户🚀😀 emoji 重要性排序",
    "北京华信科技有限公司",
    "Robert'); DELETE FROM results; --",
    "50% off \\ back\\slash :name %(x)s $1 ?",
    "line one\nline two\r\ttabbed",
]


# ------------------------------------------------------------------------ fixtures
@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The first 300 rows of the 2025 and 2026 lists (same file names)."""
    d = tmp_path_factory.mktemp("small")
    for src in (PRELIM_2025, PRELIM_2026):
        pd.read_csv(src, dtype=str, keep_default_na=False).head(300).to_csv(d / src.name, index=False)
    return d


@pytest.fixture(scope="module")
def params_2026():
    return load_params(ROOT / "params" / "2026")


def _raw_count(engine: sa.Engine, table: str, where: str = "", **bind: object) -> int:
    with engine.connect() as conn:
        return int(conn.execute(sa.text(f"SELECT count(*) FROM {table} {where}"), bind).scalar_one())


def _digest(engine: sa.Engine) -> str:
    """A fingerprint of every table's content (for "nothing changed")."""
    h = hashlib.sha256()
    with engine.connect() as conn:
        for name, table in store._TABLES.items():
            rows = conn.execute(sa.select(table).order_by(*table.primary_key.columns)).all()
            h.update(name.encode())
            h.update(repr([tuple(r) for r in rows]).encode())
    return h.hexdigest()


def _target_list(n: int, names: list[str] | None = None, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    score = np.sort(rng.random(n))[::-1]
    return pd.DataFrame(
        {
            "customer_id": [f"C{i:06d}" for i in range(n)],
            "customer_name": names if names is not None else [f"客户{i}" for i in range(n)],
            "segment": rng.choice(["finance", "government"], n),
            "score": score,
            "rank": np.arange(1, n + 1),
            "segment_rank": np.arange(1, n + 1),
            "tier": np.where(np.arange(n) < n // 5, "战略", "非目标"),
            "grade": "A",
            "flags": "",
            "custom_note": [f"note {i}" for i in range(n)],  # not a typed column: kept in extra
        }
    )


def _same_frame(a: pd.DataFrame, b: pd.DataFrame) -> None:
    assert list(a.columns) == list(b.columns)
    assert len(a) == len(b)
    for c in a.columns:
        x, y = a[c].reset_index(drop=True), b[c].reset_index(drop=True)
        if pd.api.types.is_numeric_dtype(x) and pd.api.types.is_numeric_dtype(y):
            np.testing.assert_allclose(x.astype(float), y.astype(float), rtol=0, atol=0, equal_nan=True, err_msg=c)
        else:
            xs = [None if pd.isna(v) else str(v) for v in x]
            ys = [None if pd.isna(v) else str(v) for v in y]
            assert xs == ys, c


# ---------------------------------------------------------------------- engine/URL
def test_sqlite_connection_settings(tmp_path: Path) -> None:
    eng = store.get_engine(f"sqlite:///{tmp_path / 'sub' / 'x.db'}")
    with eng.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == store.BUSY_TIMEOUT_S * 1000
    assert (tmp_path / "sub").is_dir()
    eng.dispose()


def test_default_database_is_created_on_first_use(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "params" / "2026").mkdir(parents=True)
    work = tmp_path / "notebooks"
    work.mkdir()
    monkeypatch.chdir(work)
    monkeypatch.delenv(store.ENV_URL, raising=False)
    eng = store.get_engine()
    assert Path(eng.url.database) == tmp_path / "data" / "prioanalysis.db"
    qid = store.add_inquiry(eng, date="2025-01-02", channel="phone", segment="finance", customer_name="甲")
    assert qid == "Q2025-0001"
    assert (tmp_path / "data" / "prioanalysis.db").is_file()
    assert store.schema_revision(eng) == store.head_revision()
    eng.dispose()


def test_url_from_environment_with_password_masked(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(store.ENV_URL, "postgresql://analyst:pa55word@db.example:5432/prio")
    eng = store.get_engine()
    assert eng.url.drivername == "postgresql+psycopg"
    shown = store.masked_url(eng)
    assert "pa55word" not in shown and "***" in shown and "analyst@" not in shown
    monkeypatch.setenv(store.ENV_URL, "mysql://u:pa55word@h/db")
    with pytest.raises(store.StoreError) as err:
        store.get_engine()
    assert "pa55word" not in str(err.value) and "mysql" in str(err.value)
    monkeypatch.setenv(store.ENV_URL, "::not a url pa55word")
    with pytest.raises(store.StoreError) as err:
        store.get_engine()
    assert "pa55word" not in str(err.value)


def test_no_sql_is_built_from_strings() -> None:
    """Values are bound parameters: no SQL text is formatted in the store."""
    store_dir = ROOT / "prioanalysis" / "store"
    sources = [store_dir / "database.py", *(store_dir / "migrations").rglob("*.py")]
    for path in sources:
        code = path.read_text(encoding="utf-8")
        for bad in ("text(f", "execute(f", "exec_driver_sql(f", "% (", ".format("):
            assert bad not in code, f"{path.name}: {bad!r}"


# ------------------------------------------------------------------------- schema
def test_migrations_match_the_models(engine: sa.Engine) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), store.metadata)
    assert diff == []
    assert store.schema_revision(engine) == store.head_revision() == store.init_db(engine)  # idempotent


def test_existing_database_upgrades_in_place(
    engine: sa.Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store.import_table(engine, "customers", PRELIM_2026)
    before = _raw_count(engine, "customers")
    scripts = tmp_path / "migrations"
    shutil.copytree(store._MIGRATIONS, scripts, ignore=shutil.ignore_patterns("__pycache__"))
    head = store.head_revision()
    (scripts / "versions" / "9999_test.py").write_text(
        '"""test revision"""\n'
        "import sqlalchemy as sa\nfrom alembic import op\n"
        f"revision = '9999'\ndown_revision = '{head}'\nbranch_labels = None\ndepends_on = None\n"
        "def upgrade():\n"
        "    with op.batch_alter_table('customers') as b:\n"
        "        b.add_column(sa.Column('website', sa.Text()))\n"
        "def downgrade():\n"
        "    with op.batch_alter_table('customers') as b:\n"
        "        b.drop_column('website')\n",
        encoding="utf-8",
    )
    newer = store.alembic_config(scripts)
    # This version of the package, meeting a database one migration behind it:
    monkeypatch.setattr(store, "_MIGRATIONS", scripts)
    store._ready_engines.discard(engine)
    with pytest.raises(store.StoreError, match="db init"):
        store.table_counts(engine)
    assert store.init_db(engine, config=newer) == "9999"
    assert _raw_count(engine, "customers", "WHERE website IS NULL") == before
    assert store.table_counts(engine)["list_snapshots"] == 3031
    # ... and the older package meeting the upgraded database refuses it clearly.
    monkeypatch.undo()
    store._ready_engines.discard(engine)
    with pytest.raises(store.StoreError, match="unknown to this version"):
        store.table_counts(engine)


# ------------------------------------------------------------------------- import
def test_import_customers_and_feed_intake(engine: sa.Engine, params_2026, tmp_path: Path) -> None:
    rep = store.import_table(engine, "customers", PRELIM_2026)
    assert (rep.year, rep.rows, rep.inserted, rep.updated) == (2026, 3031, 3031, 0)
    assert rep.tables["customers"].inserted == 2968
    again = store.import_table(engine, "customers", PRELIM_2026)
    assert (again.inserted, again.updated, again.unchanged) == (0, 0, 3031)
    assert again.tables["customers"].unchanged == 2968

    stored = store.load_preliminary(engine, 2026)
    original = read_table(PRELIM_2026)
    assert list(stored.columns) == list(original.columns)
    key = ["customer_id", "segment"]
    a = original.sort_values(key).reset_index(drop=True)
    b = stored.sort_values(key).reset_index(drop=True)
    for c in original.columns:
        num = pd.to_numeric(a[c], errors="coerce")
        if num.notna().sum() == a[c].notna().sum() and c not in ("customer_id", "owner_id"):
            np.testing.assert_array_equal(num.to_numpy(float), pd.to_numeric(b[c]).to_numpy(float), err_msg=c)
        else:
            assert a[c].fillna("").tolist() == b[c].fillna("").tolist(), c

    from_file = rank_customers(intake.validate_preliminary(original, params_2026), params_2026).target_list
    from_db = rank_customers(intake.validate_preliminary(stored, params_2026), params_2026).target_list
    _same_frame(from_file.drop(columns="source_row"), from_db.drop(columns="source_row"))
    assert len(store.preliminary_fingerprint(engine, 2026)) == 64
    # Written back to CSV (what a run fed from the database ranks), even the row
    # numbers match the original file.
    csv = store.write_preliminary(engine, 2026, tmp_path / "run" / "preliminary_2026.csv")
    via_csv = rank_customers(intake.validate_preliminary(read_table(csv), params_2026), params_2026)
    _same_frame(from_file, via_csv.target_list)
    with pytest.raises(store.StoreError, match="no preliminary list stored for 2024"):
        store.load_preliminary(engine, 2024)


def test_customer_facts_follow_the_latest_year(engine: sa.Engine) -> None:
    store.import_table(engine, "customers", PRELIM_2026)
    rep = store.import_table(engine, "customers", PRELIM_2025)  # older list after the newer
    assert rep.tables["list_snapshots"].inserted == 3059
    with engine.connect() as conn:
        stmt = sa.select(store.customers).where(store.customers.c.customer_id == "C000002")
        row = conn.execute(stmt).mappings().one()
    assert (row["facts_year"], row["first_year"]) == (2026, 2025)
    current = store.load_customers(engine).set_index("customer_id")
    assert current.loc["C000002", "it_budget"] == 5763.5  # the 2026 list's, not 2025's 5780.4
    assert current.loc["C000002", "credit_grade"] == "AAA"
    assert _raw_count(engine, "customers") == len(
        set(read_table(PRELIM_2025)["customer_id"]) | set(read_table(PRELIM_2026)["customer_id"])
    )


def test_dry_run_reports_and_writes_nothing(engine: sa.Engine, tmp_path: Path, small: Path) -> None:
    store.import_table(engine, "customers", small / PRELIM_2026.name)
    df = pd.read_csv(small / PRELIM_2026.name, dtype=str, keep_default_na=False)
    df.loc[0, "it_budget"] = "999.5"
    df = pd.concat([df, df.iloc[[1]].assign(customer_id="C999999", customer_name="新客户")], ignore_index=True)
    changed = tmp_path / "preliminary_2026.csv"
    df.to_csv(changed, index=False)
    before = _digest(engine)
    rep = store.import_table(engine, "customers", changed, dry_run=True)
    assert rep.dry_run and (rep.inserted, rep.updated, rep.unchanged) == (1, 1, 299)
    assert "dry run" in rep.summary()
    assert _digest(engine) == before
    rep = store.import_table(engine, "customers", changed)
    assert (rep.inserted, rep.updated) == (1, 1)
    assert _digest(engine) != before


def test_bad_row_500_of_1000_is_reported_and_nothing_written(engine: sa.Engine, tmp_path: Path, small: Path) -> None:
    store.import_table(engine, "customers", small / PRELIM_2025.name)
    df = pd.read_csv(PRELIM_2026, dtype=str, keep_default_na=False).head(1000)
    df.loc[499, "it_budget"] = "lots"
    df.loc[499, "expected_months_to_close"] = "-2"
    bad = tmp_path / "preliminary_2026.csv"
    df.to_csv(bad, index=False)
    before = _digest(engine)
    with pytest.raises(InputError) as err:
        store.import_table(engine, "customers", bad)
    msg = str(err.value)
    assert str(bad) in msg and "2 problem(s)" in msg
    assert "row 501, column 'it_budget': 'lots' is not a number" in msg
    assert "row 501, column 'expected_months_to_close': '-2' is below 0" in msg
    assert _digest(engine) == before


def test_database_failure_half_way_rolls_everything_back(
    engine: sa.Engine, small: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store.import_table(engine, "customers", small / PRELIM_2025.name)
    before = _digest(engine)
    calls: list[int] = []
    real = store._execute_chunk

    def sabotage(conn, statement, rows):
        calls.append(len(rows))
        if len(calls) == 12:  # customers written; now half way through the snapshots
            rows = [dict(r) for r in rows]
            rows[-1]["customer_name"] = None  # NOT NULL: the database refuses this row
        real(conn, statement, rows)

    monkeypatch.setattr(store, "_execute_chunk", sabotage)
    with pytest.raises(store.StoreError):
        store.import_table(engine, "customers", PRELIM_2026)
    assert len(calls) == 12
    assert _digest(engine) == before
    assert _raw_count(engine, "list_snapshots", "WHERE year = :y", y=2026) == 0


def test_outcomes_need_known_customers_and_a_year(engine: sa.Engine, tmp_path: Path) -> None:
    with pytest.raises(InputError, match="not a known customer"):
        store.import_table(engine, "outcomes", SAMPLE / "outcomes_2025.csv")
    store.import_table(engine, "customers", PRELIM_2025)
    rep = store.import_table(engine, "outcomes", SAMPLE / "outcomes_2025.csv")
    assert (rep.year, rep.inserted) == (2025, 3010)
    got = store.load_outcomes(engine, 2025)
    want = pd.read_csv(SAMPLE / "outcomes_2025.csv")
    _same_frame(want.sort_values("customer_id").reset_index(drop=True), got)
    unnamed = tmp_path / "results.csv"
    shutil.copy(SAMPLE / "outcomes_2025.csv", unnamed)
    with pytest.raises(InputError, match="cannot tell the year"):
        store.import_table(engine, "outcomes", unnamed)
    assert store.import_table(engine, "outcomes", unnamed, year=2025).unchanged == 3010


def test_owners_and_xlsx(engine: sa.Engine, tmp_path: Path) -> None:
    rep = store.import_table(engine, "owners", SAMPLE / "owners.csv")
    assert rep.inserted == 40
    _same_frame(pd.read_csv(SAMPLE / "owners.csv"), store.load_owners(engine))
    xlsx = tmp_path / "preliminary_2026.xlsx"
    pd.read_csv(PRELIM_2026).head(50).to_excel(xlsx, index=False)
    rep = store.import_table(engine, "customers", xlsx)
    assert (rep.year, rep.inserted) == (2026, 50)
    first_50 = pd.read_csv(PRELIM_2026)["customer_id"].head(50).tolist()
    assert store.load_preliminary(engine, 2026)["customer_id"].tolist() == first_50


def test_import_problems_name_file_row_and_column(engine: sa.Engine, tmp_path: Path) -> None:
    bad = tmp_path / "inquiries_2025.csv"
    df = pd.read_csv(SAMPLE / "inquiries_2025.csv", dtype=str, keep_default_na=False).head(20)
    df.loc[3, "date"] = "2025-02-30"
    df.loc[4, "channel"] = "fax"
    df.loc[5, "inquiry_id"] = df.loc[6, "inquiry_id"]
    df.loc[7, "converted"] = "2"
    df.loc[8, "customer_name"] = "bad\x00name"
    df.to_csv(bad, index=False)
    with pytest.raises(InputError) as err:
        store.import_table(engine, "inquiries", bad)
    msg = str(err.value)
    for part in (
        "row 5, column 'date'",
        "row 6, column 'channel': 'fax'",
        "rows 7, 8, column 'inquiry_id'",
        "row 9, column 'converted'",
        "row 10, column 'customer_name': contains a NUL",
    ):
        assert part in msg, part
    assert _raw_count(engine, "inquiries") == 0
    with pytest.raises(InputError, match="missing required column"):
        store.import_table(engine, "owners", SAMPLE / "outcomes_2025.csv")
    with pytest.raises(InputError, match="unknown import kind"):
        store.import_table(engine, "people", SAMPLE / "owners.csv")


# ---------------------------------------------------------------------- inquiries
def test_inquiry_log(engine: sa.Engine) -> None:
    rep = store.import_table(engine, "inquiries", SAMPLE / "inquiries_2025.csv")
    assert rep.inserted == 1465
    csv = pd.read_csv(SAMPLE / "inquiries_2025.csv", parse_dates=["date"])
    every = store.load_inquiries(engine, 2025)
    _same_frame(csv, every)
    march = store.list_inquiries(engine, month="2025-03")
    assert len(march) == (csv["date"].dt.month == 3).sum() > 0
    fin = store.list_inquiries(engine, month="2025-03", segment="finance")
    in_march = (csv["date"].dt.month == 3) & (csv["segment"] == "finance")
    assert set(fin["segment"]) == {"finance"} and len(fin) == in_march.sum()
    new_id = store.add_inquiry(
        engine,
        date="2025-12-30",
        channel="email",
        segment="energy",
        customer_name="新疆能源有限公司",
        first_response_hours="2.5",
        it_budget=120,
    )
    assert new_id == "Q2025-1466"
    assert store.add_followup(engine, new_id, "2026-01-05", "回访") == 1
    assert store.add_followup(engine, new_id, "2026-01-09") == 2
    row = store.list_inquiries(engine, month="2025-12").set_index("inquiry_id").loc[new_id]
    assert (row["follow_ups"], row["it_budget"], row["first_response_hours"]) == (2, 120.0, 2.5)
    qid = store.add_inquiry(engine, date="2026-01-02", channel="web", segment="energy", customer_name="x")
    assert qid == "Q2026-0001"


def test_add_inquiry_validates(engine: sa.Engine) -> None:
    with pytest.raises(InputError) as err:
        store.add_inquiry(
            engine,
            date="2025-13-01",
            channel="fax",
            segment="finace",
            customer_name=" ",
            first_response_hours="-1",
            converted="maybe",
        )
    msg = str(err.value)
    for part in (
        "field 'date'",
        "field 'channel': 'fax'",
        "field 'segment': 'finace' is not a known segment",
        "field 'customer_name': value is empty",
        "field 'first_response_hours'",
        "field 'converted'",
    ):
        assert part in msg, part
    with pytest.raises(InputError, match="missing required field"):
        store.add_inquiry(engine, date="2025-01-01", channel="web", segment="finance")
    with pytest.raises(InputError, match="unknown field"):
        store.add_inquiry(engine, date="2025-01-01", channel="web", segment="finance", customer_name="a", colour="red")
    with pytest.raises(InputError, match="YYYY-MM"):
        store.list_inquiries(engine, month="2025-3")
    store.add_inquiry(engine, inquiry_id="Q-1", date="2025-01-01", channel="web", segment="finance", customer_name="a")
    with pytest.raises(InputError, match="already exists"):
        store.add_inquiry(
            engine, inquiry_id="Q-1", date="2025-01-01", channel="web", segment="finance", customer_name="a"
        )
    assert _raw_count(engine, "inquiries") == 1


# ---------------------------------------------------------------------------- runs
def test_run_results_are_frozen_once_published(engine: sa.Engine, params_2026) -> None:
    tl = _target_list(300)
    store.save_run(engine, "2026-a", 2026, params_2026, tl)
    with pytest.raises(store.StoreError, match="no published run for 2026"):
        store.load_results(engine, 2026)
    got = store.load_results(engine, 2026, published_only=False)
    _same_frame(tl, got)
    assert got.attrs["run_id"] == "2026-a" and got.attrs["status"] == "succeeded"
    runs = store.list_runs(engine, 2026)
    assert runs.loc[0, "criteria_version"] == params_2026.criteria.version
    with pytest.raises(store.StoreError, match="succeeded already; a re-run creates a new run"):
        store.save_run(engine, "2026-a", 2026, None, tl)

    store.publish_run(engine, "2026-a")
    frozen = _digest(engine)
    with pytest.raises(store.FrozenResultsError, match="frozen"):
        store.save_run(engine, "2026-a", 2026, None, _target_list(10))
    with pytest.raises(store.FrozenResultsError):
        store.publish_run(engine, "2026-a")
    with pytest.raises(store.FrozenResultsError):
        store.fail_run(engine, "2026-a", "oops")
    for sql in (
        "UPDATE results SET score = 0 WHERE run_id = '2026-a'",
        "DELETE FROM results WHERE run_id = '2026-a'",
        "INSERT INTO results (run_id, customer_id) VALUES ('2026-a', 'X1')",
        "UPDATE runs SET status = 'succeeded' WHERE run_id = '2026-a'",
        "DELETE FROM runs WHERE run_id = '2026-a'",
    ):
        with pytest.raises(sa.exc.DBAPIError, match="frozen"), engine.begin() as conn:
            conn.execute(sa.text(sql))
    assert _digest(engine) == frozen

    # A re-run is a new run; the latest published run is the year's list.
    tl2 = _target_list(120, seed=1)
    store.save_run(engine, "2026-b", 2026, {"criteria_version": "2026.2"}, tl2)
    _same_frame(tl, store.load_results(engine, 2026))
    _same_frame(tl2, store.load_results(engine, 2026, published_only=False))
    store.publish_run(engine, "2026-b")
    _same_frame(tl2, store.load_results(engine, 2026))
    _same_frame(tl, store.load_results(engine, 2026, run_id="2026-a"))


def test_save_run_rejects_bad_lists_and_states(engine: sa.Engine) -> None:
    with pytest.raises(InputError, match="repeated customer ids"):
        store.save_run(engine, "r", 2026, None, pd.concat([_target_list(3), _target_list(3)]))
    with pytest.raises(InputError, match="status"):
        store.save_run(engine, "r", 2026, None, _target_list(3), status="published")
    store.start_run(engine, "r2", 2026)
    with pytest.raises(store.StoreError, match="only a succeeded run"):
        store.publish_run(engine, "r2")
    with pytest.raises(store.StoreError, match="no run"):
        store.publish_run(engine, "nope")
    store.save_run(engine, "r3", 2026, None, None, status="failed", error="notebook failed")
    runs = store.list_runs(engine).set_index("run_id")
    assert runs.loc["r3", "status"] == "failed" and runs.loc["r3", "error"] == "notebook failed"
    assert runs.loc["r2", "status"] == "running"


def test_failure_inside_save_run_leaves_no_results(engine: sa.Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[int] = []
    real = store._execute_chunk

    def boom(conn, statement, rows):
        calls.append(1)
        real(conn, statement, rows)
        if len(calls) == 3:
            raise RuntimeError("disk on fire")

    monkeypatch.setattr(store, "_execute_chunk", boom)
    with pytest.raises(RuntimeError, match="disk on fire"):
        store.save_run(engine, "dies", 2026, None, _target_list(2000))
    assert _raw_count(engine, "results") == 0
    runs = store.list_runs(engine).set_index("run_id")
    assert runs.loc["dies", "status"] == "failed" and "disk on fire" in runs.loc["dies", "error"]
    with pytest.raises(store.StoreError):
        store.load_results(engine, 2026, published_only=False)


_KILLED_RUN = """
import sys, time
import numpy as np, pandas as pd
from prioanalysis.store import database as store

def stall(conn, run_id, values):  # results inserted, status not yet flipped
    print("inserted", flush=True)
    time.sleep(300)

store._finish_run = stall
n = 3000
tl = pd.DataFrame({"customer_id": [f"K{i:05d}" for i in range(n)], "score": np.linspace(1, 0, n),
                   "rank": np.arange(1, n + 1)})
store.save_run(store.get_engine(), "killed", 2026, {"criteria_version": "k"}, tl)
"""


def test_run_killed_midway_leaves_no_visible_results(engine: sa.Engine, db_url: str) -> None:
    store.save_run(engine, "good", 2026, None, _target_list(50))
    store.publish_run(engine, "good")
    env = {**os.environ, store.ENV_URL: db_url}
    proc = subprocess.Popen(
        [sys.executable, "-c", _KILLED_RUN], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        line = proc.stdout.readline()
        assert line.strip() == "inserted", proc.stderr.read()
        # Mid-transaction: 3000 results written but not committed — invisible.
        assert _raw_count(engine, "results", "WHERE run_id = 'killed'") == 0
        assert store.list_runs(engine).set_index("run_id").loc["killed", "status"] == "running"
        proc.kill()
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=30)
        proc.stdout.close()
        proc.stderr.close()
    assert _raw_count(engine, "results", "WHERE run_id = 'killed'") == 0
    assert store.load_results(engine, 2026, published_only=False).attrs["run_id"] == "good"
    store.fail_run(engine, "killed", "killed")
    assert store.list_runs(engine).set_index("run_id").loc["killed", "status"] == "failed"
    assert _raw_count(engine, "results") == 50


# --------------------------------------------------------------------- concurrency
def _in_threads(*jobs) -> list[BaseException]:
    barrier = threading.Barrier(len(jobs))
    errors: list[BaseException] = []

    def run(job):
        try:
            barrier.wait(timeout=30)
            job()
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(j,)) for j in jobs]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    return errors


def test_concurrent_imports_lose_nothing(engine: sa.Engine) -> None:
    seen: list[int] = []
    done = threading.Event()

    def watch() -> None:  # a reader sees a list either whole or not at all
        while not done.is_set():
            seen.append(_raw_count(engine, "list_snapshots", "WHERE year = :y", y=2026))

    watcher = threading.Thread(target=watch)
    watcher.start()
    try:
        errors = _in_threads(
            lambda: store.import_table(engine, "customers", PRELIM_2026),
            lambda: store.import_table(engine, "customers", PRELIM_2025),
            lambda: store.import_table(engine, "inquiries", SAMPLE / "inquiries_2025.csv"),
            lambda: store.import_table(engine, "owners", SAMPLE / "owners.csv"),
        )
    finally:
        done.set()
        watcher.join()
    assert errors == []
    counts = store.table_counts(engine)
    ids = set(read_table(PRELIM_2025)["customer_id"]) | set(read_table(PRELIM_2026)["customer_id"])
    assert (counts["list_snapshots"], counts["customers"], counts["inquiries"], counts["owners"]) == (
        3059 + 3031,
        len(ids),
        1465,
        40,
    )
    assert set(seen) <= {0, 3031}
    ids_2026 = set(read_table(PRELIM_2026)["customer_id"])
    with engine.connect() as conn:
        years = dict(conn.execute(sa.select(store.customers.c.customer_id, store.customers.c.facts_year)).all())
    assert all(years[c] == 2026 for c in ids_2026)
    assert all(years[c] == 2025 for c in ids - ids_2026)


def test_concurrent_runs_and_inquiries_lose_nothing(engine: sa.Engine) -> None:
    tl_a, tl_b = _target_list(1500, seed=2), _target_list(1200, seed=3)
    adds = [
        (
            lambda i=i: [
                store.add_inquiry(
                    engine, date="2025-06-01", channel="web", segment="finance", customer_name=f"并发{i}-{k}"
                )
                for k in range(8)
            ]
        )
        for i in range(6)
    ]
    errors = _in_threads(
        lambda: store.save_run(engine, "a", 2026, None, tl_a),
        lambda: store.save_run(engine, "b", 2026, None, tl_b),
        *adds,
    )
    assert errors == []
    assert _raw_count(engine, "results", "WHERE run_id = 'a'") == 1500
    assert _raw_count(engine, "results", "WHERE run_id = 'b'") == 1200
    ids = store.list_inquiries(engine)["inquiry_id"].tolist()
    assert sorted(ids) == [f"Q2025-{i:04d}" for i in range(1, 49)]
    _same_frame(tl_a, store.load_results(engine, 2026, published_only=False, run_id="a"))


# -------------------------------------------------------------------- hostile text
def test_hostile_text_round_trips(engine: sa.Engine, tmp_path: Path) -> None:
    df = pd.read_csv(PRELIM_2026, dtype=str, keep_default_na=False).head(len(HOSTILE))
    df["customer_name"] = HOSTILE
    df["customer_id"] = [f"H{i}" for i in range(len(HOSTILE))]
    path = tmp_path / "preliminary_2026.csv"
    df.to_csv(path, index=False, encoding="utf-8")
    store.import_table(engine, "customers", path)
    assert store.load_preliminary(engine, 2026)["customer_name"].tolist() == HOSTILE

    for i, text in enumerate(HOSTILE):
        qid = store.add_inquiry(
            engine, date="2025-05-05", channel="web", segment="finance", customer_name=text, handler=f"h{i}"
        )
        got = store.list_inquiries(engine).set_index("inquiry_id").loc[qid, "customer_name"]
        assert got == text

    tl = _target_list(len(HOSTILE), names=HOSTILE)
    tl["custom_note"] = HOSTILE[::-1]
    store.save_run(engine, "hostile", 2026, {"note": HOSTILE[0]}, tl)
    store.publish_run(engine, "hostile")
    back = store.load_results(engine, 2026)
    assert back["customer_name"].tolist() == HOSTILE and back["custom_note"].tolist() == HOSTILE[::-1]
    assert set(store.table_counts(engine)) == set(store._TABLES)  # every table still there

    out = store.export(engine, tmp_path / "export")
    assert {p.stem for p in out} == set(store._TABLES)
    exported = pd.read_csv(tmp_path / "export" / "customers.csv", dtype=str, keep_default_na=False)
    assert sorted(exported["customer_name"]) == sorted(HOSTILE)
    assert len(pd.read_csv(tmp_path / "export" / "results.csv")) == len(HOSTILE)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=st.text(min_size=1, max_size=300).filter(lambda s: s.strip() != "" and "\x00" not in s))
def test_any_text_round_trips(engine: sa.Engine, name: str) -> None:
    qid = store.add_inquiry(
        engine, date="2025-07-07", channel="phone", segment="retail", customer_name=name, handler=name.strip() or None
    )
    with engine.connect() as conn:
        stmt = sa.select(store.inquiries.c.customer_name).where(store.inquiries.c.inquiry_id == qid)
        got = conn.execute(stmt).scalar_one()
    assert got == name


# ----------------------------------------------------------------------------- CLI
def _cli(monkeypatch: pytest.MonkeyPatch, url: str, *argv: str) -> int:
    monkeypatch.setenv(store.ENV_URL, url)
    parser = argparse.ArgumentParser(prog="prioanalysis")
    sub = parser.add_subparsers(dest="command", required=True)
    store_cli.add_db_parsers(sub)
    store_cli.add_inquiry_parsers(sub)
    args = parser.parse_args(list(argv))
    try:
        return args.handler(args)
    except PrioanalysisError as exc:  # what cli.main does
        print(f"error: {exc}", file=sys.stderr)
        return 2


def test_cli_vocabularies_have_one_home() -> None:
    """The store and the command line keep no copies of the vocabularies: the
    defaults live in config.vocabularies, the configured words in inquiries.yaml."""
    from prioanalysis.config import vocabularies

    assert store_cli.IMPORT_KINDS == store.IMPORT_KINDS
    for module in (store, store_cli):
        assert not {"CHANNELS", "DECISIONS", "NEED_CATEGORIES", "REGIONS", "CRITERIA_FACTS"} & set(vars(module))
    add = store_cli.build_parser().parse_args(
        ["inquiry", "add", "--date", "2025-01-01", "--channel", "x", "--segment", "s", "--customer-name", "n"]
    )
    assert add.channel == "x"  # the parser does not refuse a word: the database checks it against the params
    assert " | ".join(vocabularies.DEFAULT_CHANNELS) in _help(store_cli.build_parser(), "inquiry", "add")
    code = "import sys, prioanalysis.app.db_commands as c; c.build_parser(); print('pandas' in sys.modules)"
    light = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert light.stdout.strip() == "False", light.stderr


def _help(parser: argparse.ArgumentParser, *path: str) -> str:
    for name in path:
        sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
        parser = sub.choices[name]
    return " ".join(parser.format_help().split())


def test_cli_db_and_inquiry(
    db_url: str, tmp_path: Path, small: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    password = store._normalise_url(db_url).password
    assert _cli(monkeypatch, db_url, "db", "init") == 0
    assert f"revision {store.head_revision()}" in capsys.readouterr().out
    assert _cli(monkeypatch, db_url, "db", "import", "customers", str(small / PRELIM_2026.name), "--dry-run") == 0
    assert "300 inserted" in capsys.readouterr().out and _cli(monkeypatch, db_url, "db", "status") == 0
    out = capsys.readouterr().out
    assert "list_snapshots" in out and " 0\n" in out.split("list_snapshots")[1][:30]
    assert (
        _cli(
            monkeypatch,
            db_url,
            "db",
            "import",
            "customers",
            str(small / PRELIM_2026.name),
            "--params",
            str(ROOT / "params" / "2026"),
        )
        == 0
    )
    assert _cli(monkeypatch, db_url, "db", "import", "outcomes", str(SAMPLE / "outcomes_2024.csv")) == 2
    err = capsys.readouterr().err
    assert "outcomes_2024.csv" in err and "column 'customer_id'" in err and "Traceback" not in err
    assert (
        _cli(
            monkeypatch,
            db_url,
            "inquiry",
            "add",
            "--date",
            "2025-02-03",
            "--channel",
            "web",
            "--segment",
            "finance",
            "--customer-name",
            "O'Brien <b>",
            "--fact",
            "it_budget=12",
        )
        == 0
    )
    assert "Q2025-0001" in capsys.readouterr().out
    assert (
        _cli(
            monkeypatch,
            db_url,
            "inquiry",
            "add",
            "--date",
            "2025-02-30",
            "--channel",
            "fax",
            "--segment",
            "finance",
            "--customer-name",
            "x",
        )
        == 2
    )
    err = capsys.readouterr().err
    assert "field 'date'" in err and "field 'channel'" in err
    assert _cli(monkeypatch, db_url, "inquiry", "follow-up", "Q2025-0001", "--date", "2025-02-04") == 0
    assert _cli(monkeypatch, db_url, "inquiry", "list", "--month", "2025-02", "--segment", "finance") == 0
    out = capsys.readouterr().out
    assert "O'Brien <b>" in out and "1 inquiries" in out
    assert _cli(monkeypatch, db_url, "inquiry", "list", "--format", "csv") == 0
    assert capsys.readouterr().out.startswith("inquiry_id,date,")
    assert _cli(monkeypatch, db_url, "db", "export", str(tmp_path / "dump")) == 0
    assert (tmp_path / "dump" / "inquiry_followups.csv").is_file()
    assert _cli(monkeypatch, db_url, "db", "runs") == 0
    assert _cli(monkeypatch, db_url, "db", "publish", "nope") == 2
    everything = capsys.readouterr()
    if password:
        assert password not in everything.out + everything.err


def test_cli_never_shows_the_password(
    pg_cluster: pgcluster.PgCluster, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    good = pg_cluster.new_database_url()
    assert _cli(monkeypatch, good, "db", "status") == 0
    out = capsys.readouterr().out
    assert pg_cluster.password not in out and "***" in out
    wrong = pg_cluster.url(good.rsplit("/", 1)[1], password="Wr0ngSecret")
    assert _cli(monkeypatch, wrong, "db", "init") == 2
    err = capsys.readouterr().err
    assert "Wr0ngSecret" not in err and "password authentication failed" in err and "Traceback" not in err
    # The password can come from PGPASSWORD instead of the URL.
    monkeypatch.setenv("PGPASSWORD", pg_cluster.password)
    no_pw = good.replace(f":{pg_cluster.password}@", "@")
    assert _cli(monkeypatch, no_pw, "db", "init") == 0
    proc = subprocess.run(
        [sys.executable, "-m", "prioanalysis.app.db_commands", "db", "status"],
        env={**os.environ, store.ENV_URL: wrong},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 2 and "Wr0ngSecret" not in proc.stdout + proc.stderr
