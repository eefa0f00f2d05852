"""Parameter files: the selection criteria and the run settings (step 2.3.1).

Parameters live in YAML under ``params/<year>/``:

``criteria.yaml``
    The criteria, their families, directions, transforms, normalization, weights,
    missing-value policies and ordinal scales. Owned by the BU marketing VP.
``run.yaml``
    The run: input files, focus segments, scoring method, tie rule, screening gates,
    tier scheme, A–E grade rule and priority-matrix labels.

Both files are validated on load with pydantic models that forbid unknown keys: a
typo or a wrong type is a :class:`~prioanalysis.errors.ParamsError` that names the
file, the key path (``criteria[3].weight``) and what was expected — never a silent
default.

Weights policy
--------------
Weights must be non-negative. Within each group that must sum to 1 (all criteria,
or each family when ``family_weights`` is given, and the family weights themselves):

* a sum within ``1e-9`` of 1 is accepted as is;
* a sum within ``WEIGHT_SUM_TOLERANCE`` (0.01) of 1 — rounding, such as three
  weights of 0.333 — is normalised to 1 with a :class:`ParamsWarning` naming the
  file and the sum; the run records the normalised weights;
* anything further off is refused: it is almost certainly a typo (0.5 for 0.05).

Relative paths in ``run.yaml`` resolve against the project root, the folder that
holds ``params/``.
"""

from __future__ import annotations

import functools
import math
import warnings
from collections.abc import Mapping
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path
from typing import Any, Literal, TypeVar, cast

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from prioanalysis.config.vocabularies import DEFAULT_PIPELINE_STAGES, DEFAULT_REGIONS
from prioanalysis.config.yamlfile import read_yaml, shown
from prioanalysis.errors import InputError, ParamsError, ParamsWarning
from prioanalysis.methods.grades import PROMISED_MONTHS, Grade, TimedGrade, check_months
from prioanalysis.methods.spec import (
    DEFAULT_MISSING_POLICY,
    DEFAULT_NORMALIZATION,
    FAMILIES,
    MISSING_POLICIES,
    CriteriaSpec,
    Direction,
    Family,
    Method,
    MissingPolicy,
    Normalization,
    Transform,
)

__all__ = [
    "Criterion",
    "CriteriaParams",
    "RunParams",
    "Params",
    "ParamsWarning",
    "load_criteria",
    "load_run",
    "load_params",
    "load_yaml_model",
    "check_year",
    "StrictModel",
    "project_root",
    "MISSING_POLICIES",
    "DEFAULT_MISSING_POLICY",
    "FAMILIES",
    "WEIGHT_SUM_TOLERANCE",
    "criteria_spec",
]

# The method vocabulary (families, directions, normalizations, missing-value policies,
# transforms, scoring methods) lives in prioanalysis.methods.spec, beside the kernels
# that accept it; the models below validate against it. MISSING_POLICIES,
# DEFAULT_MISSING_POLICY and FAMILIES are re-exported here.

#: Largest distance of a weight sum from 1 that is normalised with a warning.
WEIGHT_SUM_TOLERANCE = 0.01


