/// A day in the proleptic Gregorian calendar, with the integer arithmetic the schedules need.
///
/// Schedules do their calendar work on plain integers rather than through `Calendar`, which keeps
/// next-fire calculations allocation-free and fast. Days are counted from 1970-01-01; the
/// conversions follow the well-known era-based algorithms and are exact for every `Int` year a
/// `Date` can hold.
struct CivilDate: Hashable, Comparable, Sendable {
    /// The year, such as 2026.
    var year: Int
    /// The month, 1 (January) to 12 (December).
    var month: Int
    /// The day of the month, 1 to 31.
    var day: Int

    /// Creates a date from its components; the caller guarantees they name a real day.
    init(year: Int, month: Int, day: Int) {
        self.year = year
        self.month = month
        self.day = day
    }

    /// Creates the date that lies `days` days after 1970-01-01 (negative values lie before it).
    init(daysSinceEpoch days: Int) {
        let shifted = days + 719_468
        let era = (shifted >= 0 ? shifted : shifted - 146_096) / 146_097
        let dayOfEra = shifted - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1_460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let shiftedMonth = (5 * dayOfYear + 2) / 153
        self.day = dayOfYear - (153 * shiftedMonth + 2) / 5 + 1
        self.month = shiftedMonth < 10 ? shiftedMonth + 3 : shiftedMonth - 9
        self.year = yearOfEra + era * 400 + (self.month <= 2 ? 1 : 0)
    }

    /// The number of days from 1970-01-01 to this date.
    var daysSinceEpoch: Int {
        let year = self.month <= 2 ? self.year - 1 : self.year
        let era = (year >= 0 ? year : year - 399) / 400
        let yearOfEra = year - era * 400
        let shiftedMonth = self.month > 2 ? self.month - 3 : self.month + 9
        let dayOfYear = (153 * shiftedMonth + 2) / 5 + self.day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    /// The day of the week, 0 (Sunday) to 6 (Saturday).
    var weekday: Int {
        Self.weekday(daysSinceEpoch: self.daysSinceEpoch)
    }

    /// The first day of the month after this date's month.
    var startOfNextMonth: CivilDate {
        self.month == 12
            ? CivilDate(year: self.year + 1, month: 1, day: 1)
            : CivilDate(year: self.year, month: self.month + 1, day: 1)
    }

    /// The day after this one.
    var nextDay: CivilDate {
        if self.day < Self.daysInMonth(year: self.year, month: self.month) {
            return CivilDate(year: self.year, month: self.month, day: self.day + 1)
        }
        return self.startOfNextMonth
    }

    /// Returns the same day-of-month `months` months later, clamped to the last day of a shorter month.
    ///
    /// The result is computed from this date directly, so repeated use never drifts: 31 January plus one
    /// month is 28 or 29 February, and plus two months is 31 March.
    func addingMonths(_ months: Int) -> CivilDate {
        let index = self.year * 12 + (self.month - 1) + months
        let year = index >= 0 ? index / 12 : (index - 11) / 12
        let month = index - year * 12 + 1
        let day = min(self.day, Self.daysInMonth(year: year, month: month))
        return CivilDate(year: year, month: month, day: day)
    }

    /// Whether `year` has a 29 February.
    static func isLeapYear(_ year: Int) -> Bool {
        year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
    }

    /// The number of days in `month` of `year`.
    static func daysInMonth(year: Int, month: Int) -> Int {
        switch month {
        case 2: Self.isLeapYear(year) ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    /// The day of the week of the day `days` days after 1970-01-01 (a Thursday), 0 being Sunday.
    static func weekday(daysSinceEpoch days: Int) -> Int {
        let weekday = (days + 4) % 7
        return weekday < 0 ? weekday + 7 : weekday
    }

    static func < (lhs: CivilDate, rhs: CivilDate) -> Bool {
        (lhs.year, lhs.month, lhs.day) < (rhs.year, rhs.month, rhs.day)
    }
}
