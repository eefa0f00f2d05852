"""The customer information system (step 2.3.4) and the inquiry log (2.3.5).

One database holds the customers and their yearly preliminary-list facts, the
account managers (owners), the outcomes of each year, the general inquiries with
their follow-ups, and the ranking runs with their results.

* **Where.** ``PRIOANALYSIS_DB_URL`` when set (PostgreSQL for a team:
  ``postgresql+psycopg://user@host/db``; the password comes from ``PGPASSWORD`` or
  ``~/.pgpass``, never from the repository), otherwise an embedded SQLite file
  ``data/prioanalysis.db`` under the project root (the folder holding ``params/``),
  created on first use. A URL is only ever shown with its password masked.
* **Schema.** Managed by alembic; the migrations ship inside the package
  (``prioanalysis/store/migrations``). :func:`init_db` creates the schema or upgrades
  an existing database in place; a new, empty database is initialised on first use.
* **Facts are rows, not columns.** A customer's criteria and the other facts of a
  preliminary list (``it_budget``, ``credit_grade``, ``need_status`` …) are stored
  one row per customer, year, segment and fact (``customer_facts``), a number or a
  text each; the facts of an inquiry likewise (``inquiry_facts``). A criterion added
  to ``criteria.yaml`` needs no schema change: its column is imported like any other.
  ``import_columns`` remembers each table's header, so a list comes back as it came in.
* **Same rules as the files.** Every import is checked with the schemas of
  :mod:`prioanalysis.inputs` — the preliminary list against the year's criteria and
  run parameters, the inquiry log against the vocabularies of ``inquiries.yaml`` —
  so a table gets the same answer, in the same words, from ``db import`` as from
  the notebooks. Without parameters given, the project's parameter folder is used
  (``params/<year>`` above the current folder; for the inquiry log the newest one
  holding ``inquiries.yaml``), as the embedded database is found.
* **Transactions.** Every write is one transaction: an import is all or nothing;
  results are written in the same transaction that flips their run from ``running``
  to ``succeeded``; readers only see ``succeeded`` and ``published`` runs. Writers of
  the same kind are serialised (SQLite ``BEGIN IMMEDIATE`` with a busy timeout,
  PostgreSQL advisory locks), so concurrent imports and runs lose nothing.
* **Sign-off.** :func:`publish_run` records who approved the list, when, and a note;
  one list per year is current, and a later publication supersedes the earlier one
  only with a reason. The history is kept (:func:`publication_history`; triggers
  refuse deleting or rewriting a publication — migration 0004).
* **Frozen results.** :func:`publish_run` freezes a run: database triggers refuse
  any insert, update or delete of its results and any change to the run itself, on
  SQLite and PostgreSQL alike — on SQLite ``REPLACE``, ``INSERT OR REPLACE`` and
  ``UPDATE OR REPLACE`` too (migration 0003; connections also run with
  ``recursive_triggers`` on). A re-run is a new run.
* **The inquiry log.** An inquiry is logged (:func:`add_inquiry`), followed up
  (:func:`add_followup`, never dated before the inquiry), decided by the marketing
  lead (:func:`decide_inquiry`: decision, reviewer, day; until then it is pending)
  and converted later (:func:`update_inquiry`). Text typed in may hold no control
  characters or terminal escapes; a handler must be a known owner once owners are
  stored.
* **Faults and secrets.** Any database failure (damaged or locked file, server not
  reachable, schema missing or newer) is a :class:`StoreError` of one line
  (:func:`database_error`); a URL is only ever shown through :func:`mask_url`.
* **No SQL text from data.** Every value is a bound parameter.

Examples
--------
>>> from prioanalysis.store import database as store
>>> engine = store.get_engine("sqlite://")  # in memory
>>> store.add_inquiry(engine, date="2025-03-04", channel="web", segment="finance",
...                   customer_name="杭州银行股份有限公司")
'Q2025-0001'
>>> store.list_inquiries(engine, month="2025-03")[["inquiry_id", "channel"]].to_dict("records")
[{'inquiry_id': 'Q2025-0001', 'channel': 'web'}]
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import hashlib
import json
import math
import os
import re
import weakref
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, quote, quote_plus, unquote

import numpy as np
import pandas as pd
import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.dialects import postgresql
from sqlalchemy.engine import URL, Connection, Engine, make_url

from prioanalysis import __version__
from prioanalysis.config.inquiries import DEFAULT_VOCABULARY, InquiryParams, load_inquiry_params
from prioanalysis.config.params import Params, load_params
from prioanalysis.config.vocabularies import DEFAULT_SEGMENTS
from prioanalysis.errors import FrozenResultsError, InputError, PrioanalysisError, StoreError
from prioanalysis.inputs.inquiries import inquiry_schema
from prioanalysis.inputs.outcomes import OUTCOMES
from prioanalysis.inputs.owners import OWNERS
from prioanalysis.inputs.preliminary import DESCRIPTIVE, preliminary_schema
from prioanalysis.inputs.schema import Column, TableSchema, as_text, check
from prioanalysis.inputs.tables import examples, read_table
from prioanalysis.methods.target_list import COLUMNS as TARGET_LIST_COLUMNS
from prioanalysis.methods.target_list import KEY as TARGET_LIST_KEY

__all__ = [
    "ENV_URL",
    "DEFAULT_DB",
    "IMPORT_KINDS",
    "RUN_STATUSES",
    "RESULT_COLUMNS",
    "StoreError",
    "FrozenResultsError",
    "DriverErrors",
    "database_error",
    "ImportReport",
    "TableCounts",
    "metadata",
    "default_url",
    "mask_url",
    "masked_url",
    "get_engine",
    "alembic_config",
    "init_db",
    "schema_revision",
    "head_revision",
    "project_params",
    "import_table",
    "export",
    "add_inquiry",
    "add_followup",
    "update_inquiry",
    "decide_inquiry",
    "UPDATABLE_FIELDS",
    "control_character",
    "list_inquiries",
    "load_inquiries",
    "known_facts",
    "start_run",
    "save_run",
    "fail_run",
    "publish_run",
    "publication_history",
    "PUBLICATION_COLUMNS",
    "SupersedeRequired",
    "list_runs",
    "load_results",
    "load_customers",
    "load_preliminary",
    "write_preliminary",
    "preliminary_fingerprint",
    "load_outcomes",
    "load_owners",
    "table_counts",
]

#: Environment variable naming the database URL (SQLite or PostgreSQL).
ENV_URL = "PRIOANALYSIS_DB_URL"
#: The embedded database, relative to the project root.
DEFAULT_DB = Path("data") / "prioanalysis.db"
#: What :func:`import_table` imports.
IMPORT_KINDS = ("customers", "outcomes", "inquiries", "owners")
#: Life cycle of a run: running → succeeded | failed; succeeded → published (frozen).
RUN_STATUSES = ("running", "succeeded", "failed", "published")
#: The statuses a reader may see.
READABLE_STATUSES = ("succeeded", "published")
#: SQLite waits this long for another writer before giving up (seconds).
BUSY_TIMEOUT_S = 60
#: Columns of a preliminary list the database keeps as columns of its own; every
#: other column of the list is a fact (``customer_facts``).
_IDENTITY = ("customer_id", "customer_name", "segment", *DESCRIPTIVE)


# --------------------------------------------------------------------------- schema
_NAMING = {
    "pk": "pk_%(table_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "ix": "ix_%(table_name)s_%(column_0_name)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
}
#: The schema as SQLAlchemy Core tables (alembic migrations create it).
metadata = sa.MetaData(naming_convention=_NAMING)
_JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
_TS = sa.DateTime(timezone=True)


def _value_columns() -> list[Any]:
    """A fact's value: a number or a text, exactly one of them."""
    return [
        sa.Column("value_num", sa.Double),
        sa.Column("value_text", sa.Text),
        sa.CheckConstraint("(value_num IS NULL) <> (value_text IS NULL)", name="one_value"),
    ]


customers = sa.Table(
    "customers",
    metadata,
    sa.Column("customer_id", sa.Text, primary_key=True),
    sa.Column("customer_name", sa.Text, nullable=False),
    sa.Column("segment", sa.Text, nullable=False),
    sa.Column("segments", sa.Text, nullable=False),
    sa.Column("region", sa.Text),
    sa.Column("owner_id", sa.Text),
    sa.Column("first_year", sa.Integer, nullable=False),
    sa.Column("facts_year", sa.Integer, nullable=False),
    sa.Column("updated_at", _TS, nullable=False),
)

list_snapshots = sa.Table(
    "list_snapshots",
    metadata,
    sa.Column("year", sa.Integer, primary_key=True),
    sa.Column("customer_id", sa.Text, sa.ForeignKey("customers.customer_id"), primary_key=True),
    sa.Column("segment", sa.Text, primary_key=True),
    sa.Column("customer_name", sa.Text, nullable=False),
    sa.Column("region", sa.Text),
    sa.Column("owner_id", sa.Text),
    sa.Column("source_file", sa.Text),
    sa.Column("source_sha256", sa.Text),
    sa.Column("source_row", sa.Integer),
    sa.Column("imported_at", _TS, nullable=False),
)

#: One fact of one customer in one year's list (as proposed by one segment).
customer_facts = sa.Table(
    "customer_facts",
    metadata,
    sa.Column("year", sa.Integer, primary_key=True),
    sa.Column("customer_id", sa.Text, primary_key=True),
    sa.Column("segment", sa.Text, primary_key=True),
    sa.Column("fact", sa.Text, primary_key=True),
    *_value_columns(),
    sa.ForeignKeyConstraint(
        ["year", "customer_id", "segment"],
        ["list_snapshots.year", "list_snapshots.customer_id", "list_snapshots.segment"],
        ondelete="CASCADE",
    ),
    sa.Index("ix_customer_facts_fact", "fact"),
)

#: The header of each table imported, to give it back as it came in: column names in
#: file order per ``dataset`` (``preliminary/<year>``, ``inquiries``); ``field`` names
#: the database column a column goes to (``customer_id`` …), NULL for a fact.
import_columns = sa.Table(
    "import_columns",
    metadata,
    sa.Column("dataset", sa.Text, primary_key=True),
    sa.Column("position", sa.Integer, primary_key=True),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("field", sa.Text),
    sa.UniqueConstraint("dataset", "name", name="uq_import_columns_dataset_name"),
)

owners = sa.Table(
    "owners",
    metadata,
    sa.Column("owner_id", sa.Text, primary_key=True),
    sa.Column("owner_name", sa.Text, nullable=False),
    sa.Column("segment", sa.Text),
    sa.Column("region", sa.Text),
    sa.Column("capacity_strategic", sa.Integer),
    sa.Column("capacity_key", sa.Integer),
    sa.Column("capacity_general", sa.Integer),
    sa.Column("extra", _JSON),
    sa.Column("updated_at", _TS, nullable=False),
)

outcomes = sa.Table(
    "outcomes",
    metadata,
    sa.Column("year", sa.Integer, primary_key=True),
    sa.Column("customer_id", sa.Text, sa.ForeignKey("customers.customer_id"), primary_key=True),
    sa.Column("won", sa.Integer, nullable=False),
    sa.Column("revenue", sa.Double),
    sa.Column("days_to_close", sa.Integer),
    sa.Column("source_file", sa.Text),
    sa.Column("source_sha256", sa.Text),
    sa.Column("imported_at", _TS, nullable=False),
    sa.CheckConstraint("won IN (0, 1)", name="won_flag"),
)

inquiries = sa.Table(
    "inquiries",
    metadata,
    sa.Column("inquiry_id", sa.Text, primary_key=True),
    sa.Column("date", sa.Date, nullable=False, index=True),
    sa.Column("channel", sa.Text, nullable=False),
    sa.Column("segment", sa.Text, nullable=False, index=True),
    sa.Column("customer_name", sa.Text, nullable=False),
    sa.Column("region", sa.Text),
    sa.Column("need_category", sa.Text),
    sa.Column("first_response_hours", sa.Double),
    sa.Column("handler", sa.Text),
    sa.Column("decision", sa.Text),
    sa.Column("follow_ups", sa.Integer, nullable=False),
    sa.Column("converted", sa.Integer),
    sa.Column("reviewer", sa.Text),
    sa.Column("decided_on", sa.Date),
    sa.Column("converted_on", sa.Date),
    sa.Column("updated_at", _TS, nullable=False),
    sa.CheckConstraint("converted IN (0, 1)", name="converted_flag"),
)

#: One fact of an inquiring customer (its criteria, and any other column of the log).
inquiry_facts = sa.Table(
    "inquiry_facts",
    metadata,
    sa.Column("inquiry_id", sa.Text, sa.ForeignKey("inquiries.inquiry_id", ondelete="CASCADE"), primary_key=True),
    sa.Column("fact", sa.Text, primary_key=True),
    *_value_columns(),
)

inquiry_followups = sa.Table(
    "inquiry_followups",
    metadata,
    sa.Column("inquiry_id", sa.Text, sa.ForeignKey("inquiries.inquiry_id", ondelete="CASCADE"), primary_key=True),
    sa.Column("seq", sa.Integer, primary_key=True),
    sa.Column("date", sa.Date, nullable=False),
    sa.Column("note", sa.Text),
)

