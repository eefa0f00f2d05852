"""Figures of the annual review and of the monthly inquiry report.

Same contract as :mod:`prioanalysis.report.figures`: each function returns a
:class:`~prioanalysis.report.figures.FigureResult` — the figure, exactly the data it draws
(saved beside it as CSV), its title (the one question it answers) and the answer
sentence computed from that data. Text comes in Chinese (``lang="zh"``) or English:
the annual review's from the message catalog (``catalog/figreview.yaml``), the inquiry
report's from :data:`_TEXT`; Chinese renders through the packaged Noto Sans SC (call
:func:`prioanalysis.report.figures.use_style` first).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.ticker import PercentFormatter

from prioanalysis.report import fonts
from prioanalysis.report.figures import TIER_COLOURS, FigureResult

fonts.register()

__all__ = [
    "STATUS_COLOURS",
    "gains_chart",
    "rate_chart",
    "migration_chart",
    "criteria_auc_chart",
    "stability_chart",
    "revenue_focus_chart",
    "goal_chart",
    "inquiry_volume_chart",
    "response_time_chart",
    "decision_chart",
    "follow_up_chart",
    "inquiry_score_chart",
]

#: Colour of each goal status.
STATUS_COLOURS: Mapping[str, str] = {
    "met": "#548235",
    "close": "#bf9000",
    "missed": "#c00000",
    "no data": "#a5a5a5",
}
_BLUE, _ORANGE, _GREY, _RED = "#1f4e79", "#c55a11", "#a5a5a5", "#c00000"

_TEXT: dict[str, dict[str, str]] = {
    "zh": {
        "vol_title": "本月的询价来自哪些渠道和细分市场？",
        "vol_answer": "{month}共收到{n}条询价；{ch}渠道最多（{share:.0%}），{seg}细分市场最多（{k}条）。",
        "inquiries": "询价数",
        "rt_title": "询价是否在时限内得到首次响应？",
        "rt_answer": "{share:.0%}的询价在{sla:g}小时时限内得到首次响应；中位数{p50:.1f}小时，P90为{p90:.1f}小时。",
        "hours": "首次响应时间（小时）",
        "sla": "时限 {sla:g} 小时",
        "median": "中位数",
        "dec_title": "询价是如何处理的？",
        "dec_answer": "最常见的处理决定是{label}（{share:.0%}）；{prop}条询价被建议纳入目标名单。",
        "conv_rate": "成交率 {r:.0%}",
        "fu_title": "成交需要跟进几次？与经验值相比如何？",
        "fu_answer": (
            "今年以来{ytd:.0%}的成交发生在{last}（经验值{bench:.0%}）；{stop:.0%}的询价在1次跟进以内就停止了。"
        ),
        "share_conv": "占全部成交的比例",
        "this_month": "本月",
        "ytd": "今年以来",
        "benchmark": "经验值",
        "score_title": "哪些询价客户按今年的标准够得上目标客户？",
        "score_answer": (
            "{n}家询价客户的得分达到所在细分市场的目标层级门槛，建议纳入目标名单；其中{k}家已被处理人建议。"
        ),
        "score_answer_none": "本月没有询价客户的得分达到目标层级门槛。",
        "margin": "得分 − 所在细分市场的目标门槛",
        "proposed": "建议纳入",
        "not_proposed": "未达门槛或资料不足",
        "few_data": "资料不足",
    },
    "en": {
        "vol_title": "Where did this month's inquiries come from?",
        "vol_answer": "{n} inquiries in {month}; most came by {ch} ({share:.0%}) and from {seg} ({k}).",
        "inquiries": "inquiries",
        "rt_title": "Were inquiries answered within the service level?",
        "rt_answer": (
            "{share:.0%} of inquiries got a first response within {sla:g} hours; "
            "median {p50:.1f} h, 90th percentile {p90:.1f} h."
        ),
        "hours": "hours to the first response",
        "sla": "service level {sla:g} h",
        "median": "median",
        "dec_title": "How were the inquiries handled?",
        "dec_answer": (
            "The most frequent decision was {label} ({share:.0%}); {prop} inquiries were proposed for the target list."
        ),
        "conv_rate": "win rate {r:.0%}",
        "fu_title": "How many follow-ups does a sale take, against the rule of thumb?",
        "fu_answer": (
            "This year {ytd:.0%} of the conversions came at {last} (rule of thumb {bench:.0%}); "
            "{stop:.0%} of the inquiries stopped after one follow-up or none."
        ),
        "share_conv": "share of all conversions",
        "this_month": "this month",
        "ytd": "year to date",
        "benchmark": "rule of thumb",
        "score_title": "Which inquiring customers meet this year's target criteria?",
        "score_answer": (
            "{n} inquiring customers score at or above their segment's target cut and are proposed for the list; "
            "the handlers had proposed {k} of them."
        ),
        "score_answer_none": "No inquiring customer this month reaches the target cut.",
        "margin": "score − target cut of the segment",
        "proposed": "proposed",
        "not_proposed": "below the cut or too little data",
        "few_data": "too little data",
    },
}


#: The annual review's figure texts, in the message catalog (``catalog/figreview.yaml``).
_REVIEW_KEYS: tuple[str, ...] = (
    "gains_title",
    "gains_answer",
    "cum_share_customers",
    "cum_share",
    "conversions",
    "revenue",
    "random",
    "decile",
    "lift",
    "rate_title_tier",
    "rate_title_grade",
    "rate_answer_down",
    "rate_answer_not",
    "rate",
    "mig_title",
    "new",
    "dropped",
    "mig_answer",
    "previous",
    "current",
    "auc_title",
    "auc_answer_some",
    "auc_answer_all",
    "auc_axis",
    "weight",
    "psi_title",
    "psi_answer_stable",
    "psi_answer_shift",
    "psi_axis",
    "moderate",
    "major",
    "focus_title",
    "focus_answer",
    "share_customers",
    "share_won",
    "share_revenue",
    "goal_title",
    "goal_answer",
    "goal_answer_all",
    "goal_none",
    "attainment",
    "no_data",
)


def _t(lang: str) -> Mapping[str, str]:
    """The figure texts of ``lang``: the review's from the catalog (templates, formatted
    where they are used), the inquiry report's from :data:`_TEXT`.
    """
    from prioanalysis.report import i18n

    text = dict(_TEXT.get(lang, _TEXT["en"]))
    text.update({k: i18n.t(f"figreview.{k}", lang) for k in _REVIEW_KEYS})
    return text


def _p(p: float) -> str:
    return "p < 0.001" if p < 0.001 else f"p = {p:.3f}"


# --------------------------------------------------------------------------- annual review
def gains_chart(gains: pd.DataFrame, top: float = 0.2, lang: str = "en") -> FigureResult:
    """Cumulative gains (wins and revenue) and lift per score band.

    Parameters
    ----------
    gains : pandas.DataFrame
        :func:`prioanalysis.methods.metrics.gains_table` with ``value`` (revenue) given.
    top : float, default 0.2
        Share of the list quoted in the answer (the band edge nearest to it).
    lang : {"zh", "en"}
    """
    t = _t(lang)
    g = gains.reset_index()
    x = np.concatenate(([0.0], g["cum_share_customers"].to_numpy()))
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 4.2))
    ax1.plot([0, 1], [0, 1], color=_GREY, ls="--", lw=1, label=t["random"])
    ax1.plot(
        x, np.concatenate(([0.0], g["cum_share_conversions"])), marker="o", ms=3, color=_BLUE, label=t["conversions"]
    )
    ax1.plot(x, np.concatenate(([0.0], g["cum_share_value"])), marker="o", ms=3, color=_ORANGE, label=t["revenue"])
    ax1.set_xlabel(t["cum_share_customers"])
    ax1.set_ylabel(t["cum_share"])
    for ax in (ax1,):
        ax.xaxis.set_major_formatter(PercentFormatter(1.0))
        ax.yaxis.set_major_formatter(PercentFormatter(1.0))
    ax1.set_xlim(0, 1)
    ax1.set_ylim(0, 1.02)
    ax1.grid(True, axis="both")
    ax1.legend(loc="lower right")
    ax2.bar(g["bin"].astype(str), g["lift"], color=_BLUE)
    ax2.axhline(1.0, color=_GREY, ls="--", lw=1)
    ax2.set_xlabel(t["decile"])
    ax2.set_ylabel(t["lift"])
    fig.suptitle(t["gains_title"], x=0.01, ha="left", fontsize=12)
    fig.tight_layout()
    i = int(np.argmin(np.abs(g["cum_share_customers"].to_numpy() - top)))
    answer = t["gains_answer"].format(
        top=float(g["cum_share_customers"].iloc[i]),
        conv=float(g["cum_share_conversions"].iloc[i]),
        rev=float(g["cum_share_value"].iloc[i]),
        first=float(g["cum_share_customers"].iloc[0]),
        lift=float(g["lift"].iloc[0]),
    )
    return FigureResult(fig, g, str(t["gains_title"]), answer)


def rate_chart(
    rates: pd.DataFrame,
    p_value: float | None = None,
    kind: str = "tier",
    lang: str = "en",
) -> FigureResult:
    """Win rate per tier (or A–E grade) with Wilson intervals and group sizes.

    Parameters
    ----------
    rates : pandas.DataFrame
        :func:`prioanalysis.methods.metrics.rate_table` in tier (grade) order.
    p_value : float, optional
        One-sided p-value of the trend test, quoted in the answer.
    kind : {"tier", "grade"}
        Chooses the question.
    """
    t = _t(lang)
    r = rates[rates["n"] > 0]
    labels = [str(i) for i in r.index]
    fig, ax = plt.subplots()
    colours = [TIER_COLOURS[min(i, len(TIER_COLOURS) - 1)] for i in range(len(r))]
    err = np.vstack([r["rate"] - r["ci_low"], r["ci_high"] - r["rate"]]).clip(min=0)
    ax.bar(labels, r["rate"], color=colours, yerr=err, capsize=4, ecolor="#404040")
    for i, (rate, n) in enumerate(zip(r["rate"], r["n"])):
        ax.text(
            i,
            rate / 2,
            f"{rate:.0%}\nn={int(n)}",
            ha="center",
            va="center",
            fontsize=8,
            color="white" if i < 2 else "#262626",
        )
    ax.yaxis.set_major_formatter(PercentFormatter(1.0))
    ax.set_ylabel(t["rate"])
    title = str(t["rate_title_tier"] if kind == "tier" else t["rate_title_grade"])
    ax.set_title(title)
    rr = r["rate"].to_numpy()
    ptxt = _p(p_value) if p_value is not None else "—"
    up = np.flatnonzero(np.diff(rr) > 0)
    if len(up) == 0:
        answer = t["rate_answer_down"].format(first=labels[0], r0=rr[0], last=labels[-1], r1=rr[-1], p=ptxt)
    else:
        j = int(up[0])
        answer = t["rate_answer_not"].format(lo=labels[j + 1], rlo=rr[j + 1], hi=labels[j], rhi=rr[j], p=ptxt)
    data = r.reset_index()
    data.columns = [str(c) for c in data.columns]
    return FigureResult(fig, data, title, answer)


def migration_chart(
    matrix: pd.DataFrame, order: Sequence[str], prev_year: int, curr_year: int, lang: str = "en"
) -> FigureResult:
    """Heat map of the tier migration table (:func:`prioanalysis.methods.metrics.migration_matrix`).

    The rows are last year's tiers plus the customers new to the list, the columns this
    year's tiers plus the customers who left it (shown with localised labels); the
    colour is log-scaled so that small cells stay visible next to the large diagonal.
    """
    t = _t(lang)
    values = matrix.to_numpy(dtype=float)
    fig, ax = plt.subplots(figsize=(7, 0.55 * len(matrix) + 1.8))
    ax.imshow(np.log1p(values), cmap="Blues", aspect="auto")
    k = len(order)
    ax.set_xticks(range(matrix.shape[1]), [*map(str, matrix.columns[:k]), str(t["dropped"])])
    ax.set_yticks(range(matrix.shape[0]), [*map(str, matrix.index[:k]), str(t["new"])])
    vmax = np.log1p(values).max() if values.size else 0
    for (i, j), v in np.ndenumerate(values):
        ax.text(
            j,
            i,
            f"{int(v)}",
            ha="center",
            va="center",
            color="white" if np.log1p(v) > vmax * 0.6 else "#262626",
            fontsize=9,
        )
    ax.set_xlabel(t["current"].format(curr=curr_year))
    ax.set_ylabel(t["previous"].format(prev=prev_year))
    ax.grid(False)
    title = t["mig_title"].format(prev=prev_year, curr=curr_year)
    ax.set_title(title)
    sq = matrix.loc[list(order), list(order)].to_numpy(dtype=float)
    n = sq.sum()
    answer = t["mig_answer"].format(
        n=int(n),
        stay=float(np.trace(sq) / n) if n else 0.0,
        up=int(np.tril(sq, -1).sum()),
        down=int(np.triu(sq, 1).sum()),
        new=int(matrix.iloc[k, :k].sum()),
        dropped=int(matrix.iloc[:k, k].sum()),
    )
    data = matrix.reset_index()
    data.columns = [str(c) for c in data.columns]
    return FigureResult(fig, data, title, answer)


def criteria_auc_chart(effectiveness: pd.DataFrame, null_auc: float = 0.5, lang: str = "en") -> FigureResult:
    """AUC of each criterion alone with its interval; weight written beside it.

    Parameters
    ----------
    effectiveness : pandas.DataFrame
        :func:`prioanalysis.steps.review.criteria_effectiveness`.
    null_auc : float, default 0.5
        The no-information line; criteria whose interval covers it (grey) or lies
        below it (red) are named in the answer.
    """
    t = _t(lang)
    e = effectiveness.sort_values("auc")
    colour = np.where(e["ci_high"] < null_auc, _RED, np.where(e["ci_low"] <= null_auc, _GREY, _BLUE))
    fig, ax = plt.subplots(figsize=(8, 0.42 * len(e) + 1.6))
    y = np.arange(len(e))
    for yi, (a, lo, hi, c) in enumerate(zip(e["auc"], e["ci_low"], e["ci_high"], colour)):
        ax.plot([lo, hi], [yi, yi], color=c, lw=2)
        ax.plot([a], [yi], "o", color=c, ms=6)
    ax.axvline(null_auc, color="#404040", ls="--", lw=1)
    ax.set_yticks(y, e["label"].astype(str))
    ax.set_xlabel(t["auc_axis"])
    ax.grid(True, axis="x")
    ax.grid(False, axis="y")
    xmax = float(e["ci_high"].max())
    for yi, w in enumerate(e["weight"]):
        ax.text(xmax + 0.01, yi, f"{t['weight']} {w:.1%}", va="center", fontsize=8, color="#595959")
    ax.set_xlim(min(0.4, float(e["ci_low"].min()) - 0.02), xmax + 0.09)
    ax.set_title(t["auc_title"])
    weak = e[(e["ci_low"] <= null_auc)]
    best = e.iloc[-1]
    if len(weak):
        answer = t["auc_answer_some"].format(
            best=best["label"],
            auc=best["auc"],
            k=len(weak),
            names="、".join(weak["label"].astype(str)) if lang == "zh" else ", ".join(weak["label"].astype(str)),
        )
    else:
        answer = t["auc_answer_all"].format(best=best["label"], auc=best["auc"])
    cols = [c for c in ("label", "weight", "auc", "ci_low", "ci_high", "cohens_d") if c in e.columns]
    data = e[cols].reset_index()
    return FigureResult(fig, data, str(t["auc_title"]), answer)


def stability_chart(
    effectiveness: pd.DataFrame, thresholds: tuple[float, float] = (0.1, 0.25), lang: str = "en"
) -> FigureResult:
    """Population stability index of each criterion against the year before."""
    t = _t(lang)
    e = effectiveness.dropna(subset=["psi"]).sort_values("psi")
    fig, ax = plt.subplots(figsize=(8, 0.42 * len(e) + 1.6))
    colour = np.where(e["psi"] > thresholds[1], _RED, np.where(e["psi"] >= thresholds[0], "#bf9000", _BLUE))
    ax.barh(e["label"].astype(str), e["psi"], color=colour)
    xmax = max(float(e["psi"].max()) * 1.1, thresholds[1] * 1.15)
    ax.axvline(thresholds[0], color="#bf9000", ls="--", lw=1, label=f"{t['moderate']} ≥ {thresholds[0]:g}")
    ax.axvline(thresholds[1], color=_RED, ls="--", lw=1, label=f"{t['major']} > {thresholds[1]:g}")
    ax.set_xlim(0, xmax)
    ax.set_xlabel(t["psi_axis"])
    ax.grid(True, axis="x")
    ax.grid(False, axis="y")
    ax.legend(loc="lower right", fontsize=8)
    ax.set_title(t["psi_title"])
    shifted = e[e["psi"] > thresholds[1]]
    if len(shifted):
        sep = "、" if lang == "zh" else ", "
        answer = t["psi_answer_shift"].format(k=len(shifted), names=sep.join(shifted["label"].astype(str)))
    else:
        top = e.iloc[-1]
        answer = t["psi_answer_stable"].format(max=top["psi"], crit=top["label"])
    cols = [c for c in ("label", "psi", "psi_reading") if c in e.columns]
    return FigureResult(fig, e[cols].reset_index(), str(t["psi_title"]), answer)


def revenue_focus_chart(focus: pd.DataFrame, lang: str = "en") -> FigureResult:
    """Share of customers, wins and revenue: targets against non-targets.

    Parameters
    ----------
    focus : pandas.DataFrame
        :func:`prioanalysis.steps.review.revenue_focus` (rows targets, non-targets,
        all).
    """
    t = _t(lang)
    f = focus.iloc[:2].copy()
    total_won = float(focus.iloc[2]["won"])
    f["share_won"] = f["won"] / total_won if total_won else np.nan
    measures = ["share_customers", "share_won", "share_revenue"]
    x = np.arange(len(measures))
    fig, ax = plt.subplots()
    for i, (_, row) in enumerate(f.iterrows()):
        vals = row[measures].to_numpy(dtype=float)
        ax.bar(x + (i - 0.5) * 0.38, vals, width=0.36, color=[_BLUE, _GREY][i], label=str(row["group"]))
        for xi, v in zip(x, vals):
            ax.text(xi + (i - 0.5) * 0.38, v + 0.01, f"{v:.0%}", ha="center", va="bottom", fontsize=8)
    ax.set_xticks(x, [str(t[m]) for m in measures])
    ax.yaxis.set_major_formatter(PercentFormatter(1.0))
    ax.set_ylim(0, 1.08)
    ax.legend()
    ax.set_title(t["focus_title"])
    tg = f.iloc[0]
    answer = t["focus_answer"].format(c=tg["share_customers"], w=tg["share_won"], r=tg["share_revenue"])
    data = f[["group", "customers", "won", "revenue", *measures]].reset_index(drop=True)
    return FigureResult(fig, data, str(t["focus_title"]), answer)


def goal_chart(attainment: pd.DataFrame, cap: float = 1.5, lang: str = "en") -> FigureResult:
    """Attainment of each goal (1 = exactly met), coloured by status.

    Parameters
    ----------
    attainment : pandas.DataFrame
        :func:`prioanalysis.steps.review.goal_attainment`.
    cap : float, default 1.5
        Bars are drawn up to this attainment (the value is written beside them).
    """
    t = _t(lang)
    from prioanalysis.report.i18n import t as tr

    status_txt = {s: tr(f"review.status.{s.replace(' ', '_')}", lang) for s in STATUS_COLOURS}
    a = attainment.iloc[::-1]
    fig, ax = plt.subplots(figsize=(8, 0.45 * len(a) + 1.6))
    vals = a["attainment"].fillna(0).clip(upper=cap).to_numpy(dtype=float)
    ax.barh(a["label"].astype(str), vals, color=[STATUS_COLOURS[s] for s in a["status"]])
    for yi, (v, raw, s) in enumerate(zip(vals, a["attainment"], a["status"])):
        txt = str(t["no_data"]) if pd.isna(raw) else f"{raw:.0%} {status_txt[s]}"
        ax.text(v + 0.02, yi, txt, va="center", fontsize=8)
    ax.axvline(1.0, color="#404040", ls="--", lw=1)
    ax.set_xlim(0, cap + 0.3)
    ax.xaxis.set_major_formatter(PercentFormatter(1.0))
    ax.set_xlabel(t["attainment"])
    ax.grid(True, axis="x")
    ax.grid(False, axis="y")
    ax.set_title(t["goal_title"])
    n = len(attainment)
    met = int((attainment["status"] == "met").sum())
    close = int((attainment["status"] == "close").sum())
    missed = attainment.loc[attainment["status"] == "missed", "label"].astype(str).tolist()
    nodata = attainment.loc[attainment["status"] == "no data", "label"].astype(str).tolist()
    if met == n:
        answer = t["goal_answer_all"].format(n=n)
    else:
        sep = "、" if lang == "zh" else ", "
        answer = t["goal_answer"].format(
            n=n,
            met=met,
            close=close,
            missed=sep.join(missed) or t["goal_none"],
            nodata=sep.join(nodata) or t["goal_none"],
        )
    data = attainment[["perspective", "goal", "label", "target", "actual", "attainment", "status"]].copy()
    return FigureResult(fig, data, str(t["goal_title"]), answer)


# --------------------------------------------------------------------------- monthly inquiries
def inquiry_volume_chart(
    inquiries: pd.DataFrame,
    month: str,
    segment_labels: Mapping[str, str],
    channel_labels: Mapping[str, str],
    lang: str = "en",
) -> FigureResult:
    """Inquiries of the month per segment, stacked by channel."""
    t = _t(lang)
    ct = pd.crosstab(inquiries["segment"].astype(object), inquiries["channel"].astype(object))
    chans = [c for c in channel_labels if c in ct.columns] + [c for c in ct.columns if c not in channel_labels]
    ct = ct[chans]
    ct = ct.loc[ct.sum(axis=1).sort_values(ascending=True).index]
    fig, ax = plt.subplots(figsize=(8, 0.42 * len(ct) + 1.8))
    left = np.zeros(len(ct))
    palette = ["#1f4e79", "#2e75b6", "#9dc3e6", "#c55a11", "#f4b183", "#548235", "#a5a5a5"]
    ylab = [segment_labels.get(s, s) for s in ct.index]
    for i, c in enumerate(ct.columns):
        ax.barh(ylab, ct[c], left=left, color=palette[i % len(palette)], label=channel_labels.get(c, c))
        left += ct[c].to_numpy()
    ax.set_xlabel(t["inquiries"])
    ax.legend(loc="lower right", fontsize=8)
    ax.grid(True, axis="x")
    ax.grid(False, axis="y")
    title = str(t["vol_title"])
    ax.set_title(title)
    n = len(inquiries)
    by_ch = inquiries["channel"].value_counts()
    by_seg = inquiries["segment"].value_counts()
    answer = t["vol_answer"].format(
        month=month,
        n=n,
        ch=channel_labels.get(by_ch.index[0], by_ch.index[0]),
        share=by_ch.iloc[0] / n,
        seg=segment_labels.get(by_seg.index[0], by_seg.index[0]),
        k=int(by_seg.iloc[0]),
    )
    data = ct.iloc[::-1].reset_index()
    data.columns = [str(c) for c in data.columns]
    return FigureResult(fig, data, title, answer)


def response_time_chart(hours: pd.Series, sla_hours: float, max_hours: float = 48.0, lang: str = "en") -> FigureResult:
    """Histogram of first-response times with the service level and the median.

    Bars are 2 hours wide and closed on the right, ``(a, b]``, so a response at exactly
    the service level counts as in time; times above ``max_hours`` are drawn in the
    last bar (its upper edge is open).
    """
    t = _t(lang)
    h = pd.to_numeric(hours, errors="coerce").dropna().to_numpy(dtype=float)
    width = 2.0
    edges = np.arange(0.0, max_hours + width, width)
    nb = len(edges) - 1
    idx = np.clip(np.searchsorted(edges, h, side="left") - 1, 0, nb - 1)  # bins (a, b]: b inside
    counts = np.bincount(idx, minlength=nb)
    fig, ax = plt.subplots()
    colours = [_BLUE if hi <= sla_hours else _GREY for hi in edges[1:]]
    ax.bar(edges[:-1], counts, width=width, align="edge", color=colours, edgecolor="white")
    med = float(np.median(h)) if len(h) else np.nan
    p90 = float(np.quantile(h, 0.9)) if len(h) else np.nan
    ax.axvline(sla_hours, color=_RED, lw=1.5, label=t["sla"].format(sla=sla_hours))
    ax.axvline(med, color=_ORANGE, ls="--", lw=1, label=f"{t['median']} {med:.1f}")
    ax.set_xlabel(t["hours"])
    ax.set_ylabel(t["inquiries"])
    ax.legend()
    title = str(t["rt_title"])
    ax.set_title(title)
    share = float((h <= sla_hours).mean()) if len(h) else np.nan
    answer = t["rt_answer"].format(share=share, sla=sla_hours, p50=med, p90=p90)
    data = pd.DataFrame({"hours_from": edges[:-1], "hours_to": np.append(edges[1:-1], np.inf), "inquiries": counts})
    return FigureResult(fig, data, title, answer)


def decision_chart(decisions: pd.DataFrame, propose_decision: str, lang: str = "en") -> FigureResult:
    """Inquiries per handling decision, with the win rate of each.

    Parameters
    ----------
    decisions : pandas.DataFrame
        :func:`prioanalysis.steps.inquiries.decision_table`.
    propose_decision : str
        The decision that proposes the customer for the target list.
    """
    t = _t(lang)
    d = decisions.iloc[::-1]
    fig, ax = plt.subplots(figsize=(8, 0.5 * len(d) + 1.6))
    colours = [_ORANGE if k == propose_decision else _BLUE for k in d["decision"]]
    ax.barh(d["label"].astype(str), d["inquiries"], color=colours)
    for yi, (n, r) in enumerate(zip(d["inquiries"], d["conversion_rate"])):
        if n:
            ax.text(n + 0.3, yi, f"{int(n)} · {t['conv_rate'].format(r=r)}", va="center", fontsize=8)
    ax.set_xlim(0, float(d["inquiries"].max()) * 1.35 + 1)
    ax.set_xlabel(t["inquiries"])
    ax.grid(True, axis="x")
    ax.grid(False, axis="y")
    title = str(t["dec_title"])
    ax.set_title(title)
    top = decisions.sort_values("inquiries", ascending=False, kind="stable").iloc[0]
    prop = int(decisions.loc[decisions["decision"] == propose_decision, "inquiries"].sum())
    answer = t["dec_answer"].format(label=top["label"], share=top["share"], prop=prop)
    return FigureResult(fig, decisions.reset_index(drop=True), title, answer)


def follow_up_chart(month: pd.DataFrame, ytd: pd.DataFrame, lang: str = "en") -> FigureResult:
    """Share of conversions by follow-up depth: this month, year to date, rule of thumb.

    Parameters
    ----------
    month, ytd : pandas.DataFrame
        :func:`prioanalysis.steps.inquiries.follow_up_depth` of the month and of the year
        to date (same buckets).
    """
    t = _t(lang)
    labels = month["bucket"].astype(str).tolist()
    x = np.arange(len(labels))
    series = [
        (str(t["this_month"]), month["share_of_conversions"].to_numpy(dtype=float), "#9dc3e6"),
        (str(t["ytd"]), ytd["share_of_conversions"].to_numpy(dtype=float), _BLUE),
        (str(t["benchmark"]), ytd["benchmark_share"].to_numpy(dtype=float), _ORANGE),
    ]
    fig, ax = plt.subplots()
    w = 0.27
    for i, (name, vals, colour) in enumerate(series):
        ax.bar(x + (i - 1) * w, np.nan_to_num(vals), width=w * 0.95, color=colour, label=name)
    ax.set_xticks(x, labels)
    ax.yaxis.set_major_formatter(PercentFormatter(1.0))
    ax.set_ylabel(t["share_conv"])
    ax.legend()
    title = str(t["fu_title"])
    ax.set_title(title)
    stop = float(ytd.loc[ytd["max"].astype(float).fillna(np.inf) <= 1, "share_inquiries"].sum())
    answer = t["fu_answer"].format(
        ytd=float(ytd["share_of_conversions"].iloc[-1]),
        last=labels[-1],
        bench=float(ytd["benchmark_share"].iloc[-1]),
        stop=stop,
    )
    data = pd.DataFrame(
        {
            "bucket": labels,
            "month_share_of_conversions": series[0][1],
            "ytd_share_of_conversions": series[1][1],
            "benchmark_share": series[2][1],
            "ytd_share_inquiries": ytd["share_inquiries"].to_numpy(dtype=float),
        }
    )
    return FigureResult(fig, data, title, answer)


def inquiry_score_chart(
    scored: pd.DataFrame, segment_labels: Mapping[str, str], propose_decision: str, lang: str = "en"
) -> FigureResult:
    """Each inquiring customer's score against its segment's target cut.

    Parameters
    ----------
    scored : pandas.DataFrame
        :func:`prioanalysis.steps.inquiries.score_inquiries`.
    propose_decision : str
        The handlers' "propose" decision (counted in the answer).
    """
    t = _t(lang)
    s = scored.copy()
    segs = [k for k in segment_labels if (s["segment"] == k).any()] + sorted(
        set(s["segment"].astype(str)) - set(segment_labels)
    )
    ypos = {k: i for i, k in enumerate(segs)}
    rng = np.random.default_rng(0)  # vertical jitter only, fixed so the figure is reproducible
    y = s["segment"].map(ypos).to_numpy(dtype=float) + rng.uniform(-0.25, 0.25, len(s))
    fig, ax = plt.subplots(figsize=(8, 0.45 * len(segs) + 1.8))
    prop = s["propose"].to_numpy(dtype=bool)
    ax.scatter(s["margin"][~prop], y[~prop], s=18, color=_GREY, alpha=0.7, label=t["not_proposed"])
    ax.scatter(s["margin"][prop], y[prop], s=30, color=_ORANGE, label=t["proposed"])
    ax.axvline(0, color="#404040", ls="--", lw=1)
    ax.set_yticks(range(len(segs)), [segment_labels.get(k, k) for k in segs])
    ax.set_xlabel(t["margin"])
    ax.grid(True, axis="x")
    ax.grid(False, axis="y")
    ax.legend(loc="lower left", fontsize=8)
    title = str(t["score_title"])
    ax.set_title(title)
    n = int(prop.sum())
    k = int((s["propose"] & (s["decision"] == propose_decision)).sum()) if "decision" in s else 0
    answer = t["score_answer"].format(n=n, k=k) if n else str(t["score_answer_none"])
    cols = [
        c
        for c in (
            "inquiry_id",
            "customer_name",
            "segment",
            "decision",
            "completeness",
            "score",
            "target_cut",
            "margin",
            "implied_tier",
            "propose",
        )
        if c in s.columns
    ]
    return FigureResult(fig, s[cols].reset_index(drop=True), title, answer)
