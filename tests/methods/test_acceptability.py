"""Tests of prioanalysis.methods.acceptability: SMAA-2 rank acceptability, AHP judgement draws,
review flags and weight drivers (the kernels; the robustness step on the sample data,
the tier spec of run.yaml and the missing-value policy sensitivity are tested in
``tests/steps/test_robustness.py``).

Expectations are hand-computed (in the comment beside them) or come from an
independent brute-force implementation written here: one call of the public
:func:`prioanalysis.methods.scoring.score` per weight draw, ``pandas.Series.rank`` for the
ranks, ``numpy.quantile(method="inverted_cdf")`` for the quantiles and
:func:`prioanalysis.methods.ranking.rank_and_tier` for the tiers.
"""

from __future__ import annotations

import itertools
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from prioanalysis.errors import InputError
from prioanalysis.inputs.judgements import load_judgements
from prioanalysis.methods import ranking, scoring, tiers, weights
from prioanalysis.methods.acceptability import (
    AcceptabilityResult,
    _base_tiers,
    _parse_tiers,
    _prepare,
    _rank_row,
    _score_draws,
    ahp_weight_draws,
    constrained_weight_draws,
    draw_weights,
    rank_acceptability,
    review_flags,
    weight_drivers,
)
from tests.conftest import PARAMS_SRC

SETTINGS = settings(max_examples=40, deadline=None)


# ----------------------------------------------------------------------------------
# Helpers: random lists and the brute-force reference
# ----------------------------------------------------------------------------------


def random_list(n: int, k: int, seed: int, ties: bool = False) -> tuple[pd.DataFrame, dict]:
    """n customers x k criteria (positive values), directions alternating benefit/cost."""
    rng = np.random.default_rng(seed)
    values = rng.integers(1, 4, size=(n, k)).astype(float) if ties else rng.gamma(2.0, 10.0, size=(n, k))
    cols = [f"k{j}" for j in range(k)]
    matrix = pd.DataFrame(values, index=[f"c{i:02d}" for i in range(n)], columns=cols)
    directions = {c: ("cost" if j % 3 == 2 else "benefit") for j, c in enumerate(cols)}
    return matrix, directions


def reference(matrix, directions, draws, method="weighted_sum", normalization=None, tiers=None, top_k=3):
    """Brute force: score each draw with the public API and rank with pandas."""
    n, d = len(matrix), len(draws)
    ranks = np.empty((d, n), dtype=int)
    tier_rows = []
    for i, w in enumerate(draws.to_numpy()):
        weights_i = dict(zip(matrix.columns, w, strict=True))
        s = scoring.score(matrix, weights_i, directions, method, normalization).scores.round(10)
        ranks[i] = s.rank(method="min", ascending=False).astype(int).to_numpy()
        if tiers is not None:
            eligible = tiers.get("eligible", pd.Series(True, index=matrix.index))
            groups = tiers.get("groups", pd.Series("all", index=matrix.index))
            tier_rows.append(
                ranking.rank_and_tier(
                    s,
                    groups,
                    eligible,
                    tiers["names"],
                    "not targeted",
                    quota_values=tiers["shares"],
                    quota_by="segment" if "groups" in tiers else "all",
                )["tier"].to_numpy()
            )
    acc = np.stack([(ranks == r).mean(axis=0) for r in range(1, n + 1)], axis=1)
    out = {
        "ranks": ranks,
        "acceptability": acc,
        "median": np.quantile(ranks, 0.5, axis=0, method="inverted_cdf"),
        "p05": np.quantile(ranks, 0.05, axis=0, method="inverted_cdf"),
        "p95": np.quantile(ranks, 0.95, axis=0, method="inverted_cdf"),
        "mean": ranks.mean(axis=0),
        "top": (ranks <= top_k).mean(axis=0),
    }
    first = ranks == 1
    with np.errstate(invalid="ignore"):
        out["central"] = (first.T.astype(float) @ draws.to_numpy()) / first.sum(axis=0)[:, None]
    if tier_rows:
        out["tiers"] = np.stack(tier_rows)
    return out


# ----------------------------------------------------------------------------------
# Kernels
# ----------------------------------------------------------------------------------


@SETTINGS
@given(
    n=st.integers(2, 30),
    k=st.integers(1, 5),
    seed=st.integers(0, 10_000),
    method=st.sampled_from(["weighted_sum", "topsis"]),
    norm=st.sampled_from([None, "minmax", "vector"]),
    ties=st.booleans(),
)
def test_score_draws_match_the_public_scorers(n, k, seed, method, norm, ties):
    """One matrix product per chunk gives the scores of scoring.score, draw by draw
    (for TOPSIS through the identity D+^2 = (w^2) . (r - r+)^2)."""
    matrix, directions = random_list(n, k, seed, ties)
    draws = draw_weights(matrix.columns, None, 7, seed)
    prep, _ = _prepare(matrix, directions, method, norm)
    got = _score_draws(prep, draws.to_numpy())
    for i, w in enumerate(draws.to_numpy()):
        expected = scoring.score(matrix, dict(zip(matrix.columns, w, strict=True)), directions, method, norm)
        np.testing.assert_allclose(got[i], expected.scores.to_numpy(), rtol=1e-12, atol=1e-12)


@SETTINGS
@given(st.lists(st.integers(0, 6), min_size=1, max_size=60))
def test_rank_row_is_the_min_rank(values):
    row = np.asarray(values, dtype=float)
    ranks = np.empty(row.size, dtype=np.int32)
    order, sorted_values, sorted_ranks = _rank_row(row, ranks, np.arange(1, row.size + 1, dtype=np.int32))
    expected = pd.Series(row).rank(method="min", ascending=False).astype(int).to_numpy()
    np.testing.assert_array_equal(ranks, expected)
    np.testing.assert_array_equal(sorted_values, np.sort(row)[::-1])
    np.testing.assert_array_equal(sorted_ranks, ranks[order])


