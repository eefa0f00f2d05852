"""The run's annual report: one document for leadership, ``report.html`` and ``report.pdf``.

The report opens with a front page for the run — what was decided (the tiered target
list in numbers, per tier and segment), the main changes from last year's list, the
annual review's verdict and the risks (data gaps, robustness flags, targets without an
owner, capacity short) — each linking to its detailed section. A table of contents
follows, then the sections: the notebooks' reports in the order the cycle ran them. The
front page also says which of the run's files to open first.

Every number on the front page is read from the run folder — the persisted ranking
(:func:`prioanalysis.steps.ranking.load_result`), the tables the notebooks wrote
(``tables/*.csv``) and ``run.json`` — and every word from the message catalog
(``front.*``, :mod:`prioanalysis.report.i18n`), in the report's language.

Last year's list is the one the annual review used: the published list given to it
(``frozen_list``), a ranking of that year persisted in the run folder, or else the list
recomputed from last year's parameters — the ranking is deterministic, so it equals the
published list as long as neither was edited since.
"""

from __future__ import annotations

import html as _html
import itertools
import json
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from prioanalysis.config.params import Params
from prioanalysis.report import html as pages
from prioanalysis.report.i18n import number, percent, t

__all__ = [
    "REPORT_HTML",
    "REPORT_PDF",
    "CHANGE_KINDS",
    "Section",
    "FrontFacts",
    "AnnualReport",
    "section_id",
    "section_title",
    "tier_table",
    "list_changes",
    "change_counts",
    "top_changes",
    "previous_list",
    "front_facts",
    "front_page",
    "table_of_contents",
    "assemble",
    "write_annual_report",
]

#: File names of the annual report in the run folder.
REPORT_HTML = "report.html"
REPORT_PDF = "report.pdf"

#: How a customer's place changed from last year's list to this year's.
CHANGE_KINDS: tuple[str, ...] = ("new", "dropped", "up", "down", "same")

# Which section holds the details of each part of the front page.
_DETAIL = {
    "decided": "20_ranking",
    "changes": "30_annual_review",
    "verdict": "30_annual_review",
    "data": "20_ranking",
    "robust": "25_robustness",
    "owners": "25_robustness",
}


@dataclass(frozen=True)
class Section:
    """One notebook's report inside the annual report."""

    stem: str
    status: str
    notebook: Path


@dataclass
class FrontFacts:
    """The numbers of the front page (each from a file of the run folder).

    Attributes
    ----------
    year, review_year : int
    tiers : list of str
        Tier names, best first.
    not_targeted : str
    tier_counts : pandas.DataFrame
        :func:`tier_table` of the target list.
    ranked, targets, non_targets : int
        Customers on the list, targets, non-targets (``ranked = targets + non_targets``).
    changes : pandas.DataFrame or None
        :func:`list_changes` against last year's list; None when there is none.
    previous_source : str or None
        ``"frozen"``, ``"persisted"`` or ``"recomputed"``.
    verdict : dict
        The review's figures (AUC, conversion per tier, goals, weight decisions);
        empty when the review did not run.
    excluded, imputed_targets : int or None
        Rows not scored; targets with an imputed value.
    flagged, threshold : int or None, float
        Targets whose probability of keeping their tier is below ``threshold``.
    unassigned : int or None
        Targets without an owner (None: the assignment did not run).
    capacity_gaps : pandas.DataFrame or None
        Unassigned targets by segment label and tier.
    segment_labels : dict
        Segment id → label (``run.yaml``).
    """

    year: int
    review_year: int
    tiers: list[str]
    not_targeted: str
    tier_counts: pd.DataFrame
    ranked: int
    targets: int
    non_targets: int
    changes: pd.DataFrame | None = None
    previous_source: str | None = None
    verdict: dict[str, Any] = field(default_factory=dict)
    excluded: int | None = None
    imputed_targets: int | None = None
    flagged: int | None = None
    threshold: float = 0.8
    unassigned: int | None = None
    capacity_gaps: pd.DataFrame | None = None
    segment_labels: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class AnnualReport:
    """What :func:`write_annual_report` wrote.

    Attributes
    ----------
    html : pathlib.Path
    pdf : pages.PdfOutcome
    seconds : dict
        ``read`` (the notebooks' bodies and the front page's numbers from the run
        folder), ``html`` (the front page, the font subset, writing), ``pdf``.
    """

    html: Path
    pdf: pages.PdfOutcome
    seconds: dict[str, float]


