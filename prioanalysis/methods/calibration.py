"""Calibrate the criteria weights on last year's outcomes (annual review, step 2.3.6).

Step 2.3.6 of the customer-development process asks how well this year's criteria
picked the right customers and to **revise the criteria** for the next cycle.  This
module turns last year's outcomes (which customers converted, how much revenue they
brought) into a *proposal* for next year's weights that stays anchored on the weights
the BU marketing VP set (the expert weights), and says out of sample whether the
proposal ranks better than the expert weights.

Public functions
----------------
* :func:`calibrate_weights` -- expert, data-implied and proposed (blended) weights,
  the coefficient table, out-of-sample metrics and a recommendation;
* :func:`probability_calibration` -- score -> probability of converting within the
  year, with a reliability table and the Brier score;
* :func:`propose_tier_thresholds` -- score thresholds so each tier reaches a target
  expected conversion rate or holds a capacity in accounts.

The proposed weights are written into a copy of ``criteria.yaml`` by
:func:`prioanalysis.steps.calibration.write_proposed_criteria` (kernels touch no
files).

The method, step by step (all choices are parameters recorded in ``params``)
---------------------------------------------------------------------------------
1. **Normalise** the criteria with :func:`prioanalysis.methods.scoring.normalize` (the same
   function the scoring uses), which orients every criterion as a benefit: a positive
   coefficient always means "agrees with the declared direction".
2. **Fit a GLM** of the outcome on the normalised criteria ``z`` (statsmodels):
   conversion -> binomial GLM with logit link; revenue -> Tweedie GLM (variance power
   1.5, log link).  Both have ``eta = alpha + sum_j beta_j z_j``.
3. **Map coefficients to weights**.  The score is ``S = sum_j w_j z_j``.  If
   ``w_j = beta_j / sum_k beta_k`` then ``eta = alpha + (sum_k beta_k) * S``: the
   model's linear predictor is an increasing function of the score, so ranking by
   the score is ranking by the fitted probability (or expected revenue).  A weight
   cannot be negative, and a negative ``beta_j`` of the unconstrained fit contradicts
   the criterion's declared direction: it is **flagged** (table column ``sign_ok``
   and a warning quoting its p-value).  ``sign_handling`` says how the weights then
   respect the directions:

   * ``"constrained"`` (default): the GLM is refitted by maximum likelihood **with the
     bounds** ``beta_j >= 0`` (the intercept free; L-BFGS-B with the analytic
     gradient, Byrd, Lu, Nocedal & Zhu 1995, polished by Fisher scoring on the
     criteria off the bound), and ``w_data_j = beta_j / sum_k beta_k``.  With
     correlated criteria (IT budget, deal size and revenue move together) the
     unconstrained fit can put a large weight on one and a negative one on another;
     the constrained fit gives the joint effect to the criteria it may use and
     refits the rest.  When no coefficient contradicts its direction the two fits
     are the same.
   * ``"clip"``: ``w_data_j = max(beta_j, 0) / sum_k max(beta_k, 0)`` from the
     unconstrained fit -- the contradicting coefficient is set to 0 *after* the fit,
     so the coefficients it was traded against keep their compensation.
4. **Anchor on the expert weights** by precision-weighted shrinkage (the posterior
   mean of a normal prior centred on the expert weight with precision ``strength``,
   combined with a normal "measurement" ``w_data_j`` of precision ``1 / var_j``)::

       proposed_j  proportional to  (strength * w_expert_j + prec_j * w_data_j)
                                    / (strength + prec_j)

   renormalised to sum 1, with ``prec_j = 1 / var_j`` from the bootstrap variance of
   ``w_data_j``.  ``strength`` is the expert's precision in the same units: the
   default 400 says "the expert weights are right to within about +/-0.05 (one
   standard deviation)".  ``strength=0`` gives the data weights, ``strength=inf``
   the expert weights.  Well-measured criteria (many customers) move towards the
   data; poorly measured ones stay near the expert weight.
5. **Bootstrap** (seeded, ``n_boot`` replicates) the whole map data -> proposed
   weights to get confidence intervals of the proposed weights.
6. **Cross-validate** (stratified K-fold on held-out customers): fit on the training
   folds, score the held-out customers with the expert, data-implied and proposed
   weights, and compare AUC, top-decile lift, value captured by the top 10 % / 20 %
   and the Brier score of the calibrated probability.
7. **Minimum data**: below it nothing is fitted -- the expert weights are returned
   with ``fallback=True`` and a :class:`CalibrationWarning`.

Large customer tables
---------------------
The GLM itself is always fitted on every customer, and every reported unconstrained
coefficient, standard error, interval and p-value comes from statsmodels.  The many
refits of the bootstrap and the cross-validation use :func:`_glm_irls`, a pure-numpy
Fisher-scoring kernel for the same two models (it reproduces the statsmodels
estimates to 1e-6, tested) without statsmodels' per-fit overhead, and
:func:`_glm_constrained` for the sign-constrained fit (the same kernel when no bound
is active, so it costs extra only when a coefficient contradicts its direction).  The bootstrap refits on ``boot_rows``
customers per replicate (m-out-of-n bootstrap, Bickel, Goetze & van Zwet 1997) and
rescales the spread by ``sqrt(m / n)``; the cross-validation fits each training fold
on at most ``cv_fit_rows`` customers and evaluates on *all* held-out customers.
Below those sizes both are the ordinary procedures.  1,000,000 customers x 10
criteria take about 10 s on 2 cores (``benchmarks/bench_calibration.py``).
"""

from __future__ import annotations

import math
import time
import warnings
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import numpy.typing as npt
import pandas as pd
import statsmodels.api as sm
from scipy import special
from scipy.optimize import minimize
from statsmodels.tools.sm_exceptions import (
    ConvergenceWarning,
    PerfectSeparationWarning,
)

from prioanalysis.errors import CalibrationWarning, InputError, ParamsError
from prioanalysis.methods import metrics as review
from prioanalysis.methods.scoring import normalize

__all__ = [
    "CalibrationWarning",
    "CalibrationResult",
    "ProbabilityCalibration",
    "SignHandling",
    "DEFAULT_SIGN_HANDLING",
    "calibrate_weights",
    "probability_calibration",
    "propose_tier_thresholds",
    "DEFAULT_STRENGTH",
    "DEFAULT_MIN_EVENTS",
    "DEFAULT_MIN_CUSTOMERS",
    "DEFAULT_TARGET_RATES",
    "TWEEDIE_VAR_POWER",
]

FloatArray = npt.NDArray[np.float64]
Target = Literal["conversion", "revenue"]
SignHandling = Literal["constrained", "clip"]

#: Default ``sign_handling``: fit the GLM with the coefficients bounded by the declared
#: directions (rather than clipping contradicting coefficients after the fit).
DEFAULT_SIGN_HANDLING: SignHandling = "constrained"

#: Default ``strength``: the expert's precision on each weight, 1 / 0.05**2 -- the
#: expert weights are trusted to about +/-0.05 (one standard deviation).
DEFAULT_STRENGTH: float = 400.0
#: Events per parameter (Peduzzi et al. 1996): at least 10 customers in the smaller
#: outcome class for every criterion fitted.
DEFAULT_MIN_EVENTS: int = 10
#: Fewest customers a calibration is attempted on (5 folds of 20 held-out customers).
DEFAULT_MIN_CUSTOMERS: int = 100
#: Variance power of the Tweedie GLM for the revenue target (compound Poisson-gamma).
TWEEDIE_VAR_POWER: float = 1.5
#: Default targets of :func:`propose_tier_thresholds`: first tier converts at >= 60 %,
#: second at >= 35 %, the rest form the last tier.
DEFAULT_TARGET_RATES: tuple[float, ...] = (0.6, 0.35)

_METRICS: tuple[str, ...] = (
    "auc",
    "top_decile_lift",
    "capture_top10",
    "capture_top20",
    "brier",
)
_ROWS: tuple[str, ...] = ("expert", "data", "blended")
#: Smallest variance of a data weight used for its precision (avoids 1/0).
_VAR_FLOOR: float = 1e-10


