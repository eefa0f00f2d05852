"""Tests of prioanalysis.methods.scoring: normalization, weighted sum (SAW), TOPSIS.

Literature cases are named after their source. Where a published table is
asserted, the docstring says which values, to what rounding, and where the numbers
were taken from; values that are not from a publication are recomputed in the
test by an independent route (exact rational arithmetic or a hand derivation).
"""

from __future__ import annotations

import dataclasses
import doctest
from fractions import Fraction

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from prioanalysis.errors import InputError
from prioanalysis.methods import scoring
from prioanalysis.methods.scoring import (
    DIRECTIONS,
    METHODS,
    NORMALIZATIONS,
    ScoreResult,
    normalize,
    score,
    topsis,
    weighted_sum,
)

# =============================================================================
# Literature data
# =============================================================================

#: Hwang & Yoon (1981), fighter-aircraft selection: A1..A4 against X1 maximum
#: speed (Mach), X2 ferry range (NM), X3 maximum payload (lb), X4 acquisition
#: cost ($10^6, the only cost criterion), X5 reliability and X6 maneuverability
#: (qualitative ratings on an interval scale).
AIRCRAFT = pd.DataFrame(
    [
        [2.0, 1500.0, 20000.0, 5.5, 5.0, 9.0],
        [2.5, 2700.0, 18000.0, 6.5, 3.0, 5.0],
        [1.8, 2000.0, 21000.0, 4.5, 7.0, 7.0],
        [2.2, 1800.0, 20000.0, 5.0, 5.0, 5.0],
    ],
    index=pd.Index(["A1", "A2", "A3", "A4"], name="aircraft"),
    columns=["X1", "X2", "X3", "X4", "X5", "X6"],
)
AIRCRAFT_WEIGHTS = {"X1": 0.2, "X2": 0.1, "X3": 0.1, "X4": 0.1, "X5": 0.2, "X6": 0.3}
AIRCRAFT_DIRECTIONS = {c: ("cost" if c == "X4" else "benefit") for c in AIRCRAFT.columns}


def _frame(values, directions=None, columns=None, index=None):
    """Small helper: a float frame with named columns c0.. and customers r0.."""
    values = np.asarray(values, dtype=float)
    if values.ndim == 1:
        values = values[:, None]
    n, k = values.shape
    columns = columns or [f"c{j}" for j in range(k)]
    index = index or [f"r{i}" for i in range(n)]
    return pd.DataFrame(values, index=index, columns=columns)


# =============================================================================
# Literature cases
# =============================================================================


def test_topsis_hwang_yoon_1981():
    """Fighter-aircraft TOPSIS of Hwang & Yoon (1981).

    Hwang, C.-L. & Yoon, K. (1981). *Multiple Attribute Decision Making: Methods
    and Applications. A State-of-the-Art Survey.* Lecture Notes in Economics and
    Mathematical Systems 186, Springer, pp. 133-134.

    Published values reproduced (as transcribed from the book by two independent
    open-source re-implementations, ldss-hse/ldss-benchmark and an mcdajs example;
    the book itself was not consulted):

    * closeness C* = 0.643, 0.268, 0.613, 0.312 -> asserted to 1e-3. The exact
      computation gives 0.6433, 0.2684, 0.6135, 0.3123; the book's 0.613 for A3
      comes from its 4-decimal intermediate values (0.0920 / (0.0580 + 0.0920)).
    * separations S* = 0.0545, 0.1197, 0.0580, 0.1009 and
      S- = 0.0983, 0.0439, 0.0920, 0.0458 -> asserted to 1e-4.
    * ideal A* and negative ideal A- -> asserted to 2e-4: the book's
      normalized X4 column (0.5063, 0.5983, 0.4143, 0.4603) is off in the 4th
      decimal from 4.5..6.5 / sqrt(117.75) = 0.5069, 0.5990, 0.4147, 0.4608,
      so its A-(X4) = 0.0598 against the exact 0.0599.
    * normalized columns X1, X3, X5, X6 -> asserted to 1e-4 (X2 and X4 carry
      the book's rounding slips of up to 7e-4 and are checked against the exact
      x / ||x|| instead).
    * ranking A1 > A3 > A4 > A2.
    """
    res = score(AIRCRAFT, AIRCRAFT_WEIGHTS, AIRCRAFT_DIRECTIONS, method="topsis")

    assert res.method == "topsis"
    assert res.normalization == "vector"
    np.testing.assert_allclose(res.scores, [0.643, 0.268, 0.613, 0.312], atol=1e-3)
    np.testing.assert_allclose(res.d_plus, [0.0545, 0.1197, 0.0580, 0.1009], atol=1e-4)
    np.testing.assert_allclose(res.d_minus, [0.0983, 0.0439, 0.0920, 0.0458], atol=1e-4)
    np.testing.assert_allclose(res.ideal, [0.1168, 0.0659, 0.0531, 0.0414, 0.1347, 0.2012], atol=2e-4)
    np.testing.assert_allclose(res.anti_ideal, [0.0841, 0.0366, 0.0455, 0.0598, 0.0577, 0.1118], atol=2e-4)
    published_r = pd.DataFrame(
        {
            "X1": [0.4671, 0.5839, 0.4204, 0.5139],
            "X3": [0.5056, 0.4550, 0.5308, 0.5056],
            "X5": [0.4811, 0.2887, 0.6736, 0.4811],
            "X6": [0.6708, 0.3727, 0.5217, 0.3727],
        },
        index=AIRCRAFT.index,
    )
    np.testing.assert_allclose(res.normalized[published_r.columns], published_r, atol=1e-4)
    exact_x4 = np.array([5.5, 6.5, 4.5, 5.0]) / np.sqrt(117.75)
    np.testing.assert_allclose(res.normalized["X4"], exact_x4, rtol=1e-12)
    assert list(res.scores.sort_values(ascending=False).index) == ["A1", "A3", "A4", "A2"]
    pd.testing.assert_series_equal(res.scores, topsis(AIRCRAFT, AIRCRAFT_WEIGHTS, AIRCRAFT_DIRECTIONS))