# --------------------------------------------------------------------------- pure parts
def section_id(stem: str) -> str:
    """The document id of a notebook's section.

    Examples
    --------
    >>> section_id("20_ranking")
    'sec-20_ranking'
    """
    return f"sec-{stem}"


def section_title(stem: str, lang: str) -> str:
    """A notebook's section title in the report language (catalog ``front.section_<stem>``)."""
    return t(f"front.section_{stem}", lang)


def _is_target(tier: pd.Series, tiers: Sequence[str]) -> pd.Series:
    return tier.isin(list(tiers))


def tier_table(
    target_list: pd.DataFrame, segment_labels: Mapping[str, str], tiers: Sequence[str], not_targeted: str
) -> pd.DataFrame:
    """Customers per segment and tier, with the totals.

    Parameters
    ----------
    target_list : pandas.DataFrame
        Columns ``segment`` (id) and ``tier``.
    segment_labels : mapping
        Segment id → label, in the order of ``run.yaml``.
    tiers : sequence of str
        Tier names, best first.
    not_targeted : str
        The not-targeted tier name.

    Returns
    -------
    pandas.DataFrame
        Index: the segment labels (segments of the list not in ``segment_labels`` keep
        their id) and a last row ``""`` for all segments; columns: the tiers,
        ``targets`` (their sum), ``not_targeted``, ``total``.

    Examples
    --------
    >>> tl = pd.DataFrame({"segment": ["a", "a", "b"], "tier": ["T1", "x", "T2"]})
    >>> tier_table(tl, {"a": "A", "b": "B"}, ["T1", "T2"], "x")
       T1  T2  targets  not_targeted  total
    A   1   0        1             1      2
    B   0   1        1             0      1
        1   1        2             1      3
    """
    seg = target_list["segment"].astype(object)
    order = [s for s in segment_labels if (seg == s).any()] + sorted(set(seg.dropna()) - set(segment_labels))
    counts = pd.crosstab(seg, target_list["tier"].astype(object)).reindex(index=order, fill_value=0)
    out = pd.DataFrame(index=order)
    for tier in tiers:
        out[tier] = counts[tier] if tier in counts.columns else 0
    out["targets"] = out[list(tiers)].sum(axis=1)
    out["not_targeted"] = counts[not_targeted] if not_targeted in counts.columns else 0
    out["total"] = out["targets"] + out["not_targeted"]
    out = out.astype(int)
    out.index = [segment_labels.get(s, s) for s in order]
    out.loc[""] = out.sum(axis=0)
    return out