runs = sa.Table(
    "runs",
    metadata,
    sa.Column("run_id", sa.Text, primary_key=True),
    sa.Column("year", sa.Integer, nullable=False, index=True),
    sa.Column("kind", sa.Text, nullable=False),
    sa.Column("status", sa.Text, nullable=False),
    sa.Column("started", _TS, nullable=False),
    sa.Column("finished", _TS),
    sa.Column("published_at", _TS),
    sa.Column("criteria_version", sa.Text),
    sa.Column("params", _JSON),
    sa.Column("package_version", sa.Text),
    sa.Column("result_columns", _JSON),
    sa.Column("error", sa.Text),
    sa.CheckConstraint("status IN ('running', 'succeeded', 'failed', 'published')", name="status"),
)

#: Every publication of a run (``db publish``): who approved it, when, a note; the year's
#: earlier publication it superseded and why. Append-only (migration 0004): at most one
#: current (not superseded) publication per year.
publications = sa.Table(
    "publications",
    metadata,
    sa.Column("pub_id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("year", sa.Integer, nullable=False),
    sa.Column("run_id", sa.Text, sa.ForeignKey("runs.run_id"), nullable=False),
    sa.Column("published_at", _TS, nullable=False),
    sa.Column("approver", sa.Text),
    sa.Column("note", sa.Text),
    sa.Column("supersedes", sa.Text),
    sa.Column("supersede_reason", sa.Text),
    sa.Column("superseded_at", _TS),
    sa.Column("superseded_by", sa.Text),
)
sa.Index("ix_publications_run_id", publications.c.run_id, unique=True)
sa.Index(
    "publications_one_current_per_year",
    publications.c.year,
    unique=True,
    sqlite_where=sa.text("superseded_at IS NULL"),
    postgresql_where=sa.text("superseded_at IS NULL"),
)

_SA_KIND: dict[str, Any] = {"text": sa.Text, "float": sa.Double, "int": sa.Integer, "bool": sa.Boolean}
#: Typed columns of ``results``: every column of the target-list schema
#: (:data:`prioanalysis.methods.target_list.COLUMNS`) but the key; any other column
#: of a target list is kept in ``extra``.
RESULT_COLUMNS: dict[str, Any] = {
    name: _SA_KIND[spec.kind] for name, spec in TARGET_LIST_COLUMNS.items() if name != TARGET_LIST_KEY
}

results = sa.Table(
    "results",
    metadata,
    sa.Column("run_id", sa.Text, sa.ForeignKey("runs.run_id"), primary_key=True),
    sa.Column("customer_id", sa.Text, primary_key=True),
    *[sa.Column(n, t) for n, t in RESULT_COLUMNS.items()],
    sa.Column("extra", _JSON),
)

_TABLES = {
    t.name: t
    for t in (
        customers,
        list_snapshots,
        customer_facts,
        import_columns,
        owners,
        outcomes,
        inquiries,
        inquiry_facts,
        inquiry_followups,
        runs,
        results,
        publications,
    )
}


# --------------------------------------------------------------------------- engine
def _project_root(start: Path) -> Path:
    for d in (start, *start.parents):
        if (d / "params").is_dir():
            return d
    return start


def default_url(start: str | Path | None = None) -> URL:
    """The embedded SQLite database ``data/prioanalysis.db`` of the project.

    Parameters
    ----------
    start : str or Path, optional
        Where to look for the project root (the first folder, going up, that holds
        ``params/``); default the current folder, which is the root when none is found.
    """
    root = _project_root(Path(start or Path.cwd()).resolve())
    return URL.create("sqlite", database=str(root / DEFAULT_DB))


#: Query parameters whose value is a secret (``?password=…``, ``sslpassword``, tokens).
_SECRET_QUERY = re.compile(r"(?i)([?&;](?:[\w.\-]*(?:pass|pwd|secret|token)[\w.\-]*)=)([^&;#\s]*)")
#: A host (``db.example``, ``[::1]``) with an optional port, then the path, the query or the end.
_HOST_PART = re.compile(r"(?:\[[^\]/?#@\s]*\]|[^/?#@:\[\]\s]*)(?::\d*)?(?=[/?#]|$)")
_SCHEME = re.compile(r"^([A-Za-z][\w+.\-]*)://")
#: A URL inside a message (a driver may echo the one it was given).
_URL_IN_TEXT = re.compile(r"[A-Za-z][\w+.\-]*://[^\s'\"<>]+")


def _userinfo_end(rest: str) -> int | None:
    """Where the user-info of ``rest`` (a URL after ``scheme://``) ends: the last ``@``
    followed by a host and port, so that a password holding an unencoded ``@`` is
    taken whole (``user:p@ss@host`` is user ``user``, password ``p@ss``).
    """
    if rest.startswith("/"):
        return None
    for i in range(len(rest) - 1, -1, -1):
        if rest[i] == "@" and _HOST_PART.match(rest, i + 1):
            return i
    return None


def mask_url(url: str | URL | Engine) -> str:
    """A database URL as text with every secret in it replaced by ``***``.

    Masks the password of the user-info in every spelling — percent-encoded, or
    holding an unencoded ``@`` (``user:p@ss@host``: nothing of ``p@ss`` is shown) —
    and the value of every secret query parameter (``?password=…``,
    ``sslpassword``, ``…token…``). This is the one function that makes a URL fit to
    be shown: the command line, error messages and run records all use it.

    Parameters
    ----------
    url : str, sqlalchemy URL or Engine
        A URL as typed (``PRIOANALYSIS_DB_URL``), parsed, or an engine's.

    Returns
    -------
    str
        The URL with its secrets masked; ``<database URL not shown>`` for text that is
        not a URL (it may be a password).

    Examples
    --------
    >>> mask_url("postgresql://analyst:p@ss@db.example/prio?password=x&sslmode=require")
    'postgresql://analyst:***@db.example/prio?password=***&sslmode=require'
    >>> mask_url("sqlite:////data/prioanalysis.db")
    'sqlite:////data/prioanalysis.db'
    """
    if isinstance(url, Engine):
        url = url.url
    if isinstance(url, URL):
        if url.get_backend_name() == "sqlite" and not url.query:  # a path as given (no %-encoding)
            return f"{url.drivername}://" + ("" if url.database is None else f"/{url.database}")
        text = url.render_as_string(hide_password=False)
    else:
        text = str(url).strip()
    m = _SCHEME.match(text)
    if m is None:
        return "<database URL not shown>"
    text = _SECRET_QUERY.sub(r"\1***", text)
    rest = text[m.end() :]
    end = _userinfo_end(rest)
    if end is not None:
        user, sep, _ = rest[:end].partition(":")
        rest = f"{user}:***{rest[end:]}" if sep else rest
    return text[: m.end()] + rest


def masked_url(url: str | URL | Engine) -> str:
    """A URL as text with its secrets masked (:func:`mask_url`)."""
    return mask_url(url)


def _scrub(text: str, url: str | URL | Engine | None = None) -> str:
    """``text`` (a driver's message) with the secrets of ``url`` and every URL in it masked."""
    if isinstance(url, Engine):
        url = url.url
    elif isinstance(url, str):
        try:
            url = _parse_url(url)
        except Exception:  # not a URL: nothing known to mask but the URLs in the text
            url = None
    secrets: set[str] = set()
    if isinstance(url, URL):
        if url.password:
            secrets.add(str(url.password))
        for k, v in url.query.items():
            if re.search(r"(?i)pass|pwd|secret|token", k):
                secrets.update([v] if isinstance(v, str) else list(v))
    for s in sorted((s for s in secrets if len(s) >= 3), key=len, reverse=True):
        for form in {s, quote(s, safe=""), quote_plus(s)}:
            text = text.replace(form, "***")
    return _URL_IN_TEXT.sub(lambda m: mask_url(m.group(0)), text)


_QUERY = re.compile(r"[\w.\-]+=[^&]*(?:&[\w.\-]+=[^&]*)*")


def _parse_url(raw: str) -> URL:
    """``make_url``, but a password holding an unencoded ``@`` is taken whole, in the
    user-info (``user:p@ss@host``) or in the query (``?password=p@ss``).
    """
    m = _SCHEME.match(raw)
    if m is not None:
        rest = raw[m.end() :]
        q = rest.find("?")
        if q >= 0 and "@" in rest[q:] and _QUERY.fullmatch(rest[q + 1 :]):
            base = _parse_url(raw[: m.end() + q])
            return base.update_query_pairs(parse_qsl(rest[q + 1 :], keep_blank_values=True))
        end = _userinfo_end(rest)
        if end is not None:
            user, sep, password = rest[:end].partition(":")
            if sep and "@" in password and not set("/?#") & set(rest[:end]):
                base = make_url(raw[: m.end()] + rest[end + 1 :])
                return base.set(username=unquote(user), password=unquote(password))
    return make_url(raw)


def _normalise_url(raw: str | URL) -> URL:
    try:
        url = raw if isinstance(raw, URL) else _parse_url(str(raw).strip())
    except Exception:
        raise StoreError(
            f"{ENV_URL} (or the URL given) is not a database URL; expected "
            "postgresql+psycopg://user@host/dbname or sqlite:///path/to/file.db"
        ) from None
    backend = url.get_backend_name()
    if backend == "postgres" or url.drivername in ("postgresql", "postgres"):
        url = url.set(drivername="postgresql+psycopg")
    elif backend not in ("sqlite", "postgresql"):
        raise StoreError(f"{masked_url(url)}: unsupported database '{backend}' (use SQLite or PostgreSQL)")
    return url


def _on_sqlite_connect(dbapi_connection: Any, _record: Any) -> None:
    # The driver's own transaction handling is switched off: SQLAlchemy's "begin"
    # event below emits BEGIN (readers) or BEGIN IMMEDIATE (writers) itself, so DDL
    # is transactional too and a writer takes the write lock before it reads.
    dbapi_connection.isolation_level = None
    cur = dbapi_connection.cursor()
    cur.execute("PRAGMA foreign_keys=ON")
    # REPLACE fires the delete triggers of the row it replaces only with this on (the
    # insert triggers of migration 0003 refuse it on any connection).
    cur.execute("PRAGMA recursive_triggers=ON")
    cur.execute("PRAGMA busy_timeout=" + str(int(BUSY_TIMEOUT_S * 1000)))  # an integer, not data
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.close()


def _on_sqlite_begin(conn: Connection) -> None:
    write = conn.get_execution_options().get("prioanalysis_write", False)
    conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")


def get_engine(url: str | URL | None = None) -> Engine:
    """Open the database.

    Parameters
    ----------
    url : str or URL, optional
        SQLAlchemy URL. Default: ``PRIOANALYSIS_DB_URL`` when set, otherwise the
        embedded SQLite file (:func:`default_url`), whose folder is created.
        ``postgresql://`` means ``postgresql+psycopg://``.

    Returns
    -------
    sqlalchemy.engine.Engine
        SQLite connections have ``foreign_keys=ON``, ``journal_mode=WAL`` and a busy
        timeout. The schema is created on first use (:func:`init_db`).

    Raises
    ------
    StoreError
        Not a URL, or a backend other than SQLite and PostgreSQL.
    """
    if url is None:
        env = os.environ.get(ENV_URL, "").strip()
        u = _normalise_url(env) if env else default_url()
    else:
        u = _normalise_url(url)
    if u.get_backend_name() == "sqlite":
        # a password means nothing to SQLite: dropped, not passed to the driver (nor warned about)
        u = u.difference_update_query([k for k in u.query if re.search(r"(?i)pass|pwd|secret|token", k)])
        db = u.database
        if db and db != ":memory:" and not db.startswith("file:"):
            try:
                Path(db).parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise StoreError(
                    f"{masked_url(u)}: cannot create the database's folder {Path(db).parent}: {exc.strerror or exc}"
                ) from None
        engine = sa.create_engine(u, connect_args={"timeout": BUSY_TIMEOUT_S})
        event.listen(engine, "connect", _on_sqlite_connect)
        event.listen(engine, "begin", _on_sqlite_begin)
    else:
        engine = sa.create_engine(
            u,
            pool_pre_ping=True,
            connect_args={"connect_timeout": 10, "application_name": "prioanalysis"},
        )
    return engine


# ---------------------------------------------------------------- schema management
_MIGRATIONS = Path(__file__).resolve().parent / "migrations"
_ready_engines: weakref.WeakSet[Engine] = weakref.WeakSet()
#: Keys of the PostgreSQL advisory locks that serialise writers of one kind.
_LOCKS = {
    "schema": 0x5052_0001,
    "customers": 0x5052_0002,
    "outcomes": 0x5052_0003,
    "inquiries": 0x5052_0004,
    "owners": 0x5052_0005,
    "runs": 0x5052_0006,
}


def alembic_config(script_location: str | Path | None = None) -> Any:
    """The alembic configuration of the packaged migrations.

    For developers adding a migration::

        from alembic import command
        cfg = store.alembic_config()
        cfg.attributes["connection"] = engine.connect()  # or set sqlalchemy.url
        command.revision(cfg, "add a column", autogenerate=True)
    """
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(script_location or _MIGRATIONS))
    return cfg


def head_revision(config: Any = None) -> str:
    """The newest revision of the migrations."""
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(config or alembic_config()).get_current_head()
    assert head is not None
    return head


def schema_revision(engine: Engine) -> str | None:
    """The revision the database is at (``None`` for an empty database)."""
    from alembic.runtime.migration import MigrationContext

    with _connect(engine) as conn:
        return MigrationContext.configure(conn).get_current_revision()


