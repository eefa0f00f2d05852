"""Benchmark: the whole annual cycle on a large preliminary list.

Builds an N-customer list from the bundled 2026 sample and customers resampled from
it (new ids, facts jittered), then times ``prioanalysis run --year 2026 --input big.csv`` end to end — the
annual review, the calibration, the ranking (with the weight draws, persisted in the
run folder) and the robustness report (which reads that ranking): intake, scoring,
draws, owner assignment, figures, tables, the XLSX workbook and the HTML reports.
Prints the wall time, the time per notebook and the peak memory: of the largest
single process (a notebook kernel) and of all the run's processes together.

    .venv/bin/python benchmarks/bench_cycle.py --customers 100000
    .venv/bin/python benchmarks/bench_cycle.py --customers 30000 --customers 100000
    .venv/bin/python benchmarks/bench_cycle.py --customers 30000 --notebook 20_ranking

Only the 2026 list is enlarged: the review and the calibration read last year's lists
of the sample.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]


def big_list(n: int, path: Path, seed: int = 0) -> Path:
    """An ``n``-customer preliminary list: the 2026 sample as it is (so that the year's
    ``decisions.yaml``, which names sample customers, applies), then customers resampled
    from it (new ids, facts jittered) up to ``n``."""
    sample = pd.read_csv(ROOT / "data" / "sample" / "preliminary_2026.csv", dtype=str, keep_default_na=False)
    src = sample.drop_duplicates("customer_id")
    extra = n - len(src)
    if extra < 0:
        raise SystemExit(f"--customers must be at least the sample's {len(src):,}")
    rng = np.random.default_rng(seed)
    out = src.iloc[rng.integers(0, len(src), extra)].reset_index(drop=True)
    out["customer_id"] = [f"B{i:08d}" for i in range(extra)]
    out["customer_name"] = out["customer_name"] + "·" + out.index.astype(str)
    for col in ("it_budget", "deal_size"):
        v = pd.to_numeric(out[col], errors="coerce")
        out[col] = (v * rng.lognormal(0, 0.1, extra)).round(1).astype("string").fillna("")
    pd.concat([sample, out], ignore_index=True).to_csv(path, index=False)
    return path


class TreeMemory(threading.Thread):
    """Samples the total resident memory of a process and its descendants."""

    def __init__(self, pid: int, every: float = 0.2) -> None:
        super().__init__(daemon=True)
        self.pid, self.every, self.peak, self._done = pid, every, 0, threading.Event()

    def run(self) -> None:
        try:
            import psutil
        except ImportError:  # pragma: no cover - psutil comes with jupyter
            return
        try:
            root = psutil.Process(self.pid)
        except psutil.Error:
            return
        while not self._done.is_set():
            total = 0
            try:
                for p in [root, *root.children(recursive=True)]:
                    try:
                        total += p.memory_info().rss
                    except psutil.Error:
                        continue
            except psutil.Error:
                break
            self.peak = max(self.peak, total)
            self._done.wait(self.every)

    def stop(self) -> int:
        self._done.set()
        self.join(timeout=5)
        return self.peak


def run_cycle(n: int, notebooks: list[str], keep: Path | None) -> str:
    """One cycle at ``n`` customers; the line to print."""
    with tempfile.TemporaryDirectory() as tmp:
        work = keep or Path(tmp)
        work.mkdir(parents=True, exist_ok=True)
        path = big_list(n, work / f"big_{n}.csv")
        cmd = [
            sys.executable,
            "-m",
            "prioanalysis",
            "run",
            "--year",
            "2026",
            "--input",
            str(path),
            "--outputs",
            str(work / "out"),
        ]
        for nb in notebooks:
            cmd += ["--notebook", nb]
        t0 = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        sampler = TreeMemory(proc.pid)
        sampler.start()
        _, err = proc.communicate()
        wall = time.perf_counter() - t0
        tree_peak = sampler.stop()
        # ru_maxrss (KiB on Linux): the largest single process among those waited for
        largest = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024
        if proc.returncode != 0:
            return f"{n:>9,} customers: FAILED after {wall:.0f} s\n{err[-3000:]}"
        run = max((work / "out" / "2026").iterdir())
        rec = json.loads((run / "run.json").read_text(encoding="utf-8"))
        per_nb = ", ".join(f"{nb['notebook'].removesuffix('.ipynb')} {nb['seconds']:.0f} s" for nb in rec["notebooks"])
        # the reporting: each notebook's page, then the annual report (read, HTML, PDF) and the deck
        pages = sum(nb.get("html_seconds", 0.0) for nb in rec["notebooks"])
        secs = rec.get("reports", {}).get("seconds", {})
        report = ", ".join(f"{k} {v:.1f} s" for k, v in sorted(secs.items()))
        per_nb += f"; reporting: notebook pages {pages:.1f} s" + (f", {report}" if report else "")
        return (
            f"{n:>9,} customers: {wall:6.0f} s in all ({per_nb}); peak memory "
            f"{largest / 2**30:.2f} GiB (largest process), {tree_peak / 2**30:.2f} GiB (all processes)"
        )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("sizes", nargs="*", type=int, help="list sizes (same as --customers)")
    parser.add_argument("--customers", action="append", type=int, default=[], help="list size; repeat for several")
    parser.add_argument(
        "--notebook",
        action="append",
        default=[],
        help="notebook to run (default: the annual cycle); repeat for several",
    )
    parser.add_argument("--keep", type=Path, help="keep the list and the run folder here")
    args = parser.parse_args(argv)
    sizes = [*args.sizes, *args.customers] or [30_000]
    for n in sizes:
        # each size in its own process, so that the peak of one does not hide the next
        if len(sizes) > 1:
            cmd = [
                sys.executable,
                __file__,
                "--customers",
                str(n),
                *(arg for nb in args.notebook for arg in ("--notebook", nb)),
            ]
            if args.keep:
                cmd += ["--keep", str(args.keep / str(n))]
            subprocess.run(cmd, check=False)
            continue
        print(run_cycle(n, args.notebook, args.keep), flush=True)


if __name__ == "__main__":
    main()
