/// A local wall-clock reading to the second, such as 2026-03-29 02:30:00, with no zone attached.
///
/// Wall times are also counted as *wall seconds*: the number of seconds from 1970-01-01 00:00:00
/// on the same wall clock. For an instant `t` (seconds since the Unix epoch) in a zone whose UTC
/// offset at `t` is `o`, the wall seconds are `t + o`. Wall seconds order wall times, but a wall
/// time may belong to no instant (inside a spring-forward gap) or to two (inside a fall-back overlap).
struct WallTime: Hashable, Comparable, Sendable {
    static let secondsPerDay = 86_400

    /// The calendar day.
    var date: CivilDate
    /// The hour, 0 to 23.
    var hour: Int
    /// The minute, 0 to 59.
    var minute: Int
    /// The second, 0 to 59.
    var second: Int

    /// Creates a wall time from its parts; the caller guarantees they are in range.
    init(date: CivilDate, hour: Int = 0, minute: Int = 0, second: Int = 0) {
        self.date = date
        self.hour = hour
        self.minute = minute
        self.second = second
    }

    /// Creates the wall time that lies `wallSeconds` seconds after 1970-01-01 00:00:00.
    init(wallSeconds: Int) {
        let (days, secondOfDay) = Self.split(wallSeconds)
        self.date = CivilDate(daysSinceEpoch: days)
        self.hour = secondOfDay / 3_600
        self.minute = secondOfDay / 60 % 60
        self.second = secondOfDay % 60
    }

    /// This wall time counted in seconds from 1970-01-01 00:00:00.
    var wallSeconds: Int {
        self.date.daysSinceEpoch * Self.secondsPerDay + self.hour * 3_600 + self.minute * 60 + self.second
    }

    /// Splits wall seconds into whole days since the epoch and the second of that day, rounding down.
    static func split(_ wallSeconds: Int) -> (days: Int, secondOfDay: Int) {
        var days = wallSeconds / Self.secondsPerDay
        var secondOfDay = wallSeconds % Self.secondsPerDay
        if secondOfDay < 0 {
            days -= 1
            secondOfDay += Self.secondsPerDay
        }
        return (days, secondOfDay)
    }

    static func < (lhs: WallTime, rhs: WallTime) -> Bool {
        lhs.wallSeconds < rhs.wallSeconds
    }
}
