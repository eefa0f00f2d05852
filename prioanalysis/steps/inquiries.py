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

from prioanalysis.config.inquiries import FollowUpBucket, InquiryParams, load_inquiry_params
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

    Examples
    --------
    >>> import datetime
    >>> previous_month(datetime.date(2026, 1, 5))
    '2025-12'
    """
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
        ``YYYY-MM``.
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

    parse_month(month)
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
            "bucket": [b.label for b in bs],
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