def list_changes(
    previous: pd.DataFrame, current: pd.DataFrame, tiers: Sequence[str], not_targeted: str
) -> pd.DataFrame:
    """How each customer's place changed from last year's list to this year's.

    Parameters
    ----------
    previous, current : pandas.DataFrame
        Last year's and this year's lists: ``customer_id`` (column or index), ``tier``;
        ``current`` also ``customer_name``, ``segment``, ``score``, ``rank`` (and
        ``previous`` the same, used for a customer not on this year's list).
    tiers : sequence of str
        Tier names, best first (the same names both years).
    not_targeted : str

    Returns
    -------
    pandas.DataFrame
        One row per customer who is a target in either year, indexed by customer id:
        ``customer_name``, ``segment``, ``tier_before``, ``tier_now`` (None: not on that
        year's list), ``change`` (one of :data:`CHANGE_KINDS`), ``score``, ``rank``
        (this year's; last year's for a customer who left), ``best`` (the better of the
        two tiers' positions, 0 = first tier).

    Examples
    --------
    >>> prev = pd.DataFrame({"customer_id": ["a", "b", "c"], "tier": ["T1", "T2", "x"]})
    >>> cur = pd.DataFrame({"customer_id": ["a", "b", "c"], "tier": ["T2", "x", "T1"],
    ...                     "customer_name": ["A", "B", "C"], "segment": "s", "score": [.5, .2, .9],
    ...                     "rank": [2, 3, 1]})
    >>> list_changes(prev, cur, ["T1", "T2"], "x")["change"].to_dict()
    {'c': 'new', 'a': 'down', 'b': 'dropped'}
    """

    def by_id(frame: pd.DataFrame) -> pd.DataFrame:
        if "customer_id" in frame.columns:
            frame = frame.set_index("customer_id")
        frame = frame[~frame.index.duplicated()]
        frame.index = pd.Index(frame.index.astype(str), name="customer_id")
        return frame

    prev, cur = by_id(previous), by_id(current)
    pos = {tier: i for i, tier in enumerate(tiers)}
    before = prev["tier"].astype(object).reindex(prev.index.union(cur.index))
    now = cur["tier"].astype(object).reindex(before.index)
    b_pos = before.map(pos)
    n_pos = now.map(pos)
    involved = b_pos.notna() | n_pos.notna()
    change = pd.Series("same", index=before.index, dtype=object)
    change[n_pos.notna() & b_pos.isna()] = "new"
    change[b_pos.notna() & n_pos.isna()] = "dropped"
    change[(n_pos < b_pos).fillna(False).astype(bool)] = "up"
    change[(n_pos > b_pos).fillna(False).astype(bool)] = "down"
    cols = ["customer_name", "segment", "score", "rank"]
    facts = cur.reindex(columns=cols).reindex(before.index)
    fallback = prev.reindex(columns=cols).reindex(before.index)
    gone = change.eq("dropped")
    facts = facts.astype(object)
    facts.loc[gone | facts["customer_name"].isna(), cols] = fallback.loc[gone | facts["customer_name"].isna(), cols]
    out = pd.DataFrame(
        {
            "customer_name": facts["customer_name"],
            "segment": facts["segment"],
            "tier_before": before.where(before.notna(), None),
            "tier_now": now.where(now.notna(), None),
            "change": change,
            "score": pd.to_numeric(facts["score"], errors="coerce"),
            "rank": pd.to_numeric(facts["rank"], errors="coerce"),
            "best": pd.concat([b_pos, n_pos], axis=1).min(axis=1),
        }
    )[involved]
    return out.sort_values(["best", "score"], ascending=[True, False], kind="mergesort")


def change_counts(changes: pd.DataFrame) -> dict[str, int]:
    """Customers per kind of change (every kind of :data:`CHANGE_KINDS`, zeros included).

    Examples
    --------
    >>> change_counts(pd.DataFrame({"change": ["new", "up", "new"]}))
    {'new': 2, 'dropped': 0, 'up': 1, 'down': 0, 'same': 0}
    """
    counts = changes["change"].value_counts()
    return {kind: int(counts.get(kind, 0)) for kind in CHANGE_KINDS}


def top_changes(changes: pd.DataFrame, n: int) -> pd.DataFrame:
    """The ``n`` most important changes: customers who entered, left or changed tier,
    the best tiers first, then by score (``changes`` as :func:`list_changes` sorts it).
    """
    return changes[changes["change"].ne("same")].head(n)


# --------------------------------------------------------------------------- reading the run folder
def _read_table(run_dir: Path, name: str) -> pd.DataFrame | None:
    path = run_dir / "tables" / f"{name}.csv"
    if not path.is_file():
        return None
    return pd.read_csv(path, keep_default_na=True)


def _run_json(run_dir: Path) -> dict[str, Any]:
    path = run_dir / "run.json"
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}


def current_ranking(run_dir: str | Path, year: int) -> Any:
    """The ranking of ``year`` the run persisted (with the robustness columns when made)."""
    from prioanalysis.steps.ranking import load_result, ranking_folder

    for robust in (True, False):
        folder = ranking_folder(run_dir, year, robustness=robust)
        if folder.is_dir():
            return load_result(folder)
    return None


