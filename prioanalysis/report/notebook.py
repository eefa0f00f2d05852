"""Helpers the notebooks use to show results to leadership.

Notebooks call, show and explain; the few things they need to do that — validate
their parameters, format tables, put the answer above a figure and save it — live
here so that they are tested once. Each notebook's one setup call and one
table-writing call are in the notebook registry (:mod:`prioanalysis.app.registry`),
which validates the ranking notebooks' parameters with
:func:`validate_ranking_parameters`.
"""

from __future__ import annotations

import html
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from prioanalysis.config.decisions import with_decisions
from prioanalysis.config.params import Params, load_params
from prioanalysis.errors import ParamsError

__all__ = [
    "heading",
    "say",
    "table",
    "validate_ranking_parameters",
    "format_table",
    "show",
    "safe_markdown",
    "show_figure",
    "criteria_table",
    "choices_table",
    "headline",
    "ahp_vs_criteria",
]


def validate_ranking_parameters(year: int, params_dir: str, input_path: str = "", output_dir: str = "") -> Params:
    """Validate the ranking notebook's parameters and load the parameter files.

    Parameters
    ----------
    year : int
        Must equal ``year`` in ``run.yaml``.
    params_dir : str
        ``params/<year>`` folder.
    input_path : str
        Empty, or an existing preliminary-list file overriding ``run.yaml``.
    output_dir : str
        Empty (show only, write nothing) or the run folder to write into.

    Returns
    -------
    Params

    Raises
    ------
    ParamsError
        Wrong types, a year that does not match, a missing file or folder.
    """
    if not isinstance(year, int) or isinstance(year, bool):
        raise ParamsError(f"parameter 'year': expected an integer year (got {year!r})")
    for name, value in (("params_dir", params_dir), ("input_path", input_path), ("output_dir", output_dir)):
        if not isinstance(value, str):
            raise ParamsError(f"parameter '{name}': expected text (got {value!r})")
    params = with_decisions(load_params(params_dir))  # the year's decisions.yaml applies in the cycle
    if params.run.year != year:
        raise ParamsError(f"parameter 'year' is {year} but {params.run_path} is for {params.run.year}")
    if input_path and not Path(input_path).is_file():
        raise ParamsError(f"parameter 'input_path': file not found: {input_path}")
    if output_dir and not Path(output_dir).is_dir():
        raise ParamsError(f"parameter 'output_dir': folder not found: {output_dir}")
    return params


def format_table(
    frame: pd.DataFrame,
    percent: tuple[str, ...] = (),
    decimals: Mapping[str, int] | None = None,
    index: bool = False,
) -> Any:
    """A pandas Styler for leadership: formatted numbers, no index, escaped text.

    Text is HTML-escaped — cells, column headers and index labels — so customer
    names and tier names (``<b>战略</b>``) can never inject markup into a report.
    """
    fmt: dict[str, Any] = {}
    for col in frame.columns:
        if col in percent:
            fmt[col] = "{:.0%}"
        elif decimals and col in decimals:
            fmt[col] = f"{{:,.{decimals[col]}f}}"
        elif pd.api.types.is_float_dtype(frame[col]):
            fmt[col] = "{:,.3f}"
    styler = frame.style.format(fmt, na_rep="—", escape="html")
    styler = styler.format_index(escape="html", axis=1).format_index(escape="html", axis=0)
    if not index:
        styler = styler.hide(axis="index")
    return styler


def safe_markdown(text: str) -> str:
    """Escape ``&``, ``<`` and ``>`` so that text from the data (customer names) can
    never inject HTML into a report; Markdown emphasis still works.

    Examples
    --------
    >>> safe_markdown("**<script>alert(1)</script> & Co**")
    '**&lt;script&gt;alert(1)&lt;/script&gt; &amp; Co**'
    """
    return html.escape(text, quote=False)


def show(obj: Any) -> None:
    """Display an object (table, or Markdown text — HTML-escaped, see
    :func:`safe_markdown`) in the notebook.
    """
    from IPython.display import Markdown, display

    display(Markdown(safe_markdown(obj)) if isinstance(obj, str) else obj)


