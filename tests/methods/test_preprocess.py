"""Tests of prioanalysis.methods.preprocess: the preprocessor fitted on a list —
transforms, winsorising, the reference's range and the missing-value policies.

Every expected value is computed by hand in the test (the arithmetic is written out).
The fitted preprocessor is also checked against the preprocessing the ranking used
before it could be fitted (written out again below as an independent oracle), on the
sample lists and on generated tables.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from prioanalysis.config.params import CriteriaParams, criteria_spec, load_params
from prioanalysis.errors import InputError
from prioanalysis.inputs.preliminary import validate_preliminary
from prioanalysis.inputs.tables import read_table
from prioanalysis.methods import scoring
from prioanalysis.methods.preprocess import PreparedMatrix, Preprocessor, impute
from prioanalysis.methods.spec import MISSING_POLICIES, CriteriaSpec
from tests.conftest import CREDIT, PARAMS_SRC, ROOT, tiny_frame

NAN = np.nan
LN10 = math.log(10.0)


def _crit(*specs: dict, **top) -> CriteriaParams:
    """CriteriaParams from short specs; weights split evenly."""
    w = 1.0 / len(specs)
    base = {"family": "attractiveness", "direction": "benefit", "weight": w}
    crit = [{**base, "label": s["id"].upper(), **s} for s in specs]
    return CriteriaParams.model_validate({"version": "t", "criteria": crit, **top})


def _prepared(frame: pd.DataFrame, *specs: dict) -> pd.DataFrame:
    """The prepared matrix of ``frame`` fitted on itself (median policy, no segments)."""
    spec = criteria_spec(_crit(*({"missing": "median", **s} for s in specs)))
    return Preprocessor(spec).fit_transform(frame).matrix


# --------------------------------------------------------------------------- transform
def test_log1p_by_hand() -> None:
    m = pd.DataFrame({"a": [0.0, 9.0, 99.0, NAN], "b": [0.0, 9.0, 99.0, NAN]})
    out = _prepared(m, {"id": "a", "transform": "log1p"}, {"id": "b"})
    # log1p(9) = ln 10, log1p(99) = ln 100 = 2 ln 10; b has no transform;
    # the last row is filled with the median of the transformed values (ln 10, 9)
    np.testing.assert_allclose(out["a"].to_numpy(), [0.0, LN10, 2 * LN10, LN10])
    np.testing.assert_array_equal(out["b"].to_numpy(), [0.0, 9.0, 99.0, 9.0])
    # the input is not modified
    assert m["a"].tolist()[:3] == [0.0, 9.0, 99.0] and m["a"].isna().sum() == 1


def test_winsorize_by_hand() -> None:
    m = pd.DataFrame({"x": [0.0, 10.0, 20.0, 30.0, 40.0, 1000.0, NAN]})
    pre = Preprocessor(criteria_spec(_crit({"id": "x", "winsorize": [0.25, 0.75], "missing": "neutral"})))
    prep = pre.fit_transform(m)
    # 6 observed values (NaN ignored), linear interpolation on sorted positions 0..5:
    # q25 at position 0.25·5 = 1.25 → 10 + 0.25·(20−10) = 12.5
    # q75 at position 0.75·5 = 3.75 → 30 + 0.75·(40−30) = 37.5
    # the missing value: neutral = midpoint of the winsorised range (12.5 + 37.5) / 2 = 25
    np.testing.assert_allclose(prep.matrix["x"].to_numpy(), [12.5, 12.5, 20.0, 30.0, 37.5, 37.5, 25.0])
    assert pre.bounds_.loc["x", ["winsor_lower", "winsor_upper", "lower", "upper"]].tolist() == [12.5, 37.5, 12.5, 37.5]
    # the values the winsorising moved are recorded as clipped
    assert prep.clipped["x"].tolist() == [True, True, False, False, True, True, False]


def test_log1p_comes_before_winsorize() -> None:
    m = pd.DataFrame({"x": [0.0, 9.0, 99.0, 999.0]})
    out = _prepared(m, {"id": "x", "transform": "log1p", "winsorize": [0.0, 0.5]})["x"].to_numpy()
    # logs: 0, ln10, 2 ln10, 3 ln10; median (position 1.5) = 1.5 ln10 = ln 31.62…
    # (winsorising the raw values first would cap at log1p(54) = ln 55 instead)
    np.testing.assert_allclose(out, [0.0, LN10, 1.5 * LN10, 1.5 * LN10])


def test_winsorize_all_missing_column_cannot_be_fitted() -> None:
    spec = criteria_spec(_crit({"id": "x", "winsorize": [0.1, 0.9]}))
    with pytest.raises(InputError, match="'x': no customer has a value"):
        Preprocessor(spec).fit(pd.DataFrame({"x": [NAN, NAN], "segment": ["a", "b"]}))


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
    with pytest.raises(InputError, match=r"'y'.*no customer has a value"):
        impute(m, {"x": "median", "y": "median"}, {"x": "benefit", "y": "benefit"})


def test_unknown_policy_is_an_input_error() -> None:
    m = pd.DataFrame({"x": [1.0, NAN]})
    with pytest.raises(InputError, match="policy"):
        impute(m, {"x": "mean"}, {"x": "benefit"})


# --------------------------------------------------------------------------- fit_transform
@pytest.fixture(scope="module")
def tiny_intake(tmp_path_factory: pytest.TempPathFactory):
    params = load_params(PARAMS_SRC)
    p = tmp_path_factory.mktemp("prep") / "tiny.csv"
    tiny_frame().to_csv(p, index=False)
    return validate_preliminary(read_table(p), params), params


def test_fit_transform_on_the_tiny_list_by_hand(tiny_intake) -> None:
    res, params = tiny_intake
    pm = Preprocessor(params.spec).fit_transform(res.customers)
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


def test_fit_transform_exclude_reweight_marks_cells(tiny_intake) -> None:
    res, params = tiny_intake
    doc = params.criteria.model_dump()
    doc["defaults"]["missing"] = "exclude_reweight"
    for c in doc["criteria"]:
        c["missing"] = None
    crit = CriteriaParams.model_validate(doc)
    pm = Preprocessor(criteria_spec(crit)).fit_transform(res.customers)
    expected = res.customers[crit.ids].isna()
    pd.testing.assert_frame_equal(pm.excluded, expected, check_names=False)
    assert not pm.imputed.any().any()
    # excluded cells are filled with the median of the observed (transformed) values
    # deal_size observed: 20, 50, 80, 100, 150, 200, 300 → median 100 → log1p(100)
    assert pm.matrix.loc["C4", "deal_size"] == pytest.approx(math.log(101))


def test_fit_all_missing_criterion_is_an_input_error(tiny_intake) -> None:
    res, params = tiny_intake
    customers = res.customers.assign(growth=np.nan)
    with pytest.raises(InputError, match="growth"):
        Preprocessor(params.spec).fit(customers)


def test_segment_column_name(tiny_intake) -> None:
    res, params = tiny_intake
    customers = res.customers.rename(columns={"segment": "market"})
    pm = Preprocessor(params.spec, segment_column="market").fit_transform(customers)
    assert pm.matrix.loc["C5", "relationship_strength"] == 4.0
    with pytest.raises(InputError, match="needs the segments: no column 'segment'"):
        Preprocessor(params.spec).fit(customers)
    # segments given beside the table instead of a column
    given = Preprocessor(params.spec).fit_transform(customers, segments=customers["market"])
    pd.testing.assert_frame_equal(given.matrix, pm.matrix, check_exact=True)


# --------------------------------------------------------------------------- fit on one, transform another
def _ab_spec(policy_a: str = "segment_median", policy_b: str = "worst", **kw) -> CriteriaSpec:
    return CriteriaSpec.from_records(
        [
            {
                "id": "a",
                "label": "A",
                "family": "attractiveness",
                "direction": "benefit",
                "weight": 0.5,
                "missing": policy_a,
                "transform": kw.pop("transform_a", "none"),
            },
            {
                "id": "b",
                "label": "B",
                "family": "feasibility",
                "direction": "cost",
                "weight": 0.5,
                "missing": policy_b,
                "winsorize": kw.pop("winsorize_b", None),
            },
        ],
        **kw,
    )


REF = pd.DataFrame(
    {"a": [0.0, 10.0, 4.0, 2.0], "b": [1.0, 3.0, 5.0, NAN], "segment": ["x", "x", "y", "y"]},
    index=["r1", "r2", "r3", "r4"],
)
NEW = pd.DataFrame(
    {"a": [20.0, NAN, NAN, 5.0, NAN], "b": [NAN, 2.0, 2.0, 0.0, 9.0], "segment": ["x", "x", "z", "y", None]},
    index=["q1", "q2", "q3", "q4", "q5"],
)


def test_fit_on_the_reference_transform_new_rows_by_hand() -> None:
    pre = Preprocessor(_ab_spec()).fit(REF)
    p = pre.transform(NEW)
    # a: observed 0, 10, 4, 2 → range [0, 10]; segment medians x: (0 + 10) / 2 = 5,
    #    y: (4 + 2) / 2 = 3; overall median (2 + 4) / 2 = 3
    # b (cost): observed 1, 3, 5 → range [1, 5], worst = the highest = 5
    # q1: a 20 clipped to 10; b missing → 5
    # q2: a missing, segment x → 5;        b 2
    # q3: a missing, segment z not in the reference → overall 3;   b 2
    # q4: a 5;                              b 0 clipped to 1
    # q5: a missing, no segment → overall 3; b 9 clipped to 5
    assert p.matrix["a"].tolist() == [10.0, 5.0, 3.0, 5.0, 3.0]
    assert p.matrix["b"].tolist() == [5.0, 2.0, 2.0, 1.0, 5.0]
    assert p.clipped.to_dict("list") == {
        "a": [True, False, False, False, False],
        "b": [False, False, False, True, True],
    }
    assert p.imputed.to_dict("list") == {"a": [False, True, True, False, True], "b": [True, False, False, False, False]}
    assert p.completeness.tolist() == [0.5, 0.5, 0.5, 1.0, 0.5]
    assert list(p.matrix.index) == list(NEW.index) and not p.excluded.any().any()
    # the fitted statistics, as a table
    b = pre.bounds_
    assert b.loc["a", ["lower", "upper", "median", "midpoint", "worst"]].tolist() == [0.0, 10.0, 3.0, 5.0, 0.0]
    assert b.loc["b", ["lower", "upper", "median", "midpoint", "worst"]].tolist() == [1.0, 5.0, 3.0, 3.0, 5.0]
    assert pre.segment_medians_["a"].to_dict() == {"x": 5.0, "y": 3.0}
    assert pre.n_reference_ == 4 and "fitted on 4 rows" in repr(pre)


def test_normalize_with_the_references_statistics_by_hand() -> None:
    pre = Preprocessor(_ab_spec()).fit(REF)
    z = pre.normalize(pre.transform(NEW))
    # min-max with the reference's filled matrix: a in [0, 10], b (cost) in [1, 5]
    # (the reference's own missing b is filled with the worst, 5: the range stays)
    assert z["a"].tolist() == [1.0, 0.5, 0.3, 0.5, 0.3]
    assert z["b"].tolist() == [0.0, 0.75, 0.75, 1.0, 0.0]
    # on the reference itself it is exactly the scoring's normalization of its matrix
    ref = pre.transform(REF)
    pd.testing.assert_frame_equal(
        pre.normalize(ref), scoring.normalize(ref.matrix, {"a": "benefit", "b": "cost"}), check_exact=True
    )


def test_exclude_reweight_and_other_policies_on_new_rows() -> None:
    pre = Preprocessor(_ab_spec("exclude_reweight", "neutral")).fit(REF)
    p = pre.transform(NEW)
    # exclude_reweight fills with the overall median (3) and marks the cell left out
    assert p.matrix["a"].tolist() == [10.0, 3.0, 3.0, 5.0, 3.0]
    assert p.excluded["a"].tolist() == [False, True, True, False, True]
    assert not p.imputed["a"].any()
    # neutral: the midpoint of the reference's range (1 + 5) / 2 = 3
    assert p.matrix["b"].tolist() == [3.0, 2.0, 2.0, 1.0, 5.0]
    med = Preprocessor(_ab_spec("median", "median")).fit(REF).transform(NEW)
    assert med.matrix["a"].tolist() == [10.0, 3.0, 3.0, 5.0, 3.0]
    assert med.matrix["b"].iloc[0] == 3.0  # median of 1, 3, 5


def test_winsorising_bounds_come_from_the_reference() -> None:
    ref = pd.DataFrame({"a": [0.0, 1.0, 2.0, 3.0, 4.0], "b": [0.0, 10.0, 20.0, 30.0, 400.0]})
    spec = _ab_spec("median", "median", winsorize_b=[0.0, 0.75])
    pre = Preprocessor(spec).fit(ref)
    # b's q75 over 0, 10, 20, 30, 400 (positions 0..4): position 3 → 30
    assert pre.bounds_.loc["b", "winsor_upper"] == 30.0 and pre.bounds_.loc["b", "upper"] == 30.0
    new = pd.DataFrame({"a": [2.0, 2.0], "b": [25.0, 1000.0]})
    assert pre.transform(new).matrix["b"].tolist() == [25.0, 30.0]
    # a new table with other values does not move the bounds: they are the reference's
    assert pre.transform(new * 100).matrix["b"].tolist() == [30.0, 30.0]


def test_transform_ignores_extra_columns_and_treats_absent_criteria_as_missing() -> None:
    pre = Preprocessor(_ab_spec("median", "worst")).fit(REF)
    p = pre.transform(pd.DataFrame({"a": [4.0], "other": ["x"]}, index=["n"]))
    assert p.matrix.loc["n"].tolist() == [4.0, 5.0] and p.imputed.loc["n"].tolist() == [False, True]


def test_preprocessor_errors() -> None:
    with pytest.raises(InputError, match="CriteriaSpec"):
        Preprocessor({"a": "benefit"})  # type: ignore[arg-type]
    pre = Preprocessor(_ab_spec())
    assert "not fitted" in repr(pre) and not pre.is_fitted
    with pytest.raises(InputError, match="not fitted"):
        pre.transform(NEW)
    with pytest.raises(InputError, match="not fitted"):
        pre.normalize(REF)
    with pytest.raises(InputError, match="no column for criteria \\['b'\\]"):
        pre.fit(REF[["a", "segment"]])
    with pytest.raises(InputError, match="no rows"):
        pre.fit(REF.iloc[0:0])
    fitted = Preprocessor(_ab_spec()).fit(REF)
    with pytest.raises(InputError, match="needs the segments"):
        fitted.transform(NEW.drop(columns="segment"))
    topsis = Preprocessor(_ab_spec(method="topsis")).fit(REF)
    assert topsis.normalization_ is None
    with pytest.raises(InputError, match="weighted sum only"):
        topsis.normalize(topsis.transform(NEW))
    # a value outside the domain of its normalization is refused when fitting
    vec = _ab_spec("median", "median", normalization="vector")
    with pytest.raises(InputError, match="negative values"):
        Preprocessor(vec).fit(REF.assign(a=[-1.0, 0.0, 1.0, 2.0]))


# --------------------------------------------------------------------------- the oracle
def _oracle_prepare(customers: pd.DataFrame, criteria: CriteriaParams, segment_column: str = "segment"):
    """The preprocessing of the ranking before the Preprocessor, written out again:
    transform and winsorise on the list, then fill each column by its policy with the
    list's own statistics (the pandas reductions the policies always used)."""
    ids = criteria.ids
    raw = customers[ids].astype(float)
    out = raw.copy()
    for c in criteria.criteria:
        col = out[c.id].to_numpy(dtype=float)
        if c.transform == "log1p":
            col = np.log1p(col)
        if c.winsorize is not None and np.isfinite(col).any():
            lo, hi = np.nanquantile(col, list(c.winsorize))
            col = np.where(np.isnan(col), np.nan, np.clip(col, lo, hi))
        out[c.id] = col
    filled = out.copy()
    groups = customers[segment_column]
    for c in criteria.criteria:
        values = out[c.id]
        if not values.isna().any():
            continue
        policy = criteria.policy(c)
        observed = values.dropna()
        if policy in ("median", "exclude_reweight"):
            fill = float(observed.median())
        elif policy == "neutral":
            fill = float((observed.min() + observed.max()) / 2.0)
        elif policy == "worst":
            fill = float(observed.min() if c.direction == "benefit" else observed.max())
        else:
            fill = values.groupby(groups).transform("median").fillna(float(observed.median()))
        filled[c.id] = values.fillna(fill)
    excluded = pd.DataFrame(False, index=raw.index, columns=ids)
    for c in criteria.criteria:
        if criteria.policy(c) == "exclude_reweight":
            excluded[c.id] = raw[c.id].isna()
    return filled, raw.notna(), excluded


