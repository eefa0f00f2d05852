"""Benchmark of the scoring kernels on 1,000,000 customers x 10 criteria.

Run with ``.venv/bin/python benchmarks/bench_scoring.py``. Prints the best of
``--repeat`` timings of:

* ``weighted_sum`` (validated, min-max);
* ``topsis`` (validated, vector normalization);
* a bare numpy TOPSIS written here (no validation, no pandas) on the same data;
* ``_topsis_kernel`` alone (the package's kernel without the validation);
* ``score`` (weighted sum and TOPSIS, with contributions and all tables);

then the ratio validated / bare TOPSIS (target <= 1.5) and the peak memory.

This is a script, not a test: timings depend on the machine.
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
import tracemalloc
from collections.abc import Callable

import numpy as np
import pandas as pd

from prioanalysis.methods import scoring


def bare_topsis(x: np.ndarray, w: np.ndarray, benefit: np.ndarray) -> np.ndarray:
    """Textbook TOPSIS in plain numpy: vector normalization, Euclidean distances."""
    r = x / np.sqrt((x**2).sum(axis=0))
    v = r * w
    ideal = np.where(benefit, v.max(axis=0), v.min(axis=0))
    anti = np.where(benefit, v.min(axis=0), v.max(axis=0))
    d_plus = np.sqrt(((v - ideal) ** 2).sum(axis=1))
    d_minus = np.sqrt(((v - anti) ** 2).sum(axis=1))
    return d_minus / (d_plus + d_minus)


def best_time(fn: Callable[[], object], repeat: int) -> float:
    """Best wall-clock time of ``repeat`` calls, in seconds."""
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def peak_traced(fn: Callable[[], object]) -> float:
    """Peak memory allocated by numpy / Python during one call, in MiB."""
    tracemalloc.start()
    tracemalloc.reset_peak()
    fn()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak / 2**20


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--cols", type=int, default=10)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--seed", type=int, default=20240601)
    args = parser.parse_args(argv)

    rng = np.random.default_rng(args.seed)
    columns = [f"criterion_{j}" for j in range(args.cols)]
    matrix = pd.DataFrame(
        rng.gamma(2.0, 50.0, size=(args.rows, args.cols)),
        index=pd.RangeIndex(args.rows, name="customer_id"),
        columns=columns,
    )
    raw_w = rng.random(args.cols)
    weights = dict(zip(columns, (raw_w / raw_w.sum()).tolist(), strict=True))
    weights[columns[-1]] += 1.0 - sum(weights.values())
    directions = {c: ("cost" if j % 3 == 2 else "benefit") for j, c in enumerate(columns)}

    x = matrix.to_numpy(dtype=float)
    w = np.array([weights[c] for c in columns])
    benefit = np.array([directions[c] == "benefit" for c in columns])

    check = scoring.topsis(matrix, weights, directions).to_numpy()
    assert np.allclose(check, bare_topsis(x, w, benefit), rtol=0, atol=1e-12)

    cases: dict[str, Callable[[], object]] = {
        "weighted_sum (validated, minmax)": lambda: scoring.weighted_sum(matrix, weights, directions),
        "topsis (validated, vector)": lambda: scoring.topsis(matrix, weights, directions),
        "bare numpy topsis": lambda: bare_topsis(x, w, benefit),
        "_topsis_kernel (no validation)": lambda: scoring._topsis_kernel(x, w, benefit, "vector"),
        "score(weighted_sum) full result": lambda: scoring.score(matrix, weights, directions),
        "score(topsis) full result": lambda: scoring.score(matrix, weights, directions, method="topsis"),
    }
    print(f"matrix: {args.rows:,} x {args.cols} float64 ({x.nbytes / 2**20:.0f} MiB), best of {args.repeat}")
    print(f"{'case':36s} {'time [ms]':>10s} {'peak alloc [MiB]':>17s}")
    timings = {}
    for name, fn in cases.items():
        timings[name] = best_time(fn, args.repeat)
        peak = peak_traced(fn)
        print(f"{name:36s} {timings[name] * 1e3:10.1f} {peak:17.0f}")

    ratio = timings["topsis (validated, vector)"] / timings["bare numpy topsis"]
    overhead = timings["topsis (validated, vector)"] / timings["_topsis_kernel (no validation)"]
    print(f"ratio validated topsis / bare numpy topsis: {ratio:.2f} (target <= 1.5)")
    print(f"ratio validated topsis / package kernel:     {overhead:.2f}")
    maxrss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    scale = 2**20 if sys.platform == "darwin" else 2**10  # bytes on macOS, KiB on Linux
    print(f"process peak RSS (ru_maxrss): {maxrss / scale:.0f} MiB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
