"""The calibration step of the annual cycle: last year's list and outcomes → proposal.

:mod:`prioanalysis.methods.calibration` works on any customer table. This module feeds it
the project's own data: year Y−1's criteria values *as they were scored* (the
package's own transforms and missing-value policies, applied by
:func:`prioanalysis.steps.ranking.run_ranking` with ``params/<Y−1>``), joined to Y−1's
realised outcomes, with this year's criteria weights as the expert prior.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from prioanalysis.methods import calibration
from prioanalysis.methods import scoring
from prioanalysis.errors import InputError, ParamsError
from prioanalysis.config.params import Params, load_params

__all__ = ["CalibrationInputs", "CalibrationReport", "load_calibration_inputs", "recalibrate", "model_view"]


@dataclass(frozen=True)
class CalibrationInputs:
    """Last year's scored criteria joined to its outcomes.

    Attributes
    ----------
    matrix : pandas.DataFrame
        Customers × criteria, transformed and filled as scored in year Y−1.
    won, revenue : pandas.Series
        Outcomes aligned with ``matrix``.
    directions : dict
        Criterion → benefit/cost (this year's criteria).
    expert_weights : pandas.Series
        This year's global weights (the expert prior), restricted to the criteria
        present in both years.
    year : int
        The year calibrated on (Y−1).
    previous : Params
        Y−1's parameters.
    notes : list of str
        Criteria left out (present in one year only), customers without outcomes.
    truth : pandas.DataFrame or None
        The generator's true weights when the data is the bundled sample
        (``true_weights.csv`` beside the outcomes), else None.
    """

    matrix: pd.DataFrame
    won: pd.Series
    revenue: pd.Series
    directions: dict[str, str]
    expert_weights: pd.Series
    year: int
    previous: Params
    notes: list[str]
    truth: pd.DataFrame | None


def load_calibration_inputs(
    params: Params, calibration_year: int = 0, outcomes_path: str = ""
) -> CalibrationInputs:
    """Assemble the calibration data of the cycle.

    Parameters
    ----------
    params : Params
        This year's parameters (their weights are the expert prior).
    calibration_year : int
        Year whose outcomes are used; 0 means the previous year (Y−1).
    outcomes_path : str
        Outcomes file (customer_id, won, revenue); default
        ``outcomes_<year>.csv`` beside Y−1's preliminary list.

    Raises
    ------
    ParamsError
        No ``params/<year>`` folder for the calibration year.
    InputError
        Outcomes file invalid or no common criteria.
    """
    from prioanalysis.inputs import preliminary as intake
    from prioanalysis.steps import ranking as pipeline

    year = calibration_year or params.run.year - 1
    prev_dir = params.directory.parent / str(year)
    if not prev_dir.is_dir():
        raise ParamsError(f"{prev_dir}: no parameters for {year}, the year to calibrate on")
    previous = load_params(prev_dir)
    ranked = pipeline.run_ranking(previous)
    list_path = previous.resolve(previous.run.inputs.preliminary_list)
    opath = Path(outcomes_path) if outcomes_path else list_path.parent / f"outcomes_{year}.csv"
    outcomes = intake.read_table(opath)
    missing = [c for c in ("customer_id", "won", "revenue") if c not in outcomes.columns]
    if missing:
        raise InputError(f"{opath}: missing required column(s): {', '.join(missing)}")
    out = outcomes.assign(
        won=pd.to_numeric(outcomes["won"], errors="coerce"),
        revenue=pd.to_numeric(outcomes["revenue"], errors="coerce"),
    )
    bad = out["won"].isna() | ~out["won"].isin([0, 1]) | out["revenue"].isna() | (out["revenue"] < 0)
    if bad.any():
        rows = (bad[bad].index[:8] + int(outcomes.attrs.get("row_offset", 2))).tolist()
        raise InputError(
            f"{opath}: rows {rows}: columns 'won' (0 or 1) and 'revenue' (≥ 0) must be filled in"
        )
    out = out.drop_duplicates("customer_id").set_index("customer_id")
    current = params.criteria
    common = [c for c in current.ids if c in previous.criteria.ids]
    notes = []
    dropped = sorted(set(current.ids) ^ set(previous.criteria.ids))
    if dropped:
        notes.append(f"criteria in one year only, left out of the calibration: {', '.join(dropped)}")
    if not common:
        raise InputError("no criterion is shared by this year's and last year's criteria")
    matrix = ranked.prepared.matrix[common]
    have = matrix.index.isin(out.index)
    if (~have).any():
        notes.append(f"{int((~have).sum())} customers of the {year} list have no outcome and are left out")
    matrix = matrix.loc[have]
    gw = pd.Series(current.global_weights())[common]
    truth_path = opath.parent / "true_weights.csv"
    truth = pd.read_csv(truth_path).set_index("criterion") if truth_path.is_file() else None
    return CalibrationInputs(
        matrix=matrix,
        won=out.loc[matrix.index, "won"].astype(int),
        revenue=out.loc[matrix.index, "revenue"].astype(float),
        directions={c.id: c.direction for c in current.criteria if c.id in common},
        expert_weights=gw / gw.sum(),
        year=year,
        previous=previous,
        notes=notes,
        truth=truth,
    )


@dataclass(frozen=True)
class CalibrationReport:
    """Everything the calibration notebook shows.

    Attributes
    ----------
    result : calibration.CalibrationResult
    probability : calibration.ProbabilityCalibration
        Score (with the proposed weights) → probability of converting in the year.
    thresholds : pandas.DataFrame
        Score thresholds giving each tier its target expected conversion rate.
    weights : pandas.DataFrame
        Expert, data-implied and proposed weights with the proposal's interval, and
        the generator's true weight when known.
    choices : dict
    """

    result: calibration.CalibrationResult
    probability: calibration.ProbabilityCalibration
    thresholds: pd.DataFrame
    weights: pd.DataFrame
    choices: dict[str, Any]


def recalibrate(
    inputs: CalibrationInputs,
    target: str = "conversion",
    strength: float = calibration.DEFAULT_STRENGTH,
    n_boot: int = 200,
    seed: int = 0,
    target_rates: tuple[float, ...] = calibration.DEFAULT_TARGET_RATES,
    tier_names: list[str] | None = None,
) -> CalibrationReport:
    """Calibrate the weights, calibrate the score into a probability, propose cuts.

    Parameters
    ----------
    inputs : CalibrationInputs
    target : {"conversion", "revenue"}
    strength : float
        Precision of the expert weights (see :func:`calibration.calibrate_weights`).
    n_boot, seed : int
        Bootstrap replicates and seed.
    target_rates : tuple of float
        Expected conversion rate each leading tier must reach.
    tier_names : list of str, optional
        Names of the tiers (the leading ones get the target rates).

    Returns
    -------
    CalibrationReport
    """
    outcome = inputs.won if target == "conversion" else inputs.revenue
    res = calibration.calibrate_weights(
        inputs.matrix,
        outcome,
        inputs.directions,
        prior_weights=inputs.expert_weights,
        target=target,
        revenue=inputs.revenue,
        strength=strength,
        n_boot=n_boot,
        seed=seed,
    )
    score = scoring.weighted_sum(inputs.matrix, res.weights.to_dict(), inputs.directions)
    prob = calibration.probability_calibration(score, inputs.won)
    names = tier_names[: len(target_rates) + 1] if tier_names else None
    thresholds = calibration.propose_tier_thresholds(
        score, pd.Series(prob.predict(score), index=score.index), target_rates=target_rates, tier_names=names
    )
    t = res.table
    weights = pd.DataFrame(
        {
            "expert": res.expert_weights,
            "data": res.data_weights,
            "proposed": res.weights,
            "proposed_ci_low": t["proposed_ci_low"],
            "proposed_ci_high": t["proposed_ci_high"],
        }
    )
    if inputs.truth is not None and "weight" in inputs.truth.columns:
        weights["true"] = inputs.truth["weight"].reindex(weights.index)
        weights["abs_error_proposed"] = (weights["proposed"] - weights["true"]).abs()
        weights["abs_error_data"] = (weights["data"] - weights["true"]).abs()
    weights.index.name = "criterion"
    return CalibrationReport(
        result=res,
        probability=prob,
        thresholds=thresholds,
        weights=weights,
        choices={**res.params, "calibration_year": inputs.year, "target_rates": list(target_rates)},
    )


def model_view(
    params: Params, calibration_year: int = 0, n_boot: int = 50, seed: int = 0, outcomes_path: str = ""
) -> pd.DataFrame | None:
    """The calibration model's view of each criterion, for the annual review.

    Fits the conversion model of :func:`calibration.calibrate_weights` on the year's
    scored criteria and outcomes and returns, per criterion, its coefficient, p-value,
    whether the sign agrees with the declared direction, and the data-implied weight
    next to the weight in force — or ``None`` when the data is below the minimum the
    calibration needs (then only the univariate view exists).

    Returns
    -------
    pandas.DataFrame or None
        Indexed by criterion id: ``model_coefficient``, ``model_p_value``,
        ``model_sign_ok``, ``weight_in_force``, ``data_weight``.
    """
    import warnings

    inputs = load_calibration_inputs(params, calibration_year, outcomes_path)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", calibration.CalibrationWarning)
        res = calibration.calibrate_weights(
            inputs.matrix, inputs.won, inputs.directions, prior_weights=inputs.expert_weights,
            n_boot=n_boot, seed=seed,
        )
    if res.fallback:
        return None
    t = res.table
    return pd.DataFrame(
        {
            "model_coefficient": t["coefficient"],
            "model_p_value": t["p_value"],
            "model_sign_ok": t["sign_ok"],
            "weight_in_force": res.expert_weights,
            "data_weight": res.data_weights,
        }
    )
