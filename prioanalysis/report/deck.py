"""The consultants' deck: ``deck_<year>.pptx`` in the run folder, built from the run's files.

A 16:9 PowerPoint file for leadership meetings, in the run's language (``run.yaml``
``report.language``; every text from the message catalog, ``catalog/deck.yaml``):

* a title slide — the report title, the business unit, the year and when the run was made;
* one slide per key finding, its **answer sentence as the slide title** and a **native,
  editable chart** (PowerPoint's own chart object with its data sheet, not a picture)
  built from the figure's data as the run saved it (``figures/<name>.csv``, the answer in
  ``figures/<name>.json``) or from the persisted ranking (``rankings/``): targets per tier
  by segment, the score distribution, attractiveness × feasibility, urgency per tier,
  tier robustness, data completeness, owner loads, the calibrated weights, and — when
  the year-end review or the monthly inquiry report ran — their results;
* the top targets of each segment as a native table (rank, customer, tier, grade, score
  and the assigned owner when the run assigned owners).

The deck is made from the files of a finished run folder only, so it can be made again
for any earlier run (:func:`write_deck`). :func:`deck_slides` returns the content as plain
data (titles, chart series, tables) — what :func:`write_deck` draws, and what the tests
compare with the run's tables. East Asian text is set in :data:`EAST_ASIAN_FONT` (and the
theme's East Asian font is set to it), so Chinese renders in PowerPoint.
"""

from __future__ import annotations

import datetime as _dt
import json
import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import pandas as pd

from prioanalysis.report.i18n import has, number, percent, t

if TYPE_CHECKING:  # pragma: no cover - annotations only
    from prioanalysis.config.params import Params, RunParams

__all__ = [
    "DECK_NAME",
    "EAST_ASIAN_FONT",
    "LATIN_FONT",
    "MAX_POINTS",
    "MAX_BARS",
    "Series",
    "Chart",
    "SlideContent",
    "deck_path",
    "deck_slides",
    "run_params_from_record",
    "write_deck",
]

#: File name of the deck in the run folder (``{year}`` filled in).
DECK_NAME = "deck_{year}.pptx"
#: East Asian font of every text run and of the theme (PowerPoint on Windows has it;
#: others substitute their own CJK sans font).
EAST_ASIAN_FONT = "Microsoft YaHei"
#: Latin font of every text run.
LATIN_FONT = "Arial"
#: At most this many points in the attractiveness × feasibility chart (an even sample
#: over the list's order by score beyond it; the slide says so).
MAX_POINTS = 2000
#: At most this many bars in a bar chart with one bar per owner or criterion.
MAX_BARS = 15

ChartKind = Literal["column_stacked", "column", "bar", "bar_stacked", "line", "scatter", "box"]

_PALETTE = ["#1f4e79", "#2e75b6", "#9dc3e6", "#c55a11", "#f4b183", "#548235", "#a5a5a5", "#7030a0"]
_TIERS = ["#1f4e79", "#2e75b6", "#9dc3e6", "#bdd7ee", "#deebf7"]
_TIER_GREY = "#bfbfbf"
_GRADES = ["#1f4e79", "#2e75b6", "#9dc3e6", "#d9d9d9", "#bfbfbf"]
_DARK = {"#1f4e79", "#2e75b6", "#c55a11", "#548235", "#7030a0"}
_TITLE_COLOUR = "#1f4e79"
_GREY = "#595959"
_CJK = re.compile(r"[\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef\u3000-\u303f]")


# --------------------------------------------------------------------------- content
@dataclass(frozen=True)
class Series:
    """One chart series: its name (legend) and values; ``x`` for an XY scatter."""

    name: str
    values: tuple[float | None, ...]
    x: tuple[float, ...] = ()
    colour: str | None = None


@dataclass(frozen=True)
class Chart:
    """A native chart: kind, categories (empty for a scatter), series and axis titles.

    ``number_format`` is the format of the values (Excel codes: ``0``, ``0.00``, ``0%``).
    """

    kind: ChartKind
    categories: tuple[str, ...]
    series: tuple[Series, ...]
    value_title: str = ""
    category_title: str = ""
    number_format: str = "0"
    value_range: tuple[float, float] | None = None
    labels: bool = False
    legend: bool = True


@dataclass(frozen=True)
class SlideContent:
    """One slide: the title (an answer sentence), a chart or a table, a note under it and
    the speaker notes (the question the slide answers).
    """

    key: str
    title: str
    chart: Chart | None = None
    table: pd.DataFrame | None = None
    note: str = ""
    speaker_notes: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class _Run:
    """What the slide builders need from the run folder."""

    folder: Path
    run: RunParams
    lang: str
    target_list: pd.DataFrame
    tier_by_segment: pd.DataFrame

    @property
    def tiers(self) -> list[str]:
        return list(self.run.tiers.names)

    @property
    def segment_labels(self) -> dict[str, str]:
        return {k: v.label for k, v in self.run.segments.items()}

    def figure(self, name: str) -> pd.DataFrame | None:
        path = self.folder / "figures" / f"{name}.csv"
        if not path.is_file():
            return None
        from prioanalysis.report.tables import restore_text

        return restore_text(pd.read_csv(path, encoding="utf-8"))

    def answer(self, name: str) -> tuple[str, str]:
        """The figure's answer sentence and question; the question from the catalog when
        the run kept no answer (runs made before answers were saved).
        """
        question = t(f"deck.question.{name}", self.lang)
        path = self.folder / "figures" / f"{name}.json"
        if path.is_file():
            doc = json.loads(path.read_text(encoding="utf-8"))
            return str(doc.get("answer") or question), str(doc.get("title") or question)
        return question, question