@SETTINGS
@given(
    n=st.integers(1, 60),
    seed=st.integers(0, 10_000),
    shares=st.lists(st.sampled_from([0.0, 0.05, 0.1, 0.2, 0.3]), min_size=1, max_size=3),
    n_groups=st.integers(1, 4),
    integer_scores=st.booleans(),
)
def test_quota_tiers_of_the_draws_match_rank_and_tier(n, seed, shares, n_groups, integer_scores):
    """The draws' tiers (the tier engine through the tiers spec) are exactly the tiers
    of prioanalysis.methods.ranking.rank_and_tier, ties and gates included."""
    rng = np.random.default_rng(seed)
    index = pd.Index([f"c{i}" for i in range(n)])
    raw = rng.integers(0, 5, n) if integer_scores else rng.random(n)
    scores = pd.Series(raw.astype(float), index=index)
    groups = pd.Series(rng.choice([f"g{g}" for g in range(n_groups)], n), index=index)
    eligible = pd.Series(rng.random(n) < 0.8, index=index)
    names = [f"T{t}" for t in range(len(shares))]
    spec = {"names": names, "shares": shares, "groups": groups, "eligible": eligible}
    plan = _parse_tiers(spec, index)
    _, codes, _ = _base_tiers(plan, scores.to_numpy(), index)
    got = np.asarray([*names, "not targeted"], dtype=object)[codes]
    expected = ranking.rank_and_tier(scores, groups, eligible, names, quota_values=shares)["tier"]
    assert got.tolist() == expected.tolist()


def test_threshold_tiers_match_assign_tiers_threshold():
    scores = pd.Series([0.9, 0.8, 0.5, 0.49, 0.1], index=list("abcde"))
    eligible = pd.Series([True, True, True, True, False], index=scores.index)
    spec = {"names": ["A", "B"], "thresholds": [0.8, 0.5], "eligible": eligible}
    res = rank_acceptability(
        scores.to_frame("x"),
        {"x": "benefit"},
        weight_draws=np.ones((3, 1)),
        tiers=spec,
        normalization="max",
    )
    # max normalization: x / 0.9 -> 1, 0.889, 0.556, 0.544, 0.111
    expected = tiers.assign_tiers_threshold(scores / 0.9, eligible, ["A", "B"], [0.8, 0.5])
    assert res.summary["base_tier"].tolist() == expected.tolist() == ["A", "A", "B", "B", "not targeted"]
    assert (res.summary["p_keep_tier"] == 1.0).all()


# ----------------------------------------------------------------------------------
# rank_acceptability: hand-computed cases
# ----------------------------------------------------------------------------------


def test_two_customers_hand_computed():
    """a is best on x, b on y (min-max: a = (1, 0), b = (0, 1)); a's score is w_x."""
    m = pd.DataFrame({"x": [1.0, 0.0], "y": [0.0, 1.0]}, index=["a", "b"])
    draws = pd.DataFrame({"x": [0.7, 0.2, 0.6, 0.5], "y": [0.3, 0.8, 0.4, 0.5]})
    res = rank_acceptability(m, {"x": "benefit", "y": "benefit"}, weight_draws=draws, top_k=1)
    assert isinstance(res, AcceptabilityResult) and res.draws == 4
    # draws 1, 3: a first; draw 2: b first; draw 4: tie, both rank 1 (min rule)
    assert res.acceptability.loc["a"].tolist() == [0.75, 0.25]
    assert res.acceptability.loc["b"].tolist() == [0.5, 0.5]
    # central weights: a first in draws 1, 3, 4 -> mean (0.6, 0.4); b in 2, 4 -> (0.35, 0.65)
    np.testing.assert_allclose(res.central_weights.loc["a"], [0.6, 0.4])
    np.testing.assert_allclose(res.central_weights.loc["b"], [0.35, 0.65])
    # base weights = mean of the given draws (0.5, 0.5): a tie, both rank 1
    assert res.summary["base_rank"].tolist() == [1, 1]
    assert res.summary["p_top_k"].tolist() == [0.75, 0.5]
    assert res.summary["mean_rank"].tolist() == [1.25, 1.5]
    assert res.params["weights_source"] == "given draws" and res.params["seed"] is None


def test_dominated_customer_is_never_first():
    m = pd.DataFrame({"x": [3.0, 2.0, 1.0], "y": [3.0, 1.0, 2.0]}, index=["top", "mid", "low"])
    res = rank_acceptability(m, {"x": "benefit", "y": "benefit"}, n_draws=300, seed=3)
    assert res.acceptability.loc["top", 1] == 1.0
    assert res.acceptability.loc[["mid", "low"], 1].tolist() == [0.0, 0.0]
    assert res.central_weights.loc[["mid", "low"]].isna().all().all()
    # mid beats low exactly when w_x > w_y (a half of uniform draws)
    assert abs(res.acceptability.loc["mid", 2] - 0.5) < 0.1


@pytest.mark.parametrize("method", ["weighted_sum", "topsis"])
def test_matches_brute_force_reference_with_quota_tiers(method):
    matrix, directions = random_list(14, 4, seed=7)
    rng = np.random.default_rng(1)
    groups = pd.Series(rng.choice(["g1", "g2"], 14), index=matrix.index)
    eligible = pd.Series(rng.random(14) < 0.85, index=matrix.index)
    tiers = {"names": ["S", "K"], "shares": [0.2, 0.3], "groups": groups, "eligible": eligible}
    base = {"k0": 0.4, "k1": 0.3, "k2": 0.2, "k3": 0.1}
    draws = draw_weights(matrix.columns, base, 37, seed=5, concentration=20)  # q * 37 never whole
    res = rank_acceptability(matrix, directions, base, method, weight_draws=draws, tiers=tiers, top_k=3, chunk_size=7)
    ref = reference(matrix, directions, draws, method, tiers=tiers, top_k=3)
    s = res.summary
    np.testing.assert_allclose(res.acceptability.to_numpy(), ref["acceptability"])
    np.testing.assert_array_equal(s["median_rank"], ref["median"])
    np.testing.assert_array_equal(s["rank_p05"], ref["p05"])
    np.testing.assert_array_equal(s["rank_p95"], ref["p95"])
    np.testing.assert_allclose(s["mean_rank"], ref["mean"])
    np.testing.assert_allclose(s["p_top_k"], ref["top"])
    np.testing.assert_allclose(res.central_weights.to_numpy(), ref["central"], equal_nan=True)
    for name in ["S", "K", "not targeted"]:
        np.testing.assert_allclose(s[f"p_{name}"], (ref["tiers"] == name).mean(axis=0))
    # base tier and rank: the pipeline's functions on the base weights
    base_scores = scoring.score(matrix, base, directions, method).scores.round(10)
    expected_tier = ranking.rank_and_tier(base_scores, groups, eligible, ["S", "K"], quota_values=[0.2, 0.3])
    assert s["base_tier"].tolist() == expected_tier["tier"].tolist()
    assert s["base_rank"].tolist() == expected_tier["rank"].tolist()
    keep = (ref["tiers"] == s["base_tier"].to_numpy()[None, :]).mean(axis=0)
    np.testing.assert_allclose(s["p_keep_tier"], keep)


