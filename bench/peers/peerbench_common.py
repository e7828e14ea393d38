"""Helpers shared by bench_pgqueuer.py and bench_procrastinate.py.

Both peer scripts use the same pacing, clock, percentile and output code so
that the two libraries are measured the same way.
"""

from __future__ import annotations

import asyncio
import math
import os
import statistics
import sys
import threading
import time
from typing import Awaitable, Callable

# CLOCK_MONOTONIC is system-wide on Linux, so a value taken in the producer
# process can be compared with one taken in the worker process.
now = time.monotonic


def log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def result(system: str, metric: str, value: float, unit: str) -> None:
    print(f"RESULT {system} {metric} {value:.2f} {unit}", flush=True)


def error(system: str, metric: str, reason: str) -> None:
    print(f"ERROR {system} {metric} {reason}", flush=True)


def percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile (p in 0..100) of a non-empty list."""
    ordered = sorted(values)
    rank = max(1, math.ceil(p / 100.0 * len(ordered)))
    return ordered[rank - 1]


def report_latency(system: str, latencies_ms: list[float], expected: int) -> None:
    if len(latencies_ms) < expected:
        error(system, "latency", f"only {len(latencies_ms)} of {expected} jobs started")
        return
    log(
        f"{system} latency n={len(latencies_ms)} min={min(latencies_ms):.2f} "
        f"mean={statistics.fmean(latencies_ms):.2f} max={max(latencies_ms):.2f} ms"
    )
    result(system, "latency_median", statistics.median(latencies_ms), "ms")
    result(system, "latency_p99", percentile(latencies_ms, 99), "ms")


def start_watchdog(seconds: float, system: str) -> None:
    """Hard stop for the whole process, in case a phase timeout cannot unwind."""

    def fire() -> None:
        error(system, "run", f"watchdog: whole run exceeded {seconds:.0f}s, exiting")
        sys.stdout.flush()
        os._exit(3)

    timer = threading.Timer(seconds, fire)
    timer.daemon = True
    timer.start()


async def paced_enqueue(
    enqueue_one: Callable[[int, float], Awaitable[object]],
    count: int,
    rate: float,
    warmup: int,
) -> None:
    """Enqueue warmup + count jobs one at a time on a fixed schedule of `rate`/s.

    Sequence numbers below zero are warm-up jobs (the worker ignores them in
    the statistics). Each job carries the monotonic instant taken immediately
    before the library's enqueue call.
    """
    interval = 1.0 / rate
    start = now()
    for k, seq in enumerate(range(-warmup, count)):
        delay = start + k * interval - now()
        if delay > 0:
            await asyncio.sleep(delay)
        await enqueue_one(seq, now())


async def run_producer_subprocess(argv: list[str], timeout: float) -> int:
    """Run the producer half (same script, --produce) and wait for it."""
    proc = await asyncio.create_subprocess_exec(sys.executable, *argv)
    try:
        return await asyncio.wait_for(proc.wait(), timeout)
    except (asyncio.TimeoutError, asyncio.CancelledError):
        if proc.returncode is None:
            proc.kill()
            await proc.wait()
        raise


async def wait_until(pred, deadline: float, worker, poll: float) -> None:
    """Polls `pred` until it holds; fails when the worker died or `deadline` passed."""
    while True:
        if await pred():
            return
        worker.check_alive()
        if now() > deadline:
            raise asyncio.TimeoutError
        await asyncio.sleep(poll)


async def run_phases(system: str, args, install_schema, phase_throughput, phase_latency, produce) -> int:
    """Runs a peer script: the producer side when asked, else schema, throughput rounds and latency."""
    if args.produce:
        await produce(args)
        return 0

    try:
        await asyncio.wait_for(install_schema(args.dsn), 60)
    except Exception as exc:
        error(system, "setup", f"schema install failed: {exc!r}")
        return 1
    status = 0
    if not args.skip_throughput:
        try:
            if args.warmup_jobs > 0:
                await asyncio.wait_for(
                    phase_throughput(args, args.warmup_jobs, measured=False),
                    args.throughput_timeout + 60,
                )
            rates = []
            for r in range(args.rounds):
                rates.append(await asyncio.wait_for(
                    phase_throughput(args, args.jobs), args.throughput_timeout + 60
                ))
                log(f"round {r + 1}/{args.rounds}: {rates[-1]:.1f} jobs/s")
            result(system, "processing_throughput", statistics.median(rates), "jobs/s")
        except asyncio.TimeoutError:
            error(system, "processing_throughput", f"timeout after {args.throughput_timeout:.0f}s")
            status = 1
        except Exception as exc:
            error(system, "processing_throughput", f"failed: {exc!r}")
            status = 1
    if not args.skip_latency:
        try:
            await asyncio.wait_for(phase_latency(args), args.latency_timeout + 60)
        except asyncio.TimeoutError:
            error(system, "latency", f"timeout after {args.latency_timeout:.0f}s")
            status = 1
        except Exception as exc:
            error(system, "latency", f"failed: {exc!r}")
            status = 1
    return status