def _with_policy(crit: CriteriaParams, policy: str) -> CriteriaParams:
    doc = crit.model_dump()
    doc["defaults"]["missing"] = policy
    for c in doc["criteria"]:
        c["missing"] = None
    return CriteriaParams.model_validate(doc)


@pytest.fixture(scope="module")
def sample_lists():
    out = []
    for year in (2024, 2025, 2026):
        params = load_params(ROOT / "params" / str(year))
        raw = read_table(params.resolve(params.run.inputs.preliminary_list))
        out.append((params, validate_preliminary(raw, params).customers))
    return out


@pytest.mark.parametrize("policy", [None, *MISSING_POLICIES])
def test_fit_transform_equals_the_old_preprocessing_on_the_sample_lists(sample_lists, policy) -> None:
    """Byte for byte: the same numbers, the same column-major layout the scoring reads."""
    for params, customers in sample_lists:
        crit = params.criteria if policy is None else _with_policy(params.criteria, policy)
        want, observed, excluded = _oracle_prepare(customers, crit)
        pre = Preprocessor(criteria_spec(crit))
        got = pre.fit_transform(customers)
        again = pre.transform(customers)
        for p in (got, again):
            x = p.matrix.to_numpy()
            assert x.tobytes() == want.to_numpy().tobytes()
            assert x.flags["F_CONTIGUOUS"] == want.to_numpy().flags["F_CONTIGUOUS"]
            pd.testing.assert_frame_equal(p.observed, observed, check_exact=True)
            pd.testing.assert_frame_equal(p.excluded, excluded, check_exact=True)
            assert p.policies == {c.id: crit.policy(c) for c in crit.criteria}
        pd.testing.assert_frame_equal(got.clipped, again.clipped, check_exact=True)


