public import Foundation

/// When a job runs: a cron expression or a predefined interval, together with the zone it is read in.
///
/// A schedule is a value with no clock of its own; the scheduler asks it for the next fire time after
/// the current instant or after the previous run.
public enum Schedule: Sendable, Hashable {
    /// Fires whenever `CronExpression` matches the wall clock of the zone.
    case cron(CronExpression, TimeZone)
    /// Fires at the anchor and then at every interval after it, calendar intervals on the zone's wall clock.
    case interval(ExecutionInterval, anchor: Date, TimeZone)

    /// The zone whose wall clock the schedule follows.
    public var timeZone: TimeZone {
        switch self {
        case .cron(_, let timeZone), .interval(_, _, let timeZone):
            timeZone
        }
    }

    /// The first fire time strictly after `instant`, or nil when the schedule never fires again.
    ///
    /// See `CronExpression.nextFireTime(after:in:)` and `ExecutionInterval.nextFireTime(after:anchor:in:)`
    /// for the rules, including daylight-saving changes.
    public func nextFireTime(after instant: Date) -> Date? {
        switch self {
        case .cron(let expression, let timeZone):
            expression.nextFireTime(after: instant, in: timeZone)
        case .interval(let interval, let anchor, let timeZone):
            interval.nextFireTime(after: instant, anchor: anchor, in: timeZone)
        }
    }

    /// Up to `limit` successive fire times after `instant`, earliest first.
    ///
    /// - Parameters:
    ///   - instant: The time to search after.
    ///   - limit: The most fire times to return; must not be negative.
    /// - Returns: Fewer than `limit` times only when the schedule stops firing.
    public func fireTimes(after instant: Date, limit: Int) -> [Date] {
        precondition(limit >= 0, "fireTimes(after:limit:) needs a limit of zero or more, not \(limit)")
        var times: [Date] = []
        var last = instant
        while times.count < limit, let next = self.nextFireTime(after: last) {
            times.append(next)
            last = next
        }
        return times
    }
}
