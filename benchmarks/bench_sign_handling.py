"""Out-of-sample ranking of sign-constrained vs clipped calibration weights.

Run with ``.venv/bin/python benchmarks/bench_sign_handling.py [--seeds 8] [--n 1500]``.
Draws the correlated criteria of :func:`prioanalysis.sample.share_of_wallet_sample`
(log IT budget and log deal size correlated 0.86 at ``share_sd=0.6``; given the deal
size a larger budget means a smaller share of wallet, so the budget's partial effect is
negative), fits :func:`prioanalysis.methods.calibration.calibrate_weights` on ``--n``
customers per seed with ``sign_handling="constrained"`` (the default) and ``"clip"``,
and scores one held-out set of ``--test`` customers from the same model (next year's
list on this year's min-max scale). Prints, per seed and on average, the held-out AUC
of the data weights and of the blended weights (anchored on equal expert weights),
constrained minus clipped. The same stream as
``tests/methods/test_calibration.py::test_constrained_ranks_better_out_of_sample_than_clipping``
(seed 13; the test's seed ``r`` for the bootstrap), so the first eight data-weight
gains are the test's.

This is a script, not a test: it prints figures for the issue note.
"""

from __future__ import annotations

import argparse
import time
import warnings

import numpy as np
import pandas as pd

from prioanalysis.methods import metrics
from prioanalysis.methods.calibration import calibrate_weights
from prioanalysis.sample import SHARE_OF_WALLET_DIRECTIONS, share_of_wallet_sample

HANDLINGS = ("constrained", "clip")


def held_out_auc(weights: pd.Series, x_train: pd.DataFrame, x_test: pd.DataFrame, y_test: pd.Series) -> float:
    """AUC on the held-out customers of the weighted sum on the training min-max scale."""
    z = (x_test - x_train.min()) / (x_train.max() - x_train.min())
    cost = [c for c, d in SHARE_OF_WALLET_DIRECTIONS.items() if d == "cost"]
    z[cost] = 1 - z[cost]
    score = pd.Series(z[list(weights.index)].to_numpy() @ weights.to_numpy(), index=x_test.index)
    return metrics.auc(score, y_test, ci=None).auc


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=8, help="training samples (default 8)")
    parser.add_argument("--n", type=int, default=1500, help="customers per training sample")
    parser.add_argument("--test", type=int, default=20_000, help="held-out customers")
    parser.add_argument("--share-sd", type=float, default=0.6)
    parser.add_argument("--seed", type=int, default=13)
    args = parser.parse_args(argv)

    t0 = time.perf_counter()
    rng = np.random.default_rng(args.seed)
    x_test, y_test = share_of_wallet_sample(args.test, seed=rng, share_sd=args.share_sd)
    prior = pd.Series(1 / len(SHARE_OF_WALLET_DIRECTIONS), index=list(SHARE_OF_WALLET_DIRECTIONS))
    corr = np.corrcoef(x_test["it_budget"], x_test["deal_size"])[0, 1]
    print(
        f"share-of-wallet criteria: corr(log budget, log deal) {corr:.3f}; {args.seeds} training samples of "
        f"{args.n:,}, held-out {args.test:,} (win rate {y_test.mean():.1%})"
    )
    print(
        f"{'seed':>4}  {'data: constr':>12} {'clip':>7} {'gain':>8}   {'blended: constr':>15} {'clip':>7} {'gain':>8}"
    )
    rows = []
    for r in range(args.seeds):
        x, y = share_of_wallet_sample(args.n, seed=rng, share_sd=args.share_sd)
        auc: dict[tuple[str, str], float] = {}
        for handling in HANDLINGS:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                res = calibrate_weights(
                    x, y, SHARE_OF_WALLET_DIRECTIONS, prior, n_boot=10, cv_folds=2, seed=r, sign_handling=handling
                )
            auc["data", handling] = held_out_auc(res.data_weights, x, x_test, y_test)
            auc["blended", handling] = held_out_auc(res.weights, x, x_test, y_test)
        row = {
            "data_constrained": auc["data", "constrained"],
            "data_clip": auc["data", "clip"],
            "blended_constrained": auc["blended", "constrained"],
            "blended_clip": auc["blended", "clip"],
        }
        rows.append(row)
        print(
            f"{r:>4}  {row['data_constrained']:>12.4f} {row['data_clip']:>7.4f} "
            f"{row['data_constrained'] - row['data_clip']:>+8.4f}   {row['blended_constrained']:>15.4f} "
            f"{row['blended_clip']:>7.4f} {row['blended_constrained'] - row['blended_clip']:>+8.4f}"
        )
    table = pd.DataFrame(rows)
    gain_data = table["data_constrained"] - table["data_clip"]
    gain_blend = table["blended_constrained"] - table["blended_clip"]
    m = table.mean()
    print(
        f"mean  {m['data_constrained']:>12.4f} {m['data_clip']:>7.4f} {gain_data.mean():>+8.4f}   "
        f"{m['blended_constrained']:>15.4f} {m['blended_clip']:>7.4f} {gain_blend.mean():>+8.4f}"
    )
    print(
        f"data weights: constrained better in {int((gain_data > 0).sum())}/{len(table)} samples "
        f"(gain {gain_data.min():+.4f} ... {gain_data.max():+.4f}); blended: better in "
        f"{int((gain_blend > 0).sum())}/{len(table)} (gain {gain_blend.min():+.4f} ... {gain_blend.max():+.4f}); "
        f"{time.perf_counter() - t0:.1f} s"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
