/// Exponential back-off with full jitter between attempts of a failed execution.
///
/// The delay before attempt n+1 is a uniformly random duration between zero and
/// `min(cap, base * 2^(n-1))`. Full jitter spreads retries of many failed executions (a gateway
/// outage, say) so they do not return in lock-step.
public struct RetryPolicy: Sendable, Hashable {
    public var base: Duration
    public var cap: Duration

    public init(base: Duration = .seconds(1), cap: Duration = .seconds(300)) {
        precondition(base > .zero && cap >= base, "back-off needs 0 < base <= cap")
        self.base = base
        self.cap = cap
    }

    /// The longest delay after `failedAttempt` (1 for the first attempt).
    public func ceiling(afterAttempt failedAttempt: Int) -> Duration {
        let exponent = min(max(failedAttempt - 1, 0), 40)
        let ceiling = self.base * (1 << exponent)
        return min(ceiling, self.cap)
    }

    /// A random delay after `failedAttempt`, drawn with `generator`.
    public func delay(afterAttempt failedAttempt: Int, using generator: inout some RandomNumberGenerator) -> Duration {
        let ceiling = self.ceiling(afterAttempt: failedAttempt)
        let milliseconds = ceiling.components.seconds * 1000 + ceiling.components.attoseconds / 1_000_000_000_000_000
        return .milliseconds(Int64.random(in: 0...max(milliseconds, 0), using: &generator))
    }

    /// A random delay after `failedAttempt` from the system generator.
    public func delay(afterAttempt failedAttempt: Int) -> Duration {
        var generator = SystemRandomNumberGenerator()
        return self.delay(afterAttempt: failedAttempt, using: &generator)
    }
}
