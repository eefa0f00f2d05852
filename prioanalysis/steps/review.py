"""The annual review (step 2.3.6): did last year's list pick the right customers?

At the end of year ``Y − 1`` the BU judges how well that year's criteria picked the
customers, sums up its customer-development results against its goals, and revises
the criteria and the tier principles for cycle ``Y``. ``notebooks/30_annual_review``
(parameter ``year = Y``) calls the functions here; the metrics themselves live in
:mod:`prioanalysis.methods.metrics`.

Where the inputs come from
--------------------------
Parameter folders are siblings named by year: the review of cycle ``Y`` (``params_dir
= params/Y``) reads ``params/<Y−1>`` (the reviewed year's criteria, run settings and
``goals.yaml``) and, for the tier movement, ``params/<Y−2>``.

* **The list of Y − 1.** Either the published ``target_list.csv`` (``frozen_list``),
  or — when none is given — the list recomputed from ``params/<Y−1>`` with
  :func:`prioanalysis.steps.ranking.run_ranking`. The ranking is deterministic (same
  inputs and parameters, same list, see ``tests/test_cli.py``), so the recomputed list
  equals the one published, as long as neither the parameter folder nor the
  preliminary list has been edited since. A customer database will provide the frozen
  list later; until then the notebook states which of the two it used.
* **Outcomes of Y − 1** (``customer_id``, ``won``, ``revenue``, ``days_to_close``): the
  ``outcomes_path`` parameter, else ``inputs.outcomes`` of ``goals.yaml``.
* **Inquiries of Y − 1**: ``inputs.inquiries`` of ``goals.yaml`` (optional).
* **The list of Y − 2** (tier movement): ``params/<Y−2>`` recomputed the same way, or
  ``frozen_list_previous``. For 2024 there was no criteria file: ``params/2024`` is a
  copy of ``params/2025`` applied to the 2024 preliminary list, so the movement
  reflects the customers, not a change of criteria.

Relative paths in ``goals.yaml`` resolve against the project root, as in ``run.yaml``.

What the review reports
-----------------------
:func:`ranking_performance` (AUC, capture, lift, rank correlations),
:func:`criteria_effectiveness` (one criterion at a time, with its stability),
:func:`revenue_focus` and :func:`missed_opportunities` (resource focus),
:func:`converted_inquiries`, :func:`goal_actuals` / :func:`goal_attainment` (balanced
scorecard) and :func:`next_year_changes` (what to change next year, by documented
rules with their thresholds as parameters). Its weight proposals defer to the one
joint answer on the weights, :func:`prioanalysis.steps.calibration.recommend_changes`,
which weighs this evidence together with the calibration and a test on the next year
(the calibration notebook shows the same table).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd

from prioanalysis.config.decisions import with_decisions
from prioanalysis.config.goals import MEASURES, Goal, GoalsParams, load_goals
from prioanalysis.config.params import CriteriaParams, Params, criteria_spec, load_params
from prioanalysis.errors import InputError, ParamsError
from prioanalysis.inputs.frozen_list import read_frozen_list
from prioanalysis.inputs.outcomes import read_outcomes
from prioanalysis.inputs.tables import read_table
from prioanalysis.methods import metrics as review
from prioanalysis.methods.spec import CriteriaSpec

__all__ = [
    "ReviewInputs",
    "ListSnapshot",
    "ReviewData",
    "validate_review_parameters",
    "list_snapshot",
    "join_outcomes",
    "load_review_data",
    "tier_order",
    "ranking_performance",
    "criteria_effectiveness",
    "revenue_focus",
    "missed_opportunities",
    "converted_inquiries",
    "new_key_accounts",
    "data_completeness",
    "measure_values",
    "goal_actuals",
    "goal_attainment",
    "criteria_changes",
    "tier_changes",
    "next_year_changes",
    "WEIGHT_DIRECTIONS",
]


# --------------------------------------------------------------------------- inputs
@dataclass(frozen=True)
class ReviewInputs:
    """The validated parameters of the annual review and the files they point to."""

    year: int
    review_year: int
    params: Params
    review_params: Params
    previous_params: Params | None
    goals: GoalsParams
    goals_path: Path
    outcomes_path: Path
    inquiries_path: Path | None
    frozen_list: Path | None
    frozen_list_previous: Path | None
    output_dir: str

    def sources(self) -> pd.DataFrame:
        """Where each input comes from (shown at the top of the report)."""
        rows = [
            ("criteria and run settings of the reviewed year", str(self.review_params.directory)),
            ("goals", str(self.goals_path)),
            (
                "list of the reviewed year",
                f"frozen list {self.frozen_list}"
                if self.frozen_list
                else f"recomputed with {self.review_params.directory} (pipeline.run_ranking)",
            ),
            ("outcomes", str(self.outcomes_path)),
            ("inquiries", str(self.inquiries_path) if self.inquiries_path else "none"),
        ]
        if self.previous_params is not None or self.frozen_list_previous:
            rows.append(
                (
                    "list of the year before",
                    f"frozen list {self.frozen_list_previous}"
                    if self.frozen_list_previous
                    else f"recomputed with {self.previous_params.directory} (pipeline.run_ranking)",  # type: ignore[union-attr]
                )
            )
        else:
            rows.append(("list of the year before", "none: tier movement not reported"))
        return pd.DataFrame(rows, columns=["input", "source"])


def _text_param(name: str, value: object) -> str:
    if not isinstance(value, str):
        raise ParamsError(f"parameter '{name}': expected text (got {value!r})")
    return value


def _existing_file(name: str, value: str) -> Path | None:
    if not value:
        return None
    p = Path(value)
    if not p.is_file():
        raise ParamsError(f"parameter '{name}': file not found: {value}")
    return p


def validate_review_parameters(
    year: int,
    params_dir: str,
    output_dir: str = "",
    frozen_list: str = "",
    outcomes_path: str = "",
    frozen_list_previous: str = "",
) -> ReviewInputs:
    """Validate the annual-review notebook's parameters and locate its inputs.

    Parameters
    ----------
    year : int
        The cycle year ``Y``; the review covers ``Y − 1``. Must equal ``year`` of
        ``params_dir/run.yaml``.
    params_dir : str
        ``params/Y``. The reviewed year's folder is its sibling ``params/<Y−1>`` (must
        exist, with ``goals.yaml``); ``params/<Y−2>`` is optional.
    output_dir : str
        Empty (show only) or an existing folder to write into.
    frozen_list, frozen_list_previous : str
        Empty (recompute) or the published ``target_list.csv`` of ``Y − 1`` / ``Y − 2``.
    outcomes_path : str
        Empty (``inputs.outcomes`` of ``goals.yaml``) or the outcome file.

    Returns
    -------
    ReviewInputs

    Raises
    ------
    ParamsError
        A wrong type, a year that does not match a file, a missing folder or file.
    """
    if not isinstance(year, int) or isinstance(year, bool):
        raise ParamsError(f"parameter 'year': expected an integer year (got {year!r})")
    for name, value in (
        ("params_dir", params_dir),
        ("output_dir", output_dir),
        ("frozen_list", frozen_list),
        ("outcomes_path", outcomes_path),
        ("frozen_list_previous", frozen_list_previous),
    ):
        _text_param(name, value)
    params = with_decisions(load_params(params_dir))  # as notebook 10 and the runner load them
    if params.run.year != year:
        raise ParamsError(f"parameter 'year' is {year} but {params.run_path} is for {params.run.year}")
    base = Path(params_dir).resolve().parent
    rdir = base / str(year - 1)
    if not rdir.is_dir():
        raise ParamsError(
            f"the review of cycle {year} covers {year - 1} and needs its parameters in {rdir} "
            "(criteria.yaml, run.yaml, goals.yaml); folder not found"
        )
    review_params = with_decisions(load_params(rdir))  # a recomputed list as decided that year
    if review_params.run.year != year - 1:
        raise ParamsError(f"{review_params.run_path}: year is {review_params.run.year}, expected {year - 1}")
    goals_path = rdir / "goals.yaml"
    goals = load_goals(goals_path)
    if goals.year != year - 1:
        raise ParamsError(f"{goals_path}: year is {goals.year}, expected {year - 1}")
    pdir = base / str(year - 2)
    previous = with_decisions(load_params(pdir)) if pdir.is_dir() else None
    if previous is not None and previous.run.year != year - 2:
        raise ParamsError(f"{previous.run_path}: year is {previous.run.year}, expected {year - 2}")
    out = Path(outcomes_path) if outcomes_path else review_params.resolve(goals.inputs.outcomes)
    if not out.is_file():
        where = "parameter 'outcomes_path'" if outcomes_path else f"{goals_path}: inputs.outcomes"
        raise ParamsError(f"{where}: file not found: {out}")
    inq = review_params.resolve(goals.inputs.inquiries) if goals.inputs.inquiries else None
    if inq is not None and not inq.is_file():
        raise ParamsError(f"{goals_path}: inputs.inquiries: file not found: {inq}")
    if output_dir and not Path(output_dir).is_dir():
        raise ParamsError(f"parameter 'output_dir': folder not found: {output_dir}")
    return ReviewInputs(
        year=year,
        review_year=year - 1,
        params=params,
        review_params=review_params,
        previous_params=previous,
        goals=goals,
        goals_path=goals_path,
        outcomes_path=out,
        inquiries_path=inq,
        frozen_list=_existing_file("frozen_list", frozen_list),
        frozen_list_previous=_existing_file("frozen_list_previous", frozen_list_previous),
        output_dir=output_dir,
    )


@dataclass(frozen=True)
class ListSnapshot:
    """One year's list with the facts the review needs.

    Attributes
    ----------
    year : int
    params : Params
    target_list : pandas.DataFrame
        Indexed by customer id (score, tier, grade, segment, ...).
    customers : pandas.DataFrame
        Every customer proposed (validated preliminary list, claims resolved; indexed
        by id): ``pipeline_stage`` and the other facts.
    criteria_values : pandas.DataFrame
        ``customers`` × criterion ids: numbers (scales mapped), NaN = missing.
    source : str
        Where the list came from (frozen file or recomputed).
    """

    year: int
    params: Params
    target_list: pd.DataFrame
    customers: pd.DataFrame
    criteria_values: pd.DataFrame
    source: str


def list_snapshot(params: Params, frozen_list: str | Path | pd.DataFrame | None = None) -> ListSnapshot:
    """A year's list: the frozen list (file or frame), or recomputed with
    :func:`prioanalysis.steps.ranking.run_ranking`.

    The preliminary list named in ``run.yaml`` is always read and validated, for the
    criteria values, the pipeline stages and the data completeness.
    """
    from prioanalysis.inputs import preliminary as intake
    from prioanalysis.steps import ranking as pipeline

    if frozen_list is not None and (isinstance(frozen_list, pd.DataFrame) or str(frozen_list)):
        tl = read_frozen_list(frozen_list)
        path = params.resolve(params.run.inputs.preliminary_list)
        validated = intake.validate_preliminary(read_table(path), params)
        source = f"frozen list {tl.attrs.get('source', frozen_list)}"
    else:
        result = pipeline.run_ranking(params)
        tl = result.target_list.set_index(
            pd.Index(result.target_list["customer_id"].to_numpy(dtype=object), name="customer_id")
        )
        validated = result.intake
        source = f"recomputed with {params.directory} (pipeline.run_ranking)"
    customers = validated.proposed.copy()
    customers.index = pd.Index(customers.index.to_numpy(dtype=object), name="customer_id")
    return ListSnapshot(
        year=params.run.year,
        params=params,
        target_list=tl,
        customers=customers,
        criteria_values=customers[params.criteria.ids].astype(float),
        source=source,
    )


def join_outcomes(
    target_list: pd.DataFrame,
    outcomes: pd.DataFrame,
    missing_outcome: Literal["error", "not_won"] = "error",
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Attach each listed customer's outcome.

    Parameters
    ----------
    target_list : pandas.DataFrame
        Indexed by customer id.
    outcomes : pandas.DataFrame
        From :func:`read_outcomes`.
    missing_outcome : {"error", "not_won"}, default "error"
        A listed customer without an outcome row is an error (the review would be
        biased silently), or counted as not won with no revenue.

    Returns
    -------
    joined : pandas.DataFrame
        The list with ``won``, ``revenue``, ``days_to_close``.
    coverage : pandas.DataFrame
        Counts: customers on the list, with an outcome, without one, and outcome rows
        of customers not on the (scored) list — e.g. excluded for too little data.

    Raises
    ------
    InputError
        ``missing_outcome="error"`` and some listed customers have no outcome.

    Examples
    --------
    >>> tl = pd.DataFrame({"score": [0.9, 0.1]}, index=["c1", "c2"])
    >>> oc = pd.DataFrame({"won": [1, 0, 1], "revenue": [5.0, 0.0, 2.0],
    ...                    "days_to_close": [10.0, None, 3.0]}, index=["c1", "c2", "c9"])
    >>> j, cov = join_outcomes(tl, oc)
    >>> j["won"].tolist(), cov["customers"].tolist()
    ([1, 0], [2, 2, 0, 1])
    """
    if missing_outcome not in ("error", "not_won"):
        raise InputError(f"`missing_outcome` must be 'error' or 'not_won'; got {missing_outcome!r}")
    have = target_list.index.isin(outcomes.index)
    lacking = target_list.index[~have]
    if len(lacking) and missing_outcome == "error":
        raise InputError(
            f"{outcomes.attrs.get('source', 'the outcomes')}: {len(lacking)} customer(s) of the list have "
            f"no outcome row ({', '.join(map(str, lacking[:5]))}{' …' if len(lacking) > 5 else ''}); "
            "add them with won = 0, or pass missing_outcome='not_won'"
        )
    o = outcomes.reindex(target_list.index)
    joined = target_list.assign(
        won=o["won"].fillna(0).astype(np.int64),
        revenue=o["revenue"].fillna(0.0).astype(float),
        days_to_close=o["days_to_close"].astype(float),
    )
    extra = outcomes.index.difference(target_list.index)
    coverage = pd.DataFrame(
        {
            "item": [
                "customers on the list",
                "with an outcome",
                "without an outcome (counted as not won)",
                "outcomes of customers not on the scored list",
            ],
            "customers": [len(target_list), int(have.sum()), len(lacking), len(extra)],
        }
    )
    return joined, coverage