def _vals(values: Any) -> tuple[float | None, ...]:
    out: list[float | None] = []
    for v in values:
        f = float(v) if v is not None and not (isinstance(v, float) and math.isnan(v)) else None
        out.append(f if f is None or math.isfinite(f) else None)
    return tuple(out)


def _strs(values: Any) -> tuple[str, ...]:
    return tuple(str(v) for v in values)


def _tier_colour(i: int, n_tiers: int) -> str:
    """The colour of the ``i``-th tier (best first, dark to light); grey once past the
    ``n_tiers`` target tiers (the customers not targeted).
    """
    return _TIERS[min(i, len(_TIERS) - 1)] if i < n_tiers else _TIER_GREY


# --------------------------------------------------------------------------- slide builders
def _tiers_slide(r: _Run) -> SlideContent | None:
    tbs = r.tier_by_segment
    if tbs.empty:
        return None
    lang = r.lang
    tiers = [c for c in r.tiers if c in tbs.columns]
    segs = [s for s in r.segment_labels if s in tbs.index] + [s for s in tbs.index if s not in r.segment_labels]
    tbs = tbs.reindex(index=segs, columns=tiers, fill_value=0)
    cats = tuple(r.segment_labels.get(s, str(s)) for s in segs)
    series = tuple(
        Series(str(tier), _vals(tbs[tier]), colour=_tier_colour(i, len(tiers))) for i, tier in enumerate(tiers)
    )
    per_seg = tbs.sum(axis=1)
    n = int(per_seg.sum())
    top = per_seg.idxmax()
    not_targeted = r.run.tiers.not_targeted
    rest = int((r.target_list["tier"] == not_targeted).sum()) if len(r.target_list) else 0
    counts = t("deck.list_sep", lang).join(
        t("deck.tier_count", lang, tier=tier, n=number(int(tbs[tier].sum()), lang)) for tier in tiers
    )
    title = t(
        "deck.tiers.answer",
        lang,
        year=r.run.year,
        n=number(n, lang),
        tiers=counts,
        seg=r.segment_labels.get(top, str(top)),
        k=number(int(per_seg.loc[top]), lang),
        rest=number(rest, lang),
    )
    chart = Chart(
        "column_stacked", cats, series, value_title=t("deck.axis.customers", lang), labels=True, number_format="0"
    )
    return SlideContent("tiers_by_segment", title, chart, speaker_notes=t("deck.tiers.question", lang))


def _box_slide(r: _Run) -> SlideContent | None:
    d = r.figure("score_distribution")
    if d is None or d.empty:
        return None
    lang = r.lang
    cats = _strs(d.iloc[:, 0])
    q = {
        k: d[c].astype(float).to_numpy()
        for k, c in (("min", "min"), ("q1", "25%"), ("median", "50%"), ("q3", "75%"), ("max", "max"))
    }
    # a floating stacked column: an invisible base up to the lowest score, then the
    # stretches lowest → lower quartile → median → upper quartile → highest
    series = (
        Series(t("deck.series.min", lang), _vals(q["min"]), colour=None),
        Series(t("deck.series.q1", lang), _vals(q["q1"] - q["min"]), colour="#d9d9d9"),
        Series(t("deck.series.median", lang), _vals(q["median"] - q["q1"]), colour=_PALETTE[1]),
        Series(t("deck.series.q3", lang), _vals(q["q3"] - q["median"]), colour=_PALETTE[2]),
        Series(t("deck.series.max", lang), _vals(q["max"] - q["q3"]), colour="#d9d9d9"),
    )
    lo = float(np.floor(q["min"].min() * 10) / 10)
    hi = float(np.ceil(q["max"].max() * 10) / 10)
    chart = Chart(
        "box",
        cats,
        series,
        value_title=t("deck.axis.score", lang),
        number_format="0.00",
        value_range=(max(lo, 0.0), hi),
        legend=False,
    )
    answer, question = r.answer("score_distribution")
    return SlideContent("score_distribution", answer, chart, note=t("deck.note.box", lang), speaker_notes=question)


def _scatter_slide(r: _Run, max_points: int) -> SlideContent | None:
    d = r.figure("attractiveness_feasibility_map")
    if d is None or d.empty:
        return None
    lang = r.lang
    order = [*r.tiers, r.run.tiers.not_targeted]
    order += [x for x in pd.unique(d["tier"].astype(str)) if x not in order]
    total = len(d)
    shown = d
    note = ""
    if total > max_points:
        keep = np.unique(np.linspace(0, total - 1, max_points).round().astype(int))
        shown = d.iloc[keep]
        note = t("deck.note.points", lang, shown=number(len(shown), lang), total=number(total, lang))
    series = []
    for i, tier in reversed(list(enumerate(order))):  # the best tier drawn last, on top
        full = int((d["tier"].astype(str) == tier).sum())
        if not full:
            continue
        s = shown[shown["tier"].astype(str) == tier]
        series.append(
            Series(
                t("deck.legend_count", lang, tier=tier, n=number(full, lang)),
                _vals(s["feasibility"]),
                x=tuple(float(v) for v in s["attractiveness"]),
                colour=_tier_colour(i, len(r.tiers)),
            )
        )
    chart = Chart(
        "scatter",
        (),
        tuple(series),
        value_title=t("deck.axis.feasibility", lang),
        category_title=t("deck.axis.attractiveness", lang),
        number_format="0.0",
        value_range=(0.0, 1.0),
    )
    answer, question = r.answer("attractiveness_feasibility_map")
    return SlideContent(
        "attractiveness_feasibility_map",
        answer,
        chart,
        note=note,
        speaker_notes=question,
        extra={"shown": len(shown), "total": total},
    )


