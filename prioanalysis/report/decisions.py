"""The leadership's decisions and the collection plan, as the reader sees them.

Reader tables and sentences for notebook 20: :func:`decisions_table` (every decision of
``decisions.yaml`` applied, with who decided and why), :func:`decisions_summary`,
:func:`collection_table` (the collection plan per segment) and the two sentences around
it (:func:`collection_intro`, :func:`collection_summary`). Segment ids become the
segment labels of ``run.yaml``; decision kinds the catalog's words
(``decisions.kind.*``); the text is in ``catalog/decisions.yaml`` and
``catalog/collection.yaml``.
"""

from __future__ import annotations

import pandas as pd

from prioanalysis.config.params import Params
from prioanalysis.methods.collection import PLAN_COLUMNS
from prioanalysis.report import i18n

__all__ = [
    "DECISION_COLUMNS",
    "COLLECTION_COLUMNS",
    "decisions_table",
    "decisions_summary",
    "collection_table",
    "collection_intro",
    "collection_summary",
]

#: Columns of :func:`decisions_table` (each has a ``col.`` entry).
DECISION_COLUMNS = (
    "decision_kind",
    "customer_name",
    "by_rule",
    "decided",
    "decision_reason",
    "decided_by",
    "decided_on",
)
#: Columns of :func:`collection_table` (each has a ``col.`` entry).
COLLECTION_COLUMNS = PLAN_COLUMNS


def decisions_table(applied: pd.DataFrame, params: Params, lang: str) -> pd.DataFrame:
    """The decisions applied, for the reader: kind in words, segments by label.

    Parameters
    ----------
    applied : pandas.DataFrame
        ``RankingResult.summary["decisions"]``
        (:attr:`prioanalysis.steps.ranking.AppliedDecisions.applied`).
    params : Params
    lang : {"zh", "en"}

    Returns
    -------
    pandas.DataFrame
        :data:`DECISION_COLUMNS`; ``by_rule`` / ``decided`` are segment labels for a
        segment decision and tier names otherwise.
    """
    labels = {k: v.label for k, v in params.run.segments.items()}
    if applied.empty:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in DECISION_COLUMNS})
    claim = applied["decision"] == "claim"

    def shown(col: str) -> pd.Series:
        v = applied[col].astype(str)
        return v.where(~claim, v.map(labels).fillna(v))

    out = pd.DataFrame(
        {
            "decision_kind": i18n.values(applied["decision"], "decisions.kind", lang),
            "customer_name": applied["customer_name"],
            "by_rule": shown("by_rule"),
            "decided": shown("decided"),
            "decision_reason": applied["decision_reason"],
            "decided_by": applied["decided_by"],
            "decided_on": applied["decided_on"],
        }
    )
    return out.reset_index(drop=True)


def decisions_summary(applied: pd.DataFrame, lang: str) -> str:
    """One sentence: how many decisions of each kind were applied (or that there were none)."""
    if applied.empty:
        return i18n.t("decisions.none", lang)
    kinds = applied["decision"].value_counts()
    return i18n.t(
        "decisions.summary",
        lang,
        total=len(applied),
        claims=int(kinds.get("claim", 0)),
        tiers=int(kinds.get("tier", 0)),
        exclusions=int(kinds.get("exclusion", 0)),
    )


def collection_table(plan: pd.DataFrame, params: Params) -> pd.DataFrame:
    """The collection plan with segment labels (:func:`prioanalysis.steps.ranking.collection_plan`).

    Show it with ``nb.table(..., percent=("eligible_share", "conversion"),
    decimals={"wins_wanted": 0, "targets_needed": 0})``.
    """
    labels = {k: v.label for k, v in params.run.segments.items()}
    out = plan[list(COLLECTION_COLUMNS)].copy()
    out["segment"] = out["segment"].map(labels).fillna(out["segment"])
    return out.reset_index(drop=True)


def collection_intro(params: Params, lang: str) -> str:
    """The formula in words, with this year's parameters filled in."""
    c, quota = params.run.collection, params.run.tiers.quota
    if quota is not None and quota.kind == "share":
        q = i18n.percent(float(sum(quota.values)), lang)
    else:
        q = i18n.t("collection.quota_count", lang)
    return i18n.t(
        "collection.intro",
        lang,
        growth=i18n.percent(c.growth, lang),
        quota=q,
        prior=i18n.number(c.prior_strength, lang),
    )


def collection_summary(plan: pd.DataFrame, lang: str) -> str:
    """One sentence: records planned and collected, the segments short and by how much."""
    planned = int(plan["planned"].fillna(0).sum())
    collected = int(plan["collected"].sum())
    short = plan["shortfall"].fillna(0).astype(int)
    if (short > 0).any():
        return i18n.t(
            "collection.summary",
            lang,
            planned=i18n.number(planned, lang),
            collected=i18n.number(collected, lang),
            short=int((short > 0).sum()),
            shortfall=i18n.number(int(short.sum()), lang),
        )
    return i18n.t(
        "collection.no_shortfall", lang, planned=i18n.number(planned, lang), collected=i18n.number(collected, lang)
    )
