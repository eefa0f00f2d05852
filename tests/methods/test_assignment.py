"""Tests of prioanalysis.methods.assignment: development owners within capacity.

The optimum is checked against an independent brute force (every way to give each
customer one owner or none) on small random lists, against the dense
``linear_sum_assignment`` solver, and on hand-made cases where the greedy choice is
wrong.
"""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from prioanalysis.config.params import load_params
from prioanalysis.errors import InputError
from prioanalysis.inputs.preliminary import validate_preliminary
from prioanalysis.inputs.tables import read_table
from prioanalysis.methods.assignment import (
    CAPACITY_COLUMNS,
    AssignmentResult,
    _split_largest_remainder,
    assign_owners,
    capacity_columns,
)
from prioanalysis.steps.ranking import rank_customers
from tests.conftest import PARAMS_SRC, SAMPLE_2026, SAMPLE_DIR

TIERS = {"S": "cap_s", "K": "cap_k"}


def customers_frame(rows) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["customer_id", "segment", "region", "tier", "score", "owner_id"])


def owners_frame(rows) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["owner_id", "owner_name", "segment", "region", "cap_s", "cap_k"])


def value(c, o, keep, region, penalty):
    """v(c, o) of the module docstring, written out again (missing regions never match)."""
    same_region = c["region"] is not None and c["region"] == o["region"]
    v = c["score"] + keep * (c["owner_id"] == o["owner_id"]) + region * same_region
    return v - penalty * (c["segment"] != o["segment"])


def brute_force(cust, own, keep=0.2, region=0.1, match="segment", penalty=0.5) -> float:
    """Best total value over every assignment (owner or none for each customer)."""
    c_rows = cust.to_dict("records")
    o_rows = own.to_dict("records")
    best = 0.0
    for choice in itertools.product(range(-1, len(o_rows)), repeat=len(c_rows)):
        load: dict[tuple[int, str], int] = {}
        total, ok = 0.0, True
        for c, j in zip(c_rows, choice, strict=True):
            if j < 0:
                continue
            o = o_rows[j]
            if match == "segment" and o["segment"] != c["segment"]:
                ok = False
                break
            key = (j, c["tier"])
            load[key] = load.get(key, 0) + 1
            if load[key] > o[TIERS[c["tier"]]]:
                ok = False
                break
            total += value(c, o, keep, region, penalty)
        if ok:
            best = max(best, total)
    return best


def check_feasible(res: AssignmentResult, cust: pd.DataFrame, own: pd.DataFrame, match: str) -> None:
    a = res.assignments
    assert a["customer_id"].is_unique
    seg_c = cust.set_index("customer_id")["segment"]
    seg_o = own.set_index("owner_id")["segment"]
    if match == "segment":
        assert (seg_c[a["customer_id"]].to_numpy() == seg_o[a["owner_id"]].to_numpy()).all()
    used = a.groupby(["owner_id", "tier"]).size()
    for (o, t), n in used.items():
        assert n <= own.set_index("owner_id").loc[o, TIERS[t]]
    assert len(a) + len(res.unassigned) == res.params["customers_targeted"]
    assert res.objective == pytest.approx(a["value"].sum())


# ----------------------------------------------------------------------------------
# Hand-made cases
# ----------------------------------------------------------------------------------


def test_greedy_would_be_wrong_here():
    """A (east) has an existing owner O1 in the west; B is in the west. O1 and O2 (east)
    each take one. Greedy keeps A with O1 (+0.2) and leaves B with O2 (+0): 0.2. The
    optimum swaps: A -> O2 (+0.15 region), B -> O1 (+0.15 region): 0.3."""
    cust = customers_frame([["A", "gov", "east", "S", 0.5, "O1"], ["B", "gov", "west", "S", 0.5, None]])
    own = owners_frame([["O1", "甲", "gov", "west", 1, 0], ["O2", "乙", "gov", "east", 1, 0]])
    for solver in ("milp", "lsa"):
        res = assign_owners(cust, own, tier_columns=TIERS, keep_existing=0.2, region_bonus=0.15, solver=solver)
        assert res.objective == pytest.approx(1.3)
        assert dict(zip(res.assignments["customer_id"], res.assignments["owner_id"], strict=True)) == {
            "A": "O2",
            "B": "O1",
        }
        assert res.assignments["region_match"].all() and not res.assignments["kept_existing"].any()