def previous_list(
    run_dir: str | Path, params: Params, record: Mapping[str, Any]
) -> tuple[pd.DataFrame | None, str | None]:
    """Last year's list, as the annual review used it.

    Returns
    -------
    (pandas.DataFrame or None, str or None)
        The list (``customer_id`` index, ``tier``, ...) and where it came from:
        ``"frozen"`` (the published list given to the review), ``"persisted"`` (a ranking
        of that year in the run folder), ``"recomputed"`` (from ``params/<year−1>``), or
        ``(None, None)`` when the year before has no parameters.
    """
    from prioanalysis.config.params import load_params
    from prioanalysis.inputs.frozen_list import read_frozen_list
    from prioanalysis.steps.ranking import load_result, ranking_folder, run_ranking

    year = params.run.year
    review = (record.get("parameters") or {}).get("30_annual_review") or {}
    frozen = review.get("frozen_list") or ""
    if frozen and Path(frozen).is_file():
        return read_frozen_list(frozen), "frozen"
    for robust in (False, True):
        folder = ranking_folder(run_dir, year - 1, robustness=robust)
        if folder.is_dir():
            return load_result(folder).target_list, "persisted"
    prev_dir = Path(params.directory).resolve().parent / str(year - 1)
    if not (prev_dir / "run.yaml").is_file():
        return None, None
    return run_ranking(load_params(prev_dir)).target_list, "recomputed"


def _verdict(run_dir: Path, tiers: Sequence[str], not_targeted: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    perf = _read_table(run_dir, "review_performance")
    if perf is not None and {"metric", "value", "ci_low", "ci_high"} <= set(perf.columns):
        auc = perf.set_index("metric")
        if "auc" in auc.index:
            out["auc"] = tuple(float(auc.loc["auc", c]) for c in ("value", "ci_low", "ci_high"))
    rates = _read_table(run_dir, "review_rates_by_tier")
    if rates is not None and {"tier", "rate"} <= set(rates.columns):
        r = rates.set_index("tier")["rate"]
        order = [x for x in [*tiers, not_targeted] if x in r.index]
        out["tier_rates"] = [(x, float(r[x])) for x in order]
    goals = _read_table(run_dir, "review_goals")
    if goals is not None and "status" in goals.columns:
        status = goals["status"].astype(str).str.replace(" ", "_")
        out["goals"] = {k: int(status.eq(k).sum()) for k in ("met", "close", "missed", "no_data")}
        out["goals"]["total"] = len(goals)
    rec = _read_table(run_dir, "recommendation")
    if rec is None:
        rec = _read_table(run_dir, "review_recommendation")
    if rec is not None and {"criterion", "decision"} <= set(rec.columns):
        per = rec[rec["criterion"].astype(str).ne("all criteria")]
        label = per["label"] if "label" in per.columns else per["criterion"]
        moved = per[per["decision"].astype(str).ne("keep")]
        out["weights"] = {
            "criteria": len(per),
            "changed": [(str(label[i]), float(moved.loc[i, "from"]), float(moved.loc[i, "to"])) for i in moved.index]
            if {"from", "to"} <= set(per.columns)
            else [(str(label[i]), float("nan"), float("nan")) for i in moved.index],
        }
    return out


def front_facts(run_dir: str | Path, params: Params, record: Mapping[str, Any] | None = None) -> FrontFacts:
    """Read the front page's numbers from a run folder.

    Parameters
    ----------
    run_dir : str or pathlib.Path
        The run folder (staging or published).
    params : Params
        The run's parameters.
    record : mapping, optional
        The run's ``run.json`` content; read from the folder when not given.

    Returns
    -------
    FrontFacts

    Raises
    ------
    FileNotFoundError
        The run folder holds no ranking of the year (``rankings/<year>``).
    """
    run_dir = Path(run_dir)
    record = record if record is not None else _run_json(run_dir)
    run = params.run
    tiers, nt = list(run.tiers.names), run.tiers.not_targeted
    result = current_ranking(run_dir, run.year)
    if result is None:
        raise FileNotFoundError(f"{run_dir}: no ranking of {run.year} in the run folder")
    tl = result.target_list
    labels = {k: s.label for k, s in run.segments.items()}
    counts = tier_table(tl, labels, tiers, nt)
    is_target = _is_target(tl["tier"].astype(object), tiers)
    facts = FrontFacts(
        year=run.year,
        review_year=run.year - 1,
        tiers=tiers,
        not_targeted=nt,
        tier_counts=counts,
        ranked=len(tl),
        targets=int(is_target.sum()),
        non_targets=int((~is_target).sum()),
        threshold=float(run.robustness.review_threshold),
        segment_labels=labels,
    )
    prev, source = previous_list(run_dir, params, record)
    if prev is not None:
        facts.changes, facts.previous_source = list_changes(prev, tl, tiers, nt), source
    facts.verdict = _verdict(run_dir, tiers, nt)
    excluded = getattr(result.intake, "excluded", None)  # the rows the ranking section lists as not scored
    facts.excluded = len(excluded) if excluded is not None else None
    if "completeness" in tl.columns:
        facts.imputed_targets = int((is_target & pd.to_numeric(tl["completeness"]).lt(1)).sum())
    if "p_keep_tier" in tl.columns:
        facts.flagged = int((is_target & pd.to_numeric(tl["p_keep_tier"]).lt(facts.threshold)).sum())
    unassigned: pd.DataFrame | None = None
    if "assignment_status" in tl.columns:
        unassigned = tl[is_target & tl["assignment_status"].astype(str).ne("assigned")]
    else:
        unassigned = _read_table(run_dir, "unassigned_targets")
    if unassigned is not None:
        facts.unassigned = len(unassigned)
        seg = unassigned["segment"].astype(object).map(lambda s: labels.get(s, s))
        gaps = pd.crosstab(seg, unassigned["tier"].astype(object)) if len(unassigned) else pd.DataFrame()
        rows = [(s, tier, int(gaps.loc[s, tier])) for s in gaps.index for tier in gaps.columns if gaps.loc[s, tier]]
        rank = {tier: i for i, tier in enumerate(tiers)}
        rows.sort(key=lambda r: (rank.get(r[1], len(rank)), -r[2]))
        facts.capacity_gaps = pd.DataFrame(rows, columns=["segment", "tier", "n"])
    return facts


# --------------------------------------------------------------------------- HTML
def _e(text: Any) -> str:
    return _html.escape(str(text))


def _link(stem: str, lang: str, present: set[str]) -> str:
    if stem not in present:
        return ""
    title = section_title(stem, lang)
    return f' <a class="detail" href="#{section_id(stem)}">{_e(t("front.details", lang, section=title))}</a>'


def _table(header: Sequence[str], rows: Sequence[Sequence[Any]], css: str = "") -> str:
    head = "".join(f"<th>{_e(h)}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{_e(c)}</td>" for c in row) + "</tr>" for row in rows)
    return f'<table class="keep-together {css}"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


