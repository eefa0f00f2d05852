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
    "FollowUpManagement",
    "ListAdditions",
    "InquiryParams",
    "InquiryVocabulary",
    "LangLabel",
    "Label",
    "label_in",
    "DEFAULT_VOCABULARY",
    "load_inquiry_params",
]


class LangLabel(StrictModel):
    """A label written in each report language (``{zh: 婉拒, en: Declined}``)."""

    zh: str = Field(min_length=1)
    en: str = Field(min_length=1)


#: A report label: one text for every report language, or one per language.
Label = str | LangLabel


def label_in(label: Label, lang: str) -> str:
    """The text of ``label`` in the report language ``lang``.

    Examples
    --------
    >>> label_in(LangLabel(zh="婉拒", en="Declined"), "en"), label_in("网站", "en")
    ('Declined', '网站')
    """
    if isinstance(label, LangLabel):
        return label.en if lang == "en" else label.zh
    return label


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

    label: Label
    min: int = Field(ge=0)
    max: int | None = None
    benchmark_share: float | None = Field(default=None, ge=0, le=1)

    @model_validator(mode="after")
    def _ordered(self) -> FollowUpBucket:
        if self.max is not None and self.max < self.min:
            raise ValueError(f"bucket '{label_in(self.label, 'en')}': max ({self.max}) is below min ({self.min})")
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


class FollowUpManagement(StrictModel):
    """Managing the open follow-ups (:func:`prioanalysis.steps.inquiries.overdue_follow_ups`,
    :func:`prioanalysis.steps.inquiries.depth_by_handler`).

    ``open_decisions``: the decisions under which an inquiry that has not converted is
    still being followed up (``null``, the default: ``follow_up`` when it is a decision,
    and the ``propose_decision``; :attr:`InquiryParams.open_decisions`).
    ``overdue_days``: an open follow-up is **overdue** when its last contact — the
    latest of the inquiry day, the decision day and the last follow-up day the log
    records (``last_contact_on``) — lies more than this many days before the end of the
    month reported (default 14: two weeks without contact).
    ``benchmark_depth``: the follow-up depth the process holds up as the norm (default
    4: by the rule of thumb 80 % of sales close after the 4th–11th follow-up, while most
    sellers stop after one); each handler's share of followed inquiries that reached it
    is reported.
    """

    open_decisions: list[str] | None = None
    overdue_days: int = Field(default=14, ge=1)
    benchmark_depth: int = Field(default=4, ge=1)


class ListAdditions(StrictModel):
    """Accepted inquiring customers entering the year's target list mid-year
    (:func:`prioanalysis.steps.inquiries.accepted_inquiries`, ``prioanalysis run --mid-year``).

    An inquiry is **accepted** when its decision is ``decision`` (default: the
    ``propose_decision``) and the marketing lead's review is recorded — a ``reviewer``
    and a ``decided_on`` day (``prioanalysis inquiry decide``) — with the day in the
    list's year. ``need_status`` and ``expected_months_to_close`` fill those list columns
    when the log has none (``null``: left empty, the ranking flags it and its gates'
    ``missing`` rule applies).
    """

    decision: str | None = None
    need_status: str | None = None
    expected_months_to_close: float | None = Field(default=None, ge=0, allow_inf_nan=False)


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
    of the log to its label in the report (and, in that order, the report's order) —
    one text, or one per report language (``{zh: 婉拒, en: Declined}``; :meth:`labels`);
    :attr:`vocabulary` is the words, the defaults standing in for a list left out
    (``decisions`` is required).
    """

    version: str = Field(min_length=1)
    inputs: InquiryInputs = InquiryInputs()
    first_response: FirstResponse
    decisions: dict[str, Label] = Field(min_length=1)
    propose_decision: str = "propose_target"
    channels: dict[str, Label] = {}
    need_categories: dict[str, Label] = {}
    regions: dict[str, Label] = {}
    follow_up_buckets: list[FollowUpBucket] = Field(min_length=1)
    scoring: InquiryScoring = InquiryScoring()
    follow_up_management: FollowUpManagement = FollowUpManagement()
    list_additions: ListAdditions = ListAdditions()

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
        unknown = [d for d in self.follow_up_management.open_decisions or [] if d not in self.decisions]
        if unknown:
            raise ValueError(
                f"follow_up_management.open_decisions: {unknown} are not among the decisions {list(self.decisions)}"
            )
        accept = self.list_additions.decision
        if accept is not None and accept not in self.decisions:
            raise ValueError(f"list_additions.decision '{accept}' is not one of the decisions {list(self.decisions)}")
        shares = [x.benchmark_share for x in b if x.benchmark_share is not None]
        if sum(shares) > 1 + 1e-9:
            raise ValueError(f"benchmark shares sum to {sum(shares):.4g} > 1")
        return self

    def labels(self, kind: Literal["decisions", "channels", "need_categories", "regions"], lang: str) -> dict[str, str]:
        """Word → report label of one vocabulary in the report language, in file order.

        Examples
        --------
        >>> p = InquiryParams.model_validate({"version": "x", "first_response": {"sla_hours": 8},
        ...     "decisions": {"propose_target": {"zh": "建议纳入", "en": "Propose"}, "wait": "等待"},
        ...     "follow_up_buckets": [{"label": "all", "min": 0}]})
        >>> p.labels("decisions", "en")
        {'propose_target': 'Propose', 'wait': '等待'}
        """
        return {k: label_in(v, lang) for k, v in getattr(self, kind).items()}

    def bucket_labels(self, lang: str) -> list[str]:
        """The follow-up buckets' labels in the report language."""
        return [label_in(b.label, lang) for b in self.follow_up_buckets]

    @property
    def open_decisions(self) -> list[str]:
        """The decisions under which an unconverted inquiry is still followed up
        (``follow_up_management.open_decisions``; default ``follow_up`` when it is a
        decision, and the ``propose_decision``).

        Examples
        --------
        >>> p = InquiryParams.model_validate({"version": "x", "first_response": {"sla_hours": 8},
        ...     "decisions": {"propose_target": "p", "wait": "w"},
        ...     "follow_up_buckets": [{"label": "all", "min": 0}]})
        >>> p.open_decisions
        ['propose_target']
        """
        given = self.follow_up_management.open_decisions
        if given is not None:
            return list(given)
        return [d for d in self.decisions if d in ("follow_up", self.propose_decision)]

    @property
    def accept_decision(self) -> str:
        """The decision that, reviewed by the marketing lead, puts a customer on the list
        (``list_additions.decision``, default ``propose_decision``).
        """
        return self.list_additions.decision or self.propose_decision

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
