"""The command line, the runner that executes the notebooks with papermill, and the
database commands.
"""

from __future__ import annotations

from prioanalysis._lazy import submodules

__getattr__, __dir__ = submodules(__name__, __path__)
