"""A throwaway PostgreSQL server for the store tests.

:class:`PgCluster` runs ``initdb`` into a temporary folder and starts ``postgres``
on a free port of 127.0.0.1 (and a Unix socket in the same folder), with password
authentication over TCP, so that the tests connect the way a team installation
does. As root (``initdb`` refuses to run as root) the folder is given to the
``postgres`` user and the server runs as that user (``runuser``).

When the tests use it (:func:`wanted`): ``PRIOANALYSIS_TEST_PG=1``, or ``initdb``
found on ``PATH`` or under ``/usr/lib/postgresql/*/bin``; ``PRIOANALYSIS_TEST_PG=0``
turns it off. In CI (``CI=true``) it is always wanted and a server that cannot
start fails the tests instead of skipping them (:func:`required`). Install the
server with ``scripts/ci_postgres.sh``.
"""

from __future__ import annotations

import glob
import os
import secrets
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

__all__ = ["PgCluster", "find_bin", "wanted", "required", "PgUnavailable"]


class PgUnavailable(RuntimeError):
    """No PostgreSQL server binaries, or the server did not start."""


def find_bin() -> Path | None:
    """The folder holding ``initdb``, ``pg_ctl`` and ``postgres`` (newest version)."""
    found = shutil.which("initdb")
    if found:
        d = Path(found).resolve().parent
        if (d / "pg_ctl").exists():
            return d
    candidates = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/initdb"),
        key=lambda p: int(Path(p).parts[-3]) if Path(p).parts[-3].isdigit() else 0,
    )
    return Path(candidates[-1]).parent if candidates else None


def required() -> bool:
    """True in CI: the PostgreSQL tests must run there."""
    return os.environ.get("CI", "").lower() in ("1", "true", "yes")


def wanted() -> bool:
    """Whether to run the PostgreSQL tests on this machine."""
    flag = os.environ.get("PRIOANALYSIS_TEST_PG", "").strip()
    if required() or flag == "1":
        return True
    if flag == "0":
        return False
    return find_bin() is not None


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class PgCluster:
    """One throwaway cluster. Use :meth:`start`, :meth:`new_database_url`,
    :meth:`stop` (or the class as a context manager)."""

    user = "postgres"

    def __init__(self) -> None:
        self.bindir = find_bin()
        if self.bindir is None:
            raise PgUnavailable("PostgreSQL server binaries (initdb, pg_ctl) not found; run scripts/ci_postgres.sh")
        self.password = secrets.token_urlsafe(16)
        self.root = Path(tempfile.mkdtemp(prefix="prioanalysis-pg-"))
        self.data = self.root / "data"
        self.port = 0
        self._dbs = 0
        self._as_postgres = os.geteuid() == 0

    # -- processes
    def _run(self, *args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
        cmd = [str(a) for a in args]
        if self._as_postgres:
            cmd = ["runuser", "-u", "postgres", "--", *cmd]
        res = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, cwd=self.root)
        if res.returncode != 0:
            log = self.root / "server.log"
            tail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
            raise PgUnavailable(f"{' '.join(cmd)} failed ({res.returncode}):\n{res.stdout}\n{res.stderr}\n{tail}")
        return res

    def start(self) -> PgCluster:
        """initdb and start the server; raises :class:`PgUnavailable`."""
        pwfile = self.root / "pw"
        pwfile.write_text(self.password + "\n")
        if self._as_postgres:
            try:
                shutil.chown(self.root, "postgres", "postgres")
                shutil.chown(pwfile, "postgres", "postgres")
            except (LookupError, OSError) as exc:
                raise PgUnavailable(f"running as root needs a 'postgres' user to run the server: {exc}") from None
        os.chmod(pwfile, 0o600)
        self._run(
            self.bindir / "initdb",
            "-D",
            self.data,
            "-U",
            self.user,
            "-E",
            "UTF8",
            "--no-locale",
            "--auth-local=trust",
            "--auth-host=scram-sha-256",
            f"--pwfile={pwfile}",
            "--no-sync",
        )
        pwfile.unlink()
        last: Exception | None = None
        for _ in range(5):
            self.port = _free_port()
            opts = (
                f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off "
                "-c synchronous_commit=off -c full_page_writes=off -c max_connections=60"
            )
            try:
                self._run(
                    self.bindir / "pg_ctl",
                    "-D",
                    self.data,
                    "-l",
                    self.root / "server.log",
                    "-o",
                    opts,
                    "-w",
                    "-t",
                    "60",
                    "start",
                )
                return self
            except PgUnavailable as exc:  # port taken between the probe and the bind: try another
                last = exc
                time.sleep(0.2)
        raise PgUnavailable(str(last))

    def stop(self) -> None:
        """Stop the server and remove its folder."""
        try:
            if (self.data / "postmaster.pid").exists():
                self._run(self.bindir / "pg_ctl", "-D", self.data, "-m", "immediate", "-w", "stop", timeout=60)
        finally:
            shutil.rmtree(self.root, ignore_errors=True)

    def __enter__(self) -> PgCluster:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- databases
    def url(self, database: str = "postgres", password: str | None = None) -> str:
        """A ``postgresql+psycopg`` URL over TCP with the password."""
        pw = self.password if password is None else password
        return f"postgresql+psycopg://{self.user}:{pw}@127.0.0.1:{self.port}/{database}"

    def _admin(self):
        import psycopg

        return psycopg.connect(
            host="127.0.0.1", port=self.port, user=self.user, password=self.password, dbname="postgres", autocommit=True
        )

    def new_database_url(self) -> str:
        """Create an empty database and return its URL."""
        self._dbs += 1
        name = f"t{os.getpid()}_{self._dbs}"  # built here from digits, not from data
        with self._admin() as conn:
            fast = " STRATEGY FILE_COPY" if conn.info.server_version >= 150000 else ""
            conn.execute(f'CREATE DATABASE "{name}"{fast}')
        return self.url(name)

    def drop_database(self, url: str) -> None:
        """Drop a database made by :meth:`new_database_url` (closing its sessions)."""
        name = url.rsplit("/", 1)[1]
        if not name.startswith(f"t{os.getpid()}_"):
            raise ValueError(f"not a test database: {name}")
        with self._admin() as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
