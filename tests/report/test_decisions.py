"""The decisions and the collection plan as the reader sees them (both languages)."""

from __future__ import annotations

import pandas as pd
import pytest

from prioanalysis.config.params import load_params
from prioanalysis.report import decisions as view
from prioanalysis.report import i18n
from prioanalysis.steps.ranking import APPLIED_COLUMNS
from tests.conftest import PARAMS_SRC

PARAMS = load_params(PARAMS_SRC)
APPLIED = pd.DataFrame(
    [
        ["claim", "C1", "南京国信信托", "government", "finance", "归口金融", "李明", "2026-01-12", "claims[0]"],
        ["tier", "C2", "海口同创", "一般", "重点", "短名单", "李明", "", "tier_changes[0]"],
        ["exclusion", "C3", "株洲应急局", "战略", "非目标", "集团覆盖", "张华", "2026-01-15", "exclusions[0]"],
    ],
    columns=list(APPLIED_COLUMNS),
)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_decisions_table_in_words(lang: str) -> None:
    t = view.decisions_table(APPLIED, PARAMS, lang)
    assert list(t.columns) == list(view.DECISION_COLUMNS)
    assert t["decision_kind"].tolist() == [i18n.t(f"decisions.kind.{k}", lang) for k in ("claim", "tier", "exclusion")]
    assert t["by_rule"].tolist() == ["政府", "一般", "战略"] and t["decided"].tolist() == ["金融", "重点", "非目标"]
    shown = i18n.columns(t, lang)  # every header has its catalog entry
    assert "entry" not in t.columns and "customer_id" not in t.columns and len(shown.columns) == 7
    summary = view.decisions_summary(APPLIED, lang)
    assert "3" in summary and "1" in summary


def test_no_decision() -> None:
    empty = APPLIED.head(0)
    assert view.decisions_table(empty, PARAMS, "zh").empty
    assert view.decisions_summary(empty, "en") == i18n.t("decisions.none", "en")


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_collection_plan_in_words(lang: str) -> None:
    plan = pd.DataFrame(
        {
            "segment": ["government", "finance"],
            "records_last_year": [10, 20],
            "eligible_share": [0.8, 0.9],
            "targets_last_year": [4, 8],
            "wins_last_year": [2, 3],
            "conversion": [0.5, 0.4],
            "wins_wanted": [2.2, 3.3],
            "targets_needed": [4.4, 8.25],
            "records_needed": pd.array([11, 19], dtype="Int64"),
            "max_records": pd.array([None, 15], dtype="Int64"),
            "planned": pd.array([11, 15], dtype="Int64"),
            "collected": [5, 20],
            "shortfall": pd.array([6, 0], dtype="Int64"),
        }
    )
    t = view.collection_table(plan, PARAMS)
    assert t["segment"].tolist() == ["政府", "金融"] and list(t.columns) == list(view.COLLECTION_COLUMNS)
    i18n.columns(t, lang)
    assert i18n.number(26, lang) in view.collection_summary(plan, lang)
    assert "6" in view.collection_summary(plan, lang)
    assert "10%" in view.collection_intro(PARAMS, lang) and "50%" in view.collection_intro(PARAMS, lang)
    done = plan.assign(shortfall=pd.array([0, 0], dtype="Int64"))
    assert view.collection_summary(done, lang) == i18n.t(
        "collection.no_shortfall", lang, planned=i18n.number(26, lang), collected=i18n.number(25, lang)
    )