def test_topsis_tzeng_huang_2011():
    """TOPSIS example of Tzeng & Huang (2011).

    Tzeng, G.-H. & Huang, J.-J. (2011). *Multiple Attribute Decision Making:
    Methods and Applications.* CRC Press.

    Four alternatives, three benefit criteria, weights (0.3, 0.4, 0.3), vector
    normalization. Published closeness 0.5037, 0.6581, 0.7482, 0.3340 (as used in
    scikit-criteria's test suite, ``test_TOPSIS_tzeng2011multiple``), asserted
    to half a unit of the 4th decimal; the exact values are 0.503720, 0.658085,
    0.748249, 0.333997. Ranking A3 > A2 > A1 > A4.
    """
    m = _frame([[5, 8, 4], [7, 6, 8], [8, 8, 6], [7, 4, 6]], index=["A1", "A2", "A3", "A4"])
    w = {"c0": 0.3, "c1": 0.4, "c2": 0.3}
    d = dict.fromkeys(m.columns, "benefit")
    closeness = topsis(m, w, d)
    np.testing.assert_allclose(closeness, [0.5037, 0.6581, 0.7482, 0.3340], atol=5e-5)
    assert list(closeness.sort_values(ascending=False).index) == ["A3", "A2", "A1", "A4"]


def test_weighted_sum_kernel_triantaphyllou_2000():
    """Weighted-sum model example of Triantaphyllou (2000).

    Triantaphyllou, E. (2000). *Multi-Criteria Decision Making Methods: A
    Comparative Study.* Kluwer, ch. 2 (the example also appears in the
    "Weighted sum model" encyclopedia article). Weights (0.20, 0.15, 0.40, 0.25);
    the data are already on one scale, so the WSM is the bare kernel
    ``sum_j w_j a_ij``. Published scores 21.50, 22.00, 22.00 (checked by hand:
    25*.2 + 20*.15 + 15*.4 + 30*.25 = 21.5, and so on).
    """
    a = np.array([[25.0, 20, 15, 30], [10, 30, 20, 30], [30, 10, 30, 10]])
    w = np.array([0.20, 0.15, 0.40, 0.25])
    np.testing.assert_allclose(scoring._weighted_sum_kernel(a, w), [21.50, 22.00, 22.00], rtol=1e-12)


def test_weighted_sum_hwang_yoon_1981_linear_scale():
    """SAW on the fighter-aircraft data with Hwang & Yoon's linear scale transform.

    Data and weights from Hwang & Yoon (1981) (see :data:`AIRCRAFT`); the linear
    scale transformation is r = x / max for benefits and r = min / x for costs,
    which is ``normalization="max"`` here. The book's SAW table was not
    available to check, so the expected values are recomputed in this test with
    exact rational arithmetic (``fractions.Fraction``), independently of numpy:
    0.835469, 0.707326, 0.851407, 0.737429; ranking A3 > A1 > A4 > A2.
    """
    rows = [[Fraction(str(v)) for v in row] for row in AIRCRAFT.to_numpy().tolist()]
    cols = list(zip(*rows, strict=True))
    weights = [Fraction(str(AIRCRAFT_WEIGHTS[c])) for c in AIRCRAFT.columns]
    expected = []
    for row in rows:
        total = Fraction(0)
        for j, value in enumerate(row):
            if AIRCRAFT_DIRECTIONS[AIRCRAFT.columns[j]] == "benefit":
                total += weights[j] * value / max(cols[j])
            else:
                total += weights[j] * min(cols[j]) / value
        expected.append(float(total))

    got = weighted_sum(AIRCRAFT, AIRCRAFT_WEIGHTS, AIRCRAFT_DIRECTIONS, normalization="max")
    np.testing.assert_allclose(got, expected, rtol=1e-12)
    np.testing.assert_allclose(got, [0.835469, 0.707326, 0.851407, 0.737429], atol=1e-6)
    assert list(got.sort_values(ascending=False).index) == ["A3", "A1", "A4", "A2"]


# =============================================================================
# Hand-computed cases
# =============================================================================


