"""Every exception and warning of prioanalysis, in one place.

Every error raised for bad input or bad parameters says *where* (file, row, column or
key path) and *what was expected*, so that the command-line interface can print it
without a traceback (exit code 2). Warnings say what was adjusted or what to check.
"""

from __future__ import annotations

__all__ = [
    "PrioanalysisError",
    "InputError",
    "ParamsError",
    "StoreError",
    "FrozenResultsError",
    "ParamsWarning",
    "CalibrationWarning",
    "InconsistencyWarning",
    "DegenerateWeightsWarning",
]


class PrioanalysisError(Exception):
    """Base class of the errors the CLI reports as a clean message (exit code 2)."""


class InputError(PrioanalysisError, ValueError):
    """Bad input data: a missing column, a value of the wrong type or out of range."""


class ParamsError(PrioanalysisError, ValueError):
    """A parameter file or parameter value is invalid (unknown key, wrong type...)."""


class StoreError(PrioanalysisError):
    """The database cannot do what was asked (not reachable, wrong revision, unknown
    run, a run in the wrong state). The message names the database with its password
    masked.
    """


class FrozenResultsError(StoreError):
    """An attempt to change the results of a published run (or the run itself)."""


class ParamsWarning(UserWarning):
    """A parameter value was accepted after an adjustment (e.g. weights rescaled)."""


class CalibrationWarning(UserWarning):
    """The calibration fell back to the expert weights or found something to check."""


class InconsistencyWarning(UserWarning):
    """A pairwise comparison matrix has a consistency ratio at or above the threshold."""


class DegenerateWeightsWarning(UserWarning):
    """The data carry no information to weight the criteria; equal weights were used."""
