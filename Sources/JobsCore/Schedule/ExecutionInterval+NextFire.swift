public import Foundation

/// Next-fire calculation for the predefined intervals, anchored to the job's start time.
extension ExecutionInterval {
    /// The first run of this interval after `instant`, counted from `anchor`.
    ///
    /// Runs never drift, because the k-th run is computed from the anchor directly, never from the
    /// run before it:
    ///
    /// - `once` runs at the anchor only, so the result is the anchor when it is after `instant`, else nil.
    /// - `everyMinute` and `hourly` run at `anchor + k * 60 s` and `anchor + k * 3600 s` of real elapsed
    ///   time, whatever the wall clock does.
    /// - `daily`, `weekly`, `monthly`, `quarterly` and `yearly` run at the anchor's wall-clock time in
    ///   `timeZone`, k days, weeks, months, quarters or years after the anchor's date. A day-of-month
    ///   that a month lacks becomes its last day (31 January monthly runs on 28 or 29 February, then
    ///   31 March). A wall time skipped by a spring-forward gap runs at the first instant after the gap;
    ///   a wall time shown twice runs at its first occurrence. The anchor itself is always the first run.
    ///
    /// The result is the run with the smallest k ≥ 0 that is strictly later than `instant`.
    ///
    /// - Parameters:
    ///   - instant: The time to search after, usually now or the previous run.
    ///   - anchor: The job's start time, which is also its first run.
    ///   - timeZone: The zone whose wall clock calendar intervals follow.
    /// - Returns: The next run, or nil for `once` when the anchor is not after `instant`.
    public func nextFireTime(after instant: Date, anchor: Date, in timeZone: TimeZone) -> Date? {
        if anchor > instant {
            return anchor
        }
        switch self {
        case .once:
            return nil
        case .everyMinute:
            return Self.nextElapsedRun(after: instant, anchor: anchor, every: 60)
        case .hourly:
            return Self.nextElapsedRun(after: instant, anchor: anchor, every: 3_600)
        case .daily:
            return CalendarRuns(anchor: anchor, timeZone: timeZone, days: 1).first(after: instant)
        case .weekly:
            return CalendarRuns(anchor: anchor, timeZone: timeZone, days: 7).first(after: instant)
        case .monthly:
            return CalendarRuns(anchor: anchor, timeZone: timeZone, months: 1).first(after: instant)
        case .quarterly:
            return CalendarRuns(anchor: anchor, timeZone: timeZone, months: 3).first(after: instant)
        case .yearly:
            return CalendarRuns(anchor: anchor, timeZone: timeZone, months: 12).first(after: instant)
        }
    }

    /// The smallest `anchor + k * seconds` later than `instant`, for an anchor not after `instant`.
    private static func nextElapsedRun(after instant: Date, anchor: Date, every seconds: Double) -> Date {
        var count = ((instant.timeIntervalSince1970 - anchor.timeIntervalSince1970) / seconds).rounded(.down) + 1
        // Correct the estimate for rounding in the division.
        while count > 1 && anchor.addingTimeInterval((count - 1) * seconds) > instant {
            count -= 1
        }
        while anchor.addingTimeInterval(count * seconds) <= instant {
            count += 1
        }
        return anchor.addingTimeInterval(count * seconds)
    }
}

/// The runs of a calendar interval: the anchor's wall-clock time on every n-th day or n-th month.
private struct CalendarRuns {
    let anchor: Date
    let timeZone: TimeZone
    let anchorWall: WallTime
    let days: Int
    let months: Int

    init(anchor: Date, timeZone: TimeZone, days: Int = 0, months: Int = 0) {
        let anchorSecond = Int(anchor.timeIntervalSince1970.rounded(.down))
        self.anchor = anchor
        self.timeZone = timeZone
        self.anchorWall = WallTime(wallSeconds: timeZone.wallSeconds(at: anchorSecond))
        self.days = days
        self.months = months
    }

    /// The first run later than `instant`, which is not before the anchor.
    func first(after instant: Date) -> Date {
        let instantSecond = Int(instant.timeIntervalSince1970.rounded(.down))
        let instantWall = WallTime(wallSeconds: self.timeZone.wallSeconds(at: instantSecond))
        // Estimate a run at least a unit before `instant`, then step forward.
        var count: Int
        if self.days > 0 {
            count = (instantWall.date.daysSinceEpoch - self.anchorWall.date.daysSinceEpoch) / self.days - 1
        } else {
            let elapsedMonths =
                (instantWall.date.year - self.anchorWall.date.year) * 12
                + instantWall.date.month - self.anchorWall.date.month
            count = elapsedMonths / self.months - 1
        }
        count = max(count, 0)
        while count > 0 && self.run(count) > instant {
            count -= 1
        }
        while self.run(count) <= instant {
            count += 1
        }
        return self.run(count)
    }

    /// The k-th run; the 0th is the anchor itself.
    func run(_ count: Int) -> Date {
        guard count > 0 else {
            return self.anchor
        }
        let date =
            self.days > 0
            ? CivilDate(daysSinceEpoch: self.anchorWall.date.daysSinceEpoch + count * self.days)
            : self.anchorWall.date.addingMonths(count * self.months)
        var wall = self.anchorWall
        wall.date = date
        let instant = self.timeZone.firstInstant(showing: wall.wallSeconds)
        let fraction = self.anchor.timeIntervalSince1970 - self.anchor.timeIntervalSince1970.rounded(.down)
        return Date(timeIntervalSince1970: Double(instant) + fraction)
    }
}
