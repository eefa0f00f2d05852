"""The annual report: front page numbers reconcile with the run's files, the document is
self-contained, its contents resolve, its PDF is printed — and a run writes it."""

from __future__ import annotations

import base64
import dataclasses
import io
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from bs4 import BeautifulSoup
from fontTools.ttLib import TTFont

from prioanalysis.config.params import Params, load_params
from prioanalysis.report import annual
from prioanalysis.report import html as pages

ROOT = Path(__file__).resolve().parents[2]
TIERS = ["T1", "T2", "T3"]


# --------------------------------------------------------------------------- pure parts
def test_tier_table_sums() -> None:
    tl = pd.DataFrame({"segment": ["a", "a", "b", "b", "b", "c"], "tier": ["T1", "x", "T2", "T3", "T3", "x"]})
    out = annual.tier_table(tl, {"b": "乙", "a": "甲"}, TIERS, "x")
    assert list(out.index) == ["乙", "甲", "c", ""]  # run.yaml order, unknown segments after, total last
    assert out.loc["乙"].tolist() == [0, 1, 2, 3, 0, 3]
    assert out.loc[""].tolist() == [1, 1, 2, 4, 2, 6]
    assert (out["targets"] == out[TIERS].sum(axis=1)).all()
    assert (out["total"] == out["targets"] + out["not_targeted"]).all()


def _without_data_uris(html: str) -> str:
    """The page without its inline images and font (base64 text may spell "http" by chance)."""
    return re.sub(r"data:[a-z0-9/+.\-]+;base64,[A-Za-z0-9+/=]+", "data:", html, flags=re.I)


def _lists() -> tuple[pd.DataFrame, pd.DataFrame]:
    prev = pd.DataFrame(
        {
            "customer_id": ["a", "b", "c", "d", "e", "f"],
            "tier": ["T1", "T2", "T3", "x", "T2", "T1"],
            "customer_name": ["A", "B", "C", "D", "E", "F"],
            "segment": "s",
            "score": [0.9, 0.7, 0.5, 0.3, 0.6, 0.95],
            "rank": [2, 3, 5, 6, 4, 1],
        }
    )
    cur = pd.DataFrame(
        {
            "customer_id": ["a", "b", "c", "d", "e", "g"],
            "tier": ["T2", "T1", "T3", "T2", "x", "T3"],
            "customer_name": ["A", "B", "C", "D", "E", "G"],
            "segment": "s",
            "score": [0.7, 0.9, 0.5, 0.6, 0.2, 0.4],
            "rank": [2, 1, 4, 3, 6, 5],
        }
    )
    return prev, cur


def test_list_changes_by_hand() -> None:
    prev, cur = _lists()
    ch = annual.list_changes(prev, cur, TIERS, "x")
    assert ch["change"].to_dict() == {
        "f": "dropped",  # T1 → not on the list
        "b": "up",  # T2 → T1
        "a": "down",  # T1 → T2
        "d": "new",  # x → T2
        "e": "dropped",  # T2 → x
        "c": "same",
        "g": "new",  # not on last year's list → T3
    }
    assert ch.loc["f", "tier_now"] is None and ch.loc["g", "tier_before"] is None
    assert ch.loc["f", "customer_name"] == "F"  # a customer who left keeps last year's facts
    counts = annual.change_counts(ch)
    assert counts == {"new": 2, "dropped": 2, "up": 1, "down": 1, "same": 1}
    # every target of this year is new, up, down or same; every target of last year dropped, up, down or same
    assert counts["new"] + counts["up"] + counts["down"] + counts["same"] == cur["tier"].isin(TIERS).sum()
    assert counts["dropped"] + counts["up"] + counts["down"] + counts["same"] == prev["tier"].isin(TIERS).sum()
    top = annual.top_changes(ch, 3)
    assert top.index.tolist() == ["f", "b", "a"] and "c" not in annual.top_changes(ch, 10).index


# --------------------------------------------------------------------------- a real run
def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "prioanalysis", *args], cwd=ROOT, capture_output=True, text=True, timeout=900
    )


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """The annual cycle of the sample, run once by the CLI; its folder and its log."""
    out = tmp_path_factory.mktemp("outputs")
    done = _cli("run", "--year", "2026", "--outputs", str(out))
    assert done.returncode == 0, done.stderr[-3000:]
    (run,) = sorted((out / "2026").iterdir())
    return run, done.stderr


@pytest.fixture(scope="module")
def params() -> Params:
    return load_params(ROOT / "params" / "2026")


@pytest.fixture(scope="module")
def soup(run_dir: tuple[Path, str]) -> BeautifulSoup:
    return BeautifulSoup((run_dir[0] / annual.REPORT_HTML).read_text(encoding="utf-8"), "html.parser")


