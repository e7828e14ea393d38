import Foundation
import JobsServer
import Logging
import Postgres

// The engine's half of `make bench`: runs one node in this process against the database named by
// POSTGRES_*, then measures (a) throughput of 20,000 no-op executions at MAX_CONCURRENT_JOBS=10,
// from the first start to the last finish (the median of three such rounds), and (b) the
// enqueue-to-start latency of 200 executions queued one at a time at about 50 per second into the
// idle node. Instants are the database's own: `queued_at` (the enqueuing transaction), `started_at`
// (the claim) and `finished_at` (the completion), so every figure is of executions durably recorded
// with their attempts.
//
// BENCH_PHASES (default "throughput,latency") runs only the phases it names, so that `make bench` can
// take the systems' throughput rounds in turn, each beside the others, rather than all of one
// system's rounds before the next system's.

@main
struct Benchmark {
    static let environment = ProcessInfo.processInfo.environment
    static let throughputCount = Int(environment["BENCH_THROUGHPUT_EXECUTIONS"] ?? "") ?? 20_000
    static let latencyCount = Int(environment["BENCH_LATENCY_EXECUTIONS"] ?? "") ?? 200
    static let throughputRounds = max(1, Int(environment["BENCH_ROUNDS"] ?? "") ?? 3)
    static let phases = Set(
        (environment["BENCH_PHASES"] ?? "throughput,latency").split(separator: ",").map {
            $0.trimmingCharacters(in: .whitespaces)
        }
    )

    static func main() async throws {
        let logger = Logger(label: "bench", level: .warning, handler: StreamLogHandler(format: .text))
        var configuration: ServiceConfiguration
        do {
            configuration = try ServiceConfiguration.fromEnvironment()
        } catch {
            fail("configuration: \(error)")
        }
        guard case .external(let postgres) = configuration.database else {
            fail("set POSTGRES_HOST (or DATABASE_URL) to the benchmark database")
        }
        configuration.port = 0
        configuration.diagnosticJobTypes = true
        configuration.maxConcurrentJobs = Int(Self.environment["BENCH_CONCURRENCY"] ?? "") ?? 10
        configuration.databasePoolSize = 16
        configuration.logLevel = .warning

        let shutdown = ShutdownTrigger()
        let application = Application(configuration: configuration, logger: logger, shutdown: shutdown)
        let (ports, portContinuation) = AsyncStream<Int>.makeStream()
        let service = Task {
            try await application.run { port in portContinuation.yield(port) }
        }
        var portIterator = ports.makeAsyncIterator()
        guard await portIterator.next() != nil else {
            _ = await service.result
            fail("the service did not start")
        }

        let pool = PostgresPool(configuration: postgres, maximumConnections: 2, logger: logger)
        let job: UUID = try await pool.query(
            """
            INSERT INTO job (name, job_type, status, allow_overlap, max_retries)
            VALUES ('bench', 'diagnostic_noop', 'active', true, 0) RETURNING id
            """
        )[0].decode("id")

        // Warm-up (not measured), as the peers get: caches, plans and connections are ready.
        try await pool.query(
            """
            INSERT INTO job_execution (job_id, job_type, priority, trigger, max_attempts, timeout_seconds)
            SELECT \(job), 'diagnostic_noop', 1, 'manual', 1, 60 FROM generate_series(1, 2000)
            """
        )
        try await waitUntilDone(pool, timeout: .seconds(120))

        if Self.phases.contains("throughput") {
            // (a) Throughput: the median of BENCH_ROUNDS rounds (3 by default), so one round disturbed by
            // the machine's other work does not decide the figure. `make bench` asks for one round at a
            // time and takes the median itself, over rounds taken in turn with the peers'.
            var rates: [Double] = []
            for round in 1...Self.throughputRounds {
                // Every round starts from empty tables, as the peers' rounds do (they truncate theirs), so
                // no round inherits the dead rows of the one before.
                try await pool.query(
                    """
                    TRUNCATE job_execution, job_execution_attempt, job_lock, job_queue, job_probe_attempt, job_run
                    """
                )
                try await pool.query(
                    """
                    INSERT INTO job_execution (job_id, job_type, priority, trigger, max_attempts, timeout_seconds)
                    SELECT \(job), 'diagnostic_noop', 1, 'manual', 1, 60
                    FROM generate_series(1, \(Self.throughputCount))
                    """
                )
                try await pool.query("ANALYZE job_execution")
                try await waitUntilDone(pool, timeout: .seconds(600))
                let throughputRow = try await pool.query(
                    """
                    SELECT count(*) AS n,
                           count(*) FILTER (WHERE status = 'succeeded') AS succeeded,
                           extract(epoch FROM max(finished_at) - min(started_at))::float8 AS seconds,
                           (SELECT count(*) FROM job_execution_attempt) AS attempts
                    FROM job_execution
                    """
                )[0]
                let executed: Int = try throughputRow.decode("n")
                let succeeded: Int = try throughputRow.decode("succeeded")
                let seconds: Double = try throughputRow.decode("seconds")
                let attempts: Int = try throughputRow.decode("attempts")
                guard succeeded == Self.throughputCount, attempts == Self.throughputCount else {
                    fail(
                        "expected \(Self.throughputCount) succeeded executions with one attempt each, "
                            + "found \(succeeded) of \(executed)"
                    )
                }
                rates.append(Double(executed) / seconds)
                FileHandle.standardError.write(
                    Data("bench: round \(round): \(executed) executions in \(seconds) s, \(rates.last!) jobs/s\n".utf8)
                )
            }
            print(String(format: "RESULT fineract-jobs processing_throughput %.1f jobs/s", median(rates)))
        }
        if Self.phases.contains("latency") {
            try await Self.measureLatency(pool, job: job)
        }

        pool.shutDown()
        shutdown.trigger()
        _ = await service.result
    }

