"""Alembic environment of the prioanalysis database.

:func:`prioanalysis.store.init_db` passes an open connection (inside its own
transaction) in ``config.attributes["connection"]``; otherwise the URL comes from
the ``sqlalchemy.url`` option or from ``PRIOANALYSIS_DB_URL`` / the embedded default
(:func:`prioanalysis.store.get_engine`). Offline mode (``--sql``) prints the SQL.
Importing this module outside alembic does nothing.
"""

from __future__ import annotations

from typing import Any

from alembic import context

from prioanalysis.store import database as store


def _configure(**kwargs: Any) -> None:
    context.configure(
        target_metadata=store.metadata,
        compare_type=True,
        render_as_batch=True,  # SQLite changes columns by copying the table
        **kwargs,
    )


def run_migrations_offline() -> None:
    """Emit the SQL of the migrations instead of running them."""
    url = context.config.get_main_option("sqlalchemy.url") or "sqlite://"
    _configure(url=url, literal_binds=True, dialect_opts={"paramstyle": "named"})
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    """Run the migrations on the given connection, or on a new one."""
    connection = context.config.attributes.get("connection")
    if connection is not None:
        _configure(connection=connection)
        with context.begin_transaction():
            context.run_migrations()
        return
    engine = store.get_engine(context.config.get_main_option("sqlalchemy.url") or None)
    try:
        with engine.connect() as conn:
            _configure(connection=conn)
            with context.begin_transaction():
                context.run_migrations()
            conn.commit()
    finally:
        engine.dispose()


if hasattr(context, "config"):  # only when alembic runs this file
    if context.is_offline_mode():
        run_migrations_offline()
    else:
        run_migrations_online()