def _category_slide(
    r: _Run,
    name: str,
    build: Callable[[pd.DataFrame, str], tuple[Chart, str] | None],
) -> SlideContent | None:
    d = r.figure(name)
    if d is None or d.empty:
        return None
    built = build(d, r.lang)
    if built is None:
        return None
    chart, note = built
    answer, question = r.answer(name)
    return SlideContent(name, answer, chart, note=note, speaker_notes=question)


def _priority(r: _Run) -> Callable[[pd.DataFrame, str], tuple[Chart, str] | None]:
    def build(d: pd.DataFrame, lang: str) -> tuple[Chart, str] | None:
        grades = list(d.columns[1:])
        series = tuple(
            Series(str(g), _vals(d[g]), colour=_GRADES[min(i, len(_GRADES) - 1)]) for i, g in enumerate(grades)
        )
        chart = Chart(
            "column_stacked", _strs(d.iloc[:, 0]), series, value_title=t("deck.axis.customers", lang), labels=True
        )
        return chart, ""

    return build


def _stability(r: _Run) -> Callable[[pd.DataFrame, str], tuple[Chart, str] | None]:
    def build(d: pd.DataFrame, lang: str) -> tuple[Chart, str] | None:
        thr = percent(r.run.robustness.review_threshold, lang)
        series = (
            Series(t("deck.series.stable", lang, threshold=thr), _vals(d["stable"]), colour=_PALETTE[0]),
            Series(t("deck.series.review", lang), _vals(d["review"]), colour=_PALETTE[4]),
        )
        chart = Chart(
            "column_stacked", _strs(d["tier"]), series, value_title=t("deck.axis.customers", lang), labels=True
        )
        return chart, ""

    return build


def _completeness(d: pd.DataFrame, lang: str) -> tuple[Chart, str] | None:
    overall = d.iloc[-1, 1:]
    overall = pd.to_numeric(overall, errors="coerce").sort_values(kind="stable")
    series = (Series(t("deck.series.completeness", lang), _vals(overall), colour=_PALETTE[1]),)
    chart = Chart(
        "bar",
        _strs(overall.index),
        series,
        value_title=t("deck.axis.share", lang),
        number_format="0%",
        value_range=(0.0, 1.0),
        labels=True,
        legend=False,
    )
    return chart, ""


def _owner_loads(d: pd.DataFrame, lang: str) -> tuple[Chart, str] | None:
    shown = d.head(MAX_BARS)
    series = (
        Series(t("deck.series.capacity", lang), _vals(shown["capacity"]), colour="#d9d9d9"),
        Series(t("deck.series.assigned", lang), _vals(shown["assigned"]), colour=_PALETTE[1]),
    )
    chart = Chart("bar", _strs(shown["owner_name"]), series, value_title=t("deck.axis.customers", lang), labels=True)
    note = ""
    if len(d) > len(shown):
        note = t("deck.note.owners", lang, shown=len(shown), total=len(d))
    return chart, note


def _weights(d: pd.DataFrame, lang: str) -> tuple[Chart, str] | None:
    change = (d["proposed"] - d["expert"]).abs()
    shown = d.loc[change.sort_values(ascending=False, kind="stable").index[:MAX_BARS]]
    shown = shown.loc[shown.index.sort_values()]  # criteria in their own order
    series = tuple(
        Series(t(f"deck.series.{k}", lang), _vals(shown[k]), colour=c)
        for k, c in (("expert", "#7f7f7f"), ("data", _PALETTE[3]), ("proposed", _PALETTE[0]))
    )
    chart = Chart(
        "bar", _strs(shown.iloc[:, 0]), series, value_title=t("deck.axis.weight", lang), number_format="0%", labels=True
    )
    note = t("deck.note.criteria", lang, shown=len(shown), total=len(d)) if len(d) > len(shown) else ""
    return chart, note


def _rates(d: pd.DataFrame, lang: str) -> tuple[Chart, str] | None:
    series = (Series(t("deck.series.rate", lang), _vals(d["rate"]), colour=_PALETTE[0]),)
    chart = Chart(
        "column",
        _strs(d.iloc[:, 0]),
        series,
        value_title=t("deck.series.rate", lang),
        number_format="0%",
        labels=True,
        legend=False,
    )
    return chart, ""


def _gains(d: pd.DataFrame, lang: str) -> tuple[Chart, str] | None:
    cats = tuple(t("deck.band", lang, share=percent(float(v), lang)) for v in d["cum_share_customers"])
    series = [Series(t("deck.series.cum_conversions", lang), _vals(d["cum_share_conversions"]), colour=_PALETTE[0])]
    if "cum_share_value" in d.columns:
        series.append(Series(t("deck.series.cum_value", lang), _vals(d["cum_share_value"]), colour=_PALETTE[3]))
    chart = Chart(
        "line", cats, tuple(series), value_title=t("deck.axis.share", lang), number_format="0%", value_range=(0, 1)
    )
    return chart, ""


