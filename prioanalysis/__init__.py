"""prioanalysis — the annual customer importance ranking (客户重要性排序).

The package is layered; each folder is one layer, and a layer imports only the
layers listed before it:

``errors``, ``checks``  every exception and warning; shared argument checks
``methods``   pure kernels: preprocessing, scoring, ranking and tiers, weights,
              acceptability, calibration, review metrics, owner assignment
``config``    the YAML parameters read into validated models (step 2.3.1)
``inputs``    every table that comes in, validated (2.3.2)
``steps``     one module per notebook: parameters + inputs → result objects
``report``    figures, tables, the workbook and the notebook helpers
``store``     the customer information system (2.3.4)
``app``       the command line and the papermill runner

The import is light: sub-packages load when first used (``pa.methods.scoring``).
"""

from __future__ import annotations

import sys
from importlib.metadata import PackageNotFoundError, version

from prioanalysis._lazy import submodules

try:
    __version__ = version("prioanalysis")
except PackageNotFoundError:  # pragma: no cover - running from a source tree without install
    __version__ = "0+unknown"

#: The layers (sub-packages) and top-level modules, loaded on first use.
_SUBPACKAGES = ("app", "checks", "config", "errors", "inputs", "methods", "report", "sample", "steps", "store")

__getattr__, __dir__ = submodules(__name__, __path__, _SUBPACKAGES)


# ``plt.style.use("prioanalysis.report")`` imports this package; when matplotlib is
# already loaded, register the packaged CJK font so the style's font family resolves.
if "matplotlib.font_manager" in sys.modules:  # pragma: no cover - depends on import order
    from prioanalysis.report import fonts as _fonts

    _fonts.register()