def init_db(engine: Engine, revision: str = "head", config: Any = None) -> str:
    """Create the schema, or upgrade an existing database in place.

    Runs the alembic migrations in one transaction (schema changes are
    transactional on SQLite and PostgreSQL), serialised against any other
    ``init_db`` on the same database. Running it on an up-to-date database does
    nothing.

    Parameters
    ----------
    engine : Engine
        From :func:`get_engine`.
    revision : str
        Target revision, default the newest.
    config : alembic.config.Config, optional
        Default :func:`alembic_config`.

    Returns
    -------
    str
        The revision the database is now at.

    Raises
    ------
    StoreError
        Database unreachable, or at a revision these migrations do not know (a
        newer prioanalysis wrote it).
    """
    from alembic import command
    from alembic.util import CommandError

    cfg = config or alembic_config()
    try:
        with _writing(engine, "schema") as conn:
            _refuse_unversioned(engine, conn)
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, revision)
    except CommandError as exc:
        raise StoreError(f"{masked_url(engine)}: cannot upgrade the schema: {exc}") from None
    finally:
        cfg.attributes.pop("connection", None)
    _ready_engines.discard(engine)
    return schema_revision(engine) or "base"


def _refuse_unversioned(engine: Engine, conn: Connection) -> None:
    """Refuse to create the schema over tables of ours that carry no schema revision."""
    from alembic.runtime.migration import MigrationContext

    if MigrationContext.configure(conn).get_current_revision() is not None:
        return
    found = sorted(set(sa.inspect(conn).get_table_names()) & set(_TABLES))
    if found:
        raise StoreError(
            f"{masked_url(engine)}: the database holds tables of prioanalysis ({', '.join(found[:3])}"
            f"{' …' if len(found) > 3 else ''}) but no schema revision: it was not made by "
            "`prioanalysis db init`, or it is damaged; restore it from a backup or point "
            f"{ENV_URL} to another database"
        )


def _ready(engine: Engine) -> None:
    """Make sure the schema is at the packaged head; initialise an empty database."""
    if engine in _ready_engines:
        return
    current = schema_revision(engine)
    head = head_revision()
    if current is None:
        init_db(engine)
    elif current != head:
        from alembic.script import ScriptDirectory

        known = {s.revision for s in ScriptDirectory.from_config(alembic_config()).walk_revisions()}
        if current in known:
            raise StoreError(
                f"{masked_url(engine)}: the database schema is at revision {current}, this "
                f"version of prioanalysis needs {head}; run `prioanalysis db init` to upgrade it"
            )
        raise StoreError(
            f"{masked_url(engine)}: the database schema is at revision {current}, unknown to "
            f"this version of prioanalysis ({__version__}); a newer version wrote it"
        )
    _ready_engines.add(engine)


#: What a driver's message means, for the one line the command line shows.
_DB_HINTS = (  # (what the driver says, what it means, whether its words add anything)
    ("file is not a database", "the file is not a readable SQLite database (damaged, or not a database)", False),
    ("database disk image is malformed", "the SQLite database file is damaged (restore it from a backup)", False),
    ("database is locked", "the database is locked by another program (waited {timeout} s)", False),
    ("unable to open database file", "cannot open the database file (is its folder there and writable?)", False),
    ("attempt to write a readonly database", "the database file is read-only", False),
    ("no such table", "the database schema is incomplete (restore the database from a backup)", True),
    ("no such column", "the database schema is not the one its revision says (restore it from a backup)", True),
    ("connection refused", "the database server is not reachable", True),
    ("could not translate host name", "the database server's host name is unknown", True),
    ("failed to resolve host", "the database server's host name is unknown", True),
    ("timeout expired", "the database server did not answer in time", True),
)


def _db_error(engine: Engine | URL | str, exc: BaseException) -> StoreError:
    """A driver's exception as one clear line naming the database, secrets masked."""
    orig = getattr(exc, "orig", None) or exc
    text = str(orig).strip()
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    first = lines[0] if lines else type(orig).__name__
    # psycopg puts the server's reason on the first line after "connection failed: …"
    if len(lines) > 1 and first.lower().startswith("connection failed"):
        first = f"{first} {lines[1]}" if len(first) < 200 else first
    first = _scrub(first[:500], engine)
    where = masked_url(engine)
    if "frozen" in first:
        return FrozenResultsError(f"{where}: {first}")
    low = first.lower()
    for needle, meaning, informative in _DB_HINTS:
        if needle in low:
            meaning = meaning.replace("{timeout}", str(BUSY_TIMEOUT_S))
            return StoreError(f"{where}: {meaning}" + (f" ({first})" if informative else ""))
    return StoreError(f"{where}: {first}")


def _driver_errors() -> tuple[type[BaseException], ...]:
    import sqlite3

    found: list[type[BaseException]] = [sqlite3.Error]
    with contextlib.suppress(ImportError):
        import psycopg

        found.append(psycopg.Error)
    with contextlib.suppress(ImportError):
        from alembic.util import CommandError

        found.append(CommandError)
    return tuple(found)


#: The drivers' (and alembic's) own exceptions, which may escape SQLAlchemy's wrapping.
DriverErrors: tuple[type[BaseException], ...] = _driver_errors()


def database_error(exc: BaseException, url: str | URL | Engine | None = None) -> StoreError:
    """Any database failure as one clear :class:`StoreError`: the database named with
    its secrets masked, the driver's first line (secrets masked) with what it means.

    Parameters
    ----------
    exc : BaseException
        A SQLAlchemy, driver or alembic exception.
    url : str, URL or Engine, optional
        The database; default the one :func:`get_engine` opens
        (``PRIOANALYSIS_DB_URL`` or the embedded file).
    """
    if isinstance(exc, StoreError):
        return exc
    if url is None:
        env = os.environ.get(ENV_URL, "").strip()
        try:
            url = _normalise_url(env) if env else default_url()
        except StoreError:
            url = env
    return _db_error(url, exc)


@contextmanager
def _connect(engine: Engine) -> Iterator[Connection]:
    try:
        with engine.connect() as conn:
            yield conn
    except sa.exc.DBAPIError as exc:
        raise _db_error(engine, exc) from None


@contextmanager
def _reading(engine: Engine) -> Iterator[Connection]:
    """A read-only transaction on one snapshot of the database."""
    _ready(engine)
    with _connect(engine) as conn:
        if conn.dialect.name == "postgresql":
            conn = conn.execution_options(isolation_level="REPEATABLE READ")
        with conn.begin():
            yield conn


@contextmanager
def _writing(engine: Engine, lock: str) -> Iterator[Connection]:
    """One write transaction, serialised with the other writers of ``lock``."""
    if lock != "schema":
        _ready(engine)
    with _connect(engine) as conn:
        conn = conn.execution_options(prioanalysis_write=True)
        with conn.begin():
            if conn.dialect.name == "postgresql":
                conn.execute(sa.select(sa.func.pg_advisory_xact_lock(sa.bindparam("k", _LOCKS[lock]))))
            yield conn


# --------------------------------------------------------------------------- values
def _utcnow() -> _dt.datetime:
    return _dt.datetime.now(_dt.UTC)


def _is_missing(v: Any) -> bool:
    if v is None or v is pd.NA or v is pd.NaT:
        return True
    if isinstance(v, float | np.floating):
        return bool(np.isnan(v))
    return False


def _py(v: Any) -> Any:
    """A Python value for the database: NA → None, numpy scalars → Python."""
    if _is_missing(v):
        return None
    if isinstance(v, np.generic):
        v = v.item()
    if isinstance(v, float) and not math.isfinite(v):
        return None
    if isinstance(v, pd.Timestamp):
        return v.to_pydatetime()
    return v


def _json_safe(v: Any) -> Any:
    v = _py(v)
    if isinstance(v, _dt.datetime | _dt.date):
        return v.isoformat()
    if isinstance(v, str | int | float | bool) or v is None:
        return v
    return str(v)


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _objects(values: pd.Series) -> list[Any]:
    """A column as Python values for the database (NaN → None)."""
    return [_py(v) for v in values.astype(object).to_numpy()]


def _ints(values: pd.Series) -> list[int | None]:
    return [None if v is None else int(v) for v in _objects(values)]


def _render(x: float) -> str:
    """A number written plainly: ``15``, ``15.5``."""
    return str(int(x)) if float(x).is_integer() and abs(x) < 2**53 else repr(float(x))


#: A number written plainly in decimal: ``12``, ``-0.5``, ``20.0`` — not ``007``,
#: ``1e5`` or ``+3``, which are kept as the text they are.
_PLAIN_NUMBER = r"-?(?:0|[1-9]\d*)(?:\.\d+)?"


def _plain_numbers(text: pd.Series) -> tuple[pd.Series, pd.Series]:
    """(the numbers, where the text is a plainly written finite number)."""
    with np.errstate(all="ignore"):
        num = pd.to_numeric(text, errors="coerce").astype(float)
    plain = text.notna() & text.astype(object).astype(str).str.fullmatch(_PLAIN_NUMBER).fillna(False).astype(bool)
    return num, plain & np.isfinite(num)


# ----------------------------------------------------------------------- parameters
def project_params(year: int | None = None, start: str | Path | None = None) -> Params | None:
    """The project's parameters: ``params/<year>`` under the project root.

    The root is found from ``start`` (default the current folder) as for the
    embedded database (:func:`default_url`). With ``year=None``: the newest year
    whose folder holds ``inquiries.yaml``.

    Returns
    -------
    Params or None
        None when there is no such folder.
    """
    base = _project_root(Path(start or Path.cwd()).resolve()) / "params"
    if year is not None:
        d = base / str(int(year))
        return load_params(d) if (d / "criteria.yaml").is_file() and (d / "run.yaml").is_file() else None
    if not base.is_dir():
        return None
    years = sorted(
        (int(d.name) for d in base.iterdir() if d.name.isdigit() and (d / "inquiries.yaml").is_file()), reverse=True
    )
    return load_params(base / str(years[0])) if years else None


def _inquiry_setup(params: Params | None, inquiry_params: InquiryParams | None) -> tuple[Params | None, Any]:
    """The parameters and the vocabulary an inquiry is checked with."""
    if params is None and inquiry_params is None:
        params = project_params(None)
    if inquiry_params is None and params is not None and (params.directory / "inquiries.yaml").is_file():
        inquiry_params = load_inquiry_params(params.directory / "inquiries.yaml")
    return params, (inquiry_params.vocabulary if inquiry_params is not None else DEFAULT_VOCABULARY)


def _known_segments(conn: Connection, params: Params | None) -> list[str]:
    """The segments of the parameters (default :data:`DEFAULT_SEGMENTS`), then those
    the database holds already.
    """
    first = list(params.run.segments) if params is not None else sorted(DEFAULT_SEGMENTS)
    stored: set[str] = set()
    for t in (list_snapshots, owners, inquiries):
        stored |= {s for (s,) in conn.execute(sa.select(t.c.segment).distinct()) if s}
    return [*first, *sorted(stored - set(first))]


def known_facts(engine: Engine, params: Params | None = None) -> list[str]:
    """The facts an inquiry may carry: the criteria columns of ``params`` (default
    the project's, see :func:`project_params`) and every fact the database holds.
    """
    with _reading(engine) as conn:
        return sorted(_known_facts(conn, params if params is not None else project_params(None)))


def _known_facts(conn: Connection, params: Params | None) -> set[str]:
    names = {c.source for c in params.criteria.criteria} if params is not None else set()
    for t in (customer_facts, inquiry_facts):
        names |= {f for (f,) in conn.execute(sa.select(t.c.fact).distinct())}
    return names


# --------------------------------------------------------------------------- import
@dataclass(frozen=True)
class TableCounts:
    """Rows an import inserts, updates or leaves unchanged in one table."""

    inserted: int = 0
    updated: int = 0
    unchanged: int = 0

    def __str__(self) -> str:
        return f"{self.inserted} inserted, {self.updated} updated, {self.unchanged} unchanged"


@dataclass(frozen=True)
class ImportReport:
    """What an import did (or, with ``dry_run``, would do).

    Attributes
    ----------
    kind : str
        ``customers``, ``outcomes``, ``inquiries`` or ``owners``.
    source : str
        The file.
    rows : int
        Data rows in the file.
    year : int or None
        List or outcome year.
    dry_run : bool
        True when nothing was written.
    tables : dict of str to TableCounts
        Per table; the first is the table the file's rows go to.
    """

    kind: str
    source: str
    rows: int
    year: int | None
    dry_run: bool
    tables: dict[str, TableCounts] = field(default_factory=dict)

    @property
    def _main(self) -> TableCounts:
        return next(iter(self.tables.values()), TableCounts())

    @property
    def inserted(self) -> int:
        """Rows inserted into the main table."""
        return self._main.inserted

    @property
    def updated(self) -> int:
        """Rows updated in the main table."""
        return self._main.updated

    @property
    def unchanged(self) -> int:
        """Rows already as in the file."""
        return self._main.unchanged

    def summary(self) -> str:
        """One line per table, for the command line."""
        head = f"{self.source}: {self.rows} rows ({self.kind}{'' if self.year is None else f', {self.year}'})"
        if self.dry_run:
            head += " — dry run, nothing written"
        return "\n".join([head, *(f"  {t}: {c}" for t, c in self.tables.items())])


def _year_from_name(path: Path, year: int | None) -> int:
    if year is not None:
        if not 2000 <= int(year) <= 2100:
            raise InputError(f"year {year}: expected a year between 2000 and 2100")
        return int(year)
    found = {int(y) for y in re.findall(r"(?<!\d)(20\d{2}|2100)(?!\d)", path.stem)}
    if len(found) != 1:
        raise InputError(f"{path}: cannot tell the year from the file name; give the year (--year)")
    return found.pop()