def show_figure(result: Any, name: str, output_dir: str = "") -> None:
    """Show the answer sentence, then the figure; save PNG, SVG and CSV when
    ``output_dir`` is set; close the figure.
    """
    import io

    import matplotlib.pyplot as plt
    from IPython.display import Image, Markdown, display

    from prioanalysis.report.figures import save_figure

    display(Markdown(f"**{safe_markdown(result.answer)}**"))
    # rendered explicitly, so the figure shows whatever matplotlib backend is active
    buf = io.BytesIO()
    result.figure.savefig(buf, format="png", metadata={"Software": None})
    display(Image(data=buf.getvalue(), format="png"))
    if output_dir:
        save_figure(result, name, Path(output_dir) / "figures")
    plt.close(result.figure)


def criteria_table(params: Params) -> pd.DataFrame:
    """The criteria with their family, direction, weights and policies."""
    crit = params.criteria
    gw = crit.global_weights()
    return pd.DataFrame(
        {
            "criterion": [c.id for c in crit.criteria],
            "label": [c.label for c in crit.criteria],
            "family": [c.family for c in crit.criteria],
            "direction": [c.direction for c in crit.criteria],
            "weight_in_family": [c.weight if crit.family_weights else None for c in crit.criteria],
            "global_weight": [gw[c.id] for c in crit.criteria],
            "transform": [
                c.transform + (f", winsorise {c.winsorize[0]:g}–{c.winsorize[1]:g}" if c.winsorize else "")
                for c in crit.criteria
            ],
            "scale": [c.scale or "" for c in crit.criteria],
            "normalization": [crit.normalization(c) for c in crit.criteria],
            "missing_policy": [crit.policy(c) for c in crit.criteria],
        }
    )


def choices_table(choices: Mapping[str, Any]) -> pd.DataFrame:
    """A record of method choices as a two-column table (choice, value), ids as they
    are: for the run folder's tables. The ranking report shows
    :func:`method_choices_table` (names and values in words) instead.
    """
    rows = []
    for key, value in choices.items():
        if isinstance(value, Mapping) and len(set(map(str, value.values()))) == 1 and len(value) > 1:
            value = f"{next(iter(value.values()))} (all criteria)"
        rows.append({"choice": key, "value": str(value)})
    return pd.DataFrame(rows)


def headline(target_list: pd.DataFrame, tier_names: list[str], not_targeted: str, lang: str = "en") -> str:
    """One sentence summarising the list: how many customers, targets, per tier
    (the counts of :func:`list_counts`, so they add up).
    """
    from prioanalysis.report.i18n import t

    c = list_counts(target_list, tier_names, not_targeted)
    sep = t("choice.list_sep", lang)
    per_tier = sep.join(t("ranking.tier_count", lang, tier=name, n=c["tiers"][name]) for name in tier_names)
    return t(
        "ranking.headline",
        lang,
        scored=c["scored"],
        targets=c["targets"],
        per_tier=per_tier,
        non_targets=c["non_targets"],
        not_targeted=not_targeted,
    )


def ahp_vs_criteria(ahp_weights: pd.Series, params: Params) -> pd.DataFrame:
    """The judges' combined AHP weights next to the global weights of criteria.yaml.

    Returns
    -------
    pandas.DataFrame
        Columns ``criterion``, ``label``, ``ahp_group``, ``criteria_yaml``,
        ``difference`` (AHP minus file), in the file's criterion order.
    """
    gw = pd.Series(params.criteria.global_weights())
    ids = list(gw.index)
    ahp = ahp_weights.reindex(ids)
    return pd.DataFrame(
        {
            "criterion": ids,
            "label": [params.criteria.by_id(c).label for c in ids],
            "ahp_group": ahp.to_numpy(),
            "criteria_yaml": gw.to_numpy(),
            "difference": (ahp - gw).to_numpy(),
        }
    )


# --------------------------------------------------------------------------- in the reader's language
def heading(key: str, lang: str, level: int = 2, **fields: Any) -> None:
    """Show the catalog message ``key`` as a Markdown heading of ``level`` (1–4).

    Headings are output, not Markdown cells, so they follow ``report.language``; the
    report's table of contents is built from them.
    """
    from prioanalysis.report.i18n import t

    if not 1 <= level <= 4:
        raise ValueError(f"heading level must be 1–4 (got {level})")
    show("#" * level + " " + t(key, lang, **fields))


def say(key: str, lang: str, /, *, bold: bool = False, **fields: Any) -> None:
    """Show the catalog message ``key`` (Markdown; the filled-in values are escaped)."""
    from prioanalysis.report.i18n import t

    text = t(key, lang, **fields)
    show(f"**{text}**" if bold else text)


