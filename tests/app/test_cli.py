"""End-to-end runs of the command-line interface, asserting on the files it writes."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parents[2]


def _cli(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "prioanalysis", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=600,
    )


@pytest.fixture(scope="module")
def two_runs_logs(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Path, str]:
    """The demo run twice into the same outputs root (one module-wide fixture), with
    the first run's log."""
    out = tmp_path_factory.mktemp("outputs")
    first = _cli("run", "--year", "2026", "--outputs", str(out))
    assert first.returncode == 0, first.stderr
    second = _cli("run", "--year", "2026", "--outputs", str(out))
    assert second.returncode == 0, second.stderr
    runs = sorted((out / "2026").iterdir())
    assert len(runs) == 2, "each run must write a new folder"
    return out, runs[0], runs[1], first.stderr


@pytest.fixture(scope="module")
def two_runs(two_runs_logs: tuple[Path, Path, Path, str]) -> tuple[Path, Path, Path]:
    return two_runs_logs[:3]


def _tree(root: Path) -> dict[str, str]:
    """Every file and folder under ``root`` with its content's hash (folders: "dir")."""
    import hashlib

    if not root.exists():
        return {}
    return {
        p.relative_to(root).as_posix(): "dir" if p.is_dir() else hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
    }


def test_run_writes_every_output(two_runs: tuple[Path, Path, Path]) -> None:
    _, run, _ = two_runs
    for name in (
        "20_ranking.ipynb",
        "20_ranking.html",
        "run.json",
        "target_list_2026.xlsx",
        "10_criteria_calibration.ipynb",
        "10_criteria_calibration.html",
        "proposed_criteria.yaml",
        "proposed_criteria.yaml.diff",
        "30_annual_review.html",
    ):
        assert (run / name).is_file(), name
    tables = {p.name for p in (run / "tables").iterdir()}
    assert {
        "target_list.csv",
        "contributions.csv",
        "tier_by_segment.csv",
        "tier_by_grade.csv",
        "data_quality_completeness_by_segment.csv",
        "data_quality_completeness_by_criterion.csv",
        "data_quality_excluded.csv",
        "multi_segment_claims.csv",
        "choices.json",
    } <= tables
    figures = list((run / "figures").glob("*.png"))
    assert len(figures) >= 5
    for png in figures:
        for suffix in (".svg", ".csv"):
            assert png.with_suffix(suffix).is_file(), f"{png.stem}{suffix} missing"


def test_run_json_records_the_run(two_runs: tuple[Path, Path, Path]) -> None:
    _, run, _ = two_runs
    rec = json.loads((run / "run.json").read_text(encoding="utf-8"))
    assert rec["status"] == "succeeded" and rec["directory"] == str(run) and rec["seconds"] > 0
    assert rec["package_version"]
    assert "data/sample/preliminary_2026.csv" in rec["inputs"]
    assert all(len(h) == 64 for h in rec["inputs"].values())
    assert rec["method_choices"]["scoring_method"] == "weighted_sum"
    assert rec["method_choices"]["missing_policy"]["credit_grade"] == "worst"
    assert rec["notebooks"][0]["seconds"] > 0
    assert set(rec["parameters"]["20_ranking"]) == {"year", "params_dir", "output_dir", "input_path"}
    assert rec["parameters"]["20_ranking"]["output_dir"] == str(run)
    assert [n["notebook"] for n in rec["notebooks"]] == [
        "30_annual_review.ipynb",
        "10_criteria_calibration.ipynb",
        "20_ranking.ipynb",
        "25_robustness.ipynb",
    ]
    # every file the cycle read, relative to the project root, hashed as it is on disk
    files = rec["files"]
    for rel in (
        "params/2026/criteria.yaml",
        "params/2026/run.yaml",
        "params/2026/judgements.yaml",
        "params/2025/goals.yaml",
        "params/2025/run.yaml",
        "params/2025/criteria.yaml",
        "data/sample/preliminary_2025.csv",
        "data/sample/outcomes_2025.csv",
        "data/sample/inquiries_2025.csv",
        "data/sample/owners.csv",
    ):
        assert files[rel] == hashlib.sha256((ROOT / rel).read_bytes()).hexdigest(), rel
    assert len(files["notebooks/20_ranking.ipynb"]) == 64  # the template as it was executed
    assert not any(k.startswith("/") for k in files)
    assert set(rec["params_files"]) == {
        "params/2026/criteria.yaml",
        "params/2026/run.yaml",
        "params/2026/decisions.yaml",
    }


