"""End to end: a decisions file applied by ``prioanalysis run`` — visible in the target
list (``tables/target_list.csv``), in the leadership report (``20_ranking.html``) and in
``run.json``; a decision naming a customer that is not on the list stops the run before
anything is written."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
REASON_OUT = "该客户已由集团大客户部统一覆盖（测试理由甲）"
REASON_UP = "已进入年度框架协议招标短名单（测试理由乙）"


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "prioanalysis", *args], cwd=ROOT, capture_output=True, text=True, timeout=900
    )


def _project(tmp_path: Path, decisions: dict) -> Path:
    """params/2025–2026 under tmp_path (inputs from the sample, absolute), with ``decisions``."""
    for year in ("2025", "2026"):
        d = tmp_path / "params" / year
        shutil.copytree(ROOT / "params" / year, d)
        for f in d.glob("*.yaml"):
            f.write_text(
                f.read_text(encoding="utf-8").replace("data/sample/", str(ROOT / "data" / "sample") + "/"),
                encoding="utf-8",
            )
    (tmp_path / "notebooks").symlink_to(ROOT / "notebooks")
    p = tmp_path / "params" / "2026" / "decisions.yaml"
    p.write_text(yaml.safe_dump({"year": 2026, **decisions}, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return p.parent


def _rule_list() -> pd.DataFrame:
    from prioanalysis.config.params import load_params
    from prioanalysis.steps.ranking import run_ranking

    return run_ranking(load_params(ROOT / "params" / "2026")).target_list.set_index("customer_id")


@pytest.fixture(scope="module")
def decided_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    tmp = tmp_path_factory.mktemp("decisions")
    rule = _rule_list()
    out_id = str(rule.index[rule["tier"] == "战略"][0])
    up_id = str(rule.index[(rule["tier"] == "非目标") & rule["eligible"]][0])
    params = _project(
        tmp,
        {
            "tier_changes": [
                {"customer_id": up_id, "tier": "重点", "reason": REASON_UP, "decided_by": "事业部副总裁 李明"}
            ],
            "exclusions": [
                {"customer_id": out_id, "reason": REASON_OUT, "decided_by": "事业部总经理 张华", "date": "2026-01-15"}
            ],
        },
    )
    res = _cli(
        "run", "--year", "2026", "--params", str(params), "--notebook", "20_ranking", "--outputs", str(tmp / "out")
    )
    assert res.returncode == 0, res.stderr
    (run,) = (tmp / "out" / "2026").iterdir()
    return run, {"out": out_id, "up": up_id}


def test_the_decisions_are_in_the_target_list(decided_run: tuple[Path, dict[str, str]]) -> None:
    run, ids = decided_run
    tl = pd.read_csv(run / "tables" / "target_list.csv", dtype=str, keep_default_na=False).set_index("customer_id")
    assert {"decision", "decided_by", "decision_reason"} <= set(tl.columns)
    out, up = tl.loc[ids["out"]], tl.loc[ids["up"]]
    assert (out["tier"], out["decision"], out["decided_by"], out["decision_reason"]) == (
        "非目标",
        "exclusion",
        "事业部总经理 张华",
        REASON_OUT,
    )
    assert out["not_targeted_reason"] == REASON_OUT
    assert (up["tier"], up["decision"], up["decided_by"], up["decision_reason"]) == (
        "重点",
        "tier",
        "事业部副总裁 李明",
        REASON_UP,
    )
    assert (tl.drop(index=list(ids.values()))["decision"] == "").all()


def test_the_decisions_are_in_the_report(decided_run: tuple[Path, dict[str, str]]) -> None:
    run, _ = decided_run
    html = (run / "20_ranking.html").read_text(encoding="utf-8")
    assert REASON_OUT in html and REASON_UP in html
    assert "事业部总经理 张华" in html


def test_the_decisions_are_in_the_run_record(decided_run: tuple[Path, dict[str, str]]) -> None:
    run, _ = decided_run
    rec = json.loads((run / "run.json").read_text(encoding="utf-8"))
    text = json.dumps(rec, ensure_ascii=False)
    assert REASON_OUT in text and "decisions.yaml" in text


def test_a_decision_on_an_unknown_customer_stops_the_run(tmp_path: Path) -> None:
    params = _project(tmp_path, {"exclusions": [{"customer_id": "C999999", "reason": "x", "decided_by": "李明"}]})
    out = tmp_path / "out"
    for command in ("validate", "run"):
        res = _cli(
            command, "--year", "2026", "--params", str(params), "--notebook", "20_ranking", "--outputs", str(out)
        )
        assert res.returncode == 2 and "Traceback" not in res.stderr, res.stderr
        assert "decisions.yaml: exclusions[0]: customer 'C999999' is not on" in res.stderr
    assert not out.exists() or not any(out.rglob("*"))