@dataclass(frozen=True)
class ReviewData:
    """Everything the annual review reads, loaded once.

    Attributes
    ----------
    inputs : ReviewInputs
    current : ListSnapshot
        The reviewed year's list.
    previous : ListSnapshot or None
        The year before (tier movement); None when ``params/<Y−2>`` is absent.
    customers : pandas.DataFrame
        ``current.target_list`` joined with the outcomes (indexed by customer id) and
        the ``pipeline_stage`` of the preliminary list.
    coverage : pandas.DataFrame
        From :func:`join_outcomes`.
    inquiries : pandas.DataFrame or None
        The reviewed year's inquiry log.
    """

    inputs: ReviewInputs
    current: ListSnapshot
    previous: ListSnapshot | None
    customers: pd.DataFrame
    coverage: pd.DataFrame
    inquiries: pd.DataFrame | None


def load_review_data(inputs: ReviewInputs, missing_outcome: Literal["error", "not_won"] = "error") -> ReviewData:
    """Load the lists, the outcomes and the inquiries named by ``inputs``."""
    from prioanalysis.inputs.inquiries import read_inquiries

    current = list_snapshot(inputs.review_params, inputs.frozen_list)
    previous = None
    if inputs.frozen_list_previous or inputs.previous_params is not None:
        pparams = inputs.previous_params or inputs.review_params
        previous = list_snapshot(pparams, inputs.frozen_list_previous)
    outcomes = read_outcomes(inputs.outcomes_path)
    joined, coverage = join_outcomes(current.target_list, outcomes, missing_outcome)
    stage_col = "pipeline_stage"
    if stage_col in current.customers.columns:
        joined[stage_col] = current.customers[stage_col].reindex(joined.index).astype(object)
    inquiries = read_inquiries(inputs.inquiries_path) if inputs.inquiries_path else None
    return ReviewData(inputs, current, previous, joined, coverage, inquiries)