def _focus(d: pd.DataFrame, lang: str) -> tuple[Chart, str] | None:
    # the group is a code (targets / non-targets) in runs made before the figure was localised
    cats = tuple(t(f"deck.group.{g}", lang) if has(f"deck.group.{g}") else g for g in d["group"].astype(str))
    series = tuple(
        Series(t(f"deck.series.{k}", lang), _vals(d[k]), colour=_PALETTE[i])
        for i, k in enumerate(("share_customers", "share_won", "share_revenue"))
    )
    chart = Chart(
        "column", cats, series, value_title=t("deck.axis.share", lang), number_format="0%", labels=True,
        value_range=(0, 1),
    )  # fmt: skip
    return chart, ""


def _goals(d: pd.DataFrame, lang: str) -> tuple[Chart, str] | None:
    series = (Series(t("deck.series.attainment", lang), _vals(d["attainment"]), colour=_PALETTE[1]),)
    chart = Chart(
        "bar",
        _strs(d["label"]),
        series,
        value_title=t("deck.axis.attainment", lang),
        number_format="0%",
        labels=True,
        legend=False,
    )
    return chart, ""


def _migration(r: _Run) -> Callable[[pd.DataFrame, str], tuple[Chart, str] | None]:
    def build(d: pd.DataFrame, lang: str) -> tuple[Chart, str] | None:
        cols = list(d.columns[1:])
        k = len(cols) - 1  # the last column: customers who left the list; the last row: new ones
        rows = [t("deck.previous", lang, tier=v) for v in d.iloc[:-1, 0].astype(str)] + [t("deck.series.new", lang)]
        names = [*map(str, cols[:k]), t("deck.series.dropped", lang)]
        series = tuple(
            Series(n, _vals(d[c]), colour=_tier_colour(i, len(r.tiers)) if i < k else _PALETTE[4])
            for i, (n, c) in enumerate(zip(names, cols))
        )
        chart = Chart("bar_stacked", tuple(rows), series, value_title=t("deck.axis.customers", lang), labels=True)
        return chart, ""

    return build


def _auc(d: pd.DataFrame, lang: str) -> tuple[Chart, str] | None:
    series = (Series(t("deck.series.auc", lang), _vals(d["auc"]), colour=_PALETTE[1]),)
    chart = Chart(
        "bar", _strs(d["label"]), series, value_title=t("deck.axis.auc", lang), number_format="0.00", labels=True,
        legend=False, value_range=(0.0, 1.0),
    )  # fmt: skip
    return chart, ""


def _decisions(d: pd.DataFrame, lang: str) -> tuple[Chart, str] | None:
    series = (Series(t("deck.series.inquiries", lang), _vals(d["inquiries"]), colour=_PALETTE[1]),)
    chart = Chart(
        "bar", _strs(d["label"]), series, value_title=t("deck.axis.inquiries", lang), labels=True, legend=False
    )
    return chart, ""


def _volume(r: _Run) -> Callable[[pd.DataFrame, str], tuple[Chart, str] | None]:
    def build(d: pd.DataFrame, lang: str) -> tuple[Chart, str] | None:
        total = d.iloc[:, 1:].apply(pd.to_numeric, errors="coerce").sum(axis=1)
        cats = tuple(r.segment_labels.get(str(s), str(s)) for s in d.iloc[:, 0])
        series = (Series(t("deck.series.inquiries", lang), _vals(total), colour=_PALETTE[1]),)
        chart = Chart("bar", cats, series, value_title=t("deck.axis.inquiries", lang), labels=True, legend=False)
        return chart, ""

    return build


# --------------------------------------------------------------------------- top targets
def _owners(r: _Run) -> pd.Series | None:
    """Customer id → assigned owner's name, when the run assigned owners."""
    tl = r.target_list
    if "assigned_owner_name" in tl.columns:
        return pd.Series(tl["assigned_owner_name"].to_numpy(), index=tl["customer_id"].to_numpy())
    from prioanalysis.report.tables import restore_text

    # the final target list carries the assignment; earlier runs have it only in the
    # robustness step's table
    for name, column in (("target_list.csv", "assigned_owner_name"), ("owner_assignments.csv", "owner_name")):
        path = r.folder / "tables" / name
        if path.is_file():
            head = pd.read_csv(path, nrows=0, encoding="utf-8")
            if {"customer_id", column} <= set(head.columns):
                a = pd.read_csv(
                    path, usecols=["customer_id", column], dtype=str, keep_default_na=False, encoding="utf-8"
                )
                a = restore_text(a)
                return pd.Series(a[column].to_numpy(), index=a["customer_id"].to_numpy())
    return None


def _top_targets(r: _Run, n: int) -> list[tuple[str, pd.DataFrame, int]]:
    """Per segment (``run.yaml`` order): its label, its top ``n`` targets (reader
    headers) and its number of targets.
    """
    lang = r.lang
    tl = r.target_list
    targets = tl[tl["tier"].astype(str).isin(r.tiers)]
    owners = _owners(r)
    out = []
    for seg, label in r.segment_labels.items():
        s = targets[targets["segment"] == seg]
        top = s.sort_values(["segment_rank", "customer_id"], kind="stable").head(n)
        cols: dict[str, Any] = {
            t("deck.col.rank", lang): top["segment_rank"].astype(int).astype(str).to_numpy(),
            t("deck.col.name", lang): top["customer_name"].astype(str).to_numpy(),
            t("deck.col.tier", lang): top["tier"].astype(str).to_numpy(),
            t("deck.col.grade", lang): top["grade"].astype(str).to_numpy(),
            t("deck.col.score", lang): [number(float(v), lang, 3) for v in top["score"]],
        }
        if owners is not None:
            got = top["customer_id"].map(owners)
            none = t("deck.no_owner", lang)
            cols[t("deck.col.owner", lang)] = [v if isinstance(v, str) and v.strip() else none for v in got]
        out.append((label, pd.DataFrame(cols), len(s)))
    return out


