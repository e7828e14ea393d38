#!/usr/bin/env bash
# `make bench`: the standard workload on one fresh, durable PostgreSQL (fsync and synchronous commit
# on), first for fineract-jobs and then for pgqueuer and procrastinate, one after the other so that
# nothing else competes for the two cores. Prints one `RESULT <system> <metric> <value> <unit>` line
# per figure and a comparison.
set -euo pipefail
cd "$(dirname "$0")/.."

swift build -c release --product fineract-jobs-bench >&2
export DURABLE=1
results=$(mktemp)
trap 'rm -f "$results"' EXIT

scripts/with-test-postgres.sh bash -c '
    set -euo pipefail
    psql -X -q -h "$POSTGRES_HOST" -p "$POSTGRES_PORT" -U "$POSTGRES_USER" -d postgres -c "CREATE DATABASE bench_fineract_jobs"
    POSTGRES_DB=bench_fineract_jobs MIGRATIONS_DIR=migrations/default .build/release/fineract-jobs-bench
    bench/peers/run-peers.sh "postgresql://$POSTGRES_USER@$POSTGRES_HOST:$POSTGRES_PORT"
' | grep --line-buffered -E '^(RESULT|ERROR) ' | tee "$results"

python3 - "$results" <<'PY'
import sys
figures = {}
for line in open(sys.argv[1]):
    parts = line.split()
    if parts[0] == "RESULT":
        figures[(parts[1], parts[2])] = float(parts[3])
ours = lambda metric: figures.get(("fineract-jobs", metric))
peers = [name for name in ("pgqueuer", "procrastinate") if (name, "processing_throughput") in figures]
if ours("processing_throughput") and peers:
    best = max(peers, key=lambda name: figures[(name, "processing_throughput")])
    ratio = ours("processing_throughput") / figures[(best, "processing_throughput")]
    print(f"throughput: {ratio:.2f}x the better peer ({best})")
    for metric in ("latency_median", "latency_p99"):
        fastest = min(peers, key=lambda name: figures.get((name, metric), float("inf")))
        if ours(metric) is not None and (fastest, metric) in figures:
            print(f"{metric}: {ours(metric):.2f} ms against {figures[(fastest, metric)]:.2f} ms ({fastest})")
PY
