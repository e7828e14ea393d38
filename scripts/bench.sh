#!/usr/bin/env bash
# `make bench`: the standard workload on one fresh, durable PostgreSQL (fsync and synchronous commit
# on) for fineract-jobs, pgqueuer and procrastinate, one system at a time so that nothing else
# competes for the two cores. Prints one `RESULT <system> <metric> <value> <unit>` line per figure
# and a comparison.
#
# Throughput is taken in BENCH_ROUNDS rounds (default 5). Each round measures every system once, one
# after the other, and each system's figure is the median of its rounds. Taking the rounds in turn,
# rather than all of one system's rounds before the next system's, matters on a machine whose speed
# drifts over minutes (this one moves by about 20 % within an hour): every system is then measured
# across the same stretch of time, and a slow minute weighs on all of them rather than on one.
# Latency (an idle node or worker, executions queued one at a time) is measured once per system
# after the rounds.
set -euo pipefail
cd "$(dirname "$0")/.."

swift build -c release --product fineract-jobs-bench >&2
export DURABLE=1
export BENCH_ROUNDS="${BENCH_ROUNDS:-5}"
results=$(mktemp)
trap 'rm -f "$results"' EXIT

# Inside the server's lifetime: every round's figures as `ROUND` lines, then the latency `RESULT`s.
scripts/with-test-postgres.sh bash -c '
    set -euo pipefail
    psql -X -q -h "$POSTGRES_HOST" -p "$POSTGRES_PORT" -U "$POSTGRES_USER" -d postgres -c "CREATE DATABASE bench_fineract_jobs"
    peers="postgresql://$POSTGRES_USER@$POSTGRES_HOST:$POSTGRES_PORT"
    ours() {
        POSTGRES_DB=bench_fineract_jobs MIGRATIONS_DIR=migrations/default BENCH_PHASES="$1" BENCH_ROUNDS=1 \
            .build/release/fineract-jobs-bench
    }
    for round in $(seq 1 "$BENCH_ROUNDS"); do
        echo "bench: throughput round $round of $BENCH_ROUNDS" >&2
        ours throughput | sed -u "s/^RESULT /ROUND /"
        PEER_ROUNDS=1 PEER_ARGS="--skip-latency" bench/peers/run-peers.sh "$peers" | sed -u "s/^RESULT /ROUND /"
    done
    ours latency
    PEER_ARGS="--skip-throughput" bench/peers/run-peers.sh "$peers"
' | grep --line-buffered -E '^(RESULT|ROUND|ERROR) ' | tee "$results" >&2

python3 - "$results" <<'PY'
import statistics
import sys

figures = {}
rounds = {}
for line in open(sys.argv[1]):
    parts = line.split()
    if parts[0] == "ERROR":
        print(line.rstrip())
    elif parts[0] == "ROUND":
        rounds.setdefault((parts[1], parts[2]), []).append(float(parts[3]))
    elif parts[0] == "RESULT":
        figures[(parts[1], parts[2])] = float(parts[3])
for (system, metric), values in rounds.items():
    figures[(system, metric)] = statistics.median(values)
    print(f"rounds {system} {metric}: " + ", ".join(f"{value:.1f}" for value in values), file=sys.stderr)
systems = ("fineract-jobs", "pgqueuer", "procrastinate")
units = {"processing_throughput": "jobs/s", "latency_median": "ms", "latency_p99": "ms"}
for system in systems:
    for metric, unit in units.items():
        if (system, metric) in figures:
            print(f"RESULT {system} {metric} {figures[(system, metric)]:.2f} {unit}")
ours = lambda metric: figures.get(("fineract-jobs", metric))
peers = [name for name in systems[1:] if (name, "processing_throughput") in figures]
if ours("processing_throughput") and peers:
    best = max(peers, key=lambda name: figures[(name, "processing_throughput")])
    ratio = ours("processing_throughput") / figures[(best, "processing_throughput")]
    print(f"throughput: {ratio:.2f}x the better peer ({best})")
    for metric in ("latency_median", "latency_p99"):
        fastest = min(peers, key=lambda name: figures.get((name, metric), float("inf")))
        if ours(metric) is not None and (fastest, metric) in figures:
            print(f"{metric}: {ours(metric):.2f} ms against {figures[(fastest, metric)]:.2f} ms ({fastest})")
PY
