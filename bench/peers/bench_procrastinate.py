#!/usr/bin/env python3
"""Throughput and wake-up latency of procrastinate on a given PostgreSQL database.

    python bench_procrastinate.py --dsn postgresql://user@127.0.0.1:PORT/dbname

Prints `RESULT procrastinate <metric> <value> <unit>` lines on stdout (or
`ERROR ...` lines when a phase fails or times out); diagnostics go to stderr.
See README.md for what is measured and how.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys

import procrastinate
import psycopg

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

SYSTEM = "procrastinate"
TASK = "noop"

# The worker runs in this same process, so the App living in __main__ is harmless;
# silence procrastinate's warning about it.
logging.getLogger("procrastinate.blueprints").setLevel(logging.ERROR)


def parse_args() -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--dsn", required=True)
    p.add_argument("--jobs", type=int, default=20_000, help="jobs for the throughput phase")
    p.add_argument("--concurrency", type=int, default=10, help="worker concurrency")
    p.add_argument(
        "--pool-size",
        type=int,
        default=None,
        help="connections in the worker's pool (default: concurrency + 2, so that "
        "every job slot and the fetch loop can hold one at once)",
    )
    p.add_argument("--warmup-jobs", type=int, default=2000,
                   help="unmeasured throughput round run first (0 = none)")
    p.add_argument("--rounds", type=int, default=1,
                   help="measured throughput rounds; the median is reported")
    p.add_argument("--no-analyze", dest="analyze", action="store_false",
                   help="do not ANALYZE the queue tables after enqueueing the backlog")
    p.add_argument("--latency-jobs", type=int, default=200)
    p.add_argument("--rate", type=float, default=50.0, help="enqueue rate of the latency phase (jobs/s)")
    p.add_argument("--warmup", type=int, default=5, help="latency-phase warm-up jobs, not counted")
    p.add_argument("--throughput-timeout", type=float, default=600.0)
    p.add_argument("--latency-timeout", type=float, default=90.0)
    p.add_argument("--skip-throughput", action="store_true")
    p.add_argument("--skip-latency", action="store_true")
    # internal: producer half of the latency phase, run as a child process
    p.add_argument("--produce", action="store_true", help=argparse.SUPPRESS)
    return p.parse_args()


def make_app(dsn: str, pool_size: int, on_job=None) -> tuple[procrastinate.App, object]:
    app = procrastinate.App(
        connector=procrastinate.PsycopgConnector(
            conninfo=dsn, min_size=pool_size, max_size=pool_size
        )
    )

    @app.task(name=TASK)
    async def noop(seq: int = 0, t: float = 0.0) -> None:
        if on_job is not None:
            on_job(seq, t)

    return app, noop


async def sql(dsn: str, query: str, fetch: bool = False):
    async with await psycopg.AsyncConnection.connect(dsn, autocommit=True) as conn:
        cur = await conn.execute(query)
        return await cur.fetchone() if fetch else None


async def install_schema(dsn: str) -> None:
    (present,) = await sql(dsn, "SELECT to_regclass('procrastinate_jobs') IS NOT NULL", fetch=True)
    if present:
        log("procrastinate schema already present")
        return
    app, _ = make_app(dsn, 1)
    async with app.open_async():
        await app.schema_manager.apply_schema_async()
    log("procrastinate schema applied")


async def reset_queue(dsn: str) -> None:
    await sql(
        dsn,
        "TRUNCATE procrastinate_events, procrastinate_periodic_defers, "
        "procrastinate_jobs, procrastinate_workers RESTART IDENTITY",
    )


class Worker:
    """A procrastinate worker running in this process with one no-op task."""

    def __init__(self, args: argparse.Namespace, on_job) -> None:
        self.args = args
        pool = args.pool_size or args.concurrency + 2
        self.app, _ = make_app(args.dsn, pool, on_job)
        self.task: asyncio.Task | None = None
        self.opened = False

    async def start(self) -> None:
        await self.app.open_async()
        self.opened = True
        self.task = asyncio.create_task(
            self.app.run_worker_async(
                concurrency=self.args.concurrency,
                listen_notify=True,  # wake on NOTIFY from the defer trigger
                install_signal_handlers=False,
                wait=True,
            )
        )

    async def stop(self) -> None:
        if self.task is not None and not self.task.done():
            self.task.cancel()  # procrastinate turns this into a graceful stop
            try:
                await asyncio.wait_for(asyncio.gather(self.task, return_exceptions=True), 30)
            except asyncio.TimeoutError:
                log("worker did not stop within 30s")
        if self.opened:
            await self.app.close_async()

    def check_alive(self) -> None:
        if self.task is not None and self.task.done():
            exc = self.task.exception() if not self.task.cancelled() else None
            raise RuntimeError(f"worker stopped unexpectedly: {exc!r}")




# --------------------------------------------------------------------------- (a)


async def phase_throughput(args: argparse.Namespace, n: int, measured: bool = True) -> float:
    await reset_queue(args.dsn)

    app, noop = make_app(args.dsn, 2)
    async with app.open_async():
        t0 = now()
        chunk = 1000
        for i in range(0, n, chunk):
            await noop.batch_defer_async(*({} for _ in range(min(chunk, n - i))))
    log(f"enqueued {n} jobs in {now() - t0:.2f}s (not part of the measurement)")
    if args.analyze:
        # planner statistics for the backlog, as autovacuum keeps them in a long-lived queue
        await sql(args.dsn, "ANALYZE procrastinate_jobs, procrastinate_events")

    handled = 0
    first_start = last_end = 0.0

    def on_job(seq: int, t: float) -> None:
        nonlocal handled, first_start, last_end
        t = now()
        if handled == 0:
            first_start = t
        handled += 1
        last_end = t

    count_q = "SELECT count(*) FROM procrastinate_jobs WHERE status = 'succeeded'"
    async with await psycopg.AsyncConnection.connect(args.dsn, autocommit=True) as conn:
        worker = Worker(args, on_job)
        deadline = now() + args.throughput_timeout
        await worker.start()
        try:
            async def all_handled() -> bool:
                return handled >= n

            async def all_recorded() -> bool:
                (done,) = await (await conn.execute(count_q)).fetchone()
                return done >= n

            await wait_until(all_handled, deadline, worker, 0.05)
            # the handler has returned; wait until procrastinate has recorded the outcome
            await wait_until(all_recorded, deadline, worker, 0.05)
        finally:
            await worker.stop()

        cur = await conn.execute(
            """
            SELECT
              (SELECT min(at) FROM procrastinate_events WHERE type = 'started')   AS first_start,
              (SELECT max(at) FROM procrastinate_events WHERE type = 'succeeded') AS last_done,
              (SELECT count(*) FROM procrastinate_jobs WHERE status = 'succeeded') AS done
            """
        )
        first_db, last_db, done = await cur.fetchone()

    span = (last_db - first_db).total_seconds()
    log(
        f"{'measured' if measured else 'warm-up'} round: db window {span:.3f}s for {done} jobs; "
        f"handler window {last_end - first_start:.3f}s"
    )
    if done != n or span <= 0:
        raise RuntimeError(f"recorded {done} of {n} jobs")
    return n / span


# --------------------------------------------------------------------------- (b)


async def produce(args: argparse.Namespace) -> None:
    """Child process: enqueue jobs one at a time at --rate per second."""
    app, noop = make_app(args.dsn, 1)
    async with app.open_async():

        async def enqueue_one(seq: int, t: float) -> None:
            await noop.defer_async(seq=seq, t=t)

        await paced_enqueue(enqueue_one, args.latency_jobs, args.rate, args.warmup)


async def phase_latency(args: argparse.Namespace) -> None:
    n = args.latency_jobs
    await reset_queue(args.dsn)

    latencies: dict[int, float] = {}
    seen = 0

    def on_job(seq: int, t_enq: float) -> None:
        nonlocal seen
        t = now()
        seen += 1
        if seq >= 0:
            latencies[seq] = (t - t_enq) * 1000.0

    worker = Worker(args, on_job)
    deadline = now() + args.latency_timeout
    await worker.start()
    try:
        # let the worker register, find the queue empty and wait on LISTEN
        await asyncio.sleep(1.5)
        worker.check_alive()
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


if __name__ == "__main__":
    a = parse_args()
    if not a.produce:
        start_watchdog((a.rounds + 1) * a.throughput_timeout + a.latency_timeout + 400, SYSTEM)
    # procrastinate runs on the standard asyncio loop (its own CLI uses asyncio.run)
    sys.exit(asyncio.run(main(a)))
