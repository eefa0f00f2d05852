"""The calibration step of the annual cycle: last year's list and outcomes → proposal.

:mod:`prioanalysis.methods.calibration` works on any customer table. This module feeds it
the project's own data: year Y−1's criteria values *as they were scored* (Y−1's
validated preliminary list prepared by the ranking's own
:class:`~prioanalysis.methods.preprocess.Preprocessor` with ``params/<Y−1>``: the same
transforms, winsorising and missing-value policies, without ranking the list again),
joined to Y−1's realised outcomes, with this year's criteria weights as the expert
prior and this year's normalizations (the weights multiply values normalised the way
the scoring normalises them).

Two more questions are answered here:

* **Temporal validation** (:func:`temporal_validation`): every candidate weight set —
  expert, data-implied, blended, AHP, entropy, CRITIC, rank-order centroid — set or
  fitted on year Y−1 only, then year Y's list rescored with it under year Y's tier rule
  (:func:`rescore`) and judged on year Y's outcomes, for every pair of consecutive years
  with outcomes.
* **One recommendation** (:func:`recommend_changes`): the annual review's evidence per
  criterion, the calibration's proposal with its bootstrap interval and the temporal
  validation joined into one "what to change" table, by a stated rule
  (:func:`decide_moves`); notebooks 10 and 30 both show it.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from itertools import pairwise
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np
import pandas as pd

from prioanalysis.config.decisions import with_decisions
from prioanalysis.config.params import Params, load_params
from prioanalysis.config.proposal import propose_criteria_text
from prioanalysis.errors import InputError, ParamsError
from prioanalysis.methods import calibration, scoring
from prioanalysis.methods.preprocess import Preprocessor

if TYPE_CHECKING:  # pragma: no cover - annotations only
    from prioanalysis.steps.ranking import RankingResult

__all__ = [
    "CalibrationInputs",
    "CalibrationReport",
    "load_calibration_inputs",
    "recalibrate",
    "model_view",
    "write_proposed_criteria",
    "load_judge_group",
    "judge_group",
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
    sign_handling: calibration.SignHandling = calibration.DEFAULT_SIGN_HANDLING,
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
    sign_handling : {"constrained", "clip"}
        Fit with the declared directions as bounds (default) or clip contradicting
        coefficients to 0 after the fit (see :func:`calibration.calibrate_weights`).

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
        sign_handling=sign_handling,
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


# ======================================================================================
# Temporal validation: weights set on year Y−1, judged on year Y's outcomes
# ======================================================================================

#: The candidate weight sets of :func:`temporal_validation`, in the order they are shown.
WEIGHT_SETS: tuple[str, ...] = ("expert", "data", "blended", "ahp", "entropy", "critic", "roc")

#: What each weight set is, in words (shown beside the tables).
WEIGHT_SET_LABELS: Mapping[str, str] = {
    "expert": "criteria file of the year fitted on (the weights in force)",
    "data": "calibrated on that year's outcomes, data only (strength 0)",
    "blended": "calibrated on that year's outcomes, anchored on the expert weights",
    "ahp": "the judges' AHP group weights",
    "entropy": "Shannon entropy of that year's normalised criteria",
    "critic": "CRITIC of that year's criteria (contrast and conflict)",
    "roc": "rank-order centroid of the expert weights' order",
}


@dataclass(frozen=True)
class YearList:
    """One year's list as scored, with its outcomes when the year has them.

    Attributes
    ----------
    year : int
    params : Params
        ``params/<year>``.
    ranking : RankingResult
        The year's list ranked with its own parameters (the tier rule of that year).
    outcomes : pandas.DataFrame or None
        The year's outcomes (``won``, ``revenue``, ``days_to_close``; indexed by
        customer id), None when the year has no outcomes file.
    """

    year: int
    params: Params
    ranking: RankingResult
    outcomes: pd.DataFrame | None

    @property
    def with_outcome(self) -> pd.Index:
        """Customers of the scored list that have an outcome row (empty without outcomes)."""
        index = self.ranking.prepared.matrix.index
        return index if self.outcomes is None else index[index.isin(self.outcomes.index)]


def outcomes_file(params: Params) -> Path:
    """The year's outcomes file: ``outcomes_<year>.csv`` beside its preliminary list.

    The rule :func:`load_calibration_inputs` follows for the year calibrated on.
    """
    return params.resolve(params.run.inputs.preliminary_list).parent / f"outcomes_{params.run.year}.csv"


def load_year_list(params: Params) -> YearList:
    """Rank a year's preliminary list with its parameters and read its outcomes, if any.

    Parameters
    ----------
    params : Params
        ``params/<year>``.

    Returns
    -------
    YearList

    Raises
    ------
    InputError
        The list or the outcomes file is invalid (file, row and column named).
    """
    from prioanalysis.inputs.outcomes import read_outcomes
    from prioanalysis.steps.ranking import run_ranking

    path = outcomes_file(params)
    return YearList(params.run.year, params, run_ranking(params), read_outcomes(path) if path.is_file() else None)


def years_with_outcomes(params: Params) -> list[int]:
    """The years up to the cycle's with a parameter folder beside ``params`` and an outcomes file.

    Examples
    --------
    The sample ships outcomes for 2023–2025 (``data/sample``); the 2026 cycle sees::

        years_with_outcomes(load_params("params/2026"))  # [2023, 2024, 2025]
    """
    years = []
    for d in sorted(params.directory.parent.iterdir()):
        if d.is_dir() and d.name.isdigit() and int(d.name) <= params.run.year and (d / "run.yaml").is_file():
            p = params if d.resolve() == params.directory.resolve() else load_params(d)
            if outcomes_file(p).is_file():
                years.append(int(d.name))
    return years


def _weights_on(spec: Any, weights: Mapping[str, float] | pd.Series) -> dict[str, float]:
    """``weights`` on exactly the spec's criteria: absent ones 0, unknown ones dropped, sum 1."""
    w = pd.Series(dict(weights), dtype=float).reindex(list(spec.ids)).fillna(0.0).clip(lower=0.0)
    total = float(w.sum())
    if total <= 0:
        raise InputError("the weights give no weight to any criterion of the list they score")
    return (w / total).to_dict()