def test_an_unattended_run_logs_timestamps_and_no_kernel_warning(two_runs_logs: tuple[Path, Path, Path, str]) -> None:
    *_, log = two_runs_logs
    lines = log.strip().splitlines()
    assert lines and all(re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ ", line) for line in lines), log
    assert re.search(r"run \S+ succeeded in \d+\.\d s", lines[-1])
    assert "without encryption" not in log and "IPKernelApp" not in log and "Traceback" not in log


def test_no_staging_path_left_in_the_record(two_runs: tuple[Path, Path, Path]) -> None:
    _, run, _ = two_runs
    for f in [run / "run.json", *run.glob("*.ipynb")]:
        assert ".staging-" not in f.read_text(encoding="utf-8"), f.name
    assert not [p for p in run.parent.iterdir() if p.name.startswith(".")]


def test_target_list_content(two_runs: tuple[Path, Path, Path]) -> None:
    _, run, _ = two_runs
    tl = pd.read_csv(run / "tables" / "target_list.csv")
    required = {
        "customer_id",
        "customer_name",
        "segment",
        "score",
        "rank",
        "segment_rank",
        "tier",
        "grade",
        "quadrant",
        "driver_1",
        "driver_2",
        "driver_3",
        "completeness",
        "flags",
    }
    assert required <= set(tl.columns)
    assert tl["customer_id"].is_unique
    assert tl["score"].is_monotonic_decreasing
    assert set(tl["tier"]) == {"战略", "重点", "一般", "非目标"}
    assert set(tl["grade"]) <= set("ABCDE")
    dead = tl[tl["need_status"] == "dead"]
    assert len(dead) > 0 and (dead["tier"] == "非目标").all()
    xlsx = pd.ExcelFile(run / "target_list_2026.xlsx")
    assert {"政府", "金融", "零售", "非目标客户"} <= set(xlsx.sheet_names)
    gov = pd.read_excel(xlsx, "政府")  # the segment's targets only, headers in the report's language
    assert len(gov) == ((tl["segment"] == "government") & (tl["tier"] != "非目标")).sum()
    assert set(gov["层级"]) <= {"战略", "重点", "一般"}


def test_same_inputs_give_byte_identical_tables(two_runs: tuple[Path, Path, Path]) -> None:
    _, a, b = two_runs
    names = sorted(p.name for p in (a / "tables").glob("*.csv"))
    assert names
    for name in names:
        assert (a / "tables" / name).read_bytes() == (b / "tables" / name).read_bytes(), name
    for csv in sorted((a / "figures").glob("*.csv")):
        assert csv.read_bytes() == (b / "figures" / csv.name).read_bytes(), csv.name


def test_leadership_html_has_no_code(two_runs: tuple[Path, Path, Path]) -> None:
    _, run, _ = two_runs
    html = (run / "20_ranking.html").read_text(encoding="utf-8")
    # code cells render their source in a CodeMirror editor block with highlighting
    assert not re.search(r'class="[^"]*(jp-CodeMirrorEditor|jp-InputPrompt|highlight hl-)', html)
    assert "import prioanalysis" not in html and "pa.report" not in html
    assert "目标客户" in html  # Chinese text rendered
    assert "<img" in html  # figures embedded


def test_bad_input_clean_error_and_nothing_touched(two_runs: tuple[Path, Path, Path], tmp_path: Path) -> None:
    out, _run, _ = two_runs
    before = {p: p.stat().st_mtime_ns for p in out.rglob("*")}
    src = ROOT / "data" / "sample" / "preliminary_2026.csv"
    lines = src.read_text(encoding="utf-8").splitlines()
    header = lines[0].split(",")
    cells = lines[5].split(",")
    cells[header.index("it_budget")] = "lots"
    lines[5] = ",".join(cells)
    bad = tmp_path / "bad.csv"
    bad.write_text("\n".join(lines) + "\n", encoding="utf-8")
    res = _cli("run", "--year", "2026", "--outputs", str(out), "--input", str(bad))
    assert res.returncode == 2
    assert "Traceback" not in res.stderr
    assert str(bad) in res.stderr and "row 6" in res.stderr and "'it_budget'" in res.stderr
    assert "'lots' is not a number" in res.stderr
    after = {p: p.stat().st_mtime_ns for p in out.rglob("*")}
    assert after == before, "a failed run must not write or touch anything"


def test_unknown_notebook_parameter_is_an_error(two_runs: tuple[Path, Path, Path]) -> None:
    out, _, _ = two_runs
    res = _cli("run", "--outputs", str(out), "--notebook", "20_ranking", "-p", "top_nn=5")
    assert res.returncode == 2
    assert "unknown parameter(s) top_nn" in res.stderr and "Traceback" not in res.stderr


def test_params_typo_is_an_error(tmp_path: Path) -> None:
    params = tmp_path / "params" / "2026"
    shutil.copytree(ROOT / "params" / "2026", params)
    text = (params / "run.yaml").read_text(encoding="utf-8").replace("tie_rule:", "tie_rul:")
    (params / "run.yaml").write_text(text, encoding="utf-8")
    res = _cli("validate", "--params", str(params))
    assert res.returncode == 2
    assert "run.yaml" in res.stderr and "scoring.tie_rul" in res.stderr and "unknown key" in res.stderr
    assert "Traceback" not in res.stderr


def test_proposed_criteria_is_valid_and_params_untouched(two_runs: tuple[Path, Path, Path]) -> None:
    from prioanalysis.config.params import load_criteria

    _, run, _ = two_runs
    proposed = load_criteria(run / "proposed_criteria.yaml")
    current = load_criteria(ROOT / "params" / "2026" / "criteria.yaml")
    assert proposed.ids == current.ids
    assert abs(sum(proposed.global_weights().values()) - 1) < 1e-9
    assert "--- " in (run / "proposed_criteria.yaml.diff").read_text(encoding="utf-8")


def test_validate_ok() -> None:
    res = _cli("validate", "--year", "2026")
    assert res.returncode == 0, res.stderr
    assert "customers to score" in res.stdout


def test_run_from_the_database_matches_the_file_run(two_runs: tuple[Path, Path, Path], tmp_path: Path) -> None:
    """`run --source db`: the list imported into the database ranks exactly as the
    file does, and the run's results are saved into the database."""
    import os

    from prioanalysis.store import database as store

    _, file_run, _ = two_runs
    env_url = f"sqlite:///{tmp_path / 'team.db'}"
    env = {**os.environ, "PRIOANALYSIS_DB_URL": env_url}

    def cli(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "prioanalysis", *args],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
        )

    assert cli("db", "init").returncode == 0
    imp = cli("db", "import", "customers", str(ROOT / "data" / "sample" / "preliminary_2026.csv"))
    assert imp.returncode == 0, imp.stderr
    # the ranking assigns owners: without them in the database the run is refused
    refused = cli("run", "--source", "db", "--notebook", "20_ranking", "--outputs", str(tmp_path / "out"))
    assert refused.returncode == 2 and "no owners stored" in refused.stderr, refused.stderr
    assert cli("db", "import", "owners", str(ROOT / "data" / "sample" / "owners.csv")).returncode == 0
    res = cli("run", "--source", "db", "--notebook", "20_ranking", "--outputs", str(tmp_path / "out"))
    assert res.returncode == 0, res.stderr
    db_run = next((tmp_path / "out" / "2026").iterdir())
    assert (db_run / "inputs" / "preliminary_2026.csv").is_file()
    assert (db_run / "tables" / "target_list.csv").read_bytes() == (
        file_run / "tables" / "target_list.csv"
    ).read_bytes()
    rec = json.loads((db_run / "run.json").read_text(encoding="utf-8"))
    assert any(k.startswith("db:sqlite") for k in rec["inputs"])
    saved = store.load_results(store.get_engine(env_url), 2026, published_only=False)
    assert len(saved) == len(pd.read_csv(file_run / "tables" / "target_list.csv"))


