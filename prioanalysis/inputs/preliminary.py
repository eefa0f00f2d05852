"""Intake of the preliminary customer list (step 2.3.2).

Reads the list (:func:`~prioanalysis.inputs.tables.read_table`: CSV, Excel (.xlsx) or
Parquet); checks it against the schema the criteria and the run parameters define
(:func:`preliminary_schema`, the same schema the customer database imports a list
with); resolves customers proposed by several segments; and measures data
completeness — the process names incomplete customer data as its main barrier.

Row numbers in messages are the row as the analyst sees it: the line of the CSV file
or the Excel row (the header is row 1, the first customer row 2); for Parquet, the
record number counting from 1.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from prioanalysis.config.params import Params
from prioanalysis.errors import InputError
from prioanalysis.inputs.schema import Check, Column, TableSchema, as_text, check
from prioanalysis.inputs.tables import MAX_LISTED, NA_VALUES, examples

__all__ = [
    "IntakeResult",
    "preliminary_schema",
    "validate_preliminary",
    "completeness",
    "data_quality",
    "NA_VALUES",
]

#: Columns of the preliminary list that describe the customer, not its facts: the
#: customer database keeps them as columns (the facts go to a long table).
DESCRIPTIVE = ("region", "owner_id")
REGION, STAGE, OWNER = "region", "pipeline_stage", "owner_id"
_LOG1P = Check(lambda v: v <= -1, "log1p needs values above -1 (got {examples})")


@dataclass(frozen=True)
class IntakeResult:
    """A validated preliminary list.

    Attributes
    ----------
    customers : pandas.DataFrame
        The customers to score: one row per customer (multi-segment claims resolved),
        indexed by customer id, criteria as numbers (ordinal scales mapped), missing
        values as NaN.
    proposed : pandas.DataFrame
        Every customer proposed (claims resolved), including those excluded for too
        little data; the completeness tables are computed on it.
    claims : pandas.DataFrame
        Every claim of a customer proposed by several segments, with the kept one.
    excluded : pandas.DataFrame
        Rows not scored and why (customer_id, segment, source_row, reason).
    raw : pandas.DataFrame
        The input rows as read (for the record).
    source : str
        File the list came from.
    """

    customers: pd.DataFrame
    proposed: pd.DataFrame
    claims: pd.DataFrame
    excluded: pd.DataFrame
    raw: pd.DataFrame
    source: str


def preliminary_schema(params: Params) -> TableSchema:
    """The columns of the preliminary list under these criteria and run parameters.

    Required: the id, name and segment columns (filled in; the segment one of
    ``run.yaml``'s), each criterion's column (numbers inside ``valid_range``, or
    values of its ordinal scale; empty = missing), the need status (one of the
    grades' statuses), the months to close (>= 0), the gate columns and the tie
    breakers (numbers). Optional: ``region`` and ``pipeline_stage`` (words of
    ``intake.regions`` / ``intake.pipeline_stages``, case ignored) and ``owner_id``.
    One row per customer and segment; one name per customer id.

    Examples
    --------
    >>> from prioanalysis.config.params import load_params
    >>> s = preliminary_schema(load_params("params/2026"))
    >>> s.column("credit_grade").kind, s.column("growth").range, s.key
    ('scale', (-100.0, 1000.0), ('customer_id', 'segment'))
    """
    it = params.run.intake
    crit = params.criteria
    g = params.run.grades
    cols: dict[str, Column] = {
        it.id_column: Column(it.id_column, "id", required=True, nullable=False, description="customer id"),
        it.name_column: Column(it.name_column, "text", required=True, nullable=False, description="customer name"),
        it.segment_column: Column(
            it.segment_column,
            "choice",
            required=True,
            nullable=False,
            vocabulary=tuple(params.run.segments),
            what="segment",
            description="segment proposing the customer",
        ),
    }
    for c in crit.criteria:
        if c.scale is not None:
            cols[c.source] = Column(
                c.source, "scale", required=True, scale=crit.scales[c.scale], scale_name=c.scale, description=c.label
            )
        else:
            lo, hi = c.valid_range if c.valid_range is not None else (None, None)
            cols[c.source] = Column(
                c.source,
                "number",
                required=True,
                description=c.label,
                range=None if lo is None and hi is None else (lo, hi),
                checks=(_LOG1P,) if c.transform == "log1p" else (),
            )
    statuses = tuple(dict.fromkeys((g.target_status, g.potential_status, g.dead_status)))
    cols.setdefault(
        it.need_status_column,
        Column(it.need_status_column, "choice", required=True, vocabulary=statuses, what="need status", fold_case=True),
    )
    cols.setdefault(
        it.months_column,
        Column(it.months_column, "number", required=True, range=(0, None), description="expected months to close"),
    )
    cols.setdefault(
        REGION,
        Column(REGION, "choice", vocabulary=it.regions, what="region", fold_case=True, description="sales region"),
    )
    cols.setdefault(
        STAGE,
        Column(
            STAGE,
            "choice",
            vocabulary=it.pipeline_stages,
            what="pipeline stage",
            fold_case=True,
            description="pipeline stage (closed = already a customer)",
        ),
    )
    for gate in params.run.gates:
        cols.setdefault(gate.column, Column(gate.column, "any", required=True, description=f"gate {gate.id}"))
    for col in params.run.scoring.tie_breakers:
        cols.setdefault(col, Column(col, "number", required=True, description="tie breaker"))
    for col in DESCRIPTIVE:
        cols.setdefault(col, Column(col, "id"))
    return TableSchema(
        "preliminary list",
        tuple(cols.values()),
        key=(it.id_column, it.segment_column),
        consistent=((it.id_column, it.name_column),),
    )


def validate_preliminary(df: pd.DataFrame, params: Params, owners: pd.DataFrame | None = None) -> IntakeResult:
    """Validate a preliminary list against the criteria and run parameters.

    Checks, reporting every problem found (not only the first): required columns;
    at least one customer row; identifiers and segments present; segments known to
    ``run.yaml``; one row per customer and segment; numbers where numbers are
    expected (a TRUE/FALSE cell is not one); ordinal values on their declared scale;
    raw values inside each criterion's ``valid_range``; need status among the known
    statuses; months to close not negative; no required column empty for every
    customer; regions and pipeline stages among ``intake.regions`` /
    ``intake.pipeline_stages``; owner ids in the owner list (when ``owners`` is
    given); no control characters in text.

    Then resolves customers proposed by several segments
    (``intake.multi_segment_rule``; claims that disagree on a fact are refused or
    listed, see ``intake.conflicting_facts``) and excludes customers with too little
    data (``intake.min_completeness``).

    Parameters
    ----------
    df : pandas.DataFrame
        As returned by :func:`prioanalysis.inputs.tables.read_table`.
    params : Params
        Loaded parameters.
    owners : pandas.DataFrame, optional
        The owner list (:func:`prioanalysis.inputs.owners.read_owners`): every
        ``owner_id`` of the list must be one of its owners. Not checked without it.

    Returns
    -------
    IntakeResult

    Raises
    ------
    InputError
        Naming the file, the row(s), the column and what was expected.
    """
    it = params.run.intake
    crit = params.criteria
    schema = preliminary_schema(params)
    checked, problems = check(df, schema)
    source = str(checked.attrs["source"])
    if len(df) == 0:
        raise InputError(f"{source}: the preliminary list has no customer rows (only a header)")
    for name in schema.required:
        raw = as_text(df[name])
        if (raw.isna() | (raw.str.strip() == "")).all():
            problems.add(None, name, "is empty for every customer (fill it in, or take the criterion out)")
    if owners is not None and OWNER in checked.columns:
        known = set(owners[OWNER].astype(str).str.strip()) if OWNER in owners.columns else set()
        ids = checked[OWNER]
        unknown = (ids.notna() & ~ids.isin(known)).to_numpy()
        if unknown.any():
            where = owners.attrs.get("source", "the owner list")
            problems.add(unknown, OWNER, f"{examples(ids, unknown)} is not an owner in {where}")
    problems.raise_if_any()
    source_row = pd.Series(np.arange(len(df)) + int(df.attrs.get("row_offset", 2)), index=df.index)
    conflicts = _conflicting_facts(checked, source_row, params)  # before scale keys become numbers
    if conflicts and it.conflicting_facts == "error":
        raise _conflict_error(source, conflicts)
    for c in crit.criteria:
        if c.scale is not None:  # scale keys → numbers
            checked[c.source] = checked[c.source].map(crit.scales[c.scale]).astype(float)
    # identity first, then the other columns as read, then the criteria in criteria order
    ident = [it.id_column, it.name_column, it.segment_column]
    sources = [c.source for c in crit.criteria]
    order = [*ident, *(c for c in df.columns if c not in ident and c not in sources), *sources]
    out = pd.DataFrame({c: checked[c] for c in order}, index=df.index)

    out["source_row"] = source_row
    scored_cols = [c.source for c in crit.criteria]
    out["completeness"] = out[scored_cols].notna().mean(axis=1)
    rename = {c.source: c.id for c in crit.criteria if c.source != c.id}
    proposed, claims = _resolve_claims(out, params)
    listed = {k: ", ".join(v) for k, (_, v) in conflicts.items()}
    claims["conflicts"] = [listed.get(str(c), "") for c in claims[it.id_column]]
    proposed = proposed.rename(columns=rename).set_index(it.id_column, drop=False)
    proposed.index.name = None
    customers, excluded = _exclude_incomplete(proposed, params)
    dropped = claims.loc[~claims["kept"], [it.id_column, it.segment_column, "source_row", "rule"]]
    dropped = dropped.assign(reason="proposed by several segments: claim not kept (" + dropped["rule"] + ")").drop(
        columns="rule"
    )
    excluded = (
        pd.concat([excluded, dropped], ignore_index=True)
        .sort_values(["source_row"], kind="stable")
        .reset_index(drop=True)
    )
    return IntakeResult(customers=customers, proposed=proposed, claims=claims, excluded=excluded, raw=df, source=source)


def _fact_columns(params: Params, columns: pd.Index) -> list[str]:
    """The columns two claims of one customer must agree on (when both give them)."""
    it = params.run.intake
    names = [
        *(c.source for c in params.criteria.criteria),
        it.need_status_column,
        it.months_column,
        *(g.column for g in params.run.gates),
        *params.run.scoring.tie_breakers,
        REGION,
        STAGE,
    ]
    return [c for c in dict.fromkeys(names) if c in columns]


def _conflicting_facts(
    checked: pd.DataFrame, source_row: pd.Series, params: Params
) -> dict[str, tuple[str, list[str]]]:
    """Customer id → (a description of its claims' disagreement, the columns) for the
    customers whose claims give different values of one fact.
    """
    it = params.run.intake
    ids = checked[it.id_column]
    multi = checked[ids.duplicated(keep=False) & ids.notna()]
    if multi.empty:
        return {}
    found: dict[str, list[str]] = {}
    for col in _fact_columns(params, checked.columns):
        values = multi[col]
        if values.dtype == object:
            values = as_text(values)
        n = values.groupby(multi[it.id_column], sort=False).nunique(dropna=True)
        for cid in n.index[n > 1]:
            found.setdefault(str(cid), []).append(col)
    out: dict[str, tuple[str, list[str]]] = {}
    for cid, cols in found.items():
        rows = multi[multi[it.id_column] == cid]
        claims = ", ".join(f"{source_row[i]} ({seg})" for i, seg in rows[it.segment_column].items())
        facts = "; ".join(
            f"column '{c}': " + " vs ".join(repr(_short(v)) for v in rows[c].tolist()) for c in cols[:MAX_LISTED]
        )
        more = f" and {len(cols) - MAX_LISTED} more column(s)" if len(cols) > MAX_LISTED else ""
        out[cid] = (f"customer '{cid}', rows {claims}: {facts}{more}", cols)
    return out


def _short(v: object) -> object:
    if isinstance(v, float) and v.is_integer():
        return int(v)
    if isinstance(v, str) and len(v) > 40:
        return v[:37] + "..."
    return v


def _conflict_error(source: str, conflicts: dict[str, tuple[str, list[str]]]) -> InputError:
    items = [text for text, _ in conflicts.values()]
    listed = items[:MAX_LISTED] + (
        [f"and {len(items) - MAX_LISTED} more customer(s)"] if len(items) > MAX_LISTED else []
    )
    return InputError(
        f"{source}: {len(items)} customer(s) proposed by several segments whose claims disagree on facts both give:\n"
        + "\n".join(f"  - {t}" for t in listed)
        + "\nMake the claims agree, or set intake.conflicting_facts: resolve in run.yaml to keep the claim "
        "chosen by intake.multi_segment_rule (the conflicts are then listed in multi_segment_claims)."
    )


def _resolve_claims(rows: pd.DataFrame, params: Params) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Keep one row per customer; report every claim of multi-segment customers."""
    it = params.run.intake
    order = {s: i for i, s in enumerate(params.run.segments)}
    ranked = rows.assign(_seg_order=rows[it.segment_column].map(order))
    if it.multi_segment_rule == "most_complete":
        keys, asc = ["completeness", "_seg_order"], [False, True]
    else:
        keys, asc = ["_seg_order"], [True]
    # a claim override of decisions.yaml keeps the decided segment's claim, whatever the rule
    decided = _decided_claims(rows, params)
    if decided:
        chosen = rows[it.id_column].map(decided).eq(rows[it.segment_column])
        ranked["_decided"] = ~chosen.to_numpy()
        keys, asc = ["_decided", *keys], [True, *asc]
    ranked = ranked.sort_values([it.id_column, *keys], ascending=[True, *asc], kind="stable")
    kept_mask = ~ranked.duplicated(it.id_column, keep="first")
    n_claims = rows.groupby(it.id_column)[it.segment_column].transform("size")
    multi = ranked[n_claims.loc[ranked.index] > 1]
    kept_seg = ranked.loc[kept_mask].set_index(it.id_column)[it.segment_column]
    claims = pd.DataFrame(
        {
            it.id_column: multi[it.id_column].to_numpy(),
            it.name_column: multi[it.name_column].to_numpy(),
            it.segment_column: multi[it.segment_column].to_numpy(),
            "source_row": multi["source_row"].to_numpy(),
            "completeness": multi["completeness"].round(4).to_numpy(),
            "kept": kept_mask.loc[multi.index].to_numpy(),
        }
    )
    claims["kept_segment"] = claims[it.id_column].map(kept_seg)
    claims["rule"] = np.where(claims[it.id_column].isin(list(decided)), "decision", it.multi_segment_rule)
    claims = claims.sort_values([it.id_column, "source_row"], kind="stable").reset_index(drop=True)
    customers = ranked.loc[kept_mask].drop(columns=["_seg_order", "_decided"], errors="ignore")
    customers["claimed_by"] = _claimed_by(customers, multi, it.id_column, it.segment_column)
    customers = customers.sort_values("source_row", kind="stable")
    return customers, claims


def _decided_claims(rows: pd.DataFrame, params: Params) -> dict[str, str]:
    """Customer id → segment kept by a claim override of ``decisions.yaml`` (checked
    against the list's claims: :func:`prioanalysis.config.decisions.claim_overrides`).
    """
    if params.decisions is None or not params.decisions.claims:
        return {}
    from prioanalysis.config.decisions import claim_overrides

    it = params.run.intake
    claims = rows.groupby(it.id_column, sort=False)[it.segment_column].agg(set).to_dict()
    source = str(rows.attrs.get("source") or "the preliminary list")
    return claim_overrides(params.decisions, params.decisions_path or "decisions.yaml", claims, source)


def _claimed_by(kept: pd.DataFrame, multi: pd.DataFrame, id_column: str, segment_column: str) -> pd.Series:
    """Every segment proposing each kept customer, sorted and ``;``-joined: its own
    segment when it has one claim; only the few multi-segment customers are joined.
    """
    out = kept[segment_column].copy()
    if len(multi):
        joined = multi.groupby(id_column, sort=False)[segment_column].agg(lambda s: ";".join(sorted(s)))
        several = kept[id_column].isin(joined.index)
        out[several] = kept.loc[several, id_column].map(joined).to_numpy()
    return out


def _exclude_incomplete(customers: pd.DataFrame, params: Params) -> tuple[pd.DataFrame, pd.DataFrame]:
    it = params.run.intake
    low = customers["completeness"] < it.min_completeness
    excluded = customers.loc[low, [it.id_column, it.segment_column, "source_row"]].assign(
        reason=f"data completeness below {it.min_completeness:.0%} of the scored criteria"
    )
    return customers.loc[~low], excluded


def completeness(customers: pd.DataFrame, criteria: list[str], by: str) -> pd.DataFrame:
    """Share of customers with each criterion filled in, per group and overall.

    Parameters
    ----------
    customers : pandas.DataFrame
        Customers with criteria columns (NaN = missing).
    criteria : list of str
        Criterion columns.
    by : str
        Grouping column (e.g. the segment).

    Returns
    -------
    pandas.DataFrame
        Rows = groups plus ``all``; columns = criteria plus ``customers`` (count) and
        ``complete_rows`` (share of customers with every criterion filled in).

    Examples
    --------
    >>> df = pd.DataFrame({"seg": ["a", "a", "b"], "x": [1.0, None, 2.0]})
    >>> completeness(df, ["x"], "seg")["x"].tolist()
    [0.5, 1.0, 0.6667]
    """
    filled = customers[criteria].notna()
    grouped = filled.groupby(customers[by], sort=True).mean()
    grouped.loc["all"] = filled.mean()
    counts = customers.groupby(by, sort=True).size()
    grouped["customers"] = pd.concat([counts, pd.Series({"all": len(customers)})])
    full = filled.all(axis=1)
    grouped["complete_rows"] = pd.concat(
        [full.groupby(customers[by], sort=True).mean(), pd.Series({"all": full.mean()})]
    )
    grouped.index.name = by
    return grouped.round(4)


def data_quality(intake: IntakeResult, params: Params) -> dict[str, pd.DataFrame]:
    """The data-quality tables every run writes.

    Returns
    -------
    dict
        ``completeness_by_segment`` (segments × criteria, share filled in, computed on
        every customer proposed — before exclusions), ``completeness_by_criterion``
        (one row per criterion: label, missing count and share, policy applied) and
        ``excluded`` (rows not scored, with the reason).
    """
    it = params.run.intake
    crit = params.criteria
    ids = [c.id for c in crit.criteria]
    allrows = intake.proposed
    by_seg = completeness(allrows, ids, it.segment_column)
    n = len(allrows)
    missing = allrows[ids].isna().sum()
    by_crit = pd.DataFrame(
        {
            "criterion": ids,
            "label": [c.label for c in crit.criteria],
            "family": [c.family for c in crit.criteria],
            "missing": missing.to_numpy(),
            "missing_share": (missing / max(n, 1)).round(4).to_numpy(),
            "completeness": (1 - missing / max(n, 1)).round(4).to_numpy(),
            "missing_policy": [crit.policy(c) for c in crit.criteria],
        }
    )
    return {
        "completeness_by_segment": by_seg.reset_index(),
        "completeness_by_criterion": by_crit,
        "excluded": intake.excluded,
    }
