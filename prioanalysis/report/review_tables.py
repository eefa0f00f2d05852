"""The calibration's and the annual review's results as the reader sees them.

:mod:`prioanalysis.steps.calibration` and :mod:`prioanalysis.steps.review` compute; the
functions here turn their tables into what notebooks ``10_criteria_calibration`` and
``30_annual_review`` show: columns named by ids that have a ``col.`` catalog entry
(:func:`prioanalysis.report.notebook.table` puts the headers in the reader's language),
enum values, criteria, segments and weight sets by their labels, the step's English
wording (reasons, rules, notes) rebuilt from the numbers in the report's language, and
wide tables split so that each fits an A4-landscape page (at most nine columns).
Every text comes from the message catalog (``catalog/calibration.yaml``,
``catalog/review.yaml``).
"""

from __future__ import annotations

import math
import re
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from prioanalysis.report.i18n import t

__all__ = [
    "slug",
    "enum",
    "join_names",
    "matrix_label",
    "judges_table",
    "consistency_table",
    "repairs_table",
    "ahp_table",
    "cv_sentence",
    "cv_table",
    "model_table",
    "weights_table",
    "notes_text",
    "temporal_tables",
    "weight_set_table",
    "candidate_weights_tables",
    "recommendation_reasons",
    "recommendation_tables",
    "recommendation_summary",
    "recommendation_rule",
    "reliability_table",
    "thresholds_table",
    "written_criteria",
    "written_weights",
    "calibration_why",
    "proposal_table",
    "sources_table",
    "coverage_table",
    "performance_table",
    "rates_table",
    "in_time_table",
    "migration_tests_table",
    "effectiveness_tables",
    "joint_model_table",
    "focus_labels",
    "focus_table",
    "missed_table",
    "inquiries_table",
    "goals_tables",
    "changes_table",
]

#: Columns at most in one shown table (fits an A4-landscape page).
MAX_COLUMNS = 9


def slug(value: Any) -> str:
    """A value as a catalog key part: lower case, words joined by ``_``.

    Examples
    --------
    >>> slug("reverse or drop"), slug("keep: joint model supports it"), slug("no data")
    ('reverse_or_drop', 'keep_joint_model_supports_it', 'no_data')
    """
    return re.sub(r"[^a-z0-9]+", "_", str(value).lower()).strip("_")


def enum(series: pd.Series | Sequence[Any], kind: str, lang: str) -> pd.Series:
    """Each value ``v`` of an enum column as ``t("<kind>.<slug(v)>")``; missing stays missing."""
    s = pd.Series(series)
    mapping = {v: t(f"{kind}.{slug(v)}", lang) for v in pd.unique(s.dropna())}
    return s.map(mapping).astype(object).where(s.notna(), None)


def join_names(names: Sequence[str], lang: str) -> str:
    """Names joined the way the language lists them (``、`` or ``, ``)."""
    return ("、" if lang == "zh" else ", ").join(map(str, names))


def _bools(series: pd.Series) -> pd.Series:
    """A column of True/False with gaps (None, NaN, NA) as objects, gaps kept as None."""
    return series.map(lambda v: None if v is None or pd.isna(v) else bool(v)).astype(object)


def _share(v: float, decimals: int = 1) -> str | None:
    """A share as text with ``decimals`` (``0.3%``; tables round shares to whole per cent)."""
    return None if pd.isna(v) else f"{float(v):.{decimals}%}"


def _amount(v: float, unit: str) -> str | None:
    """A goal's target or actual as text: a share in per cent when the unit is ``%``."""
    if pd.isna(v):
        return None
    if unit.strip() == "%":
        return f"{float(v):.1%}"
    return f"{float(v):,.0f}" if float(v).is_integer() else f"{float(v):,.2f}"


def _gap(x: float) -> float:
    """Rounding noise of a weight difference (1e-17) shown as 0."""
    return 0.0 if abs(x) < 5e-7 else float(x)


def _weight(v: float) -> str | None:
    """A weight as a percentage with one decimal (``15.0%``)."""
    return None if pd.isna(v) else f"{float(v):.1%}"


def _change(v: float) -> str | None:
    """A weight change with its sign and one decimal (``+2.1%``, ``0.0%``)."""
    if pd.isna(v):
        return None
    x = round(_gap(float(v)), 3)
    return "0.0%" if x == 0 else f"{x:+.1%}"


