#!/usr/bin/env bash
# Make the PostgreSQL server binaries (initdb, pg_ctl, postgres) available for the
# store tests. Idempotent: does nothing when initdb is already there. The tests start
# and stop their own throwaway cluster (tests/pgcluster.py), so no system service is
# configured or started here.
set -euo pipefail

have_initdb() {
    command -v initdb >/dev/null 2>&1 && return 0
    compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null
}

if have_initdb; then
    echo "ci_postgres: PostgreSQL server binaries present"
    exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
    SUDO="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
echo "ci_postgres: installing postgresql (apt-get)"
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq postgresql >/dev/null

if ! have_initdb; then
    echo "ci_postgres: postgresql installed but initdb not found" >&2
    exit 1
fi
echo "ci_postgres: PostgreSQL server binaries installed"
