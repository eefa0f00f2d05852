"""HTML of the step results for JupyterLab (``_repr_html_``), in the run's language.

The result objects of :mod:`prioanalysis.steps` render themselves in a notebook through
these helpers: reader labels from the message catalog (:mod:`prioanalysis.report.i18n`),
never ids. :func:`ranking_html` renders a :class:`prioanalysis.steps.ranking.RankingResult`;
:class:`prioanalysis.steps.compare.Comparison` uses :func:`html_table`.
"""

from __future__ import annotations

import html
import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from prioanalysis.report import i18n

__all__ = ["CSS", "esc", "html_table", "ranking_html"]

CSS = """
body{font-family:"Noto Sans SC","PingFang SC","Microsoft YaHei",Arial,sans-serif;margin:24px;color:#1f2933}
.pa-compare h1{font-size:22px;margin:0 0 8px} .pa-compare h2{font-size:17px;margin:22px 0 6px}
.pa-compare p.lead{font-size:15px;font-weight:600} .pa-compare table{border-collapse:collapse;margin:6px 0 12px}
.pa-compare th,.pa-compare td{border:1px solid #d9dee3;padding:3px 8px;font-size:13px;text-align:left}
.pa-compare th{background:#eef2f5} .pa-compare td{white-space:nowrap} .pa-compare td.n{text-align:right}
.pa-compare td.r{white-space:normal;min-width:320px}
.pa-compare td.diag{background:#e8f3ea} .pa-compare td.up{color:#1b7a3a} .pa-compare td.down{color:#b3261e}
.pa-compare .note{color:#52606d;font-size:12px}
"""


def esc(x: Any) -> str:
    """HTML-escaped text of a cell; a missing value is empty."""
    return html.escape("" if x is None or (isinstance(x, float) and math.isnan(x)) else str(x))


def html_table(
    header: Sequence[str],
    rows: Sequence[Sequence[Any]],
    classes: Sequence[Sequence[str]] | None = None,
    *,
    wrap_last: bool = False,
) -> str:
    """A plain HTML table; ``classes`` (per cell) or "n" for numbers (right-aligned);
    ``wrap_last``: the last column is running text (a reason), wrapped.
    """
    out = ["<table><thead><tr>", *(f"<th>{esc(h)}</th>" for h in header), "</tr></thead><tbody>"]
    for i, row in enumerate(rows):
        cells = []
        for j, v in enumerate(row):
            cls = classes[i][j] if classes else ("n" if isinstance(v, (int, float, np.number)) else "")
            if wrap_last and j == len(row) - 1:
                cls = (cls + " r").strip()
            cells.append(f'<td class="{cls}">{esc(v)}</td>' if cls else f"<td>{esc(v)}</td>")
        out.append("<tr>" + "".join(cells) + "</tr>")
    out.append("</tbody></table>")
    return "".join(out)


def ranking_html(result: Any, top: int = 10) -> str:
    """A ranking result as HTML for JupyterLab: the headline, customers per tier and
    segment, and the top customers — in the run's language with the reader's labels
    (``choices`` records the language and the labels since this version; a ranking
    saved before falls back to English and the list's own names).
    """
    ch = result.choices
    lang = str(ch.get("report_language") or "en")
    seg_labels = dict(ch.get("segment_labels") or {})
    tiers = list(ch.get("tier_names") or [])
    tl = result.target_list
    T = lambda key, **f: i18n.t(key, lang, **f)  # noqa: E731
    targeted = int(tl["tier"].isin(tiers).sum())
    parts = [f'<div class="pa-compare"><h1>{esc(T("compare.ranking_title", year=ch.get("year", "")))}</h1>']
    lead = T(
        "compare.ranking_headline",
        total=i18n.number(len(tl), lang),
        targeted=i18n.number(targeted, lang),
        tiers=len(tiers),
    )
    parts.append(f'<p class="lead">{esc(lead)}</p>')
    tbs = result.summary.get("tier_by_segment")
    if tbs is not None:
        cols = list(tbs.columns)
        parts.append(
            html_table(
                [T("compare.col_segment"), *map(str, cols)],
                [[seg_labels.get(s, s), *map(int, tbs.loc[s])] for s in tbs.index],
            )
        )
    head = tl.head(top)
    parts.append(f"<h2>{esc(T('compare.ranking_top', n=len(head)))}</h2>")
    parts.append(
        html_table(
            [
                T("compare.col_rank"),
                T("compare.col_customer"),
                T("compare.col_segment"),
                T("compare.col_tier_b_plain"),
                T("compare.col_score"),
                T("compare.col_drivers"),
            ],
            [
                [
                    int(r["rank"]),
                    r["customer_name"],
                    seg_labels.get(r["segment"], r["segment"]),
                    r["tier"],
                    f"{r['score']:.3f}",
                    r["driver_1"],
                ]
                for _, r in head.iterrows()
            ],
        )
    )
    parts.append("</div>")
    return f"<style>{CSS.replace('body{', '.pa-compare{')}</style>" + "".join(parts)