# ====================================================================================
# notebook 10: calibration
# ====================================================================================
def matrix_label(name: str, lang: str) -> str:
    """An AHP matrix (``families`` or ``criteria.<family>``) in words."""
    if name == "families":
        return t("calibration.matrix.families", lang)
    if name.startswith("criteria."):
        fam = name.split(".", 1)[1]
        return t("calibration.matrix.within", lang, family=t(f"choice.family.{slug(fam)}", lang))
    return t("calibration.matrix.criteria", lang)


def judges_table(group: Any, lang: str) -> pd.DataFrame:
    """Each judge's consistency: worst consistency ratio, where, consistent, changes needed."""
    s = group.judge_summary.reset_index()
    return pd.DataFrame(
        {
            "judge": s["judge"].astype(str),
            "judge_weight": s["weight"].astype(float),
            "max_cr": s["max_CR"].astype(float),
            "worst_matrix": [matrix_label(str(m), lang) for m in s["worst_matrix"]],
            "consistent": enum(_bools(s["consistent"]), "yesno", lang),
            "changes_needed": s["changes_needed"].astype(float).round().astype("Int64"),
        }
    )


def consistency_table(group: Any, lang: str) -> tuple[pd.DataFrame, tuple[str, ...]]:
    """Judge × matrix consistency ratios; returns the frame and its matrix columns (reader text)."""
    c = group.consistency.copy()
    names = {m: matrix_label(str(m), lang) for m in c.columns}
    c = c.rename(columns=names).reset_index()
    c = c.rename(columns={c.columns[0]: "judge"})
    return c, tuple(names.values())


def repairs_table(group: Any, labels: Mapping[str, str], lang: str) -> pd.DataFrame:
    """The fewest changes that make each inconsistent judge consistent, by criterion label."""
    r = group.repairs

    def name(x: Any) -> str:
        return labels[str(x)] if str(x) in labels else t(f"choice.family.{slug(x)}", lang)

    return pd.DataFrame(
        {
            "judge": r["judge"].astype(str),
            "matrix": [matrix_label(str(m), lang) for m in r["matrix"]],
            "row_item": [name(x) for x in r["row"]],
            "column_item": [name(x) for x in r["column"]],
            "judgement": r["judgement"].astype(float),
            "suggested": r["suggested"].astype(float),
            "cr_before": r["cr_before"].astype(float),
            "cr_after": r["cr_after"].astype(float),
        }
    )


def ahp_table(cmp: pd.DataFrame) -> pd.DataFrame:
    """The judges' combined weights next to the weights in force (criterion labels)."""
    return pd.DataFrame(
        {
            "label": cmp["label"],
            "ahp_group": cmp["ahp_group"],
            "weight_in_force": cmp["criteria_yaml"],
            "difference": cmp["difference"],
        }
    )


def cv_sentence(result: Any, year: int, lang: str) -> str:
    """Cross-validation within the calibration year: do the anchored weights rank better?"""
    cv = result.cv
    if result.fallback or cv.isna().all().all():
        return t("calibration.cv_none", lang, year=year)
    e, b = float(cv.loc["expert", "auc"]), float(cv.loc["blended", "auc"])
    per_fold = result.cv_folds["auc"].unstack("weights")
    diff = (per_fold["blended"] - per_fold["expert"]).dropna()
    wins, k = int((diff > 0).sum()), int(diff.shape[0])
    key = "calibration.cv_better" if b > e and wins > k / 2 else "calibration.cv_not_better"
    return t(key, lang, year=year, blended=b, expert=e, wins=wins, folds=k)


def cv_table(result: Any, lang: str) -> pd.DataFrame:
    """Out-of-sample metrics of the expert, data-only and anchored weights."""
    cv = result.cv.reset_index()
    return pd.DataFrame(
        {
            "weight_set": enum(cv["weights"], "calibration.weightset", lang),
            "auc": cv["auc"],
            "top_decile_lift": cv["top_decile_lift"],
            "capture_top10": cv["capture_top10"],
            "capture_top20": cv["capture_top20"],
            "brier": cv["brier"],
        }
    )


def model_table(result: Any, labels: Mapping[str, str], lang: str) -> pd.DataFrame:
    """The conversion model behind the data-implied weights, one row per criterion."""
    m = result.table.reset_index()
    return pd.DataFrame(
        {
            "label": [labels.get(str(c), str(c)) for c in m["criterion"]],
            "direction": enum(m["direction"], "choice.direction", lang),
            "coefficient": m["coefficient"],
            "ci_low": m["ci_low"],
            "ci_high": m["ci_high"],
            "p_value": m["p_value"],
            "sign_ok": enum(_bools(m["sign_ok"]), "yesno", lang),
        }
    )


