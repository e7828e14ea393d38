#!/usr/bin/env python3
"""Throughput and wake-up latency of pgqueuer on a given PostgreSQL database.

    python bench_pgqueuer.py --dsn postgresql://user@127.0.0.1:PORT/dbname

Prints `RESULT pgqueuer <metric> <value> <unit>` lines on stdout (or `ERROR ...`
lines when a phase fails or times out); diagnostics go to stderr.
See README.md for what is measured and how.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from datetime import timedelta

import asyncpg
from pgqueuer import PgQueuer, Queries
from pgqueuer.db import AsyncpgDriver, AsyncpgPoolDriver
from pgqueuer.models import Job

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from peerbench_common import (  # noqa: E402
    run_phases,
    wait_until,
    error,
    log,
    now,
    paced_enqueue,
    report_latency,
    run_producer_subprocess,
    start_watchdog,
)

SYSTEM = "pgqueuer"
ENTRYPOINT = "noop"


def parse_args() -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--dsn", required=True)
    p.add_argument("--jobs", type=int, default=20_000, help="jobs for the throughput phase")
    p.add_argument("--concurrency", type=int, default=10, help="max jobs in flight in the worker")
    p.add_argument(
        "--batch-size",
        type=int,
        default=None,
        help="jobs claimed per dequeue (default: concurrency // 2, the largest "
        "pgqueuer accepts with max_concurrent_tasks=concurrency)",
    )
    p.add_argument("--driver", choices=("asyncpg", "asyncpg-pool"), default="asyncpg")
    p.add_argument("--warmup-jobs", type=int, default=2000,
                   help="unmeasured throughput round run first (0 = none)")
    p.add_argument("--rounds", type=int, default=1,
                   help="measured throughput rounds; the median is reported")
    p.add_argument("--no-analyze", dest="analyze", action="store_false",
                   help="do not ANALYZE the queue tables after enqueueing the backlog")
    p.add_argument("--latency-jobs", type=int, default=200)
    p.add_argument("--rate", type=float, default=50.0, help="enqueue rate of the latency phase (jobs/s)")
    p.add_argument("--warmup", type=int, default=5, help="latency-phase warm-up jobs, not counted")
    p.add_argument("--throughput-timeout", type=float, default=300.0)
    p.add_argument("--latency-timeout", type=float, default=90.0)
    p.add_argument("--skip-throughput", action="store_true")
    p.add_argument("--skip-latency", action="store_true")
    # internal: producer half of the latency phase, run as a child process
    p.add_argument("--produce", action="store_true", help=argparse.SUPPRESS)
    return p.parse_args()


async def install_schema(dsn: str) -> None:
    conn = await asyncpg.connect(dsn)
    try:
        queries = Queries(AsyncpgDriver(conn))
        if await queries.schema_is_installed():
            log("pgqueuer schema already present")
        else:
            await queries.install()
            log("pgqueuer schema installed")
    finally:
        await conn.close()


async def reset_queue(dsn: str) -> None:
    conn = await asyncpg.connect(dsn)
    try:
        await conn.execute(
            "TRUNCATE pgqueuer, pgqueuer_log, pgqueuer_statistics RESTART IDENTITY"
        )
    finally:
        await conn.close()


class Worker:
    """A pgqueuer QueueManager running in this process with one no-op entrypoint."""

    def __init__(self, args: argparse.Namespace, on_job) -> None:
        self.args = args
        self.on_job = on_job
        self.conn: asyncpg.Connection | None = None
        self.pool: asyncpg.Pool | None = None
        self.pgq: PgQueuer | None = None
        self.task: asyncio.Task | None = None

    async def start(self) -> None:
        a = self.args
        if a.driver == "asyncpg":
            self.conn = await asyncpg.connect(a.dsn)
            driver = AsyncpgDriver(self.conn)
        else:
            self.pool = await asyncpg.create_pool(a.dsn, min_size=2, max_size=a.concurrency + 2)
            driver = AsyncpgPoolDriver(self.pool)
        self.pgq = PgQueuer(driver)
        on_job = self.on_job

        @self.pgq.entrypoint(ENTRYPOINT)
        async def noop(job: Job) -> None:
            on_job(job)

        batch = a.batch_size or max(1, a.concurrency // 2)
        self.task = asyncio.create_task(
            self.pgq.qm.run(
                batch_size=batch,
                max_concurrent_tasks=a.concurrency,
            )
        )

    async def stop(self) -> None:
        if self.pgq is not None:
            self.pgq.shutdown.set()
        if self.task is not None:
            try:
                await asyncio.wait_for(self.task, 30)
            except asyncio.TimeoutError:
                log("worker did not stop within 30s; cancelling")
                self.task.cancel()
                await asyncio.gather(self.task, return_exceptions=True)
            except Exception as exc:  # worker crashed: already reported by caller
                log(f"worker exited with {exc!r}")
        if self.conn is not None:
            await self.conn.close()
        if self.pool is not None:
            await self.pool.close()

    def check_alive(self) -> None:
        if self.task is not None and self.task.done():
            exc = self.task.exception() if not self.task.cancelled() else None
            raise RuntimeError(f"worker stopped unexpectedly: {exc!r}")




# --------------------------------------------------------------------------- (a)


async def phase_throughput(args: argparse.Namespace, n: int, measured: bool = True) -> float:
    await reset_queue(args.dsn)

    conn = await asyncpg.connect(args.dsn)
    try:
        queries = Queries(AsyncpgDriver(conn))
        t0 = now()
        chunk = 1000
        for i in range(0, n, chunk):
            k = min(chunk, n - i)
            await queries.enqueue([ENTRYPOINT] * k, [None] * k, [0] * k)
        log(f"enqueued {n} jobs in {now() - t0:.2f}s (not part of the measurement)")
        if args.analyze:
            # planner statistics for the backlog, as autovacuum keeps them in a long-lived queue
            await conn.execute("ANALYZE pgqueuer; ANALYZE pgqueuer_log")

        handled = 0
        first_start = last_end = 0.0

        def on_job(job: Job) -> None:
            nonlocal handled, first_start, last_end
            t = now()
            if handled == 0:
                first_start = t
            handled += 1
            last_end = t

        worker = Worker(args, on_job)
        deadline = now() + args.throughput_timeout
        await worker.start()
        try:
            async def all_handled() -> bool:
                return handled >= n

            async def all_recorded() -> bool:
                done = await conn.fetchval(
                    "SELECT count(*) FROM pgqueuer_log WHERE status = 'successful'"
                )
                return done >= n

            await wait_until(all_handled, deadline, worker, 0.05)
            # completion is recorded by pgqueuer's buffered log flush; wait for it
            await wait_until(all_recorded, deadline, worker, 0.05)
        finally:
            await worker.stop()

        row = await conn.fetchrow(
            """
            SELECT
              (SELECT min(created) FROM pgqueuer_log WHERE status = 'picked')     AS first_pick,
              (SELECT max(created) FROM pgqueuer_log WHERE status = 'successful') AS last_done,
              (SELECT count(*) FROM pgqueuer_log WHERE status = 'successful')     AS done,
              (SELECT count(*) FROM pgqueuer)                                     AS left_in_queue
            """
        )
    finally:
        await conn.close()

    span = (row["last_done"] - row["first_pick"]).total_seconds()
    log(
        f"{'measured' if measured else 'warm-up'} round: db window {span:.3f}s for "
        f"{row['done']} jobs (left in queue {row['left_in_queue']}); "
        f"handler window {last_end - first_start:.3f}s"
    )
    if row["done"] != n or span <= 0:
        raise RuntimeError(f"recorded {row['done']} of {n} jobs")
    return n / span


# --------------------------------------------------------------------------- (b)


async def produce(args: argparse.Namespace) -> None:
    """Child process: enqueue jobs one at a time at --rate per second."""
    conn = await asyncpg.connect(args.dsn)
    try:
        queries = Queries(AsyncpgDriver(conn))

        async def enqueue_one(seq: int, t: float) -> None:
            await queries.enqueue(ENTRYPOINT, f"{seq} {t!r}".encode())

        await paced_enqueue(enqueue_one, args.latency_jobs, args.rate, args.warmup)
    finally:
        await conn.close()


async def phase_latency(args: argparse.Namespace) -> None:
    n = args.latency_jobs
    await reset_queue(args.dsn)

    latencies: dict[int, float] = {}
    seen = 0

    def on_job(job: Job) -> None:
        nonlocal seen
        t = now()
        seq_s, t_s = (job.payload or b"").decode().split(" ")
        seen += 1
        seq = int(seq_s)
        if seq >= 0:
            latencies[seq] = (t - float(t_s)) * 1000.0

    worker = Worker(args, on_job)
    deadline = now() + args.latency_timeout
    await worker.start()
    try:
        # let the worker reach its idle wait on LISTEN, then check that path works
        await asyncio.sleep(1.0)
        worker.check_alive()
        await worker.pgq.qm.listener_healthy(timeout=timedelta(seconds=10))
        await asyncio.sleep(0.5)
        log("worker idle and listening; starting producer")

        argv = [os.path.abspath(__file__), "--produce", "--dsn", args.dsn,
                "--latency-jobs", str(n), "--rate", str(args.rate), "--warmup", str(args.warmup)]
        rc = await run_producer_subprocess(argv, max(1.0, deadline - now()))
        if rc != 0:
            raise RuntimeError(f"producer exited with {rc}")

        async def all_started() -> bool:
            return seen >= n + args.warmup

        await wait_until(all_started, deadline, worker, 0.05)
    except asyncio.TimeoutError:
        error(SYSTEM, "latency", f"timeout after {args.latency_timeout:.0f}s")
    finally:
        await worker.stop()

    report_latency(SYSTEM, list(latencies.values()), n)


# ---------------------------------------------------------------------------


async def main(args: argparse.Namespace) -> int:
    return await run_phases(SYSTEM, args, install_schema, phase_throughput, phase_latency, produce)


def run(coro):
    # pgqueuer depends on uvloop and its own `pgq run` command runs on it.
    try:
        import uvloop
    except ImportError:
        return asyncio.run(coro)
    return uvloop.run(coro)


if __name__ == "__main__":
    a = parse_args()
    if not a.produce:
        start_watchdog((a.rounds + 1) * a.throughput_timeout + a.latency_timeout + 400, SYSTEM)
    sys.exit(run(main(a)))
