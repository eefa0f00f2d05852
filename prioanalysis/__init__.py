"""prioanalysis — the annual customer importance ranking (客户重要性排序).

Sub-modules, one concept each:

``params``      criteria and run parameters from YAML, validated (step 2.3.1)
``intake``      reading and validating the preliminary list (2.3.2)
``preprocess``  transforms and missing-value policies
``scoring``     weighted sum and TOPSIS kernels with explanations
``ranking``     ranks, gates, tiers, A–E grades, priority matrix (2.3.3)
``pipeline``    the ranking step end to end
``outputs``     tables, workbook
``plotting``    report figures in the packaged style
``runner``      papermill execution of the notebooks into ``outputs/<year>/<run-id>/``
``sample``      the seeded synthetic sample data

The import is light: sub-modules load when first used (``pa.scoring``...).
"""

from __future__ import annotations

import importlib
import sys
from typing import Any

__version__ = "0.1.0"

_SUBMODULES = {
    "calibration",
    "cli",
    "errors",
    "fonts",
    "intake",
    "outputs",
    "params",
    "pipeline",
    "plotting",
    "preprocess",
    "recalibration",
    "ranking",
    "report",
    "review",
    "runner",
    "sample",
    "sensitivity",
    "assignment",
    "store",
    "store_cli",
    "annual_review",
    "inquiries",
    "review_plots",
    "scoring",
    "weights",
}


def __getattr__(name: str) -> Any:
    if name in _SUBMODULES:
        return importlib.import_module(f"prioanalysis.{name}")
    raise AttributeError(f"module 'prioanalysis' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted([*globals(), *_SUBMODULES])


# ``plt.style.use("prioanalysis.report")`` imports this package; when matplotlib is
# already loaded, register the packaged CJK font so the style's font family resolves.
if "matplotlib.font_manager" in sys.modules:  # pragma: no cover - depends on import order
    from prioanalysis import fonts as _fonts

    _fonts.register()