def rescore(year_list: YearList, weights: Mapping[str, float] | pd.Series) -> pd.DataFrame:
    """The year's list scored with other weights, ranked and tiered under the year's rule.

    Only the weights change: the prepared criteria (transforms, missing values), the
    normalisation, the screening gates, the tie rule and the tier rule are the year's
    (:func:`prioanalysis.steps.ranking.rank_customers`); with the year's own weights the
    result equals its ranking (tested).

    Parameters
    ----------
    year_list : YearList
    weights : mapping or pandas.Series
        Criterion → weight; criteria of the year's list not given get 0, criteria the
        list lacks are dropped, and the rest is rescaled to sum 1.

    Returns
    -------
    pandas.DataFrame
        Indexed by customer id (the scored customers): ``score``, ``tier``.
    """
    from prioanalysis.steps.ranking import rank_by_rule

    params, res = year_list.params, year_list.ranking
    spec, run = params.spec, params.run
    w = _weights_on(spec, weights)
    prepared = res.prepared
    scored = scoring.score(
        prepared.matrix, w, spec.directions, method=spec.method, normalization=spec.scoring_normalization
    )
    if prepared.excluded.to_numpy().any():
        scored = scoring.exclude_reweight(scored, prepared.excluded, w)
    scores = scored.scores.rename("score")
    customers = res.intake.customers
    tl = res.target_list.set_index(pd.Index(res.target_list["customer_id"].to_numpy(dtype=object)))
    src_to_id = {c.source: c.id for c in params.criteria.criteria}
    tb = list(run.scoring.tie_breakers)
    ranked = rank_by_rule(
        params,
        scores,
        customers[run.intake.segment_column],
        tl["eligible"].reindex(scores.index).astype(bool),
        customers[[src_to_id.get(c, c) for c in tb]] if tb else None,
    )
    return pd.DataFrame({"score": scores, "tier": ranked["tier"]})


def _calibration_normalization(spec: Any) -> str | dict[str, str]:
    return {c: spec.normalizations[c] for c in spec.ids} if spec.method == "weighted_sum" else "minmax"


def load_judge_group(path: str | Path, method: str = "aij", single_judge: str = "BU") -> Any:
    """The judges' AHP result from a ``judgements.yaml``, whichever form it is written in.

    Parameters
    ----------
    path : str or Path
        The judgements file (:func:`prioanalysis.inputs.judgements.load_judgements`:
        several judges under ``judges:``, or one hierarchy for one judge).
    method : {"aij", "aip"}, default "aij"
        Aggregation of the judges (:func:`prioanalysis.methods.weights.ahp_group`):
        of their judgements (AIJ, the judges as one committee) or of their
        priorities (AIP, separate individuals; Forman & Peniwati 1998).
    single_judge : str, default "BU"
        The name shown for the one judge of a file written as one hierarchy.

    Returns
    -------
    GroupResult
        Weights, each judge's consistency (``judge_summary``, ``consistency``), the
        pairs to revisit and the fewest changes that make a judge consistent
        (``repairs``). Inconsistency is reported there, not warned about.
    """
    from prioanalysis.errors import InconsistencyWarning
    from prioanalysis.inputs.judgements import load_judgements
    from prioanalysis.methods import weights as mw

    data = load_judgements(path)
    judges = data.get("judges", {single_judge: data})
    with warnings.catch_warnings():  # reported in the result's tables
        warnings.simplefilter("ignore", InconsistencyWarning)
        return mw.ahp_group(judges, method=method)  # type: ignore[arg-type]


def judge_group(params: Params, method: str = "aij") -> Any:
    """The AHP result of the year's ``judgements.yaml`` (beside ``criteria.yaml``), or ``None``.

    See :func:`load_judge_group`; the one judge of a single-hierarchy file is named
    after the business unit (``run.yaml`` ``bu``).
    """
    path = params.directory / "judgements.yaml"
    if not path.is_file():
        return None
    return load_judge_group(path, method=method, single_judge=params.run.bu or "BU")


def _ahp_weights(path: Path) -> pd.Series:
    return load_judge_group(path).weights


