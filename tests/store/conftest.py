"""Fixtures of the store tests: every test taking ``engine`` (or ``db_url``) runs on an
SQLite file and on a database of a throwaway PostgreSQL server (``tests/pgcluster.py``).
The PostgreSQL variant is skipped only when no server binaries are found outside CI;
in CI (``CI=true``) a server that cannot start fails the run."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from prioanalysis.store import database as store
from tests import pgcluster


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[pgcluster.PgCluster]:
    if not pgcluster.wanted():
        pytest.skip(
            "PostgreSQL tests off: no initdb found (scripts/ci_postgres.sh installs it) or PRIOANALYSIS_TEST_PG=0"
        )
    cluster = None
    try:
        cluster = pgcluster.PgCluster().start()
    except pgcluster.PgUnavailable as exc:
        if cluster is not None:
            cluster.stop()
        if pgcluster.required() or os.environ.get("PRIOANALYSIS_TEST_PG") == "1":
            pytest.fail(f"PostgreSQL is required here (CI or PRIOANALYSIS_TEST_PG=1) but did not start: {exc}")
        pytest.skip(f"PostgreSQL did not start: {exc}")
    yield cluster
    cluster.stop()


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'store.db'}"
        return
    cluster: pgcluster.PgCluster = request.getfixturevalue("pg_cluster")
    url = cluster.new_database_url()
    yield url
    cluster.drop_database(url)


@pytest.fixture
def engine(db_url: str) -> Iterator[sa.Engine]:
    eng = store.get_engine(db_url)
    store.init_db(eng)
    yield eng
    eng.dispose()
