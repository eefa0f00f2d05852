"""The calibration step of the annual cycle: last year's list and outcomes → proposal.

:mod:`prioanalysis.methods.calibration` works on any customer table. This module feeds it
the project's own data: year Y−1's criteria values *as they were scored* (Y−1's
validated preliminary list prepared by the ranking's own
:class:`~prioanalysis.methods.preprocess.Preprocessor` with ``params/<Y−1>``: the same
transforms, winsorising and missing-value policies, without ranking the list again),
joined to Y−1's realised outcomes, with this year's criteria weights as the expert
prior and this year's normalizations (the weights multiply values normalised the way
the scoring normalises them).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from prioanalysis.config.params import Params, load_params
from prioanalysis.config.proposal import propose_criteria_text
from prioanalysis.errors import InputError, ParamsError
from prioanalysis.methods import calibration, scoring
from prioanalysis.methods.preprocess import Preprocessor

__all__ = [
    "CalibrationInputs",
    "CalibrationReport",
    "load_calibration_inputs",
    "recalibrate",
    "model_view",
    "write_proposed_criteria",
]


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
    normalization : str or dict
        Criterion → normalization of this year's weighted sum (``"minmax"`` when
        this year scores with TOPSIS, whose closeness is no weighted sum).
    year : int
        The year calibrated on (Y−1).
    previous : Params
        Y−1's parameters.
    notes : list of str
        Criteria left out (present in one year only), customers without outcomes.
    """

    matrix: pd.DataFrame
    won: pd.Series
    revenue: pd.Series
    directions: dict[str, str]
    expert_weights: pd.Series
    year: int
    previous: Params
    notes: list[str]
    normalization: str | dict[str, str] = "minmax"


def load_calibration_inputs(params: Params, calibration_year: int = 0, outcomes_path: str = "") -> CalibrationInputs:
    """Assemble the calibration data of the cycle.

    Parameters
    ----------
    params : Params
        This year's parameters (their weights are the expert prior).
    calibration_year : int
        Year whose outcomes are used; 0 means the previous year (Y−1).
    outcomes_path : str
        Outcomes file (:data:`prioanalysis.inputs.outcomes.OUTCOMES`: customer_id,
        won, revenue); default ``outcomes_<year>.csv`` beside Y−1's preliminary list.

    Raises
    ------
    ParamsError
        No ``params/<year>`` folder for the calibration year.
    InputError
        Outcomes file invalid or no common criteria.
    """
    from prioanalysis.inputs import preliminary as intake
    from prioanalysis.inputs.outcomes import read_outcomes
    from prioanalysis.inputs.tables import read_table

    year = calibration_year or params.run.year - 1
    prev_dir = params.directory.parent / str(year)
    if not prev_dir.is_dir():
        raise ParamsError(f"{prev_dir}: no parameters for {year}, the year to calibrate on")
    previous = load_params(prev_dir)
    list_path = previous.resolve(previous.run.inputs.preliminary_list)
    listed = intake.validate_preliminary(read_table(list_path), previous)
    scored = Preprocessor(previous.spec, previous.run.intake.segment_column).fit_transform(listed.customers)
    opath = Path(outcomes_path) if outcomes_path else list_path.parent / f"outcomes_{year}.csv"
    out = read_outcomes(opath)  # the one outcome schema: duplicates refused, empty revenue = 0
    current = params.spec
    common = [c for c in current.ids if c in previous.spec]
    notes = []
    dropped = sorted(set(current.ids) ^ set(previous.criteria.ids))
    if dropped:
        notes.append(f"criteria in one year only, left out of the calibration: {', '.join(dropped)}")
    if not common:
        raise InputError("no criterion is shared by this year's and last year's criteria")
    matrix = scored.matrix[common]
    have = matrix.index.isin(out.index)
    if (~have).any():
        notes.append(f"{int((~have).sum())} customers of the {year} list have no outcome and are left out")
    matrix = matrix.loc[have]
    gw = pd.Series(current.weights)[common]
    return CalibrationInputs(
        matrix=matrix,
        won=out.loc[matrix.index, "won"].astype(int),
        revenue=out.loc[matrix.index, "revenue"].astype(float),
        directions={cid: current.directions[cid] for cid in common},
        expert_weights=gw / gw.sum(),
        year=year,
        previous=previous,
        notes=notes,
        normalization=(
            {cid: current.normalizations[cid] for cid in common} if current.method == "weighted_sum" else "minmax"
        ),
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
    target: calibration.Target = "conversion",
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
        normalization=inputs.normalization,
    )
    score = scoring.weighted_sum(inputs.matrix, res.weights.to_dict(), inputs.directions, inputs.normalization)
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
    weights = weights.rename_axis("criterion")  # a new index: the inputs' columns keep their name
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
            inputs.matrix,
            inputs.won,
            inputs.directions,
            prior_weights=inputs.expert_weights,
            n_boot=n_boot,
            seed=seed,
            normalization=inputs.normalization,
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