def weights_table(weights: pd.DataFrame, labels: Mapping[str, str]) -> pd.DataFrame:
    """Expert, data-implied and proposed weight with the proposal's interval."""
    w = weights.reset_index()
    out = pd.DataFrame(
        {
            "label": [labels.get(str(c), str(c)) for c in w["criterion"]],
            "expert_weight": w["expert"],
            "data_weight": w["data"],
            "proposed_weight": w["proposed"],
            "proposed_ci_low": w["proposed_ci_low"],
            "proposed_ci_high": w["proposed_ci_high"],
        }
    )
    if "true" in w.columns:
        out["true_weight"] = w["true"]
    return out


#: The step's notes, matched to a catalog message (the rest is counted).
_NOTES: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"^(?P<year>\d{4}): no judgements of its own"), "calibration.note.ahp_borrowed"),
    (re.compile(r"^(?P<year>\d{4}): no judgements, no AHP"), "calibration.note.no_ahp"),
    (re.compile(r"^(?P<year>\d{4}): no outcomes"), "calibration.note.no_outcomes"),
    (re.compile(r"^(?P<year>\d{4}): too little data"), "calibration.note.too_little"),
    (re.compile(r"^(?P<year>\d{4}): (?P<n>\d+) customers of the list have no outcome"), "calibration.note.lacking"),
    (re.compile(r"^(?P<n>\d+) customers of the (?P<year>\d{4}) list have no outcome"), "calibration.note.lacking"),
    (re.compile(r"^criteria in one year only"), "calibration.note.one_year_criteria"),
    (re.compile(r"^fewer than two consecutive years"), "calibration.note.no_pairs"),
    (re.compile(r"^(?P<year>\d{4}): the judgements cover other criteria"), "calibration.note.ahp_other"),
    (re.compile(r"^(?P<pair>\d{4}→\d{4}): only the criteria of both years"), "calibration.note.common_only"),
)


def notes_text(notes: Sequence[str], lang: str) -> str:
    """The step's notes (English, for the log) as one paragraph in the reader's language.

    Notes of the same kind are merged (``2023、2024: …``); a note with no catalog
    message is counted, not shown (it is in the run's tables).
    """
    grouped: dict[str, list[dict[str, str]]] = {}
    other = 0
    for note in notes:
        for pattern, key in _NOTES:
            m = pattern.match(note)
            if m:
                grouped.setdefault(key, []).append(m.groupdict())
                break
        else:
            other += 1
    parts = []
    for key, found in grouped.items():
        years = list(dict.fromkeys(f.get("year") or f.get("pair") or "" for f in found))
        fields: dict[str, Any] = {"years": join_names([y for y in years if y], lang)}
        if "n" in found[0]:
            fields["n"] = sum(int(f["n"]) for f in found)
        parts.append(t(key, lang, **{k: v for k, v in fields.items() if k in _placeholders(key)}))
    if other:
        parts.append(t("calibration.note.other", lang, n=other))
    return ("" if lang == "zh" else " ").join(parts)


def _placeholders(key: str) -> set[str]:
    from prioanalysis.report.i18n import catalog, placeholders

    return placeholders(catalog()[key]["en"])


def temporal_tables(tv: Any, lang: str) -> tuple[pd.DataFrame, pd.DataFrame, tuple[str, ...]]:
    """The test on the next year, split in two: ranking quality, and conversion per tier.

    Returns
    -------
    quality, tiers : pandas.DataFrame
    tier_columns : tuple of str
        The per-tier columns of ``tiers`` (already reader text: the tier names).
    """
    tb = tv.table
    sets = enum(tb["weights"], "calibration.weightset", lang)
    quality = pd.DataFrame(
        {
            "pair": tb["pair"].astype(str),
            "weight_set": sets,
            "auc": tb["auc"],
            "auc_ci_low": tb["auc_ci_low"],
            "auc_ci_high": tb["auc_ci_high"],
            "auc_vs_expert": tb["auc_vs_expert"],
            "capture_top10": tb["capture_top10"],
            "capture_top20": tb["capture_top20"],
        }
    )
    tiers = pd.DataFrame({"pair": tb["pair"].astype(str), "weight_set": sets, "top_tier_n": tb["top_tier_n"]})
    names = []
    for c in tb.columns:
        if str(c).startswith("conversion_"):
            name = t("calibration.conversion_of", lang, tier=str(c).removeprefix("conversion_"))
            tiers[name] = tb[c]
            names.append(name)
    return quality, tiers, tuple(names)


