"""Pure kernels: frames, arrays and mappings in, frames out.

Nothing here reads a file, knows the YAML parameters or a notebook; the layer test
(``tests/test_layers.py``) enforces that no module here imports ``config``,
``inputs``, ``steps``, ``report``, ``store`` or ``app``.
"""

from __future__ import annotations

import importlib
import pkgutil
from typing import Any

_SUBMODULES = {m.name for m in pkgutil.iter_modules(__path__)}


def __getattr__(name: str) -> Any:
    if name in _SUBMODULES:
        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted([*globals(), *_SUBMODULES])