def test_existing_relationship_is_kept_when_it_pays():
    cust = customers_frame([["A", "gov", "east", "S", 0.5, "O1"], ["B", "gov", "east", "S", 0.4, None]])
    own = owners_frame([["O1", "甲", "gov", "west", 1, 0], ["O2", "乙", "gov", "east", 1, 0]])
    res = assign_owners(cust, own, tier_columns=TIERS, keep_existing=0.2, region_bonus=0.1)
    # A keeps O1 (0.5 + 0.2), B gets O2 in its region (0.4 + 0.1)
    got = res.assignments.set_index("customer_id")
    assert got.loc["A", "owner_id"] == "O1" and bool(got.loc["A", "kept_existing"])
    assert got.loc["B", "owner_id"] == "O2" and bool(got.loc["B", "region_match"])
    assert res.objective == pytest.approx(1.2)
    assert res.unassigned.empty


def test_scarce_capacity_goes_to_the_highest_priority_and_the_gap_is_reported():
    cust = customers_frame(
        [
            ["A", "gov", "east", "S", 0.9, None],
            ["B", "gov", "east", "S", 0.8, None],
            ["C", "gov", "east", "K", 0.3, None],
            ["D", "fin", "east", "K", 0.7, None],  # no finance owner at all
            ["E", "gov", "east", "一般", 0.9, None],  # a tier without a capacity column: skipped
        ]
    )
    own = owners_frame([["O1", "甲", "gov", "east", 1, 5]])
    res = assign_owners(cust, own, tier_columns=TIERS)
    assert res.assignments["customer_id"].tolist() == ["A", "C"]  # ordered by tier then score
    assert res.unassigned[["customer_id", "reason"]].to_numpy().tolist() == [
        ["B", "capacity full"],
        ["D", "no eligible owner"],
    ]
    assert res.params["customers_skipped"] == 1 and res.params["customers_targeted"] == 4
    loads = res.loads.set_index(["owner_id", "tier"])
    assert loads.loc[("O1", "S"), ["capacity", "assigned", "free"]].tolist() == [1, 1, 0]
    assert loads.loc[("O1", "K"), "utilisation"] == pytest.approx(0.2)
    gap = res.gap
    assert gap.loc["gov", "S"] == 1 and gap.loc["fin", "K"] == 1 and gap.loc["gov", "K"] == 0


def test_match_any_crosses_segments_at_a_penalty():
    cust = customers_frame([["A", "fin", "east", "S", 0.9, None], ["B", "fin", "east", "S", 0.2, None]])
    own = owners_frame([["O1", "甲", "gov", "east", 1, 0]])
    same = assign_owners(cust, own, tier_columns=TIERS)
    assert same.assignments.empty and (same.unassigned["reason"] == "no eligible owner").all()
    cross = assign_owners(cust, own, tier_columns=TIERS, match="any", cross_segment_penalty=0.5)
    # A: 0.9 + 0.1 - 0.5 = 0.5 > 0; B would only give -0.2
    assert cross.assignments["customer_id"].tolist() == ["A"]
    assert bool(cross.assignments["cross_segment"].iloc[0])
    assert cross.objective == pytest.approx(0.5)
    # a penalty above every value leaves them unassigned rather than lose value
    none = assign_owners(cust, own, tier_columns=TIERS, match="any", cross_segment_penalty=2.0)
    assert none.assignments.empty and (none.unassigned["reason"] == "capacity full").all()


def test_equivalent_owners_share_the_load_in_proportion_to_their_room():
    """Four customers for two interchangeable owners (same segment and region) with
    room 4 and 2 (one slot of the first is taken by a kept relationship): 3 + 1 is as
    good as any split; the pooled inflow is shared 2 : 1 by room left, plus the kept one."""
    cust = customers_frame(
        [["K", "gov", "east", "K", 0.9, "O1"]] + [[f"C{i}", "gov", "east", "K", 0.5, None] for i in range(3)]
    )
    own = owners_frame([["O1", "甲", "gov", "east", 0, 5], ["O2", "乙", "gov", "east", 0, 2]])
    res = assign_owners(cust, own, tier_columns=TIERS)
    loads = res.loads.set_index(["owner_id", "tier"])["assigned"]
    # room left after the kept one: O1 4, O2 2 -> the 3 pooled customers split 2 : 1
    assert loads[("O1", "K")] == 3 and loads[("O2", "K")] == 1
    assert res.objective == pytest.approx(0.9 + 0.2 + 0.1 + 3 * (0.5 + 0.1))


