"""Benchmark of :func:`prioanalysis.methods.calibration.calibrate_weights` at scale.

1,000,000 customers x 10 criteria, conversion target, default settings
(``n_boot=200``, ``cv_folds=5``, ``boot_rows=20_000``, ``cv_fit_rows=200_000``).

Target: under 20 s on 2 cores.  How it is met:

* the GLM is fitted once on all customers (statsmodels IRLS, about 5 iterations over
  a 1e6 x 11 design) -- reported as ``fit`` together with the coefficient -> weight
  mapping;
* the bootstrap refits on ``boot_rows`` customers per replicate (m-out-of-n
  bootstrap, spread rescaled by sqrt(m/n)), warm-started at the full-data
  coefficients, so its cost does not grow with n;
* each cross-validation fold fits on at most ``cv_fit_rows`` training customers and
  scores all of its 200,000 held-out customers.

Run: ``.venv/bin/python benchmarks/bench_calibration.py [n_customers] [conversion|revenue]``.
Prints the time of each stage, the peak resident memory of the process and the load
average of the machine (other processes on the 2 cores slow every stage).
"""

from __future__ import annotations

import os
import resource
import sys
import time
import warnings

import numpy as np
import pandas as pd

from prioanalysis.methods.calibration import calibrate_weights


def _peak_rss_mb() -> float:
    """Peak resident set size of this process so far, in MB (Linux: KiB units)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def make_data(
    n: int, p: int = 10, seed: int = 0, target: str = "conversion"
) -> tuple[pd.DataFrame, pd.Series, dict, pd.Series]:
    """Synthetic customers from a known model (3 cost criteria).

    conversion: ``logit P = -1 + 10 (s - mean s)``; revenue: compound Poisson-gamma
    (Tweedie p = 1.5) with ``log mu = log 100 + 5 (s - mean s)`` (about 60 % zeros).
    """
    rng = np.random.default_rng(seed)
    cols = [f"c{j:02d}" for j in range(p)]
    x = rng.gamma(2.0, 1.0, size=(n, p))
    directions = {c: ("cost" if j % 3 == 2 else "benefit") for j, c in enumerate(cols)}
    true_w = rng.dirichlet(np.ones(p))
    lo, hi = x.min(axis=0), x.max(axis=0)
    z = (x - lo) / (hi - lo)
    cost = np.array([directions[c] == "cost" for c in cols])
    z[:, cost] = 1 - z[:, cost]
    s = z @ true_w
    if target == "conversion":
        prob = 1 / (1 + np.exp(-(-1.0 + 10 * (s - s.mean()))))
        y = (rng.random(n) < prob).astype(np.int8)
    else:
        mu = 100.0 * np.exp(5.0 * (s - s.mean()))
        count = rng.poisson(mu**0.5 / 20.0)
        y = np.where(count > 0, rng.gamma(np.maximum(count, 1), 20.0 * mu**0.5), 0.0)
    matrix = pd.DataFrame(x, columns=cols)
    return matrix, pd.Series(y, index=matrix.index), directions, pd.Series(true_w, index=cols)


def main(n: int = 1_000_000, target: str = "conversion") -> None:
    t0 = time.perf_counter()
    matrix, outcome, directions, true_w = make_data(n, target=target)
    print(
        f"data: {n:,} customers x {matrix.shape[1]} criteria, "
        f"{matrix.memory_usage().sum() / 1e6:.0f} MB, generated in "
        f"{time.perf_counter() - t0:.1f} s; target {target}; cores: {os.cpu_count()}; "
        f"load average {os.getloadavg()[0]:.1f}"
    )
    rss0 = _peak_rss_mb()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        t0 = time.perf_counter()
        res = calibrate_weights(matrix, outcome, directions, target=target, seed=1)
        wall = time.perf_counter() - t0
    t = res.timings
    print(f"prepare (validation + normalize): {t['prepare']:6.2f} s")
    print(f"GLM fit + coefficient->weight:     {t['fit']:6.2f} s")
    print(f"bootstrap ({res.params['n_boot']} x {min(n, res.params['boot_rows']):,} rows): {t['bootstrap']:6.2f} s")
    print(f"cross-validation ({res.params['cv_folds']} folds): {t['cv']:6.2f} s")
    print(f"total calibrate_weights:           {wall:6.2f} s  (target < 20 s)")
    print(f"peak RSS: {_peak_rss_mb():.0f} MB (after data generation: {rss0:.0f} MB)")
    err = (res.data_weights - true_w).abs()
    print(f"max |data weight - true weight|: {err.max():.4f}")
    print(res.cv.round(4).to_string())


if __name__ == "__main__":
    main(
        int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000,
        sys.argv[2] if len(sys.argv) > 2 else "conversion",
    )
