"""Benchmark of the owner assignment: 20,000 target customers to 200 owners.

Run with ``.venv/bin/python benchmarks/bench_assignment.py``. Builds a synthetic list
shaped like the sample (8 segments, 7 regions, three tiers in the proportions
5 : 15 : 30, 70 % of customers with an existing owner of their segment; owners'
capacities drawn like ``owners.csv``), then prints the best of ``--repeat`` timings
of :func:`prioanalysis.methods.assignment.assign_owners` with the default flow solver for
``match="segment"`` (target <= 10 s) and ``match="any"``, the share assigned, and a
cross-check of the objective against the dense ``lsa`` solver on a smaller list.

This is a script, not a test: timings depend on the machine.
"""

from __future__ import annotations

import argparse
import os
import time

import numpy as np
import pandas as pd

from prioanalysis.methods.assignment import assign_owners

SEGMENTS = ["government", "finance", "telecom", "energy", "manufacturing", "healthcare", "education", "retail"]
REGIONS = ["north", "northeast", "east", "south", "central", "southwest", "northwest"]
TIER_COLUMNS = {"战略": "capacity_strategic", "重点": "capacity_key", "一般": "capacity_general"}


def make_problem(n_customers: int, n_owners: int, seed: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Synthetic customers and owners (capacities scaled so demand exceeds supply a little)."""
    rng = np.random.default_rng(seed)
    owners = pd.DataFrame(
        {
            "owner_id": [f"O{j:04d}" for j in range(n_owners)],
            "owner_name": [f"owner {j}" for j in range(n_owners)],
            "segment": np.resize(SEGMENTS, n_owners),
            "region": rng.choice(REGIONS, n_owners),
        }
    )
    # demand per owner at 20,000 / 200: 10 / 30 / 60 by tier; supply about 90 % of it
    scale = n_customers / n_owners / 100
    owners["capacity_strategic"] = np.round(rng.integers(6, 12, n_owners) * scale).astype(int)
    owners["capacity_key"] = np.round(rng.integers(20, 35, n_owners) * scale).astype(int)
    owners["capacity_general"] = np.round(rng.integers(40, 70, n_owners) * scale).astype(int)
    segment = rng.choice(SEGMENTS, n_customers)
    by_segment = {s: owners["owner_id"][owners["segment"] == s].to_numpy() for s in SEGMENTS}
    existing = np.array([rng.choice(by_segment[s]) for s in segment], dtype=object)
    existing[rng.random(n_customers) < 0.3] = None
    customers = pd.DataFrame(
        {
            "customer_id": [f"C{i:07d}" for i in range(n_customers)],
            "segment": segment,
            "region": rng.choice(REGIONS, n_customers),
            "tier": rng.choice(list(TIER_COLUMNS), n_customers, p=[0.1, 0.3, 0.6]),
            "score": rng.beta(2, 3, n_customers),
            "owner_id": existing,
        }
    )
    return customers, owners


def best_time(fn, repeat: int) -> tuple[float, object]:
    times, out = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return min(times), out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=20_000)
    parser.add_argument("--owners", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=20260601)
    args = parser.parse_args(argv)
    print(f"cpus: {os.cpu_count()}")

    customers, owners = make_problem(args.customers, args.owners, args.seed)
    print(
        f"{args.customers:,} customers, {args.owners:,} owners, total capacity "
        f"{int(owners[list(TIER_COLUMNS.values())].to_numpy().sum()):,}"
    )
    for match in ("segment", "any"):
        elapsed, res = best_time(
            lambda match=match: assign_owners(customers, owners, tier_columns=TIER_COLUMNS, match=match),
            args.repeat,
        )
        a = res.assignments
        target = " (target <= 10 s)" if match == "segment" else ""
        print(
            f"match={match:<7} solver=milp: {elapsed:6.2f} s{target}; assigned {len(a):,}, "
            f"unassigned {len(res.unassigned):,}, kept existing {a['kept_existing'].mean():.0%}, "
            f"same region {a['region_match'].mean():.0%}, cross-segment {a['cross_segment'].mean():.1%}, "
            f"objective {res.objective:,.2f}"
        )

    small_c, small_o = make_problem(1_500, 40, args.seed)
    t_flow, flow = best_time(lambda: assign_owners(small_c, small_o, tier_columns=TIER_COLUMNS), 1)
    t_lsa, lsa = best_time(lambda: assign_owners(small_c, small_o, tier_columns=TIER_COLUMNS, solver="lsa"), 1)
    print(
        f"cross-check on 1,500 x 40: flow {t_flow:.2f} s, dense lsa {t_lsa:.2f} s, "
        f"objectives {flow.objective:.6f} / {lsa.objective:.6f} "
        f"({'equal' if abs(flow.objective - lsa.objective) < 1e-6 else 'DIFFERENT'})"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