def test_monthly_inquiry_report_runs_alone(tmp_path: Path) -> None:
    res = _cli("run", "--month", "2025-10", "--outputs", str(tmp_path))  # --month alone: the monthly report
    assert res.returncode == 0, res.stderr
    run = next((tmp_path / "2026").iterdir())
    rec = json.loads((run / "run.json").read_text(encoding="utf-8"))
    assert [n["notebook"] for n in rec["notebooks"]] == ["40_inquiry_monthly.ipynb"]
    assert rec["parameters"]["40_inquiry_monthly"]["month"] == "2025-10"
    assert "params/2026/inquiries.yaml" in rec["files"] and "data/sample/inquiries_2025.csv" in rec["files"]
    html = (run / "40_inquiry_monthly.html").read_text(encoding="utf-8")
    assert "2025-10" in html and not re.search(r'class="[^"]*(jp-CodeMirrorEditor|jp-InputPrompt)', html)
    assert any(p.name.startswith("inquiry_") for p in (run / "tables").iterdir())


def test_cycle_from_the_database_reads_last_years_published_list(tmp_path: Path) -> None:
    """The review reads last year's list as published (frozen in the database) and the
    calibration last year's outcomes from the database; a refused run writes nothing."""
    import os

    env = {**os.environ, "PRIOANALYSIS_DB_URL": f"sqlite:///{tmp_path / 'team.db'}"}
    out = tmp_path / "out"

    def cli(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "prioanalysis", *args],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
        )

    sample = ROOT / "data" / "sample"
    assert cli("db", "init").returncode == 0
    for f in ("preliminary_2025.csv", "preliminary_2026.csv"):
        assert cli("db", "import", "customers", str(sample / f)).returncode == 0
    assert cli("db", "import", "owners", str(sample / "owners.csv")).returncode == 0
    cycle = (
        "run",
        "--year",
        "2026",
        "--source",
        "db",
        "--notebook",
        "30_annual_review",
        "--notebook",
        "10_criteria_calibration",
        "--outputs",
        str(out),
    )
    refused = cli(*cycle)
    assert refused.returncode == 2 and "no published run for 2025" in refused.stderr
    assert not (out / "2026").exists() or not any((out / "2026").iterdir())
    r2025 = cli("run", "--year", "2025", "--source", "db", "--notebook", "20_ranking", "--outputs", str(out))
    assert r2025.returncode == 0, r2025.stderr
    run_id = next((out / "2025").iterdir()).name
    assert cli("db", "publish", run_id, "--approver", "李明").returncode == 0
    assert cli("db", "import", "outcomes", str(sample / "outcomes_2025.csv")).returncode == 0
    res = cli(*cycle)
    assert res.returncode == 0, res.stderr
    run = next((out / "2026").iterdir())
    published = pd.read_csv(run / "inputs" / "target_list_2025_published.csv")
    ranked = pd.read_csv(out / "2025" / run_id / "tables" / "target_list.csv")
    assert published["customer_id"].tolist() == ranked["customer_id"].tolist()
    assert published["tier"].tolist() == ranked["tier"].tolist()
    rec = json.loads((run / "run.json").read_text(encoding="utf-8"))
    assert rec["parameters"]["30_annual_review"]["frozen_list"].endswith("target_list_2025_published.csv")
    assert rec["parameters"]["10_criteria_calibration"]["outcomes_path"].endswith("outcomes_2025.csv")


