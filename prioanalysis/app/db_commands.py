"""Command-line interface of the customer information system.

``prioanalysis db init|status|import|export|runs|publish|history`` and
``prioanalysis inquiry add|list|follow-up|decide|update``. :func:`add_db_parsers` and
:func:`add_inquiry_parsers` register the sub-commands on the main parser; each sets
``func`` (not ``handler``: ``inquiry add --handler`` is an option), a function of the
parsed arguments returning the exit code and raising
:class:`prioanalysis.errors.PrioanalysisError` for bad input (the main CLI prints it
and exits with 2). :func:`main` runs them on their own
(``python -m prioanalysis.app.db_commands db init``).

Every command refuses control characters and terminal escape sequences in its text
options, and reports any database failure — a damaged or locked SQLite file, an
unreachable server, a schema missing or of another version — as one line naming the
database with its secrets masked (:func:`prioanalysis.store.database.mask_url`),
exit code 2, no traceback.

The database is ``PRIOANALYSIS_DB_URL`` or the embedded ``data/prioanalysis.db``
(:func:`prioanalysis.store.get_engine`); there is no option to give a URL on the
command line, so no password ever appears in a command or its output.
"""

from __future__ import annotations

import argparse
import functools
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from prioanalysis.config.vocabularies import DEFAULT_CHANNELS, DEFAULT_DECISIONS, DEFAULT_NEED_CATEGORIES
from prioanalysis.errors import InputError, PrioanalysisError

__all__ = ["add_db_parsers", "add_inquiry_parsers", "build_parser", "main"]

# A copy of ``prioanalysis.store.database.IMPORT_KINDS`` (a test keeps them equal), so
# that building the parser does not import pandas and SQLAlchemy. The vocabularies
# in the help are the defaults; the database accepts what ``inquiries.yaml`` says.
IMPORT_KINDS = ("customers", "outcomes", "inquiries", "owners")

_LIST_COLUMNS = ["inquiry_id", "date", "channel", "segment", "customer_name", "decision", "follow_ups", "converted"]
#: Options whose text may hold lines (tab and newline allowed).
_MULTILINE = frozenset({"note"})
#: Namespace attributes that are not options typed by the user.
_NOT_TYPED = frozenset({"func", "command", "db_command", "inquiry_command"})


def _check_text_options(args: argparse.Namespace) -> None:
    """Refuse control characters and terminal escapes in every text option."""
    from prioanalysis.store.database import control_character

    bad = []
    for name, value in sorted(vars(args).items()):
        if name in _NOT_TYPED:
            continue
        values = value if isinstance(value, list) else [value]
        for v in values:
            text = str(v) if isinstance(v, str | Path) else None
            if text is not None and (found := control_character(text, name in _MULTILINE)) is not None:
                bad.append(f"--{name.replace('_', '-')}: contains the control character {found}")
                break
    if bad:
        raise InputError(
            "; ".join(bad) + " (control characters and terminal escape sequences are refused in every option)"
        )


def _printable(frame: Any) -> Any:
    """A frame for the terminal: control characters in its texts shown as escapes
    (ESC as the four characters backslash, x, 1, b), so that stored text can never
    drive the terminal.
    """
    import pandas as pd

    from prioanalysis.store.database import control_character

    def shown(v: Any) -> Any:
        if not isinstance(v, str) or control_character(v) is None:
            return v
        return "".join(ch if control_character(ch) is None else ch.encode("unicode_escape").decode() for ch in v)

    out = frame.copy()
    for c in out.columns:
        if not (pd.api.types.is_numeric_dtype(out[c]) or pd.api.types.is_datetime64_any_dtype(out[c])):
            out[c] = out[c].astype(object).map(shown)
    return out


def _database_command(fn: Callable[[argparse.Namespace], int]) -> Callable[[argparse.Namespace], int]:
    """Run a command with its text options checked, any database failure as one
    clear :class:`~prioanalysis.errors.StoreError` (secrets masked).
    """

    @functools.wraps(fn)
    def run(args: argparse.Namespace) -> int:
        _check_text_options(args)
        import sqlalchemy as sa

        from prioanalysis.store import database as store

        database_errors: tuple[type[BaseException], ...] = (sa.exc.SQLAlchemyError, *store.DriverErrors)
        try:
            return fn(args)
        except PrioanalysisError:
            raise
        except database_errors as exc:
            raise store.database_error(exc) from None
        except OSError as exc:  # a folder to export into that is a file, a full disk …
            where = f"{exc.filename}: " if exc.filename else ""
            raise InputError(f"{where}{exc.strerror or exc}") from None

    return run