def write_proposed_criteria(
    current_criteria_path: str | Path,
    proposed_weights: pd.Series | Mapping[str, float] | calibration.CalibrationResult | CalibrationReport,
    out_path: str | Path,
) -> str:
    r"""Write a copy of ``criteria.yaml`` with the proposed weights, and its diff.

    Only the numbers after ``weight:`` (and under ``family_weights:``) change; every
    other line, including comments, is copied as is
    (:func:`prioanalysis.config.proposal.propose_criteria_text`).

    Parameters
    ----------
    current_criteria_path : str or Path
        The criteria file in force.
    proposed_weights : pandas.Series, mapping, CalibrationResult or CalibrationReport
        Proposed **global** weights per criterion id (sum 1), e.g.
        ``recalibrate(...).result.weights``; must name exactly the file's criteria.
    out_path : str or Path
        Where to write the proposal. The diff goes to ``<out_path>.diff``. Must not
        lie inside a directory named ``params`` (the parameters in force are changed
        by people, after the review, not by this function).

    Returns
    -------
    str
        Unified diff (difflib) between the current and the proposed file.

    Raises
    ------
    ParamsError
        If ``out_path`` is inside ``params/`` or is the current file, the criteria
        file cannot be read or edited line by line, or the weights do not match the
        criteria.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (d / "criteria.yaml").write_text(
    ...     "criteria:\n  - id: a  # budget\n    weight: 0.5\n"
    ...     "  - id: b\n    weight: 0.5\n")
    >>> diff = write_proposed_criteria(d / "criteria.yaml", {"a": 0.7, "b": 0.3},
    ...                                d / "proposed.yaml")
    >>> print((d / "proposed.yaml").read_text())
    criteria:
      - id: a  # budget
        weight: 0.7000
      - id: b
        weight: 0.3000
    <BLANKLINE>
    """
    import difflib

    src = Path(current_criteria_path)
    out = Path(out_path)
    if "params" in out.resolve().parent.parts:
        raise ParamsError(
            f"Refusing to write the proposal to {out}: it is inside a 'params' "
            "directory. Write it to the review outputs; the parameters in force are "
            "changed by hand after the review."
        )
    if out.resolve() == src.resolve():
        raise ParamsError(f"Refusing to overwrite the current criteria file {src}.")
    try:
        text = src.read_text(encoding="utf-8")
    except OSError as exc:
        raise ParamsError(f"Cannot read the criteria file {src}: {exc}") from None
    if isinstance(proposed_weights, CalibrationReport):
        proposed_weights = proposed_weights.result
    if isinstance(proposed_weights, calibration.CalibrationResult):
        proposed_weights = proposed_weights.weights
    new_text = propose_criteria_text(text, proposed_weights, src)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(new_text, encoding="utf-8")
    diff = "".join(
        difflib.unified_diff(
            text.splitlines(keepends=True),
            new_text.splitlines(keepends=True),
            fromfile=str(src),
            tofile=str(out),
        )
    )
    Path(str(out) + ".diff").write_text(diff, encoding="utf-8")
    return diff