def candidate_weights(
    fit: YearList,
    *,
    judgements: Path | None = None,
    target: calibration.Target = "conversion",
    strength: float = calibration.DEFAULT_STRENGTH,
    n_boot: int = 200,
    seed: int = 0,
    sign_handling: calibration.SignHandling = calibration.DEFAULT_SIGN_HANDLING,
) -> tuple[pd.DataFrame, list[str], calibration.CalibrationResult | None]:
    """Every candidate weight set, set or fitted on one year only.

    * ``expert``: the year's criteria file;
    * ``data`` / ``blended``: :func:`calibration.calibrate_weights` on the year's scored
      criteria and outcomes (the data-implied weights, and those anchored on the expert
      weights with ``strength``);
    * ``ahp``: the judges' group weights (:func:`prioanalysis.methods.weights.ahp_group`)
      from the year's ``judgements.yaml``, else from ``judgements`` (stated in the notes);
    * ``entropy``: Shannon entropy of the year's criteria min-max normalised (benefit
      oriented, in [0, 1] — the raw values can be negative);
    * ``critic``: CRITIC of the year's prepared criteria with their directions;
    * ``roc``: rank-order centroid of the order of the expert weights (equal weights tie).

    Parameters
    ----------
    fit : YearList
        The year fitted on; needs outcomes for ``data`` and ``blended``.
    judgements : Path, optional
        Judgements file used when the year has none (the cycle's).
    target, strength, n_boot, seed
        As in :func:`calibration.calibrate_weights`.
    sign_handling : {"constrained", "clip"}
        How the calibration treats a coefficient contradicting its direction (see
        :func:`calibration.calibrate_weights`).

    Returns
    -------
    weights : pandas.DataFrame
        Criterion (the year's criteria, in order) × weight set (the sets that exist).
    notes : list of str
        Sets left out and why, where the AHP judgements came from.
    result : CalibrationResult or None
        The calibration (None without outcomes).
    """
    from prioanalysis.methods import weights as mw

    spec = fit.params.spec
    ids = list(spec.ids)
    prepared = fit.ranking.prepared.matrix[ids]
    expert = pd.Series(dict(spec.weights), dtype=float)[ids]
    sets: dict[str, pd.Series] = {"expert": expert}
    notes: list[str] = []
    result = None
    have = fit.with_outcome
    if fit.outcomes is None or len(have) == 0:
        notes.append(f"{fit.year}: no outcomes, so no data-implied or blended weights")
    else:
        won = fit.outcomes.loc[have, "won"].astype(int)
        revenue = fit.outcomes.loc[have, "revenue"].astype(float)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", calibration.CalibrationWarning)
            result = calibration.calibrate_weights(
                prepared.loc[have],
                won if target == "conversion" else revenue,
                dict(spec.directions),
                prior_weights=expert,
                target=target,
                revenue=revenue,
                strength=strength,
                n_boot=n_boot,
                seed=seed,
                normalization=_calibration_normalization(spec),
                sign_handling=sign_handling,
            )
        if result.fallback:
            notes.append(f"{fit.year}: too little data to calibrate, no data-implied or blended weights")
        else:
            sets["data"] = result.data_weights.reindex(ids)
            sets["blended"] = result.weights.reindex(ids)
    own = fit.params.directory / "judgements.yaml"
    path = own if own.is_file() else judgements
    if path is not None and Path(path).is_file():
        ahp = _ahp_weights(Path(path))
        if set(ahp.index) == set(ids):
            sets["ahp"] = ahp.reindex(ids)
            if path != own:
                notes.append(
                    f"{fit.year}: no judgements of its own; the AHP weights are the cycle's judges' "
                    "(judgements hold no outcomes, but the judges may have known them)"
                )
        else:
            notes.append(f"{fit.year}: the judgements cover other criteria than the list; no AHP weights")
    else:
        notes.append(f"{fit.year}: no judgements, no AHP weights")
    z = scoring.normalize(prepared, dict(spec.directions), "minmax")
    sets["entropy"] = mw.entropy(z).reindex(ids)
    sets["critic"] = mw.critic(prepared, dict(spec.directions)).reindex(ids)
    rounded = expert.round(10)
    order = [tuple(rounded.index[rounded == v]) for v in sorted(rounded.unique(), reverse=True)]
    sets["roc"] = mw.rank_order_centroid(order).reindex(ids)
    frame = pd.DataFrame({k: sets[k] for k in WEIGHT_SETS if k in sets}, index=pd.Index(ids, name="criterion"))
    return frame, notes, result


@dataclass(frozen=True)
class TemporalValidation:
    """Candidate weights set on year Y−1, judged on year Y's outcomes, for every pair.

    Attributes
    ----------
    table : pandas.DataFrame
        One row per validation pair × weight set: ``pair`` (``"2024→2025"``),
        ``fit_year``, ``score_year``, ``weights`` and the columns of
        :func:`prioanalysis.methods.metrics.score_comparison` (``auc`` with its
        interval, ``capture_top10``, ``capture_top20``, ``top_tier_conversion``,
        ``conversion_<tier>`` …) plus ``auc_vs_expert`` (difference with the expert
        weights of the same pair).
    weights : pandas.DataFrame
        One row per fit year × weight set (``fit_year``, ``weights``, ``source``), a
        column per criterion.
    pairs : list of tuple
        ``(Y−1, Y)`` pairs validated, oldest first.
    notes : list of str
    choices : dict
    calibrations : dict
        Fit year → its :class:`calibration.CalibrationResult` (for the recommendation).
    lists : dict
        Year → the :class:`YearList` used (reused by :func:`recommend_changes`).
    """

    table: pd.DataFrame
    weights: pd.DataFrame
    pairs: list[tuple[int, int]]
    notes: list[str]
    choices: dict[str, Any]
    calibrations: Mapping[int, calibration.CalibrationResult]
    lists: Mapping[int, YearList] = field(default_factory=dict, repr=False)

    @property
    def share_columns(self) -> tuple[str, ...]:
        """The columns of :attr:`table` that are shares (capture and conversion rates)."""
        return tuple(
            c for c in self.table.columns if str(c).startswith(("capture_top", "conversion_", "top_tier_conversion"))
        )

    def weights_of(self, fit_year: int) -> pd.DataFrame:
        """Criterion × weight set of one fit year."""
        w = self.weights[self.weights["fit_year"] == fit_year].set_index("weights")
        return w.drop(columns=["fit_year", "source"]).T.dropna(how="all").rename_axis("criterion")


