"""Report figures: one question per figure, the answer in a sentence above it.

Every function returns a :class:`FigureResult` with the figure, the data it draws
(saved beside it as CSV so the figure can be rebuilt in slides), its title (the
question) and the answer sentence computed from the data. Figures use the packaged
style ``prioanalysis.report``; Chinese text renders through Noto Sans SC, a font that
installs with the package, so no system CJK font is needed.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from prioanalysis.report import fonts

fonts.register()

__all__ = [
    "FigureResult",
    "use_style",
    "save_figure",
    "score_distribution",
    "attractiveness_feasibility_map",
    "priority_matrix",
    "top_customers",
    "data_completeness",
    "weights_comparison",
    "tier_stability",
    "owner_loads",
]

TIER_COLOURS = ["#1f4e79", "#2e75b6", "#9dc3e6", "#d9d9d9", "#bfbfbf"]

_TEXT = {
    "zh": {
        "dist_title": "各细分市场的客户得分如何分布？",
        "dist_answer": "{best}的中位得分最高（{best_med:.2f}），{worst}最低（{worst_med:.2f}）。",
        "map_title": "目标客户在吸引力与可行性上处于什么位置？",
        "map_answer": "{top}的{n_top}家客户中，{share:.0%}同时位于吸引力和可行性的上半区。",
        "pm_title": "各层级客户的紧迫程度（A–E）如何？",
        "pm_answer": "{n_urgent}家重要客户属于A/B级，需要立即投入资源。",
        "top_title": "各细分市场排名前{n}的客户是谁？",
        "top_answer": "得分最高的客户是{name}（{segment}，{score:.3f}）。",
        "dq_title": "各项评价数据的完整程度如何？",
        "dq_answer": "最不完整的指标是{crit}（{comp:.0%}）；{seg}的数据最不完整（{seg_comp:.0%}）。",
        "w_title": "校准后的权重与专家权重有何不同？",
        "w_answer": "变化最大的是{crit}：专家权重{expert:.0%}，建议权重{proposed:.0%}（数据估计{data:.0%}）。",
        "weight": "权重",
        "ts_title": "各层级的客户在权重变化时能否保持层级？",
        "ts_answer": (
            "{n_target}家目标客户中有{n_stable}家（{share:.0%}）在至少{thr:.0%}的权重抽样中保持原层级；"
            "{n_review}家客户需复核。"
        ),
        "ts_stable": "保持层级的概率 ≥ {thr:.0%}",
        "ts_review": "需复核",
        "customers": "客户数",
        "ol_title": "客户负责人的负荷是否超出能力？",
        "ol_answer": "{n_full}位负责人已满负荷；{n_unassigned}家目标客户因能力不足无人负责。",
        "ol_assigned": "已分配",
        "ol_capacity": "能力",
        "score": "得分",
        "attractiveness": "吸引力",
        "feasibility": "可行性",
        "bubble": "气泡大小 = 可获得交易规模",
        "grade": "等级",
        "tier": "层级",
    },
    "en": {
        "dist_title": "How are customer scores distributed in each segment?",
        "dist_answer": "{best} has the highest median score ({best_med:.2f}); {worst} the lowest ({worst_med:.2f}).",
        "map_title": "Where do target customers sit on attractiveness and feasibility?",
        "map_answer": (
            "Of the {n_top} {top} customers, {share:.0%} are in the upper half of both attractiveness and feasibility."
        ),
        "pm_title": "How urgent (A–E) are the customers of each tier?",
        "pm_answer": "{n_urgent} important customers are graded A or B and need resources now.",
        "top_title": "Who are the top {n} customers of each segment?",
        "top_answer": "The highest-scoring customer is {name} ({segment}, {score:.3f}).",
        "dq_title": "How complete is the data behind each criterion?",
        "dq_answer": (
            "The least complete criterion is {crit} ({comp:.0%}); {seg} has the least complete data ({seg_comp:.0%})."
        ),
        "w_title": "How do the calibrated weights differ from the expert weights?",
        "w_answer": (
            "The largest change is {crit}: expert {expert:.0%}, proposed {proposed:.0%} (data-implied {data:.0%})."
        ),
        "weight": "weight",
        "ts_title": "Do customers keep their tier when the weights vary?",
        "ts_answer": (
            "{n_stable} of {n_target} targets ({share:.0%}) keep their tier in at least {thr:.0%} of weight draws; "
            "{n_review} customers are flagged for review."
        ),
        "ts_stable": "keeps tier with probability ≥ {thr:.0%}",
        "ts_review": "review",
        "customers": "customers",
        "ol_title": "Are the owners loaded beyond their capacity?",
        "ol_answer": (
            "{n_full} owners are at full capacity; {n_unassigned} target customers have no owner for lack of capacity."
        ),
        "ol_assigned": "assigned",
        "ol_capacity": "capacity",
        "score": "score",
        "attractiveness": "attractiveness",
        "feasibility": "feasibility",
        "bubble": "bubble size = obtainable deal size",
        "grade": "grade",
        "tier": "tier",
    },
}


@dataclass(frozen=True)
class FigureResult:
    """A figure with its data, its question and its answer.

    Attributes
    ----------
    figure : matplotlib.figure.Figure
    data : pandas.DataFrame
        Exactly what is drawn.
    title : str
        The question the figure answers.
    answer : str
        One sentence answering it, computed from ``data``.
    """

    figure: Figure
    data: pd.DataFrame
    title: str
    answer: str


def use_style() -> None:
    """Register the packaged CJK font and apply the ``prioanalysis.report`` style."""
    fonts.register()
    plt.style.use("prioanalysis.report")


def save_figure(result: FigureResult, name: str, directory: str | Path) -> list[Path]:
    """Save a figure as PNG and SVG, with its data as CSV beside it.

    Files are written reproducibly: no creation date in the SVG or PNG metadata.

    Returns
    -------
    list of Path
        The three files written (``name.png``, ``name.svg``, ``name.csv``).
    """
    d = Path(directory)
    d.mkdir(parents=True, exist_ok=True)
    png, svg, csv = d / f"{name}.png", d / f"{name}.svg", d / f"{name}.csv"
    result.figure.savefig(png, metadata={"Software": None})
    result.figure.savefig(svg, metadata={"Date": None, "Creator": None})
    from prioanalysis.report.tables import csv_safe  # text that a spreadsheet would run as a formula

    csv_safe(result.data).to_csv(csv, index=False, lineterminator="\n")
    return [png, svg, csv]


def _t(lang: str) -> Mapping[str, str]:
    return _TEXT.get(lang, _TEXT["en"])


def _tier_colours(tiers: Sequence[str]) -> dict[str, str]:
    return {t: TIER_COLOURS[min(i, len(TIER_COLOURS) - 1)] for i, t in enumerate(tiers)}


def score_distribution(target_list: pd.DataFrame, segment_labels: Mapping[str, str], lang: str = "en") -> FigureResult:
    """Box plot of scores per segment, segments ordered by median score."""
    t = _t(lang)
    tl = target_list.assign(segment_label=target_list["segment"].map(segment_labels))
    med = tl.groupby("segment_label")["score"].median().sort_values(ascending=False)
    data = (
        tl.groupby("segment_label")["score"]
        .describe()[["count", "min", "25%", "50%", "75%", "max"]]
        .reindex(med.index)
        .round(6)
        .reset_index()
    )
    fig, ax = plt.subplots()
    groups = [tl.loc[tl["segment_label"] == s, "score"].to_numpy() for s in med.index]
    ax.boxplot(
        groups,
        tick_labels=list(med.index),
        showfliers=False,
        patch_artist=True,
        boxprops={"facecolor": "#9dc3e6"},
        medianprops={"color": "#1f4e79"},
    )
    ax.set_ylabel(t["score"])
    ax.set_title(t["dist_title"])
    answer = t["dist_answer"].format(
        best=med.index[0], best_med=med.iloc[0], worst=med.index[-1], worst_med=med.iloc[-1]
    )
    return FigureResult(fig, data, t["dist_title"], answer)


def attractiveness_feasibility_map(
    target_list: pd.DataFrame, tiers: Sequence[str], not_targeted: str, lang: str = "en"
) -> FigureResult:
    """Scatter of attractiveness vs feasibility; bubble = deal size, colour = tier.

    Above 5,000 customers the points are rasterised inside the SVG (axes and text
    stay vector), so the file stays small for large lists.
    """
    t = _t(lang)
    order = [*tiers, not_targeted]
    colours = _tier_colours(order)
    data = target_list[
        ["customer_id", "customer_name", "segment", "tier", "attractiveness", "feasibility", "deal_size"]
    ].copy()
    size = data["deal_size"].fillna(data["deal_size"].median())
    data["bubble"] = (20 + 380 * np.sqrt(size / size.max())).round(3)
    fig, ax = plt.subplots(figsize=(7, 6))
    for tier in reversed(order):
        d = data[data["tier"] == tier]
        ax.scatter(
            d["attractiveness"],
            d["feasibility"],
            s=d["bubble"],
            c=colours[tier],
            alpha=0.55 if tier != not_targeted else 0.25,
            edgecolors="white",
            linewidths=0.4,
            label=f"{tier} ({len(d)})",
            rasterized=len(data) > 5000,
        )
    ax.axvline(0.5, color="#7f7f7f", lw=0.8, ls="--")
    ax.axhline(0.5, color="#7f7f7f", lw=0.8, ls="--")
    ax.set_xlabel(t["attractiveness"])
    ax.set_ylabel(t["feasibility"])
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.grid(True, axis="both")
    ax.legend(title=f"{t['tier']} — {t['bubble']}", loc="lower left", fontsize=8, title_fontsize=8)
    ax.set_title(t["map_title"])
    top = tiers[0]
    d = data[data["tier"] == top]
    share = float(((d["attractiveness"] >= 0.5) & (d["feasibility"] >= 0.5)).mean()) if len(d) else 0.0
    answer = t["map_answer"].format(top=top, n_top=len(d), share=share)
    return FigureResult(fig, data, t["map_title"], answer)


def priority_matrix(
    tier_by_grade: pd.DataFrame, important_tiers: Sequence[str], urgent_grades: Sequence[str], lang: str = "en"
) -> FigureResult:
    """Heat map of customer counts: tier (rows) × grade A–E (columns)."""
    t = _t(lang)
    tbl = tier_by_grade
    fig, ax = plt.subplots(figsize=(7, 0.6 * len(tbl) + 1.6))
    values = tbl.to_numpy(dtype=float)
    ax.imshow(values, cmap="Blues", aspect="auto")
    ax.set_xticks(range(tbl.shape[1]), [str(c) for c in tbl.columns])
    ax.set_yticks(range(tbl.shape[0]), [str(i) for i in tbl.index])
    vmax = values.max() if values.size else 0
    for (i, j), v in np.ndenumerate(values):
        ax.text(
            j, i, f"{int(v)}", ha="center", va="center", color="white" if v > vmax * 0.6 else "#262626", fontsize=10
        )
    ax.set_xlabel(t["grade"])
    ax.set_ylabel(t["tier"])
    ax.grid(False)
    ax.set_title(t["pm_title"])
    n_urgent = int(
        tbl.loc[[i for i in tbl.index if i in important_tiers], [c for c in tbl.columns if c in urgent_grades]]
        .to_numpy()
        .sum()
    )
    data = tbl.reset_index()
    data.columns = [str(c) for c in data.columns]
    answer = t["pm_answer"].format(n_urgent=n_urgent)
    return FigureResult(fig, data, t["pm_title"], answer)


def top_customers(
    target_list: pd.DataFrame, segment_labels: Mapping[str, str], n: int = 5, lang: str = "en"
) -> FigureResult:
    """Small multiples: the top ``n`` customers of each segment by score."""
    t = _t(lang)
    segs = [s for s in segment_labels if (target_list["segment"] == s).any()]
    data = (
        target_list.sort_values(["segment", "segment_rank"], kind="stable")
        .groupby("segment", sort=False)
        .head(n)[["segment", "segment_rank", "customer_id", "customer_name", "score", "tier"]]
    )
    data = data.assign(segment_label=data["segment"].map(segment_labels))
    ncol = 2
    nrow = int(np.ceil(len(segs) / ncol))
    fig, axes = plt.subplots(nrow, ncol, figsize=(11, 1.9 * nrow + 0.6), squeeze=False)
    for ax, seg in zip(axes.flat, segs):
        d = data[data["segment"] == seg].iloc[::-1]
        ax.barh(d["customer_name"], d["score"], color="#2e75b6")
        ax.set_title(segment_labels[seg], fontsize=10, loc="left")
        ax.set_xlim(0, 1)
        ax.tick_params(axis="y", labelsize=8)
        ax.grid(True, axis="x")
        ax.grid(False, axis="y")
    for ax in list(axes.flat)[len(segs) :]:
        ax.set_visible(False)
    title = t["top_title"].format(n=n)
    fig.suptitle(title, x=0.01, ha="left", fontsize=12)
    fig.tight_layout()
    best = target_list.iloc[0]
    answer = t["top_answer"].format(
        name=best["customer_name"],
        segment=segment_labels.get(best["segment"], best["segment"]),
        score=best["score"],
    )
    return FigureResult(fig, data.reset_index(drop=True), title, answer)


def data_completeness(
    completeness_by_segment: pd.DataFrame,
    criterion_labels: Mapping[str, str],
    segment_labels: Mapping[str, str],
    lang: str = "en",
) -> FigureResult:
    """Heat map of the share of customers with each criterion filled in, per segment."""
    t = _t(lang)
    crit = list(criterion_labels)
    tbl = completeness_by_segment.set_index(completeness_by_segment.columns[0])[crit]
    tbl = tbl.rename(index=lambda s: segment_labels.get(s, "全部" if lang == "zh" and s == "all" else s))
    tbl.columns = [criterion_labels[c] for c in crit]
    fig, ax = plt.subplots(figsize=(10, 0.45 * len(tbl) + 2.4))
    ax.imshow(tbl.to_numpy(dtype=float), cmap="RdYlGn", vmin=0.6, vmax=1.0, aspect="auto")
    ax.set_xticks(range(tbl.shape[1]), tbl.columns, rotation=35, ha="right")
    ax.set_yticks(range(tbl.shape[0]), tbl.index)
    for (i, j), v in np.ndenumerate(tbl.to_numpy(dtype=float)):
        ax.text(j, i, f"{v:.0%}", ha="center", va="center", fontsize=8)
    ax.grid(False)
    ax.set_title(t["dq_title"])
    overall = tbl.iloc[-1]
    worst_crit = overall.idxmin()
    seg_only = tbl.iloc[:-1].mean(axis=1)
    answer = t["dq_answer"].format(crit=worst_crit, comp=overall.min(), seg=seg_only.idxmin(), seg_comp=seg_only.min())
    data = tbl.reset_index().rename(columns={"index": "segment"})
    return FigureResult(fig, data, t["dq_title"], answer)


def weights_comparison(weights: pd.DataFrame, criterion_labels: Mapping[str, str], lang: str = "en") -> FigureResult:
    """Dot plot per criterion: expert, data-implied and proposed weight (with its
    bootstrap interval), and the true weight when known (sample data).
    """
    t = _t(lang)
    w = weights.copy()
    w.index = [criterion_labels.get(c, c) for c in w.index]
    y = np.arange(len(w))[::-1]
    fig, ax = plt.subplots(figsize=(8, 0.45 * len(w) + 1.5))
    ax.hlines(y, w["proposed_ci_low"], w["proposed_ci_high"], color="#9dc3e6", lw=5, label="95% CI")
    ax.scatter(w["expert"], y, marker="s", color="#7f7f7f", label="expert", zorder=3)
    ax.scatter(w["data"], y, marker="x", color="#c55a11", label="data", zorder=3)
    ax.scatter(w["proposed"], y, marker="o", color="#1f4e79", label="proposed", zorder=4)
    if "true" in w.columns:
        ax.scatter(w["true"], y, marker="|", s=200, color="#548235", label="true (sample)", zorder=5)
    ax.set_yticks(y, list(w.index))
    ax.set_xlabel(t["weight"])
    ax.grid(True, axis="x")
    ax.grid(False, axis="y")
    ax.legend(loc="lower right", fontsize=8)
    ax.set_title(t["w_title"])
    change = (w["proposed"] - w["expert"]).abs()
    c = change.idxmax()
    answer = t["w_answer"].format(
        crit=c, expert=w.loc[c, "expert"], proposed=w.loc[c, "proposed"], data=w.loc[c, "data"]
    )
    data = w.reset_index().rename(columns={"index": "criterion"})
    return FigureResult(fig, data, t["w_title"], answer)


def tier_stability(
    target_list: pd.DataFrame, tiers: Sequence[str], not_targeted: str, threshold: float = 0.8, lang: str = "en"
) -> FigureResult:
    """Stacked bars per tier: customers whose probability of keeping their tier is at
    least ``threshold`` versus those flagged for review.
    """
    t = _t(lang)
    order = [*tiers, not_targeted]
    stable = target_list["p_keep_tier"] >= threshold
    data = (
        pd.DataFrame({"tier": target_list["tier"], "stable": stable})
        .groupby("tier")["stable"]
        .agg(stable="sum", customers="size")
        .reindex(order, fill_value=0)
    )
    data["review"] = data["customers"] - data["stable"]
    data["share_stable"] = (data["stable"] / data["customers"].where(data["customers"] > 0)).round(4)
    fig, ax = plt.subplots(figsize=(7, 3.8))
    ax.bar(order, data["stable"], color="#1f4e79", label=t["ts_stable"].format(thr=threshold))
    ax.bar(order, data["review"], bottom=data["stable"], color="#f4b183", label=t["ts_review"])
    ax.set_ylabel(t["customers"])
    ax.legend(fontsize=8)
    ax.set_title(t["ts_title"])
    targets = data.loc[list(tiers)]
    n_target = int(targets["customers"].sum())
    n_stable = int(targets["stable"].sum())
    answer = t["ts_answer"].format(
        n_target=n_target,
        n_stable=n_stable,
        share=n_stable / n_target if n_target else 0.0,
        thr=threshold,
        n_review=int(data["review"].sum()),
    )
    return FigureResult(fig, data.reset_index(), t["ts_title"], answer)


def owner_loads(loads: pd.DataFrame, n_unassigned: int, lang: str = "en") -> FigureResult:
    """Per owner: accounts assigned against capacity (all tiers), fullest first."""
    t = _t(lang)
    per_owner = loads.groupby(["owner_id", "owner_name"], sort=False)[["assigned", "capacity"]].sum().reset_index()
    per_owner["utilisation"] = (per_owner["assigned"] / per_owner["capacity"].where(per_owner["capacity"] > 0)).round(4)
    per_owner = per_owner.sort_values(["utilisation", "owner_id"], ascending=[False, True], kind="stable")
    fig, ax = plt.subplots(figsize=(8, 0.22 * len(per_owner) + 1.5))
    y = np.arange(len(per_owner))[::-1]
    label = per_owner["owner_name"].astype(str) + " " + per_owner["owner_id"].astype(str)
    ax.barh(y, per_owner["capacity"], color="#d9d9d9", label=t["ol_capacity"])
    ax.barh(y, per_owner["assigned"], color="#2e75b6", height=0.5, label=t["ol_assigned"])
    ax.set_yticks(y, label, fontsize=7)
    ax.set_xlabel(t["customers"])
    ax.grid(True, axis="x")
    ax.grid(False, axis="y")
    ax.legend(fontsize=8, loc="lower right")
    ax.set_title(t["ol_title"])
    n_full = int((per_owner["utilisation"] >= 1).sum())
    answer = t["ol_answer"].format(n_full=n_full, n_unassigned=n_unassigned)
    return FigureResult(fig, per_owner.reset_index(drop=True), t["ol_title"], answer)