def _int(text: str) -> int:
    return int(text.replace(",", ""))


def test_run_writes_the_report_and_records_it(run_dir: tuple[Path, str]) -> None:
    run, log = run_dir
    record = json.loads((run / "run.json").read_text(encoding="utf-8"))
    reports = record["reports"]
    assert reports["open_first"] == "report.html" == reports["report_html"]
    assert reports["report_pdf"] == "report.pdf" and reports["report_pdf_pages"] > 1
    assert (run / "report.html").is_file() and (run / "report.pdf").read_bytes().startswith(b"%PDF-")
    assert {"report", "report_read", "report_html", "report_pdf"} <= set(reports["seconds"])
    assert all("html_seconds" in nb for nb in record["notebooks"])
    assert "annual report report.html and report.pdf" in log
    assert "Traceback" not in log and "WARNING" not in log  # WeasyPrint's CSS notes stay out of the log


def test_report_is_self_contained(run_dir: tuple[Path, str], soup: BeautifulSoup, params: Params) -> None:
    run, _ = run_dir
    html = (run / annual.REPORT_HTML).read_text(encoding="utf-8")
    assert "<script" not in html.lower()
    assert not re.search(r"(src|href)\s*=\s*[\"']?(https?:)?//", html, re.I)
    assert not re.search(r"url\(\s*[\"']?(https?:)?//", html, re.I)
    assert "http" not in _without_data_uris(html).lower()
    assert soup.title is not None and soup.title.string == params.run.report.title
    assert soup.html is not None and soup.html["lang"] == "zh-Hans"
    # every notebook page of the run is self-contained too, with its own title
    for nb in json.loads((run / "run.json").read_text(encoding="utf-8"))["notebooks"]:
        page = (run / nb["html"]).read_text(encoding="utf-8")
        assert "<script" not in page.lower() and "http" not in _without_data_uris(page).lower(), nb["html"]
        title = BeautifulSoup(page, "html.parser").title
        assert (
            title is not None and params.run.report.title in str(title.string) and "Notebook" not in str(title.string)
        )


def test_font_subset_has_every_glyph(run_dir: tuple[Path, str]) -> None:
    html = (run_dir[0] / annual.REPORT_HTML).read_text(encoding="utf-8")
    m = re.search(r"url\(data:font/woff;base64,([A-Za-z0-9+/=]+)\)", html)
    assert m
    cmap = TTFont(io.BytesIO(base64.b64decode(m.group(1)))).getBestCmap()
    shown = {c for c in pages.visible_text(html) if not c.isspace()}
    missing = sorted(c for c in shown if ord(c) not in cmap)
    assert not missing, missing


def test_contents_and_links_resolve(soup: BeautifulSoup, run_dir: tuple[Path, str]) -> None:
    ids = [str(t["id"]) for t in soup.find_all(id=True)]
    assert len(ids) == len(set(ids)), "ids must be unique across the sections"
    internal = [str(a["href"])[1:] for a in soup.find_all("a", href=True) if str(a["href"]).startswith("#")]
    assert internal and not sorted(set(internal) - set(ids))
    toc = soup.find("nav", class_="toc")
    assert toc is not None
    record = json.loads((run_dir[0] / "run.json").read_text(encoding="utf-8"))
    stems = [Path(nb["notebook"]).stem for nb in record["notebooks"]]
    top = [a["href"] for a in toc.select("nav > ol > li > a")]
    assert top == [f"#{annual.section_id(s)}" for s in stems]  # the sections in cycle order
    sections = [s["id"] for s in soup.find_all("section", class_="report-section")]
    assert sections == [annual.section_id(s) for s in stems]
    # the run's files the front page lists exist
    files = [str(a["href"]) for a in soup.select(".open-first a")]
    assert "report.pdf" in files and all((run_dir[0] / f).is_file() for f in files)


