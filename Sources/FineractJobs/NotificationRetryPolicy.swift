/// When a notification that failed for a passing reason is tried again, and when to give up.
///
/// Fineract has no retries (a failed message stays FAILED); they are our extension. The wait after
/// attempt `n` doubles from `base` up to `cap` and is then jittered into its upper half, so that
/// messages that failed together spread out but none is retried sooner than half the nominal wait.
public struct NotificationRetryPolicy: Sendable, Equatable {
    /// Attempts a message gets in all; after the last one fails it is marked FAILED (400).
    public var maxAttempts: Int
    /// The nominal wait after the first failed attempt.
    public var base: Duration
    /// The longest nominal wait.
    public var cap: Duration

    public init(maxAttempts: Int = 5, base: Duration = .seconds(60), cap: Duration = .seconds(3600)) {
        precondition(maxAttempts >= 1, "a message gets at least one attempt")
        precondition(base > .zero && cap >= base, "the retry wait needs 0 < base <= cap")
        self.maxAttempts = maxAttempts
        self.base = base
        self.cap = cap
    }

    /// Whether a message whose attempt number `attempt` (1 for the first) just failed is given up.
    public func isFinal(attempt: Int) -> Bool {
        attempt >= self.maxAttempts
    }

    /// The nominal wait after attempt `attempt` failed: `base · 2^(attempt − 1)`, at most `cap`.
    public func nominalDelay(afterAttempt attempt: Int) -> Duration {
        let doublings = min(max(attempt - 1, 0), 40)
        let capMilliseconds = Self.milliseconds(self.cap)
        let scaled = Self.milliseconds(self.base).multipliedReportingOverflow(by: Int64(1) << doublings)
        return .milliseconds(scaled.overflow ? capMilliseconds : min(scaled.partialValue, capMilliseconds))
    }

    /// The wait after attempt `attempt` failed: uniformly drawn from the upper half of the nominal wait.
    public func delay(afterAttempt attempt: Int, using generator: inout some RandomNumberGenerator) -> Duration {
        let nominal = Self.milliseconds(self.nominalDelay(afterAttempt: attempt))
        let half = nominal / 2
        return .milliseconds(nominal - half + Int64.random(in: 0...half, using: &generator))
    }

    /// The wait after attempt `attempt` failed, drawn from the system's random source.
    public func delay(afterAttempt attempt: Int) -> Duration {
        var generator = SystemRandomNumberGenerator()
        return self.delay(afterAttempt: attempt, using: &generator)
    }

    static func milliseconds(_ duration: Duration) -> Int64 {
        duration.components.seconds * 1000 + duration.components.attoseconds / 1_000_000_000_000_000
    }
}
