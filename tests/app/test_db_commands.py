"""``prioanalysis db …`` and ``prioanalysis inquiry …`` (``prioanalysis/app/db_commands.py``)
run through the real entry point (:func:`prioanalysis.app.cli.main`): every refusal is
exit code 2 with one line on stderr, no traceback, and leaves the database as it was.
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa

from prioanalysis.app import cli
from prioanalysis.config.inquiries import load_inquiry_params
from prioanalysis.inputs.inquiries import read_inquiries
from prioanalysis.steps import inquiries as monthly
from prioanalysis.store import database as store
from tests import pgcluster
from tests.store.conftest import db_url, pg_cluster  # noqa: F401  (fixtures)

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "data" / "sample"
PARAMS = ROOT / "params" / "2026"
ADD = ["inquiry", "add", "--date", "2025-10-03", "--channel", "web", "--segment", "finance"]


def _run(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], url: str, *argv: str):
    """Run the CLI in-process on the database ``url``: (exit code, stdout, stderr)."""
    monkeypatch.setenv(store.ENV_URL, url)
    monkeypatch.chdir(ROOT)  # the project's params/ (vocabularies, segments)
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def _refused(code: int, err: str, *parts: str, one_line: bool = True) -> None:
    """Exit 2, a message (one line unless it lists the problems of the values), no traceback."""
    assert code == 2, err
    assert "Traceback" not in err
    lines = err.strip().splitlines()
    assert lines[0].startswith("error: ") and (len(lines) == 1 or not one_line), err
    for part in parts:
        assert part in err, (part, err)


def _digest(url: str) -> str:
    """Every table's content (for "nothing changed")."""
    eng = store.get_engine(url)
    h = hashlib.sha256()
    try:
        with eng.connect() as conn:
            for name, table in store._TABLES.items():
                rows = conn.execute(sa.select(table).order_by(*table.primary_key.columns)).all()
                h.update(name.encode() + repr([tuple(r) for r in rows]).encode())
    finally:
        eng.dispose()
    return h.hexdigest()


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _dump(path: Path) -> list[str]:
    """An SQLite file's schema and rows as SQL (its content, whatever its journal mode)."""
    with sqlite3.connect(path) as conn:
        return list(conn.iterdump())


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    eng = store.get_engine(url)
    store.init_db(eng)
    store.import_table(eng, "owners", SAMPLE / "owners.csv")
    eng.dispose()
    return url