def weight_set_table(sets: Sequence[str], lang: str) -> pd.DataFrame:
    """What each candidate weight set is."""
    return pd.DataFrame(
        {
            "weight_set": [t(f"calibration.weightset.{s}", lang) for s in sets],
            "what_it_is": [t(f"calibration.weightset_about.{s}", lang) for s in sets],
        }
    )


def candidate_weights_tables(
    tv: Any, labels: Mapping[str, str], lang: str
) -> list[tuple[int, pd.DataFrame, tuple[str, ...]]]:
    """Per fit year: criterion (label) × candidate weight set, and the set columns (reader text)."""
    out = []
    for year in sorted(pd.unique(tv.weights["fit_year"])):
        w = tv.weights_of(int(year))
        names = {s: t(f"calibration.weightset.{s}", lang) for s in w.columns}
        frame = w.rename(columns=names)
        frame.insert(0, "label", [labels.get(str(c), str(c)) for c in w.index])
        out.append((int(year), frame.reset_index(drop=True), tuple(names.values())))
    return out


def _review_direction(says: str) -> int:
    from prioanalysis.steps.review import WEIGHT_DIRECTIONS

    return int(WEIGHT_DIRECTIONS.get(str(says), 0))


def recommendation_reasons(table: pd.DataFrame, choices: Mapping[str, Any], lang: str) -> list[str]:
    """The rule's reading per row of the recommendation table, in the reader's language.

    The same reading as :func:`prioanalysis.steps.calibration.decide_moves` (and the
    last row as :func:`~prioanalysis.steps.calibration.recommend_changes`), rebuilt from
    the table's columns.
    """
    agreement = str(choices.get("review_agreement", "agree"))
    min_gain = float(choices.get("min_gain", 0.0))
    metric = t(f"calibration.metric.{choices.get('gain_metric', 'auc')}", lang)
    out = []
    body = table.iloc[:-1]
    for _, r in body.iterrows():
        says = str(r["calibration_says"])
        cal = {"raise": 1, "lower": -1}.get(says, 0)
        rev = _review_direction(str(r["review_says"]))
        agrees = rev == cal or (agreement == "not_contrary" and rev == 0)
        gain = float(r["out_of_sample_gain"])
        if cal == 0:
            out.append(t("calibration.why.interval_covers", lang))
        elif not agrees:
            out.append(
                t(
                    "calibration.why.review_disagrees",
                    lang,
                    calibration=t(f"calibration.says.{slug(says)}", lang),
                    review=t(f"calibration.review_says.{slug(r['review_says'])}", lang),
                )
            )
        elif math.isnan(gain):
            out.append(t("calibration.why.no_test", lang))
        elif not gain > min_gain:
            out.append(t("calibration.why.no_gain", lang))
        elif r["decision"] != "move":
            out.append(t("calibration.why.together_no_gain", lang))
        else:
            out.append(t("calibration.why.all_agree", lang))
    last = table.iloc[-1]
    moved = int((body["decision"] == "move").sum())
    if last["decision"] == "move":
        out.append(
            t("calibration.why.moves_gain", lang, n=moved, gain=float(last["out_of_sample_gain"]), metric=metric)
        )
    else:
        out.append(t("calibration.why.keep_all", lang))
    return out