# ----------------------------------------------------------------------------------
# Result objects
# ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class CalibrationResult:
    """Result of :func:`calibrate_weights`.

    Attributes
    ----------
    weights : pd.Series
        Proposed weights per criterion (non-negative, sum 1).  Equal to
        ``expert_weights`` when ``fallback`` is True.
    expert_weights : pd.Series
        The prior (expert) weights, normalised to sum 1.
    data_weights : pd.Series
        Data-implied weights: ``coefficient_used`` normalised to sum 1; all NaN on
        fallback.
    table : pd.DataFrame
        One row per criterion: ``direction``, ``coefficient``, ``std_err``,
        ``ci_low``, ``ci_high``, ``p_value`` (the unconstrained GLM, statsmodels),
        ``sign_ok`` (the unconstrained coefficient agrees with the direction),
        ``coefficient_used`` (the coefficient the data weight is proportional to:
        the sign-constrained maximum-likelihood estimate, or ``max(coefficient, 0)``
        with ``sign_handling="clip"``), ``expert_weight``, ``data_weight``,
        ``data_weight_se``, ``proposed_weight``, ``proposed_ci_low``,
        ``proposed_ci_high``.
    cv : pd.DataFrame
        Out-of-sample metrics averaged over the folds; rows ``expert``, ``data``,
        ``blended``; columns ``auc``, ``top_decile_lift``, ``capture_top10``,
        ``capture_top20``, ``brier``.  All NaN on fallback.
    cv_folds : pd.DataFrame
        The same metrics per fold (index: fold, weights).
    recommendation : str
        Which weights to adopt and why, quoting the out-of-sample figures.
    warnings : list of str
        Everything the analyst should check (also issued as
        :class:`CalibrationWarning`).
    fallback : bool
        True when the data were too thin or the fit failed and the expert weights are
        returned unchanged.
    params : dict
        The choices made (target, model family, sign_handling, strength, folds,
        seed, normalization, n_boot, min_events, ...) and the data counts.
    timings : dict
        Seconds spent in each stage: ``prepare`` (validation and normalisation),
        ``fit`` (GLM on every customer and the coefficient -> weight mapping),
        ``bootstrap``, ``cv`` and ``total``.
    """

    weights: pd.Series
    expert_weights: pd.Series
    data_weights: pd.Series
    table: pd.DataFrame
    cv: pd.DataFrame
    cv_folds: pd.DataFrame
    recommendation: str
    warnings: list[str]
    fallback: bool
    params: dict[str, Any]
    timings: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class ProbabilityCalibration:
    """Result of :func:`probability_calibration`: score -> P(convert within the year).

    Attributes
    ----------
    method : str
        ``"logistic"`` or ``"binning"``.
    intercept, slope : float
        Logistic calibration ``P = 1 / (1 + exp(-(intercept + slope * score)))``;
        NaN for ``"binning"``.
    bin_edges : np.ndarray
        Interior score edges of the bins (``"binning"``; empty for ``"logistic"``).
    bin_rates : np.ndarray
        Observed conversion rate per bin (``"binning"``; empty for ``"logistic"``).
    reliability : pd.DataFrame
        One row per bin of customers of about equal size, ordered by score:
        ``bin``, ``score_low``, ``score_high``, ``mean_predicted``,
        ``observed_rate``, ``n``.
    brier : float
        Mean squared difference between predicted probability and outcome (in
        sample).
    brier_reference : float
        Brier score of predicting the overall conversion rate for everybody.
    n : int
        Customers used.
    warnings : list of str
        Things to check (e.g. a score that does not rank converters higher).
    """

    method: str
    intercept: float
    slope: float
    bin_edges: FloatArray
    bin_rates: FloatArray
    reliability: pd.DataFrame
    brier: float
    brier_reference: float
    n: int
    warnings: list[str]

    @property
    def brier_skill(self) -> float:
        """Brier skill score ``1 - brier / brier_reference`` (0 = no better than the
        base rate, 1 = perfect).
        """
        if self.brier_reference <= 0:
            return math.nan
        return 1.0 - self.brier / self.brier_reference

    def predict(self, score: pd.Series | npt.ArrayLike) -> pd.Series | FloatArray:
        """Probability of converting within the year for new scores.

        Parameters
        ----------
        score : pd.Series or array-like
            Scores on the same scale as the one calibrated.

        Returns
        -------
        pd.Series or np.ndarray
            A Series with the same index when ``score`` is a Series, else an array.

        Raises
        ------
        InputError
            If a score is missing or not finite.
        """
        arr = _finite_array(score, "score")
        p = _predict_kernel(arr, self.method, self.intercept, self.slope, self.bin_edges, self.bin_rates)
        if isinstance(score, pd.Series):
            return pd.Series(p, index=score.index, name="probability")
        return p


# ----------------------------------------------------------------------------------
# Validation helpers (private)
# ----------------------------------------------------------------------------------


def _ids(labels: Sequence[object] | pd.Index, limit: int = 5) -> str:
    labels = list(labels)
    shown = ", ".join(repr(x) for x in labels[:limit])
    more = len(labels) - limit
    return shown + (f" and {more} more" if more > 0 else "")


def _check_matrix(matrix: object) -> pd.DataFrame:
    if not isinstance(matrix, pd.DataFrame):
        raise InputError(
            f"`matrix` must be a pandas DataFrame (rows = customers, columns = criteria); got {type(matrix).__name__}."
        )
    if matrix.shape[0] == 0 or matrix.shape[1] == 0:
        raise InputError(f"`matrix` is empty (shape {matrix.shape}).")
    if not matrix.index.is_unique:
        dup = matrix.index[matrix.index.duplicated()].unique()
        raise InputError(f"`matrix` lists customer ids more than once: {_ids(dup)}.")
    if not matrix.columns.is_unique:
        dup = matrix.columns[matrix.columns.duplicated()].unique()
        raise InputError(f"`matrix` has repeated criterion columns: {_ids(dup)}.")
    for col in matrix.columns:
        s = matrix[col]
        if pd.api.types.is_bool_dtype(s.dtype) or not pd.api.types.is_numeric_dtype(s.dtype):
            raise InputError(
                f"Criterion column '{col}' is not numeric (dtype {s.dtype}, first values "
                f"{_ids(s.head(3).tolist(), 3)}). calibrate_weights expects the matrix "
                "after the package's preprocessing: ordinal scales mapped to numbers."
            )
        missing = s.isna().to_numpy()
        if missing.any():
            raise InputError(
                f"Criterion column '{col}' has {int(missing.sum())} missing value(s) "
                f"(customer ids {_ids(matrix.index[missing])}). calibrate_weights "
                "expects the matrix after the package's preprocessing: apply the "
                "criterion's missing-value policy first."
            )
        if not np.isfinite(s.to_numpy(dtype=np.float64)).all():
            bad = matrix.index[~np.isfinite(s.to_numpy(dtype=np.float64))]
            raise InputError(f"Criterion column '{col}' has infinite values (customer ids {_ids(bad)}).")
    return matrix


def _align_series(x: object, name: str, index: pd.Index) -> pd.Series:
    if not isinstance(x, pd.Series):
        raise InputError(f"`{name}` must be a pandas Series indexed by customer id; got {type(x).__name__}.")
    series: pd.Series = x
    if not series.index.is_unique:
        dup = series.index[series.index.duplicated()].unique()
        raise InputError(f"`{name}` lists customer ids more than once: {_ids(dup)}.")
    if not series.index.equals(index):
        missing = index.difference(series.index)
        extra = series.index.difference(index)
        if len(missing) or len(extra):
            parts = []
            if len(missing):
                parts.append(f"{len(missing)} customer(s) of `matrix` have no `{name}` ({_ids(missing)})")
            if len(extra):
                parts.append(f"{len(extra)} id(s) in `{name}` are not in `matrix` ({_ids(extra)})")
            raise InputError("; ".join(parts) + ". Pass one value per customer.")
        series = series.reindex(index)
    if pd.api.types.is_bool_dtype(series.dtype):
        series = series.astype("float64")
    if not pd.api.types.is_numeric_dtype(series.dtype):
        raise InputError(f"`{name}` must be numeric; got dtype {series.dtype}.")
    miss = series.isna().to_numpy()
    if miss.any():
        raise InputError(
            f"`{name}` has {int(miss.sum())} missing value(s) (customer ids "
            f"{_ids(series.index[miss])}); record 0 for customers that did not convert."
        )
    return series.astype("float64")


def _check_outcome(y: pd.Series, target: str) -> FloatArray:
    arr = y.to_numpy(dtype=np.float64)
    if not np.isfinite(arr).all():
        raise InputError("`outcome` has infinite values.")
    if target == "conversion":
        bad = (arr != 0.0) & (arr != 1.0)
        if bad.any():
            raise InputError(
                "For target='conversion' `outcome` must be 0/1 (1 = converted); "
                f"customer ids {_ids(y.index[bad])} have other values "
                f"({_ids(pd.unique(arr[bad]).tolist(), 3)}). For revenue use "
                "target='revenue'."
            )
    else:
        neg = arr < 0
        if neg.any():
            raise InputError(
                "For target='revenue' `outcome` must be >= 0 (0 for customers that "
                f"bought nothing); customer ids {_ids(y.index[neg])} are negative."
            )
        if arr.sum() <= 0:
            raise InputError("For target='revenue' `outcome` is 0 for every customer.")
    return arr


def _expert_weights(prior: Mapping[str, float] | pd.Series | None, columns: pd.Index, notes: list[str]) -> pd.Series:
    if prior is None:
        return pd.Series(1.0 / len(columns), index=columns, name="expert_weight")
    w = pd.Series(dict(prior) if not isinstance(prior, pd.Series) else prior, dtype=float)
    missing = columns.difference(w.index)
    extra = w.index.difference(columns)
    if len(missing) or len(extra):
        raise ParamsError(
            "`prior_weights` must name exactly the criteria of `matrix`: "
            + (f"missing {_ids(missing)}" if len(missing) else "")
            + ("; " if len(missing) and len(extra) else "")
            + (f"not in matrix {_ids(extra)}" if len(extra) else "")
            + "."
        )
    w = w.reindex(columns)
    arr = w.to_numpy()
    if not np.isfinite(arr).all() or (arr < 0).any():
        raise ParamsError(f"`prior_weights` must be finite and >= 0; got {w.to_dict()}.")
    total = float(arr.sum())
    if total <= 0:
        raise ParamsError("`prior_weights` are all 0; give at least one positive weight.")
    if abs(total - 1.0) > 1e-9:
        notes.append(
            f"The expert weights summed to {total:.6g}, not 1; they were rescaled to "
            "sum 1 (global weights are expected: family weight x within-family weight)."
        )
    return (w / total).rename("expert_weight")


def _check_directions(directions: Mapping[str, str], columns: pd.Index) -> dict[str, str]:
    if not isinstance(directions, Mapping):
        raise ParamsError(
            f"`directions` must map each criterion to 'benefit' or 'cost'; got {type(directions).__name__}."
        )
    missing = [c for c in columns if c not in directions]
    if missing:
        raise ParamsError(
            f"`directions` has no direction for criteria {_ids(missing)}; declare "
            "'benefit' (higher is better) or 'cost' (lower is better) for each."
        )
    return {c: str(directions[c]) for c in columns}