def test_bad_outcomes_stop_the_cycle_before_anything_is_written(tmp_path: Path) -> None:
    bad = tmp_path / "outcomes_bad.csv"
    lines = (ROOT / "data" / "sample" / "outcomes_2025.csv").read_text(encoding="utf-8").splitlines()
    cells = lines[3].split(",")
    cells[1] = "maybe"  # won must be 0 or 1
    lines[3] = ",".join(cells)
    bad.write_text("\n".join(lines) + "\n", encoding="utf-8")
    res = _cli("run", "--outputs", str(tmp_path / "out"), "-p", f"30_annual_review:outcomes_path={bad}")
    assert res.returncode == 2, res.stderr
    assert str(bad) in res.stderr and "row 4" in res.stderr and "won" in res.stderr
    assert "Traceback" not in res.stderr
    assert not (tmp_path / "out").exists()


def _params_copy(tmp_path: Path) -> Path:
    """params/2023–2026 under tmp_path/params with the input paths made absolute."""
    for year_dir in sorted((ROOT / "params").iterdir()):
        d = tmp_path / "params" / year_dir.name
        shutil.copytree(year_dir, d)
        for f in d.glob("*.yaml"):
            text = f.read_text(encoding="utf-8").replace("data/sample/", str(ROOT / "data" / "sample") + "/")
            f.write_text(text, encoding="utf-8")
    (tmp_path / "notebooks").symlink_to(ROOT / "notebooks")  # the copy's project root is tmp_path
    return tmp_path / "params" / "2026"