def recommendation_tables(rec: Any, lang: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The one answer on the weights, split in two: the decision (with its effect), and the evidence."""
    tb = rec.table
    reasons = recommendation_reasons(tb, rec.choices, lang)
    labels = [*tb["label"].iloc[:-1].astype(str), t("calibration.all_criteria", lang)]
    decision = pd.DataFrame(
        {
            "label": labels,
            "decision": enum(tb["decision"], "calibration.decision", lang),
            "weight_from": [_weight(x) for x in tb["from"]],
            "weight_to": [_weight(x) for x in tb["to"]],
            "weight_change": [_change(x) for x in tb["change"]],
            "tier_changes": tb["tier_changes"].astype("Int64"),
            "reason": reasons,
        }
    )
    body = tb.iloc[:-1]
    evidence = pd.DataFrame(
        {
            "label": body["label"].astype(str),
            "calibration_proposed": body["calibration_proposed"],
            "calibration_ci_low": body["calibration_ci_low"],
            "calibration_ci_high": body["calibration_ci_high"],
            "calibration_says": enum(body["calibration_says"], "calibration.says", lang),
            "review_says": enum(body["review_says"], "calibration.review_says", lang),
            "out_of_sample_gain": body["out_of_sample_gain"],
        }
    )
    return decision, evidence


def recommendation_summary(rec: Any, year: int, lang: str) -> str:
    """The answer on the weights in one sentence."""
    tb = rec.table
    body = tb.iloc[:-1]
    moved = body[body["decision"] == "move"]
    if not len(moved):
        return t("calibration.summary_keep", lang)
    parts = [
        t("calibration.summary_part", lang, label=r["label"], old=float(r["from"]), new=float(r["to"]))
        for _, r in moved.iterrows()
    ]
    last = tb.iloc[-1]
    return t(
        "calibration.summary_move",
        lang,
        n=len(moved),
        moves=("；" if lang == "zh" else "; ").join(parts),
        metric=t(f"calibration.metric.{rec.choices.get('gain_metric', 'auc')}", lang),
        gain=float(last["out_of_sample_gain"]),
        changed=int(last["tier_changes"]),
        year=year,
    )


def recommendation_rule(rec: Any, lang: str) -> str:
    """The rule by which a weight moves, with its parameters."""
    c = rec.choices
    agreement = t(f"calibration.agreement.{c.get('review_agreement', 'agree')}", lang)
    n_pairs = int(c.get("gain_pairs", len(c.get("pairs", []))))
    return t(
        "calibration.rule",
        lang,
        agreement=agreement,
        metric=t(f"calibration.metric.{c.get('gain_metric', 'auc')}", lang),
        min_gain=float(c.get("min_gain", 0.0)),
        pairs=n_pairs,
    )


def reliability_table(prob: Any) -> pd.DataFrame:
    """Reliability by score band: predicted against observed conversion."""
    r = prob.reliability
    return pd.DataFrame(
        {
            "score_band": r["bin"].astype(int),
            "score_low": r["score_low"],
            "score_high": r["score_high"],
            "mean_predicted": r["mean_predicted"],
            "observed_rate": r["observed_rate"],
            "customers": r["n"].astype(int),
        }
    )


def thresholds_table(thresholds: pd.DataFrame, lang: str) -> pd.DataFrame:
    """Score thresholds giving each tier its target expected conversion rate."""
    th = thresholds
    out = pd.DataFrame(
        {
            "tier": th["tier"].astype(str),
            "score_threshold": th["threshold"].replace([-np.inf, np.inf], np.nan),
            "score_max": th["score_max"],
            "customers": th["n_customers"].astype("Int64"),
            "expected_conversion_rate": th["expected_conversion_rate"],
            "expected_conversions": th["expected_conversions"],
            "target_rate": th["target_rate"],
            "meets_target": enum(_bools(th["meets_target"]), "yesno", lang),
        }
    )
    if "capacity" in th.columns and th["capacity"].notna().any():
        out.insert(6, "capacity", th["capacity"])
    return out


def written_criteria(criteria_path: str | Path, weights: Mapping[str, float] | pd.Series) -> Any:
    """The criteria file a proposal would be, read back with the rules of a file in force.

    The same text :func:`prioanalysis.steps.calibration.write_proposed_criteria` writes
    (the file's stated bounds and orders applied), as a
    :class:`~prioanalysis.config.params.CriteriaParams`.
    """
    from prioanalysis.config.params import load_criteria
    from prioanalysis.config.proposal import propose_criteria_text

    src = Path(criteria_path)
    text = propose_criteria_text(src.read_text(encoding="utf-8"), weights, src)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "criteria.yaml"
        path.write_text(text, encoding="utf-8")
        return load_criteria(path)


def written_weights(criteria_path: str | Path, weights: Mapping[str, float] | pd.Series) -> pd.Series:
    """The global weights a proposed criteria file would hold (:func:`written_criteria`)."""
    return pd.Series(written_criteria(criteria_path, weights).global_weights(), dtype=float)


def calibration_why(weights: pd.DataFrame, lang: str) -> dict[str, str]:
    """Why the calibration proposes each weight: does its interval exclude the weight in force?"""
    out = {}
    for cid, r in weights.iterrows():
        lo, hi, cur = float(r["proposed_ci_low"]), float(r["proposed_ci_high"]), float(r["expert"])
        if lo > cur:
            key = "calibration.cal_why.raise"
        elif hi < cur:
            key = "calibration.cal_why.lower"
        else:
            key = "calibration.cal_why.covers"
        out[str(cid)] = t(key, lang, low=lo, high=hi)
    return out


def proposal_table(
    current: Mapping[str, float] | pd.Series,
    proposed: Mapping[str, float] | pd.Series,
    labels: Mapping[str, str],
    lang: str,
    why: Mapping[str, str] | None = None,
    asked: Mapping[str, float] | pd.Series | None = None,
) -> pd.DataFrame:
    """A proposed criteria file as a table of changes: criterion, weight in force, proposed, change, why.

    Parameters
    ----------
    current, proposed : mapping
        Global weights in force and in the proposed file (:func:`written_weights`).
    labels : mapping
        Criterion id → label.
    why : mapping, optional
        Criterion id → the reason in words.
    asked : mapping, optional
        The weights proposed before the file's stated bounds and orders; a criterion
        they moved says so.
    """
    cur = pd.Series(dict(current), dtype=float)
    new = pd.Series(dict(proposed), dtype=float).reindex(cur.index)
    whys = []
    for cid in cur.index:
        text = (why or {}).get(str(cid), "")
        if asked is not None and abs(float(pd.Series(dict(asked)).get(cid, new[cid])) - float(new[cid])) > 5e-4:
            text = (text + ("；" if lang == "zh" else "; ") if text else "") + t("calibration.bounds_applied", lang)
        whys.append(text or t("common.none", lang))
    return pd.DataFrame(
        {
            "label": [labels.get(str(c), str(c)) for c in cur.index],
            "weight_in_force": [_weight(x) for x in cur.to_numpy()],
            "proposed_weight": [_weight(x) for x in new.to_numpy()],
            "weight_change": [_change(x) for x in (new - cur).to_numpy()],
            "reason": whys,
        }
    )


# ====================================================================================
# notebook 30: annual review
# ====================================================================================
def sources_table(inputs: Any, lang: str) -> pd.DataFrame:
    """Where each input of the review comes from, in words (no paths, no file names)."""
    ry = int(inputs.review_year)

    def listed(frozen: Any, year: int) -> str:
        if frozen:
            return t("review.source.frozen", lang, year=year)
        return t("review.source.recomputed", lang, year=year)

    rows = [
        (t("review.source.settings", lang), t("review.source.settings_of", lang, year=ry)),
        (t("review.source.goals", lang), t("review.source.goals_of", lang, year=ry)),
        (t("review.source.list", lang), listed(inputs.frozen_list, ry)),
        (t("review.source.outcomes", lang), t("review.source.outcomes_of", lang, year=ry)),
        (
            t("review.source.inquiries", lang),
            t("review.source.inquiries_of", lang, year=ry) if inputs.inquiries_path else t("common.none", lang),
        ),
    ]
    if inputs.frozen_list_previous or inputs.previous_params is not None:
        prev = listed(inputs.frozen_list_previous, ry - 1)
    else:
        prev = t("review.source.no_previous", lang)
    rows.append((t("review.source.previous", lang), prev))
    return pd.DataFrame(rows, columns=["input", "source"])


#: The coverage rows of :func:`prioanalysis.steps.review.join_outcomes`, in order.
_COVERAGE = ("on_list", "with_outcome", "without_outcome", "outcome_off_list")


def coverage_table(coverage: pd.DataFrame, lang: str) -> pd.DataFrame:
    """Customers on the list and their outcomes (the four counts of the join)."""
    if len(coverage) != len(_COVERAGE):
        raise ValueError(f"expected the {len(_COVERAGE)} coverage rows of join_outcomes, got {len(coverage)}")
    return pd.DataFrame(
        {
            "item": [t(f"review.coverage.{k}", lang) for k in _COVERAGE],
            "customers": coverage["customers"].astype(int).to_numpy(),
        }
    )


_METRIC = re.compile(r"^(?P<kind>conversions_captured|revenue_captured|lift)_top_(?P<k>\d+)%$")


def performance_table(perf: pd.DataFrame, lang: str) -> pd.DataFrame:
    """How well the score ordered the customers: metric, value, interval, p-value, meaning."""
    names, meanings = [], []
    for m in perf["metric"].astype(str):
        hit = _METRIC.match(m)
        if hit:
            k = int(hit["k"])
            names.append(t(f"review.metric.{hit['kind']}", lang, k=k))
            meanings.append(t(f"review.meaning.{hit['kind']}", lang, k=k))
        else:
            names.append(t(f"review.metric.{m}", lang))
            meanings.append(t(f"review.meaning.{m}", lang))
    return pd.DataFrame(
        {
            "metric": names,
            "metric_value": perf["value"],
            "ci_low": perf["ci_low"],
            "ci_high": perf["ci_high"],
            "p_value": perf["p_value"],
            "meaning": meanings,
        }
    )


def rates_table(rates: pd.DataFrame, by: str) -> pd.DataFrame:
    """Conversion per tier or grade (``by``: ``tier`` or ``grade``)."""
    r = rates.reset_index()
    r = r.rename(columns={r.columns[0]: by})
    r[by] = r[by].astype(str)
    return r.rename(columns={"n": "customers"})


def in_time_table(in_time: pd.DataFrame) -> pd.DataFrame:
    """Did each grade close within its promised months?"""
    r = in_time.reset_index()
    r = r.rename(columns={r.columns[0]: "grade", "n": "customers"})
    return r.drop(columns=[c for c in ("promised_days",) if c in r.columns])


def migration_tests_table(tests: pd.DataFrame, lang: str) -> pd.DataFrame:
    """The tests of the tier movement, by name in words."""
    r = tests.reset_index()
    r = r.rename(columns={r.columns[0]: "test"})
    r["test"] = enum(r["test"], "review.test", lang)
    r = r.rename(columns={"n": "customers"})
    return r[[c for c in ("test", "statistic", "df", "p_value", "ci_low", "ci_high", "customers") if c in r.columns]]


def effectiveness_tables(eff: pd.DataFrame, lang: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Each criterion on its own, split in two: what it is and its data, and how it separated."""
    e = eff.reset_index(drop=True)
    about = pd.DataFrame(
        {
            "label": e["label"].astype(str),
            "family": enum(e["family"], "choice.family", lang),
            "direction": enum(e["direction"], "choice.direction", lang),
            "weight": e["weight"],
            "customers": e["n"].astype(int),
            "n_missing": e["n_missing"].astype(int),
        }
    )
    sep = pd.DataFrame(
        {
            "label": e["label"].astype(str),
            "auc": e["auc"],
            "ci_low": e["ci_low"],
            "ci_high": e["ci_high"],
            "cohens_d": e["cohens_d"],
        }
    )
    if "psi" in e.columns:
        sep["psi"] = e["psi"]
        sep["psi_reading"] = enum(e["psi_reading"], "review.psi", lang)
    return about, sep


def joint_model_table(both: pd.DataFrame, lang: str) -> pd.DataFrame:
    """Each criterion alone (AUC) next to its place in the joint model."""
    b = both.reset_index(drop=True)
    return pd.DataFrame(
        {
            "label": b["label"].astype(str),
            "auc": b["auc"],
            "model_coefficient": b["model_coefficient"],
            "model_p_value": b["model_p_value"],
            "model_sign_ok": enum(_bools(b["model_sign_ok"]), "yesno", lang),
            "weight_in_force": b["weight_in_force"],
            "data_weight": b["data_weight"],
        }
    )


def focus_labels(lang: str) -> tuple[str, str, str]:
    """The three groups of :func:`prioanalysis.steps.review.revenue_focus` in words."""
    return (t("review.group.targets", lang), t("review.group.non_targets", lang), t("review.group.all", lang))


def focus_table(focus: pd.DataFrame) -> pd.DataFrame:
    """Targets against non-targets: customers, wins, revenue (groups already in words)."""
    return focus.rename(columns={"won": "conversions"})


def _reasons(series: pd.Series, lang: str) -> pd.Series:
    from prioanalysis.report import notebook

    fn = getattr(notebook, "reason_text", None)
    if fn is not None:
        return pd.Series(fn(series, lang), index=series.index)
    return series


def missed_table(missed: pd.DataFrame, segment_labels: Mapping[str, str], lang: str) -> pd.DataFrame:
    """The non-targets that won the most: name, segment (label), score, rank, grade, reason, revenue."""
    m = missed.copy()
    out = pd.DataFrame({"customer_name": m["customer_name"].astype(str)} if "customer_name" in m else {})
    if "segment" in m:
        out["segment"] = [segment_labels.get(str(s), str(s)) for s in m["segment"]]
    for c in ("score", "rank", "grade"):
        if c in m:
            out[c] = m[c]
    if "not_targeted_reason" in m:
        out["not_targeted_reason"] = _reasons(m["not_targeted_reason"], lang)
    out["revenue"] = m["revenue"]
    out["share_of_revenue"] = [_share(v) for v in m["share_of_revenue"]]
    return out


def inquiries_table(conv: pd.DataFrame, segment_labels: Mapping[str, str], lang: str) -> pd.DataFrame:
    """Inquiries from customers off the list that converted, by segment label (last row: all)."""
    seg = [
        t("review.group.all", lang) if str(s) == "all" else segment_labels.get(str(s), str(s)) for s in conv.iloc[:, 0]
    ]
    out = pd.DataFrame(
        {
            "segment": seg,
            "inquiries": conv["inquiries"],
            "converted": conv["converted"],
            "conversion_rate": conv["conversion_rate"],
            "converted_proposed": conv["converted_proposed"],
        }
    )
    if conv["revenue"].notna().any():
        out["revenue"] = conv["revenue"]
    return out


def goals_tables(goals: pd.DataFrame, lang: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The balanced scorecard, and what each measure means."""
    g = goals
    card = pd.DataFrame(
        {
            "perspective": enum(g["perspective"], "review.perspective", lang),
            "goal_label": g["label"].astype(str),
            "goal_direction": enum(g["direction"], "review.goal_direction", lang),
            "target": [_amount(v, str(u)) for v, u in zip(g["target"], g["unit"], strict=True)],
            "actual": [_amount(v, str(u)) for v, u in zip(g["actual"], g["unit"], strict=True)],
            "unit": g["unit"].astype(str),
            "attainment": g["attainment"],
            "status": enum(g["status"], "review.status", lang),
        }
    )
    definitions = pd.DataFrame(
        {
            "goal_label": g["label"].astype(str),
            "definition": [t(f"review.measure.{m}", lang) for m in g["measure"]],
        }
    )
    return card, definitions


def changes_table(
    changes: pd.DataFrame,
    lang: str,
    *,
    joint: pd.DataFrame | None = None,
    joint_choices: Mapping[str, Any] | None = None,
    null_auc: float = 0.5,
    overweight_ratio: float = 2.0,
    underweight_ratio: float = 0.5,
    psi_threshold: float = 0.25,
    model_alpha: float = 0.05,
) -> pd.DataFrame:
    """What to change next year, in words: what, which, change, why, evidence.

    ``changes`` is :func:`prioanalysis.steps.review.next_year_changes` called with the
    same thresholds; ``joint`` the joint recommendation's table it deferred to.
    """
    rec = joint.set_index("criterion") if joint is not None else None
    reasons = recommendation_reasons(joint, joint_choices or {}, lang) if joint is not None else []
    rec_reason = dict(zip(joint["criterion"], reasons, strict=True)) if joint is not None else {}
    rows = []
    for _, r in changes.iterrows():
        change = str(r["change"])
        item = str(r["item"])
        fields = {"null": null_auc}
        if r["kind"] == "tier cut":
            a, b = item, str(r["next_item"])
            why = t(f"review.why.{slug(change)}", lang, a=a, b=b)
            evidence = t(
                "review.evidence.tiers",
                lang,
                a=a,
                ra=float(r["rate"]),
                la=float(r["rate_ci_low"]),
                ha=float(r["rate_ci_high"]),
                b=b,
                rb=float(r["next_rate"]),
                lb=float(r["next_ci_low"]),
                hb=float(r["next_ci_high"]),
            )
        else:
            joint_row = rec.loc[item] if rec is not None and item in rec.index else None
            if change in ("raise weight", "lower weight") and joint_row is not None and joint_row["decision"] == "move":
                why = t("review.why.joint_move", lang, old=float(joint_row["from"]), new=float(joint_row["to"]))
            elif change == "keep weight" and joint_row is not None:
                why = t(
                    "review.why.keep_weight",
                    lang,
                    alone=t(f"calibration.review_says.{slug(joint_row['review_says'])}", lang),
                    joint=rec_reason.get(item, ""),
                )
            elif change in ("raise weight", "lower weight"):
                share = float(r["separation_share"])
                ratio = float(r["weight"]) / share if share > 0 else math.inf
                bound = overweight_ratio if change == "lower weight" else underweight_ratio
                why = t(f"review.why.{slug(change)}", lang, ratio=ratio, bound=bound)
            elif change == "check data":
                why = t("review.why.check_data", lang, threshold=psi_threshold)
            elif change.startswith("keep: joint"):
                why = t("review.why.joint_supports", lang, alpha=model_alpha)
            else:
                why = t(f"review.why.{slug(change)}", lang, **fields)
            if change == "check data":
                evidence = t("review.evidence.psi", lang, psi=float(r["psi"]))
            else:
                evidence = t(
                    "review.evidence.auc",
                    lang,
                    auc=float(r["auc"]),
                    low=float(r["auc_ci_low"]),
                    high=float(r["auc_ci_high"]),
                    weight=float(r["weight"]),
                )
        rows.append(
            {
                "change_kind": t(f"review.kind.{slug(r['kind'])}", lang),
                "change_item": str(r["label"]),
                "change": t(f"review.change.{slug(change)}", lang),
                "reason": why,
                "evidence": evidence,
            }
        )
    return pd.DataFrame(rows, columns=["change_kind", "change_item", "change", "reason", "evidence"])
