"""The steps of the annual cycle, one module per notebook: validated parameters and
input tables in, result objects out.
"""

from __future__ import annotations

from prioanalysis._lazy import submodules

__getattr__, __dir__ = submodules(__name__, __path__)