def validate_pair(
    fit: YearList,
    scored: YearList,
    *,
    judgements: Path | None = None,
    target: calibration.Target = "conversion",
    strength: float = calibration.DEFAULT_STRENGTH,
    n_boot: int = 200,
    seed: int = 0,
    shares: tuple[float, ...] = (0.1, 0.2),
    sign_handling: calibration.SignHandling = calibration.DEFAULT_SIGN_HANDLING,
) -> tuple[pd.DataFrame, pd.DataFrame, list[str], calibration.CalibrationResult | None]:
    """One validation pair: candidate weights from ``fit`` (Y−1) judged on ``scored`` (Y).

    ``scored``'s outcomes are used for the judging only: the weights depend on ``fit``
    alone (tested). ``scored``'s list is rescored with each weight set under its own
    tier rule (:func:`rescore`).

    Returns
    -------
    table : pandas.DataFrame
        One row per weight set (see :class:`TemporalValidation`).
    weights : pandas.DataFrame
        Criterion × weight set (:func:`candidate_weights`).
    notes : list of str
    result : CalibrationResult or None
    """
    from prioanalysis.methods import metrics

    if scored.outcomes is None:
        raise InputError(f"{scored.year}: no outcomes to judge the weights on")
    weights, notes, result = candidate_weights(
        fit,
        judgements=judgements,
        target=target,
        strength=strength,
        n_boot=n_boot,
        seed=seed,
        sign_handling=sign_handling,
    )
    have = scored.with_outcome
    lacking = len(scored.ranking.prepared.matrix) - len(have)
    if lacking:
        notes.append(f"{scored.year}: {lacking} customers of the list have no outcome and are left out")
    common = [c for c in weights.index if c in scored.params.spec]
    if len(common) < len(weights.index) or len(common) < len(scored.params.spec.ids):
        notes.append(f"{fit.year}→{scored.year}: only the criteria of both years are scored ({len(common)})")
    rescored = {name: rescore(scored, weights[name].dropna()) for name in weights.columns}
    table = metrics.score_comparison(
        pd.DataFrame({n: r.loc[have, "score"] for n, r in rescored.items()}),
        scored.outcomes.loc[have, "won"],
        scored.outcomes.loc[have, "revenue"],
        tiers=pd.DataFrame({n: r.loc[have, "tier"] for n, r in rescored.items()}),
        tier_order=[*scored.params.run.tiers.names, scored.params.run.tiers.not_targeted],
        shares=shares,
    )
    table["auc_vs_expert"] = table["auc"] - table.loc["expert", "auc"]
    table = table.reset_index()
    table.insert(0, "score_year", scored.year)
    table.insert(0, "fit_year", fit.year)
    table.insert(0, "pair", f"{fit.year}→{scored.year}")
    return table, weights, notes, result


def temporal_validation(
    params: Params,
    *,
    years: Sequence[int] | None = None,
    target: calibration.Target = "conversion",
    strength: float = calibration.DEFAULT_STRENGTH,
    n_boot: int = 200,
    seed: int | None = None,
    shares: tuple[float, ...] = (0.1, 0.2),
    sign_handling: calibration.SignHandling = calibration.DEFAULT_SIGN_HANDLING,
    lists: Mapping[int, YearList] | None = None,
) -> TemporalValidation:
    """Every candidate weight set fitted or set on Y−1 and judged on Y, for every pair.

    The pairs are the consecutive years (Y−1, Y) that both have outcomes, up to the
    cycle's year (:func:`years_with_outcomes`). For each, :func:`validate_pair`.

    Parameters
    ----------
    params : Params
        The cycle's parameters (its sibling folders are the years; its
        ``judgements.yaml`` stands in for a year without one).
    years : sequence of int, optional
        The years to use (default: every year with outcomes).
    target, strength, n_boot, shares, sign_handling
        See :func:`validate_pair`.
    seed : int, optional
        Bootstrap and cross-validation seed; default ``run.yaml``'s ``seed``.
    lists : mapping, optional
        Year → :class:`YearList` already loaded (else loaded here).

    Returns
    -------
    TemporalValidation
        Empty tables (and a note) when fewer than two consecutive years have outcomes.
    """
    seed = params.run.seed if seed is None else seed
    ys = sorted(years) if years is not None else years_with_outcomes(params)
    pairs = [(a, b) for a, b in pairwise(ys) if b == a + 1]
    loaded: dict[int, YearList] = dict(lists or {})
    for y in sorted({y for p in pairs for y in p}):
        if y not in loaded:
            p = params if y == params.run.year else with_decisions(load_params(params.directory.parent / str(y)))
            loaded[y] = load_year_list(p)
    own = params.directory / "judgements.yaml"
    tables, weights, notes = [], [], []
    calibrations: dict[int, calibration.CalibrationResult] = {}
    for a, b in pairs:
        t, w, n, res = validate_pair(
            loaded[a],
            loaded[b],
            judgements=own if own.is_file() else None,
            target=target,
            strength=strength,
            n_boot=n_boot,
            seed=seed,
            shares=shares,
            sign_handling=sign_handling,
        )
        tables.append(t)
        wt = w.T.rename_axis("weights").reset_index()
        wt.insert(0, "fit_year", a)
        wt.insert(2, "source", wt["weights"].map(WEIGHT_SET_LABELS))
        weights.append(wt)
        notes += n
        if res is not None:
            calibrations[a] = res
    if not pairs:
        notes.append("fewer than two consecutive years with outcomes: no temporal validation")
    table = pd.concat(tables, ignore_index=True) if tables else pd.DataFrame(columns=["pair", "fit_year", "weights"])
    wframe = pd.concat(weights, ignore_index=True) if weights else pd.DataFrame(columns=["fit_year", "weights"])
    return TemporalValidation(
        table=table,
        weights=wframe,
        pairs=pairs,
        notes=list(dict.fromkeys(notes)),
        choices={
            "target": target,
            "strength": strength,
            "n_boot": n_boot,
            "seed": seed,
            "shares": list(shares),
            "years": ys,
            "weight_sets": list(WEIGHT_SETS),
            "sign_handling": sign_handling,
        },
        calibrations=calibrations,
        lists=loaded,
    )


