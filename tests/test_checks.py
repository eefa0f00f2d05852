"""Tests of the shared argument checks (``prioanalysis.checks``)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from prioanalysis import checks
from prioanalysis.errors import InputError, ParamsError


# ------------------------------------------------------------------------- messages
def test_short_list_shows_the_first_few_then_a_count() -> None:
    assert checks.short_list([]) == ""
    assert checks.short_list(["C1"]) == "'C1'"
    assert checks.short_list([f"C{i}" for i in range(5)]) == "'C0', 'C1', 'C2', 'C3', 'C4'"
    assert checks.short_list([f"C{i}" for i in range(7)]) == "'C0', 'C1', 'C2', 'C3', 'C4' and 2 more"
    assert checks.short_list(pd.Index([3, 1]), limit=1) == "3 and 1 more"


# ---------------------------------------------------------------------------- ids
def test_series_by_id_refuses_other_types_and_repeated_ids() -> None:
    s = pd.Series([1.0, 2.0], index=["C1", "C2"])
    assert checks.series_by_id(s, "score") is s
    with pytest.raises(InputError, match=r"^`score` must be a pandas Series indexed by customer id; got ndarray\.$"):
        checks.series_by_id(np.array([1.0]), "score")
    with pytest.raises(InputError, match=r"`score` lists some customer ids more than once: 'C1', 'C2'\. Each"):
        checks.series_by_id(pd.Series(range(5), index=["C1", "C1", "C2", "C2", "C3"]), "score")


def test_unique_index_accepts_frames() -> None:
    checks.unique_index(pd.DataFrame({"a": [1, 2]}, index=["C1", "C2"]), "matrix")
    with pytest.raises(InputError, match="`matrix` lists some customer ids more than once: 'C1'"):
        checks.unique_index(pd.DataFrame({"a": [1, 2]}, index=["C1", "C1"]), "matrix")


def test_unique_ids_counts_empty_ids_and_names_duplicates() -> None:
    checks.unique_ids(np.array(["A", "B"], dtype=object), "the customer list")
    with pytest.raises(InputError, match=r"^the customer list: 2 row\(s\) without an id$"):
        checks.unique_ids(["A", None, np.nan], "the customer list")
    with pytest.raises(InputError, match=r"^the customer list: duplicated ids \['A', 'B'\]; each must appear once$"):
        checks.unique_ids(["A", "B", "A", "B", "C"], "the customer list")


def test_aligned_reorders_to_the_first_and_names_the_missing_ids() -> None:
    a = pd.Series([1, 2, 3], index=["C1", "C2", "C3"])
    b = pd.DataFrame({"x": [30, 10, 20]}, index=["C3", "C1", "C2"])
    first, second, third = checks.aligned(score=a, matrix=b, value=a)
    assert first is a and third is a
    assert second.index.tolist() == ["C1", "C2", "C3"] and second["x"].tolist() == [10, 20, 30]
    assert checks.aligned(score=a, outcome=None) == [a]
    with pytest.raises(InputError) as err:
        checks.aligned(score=a, outcome=pd.Series([1, 1], index=["C1", "C9"]))
    assert str(err.value) == (
        "`score` and `outcome` are not aligned by customer id: 2 id(s) in `score` but not in `outcome` "
        "('C2', 'C3'); 1 id(s) in `outcome` but not in `score` ('C9'). Pass inputs that cover the same customers."
    )


# ------------------------------------------------------------------------- values
def test_numeric_converts_booleans_and_refuses_text_missing_and_infinite() -> None:
    idx = ["C1", "C2"]
    assert checks.numeric(pd.Series([True, False], index=idx), "won").tolist() == [1.0, 0.0]
    assert checks.numeric(pd.Series([1, np.inf], index=idx), "value").tolist() == [1.0, math.inf]
    with pytest.raises(InputError, match=r"^`value` must be numeric; got dtype \w+ \(first values: 'a', 'b'\)\.$"):
        checks.numeric(pd.Series(["a", "b"], index=idx), "value")
    with pytest.raises(InputError, match=r"for customer id\(s\) 'C1'\. Fill or drop them before the review\.$"):
        checks.numeric(pd.Series([None, 1.0], index=idx), "value", hint="Fill or drop them before the review.")
    with pytest.raises(InputError, match=r"^`value` has infinite values for customer id\(s\) 'C2'\.$"):
        checks.numeric(pd.Series([1, -np.inf], index=idx), "value", finite=True)


def test_nonnegative_allows_zero_and_refuses_negative_and_infinite() -> None:
    idx = ["C1", "C2", "C3"]
    assert checks.nonnegative(pd.Series([0, 1, 2], index=idx), "value").tolist() == [0.0, 1.0, 2.0]
    with pytest.raises(InputError, match=r"^`value` must be >= 0; customer id\(s\) 'C1', 'C3' have negative values\.$"):
        checks.nonnegative(pd.Series([-1, 1, -2], index=idx), "value")
    with pytest.raises(InputError, match="infinite"):
        checks.nonnegative(pd.Series([np.inf, 1, 2], index=idx), "value")


# ------------------------------------------------------------------------ scalars
@pytest.mark.parametrize("bad", [-0.1, math.inf, math.nan, True, "1", None])
def test_nonnegative_number_refuses(bad: object) -> None:
    with pytest.raises(InputError, match=r"^`alpha` must be a finite number >= 0; got "):
        checks.nonnegative_number(bad, "alpha")


def test_nonnegative_number_accepts_numpy_numbers_and_other_errors() -> None:
    assert checks.nonnegative_number(np.float32(0.5), "alpha") == 0.5
    assert checks.nonnegative_number(np.int64(0), "alpha") == 0.0
    with pytest.raises(ParamsError):
        checks.nonnegative_number(-1, "alpha", error=ParamsError)


def test_integer_wording_and_types() -> None:
    assert checks.integer(np.int64(4), "n") == 4 and type(checks.integer(np.int64(4), "n")) is int
    assert checks.integer(0, "n", minimum=0) == 0
    for bad in (0, 1.0, True, "2", None):
        with pytest.raises(InputError, match=r"^`n` must be a positive integer; got "):
            checks.integer(bad, "n")
    with pytest.raises(ParamsError, match=r"^`n_samples` must be an integer >= 100 \(matrices drawn\); got 99\.$"):
        checks.integer(99, "n_samples", minimum=100, hint="matrices drawn", error=ParamsError)


@given(st.floats(allow_nan=True, allow_infinity=True), st.booleans(), st.booleans())
def test_share_accepts_exactly_the_interval(value: float, allow_zero: bool, allow_one: bool) -> None:
    inside = (0 < value < 1) or (allow_zero and value == 0) or (allow_one and value == 1)
    if inside:
        assert checks.share(value, "k", allow_zero=allow_zero, allow_one=allow_one) == value
    else:
        with pytest.raises(InputError, match="must be in"):
            checks.share(value, "k", allow_zero=allow_zero, allow_one=allow_one)


def test_share_message_names_the_interval() -> None:
    with pytest.raises(InputError, match=r"^`k` is a share and must be in \(0, 1\); got 1\.$"):
        checks.share(1, "k", allow_zero=False, allow_one=False)
    with pytest.raises(InputError, match=r"^`p` is a probability and must be in \[0, 1\]; got True\. Pass 0\.5\.$"):
        checks.share(True, "p", meaning="a probability", hint="Pass 0.5.")


def test_confidence_level() -> None:
    assert checks.confidence_level(None) is None
    assert checks.confidence_level(np.float64(0.9)) == 0.9
    for bad in (0, 1, 95, -0.5, math.nan, True, "0.95"):
        with pytest.raises(InputError, match=r"`ci` is a confidence level in \(0, 1\), e\.g\. 0\.95; got "):
            checks.confidence_level(bad)
    with pytest.raises(ParamsError, match="`level`"):
        checks.confidence_level(2, "level", error=ParamsError)


def test_one_of_lists_the_choices() -> None:
    assert checks.one_of(np.str_("b"), ("a", "b"), "x") == "b"
    with pytest.raises(InputError, match=r"^`x` must be 'a'; got 'b'\.$"):
        checks.one_of("b", ("a",), "x")
    with pytest.raises(ParamsError, match=r"^`x` must be 'a', 'b' or 'c'; got \['a'\]\.$"):
        checks.one_of(["a"], ("a", "b", "c"), "x", error=ParamsError)
    with pytest.raises(InputError, match=r"got True"):
        checks.one_of(True, (1, 2), "x")