# ------------------------------------------------------------------- inquiry log
def test_inquiry_add_with_handler(
    sqlite_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """``--handler`` used to collide with the dispatch attribute (TypeError); it is
    stored as given, and without it no handler is stored (not the function's repr)."""
    code, out, err = _run(monkeypatch, capsys, sqlite_url, *ADD, "--customer-name", "甲公司", "--handler", "O002")
    assert code == 0, err
    assert "Q2025-0001 logged" in out
    code, out, err = _run(monkeypatch, capsys, sqlite_url, *ADD, "--customer-name", "乙公司")
    assert code == 0, err
    log = store.list_inquiries(store.get_engine(sqlite_url)).set_index("inquiry_id")
    assert log.loc["Q2025-0001", "handler"] == "O002"
    assert pd.isna(log.loc["Q2025-0002", "handler"])


def test_unknown_handler_refused_against_owners(
    sqlite_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    before = _digest(sqlite_url)
    code, _, err = _run(monkeypatch, capsys, sqlite_url, *ADD, "--customer-name", "甲", "--handler", "O999")
    _refused(code, err, "field 'handler': 'O999' is not a known owner")
    assert _digest(sqlite_url) == before


def test_decide_and_update_record_the_review_later(
    sqlite_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _run(monkeypatch, capsys, sqlite_url, *ADD, "--customer-name", "丙公司")[0] == 0
    code, out, _ = _run(monkeypatch, capsys, sqlite_url, "inquiry", "list")
    assert "(pending) 1" in out
    code, out, err = _run(
        monkeypatch,
        capsys,
        sqlite_url,
        "inquiry",
        "decide",
        "Q2025-0001",
        "--decision",
        "propose_target",
        "--reviewer",
        "市场部 王经理",
        "--date",
        "2025-10-08",
    )
    assert code == 0, err
    assert "decision propose_target by 市场部 王经理 on 2025-10-08 recorded" in out
    code, out, err = _run(
        monkeypatch, capsys, sqlite_url, "inquiry", "update", "Q2025-0001", "--converted-on", "2025-12-01"
    )
    assert code == 0, err
    assert "converted 1" in out and "converted_on 2025-12-01" in out
    row = store.list_inquiries(store.get_engine(sqlite_url)).iloc[0]
    assert (row["decision"], row["reviewer"], row["converted"]) == ("propose_target", "市场部 王经理", 1)
    assert row["decided_on"] == pd.Timestamp("2025-10-08") and row["converted_on"] == pd.Timestamp("2025-12-01")
    code, out, _ = _run(monkeypatch, capsys, sqlite_url, "inquiry", "list")
    assert "pending" not in out and "propose_target 1" in out


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["decide", "Q2025-0001", "--decision", "decline", "--reviewer", "王", "--date", "2025-10-01"], "before the"),
        (["decide", "Q2025-0001", "--decision", "maybe", "--reviewer", "王"], "'maybe' is not a known decision"),
        (["decide", "Q2025-0001", "--decision", "decline", "--reviewer", " "], "needs reviewer"),
        (["decide", "Q2099-0001", "--decision", "decline", "--reviewer", "王"], "no such inquiry"),
        (["update", "Q2025-0001", "--converted-on", "2025-09-30"], "dated before the inquiry"),
        (["update", "Q2025-0001", "--converted", "0", "--converted-on", "2025-11-01"], "not converted"),
        (["update", "Q2025-0001", "--reviewer", "王"], "given without a decision"),
        (["update", "Q2025-0001"], "nothing to change"),
        (["update", "Q2025-0001", "--handler", "O999"], "not a known owner"),
        (["follow-up", "Q2025-0001", "--date", "2025-10-02"], "is before the inquiry itself (2025-10-03)"),
        (["follow-up", "Q2025-0001", "--date", "2025-10-05", "--note", "\x1b[2J cleared"], "U+001B"),
    ],
)
def test_inquiry_changes_refused(
    sqlite_url: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    argv: list[str],
    message: str,
) -> None:
    assert _run(monkeypatch, capsys, sqlite_url, *ADD, "--customer-name", "丁公司")[0] == 0
    before = _digest(sqlite_url)
    code, _, err = _run(monkeypatch, capsys, sqlite_url, "inquiry", *argv)
    _refused(code, err, message, one_line=False)
    assert _digest(sqlite_url) == before


def test_follow_up_note_may_have_lines(
    sqlite_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _run(monkeypatch, capsys, sqlite_url, *ADD, "--customer-name", "戊公司")[0] == 0
    code, out, err = _run(
        monkeypatch,
        capsys,
        sqlite_url,
        "inquiry",
        "follow-up",
        "Q2025-0001",
        "--date",
        "2025-10-03",
        "--note",
        "a\n\tb",
    )
    assert code == 0 and "follow-up 1 recorded" in out, err


@pytest.mark.parametrize(
    ("option", "text"),
    [
        ("--customer-name", "\x1b[31m红色\x1b[0m"),  # ANSI colour
        ("--customer-name", "line\nbreak"),
        ("--customer-name", "bell\x07"),
        ("--customer-name", "c1\x9b2J"),  # C1 CSI
        ("--customer-name", "rtl\u202eevil"),  # bidirectional override
        ("--region", "north\x00"),
        ("--handler", "O002\r"),
        ("--fact", "it_budget=\x1b]0;title\x07"),
    ],
)
def test_control_characters_refused_in_every_text_option(
    sqlite_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], option: str, text: str
) -> None:
    before = _digest(sqlite_url)
    argv = [*ADD, "--customer-name", "正常名称"] if option != "--customer-name" else list(ADD)
    code, _, err = _run(monkeypatch, capsys, sqlite_url, *argv, option, text)
    _refused(code, err, f"{option}: contains the control character U+")
    assert "\x1b" not in err and "\x9b" not in err  # the escape is described, never echoed
    assert _digest(sqlite_url) == before


