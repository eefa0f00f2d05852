"""The collection plan: how many preliminary records each segment should collect (step 2.3.1).

Each segment proposes preliminary records; the ranking keeps the eligible ones (scored,
past the gates) and the tier quota makes a share of them targets; a share of the targets
wins a deal. Read backwards from the deals a segment wants, last year's funnel says how
many records it must collect:

Formula
-------
For a segment ``s``, with last year's figures (the previous year's preliminary list as
ranked, joined with that year's outcomes):

* ``e_s = eligible_s / records_s`` — the share of the segment's preliminary records
  (every claim counted in the segment proposing it) that ended eligible;
* ``c_s = (wins_s + k · c) / (targets_s + k)`` — the conversion of the segment's targets
  (won deals per target), shrunk towards the conversion ``c`` of all targets with the
  weight of ``k = prior_strength`` targets (a segment with few targets gets a rate near
  the overall one, not 0 % or 100 %);
* the deals wanted: ``W_s`` given (``wins``), else ``(1 + growth) · wins_s``, at least 1;
* the targets needed: ``T_s = W_s / c_s``; with a count quota the quota's own
  ``Σ counts`` instead (then the deals expected are ``T_s · c_s``);
* the records needed: ``R_s = ceil(T_s / (q · e_s))`` with ``q`` the share of eligible
  customers the quota makes targets (``Σ`` of the tier shares), or
  ``ceil(T_s / e_s)`` with a count quota.

``max_records`` (a segment's cap in ``run.yaml``), when given, bounds the plan:
``planned = min(R_s, max_records)``. The shortfall is ``max(planned − collected, 0)``,
``collected`` being this year's records of the segment.

Parameters (``run.yaml`` ``collection``): ``growth`` (default 0.10), ``prior_strength``
(default 10 targets), ``wins`` (segment → deals wanted; default from ``growth``).

Examples
--------
>>> last = pd.DataFrame({"segment": ["a"] * 10 + ["b"] * 10,
...                      "eligible": [True] * 8 + [False] * 2 + [True] * 10,
...                      "targeted": [True] * 4 + [False] * 6 + [True] * 5 + [False] * 5,
...                      "won": [1, 1, 0, 0] + [0] * 6 + [1, 0, 0, 0, 0] + [0] * 5})
>>> plan = collection_plan(last, pd.Series({"a": 12, "b": 30}), ["a", "b"], quota_share=0.5,
...                        growth=0.0, prior_strength=0.0)
>>> plan[["segment", "records_needed", "collected", "shortfall"]].to_dict("records")
[{'segment': 'a', 'records_needed': 10, 'collected': 12, 'shortfall': 0}, {'segment': 'b', 'records_needed': 10, 'collected': 30, 'shortfall': 0}]
"""  # noqa: E501  (the doctest shows a record list, which is one line)

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import pandas as pd

from prioanalysis.errors import InputError

__all__ = ["DEFAULT_GROWTH", "DEFAULT_PRIOR_STRENGTH", "PLAN_COLUMNS", "last_year_funnel", "collection_plan"]

#: Default growth of the deals wanted over last year's.
DEFAULT_GROWTH = 0.10
#: Default weight (in targets) of the overall conversion in a segment's conversion.
DEFAULT_PRIOR_STRENGTH = 10.0

#: Columns of :func:`collection_plan`.
PLAN_COLUMNS = (
    "segment",
    "records_last_year",
    "eligible_share",
    "targets_last_year",
    "wins_last_year",
    "conversion",
    "wins_wanted",
    "targets_needed",
    "records_needed",
    "max_records",
    "planned",
    "collected",
    "shortfall",
)


def last_year_funnel(last_year: pd.DataFrame, segments: Sequence[str]) -> pd.DataFrame:
    """Last year's funnel per segment: records, eligible, targets and won targets.

    Parameters
    ----------
    last_year : pandas.DataFrame
        One row per preliminary record of last year: ``segment``, ``eligible`` (bool),
        ``targeted`` (bool) and ``won`` (0/1; counted only for targets). A record that
        was not scored (a claim not kept, too little data) is ``eligible`` False.
    segments : sequence of str
        The segments, in the order shown (a segment without records gets zeros).

    Returns
    -------
    pandas.DataFrame
        Indexed by segment: ``records``, ``eligible``, ``targets``, ``wins``.
    """
    missing = [c for c in ("segment", "eligible", "targeted", "won") if c not in last_year.columns]
    if missing:
        raise InputError(f"last year's funnel: missing column(s) {', '.join(missing)}")
    frame = pd.DataFrame(
        {
            "records": 1,
            "eligible": last_year["eligible"].astype(bool).astype(int),
            "targets": last_year["targeted"].astype(bool).astype(int),
            "wins": (last_year["won"].fillna(0).astype(int) * last_year["targeted"].astype(bool)).astype(int),
        }
    )
    out = frame.groupby(last_year["segment"].to_numpy(), sort=False).sum()
    return out.reindex(list(segments), fill_value=0).astype(int)