def test_callable_tier_rule_matches_the_quota_spec():
    matrix, directions = random_list(12, 3, seed=2)
    groups = pd.Series(["a", "b"] * 6, index=matrix.index)
    spec = {"names": ["S", "K"], "shares": [0.2, 0.4], "groups": groups}

    def tier_fn(scores: pd.Series) -> pd.Series:
        out = ranking.rank_and_tier(
            scores, groups, pd.Series(True, index=scores.index), ["S", "K"], quota_values=[0.2, 0.4]
        )["tier"]
        return out.astype(pd.CategoricalDtype(["S", "K", "not targeted"]))

    a = rank_acceptability(matrix, directions, n_draws=50, seed=4, tiers=spec).summary
    b = rank_acceptability(matrix, directions, n_draws=50, seed=4, tiers=tier_fn).summary
    pd.testing.assert_frame_equal(a, b)


def test_callable_that_invents_new_tiers_is_refused():
    matrix, directions = random_list(6, 2, seed=2)
    calls = iter(range(100))

    def fickle(scores: pd.Series) -> pd.Series:
        return pd.Series(f"tier{next(calls)}", index=scores.index)

    with pytest.raises(InputError, match="did not return for the base weights"):
        rank_acceptability(matrix, directions, n_draws=3, tiers=fickle)


# ----------------------------------------------------------------------------------
# rank_acceptability: large lists, precision, determinism
# ----------------------------------------------------------------------------------


def test_binned_histogram_quantiles_are_within_one_bin():
    matrix, directions = random_list(60, 4, seed=11)
    draws = draw_weights(matrix.columns, None, 80, seed=2)
    res = rank_acceptability(matrix, directions, weight_draws=draws, full_matrix_max=10, rank_bins=8, top_k=5)
    width = res.params["rank_bin_width"]
    assert width == 8 and res.params["rank_bins"] == 8  # ceil(60 / 8) = 8 ranks per bin
    assert res.acceptability is None and res.central_weights is None
    ref = reference(matrix, directions, draws, top_k=5)
    s = res.summary
    for col, key in (("median_rank", "median"), ("rank_p05", "p05"), ("rank_p95", "p95")):
        err = np.abs(s[col].to_numpy() - ref[key])
        assert err.max() < width
        # and the estimate stays in the bin of the exact quantile
        assert ((s[col].to_numpy() - 1) // width == (ref[key] - 1) // width).all()
    np.testing.assert_allclose(s["mean_rank"], ref["mean"])  # exact whatever the bins
    np.testing.assert_allclose(s["p_top_k"], ref["top"])


def test_histogram_memory_cap_lowers_the_bins():
    matrix, directions = random_list(300, 3, seed=1)
    # 300 customers x 2 bytes: a 0.01 MiB cap leaves room for 17 bins
    res = rank_acceptability(matrix, directions, n_draws=20, histogram_mb=0.01)
    assert res.params["rank_bins"] == 17 and res.params["rank_bin_width"] == 18
    assert res.summary["rank_p95"].between(1, 300).all()


def test_results_do_not_depend_on_the_chunk_size_and_follow_the_seed():
    matrix, directions = random_list(40, 3, seed=5)
    spec = {"names": ["S"], "shares": [0.25]}
    a = rank_acceptability(matrix, directions, n_draws=90, seed=1, tiers=spec, chunk_size=1)
    b = rank_acceptability(matrix, directions, n_draws=90, seed=1, tiers=spec, chunk_size=64)
    c = rank_acceptability(matrix, directions, n_draws=90, seed=2, tiers=spec)
    pd.testing.assert_frame_equal(a.summary, b.summary)
    pd.testing.assert_frame_equal(a.acceptability, b.acceptability)
    assert not a.weight_draws.equals(c.weight_draws)


@SETTINGS
@given(n=st.integers(2, 25), k=st.integers(2, 4), seed=st.integers(0, 1000), ties=st.booleans())
def test_acceptability_properties(n, k, seed, ties):
    matrix, directions = random_list(n, k, seed, ties)
    spec = {"names": ["S", "K"], "shares": [0.2, 0.3]}
    res = rank_acceptability(matrix, directions, n_draws=25, seed=seed, tiers=spec, top_k=2)
    acc = res.acceptability.to_numpy()
    np.testing.assert_allclose(acc.sum(axis=1), 1.0)  # every customer has one rank per draw
    if not ties:  # continuous data: no ties, every rank held by exactly one customer
        np.testing.assert_allclose(acc.sum(axis=0), 1.0)
    s = res.summary
    assert (s["rank_p05"] <= s["median_rank"]).all() and (s["median_rank"] <= s["rank_p95"]).all()
    np.testing.assert_allclose(s[["p_S", "p_K", "p_not targeted"]].sum(axis=1), 1.0)
    assert s["p_keep_tier"].between(0, 1).all() and s["p_top_k"].between(0, 1).all()
    # the mean rank read off the acceptability matrix
    np.testing.assert_allclose(acc @ np.arange(1, n + 1), s["mean_rank"])


def test_concentration_tightens_the_draws():
    cols = ["a", "b", "c"]
    w = {"a": 0.5, "b": 0.3, "c": 0.2}
    loose = draw_weights(cols, w, 4000, seed=1, concentration=10)
    tight = draw_weights(cols, w, 4000, seed=1, concentration=1000)
    # sd of a weight = sqrt(w (1 - w) / (c + 1)): 0.151 and 0.0158 for w = 0.5
    assert abs(loose["a"].std() - np.sqrt(0.25 / 11)) < 0.01
    assert abs(tight["a"].std() - np.sqrt(0.25 / 1001)) < 0.002
    np.testing.assert_allclose(tight.mean(), [0.5, 0.3, 0.2], atol=0.002)
    # uniform draws on the simplex: each weight has mean 1/3
    uniform = draw_weights(cols, None, 4000, seed=1)
    np.testing.assert_allclose(uniform.mean(), 1 / 3, atol=0.015)
    # a zero weight stays zero
    assert (draw_weights(cols, {"a": 0.6, "b": 0.4, "c": 0.0}, 50)["c"] == 0).all()


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"n_draws": 0}, "n_draws"),
        ({"concentration": 5.0}, "concentration sets the spread"),
        ({"weights": {"x": 0.5, "y": 0.6}}, "sum to"),
        ({"method": "electre"}, "unknown scoring method"),
        ({"weight_draws": np.ones((3, 2))}, "must sum to 1"),
        ({"weight_draws": np.full((3, 3), 1 / 3)}, "shape"),
        ({"tiers": {"names": ["S"]}}, "exactly one of"),
        ({"tiers": {"names": ["S"], "shares": [0.5, 0.2]}}, "1 finite numbers"),
        ({"tiers": {"names": ["S"], "shares": [1.5]}}, "at most 1"),
        ({"tiers": {"names": ["S"], "share": [0.1]}}, "unknown keys"),
        ({"tiers": {"names": ["S"], "shares": [0.5], "groups": [1, 2]}}, "pandas Series"),
        ({"top_k": 0}, "top_k"),
        ({"histogram_mb": -1}, "histogram_mb"),
    ],
)
def test_bad_arguments_raise_readable_errors(kwargs, message):
    m = pd.DataFrame({"x": [1.0, 2.0], "y": [2.0, 1.0]}, index=["a", "b"])
    with pytest.raises(InputError, match=message):
        rank_acceptability(m, {"x": "benefit", "y": "cost"}, **kwargs)