def table(
    frame: pd.DataFrame,
    lang: str,
    *,
    keep: tuple[str, ...] = (),
    percent: tuple[str, ...] = (),
    decimals: Mapping[str, int] | None = None,
    limit: int | None = None,
    full_list: str = "",
    index: bool = False,
) -> Any:
    """A table for the reader: headers in the report's language, formatted numbers and,
    when it is shortened, a line saying so.

    Parameters
    ----------
    frame : pandas.DataFrame
        Columns named by their ids; each id ``c`` must have a ``col.<c>`` catalog entry
        unless it is in ``keep``.
    lang : {"zh", "en"}
        Report language.
    keep : tuple of str
        Columns whose names already are reader text (a tier name, a segment label).
    percent, decimals
        As in :func:`format_table` (column ids).
    limit : int, optional
        Show the first ``limit`` rows; a shortened table is preceded by the catalog's
        "N of M shown" line and, when ``full_list`` is given, where the full list is.
    full_list : str
        Reader text naming where the full list is (e.g. the workbook's sheet).
    index : bool
        Show the index.

    Returns
    -------
    pandas.io.formats.style.Styler
    """
    from prioanalysis.report import i18n

    total = len(frame)
    if limit is not None and total > limit:
        if full_list:
            note = i18n.t("common.shown_of_where", lang, shown=limit, total=total, where=full_list)
        else:
            note = i18n.t("common.shown_of", lang, shown=limit, total=total)
        show(f"*{note}*")
        frame = frame.head(limit)
    shown_cols = i18n.columns(frame, lang, keep=keep)
    names = dict(zip(frame.columns, shown_cols.columns, strict=True))
    return format_table(
        shown_cols,
        percent=tuple(names[c] for c in percent if c in names),
        decimals={names[c]: d for c, d in (decimals or {}).items() if c in names},
        index=index,
    )


# --------------------------------------------------------------------------- the ranking reports' tables
#: The not-targeted reason the tier rule writes into the target list (steps/ranking.py).
BELOW_CUTOFF = "below the tier cut-off"
_EXCLUDED_PREFIXES = {
    "proposed by several segments": "claim_not_kept",
    "data completeness below": "incomplete",
}


def list_counts(
    target_list: pd.DataFrame, tier_names: list[str], not_targeted: str, threshold: float | None = None
) -> dict[str, Any]:
    """The counts of a target list, defined once so that every report agrees.

    Parameters
    ----------
    target_list : pandas.DataFrame
        One row per scored customer (``tier``; ``p_keep_tier`` for the review count).
    tier_names : list of str
        The tiers (targets), best first.
    not_targeted : str
        The name of the non-targets.
    threshold : float, optional
        ``robustness.review_threshold``: targets keeping their tier with a probability
        below it are counted as ``review``.

    Returns
    -------
    dict
        ``scored`` (every row), ``targets`` (rows in a tier), ``non_targets``,
        ``tiers`` (tier → count); with ``threshold`` and a ``p_keep_tier`` column also
        ``review`` (targets below the threshold) and ``stable`` (the other targets).
        ``targets + non_targets == scored``, ``sum(tiers) == targets`` and
        ``review + stable == targets``.

    Raises
    ------
    ValueError
        A tier that is neither a tier name nor ``not_targeted``.

    Examples
    --------
    >>> tl = pd.DataFrame({"tier": ["A", "B", "-", "A"], "p_keep_tier": [0.9, 0.5, 0.1, 0.8]})
    >>> c = list_counts(tl, ["A", "B"], "-", 0.8)
    >>> c["scored"], c["targets"], c["non_targets"], c["tiers"], c["review"], c["stable"]
    (4, 3, 1, {'A': 2, 'B': 1}, 1, 2)
    """
    tier = target_list["tier"]
    unknown = sorted(set(map(str, tier.dropna())) - {*map(str, tier_names), str(not_targeted)})
    if unknown or tier.isna().any():
        raise ValueError(f"tiers not in the tier names: {', '.join(unknown) or 'missing'}")
    counts = tier.value_counts()
    tiers = {name: int(counts.get(name, 0)) for name in tier_names}
    out: dict[str, Any] = {
        "scored": len(target_list),
        "targets": sum(tiers.values()),
        "non_targets": int(counts.get(not_targeted, 0)),
        "tiers": tiers,
    }
    if threshold is not None and "p_keep_tier" in target_list.columns:
        in_tier = target_list["p_keep_tier"][tier.isin(tier_names)]
        out["stable"] = int((in_tier >= threshold).sum())
        out["review"] = out["targets"] - out["stable"]
    return out


