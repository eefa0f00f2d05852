"""``params/<year>/inquiries.yaml``: the monthly inquiry report's parameters (step 2.3.5).

The model of the file (:class:`InquiryParams`, strict: unknown keys are errors) and
its loader. The file also sets the vocabularies of the inquiry log: ``decisions``
(handling decisions, in funnel order, with their report labels), ``channels`` and,
optionally, ``need_categories`` and ``regions``. The log's readers — the file reader
:func:`prioanalysis.inputs.inquiries.read_inquiries` and the customer database —
accept exactly these words; a list the file leaves out falls back to its default in
:mod:`prioanalysis.config.vocabularies`.
"""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator, model_validator

from prioanalysis.config.params import StrictModel, load_yaml_model
from prioanalysis.config.vocabularies import (
    DEFAULT_CHANNELS,
    DEFAULT_DECISIONS,
    DEFAULT_NEED_CATEGORIES,
    DEFAULT_REGIONS,
)

__all__ = [
    "InquiryInputs",
    "FirstResponse",
    "FollowUpBucket",
    "InquiryScoring",
    "InquiryParams",
    "InquiryVocabulary",
    "DEFAULT_VOCABULARY",
    "load_inquiry_params",
]


class InquiryInputs(StrictModel):
    """Where the inquiry log is. ``{year}`` stands for the calendar year of the month
    reported; relative paths resolve against the project root.
    """

    inquiries: str = "data/sample/inquiries_{year}.csv"


class FirstResponse(StrictModel):
    """First-response service level.

    ``sla_hours``: an inquiry is answered in time when its first response came within
    this many hours. ``quantiles``: the response-time quantiles reported (median and
    90th percentile by default). ``missing``: an inquiry with no recorded response
    time is left out of the share (``exclude``) or counted as a breach (``breach``).
    """

    sla_hours: float = Field(gt=0, allow_inf_nan=False)
    quantiles: list[float] = [0.5, 0.9]
    missing: Literal["exclude", "breach"] = "exclude"

    @field_validator("quantiles")
    @classmethod
    def _in_unit(cls, v: list[float]) -> list[float]:
        if not v or any(not 0 < q < 1 for q in v) or list(v) != sorted(set(v)):
            raise ValueError("expected increasing quantiles strictly between 0 and 1")
        return v


class FollowUpBucket(StrictModel):
    """A follow-up depth bucket: inquiries with ``min <= follow_ups <= max``
    (``max: null`` = no upper end). ``benchmark_share`` is the share of all closed
    sales that close at this depth by the process's rule of thumb (2%, 3%, 5%, 10%, 80%;
    ``docs/process.md``).
    """

    label: str = Field(min_length=1)
    min: int = Field(ge=0)
    max: int | None = None
    benchmark_share: float | None = Field(default=None, ge=0, le=1)

    @model_validator(mode="after")
    def _ordered(self) -> FollowUpBucket:
        if self.max is not None and self.max < self.min:
            raise ValueError(f"bucket '{self.label}': max ({self.max}) is below min ({self.min})")
        return self


class InquiryScoring(StrictModel):
    """How inquiring customers are scored against the list
    (:mod:`prioanalysis.steps.inquiries`).

    ``min_completeness``: share of the criteria that must be filled in for a
    proposal; ``null`` takes ``intake.min_completeness`` of ``run.yaml``.
    ``apply_gates``: apply the screening gates of ``run.yaml`` whose column the log
    has. ``cut_by``: compare with the tier cuts of the inquiry's ``segment`` or of the
    whole list (``all``); ``null`` follows ``tiers.quota.by`` (``all`` for threshold
    tiers).
    """

    min_completeness: float | None = Field(default=None, ge=0, le=1)
    apply_gates: bool = True
    cut_by: Literal["segment", "all"] | None = None


class InquiryVocabulary(StrictModel):
    """The words the inquiry log may use in its coded columns.

    Examples
    --------
    >>> DEFAULT_VOCABULARY.channels
    ('phone', 'web', 'email', 'exhibition', 'referral')
    """

    channels: tuple[str, ...] = DEFAULT_CHANNELS
    decisions: tuple[str, ...] = DEFAULT_DECISIONS
    need_categories: tuple[str, ...] = DEFAULT_NEED_CATEGORIES
    regions: tuple[str, ...] = DEFAULT_REGIONS


#: The vocabulary of a log read without ``inquiries.yaml``.
DEFAULT_VOCABULARY = InquiryVocabulary()


class InquiryParams(StrictModel):
    """The content of ``inquiries.yaml``.

    ``decisions``, ``channels``, ``need_categories`` and ``regions`` map each word
    of the log to its label in the report (and, in that order, the report's order);
    :attr:`vocabulary` is the words, the defaults standing in for a list left out
    (``decisions`` is required).
    """

    version: str = Field(min_length=1)
    inputs: InquiryInputs = InquiryInputs()
    first_response: FirstResponse
    decisions: dict[str, str] = Field(min_length=1)
    propose_decision: str = "propose_target"
    channels: dict[str, str] = {}
    need_categories: dict[str, str] = {}
    regions: dict[str, str] = {}
    follow_up_buckets: list[FollowUpBucket] = Field(min_length=1)
    scoring: InquiryScoring = InquiryScoring()

    @model_validator(mode="after")
    def _consistent(self) -> InquiryParams:
        if self.propose_decision not in self.decisions:
            raise ValueError(
                f"propose_decision '{self.propose_decision}' is not one of the decisions {list(self.decisions)}"
            )
        b = self.follow_up_buckets
        if b[0].min != 0:
            raise ValueError("follow_up_buckets must start at min: 0")
        for i, (a, c) in enumerate(itertools.pairwise(b)):
            if a.max is None or c.min != a.max + 1:
                raise ValueError(
                    f"follow_up_buckets[{i + 1}] must start right after follow_up_buckets[{i}] "
                    "(buckets are contiguous; only the last may have max: null)"
                )
        shares = [x.benchmark_share for x in b if x.benchmark_share is not None]
        if sum(shares) > 1 + 1e-9:
            raise ValueError(f"benchmark shares sum to {sum(shares):.4g} > 1")
        return self

    @property
    def vocabulary(self) -> InquiryVocabulary:
        """The words of the log's coded columns (defaults for the lists left out).

        Examples
        --------
        >>> p = InquiryParams.model_validate({"version": "x", "first_response": {"sla_hours": 8},
        ...     "decisions": {"propose_target": "p", "wait": "w"}, "channels": {"wechat": "微信"},
        ...     "follow_up_buckets": [{"label": "all", "min": 0}]})
        >>> p.vocabulary.channels, p.vocabulary.decisions, p.vocabulary.regions[:2]
        (('wechat',), ('propose_target', 'wait'), ('north', 'northeast'))
        """
        return InquiryVocabulary(
            channels=tuple(self.channels) or DEFAULT_CHANNELS,
            decisions=tuple(self.decisions),
            need_categories=tuple(self.need_categories) or DEFAULT_NEED_CATEGORIES,
            regions=tuple(self.regions) or DEFAULT_REGIONS,
        )


def load_inquiry_params(path: str | Path) -> InquiryParams:
    """Load ``inquiries.yaml`` (strict: unknown keys are errors).

    Raises
    ------
    ParamsError
        Naming the file and the key path.
    """
    return load_yaml_model(path, InquiryParams)
