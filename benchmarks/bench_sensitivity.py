"""Benchmark of the weight-uncertainty analysis (SMAA-2 rank acceptability).

Run with ``.venv/bin/python benchmarks/bench_sensitivity.py``. Prints:

* the main case: ``--draws`` (1,000) weight draws x ``--rows`` (100,000) customers x
  ``--cols`` (10) criteria, weighted sum, with quota tiers by segment (8 segments),
  against the targets of 20 s and 2 GB peak memory. Peak memory is read twice:
  the traced peak of numpy / Python allocations during the call (``tracemalloc``)
  and the peak resident set size of the process (``resource.getrusage``, which
  also counts the interpreter and the libraries);
* TOPSIS on a smaller list (``--topsis-rows``, 20,000 by default) and on the main
  size;
* the scaling of the weighted sum with the list size, and the largest list that
  1,000 draws would handle within 10 minutes -- an **extrapolation** from the
  measured time per customer, not a measurement.

This is a script, not a test: timings depend on the machine.
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import time
import tracemalloc

import numpy as np
import pandas as pd

from prioanalysis.methods import acceptability as sensitivity


def make_list(rows: int, cols: int, seed: int) -> tuple[pd.DataFrame, dict, dict, dict]:
    """A synthetic customer list: matrix, directions, weights and a quota tier spec."""
    rng = np.random.default_rng(seed)
    columns = [f"criterion_{j}" for j in range(cols)]
    matrix = pd.DataFrame(
        rng.gamma(2.0, 50.0, size=(rows, cols)),
        index=pd.Index([f"C{i:07d}" for i in range(rows)], name="customer_id"),
        columns=columns,
    )
    directions = {c: ("cost" if j % 4 == 3 else "benefit") for j, c in enumerate(columns)}
    raw = rng.random(cols) + 0.5
    weights = dict(zip(columns, (raw / raw.sum()).tolist(), strict=True))
    weights[columns[-1]] = 1.0 - sum(weights[c] for c in columns[:-1])
    segments = pd.Series(rng.choice([f"segment_{g}" for g in range(8)], size=rows), index=matrix.index)
    tiers = {"names": ["strategic", "key", "general"], "shares": [0.05, 0.15, 0.30], "groups": segments}
    return matrix, directions, weights, tiers


def peak_rss_mib() -> float:
    """Peak resident set size of this process so far, in MiB (Linux: ru_maxrss in KiB)."""
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return rss / 1024 if sys.platform != "darwin" else rss / 2**20


def timed(fn, trace: bool = False) -> tuple[float, float, object]:
    """Wall time of one call, (when traced) the peak traced memory in MiB, the result."""
    if trace:
        tracemalloc.start()
        tracemalloc.reset_peak()
    t0 = time.perf_counter()
    out = fn()
    elapsed = time.perf_counter() - t0
    peak = 0.0
    if trace:
        _, peak_b = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        peak = peak_b / 2**20
    return elapsed, peak, out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--cols", type=int, default=10)
    parser.add_argument("--draws", type=int, default=1000)
    parser.add_argument("--topsis-rows", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=20260601)
    args = parser.parse_args(argv)
    print(f"cpus: {os.cpu_count()}, numpy {np.__version__}, pandas {pd.__version__}")

    matrix, directions, weights, tiers = make_list(args.rows, args.cols, args.seed)
    rss_before = peak_rss_mib()

    def run_main() -> sensitivity.AcceptabilityResult:
        return sensitivity.rank_acceptability(
            matrix, directions, weights, "weighted_sum", n_draws=args.draws, seed=1, tiers=tiers
        )

    # untraced timing (tracemalloc slows allocation-heavy code down)
    elapsed, _, res = timed(run_main)
    rss_after = peak_rss_mib()
    _, traced, _ = timed(run_main, trace=True)
    print(
        f"\nweighted sum, {args.draws:,} draws x {args.rows:,} customers x {args.cols} criteria, "
        "quota tiers by segment:"
    )
    print(f"  time                 {elapsed:8.2f} s    (target <= 20 s)")
    print(f"  peak traced memory   {traced:8.0f} MiB  (numpy/Python allocations during the call)")
    print(f"  peak RSS of process  {rss_after:8.0f} MiB  (before the call: {rss_before:.0f} MiB; target <= 2048)")
    print(
        f"  rank histogram: {res.params['rank_bins']} bins of {res.params['rank_bin_width']} ranks, "
        f"chunk {res.params['chunk_size']} draws"
    )
    s = res.summary
    print(
        f"  90% rank interval width: median {float((s.rank_p95 - s.rank_p05).median()):.0f} ranks; "
        f"customers with p_keep_tier < 0.8: {int((s.p_keep_tier < 0.8).sum()):,}"
    )

    # TOPSIS
    for rows in (args.topsis_rows, args.rows):
        m, d, w, t = make_list(rows, args.cols, args.seed)
        el, _, _ = timed(
            lambda m=m, d=d, w=w, t=t: sensitivity.rank_acceptability(
                m, d, w, "topsis", n_draws=args.draws, seed=1, tiers=t
            )
        )
        print(f"TOPSIS, {args.draws:,} draws x {rows:,} customers: {el:.2f} s")

    # scaling of the weighted sum, and the extrapolated 10-minute size
    print("\nscaling (weighted sum, quota tiers):")
    per_customer = []
    for rows in (25_000, 50_000, 100_000, 200_000):
        m, d, w, t = make_list(rows, args.cols, args.seed)
        el, _, _ = timed(
            lambda m=m, d=d, w=w, t=t: sensitivity.rank_acceptability(
                m, d, w, "weighted_sum", n_draws=args.draws, seed=1, tiers=t
            )
        )
        per_customer.append(el / rows)
        print(f"  {rows:>9,} customers: {el:7.2f} s  ({el / rows * 1e6:.1f} µs per customer)")
    # time grows like n log n (the sorts); use the largest measurement's rate,
    # inflated by log(n)/log(n_measured), and solve 600 s for n.
    rate, n0 = per_customer[-1], 200_000
    n = n0
    while rate * n * np.log(n) / np.log(n0) < 600:
        n = int(n * 1.05)
    print(
        f"  largest list within 10 minutes at {args.draws:,} draws: about {n / 1e6:.1f} million "
        "customers (EXTRAPOLATED from the 200,000-customer rate with n log n growth, "
        "not measured)"
    )
    # memory: the histogram is capped; the rest grows linearly with the list (measured
    # with 20 draws at two sizes -- memory does not depend on the number of draws)
    rest = []
    for rows in (400_000, 800_000):  # both with the histogram at its cap
        m, d, w, t = make_list(rows, args.cols, args.seed)
        _, peak, r = timed(
            lambda m=m, d=d, w=w, t=t: sensitivity.rank_acceptability(m, d, w, n_draws=20, tiers=t), trace=True
        )
        rest.append(peak - rows * r.params["rank_bins"] * 2 / 2**20)
    slope = (rest[1] - rest[0]) / 400_000
    cap = sensitivity.DEFAULT_HISTOGRAM_MB
    bins = int(cap * 2**20 // (n * 2))
    estimate = cap + rest[1] + slope * (n - 800_000)
    print(
        f"  at that size the rank histogram is capped at {cap:.0f} MiB, i.e. {bins} bins "
        f"(rank quantiles within {-(-n // bins):,} ranks); traced memory about {estimate:,.0f} MiB "
        f"(histogram + {slope * 2**20:.0f} bytes per customer, EXTRAPOLATED from 400,000 and 800,000) "
        "plus the input matrix"
    )
    n_mem = 800_000 + (2048 - cap - rest[1]) / slope
    print(
        f"  largest list within 2 GiB of traced memory: about {n_mem / 1e6:.1f} million customers "
        "(EXTRAPOLATED the same way; lower histogram_mb to go further)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