def reason_text(reasons: pd.Series, lang: str) -> pd.Series:
    """The not-targeted reasons of the target list in the reader's language.

    The tier rule's reason ("below the tier cut-off") becomes ``reason.below_cutoff``;
    the screening gates' reasons (``run.yaml`` ``gates: reason``, several joined by
    ``; ``) and decisions' reasons are the business's own words and stay as written;
    an empty reason (a target) stays empty.
    """
    from prioanalysis.report.i18n import t

    below = t("reason.below_cutoff", lang)
    return reasons.map(lambda r: below if r == BELOW_CUTOFF else r)


def excluded_reasons(excluded: pd.DataFrame, params: Params, lang: str) -> pd.DataFrame:
    """Rows of the preliminary list that were not scored, counted by reason.

    Returns
    -------
    pandas.DataFrame
        ``reason`` (in ``lang``) and ``rows``, most frequent first.

    Raises
    ------
    ValueError
        A reason this function does not know (so the report never shows untranslated text).
    """
    from prioanalysis.report.i18n import t

    it = params.run.intake
    fields = {
        "claim_not_kept": {},
        "incomplete": {"share": f"{it.min_completeness:.0%}"},
    }

    def word(reason: str) -> str:
        for prefix, key in _EXCLUDED_PREFIXES.items():
            if str(reason).startswith(prefix):
                return t(f"reason.{key}", lang, **fields[key])
        raise ValueError(f"no translation for the exclusion reason {reason!r} (add it to report/notebook.py)")

    if excluded.empty:
        return pd.DataFrame({"reason": pd.Series(dtype=object), "rows": pd.Series(dtype=int)})
    words = excluded["reason"].map(word)
    out = words.value_counts(sort=False).rename("rows").rename_axis("reason").reset_index()
    return out.sort_values(["rows", "reason"], ascending=[False, True], kind="stable").reset_index(drop=True)


def tier_segment_table(tier_by_segment: pd.DataFrame, params: Params, lang: str) -> pd.DataFrame:
    """Customers per segment and tier, with the targets, the customers scored and a total row.

    Parameters
    ----------
    tier_by_segment : pandas.DataFrame
        Segment ids × tiers (the ranking's ``summary["tier_by_segment"]``).

    Returns
    -------
    pandas.DataFrame
        ``segment`` (label; the last row is the total), one column per tier and the
        not-targeted name, ``targets`` and ``total``; each row adds up.
    """
    from prioanalysis.report.i18n import t

    tiers = params.run.tiers
    labels = {k: v.label for k, v in params.run.segments.items()}
    cols = [*tiers.names, tiers.not_targeted]
    tbl = tier_by_segment.reindex(columns=cols, fill_value=0).astype(int)
    tbl.columns = [str(c) for c in tbl.columns]
    tbl["targets"] = tbl[list(tiers.names)].sum(axis=1)
    tbl["total"] = tbl["targets"] + tbl[tiers.not_targeted]
    tbl.loc["__total__"] = tbl.sum()
    out = tbl.reset_index(drop=True)
    out.insert(0, "segment", [labels.get(s, s) for s in tbl.index[:-1]] + [t("ranking.total_row", lang)])
    return out


def tier_rules(params: Params, lang: str) -> pd.DataFrame:
    """How each tier is cut, in words: ``tier`` and ``rule`` (the not-targeted last)."""
    from prioanalysis.report.i18n import t

    tiers = params.run.tiers
    rows = []
    if tiers.scheme == "quota" and tiers.quota is not None:
        q = tiers.quota
        done = 0.0
        for name, v in zip(tiers.names, q.values, strict=True):
            if q.kind == "share" and done == 0:
                rule = t(f"ranking.rule_share_{q.by}_first", lang, end=f"{v:.0%}")
            elif q.kind == "share":
                rule = t(f"ranking.rule_share_{q.by}", lang, start=f"{done:.0%}", end=f"{done + v:.0%}")
            else:
                rule = t(f"ranking.rule_count_{q.by}", lang, start=int(done) + 1, end=int(done + v))
            done += v
            rows.append({"tier": name, "rule": rule})
    else:
        for name, v in zip(tiers.names, tiers.thresholds or [], strict=True):
            rows.append({"tier": name, "rule": t("ranking.rule_threshold", lang, min=f"{v:g}")})
    rows.append({"tier": tiers.not_targeted, "rule": t("ranking.rule_not_targeted", lang)})
    return pd.DataFrame(rows)