def tier_order(params: Params) -> list[str]:
    """The tiers best first, then the not-targeted label.

    Examples
    --------
    >>> from types import SimpleNamespace as NS
    >>> tier_order(NS(run=NS(tiers=NS(names=["T1", "T2"], not_targeted="no"))))
    ['T1', 'T2', 'no']
    """
    return [*params.run.tiers.names, params.run.tiers.not_targeted]


# --------------------------------------------------------------------------- metrics
def ranking_performance(
    score: pd.Series,
    won: pd.Series,
    revenue: pd.Series,
    shares: Sequence[float] = (0.1, 0.2),
    ci: float = 0.95,
    auc_method: Literal["delong", "hanley_mcneil"] = "delong",
    ties: Literal["average", "stable"] = "average",
) -> pd.DataFrame:
    """How well the score ordered the customers: one row per metric.

    Parameters
    ----------
    score, won, revenue : pandas.Series
        Per customer (same ids): the list's score, 1 if a deal was won, revenue won.
    shares : sequence of float, default (0.1, 0.2)
        Top shares of the list for capture and lift.
    ci : float, default 0.95
        Level of the AUC interval.
    auc_method : {"delong", "hanley_mcneil"}, default "delong"
        Variance of the AUC (:func:`prioanalysis.methods.metrics.auc`).
    ties : {"average", "stable"}, default "average"
        Ties at the cut (:mod:`prioanalysis.methods.metrics`).

    Returns
    -------
    pandas.DataFrame
        Columns ``metric``, ``value``, ``ci_low``, ``ci_high``, ``p_value``,
        ``meaning``. Rows: ``auc``; per share ``k``: ``conversions_captured_top_k``,
        ``revenue_captured_top_k``, ``lift_top_k``; ``spearman_revenue`` and
        ``kendall_revenue`` (rank correlation of score and revenue, one-sided
        "greater" p-values).

    Examples
    --------
    >>> s = pd.Series([4.0, 3.0, 2.0, 1.0], index=list("abcd"))
    >>> y = pd.Series([1, 0, 1, 0], index=list("abcd"))
    >>> v = pd.Series([30.0, 0.0, 10.0, 0.0], index=list("abcd"))
    >>> t = ranking_performance(s, y, v, shares=(0.25,)).set_index("metric")["value"]
    >>> t[["auc", "conversions_captured_top_25%", "revenue_captured_top_25%", "lift_top_25%"]].tolist()
    [0.75, 0.5, 0.75, 2.0]
    """
    a = review.auc(score, won, ci=ci, method=auc_method)
    rows: list[dict[str, Any]] = [
        {
            "metric": "auc",
            "value": a.auc,
            "ci_low": a.ci_low,
            "ci_high": a.ci_high,
            "p_value": np.nan,
            "meaning": "chance that a customer who won scored above one who did not (0.5 = no better than chance)",
        },
    ]
    for k in shares:
        tag = f"top_{k:.0%}"
        rows += [
            {
                "metric": f"conversions_captured_{tag}",
                "value": review.capture_at(score, won.astype(float), k, ties),
                "meaning": f"share of all wins among the top {k:.0%} of the list",
            },
            {
                "metric": f"revenue_captured_{tag}",
                "value": review.capture_at(score, revenue, k, ties),
                "meaning": f"share of all revenue from the top {k:.0%} of the list",
            },
            {
                "metric": f"lift_{tag}",
                "value": review.lift_at(score, won, k, ties),
                "meaning": f"win rate of the top {k:.0%} divided by the list's win rate",
            },
        ]
    rc = review.rank_correlations(score, revenue, alternative="greater")
    for name in ("spearman", "kendall"):
        rows.append(
            {
                "metric": f"{name}_revenue",
                "value": float(rc.loc[name, "statistic"]),
                "p_value": float(rc.loc[name, "p_value"]),
                "meaning": f"{name.capitalize()} rank correlation of score and revenue",
            }
        )
    out = pd.DataFrame(rows, columns=["metric", "value", "ci_low", "ci_high", "p_value", "meaning"])
    return out


