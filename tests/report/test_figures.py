"""Report figures: one question each, an answer computed from the data, data saved beside."""

from __future__ import annotations

import re
import warnings
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import pandas as pd
import pytest

from prioanalysis.report import figures as plotting

SEGMENTS = {"government": "政府", "finance": "金融"}


@pytest.fixture
def target_list() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "customer_id": ["C1", "C2", "C3", "C4", "C5", "C6"],
            "customer_name": ["甲公司", "乙银行", "丙局", "丁证券", "戊厅", "己保险"],
            "segment": ["finance", "finance", "government", "finance", "government", "government"],
            "score": [0.9, 0.8, 0.7, 0.4, 0.3, 0.2],
            "segment_rank": [1, 2, 1, 3, 2, 3],
            "tier": ["战略", "重点", "战略", "非目标", "重点", "非目标"],
            "attractiveness": [0.9, 0.6, 0.7, 0.2, 0.4, 0.1],
            "feasibility": [0.8, 0.7, 0.4, 0.3, 0.2, 0.6],
            "deal_size": [100.0, 50.0, 80.0, 10.0, None, 5.0],
        }
    )


@pytest.fixture(autouse=True)
def _style_and_no_warnings():
    plotting.use_style()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        yield
    plt.close("all")


def test_score_distribution_answer_from_data(target_list: pd.DataFrame) -> None:
    fr = plotting.score_distribution(target_list, SEGMENTS, "en")
    # medians: finance 0.8, government 0.3
    assert fr.answer == "金融 has the highest median score (0.80); 政府 the lowest (0.30)."
    assert list(fr.data["segment_label"]) == ["金融", "政府"]
    assert fr.title.endswith("?")


def test_map_answer_counts_upper_right(target_list: pd.DataFrame) -> None:
    fr = plotting.attractiveness_feasibility_map(target_list, ["战略", "重点"], "非目标", "zh")
    # 战略: C1 (0.9, 0.8) upper right, C3 (0.7, 0.4) not → 50%
    assert "2家客户中，50%" in fr.answer
    assert fr.data["bubble"].notna().all()


def test_priority_matrix_counts_important_urgent() -> None:
    tbl = pd.DataFrame([[3, 1, 0], [2, 5, 1], [7, 7, 7]], index=["战略", "重点", "一般"], columns=["A", "B", "C"])
    fr = plotting.priority_matrix(tbl, ["战略", "重点"], ["A", "B"], "en")
    assert fr.answer.startswith("11 important customers")


def test_top_customers_per_segment(target_list: pd.DataFrame) -> None:
    fr = plotting.top_customers(target_list, SEGMENTS, n=2, lang="zh")
    assert fr.data.groupby("segment").size().to_dict() == {"finance": 2, "government": 2}
    assert "甲公司" in fr.answer


def test_completeness_answer_names_worst() -> None:
    comp = pd.DataFrame({"segment": ["finance", "government", "all"], "x": [1.0, 0.8, 0.9], "y": [0.9, 0.3, 0.6]})
    fr = plotting.data_completeness(comp, {"x": "IT预算", "y": "信用等级"}, SEGMENTS, "en")
    # overall: y 60% < x 90%; segment means: finance 95%, government 55%
    assert "信用等级 (60%)" in fr.answer and "政府 has the least complete data (55%)" in fr.answer


def test_save_figure_writes_png_svg_csv_reproducibly(target_list: pd.DataFrame, tmp_path: Path) -> None:
    fr = plotting.score_distribution(target_list, SEGMENTS, "zh")
    files = plotting.save_figure(fr, "dist", tmp_path / "a")
    assert [p.suffix for p in files] == [".png", ".svg", ".csv"]
    svg1 = (tmp_path / "a" / "dist.svg").read_bytes()
    plotting.save_figure(fr, "dist", tmp_path / "b")
    assert svg1 == (tmp_path / "b" / "dist.svg").read_bytes()
    assert b"<dc:date>" not in svg1
    assert pd.read_csv(files[2]).shape[0] == 2


def test_tier_stability_counts_review_of_targets_only() -> None:
    tl = pd.DataFrame({"tier": ["战略", "战略", "重点", "非目标"], "p_keep_tier": [0.95, 0.5, 0.8, 0.79]})
    fr = plotting.tier_stability(tl, ["战略", "重点"], "非目标", 0.8, "en")
    # targets: 3, stable (≥ 0.8): 0.95 and 0.8 → 2; review: the targets below 0.8 → 1 (the non-target not counted)
    assert fr.answer.startswith("2 of 3 targets (67%)") and "the other 1 are flagged for review" in fr.answer
    assert fr.data["tier"].tolist() == ["战略", "重点"]
    assert fr.data.set_index("tier").loc["战略", "review"] == 1
    assert (fr.data["stable"] + fr.data["review"] == fr.data["customers"]).all()
    # the same count as the report's list counts
    from prioanalysis.report.notebook import list_counts

    c = list_counts(tl, ["战略", "重点"], "非目标", 0.8)
    assert int(fr.data["review"].sum()) == c["review"] and int(fr.data["customers"].sum()) == c["targets"]
    assert "1家需复核" in plotting.tier_stability(tl, ["战略", "重点"], "非目标", 0.8, "zh").answer