def grade_definitions(params: Params, lang: str) -> pd.DataFrame:
    """The urgency grades A–E, defined: ``grade`` and ``definition``."""
    from prioanalysis.methods.grades import GRADES, TIMED_GRADES
    from prioanalysis.report.i18n import t

    months = dict(params.run.grades.months)
    rows = []
    for g in GRADES:
        if g in TIMED_GRADES:
            text = t("ranking.grade_timed", lang, months=f"{months[g]:g}")  # type: ignore[index]
        else:
            text = t(f"ranking.grade_{g}", lang)
        rows.append({"grade": g, "definition": text})
    return pd.DataFrame(rows)


_QUADRANTS = ("important_urgent", "important_not_urgent", "other_urgent", "other_not_urgent", "not_targeted")


def quadrant_table(quadrants: pd.DataFrame, params: Params, lang: str) -> pd.DataFrame:
    """The priority matrix's quadrants, defined: ``quadrant`` (label), ``definition``,
    ``customers`` and ``action`` (labels and actions as ``run.yaml`` words them).

    Parameters
    ----------
    quadrants : pandas.DataFrame
        The ranking's ``summary["quadrants"]`` (index: quadrant label; ``customers``).
    """
    from prioanalysis.report.i18n import t

    pm, tiers = params.run.priority_matrix, params.run.tiers
    sep = t("choice.list_sep", lang)
    important = sep.join(pm.important_tiers)
    other = sep.join(x for x in tiers.names if x not in pm.important_tiers) or t("common.none", lang)
    urgent = sep.join(pm.urgent_grades)
    fields = {"important": important, "other": other, "urgent": urgent, "not_targeted": tiers.not_targeted}
    counts = quadrants["customers"] if "customers" in quadrants.columns else pd.Series(dtype=int)
    rows = []
    for key in _QUADRANTS:
        q = getattr(pm, key)
        rows.append(
            {
                "quadrant": q.label,
                "definition": t(f"ranking.quadrant_{key}", lang, **fields),
                "customers": int(counts.get(q.label, 0)),
                "action": q.action,
            }
        )
    return pd.DataFrame(rows)


def criteria_overview(params: Params, lang: str) -> pd.DataFrame:
    """The criteria for the reader: ``label``, ``family``, ``direction``,
    ``weight_in_family`` (when the criteria have families), ``global_weight``,
    ``transform`` and ``missing_policy``, values in words.
    """
    from prioanalysis.report.i18n import t

    crit = params.criteria
    gw = crit.global_weights()

    def transform(c: Any) -> str:
        parts = [t(f"choice.transform.{c.transform}", lang)]
        if c.winsorize:
            low, high = c.winsorize
            capped = t("choice.winsorize", lang, low=f"{low:.0%}", high=f"{high:.0%}")
            parts = [capped] if c.transform == "none" else [*parts, capped]
        return t("choice.part_sep", lang).join(parts)

    out = pd.DataFrame(
        {
            "label": [c.label for c in crit.criteria],
            "family": [t(f"choice.family.{c.family}", lang) for c in crit.criteria],
            "direction": [t(f"choice.direction.{c.direction}", lang) for c in crit.criteria],
            "weight_in_family": [c.weight for c in crit.criteria],
            "global_weight": [gw[c.id] for c in crit.criteria],
            "transform": [transform(c) for c in crit.criteria],
            "missing_policy": [t(f"choice.policy.{crit.policy(c)}", lang) for c in crit.criteria],
        }
    )
    return out if crit.family_weights else out.drop(columns="weight_in_family")


def completeness_table(completeness_by_criterion: pd.DataFrame, lang: str) -> pd.DataFrame:
    """The data-quality table per criterion for the reader: ``label``, ``family``,
    ``missing``, ``completeness``, ``missing_policy`` and ``imputed_in_scored``.
    """
    from prioanalysis.report.i18n import t

    d = completeness_by_criterion
    out = pd.DataFrame(
        {
            "label": d["label"],
            "family": [t(f"choice.family.{f}", lang) for f in d["family"]],
            "missing": d["missing"].astype(int),
            "completeness": d["completeness"],
            "missing_policy": [t(f"choice.policy.{p}", lang) for p in d["missing_policy"]],
        }
    )
    if "imputed_in_scored" in d.columns:
        out["imputed_in_scored"] = d["imputed_in_scored"].astype(int)
    return out.reset_index(drop=True)