def _key(row: Mapping[str, Any], keys: Sequence[str]) -> tuple[Any, ...]:
    return tuple(row[k] for k in keys)


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, _dt.datetime) or isinstance(b, _dt.datetime):
        return a == b
    if isinstance(a, float) and isinstance(b, float):
        return a == b or (math.isnan(a) and math.isnan(b))
    return a == b


def _plan(
    existing: Mapping[tuple[Any, ...], Mapping[str, Any]],
    incoming: Mapping[tuple[Any, ...], dict[str, Any]],
    compare: Sequence[str],
    changed: set[tuple[Any, ...]] | frozenset[tuple[Any, ...]] = frozenset(),
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], int]:
    """Split incoming rows into inserts, updates (changed, or keyed in ``changed``)
    and the unchanged count.
    """
    ins, upd, same = [], [], 0
    for k, row in incoming.items():
        old = existing.get(k)
        if old is None:
            ins.append(row)
        elif k not in changed and all(_same(old.get(c), row.get(c)) for c in compare):
            same += 1
        else:
            upd.append(row)
    return ins, upd, same


_CHUNK = 500


def _execute_chunk(conn: Connection, statement: Any, rows: list[dict[str, Any]]) -> None:
    """Send one chunk of rows (executemany)."""
    conn.execute(statement, rows)


def _write(
    conn: Connection,
    table: sa.Table,
    inserts: list[dict[str, Any]],
    updates: list[dict[str, Any]],
    deletes: Sequence[tuple[Any, ...]] = (),
) -> None:
    keys = [c.name for c in table.primary_key.columns]
    if deletes:
        delete = table.delete().where(sa.and_(*[table.c[k] == sa.bindparam(f"key_{k}") for k in keys]))
        gone = [{f"key_{k}": v for k, v in zip(keys, key)} for key in deletes]
        for i in range(0, len(gone), _CHUNK):
            _execute_chunk(conn, delete, gone[i : i + _CHUNK])
    if inserts:
        for i in range(0, len(inserts), _CHUNK):
            _execute_chunk(conn, table.insert(), inserts[i : i + _CHUNK])
    if updates:
        cols = [c for c in updates[0] if c not in keys]
        stmt = (
            table.update()
            .where(sa.and_(*[table.c[k] == sa.bindparam(f"key_{k}") for k in keys]))
            .values({c: sa.bindparam(c) for c in cols})
        )
        rows = [{**{c: r[c] for c in cols}, **{f"key_{k}": r[k] for k in keys}} for r in updates]
        for i in range(0, len(rows), _CHUNK):
            _execute_chunk(conn, stmt, rows[i : i + _CHUNK])


def _fetch(conn: Connection, table: sa.Table, where: Any = None) -> dict[tuple[Any, ...], dict[str, Any]]:
    keys = [c.name for c in table.primary_key.columns]
    stmt = sa.select(table)
    if where is not None:
        stmt = stmt.where(where)
    return {tuple(r[k] for k in keys): dict(r) for r in conn.execute(stmt).mappings()}


def _fetch_in(
    conn: Connection, table: sa.Table, column: str, values: Sequence[Any]
) -> dict[tuple[Any, ...], dict[str, Any]]:
    out: dict[tuple[Any, ...], dict[str, Any]] = {}
    for i in range(0, len(values), 900):
        out.update(_fetch(conn, table, table.c[column].in_(list(values[i : i + 900]))))
    return out


def _fact_values(raw: pd.Series, checked: pd.Series, column: Column | None) -> tuple[pd.Series, pd.Series]:
    """A fact column as (numbers, texts), exactly one of them given where a value is.

    A declared number column gives numbers; a declared scale or choice column its
    checked value as text; any other column its text — stored as a number when it
    is a plainly written decimal number (``12``, ``-0.5``), else as the text.
    """
    if column is not None and column.kind in ("number", "integer", "flag"):
        num = pd.to_numeric(checked, errors="coerce").astype(float)
        return num, pd.Series(np.nan, index=raw.index, dtype=object)
    declared_text = column is not None and column.kind in ("scale", "choice", "id")
    text = checked if declared_text else as_text(raw).str.strip()
    text = text.where(text.notna() & (text != ""))
    num, plain = _plain_numbers(text)
    return num.where(plain), text.where(~plain).astype(object)


def _fact_rows(
    df: pd.DataFrame, checked: pd.DataFrame, schema: TableSchema, names: Sequence[str], key: dict[str, list[Any]]
) -> dict[tuple[Any, ...], dict[str, Any]]:
    """The long rows of the fact columns ``names``: key columns + fact + value."""
    declared = set(schema.names)
    out: dict[tuple[Any, ...], dict[str, Any]] = {}
    key_names = list(key)
    for name in names:
        num, text = _fact_values(df[name], checked[name], schema.column(name) if name in declared else None)
        given = np.flatnonzero((num.notna() | text.notna()).to_numpy())
        nums, texts = num.to_numpy(), text.to_numpy()
        for i in given:
            ident = tuple(key[k][i] for k in key_names)
            n, t = nums[i], texts[i]
            out[(*ident, name)] = {
                **dict(zip(key_names, ident)),
                "fact": name,
                "value_num": None if np.isnan(n) else float(n),
                "value_text": None if t is None or isinstance(t, float) else str(t),
            }
    return out


def _record_header(conn: Connection, dataset: str, header: Sequence[str], fields: Mapping[str, str]) -> None:
    """Append the columns of ``header`` not yet known for ``dataset`` to ``import_columns``."""
    rows = conn.execute(
        sa.select(import_columns.c.position, import_columns.c.name).where(import_columns.c.dataset == dataset)
    ).all()
    known = {name for _, name in rows}
    pos = max((p for p, _ in rows), default=-1)
    new = []
    for name in header:
        if name not in known:
            pos += 1
            known.add(name)
            new.append({"dataset": dataset, "position": pos, "name": name, "field": fields.get(name)})
    if new:
        _execute_chunk(conn, import_columns.insert(), new)


def import_table(
    engine: Engine,
    kind: str,
    path: str | Path,
    dry_run: bool = False,
    *,
    year: int | None = None,
    params: Params | None = None,
    inquiry_params: InquiryParams | None = None,
) -> ImportReport:
    """Import a CSV or XLSX file into the database, upserting by id.

    ``customers`` takes a preliminary list (``preliminary_YYYY.csv``: one row per
    customer and proposing segment) into ``list_snapshots`` and ``customer_facts``
    for its year and upserts ``customers`` (whose facts follow the latest year
    imported); ``outcomes`` takes ``outcomes_YYYY.csv``; ``inquiries`` the inquiry
    log; ``owners`` the account managers. Every column of a list or a log beyond
    the customer's (inquiry's) own columns is a fact, kept whatever its name — a new
    criterion needs no new column. The whole file is checked first, with the schemas
    of :mod:`prioanalysis.inputs` (the same rules and messages as the notebooks'
    readers), every problem reported; then it is written in one transaction — all
    rows or none.

    Parameters
    ----------
    engine : Engine
        From :func:`get_engine`.
    kind : {"customers", "outcomes", "inquiries", "owners"}
    path : str or Path
        CSV or XLSX (read with :func:`prioanalysis.inputs.tables.read_table`).
    dry_run : bool
        Report what would be inserted, updated or left unchanged; write nothing.
    year : int, optional
        The list or outcome year (customers, outcomes). Default: the year in the file
        name (``preliminary_2026.csv``), or ``params.run.year``.
    params : prioanalysis.config.params.Params, optional
        Customers: the criteria and run parameters the list is checked against
        (default the project's ``params/<year>``, see :func:`project_params`).
        Inquiries: the segments allowed, and ``inquiries.yaml`` beside them for the
        vocabularies (default the newest project folder with ``inquiries.yaml``).
    inquiry_params : prioanalysis.config.inquiries.InquiryParams, optional
        Inquiries: the vocabularies, instead of those of ``params``.

    Returns
    -------
    ImportReport

    Raises
    ------
    InputError
        Unreadable file or invalid rows — naming the file, the rows and the column;
        a list without parameters to check it against.
    StoreError
        The database refused the write; nothing was written.
    """
    if kind not in IMPORT_KINDS:
        raise InputError(f"unknown import kind '{kind}' (expected one of {', '.join(IMPORT_KINDS)})")
    p = Path(path)
    df = read_table(p)
    sha = _sha256(p)
    if kind == "customers":
        year = _year_from_name(p, year if year is not None else (params.run.year if params is not None else None))
        if params is None:
            params = project_params(year)
        if params is None:
            raise InputError(
                f"{p}: a list is checked against the criteria of its year, and no params/{year} was found "
                f"above {Path.cwd()}; give the parameter folder (--params params/{year})"
            )
    try:
        with _writing(engine, kind) as conn:
            if kind == "customers":
                report = _import_customers(conn, df, p, sha, year, dry_run, params)  # type: ignore[arg-type]
            elif kind == "outcomes":
                report = _import_outcomes(conn, df, p, sha, year, dry_run)
            elif kind == "inquiries":
                report = _import_inquiries(conn, df, dry_run, params, inquiry_params)
            else:
                report = _import_owners(conn, df, dry_run)
            if dry_run:
                conn.rollback()
    except sa.exc.DBAPIError as exc:
        raise _db_error(engine, exc) from None
    return report


def _import_customers(
    conn: Connection, df: pd.DataFrame, path: Path, sha: str, year: int, dry_run: bool, params: Params
) -> ImportReport:
    it = params.run.intake
    schema = preliminary_schema(params)
    checked, problems = check(df, schema)
    problems.raise_if_any()
    source = problems.source
    offset = int(df.attrs.get("row_offset", 2))
    header = {
        it.id_column: "customer_id",
        it.name_column: "customer_name",
        it.segment_column: "segment",
        **{c: c for c in DESCRIPTIVE},
    }
    col_of = {f: h for h, f in header.items()}
    n = len(df)
    vals = {f: _objects(checked[col_of[f]]) if col_of[f] in checked.columns else [None] * n for f in _IDENTITY}
    facts = [str(c) for c in df.columns if c not in header]
    now = _utcnow()

    snaps: dict[tuple[Any, ...], dict[str, Any]] = {}
    for i in range(n):
        r = {f: vals[f][i] for f in _IDENTITY}
        snaps[(year, r["customer_id"], r["segment"])] = {
            "year": year,
            **r,
            "source_file": path.name,
            "source_sha256": sha,
            "source_row": i + offset,
            "imported_at": now,
        }
    new_facts = _fact_rows(
        df, checked, schema, facts, {"year": [year] * n, "customer_id": vals["customer_id"], "segment": vals["segment"]}
    )
    old_snaps = _fetch(conn, list_snapshots, list_snapshots.c.year == year)
    old_facts = _fetch(conn, customer_facts, customer_facts.c.year == year)
    f_ins, f_upd, f_same = _plan(old_facts, new_facts, ["value_num", "value_text"])
    f_del = [k for k in old_facts if k[:3] in snaps and k not in new_facts]
    changed = {_key(r, ("year", "customer_id", "segment")) for r in (*f_ins, *f_upd)} | {k[:3] for k in f_del}
    s_ins, s_upd, s_same = _plan(old_snaps, snaps, ["customer_name", "region", "owner_id"], changed)

    # Segments that propose each customer this year: the file's (home first), then
    # those already stored for the year from other files.
    segs: dict[str, list[str]] = {}
    home: dict[str, dict[str, Any]] = {}
    for r in snaps.values():
        segs.setdefault(r["customer_id"], []).append(r["segment"])
        home.setdefault(r["customer_id"], r)
    for _, cid, seg in old_snaps:
        if cid in segs and seg not in segs[cid]:
            segs[cid].append(seg)
    ids = list(home)
    old_cust = _fetch_in(conn, customers, "customer_id", ids)
    cust: dict[tuple[Any, ...], dict[str, Any]] = {}
    for cid in ids:
        r = home[cid]
        old = old_cust.get((cid,))
        fresh = {
            "customer_id": cid,
            "customer_name": r["customer_name"],
            "segment": r["segment"],
            "segments": ";".join(segs[cid]),
            "region": r["region"],
            "owner_id": r["owner_id"],
            "first_year": year,
            "facts_year": year,
            "updated_at": now,
        }
        if old is not None:
            if year < old["facts_year"]:  # an older list never overwrites newer facts
                fresh = {**old, "updated_at": now}
            fresh["first_year"] = min(old["first_year"], year)
        cust[(cid,)] = fresh
    c_compare = [c.name for c in customers.columns if c.name not in ("customer_id", "updated_at")]
    c_ins, c_upd, c_same = _plan(old_cust, cust, c_compare)
    if not dry_run:
        _write(conn, customers, c_ins, c_upd)
        _write(conn, list_snapshots, s_ins, s_upd)
        _write(conn, customer_facts, f_ins, f_upd, f_del)
        _record_header(conn, f"preliminary/{year}", [str(c) for c in df.columns], header)
    return ImportReport(
        "customers",
        source,
        n,
        year,
        dry_run,
        {
            "list_snapshots": TableCounts(len(s_ins), len(s_upd), s_same),
            "customers": TableCounts(len(c_ins), len(c_upd), c_same),
            "customer_facts": TableCounts(len(f_ins), len(f_upd) + len(f_del), f_same),
        },
    )


