import Foundation

/// Conversions between instants and wall times in a zone, on whole seconds.
///
/// Instants here are whole seconds since the Unix epoch, wall times are wall seconds (see `WallTime`).
/// The helpers assume what every IANA zone satisfies since 1970: the UTC offset changes at most once
/// in any 24 hours, and never by a day or more.
extension TimeZone {
    /// The UTC offset in seconds that is in force at `instant`.
    func offsetSeconds(at instant: Int) -> Int {
        self.secondsFromGMT(for: Date(timeIntervalSince1970: Double(instant)))
    }

    /// The wall seconds shown at `instant`.
    func wallSeconds(at instant: Int) -> Int {
        instant + self.offsetSeconds(at: instant)
    }

    /// The first instant after `instant` at which the UTC offset changes, or nil if the zone has no later change.
    ///
    /// Foundation reports every change of offset here, not only daylight-saving ones. Callers still
    /// check the offset of what they find, and `firstOffsetChange(after:upTo:)` repairs a missed change.
    func nextOffsetChange(after instant: Int) -> Int? {
        let after = Date(timeIntervalSince1970: Double(instant))
        guard let change = self.nextDaylightSavingTimeTransition(after: after) else {
            return nil
        }
        return Int(change.timeIntervalSince1970.rounded(.up))
    }

    /// The first instant in `(low, high]` whose offset differs from the offset at `low`.
    ///
    /// The caller guarantees that the offsets at `low` and `high` differ; the search halves the
    /// interval, so it costs about log2(high - low) offset look-ups.
    func firstOffsetChange(after low: Int, upTo high: Int) -> Int {
        let offset = self.offsetSeconds(at: low)
        var low = low
        var high = high
        while high - low > 1 {
            let middle = low + (high - low) / 2
            if self.offsetSeconds(at: middle) == offset {
                low = middle
            } else {
                high = middle
            }
        }
        return high
    }

    /// The instant at which `wallSeconds` is first shown, or for a skipped wall time the instant the gap ends.
    ///
    /// This is the rule for fixed wall times: a wall time shown twice (fall back) resolves to its
    /// first occurrence, and a wall time that is never shown (spring forward) resolves to the first
    /// instant after the gap, which shows the wall time at which the gap ends.
    func firstInstant(showing wallSeconds: Int) -> Int {
        // An offset in force a day before and a day after brackets every instant that can show this wall time.
        let earlierOffset = self.offsetSeconds(at: wallSeconds - WallTime.secondsPerDay)
        let laterOffset = self.offsetSeconds(at: wallSeconds + WallTime.secondsPerDay)
        let earlierCandidate = wallSeconds - earlierOffset
        let laterCandidate = wallSeconds - laterOffset
        let earlierFits = self.offsetSeconds(at: earlierCandidate) == earlierOffset
        let laterFits = self.offsetSeconds(at: laterCandidate) == laterOffset
        switch (earlierFits, laterFits) {
        case (true, true):
            return min(earlierCandidate, laterCandidate)
        case (true, false):
            return earlierCandidate
        case (false, true):
            return laterCandidate
        case (false, false) where laterCandidate < earlierCandidate:
            // Inside a gap: the offset grew from `earlierOffset` to `laterOffset` at an instant in
            // (wall - later, wall - earlier]; that instant ends the gap.
            return self.firstOffsetChange(after: laterCandidate, upTo: earlierCandidate)
        case (false, false):
            // Only possible with two offset changes within a day, which no zone has; stay close to the wall time.
            return earlierCandidate
        }
    }
}
