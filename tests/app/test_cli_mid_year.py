"""End to end: an inquiring customer the marketing lead accepts enters the year's target
list in the next (mid-year) run — the real CLI in a subprocess, on a copy of the project."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
import yaml

from tests.conftest import ROOT

FACTS = {
    "it_budget": 5000,
    "deal_size": 800,
    "growth": 30,
    "strategic_fit": 5,
    "industry_influence": 5,
    "relationship_strength": 5,
    "competitive_intensity": 1,
    "service_distance_km": 5,
    "credit_grade": "AAA",
    "payment_days": 15,
}


def _copy(dst: Path) -> Path:
    def ignore(folder: str, names: list[str]) -> set[str]:
        odd = {n for n in names if not (Path(folder, n).is_file() or Path(folder, n).is_dir())}  # kernel sockets
        return odd | {n for n in names if n.endswith((".db", ".db-wal", ".db-shm")) or n == "__pycache__"}

    for part in ("params", "notebooks"):
        shutil.copytree(ROOT / part, dst / part, ignore=ignore)
    shutil.copytree(ROOT / "data" / "sample", dst / "data" / "sample", ignore=ignore)
    run_yaml = dst / "params" / "2026" / "run.yaml"
    doc = yaml.safe_load(run_yaml.read_text(encoding="utf-8"))
    doc["robustness"]["n_draws"] = 50  # a quick ranking: the run's point here is the list, not the draws
    run_yaml.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return dst


def _cli(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("PRIOANALYSIS_DB_URL", "PYTHONPATH")}
    env |= {"PYTHONPATH": str(ROOT), "PYTHONIOENCODING": "utf-8", "PRIOANALYSIS_DB_URL": f"sqlite:///{root}/data/t.db"}
    return subprocess.run(
        [sys.executable, "-m", "prioanalysis", *args],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=900,
        check=False,
    )


def _ok(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    res = _cli(root, *args)
    assert res.returncode == 0, f"{args}\n{res.stdout}\n{res.stderr}"
    assert "Traceback" not in res.stderr
    return res


def test_an_accepted_inquiry_appears_in_the_next_runs_target_list(tmp_path: Path) -> None:
    root = _copy(tmp_path / "project")
    _ok(root, "db", "init")
    _ok(root, "db", "import", "customers", "data/sample/preliminary_2026.csv")
    _ok(root, "db", "import", "owners", "data/sample/owners.csv")
    facts = [a for k, v in FACTS.items() for a in ("--fact", f"{k}={v}")]
    add = ["inquiry", "add", "--date", "2026-03-02", "--channel", "web", "--segment", "finance", "--handler", "O002"]
    _ok(root, *add, "--customer-name", "新询价银行股份有限公司", "--decision", "propose_target", *facts)
    _ok(root, *add, "--customer-name", "未审核客户有限公司", "--decision", "propose_target", *facts)  # not reviewed

    # proposed by the handler only: nothing is accepted yet, so a mid-year run is refused, writing nothing
    refused = _cli(root, "run", "--year", "2026", "--source", "db", "--mid-year", "--notebook", "20_ranking")
    assert refused.returncode == 2 and "Traceback" not in refused.stderr
    assert "no inquiry" in refused.stderr and "inquiry decide" in refused.stderr
    assert not (root / "outputs" / "2026").exists() or not any((root / "outputs" / "2026").iterdir())

    decided = _ok(
        root,
        "inquiry",
        "decide",
        "Q2026-0001",
        "--decision",
        "propose_target",
        "--reviewer",
        "王经理",
        "--date",
        "2026-03-05",
    )
    assert "王经理" in decided.stdout
    res = _ok(root, "run", "--year", "2026", "--source", "db", "--mid-year", "--notebook", "20_ranking")
    run = next(p for p in (root / "outputs" / "2026").iterdir() if not p.name.startswith("."))

    listed = pd.read_csv(run / "tables" / "target_list.csv", dtype=str, keep_default_na=False)
    added = listed[listed["list_source"] == "mid_year_addition"]
    assert added[["customer_id", "inquiry_id", "accepted_on", "customer_name", "segment"]].to_dict("records") == [
        {
            "customer_id": "Q2026-0001",
            "inquiry_id": "Q2026-0001",
            "accepted_on": "2026-03-05",
            "customer_name": "新询价银行股份有限公司",
            "segment": "finance",
        }
    ]
    assert added["tier"].iloc[0] == "战略"  # its facts are the best on the list
    others = listed[listed["list_source"] != "mid_year_addition"]
    assert set(others["list_source"]) == {"preliminary_list"} and (others["inquiry_id"] == "").all()
    assert "未审核客户有限公司" not in set(listed["customer_name"])  # proposed, never reviewed: not on the list
    page = (run / "20_ranking.html").read_text(encoding="utf-8")
    assert "本名单为年中更新：新增 1 位经市场负责人批准的询价客户" in page  # the report says so

    record = json.loads((run / "run.json").read_text(encoding="utf-8"))
    assert record["kind"] == "mid_year" and record["status"] == "succeeded"
    assert record["list_additions"] == [
        {"inquiry_id": "Q2026-0001", "customer_id": "Q2026-0001", "accepted_on": "2026-03-05"}
    ]
    ranked = pd.read_csv(run / "inputs" / "preliminary_2026_mid_year.csv", dtype=str, keep_default_na=False)
    assert len(ranked) == len(pd.read_csv(run / "inputs" / "preliminary_2026.csv")) + 1
    assert "inputs/preliminary_2026_mid_year.csv" in record["inputs"]
    assert "mid_year" in _ok(root, "db", "runs").stdout  # the database records the run's kind
    log = res.stderr.strip().splitlines()
    assert "mid-year run: 1 accepted inquiring customer(s) added to the list: Q2026-0001" in res.stderr
    unstamped = [line for line in log if not re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ ", line)]
    assert not unstamped, unstamped  # unattended: every line stamped
    assert re.search(r"run \S+ succeeded in \d+\.\d s", log[-1])  # and the total


@pytest.mark.parametrize("decided", [True, False])
def test_mid_year_from_the_inquiry_log_file(tmp_path: Path, decided: bool) -> None:
    """With files, the accepted inquiries come from the year's log (reviewer and decided_on
    columns); validate says what a mid-year run would add."""
    root = _copy(tmp_path / "project")
    row = {
        "inquiry_id": "Q2026-0007",
        "date": "2026-02-10",
        "channel": "web",
        "segment": "telecom",
        "customer_name": "新询价通信有限公司",
        "first_response_hours": 2.0,
        "handler": "O003",
        "decision": "propose_target",
        "follow_ups": 2,
        "converted": 0,
        "reviewer": "王经理" if decided else "",
        "decided_on": "2026-02-20" if decided else "",
        **FACTS,
    }
    pd.DataFrame([row]).to_csv(root / "data" / "sample" / "inquiries_2026.csv", index=False)
    res = _cli(root, "validate", "--year", "2026", "--mid-year")
    if decided:
        assert res.returncode == 0, res.stderr
        assert "1 accepted inquiring customer(s) added to the 2026 list: Q2026-0007" in res.stdout
        assert "20_ranking, 25_robustness" in res.stdout
    else:
        assert res.returncode == 2 and "no inquiry in" in res.stderr and "Traceback" not in res.stderr
    assert not (root / "outputs").exists()