def _files_box(run_dir: Path, record: Mapping[str, Any], lang: str, sections: Sequence[Section], pdf: bool) -> str:
    year = record.get("year", "")
    items = []
    if pdf:
        items.append((REPORT_PDF, t("front.file_pdf", lang)))
    for name, key in ((f"deck_{year}.pptx", "front.file_deck"), (f"target_list_{year}.xlsx", "front.file_workbook")):
        if (run_dir / name).is_file():
            items.append((name, t(key, lang)))
    for s in sections:
        if (run_dir / f"{s.stem}.html").is_file():
            items.append((f"{s.stem}.html", t("front.file_section", lang, section=section_title(s.stem, lang))))
    lis = "".join(f'<li><a href="{_e(name)}">{_e(text)}</a></li>' for name, text in items)
    return (
        f'<div class="open-first"><h2 id="open-first">{_e(t("front.open_first_heading", lang))}</h2>'
        f"<p>{_e(t('front.open_first', lang))}</p><ul>{lis}</ul></div>"
    )


def front_page(
    facts: FrontFacts,
    lang: str,
    *,
    title: str,
    present: set[str],
    top_n: int,
    files_box: str = "",
    run_date: str = "",
) -> str:
    """The front page of the annual report (HTML fragment).

    Parameters
    ----------
    facts : FrontFacts
    lang : {"zh", "en"}
    title : str
        The report title (``run.yaml`` ``report.title``).
    present : set of str
        The notebooks whose sections the document holds (the links go to them).
    top_n : int
        Rows of the table of the main changes (``report.top_n``).
    files_box : str
        HTML of the "open first" box.
    run_date : str
        When the run started (shown under the title).

    Returns
    -------
    str
    """
    n = facts.tier_counts.loc[""]
    tier_words = t("front.list_sep", lang).join(
        t("front.tier_count", lang, tier=tier, n=number(int(n[tier]), lang)) for tier in facts.tiers
    )
    parts = [
        f'<header class="front"><h1 class="doc-title">{_e(title)}</h1>',
        f'<p class="subtitle">{_e(t("front.subtitle", lang, year=facts.year, date=run_date))}</p>',
        files_box,
        f'<h2 id="decided">{_e(t("front.decided_heading", lang))}</h2>',
        "<p><strong>"
        + _e(
            t(
                "front.decided",
                lang,
                ranked=number(facts.ranked, lang),
                targets=number(facts.targets, lang),
                tiers=tier_words,
                non_targets=number(facts.non_targets, lang),
            )
        )
        + "</strong>"
        + _link(_DETAIL["decided"], lang, present)
        + "</p>",
    ]
    header = [
        t("front.col_segment", lang),
        *facts.tiers,
        t("front.col_targets", lang),
        facts.not_targeted,
        t("front.col_total", lang),
    ]
    rows = []
    for label, row in facts.tier_counts.iterrows():
        rows.append(
            [label or t("front.row_total", lang)]
            + [number(int(row[c]), lang) for c in [*facts.tiers, "targets", "not_targeted", "total"]]
        )
    parts.append(_table(header, rows, "tier-counts"))

    # the changes from last year
    parts.append(f'<h2 id="changes">{_e(t("front.changes_heading", lang))}</h2>')
    if facts.changes is None:
        parts.append(f"<p>{_e(t('front.changes_none', lang))}</p>")
    else:
        c = change_counts(facts.changes)
        prev_year = facts.year - 1
        parts.append(
            "<p><strong>"
            + _e(t("front.changes", lang, prev_year=prev_year, **{k: number(v, lang) for k, v in c.items()}))
            + "</strong> "
            + _e(t(f"front.changes_source_{facts.previous_source}", lang, prev_year=prev_year))
            + _link(_DETAIL["changes"], lang, present)
            + "</p>"
        )
        top = top_changes(facts.changes, top_n)
        if len(top):
            moved = number(sum(c.values()) - c["same"], lang)
            parts.append(f"<p>{_e(t('front.changes_top', lang, shown=len(top), total=moved))}</p>")
            head = [
                t("front.col_customer", lang),
                t("front.col_segment", lang),
                t("front.col_tier_year", lang, year=prev_year),
                t("front.col_tier_year", lang, year=facts.year),
                t("front.col_change", lang),
                t("front.col_rank", lang),
            ]
            seg_labels = facts.segment_labels
            body = [
                [
                    r.customer_name,
                    seg_labels.get(r.segment, r.segment),
                    r.tier_before if r.tier_before is not None else t("front.not_on_list", lang),
                    r.tier_now if r.tier_now is not None else t("front.not_on_list", lang),
                    t(f"front.change_{r.change}", lang),
                    number(r.rank, lang) if r.change != "dropped" and pd.notna(r.rank) else "",
                ]
                for r in top.itertuples()
            ]
            parts.append(_table(head, body, "top-changes"))

    # the review's verdict
    parts.append(f'<h2 id="verdict">{_e(t("front.verdict_heading", lang))}</h2>')
    v = facts.verdict
    items = []
    if "auc" in v:
        auc, low, high = v["auc"]
        key = "front.verdict_auc" if low > 0.5 else "front.verdict_auc_weak"
        items.append(
            t(key, lang, review_year=facts.review_year, auc=percent(auc, lang), low=f"{low:.2f}", high=f"{high:.2f}")
        )
    if "tier_rates" in v:
        rates = v["tier_rates"]
        words = t("front.list_sep", lang).join(
            t("front.tier_rate", lang, tier=tier, rate=percent(r, lang)) for tier, r in rates
        )
        ordered = all(a[1] > b[1] for a, b in itertools.pairwise(rates))
        items.append(
            t("front.verdict_tiers_ordered" if ordered else "front.verdict_tiers_unordered", lang, rates=words)
        )
    if "goals" in v:
        g = v["goals"]
        items.append(t("front.verdict_goals", lang, **{k: number(x, lang) for k, x in g.items()}))
    if "weights" in v:
        w = v["weights"]
        if w["changed"]:
            moved = t("front.list_sep", lang).join(
                t("front.weight_move", lang, criterion=name, before=percent(a, lang), after=percent(b, lang))
                for name, a, b in w["changed"]
            )
            items.append(
                t(
                    "front.verdict_weights_change",
                    lang,
                    changed=len(w["changed"]),
                    items=moved,
                    kept=w["criteria"] - len(w["changed"]),
                )
            )
        else:
            items.append(t("front.verdict_weights_keep", lang, n=w["criteria"]))
    if items:
        parts.append(
            "<ul class='verdict'>" + "".join(f"<li>{_e(x)}</li>" for x in items) + "</ul>"
            f"<p>{_link(_DETAIL['verdict'], lang, present).strip()}</p>"
        )
    else:
        parts.append(f"<p>{_e(t('front.verdict_none', lang))}</p>")

    # the risks
    parts.append(f'<h2 id="risks">{_e(t("front.risks_heading", lang))}</h2><ul class="risks">')
    if facts.excluded is not None:
        parts.append(
            "<li>"
            + _e(
                t(
                    "front.risk_data",
                    lang,
                    excluded=number(facts.excluded, lang),
                    imputed=number(facts.imputed_targets or 0, lang),
                    targets=number(facts.targets, lang),
                )
            )
            + _link(_DETAIL["data"], lang, present)
            + "</li>"
        )
    if facts.flagged is not None:
        parts.append(
            "<li>"
            + _e(
                t(
                    "front.risk_robust",
                    lang,
                    flagged=number(facts.flagged, lang),
                    targets=number(facts.targets, lang),
                    threshold=percent(facts.threshold, lang),
                )
            )
            + _link(_DETAIL["robust"], lang, present)
            + "</li>"
        )
    else:
        parts.append(f"<li>{_e(t('front.risk_robust_none', lang))}</li>")
    if facts.unassigned is None:
        parts.append(f"<li>{_e(t('front.risk_owners_none', lang))}</li>")
    elif facts.unassigned == 0:
        parts.append(f"<li>{_e(t('front.risk_owners_all', lang))}{_link(_DETAIL['owners'], lang, present)}</li>")
    else:
        gaps = (
            facts.capacity_gaps if facts.capacity_gaps is not None else pd.DataFrame(columns=["segment", "tier", "n"])
        )
        words = t("front.list_sep", lang).join(
            t("front.capacity_gap", lang, segment=r.segment, tier=r.tier, n=number(r.n, lang))
            for r in gaps.itertuples()
        )
        parts.append(
            "<li>"
            + _e(t("front.risk_owners", lang, unassigned=number(facts.unassigned, lang), gaps=words))
            + _link(_DETAIL["owners"], lang, present)
            + "</li>"
        )
    parts.append("</ul></header>")
    return "\n".join(parts)