def claims_by_customer(claims: pd.DataFrame, params: Params, lang: str) -> pd.DataFrame:
    """The customers proposed by several segments, one row each: ``customer_name``,
    ``proposed_by`` (segment labels), ``kept_segment`` (label) and ``conflicts`` (the
    facts their claims disagree on; the column is left out when every claim agrees).
    """
    from prioanalysis.report.i18n import t

    it = params.run.intake
    labels = {k: v.label for k, v in params.run.segments.items()}
    sep = t("choice.list_sep", lang)
    if claims.empty:
        return pd.DataFrame(columns=["customer_name", "proposed_by", "kept_segment", "conflicts"])
    order = {s: i for i, s in enumerate(params.run.segments)}
    rows = []
    for _, g in claims.groupby(it.id_column, sort=False):
        segs = sorted(g[it.segment_column].astype(str), key=lambda s: order.get(s, len(order)))
        kept = str(g["kept_segment"].iloc[0])
        conflicts = g["conflicts"].iloc[0] if "conflicts" in g.columns else ""
        rows.append(
            {
                "customer_name": g[it.name_column].iloc[0],
                "proposed_by": sep.join(labels.get(s, s) for s in segs),
                "kept_segment": labels.get(kept, kept),
                "conflicts": conflicts if isinstance(conflicts, str) else "",
            }
        )
    out = pd.DataFrame(rows)
    return out if (out["conflicts"] != "").any() else out.drop(columns="conflicts")


def top_targets(target_list: pd.DataFrame, params: Params, n: int) -> pd.DataFrame:
    """The ``n`` highest-ranked target customers (non-targets left out), segment by label."""
    tiers = params.run.tiers
    labels = {k: v.label for k, v in params.run.segments.items()}
    top = target_list[target_list["tier"].isin(tiers.names)].head(n)
    return top.assign(segment=top["segment"].map(labels).fillna(top["segment"])).reset_index(drop=True)


def _join_labels(ids: Any, params: Params, lang: str) -> str:
    from prioanalysis.report.i18n import t

    crit = params.criteria
    by_source = {c.source: c.label for c in crit.criteria}
    by_id = {c.id: c.label for c in crit.criteria}
    return t("choice.list_sep", lang).join(by_id.get(str(i), by_source.get(str(i), str(i))) for i in ids)


def _per_criterion(values: Mapping[str, str], params: Params, lang: str, kind: str) -> str:
    """A per-criterion setting in words: "all criteria: x", or the most common value
    for "the other criteria" and the exceptions by label.
    """
    from prioanalysis.report.i18n import t

    if not values:
        return t("common.none", lang)
    counts = pd.Series(list(values.values())).value_counts(sort=False)
    common = str(counts.idxmax())
    if len(counts) == 1:
        return t("choice.all_criteria", lang, value=t(f"choice.{kind}.{common}", lang))
    parts = []
    for v in dict.fromkeys(values.values()):
        if v == common:
            continue
        ids = [c for c, x in values.items() if x == v]
        parts.append(t("choice.pair", lang, name=_join_labels(ids, params, lang), value=t(f"choice.{kind}.{v}", lang)))
    parts.append(t("choice.pair", lang, name=t("choice.others", lang), value=t(f"choice.{kind}.{common}", lang)))
    return t("choice.part_sep", lang).join(parts)


#: Choices of the record that the table leaves out: shown elsewhere in the reports
#: (the weights and directions in the criteria table; the robustness report shows the
#: sampler's diagnostics and its own review count, of targets only).
# year, language and segment labels: recorded so a saved ranking renders in JupyterLab (steps.display)
_NOT_SHOWN = (
    "robustness_draws",
    "robustness_flagged_review",
    "robustness_flagged_review_targets",
    "decisions_applied",
    "tier_names",
    # the record of the run, not method choices (the year and the language head the report)
    "year",
    "report_language",
    "segment_labels",
)