    /// (b) Latency into an idle node: executions queued one at a time, each measured from its queuing
    /// to its start.
    static func measureLatency(_ pool: PostgresPool, job: UUID) async throws {
        try await pool.query("DELETE FROM job_execution")
        try await Task.sleep(for: .seconds(2))
        let clock = ContinuousClock()
        let spacing = Duration.milliseconds(20)
        var next = clock.now
        for _ in 0..<Self.latencyCount {
            try await pool.query(
                """
                INSERT INTO job_execution (job_id, job_type, priority, trigger, max_attempts, timeout_seconds)
                VALUES (\(job), 'diagnostic_noop', 1, 'manual', 1, 60)
                """
            )
            next = next + spacing
            try await Task.sleep(until: next, clock: clock)
        }
        try await waitUntilDone(pool, timeout: .seconds(60))
        let latencies = try await pool.query(
            "SELECT extract(epoch FROM started_at - queued_at)::float8 * 1000 AS ms FROM job_execution ORDER BY ms"
        ).map { try $0.decode("ms", as: Double.self) }
        guard latencies.count == Self.latencyCount else {
            fail("expected \(Self.latencyCount) latency samples, found \(latencies.count)")
        }
        print(String(format: "RESULT fineract-jobs latency_median %.2f ms", percentile(latencies, 0.5)))
        print(String(format: "RESULT fineract-jobs latency_p99 %.2f ms", percentile(latencies, 0.99)))
    }
}

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("bench: \(message)\n".utf8))
    exit(1)
}

func median(_ values: [Double]) -> Double {
    let sorted = values.sorted()
    let middle = sorted.count / 2
    return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
}

func percentile(_ sorted: [Double], _ fraction: Double) -> Double {
    let rank = max(0, min(sorted.count - 1, Int((fraction * Double(sorted.count)).rounded(.up)) - 1))
    return sorted[rank]
}

func waitUntilDone(_ pool: PostgresPool, timeout: Duration) async throws {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        // Cheap on purpose (an index probe and a look at the lease table), so the poll does not weigh on
        // what is measured.
        let open: Bool = try await pool.query(
            """
            SELECT EXISTS (SELECT 1 FROM job_queue)
                OR EXISTS (SELECT 1 FROM job_lock) AS open
            """
        )[0].decode("open")
        if !open { return }
        try await Task.sleep(for: .milliseconds(100))
    }
    fail("executions still open after \(timeout)")
}