def test_stored_escapes_are_never_echoed_raw(
    sqlite_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Text stored before these checks (or by another program) is listed with its
    control characters shown as escapes, never sent to the terminal."""
    path = sa.make_url(sqlite_url).database or ""
    with sqlite3.connect(path) as conn:
        conn.execute(
            "INSERT INTO inquiries (inquiry_id, date, channel, segment, customer_name, follow_ups, updated_at) "
            "VALUES ('Q2025-0001', '2025-10-03', 'web', 'finance', ?, 0, '2025-10-03')",
            ("\x1b]0;pwned\x07\x1b[2J旧数据",),
        )
    code, out, err = _run(monkeypatch, capsys, sqlite_url, "inquiry", "list")
    assert code == 0, err
    assert "\x1b" not in out and "\x07" not in out and "\\x1b]0;pwned\\x07\\x1b[2J旧数据" in out


def test_pending_inquiry_is_reported_as_pending_from_the_database(
    sqlite_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """An inquiry logged without a decision is a row "pending" of the monthly report
    fed from the database (as the runner's ``--source db`` exports the log), not a
    failure; decided later, it moves to its decision."""
    eng = store.get_engine(sqlite_url)
    store.import_table(eng, "inquiries", SAMPLE / "inquiries_2025.csv")
    assert _run(monkeypatch, capsys, sqlite_url, *ADD, "--customer-name", "待定客户")[0] == 0
    qid = store.list_inquiries(eng, month="2025-10")["inquiry_id"].max()
    ip = load_inquiry_params(PARAMS / "inquiries.yaml")

    def report() -> pd.DataFrame:
        p = tmp_path / "inquiries.csv"  # what runner._export_db_inputs writes for the notebook
        store.load_inquiries(eng).to_csv(p, index=False, lineterminator="\n", encoding="utf-8", date_format="%Y-%m-%d")
        q = monthly.select_month(read_inquiries(p, ip), "2025-10")
        return monthly.decision_table(q, ip.decisions, pending_label=monthly.pending_label("zh")).set_index("decision")

    dec = report()
    assert dec.loc[monthly.PENDING, "inquiries"] == 1 and dec.loc[monthly.PENDING, "label"] == "待定（尚未决定）"
    assert dec["inquiries"].sum() == len(store.list_inquiries(eng, month="2025-10"))
    store.decide_inquiry(eng, qid, "decline", "王经理", "2025-10-09")
    assert monthly.PENDING not in report().index
    eng.dispose()


def test_import_keeps_decisions_recorded_later(sqlite_url: str, tmp_path: Path) -> None:
    eng = store.get_engine(sqlite_url)
    df = pd.read_csv(SAMPLE / "inquiries_2025.csv", dtype=str, keep_default_na=False).head(5)
    df.loc[0, "decision"] = ""
    p = tmp_path / "inquiries_2025.csv"
    df.to_csv(p, index=False)
    store.import_table(eng, "inquiries", p)
    qid = df.loc[0, "inquiry_id"]
    store.decide_inquiry(eng, qid, "follow_up", "王经理", df.loc[0, "date"])
    rep = store.import_table(eng, "inquiries", p)  # the same export again, decision still empty there
    assert rep.unchanged == 5
    row = store.list_inquiries(eng).set_index("inquiry_id").loc[qid]
    assert (row["decision"], row["reviewer"]) == ("follow_up", "王经理")
    eng.dispose()


# --------------------------------------------------------------- database faults
_COMMANDS = [
    ["db", "init"],
    ["db", "status"],
    ["db", "runs"],
    ["db", "publish", "r1", "--approver", "李明"],
    ["db", "export", "{tmp}/export"],
    ["db", "import", "owners", str(SAMPLE / "owners.csv")],
    ["db", "import", "inquiries", str(SAMPLE / "inquiries_2025.csv")],
    ["db", "import", "customers", str(SAMPLE / "preliminary_2026.csv")],
    ["db", "import", "outcomes", str(SAMPLE / "outcomes_2025.csv")],
    [*ADD, "--customer-name", "x"],
    ["inquiry", "list"],
    ["inquiry", "follow-up", "Q2025-0001", "--date", "2025-10-04"],
    ["inquiry", "decide", "Q2025-0001", "--decision", "decline", "--reviewer", "王"],
    ["inquiry", "update", "Q2025-0001", "--converted", "1"],
    ["validate", "--source", "db"],
]


@pytest.mark.parametrize("argv", _COMMANDS, ids=lambda a: " ".join(a[:3]))
def test_corrupted_sqlite_file_is_one_clear_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], argv: list[str]
) -> None:
    bad = tmp_path / "broken.db"
    bad.write_bytes(b"this is not a database\n" * 300)
    before = _sha(bad)
    args = [a.replace("{tmp}", str(tmp_path)) for a in argv]
    code, _, err = _run(monkeypatch, capsys, f"sqlite:///{bad}", *args)
    _refused(code, err, str(bad), "not a readable SQLite database")
    assert _sha(bad) == before
    assert not (tmp_path / "export").exists()


def test_damaged_pages_are_one_clear_line(
    sqlite_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    eng = store.get_engine(sqlite_url)
    store.import_table(eng, "inquiries", SAMPLE / "inquiries_2025.csv")
    eng.dispose()
    path = Path(sa.make_url(sqlite_url).database or "")
    data = bytearray(path.read_bytes())
    data[4096 : len(data) - 4096] = bytes(len(data) - 8192)  # every page but the first zeroed
    path.write_bytes(bytes(data))
    before = _sha(path)
    for argv in (["db", "status"], ["inquiry", "list"], [*ADD, "--customer-name", "x"]):
        code, _, err = _run(monkeypatch, capsys, sqlite_url, *argv)
        _refused(code, err, "damaged")
    assert _sha(path) == before


def test_locked_database_is_one_clear_line(
    sqlite_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(store, "BUSY_TIMEOUT_S", 1)
    path = sa.make_url(sqlite_url).database or ""
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("PRAGMA journal_mode=DELETE")  # a rollback journal: an exclusive lock blocks readers too
    holder.execute("BEGIN EXCLUSIVE")
    try:
        for argv in (["db", "status"], [*ADD, "--customer-name", "x"], ["inquiry", "list"]):
            code, _, err = _run(monkeypatch, capsys, sqlite_url, *argv)
            _refused(code, err, "locked by another program (waited 1 s)")
    finally:
        holder.rollback()
        holder.close()
    assert _run(monkeypatch, capsys, sqlite_url, "inquiry", "list")[0] == 0  # and fine once released


def test_missing_and_wrong_schema(
    tmp_path: Path, sqlite_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # tables of ours without a schema revision: not initialised by prioanalysis (or damaged)
    bare = tmp_path / "bare.db"
    with sqlite3.connect(bare) as conn:
        conn.execute("CREATE TABLE inquiries (inquiry_id TEXT PRIMARY KEY)")
    before = _dump(bare)
    for argv in (["db", "init"], ["inquiry", "list"], [*ADD, "--customer-name", "x"]):
        code, _, err = _run(monkeypatch, capsys, f"sqlite:///{bare}", *argv)
        _refused(code, err, "no schema revision")
    assert _dump(bare) == before
    # a table dropped behind the schema's back
    path = sa.make_url(sqlite_url).database or ""
    with sqlite3.connect(path) as conn:
        conn.execute("DROP TABLE inquiry_followups")
    code, _, err = _run(monkeypatch, capsys, sqlite_url, "db", "status")
    _refused(code, err, "schema is incomplete", "inquiry_followups")
    # a revision written by a newer prioanalysis
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE alembic_version SET version_num = '9999'")
    for argv in (["inquiry", "list"], ["db", "init"], ["db", "runs"]):
        code, _, err = _run(monkeypatch, capsys, sqlite_url, *argv)
        _refused(code, err, "9999")
    code, out, err = _run(monkeypatch, capsys, sqlite_url, "db", "status")
    assert code == 0 and "schema:   9999 (this version needs" in out, err


def test_unreachable_server_is_one_clear_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import socket

    with socket.socket() as s:  # a port of this machine nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    url = f"postgresql://analyst:S3cret@pw@127.0.0.1:{port}/prio?sslmode=disable"
    for argv in (["db", "status"], ["inquiry", "list"], ["db", "init"]):
        code, _, err = _run(monkeypatch, capsys, url, *argv)
        _refused(code, err, "not reachable", f"postgresql+psycopg://analyst:***@127.0.0.1:{port}/prio")
        assert "S3cret" not in err and "pw@" not in err


# --------------------------------------------------------------------- passwords
@pytest.mark.parametrize(
    "template",
    [
        "postgresql://postgres@127.0.0.1:{port}/{db}?password={pw}",
        "postgresql://postgres:{pw}@127.0.0.1:{port}/{db}",
        "postgresql+psycopg://postgres:{pw}@127.0.0.1:{port}/{db}?application_name=x",
    ],
)
def test_password_never_shown(
    pg_cluster: pgcluster.PgCluster,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    template: str,
) -> None:
    db = pg_cluster.new_database_url().rsplit("/", 1)[1]
    good = template.format(port=pg_cluster.port, db=db, pw=pg_cluster.password)
    code, out, err = _run(monkeypatch, capsys, good, "db", "status")
    assert code == 0, err
    assert pg_cluster.password not in out + err and "***" in out
    # a wrong password holding an unencoded @: none of it shows, in any message
    wrong = template.format(port=pg_cluster.port, db=db, pw="Wr0ng@T4il")
    for argv in (["db", "status"], ["db", "init"], ["inquiry", "list"]):
        code, out, err = _run(monkeypatch, capsys, wrong, *argv)
        _refused(code, err, "password authentication failed")
        assert "Wr0ng" not in out + err and "T4il" not in out + err


def test_password_never_shown_by_a_subprocess(pg_cluster: pgcluster.PgCluster) -> None:  # noqa: F811
    db = pg_cluster.new_database_url().rsplit("/", 1)[1]
    url = f"postgresql://postgres@127.0.0.1:{pg_cluster.port}/{db}?password=Wr0ng@T4il"
    proc = subprocess.run(
        [sys.executable, "-m", "prioanalysis", "db", "status"],
        env={**os.environ, store.ENV_URL: url},
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
    )
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert "Wr0ng" not in proc.stdout + proc.stderr and "T4il" not in proc.stdout + proc.stderr


# --------------------------------------------------------------- publication sign-off
def _prioanalysis(url: str, *argv: str) -> subprocess.CompletedProcess[str]:
    """The real command in a subprocess, on the database ``url``."""
    env = {**os.environ, store.ENV_URL: url}
    return subprocess.run(
        [sys.executable, "-m", "prioanalysis", *argv], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )


def test_publish_with_approver_and_a_superseding_one_end_to_end(db_url: str) -> None:  # noqa: F811
    """``db publish`` records approver, time and note; publishing another run of the year
    without ``--supersede`` is refused in one line and changes nothing; with a reason it
    supersedes the first, and ``db history`` / ``db status`` show both."""
    eng = store.get_engine(db_url)
    store.init_db(eng)
    tl = pd.DataFrame({"customer_id": ["C1", "C2"], "score": [0.9, 0.1], "rank": [1, 2]})
    store.save_run(eng, "20260110T090000Z", 2026, None, tl)
    store.save_run(eng, "20260301T090000Z", 2026, None, tl.assign(score=[0.8, 0.2]))
    eng.dispose()
    first = _prioanalysis(db_url, "db", "publish", "20260110T090000Z", "--approver", "李明", "--note", "经营会审议通过")
    assert first.returncode == 0, first.stderr
    assert "published as the 2026 list, approved by 李明" in first.stdout
    before = _digest(db_url)
    again = _prioanalysis(db_url, "db", "publish", "20260301T090000Z", "--approver", "张华")
    assert again.returncode == 2 and "Traceback" not in again.stderr
    assert len(again.stderr.strip().splitlines()) == 1, again.stderr
    assert "the 2026 list is published already (run 20260110T090000Z, approved by 李明)" in again.stderr
    assert "--supersede REASON" in again.stderr
    assert _digest(db_url) == before
    no_approver = _prioanalysis(db_url, "db", "publish", "20260301T090000Z")
    assert no_approver.returncode == 2 and "--approver" in no_approver.stderr
    second = _prioanalysis(
        db_url, "db", "publish", "20260301T090000Z", "--approver", "张华", "--supersede", "补充了金融行业的新数据"
    )
    assert second.returncode == 0, second.stderr
    assert "it supersedes run 20260110T090000Z" in second.stdout
    history = _prioanalysis(db_url, "db", "history", "--year", "2026")
    assert history.returncode == 0, history.stderr
    lines = history.stdout.splitlines()
    assert "approved by" in lines[0] and "reason for superseding" in lines[0]
    assert len(lines) == 3
    assert (
        "20260110T090000Z" in lines[1]
        and "superseded" in lines[1]
        and "李明" in lines[1]
        and "经营会审议通过" in lines[1]
    )
    assert "20260301T090000Z" in lines[2] and "current" in lines[2] and "补充了金融行业的新数据" in lines[2]
    status = _prioanalysis(db_url, "db", "status")
    assert (
        "published 2026: run 20260301T090000Z, approved by 张华" in status.stdout and "(1 superseded" in status.stdout
    )
    eng = store.get_engine(db_url)
    try:
        hist = store.publication_history(eng, 2026)
        assert hist["status"].tolist() == ["superseded", "current"]
        assert (
            hist.loc[1, "supersede_reason"] == "补充了金融行业的新数据"
            and hist.loc[0, "superseded_by"] == "20260301T090000Z"
        )
        assert store.load_results(eng, 2026).attrs["run_id"] == "20260301T090000Z"
        assert store.load_results(eng, 2026, run_id="20260110T090000Z")["score"].tolist() == [0.9, 0.1]  # kept, frozen
    finally:
        eng.dispose()
