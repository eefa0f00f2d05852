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


def _rows(path: Path) -> int:
    return len(pd.read_csv(path, dtype=str))


def _ids(path: Path) -> set[str]:
    return set(pd.read_csv(path, dtype=str)["customer_id"])


# Counts of the sample files (the sample is regenerated now and then; the tests follow it).
N_2026, N_2025 = _rows(PRELIM_2026), _rows(PRELIM_2025)
CUSTOMERS_2026 = len(_ids(PRELIM_2026))
N_OUTCOMES_2025 = _rows(SAMPLE / "outcomes_2025.csv")
N_INQUIRIES = _rows(SAMPLE / "inquiries_2025.csv")
N_OWNERS = _rows(SAMPLE / "owners.csv")

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
    assert store.table_counts(engine)["list_snapshots"] == N_2026
    # ... and the older package meeting the upgraded database refuses it clearly.
    monkeypatch.undo()
    store._ready_engines.discard(engine)
    with pytest.raises(store.StoreError, match="unknown to this version"):
        store.table_counts(engine)


# ------------------------------------------------------------------------- import
def test_import_customers_and_feed_intake(engine: sa.Engine, params_2026, tmp_path: Path) -> None:
    rep = store.import_table(engine, "customers", PRELIM_2026)
    assert (rep.year, rep.rows, rep.inserted, rep.updated) == (2026, N_2026, N_2026, 0)
    assert rep.tables["customers"].inserted == CUSTOMERS_2026
    again = store.import_table(engine, "customers", PRELIM_2026)
    assert (again.inserted, again.updated, again.unchanged) == (0, 0, N_2026)
    assert again.tables["customers"].unchanged == CUSTOMERS_2026

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
    assert rep.tables["list_snapshots"].inserted == N_2025
    old, new = (
        pd.read_csv(p).drop_duplicates("customer_id").set_index("customer_id") for p in (PRELIM_2025, PRELIM_2026)
    )
    both = old.index.intersection(new.index)
    differ = both[(old.loc[both, "it_budget"] != new.loc[both, "it_budget"]) & new.loc[both, "it_budget"].notna()]
    cid = sorted(differ)[0]  # a customer of both lists whose budget changed
    with engine.connect() as conn:
        stmt = sa.select(store.customers).where(store.customers.c.customer_id == cid)
        row = conn.execute(stmt).mappings().one()
    assert (row["facts_year"], row["first_year"]) == (2026, 2025)
    current = store.load_customers(engine).set_index("customer_id")
    assert current.loc[cid, "it_budget"] == new.loc[cid, "it_budget"] != old.loc[cid, "it_budget"]  # 2026's
    assert current.loc[cid, "credit_grade"] == new.loc[cid, "credit_grade"]
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
    assert (rep.year, rep.inserted) == (2025, N_OUTCOMES_2025)
    got = store.load_outcomes(engine, 2025)
    want = pd.read_csv(SAMPLE / "outcomes_2025.csv")
    _same_frame(want.sort_values("customer_id").reset_index(drop=True), got)
    unnamed = tmp_path / "results.csv"
    shutil.copy(SAMPLE / "outcomes_2025.csv", unnamed)
    with pytest.raises(InputError, match="cannot tell the year"):
        store.import_table(engine, "outcomes", unnamed)
    assert store.import_table(engine, "outcomes", unnamed, year=2025).unchanged == N_OUTCOMES_2025


def test_owners_and_xlsx(engine: sa.Engine, tmp_path: Path) -> None:
    rep = store.import_table(engine, "owners", SAMPLE / "owners.csv")
    assert rep.inserted == N_OWNERS
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
    assert rep.inserted == N_INQUIRIES
    csv = pd.read_csv(SAMPLE / "inquiries_2025.csv", parse_dates=["date"])
    every = store.load_inquiries(engine, 2025)
    later = ["reviewer", "decided_on", "converted_on"]  # recorded later (inquiry decide / update)
    assert every[later].isna().all().all()
    _same_frame(csv, every.drop(columns=later))
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
    assert new_id == f"Q2025-{N_INQUIRIES + 1:04d}"
    assert store.add_followup(engine, new_id, "2026-01-05", "回访") == 1
    assert store.add_followup(engine, new_id, "2026-01-09") == 2
    row = store.list_inquiries(engine, month="2025-12").set_index("inquiry_id").loc[new_id]
    assert (row["follow_ups"], row["it_budget"], row["first_response_hours"]) == (2, 120.0, 2.5)
    # the last recorded follow-up is the inquiry's last contact (the monthly report's overdue list)
    assert row["last_contact_on"] == "2026-01-09"
    from prioanalysis.steps.inquiries import last_contact

    december = store.list_inquiries(engine, month="2025-12")
    contact = last_contact(december).set_axis(december["inquiry_id"])
    assert contact[new_id] == pd.Timestamp("2026-01-09")
    others = december[december["inquiry_id"] != new_id]
    assert others["last_contact_on"].isna().all() and (contact[others["inquiry_id"]] >= others["date"].to_numpy()).all()
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