# --------------------------------------------------------------------------- the run folder
def run_params_from_record(run_dir: str | Path) -> RunParams:
    """The ``run.yaml`` a run used, rebuilt from its ``run.json`` (for an earlier run).

    Raises
    ------
    InputError
        No ``run.json``, or one without the run parameters.
    """
    from prioanalysis.config.params import RunParams
    from prioanalysis.errors import InputError

    path = Path(run_dir) / "run.json"
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
    except OSError:
        raise InputError(f"{path}: no run record here; give a run folder such as outputs/2026/<run-id>") from None
    except json.JSONDecodeError as exc:
        raise InputError(f"{path}: the run record is damaged ({exc.msg}, line {exc.lineno})") from None
    for rel, entry in (record.get("params_files") or {}).items():
        if str(rel).endswith("run.yaml") and isinstance(entry, dict) and "content" in entry:
            return RunParams.model_validate(entry["content"])
    raise InputError(f"{path}: the run record holds no run parameters (run.yaml)")


def _load(run_dir: Path, run: RunParams) -> _Run:
    """The run's persisted ranking: only its target list and tier × segment table are
    read (the deck needs no contributions or matrices, which dominate on large lists).
    """
    from prioanalysis.errors import InputError
    from prioanalysis.steps import persist
    from prioanalysis.steps.ranking import ranking_folder

    for robust in (True, False):
        folder = ranking_folder(run_dir, run.year, robustness=robust)
        if (folder / persist.MANIFEST).is_file():
            extra = persist.read_manifest(folder).get("extra") or {}
            if extra.get("kind") != "ranking":
                raise InputError(f"{folder}: the persisted result is not a ranking")
            target_list = persist.load_part(folder, "target_list")
            tbs = persist.load_part(folder, "summary", "tier_by_segment")
            return _Run(run_dir, run, run.report.language, target_list, tbs)
    raise InputError(f"{run_dir}: the run folder holds no ranking of {run.year} (the ranking did not run)")


def deck_slides(run_dir: str | Path, run: RunParams, *, max_points: int = MAX_POINTS) -> list[SlideContent]:
    """The deck's slides after the title slide, as data, in order.

    Parameters
    ----------
    run_dir : str or Path
        A run folder holding the year's ranking (``rankings/``) and its figures.
    run : RunParams
        The run's ``run.yaml`` (language, segments, tiers, ``report.top_n``).
    max_points : int
        Largest number of points drawn in the attractiveness × feasibility chart.

    Returns
    -------
    list of SlideContent
        The findings (only those whose figure the run made), then one table slide per
        segment with its top ``report.top_n`` targets.
    """
    r = _load(Path(run_dir), run)
    slides: list[SlideContent | None] = [
        _tiers_slide(r),
        _box_slide(r),
        _scatter_slide(r, max_points),
        _category_slide(r, "priority_matrix", _priority(r)),
        _category_slide(r, "tier_stability", _stability(r)),
        _category_slide(r, "owner_loads", _owner_loads),
        _category_slide(r, "data_completeness", _completeness),
        _category_slide(r, "weights_comparison", _weights),
        _category_slide(r, "review_rates_by_tier", _rates),
        _category_slide(r, "review_gains_lift", _gains),
        _category_slide(r, "review_revenue_focus", _focus),
        _category_slide(r, "review_goals", _goals),
        _category_slide(r, "review_migration", _migration(r)),
        _category_slide(r, "review_criteria_auc", _auc),
        _category_slide(r, "inquiry_volume", _volume(r)),
        _category_slide(r, "inquiry_decisions", _decisions),
    ]
    lang = r.lang
    n = run.report.top_n
    for label, table, n_targets in _top_targets(r, n):
        title = t("deck.table.title", lang, segment=label, n=min(n, n_targets))
        if not n_targets:
            slides.append(SlideContent("top_targets", t("deck.table.none", lang, segment=label)))
            continue
        note = ""
        if n_targets > len(table):
            where = t("deck.table.where", lang)
            note = t("common.shown_of_where", lang, shown=len(table), total=n_targets, where=where)
        slides.append(
            SlideContent(
                "top_targets",
                title,
                table=table,
                note=note,
                speaker_notes=t("deck.question.top_customers", lang),
                extra={"segment": label},
            )
        )
    return [s for s in slides if s is not None]


def deck_path(run_dir: str | Path, year: int) -> Path:
    """Where the deck of a run goes: ``<run>/deck_<year>.pptx``."""
    return Path(run_dir) / DECK_NAME.format(year=year)


def _run_started(run_dir: Path) -> _dt.datetime | None:
    """When the run started (UTC): ``started`` in ``run.json``, else the run id."""
    started = None
    record = run_dir / "run.json"
    if record.is_file():
        try:
            started = json.loads(record.read_text(encoding="utf-8")).get("started")
        except (OSError, json.JSONDecodeError, AttributeError):
            started = None
    if isinstance(started, str):
        try:
            return _dt.datetime.fromisoformat(started).astimezone(_dt.UTC)
        except ValueError:
            pass
    m = re.search(r"(\d{8}T\d{6})Z", run_dir.name)
    return _dt.datetime.strptime(m.group(1), "%Y%m%dT%H%M%S").replace(tzinfo=_dt.UTC) if m else None


