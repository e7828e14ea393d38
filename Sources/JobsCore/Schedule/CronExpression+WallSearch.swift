/// Finding the next matching wall time by jumping field by field, without looking at time zones.
extension CronExpression {
    /// The first wall time no expression reaches: 2200-01-01 00:00:00, in wall seconds.
    static let endOfSearch = WallTime(date: CivilDate(year: 2200, month: 1, day: 1)).wallSeconds

    /// The first wall time in `[low, high)` whose fields all match, in wall seconds, or nil if there is none.
    ///
    /// The search moves from the largest field to the smallest. When a field does not match, it jumps
    /// to the next value that does and resets every smaller field to its start, so the cost grows with
    /// the number of fields adjusted rather than with the time skipped.
    func nextMatchingWall(from low: Int, before high: Int) -> Int? {
        let high = min(high, Self.endOfSearch)
        var wall = WallTime(wallSeconds: low)
        var maskMonth = (year: 0, month: 0)
        var mask: UInt64 = 0
        while wall.wallSeconds < high {
            let year = wall.date.year
            guard let matchingYear = self.nextYear(atOrAfter: year) else {
                return nil
            }
            if matchingYear != year {
                wall = WallTime(date: CivilDate(year: matchingYear, month: 1, day: 1))
                continue
            }
            guard let month = self.months.next(atOrAfter: wall.date.month), month <= 12 else {
                wall = WallTime(date: CivilDate(year: year + 1, month: 1, day: 1))
                continue
            }
            if month != wall.date.month {
                wall = WallTime(date: CivilDate(year: year, month: month, day: 1))
                continue
            }
            if maskMonth != (year, month) {
                mask = self.dayMask(year: year, month: month)
                maskMonth = (year, month)
            }
            let laterDays = mask & (UInt64.max << UInt64(wall.date.day))
            guard laterDays != 0 else {
                wall = WallTime(date: wall.date.startOfNextMonth)
                continue
            }
            let day = laterDays.trailingZeroBitCount
            if day != wall.date.day {
                wall = WallTime(date: CivilDate(year: year, month: month, day: day))
            }
            guard let hour = self.hours.next(atOrAfter: wall.hour) else {
                wall = WallTime(date: wall.date.nextDay)
                continue
            }
            if hour != wall.hour {
                wall = WallTime(date: wall.date, hour: hour)
            }
            guard let minute = self.minutes.next(atOrAfter: wall.minute) else {
                wall = Self.startOfNextHour(after: wall)
                continue
            }
            if minute != wall.minute {
                wall = WallTime(date: wall.date, hour: hour, minute: minute)
            }
            guard let second = self.seconds.next(atOrAfter: wall.second) else {
                wall = Self.startOfNextMinute(after: wall)
                continue
            }
            wall.second = second
            let result = wall.wallSeconds
            return result < high ? result : nil
        }
        return nil
    }

    /// The days of `month` in `year` on which the expression fires, as a bitmap (bit `d` for day `d`).
    func dayMask(year: Int, month: Int) -> UInt64 {
        switch self.dayMatching {
        case .everyDay:
            let length = CivilDate.daysInMonth(year: year, month: month)
            return (UInt64(1) << UInt64(length + 1)) - 2
        case .dayOfMonth:
            return self.daysOfMonth.dayOfMonthMask(year: year, month: month)
        case .dayOfWeek:
            return self.daysOfWeek.dayOfWeekMask(year: year, month: month)
        case .either:
            return self.daysOfMonth.dayOfMonthMask(year: year, month: month)
                | self.daysOfWeek.dayOfWeekMask(year: year, month: month)
        }
    }

    /// The first selected year at or after `year`, or nil when none is left.
    private func nextYear(atOrAfter year: Int) -> Int? {
        guard let years = self.years else {
            return year
        }
        return years.next(atOrAfter: year - 1970).map { $0 + 1970 }
    }

    private static func startOfNextHour(after wall: WallTime) -> WallTime {
        wall.hour == 23 ? WallTime(date: wall.date.nextDay) : WallTime(date: wall.date, hour: wall.hour + 1)
    }

    private static func startOfNextMinute(after wall: WallTime) -> WallTime {
        wall.minute == 59
            ? Self.startOfNextHour(after: wall)
            : WallTime(date: wall.date, hour: wall.hour, minute: wall.minute + 1)
    }
}
