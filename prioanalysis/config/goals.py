"""``params/<year>/goals.yaml``: the BU's goals for the year, balanced-scorecard style.

The model of the file (:class:`GoalsParams`, strict: unknown keys are errors), its
loader :func:`load_goals`, and :data:`MEASURES`, the measures a goal can be set on
with their definitions. The annual review (:mod:`prioanalysis.steps.review`)
computes the measures and compares them with the goals.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Literal

from pydantic import Field, model_validator

from prioanalysis.config.params import StrictModel, check_year, load_yaml_model

__all__ = ["MEASURES", "Perspective", "GoalInputs", "Goal", "GoalsParams", "load_goals"]

#: The measures a goal can be set on, with their definitions (the goal table shows them).
MEASURES: Mapping[str, str] = {
    "revenue_won": "revenue won in the year from the customers of the year's list (万元)",
    "conversion_rate": "share of the list's customers that won a deal in the year",
    "target_conversion_rate": "share of the targeted customers (any tier) that won a deal",
    "target_revenue_share": "share of the list's revenue won from targeted customers",
    "new_key_accounts": (
        "customers in the important tiers (priority_matrix.important_tiers) that won a deal "
        "in the year and were not customers yet (pipeline_stage other than 'closed' on the "
        "year's preliminary list)"
    ),
    "data_completeness": (
        "share of the criterion cells filled in on the year's preliminary list (every "
        "customer proposed, claims by several segments resolved)"
    ),
    "inquiry_within_sla_share": (
        "share of the year's inquiries with a first response within inquiry_sla_hours "
        "(inquiries without a recorded time left out)"
    ),
    "inquiry_median_first_response_hours": "median hours to the first response to an inquiry",
    "inquiry_p90_first_response_hours": "90th percentile of the hours to the first response",
    "inquiry_conversion_rate": "share of the year's inquiries that converted",
    "inquiry_handling_days": (
        "median days from an inquiry to its handling decision (needs a 'handling_days' column in the inquiry log)"
    ),
}

Perspective = Literal["financial", "customer", "process", "learning"]


class GoalInputs(StrictModel):
    """The year's outcome and inquiry files (relative to the project root)."""

    outcomes: str
    inquiries: str | None = None


class Goal(StrictModel):
    """One BU goal for the year, balanced-scorecard style.

    ``measure`` is one of :data:`MEASURES`; ``direction``: ``at_least`` (revenue) or
    ``at_most`` (response time). ``unit`` is shown in the table.
    """

    id: str = Field(pattern=r"^[A-Za-z_][A-Za-z0-9_]*$")
    perspective: Perspective
    label: str = Field(min_length=1)
    measure: str
    target: float = Field(allow_inf_nan=False)
    direction: Literal["at_least", "at_most"] = "at_least"
    unit: str = ""

    @model_validator(mode="after")
    def _known_measure(self) -> Goal:
        if self.measure not in MEASURES:
            raise ValueError(f"unknown measure '{self.measure}' (known: {', '.join(MEASURES)})")
        return self


class GoalsParams(StrictModel):
    """The content of ``params/<year>/goals.yaml``.

    ``near_tolerance``: a missed goal within this relative distance of its target reads
    ``close`` rather than ``missed``. ``inquiry_sla_hours``: the first-response
    service level behind ``inquiry_within_sla_share``.
    """

    year: int = Field(ge=2000, le=2100)
    bu: str = ""
    inputs: GoalInputs
    inquiry_sla_hours: float = Field(default=24.0, gt=0, allow_inf_nan=False)
    near_tolerance: float = Field(default=0.05, ge=0, lt=1)
    goals: list[Goal] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique(self) -> GoalsParams:
        ids = [g.id for g in self.goals]
        if len(set(ids)) != len(ids):
            raise ValueError("goal ids must be unique")
        return self


def load_goals(path: str | Path, year: int | None = None) -> GoalsParams:
    """Load ``goals.yaml`` (strict: unknown keys are errors).

    Read with the package's YAML reader (:mod:`prioanalysis.config.yamlfile`: repeated
    keys, encodings and aliases checked). ``year`` must match the folder the file is
    in (``params/2025/goals.yaml`` is for 2025) and ``year``, when given
    (:func:`prioanalysis.config.params.check_year`).

    Raises
    ------
    ParamsError
        Naming the file and the key path.
    """
    goals = load_yaml_model(path, GoalsParams)
    check_year(path, goals.year, year)
    return goals