def _import_outcomes(
    conn: Connection, df: pd.DataFrame, path: Path, sha: str, year: int | None, dry_run: bool
) -> ImportReport:
    year = _year_from_name(path, year)
    checked, problems = check(df, OUTCOMES)
    ids = _objects(checked["customer_id"])
    given = [c for c in dict.fromkeys(ids) if c is not None]
    known = {k[0] for k in _fetch_in(conn, customers, "customer_id", given)}
    unknown = np.array([c is not None and c not in known for c in ids], dtype=bool)
    if unknown.any():
        problems.add(
            unknown,
            "customer_id",
            f"{examples(np.array(ids, dtype=object), unknown)} "
            "is not a known customer (import the preliminary list first)",
        )
    problems.raise_if_any()
    now = _utcnow()
    won, revenue = _ints(checked["won"]), _objects(checked["revenue"])
    days = _ints(checked["days_to_close"]) if "days_to_close" in checked.columns else [None] * len(df)
    rows = {
        (year, cid): {
            "year": year,
            "customer_id": cid,
            "won": w,
            "revenue": r,
            "days_to_close": d,
            "source_file": path.name,
            "source_sha256": sha,
            "imported_at": now,
        }
        for cid, w, r, d in zip(ids, won, revenue, days)
    }
    old = _fetch(conn, outcomes, outcomes.c.year == year)
    ins, upd, same = _plan(old, rows, ["won", "revenue", "days_to_close"])
    if not dry_run:
        _write(conn, outcomes, ins, upd)
    return ImportReport(
        "outcomes", problems.source, len(df), year, dry_run, {"outcomes": TableCounts(len(ins), len(upd), same)}
    )


_INQUIRY_COLUMNS = [c.name for c in inquiries.columns if c.name != "updated_at"]
_INQUIRY_DATES = ("date", "decided_on", "converted_on")
#: What the marketing lead records later (``inquiry decide`` / ``inquiry update``): an
#: imported log whose cell is empty, or that has no such column, keeps the stored value.
_RECORDED_LATER = ("decision", "reviewer", "decided_on", "converted_on")


def _inquiry_rows(checked: pd.DataFrame, now: _dt.datetime) -> list[dict[str, Any]]:
    n = len(checked)
    cols: dict[str, list[Any]] = {}
    for c in _INQUIRY_COLUMNS:
        if c not in checked.columns:
            cols[c] = [None] * n
        elif c in _INQUIRY_DATES:
            cols[c] = [None if v is None else v.date() for v in _objects(checked[c])]
        elif c in ("follow_ups", "converted"):
            cols[c] = _ints(checked[c])
        else:
            cols[c] = _objects(checked[c])
    rows = [{c: cols[c][i] for c in _INQUIRY_COLUMNS} for i in range(n)]
    for r in rows:
        r["follow_ups"] = r["follow_ups"] or 0
        r["updated_at"] = now
    return rows


def _import_inquiries(
    conn: Connection, df: pd.DataFrame, dry_run: bool, params: Params | None, inquiry_params: InquiryParams | None
) -> ImportReport:
    params, vocabulary = _inquiry_setup(params, inquiry_params)
    schema = inquiry_schema(vocabulary, _known_segments(conn, params))
    checked, problems = check(df, schema)
    problems.raise_if_any()
    rows = {(r["inquiry_id"],): r for r in _inquiry_rows(checked, _utcnow())}
    names = [str(c) for c in df.columns if c not in schema.names]
    new_facts = _fact_rows(df, checked, schema, names, {"inquiry_id": [r["inquiry_id"] for r in rows.values()]})
    ids = [k[0] for k in rows]
    old = _fetch_in(conn, inquiries, "inquiry_id", ids)
    for k, r in rows.items():  # an empty cell does not erase what the marketing lead recorded
        prev = old.get(k)
        if prev is not None:
            for c in _RECORDED_LATER:
                if r[c] is None and prev[c] is not None:
                    r[c] = prev[c]
    old_facts = _fetch_in(conn, inquiry_facts, "inquiry_id", ids)
    f_ins, f_upd, f_same = _plan(old_facts, new_facts, ["value_num", "value_text"])
    f_del = [k for k in old_facts if k not in new_facts]
    changed = {(r["inquiry_id"],) for r in (*f_ins, *f_upd)} | {k[:1] for k in f_del}
    compare = [c for c in _INQUIRY_COLUMNS if c != "inquiry_id"]
    ins, upd, same = _plan(old, rows, compare, changed)
    if not dry_run:
        _write(conn, inquiries, ins, upd)
        _write(conn, inquiry_facts, f_ins, f_upd, f_del)
        _record_header(conn, "inquiries", [str(c) for c in df.columns], {c: c for c in schema.names})
    return ImportReport(
        "inquiries",
        problems.source,
        len(df),
        None,
        dry_run,
        {
            "inquiries": TableCounts(len(ins), len(upd), same),
            "inquiry_facts": TableCounts(len(f_ins), len(f_upd) + len(f_del), f_same),
        },
    )


def _extra_values(df: pd.DataFrame, extra: list[str]) -> list[dict[str, Any] | None]:
    if not extra:
        return [None] * len(df)
    cols = {c: df[c].astype(object).to_numpy() for c in extra}
    return [{c: _json_safe(cols[c][i]) for c in extra} for i in range(len(df))]


def _import_owners(conn: Connection, df: pd.DataFrame, dry_run: bool) -> ImportReport:
    checked, problems = check(df, OWNERS)
    problems.raise_if_any()
    now = _utcnow()
    typed = [c.name for c in owners.columns if c.name not in ("extra", "updated_at")]
    vals = {
        c: (_ints(checked[c]) if c.startswith("capacity_") else _objects(checked[c]))
        if c in checked.columns
        else [None] * len(df)
        for c in typed
    }
    extras = _extra_values(df, [str(c) for c in df.columns if c not in typed])
    rows = {
        (vals["owner_id"][i],): {**{c: vals[c][i] for c in typed}, "extra": extras[i], "updated_at": now}
        for i in range(len(df))
    }
    old = _fetch(conn, owners)
    compare = [c.name for c in owners.columns if c.name not in ("owner_id", "updated_at")]
    ins, upd, same = _plan(old, rows, compare)
    if not dry_run:
        _write(conn, owners, ins, upd)
    return ImportReport(
        "owners", problems.source, len(df), None, dry_run, {"owners": TableCounts(len(ins), len(upd), same)}
    )


# --------------------------------------------------------------------------- export
def export(engine: Engine, directory: str | Path) -> list[Path]:
    """Write every table to ``<directory>/<table>.csv`` (UTF-8), from one snapshot.

    JSON columns are written as JSON text; rows are in primary-key order.

    Returns
    -------
    list of Path
        The files written.
    """
    d = Path(directory)
    written = []
    with _reading(engine) as conn:
        d.mkdir(parents=True, exist_ok=True)  # once the database answers: a refused export writes nothing
        for name, table in _TABLES.items():
            res = conn.execute(sa.select(table).order_by(*table.primary_key.columns))
            frame = pd.DataFrame([tuple(r) for r in res], columns=list(res.keys()), dtype=object)
            for c in table.columns:
                if isinstance(c.type, sa.JSON):
                    frame[c.name] = [None if v is None else json.dumps(v, ensure_ascii=False) for v in frame[c.name]]
            p = d / f"{name}.csv"
            frame.to_csv(p, index=False, encoding="utf-8")
            written.append(p)
    return written


def table_counts(engine: Engine) -> dict[str, int]:
    """Rows per table."""
    with _reading(engine) as conn:
        count = sa.select(sa.func.count())
        return {n: int(conn.execute(count.select_from(t)).scalar_one()) for n, t in _TABLES.items()}


# ------------------------------------------------------------------------ inquiries
_FOLLOW_UP = TableSchema("follow-up", (Column("date", "date", required=True, nullable=False), Column("note", "text")))

#: Characters no text typed into the database may hold: the C0 controls (tab and
#: newline only where a text may have lines), DEL, the C1 controls (ESC and CSI start
#: terminal escape sequences), line and paragraph separators and the bidirectional
#: overrides (which make a text display other than it reads).
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
_CONTROL_MULTILINE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def control_character(text: str, multiline: bool = False) -> str | None:
    """The first control character of ``text``, described (``U+001B``), or None.

    Parameters
    ----------
    text : str
    multiline : bool
        Allow tab and newline (a note); otherwise every C0 control is refused.

    Examples
    --------
    >>> control_character(chr(27) + "[31mred"), control_character("two" + chr(10) + "lines", multiline=True)
    ('U+001B', None)
    """
    m = (_CONTROL_MULTILINE if multiline else _CONTROL).search(text)
    return None if m is None else f"U+{ord(m.group(0)):04X}"


def _refuse_control(what: str, fields: Mapping[str, Any], multiline: Sequence[str] = ()) -> None:
    """InputError naming every field whose text holds a control character."""
    bad = []
    for name, value in fields.items():
        if isinstance(value, str) and (found := control_character(value, name in multiline)) is not None:
            bad.append(f"field '{name}': contains the control character {found}")
    if bad:
        raise InputError(
            f"{what}: " + "; ".join(bad) + " (control characters and terminal escape sequences cannot be stored)"
        )


def _record_checks(conn: Connection, what: str, row: Mapping[str, Any]) -> None:
    """The rules an inquiry typed in (or changed) must meet beyond its fields' own:
    decision dates and conversion not before the inquiry, a reviewer or decision
    day only with a decision, a conversion day only for a converted inquiry, and a
    handler who is a known owner when the owners are stored.
    """
    problems = []
    day = row["date"]
    for c, label in (("decided_on", "the decision"), ("converted_on", "the conversion")):
        if row.get(c) is not None and day is not None and row[c] < day:
            problems.append(f"field '{c}': {label} ({row[c]}) is dated before the inquiry ({day})")
    if row.get("decision") is None:
        for c in ("reviewer", "decided_on"):
            if row.get(c) is not None:
                problems.append(f"field '{c}': given without a decision (record one with --decision)")
    if row.get("converted_on") is not None and row.get("converted") != 1:
        problems.append("field 'converted_on': given for an inquiry that is not converted (converted = 0)")
    handler = row.get("handler")
    if handler is not None:
        known = set(conn.execute(sa.select(owners.c.owner_id)).scalars())
        if known and handler not in known:
            problems.append(
                f"field 'handler': {handler!r} is not a known owner ({len(known)} owners stored, such as "
                f"{', '.join(sorted(known)[:3])}; import the owners with `prioanalysis db import owners`)"
            )
    if problems:
        raise InputError(f"{what}: " + "; ".join(problems))


def add_inquiry(
    engine: Engine, *, params: Params | None = None, inquiry_params: InquiryParams | None = None, **fields: Any
) -> str:
    """Log one general inquiry (step 2.3.5).

    The values are checked with the schema of the inquiry log
    (:func:`prioanalysis.inputs.inquiries.inquiry_schema`), as a file would be, and
    by the rules of a record typed in: no control characters in a text, a handler
    who is a known owner (when owners are stored), decision and conversion days not
    before the inquiry. An inquiry logged without a decision is *pending* until
    :func:`decide_inquiry` records the marketing lead's decision.

    Parameters
    ----------
    engine : Engine
    params : Params, optional
        Where the allowed segments and criteria facts (and, beside them,
        ``inquiries.yaml`` with the vocabularies) come from; default the project's
        newest parameter folder holding ``inquiries.yaml`` (:func:`project_params`).
    inquiry_params : InquiryParams, optional
        The vocabularies, instead of those beside ``params``.
    **fields
        ``date`` (YYYY-MM-DD), ``channel``, ``segment``, ``customer_name`` are
        required; optional ``inquiry_id`` (default the next ``Q<year>-NNNN`` of the
        inquiry's year), ``region``, ``need_category``, ``first_response_hours``,
        ``handler``, ``decision``, ``reviewer``, ``decided_on``, ``follow_ups``,
        ``converted``, ``converted_on`` and facts of the customer
        (:func:`known_facts`: ``it_budget`` …).

    Returns
    -------
    str
        The inquiry id.

    Raises
    ------
    InputError
        Unknown field, or a value not of the expected kind — naming the field.
    """
    _refuse_control("inquiry", fields)
    params, vocabulary = _inquiry_setup(params, inquiry_params)
    try:
        with _writing(engine, "inquiries") as conn:
            schema = inquiry_schema(vocabulary, _known_segments(conn, params), with_id=False)
            facts = _known_facts(conn, params)
            names = [*schema.names, *sorted(facts - set(schema.names))]
            unknown = sorted(set(fields) - set(names))
            if unknown:
                raise InputError(f"inquiry: unknown field(s) {', '.join(unknown)} (expected: {', '.join(names)})")
            df = pd.DataFrame({k: [v] for k, v in fields.items()}, dtype=object)
            checked, problems = check(df, schema, "inquiry", record=True)
            problems.raise_if_any()
            (row,) = _inquiry_rows(checked, _utcnow())
            _record_checks(conn, "inquiry", row)
            if row["inquiry_id"] is None:
                prefix = f"Q{row['date'].year}-"
                like = inquiries.c.inquiry_id.like(sa.bindparam("p", prefix + "%"))
                ids = conn.execute(sa.select(inquiries.c.inquiry_id).where(like)).scalars()
                nums = [int(m.group(1)) for i in ids if (m := re.fullmatch(re.escape(prefix) + r"(\d+)", i))]
                row["inquiry_id"] = f"{prefix}{max(nums, default=0) + 1:04d}"
            elif conn.execute(
                sa.select(inquiries.c.inquiry_id).where(inquiries.c.inquiry_id == row["inquiry_id"])
            ).first():
                raise InputError(f"inquiry: field 'inquiry_id': {row['inquiry_id']!r} already exists")
            fact_names = [k for k in fields if k not in schema.names]
            rows = _fact_rows(df, checked, schema, fact_names, {"inquiry_id": [row["inquiry_id"]]})
            conn.execute(inquiries.insert(), [row])
            if rows:
                conn.execute(inquiry_facts.insert(), list(rows.values()))
                _record_header(conn, "inquiries", fact_names, {})
    except sa.exc.DBAPIError as exc:
        raise _db_error(engine, exc) from None
    return str(row["inquiry_id"])