def test_minmax_hand_computed_with_cost_and_constant_column():
    m = _frame([[10, 30, 7], [20, 60, 7], [40, 90, 7]])
    z = normalize(m, {"c0": "benefit", "c1": "cost", "c2": "benefit"})
    expected = np.array([[0, 1, 0.5], [1 / 3, 0.5, 0.5], [1, 0, 0.5]])
    np.testing.assert_allclose(z, expected, rtol=0, atol=1e-15)
    assert not np.signbit(z.to_numpy()).any()  # no -0.0 for the cost maximum
    assert z.index.equals(m.index) and z.columns.equals(m.columns)


def test_minmax_accepts_negative_values():
    m = _frame([-5, 0, 5])
    np.testing.assert_allclose(normalize(m, {"c0": "benefit"})["c0"], [0, 0.5, 1])


@pytest.mark.parametrize(
    ("method", "values", "benefit", "cost"),
    [
        ("vector", [3, 4], [0.6, 0.8], [0.4, 0.2]),  # ||(3, 4)|| = 5
        ("sum", [1, 3], [0.25, 0.75], [0.75, 0.25]),
        ("max", [2, 4], [0.5, 1.0], [1.0, 0.5]),  # cost: min / x
        ("vector", [0, 0], [0.0, 0.0], [1.0, 1.0]),  # all zero: x / 0 taken as 0
        ("sum", [0, 0], [0.0, 0.0], [1.0, 1.0]),
        ("max", [0, 0], [0.0, 0.0], None),
    ],
)
def test_normalizations_hand_computed(method, values, benefit, cost):
    m = _frame(values)
    np.testing.assert_allclose(normalize(m, {"c0": "benefit"}, method)["c0"], benefit, rtol=1e-15)
    if cost is not None:
        np.testing.assert_allclose(normalize(m, {"c0": "cost"}, method)["c0"], cost, rtol=1e-15)


def test_normalize_per_column_mapping():
    m = _frame([[3, 1, 10], [4, 3, 30]])
    z = normalize(
        m,
        {"c0": "benefit", "c1": "cost", "c2": "cost"},
        {"c0": "vector", "c1": "sum", "c2": "minmax"},
    )
    np.testing.assert_allclose(z, [[0.6, 0.75, 1.0], [0.8, 0.25, 0.0]], rtol=1e-15)


def test_weighted_sum_hand_computed():
    m = _frame([[10, 30], [20, 60], [40, 90]], index=["acme", "bolt", "cora"])
    s = weighted_sum(m, {"c0": 0.75, "c1": 0.25}, {"c0": "benefit", "c1": "cost"})
    # minmax: c0 -> 0, 1/3, 1 ; c1 (cost) -> 1, 1/2, 0
    np.testing.assert_allclose(s, [0.25, 0.375, 0.75], rtol=1e-15)
    assert s.name == "score"
    assert list(s.index) == ["acme", "bolt", "cora"]


def test_topsis_single_criterion_minmax_equals_minmax_value():
    """One criterion, min-max: A+ = w, A- = 0, D+ = w(1 - r), D- = w r, so C = r."""
    m = _frame([0, 1, 4])
    c = topsis(m, {"c0": 1.0}, {"c0": "benefit"}, normalization="minmax")
    np.testing.assert_allclose(c, [0, 0.25, 1], rtol=1e-15)
    c_cost = topsis(m, {"c0": 1.0}, {"c0": "cost"}, normalization="minmax")
    np.testing.assert_allclose(c_cost, [1, 0.75, 0], rtol=1e-15)


def test_topsis_hand_computed_vector_with_cost():
    """Two customers, benefit (3, 4) and cost (6, 8), equal weights.

    r = (0.6, 0.8) in both columns; v = (0.3, 0.4). A+ = (0.4, 0.3),
    A- = (0.3, 0.4). Customer 1: D+ = 0.1, D- = 0.1 -> C = 0.5; the same for
    customer 2 (better on the benefit, worse on the cost by the same amount).
    """
    m = _frame([[3, 6], [4, 8]])
    res = score(m, {"c0": 0.5, "c1": 0.5}, {"c0": "benefit", "c1": "cost"}, method="topsis")
    np.testing.assert_allclose(res.ideal, [0.4, 0.3], rtol=1e-14)
    np.testing.assert_allclose(res.anti_ideal, [0.3, 0.4], rtol=1e-14)
    np.testing.assert_allclose(res.d_plus, [0.1, 0.1], rtol=1e-12)
    np.testing.assert_allclose(res.d_minus, [0.1, 0.1], rtol=1e-12)
    np.testing.assert_allclose(res.scores, [0.5, 0.5], rtol=1e-12)
    # balance: customer 1 is at A- on c0 (b = -0.01/0.02) and at A+ on c1 (+0.01/0.02)
    np.testing.assert_allclose(res.contributions, [[-0.5, 0.5], [0.5, -0.5]], atol=1e-12)


@pytest.mark.parametrize("norm", ["vector", "minmax"])
def test_topsis_identical_customers_get_half(norm):
    w, d = {"c0": 0.4, "c1": 0.6}, {"c0": "benefit", "c1": "cost"}
    res = score(_frame([[2, 5], [2, 5], [2, 5]]), w, d, "topsis", norm)
    np.testing.assert_array_equal(res.scores, [0.5, 0.5, 0.5])
    np.testing.assert_array_equal(res.contributions, np.zeros((3, 2)))
    np.testing.assert_array_equal(topsis(_frame([[2, 5]]), w, d, norm), [0.5])


