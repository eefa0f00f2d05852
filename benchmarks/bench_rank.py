"""Benchmark: score → rank → tier for 1,000,000 customers × 10 criteria.

Prints wall time and peak traced memory (numpy and pandas allocations, via
tracemalloc) of the whole step, relative to the input matrix. Targets on the 2-core
machine: ≤ 1.5 s and ≤ 3× the input's memory. A script, not a timed test:

    .venv/bin/python benchmarks/bench_rank.py [n_customers]
"""

from __future__ import annotations

import sys
import time
import tracemalloc

import numpy as np
import pandas as pd

from prioanalysis.methods import ranking, scoring

N = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
K = 10
SEGMENTS = np.array(
    ["government", "finance", "education", "telecom", "manufacturing", "energy", "healthcare", "retail"]
)


def make_input(n: int, seed: int = 0) -> tuple[pd.DataFrame, pd.Series, pd.Series]:
    rng = np.random.default_rng(seed)
    cols = [f"c{j}" for j in range(K)]
    ids = pd.Index(np.char.add("C", np.arange(n).astype(str)), name="customer_id")
    matrix = pd.DataFrame(rng.lognormal(size=(n, K)), index=ids, columns=cols)
    segment = pd.Series(SEGMENTS[rng.integers(0, len(SEGMENTS), n)], index=ids)
    eligible = pd.Series(rng.random(n) > 0.05, index=ids)
    return matrix, segment, eligible


def score_rank_tier(matrix: pd.DataFrame, segment: pd.Series, eligible: pd.Series, method: str) -> pd.Series:
    cols = list(matrix.columns)
    weights = dict(zip(cols, np.full(K, 1 / K)))
    directions = {c: ("cost" if i % 4 == 3 else "benefit") for i, c in enumerate(cols)}
    scores = scoring.score(matrix, weights, directions, method=method).scores
    ranked = ranking.rank_and_tier(
        scores, segment, eligible, ["S", "K", "G"], quota_values=[0.05, 0.15, 0.30], tie_rule="min"
    )
    return ranked["tier"]


def main() -> None:
    matrix, segment, eligible = make_input(N)
    input_mb = matrix.memory_usage(deep=True).sum() / 2**20
    print(f"input: {N:,} customers × {K} criteria = {input_mb:.0f} MiB")
    for method in ("weighted_sum", "topsis"):
        times = []
        for _ in range(3):
            t0 = time.perf_counter()
            tiers = score_rank_tier(matrix, segment, eligible, method)
            times.append(time.perf_counter() - t0)
        tracemalloc.start()
        score_rank_tier(matrix, segment, eligible, method)
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        peak_mb = peak / 2**20
        print(
            f"{method:13s} score→rank→tier: best {min(times):.3f} s, median {np.median(times):.3f} s; "
            f"peak extra memory {peak_mb:.0f} MiB = {peak_mb / input_mb:.2f}× input "
            f"(targets ≤ 1.5 s, ≤ 3×); tier counts {tiers.value_counts().to_dict()}"
        )


if __name__ == "__main__":
    main()
