"""Every table that comes in: the preliminary list, outcomes, frozen lists, the
inquiry log and the owners, read and validated with messages naming file, row and
column.
"""

from __future__ import annotations

from prioanalysis._lazy import submodules

__getattr__, __dir__ = submodules(__name__, __path__)
