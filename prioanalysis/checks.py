"""Shared argument checks: one wording for the same mistake everywhere.

Each check takes the value and the name the caller knows it by, returns the value in
the form the caller computes with (a float array, an ``int``, the validated Series), and
raises :class:`~prioanalysis.errors.InputError` (or the ``error`` class passed, e.g.
:class:`~prioanalysis.errors.ParamsError` for an option) whose message names the
argument in backticks, says what was expected and shows what was given:

* ids: :func:`series_by_id` (a Series indexed by unique customer ids),
  :func:`unique_index`, :func:`unique_ids` (an id column), :func:`aligned` (several
  inputs over the same customers);
* values: :func:`numeric` (numeric, no missing, optionally finite),
  :func:`nonnegative`;
* scalars: :func:`nonnegative_number`, :func:`integer`, :func:`share`,
  :func:`confidence_level`, :func:`one_of`;
* messages: :func:`short_list` (a few ids or values, "and N more").

The checks are the validation half of the kernels in :mod:`prioanalysis.methods`: they
read no files and know nothing of the parameters.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Sequence
from typing import Any, TypeVar

import numpy as np
import numpy.typing as npt
import pandas as pd

from prioanalysis.errors import InputError

__all__ = [
    "short_list",
    "unique_index",
    "series_by_id",
    "unique_ids",
    "aligned",
    "numeric",
    "nonnegative",
    "nonnegative_number",
    "integer",
    "share",
    "confidence_level",
    "one_of",
]

FloatArray = npt.NDArray[np.float64]
Choice = TypeVar("Choice", bound=Hashable)

_REAL = (int, float, np.integer, np.floating)


def short_list(labels: Iterable[object], limit: int = 5) -> str:
    """A few ids or values for an error message: the first ``limit``, then "and N more".

    Examples
    --------
    >>> short_list(["C1", "C2"])
    "'C1', 'C2'"
    >>> short_list(range(8), limit=3)
    '0, 1, 2 and 5 more'
    """
    labels = list(labels)
    shown = ", ".join(repr(x) for x in labels[:limit])
    more = len(labels) - limit
    return shown + (f" and {more} more" if more > 0 else "")


def unique_index(obj: pd.Series | pd.DataFrame, name: str) -> None:
    """Refuse a Series or frame whose index lists a customer id more than once.

    Examples
    --------
    >>> unique_index(pd.Series([1, 2], index=["C1", "C1"]), "score")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    prioanalysis.errors.InputError: `score` lists some customer ids more than once: 'C1'. Each customer ...
    """
    if not obj.index.is_unique:
        dup = obj.index[obj.index.duplicated()].unique()
        raise InputError(
            f"`{name}` lists some customer ids more than once: {short_list(dup)}. Each customer must appear once."
        )


def series_by_id(x: object, name: str) -> pd.Series:
    """Require a pandas Series indexed by unique customer ids; return it.

    Examples
    --------
    >>> series_by_id(pd.Series([0.5], index=["C1"]), "score").tolist()
    [0.5]
    >>> series_by_id([0.5], "score")
    Traceback (most recent call last):
    ...
    prioanalysis.errors.InputError: `score` must be a pandas Series indexed by customer id; got list.
    """
    if not isinstance(x, pd.Series):
        raise InputError(f"`{name}` must be a pandas Series indexed by customer id; got {type(x).__name__}.")
    unique_index(x, name)
    return x


def unique_ids(ids: npt.ArrayLike, what: str) -> None:
    """Refuse an id column with empty ids or an id listed twice.

    Parameters
    ----------
    ids
        The ids, one per row.
    what
        The table the ids belong to, to start the message ("the owner list").

    Examples
    --------
    >>> unique_ids(["O1", "O2"], "the owner list")
    >>> unique_ids(["O1", None, "O1"], "the owner list")
    Traceback (most recent call last):
    ...
    prioanalysis.errors.InputError: the owner list: 1 row(s) without an id
    >>> unique_ids(["O1", "O2", "O1"], "the owner list")
    Traceback (most recent call last):
    ...
    prioanalysis.errors.InputError: the owner list: duplicated ids ['O1']; each must appear once
    """
    s = pd.Series(np.asarray(ids, dtype=object))
    if s.isna().any():
        raise InputError(f"{what}: {int(s.isna().sum())} row(s) without an id")
    dup = s[s.duplicated()].unique()
    if dup.size:
        raise InputError(f"{what}: duplicated ids {list(dup[:10])}; each must appear once")


def aligned(**named: Any) -> list[Any]:
    """Check that several Series or frames carry the same customer ids.

    ``None`` values are skipped. The inputs come back in keyword order, reindexed to
    the order of the first one.

    Examples
    --------
    >>> a = pd.Series([1, 2], index=["C1", "C2"])
    >>> b = pd.Series([20, 10], index=["C2", "C1"])
    >>> [s.tolist() for s in aligned(score=a, outcome=b)]
    [[1, 2], [10, 20]]
    >>> aligned(score=a, outcome=b.iloc[:1])  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    prioanalysis.errors.InputError: `score` and `outcome` are not aligned by customer id: 1 id(s) in `score` but ...
    """
    items = [(k, v) for k, v in named.items() if v is not None]
    first_name, first = items[0]
    out: list[Any] = [first]
    for name, obj in items[1:]:
        if obj.index.equals(first.index):
            out.append(obj)
            continue
        only_first = first.index.difference(obj.index)
        only_other = obj.index.difference(first.index)
        if len(only_first) or len(only_other):
            parts = []
            if len(only_first):
                parts.append(
                    f"{len(only_first)} id(s) in `{first_name}` but not in `{name}` ({short_list(only_first)})"
                )
            if len(only_other):
                parts.append(
                    f"{len(only_other)} id(s) in `{name}` but not in `{first_name}` ({short_list(only_other)})"
                )
            raise InputError(
                f"`{first_name}` and `{name}` are not aligned by customer id: "
                + "; ".join(parts)
                + ". Pass inputs that cover the same customers."
            )
        out.append(obj.reindex(first.index))
    return out


def numeric(x: pd.Series, name: str, *, finite: bool = False, hint: str = "Fill or drop them first.") -> FloatArray:
    """A numeric Series as a float array; missing values (and, if ``finite``, infinities) refused.

    Booleans count as 0/1. ``hint`` ends the message about missing values.

    Examples
    --------
    >>> numeric(pd.Series([1, 2], index=["C1", "C2"]), "value")
    array([1., 2.])
    >>> numeric(pd.Series([1.0, None], index=["C1", "C2"]), "value")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    prioanalysis.errors.InputError: `value` has 1 missing value(s), for customer id(s) 'C2'. Fill or drop ...
    >>> numeric(pd.Series([1.0, np.inf], index=["C1", "C2"]), "value", finite=True)
    Traceback (most recent call last):
    ...
    prioanalysis.errors.InputError: `value` has infinite values for customer id(s) 'C2'.
    """
    if pd.api.types.is_bool_dtype(x.dtype):
        x = x.astype("float64")
    if not pd.api.types.is_numeric_dtype(x.dtype):
        raise InputError(
            f"`{name}` must be numeric; got dtype {x.dtype} (first values: {short_list(x.head(3).tolist(), 3)})."
        )
    missing = x.isna().to_numpy()
    if missing.any():
        raise InputError(
            f"`{name}` has {int(missing.sum())} missing value(s), for customer id(s) "
            f"{short_list(x.index[missing])}. {hint}"
        )
    arr = x.to_numpy(dtype=np.float64)
    if finite and not np.isfinite(arr).all():
        bad = x.index[~np.isfinite(arr)]
        raise InputError(f"`{name}` has infinite values for customer id(s) {short_list(bad)}.")
    return arr


def nonnegative(x: pd.Series, name: str, *, what: str = "", hint: str = "Fill or drop them first.") -> FloatArray:
    """A Series of finite numbers >= 0 as a float array.

    ``what`` says in the message what such values are ("revenue, deal size").

    Examples
    --------
    >>> nonnegative(pd.Series([0, 3.5], index=["C1", "C2"]), "revenue")
    array([0. , 3.5])
    >>> nonnegative(pd.Series([-1.0, 3.5], index=["C1", "C2"]), "revenue", what="万元")
    Traceback (most recent call last):
    ...
    prioanalysis.errors.InputError: `revenue` must be >= 0 (万元); customer id(s) 'C1' have negative values.
    """
    arr = numeric(x, name, finite=True, hint=hint)
    neg = arr < 0
    if neg.any():
        raise InputError(
            f"`{name}` must be >= 0{f' ({what})' if what else ''}; customer id(s) "
            f"{short_list(x.index[neg])} have negative values."
        )
    return arr


def nonnegative_number(value: object, name: str, *, error: type[Exception] = InputError) -> float:
    """A finite number >= 0 (not a boolean), as a float.

    Examples
    --------
    >>> nonnegative_number(0.2, "keep_existing")
    0.2
    >>> nonnegative_number(-1, "keep_existing")
    Traceback (most recent call last):
    ...
    prioanalysis.errors.InputError: `keep_existing` must be a finite number >= 0; got -1.
    """
    if isinstance(value, bool) or not isinstance(value, _REAL) or not np.isfinite(value) or value < 0:
        raise error(f"`{name}` must be a finite number >= 0; got {value!r}.")
    return float(value)


def integer(value: object, name: str, *, minimum: int = 1, hint: str = "", error: type[Exception] = InputError) -> int:
    """A whole number >= ``minimum`` given as an integer (not a boolean, not a float), as an int.

    ``hint`` says in parentheses what the number counts.

    Examples
    --------
    >>> integer(3, "n")
    3
    >>> integer(0, "n", hint="the number of elements compared")
    Traceback (most recent call last):
    ...
    prioanalysis.errors.InputError: `n` must be a positive integer (the number of elements compared); got 0.
    >>> integer(5, "draws", minimum=100)
    Traceback (most recent call last):
    ...
    prioanalysis.errors.InputError: `draws` must be an integer >= 100; got 5.
    """
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < minimum:
        expected = "a positive integer" if minimum == 1 else f"an integer >= {minimum}"
        raise error(f"`{name}` must be {expected}{f' ({hint})' if hint else ''}; got {value!r}.")
    return int(value)


def share(
    value: object,
    name: str,
    *,
    meaning: str = "a share",
    allow_zero: bool = True,
    allow_one: bool = True,
    hint: str = "",
    error: type[Exception] = InputError,
) -> float:
    """A number in [0, 1] (ends open where ``allow_zero`` / ``allow_one`` are False), as a float.

    ``meaning`` says what the share is; ``hint`` ends the message.

    Examples
    --------
    >>> share(0.1, "k", allow_zero=False)
    0.1
    >>> share(0, "k", meaning="the share at the top", allow_zero=False, hint="For 10% pass 0.1.")
    Traceback (most recent call last):
    ...
    prioanalysis.errors.InputError: `k` is the share at the top and must be in (0, 1]; got 0. For 10% pass 0.1.
    """
    if (
        isinstance(value, bool)
        or not isinstance(value, _REAL)
        or not (0 < value < 1 or (allow_zero and value == 0) or (allow_one and value == 1))
    ):
        interval = f"{'[' if allow_zero else '('}0, 1{']' if allow_one else ')'}"
        raise error(f"`{name}` is {meaning} and must be in {interval}; got {value!r}.{f' {hint}' if hint else ''}")
    return float(value)


def confidence_level(ci: object, name: str = "ci", *, error: type[Exception] = InputError) -> float | None:
    """A confidence level in (0, 1), or None for "no interval".

    Examples
    --------
    >>> confidence_level(0.95)
    0.95
    >>> confidence_level(95)
    Traceback (most recent call last):
    ...
    prioanalysis.errors.InputError: `ci` is a confidence level in (0, 1), e.g. 0.95; got 95.
    """
    if ci is None:
        return None
    if isinstance(ci, bool) or not isinstance(ci, _REAL) or not 0 < ci < 1:
        raise error(f"`{name}` is a confidence level in (0, 1), e.g. 0.95; got {ci!r}.")
    return float(ci)


def one_of(value: object, choices: Sequence[Choice], name: str, *, error: type[Exception] = InputError) -> Choice:
    """One of a few named options.

    Examples
    --------
    >>> one_of("stable", ("average", "stable"), "ties")
    'stable'
    >>> one_of("first", ("average", "stable"), "ties")
    Traceback (most recent call last):
    ...
    prioanalysis.errors.InputError: `ties` must be 'average' or 'stable'; got 'first'.
    >>> one_of("x", ("saaty1980", "alonso_lamata2006", "simulated"), "ri_table")
    Traceback (most recent call last):
    ...
    prioanalysis.errors.InputError: `ri_table` must be 'saaty1980', 'alonso_lamata2006' or 'simulated'; got 'x'.
    """
    for choice in choices:
        if not isinstance(value, bool) and isinstance(value, Hashable) and value == choice:
            return choice
    listed = [repr(c) for c in choices]
    expected = listed[0] if len(listed) == 1 else f"{', '.join(listed[:-1])} or {listed[-1]}"
    raise error(f"`{name}` must be {expected}; got {value!r}.")