def _check_params(
    target: str,
    strength: float,
    n_boot: int,
    cv_folds: int,
    min_events: int,
    min_customers: int,
    boot_rows: int,
    cv_fit_rows: int,
    ci: float,
    sign_handling: str = DEFAULT_SIGN_HANDLING,
) -> None:
    if target not in ("conversion", "revenue"):
        raise ParamsError(f"`target` must be 'conversion' or 'revenue'; got {target!r}.")
    if sign_handling not in ("constrained", "clip"):
        raise ParamsError(
            "`sign_handling` must be 'constrained' (fit with the directions as bounds) or 'clip' "
            f"(set contradicting coefficients to 0 after the fit); got {sign_handling!r}."
        )
    if (
        not isinstance(strength, (int, float, np.integer, np.floating))
        or isinstance(strength, bool)
        or math.isnan(strength)
        or strength < 0
    ):
        raise ParamsError(f"`strength` must be >= 0 (0 = data only, inf = expert only); got {strength!r}.")
    for name, v, lo in (
        ("n_boot", n_boot, 10),
        ("cv_folds", cv_folds, 2),
        ("min_events", min_events, 1),
        ("min_customers", min_customers, 1),
        ("boot_rows", boot_rows, 50),
        ("cv_fit_rows", cv_fit_rows, 50),
    ):
        if not isinstance(v, (int, np.integer)) or isinstance(v, bool) or v < lo:
            raise ParamsError(f"`{name}` must be an integer >= {lo}; got {v!r}.")
    if not isinstance(ci, (int, float)) or not 0 < ci < 1:
        raise ParamsError(f"`ci` is a confidence level in (0, 1), e.g. 0.95; got {ci!r}.")


def _finite_array(x: pd.Series | npt.ArrayLike, name: str) -> FloatArray:
    try:
        arr = np.asarray(x, dtype=np.float64).ravel()
    except (TypeError, ValueError) as exc:
        raise InputError(f"`{name}` must be numeric: {exc}") from None
    if not np.isfinite(arr).all():
        raise InputError(f"`{name}` has {int((~np.isfinite(arr)).sum())} missing or infinite value(s).")
    return arr


# ----------------------------------------------------------------------------------
# Kernels (pure numpy / statsmodels, no validation)
# ----------------------------------------------------------------------------------


def _family(target: str) -> sm.families.Family:
    """GLM family of the target: binomial-logit or Tweedie(1.5)-log."""
    if target == "conversion":
        return sm.families.Binomial()
    return sm.families.Tweedie(var_power=TWEEDIE_VAR_POWER, link=sm.families.links.Log())


def _design(z: FloatArray) -> FloatArray:
    return np.column_stack([np.ones(z.shape[0]), z])


def _glm_irls(
    x: FloatArray,
    y: FloatArray,
    target: str,
    start: FloatArray | None = None,
    max_iter: int = 100,
    tol: float = 1e-9,
) -> FloatArray:
    """Maximum-likelihood GLM coefficients by Fisher scoring (IRLS); NaN on failure.

    Pure numpy kernel (no validation) for the many refits of the bootstrap and the
    cross-validation; the main fit and every reported standard error use
    statsmodels.  Same model as :func:`_family`: binomial-logit (weights
    ``mu (1 - mu)``, score ``X'(y - mu)``) or Tweedie(p)-log (weights
    ``mu^(2-p)``, score ``X'((y - mu) mu^(1-p))``).  Each step solves the
    ``k x k`` normal equations ``X'WX d = score``; a step that increases the
    deviance is halved.

    Parameters
    ----------
    x : np.ndarray
        Design matrix (n x k) including the intercept column.
    y : np.ndarray
        Outcome.
    target : {"conversion", "revenue"}
        Model family, as in :func:`calibrate_weights`.
    start : np.ndarray, optional
        Starting coefficients; default intercept-only (``link(mean y)``).
    max_iter : int, default 100
        Maximum Fisher-scoring steps.
    tol : float, default 1e-9
        Convergence when no coefficient moves by more than
        ``tol * (1 + max |coefficient|)`` in a step.

    Returns
    -------
    np.ndarray
        Coefficients, or all NaN when the fit does not converge.
    """
    k = x.shape[1]
    binomial = target == "conversion"
    pw = TWEEDIE_VAR_POWER
    if start is None or not np.isfinite(start).all():
        ybar = float(np.clip(y.mean(), 1e-10, 1 - 1e-10 if binomial else np.inf))
        beta = np.zeros(k)
        beta[0] = math.log(ybar / (1 - ybar)) if binomial else math.log(ybar)
    else:
        beta = np.asarray(start, dtype=np.float64).copy()

    def deviance(eta: FloatArray) -> float:
        if binomial:
            # -2 log-likelihood of a 0/1 outcome, computed stably
            return float(2 * np.sum(np.logaddexp(0.0, eta) - y * eta))
        mu = np.exp(np.minimum(eta, 700.0))
        return float(2 * np.sum(mu ** (2 - pw) / (2 - pw) - y * mu ** (1 - pw) / (1 - pw)))

    eta = x @ beta
    dev = deviance(eta)
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        for _ in range(max_iter):
            if binomial:
                mu = special.expit(eta)
                w = mu * (1 - mu)
                g = y - mu
            else:
                mu = np.exp(np.minimum(eta, 700.0))
                w = mu ** (2 - pw)
                g = (y - mu) * mu ** (1 - pw)
            a = (x * w[:, None]).T @ x
            try:
                step = np.linalg.solve(a, x.T @ g)
            except np.linalg.LinAlgError:
                return np.full(k, np.nan)
            for _half in range(30):
                new_beta = beta + step
                new_eta = x @ new_beta
                new_dev = deviance(new_eta)
                if np.isfinite(new_dev) and new_dev <= dev * (1 + 1e-12) + 1e-12:
                    break
                step = step / 2
            else:
                return np.full(k, np.nan)
            converged = np.abs(new_beta - beta).max() <= tol * (1 + np.abs(beta).max())
            beta, eta, dev = new_beta, new_eta, new_dev
            if converged:
                return beta if np.isfinite(beta).all() else np.full(k, np.nan)
    return np.full(k, np.nan)


def _nll_and_gradient(beta: FloatArray, x: FloatArray, y: FloatArray, binomial: bool) -> tuple[float, FloatArray]:
    """Mean negative log-likelihood of the GLM and its gradient (analytic).

    Binomial-logit: ``mean(log(1 + exp(eta)) - y eta)``, gradient ``X'(mu - y) / n``.
    Tweedie(p)-log: half the mean deviance up to a constant,
    ``mean(mu^(2-p) / (2-p) - y mu^(1-p) / (1-p))``, gradient
    ``X'(mu^(2-p) - y mu^(1-p)) / n`` -- the quasi-likelihood whose maximum is the
    estimate of :func:`_glm_irls` and statsmodels.
    """
    n = x.shape[0]
    eta = x @ beta
    if binomial:
        f = np.sum(np.logaddexp(0.0, eta) - y * eta)
        r = special.expit(eta) - y
    else:
        pw = TWEEDIE_VAR_POWER
        mu = np.exp(np.minimum(eta, 700.0))
        a, b = mu ** (2 - pw), mu ** (1 - pw)
        f = np.sum(a / (2 - pw) - y * b / (1 - pw))
        r = a - y * b
    return float(f / n), (x.T @ r) / n


def _active_set_refit(x: FloatArray, y: FloatArray, target: str, beta: FloatArray) -> FloatArray | None:
    """The bound-constrained optimum from the active set of ``beta``, or None.

    Fits the model without the criteria whose coefficient in ``beta`` is ``<= 0``
    (Fisher scoring, :func:`_glm_irls`), drops any that turn negative and refits, and
    returns the result only when it satisfies the Karush-Kuhn-Tucker conditions: every
    slope ``>= 0`` and, for each criterion held at 0, a log-likelihood that would fall
    if its coefficient rose (gradient of the negative log-likelihood ``>= 0``).  The
    log-likelihood is concave, so such a point is the constrained maximum.
    """
    k = x.shape[1]
    keep = np.ones(k, dtype=bool)
    keep[1:] = beta[1:] > 0
    start = np.where(keep, beta, 0.0)
    for _ in range(k):
        sub = _glm_irls(x[:, keep], y, target, start=start[keep])
        if not np.isfinite(sub).all():
            return None
        cols = np.flatnonzero(keep)
        negative = cols[1:][sub[1:] < 0]
        start = np.zeros(k)
        start[keep] = np.maximum(sub, 0.0) if negative.size else sub
        start[0] = sub[0]
        if negative.size:
            keep[negative] = False
            continue
        _, grad = _nll_and_gradient(start, x, y, target == "conversion")
        return start if (grad[~keep] >= -1e-8).all() else None
    return None


def _lbfgsb(x: FloatArray, y: FloatArray, target: str, x0: FloatArray, max_iter: int) -> FloatArray:
    """L-BFGS-B on the mean negative log-likelihood with the slopes bounded at ``>= 0``.

    The criteria are centred and scaled to unit variance for the optimiser (a change
    of variables that keeps the bounds ``>= 0`` and conditions the problem, so it
    takes about ten iterations); the result is mapped back.
    """
    binomial = target == "conversion"
    mean = x[:, 1:].mean(axis=0)
    sd = x[:, 1:].std(axis=0)
    sd = np.where(sd > 0, sd, 1.0)
    xs = np.column_stack([np.ones(x.shape[0]), (x[:, 1:] - mean) / sd])
    g0 = x0.copy()
    g0[0] = x0[0] + x0[1:] @ mean
    g0[1:] = x0[1:] * sd
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        opt = minimize(
            _nll_and_gradient,
            g0,
            args=(xs, y, binomial),
            jac=True,
            method="L-BFGS-B",
            bounds=[(None, None)] + [(0.0, None)] * (x.shape[1] - 1),
            options={"maxiter": max_iter, "ftol": 1e-13, "gtol": 1e-9},
        )
    g = np.asarray(opt.x, dtype=np.float64)
    beta = np.empty_like(g)
    beta[1:] = np.maximum(g[1:], 0.0) / sd
    beta[0] = g[0] - beta[1:] @ mean
    return beta


