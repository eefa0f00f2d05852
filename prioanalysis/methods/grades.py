"""The A–E urgency grade: its letters and promised months, in one place.

The process (docs/process.md) grades every customer on the list by how soon a deal can close:

========  ==================================================================
``A``     clear need (status ``target``) and expected to close within 1 month
``B``     clear need, within 3 months
``C``     clear need, within 6 months
``D``     potential need, or a clear need further away or with no date, or no
          need status given
``E``     no need (status ``dead``)
========  ==================================================================

The months of ``A``/``B``/``C`` are configurable (``grades.months`` in
``run.yaml``); :data:`PROMISED_MONTHS` holds their defaults. The kernel that
assigns grades is :func:`prioanalysis.methods.ranking.assign_grades`; the
parameter models (:class:`prioanalysis.config.params.Grades`), the ranking's
summary tables, the annual review and the figures take the letters from here.

The module is pure Python (no pandas) so that the parameter layer can import it.

Examples
--------
>>> GRADES
('A', 'B', 'C', 'D', 'E')
>>> dict(PROMISED_MONTHS)
{'A': 1, 'B': 3, 'C': 6}
>>> check_months({"A": 1, "B": 3, "C": 6})
{'A': 1.0, 'B': 3.0, 'C': 6.0}
"""

from __future__ import annotations

from collections.abc import Mapping
from itertools import pairwise
from types import MappingProxyType
from typing import Literal, get_args

from prioanalysis.errors import InputError

__all__ = [
    "Grade",
    "TimedGrade",
    "GRADES",
    "TIMED_GRADES",
    "OPEN_GRADE",
    "NO_NEED_GRADE",
    "PROMISED_MONTHS",
    "check_months",
]

#: A grade letter.
Grade = Literal["A", "B", "C", "D", "E"]
#: A grade that promises a time to close.
TimedGrade = Literal["A", "B", "C"]

#: Every grade, most urgent first.
GRADES: tuple[str, ...] = get_args(Grade)
#: The grades with a promised time to close, shortest first.
TIMED_GRADES: tuple[str, ...] = get_args(TimedGrade)
#: The grade of a need that is potential, far away, undated or unknown.
OPEN_GRADE: str = "D"
#: The grade of no need.
NO_NEED_GRADE: str = "E"
#: Default promised months to close of the timed grades.
PROMISED_MONTHS: Mapping[str, int] = MappingProxyType({"A": 1, "B": 3, "C": 6})


def check_months(months: Mapping[str, float]) -> dict[str, float]:
    """Validate promised months: one per timed grade, positive and non-decreasing.

    Parameters
    ----------
    months : mapping
        Timed grade → months to close.

    Returns
    -------
    dict
        The months as floats, in :data:`TIMED_GRADES` order.

    Raises
    ------
    InputError
        Other keys than :data:`TIMED_GRADES`, or months not ``0 < A <= B <= C``.

    Examples
    --------
    >>> check_months({"A": 3, "B": 1, "C": 6})
    Traceback (most recent call last):
    ...
    prioanalysis.errors.InputError: months needs A <= B <= C, all positive
    """
    if set(months) != set(TIMED_GRADES):
        raise InputError(f"months needs exactly the grades {', '.join(TIMED_GRADES)}; got {sorted(map(str, months))}")
    values = [float(months[g]) for g in TIMED_GRADES]
    if not (values[0] > 0 and all(a <= b for a, b in pairwise(values))):
        raise InputError("months needs " + " <= ".join(TIMED_GRADES) + ", all positive")
    return dict(zip(TIMED_GRADES, values))
