"""Notebook helpers: parameter validation, formatted tables, headline."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from prioanalysis.errors import ParamsError
from prioanalysis.report import notebook as report

ROOT = Path(__file__).resolve().parents[2]
PARAMS = str(ROOT / "params" / "2026")


def test_validate_ranking_parameters_ok() -> None:
    params = report.validate_ranking_parameters(2026, PARAMS)
    assert params.run.year == 2026


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"year": 2025}, "is for 2026"),
        ({"year": "2026"}, "expected an integer year"),
        ({"input_path": "/no/such/file.csv"}, "input_path': file not found"),
        ({"output_dir": "/no/such/dir"}, "output_dir': folder not found"),
        ({"params_dir": 5}, "'params_dir': expected text"),
    ],
)
def test_validate_ranking_parameters_errors(kwargs: dict, message: str) -> None:
    args = {"year": 2026, "params_dir": PARAMS, **kwargs}
    with pytest.raises(ParamsError, match=message):
        report.validate_ranking_parameters(**args)


def test_format_table_escapes_html_and_formats() -> None:
    df = pd.DataFrame({"name": ["<script>alert(1)</script>", "甲"], "share": [0.5, 0.25], "x": [1.23456, 2.0]})
    html = report.format_table(df, percent=("share",)).to_html()
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "50%" in html and "1.235" in html


def test_format_table_escapes_headers_and_index() -> None:
    """A tier name from run.yaml becomes a column header: it is escaped too."""
    df = pd.DataFrame({"<b>战略</b>": [1], "segment": ["<i>gov</i>"]}).set_index("segment")
    html = report.format_table(df, index=True).to_html()
    assert "<b>" not in html and "&lt;b&gt;战略&lt;/b&gt;" in html
    assert "<i>" not in html and "&lt;i&gt;gov&lt;/i&gt;" in html


def test_headline_counts() -> None:
    tl = pd.DataFrame({"tier": ["A", "B", "B", "none", "none", "none"]})
    assert report.headline(tl, ["A", "B"], "none", "en") == (
        "6 customers scored; 3 are targets (A 1, B 2); 3 are none and get no resources."
    )
    assert "确定目标客户 3 家" in report.headline(tl, ["A", "B"], "none", "zh")


def test_criteria_table_weights_sum_to_one() -> None:
    params = report.validate_ranking_parameters(2026, PARAMS)
    table = report.criteria_table(params)
    assert abs(table["global_weight"].sum() - 1) < 1e-12
    assert table.loc[table["criterion"] == "credit_grade", "missing_policy"].item() == "worst"


def test_show_escapes_html_from_the_data(monkeypatch: pytest.MonkeyPatch) -> None:
    shown = []
    import IPython.display

    monkeypatch.setattr(IPython.display, "display", lambda obj: shown.append(obj))
    report.show("**Top customer: <script>alert(1)</script>**")
    assert shown[0].data == "**Top customer: &lt;script&gt;alert(1)&lt;/script&gt;**"


# --------------------------------------------------------------------------- reader tables and counts
import re  # noqa: E402

from prioanalysis.report import i18n  # noqa: E402

_ID = re.compile(r"\b[a-z]+_[a-z0-9_]+\b")  # a snake_case id
_REPR = re.compile(r"[{}\[\]]|'[a-z_]+':")  # a dict or list repr


@pytest.fixture(scope="module")
def ranked():
    from prioanalysis.steps.ranking import run_ranking

    params = report.validate_ranking_parameters(2026, PARAMS)
    return params, run_ranking(params)


def _reader_text(frame: pd.DataFrame, lang: str, keep: tuple[str, ...] = ()) -> list[str]:
    shown = i18n.columns(frame, lang, keep=keep)
    return [str(c) for c in shown.columns] + [str(v) for col in shown.columns for v in shown[col] if isinstance(v, str)]


def test_list_counts_reconcile_and_refuse_unknown_tiers() -> None:
    tl = pd.DataFrame({"tier": ["A", "B", "B", "-", "-"], "p_keep_tier": [0.9, 0.5, 0.81, 0.1, 0.99]})
    c = report.list_counts(tl, ["A", "B"], "-", 0.8)
    assert c == {"scored": 5, "targets": 3, "non_targets": 2, "tiers": {"A": 1, "B": 2}, "stable": 2, "review": 1}
    assert "review" not in report.list_counts(tl, ["A", "B"], "-")
    with pytest.raises(ValueError, match="C"):
        report.list_counts(tl.assign(tier=["A", "B", "C", "-", "-"]), ["A", "B"], "-")


def test_headline_in_both_languages_adds_up(ranked) -> None:
    params, result = ranked
    tiers, nt = params.run.tiers.names, params.run.tiers.not_targeted
    c = report.list_counts(result.target_list, tiers, nt)
    assert c["targets"] + c["non_targets"] == c["scored"] == len(result.target_list)
    assert sum(c["tiers"].values()) == c["targets"]
    en = report.headline(result.target_list, tiers, nt, "en")
    zh = report.headline(result.target_list, tiers, nt, "zh")
    assert f"{c['scored']:,} customers scored; {c['targets']:,} are targets" in en
    assert f"确定目标客户 {c['targets']:,} 家" in zh


def test_tier_segment_table_rows_and_total_add_up(ranked) -> None:
    params, result = ranked
    tiers, nt = params.run.tiers.names, params.run.tiers.not_targeted
    c = report.list_counts(result.target_list, tiers, nt)
    tbl = report.tier_segment_table(result.summary["tier_by_segment"], params, "zh")
    assert (tbl[list(tiers)].sum(axis=1) == tbl["targets"]).all()
    assert (tbl["targets"] + tbl[nt] == tbl["total"]).all()
    total = tbl.iloc[-1]
    assert total["segment"] == "合计" and total["targets"] == c["targets"] and total["total"] == c["scored"]
    assert (tbl.iloc[:-1][[*tiers, nt, "targets", "total"]].sum() == total[[*tiers, nt, "targets", "total"]]).all()
    assert "education" not in set(tbl["segment"]) and "教育" in set(tbl["segment"])
    assert report.tier_segment_table(result.summary["tier_by_segment"], params, "en").iloc[-1]["segment"] == "Total"


def test_quadrants_grades_and_reasons_reconcile(ranked) -> None:
    params, result = ranked
    tl = result.target_list
    tiers, nt = params.run.tiers.names, params.run.tiers.not_targeted
    c = report.list_counts(tl, tiers, nt)
    for lang in ("zh", "en"):
        q = report.quadrant_table(result.summary["quadrants"], params, lang)
        assert q["customers"].sum() == c["scored"] and len(q) == 5
        g = report.grade_definitions(params, lang)
        assert g["grade"].tolist() == ["A", "B", "C", "D", "E"] and g["definition"].str.len().gt(0).all()
        rules = report.tier_rules(params, lang)
        assert rules["tier"].tolist() == [*tiers, nt]
        reasons = report.reason_text(tl.loc[tl["tier"] == nt, "not_targeted_reason"], lang)
        assert len(reasons) == c["non_targets"] and (reasons != "").all()
        assert report.BELOW_CUTOFF not in set(reasons)
        excluded = report.excluded_reasons(result.intake.excluded, params, lang)
        assert excluded["rows"].sum() == len(result.intake.excluded)
        for text in [*_reader_text(q, lang), *_reader_text(g, lang), *_reader_text(rules, lang, keep=("tier",))]:
            assert not _ID.search(text), text
    assert "需求明确，预计 1 个月内成交" in report.grade_definitions(params, "zh")["definition"].tolist()
    assert "score below the tier cut-off" in set(report.reason_text(tl["not_targeted_reason"], "en"))


def test_method_choices_table_is_readable_in_both_languages(ranked) -> None:
    params, result = ranked
    for lang in ("zh", "en"):
        tbl = report.method_choices_table(result.choices, params, lang)
        assert list(tbl.columns) == ["choice", "value"] and tbl["choice"].is_unique
        for text in _reader_text(tbl, lang):
            assert not _REPR.search(text), f"a Python repr in the choices table: {text!r}"
            assert not _ID.search(text), f"an id in the choices table: {text!r}"
    en = report.method_choices_table(result.choices, params, "en").set_index("choice")["value"]
    assert en["Missing values"] == "信用等级: the worst value; the other criteria: the median of the customer's segment"
    assert en["Normalisation of each criterion"].startswith("all criteria: min–max")
    with pytest.raises(i18n.MissingTranslation, match=r"choice\.no_such_choice"):
        report.method_choices_table({"no_such_choice": 1}, params, "en")


def test_criteria_and_quality_tables_show_labels_and_words(ranked) -> None:
    params, result = ranked
    for lang in ("zh", "en"):
        crit = report.criteria_overview(params, lang)
        assert abs(crit["global_weight"].sum() - 1) < 1e-9
        quality = report.completeness_table(result.quality["completeness_by_criterion"], lang)
        claims = report.claims_by_customer(result.intake.claims, params, lang)
        assert len(claims) == result.intake.claims["customer_id"].nunique()
        for frame in (crit, quality, claims):
            assert frame.shape[1] <= 10
            for text in _reader_text(frame, lang):
                assert not _ID.search(text), text
    assert report.criteria_overview(params, "zh").set_index("label").loc["信用等级", "missing_policy"] == "最差值"


def test_top_targets_are_targets_with_segment_labels(ranked) -> None:
    params, result = ranked
    top = report.top_targets(result.target_list, params, 10)
    assert len(top) == 10 and top["tier"].isin(params.run.tiers.names).all()
    assert set(top["segment"]) <= {s.label for s in params.run.segments.values()}


def test_policy_tiers_fit_a_page() -> None:
    params = report.validate_ranking_parameters(2026, PARAMS)
    sens = pd.DataFrame(
        {
            "customer_name": ["甲"],
            "segment": ["education"],
            "n_missing": [1],
            "missing": ["信用等级"],
            **{f"rank_{r}": [3] for r in ("configured", "median", "worst")},
            **{f"tier_{r}": ["战略"] for r in ("configured", "median")},
            "tier_worst": ["重点"],
            "rank_min": [3],
            "rank_max": [9],
            "rank_range": [6],
            "tier_depends_on_policy": [True],
        }
    )
    for lang, header in (("zh", "层级：最差值"), ("en", "Tier: worst value")):
        out = report.policy_tiers(sens, params, lang)
        assert out.shape[1] <= 10 and header in out.columns
        assert out["segment"].tolist() == ["教育"] and out["rank_range"].tolist() == ["3–9"]
        report.table(out, lang, keep=tuple(report.policy_columns(sens, lang)))  # every header translated


def test_whole_numbers() -> None:
    frame = pd.DataFrame({"capacity": [2316.0], "score": [0.5], "n": [1]})
    assert report.whole_numbers(frame) == {"capacity": 0}