def criteria_effectiveness(
    values: pd.DataFrame,
    won: pd.Series,
    criteria: CriteriaParams | CriteriaSpec,
    previous_values: pd.DataFrame | None = None,
    ci: float = 0.95,
    psi_bins: int = 10,
    psi_thresholds: tuple[float, float] = review.PSI_THRESHOLDS,
) -> pd.DataFrame:
    """Each criterion on its own: did it separate winners, and did it stay stable?

    Parameters
    ----------
    values : pandas.DataFrame
        Customers × criterion ids, as given (scales mapped, before transforms and
        imputation; NaN = missing, left out criterion by criterion).
    won : pandas.Series
        1 if the customer won a deal; the customers of ``values`` to use.
    criteria : CriteriaParams or CriteriaSpec
        Labels, families, directions and weights of the reviewed year (``Params.spec``).
    previous_values : pandas.DataFrame, optional
        The year before's values (all customers proposed) for the population
        stability index; the current side uses every row of ``values``.
    ci : float, default 0.95
        DeLong interval of each AUC.
    psi_bins : int, default 10
        Quantile bins of the PSI (:func:`prioanalysis.methods.metrics.psi`).
    psi_thresholds : tuple, default (0.1, 0.25)
        PSI readings.

    Returns
    -------
    pandas.DataFrame
        Indexed by criterion: ``label``, ``family``, ``direction``, ``weight``
        (global), ``n``, ``n_missing``, ``auc``, ``ci_low``, ``ci_high``,
        ``cohens_d`` (standardised difference of means, oriented like the AUC) and,
        with ``previous_values``, ``psi`` and ``psi_reading``.

    Examples
    --------
    >>> cp = CriteriaParams.model_validate({"version": "x", "criteria": [
    ...     {"id": "a", "label": "A", "family": "attractiveness", "direction": "benefit", "weight": 0.5},
    ...     {"id": "b", "label": "B", "family": "feasibility", "direction": "cost", "weight": 0.5}]})
    >>> X = pd.DataFrame({"a": [9, 7, 3, 1], "b": [1, 2, 8, 9]}, index=list("wxyz"))
    >>> y = pd.Series([1, 1, 0, 0], index=list("wxyz"))
    >>> criteria_effectiveness(X, y, cp)[["weight", "auc"]]  # doctest: +NORMALIZE_WHITESPACE
               weight  auc
    criterion
    a             0.5  1.0
    b             0.5  1.0
    """
    spec = criteria if isinstance(criteria, CriteriaSpec) else criteria_spec(criteria)
    ids = list(spec.ids)
    x = values[ids].reindex(won.index)
    uni = review.univariate_auc(x, won, spec.directions, ci=ci)
    out = pd.DataFrame(
        {
            "label": [spec.labels[c] for c in ids],
            "family": [spec.families[c] for c in ids],
            "direction": [spec.directions[c] for c in ids],
            "weight": [spec.weights[c] for c in ids],
        },
        index=pd.Index(ids, name="criterion", dtype=object),
    ).join(uni.drop(columns=["direction"]))
    if previous_values is not None:
        st = review.stability_table(
            previous_values[ids], values[ids], columns=ids, bins=psi_bins, thresholds=psi_thresholds
        )
        out["psi"] = st["psi"]
        out["psi_reading"] = st["reading"]
    return out


def revenue_focus(
    tier: pd.Series,
    won: pd.Series,
    revenue: pd.Series,
    not_targeted: str,
    labels: tuple[str, str, str] = ("targets", "non-targets", "all"),
) -> pd.DataFrame:
    """Did the resources go where the revenue was? Targets against non-targets.

    Returns
    -------
    pandas.DataFrame
        Rows ``labels`` (targets, non-targets, all), columns ``group``,
        ``customers``, ``share_customers``, ``won``, ``win_rate``, ``revenue``,
        ``share_revenue``, ``revenue_per_customer``.

    Examples
    --------
    >>> t = pd.Series(["T1", "T1", "no", "no"])
    >>> w = pd.Series([1, 0, 1, 0])
    >>> v = pd.Series([30.0, 0.0, 10.0, 0.0])
    >>> revenue_focus(t, w, v, "no")[["group", "customers", "won", "revenue", "share_revenue"]]
             group  customers  won  revenue  share_revenue
    0      targets          2    1     30.0           0.75
    1  non-targets          2    1     10.0           0.25
    2          all          4    2     40.0           1.00
    """
    is_t = (tier != not_targeted).to_numpy()
    w = won.to_numpy(dtype=float)
    v = revenue.to_numpy(dtype=float)
    n_all, v_all = len(tier), float(v.sum())
    rows = []
    for label, mask in zip(labels, (is_t, ~is_t, np.ones(len(tier), dtype=bool))):
        n = int(mask.sum())
        rv = float(v[mask].sum())
        rows.append(
            {
                "group": label,
                "customers": n,
                "share_customers": n / n_all if n_all else np.nan,
                "won": int(w[mask].sum()),
                "win_rate": float(w[mask].mean()) if n else np.nan,
                "revenue": rv,
                "share_revenue": rv / v_all if v_all > 0 else np.nan,
                "revenue_per_customer": rv / n if n else np.nan,
            }
        )
    return pd.DataFrame(rows)


