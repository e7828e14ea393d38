public import Foundation

/// Next-fire calculation: walking the stretches of constant UTC offset and applying the daylight-saving rules.
extension CronExpression {
    /// The first time after `instant` at which the expression fires, evaluated on the wall clock of `timeZone`.
    ///
    /// The result is strictly later than `instant` and a whole second. Gaps and overlaps follow the
    /// rules in the type's documentation. Fire times after 2199 are not produced, and an instant before
    /// the year 1740 is treated as 1740, mirroring that bound.
    ///
    /// - Parameters:
    ///   - instant: The time to search after, usually now or the previous fire time.
    ///   - timeZone: The zone whose wall clock the fields describe.
    /// - Returns: The next fire time, or nil when the expression never fires again.
    public func nextFireTime(after instant: Date, in timeZone: TimeZone) -> Date? {
        let seconds = instant.timeIntervalSince1970
        precondition(!seconds.isNaN, "nextFireTime(after:) needs a real instant, not NaN")
        guard seconds < Double(Self.endOfSearch) else {
            return nil
        }
        let start = seconds < -Double(Self.endOfSearch) ? -Self.endOfSearch : Int(seconds.rounded(.down))
        return self.nextFireSecond(after: start, in: timeZone).map { Date(timeIntervalSince1970: Double($0)) }
    }

    /// The successive fire times after `instant`, computed lazily one at a time.
    ///
    /// - Parameters:
    ///   - instant: The time to search after; it is not itself a fire time of the sequence.
    ///   - timeZone: The zone whose wall clock the fields describe.
    /// - Returns: A sequence that ends when the expression stops firing (at the latest in 2199).
    public func fireTimes(after instant: Date, in timeZone: TimeZone) -> CronFireTimes {
        CronFireTimes(expression: self, timeZone: timeZone, start: instant)
    }

    /// The first fire time after `instant`, all in whole seconds since the Unix epoch.
    ///
    /// The search visits the stretches of time during which the zone's UTC offset is constant. Inside
    /// one, wall time and instant differ by that offset, so the field-jumping wall search applies
    /// directly. Where a stretch ends, the offset changes:
    ///
    /// - forward (a gap): with fixed hours, a match among the skipped wall times fires at the first
    ///   instant of the next stretch; with interval-like hours the skipped wall times are ignored.
    /// - backward (an overlap): with fixed hours the search resumes where the wall clock passes the
    ///   highest wall time already shown; with interval-like hours it resumes at the change, so the
    ///   repeated wall times fire again.
    func nextFireSecond(after instant: Int, in timeZone: TimeZone) -> Int? {
        // UTC offsets stay within a day, so an instant shows a wall time less than a day away from it,
        // and every fire time lies less than a day after some matching wall time. Finding the first
        // matching wall time that could matter lets sparse expressions skip months of offset changes.
        let day = WallTime.secondsPerDay
        guard let firstMatch = self.nextMatchingWall(from: instant + 1 - day, before: Self.endOfSearch) else {
            return nil
        }
        let start = max(instant, firstMatch - day - 1)
        var current = start + 1
        var previousOffset = timeZone.offsetSeconds(at: start)
        if self.hasFixedHours {
            current = self.skippingRepeatedWallTimes(from: current, in: timeZone)
            previousOffset = timeZone.offsetSeconds(at: current - 1)
        }
        // Each pass covers one stretch; the bound only guards against a zone database gone wrong.
        for _ in 0..<10_000 {
            let offset = timeZone.offsetSeconds(at: current)
            guard current + offset < Self.endOfSearch else {
                return nil
            }
            if self.hasFixedHours && offset > previousOffset
                && self.nextMatchingWall(from: current + previousOffset, before: current + offset) != nil
            {
                return current
            }
            var stretchEnd = timeZone.nextOffsetChange(after: current)
            let wallEnd = stretchEnd.map { $0 + offset } ?? Self.endOfSearch
            if let wall = self.nextMatchingWall(from: current + offset, before: wallEnd) {
                let candidate = wall - offset
                if timeZone.offsetSeconds(at: candidate) == offset {
                    return candidate
                }
                // The zone changed offset without reporting it; find the change and carry on from there.
                stretchEnd = timeZone.firstOffsetChange(after: current, upTo: candidate)
            }
            guard let end = stretchEnd else {
                return nil
            }
            let nextOffset = timeZone.offsetSeconds(at: end)
            if self.hasFixedHours && nextOffset < offset {
                // Skip the instants that show wall times this stretch has already shown.
                current = end + (offset - nextOffset)
                previousOffset = nextOffset
            } else {
                current = end
                previousOffset = offset
            }
        }
        return nil
    }

    /// Moves `instant` past a fall-back overlap's second showing of wall times, for fixed hours.
    ///
    /// An instant repeats a wall time when, under the offset in force a day earlier, that wall time
    /// belonged to an earlier instant. The repeat ends where the wall clock passes the highest wall
    /// time shown before the change.
    private func skippingRepeatedWallTimes(from instant: Int, in timeZone: TimeZone) -> Int {
        let offset = timeZone.offsetSeconds(at: instant)
        let earlierOffset = timeZone.offsetSeconds(at: instant - WallTime.secondsPerDay)
        guard earlierOffset > offset else {
            return instant
        }
        let firstShowing = instant + offset - earlierOffset
        guard timeZone.offsetSeconds(at: firstShowing) == earlierOffset else {
            return instant
        }
        let change = timeZone.firstOffsetChange(after: firstShowing, upTo: instant)
        return max(instant, change + (earlierOffset - offset))
    }
}
