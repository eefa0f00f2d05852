"""Benchmark: compare and what-if (:mod:`prioanalysis.steps.compare`) on a big list.

Builds an N-customer list resampled from the 2026 sample (``bench_cycle.big_list``),
ranks it once, then times: a what-if ("feasibility weighs 50 %", one call: rescoring
with :func:`prioanalysis.steps.ranking.rank_customers` and comparing), a comparison of
two rankings whose weights *and* facts differ (2 % of the customers with changed
facts), and writing the report and the tables; wall and CPU time of this process (on a
shared machine the wall time includes waiting for a core). A script, not a timed test:

    .venv/bin/python benchmarks/bench_compare.py [n_customers]
"""

from __future__ import annotations

import dataclasses
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_cycle import ROOT, big_list

from prioanalysis.config.params import load_params
from prioanalysis.report.compare import write_comparison
from prioanalysis.steps import compare
from prioanalysis.steps.ranking import rank_customers, run_ranking

N = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000


def _since(wall: float, cpu: float) -> str:
    return f"{time.perf_counter() - wall:.2f} s (CPU {time.process_time() - cpu:.2f} s)"


def main() -> None:
    params = load_params(ROOT / "params" / "2026")
    params = dataclasses.replace(params, decisions=None)  # the sample's decisions name sample customers
    with tempfile.TemporaryDirectory() as tmp:
        path = big_list(N, Path(tmp) / "big.csv")
        t, c = time.perf_counter(), time.process_time()
        base = run_ranking(params, path)
        print(f"{N:,} customers: ranking once {_since(t, c)}")

        compare.what_if(params, result=base)  # loads the message catalog once
        t, c = time.perf_counter(), time.process_time()
        effect = compare.what_if(params, family_weights={"feasibility": 0.5}, result=base)
        print(f"what_if(family_weights={{'feasibility': 0.5}}): {_since(t, c)}, {effect.moved:,} move")

        cust = base.intake.customers.copy()
        rng = np.random.default_rng(1)
        pick = cust.index[rng.choice(len(cust), N // 50, replace=False)]
        cust.loc[pick, "strategic_fit"] = 5.0
        new_params = compare.what_if_params(params, weights={"deal_size": 0.4})
        other = rank_customers(dataclasses.replace(base.intake, customers=cust), new_params)
        t, c = time.perf_counter(), time.process_time()
        comp = compare.compare_results(compare.Side(base, params, "A", "a"), compare.Side(other, new_params, "B", "b"))
        print(
            f"compare_results (weights and facts changed): {_since(t, c)}, {comp.moved:,} move, "
            f"reasons {comp.reason_counts()}"
        )
        t, c = time.perf_counter(), time.process_time()
        folder = write_comparison(comp, tmp)
        print(f"write_comparison (report + tables): {_since(t, c)} → {folder.name}")
        t, c = time.perf_counter(), time.process_time()
        comp._repr_html_()
        print(f"_repr_html_: {_since(t, c)}")


if __name__ == "__main__":
    main()