#: What :func:`update_inquiry` may change.
UPDATABLE_FIELDS = (
    "region",
    "need_category",
    "first_response_hours",
    "handler",
    "decision",
    "reviewer",
    "decided_on",
    "converted",
    "converted_on",
)


def _input_value(v: Any) -> Any:
    """A stored value as a field would be typed (dates as ``YYYY-MM-DD``)."""
    if isinstance(v, _dt.datetime | _dt.date):
        return v.isoformat()[:10]
    return v


def update_inquiry(
    engine: Engine,
    inquiry_id: str,
    *,
    params: Params | None = None,
    inquiry_params: InquiryParams | None = None,
    **changes: Any,
) -> dict[str, Any]:
    """Change an inquiry after it was logged: its handling, the marketing lead's
    decision, its conversion.

    The changed inquiry is checked as a whole, as :func:`add_inquiry` checks a new
    one (the fields' schema; decision and conversion days not before the inquiry; a
    reviewer or decision day only with a decision; a conversion day only for a
    converted inquiry — giving ``converted_on`` alone sets ``converted`` to 1; a
    handler who is a known owner). One transaction: all changes or none.

    Parameters
    ----------
    engine : Engine
    inquiry_id : str
    params, inquiry_params
        As for :func:`add_inquiry`.
    **changes
        Any of :data:`UPDATABLE_FIELDS`; an empty text or None clears a field.

    Returns
    -------
    dict
        The inquiry's stored fields after the change.

    Raises
    ------
    InputError
        No such inquiry, nothing to change, an unknown field, or a value or
        combination the rules refuse — naming the field.
    """
    what = f"inquiry {inquiry_id}"
    unknown = sorted(set(changes) - set(UPDATABLE_FIELDS))
    if unknown:
        raise InputError(f"{what}: cannot change {', '.join(unknown)} (changeable: {', '.join(UPDATABLE_FIELDS)})")
    if not changes:
        raise InputError(f"{what}: nothing to change (give any of {', '.join(UPDATABLE_FIELDS)})")
    _refuse_control(what, {"inquiry_id": inquiry_id, **changes})
    changes = dict(changes)
    if changes.get("converted_on") not in (None, "") and "converted" not in changes:
        changes["converted"] = 1
    params, vocabulary = _inquiry_setup(params, inquiry_params)
    try:
        with _writing(engine, "inquiries") as conn:
            old = conn.execute(sa.select(inquiries).where(inquiries.c.inquiry_id == inquiry_id)).mappings().first()
            if old is None:
                raise InputError(f"{what}: no such inquiry (`prioanalysis inquiry list` shows them)")
            schema = inquiry_schema(vocabulary, _known_segments(conn, params), with_id=False)
            merged = {c: _input_value(old[c]) for c in schema.names if c in old and c != "inquiry_id"}
            merged.update({k: (None if isinstance(v, str) and not v.strip() else v) for k, v in changes.items()})
            df = pd.DataFrame({k: [v] for k, v in merged.items()}, dtype=object)
            checked, problems = check(df, schema, what, record=True)
            problems.raise_if_any()
            (row,) = _inquiry_rows(checked, _utcnow())
            row["inquiry_id"] = inquiry_id
            _record_checks(conn, what, row)
            values = {c: row[c] for c in changes}
            conn.execute(
                inquiries.update()
                .where(inquiries.c.inquiry_id == inquiry_id)
                .values(**values, updated_at=row["updated_at"])
            )
    except sa.exc.DBAPIError as exc:
        raise _db_error(engine, exc) from None
    return {c: row[c] for c in _INQUIRY_COLUMNS}


def decide_inquiry(
    engine: Engine,
    inquiry_id: str,
    decision: str,
    reviewer: str,
    decided_on: str | _dt.date | None = None,
    *,
    params: Params | None = None,
    inquiry_params: InquiryParams | None = None,
) -> dict[str, Any]:
    """Record the marketing lead's decision on an inquiry (step 2.3.5): the decision
    (a word of ``decisions`` in ``inquiries.yaml``), who decided and on which day
    (default today, UTC). A pending inquiry is no longer pending; a decision taken
    again replaces the earlier one.

    Returns
    -------
    dict
        The inquiry's stored fields after the change (:func:`update_inquiry`).

    Raises
    ------
    InputError
        No such inquiry; an unknown decision; an empty reviewer; a day before the
        inquiry's.
    """
    what = f"inquiry {inquiry_id}"
    missing = [n for n, v in (("decision", decision), ("reviewer", reviewer)) if v is None or not str(v).strip()]
    if missing:
        raise InputError(f"{what}: a decision needs {' and '.join(missing)} (the marketing lead who decided)")
    day = decided_on if decided_on not in (None, "") else _utcnow().date().isoformat()
    return update_inquiry(
        engine,
        inquiry_id,
        params=params,
        inquiry_params=inquiry_params,
        decision=decision,
        reviewer=reviewer,
        decided_on=day,
    )


def add_followup(engine: Engine, inquiry_id: str, date: str | _dt.date, note: str | None = None) -> int:
    """Record a follow-up of an inquiry; returns its number (1, 2, …) and counts it
    in the inquiry's ``follow_ups``.

    Raises
    ------
    InputError
        No such inquiry; a date that is not a day, or before the inquiry's; control
        characters in the note (tab and newline are fine).
    """
    _refuse_control("follow-up", {"inquiry_id": inquiry_id, "date": date, "note": note}, multiline=("note",))
    checked = check(pd.DataFrame({"date": [date], "note": [note]}, dtype=object), _FOLLOW_UP, "follow-up", record=True)
    checked[1].raise_if_any()
    day = checked[0]["date"].iloc[0].date()
    text = _py(checked[0]["note"].iloc[0])
    with _writing(engine, "inquiries") as conn:
        found = conn.execute(sa.select(inquiries.c.date).where(inquiries.c.inquiry_id == inquiry_id)).first()
        if found is None:
            raise InputError(f"follow-up: no inquiry {inquiry_id!r}")
        if day < found[0]:
            raise InputError(
                f"follow-up of inquiry {inquiry_id}: field 'date': {day} is before the inquiry itself ({found[0]})"
            )
        last = conn.execute(
            sa.select(sa.func.max(inquiry_followups.c.seq)).where(inquiry_followups.c.inquiry_id == inquiry_id)
        ).scalar_one()
        seq = int(last or 0) + 1
        conn.execute(inquiry_followups.insert(), [{"inquiry_id": inquiry_id, "seq": seq, "date": day, "note": text}])
        conn.execute(
            inquiries.update()
            .where(inquiries.c.inquiry_id == inquiry_id)
            .values(follow_ups=inquiries.c.follow_ups + 1, updated_at=_utcnow())
        )
    return seq


def _month_range(month: str) -> tuple[_dt.date, _dt.date]:
    m = re.fullmatch(r"(\d{4})-(\d{2})", str(month).strip())
    if not m or not 1 <= int(m.group(2)) <= 12:
        raise InputError(f"month {month!r}: expected YYYY-MM, such as 2025-03")
    y, mo = int(m.group(1)), int(m.group(2))
    start = _dt.date(y, mo, 1)
    end = _dt.date(y + (mo == 12), mo % 12 + 1, 1)
    return start, end


def _inquiry_frame(engine: Engine, start: _dt.date | None, end: _dt.date | None, segment: str | None) -> pd.DataFrame:
    cols = [inquiries.c[c] for c in _INQUIRY_COLUMNS]
    cond = []
    if start is not None:
        cond.append(inquiries.c.date >= start)
    if end is not None:
        cond.append(inquiries.c.date < end)
    if segment is not None:
        cond.append(inquiries.c.segment == segment)
    stmt = sa.select(*cols).where(*cond).order_by(inquiries.c.date, inquiries.c.inquiry_id)
    chosen = sa.select(inquiries.c.inquiry_id).where(*cond)
    with _reading(engine) as conn:
        rows = conn.execute(stmt).all()
        facts = conn.execute(sa.select(inquiry_facts).where(inquiry_facts.c.inquiry_id.in_(chosen))).all()
        order = _header(conn, "inquiries")
        followed = conn.execute(
            sa.select(inquiry_followups.c.inquiry_id, sa.func.max(inquiry_followups.c.date))
            .where(inquiry_followups.c.inquiry_id.in_(chosen))
            .group_by(inquiry_followups.c.inquiry_id)
        ).all()
    base = _typed(
        pd.DataFrame([tuple(r) for r in rows], columns=_INQUIRY_COLUMNS, dtype=object), ints=("follow_ups", "converted")
    )
    wide = _pivot_facts(
        pd.DataFrame([tuple(r) for r in facts], columns=["inquiry_id", "fact", "value_num", "value_text"]),
        ["inquiry_id"],
    )
    names = _fact_order(order, wide.columns)
    for name in names:
        base[name] = wide[name].reindex(pd.Index(base["inquiry_id"], name="inquiry_id")).reset_index(drop=True)
    if followed:
        base[LAST_CONTACT] = _last_contact_on(base, dict(followed))
    return base


#: The column of the inquiry log with each inquiry's last follow-up day (read by the
#: monthly report's follow-up management, :func:`prioanalysis.steps.inquiries.last_contact`).
LAST_CONTACT = "last_contact_on"


def _last_contact_on(base: pd.DataFrame, followed: Mapping[str, Any]) -> pd.Series:
    """The later of the log's own ``last_contact_on`` (an imported column) and the last
    follow-up recorded with :func:`add_followup`, as ``YYYY-MM-DD`` (empty: neither).
    """
    recorded = pd.to_datetime(base["inquiry_id"].map(followed), errors="coerce")
    if LAST_CONTACT in base.columns:
        imported = pd.to_datetime(base[LAST_CONTACT], errors="coerce", format="mixed")
        keep = base[LAST_CONTACT].notna() & imported.isna()  # not a day: kept, for the report to refuse by name
        latest = pd.concat([recorded, imported], axis=1).max(axis=1)
        out = latest.dt.strftime("%Y-%m-%d").astype(object).where(latest.notna(), None)
        return out.where(~keep, base[LAST_CONTACT])
    return recorded.dt.strftime("%Y-%m-%d").astype(object).where(recorded.notna(), None)


def list_inquiries(engine: Engine, month: str | None = None, segment: str | None = None) -> pd.DataFrame:
    """The inquiry log, by date, optionally one month (``YYYY-MM``) and one segment.

    Returns
    -------
    pandas.DataFrame
        The columns of ``inquiries_YYYY.csv`` (``date`` as datetime) and the facts
        of the inquiring customers, in the order they were imported.
    """
    start, end = _month_range(month) if month else (None, None)
    return _inquiry_frame(engine, start, end, segment)


def load_inquiries(engine: Engine, year: int | None = None, month: str | None = None) -> pd.DataFrame:
    """The inquiries of a year or of one month (``YYYY-MM``), as :func:`list_inquiries`."""
    if month:
        start, end = _month_range(month)
    elif year is not None:
        start, end = _dt.date(int(year), 1, 1), _dt.date(int(year) + 1, 1, 1)
    else:
        return _inquiry_frame(engine, None, None, None)
    return _inquiry_frame(engine, start, end, None)


# -------------------------------------------------------------------------- loaders
def _with_extra(
    rows: Sequence[Mapping[str, Any]] | Sequence[Any], columns: list[str], ints: Sequence[str] = ()
) -> pd.DataFrame:
    frame = pd.DataFrame([[r[c] for c in columns] for r in rows], columns=columns, dtype=object)
    extra_cols: list[str] = []
    for r in rows:
        for k in r.get("extra") or {}:
            if k not in extra_cols and k not in columns:
                extra_cols.append(k)
    for k in extra_cols:
        frame[k] = [(r.get("extra") or {}).get(k) for r in rows]
    return _typed(frame, ints)


def _typed(frame: pd.DataFrame, ints: Sequence[str] = ()) -> pd.DataFrame:
    """Give an object frame column dtypes: numbers, whole numbers, dates, text."""
    out = {}
    for c in frame.columns:
        s = frame[c]
        nonnull = [v for v in s if v is not None and not _is_missing(v)]
        if c in ints:
            out[c] = pd.array([None if _is_missing(v) else int(v) for v in s], dtype="Int64")
        elif nonnull and all(isinstance(v, int | float) and not isinstance(v, bool) for v in nonnull):
            out[c] = pd.to_numeric(pd.Series([np.nan if _is_missing(v) else v for v in s], dtype=float))
        elif nonnull and all(isinstance(v, _dt.date) for v in nonnull):
            out[c] = pd.to_datetime(pd.Series([None if _is_missing(v) else v for v in s], dtype=object))
        elif not nonnull:
            out[c] = pd.Series([np.nan] * len(s), dtype=float)
        else:
            out[c] = pd.Series([None if _is_missing(v) else v for v in s], dtype=object).infer_objects()
    return pd.DataFrame({c: pd.Series(v).reset_index(drop=True) for c, v in out.items()}, columns=list(frame.columns))


