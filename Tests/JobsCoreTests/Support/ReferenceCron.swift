/// A plain, independent model of a cron expression: the oracle of the property tests.
///
/// The generator builds this model and the expression text side by side, so the model never goes
/// through the parser under test. Matching checks each field directly against a local time, with the
/// day rules written out from their definitions rather than from the optimised bitmaps.
struct ReferenceCron: Sendable, CustomStringConvertible {
    enum Form: String, Sendable, CaseIterable {
        case fiveField
        case quartz
    }

    enum DayOfMonthItem: Sendable {
        case day(Int)
        case last(offset: Int)
        case lastWeekday
        case nearestWeekday(Int)
    }

    enum DayOfWeekItem: Sendable {
        /// 0 is Sunday.
        case weekday(Int)
        case last(Int)
        case nth(Int, occurrence: Int)
    }

    var text = ""
    /// One-second resolution for Quartz forms, one minute for the five-field form.
    var stepSeconds = 60
    var seconds = [Bool](repeating: false, count: 60)
    var minutes = [Bool](repeating: false, count: 60)
    var hours = [Bool](repeating: false, count: 24)
    var hoursAreFixed = true
    /// Empty when the field does not restrict.
    var daysOfMonth: [DayOfMonthItem] = []
    var months = [Bool](repeating: false, count: 13)
    /// Empty when the field does not restrict.
    var daysOfWeek: [DayOfWeekItem] = []
    /// Nil for every year.
    var years: Set<Int>?

    var description: String {
        self.text
    }

    func matchesTimeOfDay(hour: Int, minute: Int, second: Int) -> Bool {
        self.hours[hour] && self.minutes[minute] && self.seconds[second]
    }

    func matches(_ day: LocalDay) -> Bool {
        guard self.months[day.month], self.years?.contains(day.year) ?? true else {
            return false
        }
        let dayOfMonth = self.daysOfMonth.contains { Self.matches($0, day) }
        let dayOfWeek = self.daysOfWeek.contains { Self.matches($0, day) }
        switch (self.daysOfMonth.isEmpty, self.daysOfWeek.isEmpty) {
        case (true, true): return true
        case (false, true): return dayOfMonth
        case (true, false): return dayOfWeek
        case (false, false): return dayOfMonth || dayOfWeek
        }
    }

    private static func matches(_ item: DayOfMonthItem, _ day: LocalDay) -> Bool {
        switch item {
        case .day(let number):
            return day.day == number
        case .last(let offset):
            return day.day == day.daysInMonth - offset
        case .lastWeekday:
            let lastWorkday = (1...day.daysInMonth).last { day.isWorkday(dayOfMonth: $0) }
            return day.day == lastWorkday
        case .nearestWeekday(let target):
            guard target <= day.daysInMonth else {
                return false
            }
            let nearest = (1...day.daysInMonth).filter { day.isWorkday(dayOfMonth: $0) }
                .min { abs($0 - target) < abs($1 - target) }
            return day.day == nearest
        }
    }

    private static func matches(_ item: DayOfWeekItem, _ day: LocalDay) -> Bool {
        switch item {
        case .weekday(let weekday):
            return day.weekday == weekday
        case .last(let weekday):
            return day.weekday == weekday && day.day + 7 > day.daysInMonth
        case .nth(let weekday, let occurrence):
            return day.weekday == weekday && (day.day - 1) / 7 + 1 == occurrence
        }
    }
}

/// A local calendar day as the reference sees it, worked out with Foundation's Gregorian calendar.
struct LocalDay: Sendable {
    var year: Int
    var month: Int
    var day: Int
    /// 0 is Sunday.
    var weekday: Int
    var daysInMonth: Int

    /// Whether the given day of this day's month falls on Monday to Friday.
    func isWorkday(dayOfMonth: Int) -> Bool {
        let weekday = ((self.weekday + dayOfMonth - self.day) % 7 + 7) % 7
        return weekday >= 1 && weekday <= 5
    }
}
