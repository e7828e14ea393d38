public import Foundation

/// The successive fire times of a cron expression, computed lazily.
///
/// Each element is found with `CronExpression.nextFireTime(after:in:)` from the one before, so
/// iterating is as cheap as calling it repeatedly. The sequence ends when the expression stops
/// firing, at the latest in 2199; use `prefix(_:)` to take a bounded number.
public struct CronFireTimes: Sequence, IteratorProtocol, Sendable {
    /// The expression whose fire times are produced.
    public let expression: CronExpression
    /// The zone whose wall clock the expression describes.
    public let timeZone: TimeZone
    private var last: Date?

    /// Creates the sequence of fire times strictly after `start`.
    public init(expression: CronExpression, timeZone: TimeZone, start: Date) {
        self.expression = expression
        self.timeZone = timeZone
        self.last = start
    }

    /// Returns the next fire time, or nil once the expression has stopped firing.
    public mutating func next() -> Date? {
        guard let last = self.last else {
            return nil
        }
        self.last = self.expression.nextFireTime(after: last, in: self.timeZone)
        return self.last
    }
}