def _engine() -> Any:
    from prioanalysis.store import database as store

    return store.get_engine()


def _load_params(directory: Path | None) -> Any:
    """The parameters of ``--params`` (None: the store uses the project's)."""
    if directory is None:
        return None
    from prioanalysis.config.params import load_params

    return load_params(directory)


# --------------------------------------------------------------------------- db
@_database_command
def cmd_db_init(args: argparse.Namespace) -> int:
    """``db init``: create the schema or upgrade it in place."""
    from prioanalysis.store import database as store

    engine = _engine()
    try:
        before = store.schema_revision(engine)
        after = store.init_db(engine)
    finally:
        engine.dispose()
    where = store.masked_url(engine)
    if before == after:
        print(f"{where}: schema up to date (revision {after})")
    else:
        print(f"{where}: schema {'created' if before is None else f'upgraded from {before}'} → revision {after}")
    return 0


@_database_command
def cmd_db_status(args: argparse.Namespace) -> int:
    """``db status``: the database, its schema revision and the rows per table."""
    from prioanalysis.store import database as store

    engine = _engine()
    try:
        rev = store.schema_revision(engine)
        print(f"database: {store.masked_url(engine)}")
        print(f"schema:   {rev or 'empty'} (this version needs {store.head_revision()})")
        if rev == store.head_revision():
            for table, n in store.table_counts(engine).items():
                print(f"  {table:<18} {n:>8}")
            history = store.publication_history(engine)
            current = history[history["status"] == "current"]
            for _, pub in current.iterrows():
                print(
                    f"published {pub['year']}: run {pub['run_id']}, approved by "
                    f"{pub['approver'] or '(not recorded)'} on {pub['published_at']:%Y-%m-%d}"
                    f" ({int((history['year'] == pub['year']).sum()) - 1} superseded; db history shows them)"
                )
    finally:
        engine.dispose()
    return 0


@_database_command
def cmd_db_import(args: argparse.Namespace) -> int:
    """``db import KIND FILE``: validate and upsert a file (all rows or none)."""
    from prioanalysis.store import database as store

    params = _load_params(args.params)
    engine = _engine()
    try:
        report = store.import_table(engine, args.kind, args.file, dry_run=args.dry_run, year=args.year, params=params)
    finally:
        engine.dispose()
    print(report.summary())
    return 0


@_database_command
def cmd_db_export(args: argparse.Namespace) -> int:
    """``db export DIR``: every table to CSV."""
    from prioanalysis.store import database as store

    engine = _engine()
    try:
        for p in store.export(engine, args.directory):
            print(p)
    finally:
        engine.dispose()
    return 0


@_database_command
def cmd_db_runs(args: argparse.Namespace) -> int:
    """``db runs``: the runs stored, newest first."""
    from prioanalysis.store import database as store

    engine = _engine()
    try:
        frame = store.list_runs(engine, args.year)
    finally:
        engine.dispose()
    if frame.empty:
        print("no runs stored")
    else:
        columns = ["run_id", "year", "kind", "status", "started", "published_at", "criteria_version"]
        print(_printable(frame[columns]).to_string(index=False))
    return 0


@_database_command
def cmd_db_publish(args: argparse.Namespace) -> int:
    """``db publish RUN_ID --approver NAME [--note TEXT] [--supersede REASON]``: freeze a
    succeeded run as the year's list, signed off; a second list of the year supersedes
    the first only with a reason.
    """
    from prioanalysis.store import database as store

    engine = _engine()
    try:
        pub = store.publish_run(engine, args.run_id, args.approver, note=args.note, supersede_reason=args.supersede)
    finally:
        engine.dispose()
    when = pub["published_at"].strftime("%Y-%m-%d %H:%M UTC")
    print(f"run {args.run_id} published as the {pub['year']} list, approved by {pub['approver']} on {when}")
    if pub["supersedes"]:
        print(f"it supersedes run {pub['supersedes']} (kept in the history: prioanalysis db history)")
    print("its results are frozen")
    return 0