def method_choices_table(choices: Mapping[str, Any], params: Params, lang: str) -> pd.DataFrame:
    """Every method choice of a run in words, one row per choice: ``choice`` and ``value``.

    Parameters
    ----------
    choices : mapping
        The ranking's ``choices`` (:func:`prioanalysis.steps.ranking.method_choices`
        plus the counts the ranking adds).
    params : Params
        The run's parameters (criterion labels, the settings behind each choice).
    lang : {"zh", "en"}

    Returns
    -------
    pandas.DataFrame

    Raises
    ------
    MissingTranslation
        A choice with no ``choice.<name>`` entry in the catalog.
    """
    from prioanalysis.report.i18n import t

    crit, run = params.criteria, params.run
    sep, part = t("choice.list_sep", lang), t("choice.part_sep", lang)
    labels = {c.id: c.label for c in crit.criteria}

    def pct(v: float) -> str:
        return f"{v:.0%}"

    def gate(g: Mapping[str, Any]) -> str:
        criterion = {c.source: c.label for c in crit.criteria} | {c.id: c.label for c in crit.criteria}
        column = criterion.get(str(g["column"]))
        if column is None:  # not a criterion (e.g. the need status): the gate's reason, as run.yaml words it
            text = str(g.get("reason", g["column"]))
        elif g.get("min") is not None:
            text = t("choice.gate_min", lang, column=column, value=g["min"])
        elif g.get("max") is not None:
            text = t("choice.gate_max", lang, column=column, value=g["max"])
        else:
            text = t("choice.gate_not_in", lang, column=column, value=sep.join(map(str, g.get("not_in") or [])))
        return text + t(f"choice.gate_missing_{g.get('missing', 'pass')}", lang)

    def value(key: str, v: Any) -> str | None:
        if key in ("weights", "directions"):
            return t("choice.see_criteria_table", lang)
        if key == "scoring_method":
            return t(f"choice.method.{v}", lang)
        if key == "normalization":
            if isinstance(v, Mapping):
                return _per_criterion({str(k): str(x) for k, x in v.items()}, params, lang, "normalization")
            return t("choice.all_criteria", lang, value=t(f"choice.normalization.{v}", lang))
        if key == "family_weights":
            return sep.join(
                t("choice.share_of", lang, name=t(f"choice.family.{f}", lang), share=pct(w)) for f, w in v.items()
            )
        if key == "transforms":
            overview = criteria_overview(params, lang).set_index("label")["transform"]
            changed = {lab: txt for lab, txt in overview.items() if txt != t("choice.transform.none", lang)}
            if not changed:
                return t("choice.all_criteria", lang, value=t("choice.transform.none", lang))
            return part.join(
                [
                    *(t("choice.pair", lang, name=k, value=x) for k, x in changed.items()),
                    t("choice.pair", lang, name=t("choice.others", lang), value=t("choice.transform.none", lang)),
                ]
            )
        if key == "missing_policy":
            return _per_criterion({str(k): str(x) for k, x in v.items()}, params, lang, "policy")
        if key == "missing_policy_default":
            return t(f"choice.policy.{v}", lang)
        if key == "ordinal_scales":
            if not v:
                return t("common.none", lang)
            groups: dict[str, list[str]] = {}
            for cid, scale in v.items():
                groups.setdefault(str(scale), []).append(cid)
            out = []
            for scale, ids in groups.items():
                keys = list(crit.scales.get(scale, {}))
                span = f"{keys[0]}–{keys[-1]}" if keys else scale
                out.append(t("choice.pair", lang, name=_join_labels(ids, params, lang), value=span))
            return part.join(out)
        if key == "tie_rule":
            return t(f"choice.tie_rule.{v}", lang)
        if key == "tie_breakers":
            return _join_labels(v, params, lang) if v else t("common.none", lang)
        if key == "multi_segment_rule":
            return t(f"choice.multi_rule.{v}", lang)
        if key == "min_completeness":
            return pct(v)
        if key == "conflicting_facts":
            return t(f"choice.conflicts.{v}", lang)
        if key == "gates":
            return part.join(gate(g) for g in v) if v else t("common.none", lang)
        if key == "tier_scheme":
            return t(f"choice.scheme.{v}", lang)
        if key == "tier_quota":
            if not v:
                return None
            shown = [pct(x) if v["kind"] == "share" else f"{x:g}" for x in v["values"]]
            parts = sep.join(
                t("choice.share_of", lang, name=n, share=s) for n, s in zip(run.tiers.names, shown, strict=True)
            )
            return t(f"choice.quota_{v['kind']}_{v['by']}", lang, parts=parts)
        if key == "tier_thresholds":
            if not v:
                return None
            return sep.join(
                t("choice.share_of", lang, name=n, share=f"{x:g}") for n, x in zip(run.tiers.names, v, strict=True)
            )
        if key == "grade_months":
            return sep.join(t("choice.months_within", lang, grade=g, months=f"{m:g}") for g, m in v.items())
        if key in ("urgent_grades", "important_tiers"):
            return sep.join(map(str, v))
        if key == "robustness":
            if not v.get("enabled"):
                return t("choice.robustness_off", lang)
            return t("choice.robustness_on", lang, n_draws=f"{v['n_draws']:,}", threshold=pct(v["review_threshold"]))
        if key == "robustness_sampler":
            return t(f"choice.sampler.{v}", lang, concentration=f"{run.robustness.concentration:g}")
        if key == "assignment":
            return t(
                "choice.assignment_value",
                lang,
                mode=t(f"choice.capacity_mode.{v['capacity_mode']}", lang)
                + (
                    t(
                        "choice.service_levels",
                        lang,
                        levels=sep.join(f"{k} {x:g}" for k, x in v["service_levels"].items()),
                        unit=v.get("unit") or "",
                    )
                    if v.get("service_levels")
                    else ""
                ),
                match=t(f"choice.match.{v['match']}", lang),
                keep=f"{v['keep_existing']:g}",
                region=f"{v['region_bonus']:g}",
                assigned=sum(v["assigned"].values()),
                unassigned=sum(v["unassigned"].values()),
            )
        if key == "decisions":
            return t("choice.decisions_value", lang, n=len(v)) if v else t("common.none", lang)
        if key in ("customers_scored", "customers_excluded"):
            return f"{int(v):,}"
        if isinstance(v, (list, tuple)):
            return sep.join(labels.get(str(x), str(x)) for x in v)
        return str(v)

    rows = []
    for key, v in choices.items():
        if key in _NOT_SHOWN:
            continue
        name = t(f"choice.{key}", lang)
        text = value(key, v)
        if text is not None:
            rows.append({"choice": name, "value": text})
    return pd.DataFrame(rows)


