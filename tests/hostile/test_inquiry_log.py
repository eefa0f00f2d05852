"""The general-inquiry log through ``prioanalysis inquiry``: every option works, a decision
can come later, a pending one is reported as pending, dates and text are checked."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from tests.hostile.conftest import Project, files_under

ADD = ("inquiry", "add", "--date", "2025-10-15", "--channel", "web", "--segment", "finance")


def _listed(project: Project, inquiry_id: str) -> dict[str, str]:
    out = project.ok("inquiry", "list", "--format", "csv").stdout
    rows = [r for r in csv.DictReader(io.StringIO(out)) if r["inquiry_id"] == inquiry_id]
    assert len(rows) == 1, f"{inquiry_id} listed {len(rows)} times"
    return rows[0]


def test_add_with_handler(project: Project, seeded_db: Path) -> None:
    """``--handler`` collided with the attribute the CLI dispatches on."""
    project.install_db(seeded_db)
    project.ok(*ADD, "--customer-name", "招商测试银行", "--inquiry-id", "Q2025-9001", "--handler", "O002")
    assert _listed(project, "Q2025-9001")["handler"] == "O002"


def test_decision_recorded_later(project: Project, seeded_db: Path, decide_command: str) -> None:
    """An inquiry logged without a decision gets it later (``inquiry decide``/``update``)."""
    project.install_db(seeded_db)
    project.ok(*ADD, "--customer-name", "待定客户", "--inquiry-id", "Q2025-9002")
    assert _listed(project, "Q2025-9002")["decision"] == ""
    project.ok("inquiry", decide_command, "Q2025-9002", "--decision", "follow_up", "--reviewer", "刘洋")
    row = _listed(project, "Q2025-9002")
    assert row["decision"] == "follow_up"
    assert row.get("reviewer", "刘洋") == "刘洋"


def test_pending_decision_does_not_break_the_monthly_report(project: Project, seeded_db: Path) -> None:
    """The monthly report from the database with an inquiry still undecided: it succeeds
    and counts the inquiry as pending."""
    project.install_db(seeded_db)
    project.ok(*ADD, "--customer-name", "待定客户", "--inquiry-id", "Q2025-9003")
    project.ok("run", "--source", "db", "--notebook", "40_inquiry_monthly", "--month", "2025-10")
    records = files_under(project.outputs, "run.json")
    assert len(records) == 1
    assert json.loads(records[0].read_text(encoding="utf-8"))["status"] == "succeeded"


def test_follow_up_before_its_inquiry_is_refused(project: Project, seeded_db: Path) -> None:
    """Q2025-0001 is dated 2025-01-01 in the sample log: a follow-up of 2024-12-20 is impossible."""
    project.install_db(seeded_db)
    project.refused(
        "inquiry", "follow-up", "Q2025-0001", "--date", "2024-12-20",
        mentions=["Q2025-0001", ("2024-12-20", "2025-01-01", "before")],
    )  # fmt: skip


def test_terminal_escape_sequences_are_refused(project: Project, seeded_db: Path) -> None:
    """Escape sequences (clear screen, set the terminal title) are neither stored nor echoed raw."""
    project.install_db(seeded_db)
    result = project.refused(
        *ADD, "--customer-name", "ACME\x1b[2J\x1b]0;owned\x07 Ltd",
        mentions=[("customer_name", "customer-name", "customer name")],
    )  # fmt: skip
    assert "\x1b" not in result.output and "\x07" not in result.output, repr(result.output)
