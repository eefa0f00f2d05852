"""The calibration's and the review's reader tables: in both languages, by label, no raw ids."""

from __future__ import annotations

import re
from pathlib import Path
from types import SimpleNamespace as NS

import numpy as np
import pandas as pd
import pytest

from prioanalysis.report import i18n
from prioanalysis.report import review_tables as rt
from prioanalysis.steps import review as rv

LANGS = ("zh", "en")
#: words a Chinese reader may see in Latin letters (names of measures and methods)
_ALLOWED_LATIN = {"AUC", "PSI", "CRITIC", "Brier", "Cohen", "s", "d", "p", "kappa", "Bowker", "Stuart", "Maxwell"}


def _latin_words(frame: pd.DataFrame) -> set[str]:
    text = " ".join(map(str, [*frame.columns, *frame.astype(str).to_numpy().ravel()]))
    return set(re.findall(r"[A-Za-z_]+", text)) - _ALLOWED_LATIN - {"None", "nan"}


def _rec_table() -> tuple[pd.DataFrame, dict]:
    rows = [
        # criterion, decision, from, to, proposed, says, review_says, gain, tier_changes
        ("a", "move", 0.5, 0.6, 0.6, "raise", "raise weight", 0.01, 12),
        ("b", "keep", 0.3, 0.24, 0.3, "no evidence", "no weight change", 0.0, 3),
        ("c", "keep", 0.2, 0.16, 0.1, "lower", "raise weight", 0.02, 5),
        ("d", "keep", 0.0, 0.0, 0.0, "lower", "lower weight", -0.01, 0),
    ]
    tb = pd.DataFrame(
        [
            {
                "criterion": c,
                "label": c.upper(),
                "decision": d,
                "from": f,
                "to": to,
                "change": to - f,
                "calibration_proposed": p,
                "calibration_ci_low": p - 0.05,
                "calibration_ci_high": p + 0.05,
                "calibration_says": s,
                "review_says": r,
                "out_of_sample_gain": g,
                "tier_changes": n,
                "reason": "English for the log",
            }
            for c, d, f, to, p, s, r, g, n in rows
        ]
    )
    last = {**tb.iloc[0].to_dict(), "criterion": "all criteria", "label": "all criteria", "tier_changes": 15}
    last.update(decision="move", out_of_sample_gain=0.012, calibration_says="", review_says="")
    tb = pd.concat([tb, pd.DataFrame([last])], ignore_index=True)
    choices = {
        "review_agreement": "agree",
        "min_gain": 0.0,
        "gain_metric": "auc",
        "pairs": ["2023→2024"],
        "gain_pairs": 1,
    }
    return tb, choices


@pytest.mark.parametrize("lang", LANGS)
def test_recommendation_reasons_follow_the_rule_in_both_languages(lang: str) -> None:
    tb, choices = _rec_table()
    reasons = rt.recommendation_reasons(tb, choices, lang)
    assert len(reasons) == len(tb)
    assert reasons[0] == i18n.t("calibration.why.all_agree", lang)
    assert reasons[1] == i18n.t("calibration.why.interval_covers", lang)
    assert reasons[2].startswith(i18n.t("calibration.why.review_disagrees", lang, calibration="", review="")[:2])
    assert reasons[3] == i18n.t("calibration.why.no_gain", lang)
    assert "0.0120" in reasons[-1]


@pytest.mark.parametrize("lang", LANGS)
def test_recommendation_tables_fit_a_page_and_read_in_the_language(lang: str) -> None:
    tb, choices = _rec_table()
    rec = NS(table=tb, choices=choices)
    decision, evidence = rt.recommendation_tables(rec, lang)
    assert len(decision) == len(tb) and len(evidence) == len(tb) - 1
    assert max(decision.shape[1], evidence.shape[1]) <= rt.MAX_COLUMNS
    assert decision["label"].iloc[-1] == i18n.t("calibration.all_criteria", lang)
    # the tier changes of the whole recommendation are on the last row
    assert int(decision["tier_changes"].iloc[-1]) == 15
    for frame in (decision, evidence):
        shown = i18n.columns(frame, lang)  # every header has a catalog entry
        if lang == "zh":
            assert not _latin_words(shown.drop(columns=[i18n.t("col.label", lang)]))
    summary = rt.recommendation_summary(rec, 2026, lang)
    assert "A 50.0% → 60.0%" in summary and "15" in summary
    assert "1" in rt.recommendation_rule(rec, lang)