def test_front_page_numbers_reconcile(run_dir: tuple[Path, str], soup: BeautifulSoup, params: Params) -> None:
    run, _ = run_dir
    tl = pd.read_csv(run / "tables" / "target_list.csv", dtype={"customer_id": str})
    tiers, nt = list(params.run.tiers.names), params.run.tiers.not_targeted
    labels = {k: s.label for k, s in params.run.segments.items()}
    table = soup.find("table", class_="tier-counts")
    assert table is not None
    head = [th.get_text() for th in table.find_all("th")]
    assert head[1 : 1 + len(tiers)] == tiers
    rows = [[td.get_text() for td in tr.find_all("td")] for tr in table.find("tbody").find_all("tr")]
    by_label = {r[0]: [_int(x) for x in r[1:]] for r in rows}
    for seg, label in labels.items():
        mine = tl[tl["segment"] == seg]
        if not len(mine):
            continue
        want = [int((mine["tier"] == t).sum()) for t in tiers]
        n_targets = sum(want)
        assert by_label[label] == [*want, n_targets, int((mine["tier"] == nt).sum()), len(mine)], label
    total = rows[-1]
    targets = int(tl["tier"].isin(tiers).sum())
    assert [_int(x) for x in total[1:]] == [
        *[int((tl["tier"] == t).sum()) for t in tiers],
        targets,
        int((tl["tier"] == nt).sum()),
        len(tl),
    ]
    decided = soup.find(id="decided").find_next("p").get_text()
    assert f"{len(tl):,}" in decided and f"{targets:,}" in decided and f"{len(tl) - targets:,}" in decided

    facts = annual.front_facts(run, params)
    assert (facts.ranked, facts.targets, facts.non_targets) == (len(tl), targets, len(tl) - targets)
    # robustness flags: the targets below the threshold, as the target list says
    flagged = int((tl["tier"].isin(tiers) & (tl["p_keep_tier"] < params.run.robustness.review_threshold)).sum())
    assert facts.flagged == flagged
    risks = soup.find("ul", class_="risks").get_text()
    assert f"{flagged:,}" in risks
    # rows not scored: the ranking's excluded table
    assert facts.excluded == len(pd.read_csv(run / "tables" / "excluded.csv"))
    # no owner: the robustness report's list of unassigned targets
    unassigned = tl["tier"].isin(tiers) & tl.get("assignment_status", pd.Series("", index=tl.index)).ne("assigned")
    n_unassigned = (
        int(unassigned.sum())
        if "assignment_status" in tl.columns
        else len(pd.read_csv(run / "tables" / "unassigned_targets.csv"))
    )
    assert facts.unassigned == n_unassigned
    assert facts.capacity_gaps is not None and int(facts.capacity_gaps["n"].sum()) == n_unassigned
    # changes from last year: every target of either year is counted once
    assert facts.changes is not None
    c = annual.change_counts(facts.changes)
    assert c["new"] + c["up"] + c["down"] + c["same"] == targets
    prev, source = annual.previous_list(run, params, json.loads((run / "run.json").read_text(encoding="utf-8")))
    assert source == "recomputed" and prev is not None
    assert c["dropped"] + c["up"] + c["down"] + c["same"] == int(prev["tier"].isin(tiers).sum())
    changes_text = soup.find(id="changes").find_next("p").get_text()
    for n in c.values():
        assert f"{n:,}" in changes_text
    shown = soup.find("table", class_="top-changes").find("tbody").find_all("tr")
    assert len(shown) == min(params.run.report.top_n, sum(c.values()) - c["same"])


def test_english_report(run_dir: tuple[Path, str], params: Params, tmp_path: Path) -> None:
    run = tmp_path / "run"
    shutil.copytree(run_dir[0], run)
    en = dataclasses.replace(
        params, run=params.run.model_copy(update={"report": params.run.report.model_copy(update={"language": "en"})})
    )
    report = annual.write_annual_report(run, en, pdf=False)
    html = report.html.read_text(encoding="utf-8")
    soup = BeautifulSoup(html, "html.parser")
    assert soup.html is not None and soup.html["lang"] == "en"
    front = soup.find("header", class_="front").get_text()
    assert "What was decided" in front and "The annual review's verdict" in front and "Risks" in front
    assert not re.search(r"[一-鿿]", soup.find(id="decided").find_next("p").get_text().split("(")[0])
    assert 'href="report.pdf"' not in html  # no PDF made, none listed


def test_pdf_not_made_when_weasyprint_cannot_load(
    run_dir: tuple[Path, str], params: Params, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from prioanalysis.app import runner

    run = tmp_path / "run"
    shutil.copytree(run_dir[0], run)
    (run / "report.pdf").unlink()

    def broken() -> None:
        raise OSError("cannot load library 'libpango-1.0-0': cannot open shared object file")

    monkeypatch.setattr(pages, "_weasyprint", broken)
    doc = json.loads((run / "run.json").read_text(encoding="utf-8"))
    record = runner.RunRecord(**{k: v for k, v in doc.items() if k != "reports"})
    lines: list[str] = []
    runner._write_reports(run, params, record, lines.append)
    assert record.error is None
    assert record.reports["report_pdf"] is None and "Pango" in record.reports["pdf_not_made"]
    assert any("the PDF was NOT made" in line and "libpango" in line for line in lines)
    assert not (run / "report.pdf").exists()
    html = (run / "report.html").read_text(encoding="utf-8")
    assert 'href="report.pdf"' not in html and "tier-counts" in html