def test_without_regions_or_existing_owners():
    cust = customers_frame([["A", "gov", "east", "S", 0.9, None]]).drop(columns=["region", "owner_id"])
    own = owners_frame([["O1", "甲", "gov", "east", 1, 0]]).drop(columns=["owner_name"])
    res = assign_owners(cust, own, tier_columns=TIERS)
    assert res.params["regions_used"] is False and res.params["region_bonus"] == 0.0
    assert res.assignments.loc[0, "owner_name"] == "O1" and res.objective == pytest.approx(0.9)


def test_unknown_existing_owner_is_counted_and_treated_as_none():
    cust = customers_frame([["A", "gov", "east", "S", 0.9, "O9"], ["B", "gov", "east", "S", 0.5, ""]])
    own = owners_frame([["O1", "甲", "gov", "east", 2, 0]])
    res = assign_owners(cust, own, tier_columns=TIERS)
    assert res.params["existing_owner_unknown"] == 1
    assert len(res.assignments) == 2 and not res.assignments["kept_existing"].any()


# ----------------------------------------------------------------------------------
# Optimality against brute force
# ----------------------------------------------------------------------------------


@st.composite
def small_problem(draw):
    n_c = draw(st.integers(0, 6))
    n_o = draw(st.integers(1, 3))
    segs, regs = ["gov", "fin"], ["east", "west", None]
    owners = [
        [
            f"O{j}",
            f"n{j}",
            draw(st.sampled_from(segs)),
            draw(st.sampled_from(regs)),
            draw(st.integers(0, 2)),
            draw(st.integers(0, 2)),
        ]
        for j in range(n_o)
    ]
    cust = [
        [
            f"C{i}",
            draw(st.sampled_from(segs)),
            draw(st.sampled_from(regs)),
            draw(st.sampled_from(["S", "K"])),
            draw(st.sampled_from([0.0, 0.1, 0.35, 0.5, 0.8])),
            draw(st.sampled_from([None] + [f"O{j}" for j in range(n_o)])),
        ]
        for i in range(n_c)
    ]
    return customers_frame(cust), owners_frame(owners)


@settings(max_examples=60, deadline=None)
@given(
    problem=small_problem(),
    keep=st.sampled_from([0.0, 0.2, 0.45]),
    region=st.sampled_from([0.0, 0.1, 0.15]),
    match=st.sampled_from(["segment", "any"]),
    penalty=st.sampled_from([0.05, 0.5]),
)
def test_both_solvers_reach_the_brute_force_optimum(problem, keep, region, match, penalty):
    cust, own = problem
    best = brute_force(cust, own, keep, region, match, penalty)
    for solver in ("milp", "lsa"):
        res = assign_owners(
            cust,
            own,
            tier_columns=TIERS,
            keep_existing=keep,
            region_bonus=region,
            match=match,
            cross_segment_penalty=penalty,
            solver=solver,
        )
        assert res.objective == pytest.approx(best, abs=1e-9), solver
        check_feasible(res, cust, own, match)


@settings(max_examples=60, deadline=None)
@given(total=st.integers(0, 40), room=st.lists(st.integers(0, 12), min_size=1, max_size=6))
def test_split_largest_remainder(total, room):
    room = np.asarray(room, dtype=np.int64)
    total = min(total, int(room.sum()))
    share = _split_largest_remainder(total, room)
    assert share.sum() == total and (share <= room).all() and (share >= 0).all()
    if room.sum():  # proportional within one unit
        assert (np.abs(share - total * room / room.sum()) < 1).all()


# ----------------------------------------------------------------------------------
# The 2026 sample and larger lists
# ----------------------------------------------------------------------------------


def test_sample_target_list_with_owners_csv():
    params = load_params(PARAMS_SRC)
    result = rank_customers(validate_preliminary(read_table(SAMPLE_2026), params), params)
    owners = pd.read_csv(SAMPLE_DIR / "owners.csv")
    tiers = capacity_columns(params.run.tiers.names)
    res = assign_owners(result.target_list, owners, tier_columns=tiers)
    targeted = result.target_list["tier"].isin(params.run.tiers.names)
    assert res.params["customers_targeted"] == int(targeted.sum())
    loads = res.loads
    assert (loads["assigned"] <= loads["capacity"]).all()
    assert loads["assigned"].sum() == len(res.assignments)
    per = res.assignments.merge(owners[["owner_id", "segment"]], on="owner_id", suffixes=("", "_owner"))
    assert (per["segment"] == per["segment_owner"]).all()
    # an owner's free capacity and an unassigned customer of the same segment and
    # tier cannot coexist: the optimum would have used it
    free = loads[loads["free"] > 0].merge(owners[["owner_id"]], on="owner_id")
    clash = res.unassigned.merge(free, on=["segment", "tier"])
    assert clash.empty
    assert res.assignments["kept_existing"].mean() > 0.3  # relationships are mostly kept