def test_decision_recorded_later_and_rules_of_a_typed_record(engine: sa.Engine) -> None:
    """The marketing lead's decision, reviewer and day, and the conversion, recorded
    after the inquiry; every refusal names the field and changes nothing."""
    qid = store.add_inquiry(engine, date="2025-10-03", channel="web", segment="finance", customer_name="甲")
    row = store.list_inquiries(engine).iloc[0]
    assert pd.isna(row["decision"]) and pd.isna(row["reviewer"])  # pending
    got = store.decide_inquiry(engine, qid, "Follow_Up", "王经理", "2025-10-05")
    assert (got["decision"], got["reviewer"], str(got["decided_on"])) == ("follow_up", "王经理", "2025-10-05")
    got = store.update_inquiry(engine, qid, converted_on="2025-11-30", first_response_hours="4.5")
    assert (got["converted"], str(got["converted_on"]), got["first_response_hours"]) == (1, "2025-11-30", 4.5)
    assert got["decision"] == "follow_up"  # untouched
    before = _digest(engine)
    for call, message in (
        (lambda: store.decide_inquiry(engine, qid, "decline", "王", "2025-10-02"), "dated before the inquiry"),
        (lambda: store.update_inquiry(engine, qid, converted="0"), "not converted"),
        (lambda: store.update_inquiry(engine, qid, decision=""), "given without a decision"),
        (lambda: store.update_inquiry(engine, qid, segment="retail"), "cannot change segment"),
        (lambda: store.update_inquiry(engine, "nope", converted="1"), "no such inquiry"),
        (lambda: store.update_inquiry(engine, qid, reviewer="\x1b[1m王"), "control character U\\+001B"),
        (lambda: store.add_followup(engine, qid, "2025-10-02"), "before the inquiry itself"),
        (lambda: store.add_followup(engine, qid, "2025-10-09", "ok\x00"), "control character U\\+0000"),
        (
            lambda: store.add_inquiry(
                engine, date="2025-10-03", channel="web", segment="finance", customer_name="乙", decided_on="2025-10-04"
            ),
            "given without a decision",
        ),
    ):
        with pytest.raises(InputError, match=message):
            call()
    assert _digest(engine) == before
    assert store.add_followup(engine, qid, "2025-10-03", "当天回访\n第二行") == 1
    store.import_table(engine, "owners", SAMPLE / "owners.csv")
    with pytest.raises(InputError, match="'O999' is not a known owner"):
        store.update_inquiry(engine, qid, handler="O999")
    assert store.update_inquiry(engine, qid, handler="O002")["handler"] == "O002"


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

    store.publish_run(engine, "2026-a", "李明")
    frozen = _digest(engine)
    with pytest.raises(store.FrozenResultsError, match="frozen"):
        store.save_run(engine, "2026-a", 2026, None, _target_list(10))
    with pytest.raises(store.FrozenResultsError):
        store.publish_run(engine, "2026-a", "李明")
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
    store.publish_run(engine, "2026-b", "李明", supersede_reason="重新评分")
    _same_frame(tl2, store.load_results(engine, 2026))
    _same_frame(tl, store.load_results(engine, 2026, run_id="2026-a"))