def _run_date(when: _dt.datetime | None, lang: str) -> str | None:
    if when is None:
        return None
    return t(
        "deck.run_date",
        lang,
        year=when.year,
        month=t(f"deck.month.{when.month}", lang),
        day=when.day,
        time=when.strftime("%H:%M"),
    )


# --------------------------------------------------------------------------- drawing
def _rgb(hex_colour: str) -> Any:
    from pptx.dml.color import RGBColor

    return RGBColor.from_string(hex_colour.lstrip("#"))


def _set_font(font: Any, *, size: float | None = None, bold: bool | None = None, colour: str | None = None) -> None:
    """Latin and East Asian typeface (and size, weight, colour) of a run or a chart text."""
    from pptx.oxml.ns import qn
    from pptx.oxml.xmlchemy import OxmlElement
    from pptx.util import Pt

    font.name = LATIN_FONT
    if size is not None:
        font.size = Pt(size)
    if bold is not None:
        font.bold = bold
    if colour is not None:
        font.color.rgb = _rgb(colour)
    rpr = font._rPr  # the a:rPr / a:defRPr element: python-pptx sets only the latin face
    latin = rpr.find(qn("a:latin"))
    for tag in ("a:ea", "a:cs"):
        old = rpr.find(qn(tag))
        if old is not None:
            rpr.remove(old)
    ea = OxmlElement("a:ea")
    ea.set("typeface", EAST_ASIAN_FONT)
    cs = OxmlElement("a:cs")
    cs.set("typeface", EAST_ASIAN_FONT)
    latin.addnext(ea)  # schema order: latin, ea, cs
    ea.addnext(cs)


def _text_width(text: str, size_pt: float) -> float:
    """Rough width of ``text`` in inches: CJK characters one em, others about half."""
    em = sum(1.0 if _CJK.match(ch) else 0.55 for ch in text)
    return em * size_pt / 72.0


def _fit(text: str, width_in: float, lines: int, sizes: Sequence[float]) -> float:
    for size in sizes:
        if math.ceil(_text_width(text, size) / (width_in * 0.95)) <= lines:
            return size
    return sizes[-1]


def _add_text(
    slide: Any,
    text: str,
    box: tuple[float, float, float, float],
    *,
    size: float,
    bold: bool = False,
    colour: str = _GREY,
    align: Any = None,
) -> Any:
    from pptx.util import Inches

    shape = slide.shapes.add_textbox(*(Inches(v) for v in box))
    tf = shape.text_frame
    tf.word_wrap = True
    p = tf.paragraphs[0]
    if align is not None:
        p.alignment = align
    run = p.add_run()
    run.text = text
    _set_font(run.font, size=size, bold=bold, colour=colour)
    return shape


def _title(slide: Any, text: str, box: tuple[float, float, float, float], sizes: Sequence[float]) -> None:
    from pptx.enum.text import MSO_ANCHOR
    from pptx.util import Inches

    shape = slide.shapes.title
    shape.left, shape.top, shape.width, shape.height = (Inches(v) for v in box)
    tf = shape.text_frame
    tf.word_wrap = True
    tf.vertical_anchor = MSO_ANCHOR.MIDDLE
    tf.text = ""
    p = tf.paragraphs[0]
    from pptx.enum.text import PP_ALIGN

    p.alignment = PP_ALIGN.LEFT
    run = p.add_run()
    run.text = text
    _set_font(run.font, size=_fit(text, box[2], 2, sizes), bold=True, colour=_TITLE_COLOUR)


def _theme_east_asian(prs: Any) -> None:
    """The theme's East Asian font (what text without its own face falls back to)."""
    from pptx.opc.constants import RELATIONSHIP_TYPE as RT

    theme = prs.slide_master.part.part_related_by(RT.THEME)
    blob = theme.blob.replace(b'<a:ea typeface=""/>', f'<a:ea typeface="{EAST_ASIAN_FONT}"/>'.encode())
    theme._blob = blob


_W, _H = 13.333, 7.5
_MARGIN = 0.5


