"""Tests of prioanalysis.methods.preprocess: transforms, winsorising and missing-value policies.

Every expected value is computed by hand in the test (the arithmetic is written out).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from tests.conftest import CREDIT, PARAMS_SRC, tiny_frame
from prioanalysis.errors import InputError
from prioanalysis.inputs.preliminary import read_table, validate_preliminary
from prioanalysis.config.params import CriteriaParams, load_params
from prioanalysis.methods.preprocess import impute, prepare_matrix, transform

NAN = np.nan
LN10 = math.log(10.0)


def _crit(*specs: dict, **top) -> CriteriaParams:
    """CriteriaParams from short specs; weights split evenly."""
    w = 1.0 / len(specs)
    base = {"family": "attractiveness", "direction": "benefit", "weight": w}
    crit = [{**base, "label": s["id"].upper(), **s} for s in specs]
    return CriteriaParams.model_validate({"version": "t", "criteria": crit, **top})


# --------------------------------------------------------------------------- transform
def test_log1p_by_hand() -> None:
    cp = _crit({"id": "a", "transform": "log1p"}, {"id": "b"})
    m = pd.DataFrame({"a": [0.0, 9.0, 99.0, NAN], "b": [0.0, 9.0, 99.0, NAN]})
    out = transform(m, cp)
    # log1p(9) = ln 10, log1p(99) = ln 100 = 2 ln 10; b has no transform
    np.testing.assert_allclose(out["a"].to_numpy(), [0.0, LN10, 2 * LN10, NAN])
    np.testing.assert_array_equal(out["b"].to_numpy(), [0.0, 9.0, 99.0, NAN])
    # the input is not modified
    assert m["a"].tolist()[:3] == [0.0, 9.0, 99.0]


def test_winsorize_by_hand() -> None:
    cp = _crit({"id": "x", "winsorize": [0.25, 0.75]})
    m = pd.DataFrame({"x": [0.0, 10.0, 20.0, 30.0, 40.0, 1000.0, NAN]})
    out = transform(m, cp)["x"].to_numpy()
    # 6 observed values (NaN ignored), linear interpolation on sorted positions 0..5:
    # q25 at position 0.25·5 = 1.25 → 10 + 0.25·(20−10) = 12.5
    # q75 at position 0.75·5 = 3.75 → 30 + 0.75·(40−30) = 37.5
    np.testing.assert_allclose(out, [12.5, 12.5, 20.0, 30.0, 37.5, 37.5, NAN])


def test_log1p_comes_before_winsorize() -> None:
    cp = _crit({"id": "x", "transform": "log1p", "winsorize": [0.0, 0.5]})
    m = pd.DataFrame({"x": [0.0, 9.0, 99.0, 999.0]})
    out = transform(m, cp)["x"].to_numpy()
    # logs: 0, ln10, 2 ln10, 3 ln10; median (position 1.5) = 1.5 ln10 = ln 31.62…
    # (winsorising the raw values first would cap at log1p(54) = ln 55 instead)
    np.testing.assert_allclose(out, [0.0, LN10, 1.5 * LN10, 1.5 * LN10])


def test_winsorize_all_missing_column_stays_missing() -> None:
    cp = _crit({"id": "x", "winsorize": [0.1, 0.9]})
    out = transform(pd.DataFrame({"x": [NAN, NAN]}), cp)
    assert out["x"].isna().all()


# --------------------------------------------------------------------------- impute
def test_neutral_is_the_midpoint_of_the_observed_range() -> None:
    m = pd.DataFrame({"x": [2.0, NAN, 4.0, 8.0, NAN]})
    out = impute(m, {"x": "neutral"}, {"x": "benefit"})
    # (2 + 8) / 2 = 5, not the mean 4.67 nor the median 4
    assert out["x"].tolist() == [2.0, 5.0, 4.0, 8.0, 5.0]


def test_median() -> None:
    m = pd.DataFrame({"x": [2.0, NAN, 4.0, 8.0, 10.0]})
    out = impute(m, {"x": "median"}, {"x": "cost"})
    # median of 2, 4, 8, 10 = (4 + 8) / 2 = 6
    assert out["x"].tolist() == [2.0, 6.0, 4.0, 8.0, 10.0]


def test_segment_median_with_overall_fallback() -> None:
    m = pd.DataFrame({"x": [1.0, 3.0, NAN, 10.0, NAN, NAN]}, index=list("pqrstu"))
    groups = pd.Series(["a", "a", "a", "b", "b", "c"], index=m.index)
    out = impute(m, {"x": "segment_median"}, {"x": "benefit"}, groups)
    # a: median(1, 3) = 2; b: median(10) = 10; c has no value → overall median(1, 3, 10) = 3
    assert out["x"].tolist() == [1.0, 3.0, 2.0, 10.0, 10.0, 3.0]


def test_segment_median_aligns_groups_by_index() -> None:
    m = pd.DataFrame({"x": [1.0, NAN, 100.0, 200.0]}, index=["p", "q", "r", "s"])
    # groups given in another row order: p, q in "a"; r, s in "b"
    groups = pd.Series(["b", "b", "a", "a"], index=["s", "r", "q", "p"])
    out = impute(m, {"x": "segment_median"}, {"x": "benefit"}, groups)
    assert out.loc["q", "x"] == 1.0


def test_segment_median_needs_groups() -> None:
    m = pd.DataFrame({"x": [1.0, NAN]})
    with pytest.raises(InputError, match="segment_median"):
        impute(m, {"x": "segment_median"}, {"x": "benefit"})


@pytest.mark.parametrize(("direction", "expected"), [("benefit", 2.0), ("cost", 9.0)])
def test_worst(direction: str, expected: float) -> None:
    m = pd.DataFrame({"x": [5.0, NAN, 2.0, 9.0]})
    out = impute(m, {"x": "worst"}, {"x": direction})
    # benefit: the lowest observed value; cost: the highest
    assert out["x"].tolist() == [5.0, expected, 2.0, 9.0]


def test_exclude_reweight_filled_with_median() -> None:
    m = pd.DataFrame({"x": [1.0, NAN, 3.0, 100.0]})
    out = impute(m, {"x": "exclude_reweight"}, {"x": "benefit"})
    assert out["x"].tolist() == [1.0, 3.0, 3.0, 100.0]


def test_policies_apply_per_column() -> None:
    m = pd.DataFrame({"x": [1.0, NAN, 5.0], "y": [1.0, NAN, 5.0]})
    out = impute(m, {"x": "worst", "y": "neutral"}, {"x": "cost", "y": "benefit"})
    assert out["x"].tolist() == [1.0, 5.0, 5.0]
    assert out["y"].tolist() == [1.0, 3.0, 5.0]
    assert m.isna().sum().sum() == 2  # input untouched


def test_column_without_observed_value_is_an_input_error() -> None:
    m = pd.DataFrame({"x": [1.0, 2.0], "y": [NAN, NAN]})
    with pytest.raises(InputError, match="'y'.*no customer has a value"):
        impute(m, {"x": "median", "y": "median"}, {"x": "benefit", "y": "benefit"})


def test_unknown_policy_is_an_input_error() -> None:
    m = pd.DataFrame({"x": [1.0, NAN]})
    with pytest.raises(InputError, match="policy"):
        impute(m, {"x": "mean"}, {"x": "benefit"})


# --------------------------------------------------------------------------- prepare_matrix
@pytest.fixture(scope="module")
def tiny_intake(tmp_path_factory: pytest.TempPathFactory):
    params = load_params(PARAMS_SRC)
    p = tmp_path_factory.mktemp("prep") / "tiny.csv"
    tiny_frame().to_csv(p, index=False)
    return validate_preliminary(read_table(p), params), params


def test_prepare_matrix_on_the_tiny_list_by_hand(tiny_intake) -> None:
    res, params = tiny_intake
    pm = prepare_matrix(res.customers, params.criteria)
    m = pm.matrix
    assert not m.isna().any().any()
    # C7 lacks credit_grade, policy worst (benefit): lowest observed = CCC (C5) = 3
    assert m.loc["C7", "credit_grade"] == CREDIT["CCC"] == 3
    # C4 (government) lacks deal_size, segment_median in log1p space:
    # government peers C1 = 200, C7 = 80 → (ln 201 + ln 81) / 2
    assert m.loc["C4", "deal_size"] == pytest.approx((math.log(201) + math.log(81)) / 2)
    # C5 (finance) lacks relationship_strength: finance peers C2 = 4, C8 = 4 → 4
    assert m.loc["C5", "relationship_strength"] == 4.0
    # C4 lacks service_distance_km; winsorize [0, 0.99] only trims the top value (100);
    # government peers C1 = 10, C7 = 15 → 12.5
    assert m.loc["C4", "service_distance_km"] == 12.5
    # observed cells are transformed, not imputed: log1p(1000) for C1's it_budget
    assert m.loc["C1", "it_budget"] == pytest.approx(math.log(1001))
    # distance: 7 observed values sorted 10,15,20,25,30,50,100; q99 at position 5.94
    # → 50 + 0.94·50 = 97 caps C6's 100
    assert m.loc["C6", "service_distance_km"] == pytest.approx(97.0)
    # records: 4 cells missing in the list → 4 imputed, none excluded
    assert (~pm.observed).sum().sum() == 4
    assert pm.imputed.sum().sum() == 4
    assert not pm.excluded.any().any()
    assert pm.imputed.loc["C4", "deal_size"] and pm.imputed.loc["C7", "credit_grade"]
    assert pm.policies["credit_grade"] == "worst" and pm.policies["deal_size"] == "segment_median"


def test_prepare_matrix_exclude_reweight_marks_cells(tiny_intake) -> None:
    res, params = tiny_intake
    doc = params.criteria.model_dump()
    doc["defaults"]["missing"] = "exclude_reweight"
    for c in doc["criteria"]:
        c["missing"] = None
    crit = CriteriaParams.model_validate(doc)
    pm = prepare_matrix(res.customers, crit)
    expected = res.customers[crit.ids].isna()
    pd.testing.assert_frame_equal(pm.excluded, expected, check_names=False)
    assert not pm.imputed.any().any()
    # excluded cells are filled with the median of the observed (transformed) values
    # deal_size observed: 20, 50, 80, 100, 150, 200, 300 → median 100 → log1p(100)
    assert pm.matrix.loc["C4", "deal_size"] == pytest.approx(math.log(101))


def test_prepare_matrix_all_missing_criterion_is_an_input_error(tiny_intake) -> None:
    res, params = tiny_intake
    customers = res.customers.assign(growth=np.nan)
    with pytest.raises(InputError, match="growth"):
        prepare_matrix(customers, params.criteria)


def test_prepare_matrix_segment_column_name(tiny_intake) -> None:
    res, params = tiny_intake
    customers = res.customers.rename(columns={"segment": "market"})
    pm = prepare_matrix(customers, params.criteria, segment_column="market")
    assert pm.matrix.loc["C5", "relationship_strength"] == 4.0