def _section_headings(body: str) -> list[tuple[str, str]]:
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(body, "html.parser")
    return [(str(h["id"]), h.get_text(" ", strip=True)) for h in soup.find_all("h2") if h.get("id")]


def table_of_contents(sections: Sequence[tuple[Section, str]], lang: str) -> str:
    """The table of contents: a link per section and per second-level heading in it.

    Parameters
    ----------
    sections : sequence of (Section, str)
        Each section with its cleaned body (ids already prefixed).
    lang : {"zh", "en"}
    """
    items = []
    for section, body in sections:
        title = section_title(section.stem, lang)
        if section.status != "succeeded":
            title = f"{title} {t('front.section_failed', lang)}"
        subs = "".join(f'<li><a href="#{_e(i)}">{_e(text)}</a></li>' for i, text in _section_headings(body))
        items.append(
            f'<li><a href="#{section_id(section.stem)}">{_e(title)}</a>'
            + (f"<ol>{subs}</ol>" if subs else "")
            + "</li>"
        )
    return f'<nav class="toc"><h2 id="contents">{_e(t("front.toc_heading", lang))}</h2><ol>{"".join(items)}</ol></nav>'


_FRONT_CSS = """
header.front .subtitle { color: var(--muted); margin-top: -0.4em; }
.open-first { border: 1px solid var(--rule); border-left: 4px solid var(--accent); background: var(--band);
              padding: 4px 16px 8px; margin: 12px 0 8px; }
.open-first h2 { border: 0; margin-top: 0.4em; font-size: 1.15rem; }
a.detail { white-space: nowrap; font-size: 0.9em; margin-left: 0.4em; }
table.tier-counts td:not(:first-child), table.tier-counts th:not(:first-child) { text-align: right; }
table.tier-counts tbody tr:last-child td { font-weight: 600; border-top: 2px solid #bcccdc; }
nav.toc { break-before: page; page-break-before: always; }
nav.toc ol { line-height: 1.7; }
nav.toc ol ol { font-size: 0.92em; }
"""