def test_owner_loads_counts_full_owners() -> None:
    loads = pd.DataFrame(
        {
            "owner_id": ["O1", "O1", "O2", "O2"],
            "owner_name": ["张", "张", "李", "李"],
            "tier": ["A", "B", "A", "B"],
            "assigned": [2, 3, 1, 0],
            "capacity": [2, 3, 2, 2],
        }
    )
    fr = plotting.owner_loads(loads, n_unassigned=4, lang="en")
    assert fr.answer == "1 owners are at full capacity; 4 target customers have no owner for lack of capacity."
    assert fr.data["owner_id"].tolist() == ["O1", "O2"] and fr.data["utilisation"].tolist() == [1.0, 0.25]


# --------------------------------------------------------------------------- both languages
_CJK = re.compile(r"[\u3400-\u9fff\uff00-\uffef\u3000-\u303f]")


def _texts(fr: plotting.FigureResult) -> list[str]:
    """Every text drawn that is not data: titles, axis labels, legend title and entries."""
    out = [fr.title, fr.answer]
    for ax in fr.figure.axes:
        out += [ax.get_title(loc=loc) for loc in ("left", "center", "right")] + [ax.get_xlabel(), ax.get_ylabel()]
        legend = ax.get_legend()
        if legend is not None:
            out += [legend.get_title().get_text(), *(x.get_text() for x in legend.get_texts())]
    if fr.figure._suptitle is not None:
        out.append(fr.figure._suptitle.get_text())
    return [x for x in out if x]


def _weights_frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "expert": [0.6, 0.4],
            "data": [0.5, 0.5],
            "proposed": [0.55, 0.45],
            "proposed_ci_low": [0.5, 0.4],
            "proposed_ci_high": [0.6, 0.5],
            "true": [0.5, 0.5],
        },
        index=["x", "y"],
    )


def _all_figures(target_list: pd.DataFrame, lang: str) -> dict[str, plotting.FigureResult]:
    tiers, nt = ["战略", "重点"], "非目标"
    tl = target_list.assign(p_keep_tier=[0.9, 0.5, 0.95, 0.3, 0.85, 0.2])
    tbg = pd.DataFrame([[1, 0], [0, 1], [2, 2]], index=[*tiers, nt], columns=["A", "B"])
    comp = pd.DataFrame({"segment": ["finance", "government", "all"], "x": [1.0, 0.8, 0.9], "y": [0.9, 0.3, 0.6]})
    loads = pd.DataFrame(
        {
            "owner_id": ["O1", "O2"],
            "owner_name": ["张", "李"],
            "tier": ["战略", "战略"],
            "assigned": [1, 2],
            "capacity": [2, 2],
        }
    )
    # customer labels here are English so that any Chinese in the English figures is the catalog's fault
    return {
        "score_distribution": plotting.score_distribution(target_list, {"finance": "Fin", "government": "Gov"}, lang),
        "map": plotting.attractiveness_feasibility_map(tl.assign(tier=tl["tier"]), tiers, nt, lang),
        "priority_matrix": plotting.priority_matrix(tbg, tiers, ["A"], lang),
        "completeness": plotting.data_completeness(
            comp, {"x": "X", "y": "Y"}, {"finance": "Fin", "government": "Gov"}, lang
        ),
        "weights": plotting.weights_comparison(_weights_frame(), {"x": "X", "y": "Y"}, lang),
        "tier_stability": plotting.tier_stability(tl, tiers, nt, 0.8, lang),
        "owner_loads": plotting.owner_loads(loads, 0, lang),
    }


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_figure_text_is_in_the_report_language(target_list: pd.DataFrame, lang: str) -> None:
    tier_names = {"战略", "重点", "非目标"}
    for name, fr in _all_figures(target_list, lang).items():
        texts = _texts(fr)
        assert len(texts) >= 3, name
        for text in texts:
            bare = text
            for tier in tier_names:  # tier names are run.yaml labels (data), in any language
                bare = bare.replace(tier, "")
            if lang == "en":
                assert not _CJK.search(bare), f"{name}: Chinese in the English figure: {text!r}"
            assert not re.search(r"\b[a-z]+_[a-z_]+\b", bare), f"{name}: an id in the figure: {text!r}"
        if lang == "zh":
            assert _CJK.search(fr.title) and _CJK.search(fr.answer), name


def test_legends_are_localised(target_list: pd.DataFrame) -> None:
    zh = _texts(plotting.weights_comparison(_weights_frame(), {"x": "X", "y": "Y"}, "zh"))
    en = _texts(plotting.weights_comparison(_weights_frame(), {"x": "X", "y": "Y"}, "en"))
    assert "专家权重" in zh and "建议权重" in zh and "expert weight" in en
    comp = pd.DataFrame({"segment": ["finance", "all"], "x": [1.0, 0.9]})
    assert plotting.data_completeness(comp, {"x": "X"}, SEGMENTS, "zh").data["segment"].tolist() == ["金融", "全部"]
    assert plotting.data_completeness(comp, {"x": "X"}, SEGMENTS, "en").data["segment"].tolist() == [
        "金融",
        "All segments",
    ]


def test_unknown_language_refused(target_list: pd.DataFrame) -> None:
    with pytest.raises(ValueError, match="zh, en"):
        plotting.score_distribution(target_list, SEGMENTS, "fr")


def test_owner_names_carry_the_id_only_when_two_share_a_name() -> None:
    loads = pd.DataFrame(
        {
            "owner_id": ["O1", "O2", "O3"],
            "owner_name": ["张", "张", "李"],
            "tier": ["A"] * 3,
            "assigned": [1, 1, 1],
            "capacity": [2, 2, 2],
        }
    )
    fr = plotting.owner_loads(loads, 0, "zh")
    labels = [x.get_text() for x in fr.figure.axes[0].get_yticklabels()]
    assert sorted(labels) == ["张 (O1)", "张 (O2)", "李"]
