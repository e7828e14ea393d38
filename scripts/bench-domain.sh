#!/usr/bin/env bash
# `make bench-domain`: the nightly financial jobs at bank scale on one fresh, durable PostgreSQL.
# Seeds two demo tenants of the same shape (100,000 savings accounts with a month of daily transactions and
# 100,000 loans each; sizes from BENCH_ACCOUNTS and BENCH_LOANS), then times savings interest posting
# and loan COB for one tenant on one node and for the other on three nodes.
set -euo pipefail
cd "$(dirname "$0")/.."

swift build -c release --product fineract-jobs >&2
export DURABLE=1
accounts="${BENCH_ACCOUNTS:-100000}"
loans="${BENCH_LOANS:-100000}"

scripts/with-test-postgres.sh bash -c '
    set -euo pipefail
    psql -X -q -h "$POSTGRES_HOST" -p "$POSTGRES_PORT" -U "$POSTGRES_USER" -d postgres -c "CREATE DATABASE bench_domain"
    export POSTGRES_DB=bench_domain MIGRATIONS_DIR=migrations/default
    # The month of January 2024 is over: savings post January on February 1 and COB closes January 31.
    .build/release/fineract-jobs seed-demo --tenants bench-one,bench-three --clients "'"$loans"'" \
        --loans "'"$loans"'" --savings "'"$accounts"'" --days 31 --business-date 2024-02-01
    python3 bench/domain/run_jobs.py .build/release/fineract-jobs bench-one bench-three
' | grep --line-buffered -E '^(RESULT|ERROR|seeded|clients|  )'