# ======================================================================================
# One recommendation: what to change, from the review's and the calibration's evidence
# ======================================================================================

#: How the review's direction must relate to the calibration's for a weight to move:
#: ``agree`` — the review proposes the same direction; ``not_contrary`` — the same
#: direction or no change.
REVIEW_AGREEMENT: tuple[str, ...] = ("agree", "not_contrary")
#: Smallest out-of-sample gain (in the gain metric, AUC by default) that justifies a move.
DEFAULT_MIN_GAIN: float = 0.0


def review_directions(changes: pd.DataFrame) -> pd.DataFrame:
    """The review's proposal per criterion as a direction of its weight.

    Parameters
    ----------
    changes : pandas.DataFrame
        :func:`prioanalysis.steps.review.criteria_changes` (``kind``, ``item``,
        ``change``); tier rows are ignored.

    Returns
    -------
    pandas.DataFrame
        Indexed by criterion: ``review_direction`` (+1 raise, −1 lower / drop, 0 no
        weight change) and ``review_says`` (the review's words).

    Examples
    --------
    >>> ch = pd.DataFrame({"kind": ["criterion"] * 3, "item": ["a", "b", "b"],
    ...                    "change": ["raise weight", "drop", "check data"]})
    >>> review_directions(ch).to_dict("index")
    {'a': {'review_direction': 1, 'review_says': 'raise weight'}, 'b': {'review_direction': -1, 'review_says': 'drop'}}
    """
    from prioanalysis.steps.review import WEIGHT_DIRECTIONS

    rows = changes[changes["kind"] == "criterion"] if "kind" in changes.columns else changes
    out: dict[str, dict[str, Any]] = {}
    for cid, change in zip(rows["item"], rows["change"], strict=True):
        d = WEIGHT_DIRECTIONS.get(str(change))
        if d is not None:
            out[str(cid)] = {"review_direction": d, "review_says": str(change)}
    frame = pd.DataFrame.from_dict(out, orient="index", columns=["review_direction", "review_says"])
    frame["review_direction"] = frame["review_direction"].astype(np.int64)
    return frame.rename_axis("criterion")


def decide_moves(
    current: pd.Series,
    proposed: pd.DataFrame,
    review: pd.DataFrame,
    gain: pd.Series,
    review_agreement: str = "agree",
    min_gain: float = DEFAULT_MIN_GAIN,
) -> pd.DataFrame:
    """The rule: which weights to move.

    A criterion's weight **moves** to the calibration's proposal only when all three
    hold:

    1. the calibration's bootstrap interval of the proposed weight excludes the
       current weight (``calibration_direction`` +1 above, −1 below, 0 covers it);
    2. the review agrees: with ``review_agreement="agree"`` its proposal has the same
       direction; with ``"not_contrary"`` the same direction or no weight change;
    3. the out-of-sample gain of following the calibration on this criterion (the
       temporal validation) exceeds ``min_gain``.

    Otherwise it is kept.

    Parameters
    ----------
    current : pandas.Series
        Criterion → weight in force.
    proposed : pandas.DataFrame
        Indexed by criterion: ``proposed``, ``proposed_ci_low``, ``proposed_ci_high``.
    review : pandas.DataFrame
        :func:`review_directions` (criteria absent: no change proposed).
    gain : pandas.Series
        Criterion → out-of-sample gain (NaN: not measurable, which blocks a move).
    review_agreement : {"agree", "not_contrary"}, default "agree"
    min_gain : float, default 0.0

    Returns
    -------
    pandas.DataFrame
        Indexed by criterion: ``current``, ``proposed``, ``proposed_ci_low``,
        ``proposed_ci_high``, ``calibration_direction``, ``review_direction``,
        ``review_says``, ``gain``, ``move`` (bool) and ``why`` (the rule's reading).

    Examples
    --------
    >>> cur = pd.Series({"a": 0.5, "b": 0.3, "c": 0.2})
    >>> prop = pd.DataFrame({"proposed": [0.6, 0.25, 0.15], "proposed_ci_low": [0.55, 0.2, 0.1],
    ...                      "proposed_ci_high": [0.65, 0.35, 0.18]}, index=list("abc"))
    >>> rev = pd.DataFrame({"review_direction": [1, 1], "review_says": ["raise weight", "raise weight"]},
    ...                    index=["a", "c"])
    >>> d = decide_moves(cur, prop, rev, pd.Series({"a": 0.01, "b": 0.01, "c": 0.01}))
    >>> d["move"].to_dict()  # a: all agree; b: interval covers 0.3; c: calibration lowers, review raises
    {'a': True, 'b': False, 'c': False}
    """
    if review_agreement not in REVIEW_AGREEMENT:
        raise ParamsError(f"review_agreement: expected one of {list(REVIEW_AGREEMENT)} (got {review_agreement!r})")
    ids = list(current.index)
    t = pd.DataFrame({"current": current.astype(float)}, index=pd.Index(ids, name="criterion"))
    t = t.join(proposed[["proposed", "proposed_ci_low", "proposed_ci_high"]])
    cal = np.where(t["proposed_ci_low"] > t["current"], 1, np.where(t["proposed_ci_high"] < t["current"], -1, 0))
    t["calibration_direction"] = cal.astype(np.int64)
    rv = review.reindex(ids)
    t["review_direction"] = rv["review_direction"].fillna(0).astype(np.int64)
    t["review_says"] = rv["review_says"].fillna("no weight change").astype(object)
    t["gain"] = gain.reindex(ids).astype(float)
    same = t["review_direction"] == t["calibration_direction"]
    agrees = same if review_agreement == "agree" else same | (t["review_direction"] == 0)
    ok_gain = t["gain"] > min_gain
    t["move"] = (t["calibration_direction"] != 0) & agrees & ok_gain
    why = []
    for cid in ids:
        r = t.loc[cid]
        if r["calibration_direction"] == 0:
            why.append("the calibration's interval covers the current weight")
        elif not agrees[cid]:
            word = "raise" if r["calibration_direction"] > 0 else "lower"
            why.append(f"the calibration would {word} it, the review says: {r['review_says']}")
        elif not ok_gain[cid]:
            why.append(
                "following the calibration on it did not rank the next year better"
                if pd.notna(r["gain"])
                else "no out-of-sample test possible"
            )
        else:
            why.append("calibration, review and the out-of-sample test agree")
    t["why"] = why
    return t