def test_milp_and_lsa_agree_on_a_medium_list():
    rng = np.random.default_rng(3)
    n_c, n_o = 120, 12
    own = owners_frame(
        [
            [
                f"O{j}",
                f"n{j}",
                ["gov", "fin"][j % 2],
                rng.choice(["e", "w", "n"]),
                int(rng.integers(0, 4)),
                int(rng.integers(2, 9)),
            ]
            for j in range(n_o)
        ]
    )
    cust = customers_frame(
        [
            [
                f"C{i}",
                rng.choice(["gov", "fin"]),
                rng.choice(["e", "w", "n"]),
                rng.choice(["S", "K"]),
                float(rng.random()),
                rng.choice([None, *own["owner_id"]]),
            ]
            for i in range(n_c)
        ]
    )
    a = assign_owners(cust, own, tier_columns=TIERS, solver="milp")
    b = assign_owners(cust, own, tier_columns=TIERS, solver="lsa")
    assert a.objective == pytest.approx(b.objective, abs=1e-9)
    check_feasible(a, cust, own, "segment")
    assert len(a.unassigned) > 0  # capacity is short here: the gap is not empty


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda c, o: (c.drop(columns="score"), o), "lacks the column"),
        (lambda c, o: (pd.concat([c, c.iloc[:1]]), o), "duplicated ids"),
        (lambda c, o: (c, o.assign(cap_s=[-1, 1])), "whole numbers >= 0"),
        (lambda c, o: (c, o.assign(cap_k=[1.5, 1])), "whole numbers >= 0"),
        (lambda c, o: (c.assign(score=[np.nan, 0.2]), o), "finite numbers"),
        (lambda c, o: (c, o.assign(segment=[None, "gov"])), "segment missing"),
    ],
)
def test_bad_inputs_raise_readable_errors(change, message):
    cust = customers_frame([["A", "gov", "east", "S", 0.9, None], ["B", "gov", "east", "K", 0.5, None]])
    own = owners_frame([["O1", "甲", "gov", "east", 1, 1], ["O2", "乙", "gov", "west", 1, 1]])
    c, o = change(cust, own)
    with pytest.raises(InputError, match=message):
        assign_owners(c, o, tier_columns=TIERS)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"solver": "greedy"}, "unknown solver"),
        ({"match": "region"}, "unknown match rule"),
        ({"keep_existing": -0.1}, "keep_existing"),
        ({"tier_columns": {}}, "tier_columns"),
        ({"tier_columns": {"S": "capacity_x"}}, "lacks the column"),
    ],
)
def test_bad_options_raise_readable_errors(kwargs, message):
    cust = customers_frame([["A", "gov", "east", "S", 0.9, None]])
    own = owners_frame([["O1", "甲", "gov", "east", 1, 1]])
    with pytest.raises(InputError, match=message):
        assign_owners(cust, own, **{"tier_columns": TIERS, **kwargs})


def test_capacity_columns():
    assert capacity_columns(["A", "B"]) == {"A": CAPACITY_COLUMNS[0], "B": CAPACITY_COLUMNS[1]}
    with pytest.raises(InputError, match="capacity columns"):
        capacity_columns(["a", "b", "c", "d"])


# ----------------------------------------------------------------------------- workload mode
LEVELS = {"S": 3.0, "K": 1.0}


def test_flowing_capacity_serves_every_strategic_target_the_slots_left_unassigned() -> None:
    """The exact small case: one owner with 1 strategic and 4 general slots; strategic
    customers take 3 visits a year, general ones 1. Tier slots: the second strategic
    target stays unassigned while 3 general slots sit free. Flowing capacity
    (1 x 3 + 4 x 1 = 7 visits): both strategic targets (6) and the general one (1)."""
    cust = customers_frame(
        [
            ["s1", "gov", None, "S", 0.9, None],
            ["s2", "gov", None, "S", 0.8, None],
            ["k1", "gov", None, "K", 0.5, None],
        ]
    )
    own = owners_frame([["o1", "何", "gov", None, 1, 4]])
    slots = assign_owners(cust, own, tier_columns=TIERS)
    assert slots.unassigned["customer_id"].tolist() == ["s2"]
    assert slots.unassigned["reason"].tolist() == ["capacity full"]
    free_k = slots.loads.set_index("tier").loc["K", "free"]
    assert free_k == 3  # lower-tier capacity free while a strategic target has no owner
    assert slots.params["capacity_mode"] == "tier_slots"

    flow = assign_owners(cust, own, tier_columns=TIERS, service_levels=LEVELS)
    assert flow.params["capacity_mode"] == "workload"
    assert flow.unassigned.empty
    assert sorted(flow.assignments["customer_id"]) == ["k1", "s1", "s2"]
    w = flow.workload.iloc[0]
    assert (w["capacity"], w["used"], w["free"], w["S"], w["K"]) == (7.0, 7.0, 0.0, 6.0, 1.0)
    plan = flow.resource_plan.set_index("tier")
    assert plan.loc["S", "required"] == 6.0 and plan.loc["S", "unassigned"] == 0
    assert plan.loc["K", "used"] == 1.0