def _refused(out: Path, args: tuple[str, ...], message: str, validate: bool = True) -> None:
    """``run`` (and ``validate`` with the same options) exit 2 with one clear message,
    no traceback, and nothing under the outputs root changes."""
    before = _tree(out)
    for command in ("run", "validate") if validate else ("run",):
        res = _cli(command, *args, "--outputs", str(out))
        assert res.returncode == 2, (command, res.stdout, res.stderr)
        assert "Traceback" not in res.stderr and res.stderr.startswith("error: ")
        assert re.search(message, res.stderr), (command, res.stderr)
        assert _tree(out) == before, f"{command} {args} changed the outputs"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ("--notebook", "20_ranking", "-p", "input_path=data/sample/preliminary_2025.csv"),
            r"-p input_path: .*use --input",
        ),
        (("-p", "year=abc"), r"-p year: .*use --year"),
        (("--notebook", "20_ranking", "-p", "20_ranking:params_dir=params/2025"), r"use --params"),
        (("--month", "2025-13"), r"parameter 'month': expected YYYY-MM"),
        (("--notebook", "20_ranking", "--month", "2025-10"), r"none of the notebooks run declares a month"),
        (
            ("--notebook", "10_criteria_calibration", "-p", "10_criteria_calibration:n_boot=abc"),
            r"10_criteria_calibration: parameter 'n_boot': expected an integer \(got 'abc'\)",
        ),
        (("--year", "2025", "--params", str(ROOT / "params" / "2026")), r"year: 2026 but the year asked for is 2025"),
    ],
)
def test_misuse_refused_before_anything_is_written(
    two_runs: tuple[Path, Path, Path], args: tuple[str, ...], message: str
) -> None:
    out, _, _ = two_runs
    _refused(out, args, message)


def test_output_dir_of_an_earlier_run_refused(two_runs: tuple[Path, Path, Path], tmp_path: Path) -> None:
    out, earlier, _ = two_runs
    other = tmp_path / "other.csv"
    shutil.copy(ROOT / "data" / "sample" / "preliminary_2026.csv", other)
    args = ("--notebook", "20_ranking", "-p", f"output_dir={earlier}", "--input", str(other))
    _refused(out, args, r"-p output_dir: .*use --outputs", validate=False)


def test_bad_inputs_refused_before_anything_is_written(two_runs: tuple[Path, Path, Path], tmp_path: Path) -> None:
    out, _, _ = two_runs
    header = (ROOT / "data" / "sample" / "preliminary_2026.csv").read_text(encoding="utf-8").splitlines()[0]
    empty = tmp_path / "header_only.csv"
    empty.write_text(header + "\n", encoding="utf-8")
    _refused(out, ("--notebook", "20_ranking", "--input", str(empty)), re.escape(str(empty)))
    frozen = tmp_path / "frozen.csv"
    frozen.write_text("customer_id,tier\nC1,战略\n", encoding="utf-8")
    _refused(
        out,
        ("--notebook", "30_annual_review", "-p", f"30_annual_review:frozen_list={frozen}"),
        re.escape(str(frozen)),
        validate=False,
    )
    a_file = tmp_path / "a_file"
    a_file.write_text("x")
    res = _cli("run", "--notebook", "20_ranking", "--outputs", str(a_file))
    assert res.returncode == 2 and "is a file, not a folder" in res.stderr and "Traceback" not in res.stderr


def test_bad_parameter_files_refused_before_anything_is_written(tmp_path: Path) -> None:
    params = _params_copy(tmp_path)
    out = tmp_path / "out"
    judgements = params / "judgements.yaml"
    good = judgements.read_text(encoding="utf-8")
    judgements.write_text(good.replace("it_budget vs deal_size: 1", "it_budget vs deal_sise: 1", 1), encoding="utf-8")
    _refused(out, ("--params", str(params), "--notebook", "25_robustness"), r"judgements\.yaml")
    judgements.write_text(good, encoding="utf-8")
    inquiries = params / "inquiries.yaml"
    inquiries.write_text(inquiries.read_text(encoding="utf-8").replace("first_response:", "first_respons:", 1))
    _refused(
        out,
        ("--params", str(params), "--month", "2025-10"),
        r"(?s)inquiries\.yaml.*first_respons: unknown key",
        validate=False,
    )
    assert not out.exists()


def test_validate_checks_what_run_would_run() -> None:
    res = _cli("validate", "--month", "2025-10")
    assert res.returncode == 0, res.stderr
    assert "ok: 40_inquiry_monthly" in res.stdout and "nothing written" in res.stdout
