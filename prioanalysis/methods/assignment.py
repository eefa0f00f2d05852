"""Development owners for the target customers (step 2.3.3, "name a development owner").

Each target customer gets at most one owner (an account manager of ``owners.csv``)
so that the total *priority* served is as large as possible, within every owner's
capacity per tier. :func:`assign_owners` returns the assignments, every owner's load
per tier and the customers left without an owner -- the resourcing gap the BU
manager must close (more people, or fewer targets).

Formulation
-----------
Customer ``c`` (tier ``t_c``, segment, region, priority ``p_c``, existing owner
``e_c``) and owner ``o`` (segment, region, capacity ``cap[o, t]`` per tier). The value
of giving ``c`` to ``o`` is::

    v(c, o) = p_c + keep_existing * [o == e_c] + region_bonus * [region_o == region_c]
              - cross_segment_penalty * [segment_o != segment_c]

and, with ``match="segment"``, only owners of the customer's segment are eligible.
The problem is::

    maximise    sum v(c, o) x_co
    subject to  sum_o x_co <= 1                       for every customer c
                sum_{c : t_c = t} x_co <= cap[o, t]    for every owner o and tier t
                x_co in {0, 1}, x_co = 0 when (c, o) is not eligible.

Two ways to state the capacity (``capacity_mode`` in the results' ``params``):

``tier_slots`` -- one fixed capacity per tier (``service_levels=None``)
    A customer uses capacity of its own tier only, so the problem splits **exactly**
    into one independent problem per tier. Free slots of one tier never serve
    another: strategic customers can stay without an owner while general-tier slots
    sit free.
``workload`` -- service levels, capacity flowing between tiers by priority
    Each tier has a *service level* ``s_t`` (e.g. visits per year, presales days: a
    named unit) and each owner a capacity ``U_o`` in the same unit -- a column of the
    owner list (``capacity_column``) or, without one, what the owner's tier slots
    amount to in the unit, ``U_o = sum_t cap[o, t] * s_t``. The tiers are served in
    priority order, best first: the best tier uses any owner's capacity, each
    following tier the capacity the tiers above left::

        for t in tiers (best first):
            cap_t[o] = floor(R_o / s_t)          # customers of tier t that fit
            solve the tier's problem above with cap_t (exact, as in tier_slots)
            R_o -= s_t * (customers of tier t given to o)

    So a target of a better tier is never left without an owner while an eligible
    owner still has room for it, whatever the tier the room was planned for
    (lexicographic priority: tier by tier, each tier's value maximised exactly on
    what is left).

Solver ``"milp"`` (default) -- an aggregated max-gain flow, solved with HiGHS
    The bonus of a pair depends on the customer only through its *cell* (segment,
    region) and its existing owner, and on the owner only through its *group*
    (segment, region) -- except the keep-existing bonus, which links one customer to
    one owner. Hence this flow network per tier:

    * source -> customer ``c`` (at most 1, gain ``p_c``);
    * ``c`` -> its existing owner ``e_c`` when eligible (gain ``keep_existing`` plus
      the region bonus / cross-segment penalty of that pair);
    * ``c`` -> its cell ``k`` (gain 0); cell ``k`` -> owner group ``g`` for every
      eligible pair (gain ``region_bonus * [same region] - penalty * [other
      segment]``, unbounded);
    * group ``g`` -> each of its owners ``o``; owner ``o`` -> sink (at most
      ``cap[o, t]``).

    Every path source -> c -> ... -> o -> sink is the assignment of ``c`` to ``o``
    with gain exactly ``v(c, o)``, and every assignment is such a path, so the
    maximum-gain flow solves the problem. Its constraint matrix is a network
    matrix, hence totally unimodular: a basic optimal solution of the LP is
    integral, so HiGHS's simplex (through :func:`scipy.optimize.milp` without
    integer variables) solves it directly; a fractional answer -- not expected --
    would be re-solved with integer variables. The LP has ``customers + direct arcs + cells x groups +
    owners`` variables -- about 15,000 for a tier of 7,000 customers and 200 owners,
    instead of 1.4 million customer-owner pairs. The integral flow is turned back
    into assignments by splitting each cell's pooled customers over groups and each
    group's inflow over its owners; all customers of a cell are interchangeable for
    all owners of a group, so any split keeps the optimum. Within a group the
    inflow is shared in proportion to the capacity the owners have left (largest
    remainder), which evens out their utilisation.
Solver ``"lsa"`` -- dense assignment
    One column per capacity slot plus one "no owner" column per customer, solved
    by :func:`scipy.optimize.linear_sum_assignment` for each tier. Exact too, but
    the matrix is customers x (slots + customers): for small lists and for checking.

Among equally good assignments the solvers may pick different ones; the objective is
the same.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import sparse
from scipy.optimize import LinearConstraint, linear_sum_assignment, milp

from prioanalysis import checks
from prioanalysis.errors import InputError

__all__ = [
    "AssignmentResult",
    "CAPACITY_COLUMNS",
    "CAPACITY_MODES",
    "MATCH_RULES",
    "SOLVERS",
    "assign_owners",
    "capacity_columns",
]

#: Capacity columns of ``owners.csv``, best tier first.
CAPACITY_COLUMNS: tuple[str, ...] = ("capacity_strategic", "capacity_key", "capacity_general")
#: ``match`` rules: ``segment`` (owner's segment = customer's) or ``any``.
MATCH_RULES: tuple[str, ...] = ("segment", "any")
#: How capacity is stated: per tier (``tier_slots``) or in a workload unit shared by the tiers (``workload``).
CAPACITY_MODES: tuple[str, ...] = ("workload", "tier_slots")
#: Solvers of :func:`assign_owners`.
SOLVERS: tuple[str, ...] = ("milp", "lsa")
#: Largest customers x columns matrix the ``lsa`` solver builds.
LSA_MAX_CELLS: int = 20_000_000

_NONE = -1  # code of "no existing owner" / "no region"
_INTEGRAL_TOL = 1e-6


@dataclass(frozen=True, eq=False)
class AssignmentResult:
    """Owners for the target customers, the owners' loads and the gap.

    Attributes
    ----------
    assignments : pandas.DataFrame
        One row per assigned customer: ``customer_id``, ``owner_id``,
        ``owner_name``, ``segment``, ``tier``, ``score`` (the priority),
        ``kept_existing`` (the owner is the customer's existing owner),
        ``region_match``, ``cross_segment`` and ``value`` (the customer's part of
        the objective). Ordered by tier, then segment, then priority descending.
    loads : pandas.DataFrame
        One row per owner and tier: ``owner_id``, ``owner_name``, ``segment``,
        ``tier``, ``capacity`` (customers of the tier the owner could take: the
        tier's slots, or in the workload mode what fitted in the capacity left when
        the tier was served), ``assigned``, ``kept_existing``, ``free`` and
        ``utilisation`` (assigned / capacity; NaN for zero capacity), ``units``
        (the workload of the assigned customers: ``assigned * service level``; with
        tier slots the unit is one slot).
    workload : pandas.DataFrame
        One row per owner: ``owner_id``, ``owner_name``, ``segment``, ``capacity``
        (in the unit), ``used``, ``free`` and ``utilisation``, then the units used
        by each tier (one column per tier, named by the tier).
    resource_plan : pandas.DataFrame
        The resource plan against capacity, one row per segment and tier:
        ``segment``, ``tier``, ``service_level`` (units per customer), ``targets``,
        ``required`` (targets x service level), ``assigned``, ``used``,
        ``unassigned``, ``short`` (the units the unassigned targets need) and
        ``score_unassigned`` (their summed priority: what the gap costs).
    segment_capacity : pandas.DataFrame
        One row per segment (of the targets or the owners): ``segment``,
        ``owners``, ``capacity`` (units), ``required``, ``used``, ``free``,
        ``short`` and ``unassigned``.
    unassigned : pandas.DataFrame
        Target customers left without an owner: ``customer_id``, ``segment``,
        ``region``, ``tier``, ``score``, ``existing_owner``, ``units`` (what
        serving the customer would take) and ``reason`` (``"no
        eligible owner"`` -- nobody eligible has capacity in that tier -- or
        ``"capacity full"``). This is the resourcing gap.
    objective : float
        Total value of the assignments.
    params : dict
        The choices: capacity mode, service levels, unit and where the owners'
        capacity came from, priority column, bonuses, penalty, match rule, solver, tier
        columns, the customers targeted and those skipped because their tier has no
        capacity column, whether regions were used, and how many targeted customers
        name an existing owner missing from the owner list (treated as none).
    """

    assignments: pd.DataFrame
    loads: pd.DataFrame
    unassigned: pd.DataFrame
    objective: float
    params: dict[str, Any]
    workload: pd.DataFrame
    resource_plan: pd.DataFrame
    segment_capacity: pd.DataFrame

    @property
    def gap(self) -> pd.DataFrame:
        """Unassigned customers counted by segment (rows) and tier (columns)."""
        tiers = list(self.params["tiers"])
        return pd.crosstab(
            self.unassigned["segment"],
            pd.Categorical(self.unassigned["tier"], categories=tiers),
            dropna=False,
        ).rename_axis(index="segment", columns="tier")


def capacity_columns(tier_names: Sequence[str], columns: Sequence[str] = CAPACITY_COLUMNS) -> dict[str, str]:
    """Map the run's tier names, best first, to the capacity columns in order.

    Parameters
    ----------
    tier_names : sequence of str
        ``params.run.tiers.names``, e.g. ``["战略", "重点", "一般"]``.
    columns : sequence of str, default :data:`CAPACITY_COLUMNS`
        The owners' capacity columns, best tier first.

    Returns
    -------
    dict
        Tier name -> capacity column.

    Raises
    ------
    InputError
        More tiers than capacity columns.

    Examples
    --------
    >>> capacity_columns(["战略", "重点", "一般"])
    {'战略': 'capacity_strategic', '重点': 'capacity_key', '一般': 'capacity_general'}
    """
    names = list(tier_names)
    if len(names) > len(columns):
        raise InputError(
            f"{len(names)} tiers {names} but only {len(columns)} capacity columns "
            f"{list(columns)}; give a tier_columns mapping"
        )
    return dict(zip(names, columns, strict=False))


# =============================================================================
# Validation
# =============================================================================


def _need(frame: pd.DataFrame, columns: Sequence[str], what: str) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise InputError(f"{what} lacks the column(s) {missing}; it has {list(map(str, frame.columns))}")


def _text(values: pd.Series) -> np.ndarray:
    """Text values as an object array, missing and blank as None."""
    out = values.astype(object).to_numpy()
    blank = pd.isna(out) | (values.astype(str).str.strip().to_numpy() == "")
    out = out.copy()
    out[blank] = None
    return np.array([None if v is None else str(v).strip() for v in out], dtype=object)


def _capacities(owners: pd.DataFrame, tier_columns: Mapping[str, str]) -> np.ndarray:
    """(owners, tiers) integer capacities, validated."""
    caps = []
    for tier, col in tier_columns.items():
        values = pd.to_numeric(owners[col], errors="coerce").to_numpy(dtype=float)
        bad = ~np.isfinite(values) | (values < 0) | (values != np.round(values))
        if bad.any():
            rows = np.flatnonzero(bad)[:5].tolist()
            raise InputError(
                f"owners: capacity column {col!r} (tier {tier!r}) needs whole numbers >= 0; "
                f"bad at row(s) {rows}: {owners[col].iloc[rows].tolist()}"
            )
        caps.append(values.astype(np.int64))
    return np.column_stack(caps) if caps else np.zeros((len(owners), 0), dtype=np.int64)


# =============================================================================
# Solvers of one tier (numpy in, numpy out)
# =============================================================================


def _pair_bonus(
    c_seg: np.ndarray,
    c_reg: np.ndarray,
    o_seg: np.ndarray,
    o_reg: np.ndarray,
    region_bonus: float,
    penalty: float,
) -> np.ndarray:
    """Bonus of customer-side keys against owner-side keys (outer), without keep bonus."""
    same_reg = (c_reg[:, None] == o_reg[None, :]) & (c_reg[:, None] != _NONE)
    other_seg = c_seg[:, None] != o_seg[None, :]
    return region_bonus * same_reg - penalty * other_seg


def _split_largest_remainder(total: int, room: np.ndarray) -> np.ndarray:
    """Split ``total`` units over slots in proportion to ``room`` (never above it)."""
    r = room.sum()
    if total <= 0 or r <= 0:
        return np.zeros_like(room)
    exact = total * room / r
    base = np.floor(exact).astype(np.int64)
    left = int(total - base.sum())
    if left:
        frac = exact - base
        order = np.argsort(-frac, kind="stable")[:left]
        base[order] += 1
    return base


def _solve_flow_lp(cost: np.ndarray, constraint: LinearConstraint, upper: np.ndarray) -> np.ndarray:
    """Integral optimum of the flow LP with HiGHS.

    The LP relaxation is solved first: its basic optimal solution is integral
    because the matrix is totally unimodular. Should it ever come back fractional
    (e.g. an interior-point answer without crossover), the problem is solved again
    with every variable declared integer.
    """
    bounds = (np.zeros(cost.size), upper)
    for integrality in (np.zeros(cost.size), np.ones(cost.size)):
        res = milp(cost, constraints=constraint, integrality=integrality, bounds=bounds)
        if res.status != 0 or res.x is None:  # pragma: no cover - x = 0 is always feasible
            raise InputError(f"the assignment solver failed: {res.message}")
        x = np.rint(res.x)
        if np.abs(res.x - x).max(initial=0.0) <= _INTEGRAL_TOL:
            return x.astype(np.int64)
    raise InputError("the assignment solver returned a fractional solution")  # pragma: no cover


def _solve_tier_flow(
    p: np.ndarray,
    c_seg: np.ndarray,
    c_reg: np.ndarray,
    c_ex: np.ndarray,
    o_seg: np.ndarray,
    o_reg: np.ndarray,
    cap: np.ndarray,
    keep_existing: float,
    region_bonus: float,
    penalty: float,
    any_segment: bool,
) -> np.ndarray:
    """Owner index of every customer of one tier (-1 = none) by the flow LP.

    Customers and owners are given by integer codes (segment, region; region
    ``_NONE`` never matches) and ``c_ex`` is the index of the existing owner or -1.
    """
    n_c = p.size
    result = np.full(n_c, -1, dtype=np.int64)
    has_cap = cap > 0
    if n_c == 0 or not has_cap.any():
        return result
    # owner groups (segment, region) among owners with capacity
    o_idx = np.flatnonzero(has_cap)
    g_key = pd.MultiIndex.from_arrays([o_seg[o_idx], o_reg[o_idx]])
    g_code, g_uni = pd.factorize(g_key)
    g_seg = np.asarray(g_uni.get_level_values(0))
    g_reg = np.asarray(g_uni.get_level_values(1))
    n_g = len(g_uni)
    # customer cells (segment, region)
    k_code, k_uni = pd.factorize(pd.MultiIndex.from_arrays([c_seg, c_reg]))
    k_seg = np.asarray(k_uni.get_level_values(0))
    k_reg = np.asarray(k_uni.get_level_values(1))
    n_k = len(k_uni)
    gain_kg = _pair_bonus(k_seg, k_reg, g_seg, g_reg, region_bonus, penalty)
    ok_kg = np.ones((n_k, n_g), dtype=bool) if any_segment else (k_seg[:, None] == g_seg[None, :])
    arc_k, arc_g = np.nonzero(ok_kg)
    n_arc = arc_k.size
    # direct arcs to an eligible existing owner with capacity
    ex = np.where(c_ex >= 0, c_ex, 0)
    direct = (c_ex >= 0) & has_cap[ex] & (any_segment | (o_seg[ex] == c_seg))
    d_cust = np.flatnonzero(direct)
    d_owner = c_ex[d_cust]
    d_gain = (
        keep_existing
        + region_bonus * ((o_reg[d_owner] == c_reg[d_cust]) & (c_reg[d_cust] != _NONE))
        - penalty * (o_seg[d_owner] != c_seg[d_cust])
    )
    n_d, n_o = d_cust.size, o_idx.size
    # variables: [direct (n_d) | pool (n_c) | arcs (n_arc) | owner inflow (n_o)]
    off_pool, off_arc, off_u = n_d, n_d + n_c, n_d + n_c + n_arc
    n_var = off_u + n_o
    gain = np.concatenate([p[d_cust] + d_gain, p, gain_kg[arc_k, arc_g], np.zeros(n_o)])
    owner_pos = np.full(cap.size, -1, dtype=np.int64)
    owner_pos[o_idx] = np.arange(n_o)
    rows, cols, vals = [], [], []
    # 1. a customer with a direct arc is taken once: direct + pool <= 1
    r = np.arange(n_d)
    rows += [r, r]
    cols += [np.arange(n_d), off_pool + d_cust]
    vals += [np.ones(n_d), np.ones(n_d)]
    row0 = n_d
    # 2. cell conservation: pooled customers of k = flow out of k
    rows += [row0 + k_code, row0 + arc_k]
    cols += [off_pool + np.arange(n_c), off_arc + np.arange(n_arc)]
    vals += [np.ones(n_c), -np.ones(n_arc)]
    row0 += n_k
    # 3. group conservation: flow into g = inflow of g's owners
    rows += [row0 + arc_g, row0 + g_code]
    cols += [off_arc + np.arange(n_arc), off_u + np.arange(n_o)]
    vals += [np.ones(n_arc), -np.ones(n_o)]
    row0 += n_g
    # 4. owner capacity: direct customers + pooled inflow <= cap
    rows += [row0 + owner_pos[d_owner], row0 + np.arange(n_o)]
    cols += [np.arange(n_d), off_u + np.arange(n_o)]
    vals += [np.ones(n_d), np.ones(n_o)]
    n_row = row0 + n_o
    a = sparse.csr_array((np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))), shape=(n_row, n_var))
    lb = np.concatenate([np.full(n_d, -np.inf), np.zeros(n_k + n_g), np.full(n_o, -np.inf)])
    ub = np.concatenate([np.ones(n_d), np.zeros(n_k + n_g), cap[o_idx].astype(float)])
    upper = np.concatenate([np.ones(n_d + n_c), np.full(n_arc + n_o, np.inf)])
    x = _solve_flow_lp(-gain, LinearConstraint(a, lb, ub), upper)
    # --- back to customers ----------------------------------------------------
    taken = x[:n_d] == 1
    result[d_cust[taken]] = d_owner[taken]
    used = np.bincount(owner_pos[d_owner[taken]], minlength=n_o)
    pooled = np.flatnonzero(x[off_pool:off_arc] == 1)
    if pooled.size:
        # pooled customers, cell by cell (best priority first), to groups in arc order
        pooled = pooled[np.lexsort((-p[pooled], k_code[pooled]))]
        flow = x[off_arc:off_u]
        f = np.zeros((n_k, n_g), dtype=np.int64)
        f[arc_k, arc_g] = flow
        groups_of = np.repeat(np.tile(np.arange(n_g), n_k), f.ravel())
        # each group's inflow over its owners, in proportion to their room left
        inflow = f.sum(axis=0)
        share = np.zeros(n_o, dtype=np.int64)
        for g in np.flatnonzero(inflow):
            members = np.flatnonzero(g_code == g)
            share[members] = _split_largest_remainder(int(inflow[g]), cap[o_idx[members]] - used[members])
        # pooled customers grouped by group, matched to owner slots grouped the same way
        owners_by_group = np.argsort(g_code, kind="stable")
        slots = np.repeat(o_idx[owners_by_group], share[owners_by_group])
        result[pooled[np.argsort(groups_of, kind="stable")]] = slots
    return result


def _solve_tier_lsa(
    p: np.ndarray,
    c_seg: np.ndarray,
    c_reg: np.ndarray,
    c_ex: np.ndarray,
    o_seg: np.ndarray,
    o_reg: np.ndarray,
    cap: np.ndarray,
    keep_existing: float,
    region_bonus: float,
    penalty: float,
    any_segment: bool,
) -> np.ndarray:
    """Owner index of every customer of one tier (-1 = none) by dense assignment."""
    n_c = p.size
    result = np.full(n_c, -1, dtype=np.int64)
    slots = np.repeat(np.arange(cap.size), cap)
    if n_c == 0 or slots.size == 0:
        return result
    if n_c * (slots.size + n_c) > LSA_MAX_CELLS:
        raise InputError(f"solver 'lsa' would build a {n_c} x {slots.size + n_c} matrix; use solver='milp'")
    value = p[:, None] + _pair_bonus(c_seg, c_reg, o_seg[slots], o_reg[slots], region_bonus, penalty)
    value += keep_existing * (c_ex[:, None] == slots[None, :])
    if not any_segment:
        value[c_seg[:, None] != o_seg[slots][None, :]] = -np.inf
    cost = np.concatenate([-value, np.full((n_c, n_c), np.inf)], axis=1)
    cost[np.arange(n_c), slots.size + np.arange(n_c)] = 0.0  # stay without an owner
    rows, cols = linear_sum_assignment(cost)
    real = cols < slots.size
    result[rows[real]] = slots[cols[real]]
    return result


# =============================================================================
# Public API
# =============================================================================


def _units(owners: pd.DataFrame, column: str) -> np.ndarray:
    """Owners' capacity in the workload unit, validated (finite numbers >= 0)."""
    values = pd.to_numeric(owners[column], errors="coerce").to_numpy(dtype=float)
    bad = ~np.isfinite(values) | (values < 0)
    if bad.any():
        rows = np.flatnonzero(bad)[:5].tolist()
        raise InputError(
            f"owners: capacity column {column!r} needs numbers >= 0; bad at row(s) {rows}: "
            f"{owners[column].iloc[rows].tolist()}"
        )
    return values


def _sorted(frame: pd.DataFrame, tier_rank: Mapping[str, int]) -> pd.DataFrame:
    return (
        frame.assign(_t=frame["tier"].map(tier_rank))
        .sort_values(["_t", "segment", "score", "customer_id"], ascending=[True, True, False, True], kind="stable")
        .drop(columns="_t")
        .reset_index(drop=True)
    )


def assign_owners(
    customers: pd.DataFrame,
    owners: pd.DataFrame,
    *,
    tier_columns: Mapping[str, str] | None = None,
    service_levels: Mapping[str, float] | None = None,
    capacity_column: str | None = None,
    priority: str = "score",
    keep_existing: float = 0.2,
    match: str = "segment",
    region_bonus: float = 0.1,
    cross_segment_penalty: float = 0.5,
    solver: str = "milp",
    customer_id: str = "customer_id",
    owner_column: str = "owner_id",
) -> AssignmentResult:
    """Give each target customer at most one development owner, within capacity.

    Maximises the total value ``v(c, o)`` of the assignments (see the module
    docstring for the formulation, the two capacity modes and the solvers) under each
    owner's capacity.

    Parameters
    ----------
    customers : pandas.DataFrame
        Target customers, e.g. the pipeline's ``target_list``: ``customer_id``,
        ``segment``, ``tier``, the ``priority`` column and optionally ``region``
        and the existing owner (``owner_column``, empty = none). Customers whose
        tier is not one of the tiers (e.g. not targeted) are skipped.
    owners : pandas.DataFrame
        ``owner_id``, ``segment``, the capacity columns, optionally ``owner_name``
        and ``region`` (``owners.csv``, read and checked row by row with
        :func:`prioanalysis.inputs.owners.read_owners`; the checks here only guard
        the kernel's arguments).
    tier_columns : Mapping[str, str], optional
        Tier name -> owners' capacity column (customers of that tier), best tier
        first, e.g. :func:`capacity_columns` of the run's tier names. Needed without
        ``service_levels`` (the ``tier_slots`` mode) and, in the workload mode, when
        no ``capacity_column`` is given.
    service_levels : Mapping[str, float], optional
        Tier name -> units of work one customer of the tier takes (visits per year,
        presales days ...), best tier first. Given: the ``workload`` mode -- the
        capacity flows between tiers by priority. None: the ``tier_slots`` mode.
    capacity_column : str, optional
        Workload mode: the owners' column with each owner's capacity in the unit.
        None: the capacity is what the owner's tier slots amount to in the unit,
        ``sum_t cap[o, t] * service_levels[t]``.
    priority : str, default "score"
        Customer column whose sum is maximised (finite numbers).
    keep_existing : float, default 0.2
        Bonus for keeping the existing relationship (in priority units: 0.2 =
        a fifth of the min-max score range).
    match : {"segment", "any"}, default "segment"
        ``segment``: only owners of the customer's segment; ``any``: any owner,
        with ``cross_segment_penalty`` subtracted across segments.
    region_bonus : float, default 0.1
        Bonus when owner and customer are in the same region (missing regions never
        match).
    cross_segment_penalty : float, default 0.5
        Used with ``match="any"`` only.
    solver : {"milp", "lsa"}, default "milp"
        See the module docstring. Both are exact.
    customer_id, owner_column : str
        Column names of the customer id and of the existing owner.

    Returns
    -------
    AssignmentResult

    Raises
    ------
    InputError
        Missing columns, duplicated ids, bad capacities, service levels, priorities
        or options.

    Examples
    --------
    Two strategic customers in the east, one owner there with room for one: the
    better customer gets her; the other is the gap.

    >>> cust = pd.DataFrame({"customer_id": ["c1", "c2"], "segment": ["gov", "gov"],
    ...                      "region": ["east", "east"], "tier": ["S", "S"],
    ...                      "score": [0.9, 0.7], "owner_id": [None, None]})
    >>> own = pd.DataFrame({"owner_id": ["o1"], "owner_name": ["何"], "segment": ["gov"],
    ...                     "region": ["east"], "cap_s": [1], "cap_g": [3]})
    >>> res = assign_owners(cust, own, tier_columns={"S": "cap_s", "G": "cap_g"})
    >>> res.assignments[["customer_id", "owner_id", "region_match"]].to_numpy().tolist()
    [['c1', 'o1', True]]
    >>> res.unassigned["customer_id"].tolist(), round(res.objective, 2)
    (['c2'], 1.0)

    With service levels (a strategic customer takes 3 visits, a general one 1) the
    owner's 1 x 3 + 3 x 1 = 6 visits serve both strategic customers:

    >>> flow = assign_owners(cust, own, tier_columns={"S": "cap_s", "G": "cap_g"},
    ...                      service_levels={"S": 3, "G": 1})
    >>> flow.assignments["customer_id"].tolist(), flow.workload[["capacity", "used"]].to_numpy().tolist()
    (['c1', 'c2'], [[6.0, 6.0]])
    """
    if match not in MATCH_RULES:
        raise InputError(f"unknown match rule {match!r}; expected one of {', '.join(MATCH_RULES)}")
    if solver not in SOLVERS:
        raise InputError(f"unknown solver {solver!r}; expected one of {', '.join(SOLVERS)}")
    keep_existing = checks.nonnegative_number(keep_existing, "keep_existing")
    region_bonus = checks.nonnegative_number(region_bonus, "region_bonus")
    cross_segment_penalty = checks.nonnegative_number(cross_segment_penalty, "cross_segment_penalty")
    workload = service_levels is not None
    if tier_columns is not None and (not isinstance(tier_columns, Mapping) or not tier_columns):
        raise InputError("tier_columns must map each tier name to an owners' capacity column")
    if workload:
        assert service_levels is not None
        if not isinstance(service_levels, Mapping) or not service_levels:
            raise InputError("service_levels must map each tier name to the units one customer of it takes")
        levels = {str(k): float(v) for k, v in service_levels.items()}
        bad_levels = {k: v for k, v in levels.items() if not (np.isfinite(v) and v > 0)}
        if bad_levels:
            raise InputError(f"service levels must be numbers > 0; bad for {bad_levels}")
        tiers = list(levels)
        if capacity_column is None:
            if tier_columns is None:
                raise InputError("the workload mode needs the owners' capacity_column or tier_columns to derive it")
            if list(tier_columns) != tiers:
                raise InputError(
                    f"service levels name the tiers {tiers} but tier_columns {list(tier_columns)}; "
                    "give both for the same tiers in the same order"
                )
    else:
        if tier_columns is None:
            raise InputError("tier_columns must map each tier name to an owners' capacity column")
        tiers = list(tier_columns)
        levels = dict.fromkeys(tiers, 1.0)
    slot_columns = list(tier_columns.values()) if tier_columns is not None and capacity_column is None else []
    _need(customers, [customer_id, "segment", "tier", priority], "the customer list")
    _need(
        owners,
        ["owner_id", "segment", *slot_columns, *([capacity_column] if capacity_column else [])],
        "the owner list",
    )

    cust_ids = customers[customer_id].astype(object).to_numpy()
    checks.unique_ids(cust_ids, "the customer list")
    owner_ids = _text(owners["owner_id"])
    checks.unique_ids(owner_ids, "the owner list")
    tier_of = customers["tier"].astype(object).to_numpy()
    target = pd.Series(tier_of).isin(tiers).to_numpy()
    prio = pd.to_numeric(customers[priority], errors="coerce").to_numpy(dtype=float)
    bad = target & ~np.isfinite(prio)
    if bad.any():
        raise InputError(
            f"the customer list: column {priority!r} needs finite numbers; missing or bad for "
            f"{list(cust_ids[bad][:10])}"
        )
    if capacity_column is None:
        assert tier_columns is not None
        cap = _capacities(owners, tier_columns)
        units = (cap * np.array([levels[t] for t in tiers])[None, :]).sum(axis=1).astype(float)
    else:
        cap = np.zeros((len(owners), len(tiers)), dtype=np.int64)
        units = _units(owners, capacity_column)
    for frame, what, mask in ((customers, "the customer list", target), (owners, "the owner list", None)):
        seg = frame["segment"].reset_index(drop=True)
        blank = pd.isna(_text(seg)) if mask is None else pd.isna(_text(seg)) & mask
        if blank.any():
            rows = np.flatnonzero(blank)[:10].tolist()
            raise InputError(f"{what}: segment missing at row(s) {rows}; every row needs a segment")

    # integer codes shared by customers and owners
    c_seg_txt, o_seg_txt = _text(customers["segment"]), _text(owners["segment"])
    seg_codes, _ = pd.factorize(pd.Series(np.concatenate([c_seg_txt, o_seg_txt]), dtype=object))
    c_seg, o_seg = seg_codes[: len(customers)], seg_codes[len(customers) :]
    use_region = "region" in customers.columns and "region" in owners.columns
    if use_region:
        c_reg_txt, o_reg_txt = _text(customers["region"]), _text(owners["region"])
        reg_codes, _ = pd.factorize(pd.Series(np.concatenate([c_reg_txt, o_reg_txt]), dtype=object))
        c_reg, o_reg = reg_codes[: len(customers)], reg_codes[len(customers) :]
    else:
        c_reg_txt = np.full(len(customers), None, dtype=object)
        c_reg = np.full(len(customers), _NONE)
        o_reg = np.full(len(owners), _NONE)
    if owner_column in customers.columns:
        ex_txt = _text(customers[owner_column])
        ex = pd.Index(owner_ids).get_indexer(pd.Index(ex_txt))
        ex[pd.isna(ex_txt)] = -1
        unknown_owner = int(np.count_nonzero((ex < 0) & ~pd.isna(ex_txt) & target))
    else:
        ex_txt = np.full(len(customers), None, dtype=object)
        ex = np.full(len(customers), -1)
        unknown_owner = 0

    solve = _solve_tier_flow if solver == "milp" else _solve_tier_lsa
    owner_of = np.full(len(customers), -1, dtype=np.int64)
    n_o, n_t = len(owners), len(tiers)
    offered = np.zeros((n_o, n_t), dtype=np.int64)  # customers of each tier each owner could take
    left_units = units.copy()
    for t, tier in enumerate(tiers):
        if workload:
            offered[:, t] = np.floor(left_units / levels[tier] + 1e-9).astype(np.int64)
        else:
            offered[:, t] = cap[:, t]
        sel = np.flatnonzero(tier_of == tier)
        got = solve(
            prio[sel],
            c_seg[sel],
            c_reg[sel],
            ex[sel],
            o_seg,
            o_reg,
            offered[:, t],
            keep_existing,
            region_bonus,
            cross_segment_penalty,
            match == "any",
        )
        owner_of[sel] = got
        if workload:
            left_units = left_units - levels[tier] * np.bincount(got[got >= 0], minlength=n_o)

    names = _text(owners["owner_name"]) if "owner_name" in owners.columns else owner_ids
    done = np.flatnonzero(owner_of >= 0)
    o = owner_of[done]
    kept = ex[done] == o
    region_match = (c_reg[done] == o_reg[o]) & (c_reg[done] != _NONE)
    cross = c_seg[done] != o_seg[o]
    value = prio[done] + keep_existing * kept + region_bonus * region_match - cross_segment_penalty * cross
    tier_rank = {t: i for i, t in enumerate(tiers)}
    assignments = _sorted(
        pd.DataFrame(
            {
                "customer_id": cust_ids[done],
                "owner_id": owner_ids[o],
                "owner_name": names[o],
                "segment": c_seg_txt[done],
                "tier": tier_of[done],
                "score": prio[done],
                "kept_existing": kept,
                "region_match": region_match,
                "cross_segment": cross,
                "value": value,
            }
        ),
        tier_rank,
    )

    # loads: owner x tier
    level_of = np.array([levels[t] for t in tiers])
    t_code = pd.Series(tier_of[done]).map(tier_rank).to_numpy(dtype=np.int64)
    assigned = np.zeros((n_o, n_t), dtype=np.int64)
    np.add.at(assigned, (o, t_code), 1)
    kept_n = np.zeros((n_o, n_t), dtype=np.int64)
    np.add.at(kept_n, (o[kept], t_code[kept]), 1)
    with np.errstate(invalid="ignore", divide="ignore"):
        util = np.where(offered > 0, assigned / np.where(offered > 0, offered, 1), np.nan)
    used_units = assigned * level_of[None, :]
    loads = pd.DataFrame(
        {
            "owner_id": np.repeat(owner_ids, n_t),
            "owner_name": np.repeat(names, n_t),
            "segment": np.repeat(o_seg_txt, n_t),
            "tier": np.tile(np.asarray(tiers, dtype=object), n_o),
            "capacity": offered.ravel(),
            "assigned": assigned.ravel(),
            "kept_existing": kept_n.ravel(),
            "free": (offered - assigned).ravel(),
            "utilisation": util.ravel(),
            "units": used_units.ravel(),
        }
    )
    total_used = used_units.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        owner_util = np.where(units > 0, total_used / np.where(units > 0, units, 1), np.nan)
    work = pd.DataFrame(
        {
            "owner_id": owner_ids,
            "owner_name": names,
            "segment": o_seg_txt,
            "capacity": units,
            "used": total_used,
            "free": units - total_used,
            "utilisation": owner_util,
        }
    )
    for t, tier in enumerate(tiers):
        work[str(tier)] = used_units[:, t]

    # the gap: target customers left without an owner
    left = np.flatnonzero(target & (owner_of < 0))
    eligible_any = np.zeros(left.size, dtype=bool)
    for t, tier in enumerate(tiers):
        in_t = tier_of[left] == tier
        room = (units >= levels[tier] - 1e-9) if workload else (cap[:, t] > 0)
        if match == "any":
            eligible_any[in_t] = bool(room.any())
        else:
            segs_with_cap = np.unique(o_seg[room])
            eligible_any[in_t] = np.isin(c_seg[left[in_t]], segs_with_cap)
    unassigned = _sorted(
        pd.DataFrame(
            {
                "customer_id": cust_ids[left],
                "segment": c_seg_txt[left],
                "region": c_reg_txt[left],
                "tier": tier_of[left],
                "score": prio[left],
                "existing_owner": ex_txt[left],
                "units": pd.Series(tier_of[left], dtype=object).map(levels).to_numpy(dtype=float),
                "reason": np.where(eligible_any, "capacity full", "no eligible owner"),
            }
        ),
        tier_rank,
    )

    # the resource plan: segment x tier, demand against what was served
    tgt = pd.DataFrame(
        {
            "segment": c_seg_txt[target],
            "tier": tier_of[target],
            "score": prio[target],
            "assigned": owner_of[target] >= 0,
        }
    )
    segments = list(dict.fromkeys([*tgt["segment"].tolist(), *[s for s in o_seg_txt if s is not None]]))
    grid = pd.MultiIndex.from_product([segments, tiers], names=["segment", "tier"])
    grouped = tgt.assign(
        targets=1, unassigned=~tgt["assigned"], score_unassigned=tgt["score"].where(~tgt["assigned"], 0.0)
    ).groupby(["segment", "tier"], sort=False)
    plan = (
        grouped[["targets", "assigned", "unassigned", "score_unassigned"]]
        .sum()
        .reindex(grid, fill_value=0)
        .reset_index()
    )
    plan["assigned"] = plan["assigned"].astype(np.int64)
    plan["unassigned"] = plan["unassigned"].astype(np.int64)
    plan["targets"] = plan["targets"].astype(np.int64)
    plan["score_unassigned"] = plan["score_unassigned"].astype(float)
    plan["service_level"] = plan["tier"].map(levels).astype(float)
    plan["required"] = plan["targets"] * plan["service_level"]
    plan["used"] = plan["assigned"] * plan["service_level"]
    plan["short"] = plan["unassigned"] * plan["service_level"]
    plan = plan[
        [
            "segment",
            "tier",
            "service_level",
            "targets",
            "required",
            "assigned",
            "used",
            "unassigned",
            "short",
            "score_unassigned",
        ]
    ]
    by_seg = plan.groupby("segment", sort=False)[["required", "used", "short", "unassigned"]].sum()
    cap_seg = work.groupby("segment", sort=False).agg(owners=("owner_id", "size"), capacity=("capacity", "sum"))
    seg_cap = by_seg.join(cap_seg, how="outer").reindex(segments)
    seg_cap["owners"] = seg_cap["owners"].fillna(0).astype(np.int64)
    seg_cap["capacity"] = seg_cap["capacity"].fillna(0.0)
    seg_cap[["required", "used", "short"]] = seg_cap[["required", "used", "short"]].fillna(0.0)
    seg_cap["unassigned"] = seg_cap["unassigned"].fillna(0).astype(np.int64)
    seg_cap["free"] = seg_cap["capacity"] - seg_cap["used"]
    segment_capacity = seg_cap.rename_axis("segment").reset_index()[
        ["segment", "owners", "capacity", "required", "used", "free", "short", "unassigned"]
    ]

    params = {
        "capacity_mode": "workload" if workload else "tier_slots",
        "tiers": tiers,
        "service_levels": levels if workload else None,
        "capacity_source": (capacity_column or "tier slots x service levels") if workload else "tier slots",
        "priority": priority,
        "keep_existing": keep_existing,
        "region_bonus": region_bonus if use_region else 0.0,
        "match": match,
        "cross_segment_penalty": cross_segment_penalty if match == "any" else None,
        "solver": solver,
        "tier_columns": dict(tier_columns) if tier_columns is not None else None,
        "capacity_column": capacity_column,
        "customers_targeted": int(target.sum()),
        "customers_skipped": int((~target).sum()),
        "regions_used": use_region,
        "existing_owner_unknown": unknown_owner,
    }
    return AssignmentResult(
        assignments=assignments,
        loads=loads,
        unassigned=unassigned,
        objective=float(value.sum()),
        params=params,
        workload=work,
        resource_plan=plan,
        segment_capacity=segment_capacity,
    )