class StrictModel(BaseModel):
    """Base of every parameter model: unknown keys are errors, values are frozen."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


_Strict = StrictModel
_M = TypeVar("_M", bound=BaseModel)


# --------------------------------------------------------------------------- criteria
class Defaults(_Strict):
    """Defaults applied to every criterion that does not set its own value."""

    missing: MissingPolicy = DEFAULT_MISSING_POLICY
    normalization: Normalization = DEFAULT_NORMALIZATION


class Criterion(_Strict):
    """One selection criterion.

    Attributes
    ----------
    id : str
        Identifier used in tables (letters, digits, underscores).
    label : str
        Display label in any language (Chinese works in tables, workbooks, figures).
    family : {"attractiveness", "feasibility"}
        Attractiveness of the customer to us, or feasibility of serving it.
    direction : {"benefit", "cost"}
        ``cost``: lower raw values are better (e.g. payment days).
    weight : float
        Non-negative. Within its family when ``family_weights`` is given, else global.
    column : str, optional
        Column in the preliminary list; defaults to ``id``.
    scale : str, optional
        Name of an ordinal scale in ``scales`` mapping raw values (``AAA``, ``3``) to
        numbers. Values outside the scale are input errors.
    transform : {"none", "log1p"}
        Applied after the scale mapping and before normalization.
    winsorize : [lower, upper], optional
        Quantiles (0–1) at which values are clipped after the transform.
    normalization : {"minmax", "vector", "max", "sum"}, optional
        Defaults to ``defaults.normalization``.
    missing : policy, optional
        Missing-value policy; defaults to ``defaults.missing``.
    valid_range : [min, max], optional
        Raw values outside are input errors; ``null`` leaves a side open.
    weight_bounds : [lower, upper], optional
        What the experts are sure of: the weight lies between ``lower`` and
        ``upper`` (``0 <= lower <= upper <= 1``; equal values fix it). On the scale
        of ``weight`` — within the family when ``family_weights`` is given, else
        global — and must contain ``weight``. Used by the constrained weight draws
        of the robustness step (``robustness.sampler`` in ``run.yaml``); without
        bounds the weight is free between 0 and 1 there.
    """

    id: str = Field(pattern=r"^[A-Za-z_][A-Za-z0-9_]*$")
    label: str = Field(min_length=1)
    family: Family
    direction: Direction
    weight: float = Field(ge=0.0, allow_inf_nan=False)
    column: str | None = None
    scale: str | None = None
    transform: Transform = "none"
    winsorize: tuple[float, float] | None = None
    normalization: Normalization | None = None
    missing: MissingPolicy | None = None
    valid_range: tuple[float | None, float | None] | None = None
    weight_bounds: tuple[float, float] | None = None
    description: str = ""

    @field_validator("weight_bounds")
    @classmethod
    def _check_weight_bounds(cls, v: tuple[float, float] | None) -> tuple[float, float] | None:
        if v is not None and not (0.0 <= v[0] <= v[1] <= 1.0):
            raise ValueError("expected [lower, upper] with 0 <= lower <= upper <= 1")
        return v

    @field_validator("winsorize")
    @classmethod
    def _check_winsorize(cls, v: tuple[float, float] | None) -> tuple[float, float] | None:
        if v is not None and not (0.0 <= v[0] < v[1] <= 1.0):
            raise ValueError("expected [lower, upper] quantiles with 0 <= lower < upper <= 1")
        return v

    @property
    def source(self) -> str:
        """Column of the preliminary list that holds this criterion."""
        return self.column or self.id


def _as_rescaled(weight: float, group: list[float]) -> float | None:
    """A weight as the weights policy will record it: divided by its group's sum.

    None when that sum is further than ``WEIGHT_SUM_TOLERANCE`` from 1: the weights
    policy refuses the file then, with its own message.
    """
    total = float(sum(group))
    if total <= 0 or abs(total - 1.0) > WEIGHT_SUM_TOLERANCE:
        return None
    return weight / total


class CriteriaParams(_Strict):
    """The content of ``criteria.yaml``.

    What the experts are sure of about the weights (used by the constrained weight
    draws of the robustness step; see ``robustness.sampler`` in ``run.yaml``):

    * ``weight_bounds: [lower, upper]`` on a criterion (see :class:`Criterion`);
    * ``family_weight_bounds``: family → ``[lower, upper]`` of its family weight
      (with ``family_weights`` only);
    * ``weight_order``: a list of ``"a >= b"`` (or chains ``"a >= b >= c"``): the
      weight of ``a`` is at least that of ``b``. With ``family_weights`` the
      weights compared are within-family, so ``a`` and ``b`` must be in one family.

    Bounds and orders are on the scale of the weights they constrain and must hold
    for the weights written in the file (after the rescaling of the weights
    policy): the stated weights are then one admissible set, so the constraints
    can never be infeasible. Unknown ids are refused.
    """

    version: str = Field(min_length=1)
    description: str = ""
    family_weights: dict[Family, float] | None = None
    family_weight_bounds: dict[Family, tuple[float, float]] | None = None
    weight_order: list[str] = []
    defaults: Defaults = Defaults()
    scales: dict[str, dict[str, float]] = {}
    criteria: list[Criterion] = Field(min_length=1)

    @field_validator("family_weight_bounds")
    @classmethod
    def _check_family_bounds(
        cls, v: dict[Family, tuple[float, float]] | None
    ) -> dict[Family, tuple[float, float]] | None:
        for fam, (lo, hi) in (v or {}).items():
            if not (0.0 <= lo <= hi <= 1.0):
                raise ValueError(f"{fam}: expected [lower, upper] with 0 <= lower <= upper <= 1")
        return v

    @field_validator("scales", mode="before")
    @classmethod
    def _scale_keys_as_text(cls, v: Any) -> Any:
        # YAML reads ``1: 1`` with an integer key; ordinal values are matched as text.
        if isinstance(v, Mapping):
            return {
                name: ({str(k): val for k, val in m.items()} if isinstance(m, Mapping) else m) for name, m in v.items()
            }
        return v

    @model_validator(mode="after")
    def _check_consistency(self) -> CriteriaParams:
        ids = [c.id for c in self.criteria]
        dupes = sorted({i for i in ids if ids.count(i) > 1})
        if dupes:
            raise ValueError(f"criterion ids must be unique; repeated: {dupes}")
        for i, c in enumerate(self.criteria):
            if c.scale is not None and c.scale not in self.scales:
                raise ValueError(
                    f"criteria[{i}] ({c.id}): scale '{c.scale}' is not defined under "
                    f"'scales' (defined: {sorted(self.scales)})"
                )
        if self.family_weights is not None:
            for fam in {c.family for c in self.criteria}:
                if fam not in self.family_weights:
                    raise ValueError(f"family_weights has no weight for family '{fam}'")
        self._check_weight_constraints()
        return self

    def _check_weight_constraints(self) -> None:
        """Bounds contain the weights, orders name known criteria and hold for them."""
        fw = self.family_weights
        if self.family_weight_bounds is not None:
            if fw is None:
                raise ValueError("family_weight_bounds needs family_weights")
            for fam, (lo, hi) in self.family_weight_bounds.items():
                if fam not in fw:
                    raise ValueError(f"family_weight_bounds.{fam}: family_weights has no weight for it")
                w = _as_rescaled(fw[fam], list(fw.values()))
                if w is not None and not (lo - 1e-9 <= w <= hi + 1e-9):
                    raise ValueError(
                        f"family_weight_bounds.{fam}: [{lo:g}, {hi:g}] does not contain the family weight {w:.6g}"
                    )
        groups: dict[str, list[float]] = {}
        for c in self.criteria:
            groups.setdefault(c.family if fw is not None else "", []).append(c.weight)
        effective = {c.id: _as_rescaled(c.weight, groups[c.family if fw is not None else ""]) for c in self.criteria}
        for i, c in enumerate(self.criteria):
            if c.weight_bounds is not None:
                lo, hi = c.weight_bounds
                w = effective[c.id]
                if w is not None and not (lo - 1e-9 <= w <= hi + 1e-9):
                    raise ValueError(
                        f"criteria[{i}] ({c.id}): weight_bounds [{lo:g}, {hi:g}] do not contain its weight {w:.6g}"
                    )
        for i, a, b in self._parsed_orders():
            where = f"weight_order[{i}] ({self.weight_order[i]!r})"
            unknown = [x for x in (a, b) if x not in effective]
            if unknown:
                raise ValueError(f"{where}: unknown criterion {unknown[0]!r}; the criteria are {self.ids}")
            if a == b:
                raise ValueError(f"{where}: compares {a!r} with itself")
            fa, fb = self.by_id(a).family, self.by_id(b).family
            if fw is not None and fa != fb:
                raise ValueError(
                    f"{where}: with family_weights the weights are within-family; {a} ({fa}) and {b} ({fb}) "
                    "are in different families"
                )
            wa, wb = effective[a], effective[b]
            if wa is not None and wb is not None and wa < wb - 1e-9:
                raise ValueError(f"{where}: the weights written contradict it ({a} {wa:.6g} < {b} {wb:.6g})")

    def _parsed_orders(self) -> list[tuple[int, str, str]]:
        """``(entry, a, b)`` for every ``a >= b`` of ``weight_order`` (chains split)."""
        pairs: list[tuple[int, str, str]] = []
        for i, text in enumerate(self.weight_order):
            parts = [p.strip() for p in text.split(">=")]
            if len(parts) < 2 or not all(parts) or any("<" in p or ">" in p or "=" in p for p in parts):
                raise ValueError(f"weight_order[{i}] ({text!r}): expected 'a >= b' (or 'a >= b >= c'), criterion ids")
            pairs += [(i, a, b) for a, b in pairwise(parts)]
        return pairs

    # convenience ------------------------------------------------------------------
    def policy(self, c: Criterion) -> str:
        """Missing-value policy in force for criterion ``c``."""
        return c.missing or self.defaults.missing

    def normalization(self, c: Criterion) -> str:
        """Normalization in force for criterion ``c``."""
        return c.normalization or self.defaults.normalization

    @property
    def ids(self) -> list[str]:
        """Criterion ids in file order."""
        return [c.id for c in self.criteria]

    def by_id(self, cid: str) -> Criterion:
        """The criterion with id ``cid``."""
        for c in self.criteria:
            if c.id == cid:
                return c
        raise KeyError(cid)

    def global_weights(self) -> dict[str, float]:
        """Global weights (sum 1): family weight × within-family weight when
        ``family_weights`` is given, else the criterion weights as written.

        ``criteria_spec(self).weights``; a run reads them from ``Params.spec``.
        """
        return dict(criteria_spec(self).weights)

    def family_totals(self) -> dict[str, float]:
        """Total global weight of each family (``criteria_spec(self).family_totals()``)."""
        return criteria_spec(self).family_totals()

    @property
    def weight_orders(self) -> list[tuple[str, str]]:
        """``weight_order`` as pairs ``(a, b)``: the weight of ``a`` is at least that of ``b``."""
        return [(a, b) for _, a, b in self._parsed_orders()]

    @property
    def states_weight_constraints(self) -> bool:
        """True when the file states weight bounds or orders."""
        return bool(
            self.weight_order or self.family_weight_bounds or any(c.weight_bounds is not None for c in self.criteria)
        )


# --------------------------------------------------------------------------- run
class Inputs(_Strict):
    """Input files of the run (relative paths resolve against the project root)."""

    preliminary_list: str
    owners: str | None = None


class Segment(_Strict):
    """A focus market segment chosen by the BU.

    ``max_records``: the most preliminary records the segment collects — the cap of its
    collection plan (:mod:`prioanalysis.methods.collection`); no cap when absent.
    """

    label: str
    max_records: int | None = Field(default=None, ge=1)


class Collection(_Strict):
    """The collection plan's parameters (:mod:`prioanalysis.methods.collection`: how
    many preliminary records each segment should collect, from its quota and last
    year's conversion).

    ``growth``: the deals wanted over last year's won deals of the segment's targets
    (default 0.10 = 10 % more); ``prior_strength``: the weight, in targets, of the
    conversion of all targets in each segment's conversion (default 10); ``wins``:
    segment → the deals wanted, instead of the growth rule.
    """

    growth: float = Field(default=0.10, ge=-1.0, allow_inf_nan=False)
    prior_strength: float = Field(default=10.0, ge=0.0, allow_inf_nan=False)
    wins: dict[str, float] = {}

    @field_validator("wins")
    @classmethod
    def _positive(cls, v: dict[str, float]) -> dict[str, float]:
        bad = {k: x for k, x in v.items() if not (math.isfinite(x) and x > 0)}
        if bad:
            raise ValueError(f"deals wanted must be numbers > 0 (bad: {bad})")
        return v


class Scoring(_Strict):
    """Scoring method and tie rule.

    ``tie_rule``: ``min`` (competition ranking "1224": tied customers share the best
    rank, the default), ``dense`` ("1223") or ``first`` (no shared ranks: ties are
    broken by ``tie_breakers``, then by customer id). Scores are rounded to
    ``round_decimals`` decimals before ranking so that floating-point noise never
    decides a tie. ``normalization`` overrides the criteria's normalization for the
    whole matrix; when absent the weighted sum uses each criterion's own and TOPSIS
    uses vector normalization (Hwang & Yoon). The order of rows in every table is score descending, then the
    tie breakers, then customer id — deterministic for every rule.
    """

    method: Method = "weighted_sum"
    normalization: Normalization | None = None
    tie_rule: Literal["min", "dense", "first"] = "min"
    tie_breakers: list[str] = ["deal_size"]
    round_decimals: int = Field(default=10, ge=0, le=15)


class Intake(_Strict):
    """How the preliminary list is read and screened before scoring.

    ``multi_segment_rule`` resolves a customer proposed by several segments:
    ``most_complete`` keeps the claim with the most criteria filled in, ties going to
    the segment listed first under ``segments``; ``segment_order`` keeps the claim of
    the segment listed first. Every claim is reported in ``multi_segment_claims``.
    Customers with fewer than ``min_completeness`` of the scored criteria filled in
    are excluded from scoring ("collect the data first") and listed with the reason.

    ``conflicting_facts``: claims of one customer by several segments that disagree
    on a fact both give (a criterion, the need status, the months to close, a gate
    or tie-breaker column, the region or the pipeline stage) are refused naming the
    customer, the rows and the columns (``error``, the default), or resolved by
    ``multi_segment_rule`` with the conflicting columns listed in the ``conflicts``
    column of ``multi_segment_claims`` (``resolve``). A value given by one claim and
    missing from the other is not a conflict.

    ``regions`` and ``pipeline_stages``: the words the list's ``region`` and
    ``pipeline_stage`` columns may use (case ignored); any other word is refused,
    naming the rows. The defaults are those of
    :mod:`prioanalysis.config.vocabularies`.
    """

    multi_segment_rule: Literal["most_complete", "segment_order"] = "most_complete"
    min_completeness: float = Field(default=0.5, ge=0.0, le=1.0)
    conflicting_facts: Literal["error", "resolve"] = "error"
    need_status_column: str = "need_status"
    months_column: str = "expected_months_to_close"
    id_column: str = "customer_id"
    name_column: str = "customer_name"
    segment_column: str = "segment"
    regions: tuple[str, ...] = Field(default=DEFAULT_REGIONS, min_length=1)
    pipeline_stages: tuple[str, ...] = Field(default=DEFAULT_PIPELINE_STAGES, min_length=1)


class Gate(_Strict):
    """A screening gate: customers failing it are "not targeted" with ``reason``.

    Give either ``min`` (the lowest acceptable value; for a column with an ordinal
    scale, a scale key such as ``BB``), ``max``, or ``not_in`` (values that fail).
    ``missing``: what a missing value does — ``pass`` (default) or ``fail``.
    """

    id: str = Field(pattern=r"^[A-Za-z_][A-Za-z0-9_]*$")
    column: str
    reason: str
    min: float | str | None = None
    max: float | str | None = None
    not_in: list[str] | None = None
    missing: Literal["pass", "fail"] = "pass"

    @model_validator(mode="after")
    def _one_rule(self) -> Gate:
        given = [k for k in ("min", "max", "not_in") if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValueError(f"a gate needs exactly one of min, max, not_in (got {given or 'none'})")
        return self


class Quota(_Strict):
    """Quota tiers: ``kind: share`` (of each group's eligible customers) or
    ``kind: count``; one value per tier, applied within each ``by`` group.
    Shares become cumulative cuts ``floor((s_1 + … + s_k) × n + 0.5)`` — rounding
    the running total, so the tiers add up to the rounded total share. Customers
    tied at a cut are never split: all of them take the better tier.
    """

    kind: Literal["share", "count"] = "share"
    by: Literal["segment", "all"] = "segment"
    values: list[float] = Field(min_length=1)

    @field_validator("values")
    @classmethod
    def _non_negative(cls, v: list[float]) -> list[float]:
        if any((x < 0 or not math.isfinite(x)) for x in v):
            raise ValueError("quota values must be finite and non-negative")
        return v


class Tiers(_Strict):
    """Importance tiers. ``scheme: quota`` uses ``quota``; ``scheme: threshold`` uses
    ``thresholds`` (descending minimum scores, one per tier). Customers below the last
    cut are ``not_targeted`` with the reason "below the tier cut-off".
    """

    scheme: Literal["quota", "threshold"] = "quota"
    names: list[str] = Field(min_length=1)
    not_targeted: str = "not targeted"
    quota: Quota | None = None
    thresholds: list[float] | None = None

    @model_validator(mode="after")
    def _scheme_complete(self) -> Tiers:
        n = len(self.names)
        if len(set(self.names)) != n or self.not_targeted in self.names:
            raise ValueError("tier names must be unique and differ from not_targeted")
        if self.scheme == "quota":
            if self.quota is None:
                raise ValueError("scheme 'quota' needs a 'quota' section")
            if len(self.quota.values) != n:
                raise ValueError(f"quota.values needs {n} values, one per tier (got {len(self.quota.values)})")
            if self.quota.kind == "share" and sum(self.quota.values) > 1 + 1e-9:
                raise ValueError("quota shares must sum to at most 1")
        else:
            if self.thresholds is None or len(self.thresholds) != n:
                raise ValueError(f"scheme 'threshold' needs 'thresholds' with {n} values")
            if any(a < b for a, b in zip(self.thresholds, self.thresholds[1:])):
                raise ValueError("thresholds must be in descending order")
        return self


class Grades(_Strict):
    """The A–E grade (docs/process.md): A/B/C = clear need ("target" status) and expected to
    close within ``months.A``/``B``/``C`` months; D = potential need, or a clear need
    further away (or with no expected date: flagged); E = no need ("dead").
    """

    months: dict[TimedGrade, float] = dict(cast("Mapping[TimedGrade, float]", PROMISED_MONTHS))
    target_status: str = "target"
    potential_status: str = "potential"
    dead_status: str = "dead"

    @model_validator(mode="after")
    def _increasing(self) -> Grades:
        try:
            check_months(cast("Mapping[str, float]", self.months))
        except InputError as exc:
            raise ValueError(str(exc)) from None
        return self


class Quadrant(_Strict):
    """Label and recommended action of one priority-matrix quadrant."""

    label: str
    action: str


class PriorityMatrix(_Strict):
    """Importance (tier) × urgency (grade) → four quadrants with an action each."""

    important_tiers: list[str]
    urgent_grades: list[Grade] = ["A", "B"]
    important_urgent: Quadrant
    important_not_urgent: Quadrant
    other_urgent: Quadrant
    other_not_urgent: Quadrant
    not_targeted: Quadrant


class Robustness(_Strict):
    """How sure each tier is: weights drawn ``n_draws`` times rescore the list; a
    customer whose probability of keeping its tier is below ``review_threshold`` is
    flagged "review" in the target list.

    ``sampler`` chooses the draws behind the target list's ``p_keep_tier``:

    * ``dirichlet`` (default): around the criteria weights, a Dirichlet with
      ``concentration`` (larger = tighter, 100 ≈ each weight ± a tenth of itself for
      a weight of 0.5);
    * ``constrained``: uniformly among the weights that the experts' bounds and
      orders in ``criteria.yaml`` allow (``weight_bounds``, ``family_weight_bounds``,
      ``weight_order``), by hit-and-run with ``chains`` chains, ``burn_in`` steps
      before the first kept draw and ``thinning`` steps between kept draws. Needs
      bounds or orders in ``criteria.yaml``.

    Whatever the sampler, when ``criteria.yaml`` states bounds or orders the
    robustness notebook shows the tier probabilities under both samplers side by
    side; the default keeps the results of a file without them as they were.
    """

    enabled: bool = True
    n_draws: int = Field(default=1000, ge=10, le=100_000)
    sampler: Literal["dirichlet", "constrained"] = "dirichlet"
    concentration: float = Field(default=100.0, gt=0)
    chains: int = Field(default=100, ge=1, le=10_000)
    burn_in: int = Field(default=500, ge=0, le=1_000_000)
    thinning: int = Field(default=100, ge=1, le=100_000)
    review_threshold: float = Field(default=0.8, ge=0.0, le=1.0)


class Assignment(_Strict):
    """Owner assignment: maximise total priority (score) within the owners' capacity;
    ``keep_existing`` and ``region_bonus`` are bonuses in score units; ``match``:
    ``segment`` (owners serve their own segment) or ``any``.

    The tier management principles (:mod:`prioanalysis.methods.assignment`):
    ``service_levels`` (tier name → units of work one customer of the tier takes a
    year, every tier, best first) in ``unit`` (its name, e.g. 拜访次数/年), and the
    owners' capacity in the same unit — the owners' column ``capacity_column``, or
    without one what each owner's tier slots amount to (slots × service level). With
    them (``capacity: workload``, the default when service levels are given) capacity
    flows between tiers by priority: the best tier uses any owner's capacity, the
    next ones what is left. ``capacity: tier_slots`` (the default without service
    levels) keeps one fixed capacity per tier (the owners' ``capacity_<tier>`` columns).
    """

    keep_existing: float = Field(default=0.2, ge=0)
    region_bonus: float = Field(default=0.1, ge=0)
    match: Literal["segment", "any"] = "segment"
    cross_segment_penalty: float = Field(default=0.5, ge=0)
    capacity: Literal["workload", "tier_slots"] | None = None
    unit: str | None = None
    service_levels: dict[str, float] | None = None
    capacity_column: str | None = None

    @model_validator(mode="after")
    def _levels_complete(self) -> Assignment:
        if self.service_levels is not None:
            bad = {k: v for k, v in self.service_levels.items() if not (math.isfinite(v) and v > 0)}
            if bad:
                raise ValueError(f"service_levels must be numbers > 0 (bad: {bad})")
            if not (self.unit or "").strip():
                raise ValueError("service_levels need 'unit': the name of their unit (e.g. visits per year)")
        if self.capacity == "workload" and self.service_levels is None:
            raise ValueError("capacity 'workload' needs service_levels (tier name -> units per customer)")
        return self

    @property
    def mode(self) -> str:
        """``workload`` or ``tier_slots``: ``capacity``, else ``workload`` when service levels are given."""
        return self.capacity or ("workload" if self.service_levels is not None else "tier_slots")


class Report(_Strict):
    """Report settings."""

    title: str = "Annual target customer list"
    top_n: int = Field(default=10, ge=1)
    language: Literal["zh", "en"] = "en"


class RunParams(_Strict):
    """The content of ``run.yaml``."""

    year: int = Field(ge=2000, le=2100)
    bu: str = ""
    inputs: Inputs
    segments: dict[str, Segment] = Field(min_length=1)
    intake: Intake = Intake()
    scoring: Scoring = Scoring()
    gates: list[Gate] = []
    tiers: Tiers
    grades: Grades = Grades()
    priority_matrix: PriorityMatrix
    robustness: Robustness = Robustness()
    assignment: Assignment = Assignment()
    collection: Collection = Collection()
    report: Report = Report()
    seed: int = 0

    @model_validator(mode="after")
    def _collection_segments_known(self) -> RunParams:
        unknown = [s for s in self.collection.wins if s not in self.segments]
        if unknown:
            raise ValueError(f"collection.wins names unknown segments {unknown}; segments are {list(self.segments)}")
        return self

    @model_validator(mode="after")
    def _matrix_tiers_known(self) -> RunParams:
        unknown = [t for t in self.priority_matrix.important_tiers if t not in self.tiers.names]
        if unknown:
            raise ValueError(
                f"priority_matrix.important_tiers names unknown tiers {unknown}; tiers are {self.tiers.names}"
            )
        ids = [g.id for g in self.gates]
        if len(set(ids)) != len(ids):
            raise ValueError("gate ids must be unique")
        levels = self.assignment.service_levels
        if levels is not None and list(levels) != list(self.tiers.names):
            raise ValueError(
                f"assignment.service_levels names the tiers {list(levels)}; give one per tier, best first: "
                f"{self.tiers.names}"
            )
        return self


# --------------------------------------------------------------------------- the spec
def criteria_spec(
    criteria: CriteriaParams,
    method: str = "weighted_sum",
    normalization: str | None = None,
) -> CriteriaSpec:
    """The criteria with every default resolved, for the kernels.

    Parameters
    ----------
    criteria : CriteriaParams
        The criteria file.
    method : {"weighted_sum", "topsis"}, default "weighted_sum"
        The scoring method (``scoring.method`` of ``run.yaml``).
    normalization : str, optional
        ``scoring.normalization`` of ``run.yaml``: one normalization for the whole
        matrix. Without it TOPSIS uses vector normalization and the weighted sum each
        criterion's own (``defaults.normalization`` when it names none).

    Returns
    -------
    prioanalysis.methods.spec.CriteriaSpec

    Raises
    ------
    ParamsError
        A combination the kernels refuse (TOPSIS with ``max`` or ``sum``).

    Examples
    --------
    >>> cp = CriteriaParams.model_validate({"version": "x", "criteria": [
    ...     {"id": "a", "label": "A", "family": "attractiveness", "direction": "benefit",
    ...      "weight": 1.0, "normalization": "max"}]})
    >>> criteria_spec(cp).normalizations, criteria_spec(cp, "topsis").normalizations
    ({'a': 'max'}, {'a': 'vector'})
    """
    try:
        return CriteriaSpec.from_records(
            (c.model_dump() for c in criteria.criteria),
            method=method,
            normalization=normalization,
            family_weights=None if criteria.family_weights is None else dict(criteria.family_weights.items()),
            default_policy=criteria.defaults.missing,
            default_normalization=criteria.defaults.normalization,
            version=criteria.version,
        )
    except InputError as exc:
        raise ParamsError(f"criteria {criteria.version!r} with scoring method {method!r}: {exc}") from None


# --------------------------------------------------------------------------- loading
@dataclass(frozen=True)
class Params:
    """Criteria and run parameters loaded together from one ``params/<year>`` folder.

    ``spec`` is the criteria spec of the run (built once, on first use).
    """

    criteria: CriteriaParams
    run: RunParams
    directory: Path
    criteria_path: Path
    run_path: Path
    #: ``decisions.yaml`` of the folder, a ``prioanalysis.config.decisions.DecisionsParams``
    #: (None: no decisions); set by :func:`prioanalysis.config.decisions.with_decisions`.
    decisions: Any = None
    decisions_path: Path | None = None

    @functools.cached_property
    def spec(self) -> CriteriaSpec:
        """The run's :class:`~prioanalysis.methods.spec.CriteriaSpec`.

        The criteria with the policies and the normalizations of ``scoring.method``
        resolved.
        """
        try:
            return criteria_spec(self.criteria, self.run.scoring.method, self.run.scoring.normalization)
        except ParamsError as exc:
            raise ParamsError(f"{self.run_path}: {exc}") from None

    @property
    def root(self) -> Path:
        """Project root: relative input paths resolve against it."""
        return project_root(self.directory)

    def resolve(self, path: str | Path) -> Path:
        """Resolve a path from ``run.yaml`` against the project root."""
        p = Path(path)
        return p if p.is_absolute() else (self.root / p).resolve()


def project_root(params_dir: str | Path) -> Path:
    """The folder holding ``params/`` (or the params folder's parent's parent)."""
    p = Path(params_dir).resolve()
    for parent in (p, *p.parents):
        if parent.name == "params":
            return parent.parent
    return p.parent


def _loc(loc: tuple[Any, ...]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out or "(top level)"


#: Problems listed in one message before "and N more".
_MAX_PROBLEMS = 20


def _format_errors(path: Path, err: ValidationError, doc: Any) -> str:
    lines = [f"{path}: invalid parameters ({err.error_count()} problem(s)):"]
    for n, e in enumerate(err.errors(include_url=False)):
        if n == _MAX_PROBLEMS:
            lines.append(f"  - and {err.error_count() - n} more")
            break
        loc = tuple(p for p in e["loc"] if not (isinstance(p, str) and p.startswith("function-")))
        # pydantic adds the literal/union branch names to the location; drop them.
        loc = tuple(p for p in loc if p not in ("str", "float", "int", "literal[...]"))
        key = _loc(loc)
        if len(key) > 120:
            key = key[:117] + "..."
        msg = e["msg"]
        if e["type"] == "extra_forbidden":
            msg = "unknown key (check the spelling; unknown keys are not ignored)"
        elif e["type"] == "missing":
            msg = "required key is missing"
        got = e.get("input")
        got_txt = "" if e["type"] in ("missing",) or isinstance(got, dict) else f" (got {shown(got)})"
        if len(msg) > 300:  # a validator's message may quote the input
            msg = msg[:297] + "..."
        lines.append(f"  - {key}: {msg}{got_txt}")
    return "\n".join(lines)


def _read_yaml(path: Path) -> Any:
    doc = read_yaml(path, "parameter file")
    if not isinstance(doc, dict):
        raise ParamsError(f"{path}: expected a mapping of keys at the top level")
    return doc


def _check_sum(values: list[float], what: str, path: Path) -> list[float]:
    total = float(sum(values))
    if abs(total - 1.0) <= 1e-9:
        return values
    if total > 0 and abs(total - 1.0) <= WEIGHT_SUM_TOLERANCE:
        warnings.warn(
            f"{path}: {what} sum to {total:.6g}; rescaled to sum to 1",
            ParamsWarning,
            stacklevel=3,
        )
        return [v / total for v in values]
    raise ParamsError(
        f"{path}: {what} must sum to 1 (got {total:.6g}); sums off by more than "
        f"{WEIGHT_SUM_TOLERANCE} are refused as a likely typo"
    )


def _normalise_weights(doc: dict[str, Any], path: Path) -> dict[str, Any]:
    crit = doc["criteria"]
    if doc.get("family_weights") is not None:
        fw = doc["family_weights"]
        fams = list(fw)
        new = _check_sum([float(fw[f]) for f in fams], "family_weights", path)
        doc["family_weights"] = dict(zip(fams, new))
        for fam in fams:
            idx = [i for i, c in enumerate(crit) if c["family"] == fam]
            if not idx:
                continue
            vals = _check_sum([crit[i]["weight"] for i in idx], f"the weights of family '{fam}'", path)
            for i, v in zip(idx, vals):
                crit[i] = {**crit[i], "weight": v}
    else:
        vals = _check_sum([c["weight"] for c in crit], "criteria weights", path)
        doc["criteria"] = [{**c, "weight": v} for c, v in zip(crit, vals)]
    return doc


def load_yaml_model(path: str | Path, model: type[_M]) -> _M:
    """Load a YAML file into a strict pydantic model (unknown keys are errors).

    The shared loader of every parameter file, so that each one reports problems
    the same way: the file, the key path and what was expected.

    Parameters
    ----------
    path : str or Path
        YAML file.
    model : pydantic model class
        Should forbid extra keys (subclass :class:`StrictModel`).

    Raises
    ------
    ParamsError
    """
    path = Path(path)
    raw = _read_yaml(path)
    try:
        return model.model_validate(raw)
    except ValidationError as err:
        raise ParamsError(_format_errors(path, err, raw)) from None


def load_criteria(path: str | Path) -> CriteriaParams:
    """Load and validate a criteria file.

    Parameters
    ----------
    path : str or Path
        A ``criteria.yaml`` file.

    Returns
    -------
    CriteriaParams
        Validated criteria with weights summing to 1 (see the module's weights policy).

    Raises
    ------
    ParamsError
        Unknown key, wrong type, bad value or weights refused; the message names the
        file and the key path.

    Examples
    --------
    >>> from prioanalysis.config.params import load_criteria
    >>> crit = load_criteria("params/2026/criteria.yaml")  # doctest: +SKIP
    >>> round(sum(crit.global_weights().values()), 9)  # doctest: +SKIP
    1.0
    """
    path = Path(path)
    raw = _read_yaml(path)
    try:
        parsed = CriteriaParams.model_validate(raw)
    except ValidationError as err:
        raise ParamsError(_format_errors(path, err, raw)) from None
    doc = _normalise_weights(parsed.model_dump(), path)
    return CriteriaParams.model_validate(doc)


def load_run(path: str | Path) -> RunParams:
    """Load and validate a run file (``run.yaml``).

    Raises
    ------
    ParamsError
        Unknown key, wrong type or bad value; the message names the file and key path.
    """
    return load_yaml_model(path, RunParams)


def check_year(path: str | Path, declared: int, expected: int | None = None) -> None:
    """Check the ``year`` a parameter file declares against its folder and the year asked for.

    A file in a folder named by a year (``params/2026/run.yaml``) must declare that
    year; with ``expected`` (the command line's ``--year``) it must declare that one.

    Parameters
    ----------
    path : str or Path
        The file (named in the message; its folder's name is the folder year).
    declared : int
        The file's ``year``.
    expected : int, optional
        The year the run was asked for.

    Raises
    ------
    ParamsError
        Naming the file, the key ``year`` and both years.

    Examples
    --------
    >>> check_year("params/2026/run.yaml", 2026, 2026)
    >>> check_year("params/2026/run.yaml", 2025)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    prioanalysis.errors.ParamsError: params/2026/run.yaml: year: 2025 does not match its folder params/2026 ...
    >>> check_year("params/2026/run.yaml", 2026, 2025)
    Traceback (most recent call last):
    ...
    prioanalysis.errors.ParamsError: params/2026/run.yaml: year: 2026 but the year asked for is 2025
    """
    p = Path(path)
    folder = p.parent.name
    if folder.isdigit() and len(folder) == 4 and int(folder) != declared:
        raise ParamsError(
            f"{p}: year: {declared} does not match its folder {p.parent} "
            "(a file under params/<year> must be for that year)"
        )
    if expected is not None and expected != declared:
        raise ParamsError(f"{p}: year: {declared} but the year asked for is {expected}")


def load_params(params_dir: str | Path, year: int | None = None) -> Params:
    """Load ``criteria.yaml`` and ``run.yaml`` from a ``params/<year>`` folder and
    check them against each other.

    The folder's ``decisions.yaml`` is not read here: the cycle adds it with
    :func:`prioanalysis.config.decisions.with_decisions` (the runner, the ranking
    notebook's set-up, the review's recomputed lists); parameters without it rank by
    the rule alone — e.g. a what-if on another list, whose customers the year's
    decisions do not name.

    Parameters
    ----------
    params_dir : str or Path
        Folder holding both files.
    year : int, optional
        The year asked for (``--year``): ``year`` of ``run.yaml`` must equal it. A
        folder named by a year must hold a ``run.yaml`` of that year in any case
        (:func:`check_year`).

    Returns
    -------
    Params

    Raises
    ------
    ParamsError
        Either file invalid, a year that does not match, or a gate with a text
        ``min``/``max`` on a column that has no ordinal scale or a value not on that
        scale. (Gate and tie-breaker columns are checked against the preliminary list
        at intake.)
    """
    d = Path(params_dir).resolve()
    if not d.is_dir():
        raise ParamsError(f"{d}: parameter folder not found")
    cpath, rpath = d / "criteria.yaml", d / "run.yaml"
    criteria = load_criteria(cpath)
    run = load_run(rpath)
    check_year(rpath, run.year, year)
    for i, g in enumerate(run.gates):
        if isinstance(g.min, str) or isinstance(g.max, str):
            crit = next((c for c in criteria.criteria if c.source == g.column), None)
            if crit is None or crit.scale is None:
                raise ParamsError(
                    f"{rpath}: gates[{i}] ({g.id}): a text min/max needs column '{g.column}' "
                    "to be a criterion with an ordinal scale in criteria.yaml"
                )
            bound = g.min if g.min is not None else g.max
            if str(bound) not in criteria.scales[crit.scale]:
                raise ParamsError(
                    f"{rpath}: gates[{i}] ({g.id}): '{bound}' is not on scale '{crit.scale}' "
                    f"(expected one of {list(criteria.scales[crit.scale])})"
                )
    return Params(criteria=criteria, run=run, directory=d, criteria_path=cpath, run_path=rpath)
