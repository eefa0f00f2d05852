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
    params = load_params(params_dir)
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
    """The run's method choices as a two-column table (choice, value)."""
    rows = []
    for key, value in choices.items():
        if isinstance(value, Mapping) and len(set(map(str, value.values()))) == 1 and len(value) > 1:
            value = f"{next(iter(value.values()))} (all criteria)"
        rows.append({"choice": key, "value": str(value)})
    return pd.DataFrame(rows)


def headline(target_list: pd.DataFrame, tier_names: list[str], not_targeted: str, lang: str = "en") -> str:
    """One sentence summarising the list: how many customers, targets, per tier."""
    n = len(target_list)
    counts = target_list["tier"].value_counts()
    per_tier = [f"{t} {int(counts.get(t, 0))}" for t in tier_names]
    n_target = int(sum(counts.get(t, 0) for t in tier_names))
    n_not = int(counts.get(not_targeted, 0))
    if lang == "zh":
        return (
            f"共评估 {n} 家客户，确定目标客户 {n_target} 家（{'，'.join(per_tier)}）；"
            f"{n_not} 家为{not_targeted}，不分配资源。"
        )
    return f"{n} customers scored; {n_target} targeted ({', '.join(per_tier)}); {n_not} {not_targeted}: no resources."


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
