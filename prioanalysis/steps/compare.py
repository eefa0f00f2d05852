"""Compare two rankings, and what-if rescoring in memory (the analyst's loop).

:func:`compare_runs` reads two run folders (by run id or path; last year's run against
this year's works too), :func:`what_if` rescores a run's list with changed weights or
rules through the ranking machinery (:func:`prioanalysis.steps.ranking.rank_customers`,
which tiers with :func:`prioanalysis.steps.ranking.rank_by_rule`), and
:func:`proposal_effect` shows what adopting a proposed ``criteria.yaml`` would do. Each
returns a :class:`Comparison`:

* the **tier migration** matrix, run A's tiers × run B's tiers, with *not targeted*
  and *not in the list* as their own rows and columns;
* the customers that **entered** or **left** the target list;
* the **movers** (customers whose tier changed) with the **reason**: each score
  change is split exactly, on the normalised criterion values ``z`` the ranking stores,
  into the part from the weights and the part from the customer's values,

  ``w_b·z_b − w_a·z_a = (w_b − w_a)·z_a + w_b·(z_b − z_a)``  (per criterion, summed),

  and the larger part names the reason; a change of the customer's own facts is told
  apart from a change of the list's range (the same facts, normalised against another
  list); a customer whose tier follows from the changed tier rule alone (B's rule on
  A's scores), from a screening gate, or from other customers' moves is named so;
* the weight and rule changes, the changed quadrants and the changed owners.

The weighted sum is split per criterion exactly. For TOPSIS the per-criterion parts
are not additive; the weight part is then the score of A's values under B's weights
(:func:`prioanalysis.methods.scoring.score`) minus A's score, and the value part the rest.
A change of the scoring method itself (weighted sum ↔ TOPSIS) then counts in the weight part
(the rule table names the change).

Reader text comes from the message catalog (:mod:`prioanalysis.report.i18n`) in the
run's language (``report.language`` of run B); a :class:`Comparison` renders as HTML
in JupyterLab (``_repr_html_``) and :func:`write_comparison` writes the report and the
tables into a new folder ``outputs/compare/<a>_vs_<b>/``
(:func:`prioanalysis.report.compare.write_comparison`).
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from prioanalysis.config.params import CriteriaParams, Params, RunParams, load_criteria, project_root
from prioanalysis.errors import InputError, ParamsError
from prioanalysis.methods import scoring
from prioanalysis.report import i18n
from prioanalysis.steps.display import CSS as _CSS
from prioanalysis.steps.display import esc as _esc
from prioanalysis.steps.display import html_table as _table
from prioanalysis.steps.ranking import RankingResult, rank_by_rule, rank_customers, run_ranking

__all__ = [
    "ABSENT",
    "REASONS",
    "Side",
    "Comparison",
    "load_run",
    "resolve_run",
    "outputs_root",
    "owners_of",
    "compare_results",
    "compare_runs",
    "what_if",
    "what_if_params",
    "proposal_effect",
]

#: The tier of a customer missing from one of the two lists (shown as "not in the list").
ABSENT = "__not_in_list__"
#: Reason kinds of a mover, in the order they are tested.
REASONS: tuple[str, ...] = ("new", "gone", "decision", "gates", "rule", "weights", "facts", "range", "others")
#: Score changes below this are no change (the ranks compare scores rounded to 10 decimals).
_TOL = 1e-9
#: Rule settings (``method_choices`` keys) compared between runs, in reading order.
_RULE_KEYS: tuple[str, ...] = (
    "scoring_method",
    "tier_scheme",
    "tier_names",
    "tier_quota",
    "tier_thresholds",
    "gates",
    "tie_rule",
    "min_completeness",
    "missing_policy",
    "transforms",
    "important_tiers",
    "urgent_grades",
    "grade_months",
)
_TIER_RULE_KEYS = ("tier_scheme", "tier_names", "tier_quota", "tier_thresholds", "tie_rule", "round_decimals")


# ----------------------------------------------------------------------------- one side
@dataclass(frozen=True)
class Side:
    """One of the two rankings compared.

    Attributes
    ----------
    result : RankingResult
    params : Params
        The parameters it was ranked with (for a run folder: as recorded in ``run.json``).
    name : str
        How the reader calls it ("2026 run of 2 December 2026, 09:59", "what-if").
    key : str
        Short name for folder names (the run id, or ``what-if``).
    owners : pandas.Series or None
        Assigned development owner (name) per customer id, when the run assigned owners.
    """

    result: RankingResult
    params: Params
    name: str
    key: str
    owners: pd.Series | None = None


def outputs_root(outputs: str | Path | None) -> Path:
    """The outputs root: ``outputs`` when given, else ``outputs/`` of the project that
    holds the working folder (the folder with ``params/``).
    """
    if outputs is not None:
        return Path(outputs)
    for d in (Path.cwd(), *Path.cwd().parents):
        if (d / "params").is_dir():
            return d / "outputs"
    return Path.cwd() / "outputs"


def resolve_run(run: str | Path, outputs: str | Path | None = None) -> Path:
    """The folder of a run given by its folder or its id.

    Parameters
    ----------
    run : str or Path
        A run folder, or a run id looked up under ``<outputs>/<year>/`` (every year).
    outputs : str or Path, optional
        The outputs root (default ``outputs/`` of the project containing the working folder).

    Raises
    ------
    InputError
        No such run, several runs of that id, or not a finished run.
    """
    p = Path(run)
    root = outputs_root(outputs)
    if not p.is_dir():
        text = str(run).strip()
        if not text or "/" in text or "\\" in text or text.startswith("."):
            raise InputError(f"run {text!r}: no such run folder")
        hits = sorted(d for d in root.glob(f"*/{text}") if d.is_dir()) if root.is_dir() else []
        if not hits:
            raise InputError(f"run {text!r}: no run of that id under {root} (give a run id or a run folder)")
        if len(hits) > 1:
            raise InputError(f"run {text!r}: several runs of that id: {', '.join(map(str, hits))}; give the folder")
        p = hits[0]
    if not (p / "run.json").is_file():
        raise InputError(f"{p}: not a run folder (no run.json)")
    return p


def _recorded_params(folder: Path, record: Mapping[str, Any]) -> Params:
    files = record.get("params_files") or {}
    year = record.get("year")
    crit = run = None
    crit_path = run_path = None
    for rel, entry in files.items():
        parts = Path(rel).parts
        if len(parts) >= 2 and parts[-2] == str(year):
            if parts[-1] == "criteria.yaml":
                crit, crit_path = entry.get("content"), rel
            elif parts[-1] == "run.yaml":
                run, run_path = entry.get("content"), rel
    if crit is None or run is None or crit_path is None or run_path is None:
        raise InputError(f"{folder / 'run.json'}: the run records no criteria.yaml and run.yaml of {year}")
    try:
        criteria = CriteriaParams.model_validate(crit)
        run_params = RunParams.model_validate(run)
    except ValueError as exc:
        raise InputError(f"{folder / 'run.json'}: the recorded parameters do not load: {exc}") from None
    base = project_root(folder)
    return Params(
        criteria=criteria,
        run=run_params,
        directory=(base / crit_path).parent,
        criteria_path=base / crit_path,
        run_path=base / run_path,
    )


def _run_name(record: Mapping[str, Any], lang: str) -> str:
    started = str(record.get("started") or "")
    when = started[:16].replace("T", " ") if started else str(record.get("run_id"))
    return i18n.t("compare.run_name", lang, year=record.get("year"), when=when)


def owners_of(result: RankingResult) -> pd.Series | None:
    """The development owner (name) the assignment gave each customer, by customer id
    (``None`` for none), when the target list carries the assignment; else ``None``.
    """
    tl = result.target_list
    if "assigned_owner_name" not in tl.columns:
        return None
    names = tl.set_index("customer_id")["assigned_owner_name"]
    return names.where(names.notna() & (names.astype(str) != ""), None).astype(object)


def load_run(run: str | Path, outputs: str | Path | None = None) -> Side:
    """Read a finished run: its saved ranking, the parameters recorded in ``run.json``
    and the owners it assigned (``tables/owner_assignments.csv``, when present).

    Raises
    ------
    InputError
        See :func:`resolve_run`; or the run saved no ranking (``rankings/<year>``).
    """
    from prioanalysis.steps.ranking import load_result, ranking_folder

    folder = resolve_run(run, outputs)
    try:
        record = json.loads((folder / "run.json").read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise InputError(f"{folder / 'run.json'}: unreadable ({exc})") from None
    if record.get("status") not in (None, "succeeded"):
        raise InputError(f"{folder}: the run did not succeed (status {record.get('status')!r})")
    params = _recorded_params(folder, record)
    year = params.run.year
    result = None
    for robust in (True, False):
        where = ranking_folder(folder, year, robustness=robust)
        if (where / "result.json").is_file():
            result = load_result(where)
            break
    if result is None:
        raise InputError(f"{folder}: the run saved no ranking of {year} (it did not run 20_ranking)")
    owners = owners_of(result)
    table = folder / "tables" / "owner_assignments.csv"
    if owners is None and table.is_file():
        frame = pd.read_csv(table, dtype=str, keep_default_na=False)
        if {"customer_id", "owner_name"} <= set(frame.columns):
            owners = frame.set_index("customer_id")["owner_name"]
    lang = params.run.report.language
    return Side(result, params, _run_name(record, lang), str(record.get("run_id") or folder.name), owners)


# ----------------------------------------------------------------------------- the comparison
@dataclass(frozen=True)
class Comparison:
    """Two rankings compared (:func:`compare_results`).

    Attributes
    ----------
    name_a, name_b, key_a, key_b : str
        The two rankings, as the reader calls them, and for folder names.
    lang : str
        Report language.
    customers : pandas.DataFrame
        One row per customer of either list (indexed by customer id): name, segment
        (label), ``tier_a``/``tier_b`` (``ABSENT`` when not in that list), scores, ranks,
        ``score_change``, ``weight_part``, ``fact_part`` (they add up to the score change),
        ``tier_steps`` (positive: a better tier), ``status`` (``entered``, ``left``,
        ``up``, ``down``, ``same``), ``reason_kind`` (one of :data:`REASONS`, for the
        customers whose tier changed) and ``reason`` (the reader's sentence),
        quadrants and owners.
    migration : pandas.DataFrame
        Customers counted by tier in A (rows) × tier in B (columns).
    parts : pandas.DataFrame
        Movers × criteria, long form: ``customer_id``, ``criterion``, ``weight_part``,
        ``fact_part``, ``value_a``, ``value_b`` (the customer's facts).
    weights : pandas.DataFrame
        Global weight of every criterion and family in A and B, and the change.
    rules : pandas.DataFrame
        The rule settings that differ: ``setting``, ``before``, ``after`` (reader text).
    labels : dict
        Criterion id → label (for the parts table).
    tier_order : tuple of str
        The tiers of both rankings, best first, then not targeted and ``ABSENT``.
    top : int
        Movers shown in the report.
    owners_known : bool
        Both rankings carry an owner assignment (else owners are not compared: a
        what-if does not re-run the assignment).
    """

    name_a: str
    name_b: str
    key_a: str
    key_b: str
    lang: str
    customers: pd.DataFrame
    migration: pd.DataFrame
    parts: pd.DataFrame
    weights: pd.DataFrame
    rules: pd.DataFrame
    labels: dict[str, str] = field(default_factory=dict)
    tier_order: tuple[str, ...] = ()
    top: int = 20
    owners_known: bool = False

    # -- counts ---------------------------------------------------------------------
    @property
    def total(self) -> int:
        """Customers in either list."""
        return len(self.customers)

    @property
    def moved(self) -> int:
        """Customers whose tier differs (entering or leaving a list counts)."""
        return int((self.customers["status"] != "same").sum())

    @property
    def movers(self) -> pd.DataFrame:
        """The customers whose tier changed: those in both lists first, biggest moves
        (tier steps, then score change) first.
        """
        c = self.customers[self.customers["status"] != "same"]
        key = pd.DataFrame(
            {
                "absent": (c["tier_a"] == ABSENT) | (c["tier_b"] == ABSENT),  # in both lists first
                "s": -c["tier_steps"].abs(),
                "d": -c["score_change"].abs().fillna(0),
                "id": c.index.astype(str),
            },
            index=c.index,
        )
        return c.loc[key.sort_values(["absent", "s", "d", "id"], kind="stable").index]

    def status_counts(self) -> dict[str, int]:
        """Customers per status."""
        vc = self.customers["status"].value_counts()
        return {s: int(vc.get(s, 0)) for s in ("entered", "left", "up", "down", "same")}

    def reason_counts(self) -> dict[str, int]:
        """Movers per reason kind."""
        vc = self.customers["reason_kind"].value_counts()
        return {k: int(vc.get(k, 0)) for k in REASONS if vc.get(k, 0)}

    # -- reader text ----------------------------------------------------------------
    def tier_label(self, tier: str) -> str:
        """A tier as the reader sees it (``ABSENT`` → "not in the list")."""
        return i18n.t("compare.not_in_list", self.lang) if tier == ABSENT else str(tier)

    def headline(self) -> str:
        """One sentence: how many customers change tier, enter and leave the list."""
        s = self.status_counts()
        return i18n.t(
            "compare.headline",
            self.lang,
            a=self.name_a,
            b=self.name_b,
            moved=i18n.number(self.moved, self.lang),
            total=i18n.number(self.total, self.lang),
            up=s["up"],
            down=s["down"],
            entered=s["entered"],
            left=s["left"],
        )

    def summary_lines(self, n: int = 5) -> list[str]:
        """A short readable summary (the CLI prints it)."""
        lang = self.lang
        lines = [self.headline()]
        counts = self.reason_counts()
        if counts:
            lines.append(
                i18n.t(
                    "compare.reasons_line",
                    lang,
                    reasons=("；" if lang == "zh" else "; ").join(
                        f"{i18n.t('compare.reason.' + k, lang)} {v}" for k, v in counts.items()
                    ),
                )
            )
        for row in self.weights.itertuples():
            if abs(row.change) > _TOL and row.kind == "family":
                lines.append(
                    i18n.t(
                        "compare.weight_line",
                        lang,
                        what=row.label,
                        a=i18n.percent(row.weight_a, lang, 1),
                        b=i18n.percent(row.weight_b, lang, 1),
                    )
                )
        for row in self.rules.itertuples():
            lines.append(i18n.t("compare.rule_line", lang, what=row.setting, a=row.before, b=row.after))
        movers = self.movers.head(n)
        if len(movers):
            lines.append(i18n.t("compare.top_movers", lang, n=len(movers)))
            for _, r in movers.iterrows():
                lines.append(
                    "  "
                    + i18n.t(
                        "compare.mover_line",
                        lang,
                        customer=r["customer_name"],
                        segment=r["segment"],
                        a=self.tier_label(r["tier_a"]),
                        b=self.tier_label(r["tier_b"]),
                        reason=r["reason"],
                    )
                )
        return lines

    def tables(self) -> dict[str, pd.DataFrame]:
        """The comparison's tables for the CSV files (tier names and labels as the
        reader sees them; column names are the package's, as in every run table).
        """
        lang = self.lang
        mig = self.migration.copy()
        mig.index = [self.tier_label(t) for t in mig.index]
        mig.columns = [self.tier_label(t) for t in mig.columns]
        mig.index.name = i18n.t("compare.axis_a", lang, a=self.name_a)
        cust = self.customers.copy()
        for c in ("tier_a", "tier_b"):
            cust[c] = cust[c].map(self.tier_label)
        cust["status"] = i18n.values(cust["status"], "compare.status", lang)
        cust["reason_kind"] = i18n.values(cust["reason_kind"], "compare.reason", lang)
        cust = cust.reset_index()
        movers = cust.set_index("customer_id").loc[self.movers.index].reset_index()
        parts = self.parts.copy()
        parts["criterion"] = parts["criterion"].map(lambda c: self.labels.get(c, c))
        weights = self.weights.drop(columns=["kind"]).rename(columns={"label": "criterion"})
        return {
            "migration": mig.reset_index(),
            "customers": cust,
            "movers": movers,
            "mover_parts": parts,
            "weight_changes": weights,
            "rule_changes": self.rules,
            "quadrant_changes": cust[
                (cust["quadrant_a"] != cust["quadrant_b"]) & cust["quadrant_a"].notna() & cust["quadrant_b"].notna()
            ][["customer_id", "customer_name", "segment", "quadrant_a", "quadrant_b"]],
            "owner_changes": cust[(cust["owner_a"].fillna("") != cust["owner_b"].fillna("")) & self.owners_known][
                ["customer_id", "customer_name", "segment", "tier_b", "owner_a", "owner_b"]
            ],
        }

    # -- HTML -------------------------------------------------------------------------
    def to_html(self, *, full: bool = True) -> str:
        """The comparison as HTML: a whole self-contained page (``full``) or the section
        shown in a notebook.
        """
        return _comparison_html(self, full=full)

    def _repr_html_(self) -> str:
        return _comparison_html(self, full=False)


# ----------------------------------------------------------------------------- computing
def _tier_order(a: Params, b: Params) -> list[str]:
    names: list[str] = []
    for t in [*a.run.tiers.names, *b.run.tiers.names, a.run.tiers.not_targeted, b.run.tiers.not_targeted]:
        if t not in names:
            names.append(t)
    return [*names, ABSENT]


def _levels(tier: pd.Series, params: Params) -> pd.Series:
    names = list(params.run.tiers.names)
    lv = {t: i for i, t in enumerate(names)}
    lv[params.run.tiers.not_targeted] = len(names)
    return tier.map(lv).fillna(len(names) + 1).astype(int)


def _weights(params: Params) -> tuple[dict[str, float], dict[str, str]]:
    spec = params.spec
    return dict(spec.weights), {c: spec.families[c] for c in spec.weights}


def _weight_table(a: Params, b: Params, lang: str) -> pd.DataFrame:
    wa, fa = _weights(a)
    wb, fb = _weights(b)
    la, lb = a.spec.labels, b.spec.labels
    ids = [*wa, *[c for c in wb if c not in wa]]
    rows = []
    for fam in dict.fromkeys([*fa.values(), *fb.values()]):
        x = sum(w for c, w in wa.items() if fa[c] == fam)
        y = sum(w for c, w in wb.items() if fb[c] == fam)
        rows.append(("family", i18n.t(f"choice.family.{fam}", lang), x, y))
    for c in ids:
        rows.append(("criterion", lb.get(c) or la.get(c, c), wa.get(c, 0.0), wb.get(c, 0.0)))
    out = pd.DataFrame(rows, columns=["kind", "label", "weight_a", "weight_b"])
    out["change"] = out["weight_b"] - out["weight_a"]
    return out


def _text_of(key: str, value: Any, params: Params, lang: str) -> str:
    """A rule setting as reader text."""
    if value is None:
        return i18n.t("common.none", lang)
    if key == "scoring_method":
        return i18n.t(f"choice.method.{value}", lang)
    if key == "tie_rule":
        return i18n.t(f"choice.tie_rule.{value}", lang)
    if key == "tier_scheme":
        return i18n.t(f"compare.scheme.{value}", lang)
    if key in ("tier_names", "important_tiers", "urgent_grades"):
        return " / ".join(map(str, value))
    if key == "tier_quota":
        vals = value["values"]
        shown = " / ".join(i18n.percent(v, lang) if value["kind"] == "share" else f"{v:g}" for v in vals)
        return i18n.t(f"compare.quota.{value['by']}", lang, values=shown)
    if key == "tier_thresholds":
        return " / ".join(f"{v:g}" for v in value)
    if key == "gates":
        parts = []
        for g in value:
            bound = g.get("min") if g.get("min") is not None else g.get("max")
            parts.append(str(g["reason"]) + (f" ({bound})" if bound is not None else ""))
        return "; ".join(parts) or i18n.t("common.none", lang)
    if key == "min_completeness":
        return i18n.percent(float(value), lang)
    if key == "grade_months":
        return ", ".join(f"{g} ≤ {m:g}" for g, m in value.items())
    return str(value)


def _rule_table(a: Params, b: Params, ca: Mapping[str, Any], cb: Mapping[str, Any], lang: str) -> pd.DataFrame:
    rows = []
    for key in _RULE_KEYS:
        x, y = ca.get(key), cb.get(key)
        if x == y:
            continue
        if key in ("missing_policy", "transforms"):
            changed = sorted(
                set(x or {}) ^ set(y or {}) | {c for c in set(x or {}) & set(y or {}) if x[c] != y[c]}  # type: ignore[index]
            )
            labels = {**a.spec.labels, **b.spec.labels}
            before = i18n.t("compare.changed_for", lang, what="、".join(labels.get(c, c) for c in changed))
            rows.append((i18n.t(f"compare.rule.{key}", lang), before, i18n.t("compare.see_criteria", lang)))
            continue
        rows.append((i18n.t(f"compare.rule.{key}", lang), _text_of(key, x, a, lang), _text_of(key, y, b, lang)))
    return pd.DataFrame(rows, columns=["setting", "before", "after"])


def _fact_text(value: Any, scale: Mapping[str, float] | None) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    if scale:
        inverse = {float(v): k for k, v in scale.items()}
        if float(value) in inverse:
            return inverse[float(value)]
    v = float(value)
    return f"{v:,.0f}" if abs(v) >= 100 else f"{v:g}"


def _score_parts(
    a: Side, b: Side, both: pd.Index
) -> tuple[pd.Series, pd.Series, pd.DataFrame | None, pd.DataFrame | None, list[str]]:
    """Weight part and value part of each common customer's score change (and per
    criterion for the weighted sum).
    """
    ra, rb = a.result, b.result
    wa, _ = _weights(a.params)
    wb, _ = _weights(b.params)
    crits = [*wa, *[c for c in wb if c not in wa]]
    sa = ra.score_result.scores.reindex(both)
    sb = rb.score_result.scores.reindex(both)
    if a.params.spec.method == "weighted_sum" and b.params.spec.method == "weighted_sum":
        za = ra.score_result.normalized.reindex(index=both, columns=crits)
        zb = rb.score_result.normalized.reindex(index=both, columns=crits)
        za = za.fillna(zb)  # a criterion only B scores counts as a weight change
        zb = zb.fillna(za)  # one only A scores too
        ca = ra.contributions.reindex(index=both, columns=crits).fillna(0.0)
        cb = rb.contributions.reindex(index=both, columns=crits).fillna(0.0)
        dw = pd.Series({c: wb.get(c, 0.0) - wa.get(c, 0.0) for c in crits})
        wpart = za.mul(dw, axis=1)
        fpart = (cb - ca) - wpart
        return wpart.sum(axis=1), fpart.sum(axis=1), wpart, fpart, crits
    # TOPSIS (or a change of method): A's values under B's weights and method
    common = [c for c in crits if c in ra.prepared.matrix.columns and c in wb]
    spec = b.params.spec
    cf = scoring.score(
        ra.prepared.matrix[common],
        {c: wb[c] for c in common},
        {c: spec.directions[c] for c in common},
        method=spec.method,
        normalization=spec.scoring_normalization,
    ).scores.reindex(both)
    wpart_total = cf - sa
    return wpart_total, (sb - sa) - wpart_total, None, None, crits


def compare_results(a: Side, b: Side, *, top: int = 20) -> Comparison:
    """Compare two rankings.

    Parameters
    ----------
    a, b : Side
        The earlier (or current) and the later (or changed) ranking: from
        :func:`load_run`, or built from a result and its parameters.
    top : int
        Movers shown in the report (the tables hold all of them).

    Returns
    -------
    Comparison
    """
    lang = b.params.run.report.language
    ta = a.result.target_list.set_index("customer_id")
    tb = b.result.target_list.set_index("customer_id")
    ids = tb.index.append(ta.index.difference(tb.index, sort=False))
    in_a, in_b = ids.isin(ta.index), ids.isin(tb.index)
    seg_labels = {k: v.label for k, v in a.params.run.segments.items()} | {
        k: v.label for k, v in b.params.run.segments.items()
    }
    name = tb["customer_name"].reindex(ids).fillna(ta["customer_name"].reindex(ids))
    seg = tb["segment"].reindex(ids).fillna(ta["segment"].reindex(ids))
    out = pd.DataFrame({"customer_name": name, "segment": seg.map(seg_labels).fillna(seg)}, index=ids)
    out.index.name = "customer_id"
    out["tier_a"] = ta["tier"].reindex(ids).fillna(ABSENT).astype(object)
    out["tier_b"] = tb["tier"].reindex(ids).fillna(ABSENT).astype(object)
    for c in ("score", "rank"):
        out[f"{c}_a"] = ta[c].reindex(ids)
        out[f"{c}_b"] = tb[c].reindex(ids)
    out["score_change"] = out["score_b"] - out["score_a"]
    out["rank_change"] = out["rank_a"] - out["rank_b"]  # positive: climbed
    both = ids[in_a & in_b]
    wtot, ftot, wpart, fpart, crits = _score_parts(a, b, both)
    out["weight_part"] = wtot.reindex(ids)
    out["fact_part"] = ftot.reindex(ids)
    la, lb = _levels(out["tier_a"], a.params), _levels(out["tier_b"], b.params)
    out["tier_steps"] = (la - lb).astype(int)
    targeted_a = in_a & (out["tier_a"].isin(a.params.run.tiers.names)).to_numpy()
    targeted_b = in_b & (out["tier_b"].isin(b.params.run.tiers.names)).to_numpy()
    status = np.select(
        [targeted_b & ~targeted_a, targeted_a & ~targeted_b, (out["tier_a"] == out["tier_b"]).to_numpy(), lb < la],
        ["entered", "left", "same", "up"],
        default="down",
    )
    out["status"] = status
    out["quadrant_a"] = ta["quadrant"].reindex(ids)
    out["quadrant_b"] = tb["quadrant"].reindex(ids)
    owners_known = a.owners is not None and b.owners is not None  # else: not compared
    out["owner_a"] = a.owners.reindex(ids).astype(object) if owners_known and a.owners is not None else None
    out["owner_b"] = b.owners.reindex(ids).astype(object) if owners_known and b.owners is not None else None

    # facts of the customers in both lists (the list's values, ordinal scales as numbers)
    ca_all, cb_all = a.result.intake.customers, b.result.intake.customers
    fact_cols = [c for c in crits if c in ca_all.columns and c in cb_all.columns]
    fa = ca_all[fact_cols].reindex(both)
    fb = cb_all[fact_cols].reindex(both)
    diff = ~((fa == fb) | (fa.isna() & fb.isna()))
    diff &= ~(np.isclose(fa.to_numpy(dtype=float), fb.to_numpy(dtype=float), rtol=0, atol=1e-9))
    facts_changed = diff.sum(axis=1).reindex(ids).fillna(0).astype(int)
    out["facts_changed"] = facts_changed

    # the reason of every mover
    moved = out["status"] != "same"
    kind = pd.Series(None, index=ids, dtype=object)
    elig_a = ta["eligible"].reindex(ids)
    elig_b = tb["eligible"].reindex(ids)
    kind[moved & ~pd.Series(in_a, index=ids)] = "new"
    kind[moved & ~pd.Series(in_b, index=ids) & kind.isna()] = "gone"
    if "decision" in tb.columns:
        decided_b = tb["decision"].reindex(ids).fillna("").astype(str).str.contains("tier|exclusion", regex=True)
        decided_a = (
            ta["decision"].reindex(ids).fillna("").astype(str) if "decision" in ta.columns else pd.Series("", index=ids)
        )
        kind[moved & decided_b & (decided_a != tb["decision"].reindex(ids).fillna("")) & kind.isna()] = "decision"
    gates_changed = (elig_a != elig_b) & elig_a.notna() & elig_b.notna()
    kind[moved & gates_changed & kind.isna()] = "gates"
    rule_changed = any(a.result.choices.get(k) != b.result.choices.get(k) for k in _TIER_RULE_KEYS)
    if rule_changed and len(both):
        cust_a = a.result.intake.customers.reindex(both)
        tb_cols = list(b.params.run.scoring.tie_breakers)
        src_to_id = {c.source: c.id for c in b.params.criteria.criteria}
        tb_ids = [src_to_id.get(c, c) for c in tb_cols]
        tie = cust_a[tb_ids] if tb_ids and all(c in cust_a.columns for c in tb_ids) else None
        cf = rank_by_rule(
            b.params,
            a.result.score_result.scores.reindex(both),
            cust_a[a.params.run.intake.segment_column],
            elig_a.reindex(both).astype(bool),
            tie,
        )["tier"]
        by_rule = (cf == out["tier_b"].reindex(both)) & (cf != out["tier_a"].reindex(both))
        kind[moved & by_rule.reindex(ids, fill_value=False) & kind.isna()] = "rule"
    sc = out["score_change"].abs().fillna(0)
    scored = moved & kind.isna() & (sc > _TOL)
    w_dom = out["weight_part"].abs() >= out["fact_part"].abs()
    kind[scored & w_dom] = "weights"
    kind[scored & ~w_dom & (facts_changed > 0)] = "facts"
    kind[scored & ~w_dom & (facts_changed == 0)] = "range"
    kind[moved & kind.isna()] = "others"
    out["reason_kind"] = kind

    labels = {**a.params.spec.labels, **b.params.spec.labels}
    scales = {c.id: b.params.criteria.scales.get(c.scale or "", None) for c in b.params.criteria.criteria}
    wa, _ = _weights(a.params)
    wb, _ = _weights(b.params)
    movers_idx = out.index[moved]
    out["reason"] = ""
    out.loc[movers_idx, "reason"] = _reasons(
        out,
        movers_idx,
        lang=lang,
        labels=labels,
        scales=scales,
        wa=wa,
        wb=wb,
        fa=fa,
        fb=fb,
        diff=diff,
        wpart=wpart,
        fpart=fpart,
        ta=ta,
        tb=tb,
    )

    # per-criterion parts of the movers
    parts = pd.DataFrame(columns=["customer_id", "criterion", "weight_part", "fact_part", "value_a", "value_b"])
    mv_both = movers_idx.intersection(both, sort=False)
    if wpart is not None and fpart is not None and len(mv_both):
        k = len(crits)
        facts_a = fa.reindex(index=mv_both, columns=crits).to_numpy(dtype=float)
        facts_b = fb.reindex(index=mv_both, columns=crits).to_numpy(dtype=float)
        parts = pd.DataFrame(
            {
                "customer_id": np.repeat(mv_both.to_numpy(), k),
                "criterion": np.tile(np.array(crits, dtype=object), len(mv_both)),
                "weight_part": wpart.loc[mv_both, crits].to_numpy(dtype=float).ravel(),
                "fact_part": fpart.loc[mv_both, crits].to_numpy(dtype=float).ravel(),
                "value_a": facts_a.ravel(),
                "value_b": facts_b.ravel(),
            }
        )

    tier_order = _tier_order(a.params, b.params)
    migration = pd.crosstab(
        pd.Categorical(out["tier_a"], categories=tier_order),
        pd.Categorical(out["tier_b"], categories=tier_order),
        dropna=False,
    )
    migration.index = pd.Index(tier_order)
    migration.columns = pd.Index(tier_order)
    return Comparison(
        name_a=a.name,
        name_b=b.name,
        key_a=a.key,
        key_b=b.key,
        lang=lang,
        customers=out,
        migration=migration,
        parts=parts,
        weights=_weight_table(a.params, b.params, lang),
        rules=_rule_table(a.params, b.params, a.result.choices, b.result.choices, lang),
        labels=labels,
        tier_order=tuple(tier_order),
        top=top,
        owners_known=owners_known,
    )


def _signed(x: float) -> str:
    """``+0.041``; never ``-0.000``."""
    return f"{round(float(x), 3) + 0.0:+.3f}"


def _reasons(
    out: pd.DataFrame,
    movers: pd.Index,
    *,
    lang: str,
    labels: Mapping[str, str],
    scales: Mapping[str, Mapping[str, float] | None],
    wa: Mapping[str, float],
    wb: Mapping[str, float],
    fa: pd.DataFrame,
    fb: pd.DataFrame,
    diff: pd.DataFrame,
    wpart: pd.DataFrame | None,
    fpart: pd.DataFrame | None,
    ta: pd.DataFrame,
    tb: pd.DataFrame,
) -> list[str]:
    """The reader's sentence for every mover (vectorised: arrays, no row lookups)."""
    if not len(movers):
        return []
    sep = "、" if lang == "zh" else ", "
    kinds = out.loc[movers, "reason_kind"].to_numpy()
    change = out.loc[movers, "score_change"].to_numpy(dtype=float)
    wtot = out.loc[movers, "weight_part"].to_numpy(dtype=float)
    ftot = out.loc[movers, "fact_part"].to_numpy(dtype=float)
    fixed = {k: i18n.t(f"compare.why.{k}", lang) for k in ("new", "gone", "others", "rule")}
    detail_t = i18n.t("compare.why.detail", lang)
    item_t = i18n.t("compare.weight_item", lang)
    # weight items: the two criteria whose weight change moved the customer most
    crits = list(wpart.columns) if wpart is not None else list(diff.columns)
    pos = {c: i for i, c in enumerate(movers)}
    wtext: dict[Any, str] = {}
    ftext: dict[Any, str] = {}
    both = movers.intersection(diff.index, sort=False)
    if wpart is not None and len(both):
        W = wpart.reindex(index=both, columns=crits).to_numpy(dtype=float)
        order = np.argsort(-np.abs(W), axis=1, kind="stable")[:, :2]
        pct_a = [i18n.percent(wa.get(c, 0.0), lang, 1) for c in crits]
        pct_b = [i18n.percent(wb.get(c, 0.0), lang, 1) for c in crits]
        names = [labels.get(c, c) for c in crits]
        for r, cid in enumerate(both):
            items = [
                item_t.format(criterion=names[j], a=pct_a[j], b=pct_b[j], part=_signed(W[r, j]))
                for j in order[r]
                if abs(W[r, j]) > _TOL
            ]
            wtext[cid] = sep.join(items)
    if len(both) and diff.shape[1]:
        cols = list(diff.columns)
        D = diff.reindex(both).to_numpy(dtype=bool)
        A = fa.reindex(both).to_numpy(dtype=float)
        B = fb.reindex(both).to_numpy(dtype=float)
        F = fpart.reindex(index=both, columns=cols).to_numpy(dtype=float) if fpart is not None else None
        names = [labels.get(c, c) for c in cols]
        sc = [scales.get(c) for c in cols]
        for r, cid in enumerate(both):
            js = np.flatnonzero(D[r])
            if not len(js):
                continue
            if F is not None:
                js = js[np.argsort(-np.abs(F[r, js]), kind="stable")]
            items = []
            for j in js[:3]:
                part = "" if F is None else f" ({_signed(F[r, j])})"
                items.append(f"{names[j]} {_fact_text(A[r, j], sc[j])} → {_fact_text(B[r, j], sc[j])}{part}")
            ftext[cid] = sep.join(items)
    texts = []
    for cid in movers:
        r = pos[cid]
        kind = kinds[r]
        if kind in fixed:
            texts.append(fixed[kind])
        elif kind == "decision":
            texts.append(
                i18n.t(
                    "compare.why.decision",
                    lang,
                    who=str(tb.loc[cid, "decided_by"]),
                    reason=str(tb.loc[cid, "decision_reason"]),
                )
            )
        elif kind == "gates":
            now_ok = bool(tb.loc[cid, "eligible"])
            gate = str((ta if now_ok else tb).loc[cid, "not_targeted_reason"])
            texts.append(i18n.t("compare.why.gates_pass" if now_ok else "compare.why.gates_fail", lang, gate=gate))
        else:
            fields = {"change": _signed(change[r]), "wpart": _signed(wtot[r]), "fpart": _signed(ftot[r])}
            if kind == "weights":
                detail = wtext.get(cid, "")
            elif kind == "facts":
                detail = ftext.get(cid, "")
            else:
                detail = ""
            text = i18n.t(f"compare.why.{kind}", lang, **fields)
            texts.append(text + (detail_t.format(detail=detail) if detail else ""))
    return texts


# ----------------------------------------------------------------------------- entry points
def compare_runs(
    run_a: str | Path, run_b: str | Path, *, outputs: str | Path | None = None, top: int = 20
) -> Comparison:
    """Compare two runs given by run id or folder (any years: last year's run against this year's).

    Examples
    --------
    >>> c = compare_runs("20251120T101500Z", "20261202T095952Z")  # doctest: +SKIP
    >>> c.moved, c.migration  # doctest: +SKIP
    """
    a = load_run(run_a, outputs)
    b = load_run(run_b, outputs)
    return compare_results(a, b, top=top)


def _merge(base: Mapping[str, Any], change: Mapping[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for k, v in change.items():
        out[k] = _merge(out[k], v) if isinstance(v, Mapping) and isinstance(out.get(k), Mapping) else v
    return out


def _fill_group(current: Mapping[str, float], given: Mapping[str, float], what: str) -> dict[str, float]:
    """``given`` weights fixed, the others of the group scaled to fill the rest of 1."""
    fixed = sum(given.values())
    if fixed > 1 + 1e-9 or any(v < 0 for v in given.values()):
        raise ParamsError(
            f"what-if {what}: the weights given must be non-negative and sum to at most 1 (got {fixed:g})"
        )
    rest = {k: v for k, v in current.items() if k not in given}
    total = sum(rest.values())
    if rest and total <= 0 and fixed < 1 - 1e-9:
        raise ParamsError(f"what-if {what}: the other weights are all 0, so the given ones must sum to 1")
    if not rest and abs(fixed - 1) > 1e-9:
        raise ParamsError(f"what-if {what}: the weights given must sum to 1 (got {fixed:g})")
    scale = (1 - fixed) / total if total > 0 else 0.0
    return {k: (float(given[k]) if k in given else v * scale) for k, v in current.items()}


def what_if_params(
    params: Params,
    *,
    weights: Mapping[str, float] | None = None,
    family_weights: Mapping[str, float] | None = None,
    criteria: CriteriaParams | str | Path | None = None,
    tiers: Mapping[str, Any] | None = None,
    gates: Sequence[Mapping[str, Any]] | None = None,
    run: Mapping[str, Any] | None = None,
) -> Params:
    """The parameters of a what-if: ``params`` with the changes applied, validated.

    Parameters
    ----------
    params : Params
    weights : mapping, optional
        Criterion id → new weight, on the scale of ``criteria.yaml`` (within-family when
        the file has ``family_weights``). The other criteria of the same group keep their
        proportions and fill the rest of 1.
    family_weights : mapping, optional
        Family → new family weight (``{"feasibility": 0.5}``: "what if feasibility weighs
        50 %?"); the other families fill the rest of 1. A file without family weights gets
        them from its weights' family totals.
    criteria : CriteriaParams or path, optional
        A whole criteria file instead (e.g. the calibration's proposal).
    tiers : mapping, optional
        Changes to ``tiers`` of ``run.yaml`` (merged: ``{"quota": {"values": [0.1, 0.2, 0.3]}}``).
    gates : sequence of mappings, optional
        The screening gates instead of ``gates`` of ``run.yaml``.
    run : mapping, optional
        Any other change to ``run.yaml``, merged.

    Returns
    -------
    Params
        The experts' weight bounds and orders are dropped when the weights change (they
        constrain the robustness draws only; a what-if may leave them).

    Raises
    ------
    ParamsError
        An unknown criterion or family, weights that cannot sum to 1, or a change
        ``run.yaml`` would refuse.
    """
    crit = load_criteria(criteria) if isinstance(criteria, (str, Path)) else (criteria or params.criteria)
    if weights or family_weights:
        doc = crit.model_dump()
        ids = [c["id"] for c in doc["criteria"]]
        unknown = [k for k in (weights or {}) if k not in ids]
        if unknown:
            raise ParamsError(f"what-if weights: unknown criterion {unknown[0]!r}; the criteria are {', '.join(ids)}")
        if family_weights and doc.get("family_weights") is None:
            totals = crit.family_totals()
            doc["family_weights"] = dict(totals)
            for c in doc["criteria"]:
                c["weight"] = c["weight"] / totals[c["family"]] if totals[c["family"]] > 0 else 0.0
        if family_weights:
            fams = dict(doc["family_weights"])
            bad = [f for f in family_weights if f not in fams]
            if bad:
                raise ParamsError(
                    f"what-if family_weights: unknown family {bad[0]!r}; the families are {', '.join(fams)}"
                )
            doc["family_weights"] = _fill_group(fams, family_weights, "family_weights")
        groups: dict[str, list[dict[str, Any]]] = {}
        for c in doc["criteria"]:
            groups.setdefault(c["family"] if doc.get("family_weights") is not None else "", []).append(c)
        for g, members in groups.items():
            given = {c["id"]: float(weights[c["id"]]) for c in members if weights and c["id"] in weights}
            if given:
                new = _fill_group({c["id"]: c["weight"] for c in members}, given, f"weights ({g or 'all criteria'})")
                for c in members:
                    c["weight"] = new[c["id"]]
        for c in doc["criteria"]:
            c["weight_bounds"] = None
        doc["family_weight_bounds"] = None
        doc["weight_order"] = []
        try:
            crit = CriteriaParams.model_validate(doc)
        except ValueError as exc:
            raise ParamsError(f"what-if criteria: {exc}") from None
    run_doc = params.run.model_dump()
    if tiers:
        run_doc["tiers"] = _merge(run_doc["tiers"], tiers)
    if gates is not None:
        run_doc["gates"] = [dict(g) for g in gates]
    if run:
        run_doc = _merge(run_doc, run)
    try:
        run_params = RunParams.model_validate(run_doc) if (tiers or gates is not None or run) else params.run
    except ValueError as exc:
        raise ParamsError(f"what-if run settings: {exc}") from None
    import dataclasses

    return dataclasses.replace(params, criteria=crit, run=run_params)


def _base_side(base: Side | Params | str | Path, result: RankingResult | None, input_path: str | Path | None) -> Side:
    if isinstance(base, Side):
        return base
    if isinstance(base, Params):
        res = result if result is not None else run_ranking(base, input_path)
        lang = base.run.report.language
        return Side(res, base, i18n.t("compare.current", lang, year=base.run.year), "current")
    return load_run(base)


def what_if(
    base: Side | Params | str | Path,
    *,
    weights: Mapping[str, float] | None = None,
    family_weights: Mapping[str, float] | None = None,
    criteria: CriteriaParams | str | Path | None = None,
    tiers: Mapping[str, Any] | None = None,
    gates: Sequence[Mapping[str, Any]] | None = None,
    run: Mapping[str, Any] | None = None,
    result: RankingResult | None = None,
    input_path: str | Path | None = None,
    top: int = 20,
) -> Comparison:
    """Rescore with changed weights or rules, in memory, and compare with the base.

    Parameters
    ----------
    base : Side, Params, run id or run folder
        The ranking to start from: a run (its saved ranking and recorded parameters), or
        parameters (ranked once, unless ``result`` is given).
    weights, family_weights, criteria, tiers, gates, run
        The changes (:func:`what_if_params`).
    result : RankingResult, optional
        The ranking of ``base`` when it is a :class:`Params` and already ranked.
    input_path : str or Path, optional
        Another preliminary list for ``base`` (with :class:`Params`).
    top : int
        Movers shown.

    Returns
    -------
    Comparison
        The base as A, the what-if as B. The same list (the validated intake of the base)
        is rescored by :func:`prioanalysis.steps.ranking.rank_customers`.

    Examples
    --------
    >>> effect = what_if(params, family_weights={"feasibility": 0.5})  # doctest: +SKIP
    >>> effect.moved  # doctest: +SKIP
    """
    a = _base_side(base, result, input_path)
    new = what_if_params(
        a.params, weights=weights, family_weights=family_weights, criteria=criteria, tiers=tiers, gates=gates, run=run
    )
    res = rank_customers(a.result.intake, new)
    lang = new.run.report.language
    b = Side(res, new, i18n.t("compare.what_if", lang), "what-if")  # the assignment is not re-run
    return compare_results(a, b, top=top)


def proposal_effect(
    params: Params,
    proposed_criteria: CriteriaParams | str | Path,
    *,
    result: RankingResult | None = None,
    input_path: str | Path | None = None,
    top: int = 10,
) -> Comparison:
    """What adopting a proposed ``criteria.yaml`` (the calibration's or the
    recommendation's) would do to the list: :func:`what_if` with that file.

    Examples
    --------
    >>> effect = proposal_effect(params, run_dir / "recommended_criteria.yaml")  # doctest: +SKIP
    >>> effect.headline()  # doctest: +SKIP
    """
    a = _base_side(params, result, input_path)
    comp = what_if(a, criteria=proposed_criteria, top=top)
    lang = params.run.report.language
    return _renamed(comp, name_b=i18n.t("compare.proposal", lang), key_b="proposal")


def _renamed(comp: Comparison, **changes: Any) -> Comparison:
    import dataclasses

    return dataclasses.replace(comp, **changes)


# ----------------------------------------------------------------------------- HTML
def _comparison_html(c: Comparison, *, full: bool) -> str:
    lang = c.lang
    T = lambda key, **f: i18n.t(key, lang, **f)  # noqa: E731

    def shown(n: int, total: int) -> None:  # a shortened table says so
        if n < total:
            parts.append(f'<p class="note">{_esc(T("common.shown_of", shown=n, total=total))}</p>')

    parts = [f'<div class="pa-compare"><h1>{_esc(T("compare.title", a=c.name_a, b=c.name_b))}</h1>']
    parts.append(f'<p class="lead">{_esc(c.headline())}</p>')
    # what changed
    w = c.weights[c.weights["change"].abs() > _TOL]
    parts.append(f"<h2>{_esc(T('compare.h_changes'))}</h2>")
    if len(w):
        parts.append(
            _table(
                [T("compare.col_what"), T("compare.col_weight_a"), T("compare.col_weight_b"), T("compare.col_change")],
                [
                    [r.label, i18n.percent(r.weight_a, lang, 1), i18n.percent(r.weight_b, lang, 1), f"{r.change:+.1%}"]
                    for r in w.itertuples()
                ],
            )
        )
    if len(c.rules):
        parts.append(
            _table(
                [T("compare.col_what"), T("compare.col_before"), T("compare.col_after")],
                c.rules[["setting", "before", "after"]].to_numpy().tolist(),
            )
        )
    if not len(w) and not len(c.rules):
        parts.append(f"<p>{_esc(T('compare.no_rule_change'))}</p>")
    # migration
    parts.append(f"<h2>{_esc(T('compare.h_migration'))}</h2>")
    parts.append(f'<p class="note">{_esc(T("compare.migration_note", a=c.name_a, b=c.name_b))}</p>')
    order = list(c.migration.index)
    keep = [t for t in order if c.migration.loc[t].sum() or c.migration[t].sum()]
    header = [T("compare.axis_a_short"), *[c.tier_label(t) for t in keep]]
    rows, cls = [], []
    for t in keep:
        rows.append([c.tier_label(t), *[int(c.migration.loc[t, u]) for u in keep]])
        cls.append(["", *["n diag" if t == u else "n" for u in keep]])
    parts.append(_table(header, rows, cls))
    # reasons
    counts = c.reason_counts()
    if counts:
        parts.append(f"<h2>{_esc(T('compare.h_reasons'))}</h2>")
        parts.append(
            _table(
                [T("compare.col_reason"), T("compare.col_customers")],
                [[T(f"compare.reason.{k}"), v] for k, v in counts.items()],
            )
        )
    # movers
    movers = c.movers.head(c.top)
    parts.append(f"<h2>{_esc(T('compare.h_movers', n=len(movers), total=c.moved))}</h2>")
    if len(movers):
        rows, cls = [], []
        for _, r in movers.iterrows():
            steps = int(r["tier_steps"])
            rows.append(
                [
                    r["customer_name"],
                    r["segment"],
                    c.tier_label(r["tier_a"]),
                    c.tier_label(r["tier_b"]),
                    "" if pd.isna(r["score_change"]) else f"{r['score_change']:+.3f}",
                    r["reason"],
                ]
            )
            cls.append(["", "", "", "up" if steps > 0 else "down", "n", ""])
        parts.append(
            _table(
                [
                    T("compare.col_customer"),
                    T("compare.col_segment"),
                    T("compare.col_tier_a"),
                    T("compare.col_tier_b"),
                    T("compare.col_score_change"),
                    T("compare.col_reason"),
                ],
                rows,
                cls,
                wrap_last=True,
            )
        )
        parts.append(f'<p class="note">{_esc(T("compare.parts_note"))}</p>')
    else:
        parts.append(f"<p>{_esc(T('compare.no_movers'))}</p>")
    if full:
        cust = c.customers
        for status in ("entered", "left"):
            sel = cust[cust["status"] == status]
            parts.append(f"<h2>{_esc(T(f'compare.h_{status}', n=len(sel)))}</h2>")
            if len(sel):
                shown(min(len(sel), c.top), len(sel))
                sel = sel.iloc[: c.top]
                parts.append(
                    _table(
                        [
                            T("compare.col_customer"),
                            T("compare.col_segment"),
                            T("compare.col_tier_a"),
                            T("compare.col_tier_b"),
                            T("compare.col_reason"),
                        ],
                        [
                            [
                                r["customer_name"],
                                r["segment"],
                                c.tier_label(r["tier_a"]),
                                c.tier_label(r["tier_b"]),
                                r["reason"],
                            ]
                            for _, r in sel.iterrows()
                        ],
                        wrap_last=True,
                    )
                )
        q = cust[(cust["quadrant_a"] != cust["quadrant_b"]) & cust["quadrant_a"].notna() & cust["quadrant_b"].notna()]
        parts.append(f"<h2>{_esc(T('compare.h_quadrants', n=len(q)))}</h2>")
        if len(q):
            qm = pd.crosstab(q["quadrant_a"], q["quadrant_b"])
            parts.append(
                _table([T("compare.axis_quadrant"), *qm.columns], [[i, *map(int, qm.loc[i])] for i in qm.index])
            )
        o = cust[cust["owner_a"].fillna("") != cust["owner_b"].fillna("")] if c.owners_known else cust.iloc[:0]
        parts.append(f"<h2>{_esc(T('compare.h_owners', n=len(o)))}</h2>")
        if not c.owners_known:
            parts.append(f'<p class="note">{_esc(T("compare.owners_unknown"))}</p>')
        if len(o):
            shown(min(len(o), c.top), len(o))
            o = o.iloc[: c.top]
            none = T("common.none")
            parts.append(
                _table(
                    [
                        T("compare.col_customer"),
                        T("compare.col_segment"),
                        T("compare.col_tier_b"),
                        T("compare.col_owner_a"),
                        T("compare.col_owner_b"),
                    ],
                    [
                        [
                            r["customer_name"],
                            r["segment"],
                            c.tier_label(r["tier_b"]),
                            r["owner_a"] or none,
                            r["owner_b"] or none,
                        ]
                        for _, r in o.iterrows()
                    ],
                )
            )
        parts.append(f'<p class="note">{_esc(T("compare.tables_note"))}</p>')
    parts.append("</div>")
    body = "".join(parts)
    if not full:
        return f"<style>{_CSS.replace('body{', '.pa-compare{')}</style>{body}"
    title = _esc(T("compare.title", a=c.name_a, b=c.name_b))
    return (
        f'<!DOCTYPE html><html lang="{"zh-CN" if lang == "zh" else "en"}"><head><meta charset="utf-8">'
        f"<title>{title}</title><style>{_CSS}</style></head><body>{body}</body></html>\n"
    )
