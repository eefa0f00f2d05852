"""``prioanalysis compare RUN_A RUN_B`` end to end: two real runs of a project copy, the
second with changed family weights and one customer's facts improved; the movers and
their reasons, the report and the tables, a new folder each time, bad ids refused."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
BETTER = {"it_budget": 9000, "deal_size": 3000, "strategic_fit": 5, "relationship_strength": 5}


def _cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "prioanalysis", *args], cwd=cwd, capture_output=True, text=True, timeout=900
    )


@pytest.fixture(scope="module")
def two_runs(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str, str, str]:
    """A project copy ranked twice (notebook 20): A as given, B with family weights
    50/50 and one not-targeted customer's facts made excellent.
    Returns the project root, the run ids and the improved customer's id."""
    root = tmp_path_factory.mktemp("project")
    shutil.copytree(ROOT / "params", root / "params")
    shutil.copytree(ROOT / "data" / "sample", root / "data" / "sample")
    (root / "notebooks").symlink_to(ROOT / "notebooks")
    run_yaml = root / "params" / "2026" / "run.yaml"
    run_yaml.write_text(run_yaml.read_text(encoding="utf-8").replace("n_draws: 1000", "n_draws: 50"), encoding="utf-8")
    first = _cli("run", "--year", "2026", "--notebook", "20_ranking", cwd=root)
    assert first.returncode == 0, first.stderr
    run_a = sorted((root / "outputs" / "2026").iterdir())[-1]

    # B: the weights and one customer's facts change
    crit = root / "params" / "2026" / "criteria.yaml"
    text = crit.read_text(encoding="utf-8")
    assert "attractiveness: 0.60" in text and "feasibility: 0.40" in text
    crit.write_text(
        text.replace("attractiveness: 0.60", "attractiveness: 0.50").replace("feasibility: 0.40", "feasibility: 0.50"),
        encoding="utf-8",
    )
    tl = pd.read_csv(run_a / "tables" / "target_list.csv", dtype={"customer_id": str})
    pool = tl[(tl["tier"] == "非目标") & tl["eligible"] & (tl["completeness"] == 1.0)]
    cid = str(pool.iloc[-1]["customer_id"])
    prelim = root / "data" / "sample" / "preliminary_2026.csv"
    raw = pd.read_csv(prelim, dtype=str, keep_default_na=False)
    for col, value in BETTER.items():
        raw.loc[raw["customer_id"] == cid, col] = str(value)
    raw.to_csv(prelim, index=False)
    second = _cli("run", "--year", "2026", "--notebook", "20_ranking", cwd=root)
    assert second.returncode == 0, second.stderr
    run_b = sorted(p for p in (root / "outputs" / "2026").iterdir() if p != run_a)[-1]
    return root, run_a.name, run_b.name, cid


def test_compare_two_runs_movers_and_reasons(two_runs: tuple[Path, str, str, str]) -> None:
    root, a, b, cid = two_runs
    res = _cli("compare", a, b, cwd=root)
    assert res.returncode == 0, res.stderr
    out = res.stdout
    assert "层级发生变化" in out  # the headline, in the run's language
    assert "权重变化：可行性 40.0% → 50.0%" in out
    assert "Traceback" not in res.stderr
    folder = root / "outputs" / "compare" / f"{a}_vs_{b}"
    assert str(folder / "compare.html") in out
    html = (folder / "compare.html").read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>") and "客户在层级之间如何流动" in html
    for raw_id in ("feasibility", "deal_size", "government", "__not_in_list__"):
        assert raw_id not in html

    cust = pd.read_csv(folder / "tables" / "customers.csv", dtype={"customer_id": str}).set_index("customer_id")
    # the customer whose facts changed is explained by its facts
    row = cust.loc[cid]
    assert row["tier_a"] == "非目标" and row["tier_b"] != "非目标"
    assert row["reason_kind"] == "客户数据变化"
    assert row["facts_changed"] == len(BETTER)
    assert row["fact_part"] > abs(row["weight_part"])
    assert "主要由客户数据变化引起" in row["reason"]
    assert "客户关系强度 1 → 5" in row["reason"] or "战略契合度" in row["reason"]  # its facts, before → after
    # customers whose facts are the same and that moved are explained by the weights
    moved = cust[(cust["tier_a"] != cust["tier_b"]) & (cust["facts_changed"] == 0)]
    by_weights = moved[moved["reason_kind"] == "权重变化"]
    assert len(by_weights) >= 10
    assert (by_weights["weight_part"].abs() >= by_weights["fact_part"].abs()).all()
    assert by_weights["reason"].str.contains("权重").all()
    # the migration matrix counts every customer once
    mig = pd.read_csv(folder / "tables" / "migration.csv", index_col=0)
    assert int(mig.to_numpy().sum()) == len(cust)
    weights = pd.read_csv(folder / "tables" / "weight_changes.csv").set_index("criterion")
    assert weights.loc["可行性", "weight_b"] == pytest.approx(0.5)

    again = _cli("compare", a, str(root / "outputs" / "2026" / b), cwd=root)
    assert again.returncode == 0, again.stderr
    assert (root / "outputs" / "compare" / f"{a}_vs_{b}-2" / "compare.html").is_file()


def test_compare_bad_ids_are_one_line_exit_2(two_runs: tuple[Path, str, str, str]) -> None:
    root, a, _, _ = two_runs
    for args in (("compare", a, "20990101T000000Z"), ("compare", "../etc", a), ("compare", a, str(root / "params"))):
        res = _cli(*args, cwd=root)
        assert res.returncode == 2, res
        assert "Traceback" not in res.stderr
        lines = res.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("error: "), res.stderr
    assert not (root / "outputs" / "compare" / f"{a}_vs_20990101T000000Z").exists()


def test_compare_yaml_is_untouched_by_compare(two_runs: tuple[Path, str, str, str]) -> None:
    root, a, b, _ = two_runs
    before = {p: p.read_bytes() for p in (root / "outputs" / "2026").rglob("*") if p.is_file()}
    assert _cli("compare", b, a, cwd=root).returncode == 0
    after = {p: p.read_bytes() for p in (root / "outputs" / "2026").rglob("*") if p.is_file()}
    assert before == after  # comparing never writes into the runs
    doc = yaml.safe_load((root / "params" / "2026" / "criteria.yaml").read_text(encoding="utf-8"))
    assert doc["family_weights"]["feasibility"] == 0.5


def test_what_if_on_a_run_folder_and_compare_runs_api(two_runs: tuple[Path, str, str, str]) -> None:
    from prioanalysis.steps import compare

    root, a, b, cid = two_runs
    effect = compare.what_if(root / "outputs" / "2026" / b, family_weights={"feasibility": 0.4})
    assert effect.name_a.startswith("2026年度运行") and effect.name_b == "假设情景"
    # B's weights back to 60/40: the movers are explained by the weights, none by facts
    assert effect.moved > 0
    assert set(effect.customers.loc[effect.customers["status"] != "same", "reason_kind"]) == {"weights"}
    both = compare.compare_runs(a, b, outputs=root / "outputs")
    assert both.customers.loc[cid, "reason_kind"] == "facts"
    html = both._repr_html_()
    assert "客户在层级之间如何流动" in html and cid not in html