def _glm_constrained(
    x: FloatArray,
    y: FloatArray,
    target: str,
    start: FloatArray | None = None,
    max_iter: int = 1000,
) -> FloatArray:
    """Maximum-likelihood GLM coefficients with every slope ``>= 0``; NaN on failure.

    The criteria are oriented as benefits (:func:`~prioanalysis.methods.scoring.normalize`),
    so the bound ``beta_j >= 0`` says "the coefficient may not contradict the declared
    direction"; the intercept (column 0) is free.  The log-likelihood is concave, so a
    point satisfying the Karush-Kuhn-Tucker conditions is the constrained maximum:

    1. the unconstrained estimate (:func:`_glm_irls`) when it already satisfies the
       bounds;
    2. else the refit without the criteria it gives a negative coefficient
       (:func:`_active_set_refit`), when that satisfies the conditions -- the usual
       case, at the cost of one or two more Fisher-scoring fits;
    3. else ``scipy.optimize.minimize(method="L-BFGS-B")`` on the mean negative
       log-likelihood (:func:`_nll_and_gradient`, analytic gradient) within the
       bounds, from the unconstrained estimate clipped to them, polished by step 2
       from its active set (the L-BFGS-B point itself when polishing fails).

    Parameters
    ----------
    x : np.ndarray
        Design matrix (n x k), intercept first.
    y : np.ndarray
        Outcome.
    target : {"conversion", "revenue"}
        Model family, as in :func:`calibrate_weights`.
    start : np.ndarray, optional
        Starting coefficients of the unconstrained fit.
    max_iter : int, default 1000
        Maximum L-BFGS-B iterations.

    Returns
    -------
    np.ndarray
        Coefficients with ``beta[1:] >= 0``, or all NaN when no fit is found.

    References
    ----------
    Byrd RH, Lu P, Nocedal J, Zhu C (1995). A limited memory algorithm for bound
    constrained optimization. SIAM J Sci Comput 16(5):1190-1208.
    """
    k = x.shape[1]
    binomial = target == "conversion"
    free = _glm_irls(x, y, target, start)
    if np.isfinite(free).all():
        if (free[1:] >= 0).all():
            return free
        refit = _active_set_refit(x, y, target, free)
        if refit is not None:
            return refit
        x0 = free.copy()
    elif start is not None and np.isfinite(start).all():
        x0 = np.asarray(start, dtype=np.float64).copy()
    else:
        ybar = float(np.clip(y.mean(), 1e-10, 1 - 1e-10 if binomial else np.inf))
        x0 = np.zeros(k)
        x0[0] = math.log(ybar / (1 - ybar)) if binomial else math.log(ybar)
    x0[1:] = np.maximum(x0[1:], 0.0)
    beta = _lbfgsb(x, y, target, x0, max_iter)
    if not np.isfinite(beta).all():
        return np.full(k, np.nan)
    polished = _active_set_refit(x, y, target, beta)
    return polished if polished is not None else beta


def _fit_params(
    z: FloatArray,
    y: FloatArray,
    target: str,
    start: FloatArray | None = None,
    sign_handling: str = "clip",
) -> FloatArray:
    """Coefficients (intercept first) of the GLM of ``y`` on ``z``; NaN on failure.

    ``sign_handling="constrained"`` bounds the slopes at ``>= 0``
    (:func:`_glm_constrained`); ``"clip"`` is the unconstrained fit (the clipping
    happens in :func:`_data_weights_kernel`).
    """
    if sign_handling == "constrained":
        return _glm_constrained(_design(z), y, target, start)
    return _glm_irls(_design(z), y, target, start)