def test_nan_in_the_matrix_is_refused():
    m = pd.DataFrame({"x": [1.0, np.nan]})
    with pytest.raises(InputError, match="missing-value policy"):
        rank_acceptability(m, {"x": "benefit"})


# ----------------------------------------------------------------------------------
# AHP judgement draws
# ----------------------------------------------------------------------------------


def test_ahp_draws_of_one_judgement_hand_computed():
    # growth vs deal_size = 3 moves to 2, 3 or 4: growth weight a / (a + 1)
    draws = ahp_weight_draws({"growth vs deal_size": 3}, n_draws=6000, seed=2)
    assert list(draws.columns) == ["growth", "deal_size"]
    freq = draws["growth"].round(6).value_counts(normalize=True).sort_index()
    assert freq.index.tolist() == [round(2 / 3, 6), 0.75, 0.8]
    np.testing.assert_allclose(freq.to_numpy(), 1 / 3, atol=0.025)
    np.testing.assert_allclose(draws.sum(axis=1), 1.0)


def test_ahp_draws_stop_at_the_end_of_the_scale():
    # 9 can only move down to 8: weights 9/10 (two moves of three) and 8/9
    draws = ahp_weight_draws({"a vs b": 9}, n_draws=6000, seed=1)
    freq = draws["a"].round(6).value_counts(normalize=True).sort_index()
    assert freq.index.tolist() == [round(8 / 9, 6), 0.9]
    np.testing.assert_allclose(freq.to_numpy(), [1 / 3, 2 / 3], atol=0.025)
    # 1/2 vs 1/9 scale positions: "1/2" moves to 1/3, 1/2 or 1
    b = ahp_weight_draws({"a vs b": "1/2"}, n_draws=3000, seed=1)["a"].round(6).unique()
    assert sorted(b.tolist()) == [0.25, round(1 / 3, 6), 0.5]


def test_ahp_hierarchy_draws_are_the_weights_of_perturbed_hierarchies():
    spec = {
        "families": {"attractiveness vs feasibility": 2},
        "criteria": {"attractiveness": {"it_budget vs growth": 3}, "feasibility": {"credit vs distance": "1/4"}},
    }
    draws = ahp_weight_draws(spec, n_draws=2700, seed=3)
    # every combination of the three moved judgements, through ahp_hierarchy itself
    neighbours = {2: [1, 2, 3], 3: [2, 3, 4], 0.25: [1 / 5, 1 / 4, 1 / 3]}
    expected = []
    for f, a, c in itertools.product(neighbours[2], neighbours[3], neighbours[0.25]):
        moved = {
            "families": {"attractiveness vs feasibility": f},
            "criteria": {"attractiveness": {"it_budget vs growth": a}, "feasibility": {"credit vs distance": c}},
        }
        expected.append(weights.ahp_hierarchy(moved, tolerance=0.05).weights[draws.columns].to_numpy())
    expected = np.round(np.array(expected), 9)
    got = np.round(draws.to_numpy(), 9)
    seen = {tuple(r) for r in got}
    assert seen == {tuple(r) for r in expected}  # all 27 and nothing else
    counts = pd.Series([tuple(r) for r in got]).value_counts()
    assert counts.min() > 2700 / 27 * 0.6


def test_ahp_draws_with_step_zero_are_the_ahp_weights():
    data = load_judgements(PARAMS_SRC / "judgements.yaml")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", weights.InconsistencyWarning)
        group = weights.ahp_group(data["judges"])
        one = weights.ahp_hierarchy(data["judges"]["张伟 (BU VP)"])
    still = ahp_weight_draws(data, n_draws=5, step=0)
    np.testing.assert_allclose(still.to_numpy(), np.tile(group.weights.to_numpy(), (5, 1)), atol=1e-10)
    assert list(still.columns) == list(group.weights.index)
    single = ahp_weight_draws(data["judges"]["张伟 (BU VP)"], n_draws=3, step=0)
    np.testing.assert_allclose(single.to_numpy()[0], one.weights.to_numpy(), atol=1e-10)
    frame = one.results["criteria.feasibility"].matrix
    np.testing.assert_allclose(
        ahp_weight_draws(frame, n_draws=2, step=0).to_numpy()[1],
        one.results["criteria.feasibility"].weights.to_numpy(),
        atol=1e-10,
    )


def test_ahp_draws_with_a_skipped_pair_hand_computed():
    """A judge who skipped ``a vs c``: only the judged pairs move, and every draw is
    completed by Harker's (1987) method.  With ``a vs b = x`` and ``b vs c = y`` the
    judged pairs form a spanning tree, so Harker's completion is consistent,
    ``a_ac = x y``, and the weights are ``(x y, y, 1) / (x y + y + 1)``: 9 draws for
    x, y in {1, 2, 3}, each about 1/9 of the time."""
    draws = ahp_weight_draws({"a vs b": 2, "b vs c": 2, "a vs c": None}, n_draws=9000, seed=4)
    expected = {tuple(np.round(np.array([x * y, y, 1.0]) / (x * y + y + 1), 9)) for x in (1, 2, 3) for y in (1, 2, 3)}
    got = [tuple(r) for r in np.round(draws[["a", "b", "c"]].to_numpy(), 9)]
    assert set(got) == expected
    np.testing.assert_allclose(pd.Series(got).value_counts(normalize=True).to_numpy(), 1 / 9, atol=0.02)
    # step 0: the point estimate of weights.ahp on the incomplete matrix (4, 2, 1) / 7
    still = ahp_weight_draws({"a vs b": 2, "b vs c": 2, "a vs c": None}, n_draws=2, step=0)
    np.testing.assert_allclose(still.to_numpy(), [[4 / 7, 2 / 7, 1 / 7]] * 2, atol=1e-12)


