"""The annual review's figures: every text in the report's language, from the catalog."""

from __future__ import annotations

import math
import re

import pandas as pd
import pytest

from prioanalysis.config.goals import Goal
from prioanalysis.methods import metrics
from prioanalysis.report import i18n
from prioanalysis.report import review_figures as rf
from prioanalysis.report import review_tables as rt
from prioanalysis.steps import review as rv
from tests.conftest import assert_drawn

_CJK = re.compile(r"[\u3400-\u9fff\uff00-\uffef\u3000-\u303f]")
EFF = pd.DataFrame(
    {
        "label": ["Budget", "Size", "Fit", "Distance"],
        "weight": [0.1, 0.5, 0.2, 0.2],
        "auc": [0.70, 0.55, 0.52, 0.40],
        "ci_low": [0.65, 0.51, 0.47, 0.35],
        "ci_high": [0.75, 0.59, 0.57, 0.45],
        "psi": [0.01, 0.02, 0.30, 0.0],
    },
    index=["budget", "size", "fit", "distance"],
)


def _texts(fr: rf.FigureResult) -> list[str]:
    out = [fr.title, fr.answer]
    for ax in fr.figure.axes:
        out += [ax.get_title(), ax.get_xlabel(), ax.get_ylabel()]
        out += [t.get_text() for t in ax.get_xticklabels()]
        legend = ax.get_legend()
        if legend is not None:
            out += [x.get_text() for x in legend.get_texts()]
        out += [t.get_text() for t in ax.texts]
    if fr.figure._suptitle is not None:
        out.append(fr.figure._suptitle.get_text())
    return [x for x in out if x]


def _figures(lang: str) -> dict[str, rf.FigureResult]:
    rng = pd.Series(range(40), dtype=float)
    score = (rng / 40).rename(None)
    won = (rng % 3 == 0).astype(int)
    revenue = won * (rng + 1)
    tiers = pd.Series(["T1"] * 10 + ["T2"] * 10 + ["no"] * 20)
    gains = metrics.gains_table(score, won, revenue, n_bins=4)
    rates = metrics.rate_table(tiers, won, revenue, order=["T1", "T2", "no"])
    mig = metrics.migration_matrix(tiers, tiers.iloc[::-1].reset_index(drop=True), ["T1", "T2", "no"])
    focus = rv.revenue_focus(tiers, won, revenue, "no", labels=rt.focus_labels(lang))
    goals = rv.goal_attainment(
        [
            Goal(id="r", perspective="financial", label="Revenue", measure="revenue_won", target=100),
            Goal(id="h", perspective="process", label="Handling", measure="inquiry_handling_days", target=5),
        ],
        {"revenue_won": 120.0, "inquiry_handling_days": math.nan},
    )
    return {
        "gains": rf.gains_chart(gains, top=0.25, lang=lang),
        "rates": rf.rate_chart(rates, 0.01, "tier", lang),
        "migration": rf.migration_chart(mig, ["T1", "T2", "no"], 2024, 2025, lang),
        "auc": rf.criteria_auc_chart(EFF, lang=lang),
        "psi": rf.stability_chart(EFF, lang=lang),
        "focus": rf.revenue_focus_chart(focus, lang),
        "goals": rf.goal_chart(goals, lang=lang),
    }


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_review_figure_texts_follow_the_language(figure_style, lang: str) -> None:
    for name, fr in _figures(lang).items():
        assert_drawn(fr)
        for text in _texts(fr):
            if lang == "en":
                assert not _CJK.search(text), f"{name}: Chinese in the English figure: {text!r}"
            assert not re.search(r"\b[a-z]+_[a-z_]+\b", text), f"{name}: an id in the figure: {text!r}"
        if lang == "zh":
            assert _CJK.search(fr.title) and _CJK.search(fr.answer), name


def test_review_figure_texts_come_from_the_catalog(figure_style) -> None:
    assert rf.gains_chart(metrics.gains_table(*_sample(), n_bins=4), lang="en").title == i18n.t(
        "figreview.gains_title", "en"
    )
    legend = [t.get_text() for t in _figures("zh")["focus"].figure.axes[0].get_legend().get_texts()]
    assert legend == [i18n.t("review.group.targets", "zh"), i18n.t("review.group.non_targets", "zh")]
    drawn = " ".join(_texts(_figures("en")["goals"]))
    assert i18n.t("review.status.met", "en") in drawn


def _sample() -> tuple[pd.Series, pd.Series, pd.Series]:
    s = pd.Series([4.0, 3.0, 2.0, 1.0, 0.5, 0.2, 0.1, 0.0])
    w = pd.Series([1, 0, 1, 0, 0, 1, 0, 0])
    return s, w, w * 10.0