def collection_plan(
    last_year: pd.DataFrame,
    collected: pd.Series,
    segments: Sequence[str],
    *,
    quota_share: float | None = None,
    quota_counts: Mapping[str, float] | None = None,
    max_records: Mapping[str, int | None] | None = None,
    wins: Mapping[str, float] | None = None,
    growth: float = DEFAULT_GROWTH,
    prior_strength: float = DEFAULT_PRIOR_STRENGTH,
) -> pd.DataFrame:
    """How many preliminary records each segment should collect, and the shortfall.

    The formula is the module's (see :mod:`prioanalysis.methods.collection`).

    Parameters
    ----------
    last_year : pandas.DataFrame
        Last year's records (see :func:`last_year_funnel`).
    collected : pandas.Series
        This year's preliminary records per segment (segment → count).
    segments : sequence of str
        The segments planned, in order.
    quota_share : float, optional
        Share of the eligible customers the tier quota makes targets (``Σ`` shares, in
        (0, 1]). Give this or ``quota_counts``.
    quota_counts : mapping, optional
        Segment → targets of a count quota (``Σ`` counts).
    max_records : mapping, optional
        Segment → the cap of ``run.yaml`` (None: no cap).
    wins : mapping, optional
        Segment → deals wanted; a segment not given wants ``(1 + growth)`` × last year's.
    growth : float, default 0.10
        Growth of the deals wanted over last year's.
    prior_strength : float, default 10
        Weight, in targets, of the overall conversion in each segment's.

    Returns
    -------
    pandas.DataFrame
        :data:`PLAN_COLUMNS`, one row per segment. ``conversion`` and
        ``eligible_share`` are NaN, and the records needed unknown (``<NA>``), for a
        segment with no record (or no eligible one) last year.

    Raises
    ------
    InputError
        Neither or both quotas, a share outside (0, 1], a negative growth or strength,
        or no target at all last year.
    """
    if (quota_share is None) == (quota_counts is None):
        raise InputError("collection plan: give the quota as a share or as counts (one of the two)")
    if quota_share is not None and not 0 < quota_share <= 1:
        raise InputError(f"collection plan: the quota share must be in (0, 1] (got {quota_share})")
    if growth < -1 or prior_strength < 0 or not (math.isfinite(growth) and math.isfinite(prior_strength)):
        raise InputError("collection plan: growth must be at least -1 and prior_strength non-negative")
    funnel = last_year_funnel(last_year, segments)
    total_targets = int(funnel["targets"].sum())
    if total_targets == 0:
        raise InputError("collection plan: last year's list has no target, so there is no conversion to plan from")
    overall = funnel["wins"].sum() / total_targets
    rows = []
    for s in segments:
        f = funnel.loc[s]
        e = f["eligible"] / f["records"] if f["records"] else math.nan
        c = (
            (f["wins"] + prior_strength * overall) / (f["targets"] + prior_strength)
            if (f["targets"] + prior_strength) > 0
            else math.nan
        )
        if quota_counts is not None:
            targets = float(quota_counts.get(s, 0.0))
            wanted = targets * c if c == c else math.nan
            share = 1.0
        else:
            given = (wins or {}).get(s)
            wanted = float(given) if given is not None else max(1.0, (1 + growth) * float(f["wins"]))
            targets = wanted / c if c and c == c else math.nan
            share = float(quota_share)  # type: ignore[arg-type]
        needed = math.ceil(targets / (share * e) - 1e-9) if e and e == e and targets == targets else None
        cap = (max_records or {}).get(s)
        planned = None if needed is None else (needed if cap is None else min(needed, int(cap)))
        have = int(collected.get(s, 0))
        rows.append(
            {
                "segment": s,
                "records_last_year": int(f["records"]),
                "eligible_share": e,
                "targets_last_year": int(f["targets"]),
                "wins_last_year": int(f["wins"]),
                "conversion": c,
                "wins_wanted": wanted,
                "targets_needed": targets,
                "records_needed": needed,
                "max_records": cap,
                "planned": planned,
                "collected": have,
                "shortfall": None if planned is None else max(planned - have, 0),
            }
        )
    out = pd.DataFrame(rows, columns=list(PLAN_COLUMNS))
    for col in ("records_needed", "max_records", "planned", "shortfall"):
        out[col] = pd.array(out[col].tolist(), dtype="Int64")
    for col in ("eligible_share", "conversion", "wins_wanted", "targets_needed"):
        out[col] = out[col].astype(float)
    return out