def test_ahp_group_draws_with_a_skipped_pair_follow_the_group_aggregate():
    """Two judges, B skipped ``a vs c``: each cell of the combined matrix is the
    geometric mean over the judges who judged it (as weights.aggregate_judges), so
    ``a vs c`` is A's judgement alone; with both skipping it, Harker completes it.
    Step 0 gives ahp_group's weights; with step 1 every draw equals ahp_group on the
    judgements moved (checked on all 3^5 combinations of the five judged cells)."""
    judges = {
        "A": {"criteria": {"f": {"a vs b": 3, "b vs c": 2, "a vs c": 4}}},
        "B": {"criteria": {"f": {"a vs b": 2, "b vs c": 1, "a vs c": None}}},
    }
    group = weights.ahp_group(judges)
    still = ahp_weight_draws({"judges": judges}, n_draws=3, step=0)
    np.testing.assert_allclose(still.to_numpy(), np.tile(group.weights.to_numpy(), (3, 1)), atol=1e-12)
    both = {k: {"criteria": {"f": {**v["criteria"]["f"], "a vs c": None}}} for k, v in judges.items()}
    np.testing.assert_allclose(
        ahp_weight_draws({"judges": both}, n_draws=2, step=0).to_numpy()[0],
        weights.ahp_group(both).weights.to_numpy(),
        atol=1e-12,
    )
    draws = ahp_weight_draws({"judges": judges}, n_draws=3000, seed=5)
    neighbour = {1: [0.5, 1, 2], 2: [1, 2, 3], 3: [2, 3, 4], 4: [3, 4, 5]}
    expected = set()
    for ab, bc, ac, ab2, bc2 in itertools.product(neighbour[3], neighbour[2], neighbour[4], neighbour[2], neighbour[1]):
        moved = {
            "A": {"criteria": {"f": {"a vs b": ab, "b vs c": bc, "a vs c": ac}}},
            "B": {"criteria": {"f": {"a vs b": ab2, "b vs c": bc2, "a vs c": None}}},
        }
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", weights.InconsistencyWarning)
            expected.add(tuple(np.round(weights.ahp_group(moved).weights[draws.columns].to_numpy(), 9)))
    got = {tuple(r) for r in np.round(draws.to_numpy(), 9)}
    assert got == expected  # every combination is drawn (3000 draws, 3^5 = 243 combinations)


def test_ahp_draws_on_the_sample_file_with_its_skipping_judge():
    """params/2026/judgements.yaml has a judge (陈静) who skipped growth vs strategic_fit:
    the draws run (no "not on Saaty's scale" for the completed cell) and centre on the
    group weights."""
    data = load_judgements(PARAMS_SRC / "judgements.yaml")
    skipper = "陈静 (regional sales director)"
    assert data["judges"][skipper]["criteria"]["attractiveness"]["growth vs strategic_fit"] is None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", weights.InconsistencyWarning)
        group = weights.ahp_group(data["judges"])
    draws = ahp_weight_draws(data, n_draws=400, seed=2)
    np.testing.assert_allclose(draws.sum(axis=1), 1.0)
    assert (draws.std() > 0).all()
    np.testing.assert_allclose(draws.median(), group.weights[draws.columns], atol=0.03)
    alone = ahp_weight_draws(data["judges"][skipper], n_draws=50, seed=3)
    assert alone.notna().all().all() and alone["growth"].std() > 0


def test_ahp_draws_refuse_judgements_off_the_scale():
    with pytest.raises(InputError, match="Saaty"):
        ahp_weight_draws(pd.DataFrame([[1, 2.5], [0.4, 1]], index=["a", "b"], columns=["a", "b"]))
    with pytest.raises(InputError, match="judgements must be"):
        ahp_weight_draws([[1, 2], [0.5, 1]])  # type: ignore[arg-type]


# ----------------------------------------------------------------------------------
# Review flags and weight drivers
# ----------------------------------------------------------------------------------


def test_review_flags():
    p = pd.Series([1.0, 0.8, 0.79, np.nan, 0.0], index=list("abcde"))
    assert review_flags(p).tolist() == ["", "", "review", "", "review"]
    assert review_flags(p, threshold=0.0).tolist() == ["", "", "", "", ""]
    assert review_flags(p).name == "review"
    with pytest.raises(InputError, match="probability"):
        review_flags(p, threshold=80)


def test_weight_drivers_find_the_criterion_that_moves_the_cut():
    """Customer m sits at the cut of a one-place quota against rival r: m wins on x,
    r on y, and z is the same for both; the tier is decided by w_x against w_y."""
    m = pd.DataFrame(
        {"x": [1.0, 0.0, 0.2, 0.1], "y": [0.0, 1.0, 0.1, 0.2], "z": [0.5, 0.5, 1.0, 0.0]},
        index=["m", "r", "o1", "o2"],
    )
    directions = dict.fromkeys("xyz", "benefit")
    spec = {"names": ["S"], "counts": [1], "groups": pd.Series(["g", "g", "h", "h"], index=m.index)}
    w = {"x": 0.4, "y": 0.3, "z": 0.3}
    out = weight_drivers(m, directions, w, ["m", "r", "o1"], n_draws=400, seed=1, tiers=spec, concentration=20)
    assert out.loc["m", "driver"] in {"x", "y"} and out.loc["m", "driver_2"] in {"x", "y"}
    assert out.loc["m", "x"] > 0.5 and out.loc["m", "y"] < -0.5  # more x helps m, more y hurts
    assert abs(out.loc["m", "z"]) < 0.2
    assert out.loc["r", "y"] > 0.5
    assert out["measure"].tolist() == ["margin", "margin", "margin"]
    # the same draws as rank_acceptability: m keeps its tier exactly when x outweighs y
    acc = rank_acceptability(m, directions, w, n_draws=400, seed=1, tiers=spec, concentration=20)
    draws = acc.weight_draws
    assert acc.summary.loc["m", "p_keep_tier"] == pytest.approx((draws["x"] > draws["y"]).mean())


