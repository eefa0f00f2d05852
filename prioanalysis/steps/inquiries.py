"""General (cold-call) inquiries: the monthly summary of step 2.3.5.

Inquiries from customers that are not on the target list are logged, handled
first-line, reviewed by the marketing lead and followed up; a customer that fits the
strategy can enter the target list (docs/process.md). This module holds what the monthly
report (``notebooks/40_inquiry_monthly.ipynb``) and the annual review need, as small
pure functions over the inquiry log:

* parameters: :func:`validate_monthly_parameters` (``inquiries.yaml`` is read with
  :func:`prioanalysis.config.inquiries.load_inquiry_params`),
  :func:`inquiries_path_for`, :func:`parse_month`;
* the month: :func:`select_month`, :func:`year_to_date` of the log read with
  :func:`prioanalysis.inputs.inquiries.read_inquiries`;
* the summary: :func:`volume_table`, :func:`response_time_summary`,
  :func:`decision_table`, :func:`follow_up_depth`, :func:`conversion_summary`;
* scoring inquiring customers with the current criteria:
  :func:`score_against_reference`, :func:`tier_cuts`, :func:`implied_tier`,
  :func:`score_inquiries`, :func:`decision_agreement`.

Scoring inquiries against the target list
-----------------------------------------
An inquiring customer has only some of the criteria filled in, and is one customer,
not a population: min-max normalization over the inquiries themselves would say
nothing about how the customer compares with the listed ones. So the inquiries are
scored **against a reference population, the year's preliminary list** (the list
the ranking ran on), exactly as if each inquiring customer had been one more row of
it, without moving anybody else:

1. ordinal values are mapped with the criteria's scales, then the transform
   (``log1p``) is applied;
2. values are clipped to the range of the reference's (transformed, winsorised)
   observed values — for a winsorised criterion this *is* winsorising at the
   reference's quantiles; for the others it means a newcomer can be no better than
   the best and no worse than the worst listed customer on any criterion;
3. missing values are filled by each criterion's missing-value policy computed on
   the reference: ``segment_median`` takes the median of the listed customers of the
   inquiry's segment (overall median when the segment is not on the list),
   ``median`` the overall median, ``neutral`` the midpoint of the observed range,
   ``worst`` the worst observed value; ``exclude_reweight`` leaves the criterion out
   and rescales the other weights for that inquiry;
4. each criterion is normalised with the reference's statistics (min and max for
   ``minmax``, the column norm for ``vector``, the sum for ``sum``, the max or min
   for ``max``) and the weighted sum is taken with the global weights.

Scoring a listed customer this way gives exactly the score the ranking gave it (the
tests check this on the whole 2026 list). Only the weighted sum is supported: TOPSIS
closeness depends on the ideal customers of the population, which a newcomer could
move.

An inquiry is **proposed for the target list** when it passes the screening gates
whose column the log has (``need_status`` is not logged for inquiries, so that gate
is not applied; the credit gate is), has at least ``min_completeness`` of the
criteria filled in (as on the list: below that the score is mostly imputation —
"collect the data first"), and scores at least the **cut of the last target tier**:
the lowest score of a customer in that tier on the list, per segment when the tiers
are a quota per segment (:func:`tier_cuts`). The tier its score reaches is reported
as ``implied_tier``.
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import numpy as np
import pandas as pd

from prioanalysis.config.inquiries import FollowUpBucket, InquiryParams, label_in, load_inquiry_params
from prioanalysis.config.params import CriteriaParams, Params, criteria_spec
from prioanalysis.errors import InputError, ParamsError
from prioanalysis.methods import scoring
from prioanalysis.methods.preprocess import Preprocessor
from prioanalysis.methods.spec import CriteriaSpec

if TYPE_CHECKING:  # pragma: no cover
    from prioanalysis.steps.ranking import RankingResult

__all__ = [
    "MonthlyInputs",
    "validate_monthly_parameters",
    "inquiries_path_for",
    "parse_month",
    "previous_month",
    "select_month",
    "year_to_date",
    "volume_table",
    "response_time_summary",
    "PENDING",
    "PENDING_LABELS",
    "pending_label",
    "decision_table",
    "follow_up_depth",
    "conversion_summary",
    "ReferenceScores",
    "criteria_values",
    "score_against_reference",
    "tier_cuts",
    "implied_tier",
    "score_inquiries",
    "decision_agreement",
    "resolve_month",
    "month_end",
    "handler_labels",
    "last_contact",
    "overdue_follow_ups",
    "ALL_HANDLERS",
    "NO_HANDLER",
    "overdue_by_handler",
    "depth_by_handler",
    "FROM_PRELIMINARY",
    "MID_YEAR_ADDITION",
    "ADDITION_COLUMNS",
    "accepted_inquiries",
    "list_additions",
]

_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


def parse_month(month: str) -> pd.Period:
    """A month written ``YYYY-MM`` as a monthly :class:`pandas.Period`.

    Raises
    ------
    ParamsError
        Anything but ``YYYY-MM`` with a month 01–12.

    Examples
    --------
    >>> parse_month("2025-10")
    Period('2025-10', 'M')
    """
    m = _MONTH.match(month) if isinstance(month, str) else None
    if m is None or not 1 <= int(m.group(2)) <= 12:
        raise ParamsError(f"parameter 'month': expected YYYY-MM such as 2025-10 (got {month!r})")
    return pd.Period(month, freq="M")


def previous_month(today: _dt.date | None = None) -> str:
    """The calendar month before ``today`` as ``YYYY-MM`` — the default of a
    scheduled monthly run.

    The day taken as today is ``today``, else the environment variable
    ``PRIOANALYSIS_TODAY`` (``YYYY-MM-DD``: a report re-made as of a day, and the notebook
    tests, whose sample log covers 2025), else the system date.

    Raises
    ------
    ParamsError
        ``PRIOANALYSIS_TODAY`` is not a day.

    Examples
    --------
    >>> import datetime
    >>> previous_month(datetime.date(2026, 1, 5))
    '2025-12'
    """
    import os

    if today is None and (env := os.environ.get("PRIOANALYSIS_TODAY", "").strip()):
        try:
            today = _dt.date.fromisoformat(env)
        except ValueError:
            raise ParamsError(f"PRIOANALYSIS_TODAY: expected a day YYYY-MM-DD (got {env[:20]!r})") from None
    today = today or _dt.date.today()
    return str(pd.Period(today, freq="M") - 1)


def inquiries_path_for(params: InquiryParams, project_root: str | Path, month: str) -> Path:
    """The inquiry log of ``month``: ``inputs.inquiries`` with ``{year}`` replaced by
    the month's calendar year, resolved against the project root.

    Examples
    --------
    >>> p = InquiryParams.model_validate({"version": "x", "first_response": {"sla_hours": 8},
    ...     "decisions": {"propose_target": "p"}, "follow_up_buckets": [{"label": "all", "min": 0}]})
    >>> inquiries_path_for(p, "/proj", "2025-10").as_posix()
    '/proj/data/sample/inquiries_2025.csv'
    """
    rel = Path(params.inputs.inquiries.format(year=parse_month(month).year))
    return rel if rel.is_absolute() else Path(project_root) / rel


@dataclass(frozen=True)
class MonthlyInputs:
    """The validated parameters of the monthly inquiry report."""

    month: str
    year: int
    params: Params
    inquiry_params: InquiryParams
    inquiry_params_path: Path
    inquiries_path: Path
    output_dir: str


def validate_monthly_parameters(
    month: str, year: int, params_dir: str, inquiries_path: str = "", output_dir: str = ""
) -> MonthlyInputs:
    """Validate the monthly report's parameters and locate the inquiry log.

    Parameters
    ----------
    month : str
        ``YYYY-MM``; empty: the previous calendar month (:func:`resolve_month`), which
        ``MonthlyInputs.month`` then holds.
    year : int
        Cycle year whose criteria and preliminary list score the inquiring customers;
        must equal ``year`` of ``params_dir/run.yaml``.
    params_dir : str
        Folder with ``criteria.yaml``, ``run.yaml`` and ``inquiries.yaml``.
    inquiries_path : str
        Empty (``inputs.inquiries`` of ``inquiries.yaml`` for the month's year) or the
        log to read.
    output_dir : str
        Empty (show only) or an existing folder to write into.

    Raises
    ------
    ParamsError
        A wrong type or format, a year that does not match, a missing file or folder.
    """
    from prioanalysis.config.params import load_params

    if not isinstance(month, str):
        raise ParamsError(f"parameter 'month': expected text YYYY-MM (got {month!r})")
    month = resolve_month(month)
    if not isinstance(year, int) or isinstance(year, bool):
        raise ParamsError(f"parameter 'year': expected an integer year (got {year!r})")
    for name, value in (("params_dir", params_dir), ("inquiries_path", inquiries_path), ("output_dir", output_dir)):
        if not isinstance(value, str):
            raise ParamsError(f"parameter '{name}': expected text (got {value!r})")
    params = load_params(params_dir)
    if params.run.year != year:
        raise ParamsError(f"parameter 'year' is {year} but {params.run_path} is for {params.run.year}")
    ipath = params.directory / "inquiries.yaml"
    iparams = load_inquiry_params(ipath)
    path = Path(inquiries_path) if inquiries_path else inquiries_path_for(iparams, params.root, month)
    if not path.is_file():
        where = "parameter 'inquiries_path'" if inquiries_path else f"{ipath}: inputs.inquiries"
        raise ParamsError(f"{where}: file not found: {path}")
    if output_dir and not Path(output_dir).is_dir():
        raise ParamsError(f"parameter 'output_dir': folder not found: {output_dir}")
    return MonthlyInputs(month, year, params, iparams, ipath, path, output_dir)


# --------------------------------------------------------------------------- reading
def select_month(inquiries: pd.DataFrame, month: str) -> pd.DataFrame:
    """The inquiries logged in ``month`` (``YYYY-MM``).

    Raises
    ------
    InputError
        When the log has no inquiry in that month (naming the months it covers).

    Examples
    --------
    >>> q = pd.DataFrame({"month": ["2025-09", "2025-10", "2025-10"]})
    >>> len(select_month(q, "2025-10"))
    2
    """
    key = str(parse_month(month))
    part = inquiries[inquiries["month"] == key]
    if part.empty:
        months = sorted(inquiries["month"].dropna().unique())
        span = f"{months[0]} to {months[-1]}" if months else "nothing"
        raise InputError(
            f"{inquiries.attrs.get('source', 'the inquiry log')}: no inquiry in {key} (the log covers {span})"
        )
    return part


def year_to_date(inquiries: pd.DataFrame, month: str) -> pd.DataFrame:
    """The inquiries from January of ``month``'s year up to and including ``month``.

    Examples
    --------
    >>> q = pd.DataFrame({"month": ["2024-12", "2025-01", "2025-10", "2025-11"]})
    >>> year_to_date(q, "2025-10")["month"].tolist()
    ['2025-01', '2025-10']
    """
    p = parse_month(month)
    lo, hi = f"{p.year}-01", str(p)
    m = inquiries["month"]
    return inquiries[(m >= lo) & (m <= hi)]


# --------------------------------------------------------------------------- summary
def volume_table(
    inquiries: pd.DataFrame,
    by: str = "channel",
    labels: Mapping[str, str] | None = None,
    order: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Number and share of inquiries per group.

    Parameters
    ----------
    inquiries : pandas.DataFrame
        The log (or a month of it).
    by : str, default "channel"
        Column to group by.
    labels : mapping, optional
        Group id → display label (added as column ``label``).
    order : sequence, optional
        Row order (groups absent from the data get 0). Default: by volume, descending.

    Returns
    -------
    pandas.DataFrame
        Columns ``by``, ``label``, ``inquiries``, ``share``.

    Examples
    --------
    >>> q = pd.DataFrame({"channel": ["web", "web", "phone", "web"]})
    >>> volume_table(q)[["channel", "inquiries", "share"]]
      channel  inquiries  share
    0     web          3   0.75
    1   phone          1   0.25
    """
    counts = inquiries[by].value_counts(sort=True)
    if order is not None:
        counts = counts.reindex(list(order), fill_value=0)
    n = int(counts.sum())
    out = pd.DataFrame(
        {
            by: counts.index.astype(object),
            "label": [(labels or {}).get(k, k) for k in counts.index],
            "inquiries": counts.to_numpy(dtype=np.int64),
            "share": counts.to_numpy(dtype=float) / n if n else np.nan,
        }
    )
    return out


def response_time_summary(
    hours: pd.Series,
    sla_hours: float,
    groups: pd.Series | None = None,
    quantiles: Sequence[float] = (0.5, 0.9),
    missing: Literal["exclude", "breach"] = "exclude",
    ci: float | None = 0.95,
) -> pd.DataFrame:
    """First-response time against the service level: share within, quantiles.

    Parameters
    ----------
    hours : pandas.Series
        Hours to the first response per inquiry; NaN = not recorded.
    sla_hours : float
        An inquiry is answered in time when ``hours <= sla_hours``.
    groups : pandas.Series, optional
        Group per inquiry (e.g. channel), same index; adds one row per group before
        the row ``all``.
    quantiles : sequence of float, default (0.5, 0.9)
        Quantiles reported as columns ``p50``, ``p90``... (linear interpolation).
    missing : {"exclude", "breach"}, default "exclude"
        An inquiry without a recorded time is left out of the share, or counted as
        answered late.
    ci : float or None, default 0.95
        Level of the Wilson interval of the share.

    Returns
    -------
    pandas.DataFrame
        Indexed by group (last row ``all``): ``n``, ``n_missing``, ``within_sla``,
        ``share_within_sla``, ``ci_low``, ``ci_high`` and one column per quantile.

    Examples
    --------
    >>> h = pd.Series([1.0, 2.0, 5.0, 10.0, None])
    >>> t = response_time_summary(h, sla_hours=4, ci=None)
    >>> t.loc["all", ["n", "n_missing", "within_sla", "share_within_sla", "p50"]].tolist()
    [5.0, 1.0, 2.0, 0.5, 3.5]
    """
    if not sla_hours > 0:
        raise InputError(f"`sla_hours` must be positive; got {sla_hours!r}")
    if missing not in ("exclude", "breach"):
        raise InputError(f"`missing` must be 'exclude' or 'breach'; got {missing!r}")
    from prioanalysis.methods.metrics import _wilson

    h = pd.to_numeric(hours, errors="coerce").astype(float)
    parts: list[tuple[object, pd.Series]] = []
    if groups is not None:
        for key, idx in h.groupby(groups.reindex(h.index), sort=True).groups.items():
            parts.append((key, h.loc[idx]))
    parts.append(("all", h))
    rows = []
    for _, x in parts:
        obs = x.dropna()
        within = int((obs <= sla_hours).sum())
        denom = len(obs) if missing == "exclude" else len(x)
        row = {
            "n": len(x),
            "n_missing": int(x.isna().sum()),
            "within_sla": within,
            "share_within_sla": within / denom if denom else np.nan,
        }
        lo, hi = _wilson(np.array([float(within)]), np.array([float(denom)]), ci)
        row["ci_low"], row["ci_high"] = float(lo[0]), float(hi[0])
        for q in quantiles:
            row[f"p{round(q * 100):d}"] = float(np.quantile(obs, q)) if len(obs) else np.nan
        rows.append(row)
    name = groups.name if groups is not None else None
    return pd.DataFrame(rows, index=pd.Index([k for k, _ in parts], name=name, dtype=object))


#: The ``decision`` key of the row of pending inquiries (no decision recorded yet) in
#: :func:`decision_table` and :func:`decision_agreement`.
PENDING = "(pending)"
#: The label of that row, by report language.
PENDING_LABELS: Mapping[str, str] = {"en": "pending (no decision yet)", "zh": "待定（尚未决定）"}


def pending_label(lang: str) -> str:
    """The label of the pending row in the report's language (English by default).

    Examples
    --------
    >>> pending_label("zh")
    '待定（尚未决定）'
    """
    return PENDING_LABELS.get(lang, PENDING_LABELS["en"])


def _with_pending(
    inquiries: pd.DataFrame, labels: Mapping[str, str], pending_label: str
) -> tuple[pd.Series, dict[str, str]]:
    """The decisions with the pending ones as :data:`PENDING`, and the labels with
    a pending row when some inquiry is pending.
    """
    decision = inquiries["decision"].astype(object)
    pending = decision.isna() | (decision.astype(str).str.strip() == "")
    if not pending.any():
        return decision, dict(labels)
    return decision.where(~pending, PENDING), {**labels, PENDING: pending_label}


def decision_table(
    inquiries: pd.DataFrame,
    labels: Mapping[str, str],
    ci: float | None = 0.95,
    pending_label: str = PENDING_LABELS["en"],
) -> pd.DataFrame:
    """Handling decisions: how many, and how often each converted.

    An inquiry without a decision yet is *pending* (the marketing lead has not
    decided, ``prioanalysis inquiry decide``): the pending ones are counted in a last
    row, :data:`PENDING`, when there are any, and in the shares.

    Parameters
    ----------
    inquiries : pandas.DataFrame
        With ``decision`` (empty = pending) and ``converted``.
    labels : mapping
        Decision id → label, in funnel order (``decisions`` of ``inquiries.yaml``);
        decisions absent from the data get 0.
    ci : float or None
        Wilson interval of each conversion rate.
    pending_label : str
        Label of the pending row (:data:`PENDING_LABELS` per language).

    Returns
    -------
    pandas.DataFrame
        Columns ``decision``, ``label``, ``inquiries``, ``share``, ``converted``,
        ``conversion_rate``, ``ci_low``, ``ci_high``.

    Examples
    --------
    >>> q = pd.DataFrame({"decision": ["a", "b", "b", None], "converted": [0, 1, 0, 0]})
    >>> decision_table(q, {"a": "A", "b": "B", "c": "C"}, ci=None)[
    ...     ["decision", "inquiries", "share", "converted"]]
        decision  inquiries  share  converted
    0          a          1   0.25          0
    1          b          2   0.50          1
    2          c          0   0.00          0
    3  (pending)          1   0.25          0
    """
    from prioanalysis.methods.metrics import _wilson

    decision, labels = _with_pending(inquiries, labels, pending_label)
    order = list(labels)
    n = decision.value_counts().reindex(order, fill_value=0)
    conv = inquiries["converted"].groupby(decision).sum().reindex(order, fill_value=0)
    total = int(n.sum())
    nn, cc = n.to_numpy(dtype=float), conv.to_numpy(dtype=float)
    lo, hi = _wilson(cc, nn, ci)
    return pd.DataFrame(
        {
            "decision": order,
            "label": [labels[k] for k in order],
            "inquiries": n.to_numpy(dtype=np.int64),
            "share": nn / total if total else np.nan,
            "converted": conv.to_numpy(dtype=np.int64),
            "conversion_rate": np.where(nn > 0, cc / np.maximum(nn, 1), np.nan),
            "ci_low": lo,
            "ci_high": hi,
        }
    )


def follow_up_depth(
    follow_ups: pd.Series,
    converted: pd.Series,
    buckets: Sequence[FollowUpBucket | Mapping[str, object]],
    ci: float | None = 0.95,
    lang: str = "en",
) -> pd.DataFrame:
    """Follow-up depth: how far inquiries were followed and where they converted.

    The process's rule of thumb (``docs/process.md``): 2% of sales close at first contact, 3% after the
    first follow-up, 5% after the second, 10% after the third and 80% after the
    4th–11th, while most sellers stop after one follow-up. This table sets the log
    beside it.

    Parameters
    ----------
    follow_ups : pandas.Series
        Number of follow-ups per inquiry (whole numbers >= 0).
    converted : pandas.Series
        1 if the inquiry converted; same index.
    buckets : sequence
        :class:`FollowUpBucket` (or mappings with ``label``, ``min``, ``max``,
        ``benchmark_share``), contiguous from 0.
    ci : float or None, default 0.95
        Wilson interval of each bucket's conversion rate.
    lang : {"zh", "en"}, default "en"
        Language of the bucket labels (a label may be written per language).

    Returns
    -------
    pandas.DataFrame
        One row per bucket: ``bucket``, ``min``, ``max``, ``inquiries``,
        ``share_inquiries``, ``converted``, ``conversion_rate``, ``ci_low``,
        ``ci_high``, ``share_of_conversions`` (of all conversions; the quantity the
        folklore quotes), ``benchmark_share``.

    Raises
    ------
    InputError
        A follow-up count falls in no bucket.

    Examples
    --------
    >>> f = pd.Series([0, 0, 1, 4, 6])
    >>> y = pd.Series([0, 1, 0, 1, 1])
    >>> b = [{"label": "0", "min": 0, "max": 0, "benchmark_share": 0.02},
    ...      {"label": "1-3", "min": 1, "max": 3}, {"label": "4+", "min": 4, "max": None}]
    >>> follow_up_depth(f, y, b, ci=None)[["bucket", "inquiries", "converted", "share_of_conversions"]]
      bucket  inquiries  converted  share_of_conversions
    0      0          2          1              0.333333
    1    1-3          1          0              0.000000
    2     4+          2          2              0.666667
    """
    from prioanalysis.methods.metrics import _wilson

    bs = [b if isinstance(b, FollowUpBucket) else FollowUpBucket.model_validate(b) for b in buckets]
    f = pd.to_numeric(follow_ups, errors="coerce").to_numpy(dtype=float)
    y = pd.to_numeric(converted, errors="coerce").reindex(follow_ups.index).to_numpy(dtype=float)
    code = np.full(f.shape, -1)
    for i, b in enumerate(bs):
        top = np.inf if b.max is None else b.max
        code[(f >= b.min) & (f <= top)] = i
    if (code < 0).any():
        bad = follow_ups.index[code < 0]
        raise InputError(
            f"follow-up count(s) {sorted(set(f[code < 0].tolist()))[:3]} fall in no bucket "
            f"(inquiries {', '.join(map(str, bad[:5]))}); extend follow_up_buckets"
        )
    k = len(bs)
    n = np.bincount(code, minlength=k).astype(float)
    c = np.bincount(code, weights=y, minlength=k)
    lo, hi = _wilson(c, n, ci)
    return pd.DataFrame(
        {
            "bucket": [label_in(b.label, lang) for b in bs],
            "min": [b.min for b in bs],
            "max": pd.array([b.max for b in bs], dtype="Int64"),
            "inquiries": n.astype(np.int64),
            "share_inquiries": n / n.sum() if n.sum() else np.nan,
            "converted": c.astype(np.int64),
            "conversion_rate": np.where(n > 0, c / np.maximum(n, 1), np.nan),
            "ci_low": lo,
            "ci_high": hi,
            "share_of_conversions": c / c.sum() if c.sum() else np.nan,
            "benchmark_share": [np.nan if b.benchmark_share is None else b.benchmark_share for b in bs],
        }
    )


def conversion_summary(periods: Mapping[str, pd.DataFrame], ci: float | None = 0.95) -> pd.DataFrame:
    """Conversion of inquiries in each period (e.g. the month and the year to date).

    Parameters
    ----------
    periods : mapping
        Period label → inquiries (with ``converted``).
    ci : float or None
        Wilson interval level.

    Returns
    -------
    pandas.DataFrame
        Columns ``period``, ``inquiries``, ``converted``, ``conversion_rate``,
        ``ci_low``, ``ci_high``.

    Examples
    --------
    >>> q = pd.DataFrame({"converted": [1, 0, 0, 0]})
    >>> conversion_summary({"2025-10": q}, ci=None)[["inquiries", "converted", "conversion_rate"]]
       inquiries  converted  conversion_rate
    0          4          1             0.25
    """
    from prioanalysis.methods.metrics import _wilson

    names = list(periods)
    n = np.array([len(periods[k]) for k in names], dtype=float)
    c = np.array([float(periods[k]["converted"].sum()) for k in names])
    lo, hi = _wilson(c, n, ci)
    return pd.DataFrame(
        {
            "period": names,
            "inquiries": n.astype(np.int64),
            "converted": c.astype(np.int64),
            "conversion_rate": np.where(n > 0, c / np.maximum(n, 1), np.nan),
            "ci_low": lo,
            "ci_high": hi,
        }
    )


# --------------------------------------------------------------------------- scoring
@dataclass(frozen=True)
class ReferenceScores:
    """Scores of new rows computed against a reference population.

    Attributes
    ----------
    scores : pandas.Series
        Weighted-sum score per row (named ``score``).
    contributions : pandas.DataFrame
        Rows × criteria: each criterion's part of the score.
    imputed : pandas.DataFrame
        Boolean, True where a missing value was filled in by the policy.
    excluded : pandas.DataFrame
        Boolean, True where the criterion was left out (``exclude_reweight``).
    clipped : pandas.DataFrame
        Boolean, True where a value lay outside the reference's range and was clipped.
    completeness : pandas.Series
        Share of the criteria filled in.
    """

    scores: pd.Series
    contributions: pd.DataFrame
    imputed: pd.DataFrame
    excluded: pd.DataFrame
    clipped: pd.DataFrame
    completeness: pd.Series


def _scale_values(raw: pd.Series, scale: Mapping[str, float], name: str) -> pd.Series:
    """Map ordinal values (``AAA``, ``3``, ``3.0``) to numbers; unknown → InputError."""
    num = pd.to_numeric(raw, errors="coerce")
    is_int = num.notna() & (num == np.round(num))
    txt = raw.astype("string").str.strip().str.upper()
    txt = txt.where(~is_int, num.round().astype("Int64").astype("string"))
    upper = {str(k).upper(): float(v) for k, v in scale.items()}
    mapped = txt.map(upper).astype(float)
    bad = raw.notna() & (raw.astype("string").str.strip() != "") & mapped.isna()
    if bad.any():
        vals = ", ".join(repr(v) for v in raw[bad].astype(str).unique()[:3])
        raise InputError(
            f"column '{name}': {vals} not on the scale (expected one of {', '.join(scale)}); "
            f"rows {', '.join(map(str, raw.index[bad][:5]))}"
        )
    return mapped


def criteria_values(frame: pd.DataFrame, criteria: CriteriaParams) -> pd.DataFrame:
    """The criteria of a raw table as numbers: ordinal scales mapped, text parsed.

    Columns absent from ``frame`` are all missing. Values outside a criterion's
    ``valid_range`` are treated as missing (an inquiry log is not the preliminary
    list: one bad cell must not stop the monthly report).

    Examples
    --------
    >>> cp = CriteriaParams.model_validate({"version": "x", "scales": {"g": {"A": 2, "B": 1}},
    ...     "criteria": [{"id": "g", "label": "G", "family": "feasibility",
    ...                   "direction": "benefit", "weight": 1.0, "scale": "g"}]})
    >>> criteria_values(pd.DataFrame({"g": ["a", None, "B"]}), cp)["g"].tolist()
    [2.0, nan, 1.0]
    """
    out = pd.DataFrame(index=frame.index)
    for c in criteria.criteria:
        if c.source not in frame.columns:
            out[c.id] = np.nan
            continue
        raw = frame[c.source]
        if c.scale is not None:
            out[c.id] = _scale_values(raw, criteria.scales[c.scale], c.source)
            continue
        num = pd.to_numeric(raw, errors="coerce").astype(float)
        if c.valid_range is not None:
            lo, hi = c.valid_range
            if lo is not None:
                num = num.where(~(num < lo))
            if hi is not None:
                num = num.where(~(num > hi))
        out[c.id] = num
    return out


def _reference_spec(
    criteria: CriteriaParams | CriteriaSpec, normalization: str | Mapping[str, str] | None
) -> CriteriaSpec:
    """The weighted-sum spec the reference scoring uses."""
    if isinstance(criteria, CriteriaSpec):
        if criteria.method != "weighted_sum":
            raise ParamsError(
                "rows can be scored against a reference with the weighted sum only "
                f"(the spec scores with {criteria.method!r})"
            )
        if normalization is not None:
            raise ParamsError("give the normalization in the spec, not beside it")
        return criteria
    if normalization is None or isinstance(normalization, str):
        return criteria_spec(criteria, "weighted_sum", normalization)
    spec = criteria_spec(criteria, "weighted_sum")
    try:
        return dataclasses.replace(spec, normalizations=dict(normalization))
    except InputError as exc:
        raise ParamsError(f"normalization: {exc}") from None


def score_against_reference(
    values: pd.DataFrame,
    segments: pd.Series,
    reference: pd.DataFrame,
    reference_segments: pd.Series,
    criteria: CriteriaParams | CriteriaSpec,
    normalization: str | Mapping[str, str] | None = None,
) -> ReferenceScores:
    """Weighted-sum scores of new rows as if each were one more row of ``reference``.

    The four steps are in the module docstring: scale and transform, clip to the
    reference's range (winsorising at its quantiles), fill by the missing-value
    policies computed on the reference, normalise with the reference's statistics —
    that is ``Preprocessor(spec).fit(reference).transform(values)`` and the weighted
    sum with the reference's normalization
    (:class:`prioanalysis.methods.preprocess.Preprocessor`, the preprocessing the
    ranking fits on its list).

    Parameters
    ----------
    values : pandas.DataFrame
        New rows × criterion ids, numbers (scales already mapped, see
        :func:`criteria_values`), NaN = missing.
    segments : pandas.Series
        Segment of each new row (for ``segment_median``).
    reference : pandas.DataFrame
        The reference population × criterion ids (e.g. the validated preliminary
        list, ``RankingResult.intake.customers``), NaN = missing.
    reference_segments : pandas.Series
        Segment of each reference row.
    criteria : CriteriaParams or CriteriaSpec
        Transforms, policies, directions, weights (a spec must score with the
        weighted sum, e.g. ``Params.spec``).
    normalization : str or mapping, optional
        With ``CriteriaParams`` only: overrides each criterion's normalization (as
        ``scoring.normalization`` of ``run.yaml``).

    Returns
    -------
    ReferenceScores

    Raises
    ------
    InputError
        A criterion has no observed value in the reference.
    ParamsError
        A spec that does not score with the weighted sum.

    Examples
    --------
    >>> cp = CriteriaParams.model_validate({"version": "x", "criteria": [
    ...     {"id": "a", "label": "A", "family": "attractiveness", "direction": "benefit",
    ...      "weight": 0.5, "missing": "median"},
    ...     {"id": "b", "label": "B", "family": "feasibility", "direction": "cost",
    ...      "weight": 0.5, "missing": "worst"}]})
    >>> ref = pd.DataFrame({"a": [0.0, 10.0, 4.0], "b": [1.0, 3.0, 5.0]})
    >>> new = pd.DataFrame({"a": [20.0, None], "b": [None, 2.0]}, index=["q1", "q2"])
    >>> seg = pd.Series("x", index=new.index)
    >>> r = score_against_reference(new, seg, ref, pd.Series("x", index=ref.index), cp)
    >>> r.scores.round(4).tolist()   # q1: a clipped to 10 -> 1.0, b worst=5 -> 0.0; q2: 0.4, 0.75
    [0.5, 0.575]
    """
    spec = _reference_spec(criteria, normalization)
    preprocessor = Preprocessor(spec).fit(reference, reference_segments)
    prepared = preprocessor.transform(values, segments)
    result = scoring.score(
        prepared.matrix,
        spec.weights,
        spec.directions,
        normalization=spec.scoring_normalization,
        reference=preprocessor.normalization_,
    )
    if prepared.excluded.to_numpy().any():
        result = scoring.exclude_reweight(result, prepared.excluded, spec.weights)
    assert prepared.clipped is not None
    return ReferenceScores(
        scores=result.scores.rename("score"),
        contributions=result.contributions,
        imputed=prepared.imputed,
        excluded=prepared.excluded,
        clipped=prepared.clipped,
        completeness=prepared.completeness,
    )


def tier_cuts(
    target_list: pd.DataFrame,
    tier_names: Sequence[str],
    by: Literal["segment", "all"] = "segment",
) -> pd.DataFrame:
    """The score a customer needs to reach each tier: the lowest score in the tier.

    Parameters
    ----------
    target_list : pandas.DataFrame
        ``RankingResult.target_list`` (``segment``, ``score``, ``tier``).
    tier_names : sequence of str
        The tiers, best first.
    by : {"segment", "all"}, default "segment"
        Per segment (as quota tiers per segment are cut), or over the whole list.

    Returns
    -------
    pandas.DataFrame
        Index = segments (or ``"all"``), columns = tiers; NaN where a tier is empty.
        With ``by="segment"`` a last row ``"all"`` holds the cuts over the whole list
        (used for segments that are not on the list).

    Examples
    --------
    >>> tl = pd.DataFrame({"segment": ["x", "x", "x", "y", "y"],
    ...                    "score": [0.9, 0.7, 0.2, 0.8, 0.1],
    ...                    "tier": ["T1", "T2", "no", "T1", "no"]})
    >>> tier_cuts(tl, ["T1", "T2"])  # doctest: +NORMALIZE_WHITESPACE
    tier      T1   T2
    segment
    x        0.9  0.7
    y        0.8  NaN
    all      0.8  0.7
    """
    tl = target_list[target_list["tier"].isin(list(tier_names))]
    overall = tl.groupby("tier")["score"].min().reindex(list(tier_names))
    overall.name = "all"
    if by == "all":
        out = overall.to_frame().T
    else:
        out = tl.pivot_table(index="segment", columns="tier", values="score", aggfunc="min", observed=True)
        out = out.reindex(columns=list(tier_names))
        out = pd.concat([out, overall.to_frame().T])
    out.index = pd.Index(out.index.astype(object), name="segment")
    out.columns = pd.Index(list(tier_names), name="tier", dtype=object)
    return out.astype(float)


def implied_tier(
    scores: pd.Series,
    segments: pd.Series,
    cuts: pd.DataFrame,
    not_targeted: str,
    decimals: int = 10,
) -> pd.DataFrame:
    """The best tier whose cut a score reaches, in the row's segment.

    Parameters
    ----------
    scores, segments : pandas.Series
        Score and segment per row.
    cuts : pandas.DataFrame
        From :func:`tier_cuts`; a segment not in its index uses the row ``"all"``.
    not_targeted : str
        Label when no cut is reached.
    decimals : int, default 10
        Scores and cuts are rounded to this many decimals before comparing (as the
        ranking does), so floating-point noise never decides.

    Returns
    -------
    pandas.DataFrame
        Columns ``implied_tier`` and ``target_cut`` (the cut of the last tier in the
        row's segment — the score needed to be a target).

    Examples
    --------
    >>> cuts = pd.DataFrame({"T1": [0.9, 0.8], "T2": [0.7, 0.5]}, index=["x", "all"])
    >>> implied_tier(pd.Series([0.95, 0.75, 0.6, 0.6]), pd.Series(["x", "x", "x", "z"]),
    ...              cuts, "no")  # doctest: +NORMALIZE_WHITESPACE
      implied_tier  target_cut
    0           T1         0.7
    1           T2         0.7
    2           no         0.7
    3           T2         0.5
    """
    key = segments.where(segments.isin(cuts.index), "all").astype(object)
    table = cuts.reindex(key.to_numpy()).to_numpy(dtype=float)
    s = np.round(scores.to_numpy(dtype=float), decimals)
    reached = np.round(table, decimals) <= s[:, None]  # NaN cut -> False
    first = np.where(reached.any(axis=1), reached.argmax(axis=1), -1)
    names = np.array(list(cuts.columns), dtype=object)
    tier = np.where(first >= 0, names[np.maximum(first, 0)], not_targeted)
    last = pd.DataFrame(table).ffill(axis=1).iloc[:, -1].to_numpy()
    return pd.DataFrame({"implied_tier": tier.astype(object), "target_cut": last}, index=scores.index)


def score_inquiries(
    inquiries: pd.DataFrame,
    reference: RankingResult,
    params: Params,
    min_completeness: float | None = None,
    apply_gates: bool = True,
    cut_by: Literal["segment", "all"] | None = None,
) -> pd.DataFrame:
    """Score inquiring customers with the current criteria and flag those to propose.

    Parameters
    ----------
    inquiries : pandas.DataFrame
        From :func:`prioanalysis.inputs.inquiries.read_inquiries` (criteria columns as logged).
    reference : prioanalysis.steps.ranking.RankingResult
        The ranking of the year's preliminary list: its validated customers are the
        reference population, its target list gives the tier cuts.
    params : Params
        The parameters that ranking used (criteria, gates, tiers).
    min_completeness : float, optional
        Share of criteria needed to propose; default ``intake.min_completeness``.
    apply_gates : bool, default True
        Apply the gates of ``run.yaml`` whose column the log has (a missing value
        follows the gate's ``missing`` rule); gates on absent columns are skipped
        and named in ``attrs["gates_skipped"]``.
    cut_by : {"segment", "all"}, optional
        Default: ``tiers.quota.by`` (``"all"`` for threshold tiers, whose cuts are the
        thresholds).

    Returns
    -------
    pandas.DataFrame
        Indexed like ``inquiries``: ``inquiry_id``, ``date`` (``YYYY-MM-DD``), ``customer_name``,
        ``segment``, ``channel``, ``decision``, ``follow_ups``, ``converted``,
        ``completeness``, ``score``, ``target_cut``, ``margin`` (score − cut),
        ``implied_tier``, ``gate_reason``, ``propose`` (bool), ``reason`` (why not
        proposed), ``imputed`` (labels of the filled-in criteria), sorted by score
        descending. ``attrs`` records the choices (``min_completeness``,
        ``cut_by``, ``gates_applied``, ``gates_skipped``, ``reference``).

    Raises
    ------
    ParamsError
        The scoring method is not the weighted sum.
    """
    from prioanalysis.methods import ranking

    crit, run = params.criteria, params.run
    if run.scoring.method != "weighted_sum":
        raise ParamsError(
            f"{params.run_path}: inquiries can be scored against the list with the weighted "
            f"sum only (scoring.method is {run.scoring.method!r})"
        )
    it = run.intake
    ref_customers = reference.intake.customers
    tl = reference.target_list
    values = criteria_values(inquiries, crit)
    seg = inquiries["segment"].astype(object)
    res = score_against_reference(values, seg, ref_customers, ref_customers[it.segment_column], params.spec)
    tiers = run.tiers
    if tiers.scheme == "threshold":
        by = "all"
        cuts = pd.DataFrame(
            [tiers.thresholds],
            index=pd.Index(["all"], name="segment"),
            columns=pd.Index(list(tiers.names), name="tier"),
        )
    else:
        by = cut_by or (tiers.quota.by if tiers.quota else "all")
        cuts = tier_cuts(tl, tiers.names, by)
    imp = implied_tier(res.scores, seg, cuts, tiers.not_targeted, run.scoring.round_decimals)
    need = it.min_completeness if min_completeness is None else min_completeness
    applied, skipped = [], []
    gate_reason = pd.Series("", index=inquiries.index, dtype=object)
    if apply_gates:
        src_to_id = {c.source: c.id for c in crit.criteria}
        frame = inquiries.copy()
        for cid in values.columns:
            frame[cid] = values[cid]
        gates = []
        for g in run.gates:
            if g.column not in inquiries.columns:
                skipped.append(g.id)
                continue
            col = src_to_id.get(g.column, g.column)
            applied.append(g.id)
            gates.append(
                {
                    **g.model_dump(),
                    "column": col,
                    "scale": next((c.scale for c in crit.criteria if c.source == g.column), None),
                }
            )
        if gates:
            gate_reason = ranking.apply_gates(frame, gates, crit.scales)
    labels = params.spec.labels
    cols = np.array([labels[c] for c in res.imputed.columns], dtype=object)
    imputed_txt = ["、".join(cols[row]) for row in res.imputed.to_numpy()]
    enough = res.completeness >= need - 1e-12
    target = imp["implied_tier"] != tiers.not_targeted
    propose = (gate_reason == "") & enough & target
    reason = np.select(
        [gate_reason != "", ~enough, ~target],
        [
            gate_reason,
            f"too little data (< {need:.0%} of the criteria): collect the data first",
            "below the target cut",
        ],
        default="",
    )
    out = pd.DataFrame(
        {
            "inquiry_id": inquiries.get("inquiry_id", inquiries.index),
            **(
                {"date": inquiries["date"].dt.strftime("%Y-%m-%d")}
                if "date" in inquiries.columns and pd.api.types.is_datetime64_any_dtype(inquiries["date"])
                else {c: inquiries[c] for c in ("date",) if c in inquiries.columns}
            ),
            **{
                c: inquiries[c]
                for c in ("customer_name", "segment", "channel", "decision", "follow_ups", "converted")
                if c in inquiries.columns
            },
            "completeness": res.completeness,
            "score": res.scores,
            "target_cut": imp["target_cut"],
            "margin": res.scores - imp["target_cut"],
            "implied_tier": imp["implied_tier"],
            "gate_reason": gate_reason,
            "propose": propose.astype(bool),
            "reason": pd.Series(reason, index=inquiries.index, dtype=object),
            "imputed": pd.Series(imputed_txt, index=inquiries.index, dtype=object),
        },
        index=inquiries.index,
    )
    out = out.sort_values(["score", "inquiry_id"], ascending=[False, True], kind="stable")
    out.attrs.update(
        {
            "min_completeness": need,
            "cut_by": by,
            "gates_applied": applied,
            "gates_skipped": skipped,
            "reference": f"{reference.intake.source} ({len(ref_customers)} customers)",
        }
    )
    return out


def decision_agreement(
    scored: pd.DataFrame,
    labels: Mapping[str, str],
    propose_label: str = "proposed by the criteria",
    other_label: str = "not proposed",
    pending_label: str = PENDING_LABELS["en"],
) -> pd.DataFrame:
    """Handler's decision × the criteria's proposal: where the two disagree.

    Parameters
    ----------
    scored : pandas.DataFrame
        From :func:`score_inquiries` (``decision``, ``propose``).
    labels : mapping
        Decision id → label, in funnel order.
    pending_label : str
        Label of the row of pending inquiries (no decision yet), shown when there are any.

    Returns
    -------
    pandas.DataFrame
        One row per decision (``decision``, ``label``), columns ``propose_label``,
        ``other_label`` and ``total``; pending inquiries in a last row :data:`PENDING`.

    Examples
    --------
    >>> s = pd.DataFrame({"decision": ["a", "b", "b", None], "propose": [True, True, False, True]})
    >>> decision_agreement(s, {"a": "A", "b": "B"}, "yes", "no", pending_label="P")
        decision label  yes  no  total
    0          a     A    1   0      1
    1          b     B    1   1      2
    2  (pending)     P    1   0      1
    """
    decision, labels = _with_pending(scored, labels, pending_label)
    order = list(labels)
    propose = scored["propose"].astype(bool)
    yes = decision[propose].value_counts().reindex(order, fill_value=0)
    no = decision[~propose].value_counts().reindex(order, fill_value=0)
    return pd.DataFrame(
        {
            "decision": order,
            "label": [labels[k] for k in order],
            propose_label: yes.to_numpy(dtype=np.int64),
            other_label: no.to_numpy(dtype=np.int64),
            "total": (yes + no).to_numpy(dtype=np.int64),
        }
    )


# --------------------------------------------------------------------------- the month reported
def resolve_month(month: str = "", today: _dt.date | None = None) -> str:
    """The month a monthly report covers: ``month`` when given, else the previous calendar
    month (:func:`previous_month`, which honours ``PRIOANALYSIS_TODAY``) — what a
    scheduled run without ``--month`` and a notebook opened by hand both report.

    Raises
    ------
    ParamsError
        ``month`` not written ``YYYY-MM``, or ``PRIOANALYSIS_TODAY`` not a day.

    Examples
    --------
    >>> import datetime
    >>> resolve_month("", datetime.date(2026, 1, 5)), resolve_month("2025-10")
    ('2025-12', '2025-10')
    """
    return str(parse_month(month)) if month else previous_month(today)


def month_end(month: str) -> pd.Timestamp:
    """The last day of ``month`` (the day the follow-ups are judged on).

    Examples
    --------
    >>> month_end("2025-02")
    Timestamp('2025-02-28 00:00:00')
    """
    return parse_month(month).end_time.normalize()


# --------------------------------------------------------------------------- follow-up management
def handler_labels(owners: pd.DataFrame) -> dict[str, str]:
    """Handler id → the person's name, from the owner list (``owner_id``, ``owner_name``).

    Examples
    --------
    >>> handler_labels(pd.DataFrame({"owner_id": ["O1"], "owner_name": ["何玉勇"]}))
    {'O1': '何玉勇'}
    """
    if not {"owner_id", "owner_name"} <= set(owners.columns):
        raise InputError(
            f"{owners.attrs.get('source', 'the owner list')}: needs the columns owner_id and owner_name "
            "to name the handlers"
        )
    names = owners["owner_name"].astype(object).where(owners["owner_name"].notna(), owners["owner_id"])
    return dict(zip(owners["owner_id"].astype(str), names.astype(str), strict=True))


def last_contact(inquiries: pd.DataFrame) -> pd.Series:
    """The day of each inquiry's last contact: the latest of the inquiry day, the
    decision day (``decided_on``) and the last follow-up day (``last_contact_on``) the
    log records.

    Raises
    ------
    InputError
        A ``last_contact_on`` that is not a day, naming the inquiries.

    Examples
    --------
    >>> q = pd.DataFrame({"date": pd.to_datetime(["2025-01-02", "2025-01-03"]),
    ...                   "last_contact_on": ["2025-02-01", None]})
    >>> last_contact(q).dt.strftime("%Y-%m-%d").tolist()
    ['2025-02-01', '2025-01-03']
    """
    days = [pd.to_datetime(inquiries["date"])]
    if "decided_on" in inquiries.columns:
        days.append(pd.to_datetime(inquiries["decided_on"]))
    if "last_contact_on" in inquiries.columns:
        raw = inquiries["last_contact_on"]
        parsed = pd.to_datetime(raw, errors="coerce", format="mixed")
        bad = raw.notna() & (raw.astype(str).str.strip() != "") & parsed.isna()
        if bad.any():
            raise InputError(
                f"{inquiries.attrs.get('source', 'the inquiry log')}: column 'last_contact_on': not a day "
                f"YYYY-MM-DD for inquiries {', '.join(map(str, inquiries.index[bad][:5]))}"
            )
        days.append(parsed)
    return pd.concat(days, axis=1).max(axis=1).rename("last_contact")


def _open_mask(inquiries: pd.DataFrame, open_decisions: Sequence[str]) -> pd.Series:
    converted = pd.to_numeric(inquiries["converted"], errors="coerce").fillna(0).astype(bool)
    return inquiries["decision"].isin(list(open_decisions)) & ~converted


def overdue_follow_ups(
    inquiries: pd.DataFrame,
    as_of: pd.Timestamp | str,
    overdue_days: int = 14,
    open_decisions: Sequence[str] = ("follow_up", "propose_target"),
) -> pd.DataFrame:
    """The open follow-ups on ``as_of`` and whether each is overdue.

    An inquiry is **open** when its decision is one of ``open_decisions`` and it has
    not converted; it is **overdue** when its last contact (:func:`last_contact`) lies
    more than ``overdue_days`` days before ``as_of``. Inquiries logged after ``as_of``
    are left out.

    Parameters
    ----------
    inquiries : pandas.DataFrame
        The log (``date``, ``decision``, ``converted``, ``follow_ups``; optional
        ``handler``, ``decided_on``, ``last_contact_on``).
    as_of : Timestamp or str
        The day judged on (the monthly report: the last day of the month).
    overdue_days : int, default 14
        ``follow_up_management.overdue_days`` of ``inquiries.yaml``.
    open_decisions : sequence of str
        ``follow_up_management.open_decisions``.

    Returns
    -------
    pandas.DataFrame
        One row per open inquiry, most days without contact first: ``inquiry_id``,
        ``date``, ``customer_name``, ``segment``, ``handler``, ``decision``,
        ``follow_ups``, ``last_contact`` (``YYYY-MM-DD``), ``days_since_contact``,
        ``overdue`` (bool).

    Examples
    --------
    >>> q = pd.DataFrame({"inquiry_id": ["a", "b", "c"], "handler": ["O1", "O1", "O2"],
    ...     "date": pd.to_datetime(["2025-10-01", "2025-10-25", "2025-10-02"]),
    ...     "customer_name": ["A", "B", "C"], "segment": ["x", "x", "y"],
    ...     "decision": ["follow_up", "follow_up", "decline"], "follow_ups": [1, 0, 0],
    ...     "converted": [0, 0, 0]})
    >>> overdue_follow_ups(q, "2025-10-31", 14)[["inquiry_id", "days_since_contact", "overdue"]]
      inquiry_id  days_since_contact  overdue
    0          a                  30     True
    1          b                   6    False
    """
    if int(overdue_days) < 1:
        raise InputError(f"`overdue_days` must be at least 1; got {overdue_days!r}")
    day = pd.Timestamp(as_of).normalize()
    dates = pd.to_datetime(inquiries["date"])
    part = inquiries[(dates <= day) & _open_mask(inquiries, open_decisions)].rename_axis(None)
    last = last_contact(part)
    days = (day - last).dt.days.astype(np.int64)
    out = pd.DataFrame(
        {
            "inquiry_id": part["inquiry_id"] if "inquiry_id" in part.columns else part.index.astype(object),
            "date": pd.to_datetime(part["date"]).dt.strftime("%Y-%m-%d"),
            "customer_name": part["customer_name"],
            "segment": part["segment"],
            "handler": part["handler"].astype(object) if "handler" in part.columns else None,
            "decision": part["decision"],
            "follow_ups": pd.to_numeric(part["follow_ups"], errors="coerce").fillna(0).astype(np.int64),
            "last_contact": last.dt.strftime("%Y-%m-%d"),
            "days_since_contact": days,
            "overdue": (days > int(overdue_days)).to_numpy(dtype=bool),
        },
        index=part.index,
    )
    out = out.sort_values(["days_since_contact", "inquiry_id"], ascending=[False, True], kind="stable")
    out.attrs.update({"as_of": day.strftime("%Y-%m-%d"), "overdue_days": int(overdue_days)})
    return out.reset_index(drop=True)


#: The key of the row over all handlers in :func:`overdue_by_handler` and
#: :func:`depth_by_handler`, and of inquiries without a handler.
ALL_HANDLERS = "(all)"
NO_HANDLER = "(none)"


def _handler_key(frame: pd.DataFrame) -> pd.Series:
    h = frame["handler"].astype(object) if "handler" in frame.columns else pd.Series(None, index=frame.index)
    return h.where(h.notna() & (h.astype(str).str.strip() != ""), NO_HANDLER).astype(str)


def overdue_by_handler(open_follow_ups: pd.DataFrame) -> pd.DataFrame:
    """Open and overdue follow-ups per handler, most overdue first, and a last row
    :data:`ALL_HANDLERS`.

    Parameters
    ----------
    open_follow_ups : pandas.DataFrame
        From :func:`overdue_follow_ups`.

    Returns
    -------
    pandas.DataFrame
        ``handler``, ``open``, ``overdue``, ``share_overdue``, ``max_days_since_contact``.
        The ``open`` and ``overdue`` columns add up to the last row.

    Examples
    --------
    >>> o = pd.DataFrame({"handler": ["O1", "O1", "O2"], "overdue": [True, False, True],
    ...                   "days_since_contact": [30, 3, 20]})
    >>> overdue_by_handler(o)[["handler", "open", "overdue"]]
      handler  open  overdue
    0      O1     2        1
    1      O2     1        1
    2   (all)     3        2
    """
    key = _handler_key(open_follow_ups)
    g = open_follow_ups.assign(_h=key).groupby("_h", sort=True)
    table = pd.DataFrame(
        {
            "open": g.size(),
            "overdue": g["overdue"].sum().astype(np.int64),
            "max_days_since_contact": g["days_since_contact"].max(),
        }
    )
    table = table.sort_values(["overdue", "open"], ascending=[False, False], kind="stable")
    total = pd.DataFrame(
        {
            "open": [len(open_follow_ups)],
            "overdue": [int(open_follow_ups["overdue"].sum())],
            "max_days_since_contact": [open_follow_ups["days_since_contact"].max() if len(open_follow_ups) else np.nan],
        },
        index=[ALL_HANDLERS],
    )
    table = pd.concat([table, total])
    table["share_overdue"] = table["overdue"] / table["open"].where(table["open"] > 0)
    table = table.rename_axis("handler").reset_index()
    return table[["handler", "open", "overdue", "share_overdue", "max_days_since_contact"]].astype(
        {"open": np.int64, "overdue": np.int64}
    )


def depth_by_handler(
    inquiries: pd.DataFrame,
    benchmark_depth: int = 4,
    open_decisions: Sequence[str] = ("follow_up", "propose_target"),
) -> pd.DataFrame:
    """How deep each handler follows up, against the benchmark depth.

    The process's point (``docs/process.md``): 80 % of sales close after the 4th–11th
    follow-up, while most sellers stop after one. The inquiries counted are those worth
    following — decided under one of ``open_decisions``, or converted —, open or not.

    Parameters
    ----------
    inquiries : pandas.DataFrame
        The log, e.g. the year to date (``decision``, ``follow_ups``, ``converted``,
        ``handler``).
    benchmark_depth : int, default 4
        ``follow_up_management.benchmark_depth``.
    open_decisions : sequence of str
        ``follow_up_management.open_decisions``.

    Returns
    -------
    pandas.DataFrame
        One row per handler (fewest reaching the benchmark first) and a last row
        :data:`ALL_HANDLERS`: ``handler``, ``followed`` (inquiries counted),
        ``median_follow_ups``, ``stopped_by_one`` (not converted after at most one
        follow-up), ``share_stopped_by_one``, ``reached_benchmark`` (at least
        ``benchmark_depth`` follow-ups), ``share_reached_benchmark``, ``converted``,
        ``conversion_rate``.

    Examples
    --------
    >>> q = pd.DataFrame({"handler": ["O1", "O1", "O2", "O2"],
    ...     "decision": ["follow_up", "follow_up", "follow_up", "decline"],
    ...     "follow_ups": [1, 5, 4, 0], "converted": [0, 1, 0, 0]})
    >>> depth_by_handler(q, 4)[["handler", "followed", "stopped_by_one", "reached_benchmark"]]
      handler  followed  stopped_by_one  reached_benchmark
    0      O1         2               1                  1
    1      O2         1               0                  1
    2   (all)         3               1                  2
    """
    if int(benchmark_depth) < 1:
        raise InputError(f"`benchmark_depth` must be at least 1; got {benchmark_depth!r}")
    converted = pd.to_numeric(inquiries["converted"], errors="coerce").fillna(0).astype(bool)
    worked = inquiries[inquiries["decision"].isin(list(open_decisions)) | converted]
    f = pd.to_numeric(worked["follow_ups"], errors="coerce").fillna(0).astype(np.int64)
    conv = converted.reindex(worked.index)
    frame = pd.DataFrame(
        {
            "_h": _handler_key(worked),
            "f": f,
            "stop": (~conv & (f <= 1)).astype(np.int64),
            "reach": (f >= int(benchmark_depth)).astype(np.int64),
            "conv": conv.astype(np.int64),
        }
    )

    def summary(part: pd.DataFrame) -> dict[str, float]:
        n = len(part)
        return {
            "followed": n,
            "median_follow_ups": float(part["f"].median()) if n else np.nan,
            "stopped_by_one": int(part["stop"].sum()),
            "reached_benchmark": int(part["reach"].sum()),
            "converted": int(part["conv"].sum()),
        }

    rows = {h: summary(p) for h, p in frame.groupby("_h", sort=True)}
    table = pd.DataFrame.from_dict(rows, orient="index") if rows else pd.DataFrame(columns=list(summary(frame)))
    if len(table):
        table = table.assign(_s=table["reached_benchmark"] / table["followed"]).sort_values(
            ["_s", "followed"], ascending=[True, False], kind="stable"
        )
        table = table.drop(columns="_s")
    table = pd.concat([table, pd.DataFrame([summary(frame)], index=[ALL_HANDLERS])])
    n = table["followed"].astype(float).where(table["followed"] > 0)
    table["share_stopped_by_one"] = table["stopped_by_one"] / n
    table["share_reached_benchmark"] = table["reached_benchmark"] / n
    table["conversion_rate"] = table["converted"] / n
    table = table.rename_axis("handler").reset_index()
    table = table.astype(dict.fromkeys(("followed", "stopped_by_one", "reached_benchmark", "converted"), np.int64))
    table.attrs["benchmark_depth"] = int(benchmark_depth)
    return table[
        [
            "handler",
            "followed",
            "median_follow_ups",
            "stopped_by_one",
            "share_stopped_by_one",
            "reached_benchmark",
            "share_reached_benchmark",
            "converted",
            "conversion_rate",
        ]
    ]


# --------------------------------------------------------------------------- into the target list
#: ``list_source`` of a target-list row: from the year's preliminary list, or an inquiring
#: customer the marketing lead accepted during the year (:func:`list_additions`).
FROM_PRELIMINARY = "preliminary_list"
MID_YEAR_ADDITION = "mid_year_addition"
#: The columns a list with mid-year additions carries (also in the target list).
ADDITION_COLUMNS: tuple[str, ...] = ("list_source", "inquiry_id", "accepted_on")


def accepted_inquiries(inquiries: pd.DataFrame, inquiry_params: InquiryParams, year: int) -> pd.DataFrame:
    """The inquiring customers the marketing lead accepted for ``year``'s target list.

    Accepted: the decision is :attr:`InquiryParams.accept_decision` (``propose_target``
    by default) *and* the review is recorded — a ``reviewer`` and a ``decided_on`` day
    (``prioanalysis inquiry decide ID --decision propose_target --reviewer …``) — with
    the day in ``year``. A handler's proposal the marketing lead has not reviewed is not
    accepted.

    Parameters
    ----------
    inquiries : pandas.DataFrame
        The inquiry log (:func:`prioanalysis.inputs.inquiries.read_inquiries`).
    inquiry_params : InquiryParams
    year : int
        The list's year.

    Returns
    -------
    pandas.DataFrame
        The accepted rows of the log, by decision day then inquiry id.

    Examples
    --------
    >>> p = InquiryParams.model_validate({"version": "x", "first_response": {"sla_hours": 8},
    ...     "decisions": {"decline": "d", "propose_target": "p"},
    ...     "follow_up_buckets": [{"label": "all", "min": 0}]})
    >>> q = pd.DataFrame({"inquiry_id": ["a", "b", "c"], "decision": ["propose_target"] * 2 + ["decline"],
    ...     "reviewer": ["王经理", None, "王经理"],
    ...     "decided_on": pd.to_datetime(["2026-03-05", "2026-03-06", "2026-03-07"])})
    >>> accepted_inquiries(q, p, 2026)["inquiry_id"].tolist()
    ['a']
    """
    if not {"reviewer", "decided_on"} <= set(inquiries.columns):
        return inquiries.iloc[0:0]
    reviewer = inquiries["reviewer"].astype(object)
    reviewed = reviewer.notna() & (reviewer.astype(str).str.strip() != "")
    day = pd.to_datetime(inquiries["decided_on"], errors="coerce")
    ok = (inquiries["decision"] == inquiry_params.accept_decision) & reviewed & (day.dt.year == int(year))
    out = inquiries[ok.fillna(False).to_numpy(dtype=bool)]
    order = pd.DataFrame({"d": day[out.index], "i": out["inquiry_id"].astype(str)}).sort_values(["d", "i"])
    return out.loc[order.index]


def list_additions(
    accepted: pd.DataFrame,
    preliminary: pd.DataFrame,
    params: Params,
    inquiry_params: InquiryParams,
) -> pd.DataFrame:
    """The preliminary list of a mid-year run: the year's list and, after it, one row per
    accepted inquiring customer (:func:`accepted_inquiries`), marked in
    :data:`ADDITION_COLUMNS`.

    Each added row takes from the inquiry log what the list needs: the customer id (the
    log's ``customer_id`` when it has one, else the inquiry id), name, segment, region,
    the handler as owner (``owner_id``, when the list has that column), every criterion
    column the log has (as written; the ranking validates them like any row), and the
    need status and months to close from the log, else ``list_additions`` of
    ``inquiries.yaml``. ``list_source`` is :data:`FROM_PRELIMINARY` for the list's rows
    and :data:`MID_YEAR_ADDITION` for the additions, with ``inquiry_id`` and
    ``accepted_on`` (the decision day). A customer already on the list (same id) is not
    added again; ``attrs["already_listed"]`` names it.

    Parameters
    ----------
    accepted : pandas.DataFrame
        From :func:`accepted_inquiries`.
    preliminary : pandas.DataFrame
        The year's preliminary list as read (:func:`prioanalysis.inputs.tables.read_table`).
    params : Params
    inquiry_params : InquiryParams

    Returns
    -------
    pandas.DataFrame
        The list's columns plus :data:`ADDITION_COLUMNS`; ``attrs["added"]`` the inquiry
        ids added.

    Examples
    --------
    >>> from prioanalysis.config.params import load_params
    >>> from prioanalysis.config.inquiries import load_inquiry_params
    >>> params = load_params("params/2026")
    >>> ip = load_inquiry_params("params/2026/inquiries.yaml")
    >>> pre = pd.DataFrame({"customer_id": ["C1"], "customer_name": ["甲"], "segment": ["finance"],
    ...                     "need_status": ["potential"]})
    >>> q = pd.DataFrame({"inquiry_id": ["Q2026-0001"], "customer_name": ["乙银行"], "segment": ["finance"],
    ...     "it_budget": [120.0], "decided_on": pd.to_datetime(["2026-03-05"])})
    >>> out = list_additions(q, pre, params, ip)
    >>> out[["customer_id", "list_source", "inquiry_id", "accepted_on", "need_status"]].iloc[1].tolist()
    ['Q2026-0001', 'mid_year_addition', 'Q2026-0001', '2026-03-05', 'target']
    """
    it = params.run.intake
    la = inquiry_params.list_additions
    base = preliminary.copy()
    for c in ADDITION_COLUMNS:
        if c in base.columns:
            raise InputError(
                f"{preliminary.attrs.get('source', 'the preliminary list')}: has a column '{c}', which a mid-year "
                "run adds itself; rename or remove it"
            )
    base["list_source"] = FROM_PRELIMINARY
    base["inquiry_id"] = ""
    base["accepted_on"] = ""
    listed = set(base[it.id_column].astype(str).str.strip()) if it.id_column in base.columns else set()
    own_id = (
        accepted["customer_id"].astype(object)
        if "customer_id" in accepted.columns
        else pd.Series(None, index=accepted.index, dtype=object)
    )
    ids = own_id.where(own_id.notna() & (own_id.astype(str).str.strip() != ""), accepted["inquiry_id"]).astype(str)
    already = ids.isin(listed)
    add = accepted[~already.to_numpy()]
    ids = ids[~already]
    rows = pd.DataFrame(index=add.index)
    for c in base.columns:
        if c == it.id_column:
            rows[c] = ids
        elif c == "owner_id":
            rows[c] = add["handler"] if "handler" in add.columns else None
        elif c in add.columns and c not in ADDITION_COLUMNS:
            rows[c] = add[c]
        else:
            rows[c] = None
    if it.need_status_column in base.columns and la.need_status is not None:
        rows[it.need_status_column] = rows[it.need_status_column].where(
            rows[it.need_status_column].notna(), la.need_status
        )
    if it.months_column in base.columns and la.expected_months_to_close is not None:
        rows[it.months_column] = rows[it.months_column].where(
            rows[it.months_column].notna(), la.expected_months_to_close
        )
    rows["list_source"] = MID_YEAR_ADDITION
    rows["inquiry_id"] = add["inquiry_id"].astype(str)
    rows["accepted_on"] = pd.to_datetime(add["decided_on"]).dt.strftime("%Y-%m-%d")
    out = pd.concat([base, rows], ignore_index=True)
    out.attrs = {
        **preliminary.attrs,
        "added": rows["inquiry_id"].tolist(),
        "already_listed": accepted.loc[already.to_numpy(), "inquiry_id"].astype(str).tolist(),
    }
    return out
