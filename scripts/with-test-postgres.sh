#!/usr/bin/env bash
# Starts a throwaway PostgreSQL on a free loopback port, runs the given command with POSTGRES_*
# pointing at it, then stops the server and deletes its files, whatever the command's outcome.
set -euo pipefail

bin_dir="${POSTGRES_BIN_DIR:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)}"
[ -x "$bin_dir/initdb" ] || { echo "no PostgreSQL server binaries found; install postgresql" >&2; exit 1; }

base=$(mktemp -d /tmp/fineract-jobs-test-pg.XXXXXX)
chmod 755 "$base"
as_server_user=()
if [ "$(id -u)" -eq 0 ]; then
    # PostgreSQL refuses to run as root; the server runs as the postgres system user.
    chown postgres: "$base"
    as_server_user=(runuser -u postgres --)
fi

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
user=fineract_jobs_test

cleanup() {
    "${as_server_user[@]}" "$bin_dir/pg_ctl" -D "$base/data" -m immediate -w stop >/dev/null 2>&1 || true
    rm -rf "$base"
}
trap cleanup EXIT

"${as_server_user[@]}" "$bin_dir/initdb" -D "$base/data" -U "$user" --auth=trust --encoding=UTF8 --locale=C >/dev/null
# Durability settings are off for tests: this server holds nothing worth keeping, and tests run faster.
# Benchmarks set DURABLE=1 to measure with the server's defaults (fsync and synchronous commit on).
options="-c listen_addresses=127.0.0.1 -p $port -k $base -c max_connections=1000 ${EXTRA_POSTGRES_OPTIONS:-}"
if [ "${DURABLE:-0}" != "1" ]; then
    options="$options -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
fi
"${as_server_user[@]}" "$bin_dir/pg_ctl" -D "$base/data" -l "$base/postgres.log" -w -t 60 -o "$options" start >/dev/null
echo "test PostgreSQL listening on 127.0.0.1:$port (durable: ${DURABLE:-0})"

export POSTGRES_HOST=127.0.0.1 POSTGRES_PORT="$port" POSTGRES_USER="$user" POSTGRES_DB=postgres
set +e
"$@"
status=$?
set -e
exit $status
