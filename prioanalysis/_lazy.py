"""Lazy sub-module loading for the package and its layers.

``import prioanalysis as pa`` must stay light: a sub-package's modules load when first
used (``pa.methods.scoring``), through the module-level ``__getattr__`` of PEP 562.
Every ``__init__.py`` of the package gets its two hooks from :func:`submodules`.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable, Iterable
from typing import Any

__all__ = ["submodules"]


def submodules(
    package: str, path: Iterable[str], names: Iterable[str] | None = None
) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """The ``__getattr__`` and ``__dir__`` hooks that import sub-modules on first use.

    Parameters
    ----------
    package : str
        The package's ``__name__``.
    path : iterable of str
        The package's ``__path__`` (where its sub-modules are found).
    names : iterable of str, optional
        The sub-modules to offer; default every module and sub-package in ``path``.

    Returns
    -------
    tuple of callable
        ``(__getattr__, __dir__)``, to assign at the package's top level.

    Examples
    --------
    >>> import prioanalysis.methods as m
    >>> "scoring" in dir(m)
    True
    >>> m.scoring.__name__
    'prioanalysis.methods.scoring'
    """
    offered = frozenset(names if names is not None else (m.name for m in pkgutil.iter_modules(path)))

    def __getattr__(name: str) -> Any:
        if name in offered:
            return importlib.import_module(f"{package}.{name}")
        raise AttributeError(f"module {package!r} has no attribute {name!r}")

    def __dir__() -> list[str]:
        module = importlib.import_module(package)
        return sorted({*vars(module), *offered})

    return __getattr__, __dir__