def test_weight_drivers_without_tiers_use_the_rank_and_check_customers():
    m = pd.DataFrame({"x": [0.0, 1.0, 0.8], "y": [1.0, 0.0, 0.6], "z": [0.5, 0.5, 0.0]}, index=list("abc"))
    out = weight_drivers(m, dict.fromkeys("xyz", "benefit"), None, ["c", "a"], n_draws=300)
    assert out.index.tolist() == ["c", "a"] and (out["measure"] == "rank").all()
    assert out.loc["c", "driver"] == "z" and out.loc["c", "correlation"] < -0.5
    with pytest.raises(InputError, match="not in the matrix"):
        weight_drivers(m, dict.fromkeys("xyz", "benefit"), None, ["zz"])
    # a customer that is always first has no driver
    top = pd.DataFrame({"x": [2.0, 1.0], "y": [2.0, 1.0]}, index=["best", "other"])
    res = weight_drivers(top, dict.fromkeys("xy", "benefit"), None, ["best"], n_draws=50)
    assert res.loc["best", "driver"] is None and np.isnan(res.loc["best", "correlation"])


def test_module_is_documented():
    import prioanalysis.methods.acceptability as mod

    for name in mod.__all__:
        obj = getattr(mod, name)
        if callable(obj):
            assert obj.__doc__ and len(obj.__doc__) > 40, name
    assert Path(mod.__file__).name == "acceptability.py"


def test_histogram_counts_match_adding_draw_by_draw(monkeypatch):
    """The batched bincount of the rank bins gives the counts of adding each draw."""
    import prioanalysis.methods.acceptability as mod

    rng = np.random.default_rng(3)
    n, n_bins = 1000, 37
    bins = rng.integers(0, n_bins, size=(70, n)).astype(np.uint16)
    expected = np.zeros((n, n_bins), dtype=np.uint16)
    for row in bins:
        np.add.at(expected, (np.arange(n), row), 1)
    monkeypatch.setattr(mod, "_COUNT_CELLS", 5 * n_bins)  # several customer blocks, one ragged
    hist = np.zeros((n, n_bins), dtype=np.uint16)
    mod._add_to_histogram(hist, bins[:40])
    mod._add_to_histogram(hist, bins[40:])
    mod._add_to_histogram(hist, bins[:0])
    assert np.array_equal(hist, expected)


def test_flushing_the_rank_bins_in_small_batches_changes_nothing(monkeypatch):
    import prioanalysis.methods.acceptability as mod

    rng = np.random.default_rng(5)
    m = pd.DataFrame(rng.random((400, 3)), columns=list("xyz"))
    directions = dict.fromkeys("xyz", "benefit")
    kwargs = {"n_draws": 150, "seed": 2, "rank_bins": 30, "full_matrix_max": 0}
    ref = rank_acceptability(m, directions, **kwargs).summary
    monkeypatch.setattr(mod, "_PENDING_DRAWS", 7)  # 150 draws: 21 full batches and a partial one
    pd.testing.assert_frame_equal(rank_acceptability(m, directions, **kwargs).summary, ref)
    monkeypatch.setattr(mod, "_PENDING_DRAWS", 1)
    pd.testing.assert_frame_equal(rank_acceptability(m, directions, **kwargs).summary, ref)


# ----------------------------------------------------------------------------------
# Weights uniform within stated bounds and orders (hit-and-run)
# ----------------------------------------------------------------------------------

FAST = {"chains": 10, "burn_in": 30, "thinning": 3}