@pytest.mark.parametrize("lang", LANGS)
def test_proposal_table_changes_reconcile(lang: str) -> None:
    current = {"a": 0.5, "b": 0.3, "c": 0.2}
    proposed = {"a": 0.4, "b": 0.35, "c": 0.25}
    table = rt.proposal_table(
        current,
        proposed,
        {"a": "预算", "b": "规模", "c": "关系"},
        lang,
        why={"a": "x"},
        asked={"a": 0.3, "b": 0.4, "c": 0.3},
    )
    assert table["label"].tolist() == ["预算", "规模", "关系"]

    def pct(col: str) -> np.ndarray:
        return table[col].str.rstrip("%").astype(float).to_numpy()

    np.testing.assert_allclose(pct("weight_change"), pct("proposed_weight") - pct("weight_in_force"))
    assert table["weight_change"].tolist() == ["-10.0%", "+5.0%", "+5.0%"]
    assert i18n.t("calibration.bounds_applied", lang) in table.loc[0, "reason"]
    assert table.loc[0, "reason"].startswith("x")
    i18n.columns(table, lang)


def test_written_weights_apply_the_files_bounds(tmp_path: Path) -> None:
    path = tmp_path / "criteria.yaml"
    path.write_text(
        "version: t\ncriteria:\n"
        "  - {id: a, label: A, family: attractiveness, direction: benefit, weight: 0.4, weight_bounds: [0.2, 0.4]}\n"
        "  - {id: b, label: B, family: attractiveness, direction: benefit, weight: 0.3}\n"
        "  - {id: c, label: C, family: feasibility, direction: benefit, weight: 0.3}\n",
        encoding="utf-8",
    )
    w = rt.written_weights(path, {"a": 0.5, "b": 0.3, "c": 0.2})
    assert w["a"] == pytest.approx(0.4)
    assert w.sum() == pytest.approx(1.0)


@pytest.mark.parametrize("lang", LANGS)
def test_changes_table_in_words(lang: str) -> None:
    eff = pd.DataFrame(
        {
            "label": ["A", "B", "C", "D"],
            "weight": [0.1, 0.5, 0.2, 0.2],
            "auc": [0.70, 0.55, 0.52, 0.40],
            "ci_low": [0.65, 0.51, 0.47, 0.35],
            "ci_high": [0.75, 0.59, 0.57, 0.45],
            "psi": [0.3, 0.0, 0.0, 0.0],
        },
        index=["a", "b", "c", "d"],
    )
    rates = pd.DataFrame(
        {"n": [50, 100, 400], "rate": [0.6, 0.55, 0.1], "ci_low": [0.46, 0.45, 0.07], "ci_high": [0.72, 0.64, 0.13]},
        index=["T1", "T2", "no"],
    )
    changes = rv.next_year_changes(eff, rates)
    table = rt.changes_table(changes, lang)
    assert len(table) == len(changes)
    assert table["change"].tolist()[:2] == [
        i18n.t("review.change.raise_weight", lang),
        i18n.t("review.change.check_data", lang),
    ]
    assert table["change_item"].tolist()[0] == "A"  # labels, not ids
    i18n.columns(table, lang)
    if lang == "zh":
        shown = i18n.columns(table.drop(columns=["change_item"]), lang)
        assert not _latin_words(shown.replace(r"T1|T2|\bno\b", "", regex=True))


@pytest.mark.parametrize("lang", LANGS)
def test_sources_show_no_paths(lang: str, tmp_path: Path) -> None:
    inputs = NS(
        review_year=2025,
        frozen_list=None,
        outcomes_path=tmp_path / "data" / "outcomes_2025.csv",
        inquiries_path=None,
        frozen_list_previous=None,
        previous_params=object(),
    )
    table = rt.sources_table(inputs, lang)
    text = " ".join(table.to_numpy().ravel())
    assert "/" not in text and str(tmp_path) not in text
    assert "outcomes_2025" not in text and "2024" in text and "2025" in text
    i18n.columns(table, lang)