def test_publication_sign_off_one_list_per_year_with_history(engine: sa.Engine) -> None:
    """A publication records approver, time and note; a second list of the year is
    refused without a reason, supersedes the first with one; both stay in the history,
    which no statement can rewrite or delete."""
    for rid in ("2026-a", "2026-b", "2026-c"):
        store.save_run(engine, rid, 2026, None, _target_list(20))
    store.save_run(engine, "2025-a", 2025, None, _target_list(5))
    with pytest.raises(store.StoreError, match="an approver is required"):
        store.publish_run(engine, "2026-a", "  ")
    with pytest.raises(store.StoreError, match="nothing to supersede"):
        store.publish_run(engine, "2026-a", "李明", supersede_reason="x")
    first = store.publish_run(engine, "2026-a", "李明", note="首次发布\n经事业部会议审议")
    assert first["approver"] == "李明" and first["supersedes"] is None and first["published_at"].tzinfo is not None
    store.publish_run(engine, "2025-a", "王芳")  # another year: its own list
    with pytest.raises(
        store.SupersedeRequired, match=r"the 2026 list is published already \(run 2026-a, approved by 李明\)"
    ):
        store.publish_run(engine, "2026-b", "张华")
    with pytest.raises(InputError, match="control character"):
        store.publish_run(engine, "2026-b", "张华", supersede_reason="x\x1b[31m")
    assert store.list_runs(engine, 2026).set_index("run_id").loc["2026-b", "status"] == "succeeded"
    second = store.publish_run(engine, "2026-b", "张华", supersede_reason="补充了金融行业数据")
    assert second["supersedes"] == "2026-a"
    hist = store.publication_history(engine)
    assert list(hist.columns) == list(store.PUBLICATION_COLUMNS)
    assert hist[["year", "run_id", "status", "approver", "supersedes", "superseded_by"]].to_numpy().tolist() == [
        [2025, "2025-a", "current", "王芳", None, None],
        [2026, "2026-a", "superseded", "李明", None, "2026-b"],
        [2026, "2026-b", "current", "张华", "2026-a", None],
    ]
    assert hist.loc[2, "supersede_reason"] == "补充了金融行业数据" and hist.loc[1, "note"].startswith("首次发布")
    assert hist.loc[1, "superseded_at"] == hist.loc[2, "published_at"]
    assert store.load_results(engine, 2026).attrs["run_id"] == "2026-b"
    store.publish_run(engine, "2026-c", "张华", supersede_reason="第三版")
    assert store.publication_history(engine, 2026)["status"].tolist() == ["superseded", "superseded", "current"]
    # the history is kept: no delete, no rewrite, no second current list of a year
    kept = store.publication_history(engine)
    for sql in (
        "DELETE FROM publications",
        "UPDATE publications SET approver = '某人'",
        "UPDATE publications SET superseded_at = NULL WHERE run_id = '2026-a'",
        "UPDATE publications SET supersede_reason = 'x' WHERE run_id = '2026-c'",
    ):
        with pytest.raises(sa.exc.DBAPIError, match="frozen"), engine.begin() as conn:
            conn.execute(sa.text(sql))
    with pytest.raises(sa.exc.IntegrityError), engine.begin() as conn:
        conn.execute(
            sa.text(
                "INSERT INTO publications (year, run_id, published_at, approver) "
                "VALUES (2026, '2025-a', '2026-05-01 00:00:00+00:00', 'x')"
            )
        )
    if engine.dialect.name == "postgresql":
        with pytest.raises(sa.exc.DBAPIError, match="frozen"), engine.begin() as conn:
            conn.execute(sa.text("TRUNCATE publications"))
    pd.testing.assert_frame_equal(store.publication_history(engine), kept)


