"""Tests of prioanalysis.methods.tiers: the tier rule and the one tier engine.

The quota and threshold cases are hand-computed (moved from the ranking tests); the
engine is checked against a brute-force reference written here — ranks with
``pandas.Series.rank`` per group and "rank <= cumulative count" — for single lists
and for blocks of draws alike.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from prioanalysis.errors import InputError
from prioanalysis.methods.ranking import rank_and_tier, rank_scores, sort_order
from prioanalysis.methods.tiers import (
    TierRule,
    assign_tiers,
    assign_tiers_quota,
    assign_tiers_threshold,
    cut_keys,
    plan_tiers,
    quota_counts,
    tier_codes,
    tier_labels,
)

NT = "not targeted"


def S(values, index=None) -> pd.Series:
    index = index if index is not None else [f"c{i}" for i in range(len(values))]
    return pd.Series(values, index=index, dtype=float)


# --------------------------------------------------------------------------- quota tiers
NAMES = ["T1", "T2", "T3"]


def test_quota_share_by_hand() -> None:
    r = pd.Series(range(1, 11), index=[f"c{i}" for i in range(1, 11)])
    e = pd.Series(True, index=r.index)
    out = assign_tiers_quota(r, e, NAMES, [0.1, 0.2, 0.3], "share", not_targeted=NT)
    # n = 10: cuts after 1, 1 + 2 = 3 and 3 + 3 = 6 customers
    assert out.tolist() == ["T1", "T2", "T2", "T3", "T3", "T3", NT, NT, NT, NT]


def test_quota_share_rounds_half_up() -> None:
    r = pd.Series(range(1, 11), index=range(10))
    e = pd.Series(True, index=r.index)
    out = assign_tiers_quota(r, e, ["T1"], [0.05], "share", not_targeted=NT)
    # 0.05 × 10 = 0.5 → floor(0.5 + 0.5) = 1
    assert out.tolist().count("T1") == 1
    out = assign_tiers_quota(r.iloc[:9], e.iloc[:9], ["T1"], [0.05], "share", not_targeted=NT)
    # 0.05 × 9 = 0.45 → floor(0.95) = 0
    assert out.tolist().count("T1") == 0


def test_quota_count_per_group_and_eligibility() -> None:
    idx = list("abcdefg")
    g = pd.Series(["x", "x", "x", "x", "y", "y", "y"], index=idx)
    e = pd.Series([True, False, True, True, True, True, True], index=idx)
    # ranks among eligible customers within each group (b is ineligible)
    r = pd.Series([1, 99, 2, 3, 1, 2, 3], index=idx)
    out = assign_tiers_quota(r, e, ["T1", "T2"], [1, 1], "count", g, NT)
    assert out.tolist() == ["T1", NT, "T2", NT, "T1", "T2", NT]


def test_quota_share_counts_only_eligible_customers_of_the_group() -> None:
    idx = [f"c{i}" for i in range(8)]
    g = pd.Series(["x"] * 4 + ["y"] * 4, index=idx)
    e = pd.Series([True, True, False, False, True, True, True, True], index=idx)
    r = pd.Series([1, 2, 0, 0, 1, 2, 3, 4], index=idx)
    out = assign_tiers_quota(r, e, ["T1"], [0.5], "share", g, NT)
    # x: 2 eligible → floor(1 + 0.5) = 1 ; y: 4 eligible → 2
    assert out.tolist() == ["T1", NT, NT, NT, "T1", "T1", NT, NT]


def test_quota_ties_at_a_cut_are_never_split() -> None:
    s = S([0.9, 0.8, 0.8, 0.7, 0.6], index=list("abcde"))
    r = rank_scores(s, "min")  # 1 2 2 4 5
    e = pd.Series(True, index=s.index)
    out = assign_tiers_quota(r, e, ["T1", "T2"], [2, 1], "count", not_targeted=NT)
    # cut after 2: b and c are tied at the cut → both T1; T2 cut after 3 → d is beyond
    assert out.tolist() == ["T1", "T1", "T1", NT, NT]


def test_quota_with_dense_tie_rule_does_not_overflow() -> None:
    """With tie_rule dense, the quota cut must still count customers (dense ranks
    1 1 2 3… would let c in): rank_and_tier uses competition ranks for the cut."""
    from prioanalysis.methods.ranking import rank_and_tier

    s = S([0.9, 0.9, 0.8, 0.7, 0.6, 0.5], index=list("abcdef"))
    e = pd.Series(True, index=s.index)
    seg = pd.Series("x", index=s.index)
    ranked = rank_and_tier(s, seg, e, ["T1"], NT, quota_values=[2], quota_kind="count", tie_rule="dense")
    assert ranked["rank"].tolist() == [1, 1, 2, 3, 4, 5]  # dense ranks are still reported
    out = ranked["tier"]
    # quota 2, filled exactly by the tied pair a, b; c (0.8) is not tied with anyone in T1
    assert out.tolist() == ["T1", "T1", NT, NT, NT, NT]


def test_quota_unknown_kind() -> None:
    r = pd.Series([1])
    with pytest.raises(InputError, match="quota kind"):
        assign_tiers_quota(r, pd.Series([True]), ["T"], [1], "percent")


# --------------------------------------------------------------------------- threshold tiers
def test_threshold_tiers_boundaries() -> None:
    s = S([0.8, 0.7999, 0.5, 0.49, 0.7 - 1e-13, 0.95])
    e = pd.Series([True, True, True, True, True, False], index=s.index)
    out = assign_tiers_threshold(s, e, ["A", "B", "C"], [0.8, 0.7, 0.5], NT)
    # exactly on a threshold → that tier; 0.7 − 1e-13 rounds to 0.7 (10 decimals);
    # an ineligible customer is not targeted whatever its score
    assert out.tolist() == ["A", "B", "C", NT, "B", NT]


# --------------------------------------------------------------------------- properties
def _pipeline_tiers(
    scores: pd.Series, eligible: pd.Series, groups: pd.Series, shares: list[float], rule: str
) -> tuple[pd.Series, pd.Series]:
    """Ranks among eligible customers within groups, then quota tiers (as the pipeline)."""
    er = rank_scores(scores[eligible], rule, None, groups[eligible])
    er = er.reindex(scores.index, fill_value=10**9)
    tiers = assign_tiers_quota(er, eligible, NAMES, shares, "share", groups, NT)
    return er, tiers


@st.composite
def tier_cases(draw):
    n = draw(st.integers(1, 40))
    ids = [f"C{i:03d}" for i in range(n)]
    scores = draw(st.lists(st.integers(0, 6), min_size=n, max_size=n))  # many ties
    eligible = draw(st.lists(st.booleans(), min_size=n, max_size=n))
    groups = draw(st.lists(st.sampled_from(["g1", "g2", "g3"]), min_size=n, max_size=n))
    shares = [
        draw(st.sampled_from([0.0, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.4])),
        draw(st.sampled_from([0.0, 0.05, 0.1, 0.15, 0.2, 0.3])),
        draw(st.sampled_from([0.0, 0.05, 0.1, 0.15, 0.2, 0.3])),
    ]
    perm = draw(st.permutations(range(n)))
    return (
        pd.Series(np.array(scores, dtype=float) / 6, index=ids),
        pd.Series(eligible, index=ids),
        pd.Series(groups, index=ids),
        shares,
        list(perm),
    )


@settings(max_examples=150, deadline=None)
@given(case=tier_cases(), rule=st.sampled_from(["min", "first"]))
def test_property_tier1_never_exceeds_quota_unless_ties(case, rule) -> None:
    scores, eligible, groups, shares, _ = case
    _, tiers = _pipeline_tiers(scores, eligible, groups, shares, rule)
    for g in groups.unique():
        in_g = groups == g
        el_scores = scores[in_g & eligible].sort_values(ascending=False).to_numpy()
        n = len(el_scores)
        q = math.floor(shares[0] * n + 0.5)
        t1 = scores[in_g & (tiers == "T1")]
        assert len(t1) >= min(q, n)
        if len(t1) > q:
            assert rule != "first"  # no shared ranks: the quota is exact
            assert q >= 1
            cut = el_scores[q - 1]
            # every customer beyond the quota is tied with the customer at the cut
            assert (t1.sort_values(ascending=False).to_numpy()[q:] == cut).all()
    # nobody ineligible is ever in a tier
    assert (tiers[~eligible] == NT).all()


@settings(max_examples=150, deadline=None)
@given(case=tier_cases(), rule=st.sampled_from(["min", "dense", "first"]))
def test_property_row_order_does_not_matter(case, rule) -> None:
    scores, eligible, groups, shares, perm = case
    r1, t1 = _pipeline_tiers(scores, eligible, groups, shares, rule)
    p = scores.index[perm]
    r2, t2 = _pipeline_tiers(scores.loc[p], eligible.loc[p], groups.loc[p], shares, rule)
    pd.testing.assert_series_equal(t1, t2.loc[t1.index])
    pd.testing.assert_series_equal(r1, r2.loc[r1.index])
    assert rank_scores(scores, rule).equals(rank_scores(scores.loc[p], rule).loc[scores.index])
    assert list(sort_order(scores)) == list(sort_order(scores.loc[p]))


@settings(max_examples=150, deadline=None)
@given(case=tier_cases(), rule=st.sampled_from(["min", "dense", "first"]))
def test_property_tiers_monotone_in_score_within_group(case, rule) -> None:
    scores, eligible, groups, shares, _ = case
    _, tiers = _pipeline_tiers(scores, eligible, groups, shares, rule)
    level = tiers.map({name: i for i, name in enumerate([*NAMES, NT])})
    for g in groups.unique():
        m = (groups == g) & eligible
        s, lv = scores[m].to_numpy(), level[m].to_numpy()
        better = s[:, None] > s[None, :]
        # a higher-scoring eligible customer never gets a worse (higher) tier level
        assert not (better & (lv[:, None] > lv[None, :])).any()
        if rule != "first":
            same = s[:, None] == s[None, :]
            assert not (same & (lv[:, None] != lv[None, :])).any()


# --------------------------------------------------------------------------- the engine
def _brute_codes(keys: np.ndarray, eligible: np.ndarray, groups: np.ndarray, rule: TierRule) -> np.ndarray:
    """Reference: competition rank among the group's eligible customers against the
    cumulative counts (quota), or the first threshold reached (threshold)."""
    n_tiers = len(rule.names)
    out = np.full(keys.size, n_tiers)
    for g in np.unique(groups):
        m = (groups == g) & eligible
        if not m.any():
            continue
        if rule.scheme == "threshold":
            ok = keys[m][:, None] >= np.asarray(rule.values)[None, :]
            out[m] = np.where(ok.any(axis=1), ok.argmax(axis=1), n_tiers)
            continue
        ranks = pd.Series(keys[m]).rank(method="min", ascending=False).to_numpy()
        n = int(m.sum())
        cum = np.cumsum(rule.values)
        cum = np.floor(cum * n + 0.5) if rule.kind == "share" else cum
        within = ranks[:, None] <= cum[None, :]
        out[m] = np.where(within.any(axis=1), within.argmax(axis=1), n_tiers)
    return out


@settings(max_examples=120, deadline=None)
@given(
    n=st.integers(1, 50),
    draws=st.integers(1, 4),
    seed=st.integers(0, 10_000),
    n_groups=st.integers(1, 4),
    scheme=st.sampled_from(["share", "count", "threshold"]),
    integer_keys=st.booleans(),
)
def test_engine_matches_brute_force_for_lists_and_blocks_of_draws(n, draws, seed, n_groups, scheme, integer_keys):
    rng = np.random.default_rng(seed)
    keys = (rng.integers(0, 5, (draws, n)) / 4) if integer_keys else rng.random((draws, n))
    eligible = rng.random(n) < 0.8
    groups = rng.choice([f"g{g}" for g in range(n_groups)], n)
    if scheme == "threshold":
        rule = TierRule(("A", "B"), "threshold", (0.75, 0.5))
        groups_used = np.zeros(n, dtype=int)
    elif scheme == "share":
        rule = TierRule(("A", "B", "C"), values=tuple(rng.choice([0.0, 0.05, 0.1, 0.3], 3)))
        groups_used = groups
    else:
        rule = TierRule(("A", "B"), values=tuple(rng.integers(0, 4, 2)), kind="count")
        groups_used = groups
    plan = plan_tiers(rule, eligible, groups)
    block = tier_codes(plan, keys)
    assert block.shape == keys.shape
    for d in range(draws):
        expected = _brute_codes(keys[d], eligible, groups_used, rule)
        np.testing.assert_array_equal(block[d], expected)
        # one vector gives the same codes as its row of the block
        np.testing.assert_array_equal(tier_codes(plan, keys[d]), block[d])
    cuts = cut_keys(plan, keys)
    assert cuts.shape == (draws, plan.n_groups + 1, len(rule.names))
    assert np.isinf(cuts[:, -1]).all()  # the ineligible row: nobody reaches a tier
    assert (tier_labels(plan, block)[:, ~eligible] == NT).all()


def test_quota_cut_is_the_m_th_best_key_of_the_group() -> None:
    # group x: keys 5 4 4 1 (eligible), 9 (ineligible); counts 1 and 3
    rule = TierRule(("T1", "T2"), values=(1, 2), kind="count")
    plan = plan_tiers(rule, [True, True, True, True, False, True], ["x", "x", "x", "x", "x", "y"])
    keys = np.array([5.0, 4.0, 4.0, 1.0, 9.0, 2.0])
    cuts = cut_keys(plan, keys)
    assert cuts[0].tolist() == [5.0, 4.0]  # the 1st and 3rd best of x
    assert cuts[1].tolist() == [2.0, 2.0]  # y's one customer: the counts are clipped to 1
    codes = tier_codes(plan, keys, cuts)
    assert tier_labels(plan, codes).tolist() == ["T1", "T2", "T2", NT, NT, "T1"]


def test_rank_and_tier_ties_share_the_tier_but_first_splits_them() -> None:
    s = S([0.9, 0.8, 0.8, 0.7], index=list("abcd"))
    seg = pd.Series("x", index=s.index)
    e = pd.Series(True, index=s.index)
    tb = pd.DataFrame({"deal": [1.0, 1.0, 2.0, 1.0]}, index=s.index)
    common = {"quota_values": [2], "quota_kind": "count", "tie_breakers": tb}
    assert rank_and_tier(s, seg, e, ["T"], NT, tie_rule="min", **common)["tier"].tolist() == ["T", "T", "T", NT]
    # first: c wins the tie on the breaker, so b is beyond the quota of 2
    assert rank_and_tier(s, seg, e, ["T"], NT, tie_rule="first", **common)["tier"].tolist() == ["T", NT, "T", NT]


def test_quota_counts_round_the_running_total() -> None:
    # shares 0.05, 0.15, 0.30 of 30: running totals 1.5, 6, 15 → 2, 6, 15
    assert quota_counts([30], [0.05, 0.15, 0.30]).tolist() == [[2, 6, 15]]
    assert quota_counts([0], [0.5]).tolist() == [[0]]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"names": ()}, "at least one"),
        ({"names": ("A", "A"), "values": (0.1, 0.1)}, "unique"),
        ({"names": ("A",), "values": (0.1,), "not_targeted": "A"}, "differ from"),
        ({"names": ("A",), "values": (0.1,), "scheme": "ladder"}, "unknown tier scheme"),
        ({"names": ("A",), "values": (0.1,), "kind": "percent"}, "quota kind"),
        ({"names": ("A",), "values": (0.1, 0.2)}, "1 finite quota values"),
        ({"names": ("A",), "values": (math.nan,)}, "finite"),
        ({"names": ("A", "B"), "values": (0.6, 0.5)}, "at most 1"),
        ({"names": ("A",), "values": (-1,), "kind": "count"}, "non-negative"),
        ({"names": ("A", "B"), "values": (0.2, 0.5), "scheme": "threshold"}, "descending"),
    ],
)
def test_bad_rules_are_refused(kwargs, message) -> None:
    with pytest.raises(InputError, match=message):
        TierRule(**kwargs)


def test_plan_needs_a_size_and_matching_lengths() -> None:
    rule = TierRule(("A",), values=(0.5,))
    with pytest.raises(InputError, match="number of customers"):
        plan_tiers(rule)
    with pytest.raises(InputError, match="customers"):
        tier_codes(plan_tiers(rule, n=3), np.zeros(4))
    assert plan_tiers(rule, n=3).describe() == {
        "names": ["A"],
        "shares": [0.5],
        "not_targeted": NT,
        "eligible": 3,
        "by": "all",
    }


def test_assign_tiers_aligns_on_the_index() -> None:
    keys = S([0.9, 0.1, 0.5], index=list("abc"))
    eligible = pd.Series([True, False, True], index=list("cba"))  # another order
    out = assign_tiers(keys, TierRule(("A",), "threshold", (0.4,)), eligible)
    assert out.tolist() == ["A", NT, "A"]
    with pytest.raises(InputError, match="no value"):
        assign_tiers(keys, TierRule(("A",), "threshold", (0.4,)), eligible.iloc[:2])


def test_a_missing_group_is_a_group_of_its_own() -> None:
    rule = TierRule(("T",), values=(1,), kind="count")
    plan = plan_tiers(rule, groups=np.array(["a", None, "a", None], dtype=object))
    codes = tier_codes(plan, np.array([0.9, 0.5, 0.1, 0.7]))
    assert tier_labels(plan, codes).tolist() == ["T", NT, NT, "T"]