@dataclass
class _Parts:
    sections: list[tuple[Section, str]]
    facts: FrontFacts
    record: Mapping[str, Any]


def _parts(run_dir: Path, params: Params, record: Mapping[str, Any] | None) -> _Parts:
    record = record if record is not None else _run_json(run_dir)
    sections = [
        Section(Path(nb["notebook"]).stem, str(nb.get("status", "")), run_dir / nb["notebook"])
        for nb in record.get("notebooks", [])
        if (run_dir / nb["notebook"]).is_file()
    ]
    bodies = [(s, pages.clean_body(pages.notebook_body(s.notebook), prefix=f"{section_id(s.stem)}-")) for s in sections]
    return _Parts(bodies, front_facts(run_dir, params, record), record)


def _render(run_dir: Path, params: Params, parts: _Parts, pdf_link: bool) -> str:
    lang = params.run.report.language
    present = {s.stem for s, _ in parts.sections}
    title = params.run.report.title
    front = front_page(
        parts.facts,
        lang,
        title=title,
        present=present,
        top_n=params.run.report.top_n,
        files_box=_files_box(run_dir, parts.record, lang, [s for s, _ in parts.sections], pdf_link),
        run_date=str(parts.record.get("started", ""))[:10],
    )
    toc = table_of_contents(parts.sections, lang)
    secs = "".join(
        f'<section class="report-section" id="{section_id(s.stem)}">{body}</section>' for s, body in parts.sections
    )
    return pages.document(front + toc + secs, title, lang, extra_css=_FRONT_CSS)