def _add_chart(slide: Any, chart: Chart, box: tuple[float, float, float, float]) -> Any:
    from pptx.chart.data import CategoryChartData, XyChartData
    from pptx.enum.chart import XL_CHART_TYPE, XL_LEGEND_POSITION, XL_MARKER_STYLE
    from pptx.util import Inches, Pt

    kinds = {
        "column_stacked": XL_CHART_TYPE.COLUMN_STACKED,
        "column": XL_CHART_TYPE.COLUMN_CLUSTERED,
        "bar": XL_CHART_TYPE.BAR_CLUSTERED,
        "bar_stacked": XL_CHART_TYPE.BAR_STACKED,
        "line": XL_CHART_TYPE.LINE_MARKERS,
        "box": XL_CHART_TYPE.COLUMN_STACKED,
        "scatter": XL_CHART_TYPE.XY_SCATTER,
    }
    data: Any
    if chart.kind == "scatter":
        data = XyChartData(number_format=chart.number_format)
        for s in chart.series:
            xy = data.add_series(s.name)
            for x, y in zip(s.x, s.values):
                xy.add_data_point(x, y)
    else:
        data = CategoryChartData(number_format=chart.number_format)
        # bars are drawn bottom-up: reverse so the first category is on top
        reverse = chart.kind in ("bar", "bar_stacked")
        cats = list(chart.categories)[::-1] if reverse else list(chart.categories)
        data.categories = cats
        for s in chart.series:
            data.add_series(s.name, list(s.values)[::-1] if reverse else list(s.values))
    gframe = slide.shapes.add_chart(kinds[chart.kind], *(Inches(v) for v in box), data)
    ch = gframe.chart
    ch.has_title = False  # the slide title says it
    _set_font(ch.font, size=12, colour="#262626")
    ch.has_legend = chart.legend and (len(chart.series) > 1 or chart.kind == "scatter")
    if ch.has_legend:
        ch.legend.position = XL_LEGEND_POSITION.BOTTOM
        ch.legend.include_in_layout = False
        _set_font(ch.legend.font, size=12, colour="#262626")
    plot = ch.plots[0]
    if chart.kind in ("column_stacked", "bar_stacked", "box"):
        plot.gap_width = 60 if chart.kind != "box" else 150
        plot.overlap = 100
    elif chart.kind in ("column", "bar"):
        plot.gap_width = 60
    for s, ser in zip(chart.series, plot.series):
        if chart.kind == "scatter":
            ser.format.line.fill.background()
            ser.marker.style = XL_MARKER_STYLE.CIRCLE
            ser.marker.size = 5
            if s.colour:
                ser.marker.format.fill.solid()
                ser.marker.format.fill.fore_color.rgb = _rgb(s.colour)
                ser.marker.format.line.fill.background()
        elif chart.kind == "line":
            ser.smooth = False
            if s.colour:
                ser.format.line.color.rgb = _rgb(s.colour)
                ser.format.line.width = Pt(2.25)
                ser.marker.format.fill.solid()
                ser.marker.format.fill.fore_color.rgb = _rgb(s.colour)
        elif s.colour:
            ser.format.fill.solid()
            ser.format.fill.fore_color.rgb = _rgb(s.colour)
        elif chart.kind == "box":  # the invisible base of the floating columns
            ser.format.fill.background()
            ser.format.line.fill.background()
    if chart.labels and chart.kind != "scatter":
        from pptx.enum.chart import XL_LABEL_POSITION

        stacked = chart.kind in ("column_stacked", "bar_stacked")
        fmt = chart.number_format + (";-" + chart.number_format + ";;" if stacked else "")  # no "0" on empty stacks
        plot.has_data_labels = True
        dl = plot.data_labels
        dl.number_format = fmt
        dl.number_format_is_linked = False
        dl.show_value = True
        _set_font(dl.font, size=10, colour="#262626")
        if stacked:
            dl.position = XL_LABEL_POSITION.CENTER
            for s, ser in zip(chart.series, plot.series):
                if s.colour in _DARK:  # light text on the dark fills
                    sdl = ser.data_labels
                    sdl.show_value = True
                    sdl.number_format = fmt
                    sdl.number_format_is_linked = False
                    sdl.position = XL_LABEL_POSITION.CENTER
                    _set_font(sdl.font, size=10, colour="#ffffff")
    value_axis = ch.value_axis
    value_axis.has_major_gridlines = True
    value_axis.major_gridlines.format.line.color.rgb = _rgb("#d9d9d9")
    value_axis.tick_labels.number_format = chart.number_format
    value_axis.tick_labels.number_format_is_linked = False
    _set_font(value_axis.tick_labels.font, size=11, colour="#404040")
    if chart.value_range is not None:
        value_axis.minimum_scale, value_axis.maximum_scale = chart.value_range
    if chart.value_title:
        value_axis.has_title = True
        value_axis.axis_title.text_frame.text = chart.value_title
        _set_font(value_axis.axis_title.text_frame.paragraphs[0].runs[0].font, size=12, colour="#404040")
    cat_axis = ch.category_axis
    _set_font(cat_axis.tick_labels.font, size=11, colour="#404040")
    if chart.kind == "scatter":
        cat_axis.minimum_scale, cat_axis.maximum_scale = 0.0, 1.0
        cat_axis.tick_labels.number_format = "0.0"
        cat_axis.tick_labels.number_format_is_linked = False
    if chart.category_title:
        cat_axis.has_title = True
        cat_axis.axis_title.text_frame.text = chart.category_title
        _set_font(cat_axis.axis_title.text_frame.paragraphs[0].runs[0].font, size=12, colour="#404040")
    return gframe


def _add_table(slide: Any, table: pd.DataFrame, box: tuple[float, float, float, float]) -> Any:
    from pptx.enum.text import PP_ALIGN
    from pptx.util import Inches

    left, top, width, _ = box
    n_rows, n_cols = len(table) + 1, table.shape[1]
    headers = [str(c) for c in table.columns]
    name_col = 1
    fixed = {0: 0.9, 2: 1.3, 3: 1.3, 4: 1.2, 5: 2.6}
    widths = [fixed.get(j, 0.0) for j in range(n_cols)]
    widths[name_col] = width - sum(w for j, w in enumerate(widths) if j != name_col)
    longest = max([headers[name_col], *table.iloc[:, name_col].astype(str)], key=lambda s: _text_width(s, 1))
    size = _fit(longest, widths[name_col] - 0.2, 1, (14, 13, 12, 11, 10))
    row_h = 0.42 if size >= 13 else 0.38
    shape = slide.shapes.add_table(n_rows, n_cols, Inches(left), Inches(top), Inches(width), Inches(row_h * n_rows))
    tbl = shape.table
    for j, w in enumerate(widths):
        tbl.columns[j].width = Inches(w)
    body = table.astype(str).to_numpy()
    for i, row in enumerate(tbl.rows):
        row.height = Inches(row_h)
        for j, cell in enumerate(row.cells):
            value = headers[j] if i == 0 else body[i - 1, j]
            cell.margin_left = cell.margin_right = Inches(0.08)
            cell.margin_top = cell.margin_bottom = Inches(0.03)
            tf = cell.text_frame
            tf.word_wrap = True
            tf.text = ""
            p = tf.paragraphs[0]
            p.alignment = PP_ALIGN.RIGHT if j in (0, 4) else (PP_ALIGN.CENTER if j in (2, 3) else PP_ALIGN.LEFT)
            run = p.add_run()
            run.text = value
            _set_font(run.font, size=size, bold=i == 0, colour="#ffffff" if i == 0 else "#262626")
            if i == 0:
                cell.fill.solid()
                cell.fill.fore_color.rgb = _rgb(_TITLE_COLOUR)
            else:
                cell.fill.solid()
                cell.fill.fore_color.rgb = _rgb("#f2f2f2" if i % 2 == 0 else "#ffffff")
    return shape