def missed_opportunities(
    customers: pd.DataFrame,
    not_targeted: str,
    top_n: int = 10,
    columns: Sequence[str] = ("customer_name", "segment", "score", "rank", "grade", "not_targeted_reason", "revenue"),
) -> pd.DataFrame:
    """Non-targets that won big: the customers the list said "no" to.

    Parameters
    ----------
    customers : pandas.DataFrame
        The list joined with outcomes (``tier``, ``won``, ``revenue``).
    not_targeted : str
        The not-targeted tier label.
    top_n : int, default 10
        How many, by revenue descending (ties by customer id).
    columns : sequence of str
        Columns to keep (those present).

    Returns
    -------
    pandas.DataFrame
        ``customer_id``, the columns, ``share_of_revenue`` (of the whole list's).

    Examples
    --------
    >>> c = pd.DataFrame({"tier": ["T1", "no", "no", "no"], "won": [1, 1, 1, 0],
    ...                   "revenue": [50.0, 30.0, 20.0, 0.0]}, index=["a", "b", "c", "d"])
    >>> missed_opportunities(c, "no", top_n=1, columns=("revenue",)).to_dict("records")
    [{'customer_id': 'b', 'revenue': 30.0, 'share_of_revenue': 0.3}]
    """
    total = float(customers["revenue"].sum())
    nt = customers[(customers["tier"] == not_targeted) & (customers["won"] == 1)]
    nt = (
        nt.assign(_id=nt.index.to_numpy(dtype=object))
        .sort_values(["revenue", "_id"], ascending=[False, True], kind="stable")
        .head(top_n)
    )
    keep = [c for c in columns if c in nt.columns]
    out = nt[keep].copy()
    out.insert(0, "customer_id", nt.index.to_numpy(dtype=object))
    out["share_of_revenue"] = out["revenue"] / total if total > 0 else np.nan
    return out.reset_index(drop=True)


def converted_inquiries(inquiries: pd.DataFrame, by: str = "segment", value_column: str = "revenue") -> pd.DataFrame:
    """Inquiries from customers off the list that converted anyway, per group.

    The inquiry log of the sample has no revenue, so the table counts conversions;
    when the log has ``value_column`` its total is added.

    Returns
    -------
    pandas.DataFrame
        Columns ``by``, ``inquiries``, ``converted``, ``conversion_rate``,
        ``converted_proposed`` (converted after the handler proposed the customer for
        the list) and ``revenue`` (NaN without ``value_column``); a last row ``all``.

    Examples
    --------
    >>> q = pd.DataFrame({"segment": ["x", "x", "y"], "converted": [1, 0, 1],
    ...                   "decision": ["propose_target", "decline", "follow_up"]})
    >>> converted_inquiries(q)[["segment", "inquiries", "converted", "converted_proposed"]]
      segment  inquiries  converted  converted_proposed
    0       x          2          1                   1
    1       y          1          1                   0
    2     all          3          2                   1
    """
    q = inquiries.assign(
        _prop=((inquiries["decision"] == "propose_target") & (inquiries["converted"] == 1)).astype(int)
        if "decision" in inquiries.columns
        else 0
    )
    agg = {
        "inquiries": ("converted", "size"),
        "converted": ("converted", "sum"),
        "converted_proposed": ("_prop", "sum"),
    }
    has_value = value_column in q.columns
    if has_value:
        q = q.assign(_v=pd.to_numeric(q[value_column], errors="coerce").where(q["converted"] == 1, 0.0))
        agg["revenue"] = ("_v", "sum")
    g = q.groupby(by, sort=True).agg(**agg)
    total = g.sum().to_frame().T
    total.index = ["all"]
    out = pd.concat([g, total])
    out.index = pd.Index(out.index.astype(object), name=by)
    out["conversion_rate"] = out["converted"] / out["inquiries"]
    if not has_value:
        out["revenue"] = np.nan
    out = out.reset_index()
    for c in ("inquiries", "converted", "converted_proposed"):
        out[c] = out[c].astype(np.int64)
    return out[[by, "inquiries", "converted", "conversion_rate", "converted_proposed", "revenue"]]


# --------------------------------------------------------------------------- goals
def new_key_accounts(
    tier: pd.Series,
    won: pd.Series,
    stage: pd.Series,
    important_tiers: Sequence[str],
    closed_stage: str = "closed",
) -> int:
    """New key accounts: won this year, in an important tier, not a customer before.

    Parameters
    ----------
    tier, won, stage : pandas.Series
        Per customer: tier, 1 if won, ``pipeline_stage`` on the year's preliminary
        list (``closed`` = already a customer).
    important_tiers : sequence of str
        ``priority_matrix.important_tiers`` (战略, 重点).
    closed_stage : str, default "closed"
        The stage of existing customers.

    Examples
    --------
    >>> t = pd.Series(["T1", "T1", "T2", "T3"])
    >>> w = pd.Series([1, 1, 1, 1])
    >>> s = pd.Series(["potential", "closed", "negotiating", "potential"])
    >>> new_key_accounts(t, w, s, ["T1", "T2"])
    2
    """
    m = tier.isin(list(important_tiers)) & (won == 1) & (stage.astype(object) != closed_stage)
    return int(m.sum())


def data_completeness(values: pd.DataFrame) -> float:
    """Share of the cells filled in.

    Examples
    --------
    >>> data_completeness(pd.DataFrame({"a": [1.0, None], "b": [1.0, 2.0]}))
    0.75
    """
    return float(values.notna().to_numpy().mean()) if values.size else math.nan