def assemble(
    run_dir: str | Path,
    params: Params,
    *,
    record: Mapping[str, Any] | None = None,
    pdf_link: bool = True,
) -> tuple[str, FrontFacts]:
    """The whole annual report as one HTML document.

    Parameters
    ----------
    run_dir : str or pathlib.Path
        The run folder.
    params : Params
    record : mapping, optional
        ``run.json`` content (read from the folder when not given).
    pdf_link : bool
        List ``report.pdf`` among the run's files.

    Returns
    -------
    (str, FrontFacts)
        The document and the front page's numbers.
    """
    parts = _parts(Path(run_dir), params, record)
    return _render(Path(run_dir), params, parts, pdf_link), parts.facts


def write_annual_report(
    run_dir: str | Path, params: Params, *, record: Mapping[str, Any] | None = None, pdf: bool = True
) -> AnnualReport:
    """Write ``report.html`` (and ``report.pdf``) into the run folder.

    The PDF is printed from the HTML with WeasyPrint; when it cannot be made (its system
    libraries are missing) the HTML is written without the link to it and the outcome
    says why.

    Returns
    -------
    AnnualReport
    """
    run_dir = Path(run_dir)
    t0 = time.perf_counter()
    parts = _parts(run_dir, params, record)
    t1 = time.perf_counter()
    html_path = run_dir / REPORT_HTML
    html_path.write_text(_render(run_dir, params, parts, pdf), encoding="utf-8")
    t2 = time.perf_counter()
    if pdf:
        outcome = pages.write_pdf(html_path, run_dir / REPORT_PDF)
        if outcome.path is None:  # no PDF: the page must not point to it
            html_path.write_text(_render(run_dir, params, parts, False), encoding="utf-8")
    else:
        outcome = pages.PdfOutcome(None, "not asked for", 0, 0.0)
    seconds = {"read": round(t1 - t0, 2), "html": round(t2 - t1, 2), "pdf": round(time.perf_counter() - t2, 2)}
    return AnnualReport(html_path, outcome, seconds)