def test_lower_tiers_use_what_is_left_and_the_gap_is_costed() -> None:
    """8 visits: 2 strategic (6) first, then 2 of the 3 general ones; the weakest general
    target is the gap, with its score and the visits it would need."""
    cust = customers_frame(
        [
            ["s1", "gov", None, "S", 0.9, None],
            ["s2", "gov", None, "S", 0.8, None],
            ["k1", "gov", None, "K", 0.5, None],
            ["k2", "gov", None, "K", 0.4, None],
            ["k3", "gov", None, "K", 0.3, None],
        ]
    )
    own = owners_frame([["o1", "何", "gov", None, 0, 0]]).assign(visits=[8])
    res = assign_owners(cust, own, service_levels=LEVELS, capacity_column="visits")
    assert res.unassigned["customer_id"].tolist() == ["k3"]
    assert res.unassigned["units"].tolist() == [1.0]
    plan = res.resource_plan.set_index("tier")
    assert plan.loc["K", "short"] == 1.0 and plan.loc["K", "score_unassigned"] == pytest.approx(0.3)
    seg = res.segment_capacity.iloc[0]
    assert (seg["capacity"], seg["required"], seg["used"], seg["free"], seg["short"]) == (8.0, 9.0, 8.0, 0.0, 1.0)
    # a strategic target is never left out while an owner of its segment has room for it
    cust.loc[cust["customer_id"] == "k1", "score"] = 5.0  # a huge general score does not jump the queue
    again = assign_owners(cust, own, service_levels=LEVELS, capacity_column="visits")
    assert {"s1", "s2"} <= set(again.assignments["customer_id"])


@settings(max_examples=40)
@given(
    n_s=st.integers(0, 5),
    n_k=st.integers(0, 8),
    caps=st.lists(st.tuples(st.integers(0, 3), st.integers(0, 6)), min_size=1, max_size=3),
)
def test_flow_never_leaves_a_strategic_target_while_its_units_would_fit(n_s, n_k, caps) -> None:
    cust = customers_frame(
        [[f"s{i}", "gov", None, "S", 0.9 - i / 100, None] for i in range(n_s)]
        + [[f"k{i}", "gov", None, "K", 0.5 - i / 100, None] for i in range(n_k)]
    )
    own = owners_frame([[f"o{j}", f"o{j}", "gov", None, s, k] for j, (s, k) in enumerate(caps)])
    flow = assign_owners(cust, own, tier_columns=TIERS, service_levels=LEVELS)
    slots = assign_owners(cust, own, tier_columns=TIERS)
    units = sum(3 * s + k for s, k in caps)
    served_s = int((flow.assignments["tier"] == "S").sum())
    # strategic first: as many as the owners' room allows, owner by owner (3 units each)
    assert served_s == min(n_s, sum((3 * s + k) // 3 for s, k in caps))
    assert served_s >= int((slots.assignments["tier"] == "S").sum())
    w = flow.workload
    assert (w["used"] <= w["capacity"] + 1e-9).all() and w["capacity"].sum() == units
    assert len(flow.assignments) + len(flow.unassigned) == n_s + n_k


def test_workload_mode_checks_its_arguments() -> None:
    cust = customers_frame([["s1", "gov", None, "S", 0.9, None]])
    own = owners_frame([["o1", "何", "gov", None, 1, 1]])
    with pytest.raises(InputError, match="numbers > 0"):
        assign_owners(cust, own, tier_columns=TIERS, service_levels={"S": 0, "K": 1})
    with pytest.raises(InputError, match="same tiers"):
        assign_owners(cust, own, tier_columns=TIERS, service_levels={"K": 1, "S": 3})
    with pytest.raises(InputError, match="capacity_column or tier_columns"):
        assign_owners(cust, own, service_levels=LEVELS)
    with pytest.raises(InputError, match="numbers >= 0"):
        assign_owners(cust, own.assign(v=[-1]), service_levels=LEVELS, capacity_column="v")