@pytest.mark.parametrize("lang", LANGS)
def test_coverage_and_focus_reconcile(lang: str) -> None:
    tl = pd.DataFrame({"score": [0.9, 0.1, 0.5]}, index=["c1", "c2", "c3"])
    oc = pd.DataFrame(
        {"won": [1, 0, 1], "revenue": [5.0, 0.0, 2.0], "days_to_close": [10.0, None, 3.0]}, index=["c1", "c2", "c9"]
    )
    _, coverage = rv.join_outcomes(tl, oc, missing_outcome="not_won")
    table = rt.coverage_table(coverage, lang)
    counts = table["customers"].tolist()
    assert counts[1] + counts[2] == counts[0] == len(tl)
    focus = rv.revenue_focus(
        pd.Series(["T1", "no", "no"]),
        pd.Series([1, 0, 1]),
        pd.Series([5.0, 0, 2.0]),
        "no",
        labels=rt.focus_labels(lang),
    )
    assert focus["customers"].iloc[0] + focus["customers"].iloc[1] == focus["customers"].iloc[2] == 3
    assert focus["group"].tolist() == list(rt.focus_labels(lang))
    i18n.columns(rt.focus_table(focus), lang)


@pytest.mark.parametrize("lang", LANGS)
def test_performance_goals_and_inquiries_in_words(lang: str) -> None:
    s = pd.Series([4.0, 3.0, 2.0, 1.0], index=list("abcd"))
    y = pd.Series([1, 0, 1, 0], index=list("abcd"))
    v = pd.Series([30.0, 0.0, 10.0, 0.0], index=list("abcd"))
    perf = rt.performance_table(rv.ranking_performance(s, y, v, shares=(0.25,)), lang)
    assert perf["metric"].iloc[1] == i18n.t("review.metric.conversions_captured", lang, k=25)
    i18n.columns(perf, lang)
    from prioanalysis.config.goals import Goal

    goals = rv.goal_attainment(
        [
            Goal(id="r", perspective="financial", label="收入", measure="revenue_won", target=100, unit="万元"),
            Goal(id="s", perspective="process", label="完整", measure="data_completeness", target=0.9, unit="%"),
        ],
        {"revenue_won": 97.0, "data_completeness": float("nan")},
    )
    card, definitions = rt.goals_tables(goals, lang)
    assert card["status"].tolist() == [i18n.t("review.status.close", lang), i18n.t("review.status.no_data", lang)]
    assert card["target"].tolist() == ["100", "90.0%"]
    assert definitions["definition"].iloc[0] == i18n.t("review.measure.revenue_won", lang)
    conv = rv.converted_inquiries(
        pd.DataFrame({"segment": ["x", "x", "y"], "converted": [1, 0, 1], "decision": ["propose_target", "a", "b"]})
    )
    table = rt.inquiries_table(conv, {"x": "政府", "y": "金融"}, lang)
    assert table["segment"].tolist() == ["政府", "金融", i18n.t("review.group.all", lang)]
    assert table["inquiries"].iloc[:-1].sum() == table["inquiries"].iloc[-1]
    i18n.columns(table, lang)


@pytest.mark.parametrize("lang", LANGS)
def test_notes_merged_and_unknown_counted(lang: str) -> None:
    notes = [
        "2023: no judgements of its own; the AHP weights are the cycle's judges' (...)",
        "2024: no judgements of its own; the AHP weights are the cycle's judges' (...)",
        "something new",
    ]
    text = rt.notes_text(notes, lang)
    assert "2023" in text and "2024" in text
    assert i18n.t("calibration.note.other", lang, n=1) in text
    assert "judgements" not in text or lang == "en"


def test_enum_and_slug() -> None:
    assert rt.enum(pd.Series(["no data", None, "met"]), "review.status", "zh").tolist() == ["无数据", None, "达成"]
    with pytest.raises(i18n.MissingTranslation):
        rt.enum(pd.Series(["nosuch"]), "review.status", "en")
