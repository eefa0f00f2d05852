"""Exceptions that speak to the analyst.

Every error raised for bad input or bad parameters says *where* (file, row, column or
key path) and *what was expected*, so that the command-line interface can print it
without a traceback.
"""

from __future__ import annotations

__all__ = ["PrioanalysisError", "InputError", "ParamsError"]


class PrioanalysisError(Exception):
    """Base class of the errors the CLI reports as a clean message (exit code 2)."""


class InputError(PrioanalysisError, ValueError):
    """Bad input data: a missing column, a value of the wrong type or out of range."""


class ParamsError(PrioanalysisError, ValueError):
    """A parameter file or parameter value is invalid (unknown key, wrong type...)."""