#: Headers of ``db history``, in the order shown.
_HISTORY_HEADERS = {
    "year": "year",
    "run_id": "run",
    "status": "status",
    "published_at": "published (UTC)",
    "approver": "approved by",
    "note": "note",
    "supersedes": "supersedes",
    "supersede_reason": "reason for superseding",
    "superseded_at": "superseded (UTC)",
    "superseded_by": "superseded by",
}


def _history_frame(frame: Any) -> Any:
    """The publication history for the terminal: readable headers and times, blanks for none."""
    out = frame.copy()
    for c in ("published_at", "superseded_at"):
        out[c] = [v.strftime("%Y-%m-%d %H:%M") if v is not None and v == v else "" for v in out[c]]
    out["approver"] = out["approver"].where(out["approver"].notna(), "(not recorded)")
    out = out.astype(object).where(out.notna(), "")
    return _printable(out[list(_HISTORY_HEADERS)].rename(columns=_HISTORY_HEADERS))


@_database_command
def cmd_db_history(args: argparse.Namespace) -> int:
    """``db history [--year Y]``: every publication, who approved it, what superseded what and why."""
    from prioanalysis.store import database as store

    engine = _engine()
    try:
        frame = store.publication_history(engine, args.year)
    finally:
        engine.dispose()
    if frame.empty:
        print("no list published" + (f" for {args.year}" if args.year else ""))
    else:
        print(_history_frame(frame).to_string(index=False))
    return 0


def add_db_parsers(subparsers: Any) -> argparse.ArgumentParser:
    """Register ``db`` and its sub-commands on the main parser's sub-parsers."""
    db = subparsers.add_parser(
        "db",
        help="the customer information system (database)",
        description="The database: PRIOANALYSIS_DB_URL, or data/prioanalysis.db under the project.",
    )
    sub = db.add_subparsers(
        dest="db_command", required=True, metavar="{init,status,import,export,runs,publish,history}"
    )
    p = sub.add_parser("init", help="create the schema, or upgrade an existing database in place")
    p.set_defaults(func=cmd_db_init)
    p = sub.add_parser("status", help="show the database (password masked), its schema revision and row counts")
    p.set_defaults(func=cmd_db_status)
    p = sub.add_parser("import", help="validate a CSV/XLSX file and upsert it (all rows or none)")
    p.add_argument(
        "kind",
        choices=IMPORT_KINDS,
        help="customers = a preliminary list (preliminary_YYYY.csv); outcomes; inquiries; owners",
    )
    p.add_argument("file", type=Path)
    p.add_argument("--dry-run", action="store_true", help="report inserts/updates/unchanged; write nothing")
    p.add_argument("--year", type=int, help="list or outcome year (default: from the file name)")
    p.add_argument(
        "--params",
        type=Path,
        help="parameter folder to check against: a list against its criteria and run settings, an "
        "inquiry log against its segments and the inquiries.yaml beside them (default: the "
        "project's params/<year>; for inquiries the newest folder with inquiries.yaml)",
    )
    p.set_defaults(func=cmd_db_import)
    p = sub.add_parser("export", help="write every table to CSV")
    p.add_argument("directory", type=Path)
    p.set_defaults(func=cmd_db_export)
    p = sub.add_parser("runs", help="list the ranking runs stored")
    p.add_argument("--year", type=int)
    p.set_defaults(func=cmd_db_runs)
    p = sub.add_parser(
        "publish",
        help="publish a succeeded run as the year's list, signed off by an approver: its results become frozen",
        description="One list per year is published; a later publication supersedes the earlier one only "
        "with --supersede REASON, and both stay in the history (db history).",
    )
    p.add_argument("run_id")
    p.add_argument("--approver", required=True, help="who signs the list off (required)")
    p.add_argument("--note", help="a note recorded with the publication")
    p.add_argument(
        "--supersede", metavar="REASON", help="why this run replaces the year's published list (required then)"
    )
    p.set_defaults(func=cmd_db_publish)
    p = sub.add_parser("history", help="the publication history: approver, time, note, what superseded what and why")
    p.add_argument("--year", type=int)
    p.set_defaults(func=cmd_db_history)
    return db


# ---------------------------------------------------------------------- inquiry
def _facts(items: Sequence[str]) -> dict[str, str]:
    """``NAME=VALUE`` pairs; the database says which names it knows."""
    out: dict[str, str] = {}
    for item in items:
        key, sep, value = item.partition("=")
        key = key.strip()
        if not sep or not key:
            raise InputError(f"--fact expects NAME=VALUE, such as it_budget=120 (got {item!r})")
        out[key] = value
    return out