_SQLITE_ONLY = [
    # REPLACE deletes the conflicting row without its delete trigger (recursive_triggers off)
    "REPLACE INTO runs (run_id, year, kind, status, started) "
    "VALUES ('2026-a', 2026, 'ranking', 'running', '2026-01-01')",
    "INSERT OR REPLACE INTO runs (run_id, year, kind, status, started) "
    "VALUES ('2026-a', 2026, 'ranking', 'running', '2026-01-01')",
    "INSERT OR IGNORE INTO runs (run_id, year, kind, status, started) "
    "VALUES ('2026-a', 2026, 'ranking', 'running', '2026-01-01')",
    "UPDATE OR REPLACE runs SET run_id = '2026-a' WHERE run_id = 'other'",
    "REPLACE INTO results (run_id, customer_id, score) VALUES ('2026-a', 'C000001', 0)",
    "INSERT OR REPLACE INTO results (run_id, customer_id, score) VALUES ('2026-a', 'C000001', 0)",
    "UPDATE OR REPLACE results SET run_id = '2026-a', customer_id = 'C000001' WHERE run_id = 'other'",
]
_BOTH = [
    "INSERT INTO runs (run_id, year, kind, status, started) VALUES ('2026-a', 2026, 'ranking', 'running', "
    "'2026-01-01') ON CONFLICT (run_id) DO UPDATE SET status = 'running'",
    "INSERT INTO runs (run_id, year, kind, status, started) VALUES ('2026-a', 2026, 'ranking', 'running', "
    "'2026-01-01') ON CONFLICT (run_id) DO NOTHING",
    "INSERT INTO results (run_id, customer_id, score) VALUES ('2026-a', 'C000001', 0) "
    "ON CONFLICT (run_id, customer_id) DO UPDATE SET score = 0",
    "UPDATE results SET run_id = '2026-a', customer_id = 'X9' WHERE run_id = 'other'",  # moved into the frozen run
    "UPDATE runs SET run_id = 'renamed' WHERE run_id = '2026-a'",
    "UPDATE runs SET status = 'published' WHERE run_id = '2026-a'",  # the same row again
    "UPDATE results SET score = score WHERE run_id = '2026-a'",
    "DELETE FROM results WHERE run_id = '2026-a' AND customer_id = 'C000001'",
    "DELETE FROM runs",
]
_POSTGRES_ONLY = [
    "TRUNCATE results",
    "TRUNCATE runs CASCADE",
    "MERGE INTO results r USING (SELECT '2026-a' AS run_id, 'C000001' AS customer_id) s "
    "ON r.run_id = s.run_id AND r.customer_id = s.customer_id WHEN MATCHED THEN UPDATE SET score = 0",
]


def test_frozen_run_refuses_every_statement(engine: sa.Engine) -> None:
    """A published run and its results cannot be changed by any statement: on SQLite
    REPLACE / INSERT OR REPLACE / UPDATE OR REPLACE too (they delete the published
    row without its delete trigger unless triggers stop them first), upserts, moves
    of a result into the run, renames, and re-publishing the identical row."""
    store.save_run(engine, "2026-a", 2026, None, _target_list(30))
    store.publish_run(engine, "2026-a", "李明")
    store.start_run(engine, "other", 2026)
    with engine.begin() as conn:  # a running run with one result to move around
        conn.execute(sa.text("INSERT INTO results (run_id, customer_id, score) VALUES ('other', 'X1', 1)"))
    frozen = _digest(engine)
    dialect = engine.dialect.name
    statements = [*(_SQLITE_ONLY if dialect == "sqlite" else _POSTGRES_ONLY), *_BOTH]
    for sql in statements:
        with pytest.raises(sa.exc.DBAPIError, match="frozen"), engine.begin() as conn:
            conn.execute(sa.text(sql))
        assert _digest(engine) == frozen, sql

    # the attack of the issue, step by step: each step is refused, nothing changes
    def attack() -> None:
        with engine.begin() as conn:
            conn.execute(sa.text(_SQLITE_ONLY[0] if dialect == "sqlite" else _BOTH[0]))
            conn.execute(sa.text("UPDATE results SET tier = '战略' WHERE run_id = '2026-a'"))
            conn.execute(sa.text("UPDATE runs SET status = 'published' WHERE run_id = '2026-a'"))

    with pytest.raises(sa.exc.DBAPIError, match="frozen"):
        attack()
    assert _digest(engine) == frozen
    # the store's own functions refuse too
    with pytest.raises(store.StoreError, match="published"):
        store.start_run(engine, "2026-a", 2026)
    assert _digest(engine) == frozen


def test_sqlite_connections_fire_delete_triggers_on_replace(tmp_path: Path) -> None:
    eng = store.get_engine(f"sqlite:///{tmp_path / 'x.db'}")
    with eng.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA recursive_triggers").scalar() == 1
    eng.dispose()


