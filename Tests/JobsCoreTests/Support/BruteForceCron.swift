import Foundation

/// Finds fire times by checking every second (Quartz forms) or every minute (five-field form) in turn.
///
/// This is the slow, obviously-correct counterpart of `CronExpression.nextFireTime(after:in:)`. It
/// walks real instants, reads the wall clock of each from the zone's offset, and applies the documented
/// daylight-saving rules on its own terms:
///
/// - interval-like hours: an instant fires when its wall time matches;
/// - fixed hours: an instant fires when its wall time matches and no earlier instant showed that wall
///   time (tracked as the highest wall time seen so far), or when the wall clock jumped forward over a
///   matching wall time just before it.
struct BruteForceCron {
    let cron: ReferenceCron
    let timeZone: TimeZone
    private let calendar: Calendar
    private var days: [Int: LocalDay] = [:]

    init(cron: ReferenceCron, timeZone: TimeZone) {
        self.cron = cron
        self.timeZone = timeZone
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = .gmt
        self.calendar = calendar
    }

    /// The fire times in `(start, end]`, at most `limit` of them, as seconds since the Unix epoch.
    mutating func fireTimes(after start: Int, through end: Int, limit: Int) -> [Int] {
        let step = self.cron.stepSeconds
        let first = (Self.floorDivide(start, step) + 1) * step
        // Overlaps in the zones tested last at most an hour, so two hours of history find every earlier showing.
        var highestWall = Int.min
        if self.cron.hoursAreFixed {
            for instant in stride(from: first - 7_200, to: first, by: step) {
                highestWall = max(highestWall, self.wall(at: instant))
            }
        }
        var previousWall = self.wall(at: first - step)
        var fires: [Int] = []
        var instant = first
        while instant <= end && fires.count < limit {
            let wall = self.wall(at: instant)
            var firesNow = false
            if !self.cron.hoursAreFixed {
                firesNow = self.matches(wall: wall)
            } else {
                if wall > highestWall && self.matches(wall: wall) {
                    firesNow = true
                } else if wall - previousWall > step {
                    firesNow = stride(from: previousWall + step, to: wall, by: step).contains { self.matches(wall: $0) }
                }
            }
            if firesNow {
                fires.append(instant)
            }
            highestWall = max(highestWall, wall)
            previousWall = wall
            instant += step
        }
        return fires
    }

    /// The days in `(startDay, endDay]` (counted from 1970-01-01) whose day, month and year fields match.
    ///
    /// For expressions that fire only at midnight in UTC this lists their fire times, one day at a time.
    mutating func matchingDays(after startDay: Int, through endDay: Int, limit: Int) -> [Int] {
        var days: [Int] = []
        for day in (startDay + 1)...endDay where days.count < limit {
            if self.cron.matches(self.localDay(Self.secondsPerDay * day)) {
                days.append(day)
            }
        }
        return days
    }

    /// Whether some day from 1970 to 2199 matches the day, month and year fields.
    mutating func firesOnSomeDay() -> Bool {
        let firstDay = 0
        let lastDay = 84_000
        return (firstDay...lastDay).contains { self.cron.matches(self.localDay(Self.secondsPerDay * $0)) }
    }

    private static let secondsPerDay = 86_400

    private func wall(at instant: Int) -> Int {
        instant + self.timeZone.secondsFromGMT(for: Date(timeIntervalSince1970: Double(instant)))
    }

    private mutating func matches(wall: Int) -> Bool {
        let secondOfDay = wall - Self.floorDivide(wall, Self.secondsPerDay) * Self.secondsPerDay
        guard
            self.cron.matchesTimeOfDay(
                hour: secondOfDay / 3_600,
                minute: secondOfDay / 60 % 60,
                second: secondOfDay % 60
            )
        else {
            return false
        }
        return self.cron.matches(self.cachedDay(wall))
    }

    private mutating func cachedDay(_ wall: Int) -> LocalDay {
        let dayNumber = Self.floorDivide(wall, Self.secondsPerDay)
        if let day = self.days[dayNumber] {
            return day
        }
        let day = self.localDay(dayNumber * Self.secondsPerDay)
        self.days[dayNumber] = day
        return day
    }

    /// The calendar day of a wall time, read as if it were a UTC instant.
    private func localDay(_ wall: Int) -> LocalDay {
        let date = Date(timeIntervalSince1970: Double(wall))
        let parts = self.calendar.dateComponents([.year, .month, .day, .weekday], from: date)
        return LocalDay(
            year: parts.year!,
            month: parts.month!,
            day: parts.day!,
            weekday: parts.weekday! - 1,
            daysInMonth: self.calendar.range(of: .day, in: .month, for: date)!.count
        )
    }

    private static func floorDivide(_ value: Int, _ divisor: Int) -> Int {
        value >= 0 ? value / divisor : -((-value + divisor - 1) / divisor)
    }
}