def adopted_weights(current: pd.Series, proposed: pd.Series, move: pd.Series | Sequence[str]) -> pd.Series:
    """The weights in force with the moved criteria set to their proposal.

    The moved criteria take their proposed weight; the others keep their proportions
    and share what is left, so the weights still sum to 1.

    Examples
    --------
    >>> cur = pd.Series({"a": 0.5, "b": 0.3, "c": 0.2})
    >>> adopted_weights(cur, pd.Series({"a": 0.6, "b": 0.2, "c": 0.2}), ["a"]).round(4).to_dict()
    {'a': 0.6, 'b': 0.24, 'c': 0.16}
    """
    cur = current.astype(float)
    moved = move if isinstance(move, pd.Series) else pd.Series(cur.index.isin(list(move)), index=cur.index)
    moved = moved.reindex(cur.index).fillna(False).astype(bool)
    if not moved.any():
        return cur / cur.sum()
    new = cur.copy()
    new[moved] = proposed.reindex(cur.index)[moved].astype(float)
    rest = 1.0 - float(new[moved].sum())
    kept = float(cur[~moved].sum())
    if (~moved).any():
        new[~moved] = cur[~moved] * (rest / kept) if kept > 0 else rest / int((~moved).sum())
    return new / new.sum()


def count_tier_changes(
    year_list: YearList, before: Mapping[str, float] | pd.Series, after: Mapping[str, float] | pd.Series
) -> int:
    """How many customers of the year's list change tier when its weights change.

    Parameters
    ----------
    year_list : YearList
    before : mapping or pandas.Series
        The weights in force — or, as a Series of tier labels indexed by customer id,
        the tiers already computed with them.
    after : mapping or pandas.Series
        The new weights.

    Returns
    -------
    int
        Customers of the scored list whose tier (under the year's tier rule, see
        :func:`rescore`) differs.
    """
    if isinstance(before, pd.Series) and not pd.api.types.is_numeric_dtype(before.dtype):
        old = before
    else:
        old = rescore(year_list, before)["tier"]
    new = rescore(year_list, after)["tier"]
    return int((new != old.reindex(new.index)).sum())


@dataclass(frozen=True)
class Recommendation:
    """The one answer on what to change in the weights (both notebooks show it).

    Attributes
    ----------
    table : pandas.DataFrame
        One row per criterion, then a last row ``all criteria``: ``criterion``,
        ``label``, ``decision`` (move / keep), ``from``, ``to``, ``change`` (to −
        from), ``calibration_proposed``, ``calibration_ci_low``, ``calibration_ci_high``,
        ``calibration_says``, ``review_says``, ``out_of_sample_gain``,
        ``tier_changes`` (customers of the cycle's list whose tier changes when only
        this weight moves to the calibration's proposal — for a kept weight, if it were
        moved; on the last row, under the recommendation), ``reason``.
    weights : pandas.Series
        The recommended weights (the weights in force when the answer is keep).
    decision : str
        ``move`` or ``keep``.
    summary : str
        The answer in one sentence.
    rule : str
        The rule, with its parameters.
    choices : dict
    temporal : TemporalValidation or None
        The temporal validation the out-of-sample gains come from.
    """

    table: pd.DataFrame
    weights: pd.Series
    decision: str
    summary: str
    rule: str
    choices: dict[str, Any]
    temporal: TemporalValidation | None = None

    #: The columns of :attr:`table` that are weights (shown as percentages).
    share_columns: ClassVar[tuple[str, ...]] = (
        "from",
        "to",
        "change",
        "calibration_proposed",
        "calibration_ci_low",
        "calibration_ci_high",
    )


def _model_frame(result: calibration.CalibrationResult) -> pd.DataFrame:
    """The joint model's view per criterion (coefficient, p-value, sign agreement)."""
    t = result.table
    return pd.DataFrame(
        {
            "model_coefficient": t["coefficient"],
            "model_p_value": t["p_value"],
            "model_sign_ok": t["sign_ok"],
            "weight_in_force": result.expert_weights,
            "data_weight": result.data_weights,
        }
    )