@pytest.mark.parametrize(
    ("url", "hidden", "shown"),
    [
        (
            "postgresql://analyst:pa55word@db.example:5432/prio",
            ["pa55word"],
            "postgresql://analyst:***@db.example:5432/prio",
        ),
        ("postgresql://analyst@db.example/prio?password=pa55word", ["pa55word"], "prio?password=***"),
        ("postgresql://analyst@db.example/prio?sslmode=require&PASSWORD=pa55word", ["pa55word"], "PASSWORD=***"),
        ("postgresql://analyst@db.example/prio?sslpassword=pa55word", ["pa55word"], "sslpassword=***"),
        ("postgresql://analyst:p@55@word@db.example/prio", ["p@55", "55@word", "word@"], "analyst:***@db.example/prio"),
        ("postgresql://analyst:pa%4055word@db.example/prio", ["pa%4055", "55word"], "analyst:***@db.example"),
        ("postgresql://analyst@db.example/prio?password=p@55@word", ["p@55", "55@word", "@word"], "password=***"),
        ("postgresql://analyst:pa55word@[::1]:5432/prio", ["pa55word"], "analyst:***@[::1]:5432"),
        ("sqlite:////srv/a@b/prioanalysis.db", [], "sqlite:////srv/a@b/prioanalysis.db"),
        ("pa55word", ["pa55word"], "<database URL not shown>"),
    ],
)
def test_mask_url_every_form(url: str, hidden: list[str], shown: str) -> None:
    masked = store.mask_url(url)
    assert shown in masked
    for secret in hidden:
        assert secret not in masked
    if "://" in url and not url.startswith("sqlite"):
        parsed = store._normalise_url(url)
        again = store.mask_url(parsed)  # the parsed URL (an engine's) is masked the same way
        assert all(secret not in again for secret in hidden) and "***" in again
        message = store._db_error(parsed, RuntimeError(f"could not connect to {url} (user analyst)"))
        assert all(secret not in str(message) for secret in hidden), str(message)


def test_password_with_an_at_sign_is_taken_whole() -> None:
    in_query = store._normalise_url("postgresql://analyst@db.example/prio?password=p@55@word&sslmode=require")
    assert (in_query.host, dict(in_query.query)) == ("db.example", {"password": "p@55@word", "sslmode": "require"})
    url = store._normalise_url("postgresql://analyst:p@55@word@db.example:6543/prio")
    assert (url.username, url.password, url.host, url.port, url.database) == (
        "analyst",
        "p@55@word",
        "db.example",
        6543,
        "prio",
    )


def test_save_run_rejects_bad_lists_and_states(engine: sa.Engine) -> None:
    with pytest.raises(InputError, match="repeated customer ids"):
        store.save_run(engine, "r", 2026, None, pd.concat([_target_list(3), _target_list(3)]))
    with pytest.raises(InputError, match="status"):
        store.save_run(engine, "r", 2026, None, _target_list(3), status="published")
    store.start_run(engine, "r2", 2026)
    with pytest.raises(store.StoreError, match="only a succeeded run"):
        store.publish_run(engine, "r2", "李明")
    with pytest.raises(store.StoreError, match="no run"):
        store.publish_run(engine, "nope", "李明")
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
    store.publish_run(engine, "good", "李明")
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
        N_2025 + N_2026,
        len(ids),
        N_INQUIRIES,
        N_OWNERS,
    )
    assert set(seen) <= {0, N_2026}
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
        if store.control_character(text) is not None:  # typed in: refused (a file's text is kept)
            with pytest.raises(InputError, match="control character U\\+000A"):
                store.add_inquiry(engine, date="2025-05-05", channel="web", segment="finance", customer_name=text)
            continue
        qid = store.add_inquiry(
            engine, date="2025-05-05", channel="web", segment="finance", customer_name=text, handler=f"h{i}"
        )
        got = store.list_inquiries(engine).set_index("inquiry_id").loc[qid, "customer_name"]
        assert got == text

    tl = _target_list(len(HOSTILE), names=HOSTILE)
    tl["custom_note"] = HOSTILE[::-1]
    store.save_run(engine, "hostile", 2026, {"note": HOSTILE[0]}, tl)
    store.publish_run(engine, "hostile", "李明")
    back = store.load_results(engine, 2026)
    assert back["customer_name"].tolist() == HOSTILE and back["custom_note"].tolist() == HOSTILE[::-1]
    assert set(store.table_counts(engine)) == set(store._TABLES)  # every table still there

    out = store.export(engine, tmp_path / "export")
    assert {p.stem for p in out} == set(store._TABLES)
    exported = pd.read_csv(tmp_path / "export" / "customers.csv", dtype=str, keep_default_na=False)
    assert sorted(exported["customer_name"]) == sorted(HOSTILE)
    assert len(pd.read_csv(tmp_path / "export" / "results.csv")) == len(HOSTILE)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=st.text(min_size=1, max_size=300).filter(lambda s: s.strip() != "" and store.control_character(s) is None))
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
        return args.func(args)
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
    assert _cli(monkeypatch, db_url, "db", "publish", "nope", "--approver", "李明") == 2
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
