"""Tests of prioanalysis.methods.metrics: year-end review metrics.

Every expected number below is either computed by hand in the comment next to it, a
published value (source named in the test), or an independent implementation
(scipy / statsmodels / a brute-force formula written in the test).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from scipy import stats

from prioanalysis.errors import InputError
from prioanalysis.methods.metrics import (
    AUCResult,
    auc,
    capture_at,
    closed_in_time,
    gains_curve,
    gains_table,
    lift_at,
    migration_matrix,
    migration_tests,
    precision_at_k,
    psi,
    psi_breakdown,
    rank_correlations,
    rate_table,
    stability_table,
    trend_test,
    univariate_auc,
)

Z95 = stats.norm.ppf(0.975)


def ser(values, index=None) -> pd.Series:
    """A Series with string customer ids c0, c1, ... unless an index is given."""
    values = list(values)
    if index is None:
        index = [f"c{i}" for i in range(len(values))]
    return pd.Series(values, index=index)


# ----------------------------------------------------------------------------------
# Strategies
# ----------------------------------------------------------------------------------


@st.composite
def scored_outcomes(draw, min_size: int = 2, max_size: int = 40, both: bool = True):
    """Integer scores (ties likely) and a 0/1 outcome, optionally with both classes."""
    n = draw(st.integers(min_size, max_size))
    s = draw(st.lists(st.integers(-20, 20), min_size=n, max_size=n))
    y = draw(st.lists(st.integers(0, 1), min_size=n, max_size=n))
    if both:
        assume(0 < sum(y) < n)
    return ser(s).astype(float), ser(y)


def naive_delong(pos: np.ndarray, neg: np.ndarray) -> tuple[float, float]:
    """DeLong et al. (1988) by the definition: the m x n kernel psi(X_i, Y_j)."""
    psi_ = (pos[:, None] > neg[None, :]) + 0.5 * (pos[:, None] == neg[None, :])
    a = psi_.mean()
    v10 = psi_.mean(axis=1)
    v01 = psi_.mean(axis=0)
    var = v10.var(ddof=1) / len(pos) + v01.var(ddof=1) / len(neg)
    return float(a), float(var)


# ----------------------------------------------------------------------------------
# auc
# ----------------------------------------------------------------------------------


def test_auc_hand_case_with_delong_variance():
    # positives 0.9, 0.7; negatives 0.8, 0.6, 0.5.
    # pairs won: 0.9 beats 3, 0.7 beats 2 -> AUC = 5/6.
    # V10 = [3/3, 2/3]; V01 (share of positives above each negative) = [1/2, 1, 1]
    # S10 = var([1, 2/3], ddof=1) = 2 * (1/6)^2 = 1/18
    # S01 = var([1/2, 1, 1], ddof=1) = (1/9 + 1/36 + 1/36) / 2 = 1/12
    # var = S10/2 + S01/3 = 1/36 + 1/36 = 1/18
    r = auc(ser([0.9, 0.8, 0.7, 0.6, 0.5]), ser([1, 0, 1, 0, 0]))
    assert isinstance(r, AUCResult)
    assert r.auc == pytest.approx(5 / 6)
    assert r.se == pytest.approx(math.sqrt(1 / 18))
    assert r.ci_low == pytest.approx(5 / 6 - Z95 * math.sqrt(1 / 18))
    assert r.ci_high == 1.0  # 5/6 + 0.46 clipped to 1
    assert (r.n_pos, r.n_neg) == (2, 3)
    assert r.method == "delong" and r.ci == 0.95


def test_auc_ties_count_half():
    # positive 1; negatives 1 (tie -> 1/2) and 0 (win -> 1): AUC = 1.5 / 2 = 0.75
    assert auc(ser([1, 1, 0]), ser([1, 0, 0])).auc == pytest.approx(0.75)


def test_auc_hanley_mcneil_1982_ct_ratings():
    # Hanley & McNeil (1982), Radiology 143:29-36, Table 1: CT ratings 1..5 of
    # 58 normal and 51 abnormal cases; published A = 0.893, SE = 0.032.
    neg = np.repeat([1, 2, 3, 4, 5], [33, 6, 6, 11, 2])
    pos = np.repeat([1, 2, 3, 4, 5], [3, 2, 2, 11, 33])
    s = ser(np.r_[pos, neg].astype(float))
    y = ser(np.r_[np.ones(51), np.zeros(58)].astype(int))
    r = auc(s, y, method="hanley_mcneil")
    assert round(r.auc, 3) == 0.893
    assert round(r.se, 3) == 0.032
    # DeLong on the same data equals the brute-force definition
    a, var = naive_delong(pos.astype(float), neg.astype(float))
    d = auc(s, y)
    assert d.auc == pytest.approx(a)
    assert d.se == pytest.approx(math.sqrt(var))


def test_auc_single_member_class_gives_nan_interval_and_ci_none():
    r = auc(ser([3, 2, 1]), ser([1, 0, 0]))
    assert r.auc == 1.0
    assert math.isnan(r.ci_low) and math.isnan(r.ci_high)
    r2 = auc(ser([3, 2, 1, 0]), ser([1, 1, 0, 0]), ci=None)
    assert math.isnan(r2.ci_low) and r2.ci is None


def test_auc_perfect_separation_degenerate_interval():
    r = auc(ser([4, 3, 2, 1]), ser([1, 1, 0, 0]))
    assert (r.auc, r.se, r.ci_low, r.ci_high) == (1.0, 0.0, 1.0, 1.0)


def test_auc_aligns_by_label_not_position():
    s = ser([0.9, 0.8, 0.7, 0.6, 0.5])
    y = ser([1, 0, 1, 0, 0])
    shuffled = y.iloc[[4, 2, 0, 3, 1]]
    assert auc(s, shuffled).auc == pytest.approx(5 / 6)


def test_auc_accepts_boolean_outcome():
    assert auc(ser([0.9, 0.8, 0.7]), ser([True, False, False])).auc == 1.0


@given(scored_outcomes())
@settings(max_examples=150, deadline=None)
def test_auc_equals_mann_whitney_u_and_brute_force_delong(data):
    s, y = data
    r = auc(s, y)
    pos, neg = s[y == 1].to_numpy(), s[y == 0].to_numpy()
    u = stats.mannwhitneyu(pos, neg).statistic
    assert r.auc == pytest.approx(u / (len(pos) * len(neg)))
    if len(pos) > 1 and len(neg) > 1:
        _, var = naive_delong(pos, neg)
        assert r.se == pytest.approx(math.sqrt(var), abs=1e-12)


@given(scored_outcomes())
@settings(max_examples=100, deadline=None)
def test_auc_invariant_to_strictly_monotone_transforms(data):
    s, y = data
    a = auc(s, y).auc
    assert auc(np.exp(s / 10), y).auc == pytest.approx(a)
    assert auc(s**3 + 2 * s - 7, y).auc == pytest.approx(a)


@given(st.integers(1, 15), st.integers(1, 15))
def test_auc_perfect_and_reversed_score(n_pos, n_neg):
    y = ser([1] * n_pos + [0] * n_neg)
    s = ser(np.arange(n_pos + n_neg, 0, -1).astype(float))  # positives on top
    assert auc(s, y).auc == 1.0
    assert auc(-s, y).auc == 0.0


@pytest.mark.parametrize(
    ("score", "outcome", "message"),
    [
        (ser([1, 2, 3]), ser([1, 1, 1]), "both converters and non-converters"),
        (ser([1, 2, 3]), ser([1, np.nan, 0]), r"missing value.*'c1'"),
        (ser([1, np.nan, 3]), ser([1, 0, 0]), r"`score` has 1 missing"),
        (ser([1, 2, 3]), ser([1, 2, 0]), "must be 0/1"),
        (ser([1, 2, 3]), ser([1, 0, 0], index=["c0", "c1", "x"]), "not aligned"),
        (ser([1, 2, 3], index=["a", "a", "b"]), ser([1, 0, 0]), "more than once"),
        ([1, 2, 3], ser([1, 0, 0]), "must be a pandas Series"),
        (ser(["a", "b", "c"]), ser([1, 0, 0]), "must be numeric"),
    ],
)
def test_auc_errors(score, outcome, message):
    with pytest.raises(InputError, match=message):
        auc(score, outcome)


def test_auc_bad_parameters():
    s, y = ser([1, 2, 3]), ser([1, 0, 0])
    with pytest.raises(InputError, match="confidence level"):
        auc(s, y, ci=95)
    with pytest.raises(InputError, match="method"):
        auc(s, y, method="bootstrap")


# ----------------------------------------------------------------------------------
# precision_at_k, lift_at, capture_at
# ----------------------------------------------------------------------------------


def test_precision_and_lift_hand_case():
    s, y = ser([5, 4, 3, 2, 1]), ser([1, 0, 1, 0, 0])
    # top 2 (k=0.4): scores 5, 4 -> 1 conversion of 2; overall 2/5
    assert precision_at_k(s, y, k=0.4) == 0.5
    assert lift_at(s, y, k=0.4) == pytest.approx(0.5 / 0.4)
    # k = 0.3 -> 1.5 customers -> ceil -> 2
    assert precision_at_k(s, y, k=0.3) == 0.5
    # top 1: 1/1 over 2/5 = 2.5
    assert lift_at(s, y, k=0.2) == pytest.approx(2.5)
    assert lift_at(s, y, k=1.0) == pytest.approx(1.0)


def test_top_k_count_is_not_fooled_by_float_rounding():
    # 0.1 * 30 = 3.0000000000000004 in floating point; the top 10% is 3 customers.
    s = ser(np.arange(30, 0, -1).astype(float))
    y = ser([1, 1, 1] + [0] * 27)
    assert precision_at_k(s, y, k=0.1) == 1.0  # would be 0.75 with 4 customers


def test_ties_at_the_cut_average_and_stable():
    # scores 3, 2, 2, 2, 1; outcome 1, 1, 0, 0, 0; top 2.
    # average: customer "3" (1) + one place shared by the three 2s (sum 1) -> 1 + 1/3
    #          precision = (4/3) / 2 = 2/3
    # stable : ties by index order -> c1 (converted) -> 2 / 2 = 1
    s, y = ser([3, 2, 2, 2, 1]), ser([1, 1, 0, 0, 0])
    assert precision_at_k(s, y, k=0.4) == pytest.approx(2 / 3)
    assert precision_at_k(s, y, k=0.4, ties="stable") == 1.0
    # average does not depend on the input order; stable does
    perm = [0, 3, 2, 1, 4]
    s2, y2 = s.iloc[perm], y.iloc[perm]
    assert precision_at_k(s2, y2, k=0.4) == pytest.approx(2 / 3)
    assert precision_at_k(s2, y2, k=0.4, ties="stable") == 0.5


def test_capture_hand_case():
    s, v = ser([5, 4, 3, 2]), ser([100.0, 0.0, 50.0, 50.0])
    assert capture_at(s, v, k=0.25) == 0.5  # 100 / 200
    assert capture_at(s, v, k=0.5) == 0.5  # (100 + 0) / 200
    assert capture_at(s, v, k=0.75) == 0.75  # 150 / 200
    # tie at the cut: scores 2, 2, 1; values 30, 10, 60; top 1
    # average: half of (30 + 10) = 20 -> 0.2; stable: c0 -> 30 -> 0.3
    s, v = ser([2, 2, 1]), ser([30.0, 10.0, 60.0])
    assert capture_at(s, v, k=1 / 3) == pytest.approx(0.2)
    assert capture_at(s, v, k=1 / 3, ties="stable") == pytest.approx(0.3)


@given(
    st.lists(st.tuples(st.integers(0, 5), st.floats(0, 1e6)), min_size=1, max_size=40),
    st.sampled_from(["average", "stable"]),
)
def test_capture_at_whole_list_is_one(rows, ties):
    s = ser([r[0] for r in rows]).astype(float)
    v = ser([r[1] for r in rows])
    assume(v.sum() > 0)
    assert capture_at(s, v, k=1.0, ties=ties) == 1.0


@given(scored_outcomes(), st.floats(0.01, 1.0))
@settings(max_examples=100, deadline=None)
def test_average_ties_is_mean_over_tie_orders(data, k):
    # "average" = expectation over random orders of tied customers; with integer
    # scores the stable result averaged over many permutations converges to it.
    s, y = data
    got = precision_at_k(s, y, k=k)
    rng = np.random.default_rng(0)
    vals = []
    for _ in range(200):
        p = rng.permutation(len(s))
        vals.append(precision_at_k(s.iloc[p], y.iloc[p], k=k, ties="stable"))
    assert min(vals) - 1e-12 <= got <= max(vals) + 1e-12


@pytest.mark.parametrize("k", [0, -0.1, 1.5, "10%"])
def test_top_k_rejects_bad_share(k):
    with pytest.raises(InputError, match=r"in \(0, 1\]"):
        lift_at(ser([1, 2]), ser([1, 0]), k=k)


def test_top_k_errors():
    with pytest.raises(InputError, match="No customer converted"):
        lift_at(ser([1, 2]), ser([0, 0]))
    with pytest.raises(InputError, match="total of `value` is 0"):
        capture_at(ser([1, 2]), ser([0.0, 0.0]))
    with pytest.raises(InputError, match="negative"):
        capture_at(ser([1, 2]), ser([5.0, -1.0]))
    with pytest.raises(InputError, match=r"`value` has 1 missing"):
        capture_at(ser([1, 2]), ser([5.0, np.nan]))
    with pytest.raises(InputError, match="ties"):
        precision_at_k(ser([1, 2]), ser([1, 0]), ties="random")
    with pytest.raises(InputError, match="empty"):
        precision_at_k(pd.Series([], dtype=float), pd.Series([], dtype=float))


# ----------------------------------------------------------------------------------
# gains_table, gains_curve
# ----------------------------------------------------------------------------------


def test_gains_table_hand_case():
    # 10 customers sorted by score; 5 bins of 2.
    # outcome by rank: 1 1 | 0 1 | 0 0 | 1 0 | 0 0 -> conversions 2, 1, 0, 1, 0
    # overall rate 4/10; rate 1, .5, 0, .5, 0 -> lift 2.5, 1.25, 0, 1.25, 0
    # cumulative rate 2/2, 3/4, 3/6, 4/8, 4/10 -> cum_lift 2.5, 1.875, 1.25, 1.25, 1
    s = ser(np.arange(10, 0, -1).astype(float))
    y = ser([1, 1, 0, 1, 0, 0, 1, 0, 0, 0])
    v = ser([50.0, 30, 0, 10, 0, 0, 10, 0, 0, 0])  # total 100
    g = gains_table(s, y, value=v, n_bins=5)
    assert g.index.tolist() == [1, 2, 3, 4, 5]
    assert g["n_customers"].tolist() == [2] * 5
    assert g["conversions"].tolist() == [2, 1, 0, 1, 0]
    assert g["lift"].tolist() == pytest.approx([2.5, 1.25, 0, 1.25, 0])
    assert g["cum_lift"].tolist() == pytest.approx([2.5, 1.875, 1.25, 1.25, 1.0])
    assert g["cum_share_conversions"].tolist() == pytest.approx([0.5, 0.75, 0.75, 1, 1])
    assert g["cum_share_customers"].tolist() == pytest.approx([0.2, 0.4, 0.6, 0.8, 1.0])
    assert g["value"].tolist() == pytest.approx([80, 10, 0, 10, 0])
    assert g["cum_share_value"].tolist() == pytest.approx([0.8, 0.9, 0.9, 1.0, 1.0])
    assert g["score_high"].tolist() == [10, 8, 6, 4, 2]
    assert g["score_low"].tolist() == [9, 7, 5, 3, 1]


def test_gains_table_uneven_bins_use_ceil_edges():
    # n = 7, 3 bins: edges ceil(7/3)=3, ceil(14/3)=5, 7 -> sizes 3, 2, 2
    g = gains_table(ser(range(7)).astype(float), ser([1, 0, 0, 0, 0, 0, 1]), n_bins=3)
    assert g["n_customers"].tolist() == [3, 2, 2]


def test_gains_table_matches_precision_at_k():
    rng = np.random.default_rng(3)
    s = ser(rng.integers(0, 6, 57).astype(float))  # many ties
    y = ser(rng.integers(0, 2, 57))
    g = gains_table(s, y, n_bins=10)
    for b, row in g.iterrows():
        m = math.ceil(b * 57 / 10)
        assert row["cum_conversions"] == pytest.approx(precision_at_k(s, y, k=m / 57) * m)


def test_gains_table_errors():
    with pytest.raises(InputError, match="3 customers but 10 bins"):
        gains_table(ser([1, 2, 3]), ser([1, 0, 0]))
    with pytest.raises(InputError, match="n_bins"):
        gains_table(ser([1, 2, 3]), ser([1, 0, 0]), n_bins=0)
    with pytest.raises(InputError, match="No customer converted"):
        gains_table(ser([1, 2, 3]), ser([0, 0, 0]), n_bins=2)


def test_gains_curve_hand_cases():
    c = gains_curve(ser([3, 2, 1]), ser([1, 0, 1]))
    assert c["share_customers"].tolist() == pytest.approx([0, 1 / 3, 2 / 3, 1])
    assert c["share_conversions"].tolist() == [0, 0.5, 0.5, 1]
    assert np.isnan(c["score"].iloc[0]) and c["score"].tolist()[1:] == [3, 2, 1]
    # tie of the first two (one converted): straight line 0 -> 0.5 across the tie
    c = gains_curve(ser([2, 2, 1]), ser([1, 0, 1]), value=ser([10.0, 30.0, 60.0]))
    assert c["share_conversions"].tolist() == pytest.approx([0, 0.25, 0.5, 1])
    assert c["share_value"].tolist() == pytest.approx([0, 0.2, 0.4, 1])
    c = gains_curve(ser([2, 2, 1]), ser([1, 0, 1]), ties="stable")
    assert c["share_conversions"].tolist() == pytest.approx([0, 0.5, 0.5, 1])


@given(scored_outcomes(min_size=1, both=False), st.sampled_from(["average", "stable"]))
@settings(max_examples=150, deadline=None)
def test_gains_curve_monotone_from_origin_to_one_one(data, ties):
    s, y = data
    c = gains_curve(s, y, value=s.abs() + 1, ties=ties)
    assert len(c) == len(s) + 1
    assert (c["share_customers"].iloc[0], c["share_conversions"].iloc[0]) == (0, 0)
    assert c["share_customers"].iloc[-1] == 1.0
    for col in ("share_customers", "share_conversions", "share_value"):
        assert (np.diff(c[col].to_numpy()) >= -1e-15).all()
    assert c["share_value"].iloc[-1] == 1.0
    if y.sum() > 0:
        assert c["share_conversions"].iloc[-1] == 1.0


# ----------------------------------------------------------------------------------
# rank_correlations
# ----------------------------------------------------------------------------------


def test_rank_correlations_hand_case():
    # ranks 1 2 3 4 vs 1 3 2 4: d = 0, -1, 1, 0; sum d^2 = 2
    # Spearman rho = 1 - 6 * 2 / (4 * (16 - 1)) = 0.8
    # Kendall: 6 pairs, only (2nd, 3rd) discordant -> (5 - 1) / 6 = 2/3
    s, v = ser([1.0, 2, 3, 4]), ser([1.0, 3, 2, 4])
    rc = rank_correlations(s, v)
    assert rc.index.tolist() == ["spearman", "kendall"]
    assert rc.loc["spearman", "statistic"] == pytest.approx(0.8)
    assert rc.loc["kendall", "statistic"] == pytest.approx(2 / 3)
    assert rc.loc["spearman", "p_value"] == pytest.approx(stats.spearmanr(s, v).pvalue)
    assert rc.loc["kendall", "p_value"] == pytest.approx(stats.kendalltau(s, v).pvalue)
    assert rc["n"].tolist() == [4, 4]
    greater = rank_correlations(s, v, alternative="greater")
    assert greater.loc["kendall", "p_value"] < rc.loc["kendall", "p_value"]


def test_rank_correlations_errors():
    with pytest.raises(InputError, match="`value` is constant"):
        rank_correlations(ser([1.0, 2, 3]), ser([5.0, 5, 5]))
    with pytest.raises(InputError, match="at least 3"):
        rank_correlations(ser([1.0, 2]), ser([1.0, 2]))
    with pytest.raises(InputError, match=r"fill|Fill"):
        rank_correlations(ser([1.0, 2, 3]), ser([1.0, np.nan, 2]))


# ----------------------------------------------------------------------------------
# rate_table
# ----------------------------------------------------------------------------------


def wilson_by_hand(x: int, n: int, z: float = Z95) -> tuple[float, float]:
    """Wilson (1927) score interval written out."""
    p = x / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z / (1 + z * z / n) * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return centre - half, centre + half


def test_rate_table_hand_case():
    g = ser(["A", "A", "B", "B", "B"])
    y = ser([1, 1, 1, 0, 0])
    v = ser([100.0, 50.0, 30.0, 0.0, 20.0])
    t = rate_table(g, y, value=v, order=["A", "B", "C"])
    assert t.index.tolist() == ["A", "B", "C"]
    assert t["n"].tolist() == [2, 3, 0]
    assert t["conversions"].tolist() == [2, 1, 0]
    assert t.loc["A", "rate"] == 1.0 and t.loc["B", "rate"] == pytest.approx(1 / 3)
    assert np.isnan(t.loc["C", "rate"]) and np.isnan(t.loc["C", "ci_low"])
    lo, hi = wilson_by_hand(1, 3)
    assert (t.loc["B", "ci_low"], t.loc["B", "ci_high"]) == pytest.approx((lo, hi))
    lo, hi = wilson_by_hand(2, 2)
    assert (t.loc["A", "ci_low"], t.loc["A", "ci_high"]) == pytest.approx((lo, hi))
    # revenue: A 150 (mean 75, share .75); B 50 (mean 50/3, share .25); C 0
    assert t["revenue_total"].tolist() == [150, 50, 0]
    assert t.loc["B", "revenue_mean"] == pytest.approx(50 / 3)
    assert t["revenue_share"].tolist() == pytest.approx([0.75, 0.25, 0.0])


def test_rate_table_default_order_is_sorted_and_ci_none():
    t = rate_table(ser(["B", "A", "B"]), ser([0, 1, 1]), ci=None)
    assert t.index.tolist() == ["A", "B"]
    assert t["ci_low"].isna().all()


def test_rate_table_errors():
    with pytest.raises(InputError, match=r"'D'.*not in `order`"):
        rate_table(ser(["A", "D"]), ser([1, 0]), order=["A", "B"])
    with pytest.raises(InputError, match="missing label"):
        rate_table(ser(["A", None]), ser([1, 0]))
    with pytest.raises(InputError, match="more than once"):
        rate_table(ser(["A", "B"]), ser([1, 0]), order=["A", "A", "B"])


# ----------------------------------------------------------------------------------
# trend_test
# ----------------------------------------------------------------------------------


def test_trend_test_hand_case():
    # A: 3 of 4, B: 1 of 4; scores 0, 1; p = 4/8 = 0.5
    # T = 0 * (3 - 2) + 1 * (1 - 2) = -1
    # V = 0.25 * (sum n t^2 - (sum n t)^2 / N) = 0.25 * (4 - 16/8) = 0.5
    # Z = -1 / sqrt(0.5) = -1.41421; one-sided p = Phi(Z) = 0.0786
    g = ser(["A"] * 4 + ["B"] * 4)
    y = ser([1, 1, 1, 0, 1, 0, 0, 0])
    r = trend_test(g, y, order=["A", "B"])
    assert r.statistic == pytest.approx(-math.sqrt(2))
    assert r.p_value == pytest.approx(stats.norm.cdf(-math.sqrt(2)))
    assert r.monotone
    assert r.rates.tolist() == [0.75, 0.25]
    assert r.n.tolist() == [4, 4]
    inc = trend_test(g, y, order=["A", "B"], alternative="increasing")
    assert inc.p_value == pytest.approx(1 - r.p_value)
    two = trend_test(g, y, order=["A", "B"], alternative="two-sided")
    assert two.p_value == pytest.approx(2 * r.p_value)
    # hypergeometric variance: V * N / (N - 1) = 0.5 * 8/7
    h = trend_test(g, y, order=["A", "B"], variance="hypergeometric")
    assert h.statistic == pytest.approx(-1 / math.sqrt(0.5 * 8 / 7))


def test_trend_test_agresti_malformation_data():
    # Agresti (2002), Categorical Data Analysis, 2nd ed., Sec. 3.4: infant
    # malformation by mother's alcohol consumption (0, <1, 1-2, 3-5, >=6 drinks/day),
    # scores 0, 0.5, 1.5, 4.0, 7.0; published M^2 = 6.57 (z = 2.56), one-sided P=0.005.
    present = np.array([48, 38, 5, 1, 1])
    absent = np.array([17066, 14464, 788, 126, 37])
    n = present + absent
    labels = ["0", "<1", "1-2", "3-5", ">=6"]
    g = ser(np.repeat(labels, n))
    y = ser(np.concatenate([np.r_[np.ones(a), np.zeros(b)] for a, b in zip(present, absent)]))
    r = trend_test(
        g,
        y,
        order=labels,
        scores=[0, 0.5, 1.5, 4.0, 7.0],
        alternative="increasing",
        variance="hypergeometric",
    )
    assert round(r.statistic**2, 2) == 6.57
    assert round(r.p_value, 3) == 0.005
    assert not r.monotone  # rates 0.0028, 0.0026, 0.0063, 0.0079, 0.0263 (not falling)


def test_trend_test_matches_statsmodels_linear_by_linear():
    from statsmodels.stats.contingency_tables import Table

    rng = np.random.default_rng(7)
    order = ["T1", "T2", "T3", "T4"]
    g = ser(rng.choice(order, 300))
    y = ser((rng.random(300) < np.select([g == o for o in order], [0.5, 0.4, 0.3, 0.2])).astype(int))
    r = trend_test(g, y, order=order, variance="hypergeometric", alternative="two-sided")
    x = np.array([y[g == o].sum() for o in order])
    n = np.array([(g == o).sum() for o in order])
    sm = Table(np.column_stack([x, n - x]), shift_zeros=False).test_ordinal_association()
    # statsmodels scores the columns (success=0, failure=1): the sign flips
    assert r.statistic == pytest.approx(-sm.zscore)
    assert r.p_value == pytest.approx(sm.pvalue)
    # binomial variance: Z_binomial = Z_hypergeometric * sqrt(N / (N - 1))
    b = trend_test(g, y, order=order)
    assert b.statistic == pytest.approx(r.statistic * math.sqrt(300 / 299))


def test_trend_test_monotone_flag_skips_empty_groups():
    g = ser(["A"] * 2 + ["B"] * 2 + ["D"] * 2)
    y = ser([1, 1, 1, 0, 0, 0])
    r = trend_test(g, y, order=["A", "B", "C", "D"])
    assert r.monotone  # 1, .5, (C empty), 0
    assert np.isnan(r.rates["C"])
    r2 = trend_test(ser(["A", "A", "B", "B", "C", "C"]), ser([1, 0, 0, 0, 1, 1]), ["A", "B", "C"])
    assert not r2.monotone  # .5, 0, 1


def test_trend_test_errors():
    with pytest.raises(InputError, match="at least two groups"):
        trend_test(ser(["A", "A"]), ser([1, 0]), order=["A", "B"])
    with pytest.raises(InputError, match="both converters"):
        trend_test(ser(["A", "B"]), ser([1, 1]), order=["A", "B"])
    with pytest.raises(InputError, match="scores"):
        trend_test(ser(["A", "B"]), ser([1, 0]), order=["A", "B"], scores=[1])
    with pytest.raises(InputError, match="alternative"):
        trend_test(ser(["A", "B"]), ser([1, 0]), order=["A", "B"], alternative="less")


# ----------------------------------------------------------------------------------
# closed_in_time
# ----------------------------------------------------------------------------------


def test_closed_in_time_hand_case():
    g = ser(["A", "A", "A", "B", "B", "C", "D", "E"])
    w = ser([1, 1, 0, 1, 1, 0, 1, 0])
    d = ser([30, 45, np.nan, 80, 100, np.nan, 10, np.nan])
    t = closed_in_time(g, w, d)
    assert t.index.tolist() == ["A", "B", "C"]  # D, E promise nothing
    assert t["promised_days"].tolist() == [30, 90, 180]
    assert t["n"].tolist() == [3, 2, 1]
    assert t["closed"].tolist() == [2, 2, 0]
    # A: 30 days <= 30 on time, 45 late -> 1 of 3; B: 80 <= 90, 100 late -> 1 of 2
    assert t["closed_in_time"].tolist() == [1, 1, 0]
    assert t["share_closed"].tolist() == pytest.approx([2 / 3, 1.0, 0.0])
    assert t["share_in_time"].tolist() == pytest.approx([1 / 3, 0.5, 0.0])
    lo, hi = wilson_by_hand(1, 3)
    assert (t.loc["A", "ci_low"], t.loc["A", "ci_high"]) == pytest.approx((lo, hi))


def test_closed_in_time_custom_promise_and_empty_grade():
    g = ser(["A", "B"])
    t = closed_in_time(g, ser([1, 1]), ser([40, 40]), promised_months={"A": 2, "Z": 1})
    assert t.index.tolist() == ["A", "Z"]
    assert t.loc["A", "share_in_time"] == 1.0  # 40 <= 60
    assert t.loc["Z", "n"] == 0 and np.isnan(t.loc["Z", "share_in_time"])


def test_closed_in_time_errors():
    with pytest.raises(InputError, match=r"won customer\(s\) have a missing"):
        closed_in_time(ser(["A"]), ser([1]), ser([np.nan]))
    with pytest.raises(InputError, match="negative"):
        closed_in_time(ser(["A"]), ser([1]), ser([-3.0]))
    with pytest.raises(InputError, match=r"`won` has 1 missing"):
        closed_in_time(ser(["A"]), ser([np.nan]), ser([3.0]))
    with pytest.raises(InputError, match="positive months"):
        closed_in_time(ser(["A"]), ser([1]), ser([3.0]), promised_months={"A": 0})


# ----------------------------------------------------------------------------------
# migration_matrix, migration_tests
# ----------------------------------------------------------------------------------


def test_migration_matrix_hand_case():
    prev = pd.Series({"c1": "T1", "c2": "T1", "c3": "T2", "c5": None})
    curr = pd.Series({"c1": "T1", "c2": "T2", "c4": "T2", "c5": "T1"})
    m = migration_matrix(prev, curr, order=["T1", "T2", "T3"])
    assert m.index.tolist() == ["T1", "T2", "T3", "new"]
    assert m.columns.tolist() == ["T1", "T2", "T3", "dropped"]
    expected = np.array(
        [
            [1, 1, 0, 0],  # c1 stays T1, c2 T1 -> T2
            [0, 0, 0, 1],  # c3 dropped
            [0, 0, 0, 0],  # T3 empty but present
            [1, 1, 0, 0],  # c5 (no tier last year) and c4 are new
        ]
    )
    np.testing.assert_array_equal(m.to_numpy(), expected)
    assert m.to_numpy().sum() == 5  # five distinct customers


def test_migration_matrix_errors():
    with pytest.raises(InputError, match=r"'T9'.*not in `order`"):
        migration_matrix(ser(["T1"]), ser(["T9"]), order=["T1"])
    with pytest.raises(InputError, match="must list each tier once"):
        migration_matrix(ser(["T1"]), ser(["T1"]), order=["T1", "new"])


def test_migration_tests_2x2_is_mcnemar():
    # table [[10, 2], [6, 12]]
    # Bowker = McNemar (no continuity correction): (2 - 6)^2 / (2 + 6) = 2.0, df 1
    # Stuart-Maxwell for 2 categories is the same statistic.
    # kappa (linear weights = simple kappa for 2 categories):
    #   po = 22/30; pe = (12*16 + 18*14) / 900 = 444/900; kappa = (po - pe) / (1 - pe)
    t = pd.DataFrame([[10, 2], [6, 12]], index=["T1", "T2"], columns=["T1", "T2"])
    r = migration_tests(t, ["T1", "T2"])
    assert r.loc["bowker_symmetry", "statistic"] == pytest.approx(2.0)
    assert r.loc["bowker_symmetry", "df"] == 1
    assert r.loc["bowker_symmetry", "p_value"] == pytest.approx(stats.chi2.sf(2.0, 1))
    assert r.loc["stuart_maxwell_homogeneity", "statistic"] == pytest.approx(2.0)
    po, pe = 22 / 30, 444 / 900
    assert r.loc["weighted_kappa", "statistic"] == pytest.approx((po - pe) / (1 - pe))
    assert r.loc["weighted_kappa", "ci_low"] < r.loc["weighted_kappa", "statistic"]
    assert r["n"].tolist() == [30, 30, 30]


def test_migration_tests_3x3_hand_bowker_and_weighted_kappa():
    tab = np.array([[10, 2, 1], [4, 8, 3], [0, 1, 5]])
    # Bowker: (2-4)^2/6 + (1-0)^2/1 + (3-1)^2/4 = 2/3 + 1 + 1 = 8/3, df 3
    t = pd.DataFrame(tab, index=list("abc"), columns=list("abc"))
    r = migration_tests(t, list("abc"))
    assert r.loc["bowker_symmetry", "statistic"] == pytest.approx(8 / 3)
    assert r.loc["bowker_symmetry", "df"] == 3
    # linear-weighted kappa, Cohen (1968): agreement weights 1 - |i - j| / 2
    p = tab / tab.sum()
    w = 1 - np.abs(np.subtract.outer(range(3), range(3))) / 2
    po = (w * p).sum()
    pe = (w * np.outer(p.sum(1), p.sum(0))).sum()
    assert r.loc["weighted_kappa", "statistic"] == pytest.approx((po - pe) / (1 - pe))


def test_migration_tests_drop_empty_and_unmoved_tiers():
    # An empty tier and a tier where nobody moved change nothing for Stuart-Maxwell.
    base = pd.DataFrame([[10, 2], [6, 12]], index=["T1", "T2"], columns=["T1", "T2"])
    big = pd.DataFrame(
        [[10, 2, 0, 0], [6, 12, 0, 0], [0, 0, 5, 0], [0, 0, 0, 0]],
        index=["T1", "T2", "T3", "T4"],
        columns=["T1", "T2", "T3", "T4"],
    )
    r = migration_tests(big, ["T1", "T2", "T3", "T4"])
    assert r.loc["stuart_maxwell_homogeneity", "statistic"] == pytest.approx(2.0)
    assert r.loc["stuart_maxwell_homogeneity", "df"] == 1
    assert r.loc["bowker_symmetry", "df"] == 3  # k(k-1)/2 over the 3 non-empty tiers
    assert r.loc["bowker_symmetry", "categories"] == "T1, T2, T3"
    assert migration_tests(base, ["T1", "T2"]).loc["bowker_symmetry", "statistic"] == 2.0


def test_migration_tests_accepts_migration_matrix_and_no_movement():
    prev = ser(["T1", "T1", "T2", "T2"])
    curr = ser(["T1", "T1", "T2", "T2"], index=["c0", "c1", "c2", "c9"])
    r = migration_tests(migration_matrix(prev, curr, ["T1", "T2"]), ["T1", "T2"])
    assert r.loc["bowker_symmetry", "statistic"] == 0.0
    assert r.loc["stuart_maxwell_homogeneity", "p_value"] == 1.0
    assert r.loc["weighted_kappa", "statistic"] == pytest.approx(1.0)
    assert r["n"].tolist() == [3, 3, 3]  # c3 dropped and c9 new are not in the square


def test_migration_tests_errors():
    t = pd.DataFrame([[1, 0], [0, 0]], index=["T1", "T2"], columns=["T1", "T2"])
    with pytest.raises(InputError, match="at least two tiers"):
        migration_tests(t, ["T1", "T2"])
    with pytest.raises(InputError, match=r"missing rows \['T3'\]"):
        migration_tests(t, ["T1", "T2", "T3"])
    with pytest.raises(InputError, match="whole, non-negative"):
        migration_tests(t - 1, ["T1", "T2"])


# ----------------------------------------------------------------------------------
# psi, psi_breakdown, stability_table
# ----------------------------------------------------------------------------------


def test_psi_numeric_hand_case():
    # expected 1..10, 2 quantile bins: edge at the median 5.5 -> shares .5 / .5
    # actual 1 2 3 4 6 7 8 9 10 10 -> shares .4 / .6
    # PSI = (.4-.5) ln(.4/.5) + (.6-.5) ln(.6/.5)
    e = pd.Series(np.arange(1.0, 11))
    a = pd.Series([1.0, 2, 3, 4, 6, 7, 8, 9, 10, 10])
    hand = (0.4 - 0.5) * math.log(0.8) + (0.6 - 0.5) * math.log(1.2)
    assert psi(e, a, bins=2) == pytest.approx(hand)
    b = psi_breakdown(e, a, bins=2)
    assert b.index.tolist() == ["(-inf, 5.5]", "(5.5, inf]"]
    assert b["actual_n"].tolist() == [4, 6]


def test_psi_empty_bin_uses_epsilon():
    # actual all in the lower bin: shares 1 / 0 -> the 0 becomes epsilon = 1e-4
    # PSI = (1 - .5) ln(1/.5) + (1e-4 - .5) ln(1e-4/.5)
    e = pd.Series(np.arange(1.0, 11))
    a = pd.Series([1.0, 2, 3])
    hand = 0.5 * math.log(2) + (1e-4 - 0.5) * math.log(1e-4 / 0.5)
    assert psi(e, a, bins=2) == pytest.approx(hand)
    assert psi(e, a, bins=2, epsilon=1e-3) < psi(e, a, bins=2)


def test_psi_uniform_binning_and_missing_bin():
    # uniform over [0, 10] with 2 bins: edge 5; expected: 0, 4, 10, NaN
    # actual: 6, 7, NaN, NaN -> bins (low, high, missing)
    # e = [.5, .25, .25], a = [0 -> eps, .5, .5]
    e = pd.Series([0.0, 4.0, 10.0, np.nan])
    a = pd.Series([6.0, 7.0, np.nan, np.nan])
    b = psi_breakdown(e, a, bins=2, binning="uniform")
    assert b.index.tolist() == ["(-inf, 5]", "(5, inf]", "missing"]
    assert b["expected_share"].tolist() == [0.5, 0.25, 0.25]
    assert b["actual_share"].tolist() == [0.0, 0.5, 0.5]
    eps = 1e-4
    hand = (eps - 0.5) * math.log(eps / 0.5) + 2 * (0.25 * math.log(2))
    assert psi(e, a, bins=2, binning="uniform") == pytest.approx(hand)


def test_psi_categorical_with_new_category():
    # e: x .5, y .5, z 0 ; a: x .25, y .25, z .5 (z new this year -> e = eps)
    e = pd.Series(["x", "x", "y", "y"])
    a = pd.Series(["x", "y", "z", "z"])
    b = psi_breakdown(e, a)
    assert b.index.tolist() == ["x", "y", "z"]
    eps = 1e-4
    hand = 2 * (-0.25 * math.log(0.5)) + (0.5 - eps) * math.log(0.5 / eps)
    assert psi(e, a) == pytest.approx(hand)


@given(st.lists(st.floats(-1e3, 1e3), min_size=2, max_size=50), st.integers(2, 12))
def test_psi_zero_for_same_distribution_and_nonnegative(values, bins):
    e = pd.Series(values)
    assert psi(e, e, bins=bins) == pytest.approx(0.0, abs=1e-12)
    assert psi(e, e.iloc[: len(e) // 2 + 1] * 2, bins=bins) >= 0


def test_psi_errors():
    with pytest.raises(InputError, match="only missing"):
        psi(pd.Series([np.nan, np.nan]), pd.Series([1.0]))
    with pytest.raises(InputError, match="both be numeric or both categorical"):
        psi(pd.Series([1.0, 2.0]), pd.Series(["a", "b"]))
    with pytest.raises(InputError, match="bins"):
        psi(pd.Series([1.0, 2.0]), pd.Series([1.0]), bins=1)
    with pytest.raises(InputError, match="empty"):
        psi(pd.Series([1.0, 2.0]), pd.Series([], dtype=float))


def test_stability_table_hand_case():
    prev = pd.DataFrame({"size": np.arange(1.0, 11), "region": ["x"] * 5 + ["y"] * 5})
    curr = pd.DataFrame({"size": [1.0, 2, 3, 4, 6, 7, 8, 9, 10, 10], "region": ["x"] * 2 + ["y"] * 8})
    t = stability_table(prev, curr, bins=2)
    size_psi = (0.4 - 0.5) * math.log(0.8) + (0.6 - 0.5) * math.log(1.2)  # 0.0405
    region_psi = (0.2 - 0.5) * math.log(0.4) + (0.8 - 0.5) * math.log(1.6)  # 0.416
    assert t.loc["size", "psi"] == pytest.approx(size_psi)
    assert t.loc["region", "psi"] == pytest.approx(region_psi)
    assert t["reading"].tolist() == ["stable", "major shift"]
    assert t["kind"].tolist() == ["numeric", "categorical"]
    assert t["missing_prev"].tolist() == [0.0, 0.0]
    # thresholds are a parameter; 0.25 itself reads "moderate shift"
    t2 = stability_table(prev, curr, columns=["region"], thresholds=(0.01, 0.5))
    assert t2["reading"].tolist() == ["moderate shift"]


def test_stability_table_errors():
    prev = pd.DataFrame({"a": [1.0, 2.0]})
    with pytest.raises(InputError, match=r"\['b'\] are not in `prev`"):
        stability_table(prev, prev, columns=["b"])
    with pytest.raises(InputError, match="Criterion 'a'"):
        stability_table(prev, pd.DataFrame({"a": ["x", "y"]}))


# ----------------------------------------------------------------------------------
# univariate_auc
# ----------------------------------------------------------------------------------


def test_univariate_auc_hand_case():
    X = pd.DataFrame(
        {
            "size": [9.0, 7, 3, 1],
            "distance": [1.0, 2, 8, 9],
            "gappy": [1.0, np.nan, 0, 0.5],
        },
        index=["c0", "c1", "c2", "c3"],
    )
    y = ser([1, 1, 0, 0])
    t = univariate_auc(X, y, directions={"distance": "cost"})
    assert t.index.tolist() == ["size", "distance", "gappy"]
    assert t["direction"].tolist() == ["benefit", "cost", "benefit"]
    assert t["auc"].tolist() == [1.0, 1.0, 1.0]
    # size: converters 9, 7 (mean 8, var 2); others 3, 1 (mean 2, var 2)
    #       pooled sd = sqrt(2); d = 6 / sqrt(2)
    assert t.loc["size", "cohens_d"] == pytest.approx(6 / math.sqrt(2))
    # distance (cost, negated): -1, -2 vs -8, -9: d = 7 / sqrt(0.5)
    assert t.loc["distance", "cohens_d"] == pytest.approx(7 / math.sqrt(0.5))
    # gappy: c1 missing; converter 1.0 vs 0, 0.5: pooled var = 0.125 / 1
    #        d = (1 - 0.25) / sqrt(0.125)
    assert t.loc["gappy", "cohens_d"] == pytest.approx(0.75 / math.sqrt(0.125))
    assert (t.loc["gappy", "n"], t.loc["gappy", "n_missing"]) == (3, 1)
    assert (t.loc["gappy", "n_pos"], t.loc["gappy", "n_neg"]) == (1, 2)
    # without "cost", distance points the wrong way
    assert univariate_auc(X, y).loc["distance", "auc"] == 0.0


def test_univariate_auc_matches_auc_and_handles_one_class():
    rng = np.random.default_rng(11)
    X = pd.DataFrame({"a": rng.normal(size=40), "b": [np.nan] * 39 + [1.0]})
    y = ser(rng.integers(0, 2, 40))
    X.index = y.index
    t = univariate_auc(X, y)
    r = auc(X["a"], y)
    assert t.loc["a", ["auc", "ci_low", "ci_high"]].tolist() == pytest.approx([r.auc, r.ci_low, r.ci_high])
    assert np.isnan(t.loc["b", "auc"]) and t.loc["b", "n"] == 1


def test_univariate_auc_errors():
    X = pd.DataFrame({"a": [1.0, 2.0]}, index=["c0", "c1"])
    y = ser([1, 0])
    with pytest.raises(InputError, match=r"criteria not in `matrix`: \['z'\]"):
        univariate_auc(X, y, directions={"z": "cost"})
    with pytest.raises(InputError, match="'benefit' or 'cost'"):
        univariate_auc(X, y, directions={"a": "max"})
    with pytest.raises(InputError, match="Criterion 'r' must be numeric"):
        univariate_auc(X.assign(r=["x", "y"]), y)
    with pytest.raises(InputError, match="not aligned"):
        univariate_auc(X, ser([1, 0], index=["c0", "c5"]))


# ----------------------------------------------------------------------------------
# score_comparison
# ----------------------------------------------------------------------------------
def test_score_comparison_hand_computed() -> None:
    """Five customers, two scores. "good" orders them a > b > c > d > e, "flat" reverses.

    AUC of good: converters a, c against b, d, e: a beats 3, c beats 2 → 5/6.
    Top 20 % = 1 customer: good takes a (revenue 60 of 100), flat takes e (0).
    Tiers (T1 = first, T2 = next two, no = rest): good T1 {a} converts 1/1, T2 {b, c} 1/2.
    """
    from prioanalysis.methods.metrics import score_comparison

    idx = list("abcde")
    y = pd.Series([1, 0, 1, 0, 0], index=idx)
    v = pd.Series([60.0, 0.0, 40.0, 0.0, 0.0], index=idx)
    s = pd.DataFrame({"good": [5, 4, 3, 2, 1], "flat": [1, 2, 3, 4, 5]}, index=idx, dtype=float)
    tiers = pd.DataFrame({"good": ["T1", "T2", "T2", "no", "no"], "flat": ["no", "no", "T2", "T2", "T1"]}, index=idx)
    t = score_comparison(s, y, v, tiers=tiers, tier_order=["T1", "T2", "no"], shares=(0.2, 0.6))
    assert list(t.index) == ["good", "flat"] and t.index.name == "weights"
    assert t.loc["good", "auc"] == pytest.approx(5 / 6) and t.loc["flat", "auc"] == pytest.approx(1 / 6)
    assert t.loc["good", "capture_top20"] == pytest.approx(0.6) and t.loc["flat", "capture_top20"] == 0
    assert t.loc["good", "capture_top60"] == pytest.approx(1.0)  # a, b, c
    assert t.loc["good", "top_tier_conversion"] == 1.0 and t.loc["good", "conversion_T2"] == 0.5
    assert t.loc["flat", "conversion_T1"] == 0.0 and t.loc["flat", "top_tier_n"] == 1
    assert t.loc["good", "auc_ci_low"] <= t.loc["good", "auc"] <= t.loc["good", "auc_ci_high"]
    assert (t["n"] == 5).all() and (t["conversions"] == 2).all()
    assert "top_tier_conversion" not in score_comparison(s, y, v).columns


def test_score_comparison_refuses_bad_input() -> None:
    from prioanalysis.methods.metrics import score_comparison

    idx = list("abcd")
    y = pd.Series([1, 0, 1, 0], index=idx)
    v = pd.Series([1.0, 0.0, 1.0, 0.0], index=idx)
    s = pd.DataFrame({"x": [4.0, 3.0, 2.0, 1.0]}, index=idx)
    with pytest.raises(InputError, match="tier_order"):
        score_comparison(s, y, v, tiers=pd.DataFrame({"x": ["T"] * 4}, index=idx))
    with pytest.raises(InputError, match="same columns"):
        score_comparison(s, y, v, tiers=pd.DataFrame({"z": ["T"] * 4}, index=idx), tier_order=["T"])
    with pytest.raises(InputError, match="one column per score"):
        score_comparison(pd.DataFrame(index=idx), y, v)
    with pytest.raises(InputError):
        score_comparison(s, y.iloc[:3], v)
