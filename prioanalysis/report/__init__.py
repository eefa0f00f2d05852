"""What readers receive: figures in the house style, tables and the workbook, and
the helpers the notebooks use to show them.

``figures``          the ranking and robustness figures (style ``prioanalysis.report``)
``review_figures``   the review and inquiry figures
``tables``           CSV tables and the target-list workbook
``notebook``         helpers the notebooks call to show tables, figures and text
``fonts``            the packaged CJK font
"""

from __future__ import annotations

import importlib
from typing import Any

_SUBMODULES = {"figures", "fonts", "notebook", "review_figures", "tables"}


def __getattr__(name: str) -> Any:
    if name in _SUBMODULES:
        return importlib.import_module(f"prioanalysis.report.{name}")
    raise AttributeError(f"module 'prioanalysis.report' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted([*globals(), *_SUBMODULES])