# --------------------------------------------------------------------------- properties
_value = st.one_of(st.none(), st.floats(-50.0, 1e4, allow_nan=False, width=32))


@st.composite
def _table(draw):
    n = draw(st.integers(2, 30))
    rows = draw(st.lists(st.tuples(_value, _value, _value), min_size=n, max_size=n))
    frame = pd.DataFrame(rows, columns=["a", "b", "c"], dtype=float)
    frame["a"] = frame["a"].abs()  # log1p needs values above -1
    for col in frame.columns[:3]:  # every criterion observed at least once
        if frame[col].isna().all():
            frame.loc[0, col] = float(draw(st.integers(0, 9)))
    frame["segment"] = draw(st.lists(st.sampled_from(["x", "y", "z"]), min_size=n, max_size=n))
    frame.index = [f"r{i}" for i in range(n)]
    return frame


def _abc_spec(policies: tuple[str, str, str]) -> CriteriaSpec:
    return CriteriaSpec.from_records(
        [
            {
                "id": "a",
                "label": "A",
                "family": "attractiveness",
                "direction": "benefit",
                "weight": 0.4,
                "transform": "log1p",
                "missing": policies[0],
            },
            {
                "id": "b",
                "label": "B",
                "family": "attractiveness",
                "direction": "cost",
                "weight": 0.3,
                "winsorize": [0.1, 0.9],
                "missing": policies[1],
            },
            {
                "id": "c",
                "label": "C",
                "family": "feasibility",
                "direction": "benefit",
                "weight": 0.3,
                "missing": policies[2],
            },
        ]
    )