def measure_values(
    customers: pd.DataFrame,
    criteria_values: pd.DataFrame,
    important_tiers: Sequence[str],
    not_targeted: str,
    inquiries: pd.DataFrame | None = None,
    inquiry_sla_hours: float = 24.0,
) -> pd.Series:
    """Every measure of :data:`MEASURES` (NaN where the data are absent).

    Parameters
    ----------
    customers : pandas.DataFrame
        The list joined with outcomes (``tier``, ``won``, ``revenue``,
        ``pipeline_stage``).
    criteria_values : pandas.DataFrame
        The year's preliminary list's criteria (all customers proposed).
    important_tiers : sequence of str
        For ``new_key_accounts``.
    not_targeted : str
        The not-targeted tier label.
    inquiries : pandas.DataFrame, optional
        The year's inquiry log.
    inquiry_sla_hours : float, default 24
        Service level of ``inquiry_within_sla_share``.

    Returns
    -------
    pandas.Series
        Indexed by measure id.
    """
    from prioanalysis.steps import inquiries as inq

    t = customers["tier"] != not_targeted
    won = customers["won"]
    rev = customers["revenue"]
    out: dict[str, float] = {
        "revenue_won": float(rev.sum()),
        "conversion_rate": float(won.mean()) if len(won) else math.nan,
        "target_conversion_rate": float(won[t].mean()) if t.any() else math.nan,
        "target_revenue_share": float(rev[t].sum() / rev.sum()) if rev.sum() > 0 else math.nan,
        "new_key_accounts": float(
            new_key_accounts(customers["tier"], won, customers["pipeline_stage"], important_tiers)
        )
        if "pipeline_stage" in customers.columns
        else math.nan,
        "data_completeness": data_completeness(criteria_values),
    }
    nan_inq = dict.fromkeys(
        [
            "inquiry_within_sla_share",
            "inquiry_median_first_response_hours",
            "inquiry_p90_first_response_hours",
            "inquiry_conversion_rate",
            "inquiry_handling_days",
        ],
        math.nan,
    )
    out.update(nan_inq)
    if inquiries is not None and len(inquiries):
        rt = inq.response_time_summary(
            inquiries["first_response_hours"], inquiry_sla_hours, quantiles=(0.5, 0.9), ci=None
        ).loc["all"]
        out["inquiry_within_sla_share"] = float(rt["share_within_sla"])
        out["inquiry_median_first_response_hours"] = float(rt["p50"])
        out["inquiry_p90_first_response_hours"] = float(rt["p90"])
        out["inquiry_conversion_rate"] = float(inquiries["converted"].mean())
        if "handling_days" in inquiries.columns:
            out["inquiry_handling_days"] = float(pd.to_numeric(inquiries["handling_days"], errors="coerce").median())
    return pd.Series(out, name="actual").reindex(list(MEASURES))


def goal_actuals(data: ReviewData) -> pd.Series:
    """:func:`measure_values` for the loaded review data."""
    run = data.inputs.review_params.run
    return measure_values(
        data.customers,
        data.current.criteria_values,
        run.priority_matrix.important_tiers,
        run.tiers.not_targeted,
        data.inquiries,
        data.inputs.goals.inquiry_sla_hours,
    )


def goal_attainment(
    goals: Sequence[Goal],
    actuals: Mapping[str, float] | pd.Series,
    near_tolerance: float = 0.05,
) -> pd.DataFrame:
    """Goals against actuals, balanced-scorecard style, with a status each.

    Status: ``met`` when the actual reaches the target in the goal's direction;
    ``close`` when it misses by at most ``near_tolerance`` of the target (relative);
    ``missed`` otherwise; ``no data`` when the actual is NaN (the measure cannot be
    computed from the data — itself a finding: the data are incomplete).
    ``attainment`` is actual / target (``at_least``) or target / actual
    (``at_most``), so that 1 or more always means "met".

    Parameters
    ----------
    goals : sequence of Goal
        From ``goals.yaml``.
    actuals : mapping or pandas.Series
        Measure id → value (:func:`measure_values`).
    near_tolerance : float, default 0.05
        Relative distance of a ``close`` miss.

    Returns
    -------
    pandas.DataFrame
        Columns ``perspective``, ``goal``, ``label``, ``measure``, ``direction``,
        ``target``, ``actual``, ``unit``, ``attainment``, ``status``, ``definition``,
        in the order of the goals.

    Examples
    --------
    >>> gs = [Goal(id="r", perspective="financial", label="R", measure="revenue_won", target=100),
    ...       Goal(id="h", perspective="process", label="H", direction="at_most",
    ...            measure="inquiry_median_first_response_hours", target=4),
    ...       Goal(id="d", perspective="process", label="D", measure="inquiry_handling_days", target=5)]
    >>> t = goal_attainment(gs, {"revenue_won": 97.0, "inquiry_median_first_response_hours": 5.0,
    ...                          "inquiry_handling_days": float("nan")})
    >>> t[["goal", "attainment", "status"]]
      goal  attainment   status
    0    r        0.97    close
    1    h        0.80   missed
    2    d         NaN  no data
    """
    rows = []
    for g in goals:
        a = float(actuals.get(g.measure, math.nan))
        if math.isnan(a):
            att, status = math.nan, "no data"
        else:
            if g.direction == "at_least":
                att = a / g.target if g.target != 0 else (math.inf if a > 0 else 1.0)
                met = a >= g.target
                near = a >= g.target - near_tolerance * abs(g.target)
            else:
                att = g.target / a if a != 0 else math.inf
                met = a <= g.target
                near = a <= g.target + near_tolerance * abs(g.target)
            status = "met" if met else ("close" if near else "missed")
        rows.append(
            {
                "perspective": g.perspective,
                "goal": g.id,
                "label": g.label,
                "measure": g.measure,
                "direction": g.direction,
                "target": float(g.target),
                "actual": a,
                "unit": g.unit,
                "attainment": att,
                "status": status,
                "definition": MEASURES[g.measure],
            }
        )
    return pd.DataFrame(rows)


# --------------------------------------------------------------------------- changes
_CHANGE_COLUMNS = [
    "kind",
    "item",
    "label",
    "change",
    "reason",
    "evidence",
    "auc",
    "auc_ci_low",
    "auc_ci_high",
    "weight",
    "separation_share",
    "suggested_weight",
    "psi",
    "rate",
    "rate_ci_low",
    "rate_ci_high",
    "next_item",
    "next_rate",
    "next_ci_low",
    "next_ci_high",
]


#: The review's proposals that move a criterion's weight, and their direction.
WEIGHT_DIRECTIONS: Mapping[str, int] = {
    "raise weight": 1,
    "lower weight": -1,
    "drop": -1,
    "reverse or drop": -1,
}