@st.composite
def feasible_systems(draw):
    """A random bound/order system built around a weight vector that satisfies it
    (so it is feasible), with or without families; some bounds pin a weight."""
    k = draw(st.integers(2, 6))
    seed = draw(st.integers(0, 10_000))
    rng = np.random.default_rng(seed)
    cols = [f"k{j}" for j in range(k)]
    n_fam = draw(st.sampled_from([0, 1, 2])) if k >= 4 else draw(st.sampled_from([0, 1]))
    families = None
    if n_fam:
        families = {c: ("A" if (j < k // 2 or n_fam == 1) else "B") for j, c in enumerate(cols)}
    groups = {}
    for c in cols:
        groups.setdefault(families[c] if families else "", []).append(c)
    w0 = {}
    for members in groups.values():
        w0.update(zip(members, rng.dirichlet(np.ones(len(members))), strict=True))
    bounds = {}
    for c in cols:
        kind = draw(st.sampled_from(["none", "box", "box", "fixed"]))
        if kind == "box":
            lo_gap, hi_gap = rng.uniform(0, 0.3, size=2)
            bounds[c] = (max(0.0, w0[c] - lo_gap), min(1.0, w0[c] + hi_gap))
        elif kind == "fixed":
            bounds[c] = (w0[c], w0[c])
    orders = []
    for members in groups.values():
        for a, b in itertools.combinations(members, 2):
            if draw(st.booleans()):
                orders.append((a, b) if w0[a] >= w0[b] else (b, a))
    family_bounds = None
    if families:
        fams = list(dict.fromkeys(families.values()))
        f0 = dict(zip(fams, rng.dirichlet(np.ones(len(fams))), strict=True))
        family_bounds = {f: (max(0.0, f0[f] - 0.2), min(1.0, f0[f] + 0.1)) for f in fams if draw(st.booleans())}
        # the family weights the system admits must include f0: f0 itself satisfies them
    return cols, bounds, orders, families, family_bounds, seed


def _within(weights: pd.DataFrame, families):
    """Global weights back on the scale of the constraints: within-family weights and family weights."""
    if families is None:
        return weights, None
    fam_of = pd.Series(families)
    totals = weights.T.groupby(fam_of).sum().T
    within = weights / totals[fam_of.reindex(weights.columns)].to_numpy()
    return within, totals


@SETTINGS
@given(system=feasible_systems())
def test_every_constrained_draw_satisfies_every_constraint(system):
    cols, bounds, orders, families, family_bounds, seed = system
    res = constrained_weight_draws(
        cols, bounds, orders, families=families, family_bounds=family_bounds, n_draws=60, seed=seed, **FAST
    )
    w = res.weights
    assert list(w.columns) == cols and len(w) == 60
    assert (w.to_numpy() >= 0).all()
    np.testing.assert_allclose(w.sum(axis=1), 1.0, atol=1e-12)
    within, totals = _within(w, families)
    tol = 1e-7
    for c, (lo, hi) in bounds.items():
        assert within[c].between(lo - tol, hi + tol).all(), c
    for a, b in orders:
        assert (within[a] >= within[b] - tol).all(), (a, b)
    for f, (lo, hi) in (family_bounds or {}).items():
        assert totals[f].between(lo - tol, hi + tol).all(), f
    if families:
        np.testing.assert_allclose(within.T.groupby(pd.Series(families)).sum().T, 1.0, atol=1e-9)
    d = res.diagnostics
    assert d["acceptance_rate"] == 1.0 and d["chains"] == 10 and d["seed"] == seed
    assert set(d["fixed"]) >= {c for c, (lo, hi) in bounds.items() if lo == hi}


def test_unconstrained_draws_are_uniform_on_the_simplex():
    """Hit-and-run (Smith 1984, *Operations Research* 32(6):1296-1308) has the uniform
    law as its stationary law: on the plain simplex of 4 weights each marginal is that
    of Dirichlet(1, 1, 1, 1), Beta(1, 3) (Kolmogorov-Smirnov, fixed seed)."""
    res = constrained_weight_draws(list("abcd"), n_draws=3000, seed=11)
    for c in "abcd":
        assert stats.kstest(res.weights[c], stats.beta(1, 3).cdf).pvalue > 0.01, c
    # and against Dirichlet draws of draw_weights, two-sample
    ref = draw_weights(list("abcd"), None, 3000, seed=12)
    assert stats.ks_2samp(res.weights["a"], ref["a"]).pvalue > 0.01
    assert res.diagnostics["dimension"] == 3 and res.diagnostics["ess_min"] > 2000
    assert res.diagnostics["r_hat_max"] < 1.05


def _polygon_centroid(vertices: np.ndarray) -> np.ndarray:
    """Centroid of a simple polygon (shoelace formula)."""
    x, y = vertices[:, 0], vertices[:, 1]
    cross = x * np.roll(y, -1) - np.roll(x, -1) * y
    area = cross.sum() / 2
    return np.array([((x + np.roll(x, -1)) * cross).sum(), ((y + np.roll(y, -1)) * cross).sum()]) / (6 * area)


def test_mean_of_the_draws_is_the_centroid_of_a_known_polygon():
    """Three weights, ``a >= b`` and ``c <= 0.2``: in the coordinates (b, c) (a = 1 - b - c)
    the admissible set is the quadrilateral (0, 0), (0.5, 0), (0.4, 0.2), (0, 0.2); a
    uniform law on it has the quadrilateral's centroid as its mean."""
    b_c = _polygon_centroid(np.array([[0.0, 0.0], [0.5, 0.0], [0.4, 0.2], [0.0, 0.2]]))
    expected = np.array([1 - b_c.sum(), b_c[0], b_c[1]])  # (0.6778, 0.2259, 0.0963)
    res = constrained_weight_draws(["a", "b", "c"], {"c": (0.0, 0.2)}, [("a", "b")], n_draws=6000, seed=3)
    got = res.weights.mean().to_numpy()
    se = res.weights.std().to_numpy() / np.sqrt(res.diagnostics["ess_min"])
    assert (np.abs(got - expected) < 4 * se).all(), (got, expected, se)
    np.testing.assert_allclose(got, expected, atol=0.006)


def test_draws_match_rejection_sampling_on_a_bounded_ordered_system():
    """An independent reference: uniform points on the simplex kept when they satisfy
    the bounds and orders (rejection sampling, about 12 % kept) have the same law
    as the hit-and-run draws (two-sample Kolmogorov-Smirnov per weight)."""
    cols = list("abcd")
    bounds = {"a": (0.1, 0.6), "c": (0.0, 0.3), "d": (0.05, 0.25)}
    orders = [("b", "c"), ("a", "d")]
    rng = np.random.default_rng(0)
    x = rng.dirichlet(np.ones(4), size=400_000)
    ok = (x[:, 0] >= 0.1) & (x[:, 0] <= 0.6) & (x[:, 2] <= 0.3) & (x[:, 3] >= 0.05) & (x[:, 3] <= 0.25)
    ok &= (x[:, 1] >= x[:, 2]) & (x[:, 0] >= x[:, 3])
    ref = x[ok]
    res = constrained_weight_draws(cols, bounds, orders, n_draws=4000, seed=8)
    for j, c in enumerate(cols):
        assert stats.ks_2samp(res.weights[c], ref[:, j]).pvalue > 0.01, c
    # the acceptance rate a rejection sampler would have is estimated too
    assert abs(res.diagnostics["rejection_acceptance"] - ok.mean()) < 0.01


def test_family_weights_are_drawn_within_their_bounds_independently():
    cols = ["a1", "a2", "f1", "f2", "f3"]
    families = {"a1": "A", "a2": "A", "f1": "F", "f2": "F", "f3": "F"}
    res = constrained_weight_draws(
        cols, {"a1": (0.5, 1.0)}, [("f1", "f2")], families=families, family_bounds={"A": (0.5, 0.7)}, n_draws=3000
    )
    within, totals = _within(res.weights, families)
    # two families: the family weight of A is uniform on [0.5, 0.7]
    assert stats.kstest(totals["A"], stats.uniform(0.5, 0.2).cdf).pvalue > 0.01
    # within A, a1 is uniform on [0.5, 1]; within F, f1 >= f2 halves the simplex
    assert stats.kstest(within["a1"], stats.uniform(0.5, 0.5).cdf).pvalue > 0.01
    assert abs(within["f1"].mean() - 0.5) < 0.02  # E[max-ish] of the ordered pair: (1/2, 1/6, 1/3) centroid
    assert abs(np.corrcoef(totals["A"], within["a1"])[0, 1]) < 0.08
    assert res.diagnostics["by_family"] and res.diagnostics["dimension"] == 4


def test_fixed_weights_and_equalities_are_respected():
    # a weight pinned by equal bounds stays at its value; the others still move
    res = constrained_weight_draws(list("abc"), {"a": (0.3, 0.3)}, n_draws=200, **FAST)
    assert (res.weights["a"] - 0.3).abs().max() < 1e-12 and res.weights["b"].std() > 0.05
    assert res.diagnostics["fixed"] == ["a"] and res.diagnostics["dimension"] == 1
    # lower bounds summing to 1 leave one point
    point = constrained_weight_draws(list("abc"), {"a": (0.5, 1), "b": (0.3, 1), "c": (0.2, 1)}, n_draws=50)
    np.testing.assert_allclose(point.weights.to_numpy(), np.tile([0.5, 0.3, 0.2], (50, 1)), atol=1e-9)
    assert point.diagnostics["dimension"] == 0
    # a >= b and b >= a: a = b in every draw
    tie = constrained_weight_draws(list("abc"), None, [("a", "b"), ("b", "a")], n_draws=200, **FAST)
    np.testing.assert_allclose(tie.weights["a"], tie.weights["b"], atol=1e-9)
    assert tie.diagnostics["equal"] and tie.diagnostics["dimension"] == 1


@pytest.mark.parametrize(
    ("args", "kwargs", "message"),
    [
        (({"a": (0.6, 1.0), "b": (0.5, 1.0)},), {}, "lowest weights .* sum to 1.1 > 1"),
        (({"a": (0.0, 0.2), "b": (0.0, 0.3)},), {}, "highest weights .* sum to 0.5 < 1"),
        (({"a": (0.0, 0.2), "b": (0.3, 1.0)}, [("a", "b")]), {}, "weight of a must be at least 0.3 and at most 0.2"),
        (({"zz": (0.0, 0.5)},), {}, "unknown criteria"),
        (({"a": (0.5, 0.2)},), {}, "0 <= lower <= upper <= 1"),
        (({"a": (0.0, 1.5)},), {}, "0 <= lower <= upper <= 1"),
        ((None, [("a", "a")]), {}, "with itself"),
        ((None, [("a", "q")]), {}, "unknown criteria"),
        ((None, [("a", "c")]), {"families": {"a": "A", "b": "A", "c": "F"}}, "different families"),
        ((), {"family_bounds": {"A": (0.2, 0.4)}}, "need the criteria's families"),
        ((), {"families": {"a": "A", "b": "A", "c": "F"}, "family_bounds": {"X": (0, 1)}}, "unknown families"),
        ((), {"families": {"a": "A", "b": "A", "c": "F"}, "family_bounds": {"A": (0.7, 1), "F": (0.4, 1)}}, "> 1"),
        ((), {"n_draws": 0}, "n_draws"),
        ((), {"thinning": 0}, "thinning"),
    ],
)
def test_infeasible_or_malformed_constraints_are_refused(args, kwargs, message):
    with pytest.raises(InputError, match=message):
        constrained_weight_draws(
            ["a", "b", "c"] if "families" in kwargs or len(args) > 1 else ["a", "b"], *args, **kwargs
        )


def test_constrained_draws_are_reproducible_under_a_seed():
    cols, bounds, orders = list("abcd"), {"a": (0.2, 0.5)}, [("b", "c")]
    a = constrained_weight_draws(cols, bounds, orders, n_draws=300, seed=4, **FAST)
    b = constrained_weight_draws(cols, bounds, orders, n_draws=300, seed=4, **FAST)
    c = constrained_weight_draws(cols, bounds, orders, n_draws=300, seed=5, **FAST)
    pd.testing.assert_frame_equal(a.weights, b.weights)
    assert a.diagnostics == b.diagnostics
    assert not a.weights.equals(c.weights)


def test_rank_acceptability_records_the_constrained_draws():
    matrix, directions = random_list(30, 3, seed=2)
    cols = list(matrix.columns)
    draws = constrained_weight_draws(cols, {cols[0]: (0.2, 0.5)}, [(cols[1], cols[2])], n_draws=120, **FAST)
    res = rank_acceptability(matrix, directions, dict.fromkeys(cols, 1 / 3), weight_draws=draws)
    assert res.params["weights_source"] == draws.source and res.params["draws_diagnostics"] == draws.diagnostics
    np.testing.assert_allclose(res.weight_draws.to_numpy(), draws.weights.to_numpy())
    plain = rank_acceptability(matrix, directions, dict.fromkeys(cols, 1 / 3), weight_draws=draws.weights)
    pd.testing.assert_frame_equal(res.summary, plain.summary)
    assert plain.params["draws_diagnostics"] is None
    # the drivers take the same draws
    out = weight_drivers(matrix, directions, None, [matrix.index[0]], weight_draws=draws)
    assert out.shape[0] == 1


@SETTINGS
@given(k=st.integers(2, 5), seed=st.integers(0, 10_000), n_orders=st.integers(0, 4))
def test_infeasibility_is_decided_as_a_linear_programme_decides_it(k, seed, n_orders):
    """Random (often infeasible) bounds and orders: refused exactly when the linear
    programme {lo <= w <= hi, w_a >= w_b, sum w = 1} has no solution (HiGHS)."""
    from scipy.optimize import linprog

    rng = np.random.default_rng(seed)
    cols = [f"k{j}" for j in range(k)]
    lo = rng.uniform(0, 0.5, k).round(2)
    hi = np.minimum(1.0, lo + rng.uniform(0, 0.5, k)).round(2)
    bounds = {c: (float(a), float(b)) for c, a, b in zip(cols, lo, hi, strict=True)}
    pairs = [tuple(rng.choice(k, 2, replace=False)) for _ in range(n_orders)]
    orders = [(cols[a], cols[b]) for a, b in pairs]
    a_ub = np.zeros((len(pairs), k))
    for r, (a, b) in enumerate(pairs):
        a_ub[r, a], a_ub[r, b] = -1.0, 1.0  # w_b - w_a <= 0
    lp = linprog(
        np.zeros(k),
        A_ub=a_ub if pairs else None,
        b_ub=np.zeros(len(pairs)) if pairs else None,
        A_eq=np.ones((1, k)),
        b_eq=[1.0],
        bounds=list(zip(lo, hi, strict=True)),
        method="highs",
    )
    settings = {"n_draws": 10, "chains": 5, "burn_in": 5, "thinning": 1}
    if lp.status == 0:
        res = constrained_weight_draws(cols, bounds, orders, **settings)
        np.testing.assert_allclose(res.weights.sum(axis=1), 1.0)
    else:
        assert lp.status == 2  # infeasible
        with pytest.raises(InputError, match="infeasible weight constraints"):
            constrained_weight_draws(cols, bounds, orders, **settings)