def _pair_gains(
    temporal: TemporalValidation, lists: Mapping[int, YearList], ids: Sequence[str], metric: str
) -> tuple[pd.DataFrame, Any]:
    """Per pair and criterion: the gain of moving only that criterion to the pair's blended weights.

    Returns the per-pair gains (pair × criterion) and a function ``moved → mean gain``.
    """
    from prioanalysis.methods import metrics

    usable = [
        (a, b)
        for a, b in temporal.pairs
        if a in temporal.calibrations and not temporal.calibrations[a].fallback and lists[b].outcomes is not None
    ]

    def value(year_list: YearList, weights: pd.Series) -> float:
        have = year_list.with_outcome
        s = rescore(year_list, weights).loc[have, "score"]
        o = year_list.outcomes.loc[have]  # type: ignore[union-attr]
        if metric == "auc":
            return metrics.auc(s, o["won"], ci=None).auc
        return metrics.capture_at(s, o["revenue"], float(metric.removeprefix("capture_top")) / 100)

    fitted = {a: temporal.weights_of(a) for a, _ in usable}
    base = {b: value(lists[b], fitted[a]["expert"]) for a, b in usable}

    def gain_of(moved: Sequence[str]) -> tuple[float, list[float]]:
        per = []
        for a, b in usable:
            w = fitted[a]
            per.append(value(lists[b], adopted_weights(w["expert"], w["blended"], list(moved))) - base[b])
        return (float(np.mean(per)) if per else math.nan), per

    frame = pd.DataFrame(
        {cid: gain_of([cid])[1] for cid in ids}, index=[f"{a}→{b}" for a, b in usable], dtype=float
    ).rename_axis("pair")
    return frame, gain_of