_policies = st.tuples(*[st.sampled_from(MISSING_POLICIES)] * 3)


@settings(max_examples=150)
@given(_table(), _policies)
def test_transforming_the_reference_itself_equals_fit_transform(frame, policies) -> None:
    spec = _abc_spec(policies)
    pre = Preprocessor(spec)
    once = pre.fit_transform(frame)
    again = pre.transform(frame)
    assert once.matrix.to_numpy().tobytes() == again.matrix.to_numpy().tobytes()
    for name in ("observed", "excluded", "clipped"):
        pd.testing.assert_frame_equal(getattr(once, name), getattr(again, name), check_exact=True)
    assert not once.matrix.isna().any().any()
    # and both equal the old preprocessing of the list
    crit = CriteriaParams.model_validate(
        {
            "version": "t",
            "criteria": [
                {
                    "id": i,
                    "label": spec.labels[i],
                    "family": spec.families[i],
                    "direction": spec.directions[i],
                    "weight": spec.weights[i],
                    "transform": spec.transforms[i],
                    "winsorize": list(spec.winsorize[i]) if spec.winsorize[i] else None,
                    "missing": spec.policies[i],
                }
                for i in spec.ids
            ],
        }
    )
    want, _, _ = _oracle_prepare(frame, crit)
    assert once.matrix.to_numpy().tobytes() == want.to_numpy().tobytes()


