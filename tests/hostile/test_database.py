"""The customer database: frozen runs stay frozen on SQLite, passwords never shown, a
corrupted database file is one clear line for every command and is left as it was."""

from __future__ import annotations

import sqlite3
import subprocess
import sys

import pytest

from tests.hostile.conftest import Project, assert_no_traceback, db_dump

SECRET = "S3cretPW"

_SETUP_FROZEN_RUN = """
import sys
import pandas as pd
from prioanalysis.store import database as store

engine = store.get_engine(sys.argv[1])
store.init_db(engine)
target = pd.DataFrame({
    "customer_id": ["C000001", "C000002", "C000003"],
    "customer_name": ["甲公司", "乙公司", "丙公司"],
    "segment": ["finance", "finance", "government"],
    "score": [0.9, 0.5, 0.1],
    "rank": [1, 2, 3],
    "segment_rank": [1, 2, 1],
    "tier": ["战略", "重点", "非目标"],
    "grade": ["A", "B", "E"],
    "flags": ["", "", ""],
})
store.save_run(engine, "2026-frozen", 2026, None, target)
store.publish_run(engine, "2026-frozen", "李明")
engine.dispose()
"""


@pytest.fixture
def frozen_db(project: Project) -> Project:
    """A database holding one published (frozen) run, made by the package under test."""
    project.db.parent.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(
        [sys.executable, "-c", _SETUP_FROZEN_RUN, f"sqlite:///{project.db}"],
        cwd=project.root,
        env=project.env(),
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return project


def _replace_identical_run(con: sqlite3.Connection) -> None:
    con.execute("REPLACE INTO runs SELECT * FROM runs WHERE run_id = '2026-frozen'")


def _replace_run_unpublished(con: sqlite3.Connection) -> None:
    cur = con.execute("SELECT * FROM runs WHERE run_id = '2026-frozen'")
    names = [d[0] for d in cur.description]
    row = dict(zip(names, cur.fetchone(), strict=True))
    row["status"], row["published_at"] = "succeeded", None
    con.execute(
        f"INSERT OR REPLACE INTO runs ({', '.join(names)}) VALUES ({', '.join('?' * len(names))})",
        [row[n] for n in names],
    )


def _replace_result(con: sqlite3.Connection) -> None:
    con.execute("INSERT OR REPLACE INTO results SELECT * FROM results WHERE run_id = '2026-frozen' LIMIT 1")


@pytest.mark.parametrize("attack", [_replace_identical_run, _replace_run_unpublished, _replace_result])
def test_insert_or_replace_cannot_change_a_frozen_run(frozen_db: Project, attack) -> None:
    """``REPLACE INTO`` deletes the conflicting row without firing a delete trigger: the
    database itself must refuse it for a published run, as PostgreSQL does."""
    before = db_dump(frozen_db.db)
    assert before is not None and "2026-frozen" in before
    con = sqlite3.connect(frozen_db.db)
    try:
        with pytest.raises(sqlite3.DatabaseError, match=r"(?i)frozen|published"), con:
            attack(con)
    finally:
        con.close()
    assert db_dump(frozen_db.db) == before


# ------------------------------------------------------------------ passwords
PG_QUERY = f"postgresql+psycopg://analyst@127.0.0.1:9/prioanalysis?password={SECRET}"
PG_AT = f"postgresql+psycopg://analyst:pa@ss-{SECRET}@127.0.0.1:9/prioanalysis"


@pytest.mark.parametrize(
    ("url", "args"),
    [
        (PG_QUERY, ("db", "status")),
        (PG_QUERY, ("run", "--source", "db", "--notebook", "20_ranking")),
        (PG_AT, ("db", "status")),
        (PG_AT, ("inquiry", "list")),
    ],
    ids=["query_password-db_status", "query_password-run", "unencoded_at-db_status", "unencoded_at-inquiry_list"],
)
def test_password_never_shown(project: Project, url: str, args: tuple[str, ...]) -> None:
    """A password in ``?password=`` or containing an unencoded ``@``: one clear line about the
    unreachable server, no part of the password, nothing written."""
    result = project.refused(*args, env={"PRIOANALYSIS_DB_URL": url}, mentions=["127.0.0.1"])
    assert SECRET not in result.output and "pa@ss" not in result.output, str(result)


def test_password_in_sqlite_url_query_is_masked(project: Project) -> None:
    """Even where the server is reachable (SQLite ignores the query), ``db status`` masks it."""
    url = f"sqlite:///{project.root / 'data' / 'pw.db'}?password={SECRET}"
    result = project.cli("db", "init", env={"PRIOANALYSIS_DB_URL": url})
    assert result.returncode == 0, str(result)
    result = project.cli("db", "status", env={"PRIOANALYSIS_DB_URL": url})
    assert result.returncode == 0, str(result)
    assert_no_traceback(result)
    assert "pw.db" in result.output
    assert SECRET not in result.output, str(result)


# ------------------------------------------------------------------ a corrupted database file
CORRUPT_COMMANDS = {
    "db_init": ("db", "init"),
    "db_status": ("db", "status"),
    "db_import_customers": ("db", "import", "customers", "data/sample/preliminary_2026.csv"),
    "db_import_dry_run": ("db", "import", "customers", "data/sample/preliminary_2026.csv", "--dry-run"),
    "db_import_outcomes": ("db", "import", "outcomes", "data/sample/outcomes_2025.csv"),
    "db_import_owners": ("db", "import", "owners", "data/sample/owners.csv"),
    "db_import_inquiries": ("db", "import", "inquiries", "data/sample/inquiries_2025.csv"),
    "db_export": ("db", "export", "exported"),
    "db_runs": ("db", "runs"),
    "db_publish": ("db", "publish", "20260101T000000Z", "--approver", "李明"),
    "inquiry_add": (
        "inquiry",
        "add",
        "--date",
        "2025-10-15",
        "--channel",
        "web",
        "--segment",
        "finance",
        "--customer-name",
        "测试银行",
    ),
    "inquiry_list": ("inquiry", "list"),
    "inquiry_list_csv": ("inquiry", "list", "--format", "csv"),
    "inquiry_follow_up": ("inquiry", "follow-up", "Q2025-0001", "--date", "2025-10-20"),
    "inquiry_decide": ("inquiry", "{decide}", "Q2025-0001", "--decision", "follow_up", "--reviewer", "刘洋"),
    "run_from_db": ("run", "--source", "db", "--notebook", "20_ranking"),
    "monthly_from_db": ("run", "--source", "db", "--notebook", "40_inquiry_monthly", "--month", "2025-10"),
    "validate_from_db": ("validate", "--source", "db"),
}


@pytest.mark.parametrize("command", list(CORRUPT_COMMANDS))
def test_corrupted_database_file(project: Project, command: str, decide_command: str) -> None:
    """``data/prioanalysis.db`` overwritten with garbage after a valid header: every command
    says so in one line naming the file, exits 2, and leaves the file as it was."""
    project.db.parent.mkdir(parents=True, exist_ok=True)
    project.db.write_bytes(b"SQLite format 3\x00" + bytes(range(256)) * 16)
    args = [a.format(decide=decide_command) for a in CORRUPT_COMMANDS[command]]
    project.refused(*args, mentions=["prioanalysis.db"])
