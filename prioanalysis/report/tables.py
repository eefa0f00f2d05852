r"""Writing a run's tables: CSV files and the target-list workbook.

CSV files are written reproducibly — UTF-8, ``\n`` line ends, numbers rounded to a
fixed number of decimals — so the same inputs and parameters give byte-identical
tables.

The target-list workbook (:func:`write_target_workbook`) is what account managers work
from: a sheet of targets per segment, one of the non-targets with their reasons, a
legend; headers and words in the report's language, the assigned owner, number
formats, filters, frozen names, print set-up. It is written with XlsxWriter in
constant-memory mode (``benchmarks/bench_workbook.py``: 100,000 customers in about
the time the former hand-written XML writer took, in bounded memory).
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from prioanalysis.config.params import Params
from prioanalysis.steps.ranking import RankingResult

__all__ = [
    "write_csv",
    "csv_safe",
    "restore_text",
    "write_ranking_tables",
    "write_target_workbook",
    "display_width",
    "DECIMALS",
    "TARGET_SHEET_COLUMNS",
    "NON_TARGET_SHEET_COLUMNS",
    "NUMBER_FORMATS",
    "TIER_COLOURS",
]

#: Decimals kept for floating-point columns in CSV tables.
DECIMALS = 6
_SHEET_FORBIDDEN = str.maketrans(dict.fromkeys("[]:*?/\\", "_"))


#: First characters that make a spreadsheet read a text cell as a formula (OWASP CSV injection).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _neutral(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(FORMULA_START) and not _is_number(value):
        return "'" + value
    return value


def csv_safe(frame: pd.DataFrame) -> pd.DataFrame:
    """The table with every text cell (and text header or index label) that a
    spreadsheet would run as a formula — starting with ``=``, ``+``, ``-``, ``@``, a tab
    or a carriage return, and not a number — prefixed with a single quote
    (``=HYPERLINK(...)`` → ``'=HYPERLINK(...)``), as OWASP recommends against CSV
    injection. Numbers, including negative ones, are left as they are.

    Examples
    --------
    >>> csv_safe(pd.DataFrame({"name": ["=1+2", "-3", "@x", "ok"], "n": [-1, 2, 3, 4]}))["name"].tolist()
    ["'=1+2", '-3', "'@x", 'ok']
    """
    out = frame.copy()
    for col in out.columns:
        if out[col].dtype == object or isinstance(out[col].dtype, pd.StringDtype):
            out[col] = out[col].map(_neutral, na_action="ignore")
    out.columns = out.columns.map(_neutral) if out.columns.dtype == object else out.columns
    if out.index.dtype == object:
        out.index = out.index.map(_neutral).rename(out.index.name)
    return out


def restore_text(frame: pd.DataFrame) -> pd.DataFrame:
    """Undo :func:`csv_safe` on a table read back from a run's CSV."""

    def back(value: Any) -> Any:
        if isinstance(value, str) and value.startswith("'") and value[1:].startswith(FORMULA_START):
            return value[1:]
        return value

    out = frame.copy()
    for col in out.columns:
        if out[col].dtype == object or isinstance(out[col].dtype, pd.StringDtype):
            out[col] = out[col].map(back, na_action="ignore")
    return out


def write_csv(frame: pd.DataFrame, path: str | Path, index: bool = False) -> Path:
    r"""Write a table reproducibly (rounded floats, UTF-8, ``\n`` line ends).

    This is where every table of a run is written: text cells a spreadsheet would run
    as a formula are neutralised (:func:`csv_safe`).
    """
    p = Path(path)
    p.parent.mkdir(parents=True, exist_ok=True)
    csv_safe(frame.round(DECIMALS)).to_csv(p, index=index, lineterminator="\n", encoding="utf-8")
    return p


def _sheet_name(name: str, used: set[str]) -> str:
    base = str(name).translate(_SHEET_FORBIDDEN).strip("'")[:31] or "sheet"
    out, i = base, 2
    while out.lower() in {u.lower() for u in used}:  # Excel compares sheet names case-blind
        suffix = f"_{i}"
        out, i = base[: 31 - len(suffix)] + suffix, i + 1
    used.add(out)
    return out


# --------------------------------------------------------------------------- the workbook
#: Columns of a segment sheet (targets), in order; those the list lacks are left out.
TARGET_SHEET_COLUMNS: tuple[str, ...] = (
    "customer_name",
    "tier",
    "assigned_owner_name",
    "assignment_status",
    "grade",
    "quadrant",
    "action",
    "score",
    "segment_rank",
    "rank",
    "p_keep_tier",
    "review",
    "attractiveness",
    "feasibility",
    "deal_size",
    "expected_months_to_close",
    "region",
    "completeness",
    "driver_1",
    "driver_2",
    "driver_3",
    "decided_by",
    "decision_reason",
    "customer_id",
)
#: Columns of the non-targets sheet.
NON_TARGET_SHEET_COLUMNS: tuple[str, ...] = (
    "customer_name",
    "segment",
    "not_targeted_reason",
    "score",
    "rank",
    "grade",
    "completeness",
    "region",
    "decided_by",
    "decision_reason",
    "customer_id",
)
#: Number formats (Excel codes) of the workbook's numeric columns.
NUMBER_FORMATS: dict[str, str] = {
    "score": "0.000",
    "attractiveness": "0.000",
    "feasibility": "0.000",
    "p_keep_tier": "0%",
    "completeness": "0%",
    "deal_size": "#,##0",
    "expected_months_to_close": "0.0",
    "rank": "#,##0",
    "segment_rank": "#,##0",
}
#: Fill colours of the tiers, best first (the not-targeted rows stay white).
TIER_COLOURS: tuple[str, ...] = ("#F4B183", "#FFE699", "#C5E0B4", "#BDD7EE", "#D9D9D9")
_HEADER_COLOUR = "#1F4E79"
_ILLEGAL_XML = re.compile(r"[\000-\010]|[\013-\014]|[\016-\037]")  # characters XML 1.0 cannot hold
_MAX_TEXT = 32767  # longest cell text
_MAX_WIDTH = 60
_WIDTH_ROWS = 5000  # rows measured for a column's width (the widest of them)
# East Asian wide and full-width characters: two columns of a fixed-width cell
_WIDE = re.compile(
    "[\u1100-\u115f\u2e80-\u303e\u3041-\u33ff\u3400-\u4dbf\u4e00-\u9fff\ua000-\ua4cf"
    "\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6\U00020000-\U0003fffd]"
)


def display_width(text: str) -> int:
    """Columns a text takes in a spreadsheet cell: a CJK (wide) character counts 2.

    Examples
    --------
    >>> display_width("北京华信科技"), display_width("Acme Ltd"), display_width("华信 Ltd")
    (12, 8, 8)
    """
    return len(text) + len(_WIDE.findall(text))


def _column_width(header: str, values: pd.Series, fmt: str | None) -> float:
    """A column width (in characters) fitting the header and the widest value."""
    widest = display_width(header)
    head = values.iloc[:_WIDTH_ROWS]
    if fmt is not None or pd.api.types.is_bool_dtype(head):
        if len(head):
            num = pd.to_numeric(head, errors="coerce").abs().max()
            digits = len(f"{num:,.0f}") if pd.notna(num) else 1
            widest = max(widest, digits + (4 if fmt and "." in fmt else 1) + (1 if fmt and "%" in fmt else 0))
    elif len(head):
        text = head.dropna().astype(str)
        if len(text):
            widest = max(widest, int((text.str.len() + text.str.count(_WIDE.pattern)).max()))
    return float(min(max(widest + 2, 6), _MAX_WIDTH))


def _reason_words(reasons: pd.Series, lang: str) -> pd.Series:
    """The not-targeted reasons in words: the tier cut-off in the reader's language;
    gate and decision reasons as ``run.yaml`` / ``decisions.yaml`` write them.
    """
    from prioanalysis.report import i18n

    cutoff = i18n.t("reason.below_cutoff", lang)
    return reasons.map(lambda r: cutoff if r == "below the tier cut-off" else r, na_action="ignore")


def _sheet_frames(
    result: RankingResult, params: Params, lang: str
) -> tuple[list[tuple[str, pd.DataFrame]], pd.DataFrame]:
    """(segment label, targets) per segment with targets, and the non-targets, with
    the reader's values (labels, words) in the workbook's columns.
    """
    from prioanalysis.report import i18n

    run = params.run
    labels = {k: v.label for k, v in run.segments.items()}
    tl = result.target_list
    nt_name = run.tiers.not_targeted
    is_target = (tl["tier"] != nt_name).to_numpy()
    view = tl.copy()
    if "assignment_status" in view.columns:
        view["assignment_status"] = i18n.values(view["assignment_status"], "workbook.status", lang)
    if "review" in view.columns:
        view["review"] = i18n.values(view["review"].astype(object), "yesno", lang)
    if "region" in view.columns:
        regions = view["region"].dropna().astype(str).unique()
        if all(i18n.has(f"workbook.region.{r}") for r in regions):
            view["region"] = i18n.values(view["region"], "workbook.region", lang)
        else:  # words of the list's own vocabulary (intake.regions), shown as written
            view["region"] = view["region"].astype(object)
    view["not_targeted_reason"] = _reason_words(view["not_targeted_reason"], lang)
    view["segment"] = view["segment"].map(lambda s: labels.get(s, s))
    targets = view[is_target]
    sheets = []
    for seg, label in labels.items():
        part = targets[tl.loc[is_target, "segment"].to_numpy() == seg]
        if len(part):
            sheets.append((label, part[[c for c in TARGET_SHEET_COLUMNS if c in part.columns]]))
    rest = view[~is_target]
    return sheets, rest[[c for c in NON_TARGET_SHEET_COLUMNS if c in rest.columns]]


def _header(column: str, params: Params, lang: str) -> str:
    from prioanalysis.report import i18n

    if i18n.has(f"col.{column}"):
        return i18n.t(f"col.{column}", lang)
    label = params.spec.labels.get(column)
    if label is not None:  # a criterion column (deal_size): its label in criteria.yaml
        return str(label)
    return i18n.t(f"col.{column}", lang)  # raises: every header needs a translation


_BLOCK = 10_000  # rows prepared at once (bounded memory)


def _column_cells(ws: Any, values: pd.Series) -> tuple[Any, list[Any]]:
    """How to write a column's cells: a writer (or one per cell) and the values, None
    for an empty cell. Numbers as numbers, booleans as booleans, text always as text
    (XlsxWriter's ``write_string``: "=..." is never a formula, "http..." never a link).
    """
    if pd.api.types.is_bool_dtype(values) and not pd.api.types.is_object_dtype(values):
        return ws._write_boolean, [None if v is pd.NA or v is None else bool(v) for v in values.tolist()]
    if pd.api.types.is_numeric_dtype(values):
        nums = pd.to_numeric(values, errors="coerce").to_numpy(dtype=float)
        out = nums.tolist()
        if not np.isfinite(nums).all():
            out = [v if f else None for v, f in zip(out, np.isfinite(nums).tolist(), strict=True)]
        return ws._write_number, out
    data = values.astype(object).tolist()
    if all(isinstance(v, str) or v is None or v is pd.NA or (isinstance(v, float) and v != v) for v in data):
        text = pd.Series(data, dtype=object)
        known = text.notna()
        cleaned = text[known].astype(str).str.replace(_ILLEGAL_XML, "", regex=True).str.slice(0, _MAX_TEXT)
        text = text.where(~known, cleaned)
        return ws._write_string, [v if isinstance(v, str) and v != "" else None for v in text.tolist()]
    fns: list[Any] = []
    vals: list[Any] = []
    for v in data:  # a mixed column: each cell by its own type
        if v is None or v is pd.NA or (isinstance(v, float) and v != v):
            fns.append(None)
            vals.append(None)
        elif isinstance(v, (bool, np.bool_)):
            fns.append(ws._write_boolean)
            vals.append(bool(v))
        elif isinstance(v, (int, float, np.integer, np.floating)):
            fns.append(ws._write_number if np.isfinite(float(v)) else None)
            vals.append(float(v) if np.isfinite(float(v)) else None)
        else:
            fns.append(ws._write_string)
            vals.append(_ILLEGAL_XML.sub("", str(v))[:_MAX_TEXT] or None)
    return fns, vals


_LEADING_OR_TRAILING_SPACE = re.compile(r"^\s|\s$")
_CONTROL_ESCAPE = re.compile("(_x[0-9a-fA-F]{4}_)")
_CONTROL = re.compile(r"([\x00-\x08\x0b-\x1f])")


def _inline_string(text: str) -> tuple[str, str]:
    """(``xml:space`` attribute, body) of an inline-string cell, as XlsxWriter writes it."""
    if text.isalnum():  # most names: nothing to escape, no space at either end
        return "", text
    text = _CONTROL_ESCAPE.sub(r"_x005F\1", text)
    text = _CONTROL.sub(lambda m: f"_x{ord(m.group(1)):04X}_", text)
    space = ' xml:space="preserve"' if _LEADING_OR_TRAILING_SPACE.search(text) else ""
    if "&" in text or "<" in text or ">" in text:
        text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return space, text


def _fast_cells(fn: Any, vals: list[Any], ws: Any, letter: str, rows: list[str], fmt: Any) -> list[str]:
    """The ``<c>`` elements of one column of a block (``""`` for an empty cell), exactly
    as XlsxWriter's constant-memory writer renders :func:`_column_cells`.
    """
    if isinstance(fmt, list):
        styles = [f' s="{f._get_xf_index()}"' for f in fmt]
    else:
        styles = [f' s="{fmt._get_xf_index()}"'] * len(vals)
    kinds = [None if f is None else f.__name__ for f in fn] if isinstance(fn, list) else [fn.__name__] * len(vals)
    out = []
    for v, st, kind, r in zip(vals, styles, kinds, rows, strict=True):
        if v is None:
            out.append("")
        elif kind == "_write_string":
            space, body = _inline_string(v)
            out.append(f'<c r="{letter}{r}"{st} t="inlineStr"><is><t{space}>{body}</t></is></c>')
        elif kind == "_write_number":
            out.append(f'<c r="{letter}{r}"{st}><v>{v:.16G}</v></c>')
        else:
            out.append(f'<c r="{letter}{r}"{st} t="b"><v>{1 if v else 0}</v></c>')
    return out


def _write_rows_fast(ws: Any, frame: pd.DataFrame, cols_of: Any) -> None:
    """Stream the data rows' XML into the worksheet's row file (XlsxWriter in
    constant-memory mode writes each row there as it is finished): the same cells
    the per-cell calls write (``tests/report/test_tables.py`` compares both), at a
    fraction of the cost a call per cell has on a big list.
    """
    from xlsxwriter.utility import xl_col_to_name  # type: ignore[import-untyped]

    ws._write_single_row(1)  # the header row goes out; the rows follow it
    n, m = frame.shape
    letters = [xl_col_to_name(j) for j in range(m)]
    for lo in range(0, n, _BLOCK):
        cols = cols_of(lo)
        rows = [str(r + 1) for r in range(lo + 1, lo + 1 + len(cols[0][2]))] if cols else []
        parts = [_fast_cells(fn, vals, ws, letters[j], rows, fmt) for j, fn, vals, fmt, _, _ in cols]
        ws.fh.write("".join(f'<row r="{r}">' + "".join(cells) + "</row>" for r, *cells in zip(rows, *parts)))
    if n:
        ws._check_dimensions(n, m - 1)
    ws.previous_row = n + 1


def _write_sheet(
    book: Any,
    name: str,
    frame: pd.DataFrame,
    params: Params,
    lang: str,
    formats: dict[str, Any],
    tier_formats: dict[str, Any],
    title: str,
    fast: bool = True,
) -> None:
    ws = book.add_worksheet(name)
    headers = [_header(c, params, lang) for c in frame.columns]
    col_formats = [formats.get(c) for c in frame.columns]
    for j, col in enumerate(frame.columns):
        ws.set_column(j, j, _column_width(headers[j], frame[col], NUMBER_FORMATS.get(col)), col_formats[j])
    ws.set_row(0, 30)
    for j, h in enumerate(headers):
        ws.write_string(0, j, h, formats["_header"])
    tier_of = frame["tier"].astype(object).tolist() if "tier" in frame.columns else None
    n = len(frame)

    def cols_of(lo: int) -> list[tuple[Any, ...]]:
        block = frame.iloc[lo : lo + _BLOCK]
        cols = []
        for j, c in enumerate(frame.columns):
            fn, vals = _column_cells(ws, block[c])
            fmt: Any = col_formats[j] or formats["_text"]
            if c == "tier" and tier_of is not None:
                fmt = [tier_formats.get(t, formats["_text"]) for t in tier_of[lo : lo + _BLOCK]]
            cols.append((j, fn, vals, fmt, isinstance(fn, list), isinstance(fmt, list)))
        return cols

    if fast and n and len(frame.columns):
        _write_rows_fast(ws, frame, cols_of)
    else:
        for lo in range(0, n, _BLOCK):
            cols = cols_of(lo)
            for i in range(min(_BLOCK, n - lo)):
                r = lo + i + 1
                for j, fn, vals, fmt, fn_each, fmt_each in cols:
                    v = vals[i]
                    if v is not None:
                        (fn[i] if fn_each else fn)(r, j, v, fmt[i] if fmt_each else fmt)
    last_col = max(len(frame.columns) - 1, 0)
    ws.freeze_panes(1, 1)  # the header row and the customer name stay in view
    ws.autofilter(0, 0, max(n, 1), last_col)
    ws.set_landscape()
    ws.set_paper(9)  # A4
    ws.fit_to_pages(1, 0)  # all columns on the page width, as many pages as the rows need
    ws.repeat_rows(0)
    ws.repeat_columns(0)
    ws.set_margins(left=0.4, right=0.4, top=0.6, bottom=0.6)
    safe = title.replace("&", "&&")
    ws.set_header(f"&L{safe}&R{name.replace('&', '&&')}")
    ws.set_footer("&C&P / &N")


def _legend_sheet(
    book: Any, name: str, params: Params, lang: str, formats: dict[str, Any], tier_formats: dict[str, Any]
) -> None:
    """The legend: what the colours, the statuses and the review flag mean."""
    from prioanalysis.report import i18n

    run = params.run
    ws = book.add_worksheet(name)
    ws.set_column(0, 0, 18)
    ws.set_column(1, 1, 70)
    r = 0
    ws.write_string(r, 0, run.report.title, formats["_title"])
    r += 2
    ws.write_string(r, 0, i18n.t("workbook.legend_tiers", lang), formats["_header"])
    ws.write_string(r, 1, i18n.t("workbook.legend_meaning", lang), formats["_header"])
    a = run.assignment
    levels = a.service_levels if a.mode == "workload" else None
    actions = {
        t: (
            run.priority_matrix.important_not_urgent.action
            if t in run.priority_matrix.important_tiers
            else run.priority_matrix.other_not_urgent.action
        )
        for t in run.tiers.names
    }
    for tier in run.tiers.names:
        r += 1
        ws.write_string(r, 0, tier, tier_formats[tier])
        text = actions[tier]
        if levels is not None:
            text = i18n.t("workbook.legend_service", lang, level=f"{levels[tier]:g}", unit=a.unit or "") + " " + text
        ws.write_string(r, 1, text, formats["_wrap"])
    r += 1
    ws.write_string(r, 0, run.tiers.not_targeted, formats["_text"])
    ws.write_string(r, 1, run.priority_matrix.not_targeted.action, formats["_wrap"])
    r += 2
    ws.write_string(r, 0, i18n.t("col.assignment_status", lang), formats["_header"])
    ws.write_string(r, 1, i18n.t("workbook.legend_meaning", lang), formats["_header"])
    from prioanalysis.steps.robustness import ASSIGNMENT_STATUSES

    for status in ASSIGNMENT_STATUSES:
        r += 1
        ws.write_string(r, 0, i18n.t(f"workbook.status.{status}", lang), formats["_text"])
        ws.write_string(r, 1, i18n.t(f"workbook.status_help.{status}", lang), formats["_wrap"])
    r += 2
    ws.write_string(r, 0, i18n.t("col.review", lang), formats["_header"])
    ws.write_string(
        r,
        1,
        i18n.t("workbook.legend_review", lang, threshold=f"{run.robustness.review_threshold:.0%}"),
        formats["_wrap"],
    )
    ws.set_landscape()
    ws.set_paper(9)
    ws.fit_to_pages(1, 0)


def write_target_workbook(result: RankingResult, path: str | Path, params: Params, *, fast: bool = True) -> Path:
    """The target list as the workbook account managers work from.

    One sheet per segment (named by its label, in ``run.yaml`` order) with that
    segment's targets only, best first; one sheet of the non-targets with their
    reasons in words; a legend (tier colours, assignment statuses, the review flag).
    Headers in the report's language (``report.language``, from the message catalog),
    the customer name first and frozen with the header row, an autofilter, number
    formats (score 0.000, shares as %, money with thousands separators), widths that
    fit Chinese text (a CJK character counts two), the tier cell coloured, the
    **assigned** owner (from the assignment, :func:`prioanalysis.steps.robustness.add_assignment`)
    and its status; print set-up A4 landscape, fit to the page width, header row
    repeated; the document's title and properties.

    Written with XlsxWriter in constant-memory mode (rows streamed to disk). Text is
    always written as text: a customer name starting with ``=``, ``+``, ``-`` or ``@``
    stays text, never a formula.

    Parameters
    ----------
    result : RankingResult
    path : str or Path
        ``.xlsx`` file to write.
    params : Params
        The run's parameters (segment labels, tiers, language, title).
    fast : bool, default True
        Stream the rows' XML straight into XlsxWriter's row file (the same cells as
        one ``write_*`` call per cell, False; several times faster on big lists).

    Returns
    -------
    Path
    """
    import xlsxwriter  # type: ignore[import-untyped]

    from prioanalysis.report import i18n

    run = params.run
    lang = run.report.language
    p = Path(path)
    p.parent.mkdir(parents=True, exist_ok=True)
    sheets, rest = _sheet_frames(result, params, lang)
    tmp = p.with_name(p.name + ".tmp")
    book = xlsxwriter.Workbook(
        str(tmp),
        {
            "constant_memory": True,
            "strings_to_formulas": False,
            "strings_to_urls": False,
            "strings_to_numbers": False,
            "nan_inf_to_errors": False,
        },
    )
    try:
        title = i18n.t("workbook.title", lang, title=run.report.title)
        book.set_properties(
            {
                "title": title,
                "subject": i18n.t("workbook.subject", lang, year=run.year),
                "author": run.bu or title,
                "company": run.bu,
                "keywords": ", ".join(labels for labels, _ in sheets),
                "comments": i18n.t("workbook.comments", lang),
                "created": None,
            }
        )
        font = {"font_name": "Microsoft YaHei" if lang == "zh" else "Calibri", "font_size": 10, "valign": "top"}
        formats: dict[str, Any] = {c: book.add_format({**font, "num_format": f}) for c, f in NUMBER_FORMATS.items()}
        formats["_text"] = book.add_format(font)
        formats["_wrap"] = book.add_format({**font, "text_wrap": True})
        formats["_title"] = book.add_format({**font, "bold": True, "font_size": 14})
        formats["_header"] = book.add_format(
            {
                **font,
                "bold": True,
                "font_color": "#FFFFFF",
                "bg_color": _HEADER_COLOUR,
                "text_wrap": True,
                "valign": "vcenter",
                "border": 1,
            }
        )
        tier_formats = {
            t: book.add_format({**font, "bg_color": TIER_COLOURS[i % len(TIER_COLOURS)], "bold": i == 0})
            for i, t in enumerate(run.tiers.names)
        }
        used: set[str] = set()
        for label, frame in sheets:
            _write_sheet(book, _sheet_name(label, used), frame, params, lang, formats, tier_formats, title, fast)
        _write_sheet(
            book,
            _sheet_name(i18n.t("workbook.sheet_not_targeted", lang), used),
            rest,
            params,
            lang,
            formats,
            tier_formats,
            title,
            fast,
        )
        _legend_sheet(
            book, _sheet_name(i18n.t("workbook.sheet_legend", lang), used), params, lang, formats, tier_formats
        )
    finally:
        book.close()
    os.replace(tmp, p)
    return p


def write_ranking_tables(result: RankingResult, directory: str | Path) -> list[Path]:
    """Write every table of a ranking run into ``directory/tables/``.

    Files: ``target_list.csv``, ``contributions.csv``, ``tier_by_segment.csv``,
    ``tier_by_grade.csv``, ``quadrants.csv``, ``multi_segment_claims.csv``,
    ``excluded.csv``, ``data_quality_*.csv`` and ``choices.json`` (the method
    choices of the run).

    Returns
    -------
    list of Path
    """
    d = Path(directory) / "tables"
    written = [
        write_csv(result.target_list, d / "target_list.csv"),
        write_csv(result.contributions.rename_axis("customer_id"), d / "contributions.csv", index=True),
        write_csv(result.summary["tier_by_segment"], d / "tier_by_segment.csv", index=True),
        write_csv(result.summary["tier_by_grade"], d / "tier_by_grade.csv", index=True),
        write_csv(result.summary["quadrants"], d / "quadrants.csv", index=True),
        write_csv(result.intake.claims, d / "multi_segment_claims.csv"),
        write_csv(result.intake.excluded, d / "excluded.csv"),
    ]
    for name, table in result.quality.items():
        written.append(write_csv(table, d / f"data_quality_{name}.csv"))
    cj = d / "choices.json"
    cj.write_text(json.dumps(_jsonable(result.choices), ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    written.append(cj)
    return written


def _jsonable(obj: Any) -> Any:
    if isinstance(obj, Mapping):
        return {str(k): _jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_jsonable(v) for v in obj]
    if hasattr(obj, "item"):
        return obj.item()
    return obj