def _footer(slide: Any, text: str) -> None:
    _add_text(slide, text, (_MARGIN, _H - 0.42, _W - 2 * _MARGIN, 0.3), size=9, colour="#7f7f7f")


def _notes(slide: Any, text: str) -> None:
    if text:
        slide.notes_slide.notes_text_frame.text = text


def write_deck(
    run_dir: str | Path,
    params: Params | RunParams | None = None,
    *,
    path: str | Path | None = None,
    max_points: int = MAX_POINTS,
) -> Path:
    """Write the run's deck, ``<run_dir>/deck_<year>.pptx`` (see the module docs).

    Parameters
    ----------
    run_dir : str or Path
        A run folder with the year's persisted ranking and its figures.
    params : Params or RunParams, optional
        The run's parameters; default: the ``run.yaml`` recorded in ``run.json``
        (:func:`run_params_from_record`).
    path : str or Path, optional
        Write the deck here instead.
    max_points : int
        Largest number of points in the scatter chart (:data:`MAX_POINTS`).

    Returns
    -------
    Path
        The deck written.

    Raises
    ------
    InputError
        The folder holds no ranking (or no run record when ``params`` is not given).
    """
    from pptx import Presentation
    from pptx.util import Emu, Inches

    run_dir = Path(run_dir)
    from prioanalysis.config.params import Params

    if params is None:
        run = run_params_from_record(run_dir)
    elif isinstance(params, Params):
        run = params.run
    else:
        run = params
    lang = run.report.language
    slides = deck_slides(run_dir, run, max_points=max_points)

    prs = Presentation()
    prs.slide_width, prs.slide_height = Emu(12192000), Emu(6858000)  # 16:9, 13.333 × 7.5 in
    _theme_east_asian(prs)
    prs.core_properties.title = run.report.title
    prs.core_properties.subject = run.bu or run.report.title
    prs.core_properties.author = run.bu or run.report.title
    prs.core_properties.language = "zh-CN" if lang == "zh" else "en-GB"
    started = _run_started(run_dir)
    stamp = (started or _dt.datetime(run.year, 1, 1, tzinfo=_dt.UTC)).replace(tzinfo=None)
    prs.core_properties.created = prs.core_properties.modified = stamp  # dated by the run
    prs.core_properties.revision = 1
    prs.core_properties.last_modified_by = prs.core_properties.author
    bu = run.bu or run.report.title

    first = prs.slides.add_slide(prs.slide_layouts[0])
    _title(first, run.report.title, (0.8, 2.0, _W - 1.6, 1.6), (40, 36, 32, 28))
    sub = first.placeholders[1]
    sub.left, sub.top, sub.width, sub.height = Inches(0.8), Inches(3.8), Inches(_W - 1.6), Inches(2.0)
    lines = [run.bu, t("deck.year", lang, year=run.year), _run_date(started, lang)]
    tf = sub.text_frame
    tf.text = ""
    for k, line in enumerate(x for x in lines if x):
        p = tf.paragraphs[0] if k == 0 else tf.add_paragraph()
        from pptx.enum.text import PP_ALIGN

        p.alignment = PP_ALIGN.LEFT
        r = p.add_run()
        r.text = line
        _set_font(r.font, size=22 if k == 0 else 18, colour=_GREY)

    body_top = 1.45
    for number_, content in enumerate(slides, start=2):
        slide = prs.slides.add_slide(prs.slide_layouts[5])
        _title(slide, content.title, (_MARGIN, 0.3, _W - 2 * _MARGIN, 1.05), (26, 24, 22, 20, 18, 16))
        note_h = 0.4 if content.note else 0.0
        bottom = _H - 0.5 - note_h
        if content.chart is not None:
            _add_chart(slide, content.chart, (_MARGIN, body_top, _W - 2 * _MARGIN, bottom - body_top))
        elif content.table is not None:
            _add_table(slide, content.table, (_MARGIN + 0.2, body_top + 0.1, _W - 2 * _MARGIN - 0.4, 0))
        if content.note:
            _add_text(slide, content.note, (_MARGIN, bottom, _W - 2 * _MARGIN, 0.35), size=11)
        _footer(slide, t("deck.footer", lang, title=run.report.title, bu=bu, page=number_))
        _notes(slide, content.speaker_notes)

    out = Path(path) if path is not None else deck_path(run_dir, run.year)
    out.parent.mkdir(parents=True, exist_ok=True)
    prs.save(str(out))
    return out
