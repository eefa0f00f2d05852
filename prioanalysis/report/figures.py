"""Report figures: one question per figure, the answer in a sentence above it.

Every function returns a :class:`FigureResult` with the figure, the data it draws
(saved beside it as CSV so the figure can be rebuilt in slides), its title (the
question) and the answer sentence computed from the data. Figures use the packaged
style ``prioanalysis.report``; Chinese text renders through Noto Sans SC, a font that
installs with the package, so no system CJK font is needed. Every title, axis label,
legend entry and answer sentence comes from the message catalog
(``prioanalysis/report/catalog/figures.yaml``) in the report's language.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from prioanalysis.report import fonts
from prioanalysis.report.i18n import t as _msg

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

    Files are written reproducibly: no creation date in the SVG or PNG metadata. The
    figure's title and answer sentence are written beside them as ``name.json``
    (``{"title": ..., "answer": ...}``), which the deck reads; it is not in the list returned.

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
    # the question and the answer sentence, for the deck (prioanalysis.report.deck)
    text = {"title": result.title, "answer": result.answer}
    (d / f"{name}.json").write_text(json.dumps(text, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return [png, svg, csv]


def _t(lang: str) -> Callable[..., str]:
    """The figure messages in ``lang``: ``_t(lang)("dist_title")`` is ``figures.dist_title``."""

    def text(name: str, /, **fields: object) -> str:
        return _msg(f"figures.{name}", lang, **fields)

    text("score")  # an unknown language is refused here, before anything is drawn
    return text


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
    ax.set_ylabel(t("score"))
    ax.set_title(t("dist_title"))
    answer = t("dist_answer", best=med.index[0], best_med=med.iloc[0], worst=med.index[-1], worst_med=med.iloc[-1])
    return FigureResult(fig, data, t("dist_title"), answer)


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
            label=t("legend_count", tier=tier, n=len(d)),
            rasterized=len(data) > 5000,
        )
    ax.axvline(0.5, color="#7f7f7f", lw=0.8, ls="--")
    ax.axhline(0.5, color="#7f7f7f", lw=0.8, ls="--")
    ax.set_xlabel(t("attractiveness"))
    ax.set_ylabel(t("feasibility"))
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.grid(True, axis="both")
    ax.legend(title=f"{t('tier')} — {t('bubble')}", loc="lower left", fontsize=8, title_fontsize=8)
    ax.set_title(t("map_title"))
    top = tiers[0]
    d = data[data["tier"] == top]
    share = float(((d["attractiveness"] >= 0.5) & (d["feasibility"] >= 0.5)).mean()) if len(d) else 0.0
    answer = t("map_answer", top=top, n_top=len(d), share=share)
    return FigureResult(fig, data, t("map_title"), answer)


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
    ax.set_xlabel(t("grade"))
    ax.set_ylabel(t("tier"))
    ax.grid(False)
    ax.set_title(t("pm_title"))
    n_urgent = int(
        tbl.loc[[i for i in tbl.index if i in important_tiers], [c for c in tbl.columns if c in urgent_grades]]
        .to_numpy()
        .sum()
    )
    data = tbl.reset_index()
    data.columns = [str(c) for c in data.columns]
    answer = t("pm_answer", n_urgent=n_urgent, grades="/".join(str(g) for g in urgent_grades))
    return FigureResult(fig, data, t("pm_title"), answer)


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
    title = t("top_title", n=n)
    fig.suptitle(title, x=0.01, ha="left", fontsize=12)
    fig.tight_layout()
    best = target_list.iloc[0]
    answer = t(
        "top_answer",
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
    tbl = tbl.rename(index=lambda s: t("all_segments") if s == "all" else segment_labels.get(s, s))
    tbl.columns = [criterion_labels[c] for c in crit]
    fig, ax = plt.subplots(figsize=(10, 0.45 * len(tbl) + 2.4))
    ax.imshow(tbl.to_numpy(dtype=float), cmap="RdYlGn", vmin=0.6, vmax=1.0, aspect="auto")
    ax.set_xticks(range(tbl.shape[1]), tbl.columns, rotation=35, ha="right")
    ax.set_yticks(range(tbl.shape[0]), tbl.index)
    for (i, j), v in np.ndenumerate(tbl.to_numpy(dtype=float)):
        ax.text(j, i, f"{v:.0%}", ha="center", va="center", fontsize=8)
    ax.grid(False)
    ax.set_title(t("dq_title"))
    overall = tbl.iloc[-1]
    worst_crit = overall.idxmin()
    seg_only = tbl.iloc[:-1].mean(axis=1)
    answer = t("dq_answer", crit=worst_crit, comp=overall.min(), seg=seg_only.idxmin(), seg_comp=seg_only.min())
    data = tbl.reset_index().rename(columns={"index": "segment"})
    return FigureResult(fig, data, t("dq_title"), answer)


def weights_comparison(weights: pd.DataFrame, criterion_labels: Mapping[str, str], lang: str = "en") -> FigureResult:
    """Dot plot per criterion: expert, data-implied and proposed weight (with its
    bootstrap interval), and the true weight when known (sample data).
    """
    t = _t(lang)
    w = weights.copy()
    w.index = [criterion_labels.get(c, c) for c in w.index]
    y = np.arange(len(w))[::-1]
    fig, ax = plt.subplots(figsize=(8, 0.45 * len(w) + 1.5))
    ax.hlines(y, w["proposed_ci_low"], w["proposed_ci_high"], color="#9dc3e6", lw=5, label=t("w_ci"))
    ax.scatter(w["expert"], y, marker="s", color="#7f7f7f", label=t("w_expert"), zorder=3)
    ax.scatter(w["data"], y, marker="x", color="#c55a11", label=t("w_data"), zorder=3)
    ax.scatter(w["proposed"], y, marker="o", color="#1f4e79", label=t("w_proposed"), zorder=4)
    if "true" in w.columns:
        ax.scatter(w["true"], y, marker="|", s=200, color="#548235", label=t("w_true"), zorder=5)
    ax.set_yticks(y, list(w.index))
    ax.set_xlabel(t("weight"))
    ax.grid(True, axis="x")
    ax.grid(False, axis="y")
    ax.legend(loc="lower right", fontsize=8)
    ax.set_title(t("w_title"))
    change = (w["proposed"] - w["expert"]).abs()
    c = change.idxmax()
    answer = t("w_answer", crit=c, expert=w.loc[c, "expert"], proposed=w.loc[c, "proposed"], data=w.loc[c, "data"])
    data = w.reset_index().rename(columns={"index": "criterion"})
    return FigureResult(fig, data, t("w_title"), answer)


def tier_stability(
    target_list: pd.DataFrame, tiers: Sequence[str], not_targeted: str, threshold: float = 0.8, lang: str = "en"
) -> FigureResult:
    """Stacked bars per tier: target customers whose probability of keeping their tier
    is at least ``threshold`` versus those flagged for review.

    Only targets are counted (the customers of ``tiers``; ``not_targeted`` ones are
    left out), so the review count is the one of the robustness report's list of
    uncertain targets and of :func:`prioanalysis.report.notebook.list_counts`.
    """
    t = _t(lang)
    order = list(tiers)
    targets = target_list[target_list["tier"].isin(order)]
    stable = targets["p_keep_tier"] >= threshold
    data = (
        pd.DataFrame({"tier": targets["tier"], "stable": stable})
        .groupby("tier")["stable"]
        .agg(stable="sum", customers="size")
        .reindex(order, fill_value=0)
        .astype(int)
    )
    data.index.name = "tier"
    data["review"] = data["customers"] - data["stable"]
    data["share_stable"] = (data["stable"] / data["customers"].where(data["customers"] > 0)).round(4)
    fig, ax = plt.subplots(figsize=(7, 3.8))
    ax.bar(order, data["stable"], color="#1f4e79", label=t("ts_stable", thr=threshold))
    ax.bar(order, data["review"], bottom=data["stable"], color="#f4b183", label=t("ts_review", thr=threshold))
    ax.set_ylabel(t("customers"))
    ax.set_xlabel(t("tier"))
    ax.legend(fontsize=8)
    ax.set_title(t("ts_title"))
    n_target = int(data["customers"].sum())
    n_stable = int(data["stable"].sum())
    answer = t(
        "ts_answer",
        n_target=n_target,
        n_stable=n_stable,
        share=n_stable / n_target if n_target else 0.0,
        thr=threshold,
        n_review=n_target - n_stable,
    )
    return FigureResult(fig, data.reset_index(), t("ts_title"), answer)


def owner_loads(loads: pd.DataFrame, n_unassigned: int, lang: str = "en") -> FigureResult:
    """Per owner: accounts assigned against capacity (all tiers), fullest first."""
    t = _t(lang)
    per_owner = loads.groupby(["owner_id", "owner_name"], sort=False)[["assigned", "capacity"]].sum().reset_index()
    per_owner["utilisation"] = (per_owner["assigned"] / per_owner["capacity"].where(per_owner["capacity"] > 0)).round(4)
    per_owner = per_owner.sort_values(["utilisation", "owner_id"], ascending=[False, True], kind="stable")
    fig, ax = plt.subplots(figsize=(8, 0.22 * len(per_owner) + 1.5))
    y = np.arange(len(per_owner))[::-1]
    # the owner's name; the id only to tell apart owners of the same name
    names = per_owner["owner_name"].astype(str)
    label = names.where(~names.duplicated(keep=False), names + " (" + per_owner["owner_id"].astype(str) + ")")
    ax.barh(y, per_owner["capacity"], color="#d9d9d9", label=t("ol_capacity"))
    ax.barh(y, per_owner["assigned"], color="#2e75b6", height=0.5, label=t("ol_assigned"))
    ax.set_yticks(y, label, fontsize=7)
    ax.set_xlabel(t("customers"))
    ax.grid(True, axis="x")
    ax.grid(False, axis="y")
    ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1))  # outside: the bars fill the axes
    ax.set_title(t("ol_title"))
    n_full = int((per_owner["utilisation"] >= 1).sum())
    answer = t("ol_answer", n_full=n_full, n_unassigned=n_unassigned)
    return FigureResult(fig, per_owner.reset_index(drop=True), t("ol_title"), answer)