def _policy_runs(sensitivity: pd.DataFrame) -> list[str]:
    """The runs of a missing-policy sensitivity table (``configured``, then each policy)."""
    return [
        c.removeprefix("tier_") for c in sensitivity.columns if c.startswith("tier_") and c != "tier_depends_on_policy"
    ]


def policy_columns(sensitivity: pd.DataFrame, lang: str) -> list[str]:
    """The headers of :func:`policy_tiers`' tier columns (reader text: pass them as ``keep``)."""
    from prioanalysis.report.i18n import t

    return [
        t("robustness.tier_under", lang, policy=t(f"robustness.policy_short.{r}", lang))
        for r in _policy_runs(sensitivity)
    ]


def policy_tiers(sensitivity: pd.DataFrame, params: Params, lang: str) -> pd.DataFrame:
    """The missing-value policy's effect, narrow enough for a page: per customer the
    name, segment (label), the criteria missing, its tier under each policy and the
    range of its ranks.

    Parameters
    ----------
    sensitivity : pandas.DataFrame
        :func:`prioanalysis.steps.robustness.missing_policy_sensitivity` (or some of its rows).

    Returns
    -------
    pandas.DataFrame
        ``customer_name``, ``segment``, ``missing_criteria``, one column per run headed
        by :func:`policy_columns`, ``rank_range`` (e.g. ``41–78``).
    """
    labels = {k: v.label for k, v in params.run.segments.items()}
    runs = _policy_runs(sensitivity)
    out = pd.DataFrame(
        {
            "customer_name": sensitivity["customer_name"].to_numpy(),
            "segment": [labels.get(s, s) for s in sensitivity["segment"]],
            "missing_criteria": sensitivity["missing"].to_numpy(),
        }
    )
    for run, header in zip(runs, policy_columns(sensitivity, lang), strict=True):
        out[header] = sensitivity[f"tier_{run}"].to_numpy()
    out["rank_range"] = [
        f"{int(a)}–{int(b)}" if a != b else f"{int(a)}"
        for a, b in zip(sensitivity["rank_min"], sensitivity["rank_max"], strict=True)
    ]
    return out


def whole_numbers(frame: pd.DataFrame, exclude: tuple[str, ...] = ("score", "utilisation")) -> dict[str, int]:
    """``decimals`` for :func:`table` showing every float column but ``exclude`` as a
    whole number (workloads, capacities: ``2,316`` rather than ``2,316.000``).
    """
    return {str(c): 0 for c in frame.columns if pd.api.types.is_float_dtype(frame[c]) and c not in exclude}