@_database_command
def cmd_inquiry_add(args: argparse.Namespace) -> int:
    """``inquiry add``: log a general inquiry."""
    from prioanalysis.store import database as store

    fields: dict[str, Any] = {
        "date": args.date,
        "channel": args.channel,
        "segment": args.segment,
        "customer_name": args.customer_name,
    }
    for name in (
        "inquiry_id",
        "region",
        "need_category",
        "handler",
        "first_response_hours",
        "decision",
        "reviewer",
        "decided_on",
        "follow_ups",
        "converted",
        "converted_on",
    ):
        value = getattr(args, name)
        if value is not None:
            fields[name] = value
    fields.update(_facts(args.fact))
    params = _load_params(args.params)
    engine = _engine()
    try:
        inquiry_id = store.add_inquiry(engine, params=params, **fields)
    finally:
        engine.dispose()
    print(f"inquiry {inquiry_id} logged")
    return 0


@_database_command
def cmd_inquiry_followup(args: argparse.Namespace) -> int:
    """``inquiry follow-up ID``: record a follow-up."""
    from prioanalysis.store import database as store

    engine = _engine()
    try:
        seq = store.add_followup(engine, args.inquiry_id, args.date, args.note)
    finally:
        engine.dispose()
    print(f"inquiry {args.inquiry_id}: follow-up {seq} recorded")
    return 0


def _shown(row: dict[str, Any], names: Sequence[str]) -> str:
    return ", ".join(f"{n} {'(empty)' if row.get(n) is None else row[n]}" for n in names)


@_database_command
def cmd_inquiry_decide(args: argparse.Namespace) -> int:
    """``inquiry decide ID``: record the marketing lead's decision."""
    from prioanalysis.store import database as store

    params = _load_params(args.params)
    engine = _engine()
    try:
        row = store.decide_inquiry(engine, args.inquiry_id, args.decision, args.reviewer, args.date, params=params)
    finally:
        engine.dispose()
    print(f"inquiry {args.inquiry_id}: decision {row['decision']} by {row['reviewer']} on {row['decided_on']} recorded")
    return 0


@_database_command
def cmd_inquiry_update(args: argparse.Namespace) -> int:
    """``inquiry update ID``: change the handling, decision or conversion of an inquiry."""
    from prioanalysis.store import database as store

    changes = {n: getattr(args, n) for n in store.UPDATABLE_FIELDS if getattr(args, n, None) is not None}
    params = _load_params(args.params)
    engine = _engine()
    try:
        row = store.update_inquiry(engine, args.inquiry_id, params=params, **changes)
    finally:
        engine.dispose()
    names = [n for n in store.UPDATABLE_FIELDS if n in changes or (n == "converted" and "converted_on" in changes)]
    print(f"inquiry {args.inquiry_id} updated: {_shown(row, names)}")
    return 0


@_database_command
def cmd_inquiry_list(args: argparse.Namespace) -> int:
    """``inquiry list``: the inquiry log, with a summary of the handling decisions."""
    from prioanalysis.store import database as store

    engine = _engine()
    try:
        frame = store.list_inquiries(engine, month=args.month, segment=args.segment)
    finally:
        engine.dispose()
    if args.format == "csv":
        frame.to_csv(sys.stdout, index=False, date_format="%Y-%m-%d", lineterminator="\n")
        return 0
    if frame.empty:
        print("no inquiries")
        return 0
    shown = _printable(frame[_LIST_COLUMNS])
    shown["date"] = shown["date"].dt.strftime("%Y-%m-%d")
    print(shown.to_string(index=False))
    decisions = frame["decision"].astype(object).where(frame["decision"].notna(), "(pending)").value_counts()
    converted = int(frame["converted"].fillna(0).sum())
    print(
        f"\n{len(frame)} inquiries, {converted} converted; decisions: "
        + ", ".join(f"{k} {v}" for k, v in decisions.items())
    )
    return 0


