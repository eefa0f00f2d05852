"""The general-inquiry log (``inquiries_YYYY.csv``, step 2.3.5).

One schema, built by :func:`inquiry_schema` from the vocabularies of
``inquiries.yaml`` (:attr:`prioanalysis.config.inquiries.InquiryParams.vocabulary`;
the defaults of :mod:`prioanalysis.config.vocabularies` without it) and, when given,
the segments of ``run.yaml``. The monthly report, the annual review and the customer
database read the log with it, so a channel added to ``inquiries.yaml`` is accepted
everywhere and a typo nowhere.

The log may record an inquiry before it is handled: an empty ``decision`` is a
pending inquiry, empty ``follow_ups`` and ``converted`` count as 0. The optional
``reviewer``, ``decided_on`` and ``converted_on`` record the marketing lead's review
and the day the customer converted (``prioanalysis inquiry decide / update``);
an optional ``last_contact_on`` column (kept as written, like the criteria; read by
:func:`prioanalysis.steps.inquiries.last_contact`) the day of the latest follow-up. The criteria
columns of the log (``it_budget`` …) are kept as written: the monthly report scores
them against the list and treats a value it cannot use as missing, so that one bad
cell does not stop the report.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from prioanalysis.config.inquiries import DEFAULT_VOCABULARY, InquiryParams, InquiryVocabulary
from prioanalysis.inputs.schema import Column, TableSchema, validate, vocabulary_column
from prioanalysis.inputs.tables import read_table

__all__ = ["INQUIRY_COLUMNS", "inquiry_schema", "read_inquiries", "validate_inquiries"]

#: Columns every inquiry log must have.
INQUIRY_COLUMNS: tuple[str, ...] = (
    "inquiry_id",
    "date",
    "channel",
    "segment",
    "customer_name",
    "first_response_hours",
    "decision",
    "follow_ups",
    "converted",
)


def inquiry_schema(
    vocabulary: InquiryVocabulary = DEFAULT_VOCABULARY,
    segments: Sequence[str] | None = None,
    *,
    with_id: bool = True,
) -> TableSchema:
    """The schema of the inquiry log.

    Parameters
    ----------
    vocabulary : InquiryVocabulary
        The channels, decisions, need categories and regions allowed (case is
        ignored; the vocabulary's spelling is returned).
    segments : sequence of str, optional
        The segments allowed; None leaves the segment unchecked.
    with_id : bool
        False for an inquiry typed in, whose id the database assigns.

    Examples
    --------
    >>> s = inquiry_schema()
    >>> s.required == list(INQUIRY_COLUMNS), s.column("channel").vocabulary[:2]
    (True, ('phone', 'web'))
    """
    v = vocabulary
    return TableSchema(
        "inquiry log",
        (
            Column("inquiry_id", "id", required=with_id, nullable=not with_id, description="inquiry id"),
            Column("date", "date", required=True, nullable=False, description="day the inquiry came in"),
            Column(
                "channel",
                "choice",
                required=True,
                nullable=False,
                vocabulary=v.channels,
                what="channel",
                fold_case=True,
            ),
            vocabulary_column("segment", segments, "segment", required=True, nullable=False),
            Column("customer_name", "text", required=True, nullable=False),
            Column("region", "choice", vocabulary=v.regions, what="region", fold_case=True),
            Column("need_category", "choice", vocabulary=v.need_categories, what="need category", fold_case=True),
            Column(
                "first_response_hours",
                "number",
                required=with_id,
                range=(0, None),
                description="hours to the first response; empty = not recorded",
            ),
            Column("handler", "id", description="owner id of the person handling it"),
            Column(
                "decision",
                "choice",
                required=with_id,
                vocabulary=v.decisions,
                what="decision",
                fold_case=True,
                description="handling decision; empty = pending",
            ),
            Column("follow_ups", "integer", required=with_id, range=(0, None), default=0),
            Column("converted", "flag", required=with_id, default=0),
            Column("reviewer", "text", description="the marketing lead who reviewed it and decided"),
            Column("decided_on", "date", description="day of the marketing lead's decision"),
            Column("converted_on", "date", description="day the inquiring customer converted"),
        ),
        key=("inquiry_id",),
    )


def validate_inquiries(
    frame: pd.DataFrame,
    inquiry_params: InquiryParams | InquiryVocabulary | None = None,
    segments: Sequence[str] | None = None,
    source: str | None = None,
) -> pd.DataFrame:
    """Check an inquiry log against :func:`inquiry_schema`.

    Parameters
    ----------
    frame : pandas.DataFrame
        As read (:func:`prioanalysis.inputs.tables.read_table`, or from the database).
    inquiry_params : InquiryParams or InquiryVocabulary, optional
        Where the vocabularies come from (default: the default vocabularies).
    segments : sequence of str, optional
        The segments allowed (``params.run.segments``); None: not checked.
    source : str, optional
        Named in messages; default ``frame.attrs["source"]``.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``inquiry_id`` (also kept as a column); ``date`` as datetime,
        ``month`` (``YYYY-MM``), ``first_response_hours`` float (NaN = not recorded),
        ``follow_ups`` and ``converted`` integers, coded columns in the vocabulary's
        spelling; other columns (the criteria) as written. ``attrs["source"]`` names
        the file.

    Raises
    ------
    InputError
        Naming the file, the rows (as the analyst sees them: header = row 1) and the
        column, for every problem found.
    """
    vocabulary = (
        inquiry_params.vocabulary
        if isinstance(inquiry_params, InquiryParams)
        else (inquiry_params or DEFAULT_VOCABULARY)
    )
    out = validate(frame, inquiry_schema(vocabulary, segments), source)
    out["month"] = out["date"].dt.strftime("%Y-%m")
    out = out.set_index(pd.Index(out["inquiry_id"].to_numpy(dtype=object), name=None))
    out.attrs = {"source": frame.attrs.get("source", source) if source is None else source}
    return out


def read_inquiries(
    path: str | Path,
    inquiry_params: InquiryParams | InquiryVocabulary | None = None,
    segments: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Read and check an inquiry log.

    Parameters
    ----------
    path : str or Path
        CSV, XLSX or Parquet with the columns of :data:`INQUIRY_COLUMNS` (more
        columns, such as the criteria, are kept as written).
    inquiry_params : InquiryParams or InquiryVocabulary, optional
        The vocabularies (``inquiries.yaml``); default the default vocabularies.
    segments : sequence of str, optional
        The segments allowed (``params.run.segments``); None: not checked.

    Returns
    -------
    pandas.DataFrame
        As :func:`validate_inquiries`.

    Raises
    ------
    InputError
        Naming the file, the rows and the column of every problem.
    """
    return validate_inquiries(read_table(path), inquiry_params, segments)
