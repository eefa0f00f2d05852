"""One declarative way to check every table that comes in.

A :class:`TableSchema` lists the :class:`Column` s of a table — each with its kind,
whether it must be there, whether a cell may be empty, its vocabulary, scale, range
or default — and the key that must be unique. :func:`validate` checks a frame
against it and returns the frame with every declared column converted; when
anything is wrong it raises one :class:`~prioanalysis.errors.InputError` that lists
*every* problem, each naming the file, the row (as the analyst sees it: the CSV line
or Excel row, see :mod:`prioanalysis.inputs.tables`), the column and what was
expected::

    outcomes_2025.csv: 2 problem(s) in the outcomes:
      - rows 2, 4, column 'customer_id': listed more than once ('C1')
      - row 3, column 'won': '2' is not 0 or 1

The file readers (:mod:`~prioanalysis.inputs.preliminary`,
:mod:`~prioanalysis.inputs.outcomes`, :mod:`~prioanalysis.inputs.frozen_list`,
:mod:`~prioanalysis.inputs.inquiries`, :mod:`~prioanalysis.inputs.owners`) and the
database import (:mod:`prioanalysis.store.database`) check with the same schemas, so
a table gets the same answer, in the same words, wherever it comes in. A single
record (an inquiry typed on the command line) is checked the same way with
``record=True``: the problems then name fields instead of rows.

Kinds
-----
``id``
    Text, stripped (an Excel number ``123.0`` reads ``"123"``).
``text``
    Text kept as written; a blank cell is empty.
``choice``
    Stripped text from ``vocabulary`` (with ``fold_case``, compared without case and
    returned as the vocabulary spells it).
``scale``
    A key of an ordinal ``scale`` (``AAA``, ``3``; case and ``3.0`` ignored); the
    value returned is the key as the scale writes it.
``number``, ``integer``, ``flag``
    Finite numbers; whole numbers; 0 or 1. ``range`` bounds them.
``bool``
    True or False (``true``/``false``/``1``/``0`` in text).
``date``
    A calendar date written ``YYYY-MM-DD`` (or an Excel date).
``any``
    Kept as read; only its presence is checked.

Text comes back as pandas' string dtype (missing = NaN); numbers as ``float64``;
whole numbers and flags as ``int64`` when no cell is empty (``float64`` with NaN
otherwise, as pandas reads a CSV); dates as ``datetime64``. Columns the schema does
not declare are kept as read.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd

from prioanalysis.errors import InputError
from prioanalysis.inputs.tables import examples, format_rows, problems_error, row_numbers

__all__ = ["KINDS", "Check", "Column", "TableSchema", "Problems", "check", "validate", "as_text", "vocabulary_column"]

Kind = Literal["id", "text", "choice", "scale", "number", "integer", "flag", "bool", "date", "any"]
#: The kinds a column can have.
KINDS: tuple[str, ...] = ("id", "text", "choice", "scale", "number", "integer", "flag", "bool", "date", "any")
_NUMERIC = ("number", "integer", "flag")
_TEXT_DTYPE = pd.StringDtype(na_value=np.nan)
_ISO_DATE = r"\d{4}-\d{2}-\d{2}"
_BOOL_WORDS = {"true": True, "false": False, "1": True, "0": False}
#: Control characters refused in text cells (tab, line feed and carriage return are text).
_CONTROL = r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]"
_CONTROL_RE = re.compile(_CONTROL)


@dataclass(frozen=True)
class Check:
    """A further rule on the numbers of a column.

    ``fails`` takes the parsed numbers (NaN where empty) and returns where the rule
    fails; ``message`` says why, ``{examples}`` standing for the values found.
    """

    fails: Callable[[pd.Series], pd.Series]
    message: str


@dataclass(frozen=True)
class Column:
    """One column of an input table.

    Attributes
    ----------
    name : str
        The header.
    kind : str
        One of :data:`KINDS` (see the module docstring).
    required : bool
        The column must be in the table.
    nullable : bool
        A cell may be empty (then it reads NaN, or ``default``).
    vocabulary : tuple of str
        ``choice``: the allowed values, in the order messages list them.
    what : str
        ``choice``: what a value is, for messages (``segment`` → ``'x' is not a known
        segment``).
    fold_case : bool
        ``choice``: values are compared without case and returned as the vocabulary
        spells them.
    scale : mapping, optional
        ``scale``: the ordinal scale (key → number); ``scale_name`` names it.
    range : (float or None, float or None), optional
        Numbers below the first or above the second are refused.
    default : object, optional
        Given to empty cells; an absent optional column with a default is added.
    checks : tuple of Check
        Further rules on the numbers.
    description : str
        One line for :meth:`TableSchema.describe`.
    """

    name: str
    kind: Kind = "text"
    required: bool = False
    nullable: bool = True
    vocabulary: tuple[str, ...] = ()
    what: str = "value"
    fold_case: bool = False
    scale: Mapping[str, float] | None = None
    scale_name: str = ""
    range: tuple[float | None, float | None] | None = None
    default: Any = None
    checks: tuple[Check, ...] = ()
    description: str = ""

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"column {self.name!r}: unknown kind {self.kind!r} (expected one of {', '.join(KINDS)})")
        if self.kind == "choice" and not self.vocabulary:
            raise ValueError(f"column {self.name!r}: a choice needs a vocabulary")
        if self.kind == "scale" and not self.scale:
            raise ValueError(f"column {self.name!r}: a scale column needs its scale")
        if (self.range is not None or self.checks) and self.kind not in _NUMERIC:
            raise ValueError(f"column {self.name!r}: range and checks apply to numbers only")

    def expected(self) -> str:
        """What a cell must hold, in words (for :meth:`TableSchema.describe`)."""
        base = {
            "id": "text",
            "text": "text",
            "any": "anything",
            "choice": f"one of {', '.join(self.vocabulary)}",
            "scale": f"a value of scale '{self.scale_name}' ({', '.join(self.scale or {})})",
            "number": "a number",
            "integer": "a whole number",
            "flag": "0 or 1",
            "bool": "True or False",
            "date": "a date YYYY-MM-DD",
        }[self.kind]
        if self.range is not None:
            lo, hi = self.range
            if lo is not None and hi is not None:
                base += f" in [{_num(lo)}, {_num(hi)}]"
            elif lo is not None:
                base += f" >= {_num(lo)}"
            elif hi is not None:
                base += f" <= {_num(hi)}"
        return base


@dataclass(frozen=True)
class TableSchema:
    """The columns of one kind of input table.

    Attributes
    ----------
    name : str
        What the table is, for messages (``N problem(s) in the <name>``).
    columns : tuple of Column
    key : tuple of str
        Columns whose values together identify a row: a combination listed twice is
        a problem.
    consistent : tuple of (str, str)
        ``(key, value)`` pairs: rows with the same ``key`` must have the same
        ``value`` (one name per customer id).
    """

    name: str
    columns: tuple[Column, ...]
    key: tuple[str, ...] = ()
    consistent: tuple[tuple[str, str], ...] = field(default=())

    def __post_init__(self) -> None:
        names = [c.name for c in self.columns]
        if len(set(names)) != len(names):
            raise ValueError(f"{self.name}: a column is declared twice ({names})")
        for k in (*self.key, *(x for pair in self.consistent for x in pair)):
            if k not in names:
                raise ValueError(f"{self.name}: key column {k!r} is not declared")

    @property
    def names(self) -> list[str]:
        """The declared columns, in order."""
        return [c.name for c in self.columns]

    @property
    def required(self) -> list[str]:
        """The columns that must be there."""
        return [c.name for c in self.columns if c.required]

    def column(self, name: str) -> Column:
        """The declared column ``name``."""
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(name)

    def describe(self) -> pd.DataFrame:
        """The schema as a table: column, kind, required, empty allowed, expected.

        Examples
        --------
        >>> s = TableSchema("outcomes", (Column("won", "flag", required=True, nullable=False),))
        >>> s.describe()[["column", "kind", "required", "may_be_empty", "expected"]]
          column  kind  required  may_be_empty expected
        0    won  flag      True         False   0 or 1
        """
        return pd.DataFrame(
            {
                "column": self.names,
                "kind": [c.kind for c in self.columns],
                "required": [c.required for c in self.columns],
                "may_be_empty": [c.nullable for c in self.columns],
                "expected": [c.expected() for c in self.columns],
                "description": [c.description for c in self.columns],
            }
        )


class Problems:
    """The problems found in one table, each naming its rows (or field) and column.

    Parameters
    ----------
    frame : pandas.DataFrame
        The table checked (its ``attrs["row_offset"]`` numbers the rows).
    source : str
        The file (or what the values are) named at the head of the message.
    what : str
        What the table is (``outcomes``).
    record : bool
        One record: problems name the field, not a row.
    """

    def __init__(self, frame: pd.DataFrame, source: str, what: str, record: bool = False) -> None:
        self.frame, self.source, self.what, self.record = frame, source, what, record
        self.items: list[str] = []

    def add(self, mask: pd.Series | np.ndarray | None, column: str, text: str) -> None:
        """Record a problem of ``column`` in the rows where ``mask`` is true
        (``mask=None``: of the column as a whole). ``column`` may be a ready label
        such as ``columns 'a'+'b'``.
        """
        label = column if column.startswith("columns ") else f"column '{column}'"
        if self.record:
            self.items.append(f"{label.replace('column', 'field', 1)}: {text}")
        elif mask is None:
            self.items.append(f"{label}: {text}")
        else:
            self.items.append(f"{format_rows(row_numbers(self.frame, mask))}, {label}: {text}")

    def __bool__(self) -> bool:
        return bool(self.items)

    def __len__(self) -> int:
        return len(self.items)

    def error(self) -> InputError:
        """The one error listing every problem."""
        return problems_error(self.source, "values given" if self.record else self.what, self.items)

    def raise_if_any(self) -> None:
        """Raise :meth:`error` when there is any problem."""
        if self.items:
            raise self.error()


# --------------------------------------------------------------------------- cells
def _num(x: float) -> str:
    return f"{float(x):g}"


def _cell_text(v: Any) -> Any:
    if v is None or v is pd.NA or v is pd.NaT or (isinstance(v, float | np.floating) and np.isnan(v)):
        return np.nan
    if isinstance(v, bool | np.bool_):
        return str(bool(v))
    if isinstance(v, float | np.floating) and float(v).is_integer() and abs(float(v)) < 2**53:
        return str(int(v))  # Excel turns 123 into 123.0
    if isinstance(v, pd.Timestamp) or hasattr(v, "isoformat"):
        ts = pd.Timestamp(v)
        return ts.date().isoformat() if ts == ts.normalize() else ts.isoformat()
    return str(v.item() if isinstance(v, np.generic) else v)


def as_text(values: pd.Series) -> pd.Series:
    """Cells as text (string dtype, NaN for missing) the way the analyst wrote them:
    an Excel number ``123.0`` as ``"123"``, a date as ``YYYY-MM-DD``.

    Examples
    --------
    >>> as_text(pd.Series([123.0, 1.5, None], dtype=object)).tolist()
    ['123', '1.5', nan]
    """
    textual = values.dtype.kind in "OU" or isinstance(values.dtype, pd.StringDtype)
    if textual and pd.api.types.infer_dtype(values, skipna=True) in ("string", "empty"):
        return values.astype(_TEXT_DTYPE)
    return pd.Series([_cell_text(v) for v in values.astype(object)], index=values.index, dtype=_TEXT_DTYPE)


def _numbers(values: pd.Series, text: pd.Series) -> pd.Series:
    if pd.api.types.is_bool_dtype(values.dtype):
        return values.astype(float)
    if pd.api.types.is_numeric_dtype(values.dtype):
        return values.astype(float)
    with np.errstate(all="ignore"):  # to_numeric ignores surrounding white space itself
        return pd.to_numeric(text, errors="coerce").astype(float)


def _scale_keys(values: pd.Series, text: pd.Series) -> pd.Series:
    """Ordinal keys: 3, 3.0 and "3" all become "3"; text upper-cased."""
    num = _numbers(values, text)
    whole = num.notna() & np.isfinite(num) & (num == np.round(num)) & (num.abs() < 2**53)
    ints = num.where(whole, 0).astype("int64").astype(_TEXT_DTYPE)
    return text.str.strip().str.upper().where(~whole, ints)


def _whole(values: pd.Series, complete: bool) -> pd.Series:
    return values.astype("int64") if complete else values.astype(float)


# --------------------------------------------------------------------------- checks
def _convert(col: Column, raw: pd.Series, problems: Problems) -> pd.Series:
    """Check one column; return it converted (problems recorded, bad cells empty)."""
    if col.kind == "any":
        text = as_text(raw)
        present = text.notna() & (text.str.strip() != "")
        _control_problems(text, present, col.name, problems)
        if not col.nullable and (~present).any():
            problems.add(~present, col.name, "value is empty")
        return raw
    text = as_text(raw)
    present = text.notna() & (text.str.strip() != "")
    nul = _control_problems(text, present, col.name, problems) if col.kind not in _NUMERIC else present & False
    present &= ~nul
    if not col.nullable and (~present & ~nul).any():
        problems.add(~present & ~nul, col.name, "value is empty")
    fill = ~present & ~nul  # cells that get the default
    kind = col.kind
    if kind in ("id", "text", "choice"):
        out = text.where(present) if kind == "text" else text.str.strip().where(present)
        if kind == "choice":
            if col.fold_case:  # compared without case, returned as the vocabulary spells it
                canonical = {w.lower(): w for w in col.vocabulary}
                out = out.str.lower().map(canonical).astype(_TEXT_DTYPE)
                bad = present & out.isna()
            else:
                bad = present & ~out.isin(list(col.vocabulary))
            if bad.any():
                problems.add(
                    bad,
                    col.name,
                    f"{examples(text, bad)} is not a known {col.what} (expected one of {', '.join(col.vocabulary)})",
                )
                out = out.where(~bad)
        return _fill(out, fill, col.default)
    if kind == "scale":
        assert col.scale is not None
        canonical = {str(k).upper(): str(k) for k in col.scale}
        out = _scale_keys(raw, text).map(canonical).astype(_TEXT_DTYPE).where(present)
        bad = present & out.isna()
        if bad.any():
            problems.add(
                bad,
                col.name,
                f"{examples(text, bad)} is not on scale '{col.scale_name}' "
                f"(expected one of {', '.join(map(str, col.scale))})",
            )
        return _fill(out, fill, col.default)
    if kind == "bool":
        if pd.api.types.is_bool_dtype(raw.dtype):
            return raw.astype(bool)
        flags = text.str.strip().str.lower().map(_BOOL_WORDS)
        bad = present & flags.isna()
        if bad.any():
            problems.add(bad, col.name, f"{examples(text, bad)} is not True or False")
        flags = _fill(flags.where(present & ~bad), fill, col.default)
        return flags.astype(bool) if flags.notna().all() else flags.astype(object)
    if kind == "date":
        if pd.api.types.is_datetime64_any_dtype(raw.dtype):
            return _fill(raw.dt.normalize(), fill, col.default)
        stripped = text.str.strip()
        iso = stripped.str.fullmatch(_ISO_DATE).fillna(False).astype(bool)
        dates = pd.to_datetime(stripped.where(iso), format="%Y-%m-%d", errors="coerce")
        bad = present & dates.isna()
        if bad.any():
            problems.add(bad, col.name, f"{examples(text, bad)} is not a date (expected YYYY-MM-DD)")
        return _fill(dates.where(present & ~bad), fill, col.default)
    return _convert_number(col, raw, text, present, fill, problems)


def _control_problems(text: pd.Series, present: pd.Series, column: str, problems: Problems) -> pd.Series:
    """Where a text cell holds a control character (NUL, ESC...): recorded, and returned."""
    found = present & text.str.contains(_CONTROL, regex=True).fillna(False).astype(bool)
    if not found.any():
        return found
    nul = found & text.str.contains("\x00", regex=False).fillna(False).astype(bool)
    if nul.any():
        problems.add(nul, column, "contains a NUL character (\\x00), which cannot be stored")
    other = found & ~nul
    if other.any():
        codes = sorted({f"\\x{ord(ch):02x}" for v in text[other].head(50) for ch in _CONTROL_RE.findall(v)})
        problems.add(
            other,
            column,
            f"contains a control character ({', '.join(codes[:5])}) — not text; retype the cell",
        )
    return found


def _convert_number(
    col: Column, raw: pd.Series, text: pd.Series, present: pd.Series, fill: pd.Series, problems: Problems
) -> pd.Series:
    what = {"number": "a number", "integer": "a whole number", "flag": "0 or 1"}[col.kind]
    if col.kind != "flag" and pd.api.types.is_bool_dtype(raw.dtype):
        plural = {"number": "numbers", "integer": "whole numbers"}[col.kind]
        problems.add(present, col.name, f"holds TRUE/FALSE cells, not {plural}")
        return pd.Series(np.nan, index=raw.index, dtype=float)
    num = _numbers(raw, text)
    finite = np.isfinite(num)
    bad = present & ~finite
    if col.kind == "integer":
        bad |= present & finite & (num != np.round(num))
    elif col.kind == "flag":
        bad |= present & finite & ~num.isin([0.0, 1.0])
    if bad.any():
        yes_no = bad & text.str.strip().str.lower().isin(["true", "false"]).fillna(False).astype(bool)
        if yes_no.any():
            problems.add(yes_no, col.name, f"{examples(text, yes_no)} is a TRUE/FALSE cell, not {what}")
        if (bad & ~yes_no).any():
            problems.add(bad & ~yes_no, col.name, f"{examples(text, bad & ~yes_no)} is not {what}")
    ok = present & ~bad
    if col.range is not None:
        lo, hi = col.range
        low = ok & (num < lo) if lo is not None else pd.Series(False, index=num.index)
        high = ok & (num > hi) if hi is not None else pd.Series(False, index=num.index)
        outside = low | high
        if outside.any():
            if lo is not None and hi is not None:
                msg = f"is outside the valid range [{_num(lo)}, {_num(hi)}]"
            elif lo is not None:
                msg = f"is below {_num(lo)}"
            else:
                msg = f"is above {_num(hi)}"  # type: ignore[arg-type]
            problems.add(outside, col.name, f"{examples(text, outside)} {msg}")
        ok &= ~outside
    for rule in col.checks:
        fails = ok & rule.fails(num.where(ok)).fillna(False).astype(bool)
        if fails.any():
            problems.add(fails, col.name, rule.message.format(examples=examples(text, fails)))
    out = _fill(num.where(ok), fill, col.default)
    if col.kind == "number":
        return out.astype(float)
    return _whole(out, bool(out.notna().all()))


def _fill(values: pd.Series, where: pd.Series, default: Any) -> pd.Series:
    if default is None or not where.any():
        return values
    return values.where(~where, default)


def _key_problems(out: pd.DataFrame, schema: TableSchema, problems: Problems) -> None:
    key = list(schema.key)
    if key and all(k in out.columns for k in key):
        keys = out[key]
        dup = keys.duplicated(keep=False) & keys.notna().all(axis=1)
        if dup.any():
            label = f"column '{key[0]}'" if len(key) == 1 else "columns " + "+".join(f"'{k}'" for k in key)
            problems.add(
                dup.to_numpy(),
                label if len(key) > 1 else key[0],
                f"listed more than once ({examples(keys[key[0]], dup)})",
            )
    for k, v in schema.consistent:
        if k in out.columns and v in out.columns:
            repeated = (out[k].duplicated(keep=False) & out[k].notna()).to_numpy()
            clash = np.zeros(len(out), dtype=bool)
            if repeated.any():  # only ids listed more than once can disagree
                part = out.loc[repeated, [k, v]]
                n = part[v].groupby(part[k]).transform("nunique")
                clash[np.flatnonzero(repeated)] = (n > 1).to_numpy()
            if clash.any():
                problems.add(
                    clash, v, f"the same {k} has different values on different rows ({examples(out[k], clash)})"
                )


def check(
    frame: pd.DataFrame, schema: TableSchema, source: str | None = None, *, record: bool = False
) -> tuple[pd.DataFrame, Problems]:
    """Check ``frame`` against ``schema`` without raising for bad cells.

    Returns the converted frame and the :class:`Problems` found, so that a caller can
    add its own (a customer unknown to the database) before raising them together.

    Raises
    ------
    InputError
        At once when required columns (``record``: fields) are missing.
    """
    src = str(source if source is not None else frame.attrs.get("source", "<input>"))
    if record:
        missing = [c.name for c in schema.columns if not c.nullable and c.required and c.name not in frame.columns]
        if missing:
            raise InputError(f"{src}: missing required field(s): {', '.join(missing)}")
    else:
        missing = [c for c in schema.required if c not in frame.columns]
        if missing:
            raise InputError(
                f"{src}: missing required column(s): {', '.join(missing)} (found: {', '.join(map(str, frame.columns))})"
            )
    problems = Problems(frame, src, schema.name, record)
    out = frame.copy(deep=False)
    for col in schema.columns:
        if col.name in frame.columns:
            out[col.name] = _convert(col, frame[col.name], problems)
        elif col.default is not None:
            out[col.name] = pd.Series([col.default] * len(frame), index=frame.index)
    declared = set(schema.names)
    for name in frame.columns:  # columns kept as read: no control characters either
        values = frame[name]
        if name not in declared and (values.dtype.kind in "OU" or isinstance(values.dtype, pd.StringDtype)):
            text = as_text(values)
            _control_problems(text, text.notna(), str(name), problems)
    _key_problems(out, schema, problems)
    out.attrs = dict(frame.attrs)
    out.attrs["source"] = src
    return out, problems


def validate(
    frame: pd.DataFrame, schema: TableSchema, source: str | None = None, *, record: bool = False
) -> pd.DataFrame:
    """Check ``frame`` against ``schema``; the frame with its declared columns converted.

    Parameters
    ----------
    frame : pandas.DataFrame
        As read (:func:`prioanalysis.inputs.tables.read_table`, or from the database).
    schema : TableSchema
    source : str, optional
        Named in messages; default ``frame.attrs["source"]``.
    record : bool
        ``frame`` is one record typed in (problems name fields, not rows).

    Returns
    -------
    pandas.DataFrame
        Same rows and index; declared columns converted (see the module docstring),
        others as read; ``attrs`` kept.

    Raises
    ------
    InputError
        Missing required columns; or every problem found, each naming the file, the
        row(s), the column and what was expected.

    Examples
    --------
    >>> schema = TableSchema("outcomes", (
    ...     Column("customer_id", "id", required=True, nullable=False),
    ...     Column("won", "flag", required=True, nullable=False),
    ...     Column("revenue", "number", range=(0, None), default=0.0)), key=("customer_id",))
    >>> df = pd.DataFrame({"customer_id": ["C1", "C2"], "won": ["1", "0"], "revenue": ["12.5", None]})
    >>> validate(df, schema)[["won", "revenue"]].to_dict("list")
    {'won': [1, 0], 'revenue': [12.5, 0.0]}
    >>> df.attrs.update(source="outcomes.csv", row_offset=2)
    >>> validate(df.assign(won=["2", "1"], customer_id="C1"), schema)
    Traceback (most recent call last):
    ...
    prioanalysis.errors.InputError: outcomes.csv: 2 problem(s) in the outcomes:
      - row 2, column 'won': '2' is not 0 or 1
      - rows 2, 3, column 'customer_id': listed more than once ('C1')
    """
    out, problems = check(frame, schema, source, record=record)
    problems.raise_if_any()
    return out


def vocabulary_column(name: str, vocabulary: Sequence[str] | None, what: str, **kwargs: Any) -> Column:
    """A ``choice`` column when a vocabulary is given, else an ``id`` column."""
    if vocabulary:
        return Column(name, "choice", vocabulary=tuple(vocabulary), what=what, **kwargs)
    kwargs.pop("fold_case", None)
    return Column(name, "id", **kwargs)
