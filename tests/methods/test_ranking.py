"""Tests of prioanalysis.methods.ranking: ranks, gates, grades, quadrants and drivers.

The tiers (quota, threshold, the engine) are tested in ``tests/methods/test_tiers.py``."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from prioanalysis.errors import InputError
from prioanalysis.methods.ranking import (
    apply_gates,
    assign_grades,
    priority_quadrant,
    rank_scores,
    sort_order,
    top_drivers,
)
from tests.conftest import CREDIT

NT = "not targeted"


def S(values, index=None) -> pd.Series:
    index = index if index is not None else [f"c{i}" for i in range(len(values))]
    return pd.Series(values, index=index, dtype=float)


# --------------------------------------------------------------------------- rank_scores
def test_tie_rules() -> None:
    s = S([0.9, 0.5, 0.9, 0.1, 0.5, 0.5], index=list("abcdef"))
    # sorted: a c (0.9) | b e f (0.5) | d (0.1)
    assert rank_scores(s, "min").tolist() == [1, 3, 1, 6, 3, 3]  # 1 1 3 3 3 6
    assert rank_scores(s, "dense").tolist() == [1, 2, 1, 3, 2, 2]  # 1 1 2 2 2 3
    assert rank_scores(s, "first").tolist() == [1, 3, 2, 6, 4, 5]  # ties by id


def test_first_uses_tie_breakers_before_id() -> None:
    s = S([0.5, 0.5, 0.5], index=["a", "b", "c"])
    tb = pd.DataFrame({"deal_size": [10.0, 30.0, 20.0]}, index=s.index)
    # larger deal size first: b, c, a
    assert rank_scores(s, "first", tb).tolist() == [3, 1, 2]
    # the tie breaker is ignored by min and dense
    assert rank_scores(s, "min", tb).tolist() == [1, 1, 1]


def test_missing_tie_breaker_goes_last() -> None:
    s = S([0.5, 0.5, 0.5], index=["a", "b", "c"])
    tb = pd.DataFrame({"d": [np.nan, 1.0, 2.0]}, index=s.index)
    assert list(sort_order(s, tb)) == ["c", "b", "a"]


def test_ranks_within_groups() -> None:
    s = S([0.9, 0.8, 0.7, 0.6, 0.8, 0.5], index=list("abcdef"))
    g = pd.Series(["x", "y", "x", "y", "x", "y"], index=s.index)
    # x: a 0.9, e 0.8, c 0.7 ; y: b 0.8, d 0.6, f 0.5
    assert rank_scores(s, "min", groups=g).tolist() == [1, 1, 3, 2, 2, 3]
    assert rank_scores(s, "first", groups=g).tolist() == [1, 1, 3, 2, 2, 3]
    g2 = pd.Series(["x", "x", "y", "y", "x", "y"], index=s.index)
    # x: a 0.9, b 0.8, e 0.8 ; y: c 0.7, d 0.6, f 0.5
    assert rank_scores(s, "min", groups=g2).tolist() == [1, 2, 1, 2, 2, 3]
    assert rank_scores(s, "dense", groups=g2).tolist() == [1, 2, 1, 2, 2, 3]
    assert rank_scores(s, "first", groups=g2).tolist() == [1, 2, 1, 2, 3, 3]


def test_rounding_makes_float_noise_a_tie() -> None:
    s = S([0.1 + 0.2, 0.3, 0.2], index=["b", "a", "c"])
    assert 0.1 + 0.2 != 0.3
    assert rank_scores(s, "min").tolist() == [1, 1, 3]
    # with 17 decimals the noise decides
    assert rank_scores(s, "min", decimals=17).tolist() == [1, 2, 3]
    # `first` then falls back on the id: a before b
    assert rank_scores(s, "first").tolist() == [2, 1, 3]


def test_unknown_tie_rule() -> None:
    with pytest.raises(InputError, match="tie rule"):
        rank_scores(S([1.0]), "average")


# --------------------------------------------------------------------------- sort_order
def test_sort_order_score_then_breakers_then_id() -> None:
    s = S([0.5, 0.7, 0.5, 0.5, 0.2], index=["e", "d", "c", "b", "a"])
    tb = pd.DataFrame({"t1": [1.0, 0.0, 2.0, 1.0, 9.0], "t2": [0.0, 0.0, 0.0, 5.0, 0.0]}, index=s.index)
    # d (0.7) | c (t1 2) | b, e (t1 1): b has t2 5 | a (0.2)
    assert list(sort_order(s, tb)) == ["d", "c", "b", "e", "a"]
    assert list(sort_order(s)) == ["d", "b", "c", "e", "a"]


def test_sort_order_does_not_depend_on_input_order() -> None:
    s = S([0.5, 0.7, 0.5, 0.5, 0.2], index=["e", "d", "c", "b", "a"])
    rev = s.iloc[::-1]
    assert list(sort_order(s)) == list(sort_order(rev))


def test_sort_order_aligns_tie_breakers_by_customer_id() -> None:
    s = S([0.5, 0.5, 0.5], index=["a", "b", "c"])
    tb = pd.DataFrame({"deal_size": [3.0, 2.0, 1.0]}, index=["c", "b", "a"])
    # c has the largest deal size, a the smallest
    assert list(sort_order(s, tb)) == ["c", "b", "a"]


# --------------------------------------------------------------------------- gates
GATES = [
    {"id": "need", "column": "need_status", "not_in": ["dead"], "reason": "无需求（dead）"},
    {
        "id": "credit",
        "column": "credit_grade",
        "min": "B",
        "scale": "credit_grade",
        "reason": "信用等级低于B",
        "missing": "pass",
    },
]
SCALES = {"credit_grade": CREDIT}


def test_gate_min_on_ordinal_scale_with_text_bound() -> None:
    f = pd.DataFrame(
        {
            "need_status": ["target", "target", "target", "target", "potential"],
            "credit_grade": [CREDIT["AAA"], CREDIT["B"], CREDIT["CCC"], np.nan, CREDIT["C"]],
        },
        index=list("abcde"),
    )
    r = apply_gates(f, GATES, SCALES)
    # B itself passes (min is inclusive), CCC and C are below B, missing passes
    assert r.tolist() == ["", "", "信用等级低于B", "", "信用等级低于B"]


def test_gate_missing_fail() -> None:
    f = pd.DataFrame({"need_status": ["target", "target"], "credit_grade": [np.nan, 9.0]})
    gates = [GATES[0], {**GATES[1], "missing": "fail"}]
    assert apply_gates(f, gates, SCALES).tolist() == ["信用等级低于B", ""]


def test_gate_not_in_case_insensitive_and_missing() -> None:
    f = pd.DataFrame(
        {"need_status": pd.Series(["dead", "Dead", "target", None], dtype="string"), "credit_grade": [9.0] * 4}
    )
    assert apply_gates(f, GATES[:1], SCALES).tolist() == ["无需求（dead）", "无需求（dead）", "", ""]
    gates = [{**GATES[0], "missing": "fail"}]
    assert apply_gates(f, gates, SCALES).tolist() == ["无需求（dead）", "无需求（dead）", "", "无需求（dead）"]


def test_gate_reasons_joined_in_gate_order() -> None:
    f = pd.DataFrame({"need_status": ["dead", "dead", "target"], "credit_grade": [1.0, 9.0, 1.0]})
    assert apply_gates(f, GATES, SCALES).tolist() == [
        "无需求（dead）; 信用等级低于B",
        "无需求（dead）",
        "信用等级低于B",
    ]


def test_gate_numeric_max() -> None:
    f = pd.DataFrame({"months": [0.0, 12.0, 12.5, np.nan]})
    g = [{"id": "m", "column": "months", "max": 12, "reason": "too far"}]
    assert apply_gates(f, g).tolist() == ["", "", "too far", ""]


def test_no_gates_everyone_passes() -> None:
    f = pd.DataFrame({"x": [1, 2]})
    assert apply_gates(f, []).tolist() == ["", ""]


# --------------------------------------------------------------------------- grades
def test_grade_boundaries() -> None:
    cases = [
        ("target", 0.0, "A"),
        ("target", 1.0, "A"),  # within 1 month, inclusive
        ("target", 1.0001, "B"),
        ("target", 3.0, "B"),
        ("target", 3.5, "C"),
        ("target", 6.0, "C"),
        ("target", 6.01, "D"),  # clear need but more than 6 months away
        ("target", np.nan, "D"),  # clear need, no expected date
        ("potential", 0.5, "D"),
        ("potential", np.nan, "D"),
        ("dead", 0.5, "E"),
        ("dead", np.nan, "E"),
    ]
    need = pd.Series([c[0] for c in cases])
    months = pd.Series([c[1] for c in cases], dtype=float)
    assert assign_grades(need, months).tolist() == [c[2] for c in cases]


def test_grade_custom_limits_and_statuses() -> None:
    need = pd.Series(["hot", "hot", "hot", "cold", "gone"], index=list("abcde"))
    months = pd.Series([2.0, 4.0, 13.0, 1.0, 1.0], index=need.index)
    out = assign_grades(need, months, {"A": 2, "B": 4, "C": 12}, "hot", "cold", "gone")
    assert out.tolist() == ["A", "B", "D", "D", "E"]
    assert list(out.index) == list("abcde")


def test_grade_with_missing_need_status() -> None:
    need = pd.Series(["target", None, "dead"], dtype="string")
    months = pd.Series([0.5, 0.5, 0.5])
    # unknown need: neither a clear need nor dead → D
    assert assign_grades(need, months).tolist() == ["A", "D", "E"]


# --------------------------------------------------------------------------- quadrants
LABELS = {
    "important_urgent": "立即投入",
    "important_not_urgent": "计划培育",
    "other_urgent": "快速响应",
    "other_not_urgent": "保持关注",
    "not_targeted": "不投入资源",
}


def test_priority_quadrant() -> None:
    tier = pd.Series(["战略", "重点", "战略", "一般", "一般", "非目标", "非目标"])
    grade = pd.Series(["A", "C", "D", "B", "E", "A", "E"])
    out = priority_quadrant(tier, grade, ["战略", "重点"], ["A", "B"], "非目标", LABELS)
    assert out.tolist() == ["立即投入", "计划培育", "计划培育", "快速响应", "保持关注", "不投入资源", "不投入资源"]


# --------------------------------------------------------------------------- drivers
def test_top_drivers_signs_and_order() -> None:
    # binary fractions, so that every mean and deviation is exact
    c = pd.DataFrame(
        {"x": [0.5, 0.0, 0.25], "y": [0.125, 0.25, 0.0], "z": [0.0, 0.0, 0.375]},
        index=["a", "b", "c"],
    )
    # means: x 0.25, y 0.125, z 0.125
    # a: x +0.25, y 0, z −0.125 ; b: x −0.25, y +0.125, z −0.125 ; c: x 0, y −0.125, z +0.25
    out = top_drivers(c, {"x": "战略契合度", "y": "Y", "z": "Z"}, n=3)
    assert out.loc["a"].tolist() == ["战略契合度 +0.250", "Z -0.125", "Y +0.000"]
    # b: |y| = |z| = 0.125 → criterion order decides (y before z)
    assert out.loc["b"].tolist() == ["战略契合度 -0.250", "Y +0.125", "Z -0.125"]
    assert out.loc["c"].tolist() == ["Z +0.250", "Y -0.125", "战略契合度 +0.000"]
    assert list(out.columns) == ["driver_1", "driver_2", "driver_3"]


def test_top_drivers_deviations_sum_to_score_minus_mean() -> None:
    c = pd.DataFrame(
        {"x": [0.30, 0.10, 0.20, 0.00], "y": [0.125, 0.250, 0.000, 0.125], "z": [0.0, 0.5, 0.25, 0.25]},
        index=list("abcd"),
    )
    score = c.sum(axis=1)  # weighted sum: the score is the sum of the contributions
    out = top_drivers(c, n=3)
    for cid in c.index:
        devs = [float(t.split(" ")[-1]) for t in out.loc[cid]]
        # each printed deviation is rounded to 3 decimals: ± 0.0005 each
        assert sum(devs) == pytest.approx(score[cid] - score.mean(), abs=3 * 0.0005)
    # a by hand: means x 0.15, y 0.125, z 0.25 → x +0.15, y 0, z −0.25 ; sum −0.1
    assert score["a"] - score.mean() == pytest.approx(-0.1)


def test_top_drivers_n_larger_than_criteria() -> None:
    c = pd.DataFrame({"x": [1.0, 0.0]}, index=["a", "b"])
    out = top_drivers(c, n=3)
    assert list(out.columns) == ["driver_1"]
    assert out["driver_1"].tolist() == ["x +0.500", "x -0.500"]


def test_grades_use_the_one_vocabulary() -> None:
    """Every letter assign_grades returns is one of methods.grades.GRADES, and the
    default limits are its PROMISED_MONTHS."""
    from prioanalysis.methods.grades import GRADES, PROMISED_MONTHS

    need = pd.Series(["target"] * 5 + ["potential", "dead", None])
    months = pd.Series(
        [
            PROMISED_MONTHS["A"],
            PROMISED_MONTHS["B"],
            PROMISED_MONTHS["C"],
            PROMISED_MONTHS["C"] + 0.01,
            None,
            1.0,
            1.0,
            1.0,
        ]
    )
    out = assign_grades(need, months)
    assert out.tolist() == ["A", "B", "C", "D", "D", "D", "E", "D"]
    assert set(out) <= set(GRADES)