def add_inquiry_parsers(subparsers: Any) -> argparse.ArgumentParser:
    """Register ``inquiry`` and its sub-commands on the main parser's sub-parsers."""
    inq = subparsers.add_parser("inquiry", help="the general-inquiry log (step 2.3.5)")
    sub = inq.add_subparsers(dest="inquiry_command", required=True, metavar="{add,list,follow-up,decide,update}")
    p = sub.add_parser("add", help="log a general inquiry")
    p.add_argument("--date", required=True, help="YYYY-MM-DD")
    p.add_argument("--channel", required=True, help=" | ".join(DEFAULT_CHANNELS) + " (or as inquiries.yaml says)")
    p.add_argument("--segment", required=True)
    p.add_argument("--customer-name", required=True)
    p.add_argument("--inquiry-id", help="default: the next Q<year>-NNNN")
    p.add_argument("--region")
    p.add_argument("--need-category", help=" | ".join(DEFAULT_NEED_CATEGORIES) + " (or as inquiries.yaml says)")
    p.add_argument("--handler", help="owner id of the person handling it")
    p.add_argument("--first-response-hours")
    p.add_argument(
        "--decision",
        help=" | ".join(DEFAULT_DECISIONS) + " (or as inquiries.yaml says); leave out while pending "
        "and record it later with `inquiry decide`",
    )
    p.add_argument("--reviewer", help="the marketing lead who decided (with --decision)")
    p.add_argument("--decided-on", help="YYYY-MM-DD, day of the decision (not before --date)")
    p.add_argument("--follow-ups")
    p.add_argument("--converted", help="0 or 1")
    p.add_argument("--converted-on", help="YYYY-MM-DD, day the customer converted (not before --date)")
    p.add_argument(
        "--fact",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="a fact of the customer such as it_budget=120 (a criterion's column); repeat for several",
    )
    p.add_argument(
        "--params",
        type=Path,
        help="parameter folder whose segments, criteria and inquiries.yaml apply (default: the "
        "project's newest folder with inquiries.yaml)",
    )
    p.set_defaults(func=cmd_inquiry_add)
    p = sub.add_parser("list", help="list inquiries and summarise the handling decisions")
    p.add_argument("--month", help="YYYY-MM")
    p.add_argument("--segment")
    p.add_argument("--format", choices=("table", "csv"), default="table")
    p.set_defaults(func=cmd_inquiry_list)
    p = sub.add_parser("follow-up", help="record a follow-up of an inquiry")
    p.add_argument("inquiry_id")
    p.add_argument("--date", required=True, help="YYYY-MM-DD")
    p.add_argument("--note")
    p.set_defaults(func=cmd_inquiry_followup)
    p = sub.add_parser(
        "decide",
        help="record the marketing lead's decision on an inquiry",
        description="Record the marketing lead's review of an inquiry: the decision, who decided and when. "
        "An inquiry without a decision is pending.",
    )
    p.add_argument("inquiry_id")
    p.add_argument("--decision", required=True, help=" | ".join(DEFAULT_DECISIONS) + " (or as inquiries.yaml says)")
    p.add_argument("--reviewer", required=True, help="the marketing lead who decided")
    p.add_argument("--date", help="YYYY-MM-DD, day of the decision (default today; not before the inquiry)")
    p.add_argument("--params", type=Path, help="parameter folder whose inquiries.yaml applies")
    p.set_defaults(func=cmd_inquiry_decide)
    p = sub.add_parser(
        "update",
        help="change an inquiry later: handling, decision, conversion",
        description="Change fields of a logged inquiry; an empty value (--region '') clears a field.",
    )
    p.add_argument("inquiry_id")
    p.add_argument("--region")
    p.add_argument("--need-category")
    p.add_argument("--first-response-hours")
    p.add_argument("--handler", help="owner id of the person handling it")
    p.add_argument("--decision")
    p.add_argument("--reviewer")
    p.add_argument("--decided-on", help="YYYY-MM-DD")
    p.add_argument("--converted", help="0 or 1")
    p.add_argument("--converted-on", help="YYYY-MM-DD; sets --converted 1 when that is not given")
    p.add_argument("--params", type=Path, help="parameter folder whose inquiries.yaml applies")
    p.set_defaults(func=cmd_inquiry_update)
    return inq


# ------------------------------------------------------------------- standalone
def build_parser() -> argparse.ArgumentParser:
    """A parser with only the ``db`` and ``inquiry`` commands."""
    parser = argparse.ArgumentParser(prog="prioanalysis", description="The customer information system.")
    sub = parser.add_subparsers(dest="command", required=True)
    add_db_parsers(sub)
    add_inquiry_parsers(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run a ``db`` or ``inquiry`` command; exit code 2 with a message on bad input."""
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args))
    except PrioanalysisError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
