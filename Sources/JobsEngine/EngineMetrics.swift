public import JobsCore
import Synchronization

/// Counters and histograms of what this node's engine did, for `GET /metrics`.
///
/// In-process and per node, as Prometheus expects: each node reports its own, and the monitoring
/// system sums them. Gauges that describe the whole cluster (the queue) are read from the
/// database at scrape time instead.
public final class EngineMetrics: Sendable {
    /// Upper bounds of the execution duration histogram, in seconds.
    public static let durationBuckets: [Double] = [
        0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 1800,
    ]

    /// A copy of every value, taken under the lock.
    public struct Snapshot: Sendable {
        /// Attempts finished, by job type and outcome (`succeeded`, `failed`, `retried`, `timed_out`, ...).
        public var attempts: [Key: Int] = [:]
        /// Per job type: cumulative bucket counts (same order as `durationBuckets`), count and sum.
        public var durations: [JobType: Histogram] = [:]
        public var leaseExpiriesReaped = 0
        public var leasesLost = 0
        public var staleCompletionsRefused = 0
        public var abandonedAttempts = 0
        public var executionsScheduled = 0
        public var claims = 0
    }

    /// A job type and an outcome.
    public struct Key: Hashable, Sendable {
        public var jobType: JobType
        public var outcome: String
    }

    /// A latency histogram.
    public struct Histogram: Sendable {
        public var bucketCounts: [Int] = Array(repeating: 0, count: EngineMetrics.durationBuckets.count)
        public var count = 0
        public var sum = 0.0
    }

    private let state = Mutex(Snapshot())

    public init() {}

    public var snapshot: Snapshot {
        self.state.withLock { $0 }
    }

    func recordAttempt(jobType: JobType, outcome: String, seconds: Double) {
        self.state.withLock { state in
            state.attempts[Key(jobType: jobType, outcome: outcome), default: 0] += 1
            var histogram = state.durations[jobType] ?? Histogram()
            for (index, bound) in Self.durationBuckets.enumerated() where seconds <= bound {
                histogram.bucketCounts[index] += 1
            }
            histogram.count += 1
            histogram.sum += seconds
            state.durations[jobType] = histogram
        }
    }

    func recordReaped(_ count: Int) {
        self.state.withLock { $0.leaseExpiriesReaped += count }
    }

    func recordLeaseLost() {
        self.state.withLock { $0.leasesLost += 1 }
    }

    func recordStaleCompletion() {
        self.state.withLock { $0.staleCompletionsRefused += 1 }
    }

    func recordAbandoned() {
        self.state.withLock { $0.abandonedAttempts += 1 }
    }

    public func recordScheduled(_ count: Int) {
        self.state.withLock { $0.executionsScheduled += count }
    }

    func recordClaims(_ count: Int) {
        self.state.withLock { $0.claims += count }
    }
}
