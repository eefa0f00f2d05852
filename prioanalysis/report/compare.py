"""The comparison of two rankings written for readers: the report and the tables.

:func:`write_comparison` writes a :class:`prioanalysis.steps.compare.Comparison` into a
new folder — ``compare.html`` (self-contained, in the run's language) and
``tables/*.csv`` (through :func:`prioanalysis.report.tables.write_csv`, like every run
table) — and never overwrites one.
"""

from __future__ import annotations

from pathlib import Path

from prioanalysis.errors import InputError
from prioanalysis.report.tables import write_csv
from prioanalysis.steps.compare import Comparison

__all__ = ["COMPARE_FOLDER", "comparison_folder", "write_comparison"]

#: Sub-folder of the outputs root holding the comparisons.
COMPARE_FOLDER = "compare"


def _safe_key(text: str) -> str:
    return "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in text)[:60] or "run"


def comparison_folder(comp: Comparison, outputs: str | Path) -> Path:
    """A new folder for ``comp``: ``<outputs>/compare/<a>_vs_<b>`` or, when that exists,
    the first free ``<a>_vs_<b>-2``, ``-3`` …

    Examples
    --------
    >>> import dataclasses
    >>> c = dataclasses.make_dataclass("C", ["key_a", "key_b"])("20251120T101500Z", "what-if")
    >>> comparison_folder(c, "/nonexistent/outputs").as_posix()  # type: ignore[arg-type]
    '/nonexistent/outputs/compare/20251120T101500Z_vs_what-if'
    """
    base = Path(outputs) / COMPARE_FOLDER / f"{_safe_key(comp.key_a)}_vs_{_safe_key(comp.key_b)}"
    target, n = base, 2
    while target.exists():
        target, n = base.with_name(f"{base.name}-{n}"), n + 1
    return target


def write_comparison(comp: Comparison, outputs: str | Path, folder: str | Path | None = None) -> Path:
    """Write the comparison's report (``compare.html``) and tables (``tables/*.csv``).

    Parameters
    ----------
    comp : Comparison
    outputs : str or Path
        The outputs root; the folder is :func:`comparison_folder`.
    folder : str or Path, optional
        Another folder instead; it must not exist yet.

    Returns
    -------
    Path
        The folder written.

    Raises
    ------
    InputError
        ``folder`` exists already.
    """
    target = comparison_folder(comp, outputs) if folder is None else Path(folder)
    if folder is not None and target.exists():
        raise InputError(f"{target}: exists already; a comparison is written into a new folder")
    target.mkdir(parents=True)
    for name, frame in comp.tables().items():
        write_csv(frame, target / "tables" / f"{name}.csv")
    (target / "compare.html").write_text(comp.to_html(full=True), encoding="utf-8")
    return target
