"""Benchmark of the target-list workbook: the sample's list and a 100,000-customer one.

Run with ``.venv/bin/python benchmarks/bench_workbook.py``. Ranks the 2026 sample,
adds the owner assignment, and writes the workbook
(:func:`prioanalysis.report.tables.write_target_workbook`, XlsxWriter in
constant-memory mode) for the sample and for the sample's list repeated to 100,000
customers (ids made unique); prints the time (best of 2) and the peak memory the
write allocates (tracemalloc).
"""

from __future__ import annotations

import dataclasses
import tempfile
import time
import tracemalloc
from pathlib import Path

import numpy as np
import pandas as pd

from prioanalysis.config.params import load_params
from prioanalysis.report.tables import write_target_workbook
from prioanalysis.steps.ranking import run_ranking
from prioanalysis.steps.robustness import add_assignment

ROOT = Path(__file__).resolve().parents[1]


def big(result, n: int):
    tl = result.target_list
    reps = -(-n // len(tl))
    out = pd.concat([tl] * reps, ignore_index=True).head(n)
    out["customer_id"] = [f"C{i:07d}" for i in range(n)]
    out = out.sort_values("score", ascending=False, kind="stable").reset_index(drop=True)
    out["rank"] = np.arange(1, n + 1)
    return dataclasses.replace(result, target_list=out)


def measure(result, params, path: Path) -> tuple[float, float]:
    best = float("inf")
    for _ in range(2):
        t0 = time.perf_counter()
        write_target_workbook(result, path, params)
        best = min(best, time.perf_counter() - t0)
    tracemalloc.start()
    write_target_workbook(result, path, params)
    peak = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    return best, peak


def main() -> None:
    params = load_params(ROOT / "params" / "2026")
    result = add_assignment(run_ranking(params), params)
    with tempfile.TemporaryDirectory() as tmp:
        for name, res in (("sample", result), ("100,000 customers", big(result, 100_000))):
            path = Path(tmp) / "list.xlsx"
            t, peak = measure(res, params, path)
            size = path.stat().st_size / 2**20
            print(f"{name:>18}: {len(res.target_list):>7} rows  {t:6.2f} s  peak {peak:6.1f} MiB  file {size:5.1f} MiB")


if __name__ == "__main__":
    main()