def _data_weights_kernel(beta: FloatArray) -> FloatArray:
    """``max(beta, 0)`` normalised to sum 1 along the last axis; NaN if all <= 0."""
    pos = np.where(np.isfinite(beta), np.maximum(beta, 0.0), np.nan)
    total = pos.sum(axis=-1, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(total > 0, pos / total, np.nan)


def _blend_kernel(expert: FloatArray, data: FloatArray, precision: FloatArray, strength: float) -> FloatArray:
    """Precision-weighted shrinkage of the data weights towards the expert weights.

    ``(strength * expert + precision * data) / (strength + precision)``, renormalised
    to sum 1 along the last axis.  ``strength=inf`` returns the expert weights; a
    criterion with precision 0 keeps its expert weight (or data weight if
    ``strength`` is 0 too).
    """
    if math.isinf(strength):
        return np.broadcast_to(expert, np.shape(data)).astype(np.float64, copy=True)
    denom = strength + precision
    with np.errstate(invalid="ignore", divide="ignore"):
        raw = np.where(denom > 0, (strength * expert + precision * data) / denom, data)
        total = raw.sum(axis=-1, keepdims=True)
        return np.where(total > 0, raw / total, np.nan)


def _stratified_folds(strata: npt.NDArray[np.int64], k: int, rng: np.random.Generator) -> npt.NDArray[np.int64]:
    """Fold id (0..k-1) per customer; each stratum is spread evenly over the folds."""
    n = strata.shape[0]
    perm = rng.permutation(n)
    order = perm[np.argsort(strata[perm], kind="stable")]
    folds = np.empty(n, dtype=np.int64)
    folds[order] = np.arange(n) % k
    return folds


def _logistic_1d(score: FloatArray, y: FloatArray) -> tuple[float, float]:
    """Intercept and slope of a logistic regression of ``y`` on ``score``."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = sm.GLM(y, _design(score[:, None]), family=sm.families.Binomial()).fit()
    a, b = (float(v) for v in res.params)
    return a, b


def _predict_kernel(
    score: FloatArray,
    method: str,
    intercept: float,
    slope: float,
    edges: FloatArray,
    rates: FloatArray,
) -> FloatArray:
    if method == "logistic":
        return special.expit(intercept + slope * score)
    return rates[np.searchsorted(edges, score, side="right")]


def _quantile_bins(score: FloatArray, n_bins: int) -> tuple[FloatArray, npt.NDArray[np.int64]]:
    """Interior edges of about equal-count score bins and the bin of each score.

    Tied scores always fall in the same bin, so there may be fewer than ``n_bins``.
    """
    qs = np.quantile(score, np.linspace(0.0, 1.0, n_bins + 1)[1:-1])
    edges = np.unique(qs)
    bins = np.searchsorted(edges, score, side="right")
    return edges, bins


def _reliability(score: FloatArray, p: FloatArray, y: FloatArray, n_bins: int) -> pd.DataFrame:
    _, bins = _quantile_bins(score, n_bins)
    used, b = np.unique(bins, return_inverse=True)
    k = used.shape[0]
    n = np.bincount(b, minlength=k)
    lo = np.full(k, np.inf)
    hi = np.full(k, -np.inf)
    np.minimum.at(lo, b, score)
    np.maximum.at(hi, b, score)
    return pd.DataFrame(
        {
            "bin": np.arange(1, k + 1),
            "score_low": lo,
            "score_high": hi,
            "mean_predicted": np.bincount(b, weights=p, minlength=k) / n,
            "observed_rate": np.bincount(b, weights=y, minlength=k) / n,
            "n": n,
        }
    )


# ----------------------------------------------------------------------------------
# calibrate_weights
# ----------------------------------------------------------------------------------


def calibrate_weights(
    matrix: pd.DataFrame,
    outcome: pd.Series,
    directions: Mapping[str, str],
    prior_weights: Mapping[str, float] | pd.Series | None = None,
    target: Target = "conversion",
    *,
    revenue: pd.Series | None = None,
    strength: float = DEFAULT_STRENGTH,
    n_boot: int = 200,
    cv_folds: int = 5,
    seed: int = 0,
    min_events: int = DEFAULT_MIN_EVENTS,
    min_customers: int = DEFAULT_MIN_CUSTOMERS,
    normalization: str | Mapping[str, str] = "minmax",
    boot_rows: int = 20_000,
    cv_fit_rows: int = 200_000,
    ci: float = 0.95,
    sign_handling: SignHandling = DEFAULT_SIGN_HANDLING,
) -> CalibrationResult:
    """Propose next year's criteria weights from last year's outcomes.

    The expert weights are the anchor; the data move them only as far as they are
    precise (module docstring, steps 1-7).

    Parameters
    ----------
    matrix : pd.DataFrame
        Rows = customers (index = customer id), columns = criteria, numeric.  It must
        be the matrix **after the package's preprocessing**: transforms applied
        (e.g. ``log1p``), the missing-value policy applied and ordinal scales mapped
        to numbers -- a missing or non-numeric value is an :class:`InputError` naming
        the column.  Any customer table with numeric criteria works.
    outcome : pd.Series
        Last year's outcome per customer, same ids as ``matrix``: 0/1 (1 = converted)
        for ``target="conversion"``; revenue >= 0 (0 = bought nothing) for
        ``target="revenue"``.
    directions : Mapping[str, str]
        ``"benefit"`` or ``"cost"`` per criterion, as declared in ``criteria.yaml``.
    prior_weights : Mapping or pd.Series, optional
        The expert (current) **global** weights per criterion (family weight x
        within-family weight).  ``None`` (default) uses equal weights ``1/p`` as the
        prior.  Rescaled to sum 1 with a note in ``warnings`` if they do not.
    target : {"conversion", "revenue"}, default "conversion"
        ``"conversion"``: binomial GLM with logit link.  ``"revenue"``: Tweedie GLM
        with variance power 1.5 and log link.  Revenue per customer has many exact
        zeros (customers that did not buy) and a long right tail; the Tweedie
        compound Poisson-gamma distribution (1 < p < 2) puts a point mass at zero and
        a continuous density on the positive values in one model (Smyth & Jorgensen
        2002).  A log-normal model cannot take the zeros, and a two-part model
        (conversion x revenue if converted) has two sets of coefficients that do not
        map to one weight vector.
    revenue : pd.Series, optional
        Revenue per customer used for the "captured by the top 10 % / 20 %" metrics.
        Default: the outcome itself for ``target="revenue"``; for
        ``target="conversion"`` the 0/1 outcome, i.e. the share of conversions
        captured.
    strength : float, default 400
        Precision of the expert weights in the shrinkage step, in 1/weight^2 units:
        ``1 / strength`` is the variance the analyst allows around each expert
        weight (400 -> +/-0.05).  ``0`` = data weights only, ``inf`` = expert
        weights only.
    n_boot : int, default 200
        Bootstrap replicates (>= 10) for the precision of the data weights and the
        confidence intervals of the proposed weights.
    cv_folds : int, default 5
        Folds of the stratified cross-validation (stratified on conversion).
    seed : int, default 0
        Seed of the bootstrap, the folds and the subsamples.
    min_events : int, default 10
        Minimum events per fitted criterion (Peduzzi et al. 1996).  Conversion: both
        the converters and the non-converters must number at least
        ``min_events * p``; revenue: the customers with revenue > 0 must.
    min_customers : int, default 100
        Minimum number of customers.
    normalization : str or Mapping[str, str], default "minmax"
        Passed to :func:`prioanalysis.methods.scoring.normalize` (one method, or one per
        criterion); use the one the scoring uses, since weights only make sense on
        the scale they multiply.  With ``"minmax"`` the normalised values span
        [0, 1] over *this* table, so the weights apply to next year's list
        normalised the same way.
    boot_rows : int, default 20000
        Customers per bootstrap replicate.  For ``n <= boot_rows`` the ordinary
        bootstrap; above, the m-out-of-n bootstrap with ``m = boot_rows`` whose
        spread is rescaled by ``sqrt(m / n)`` (Bickel, Goetze & van Zwet 1997).
        Keeps the cost of the bootstrap independent of ``n``.
    cv_fit_rows : int, default 200000
        At most this many training customers (a random subsample) are used to fit
        each fold's GLM and probability calibration; every held-out customer is
        scored.  The precision of the data weights in a fold is the full-sample
        bootstrap precision scaled by ``n_fit / n`` (precision grows with n).
    ci : float, default 0.95
        Confidence level of the coefficient (Wald) and weight (bootstrap
        percentile) intervals.
    sign_handling : {"constrained", "clip"}, default "constrained"
        How the data weights respect the declared directions (module docstring,
        step 3).  ``"constrained"``: the GLM is fitted by maximum likelihood with
        every coefficient bounded at ``>= 0`` on the oriented scale (L-BFGS-B,
        :func:`_glm_constrained`), and the weights are the bounded coefficients
        normalised -- the fit itself respects the directions, so correlated criteria
        share their joint effect among the ones allowed.  ``"clip"``: the
        unconstrained fit with every contradicting coefficient set to 0 afterwards
        (the others keep the compensation they got for it).  The same choice is used
        in the main fit, every bootstrap replicate and every cross-validation fold;
        the blending with the expert weights (``strength``) is unchanged.  Both give
        the same weights when no coefficient contradicts its direction.

    Returns
    -------
    CalibrationResult
        See :class:`CalibrationResult`.  ``fallback=True`` (expert weights kept,
        :class:`CalibrationWarning` issued) when the data are below the minimum, the
        fit fails (e.g. perfect separation, no convergence) or no coefficient
        agrees with its declared direction.  The function does not fail on thin
        data.

    Raises
    ------
    InputError
        If ``matrix`` or ``outcome`` are malformed (missing or non-numeric values,
        customers that do not match, outcome not 0/1 for conversion, negative
        revenue).
    ParamsError
        If a parameter is out of range, or ``directions`` / ``prior_weights`` do
        not cover the criteria.

    Warns
    -----
    CalibrationWarning
        One per entry of ``result.warnings`` (fallback, sign flips, constant
        criteria, rescaled expert weights).

    Notes
    -----
    Coefficient -> weight: the score is ``sum_j w_j z_j`` with ``z`` the normalised
    criteria and the GLM's linear predictor is ``alpha + sum_j beta_j z_j``, so
    ``w_j proportional to beta_j >= 0`` makes the linear predictor a monotone
    transform of the score.  A negative unconstrained ``beta_j`` is reported
    (``sign_ok`` False, warning with its p-value) -- never silently.  With
    ``sign_handling="constrained"`` the weights come from the bounded maximum of the
    likelihood, which is the best ranking model among those whose score respects the
    directions; clipping the unconstrained coefficients is not a maximum of the
    likelihood of anything, and ranks worse out of sample on correlated criteria
    (``tests/methods/test_calibration.py``).  The expert prior enters after the fit
    (the precision-weighted shrinkage of step 4), the same for both choices.

    The bootstrap variance of each data weight gives its precision; a criterion
    whose data weight is 0 in every replicate (a firmly contradicted direction)
    therefore has a tiny variance and its proposed weight goes to about 0 unless
    ``strength`` is very large.  A constant criterion carries no information: it
    keeps its expert weight (precision 0).

    References
    ----------
    Peduzzi P, Concato J, Kemper E, Holford TR, Feinstein AR (1996). A simulation
    study of the number of events per variable in logistic regression analysis.
    J Clin Epidemiol 49(12):1373-1379.
    Smyth GK, Jorgensen B (2002). Fitting Tweedie's compound Poisson model to
    insurance claims data: dispersion modelling. ASTIN Bulletin 32(1):143-157.
    Bickel PJ, Goetze F, van Zwet WR (1997). Resampling fewer than n observations:
    gains, losses, and remedies for losses. Statistica Sinica 7:1-31.
    Byrd RH, Lu P, Nocedal J, Zhu C (1995). A limited memory algorithm for bound
    constrained optimization. SIAM J Sci Comput 16(5):1190-1208.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(1)
    >>> X = pd.DataFrame(rng.random((2000, 3)), columns=["budget", "fit", "distance"])
    >>> s = 0.5 * X.budget + 0.3 * X.fit + 0.2 * (1 - X.distance)
    >>> y = pd.Series((rng.random(2000) < 1 / (1 + np.exp(-10 * (s - s.mean())))).astype(int))
    >>> res = calibrate_weights(X, y, {"budget": "benefit", "fit": "benefit",
    ...                                "distance": "cost"}, n_boot=20, seed=1)
    >>> res.fallback, list(res.cv.index)
    (False, ['expert', 'data', 'blended'])
    >>> bool(abs(res.data_weights["budget"] - 0.5) < 0.08)
    True
    """
    t_start = time.perf_counter()
    matrix = _check_matrix(matrix)
    _check_params(
        target,
        strength,
        n_boot,
        cv_folds,
        min_events,
        min_customers,
        boot_rows,
        cv_fit_rows,
        ci,
        sign_handling,
    )
    strength = float(strength)
    columns = matrix.columns
    dirs = _check_directions(directions, columns)
    notes: list[str] = []
    expert = _expert_weights(prior_weights, columns, notes)
    y_ser = _align_series(outcome, "outcome", matrix.index)
    y = _check_outcome(y_ser, target)
    conv = (y > 0).astype(np.float64)
    if revenue is not None:
        value = _align_series(revenue, "revenue", matrix.index).to_numpy()
        if (value < 0).any() or not np.isfinite(value).all():
            raise InputError("`revenue` must be finite and >= 0 for every customer.")
    else:
        value = y.copy()

    n, p = matrix.shape
    n_pos = int(conv.sum())
    n_neg = n - n_pos
    params: dict[str, Any] = {
        "target": target,
        "model_family": (
            "binomial GLM, logit link"
            if target == "conversion"
            else f"Tweedie GLM, var_power={TWEEDIE_VAR_POWER}, log link"
        ),
        "sign_handling": sign_handling,
        "weight_mapping": (
            "w_j = beta_j / sum_k beta_k, beta from the GLM fitted with beta_j >= 0 (L-BFGS-B)"
            if sign_handling == "constrained"
            else "w_j = max(beta_j, 0) / sum_k max(beta_k, 0), beta from the unconstrained GLM"
        ),
        "update": "precision-weighted shrinkage towards the expert weights",
        "strength": strength,
        "cv_folds": cv_folds,
        "seed": seed,
        "normalization": (normalization if isinstance(normalization, str) else dict(normalization)),
        "n_boot": n_boot,
        "min_events": min_events,
        "min_customers": min_customers,
        "boot_rows": boot_rows,
        "cv_fit_rows": cv_fit_rows,
        "ci": ci,
        "prior": "given" if prior_weights is not None else "equal weights",
        "n_customers": n,
        "n_converted": n_pos,
        "n_not_converted": n_neg,
    }

    def fallback(reason: str, table: pd.DataFrame | None = None) -> CalibrationResult:
        msg = f"Calibration fell back to the expert weights: {reason}"
        return _finish(
            weights=expert.rename("weight"),
            expert=expert,
            data=pd.Series(np.nan, index=columns, name="data_weight"),
            table=table if table is not None else _empty_table(expert, dirs),
            cv=_empty_cv(),
            cv_folds=_empty_cv().iloc[0:0],
            recommendation=(f"Keep the expert weights: {reason} No out-of-sample comparison was made."),
            notes=[msg, *notes],
            is_fallback=True,
            params=params,
            timings={"total": time.perf_counter() - t_start},
        )

    # --- minimum data (Peduzzi et al. 1996) ---------------------------------------
    need = min_events * p
    if n < min_customers:
        return fallback(f"only {n} customers, fewer than min_customers={min_customers}.")
    if target == "conversion" and min(n_pos, n_neg) < need:
        return fallback(
            f"{n_pos} converters and {n_neg} non-converters; at least {need} of each "
            f"are needed ({min_events} per criterion x {p} criteria, Peduzzi et al. "
            "1996)."
        )
    if target == "revenue" and n_pos < need:
        return fallback(
            f"only {n_pos} customers with revenue > 0; at least {need} are needed "
            f"({min_events} per criterion x {p} criteria, Peduzzi et al. 1996)."
        )

    # --- normalise ----------------------------------------------------------------
    zdf = normalize(matrix, dirs, method=normalization)
    zdf = zdf.reindex(columns=columns)
    z = zdf.to_numpy(dtype=np.float64, copy=True)
    raw_const = (matrix.max() == matrix.min()).to_numpy()
    nan_cols = np.isnan(z).any(axis=0)
    if (nan_cols & ~raw_const).any():
        bad = columns[nan_cols & ~raw_const]
        raise InputError(
            f"Normalising criteria {_ids(bad)} with method '{normalization}' gave missing values; check these columns."
        )
    const = raw_const | (np.ptp(np.nan_to_num(z), axis=0) == 0)
    z[:, const] = 0.0
    for c in columns[const]:
        notes.append(
            f"Criterion '{c}' has the same value for every customer: the data say "
            "nothing about its weight; it keeps its expert weight in the proposal "
            "(data weight 0)."
        )
    free = ~const
    if not free.any():
        return fallback("every criterion is constant across customers.")
    zf = z if free.all() else z[:, free]

    t_prep = time.perf_counter() - t_start

    # --- main fit (every customer) ------------------------------------------------
    t0 = time.perf_counter()
    design = _design(zf)
    # The numpy kernel finds the MLE at a fraction of the cost; statsmodels then
    # verifies it (one IRLS step from there) and provides all the inference.
    start = _glm_irls(design, y, target, max_iter=25)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            res = sm.GLM(y, design, family=_family(target)).fit(
                start_params=start if np.isfinite(start).all() else None
            )
        except (np.linalg.LinAlgError, ValueError, FloatingPointError) as exc:
            return fallback(f"the GLM could not be fitted ({exc}).")
    if any(issubclass(w.category, PerfectSeparationWarning) for w in caught):
        return fallback(
            "the criteria separate converters from non-converters perfectly, so the "
            "coefficients are not estimable (perfect separation)."
        )
    if any(issubclass(w.category, ConvergenceWarning) for w in caught) or not res.converged:
        return fallback("the GLM did not converge.")
    coef_free = np.asarray(res.params, dtype=np.float64)
    if not np.isfinite(coef_free).all():
        return fallback("the GLM gave non-finite coefficients.")
    bse_free = np.asarray(res.bse, dtype=np.float64)
    pval_free = np.asarray(res.pvalues, dtype=np.float64)
    cil_free = np.asarray(res.conf_int(alpha=1 - ci), dtype=np.float64)

    beta = np.full(p, np.nan)
    beta[free] = coef_free[1:]
    se = np.full(p, np.nan)
    se[free] = bse_free[1:]
    pval = np.full(p, np.nan)
    pval[free] = pval_free[1:]
    lo = np.full(p, np.nan)
    hi = np.full(p, np.nan)
    lo[free], hi[free] = cil_free[1:, 0], cil_free[1:, 1]

    w_data = np.zeros(p)
    sign_ok = np.where(free, np.nan_to_num(beta) >= 0, True)
    if sign_handling == "constrained" and (coef_free[1:] < 0).any():
        fit_free = _glm_constrained(design, y, target, start=coef_free)
        if not np.isfinite(fit_free).all():
            return fallback("the sign-constrained GLM could not be fitted.")
    else:
        fit_free = coef_free.copy()
        fit_free[1:] = np.maximum(fit_free[1:], 0.0)
    used = np.full(p, np.nan)
    used[free] = fit_free[1:]
    w_free = _data_weights_kernel(fit_free[1:])
    partial_table = _table(
        columns,
        dirs,
        beta,
        se,
        lo,
        hi,
        pval,
        sign_ok,
        used,
        expert.to_numpy(),
        np.full(p, np.nan),
        np.full(p, np.nan),
        expert.to_numpy(),
        np.full(p, np.nan),
        np.full(p, np.nan),
    )
    for j in np.flatnonzero(~sign_ok):
        handled = (
            f"the sign-constrained fit gives it {used[j]:.3g} and refits the other criteria"
            if sign_handling == "constrained"
            else "its data-implied weight is set to 0"
        )
        notes.append(
            f"Criterion '{columns[j]}' (declared '{dirs[columns[j]]}'): coefficient "
            f"{beta[j]:+.3g} (p = {pval[j]:.3g}) contradicts the declared direction; "
            f"{handled}. Check the criterion's definition and direction before adopting new weights."
        )
    if np.isnan(w_free).any():
        return fallback(
            "no criterion has a coefficient in its declared direction, so the data imply no weights.",
            table=partial_table,
        )
    w_data[free] = w_free
    t_fit = time.perf_counter() - t0

    # --- bootstrap ----------------------------------------------------------------
    t0 = time.perf_counter()
    ss_boot, ss_cv = np.random.SeedSequence(seed).spawn(2)
    rng_b = np.random.default_rng(ss_boot)
    m = min(n, boot_rows)
    boot_beta = np.full((n_boot, int(free.sum())), np.nan)
    for b in range(n_boot):
        idx = rng_b.integers(0, n, size=m)
        boot_beta[b] = _fit_params(zf[idx], y[idx], target, start=coef_free, sign_handling=sign_handling)[1:]
    boot_wf = _data_weights_kernel(boot_beta)
    ok = np.isfinite(boot_wf).all(axis=1)
    n_bad = int((~ok).sum())
    if n_bad > 0.1 * n_boot:
        notes.append(
            f"{n_bad} of {n_boot} bootstrap replicates failed or implied no weights; "
            "the intervals rest on the others and may be too narrow."
        )
    if ok.sum() < 2:
        return fallback(
            "the bootstrap replicates could not be fitted, so the precision of the data weights is unknown.",
            table=partial_table,
        )
    boot_w = np.zeros((int(ok.sum()), p))
    boot_w[:, free] = boot_wf[ok]
    shrink = math.sqrt(m / n)
    var = boot_w.var(axis=0, ddof=1) * (m / n)
    precision = np.where(free, 1.0 / np.maximum(var, _VAR_FLOOR), 0.0)
    w_exp = expert.to_numpy()
    proposed = _blend_kernel(w_exp, w_data, precision, strength)
    boot_prop = _blend_kernel(w_exp, boot_w, precision, strength)
    boot_prop = proposed + shrink * (boot_prop - proposed)
    alpha = (1 - ci) / 2
    p_lo = np.clip(np.quantile(boot_prop, alpha, axis=0), 0.0, 1.0)
    p_hi = np.clip(np.quantile(boot_prop, 1 - alpha, axis=0), 0.0, 1.0)
    t_boot = time.perf_counter() - t0

    # --- cross-validation ---------------------------------------------------------
    t0 = time.perf_counter()
    cv_folds_df = _cross_validate(
        z,
        y,
        conv,
        value,
        matrix.index,
        free,
        target,
        w_exp,
        precision,
        strength,
        cv_folds,
        cv_fit_rows,
        coef_free,
        np.random.default_rng(ss_cv),
        sign_handling,
    )
    cv = cv_folds_df.groupby(level="weights", sort=False).mean().reindex(list(_ROWS))
    t_cv = time.perf_counter() - t0

    table = _table(
        columns,
        dirs,
        beta,
        se,
        lo,
        hi,
        pval,
        sign_ok,
        used,
        w_exp,
        w_data,
        np.sqrt(var),
        proposed,
        p_lo,
        p_hi,
    )
    recommendation = _recommend(cv, cv_folds_df, target, strength, int((~sign_ok).sum()))
    return _finish(
        weights=pd.Series(proposed, index=columns, name="weight"),
        expert=expert,
        data=pd.Series(w_data, index=columns, name="data_weight"),
        table=table,
        cv=cv,
        cv_folds=cv_folds_df,
        recommendation=recommendation,
        notes=notes,
        is_fallback=False,
        params=params,
        timings={
            "prepare": t_prep,
            "fit": t_fit,
            "bootstrap": t_boot,
            "cv": t_cv,
            "total": time.perf_counter() - t_start,
        },
    )


def _finish(
    *,
    weights: pd.Series,
    expert: pd.Series,
    data: pd.Series,
    table: pd.DataFrame,
    cv: pd.DataFrame,
    cv_folds: pd.DataFrame,
    recommendation: str,
    notes: list[str],
    is_fallback: bool,
    params: dict[str, Any],
    timings: dict[str, float],
) -> CalibrationResult:
    for msg in notes:
        warnings.warn(msg, CalibrationWarning, stacklevel=3)
    return CalibrationResult(
        weights=weights,
        expert_weights=expert,
        data_weights=data,
        table=table,
        cv=cv,
        cv_folds=cv_folds,
        recommendation=recommendation,
        warnings=list(notes),
        fallback=is_fallback,
        params=dict(params, fallback=is_fallback),
        timings=timings,
    )


def _table(
    columns: pd.Index,
    dirs: Mapping[str, str],
    beta: FloatArray,
    se: FloatArray,
    lo: FloatArray,
    hi: FloatArray,
    pval: FloatArray,
    sign_ok: npt.NDArray[np.bool_],
    used: FloatArray,
    w_exp: FloatArray,
    w_data: FloatArray,
    w_data_se: FloatArray,
    proposed: FloatArray,
    p_lo: FloatArray,
    p_hi: FloatArray,
) -> pd.DataFrame:
    out = pd.DataFrame(
        {
            "direction": [dirs[c] for c in columns],
            "coefficient": beta,
            "std_err": se,
            "ci_low": lo,
            "ci_high": hi,
            "p_value": pval,
            "sign_ok": np.asarray(sign_ok, dtype=bool),
            "coefficient_used": used,
            "expert_weight": w_exp,
            "data_weight": w_data,
            "data_weight_se": w_data_se,
            "proposed_weight": proposed,
            "proposed_ci_low": p_lo,
            "proposed_ci_high": p_hi,
        },
        index=columns,
    )
    return out.rename_axis("criterion")  # a new index: the caller's columns keep their name


def _empty_table(expert: pd.Series, dirs: Mapping[str, str]) -> pd.DataFrame:
    p = expert.shape[0]
    nan = np.full(p, np.nan)
    return _table(
        expert.index,
        dirs,
        nan,
        nan,
        nan,
        nan,
        nan,
        np.ones(p, dtype=bool),
        nan,
        expert.to_numpy(),
        nan,
        nan,
        expert.to_numpy(),
        nan,
        nan,
    )


def _empty_cv() -> pd.DataFrame:
    cv = pd.DataFrame(np.nan, index=pd.Index(list(_ROWS), name="weights"), columns=list(_METRICS))
    return cv


def _safe(fn: Callable[[], float]) -> float:
    """A metric, or NaN when it is undefined on this fold (e.g. one class only)."""
    try:
        return float(fn())
    except InputError:
        return math.nan


def _fold_metrics(
    score_te: pd.Series,
    conv_te: pd.Series,
    value_te: pd.Series,
    prob_te: FloatArray,
) -> list[float]:
    return [
        _safe(lambda: review.auc(score_te, conv_te, ci=None).auc),
        _safe(lambda: review.lift_at(score_te, conv_te, 0.1)),
        _safe(lambda: review.capture_at(score_te, value_te, 0.1)),
        _safe(lambda: review.capture_at(score_te, value_te, 0.2)),
        float(np.mean((prob_te - conv_te.to_numpy()) ** 2)),
    ]


def _cross_validate(
    z: FloatArray,
    y: FloatArray,
    conv: FloatArray,
    value: FloatArray,
    index: pd.Index,
    free: npt.NDArray[np.bool_],
    target: str,
    w_exp: FloatArray,
    precision: FloatArray,
    strength: float,
    k: int,
    fit_rows: int,
    start: FloatArray,
    rng: np.random.Generator,
    sign_handling: str = DEFAULT_SIGN_HANDLING,
) -> pd.DataFrame:
    """Out-of-sample metrics per fold for the expert, data and blended weights.

    Each fold's data weights are fitted with the same ``sign_handling`` as the main fit.
    """
    n = z.shape[0]
    folds = _stratified_folds(conv.astype(np.int64), k, rng)
    rows: list[list[float]] = []
    keys: list[tuple[int, str]] = []
    for f in range(k):
        test = folds == f
        train = np.flatnonzero(~test)
        if train.shape[0] > fit_rows:
            train = np.sort(rng.choice(train, size=fit_rows, replace=False))
        z_tr, z_te = z[train], z[test]
        beta = _fit_params(z_tr[:, free], y[train], target, start=start, sign_handling=sign_handling)[1:]
        w_data = np.zeros(z.shape[1])
        w_data[free] = _data_weights_kernel(beta)
        w_blend = _blend_kernel(w_exp, w_data, precision * train.shape[0] / n, strength)
        idx_te = index[test]
        conv_te = pd.Series(conv[test], index=idx_te)
        value_te = pd.Series(value[test], index=idx_te)
        for name, w in zip(_ROWS, (w_exp, w_data, w_blend)):
            keys.append((f, name))
            if not np.isfinite(w).all():
                rows.append([math.nan] * len(_METRICS))
                continue
            a, b = _fit_params((z_tr @ w)[:, None], conv[train], "conversion")
            s_te = z_te @ w
            prob = special.expit(a + b * s_te)
            rows.append(_fold_metrics(pd.Series(s_te, index=idx_te), conv_te, value_te, prob))
    out = pd.DataFrame(
        rows,
        index=pd.MultiIndex.from_tuples(keys, names=["fold", "weights"]),
        columns=list(_METRICS),
    )
    return out


def _recommend(cv: pd.DataFrame, folds: pd.DataFrame, target: str, strength: float, n_flipped: int) -> str:
    """Which weights to adopt, backed by the out-of-sample figures."""
    metric = "auc" if target == "conversion" else "capture_top20"
    label = "AUC" if metric == "auc" else "revenue captured by the top 20%"
    e, d, b = (float(cv.loc[r, metric]) for r in _ROWS)
    per_fold = folds[metric].unstack("weights")
    diff = (per_fold["blended"] - per_fold["expert"]).dropna()
    wins, k = int((diff > 0).sum()), int(diff.shape[0])
    lift = (float(cv.loc["blended", "top_decile_lift"]), float(cv.loc["expert", "top_decile_lift"]))
    brier = (float(cv.loc["blended", "brier"]), float(cv.loc["expert", "brier"]))
    flip = (
        f" {n_flipped} criterion/criteria contradict their declared direction (see "
        "warnings): review their definition before adopting."
        if n_flipped
        else ""
    )
    if math.isinf(strength):
        return (
            "Keep the expert weights: strength=inf makes the proposal equal to them. "
            f"Out of sample the data-implied weights reach {label} {d:.3f} vs {e:.3f} "
            "with the expert weights." + flip
        )
    if not (np.isfinite(b) and np.isfinite(e)):
        return "Keep the expert weights: the out-of-sample comparison is undefined." + flip
    if b > e and wins > k / 2:
        text = (
            f"Adopt the proposed (blended) weights: out-of-sample {label} {b:.3f} vs "
            f"{e:.3f} with the expert weights ({b - e:+.3f}, better in {wins} of {k} "
            f"folds); top-decile lift {lift[0]:.2f} vs {lift[1]:.2f}; Brier score "
            f"{brier[0]:.4f} vs {brier[1]:.4f}."
        )
        if np.isfinite(d) and d - b > 0.5 * (b - e):
            text += (
                f" The data-only weights do better still ({label} {d:.3f}); a lower "
                f"`strength` (now {strength:g}) moves the proposal towards them."
            )
        return text + flip
    return (
        f"Keep the expert weights: the proposed weights do not rank better out of "
        f"sample ({label} {b:.3f} vs {e:.3f} with the expert weights, better in "
        f"{wins} of {k} folds)." + flip
    )


# ----------------------------------------------------------------------------------
# probability_calibration
# ----------------------------------------------------------------------------------


def probability_calibration(
    score: pd.Series | npt.ArrayLike,
    outcome: pd.Series | npt.ArrayLike,
    n_bins: int = 10,
    method: Literal["logistic", "binning"] = "logistic",
) -> ProbabilityCalibration:
    """Turn a ranking score into the probability of converting within the year.

    Parameters
    ----------
    score : pd.Series or array-like
        Score per customer (higher = expected to convert).
    outcome : pd.Series or array-like
        1 if the customer converted within the year, else 0.  When both are Series
        they are aligned by customer id.
    n_bins : int, default 10
        Bins of about equal size (score quantiles; tied scores share a bin) for the
        reliability table and for ``method="binning"``.
    method : {"logistic", "binning"}, default "logistic"
        ``"logistic"``: a one-variable logistic GLM
        ``P = 1 / (1 + exp(-(a + b * score)))`` (Platt 1999) -- two parameters,
        smooth, monotone in the score when ``b > 0``.  ``"binning"``: the observed
        conversion rate of the score bin (histogram binning, Zadrozny & Elkan 2001)
        -- no shape assumed, but a step function.

    Returns
    -------
    ProbabilityCalibration
        Fitted calibration with ``reliability`` (bin, score_low, score_high,
        mean_predicted, observed_rate, n), ``brier``, ``brier_reference`` and
        ``predict(score)`` for new scores.

    Raises
    ------
    InputError
        If inputs are misaligned, missing, the outcome is not 0/1 or has one class.
    ParamsError
        If ``n_bins`` < 2 or ``method`` is unknown.

    References
    ----------
    Brier GW (1950). Verification of forecasts expressed in terms of probability.
    Monthly Weather Review 78(1):1-3.
    Platt J (1999). Probabilistic outputs for support vector machines. In Advances
    in Large Margin Classifiers, MIT Press.
    Zadrozny B, Elkan C (2001). Obtaining calibrated probability estimates from
    decision trees and naive Bayesian classifiers. ICML 2001.

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> s = rng.random(5000)
    >>> y = (rng.random(5000) < 1 / (1 + np.exp(-(-2 + 4 * s)))).astype(int)
    >>> cal = probability_calibration(s, y)
    >>> bool(abs(cal.intercept + 2) < 0.3 and abs(cal.slope - 4) < 0.5)
    True
    >>> bool(cal.predict(np.array([0.0, 1.0]))[1] > 0.8)
    True
    """
    if not isinstance(n_bins, (int, np.integer)) or isinstance(n_bins, bool) or n_bins < 2:
        raise ParamsError(f"`n_bins` must be an integer >= 2; got {n_bins!r}.")
    if method not in ("logistic", "binning"):
        raise ParamsError(f"`method` must be 'logistic' or 'binning'; got {method!r}.")
    if isinstance(score, pd.Series) and isinstance(outcome, pd.Series):
        outcome = _align_series(outcome, "outcome", score.index)
    s = _finite_array(score, "score")
    y = _finite_array(outcome, "outcome")
    if s.shape != y.shape:
        raise InputError(f"`score` has {s.shape[0]} values and `outcome` {y.shape[0]}; pass one of each per customer.")
    if ((y != 0) & (y != 1)).any():
        raise InputError("`outcome` must be 0/1 (1 = converted within the year).")
    n_pos = int(y.sum())
    if n_pos == 0 or n_pos == y.shape[0]:
        raise InputError(
            "Calibrating a probability needs converters and non-converters; "
            f"`outcome` has {n_pos} of {y.shape[0]} converted."
        )
    notes: list[str] = []
    if method == "logistic":
        a, b = _logistic_1d(s, y)
        edges, rates = np.empty(0), np.empty(0)
        if b <= 0:
            notes.append(
                f"The calibration slope is {b:.3g} <= 0: a higher score does not mean a higher conversion rate."
            )
    else:
        a = b = math.nan
        edges, bins = _quantile_bins(s, n_bins)
        counts = np.bincount(bins, minlength=edges.shape[0] + 1)
        events = np.bincount(bins, weights=y, minlength=edges.shape[0] + 1)
        with np.errstate(invalid="ignore", divide="ignore"):
            rates = np.where(counts > 0, events / np.maximum(counts, 1), y.mean())
    prob = _predict_kernel(s, method, a, b, edges, rates)
    base = y.mean()
    return ProbabilityCalibration(
        method=method,
        intercept=a,
        slope=b,
        bin_edges=edges,
        bin_rates=rates,
        reliability=_reliability(s, prob, y, n_bins),
        brier=float(np.mean((prob - y) ** 2)),
        brier_reference=float(np.mean((base - y) ** 2)),
        n=int(y.shape[0]),
        warnings=notes,
    )


# ----------------------------------------------------------------------------------
# propose_tier_thresholds
# ----------------------------------------------------------------------------------


def _tier_cuts(
    ss: FloatArray,
    cum: FloatArray,
    boundary: npt.NDArray[np.bool_],
    targets: Sequence[float] | None,
    capacity: Sequence[int] | None,
) -> list[int]:
    """End positions (exclusive, in the score-sorted order) of the leading tiers."""
    n = ss.shape[0]
    start = 0
    ends: list[int] = []
    for i in range(len(targets) if targets is not None else len(capacity or ())):
        ks = np.arange(start + 1, n + 1)
        if targets is not None:
            rate = (cum[ks] - cum[start]) / (ks - start)
            ok = boundary[ks] & (rate >= targets[i] - 1e-12)
        else:
            ok = boundary[ks] & (ks - start <= capacity[i])  # type: ignore[index]
        end = int(ks[ok].max()) if ok.any() else start
        ends.append(end)
        start = end
    return ends


def propose_tier_thresholds(
    score: pd.Series | npt.ArrayLike,
    probability: pd.Series | npt.ArrayLike,
    target_rates: Sequence[float] | None = None,
    capacity: Sequence[int] | None = None,
    tier_names: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Score thresholds that give each tier a target conversion rate or a capacity.

    Customers are sorted by score, descending.  A customer belongs to the first tier
    whose ``threshold`` its score reaches; the last tier takes everybody else.
    Thresholds never split customers with the same score.

    Parameters
    ----------
    score : pd.Series or array-like
        Score per customer.
    probability : pd.Series or array-like
        Probability of converting within the year per customer, e.g.
        ``probability_calibration(...).predict(score)``.  Aligned by customer id
        when both are Series.
    target_rates : sequence of float, optional
        Expected conversion rate each leading tier must reach, e.g. ``(0.6, 0.35)``
        (the default when neither ``target_rates`` nor ``capacity`` is given): tier
        1 is the **largest** group at the top of the list whose mean probability is
        >= 0.6, tier 2 the largest group after it with mean >= 0.35, and so on.
    capacity : sequence of int, optional
        Accounts each leading tier can hold instead (the tier holds at most this
        many; fewer when a tie straddles the limit).  Give either ``target_rates``
        or ``capacity``.
    tier_names : sequence of str, optional
        Names of the tiers, one more than the targets (the last tier takes the
        rest).  Default ``"tier 1"``, ``"tier 2"``, ...

    Returns
    -------
    pd.DataFrame
        One row per tier: ``tier``, ``threshold`` (lowest score in the tier; ``-inf``
        for the last tier, NaN for an empty tier), ``score_max``, ``n_customers``,
        ``expected_conversion_rate``, ``expected_conversions``, ``target_rate``,
        ``capacity``, ``meets_target`` (nullable boolean, NA for the last tier).

    Raises
    ------
    InputError
        If the inputs are misaligned, missing, or a probability is outside [0, 1].
    ParamsError
        If both or malformed ``target_rates`` / ``capacity`` are given, or
        ``tier_names`` has the wrong length.

    Examples
    --------
    >>> import numpy as np
    >>> s = np.arange(10, 0, -1.0)
    >>> p = np.array([.9, .8, .7, .5, .4, .3, .2, .1, .1, .1])
    >>> t = propose_tier_thresholds(s, p, target_rates=[0.75, 0.4])
    >>> # tier 1: top 3 convert at (.9+.8+.7)/3 = .8 >= .75; a 4th would give .725.
    >>> # tier 2: next 3 at (.5+.4+.3)/3 = .4 >= .4.
    >>> t[["tier", "threshold", "n_customers"]].to_dict("list")
    {'tier': ['tier 1', 'tier 2', 'tier 3'], 'threshold': [8.0, 5.0, -inf], 'n_customers': [3, 3, 4]}
    """
    if target_rates is not None and capacity is not None:
        raise ParamsError("Give either `target_rates` or `capacity`, not both.")
    if target_rates is None and capacity is None:
        target_rates = DEFAULT_TARGET_RATES
    if target_rates is not None:
        targets = [float(t) for t in target_rates]
        if not targets or any(not 0 < t <= 1 for t in targets):
            raise ParamsError(f"`target_rates` must be conversion rates in (0, 1]; got {target_rates!r}.")
        caps = None
        k = len(targets)
    else:
        caps = list(capacity)  # type: ignore[arg-type]
        if not caps or any(not isinstance(c, (int, np.integer)) or isinstance(c, bool) or c < 0 for c in caps):
            raise ParamsError(f"`capacity` must be whole numbers of accounts >= 0; got {capacity!r}.")
        targets = None
        k = len(caps)
    names = [f"tier {i + 1}" for i in range(k + 1)] if tier_names is None else list(tier_names)
    if len(names) != k + 1:
        raise ParamsError(
            f"`tier_names` needs {k + 1} names ({k} tiers with a target plus the rest); got {len(names)}."
        )
    if isinstance(score, pd.Series) and isinstance(probability, pd.Series):
        probability = _align_series(probability, "probability", score.index)
    s = _finite_array(score, "score")
    pr = _finite_array(probability, "probability")
    if s.shape != pr.shape:
        raise InputError(f"`score` has {s.shape[0]} values and `probability` {pr.shape[0]}.")
    if ((pr < 0) | (pr > 1)).any():
        raise InputError("`probability` must be within [0, 1].")
    n = s.shape[0]
    order = np.argsort(-s, kind="stable")
    ss, pp = s[order], pr[order]
    cum = np.concatenate(([0.0], np.cumsum(pp)))
    boundary = np.ones(n + 1, dtype=bool)
    boundary[1:n] = ss[:-1] > ss[1:]
    ends = _tier_cuts(ss, cum, boundary, targets, caps)
    starts = [0, *ends]
    ends = [*ends, n]
    size = np.array([e - b for b, e in zip(starts, ends)])
    total = np.array([cum[e] - cum[b] for b, e in zip(starts, ends)])
    nonempty = size > 0
    with np.errstate(invalid="ignore", divide="ignore"):
        rate = np.where(nonempty, total / np.maximum(size, 1), np.nan)
    threshold = np.where(nonempty, ss[np.maximum(np.array(ends) - 1, 0)], np.nan)
    threshold[-1] = -np.inf
    score_max = np.where(nonempty, ss[np.minimum(np.array(starts), max(n - 1, 0))], np.nan)
    tgt = np.array([*(targets or [math.nan] * k), math.nan])
    no_caps: list[float] = [math.nan] * k
    cap = np.array([*(caps or no_caps), math.nan], dtype=float)
    meets = pd.array(
        [
            (bool(size[i] > 0 and rate[i] >= tgt[i] - 1e-12) if targets is not None else bool(size[i] <= cap[i]))
            for i in range(k)
        ]
        + [pd.NA],
        dtype="boolean",
    )
    return pd.DataFrame(
        {
            "tier": names,
            "threshold": threshold,
            "score_max": score_max,
            "n_customers": size,
            "expected_conversion_rate": rate,
            "expected_conversions": total,
            "target_rate": tgt,
            "capacity": cap,
            "meets_target": meets,
        }
    )