def test_integer_bool_and_nonstring_labels_are_accepted():
    m = pd.DataFrame({1: [1, 2, 3], 2: [True, False, True]}, index=[10, 20, 30])
    s = weighted_sum(m, {1: 0.5, 2: 0.5}, {1: "benefit", 2: "benefit"})
    np.testing.assert_allclose(s, [0.5, 0.25, 1.0])
    assert list(s.index) == [10, 20, 30]


def test_input_frame_is_not_modified():
    m = AIRCRAFT.copy()
    for method in METHODS:
        score(m, AIRCRAFT_WEIGHTS, AIRCRAFT_DIRECTIONS, method=method)
    normalize(m, AIRCRAFT_DIRECTIONS, "vector")
    pd.testing.assert_frame_equal(m, AIRCRAFT)


# =============================================================================
# ScoreResult
# =============================================================================


def test_score_weighted_sum_result():
    res = score(AIRCRAFT, AIRCRAFT_WEIGHTS, AIRCRAFT_DIRECTIONS)
    assert res.method == "weighted_sum"
    assert res.normalization == "minmax"
    pd.testing.assert_series_equal(res.scores, weighted_sum(AIRCRAFT, AIRCRAFT_WEIGHTS, AIRCRAFT_DIRECTIONS))
    pd.testing.assert_frame_equal(res.normalized, normalize(AIRCRAFT, AIRCRAFT_DIRECTIONS))
    expected_parts = res.normalized * pd.Series(AIRCRAFT_WEIGHTS)
    pd.testing.assert_frame_equal(res.contributions, expected_parts, rtol=1e-15)
    np.testing.assert_allclose(res.contributions.sum(axis=1), res.scores, rtol=1e-14)
    assert res.ideal is None and res.anti_ideal is None
    assert res.d_plus is None and res.d_minus is None
    with pytest.raises(dataclasses.FrozenInstanceError):
        res.method = "topsis"  # type: ignore[misc]


def test_score_records_per_column_normalization():
    mapping = {c: ("max" if c == "X4" else "vector") for c in AIRCRAFT.columns}
    res = score(AIRCRAFT, AIRCRAFT_WEIGHTS, AIRCRAFT_DIRECTIONS, normalization=mapping)
    assert res.normalization == mapping
    pd.testing.assert_series_equal(
        res.scores,
        weighted_sum(AIRCRAFT, AIRCRAFT_WEIGHTS, AIRCRAFT_DIRECTIONS, normalization=mapping),
    )


def test_score_topsis_result_tables_are_consistent():
    res = score(AIRCRAFT, AIRCRAFT_WEIGHTS, AIRCRAFT_DIRECTIONS, method="topsis")
    assert isinstance(res, ScoreResult)
    assert res.scores.name == "closeness"
    assert res.ideal.index.equals(AIRCRAFT.columns)
    assert res.d_plus.index.equals(AIRCRAFT.index)
    w = pd.Series(AIRCRAFT_WEIGHTS)
    v = res.normalized * w
    d_plus = np.sqrt(((v - res.ideal) ** 2).sum(axis=1))
    d_minus = np.sqrt(((v - res.anti_ideal) ** 2).sum(axis=1))
    np.testing.assert_allclose(res.d_plus, d_plus, rtol=1e-12)
    np.testing.assert_allclose(res.d_minus, d_minus, rtol=1e-12)
    np.testing.assert_allclose(res.scores, d_minus / (d_plus + d_minus), rtol=1e-12)
    # the balance from its definition
    dminus2 = (v - res.anti_ideal) ** 2
    dplus2 = (res.ideal - v) ** 2
    balance = (dminus2 - dplus2).div((dminus2 + dplus2).sum(axis=1), axis=0)
    np.testing.assert_allclose(res.contributions, balance, atol=1e-12)


def test_score_default_and_explicit_normalization_agree():
    for method in METHODS:
        a = score(AIRCRAFT, AIRCRAFT_WEIGHTS, AIRCRAFT_DIRECTIONS, method=method)
        default = {"weighted_sum": "minmax", "topsis": "vector"}[method]
        b = score(AIRCRAFT, AIRCRAFT_WEIGHTS, AIRCRAFT_DIRECTIONS, method, default)
        pd.testing.assert_series_equal(a.scores, b.scores)


def test_module_constants():
    assert METHODS == ("weighted_sum", "topsis")
    assert NORMALIZATIONS == ("minmax", "vector", "max", "sum")
    assert DIRECTIONS == ("benefit", "cost")