def recommend_changes(
    params: Params,
    *,
    calibration_report: CalibrationReport | None = None,
    temporal: TemporalValidation | None = None,
    effectiveness: pd.DataFrame | None = None,
    model: pd.DataFrame | None = None,
    target: calibration.Target = "conversion",
    strength: float = calibration.DEFAULT_STRENGTH,
    n_boot: int = 200,
    seed: int | None = None,
    review_agreement: str = "agree",
    min_gain: float = DEFAULT_MIN_GAIN,
    lists: Mapping[int, YearList] | None = None,
    sign_handling: calibration.SignHandling = calibration.DEFAULT_SIGN_HANDLING,
) -> Recommendation:
    """One "what to change" answer, joining the review's and the calibration's evidence.

    Evidence, for the cycle ``Y`` (``params``):

    * **calibration** — :func:`recalibrate` on Y−1's outcomes with this year's weights
      as the prior: the proposed weight and its bootstrap interval;
    * **review** — :func:`prioanalysis.steps.review.criteria_changes` of Y−1 (each
      criterion's own separation against its weight, the joint model deferring a drop):
      its direction per criterion (:func:`review_directions`);
    * **out of sample** — the temporal validation (:func:`temporal_validation`): on
      every earlier pair (fitted on a year, judged on the next), the gain in ``metric``
      of moving only that criterion as that year's calibration proposed, against the
      expert weights (mean over the pairs);
    * **tier changes** — the cycle's list rescored with the weights in force and with
      the move (:func:`rescore`, the cycle's tier rule): customers whose tier changes.

    The rule is :func:`decide_moves`; the adopted weights :func:`adopted_weights`.
    When no criterion moves, or the moves together do not gain out of sample, the
    answer is **keep** for every weight.

    Parameters
    ----------
    params : Params
        The cycle's parameters.
    calibration_report : CalibrationReport, optional
        :func:`recalibrate` of the cycle (computed when absent, with ``target``,
        ``strength``, ``n_boot``, ``seed``).
    temporal : TemporalValidation, optional
        :func:`temporal_validation` of the cycle (computed when absent, same options).
    effectiveness : pandas.DataFrame, optional
        :func:`prioanalysis.steps.review.criteria_effectiveness` of Y−1 (computed when
        absent, from Y−1's list and outcomes).
    model : pandas.DataFrame, optional
        The joint model's view (:func:`model_view`); default: the calibration's.
    target, strength, n_boot
        Calibration options (see :func:`recalibrate`).
    seed : int, optional
        Default ``run.yaml``'s ``seed``.
    review_agreement : {"agree", "not_contrary"}, default "agree"
        See :func:`decide_moves`.
    min_gain : float, default 0.0
        Out-of-sample gain a move must exceed.
    lists : mapping, optional
        Year → :class:`YearList` already loaded.
    sign_handling : {"constrained", "clip"}
        Calibration option (see :func:`recalibrate`).

    Returns
    -------
    Recommendation
    """
    from prioanalysis.steps import review as rv

    seed = params.run.seed if seed is None else seed
    metric = "auc" if target == "conversion" else "capture_top20"
    loaded: dict[int, YearList] = dict(lists or {})
    if calibration_report is None:
        calibration_report = recalibrate(
            load_calibration_inputs(params),
            target=target,
            strength=strength,
            n_boot=n_boot,
            seed=seed,
            sign_handling=sign_handling,
        )
    cal_year = int(calibration_report.choices["calibration_year"])
    if temporal is None:
        temporal = temporal_validation(
            params,
            target=target,
            strength=strength,
            n_boot=n_boot,
            seed=seed,
            lists=loaded,
            sign_handling=sign_handling,
        )
    loaded = {**temporal.lists, **loaded}
    for y in sorted({y for p in temporal.pairs for y in p} | {cal_year, params.run.year}):
        if y not in loaded:
            p = params if y == params.run.year else with_decisions(load_params(params.directory.parent / str(y)))
            loaded[y] = load_year_list(p)
    res = calibration_report.result
    if effectiveness is None:
        prev = loaded[cal_year]
        customers = prev.ranking.intake.proposed
        values = customers[list(prev.params.criteria.ids)].astype(float)
        values.index = pd.Index(values.index.to_numpy(dtype=object), name="customer_id")
        listed = prev.ranking.target_list
        tl = listed.set_index(pd.Index(listed["customer_id"].to_numpy(dtype=object)))
        if prev.outcomes is None:
            raise InputError(f"{cal_year}: no outcomes, so no review evidence")
        joined, _ = rv.join_outcomes(tl, prev.outcomes)
        effectiveness = rv.criteria_effectiveness(values, joined["won"], prev.params.criteria)
    if model is None and not res.fallback:
        model = _model_frame(res)
    changes = rv.criteria_changes(effectiveness, model=model)
    weights = calibration_report.weights
    ids = list(weights.index)
    current = weights["expert"]
    labels = dict(params.spec.labels)
    per_pair, gain_of = _pair_gains(temporal, loaded, ids, metric)
    gains = per_pair.mean() if len(per_pair) else pd.Series(math.nan, index=ids)
    proposed = weights
    if res.fallback:
        proposed = proposed.assign(proposed_ci_low=np.nan, proposed_ci_high=np.nan)
    decided = decide_moves(current, proposed, review_directions(changes), gains, review_agreement, min_gain)
    moved = [c for c in ids if decided.loc[c, "move"]]
    overall_gain = gain_of(moved)[0] if moved else math.nan
    if moved and not overall_gain > min_gain:
        decided["move"] = False
        decided["why"] = decided["why"].where(
            ~decided.index.isin(moved), "on its own it would move, but the moves together did not gain out of sample"
        )
        moved = []
    cycle = loaded[params.run.year]
    base = rescore(cycle, current)["tier"]

    def tier_changes(moves: Sequence[str]) -> int:
        if not moves:
            return 0
        return count_tier_changes(cycle, base, adopted_weights(current, weights["proposed"], list(moves)))

    recommended = adopted_weights(current, weights["proposed"], moved)
    rows = []
    for cid in ids:
        d = decided.loc[cid]
        word = {1: "raise", -1: "lower", 0: "no evidence"}[int(d["calibration_direction"])]
        rows.append(
            {
                "criterion": cid,
                "label": labels.get(cid, cid),
                "decision": "move" if d["move"] else "keep",
                "from": float(current[cid]),
                "to": float(recommended[cid]),
                "change": float(recommended[cid] - current[cid]),
                "calibration_proposed": float(d["proposed"]),
                "calibration_ci_low": float(d["proposed_ci_low"]),
                "calibration_ci_high": float(d["proposed_ci_high"]),
                "calibration_says": word,
                "review_says": d["review_says"],
                "out_of_sample_gain": float(d["gain"]),
                "tier_changes": tier_changes([cid]),
                "reason": d["why"],
            }
        )
    decision = "move" if moved else "keep"
    n_changed = tier_changes(moved)
    rows.append(
        {
            "criterion": "all criteria",
            "label": "all criteria",
            "decision": decision,
            "from": float(current.sum()),
            "to": float(recommended.sum()),
            "change": float((recommended - current).abs().sum() / 2),
            "calibration_proposed": math.nan,
            "calibration_ci_low": math.nan,
            "calibration_ci_high": math.nan,
            "calibration_says": "",
            "review_says": "",
            "out_of_sample_gain": overall_gain,
            "tier_changes": n_changed,
            "reason": (
                f"{len(moved)} weight(s) move; together they gained {overall_gain:+.4f} {metric} out of sample"
                if moved
                else "no weight passes the rule: keep the weights in force"
            ),
        }
    )
    table = pd.DataFrame(rows)
    metric_words = "AUC" if metric == "auc" else "revenue captured by the top 20 %"
    n_pairs = len(per_pair)
    rule = (
        "A weight moves to the calibration's proposal only when (1) the calibration's bootstrap interval "
        "excludes the weight in force, (2) the review "
        + ("proposes the same direction" if review_agreement == "agree" else "does not propose the opposite")
        + f", and (3) following the calibration on that weight raised the next year's {metric_words} "
        f"by more than {min_gain:g} (mean over {n_pairs} earlier pair(s) of years). "
        "The other weights keep their proportions; if the moves together do not gain, everything is kept."
    )
    if moved:
        parts = [f"{labels.get(c, c)} {current[c]:.1%} → {recommended[c]:.1%}" for c in moved]
        summary = (
            f"Move {len(moved)} weight(s): {'; '.join(parts)}. Out of sample {metric_words} "
            f"{overall_gain:+.4f}; {n_changed} customer(s) of the {params.run.year} list change tier."
        )
    else:
        summary = (
            "Keep the weights in force: no weight change is supported by the calibration, the review "
            "and the out-of-sample test together."
        )
    return Recommendation(
        table=table,
        weights=recommended.rename("weight"),
        decision=decision,
        summary=summary,
        rule=rule,
        choices={
            "target": target,
            "gain_metric": metric,
            "strength": strength,
            "n_boot": n_boot,
            "seed": seed,
            "review_agreement": review_agreement,
            "sign_handling": sign_handling,
            "min_gain": min_gain,
            "calibration_year": cal_year,
            "pairs": [f"{a}→{b}" for a, b in temporal.pairs],
        },
        temporal=temporal,
    )