@settings(max_examples=100)
@given(_table(), _table(), _policies)
def test_statistics_come_only_from_the_reference(reference, other, policies) -> None:
    """Transforming a table changes nothing fitted, and each row is prepared on its
    own: the same row gives the same values alone or among any other rows."""
    spec = _abc_spec(policies)
    pre = Preprocessor(spec).fit(reference)
    bounds, seg = pre.bounds_.copy(), pre.segment_medians_.copy()
    whole = pre.transform(other)
    pd.testing.assert_frame_equal(pre.bounds_, bounds, check_exact=True)
    pd.testing.assert_frame_equal(pre.segment_medians_, seg, check_exact=True)
    for i in (0, len(other) - 1):
        alone = pre.transform(other.iloc[[i]])
        np.testing.assert_array_equal(alone.matrix.to_numpy(), whole.matrix.iloc[[i]].to_numpy())
        np.testing.assert_array_equal(alone.clipped.to_numpy(), whole.clipped.iloc[[i]].to_numpy())
    # every prepared value lies in the reference's range
    x = whole.matrix.to_numpy()
    assert (x >= bounds["lower"].to_numpy()).all() and (x <= bounds["upper"].to_numpy()).all()


def test_prepared_matrix_records() -> None:
    m = pd.DataFrame({"x": [1.0]})
    obs = pd.DataFrame({"x": [False]})
    exc = pd.DataFrame({"x": [False]})
    p = PreparedMatrix(m, obs, exc, {"x": "median"})
    assert p.imputed["x"].tolist() == [True] and p.clipped is None and p.completeness.tolist() == [0.0]
