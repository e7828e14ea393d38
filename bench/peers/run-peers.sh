#!/usr/bin/env bash
# Measure the peer job queues (pgqueuer, procrastinate) on a PostgreSQL server.
#
#   bench/peers/run-peers.sh postgresql://USER@HOST:PORT
#
# DSN_BASE is the server DSN without a database name; each peer gets its own
# fresh database (bench_pgqueuer, bench_procrastinate), dropped and created
# through psql with POSTGRES_HOST / POSTGRES_PORT / POSTGRES_USER (PGPASSWORD
# is honoured). Only RESULT/ERROR lines go to stdout; diagnostics go to stderr.
#
# Environment:
#   BENCH_VENV      virtualenv to use/create (default /tmp/fineract-jobs-bench-venv)
#   PYTHON          interpreter used to create it (default python3)
#   PEER_ROUNDS     measured throughput rounds per peer, median reported (default 3, as for fineract-jobs)
#   PEER_ARGS       extra arguments passed to both bench scripts
#   PEER_TIMEOUT    hard limit in seconds for each bench script (default 1800)
set -uo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
: "${POSTGRES_HOST:=127.0.0.1}"
: "${POSTGRES_PORT:=5432}"
: "${POSTGRES_USER:=postgres}"
dsn_base="${1:-postgresql://${POSTGRES_USER}@${POSTGRES_HOST}:${POSTGRES_PORT}}"
dsn_base="${dsn_base%/}"
venv="${BENCH_VENV:-/tmp/fineract-jobs-bench-venv}"
rounds="${PEER_ROUNDS:-3}"
limit="${PEER_TIMEOUT:-1800}"

log() { echo "run-peers: $*" >&2; }

if [[ ! -x "$venv/bin/python" ]]; then
  log "creating virtualenv $venv"
  "${PYTHON:-python3}" -m venv "$venv" || { echo "ERROR peers setup cannot create virtualenv $venv"; exit 1; }
fi
log "installing requirements into $venv"
if ! "$venv/bin/pip" install --quiet --disable-pip-version-check -r "$here/requirements.txt" >&2; then
  echo "ERROR peers setup pip install failed"
  exit 1
fi

psql_admin() {
  psql -X -q -v ON_ERROR_STOP=1 -h "$POSTGRES_HOST" -p "$POSTGRES_PORT" -U "$POSTGRES_USER" -d postgres "$@"
}

status=0
for peer in pgqueuer procrastinate; do
  db="bench_${peer}"
  log "recreating database $db"
  if ! psql_admin -c "DROP DATABASE IF EXISTS ${db} WITH (FORCE)" -c "CREATE DATABASE ${db}" >&2; then
    echo "ERROR ${peer} setup cannot create database ${db}"
    status=1
    continue
  fi
  log "running bench_${peer}.py"
  # stdout of the bench is filtered to RESULT/ERROR lines; stderr passes through
  timeout --kill-after=30 "$limit" \
    "$venv/bin/python" "$here/bench_${peer}.py" --dsn "${dsn_base}/${db}" \
      --rounds "$rounds" ${PEER_ARGS:-} \
    | grep --line-buffered -E '^(RESULT|ERROR) '
  rc=("${PIPESTATUS[@]}")
  if [[ ${rc[0]} -eq 124 || ${rc[0]} -eq 137 ]]; then
    echo "ERROR ${peer} run killed after ${limit}s"
  fi
  if [[ ${rc[0]} -ne 0 ]]; then
    log "bench_${peer}.py exited with ${rc[0]}"
    status=1
  fi
done
exit "$status"