def test_docstring_examples_run():
    failures, attempted = doctest.testmod(scoring, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert attempted > 0
    assert failures == 0


# =============================================================================
# Errors
# =============================================================================


def test_nan_names_the_columns_and_counts_rows():
    m = AIRCRAFT.copy()
    m.loc[["A1", "A3"], "X2"] = np.nan
    m.loc["A4", "X5"] = np.inf
    with pytest.raises(InputError) as err:
        weighted_sum(m, AIRCRAFT_WEIGHTS, AIRCRAFT_DIRECTIONS)
    msg = str(err.value)
    assert "'X2' (2 rows)" in msg
    assert "'X5' (1 row)" in msg
    assert "X1" not in msg
    assert "apply a missing-value policy first" in msg


def test_nullable_missing_value_is_reported():
    m = pd.DataFrame({"a": pd.array([1, None, 3], dtype="Int64"), "b": [1.0, 2.0, 3.0]})
    with pytest.raises(InputError, match=r"'a' \(1 row\).*missing-value policy"):
        topsis(m, {"a": 0.5, "b": 0.5}, {"a": "benefit", "b": "benefit"})


def test_unknown_direction_names_the_column():
    d = {**AIRCRAFT_DIRECTIONS, "X4": "costs"}
    with pytest.raises(InputError) as err:
        normalize(AIRCRAFT, d)
    assert "'X4': 'costs'" in str(err.value)
    assert "'benefit'" in str(err.value) and "'cost'" in str(err.value)


def test_weights_not_summing_to_one():
    w = {**AIRCRAFT_WEIGHTS, "X6": 0.2}
    with pytest.raises(InputError, match=r"weights sum to 0\.9, expected 1"):
        topsis(AIRCRAFT, w, AIRCRAFT_DIRECTIONS)


def test_weights_within_tolerance_are_accepted_and_rescaled():
    """Weights off by < 1e-9 are divided by their sum: a customer best on every
    criterion scores 1 to rounding, not 1 + 9e-10."""
    m = _frame([[1, 5, 4], [2, 4, 3]])
    w = {"c0": 0.5, "c1": 0.25, "c2": 0.25 + 9e-10}
    s = weighted_sum(m, w, {"c0": "benefit", "c1": "cost", "c2": "cost"})
    assert s.iloc[1] == pytest.approx(1.0, abs=1e-15)
    assert s.iloc[0] == 0.0


def test_negative_or_infinite_weight():
    w = {**AIRCRAFT_WEIGHTS, "X1": -0.1, "X6": 0.6}
    with pytest.raises(InputError, match=r"non-negative; got 'X1': -0\.1"):
        weighted_sum(AIRCRAFT, w, AIRCRAFT_DIRECTIONS)
    w = {**AIRCRAFT_WEIGHTS, "X1": np.inf}
    with pytest.raises(InputError, match=r"finite and non-negative; got 'X1': inf"):
        weighted_sum(AIRCRAFT, w, AIRCRAFT_DIRECTIONS)


def test_mismatched_columns_are_named():
    w = {k: v for k, v in AIRCRAFT_WEIGHTS.items() if k != "X6"}
    w["X7"] = 0.3
    with pytest.raises(InputError) as err:
        weighted_sum(AIRCRAFT, w, AIRCRAFT_DIRECTIONS)
    msg = str(err.value)
    assert "in the matrix but not in weights: 'X6'" in msg
    assert "in weights but not in the matrix: 'X7'" in msg

    d = {k: v for k, v in AIRCRAFT_DIRECTIONS.items() if k != "X2"}
    with pytest.raises(InputError, match=r"not in directions: 'X2'"):
        topsis(AIRCRAFT, AIRCRAFT_WEIGHTS, d)

    with pytest.raises(InputError, match=r"not in the normalization mapping: 'X3'"):
        normalize(AIRCRAFT, AIRCRAFT_DIRECTIONS, dict.fromkeys(["X1", "X2"], "minmax"))


def test_unknown_method_lists_accepted_names():
    with pytest.raises(InputError) as err:
        score(AIRCRAFT, AIRCRAFT_WEIGHTS, AIRCRAFT_DIRECTIONS, method="ahp")
    assert "'ahp'" in str(err.value)
    assert "'weighted_sum', 'topsis'" in str(err.value)


def test_unknown_normalization_lists_accepted_names():
    with pytest.raises(InputError, match=r"'zscore'.*'minmax', 'vector', 'max', 'sum'"):
        normalize(AIRCRAFT, AIRCRAFT_DIRECTIONS, "zscore")
    with pytest.raises(InputError, match=r"for 'X2': 'l2'"):
        normalize(AIRCRAFT, AIRCRAFT_DIRECTIONS, {**dict.fromkeys(AIRCRAFT, "max"), "X2": "l2"})
    with pytest.raises(InputError, match=r"'sum'.*accepted: 'vector', 'minmax'"):
        topsis(AIRCRAFT, AIRCRAFT_WEIGHTS, AIRCRAFT_DIRECTIONS, normalization="sum")
    with pytest.raises(InputError, match="one normalization for all criteria"):
        score(
            AIRCRAFT,
            AIRCRAFT_WEIGHTS,
            AIRCRAFT_DIRECTIONS,
            "topsis",
            dict.fromkeys(AIRCRAFT, "vector"),
        )


@pytest.mark.parametrize("method", ["vector", "sum", "max"])
def test_negative_values_refused_where_undefined(method):
    m = _frame([[1.0, 2.0], [-3.0, 4.0], [-1.0, 5.0]])
    with pytest.raises(InputError) as err:
        normalize(m, {"c0": "benefit", "c1": "benefit"}, method)
    msg = str(err.value)
    assert f"column 'c0' has negative values (2 rows, smallest -3); '{method}'" in msg
    assert "c1" not in msg
    assert "'minmax'" in msg


def test_max_cost_refuses_zero():
    m = _frame([0.0, 2.0])
    with pytest.raises(InputError, match=r"'c0' has zero or negative values \(1 row"):
        normalize(m, {"c0": "cost"}, "max")
    assert normalize(m, {"c0": "benefit"}, "max")["c0"].tolist() == [0.0, 1.0]


def test_topsis_vector_refuses_negative_but_minmax_accepts():
    m = _frame([[-1.0, 1.0], [2.0, 3.0]])
    w, d = {"c0": 0.5, "c1": 0.5}, {"c0": "benefit", "c1": "cost"}
    with pytest.raises(InputError, match="'c0' has negative values"):
        topsis(m, w, d)
    assert topsis(m, w, d, normalization="minmax").between(0, 1).all()


def test_non_numeric_column_is_named():
    m = AIRCRAFT.assign(X3=AIRCRAFT["X3"].astype(str))
    with pytest.raises(InputError, match=r"not: 'X3' \(str\)"):
        weighted_sum(m, AIRCRAFT_WEIGHTS, AIRCRAFT_DIRECTIONS)


def test_bad_matrix_shapes():
    with pytest.raises(InputError, match="must be a pandas DataFrame"):
        weighted_sum(AIRCRAFT.to_numpy(), AIRCRAFT_WEIGHTS, AIRCRAFT_DIRECTIONS)
    with pytest.raises(InputError, match="no customers"):
        weighted_sum(AIRCRAFT.iloc[:0], AIRCRAFT_WEIGHTS, AIRCRAFT_DIRECTIONS)
    with pytest.raises(InputError, match="no criteria"):
        normalize(AIRCRAFT[[]], {})
    dup = AIRCRAFT.rename(columns={"X2": "X1"})
    with pytest.raises(InputError, match="duplicated columns: 'X1'"):
        normalize(dup, AIRCRAFT_DIRECTIONS)


def test_errors_are_value_errors():
    assert issubclass(InputError, ValueError)


# =============================================================================
# Properties
# =============================================================================

_GRID = st.integers(1, 1_000_000).map(lambda i: i / 1000)  # (0, 1000] on a 0.001 grid


@st.composite
def problems(draw, min_rows: int = 1, max_rows: int = 10, max_cols: int = 4):
    """A positive matrix with unique labels, weights summing to 1, directions."""
    n = draw(st.integers(min_rows, max_rows))
    k = draw(st.integers(1, max_cols))
    values = draw(arrays(np.float64, (n, k), elements=_GRID))
    raw = draw(arrays(np.float64, k, elements=st.integers(0, 100).map(float)))
    if raw.sum() == 0:
        raw[0] = 1.0
    columns = [f"c{j}" for j in range(k)]
    matrix = pd.DataFrame(values, index=[f"cust{i}" for i in range(n)], columns=columns)
    weights = dict(zip(columns, (raw / raw.sum()).tolist(), strict=True))
    dirs = draw(st.lists(st.sampled_from(DIRECTIONS), min_size=k, max_size=k))
    return matrix, weights, dict(zip(columns, dirs, strict=True))


@settings(deadline=None)
@given(
    problems(),
    st.sampled_from(NORMALIZATIONS),
    st.data(),
)
def test_improving_a_criterion_never_lowers_the_weighted_sum(problem, norm, data):
    """Raising a benefit (or lowering a cost) value of one customer never lowers
    that customer's weighted-sum score, whatever the normalization."""
    m, w, d = problem
    i = data.draw(st.integers(0, len(m) - 1))
    col = data.draw(st.sampled_from(list(m.columns)))
    better = m.copy()
    if d[col] == "benefit":
        better.iloc[i, m.columns.get_loc(col)] += data.draw(_GRID)
    else:
        better.iloc[i, m.columns.get_loc(col)] *= data.draw(st.floats(0.001, 1.0))
    before = weighted_sum(m, w, d, norm).iloc[i]
    after = weighted_sum(better, w, d, norm).iloc[i]
    assert after >= before - 1e-12


@settings(deadline=None)
@given(problems(min_rows=2), st.sampled_from(METHODS), st.data())
def test_permuting_customers_changes_no_score(problem, method, data):
    m, w, d = problem
    order = data.draw(st.permutations(range(len(m))))
    a = score(m, w, d, method=method).scores
    b = score(m.iloc[list(order)], w, d, method=method).scores
    assert list(b.index) == list(m.index[list(order)])
    pd.testing.assert_series_equal(a, b.loc[a.index], rtol=1e-12, atol=1e-12)


@settings(deadline=None)
@given(
    problems(),
    st.floats(0.1, 10.0),
    st.floats(-100.0, 100.0),
    st.data(),
)
def test_minmax_weighted_sum_is_invariant_to_affine_rescaling(problem, a, b, data):
    m, w, d = problem
    col = data.draw(st.sampled_from(list(m.columns)))
    rescaled = m.assign(**{col: a * m[col] + b})
    pd.testing.assert_series_equal(weighted_sum(m, w, d), weighted_sum(rescaled, w, d), rtol=0, atol=1e-9)


@settings(deadline=None)
@given(problems(), st.floats(0.01, 100.0), st.data())
def test_topsis_vector_is_invariant_to_positive_scaling(problem, a, data):
    m, w, d = problem
    col = data.draw(st.sampled_from(list(m.columns)))
    rescaled = m.assign(**{col: a * m[col]})
    pd.testing.assert_series_equal(topsis(m, w, d), topsis(rescaled, w, d), rtol=0, atol=1e-9)


@settings(deadline=None)
@given(problems(), st.sampled_from(["vector", "minmax"]))
def test_topsis_closeness_in_unit_interval_and_balance_identity(problem, norm):
    """C in [0, 1]; the balance rows sum to (2C - 1) / (2C^2 - 2C + 1), a strictly
    increasing function of C (derivative 4C(1 - C) / (2C^2 - 2C + 1)^2)."""
    m, w, d = problem
    res = score(m, w, d, method="topsis", normalization=norm)
    c = res.scores.to_numpy()
    assert ((c >= 0) & (c <= 1)).all()
    identical = (res.d_plus + res.d_minus).to_numpy() == 0
    np.testing.assert_array_equal(c[identical], 0.5)
    total = res.d_plus**2 + res.d_minus**2
    expected = np.where(total > 0, (2 * c - 1) / (2 * c**2 - 2 * c + 1), 0.0)
    np.testing.assert_allclose(res.contributions.sum(axis=1), expected, rtol=0, atol=1e-9)
    # and the row sums order customers exactly as the closeness does (ties aside)
    rowsum = res.contributions.sum(axis=1).to_numpy()
    order = np.argsort(c, kind="stable")
    assert (np.diff(rowsum[order]) >= -1e-9).all()


@settings(deadline=None)
@given(problems(), st.sampled_from(NORMALIZATIONS))
def test_weighted_sum_contributions_sum_to_the_score(problem, norm):
    m, w, d = problem
    res = score(m, w, d, normalization=norm)
    np.testing.assert_allclose(res.contributions.sum(axis=1), res.scores, rtol=1e-12, atol=1e-15)
    if norm == "minmax":
        assert res.scores.between(-1e-12, 1 + 1e-12).all()


@settings(deadline=None)
@given(problems(), st.sampled_from(METHODS))
def test_flipping_every_direction_mirrors_the_score(problem, method):
    """Swapping benefit and cost everywhere gives 1 - score (min-max weighted
    sum: z -> 1 - z; TOPSIS: A+ and A- swap, so D+ and D- swap)."""
    m, w, d = problem
    flipped = {c: ("cost" if v == "benefit" else "benefit") for c, v in d.items()}
    a = score(m, w, d, method=method).scores
    b = score(m, w, flipped, method=method).scores
    np.testing.assert_allclose(a + b, 1.0, rtol=0, atol=1e-9)


# =============================================================================
# Normalization fitted on a reference population
# =============================================================================

REF = pd.DataFrame({"revenue": [10.0, 20.0, 40.0], "dso_days": [30.0, 60.0, 90.0]}, index=["acme", "bolt", "cora"])
DIRS = {"revenue": "benefit", "dso_days": "cost"}


@pytest.mark.parametrize("method", NORMALIZATIONS)
def test_fitted_normalization_on_the_reference_is_normalize(method: str) -> None:
    fitted = scoring.fit_normalization(REF, DIRS, method)
    pd.testing.assert_frame_equal(fitted.apply(REF), normalize(REF, DIRS, method), check_exact=True)
    pd.testing.assert_frame_equal(
        normalize(REF, DIRS, method, reference=REF), normalize(REF, DIRS, method), check_exact=True
    )


def test_fitted_normalization_of_new_rows_by_hand() -> None:
    new = pd.DataFrame({"revenue": [25.0, 80.0], "dso_days": [45.0, 30.0]}, index=["new", "big"])
    # min-max with the reference's min and max: (25 - 10) / 30 = 0.5; (90 - 45) / 60 = 0.75;
    # a value beyond the reference's range lies beyond [0, 1]: (80 - 10) / 30
    got = normalize(new, DIRS, reference=REF)
    np.testing.assert_allclose(got.to_numpy(), [[0.5, 0.75], [70 / 30, 1.0]])
    # vector: x / ||x_ref|| with ||(10, 20, 40)|| = sqrt(2100); cost 1 - x / sqrt(12600)
    v = normalize(new, DIRS, "vector", reference=REF)
    np.testing.assert_allclose(v.loc["new"].to_numpy(), [25 / np.sqrt(2100), 1 - 45 / np.sqrt(12600)])
    # max: benefit x / 40; cost min / x with the reference's min 30
    m = normalize(new, DIRS, "max", reference=REF)
    np.testing.assert_allclose(m.loc["new"].to_numpy(), [25 / 40, 30 / 45])
    # sum: x / 70; cost 1 - x / 180
    s = normalize(new, DIRS, "sum", reference=REF)
    np.testing.assert_allclose(s.loc["new"].to_numpy(), [25 / 70, 1 - 45 / 180])
    # columns in another order are put in the fitted order
    fitted = scoring.fit_normalization(REF, DIRS)
    assert list(fitted.apply(new[["dso_days", "revenue"]]).columns) == ["revenue", "dso_days"]
    t = fitted.table()
    assert t.loc["revenue", ["offset", "divisor", "shift"]].tolist() == [10.0, 30.0, 0.0]
    assert t.loc["dso_days", ["offset", "divisor", "shift"]].tolist() == [90.0, -60.0, 0.0]
    assert np.isnan(t["numerator"]).all()
    mt = scoring.fit_normalization(REF, DIRS, "max").table()
    assert mt.loc["dso_days", "numerator"] == 30.0 and np.isnan(mt.loc["dso_days", "offset"])


def test_fitted_normalization_refuses_what_normalize_refuses() -> None:
    fitted = scoring.fit_normalization(REF, DIRS, "max")
    with pytest.raises(InputError, match="fitted criteria"):
        fitted.apply(REF[["revenue"]])
    with pytest.raises(InputError, match="missing"):
        fitted.apply(REF.assign(revenue=[1.0, np.nan, 2.0]))
    with pytest.raises(InputError, match="min/x"):
        fitted.apply(REF.assign(dso_days=[0.0, 1.0, 2.0]))
    with pytest.raises(InputError, match="negative"):
        scoring.fit_normalization(REF.assign(revenue=[-1.0, 0.0, 1.0]), DIRS, "vector")


def test_score_with_a_reference_normalization() -> None:
    w = {"revenue": 0.75, "dso_days": 0.25}
    fitted = scoring.fit_normalization(REF, DIRS)
    own = score(REF, w, DIRS)
    ref = score(REF, w, DIRS, reference=fitted)
    pd.testing.assert_series_equal(ref.scores, own.scores, check_exact=True)
    pd.testing.assert_frame_equal(ref.contributions, own.contributions, check_exact=True)
    new = pd.DataFrame({"revenue": [25.0], "dso_days": [45.0]}, index=["new"])
    # 0.75 * 0.5 + 0.25 * 0.75
    assert score(new, w, DIRS, reference=fitted).scores.tolist() == [0.5625]
    assert score(new, w, DIRS, normalization="minmax", reference=fitted).normalization == "minmax"
    with pytest.raises(InputError, match="weighted sum only"):
        score(new, w, DIRS, method="topsis", reference=fitted)
    with pytest.raises(InputError, match="differ"):
        score(new, w, DIRS, normalization="max", reference=fitted)
    with pytest.raises(InputError, match="differ"):
        score(new, w, {"revenue": "cost", "dso_days": "cost"}, reference=fitted)
    with pytest.raises(InputError, match="fitted on the criteria"):
        score(new[["dso_days", "revenue"]], w, DIRS, reference=fitted)


def test_exclude_reweight_by_hand() -> None:
    m = pd.DataFrame({"a": [0.0, 1.0, 0.5], "b": [1.0, 0.0, 0.5], "c": [0.0, 0.5, 1.0]})
    w = {"a": 0.5, "b": 0.25, "c": 0.25}
    res = score(m, w, dict.fromkeys("abc", "benefit"))
    out = pd.DataFrame({"a": [False, True, False], "b": [False, False, True], "c": False})
    r = scoring.exclude_reweight(res, out, w)
    # row 0 keeps all: 0.5*0 + 0.25*1 + 0.25*0 = 0.25
    # row 1 leaves a out: (0.25*0 + 0.25*0.5) / 0.5 = 0.25
    # row 2 leaves b out: (0.5*0.5 + 0.25*1) / 0.75 = 2/3
    np.testing.assert_allclose(r.scores.to_numpy(), [0.25, 0.25, 2 / 3])
    assert r.contributions.loc[1, "a"] == 0.0 and r.contributions.loc[2, "b"] == 0.0
    np.testing.assert_allclose(r.contributions.sum(axis=1), r.scores)
    assert r.scores.name == "score" and res.scores.tolist()[1] == 0.625  # input untouched
    top = score(m, w, dict.fromkeys("abc", "benefit"), method="topsis", normalization="minmax")
    with pytest.raises(InputError, match="weighted sum only"):
        scoring.exclude_reweight(top, out, w)


def test_family_scores_by_hand() -> None:
    from prioanalysis.methods.spec import CriteriaSpec

    spec = CriteriaSpec.from_records(
        [
            {"id": "a", "label": "A", "family": "attractiveness", "direction": "benefit", "weight": 0.3},
            {"id": "b", "label": "B", "family": "attractiveness", "direction": "cost", "weight": 0.1},
            {"id": "f", "label": "F", "family": "feasibility", "direction": "benefit", "weight": 0.6},
        ]
    )
    m = pd.DataFrame({"a": [0.0, 2.0, 1.0], "b": [5.0, 5.0, 0.0], "f": [3.0, 1.0, 2.0]})
    fam = scoring.family_scores(m, spec)
    # attractiveness: weights 0.3, 0.1 rescaled to 0.75, 0.25; b (cost) 5 → 0, 0 → 1
    assert fam["attractiveness"].tolist() == pytest.approx([0.0, 0.75, 0.375 + 0.25])
    assert fam["feasibility"].tolist() == [1.0, 0.0, 0.5]
    only = CriteriaSpec.from_records(
        [{"id": "a", "label": "A", "family": "attractiveness", "direction": "benefit", "weight": 1.0}]
    )
    assert scoring.family_scores(m[["a"]], only)["feasibility"].isna().all()
