"""``params/<year>/decisions.yaml``: the BU leadership's decisions on the year's list.

The ranking is a rule; the BU VP may overrule it for a named customer, with a reason
on record. Three kinds of decision, each with ``reason`` and ``decided_by`` (and an
optional ``date``):

``claims``
    Which segment keeps a customer proposed by several segments (overrides
    ``intake.multi_segment_rule``; applied where the intake resolves the claims, so the
    customer is scored with the facts of the chosen segment's claim).
``tier_changes``
    A customer moved to another tier of ``tiers.names`` (applied after the tier rule:
    the other customers keep the tiers the rule gave them).
``exclusions``
    A customer taken off the targets (applied after the tier rule: its tier becomes
    ``tiers.not_targeted`` and the decision's reason is its ``not_targeted_reason``).

The file is optional: without it the ranking applies no decision. It is validated like
every parameter file (strict model: an unknown key is an error naming the file and the
key path), against ``run.yaml`` on load (segments and tiers known; a customer named at
most once per kind, and never both moved and excluded), and against the preliminary
list when the list is read (:func:`check_customers`, :func:`claim_overrides`): a
decision naming a customer that is not on the list, or a segment that did not propose
it, is an error naming the file, the entry and the value.

Examples
--------
>>> from prioanalysis.config.params import load_run
>>> run = load_run("params/2026/run.yaml")
>>> d = DecisionsParams.model_validate({"year": 2026, "exclusions": [
...     {"customer_id": "C000001", "reason": "集团总部统一采购", "decided_by": "王总"}]})
>>> check_against_run(d, run, "decisions.yaml")
>>> [(e.customer_id, e.kind) for e in d.entries()]
[('C000001', 'exclusion')]
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
from collections.abc import Iterator, Mapping, Set
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from pydantic import Field, model_validator

from prioanalysis.config.params import Params, StrictModel, check_year, load_yaml_model
from prioanalysis.config.yamlfile import shown
from prioanalysis.errors import ParamsError

if TYPE_CHECKING:
    from prioanalysis.config.params import RunParams

__all__ = [
    "FILE_NAME",
    "KINDS",
    "DecisionKind",
    "ClaimOverride",
    "TierChange",
    "Exclusion",
    "DecisionsParams",
    "DecisionEntry",
    "load_decisions",
    "with_decisions",
    "check_against_run",
    "check_customers",
    "claim_overrides",
]

#: The file's name in a ``params/<year>`` folder.
FILE_NAME = "decisions.yaml"

DecisionKind = Literal["claim", "tier", "exclusion"]
#: The kinds of decision, in the order they are applied, and the file's section of each.
KINDS: Mapping[DecisionKind, str] = {"claim": "claims", "tier": "tier_changes", "exclusion": "exclusions"}

_ID = r"^\S(.*\S)?$"


class _Decision(StrictModel):
    """What every decision carries: the customer, why, who decided and when."""

    customer_id: str = Field(min_length=1, pattern=_ID)
    reason: str = Field(min_length=1)
    decided_by: str = Field(min_length=1)
    date: _dt.date | None = None


class ClaimOverride(_Decision):
    """The segment that keeps a customer proposed by several segments."""

    segment: str = Field(min_length=1)


class TierChange(_Decision):
    """A customer moved to ``tier`` (one of ``tiers.names`` of ``run.yaml``)."""

    tier: str = Field(min_length=1)


class Exclusion(_Decision):
    """A customer removed from the targets."""


@dataclass(frozen=True)
class DecisionEntry:
    """One decision, whatever its kind, with where it is in the file.

    ``where`` is the entry's key path (``tier_changes[1]``); ``value`` is the segment
    (claims), the tier (tier changes) or ``""`` (exclusions).
    """

    kind: DecisionKind
    where: str
    customer_id: str
    value: str
    reason: str
    decided_by: str
    date: _dt.date | None


class DecisionsParams(StrictModel):
    """The content of ``decisions.yaml`` (see the module docstring)."""

    year: int = Field(ge=2000, le=2100)
    claims: list[ClaimOverride] = []
    tier_changes: list[TierChange] = []
    exclusions: list[Exclusion] = []

    @model_validator(mode="after")
    def _once(self) -> DecisionsParams:
        for section in KINDS.values():
            seen: dict[str, int] = {}
            for i, d in enumerate(getattr(self, section)):
                if d.customer_id in seen:
                    raise ValueError(
                        f"{section}[{i}]: customer {shown(d.customer_id)} is already decided in "
                        f"{section}[{seen[d.customer_id]}] (one decision per customer and kind)"
                    )
                seen[d.customer_id] = i
        moved = {d.customer_id: i for i, d in enumerate(self.tier_changes)}
        for i, d in enumerate(self.exclusions):
            if d.customer_id in moved:
                raise ValueError(
                    f"exclusions[{i}]: customer {shown(d.customer_id)} is also moved to another tier in "
                    f"tier_changes[{moved[d.customer_id]}]; keep one of the two decisions"
                )
        return self

    def entries(self) -> Iterator[DecisionEntry]:
        """Every decision in the order applied: claims, tier changes, exclusions."""
        for kind, section in KINDS.items():
            for i, d in enumerate(getattr(self, section)):
                value = d.segment if kind == "claim" else d.tier if kind == "tier" else ""
                yield DecisionEntry(kind, f"{section}[{i}]", d.customer_id, value, d.reason, d.decided_by, d.date)

    @property
    def empty(self) -> bool:
        """True when the file decides nothing."""
        return not (self.claims or self.tier_changes or self.exclusions)


def check_against_run(decisions: DecisionsParams, run: RunParams, path: str | Path) -> None:
    """Check the segments and tiers the decisions name against ``run.yaml``.

    Raises
    ------
    ParamsError
        Naming the file, the entry (``tier_changes[0]``), the customer and the value.
    """
    for e in decisions.entries():
        if e.kind == "claim" and e.value not in run.segments:
            raise ParamsError(
                f"{path}: {e.where} (customer {shown(e.customer_id)}): segment {shown(e.value)} is not a "
                f"segment of run.yaml (segments: {', '.join(run.segments)})"
            )
        if e.kind == "tier" and e.value not in run.tiers.names:
            extra = "; to take a customer off the targets use exclusions" if e.value == run.tiers.not_targeted else ""
            raise ParamsError(
                f"{path}: {e.where} (customer {shown(e.customer_id)}): tier {shown(e.value)} is not a tier of "
                f"run.yaml (tiers: {', '.join(run.tiers.names)}){extra}"
            )


def load_decisions(path: str | Path, run: RunParams, year: int | None = None) -> DecisionsParams:
    """Load ``decisions.yaml`` and check it against ``run.yaml``.

    Read with the package's YAML reader (repeated keys, encodings and aliases
    checked); ``year`` must match the folder and the year asked for.

    Parameters
    ----------
    path : str or Path
    run : RunParams
        The year's ``run.yaml`` (segments and tiers the decisions may name).
    year : int, optional
        The year asked for (``--year``).

    Raises
    ------
    ParamsError
        Unknown key, wrong type, a missing ``reason`` or ``decided_by``, a repeated
        decision, an unknown segment or tier; naming the file and the entry.
    """
    decisions = load_yaml_model(path, DecisionsParams)
    check_year(path, decisions.year, year if year is not None else run.year)
    check_against_run(decisions, run, path)
    return decisions


def with_decisions(params: Params, year: int | None = None) -> Params:
    """``params`` with the ``decisions.yaml`` of its folder (``Params.decisions``), or
    unchanged (no decisions) when the folder has none.

    The cycle's way to load the year's parameters: ``with_decisions(load_params(d))``.

    Raises
    ------
    ParamsError
        The file is invalid (see :func:`load_decisions`).
    """
    path = params.directory / FILE_NAME
    if not path.is_file():
        return dataclasses.replace(params, decisions=None, decisions_path=None)
    decisions = load_decisions(path, params.run, year)
    return dataclasses.replace(params, decisions=decisions, decisions_path=path)


def check_customers(
    decisions: DecisionsParams,
    path: str | Path,
    listed: Set[str],
    scored: Set[str] | None = None,
    source: str = "the preliminary list",
) -> None:
    """Every customer a decision names is on the preliminary list (and, for a tier
    change, was scored).

    Parameters
    ----------
    decisions : DecisionsParams
    path : str or Path
        The decisions file (named in the message).
    listed : set of str
        The customer ids of the preliminary list.
    scored : set of str, optional
        The customers scored (on the list, with enough data): a tier change needs a
        score. Not checked when omitted.
    source : str
        The list, named in the message.

    Raises
    ------
    ParamsError
        Naming the file, the entry and the customer id.
    """
    for e in decisions.entries():
        if e.customer_id not in listed:
            raise ParamsError(
                f"{path}: {e.where}: customer {shown(e.customer_id)} is not on {source} (check the customer id)"
            )
        if e.kind == "tier" and scored is not None and e.customer_id not in scored:
            raise ParamsError(
                f"{path}: {e.where}: customer {shown(e.customer_id)} was not scored (too little data), so it "
                "cannot be moved to a tier; collect its data first"
            )


def claim_overrides(
    decisions: DecisionsParams | None,
    path: str | Path,
    claims: Mapping[str, Set[str]],
    source: str = "the preliminary list",
) -> dict[str, str]:
    """Customer id → the segment a decision keeps, checked against the list's claims.

    Parameters
    ----------
    decisions : DecisionsParams or None
    path : str or Path
        The decisions file (named in the message).
    claims : mapping
        Customer id → the segments proposing it on the list.
    source : str
        The list, named in the message.

    Returns
    -------
    dict
        Empty without decisions.

    Raises
    ------
    ParamsError
        A customer not on the list, or a segment that did not propose it; naming the
        file, the entry and the value.

    Examples
    --------
    >>> d = DecisionsParams.model_validate({"year": 2026, "claims": [
    ...     {"customer_id": "C1", "segment": "finance", "reason": "r", "decided_by": "v"}]})
    >>> claim_overrides(d, "decisions.yaml", {"C1": {"finance", "government"}})
    {'C1': 'finance'}
    >>> claim_overrides(d, "decisions.yaml", {"C1": {"government"}})
    Traceback (most recent call last):
    ...
    prioanalysis.errors.ParamsError: decisions.yaml: claims[0] (customer 'C1'): segment 'finance' did not propose this customer on the preliminary list (its claims: government)
    """  # noqa: E501  (the doctest shows the error message, which is one line)
    if decisions is None:
        return {}
    out: dict[str, str] = {}
    for i, d in enumerate(decisions.claims):
        segments = claims.get(d.customer_id)
        if segments is None:
            raise ParamsError(
                f"{path}: claims[{i}]: customer {shown(d.customer_id)} is not on {source} (check the customer id)"
            )
        if d.segment not in segments:
            raise ParamsError(
                f"{path}: claims[{i}] (customer {shown(d.customer_id)}): segment {shown(d.segment)} did not "
                f"propose this customer on {source} (its claims: {', '.join(sorted(segments))})"
            )
        out[d.customer_id] = d.segment
    return out