def _fact_column(num: pd.Series, text: pd.Series) -> pd.Series:
    """One fact as a column: numbers when every value is one — a number, or a text
    that is a plainly written number — (whole numbers as ``Int64``), else text with
    the numbers written plainly.
    """
    given_text = text.notna()
    parsed, plain = _plain_numbers(text.where(given_text))  # "007" stays text
    if not given_text.any() or bool((plain | ~given_text).all()):
        values = num.astype(float).where(num.notna(), parsed)
        finite = values.dropna()
        if len(finite) and bool(((finite == np.round(finite)) & (finite.abs() < 2**53)).all()):
            return values.round().astype("Int64")
        return values
    shown = [
        t if isinstance(t, str) else (None if n is None or np.isnan(n) else _render(n))
        for n, t in zip(num.astype(float).to_numpy(), text.to_numpy())
    ]
    return pd.Series(shown, index=num.index, dtype=object)


def _pivot_facts(long: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """Long facts (keys, fact, value_num, value_text) as one column per fact."""
    if long.empty:
        empty = pd.MultiIndex.from_tuples([], names=keys) if len(keys) > 1 else pd.Index([], name=keys[0])
        return pd.DataFrame(index=empty)
    idx = [*keys, "fact"]
    num = long.set_index(idx)["value_num"].astype(float).unstack("fact")
    text = long.set_index(idx)["value_text"].astype(object).unstack("fact")
    return pd.DataFrame({f: _fact_column(num[f], text[f]) for f in num.columns}, index=num.index)


def _header(conn: Connection, dataset: str) -> list[tuple[str, str | None]]:
    """The recorded header of ``dataset``: (name, field) in file order."""
    rows = conn.execute(
        sa.select(import_columns.c.name, import_columns.c.field)
        .where(import_columns.c.dataset == dataset)
        .order_by(import_columns.c.position)
    ).all()
    return [(name, fld) for name, fld in rows]


def _fact_order(header: Sequence[tuple[str, str | None]], present: Sequence[str]) -> list[str]:
    recorded = [name for name, fld in header if fld is None and name in set(present)]
    return [*recorded, *sorted(set(present) - set(recorded))]


def _preliminary(conn: Connection, year: int) -> pd.DataFrame:
    """The stored list of ``year`` with its header, in file order."""
    t = list_snapshots
    cols = ["customer_id", "customer_name", "segment", "region", "owner_id"]
    rows = conn.execute(
        sa.select(*[t.c[c] for c in cols])
        .where(t.c.year == int(year))
        .order_by(t.c.source_file, t.c.source_row, t.c.customer_id, t.c.segment)
    ).all()
    facts = conn.execute(
        sa.select(
            customer_facts.c.customer_id,
            customer_facts.c.segment,
            customer_facts.c.fact,
            customer_facts.c.value_num,
            customer_facts.c.value_text,
        ).where(customer_facts.c.year == int(year))
    ).all()
    header = _header(conn, f"preliminary/{int(year)}") or [(c, c) for c in cols]
    snaps = pd.DataFrame([tuple(r) for r in rows], columns=cols, dtype=object)
    wide = _pivot_facts(
        pd.DataFrame([tuple(r) for r in facts], columns=["customer_id", "segment", "fact", "value_num", "value_text"]),
        ["customer_id", "segment"],
    )
    key = pd.MultiIndex.from_arrays([snaps["customer_id"], snaps["segment"]], names=["customer_id", "segment"])
    field_of = {name: fld for name, fld in header if fld is not None}
    names = [name for name, _ in header]
    names += [f for f in _fact_order(header, list(wide.columns)) if f not in names]
    out: dict[str, Any] = {}
    for name in names:
        if name in field_of:
            out[name] = _typed(snaps[[field_of[name]]])[field_of[name]]
        elif name in wide.columns:
            out[name] = wide[name].reindex(key).reset_index(drop=True)
        else:  # a column of the file that no row filled in
            out[name] = pd.Series(np.nan, index=range(len(snaps)), dtype=float)
    return pd.DataFrame(out, index=range(len(snaps)))


def load_preliminary(engine: Engine, year: int) -> pd.DataFrame:
    """The preliminary list of ``year`` as stored, in the shape of
    ``preliminary_YYYY.csv`` — ready for :func:`prioanalysis.inputs.preliminary.validate_preliminary`.

    The columns are the header of the file(s) imported, in their order; each fact
    comes back as numbers when every value is a number (whole numbers as ``Int64``),
    else as text. Rows are in the order of the source file(s).
    ``attrs["source"]`` names the database (password masked) and the year;
    ``attrs["row_offset"]`` is 1, so rows in messages are record numbers.

    Raises
    ------
    StoreError
        No list stored for ``year``.
    """
    with _reading(engine) as conn:
        frame = _preliminary(conn, year)
    if frame.empty:
        raise StoreError(
            f"{masked_url(engine)}: no preliminary list stored for {year} "
            f"(import it with `prioanalysis db import customers preliminary_{year}.csv`)"
        )
    frame.attrs["source"] = f"{masked_url(engine)} (preliminary list {year})"
    frame.attrs["row_offset"] = 1
    return frame


def load_customers(engine: Engine) -> pd.DataFrame:
    """Every customer with its current facts: those of the latest list that named it
    (``facts_year``), as proposed by its home segment.

    Returns
    -------
    pandas.DataFrame
        The columns of ``customers`` (``customer_id``, ``customer_name``,
        ``segment``, ``segments``, ``region``, ``owner_id``, ``first_year``,
        ``facts_year``) and one column per fact, by customer id.
    """
    cols = [c.name for c in customers.columns if c.name != "updated_at"]
    f = customer_facts
    s = customers
    stmt = sa.select(f.c.customer_id, f.c.fact, f.c.value_num, f.c.value_text).join(
        s, sa.and_(s.c.customer_id == f.c.customer_id, s.c.facts_year == f.c.year, s.c.segment == f.c.segment)
    )
    with _reading(engine) as conn:
        rows = conn.execute(sa.select(*[s.c[c] for c in cols]).order_by(s.c.customer_id)).all()
        facts = conn.execute(stmt).all()
        years = sorted({int(y) for (y,) in conn.execute(sa.select(s.c.facts_year).distinct())}, reverse=True)
        header: list[tuple[str, str | None]] = []
        for y in years:
            header += [h for h in _header(conn, f"preliminary/{y}") if h[0] not in {n for n, _ in header}]
    base = _typed(pd.DataFrame([tuple(r) for r in rows], columns=cols, dtype=object), ints=("first_year", "facts_year"))
    wide = _pivot_facts(
        pd.DataFrame([tuple(r) for r in facts], columns=["customer_id", "fact", "value_num", "value_text"]),
        ["customer_id"],
    )
    for name in _fact_order(header, list(wide.columns)):
        base[name] = wide[name].reindex(pd.Index(base["customer_id"], name="customer_id")).reset_index(drop=True)
    return base


def write_preliminary(engine: Engine, year: int, path: str | Path) -> Path:
    """Write the stored list of ``year`` as a CSV shaped like ``preliminary_YYYY.csv``.

    For a run fed from the database: the file goes into the run folder (the record
    of what was ranked) and is read like any preliminary list. A list imported from
    one file comes back in that file's row order, so row numbers match it.
    """
    p = Path(path)
    p.parent.mkdir(parents=True, exist_ok=True)
    load_preliminary(engine, year).to_csv(p, index=False, encoding="utf-8", lineterminator="\n")
    return p


def preliminary_fingerprint(engine: Engine, year: int) -> str:
    """SHA-256 of the stored list of ``year`` (its CSV rendering), for run records."""
    csv = load_preliminary(engine, year).to_csv(index=False, lineterminator="\n")
    return hashlib.sha256(csv.encode("utf-8")).hexdigest()


def load_outcomes(engine: Engine, year: int) -> pd.DataFrame:
    """The outcomes of ``year``: ``customer_id, won, revenue, days_to_close`` as in
    ``outcomes_YYYY.csv``.
    """
    cols = ["customer_id", "won", "revenue", "days_to_close"]
    with _reading(engine) as conn:
        rows = (
            conn.execute(
                sa.select(*[outcomes.c[c] for c in cols])
                .where(outcomes.c.year == int(year))
                .order_by(outcomes.c.customer_id)
            )
            .mappings()
            .all()
        )
    frame = _with_extra(rows, cols, ints=("won", "days_to_close"))
    frame["revenue"] = pd.to_numeric(frame["revenue"], errors="coerce").astype(float)
    return frame


def load_owners(engine: Engine) -> pd.DataFrame:
    """The account managers, as in ``owners.csv``."""
    cols = [c.name for c in owners.columns if c.name not in ("extra", "updated_at")]
    with _reading(engine) as conn:
        rows = conn.execute(sa.select(owners).order_by(owners.c.owner_id)).mappings().all()
    return _with_extra(rows, cols, ints=("capacity_strategic", "capacity_key", "capacity_general"))


# ----------------------------------------------------------------------------- runs
def _params_json(params: Any) -> tuple[Any, str | None]:
    """Run parameters as JSON-safe data, and the criteria version they name."""
    if params is None:
        return None, None
    if hasattr(params, "criteria") and hasattr(params, "run") and hasattr(params.run, "model_dump"):
        data = {
            "criteria": params.criteria.model_dump(mode="json"),
            "run": params.run.model_dump(mode="json"),
            "directory": str(getattr(params, "directory", "")),
        }
        return data, getattr(params.criteria, "version", None)
    try:
        data = json.loads(json.dumps(params, default=str, allow_nan=False))
    except (TypeError, ValueError) as exc:
        raise InputError(f"run parameters: not JSON-serialisable ({exc})") from None
    version = None
    if isinstance(data, dict):
        crit = data.get("criteria")
        version = data.get("criteria_version") or (crit.get("version") if isinstance(crit, dict) else None)
    return data, None if version is None else str(version)


def _check_run_id(run_id: str) -> str:
    if not isinstance(run_id, str) or not run_id.strip() or len(run_id) > 200 or "\x00" in run_id:
        raise InputError(f"run id {run_id!r}: expected a non-empty text of at most 200 characters")
    return run_id


def _run_row(conn: Connection, run_id: str, lock: bool = False) -> dict[str, Any] | None:
    stmt = sa.select(runs).where(runs.c.run_id == run_id)
    if lock:
        stmt = stmt.with_for_update()
    r = conn.execute(stmt).mappings().first()
    return None if r is None else dict(r)


def start_run(engine: Engine, run_id: str, year: int, params: Any = None, *, kind: str = "ranking") -> None:
    """Register a run as ``running`` (committed at once, so a run that dies shows).

    Raises
    ------
    StoreError
        A run with this id exists already (a re-run is a new run).
    """
    _check_run_id(run_id)
    data, version = _params_json(params)
    try:
        with _writing(engine, "runs") as conn:
            old = _run_row(conn, run_id)
            if old is not None:
                raise StoreError(f"run {run_id!r} exists already ({old['status']}); a re-run is a new run")
            conn.execute(
                runs.insert(),
                [
                    {
                        "run_id": run_id,
                        "year": int(year),
                        "kind": kind,
                        "status": "running",
                        "started": _utcnow(),
                        "criteria_version": version,
                        "params": data,
                        "package_version": __version__,
                    }
                ],
            )
    except sa.exc.DBAPIError as exc:
        raise _db_error(engine, exc) from None


def _result_rows(run_id: str, target_list: pd.DataFrame) -> tuple[list[dict[str, Any]], list[str]]:
    if "customer_id" not in target_list.columns:
        raise InputError(f"run {run_id}: the target list has no 'customer_id' column")
    ids = target_list["customer_id"]
    bad = ids.isna() | ids.duplicated(keep=False)
    if bad.any():
        raise InputError(
            f"run {run_id}: the target list has missing or repeated customer ids "
            f"({', '.join(map(repr, ids[bad].astype(str).unique()[:3]))})"
        )
    columns = [str(c) for c in target_list.columns]
    typed = [c for c in columns if c in RESULT_COLUMNS]
    extra = [c for c in columns if c not in RESULT_COLUMNS and c != "customer_id"]
    arrays = {c: target_list[c].astype(object).to_numpy() for c in columns}
    rows = []
    for i in range(len(target_list)):
        row: dict[str, Any] = {"run_id": run_id, "customer_id": str(arrays["customer_id"][i])}
        for c in RESULT_COLUMNS:
            v = _py(arrays[c][i]) if c in typed else None
            t = RESULT_COLUMNS[c]
            if v is not None:
                if t is sa.Integer:
                    if float(v) != int(float(v)):
                        raise InputError(
                            f"run {run_id}: column '{c}' of the target list holds {v!r}, not a whole number"
                        )
                    v = int(float(v))
                elif t is sa.Double:
                    v = float(v)
                elif t is sa.Boolean:
                    if isinstance(v, str) and v.strip().lower() in ("true", "false"):
                        v = v.strip().lower() == "true"
                    elif v not in (True, False, 0, 1):
                        raise InputError(
                            f"run {run_id}: column '{c}' of the target list holds {v!r}, not True or False"
                        )
                    v = bool(v)
                else:
                    v = str(v)
            row[c] = v
        row["extra"] = {c: _json_safe(arrays[c][i]) for c in extra} if extra else None
        rows.append(row)
    return rows, columns


def _insert_results(conn: Connection, rows: list[dict[str, Any]]) -> None:
    for i in range(0, len(rows), _CHUNK):
        _execute_chunk(conn, results.insert(), rows[i : i + _CHUNK])


def _finish_run(conn: Connection, run_id: str, values: dict[str, Any]) -> None:
    conn.execute(runs.update().where(runs.c.run_id == run_id).values(**values))


def save_run(
    engine: Engine,
    run_id: str,
    year: int,
    params: Any,
    target_list: pd.DataFrame | None,
    status: str = "succeeded",
    *,
    kind: str = "ranking",
    error: str | None = None,
) -> None:
    """Store a run's target list and mark it succeeded — atomically.

    The results are inserted in the same transaction that flips the run from
    ``running`` to ``succeeded``: a run that dies half way leaves no visible
    results (its status stays ``running``; a failure inside ``save_run`` marks it
    ``failed``). The run is registered first (:func:`start_run`) when it is not.

    Parameters
    ----------
    engine : Engine
    run_id : str
        The run folder's id (``runner.RunRecord.run_id``).
    year : int
        Cycle year.
    params : Params or mapping or None
        Recorded as JSON (``Params`` as both parameter files; a mapping as given,
        such as ``RunRecord.method_choices``), with its criteria version.
    target_list : pandas.DataFrame or None
        ``RankingResult.target_list`` (any other columns are kept too); None with
        ``status="failed"``.
    status : {"succeeded", "failed"}
    kind : str
        What ran (default ``ranking``).
    error : str, optional
        Why a failed run failed.

    Raises
    ------
    FrozenResultsError
        The run is published: its results are frozen.
    StoreError
        The run exists and is not ``running`` (a re-run is a new run), or it is of
        another year; or the database refused the write (the run is then marked
        ``failed``).
    InputError
        Target list without ``customer_id``, repeated ids, non-whole ranks.
    """
    _check_run_id(run_id)
    if status not in ("succeeded", "failed"):
        raise InputError(
            f"run {run_id}: status {status!r}: expected 'succeeded' or 'failed' (publish with publish_run)"
        )
    if status == "failed":
        with _writing(engine, "runs") as conn:
            if _run_row(conn, run_id) is None:
                data, version = _params_json(params)
                conn.execute(
                    runs.insert(),
                    [
                        {
                            "run_id": run_id,
                            "year": int(year),
                            "kind": kind,
                            "status": "running",
                            "started": _utcnow(),
                            "criteria_version": version,
                            "params": data,
                            "package_version": __version__,
                        }
                    ],
                )
        fail_run(engine, run_id, error or "failed")
        return
    if target_list is None:
        raise InputError(f"run {run_id}: a succeeded run needs its target list")
    rows, columns = _result_rows(run_id, target_list)
    data, version = _params_json(params)
    with _writing(engine, "runs") as conn:
        old = _run_row(conn, run_id)
        if old is None:
            conn.execute(
                runs.insert(),
                [
                    {
                        "run_id": run_id,
                        "year": int(year),
                        "kind": kind,
                        "status": "running",
                        "started": _utcnow(),
                        "criteria_version": version,
                        "params": data,
                        "package_version": __version__,
                    }
                ],
            )
    checked = False  # the run may take results: a failure after this marks it failed
    try:
        with _writing(engine, "runs") as conn:
            old = _run_row(conn, run_id, lock=True)
            assert old is not None
            _check_writable(engine, old, int(year))
            checked = True
            _insert_results(conn, rows)
            _finish_run(
                conn,
                run_id,
                {
                    "status": "succeeded",
                    "finished": _utcnow(),
                    "params": data,
                    "criteria_version": version or old["criteria_version"],
                    "package_version": __version__,
                    "result_columns": columns,
                    "error": None,
                },
            )
    except PrioanalysisError as exc:
        if checked and not isinstance(exc, FrozenResultsError):  # the database refused the write
            with contextlib.suppress(PrioanalysisError):
                fail_run(engine, run_id, str(exc))
        raise
    except Exception as exc:
        err = _db_error(engine, exc) if isinstance(exc, sa.exc.DBAPIError) else exc
        with contextlib.suppress(PrioanalysisError):
            fail_run(engine, run_id, f"{type(exc).__name__}: {err}")
        if isinstance(err, PrioanalysisError):
            raise err from None
        raise


def _check_writable(engine: Engine, run: Mapping[str, Any], year: int | None) -> None:
    rid = run["run_id"]
    if run["status"] == "published":
        raise FrozenResultsError(
            f"{masked_url(engine)}: run {rid!r} is published: its results are frozen and cannot be "
            "overwritten; a re-run creates a new run"
        )
    if run["status"] != "running":
        raise StoreError(f"{masked_url(engine)}: run {rid!r} is {run['status']} already; a re-run creates a new run")
    if year is not None and run["year"] != year:
        raise StoreError(f"{masked_url(engine)}: run {rid!r} is a run of {run['year']}, not {year}")


def fail_run(engine: Engine, run_id: str, error: str) -> None:
    """Mark a running run ``failed`` with the reason (a failed run keeps no results).

    Raises
    ------
    FrozenResultsError
        The run is published.
    StoreError
        No such run, or it is not running.
    """
    with _writing(engine, "runs") as conn:
        old = _run_row(conn, run_id, lock=True)
        if old is None:
            raise StoreError(f"{masked_url(engine)}: no run {run_id!r}")
        _check_writable(engine, old, None)
        _finish_run(conn, run_id, {"status": "failed", "finished": _utcnow(), "error": str(error)[:4000]})


class SupersedeRequired(StoreError):
    """A year's list is published already and the new publication gives no reason to
    supersede it.
    """


def publish_run(
    engine: Engine,
    run_id: str,
    approver: str,
    *,
    note: str | None = None,
    supersede_reason: str | None = None,
) -> dict[str, Any]:
    """Publish a succeeded run: its results become the frozen list of the year, signed
    off by ``approver``.

    One list per year is current. When the year has a published list already, the new
    publication supersedes it only with ``supersede_reason``: the earlier publication is
    marked superseded (by this run, at this time) and kept — its run stays frozen and the
    history (:func:`publication_history`) shows both.

    Parameters
    ----------
    engine : Engine
    run_id : str
    approver : str
        Who signed the list off (required, non-empty).
    note : str, optional
        A note recorded with the publication (may have several lines).
    supersede_reason : str, optional
        Why this publication replaces the year's current one; required when there is
        one, refused when there is none.

    Returns
    -------
    dict
        The publication recorded (the columns of ``publications``).

    Raises
    ------
    FrozenResultsError
        Already published.
    SupersedeRequired
        The year has a current publication and no ``supersede_reason`` was given.
    StoreError
        No such run, it did not succeed, or a missing approver / an unneeded reason.
    InputError
        Text with control characters.
    """
    approver = (approver or "").strip()
    note = (note or "").strip() or None
    reason = (supersede_reason or "").strip() or None
    if not approver:
        raise StoreError(f"{masked_url(engine)}: run {run_id!r}: an approver is required to publish a run")
    _refuse_control(
        f"publication of run {run_id!r}",
        {"approver": approver, "note": note, "supersede_reason": reason},
        multiline=("note", "supersede_reason"),
    )
    try:
        with _writing(engine, "runs") as conn:
            old = _run_row(conn, run_id, lock=True)
            if old is None:
                raise StoreError(f"{masked_url(engine)}: no run {run_id!r}")
            if old["status"] == "published":
                raise FrozenResultsError(f"{masked_url(engine)}: run {run_id!r} is published already (frozen)")
            if old["status"] != "succeeded":
                raise StoreError(
                    f"{masked_url(engine)}: run {run_id!r} is {old['status']}; only a succeeded run can be published"
                )
            year = int(old["year"])
            current = (
                conn.execute(
                    sa.select(publications)
                    .where(publications.c.year == year, publications.c.superseded_at.is_(None))
                    .with_for_update()
                )
                .mappings()
                .first()
            )
            if current is not None and reason is None:
                raise SupersedeRequired(
                    f"{masked_url(engine)}: the {year} list is published already (run {current['run_id']}, "
                    f"approved by {current['approver'] or 'nobody recorded'}); to replace it give the reason: "
                    "--supersede REASON"
                )
            if current is None and reason is not None:
                raise StoreError(
                    f"{masked_url(engine)}: no {year} list is published yet, so there is nothing to supersede; "
                    "publish without a reason"
                )
            now = _utcnow()
            if current is not None:
                conn.execute(
                    publications.update()
                    .where(publications.c.pub_id == current["pub_id"])
                    .values(superseded_at=now, superseded_by=run_id)
                )
            _finish_run(conn, run_id, {"status": "published", "published_at": now})
            row = {
                "year": year,
                "run_id": run_id,
                "published_at": now,
                "approver": approver,
                "note": note,
                "supersedes": None if current is None else current["run_id"],
                "supersede_reason": reason,
            }
            conn.execute(publications.insert().values(**row))
    except sa.exc.DBAPIError as exc:
        raise _db_error(engine, exc) from None
    return {**row, "superseded_at": None, "superseded_by": None}


#: Columns of :func:`publication_history`.
PUBLICATION_COLUMNS = (
    "year",
    "run_id",
    "status",
    "published_at",
    "approver",
    "note",
    "supersedes",
    "supersede_reason",
    "superseded_at",
    "superseded_by",
)


def publication_history(engine: Engine, year: int | None = None) -> pd.DataFrame:
    """Every publication, oldest first per year: who approved which run when, with the
    note, and which publication superseded which and why.

    Returns
    -------
    pandas.DataFrame
        :data:`PUBLICATION_COLUMNS`; ``status`` is ``current`` or ``superseded``.
    """
    p = publications
    stmt = sa.select(p).order_by(p.c.year, p.c.published_at, p.c.pub_id)
    if year is not None:
        stmt = stmt.where(p.c.year == int(year))
    with _reading(engine) as conn:
        rows = conn.execute(stmt).mappings().all()
    frame = pd.DataFrame([dict(r) for r in rows], columns=[c.name for c in p.columns], dtype=object)
    frame["status"] = np.where(frame["superseded_at"].isna(), "current", "superseded")
    return frame[list(PUBLICATION_COLUMNS)].reset_index(drop=True)


def list_runs(engine: Engine, year: int | None = None) -> pd.DataFrame:
    """Every run (any status), newest first, without parameters."""
    cols = [
        "run_id",
        "year",
        "kind",
        "status",
        "started",
        "finished",
        "published_at",
        "criteria_version",
        "package_version",
        "error",
    ]
    stmt = sa.select(*[runs.c[c] for c in cols]).order_by(runs.c.started.desc(), runs.c.run_id.desc())
    if year is not None:
        stmt = stmt.where(runs.c.year == int(year))
    with _reading(engine) as conn:
        rows = conn.execute(stmt).all()
    return pd.DataFrame([tuple(r) for r in rows], columns=cols)


def load_results(engine: Engine, year: int, published_only: bool = True, *, run_id: str | None = None) -> pd.DataFrame:
    """The target list of a year: the latest published run's (frozen) results.

    Parameters
    ----------
    engine : Engine
    year : int
    published_only : bool
        False: the latest run that succeeded or was published.
    run_id : str, optional
        This run instead (it must have succeeded or be published).

    Returns
    -------
    pandas.DataFrame
        The target list with the columns it was saved with, in rank order;
        ``attrs`` hold ``run_id``, ``status`` and ``published_at``.

    Raises
    ------
    StoreError
        No such run.
    """
    statuses = ("published",) if published_only else READABLE_STATUSES
    with _reading(engine) as conn:
        stmt = sa.select(runs).where(runs.c.status.in_(statuses))
        stmt = stmt.where(runs.c.run_id == run_id) if run_id is not None else stmt.where(runs.c.year == int(year))
        stmt = stmt.order_by(sa.func.coalesce(runs.c.published_at, runs.c.finished).desc(), runs.c.run_id.desc())
        run = conn.execute(stmt.limit(1)).mappings().first()
        if run is None:
            which = (
                f"run {run_id!r} ({' or '.join(statuses)})"
                if run_id
                else f"{'published' if published_only else 'succeeded or published'} run for {year}"
            )
            raise StoreError(f"{masked_url(engine)}: no {which}")
        rows = (
            conn.execute(
                sa.select(results)
                .where(results.c.run_id == run["run_id"])
                .order_by(results.c.rank, results.c.customer_id)
            )
            .mappings()
            .all()
        )
    columns = list(run["result_columns"] or ["customer_id", *RESULT_COLUMNS])
    data = {}
    for c in columns:
        if c == "customer_id":
            data[c] = [r[c] for r in rows]
        elif c in RESULT_COLUMNS:  # rows saved before a column was typed keep it in extra
            data[c] = [r[c] if r[c] is not None else (r["extra"] or {}).get(c) for r in rows]
        else:
            data[c] = [(r["extra"] or {}).get(c) for r in rows]
    frame = pd.DataFrame(data, columns=columns, dtype=object)
    ints = [c for c in columns if RESULT_COLUMNS.get(c) is sa.Integer]
    frame = _typed(frame, ints)
    for c in columns:
        kind = RESULT_COLUMNS.get(c)
        if kind is sa.Double:
            frame[c] = pd.to_numeric(frame[c], errors="coerce").astype(float)
        elif kind is sa.Integer and frame[c].notna().all():
            frame[c] = frame[c].astype("int64")
        elif kind is sa.Boolean and frame[c].notna().all():
            frame[c] = frame[c].astype(bool)
    frame.attrs.update(
        run_id=run["run_id"],
        status=run["status"],
        published_at=None if run["published_at"] is None else str(run["published_at"]),
    )
    return frame