def _defer_to_joint(changes: list[tuple[str, str, str]], joint: pd.Series | None) -> list[tuple[str, str, str]]:
    """The review's weight proposals replaced by the joint recommendation's answer."""
    if joint is None:
        return changes
    weight = [c for c in changes if c[0] in WEIGHT_DIRECTIONS]
    other = [c for c in changes if c[0] not in WEIGHT_DIRECTIONS]
    moved = f"{float(joint['from']):.1%} → {float(joint['to']):.1%}"
    if joint["decision"] == "move":
        word = "raise weight" if float(joint["to"]) > float(joint["from"]) else "lower weight"
        alone = f" (the review alone: {weight[0][0]})" if weight else ""
        evidence = weight[0][2] if weight else ""
        return [(word, f"joint recommendation: {moved}{alone}", evidence), *other]
    if weight:
        return [
            (
                "keep weight",
                f"the review alone would {weight[0][0].replace(' weight', '')}; the joint recommendation keeps it "
                f"({joint['reason']})",
                weight[0][2],
            ),
            *other,
        ]
    return other


def criteria_changes(
    effectiveness: pd.DataFrame,
    null_auc: float = 0.5,
    overweight_ratio: float = 2.0,
    underweight_ratio: float = 0.5,
    psi_threshold: float = review.PSI_THRESHOLDS[1],
    include_keep: bool = False,
    model: pd.DataFrame | None = None,
    model_alpha: float = 0.05,
    joint: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Criteria to drop, reverse, reweigh or re-check, from the univariate evidence.

    Rules, applied to each criterion of :func:`criteria_effectiveness`:

    1. ``reverse or drop`` — the whole AUC interval lies below ``null_auc``: the
       criterion pointed the wrong way (winners scored *worse* on it).
    2. ``drop`` — the interval covers ``null_auc``: no evidence that it separates
       winners from the others.
    3. Otherwise its **separation share** ``(AUC − 0.5) / Σ (AUC − 0.5)`` (over the
       criteria that separate, i.e. not caught by rules 1–2) is compared with its
       weight: weight / share > ``overweight_ratio`` → ``lower weight``; weight /
       share < ``underweight_ratio`` → ``raise weight``. ``suggested_weight`` is the
       separation share: the weights the evidence alone would give.
    4. ``check data`` — PSI above ``psi_threshold`` (a major shift from the year
       before): the min-max bounds and segment medians move with the population;
       check how the field is collected before trusting its weight.

    Univariate evidence ignores the overlap between correlated criteria (IT budget
    and deal size both measure size): read ``raise weight`` of two such criteria as
    "raise the family", and confirm with the calibration notebook. When the
    calibration model's view is given (``model``, from
    :func:`prioanalysis.steps.calibration.model_view`), rules 1–2 defer to it: a criterion
    whose joint-model coefficient agrees with its direction at ``p < model_alpha`` is
    not dropped or reversed (``keep: joint model supports it``) — its univariate
    weakness comes from its overlap with the other criteria.

    With the **joint recommendation** (``joint``, the table of
    :func:`prioanalysis.steps.calibration.recommend_changes`, which weighs this evidence
    together with the calibration and an out-of-sample test), the weight proposals of
    rules 1–3 defer to it, so the review never proposes the opposite of the answer the
    calibration notebook shows: a weight it moves reads ``raise weight`` / ``lower
    weight`` with the joint figures; a weight it keeps reads ``keep weight`` and says
    what the review alone would have proposed.

    Parameters
    ----------
    effectiveness : pandas.DataFrame
        From :func:`criteria_effectiveness`.
    null_auc : float, default 0.5
        AUC of a criterion that carries no information.
    overweight_ratio, underweight_ratio : float, default 2.0, 0.5
        Bounds of weight / separation share outside which a reweighing is proposed.
    psi_threshold : float, default 0.25
        PSI above which the data are to be checked.
    include_keep : bool, default False
        Also list the criteria with no change (``keep``).
    model : pandas.DataFrame, optional
        Indexed by criterion: ``model_coefficient``, ``model_p_value``,
        ``model_sign_ok``.
    model_alpha : float, default 0.05
        Significance at which the joint model overrides a univariate drop/reverse.
    joint : pandas.DataFrame, optional
        The joint recommendation's table (``criterion``, ``decision``, ``from``,
        ``to``, ``reason``).

    Returns
    -------
    pandas.DataFrame
        The change table columns (see :func:`next_year_changes`); ``kind`` =
        ``criterion``.

    Examples
    --------
    >>> eff = pd.DataFrame({"label": ["A", "B", "C", "D"], "weight": [0.1, 0.5, 0.2, 0.2],
    ...     "auc": [0.70, 0.55, 0.52, 0.40], "ci_low": [0.65, 0.51, 0.47, 0.35],
    ...     "ci_high": [0.75, 0.59, 0.57, 0.45]}, index=["a", "b", "c", "d"])
    >>> t = criteria_changes(eff)
    >>> list(zip(t["item"], t["change"]))
    [('a', 'raise weight'), ('b', 'lower weight'), ('c', 'drop'), ('d', 'reverse or drop')]
    """
    rows = []
    e = effectiveness
    joint_rows = (
        joint.set_index("criterion")
        if joint is not None
        else pd.DataFrame(columns=["decision", "from", "to", "reason"], index=pd.Index([], dtype=object))
    )
    contrary = e["ci_high"] < null_auc
    null = ~contrary & (e["ci_low"] <= null_auc)
    sep = (e["auc"] - null_auc).clip(lower=0).where(~(contrary | null), 0.0)
    total = float(sep.sum())
    share = sep / total if total > 0 else sep * np.nan
    for cid in e.index:
        r = e.loc[cid]
        base = {
            "kind": "criterion",
            "item": cid,
            "label": r.get("label", cid),
            "auc": r["auc"],
            "auc_ci_low": r["ci_low"],
            "auc_ci_high": r["ci_high"],
            "weight": r["weight"],
            "separation_share": share[cid],
            "suggested_weight": share[cid],
            "psi": r.get("psi", np.nan),
        }
        ev = f"AUC {r['auc']:.3f} [{r['ci_low']:.3f}, {r['ci_high']:.3f}], weight {r['weight']:.1%}"
        changes: list[tuple[str, str, str]] = []
        supported = (
            model is not None
            and cid in model.index
            and bool(model.loc[cid, "model_sign_ok"])
            and float(model.loc[cid, "model_p_value"]) < model_alpha
        )
        if (contrary[cid] or null[cid]) and supported:
            m = model.loc[cid]  # type: ignore[union-attr]
            changes.append(
                (
                    "keep: joint model supports it",
                    "weak on its own, but in the model with all criteria it agrees with its "
                    f"direction (p < {model_alpha})",
                    ev + f"; joint coefficient {m['model_coefficient']:.3f}, p = {m['model_p_value']:.4f}",
                )
            )
        elif contrary[cid]:
            changes.append(
                ("reverse or drop", f"winners scored worse on it: the whole interval is below {null_auc}", ev)
            )
        elif null[cid]:
            changes.append(("drop", f"no evidence of separation: the interval covers {null_auc}", ev))
        else:
            ratio = r["weight"] / share[cid] if share[cid] > 0 else math.inf
            ev2 = ev + f", separation share {share[cid]:.1%}"
            if ratio > overweight_ratio:
                changes.append(
                    ("lower weight", f"weight is {ratio:.1f}× its share of the separation (> {overweight_ratio})", ev2)
                )
            elif ratio < underweight_ratio:
                changes.append(
                    ("raise weight", f"weight is {ratio:.2f}× its share of the separation (< {underweight_ratio})", ev2)
                )
        psi_v = r.get("psi", np.nan)
        if psi_v is not None and not pd.isna(psi_v) and psi_v > psi_threshold:
            changes.append(
                ("check data", f"distribution shifted from the year before (PSI > {psi_threshold})", f"PSI {psi_v:.3f}")
            )
        changes = _defer_to_joint(changes, joint_rows.loc[cid] if cid in joint_rows.index else None)
        if not changes and include_keep:
            changes.append(("keep", "separates in line with its weight", ev))
        for change, reason, evidence in changes:
            rows.append({**base, "change": change, "reason": reason, "evidence": evidence})
    return pd.DataFrame(rows, columns=_CHANGE_COLUMNS)


def tier_changes(rates: pd.DataFrame, include_keep: bool = False) -> pd.DataFrame:
    """Tier cuts to move, from the conversion of neighbouring tiers.

    For each pair of neighbouring tiers (best first, the not-targeted group last) in
    a :func:`prioanalysis.methods.metrics.rate_table`:

    * ``fix order`` — the lower tier converted at a *higher* rate: the cut between
      them is in the wrong place;
    * ``move cut`` — the two Wilson intervals overlap: the tiers cannot be told
      apart by their conversion; make the upper tier more selective (smaller quota
      or higher threshold) or merge the two.

    Parameters
    ----------
    rates : pandas.DataFrame
        ``rate_table`` by tier in tier order (``n``, ``rate``, ``ci_low``,
        ``ci_high``); empty tiers are skipped.
    include_keep : bool, default False
        Also list the pairs that separate (``keep``).

    Returns
    -------
    pandas.DataFrame
        The change table columns; ``kind`` = ``tier cut``, ``item`` = the upper
        tier, ``next_item`` = the one below.

    Examples
    --------
    >>> r = pd.DataFrame({"n": [50, 100, 400], "rate": [0.6, 0.55, 0.1],
    ...     "ci_low": [0.46, 0.45, 0.07], "ci_high": [0.72, 0.64, 0.13]}, index=["T1", "T2", "no"])
    >>> tier_changes(r)[["item", "next_item", "change"]]
      item next_item    change
    0   T1        T2  move cut
    """
    r = rates[rates["n"] > 0]
    labels = list(r.index)
    rows = []
    for a, b in pairwise(labels):
        ra, rb = r.loc[a], r.loc[b]
        ev = (
            f"{a}: {ra['rate']:.1%} [{ra['ci_low']:.1%}, {ra['ci_high']:.1%}], n={int(ra['n'])}; "
            f"{b}: {rb['rate']:.1%} [{rb['ci_low']:.1%}, {rb['ci_high']:.1%}], n={int(rb['n'])}"
        )
        if rb["rate"] > ra["rate"]:
            change, reason = "fix order", f"{b} converted better than {a}"
        elif ra["ci_low"] <= rb["ci_high"]:
            change, reason = (
                "move cut",
                (f"the conversion intervals of {a} and {b} overlap: make {a} more selective or merge the two"),
            )
        elif include_keep:
            change, reason = "keep", f"{a} converts clearly better than {b}"
        else:
            continue
        rows.append(
            {
                "kind": "tier cut",
                "item": a,
                "label": f"{a} → {b}",
                "change": change,
                "reason": reason,
                "evidence": ev,
                "rate": ra["rate"],
                "rate_ci_low": ra["ci_low"],
                "rate_ci_high": ra["ci_high"],
                "next_item": b,
                "next_rate": rb["rate"],
                "next_ci_low": rb["ci_low"],
                "next_ci_high": rb["ci_high"],
            }
        )
    return pd.DataFrame(rows, columns=_CHANGE_COLUMNS)


def next_year_changes(
    effectiveness: pd.DataFrame,
    tier_rates: pd.DataFrame,
    null_auc: float = 0.5,
    overweight_ratio: float = 2.0,
    underweight_ratio: float = 0.5,
    psi_threshold: float = review.PSI_THRESHOLDS[1],
    include_keep: bool = False,
    model: pd.DataFrame | None = None,
    joint: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """What to change next year: :func:`criteria_changes` then :func:`tier_changes`.

    ``model``: the calibration model's view; ``joint``: the joint recommendation's table,
    to which the weight proposals defer (see :func:`criteria_changes`).

    Returns
    -------
    pandas.DataFrame
        Columns ``kind`` (criterion / tier cut), ``item``, ``label``, ``change``,
        ``reason``, ``evidence`` (the numbers in words) and the evidence as numbers:
        ``auc``, ``auc_ci_low``, ``auc_ci_high``, ``weight``, ``separation_share``,
        ``suggested_weight``, ``psi`` (criteria); ``rate``, ``rate_ci_low``,
        ``rate_ci_high``, ``next_item``, ``next_rate``, ``next_ci_low``,
        ``next_ci_high`` (tiers). Empty when nothing needs to change.
    """
    parts = [
        criteria_changes(
            effectiveness,
            null_auc,
            overweight_ratio,
            underweight_ratio,
            psi_threshold,
            include_keep,
            model=model,
            joint=joint,
        ),
        tier_changes(tier_rates, include_keep),
    ]
    parts = [p for p in parts if len(p)]
    if not parts:
        return pd.DataFrame(columns=_CHANGE_COLUMNS)
    return pd.concat(parts, ignore_index=True)
