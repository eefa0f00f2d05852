"""Intake of the preliminary customer list (step 2.3.2).

Reads CSV, Excel (.xlsx) and Parquet; validates the list against the criteria and the
run parameters; resolves customers proposed by several segments; and measures data
completeness — the process names incomplete customer data as its main barrier.

Row numbers in messages are the row as the analyst sees it: the line of the CSV file
or the Excel row (the header is row 1, the first customer row 2); for Parquet, the
record number counting from 1.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from prioanalysis.errors import InputError
from prioanalysis.config.params import Params

__all__ = [
    "read_table",
    "IntakeResult",
    "validate_preliminary",
    "completeness",
    "data_quality",
    "NA_VALUES",
]

#: Cell texts read as missing in CSV input.
NA_VALUES = ["", "NA", "N/A", "n/a", "NaN", "nan", "null", "NULL", "None", "-", "—"]
_MAX_LISTED = 8


def read_table(path: str | Path) -> pd.DataFrame:
    """Read a CSV, XLSX or Parquet file into a DataFrame of raw values.

    CSV files are read as text (UTF-8, with or without a byte-order mark) so that
    every cell can be checked and reported as written; Excel and Parquet keep their
    own cell types. Missing cells become ``NA``.

    Parameters
    ----------
    path : str or Path
        ``.csv``, ``.xlsx`` or ``.parquet`` file.

    Returns
    -------
    pandas.DataFrame
        One row per data row, with an ``attrs["source"]`` naming the file and
        ``attrs["row_offset"]`` to turn a position into the row the analyst sees.

    Raises
    ------
    InputError
        Missing file, unsupported suffix or unreadable content.
    """
    p = Path(path)
    if not p.is_file():
        raise InputError(f"{p}: input file not found")
    suffix = p.suffix.lower()
    try:
        if suffix == ".csv":
            df = pd.read_csv(
                p, dtype=str, keep_default_na=False, na_values=NA_VALUES, encoding="utf-8-sig"
            )
            offset = 2
        elif suffix in (".xlsx", ".xlsm"):
            df = pd.read_excel(p, sheet_name=0, engine="openpyxl")
            offset = 2
        elif suffix == ".parquet":
            df = pd.read_parquet(p)
            offset = 1
        else:
            raise InputError(f"{p}: unsupported file type '{suffix}' (use .csv, .xlsx or .parquet)")
    except InputError:
        raise
    except UnicodeDecodeError:
        raise InputError(f"{p}: not UTF-8 text; save the CSV as UTF-8") from None
    except Exception as exc:  # pandas/openpyxl/pyarrow raise many types
        raise InputError(f"{p}: could not be read ({type(exc).__name__}: {exc})") from None
    df.columns = [str(c).strip() for c in df.columns]
    df = df.reset_index(drop=True)
    df.attrs["source"] = str(p)
    df.attrs["row_offset"] = offset
    return df


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


def _rows(df: pd.DataFrame, mask: pd.Series | np.ndarray) -> list[int]:
    offset = int(df.attrs.get("row_offset", 2))
    pos = np.flatnonzero(np.asarray(mask))
    return [int(p) + offset for p in pos]


def _fmt_rows(rows: list[int]) -> str:
    head = ", ".join(str(r) for r in rows[:_MAX_LISTED])
    more = f" and {len(rows) - _MAX_LISTED} more" if len(rows) > _MAX_LISTED else ""
    word = "row" if len(rows) == 1 else "rows"
    return f"{word} {head}{more}"


def _examples(values: pd.Series, mask: pd.Series) -> str:
    vals = values[mask].astype(str).unique()[:3]
    return ", ".join(repr(v) for v in vals)


def _to_key(values: pd.Series) -> pd.Series:
    """Text keys for ordinal matching: 3, 3.0 and "3" all become "3"."""
    num = pd.to_numeric(values, errors="coerce").astype(float)
    as_int = num.notna() & np.isfinite(num) & (num == np.round(num)) & (num.abs() < 2**53)
    txt = values.astype("string").str.strip()
    ints = num.where(as_int, 0).astype("int64").astype("string")
    txt = txt.where(~as_int, ints)
    return txt.str.upper().where(~as_int, txt)


def _required_columns(params: Params) -> list[str]:
    it = params.run.intake
    cols = [it.id_column, it.name_column, it.segment_column]
    cols += [c.source for c in params.criteria.criteria]
    cols += [it.need_status_column, it.months_column]
    cols += [g.column for g in params.run.gates]
    cols += [c for c in params.run.scoring.tie_breakers]
    out: list[str] = []
    for c in cols:
        if c not in out:
            out.append(c)
    return out


def validate_preliminary(df: pd.DataFrame, params: Params) -> IntakeResult:
    """Validate a preliminary list against the criteria and run parameters.

    Checks, reporting every problem found (not only the first): required columns;
    identifiers and segments present; segments known to ``run.yaml``; one row per
    customer and segment; numbers where numbers are expected; ordinal values on their
    declared scale; raw values inside each criterion's ``valid_range``; need status
    among the known statuses; months to close not negative.

    Then resolves customers proposed by several segments
    (``intake.multi_segment_rule``) and excludes customers with too little data
    (``intake.min_completeness``).

    Parameters
    ----------
    df : pandas.DataFrame
        As returned by :func:`read_table`.
    params : Params
        Loaded parameters.

    Returns
    -------
    IntakeResult

    Raises
    ------
    InputError
        Naming the file, the row(s), the column and what was expected.
    """
    source = str(df.attrs.get("source", "<input>"))
    it = params.run.intake
    crit = params.criteria
    problems: list[str] = []

    missing_cols = [c for c in _required_columns(params) if c not in df.columns]
    if missing_cols:
        raise InputError(
            f"{source}: missing required column(s): {', '.join(missing_cols)} "
            f"(found: {', '.join(map(str, df.columns))})"
        )

    out = pd.DataFrame(index=df.index)
    for col in (it.id_column, it.name_column, it.segment_column):
        txt = df[col].astype("string").str.strip()
        empty = txt.isna() | (txt == "")
        if empty.any():
            problems.append(f"{_fmt_rows(_rows(df, empty))}, column '{col}': value is empty")
        out[col] = txt
    for col in df.columns:
        if col not in out.columns and col not in [c.source for c in crit.criteria]:
            out[col] = df[col]

    seg = out[it.segment_column]
    unknown = seg.notna() & ~seg.isin(list(params.run.segments))
    if unknown.any():
        problems.append(
            f"{_fmt_rows(_rows(df, unknown))}, column '{it.segment_column}': unknown segment "
            f"{_examples(seg, unknown)} (expected one of {', '.join(params.run.segments)})"
        )
    dup = out.duplicated([it.id_column, it.segment_column], keep=False) & out[it.id_column].notna()
    if dup.any():
        problems.append(
            f"{_fmt_rows(_rows(df, dup))}, columns '{it.id_column}'+'{it.segment_column}': "
            f"the same customer is listed twice in one segment ({_examples(out[it.id_column], dup)})"
        )

    for c in crit.criteria:
        raw = df[c.source]
        present = raw.notna() & (raw.astype("string").str.strip() != "")
        if c.scale is not None:
            scale = crit.scales[c.scale]
            key = _to_key(raw)
            upper = {k.upper(): v for k, v in scale.items()}
            mapped = key.map(upper)
            bad = present & mapped.isna()
            if bad.any():
                problems.append(
                    f"{_fmt_rows(_rows(df, bad))}, column '{c.source}': {_examples(raw, bad)} "
                    f"is not on scale '{c.scale}' (expected one of {', '.join(scale)})"
                )
            out[c.source] = pd.to_numeric(mapped, errors="coerce").astype(float)
            continue
        num = pd.to_numeric(raw, errors="coerce").astype(float)
        bad = present & (num.isna() | ~np.isfinite(num))
        if bad.any():
            problems.append(
                f"{_fmt_rows(_rows(df, bad))}, column '{c.source}': {_examples(raw, bad)} "
                "is not a number"
            )
        if c.valid_range is not None:
            lo, hi = c.valid_range
            outside = pd.Series(False, index=df.index)
            if lo is not None:
                outside |= num < lo
            if hi is not None:
                outside |= num > hi
            if outside.any():
                problems.append(
                    f"{_fmt_rows(_rows(df, outside))}, column '{c.source}': "
                    f"{_examples(raw, outside)} is outside the valid range "
                    f"[{'' if lo is None else lo}, {'' if hi is None else hi}]"
                )
        if c.transform == "log1p":
            neg = num <= -1
            if neg.any():
                problems.append(
                    f"{_fmt_rows(_rows(df, neg))}, column '{c.source}': log1p needs values "
                    f"above -1 (got {_examples(raw, neg)})"
                )
        out[c.source] = num.where(np.isfinite(num))

    g = params.run.grades
    statuses = {g.target_status, g.potential_status, g.dead_status}
    need = df[it.need_status_column].astype("string").str.strip().str.lower()
    bad_need = need.notna() & ~need.isin(list(statuses))
    if bad_need.any():
        problems.append(
            f"{_fmt_rows(_rows(df, bad_need))}, column '{it.need_status_column}': "
            f"{_examples(df[it.need_status_column], bad_need)} is not a need status "
            f"(expected one of {', '.join(sorted(statuses))})"
        )
    out[it.need_status_column] = need
    mraw = df[it.months_column]
    months = pd.to_numeric(mraw, errors="coerce").astype(float)
    mpresent = mraw.notna() & (mraw.astype("string").str.strip() != "")
    bad_m = mpresent & (months.isna() | (months < 0))
    if bad_m.any():
        problems.append(
            f"{_fmt_rows(_rows(df, bad_m))}, column '{it.months_column}': "
            f"{_examples(mraw, bad_m)} is not a non-negative number of months"
        )
    out[it.months_column] = months

    for col in params.run.scoring.tie_breakers:
        if col not in [c.source for c in crit.criteria]:
            out[col] = pd.to_numeric(df[col], errors="coerce")

    if problems:
        raise InputError(
            f"{source}: {len(problems)} problem(s) in the preliminary list:\n"
            + "\n".join(f"  - {p}" for p in problems)
        )

    out["source_row"] = np.arange(len(df)) + int(df.attrs.get("row_offset", 2))
    scored_cols = [c.source for c in crit.criteria]
    out["completeness"] = out[scored_cols].notna().mean(axis=1)
    rename = {c.source: c.id for c in crit.criteria if c.source != c.id}
    proposed, claims = _resolve_claims(out, params)
    proposed = proposed.rename(columns=rename).set_index(it.id_column, drop=False)
    proposed.index.name = None
    customers, excluded = _exclude_incomplete(proposed, params)
    dropped = claims.loc[~claims["kept"], [it.id_column, it.segment_column, "source_row"]].assign(
        reason="proposed by several segments: claim not kept (" + params.run.intake.multi_segment_rule + ")"
    )
    excluded = pd.concat([excluded, dropped], ignore_index=True).sort_values(
        ["source_row"], kind="stable"
    ).reset_index(drop=True)
    return IntakeResult(
        customers=customers, proposed=proposed, claims=claims, excluded=excluded, raw=df, source=source
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
    claims["rule"] = it.multi_segment_rule
    claims = claims.sort_values([it.id_column, "source_row"], kind="stable").reset_index(drop=True)
    customers = ranked.loc[kept_mask].drop(columns="_seg_order")
    customers["claimed_by"] = customers[it.id_column].map(
        rows.groupby(it.id_column)[it.segment_column].agg(lambda s: ";".join(sorted(s)))
    )
    customers = customers.sort_values("source_row", kind="stable")
    return customers, claims


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
