"""Pure kernels: frames, arrays and mappings in, frames out.

Nothing here reads a file, knows the YAML parameters or a notebook; the layer test
(``tests/test_layers.py``) enforces that no module here imports ``config``,
``inputs``, ``steps``, ``report``, ``store`` or ``app``.
"""

from __future__ import annotations

from prioanalysis._lazy import submodules

__getattr__, __dir__ = submodules(__name__, __path__)
