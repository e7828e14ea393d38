/// A calendar date with no time and no zone: a business date, a due date, a posting date.
///
/// Fineract's dates are Java `LocalDate`s; the arithmetic here (days between, month ends, adding
/// months with the day clamped to the month's length) follows `java.time`. Dates are stored as a
/// day number since 1970-01-01, so comparing and counting days are integer operations.
public struct LocalDate: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// Days since 1970-01-01 in the proleptic Gregorian calendar.
    public let dayNumber: Int

    public init(dayNumber: Int) {
        self.dayNumber = dayNumber
    }

    public init(year: Int, month: Int, day: Int) {
        precondition((1...12).contains(month), "month \(month) is not between 1 and 12")
        precondition(
            (1...LocalDate.length(ofMonth: month, year: year)).contains(day),
            "\(year)-\(month) has no day \(day)"
        )
        self.dayNumber = LocalDate.dayNumber(year: year, month: month, day: day)
    }

    /// Parses `yyyy-MM-dd`; nil when the text is not such a date.
    public init?(_ text: some StringProtocol) {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
            let year = Int(parts[0]), let month = Int(parts[1]), let day = Int(parts[2]),
            (1...12).contains(month), (1...LocalDate.length(ofMonth: month, year: year)).contains(day)
        else { return nil }
        self.init(year: year, month: month, day: day)
    }

    public var year: Int { self.components.year }
    public var month: Int { self.components.month }
    public var day: Int { self.components.day }

    public var components: (year: Int, month: Int, day: Int) {
        // The inverse of `dayNumber(year:month:day:)`, counting in 400-year eras from 0000-03-01.
        let shifted = self.dayNumber + 719_468
        let era = (shifted >= 0 ? shifted : shifted - 146_096) / 146_097
        let dayOfEra = shifted - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
        let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        return (year, month, day)
    }

    public var description: String {
        let (year, month, day) = self.components
        let yearText = String(year)
        let paddedYear = String(repeating: "0", count: max(0, 4 - yearText.count)) + yearText
        return "\(paddedYear)-\(month < 10 ? "0" : "")\(month)-\(day < 10 ? "0" : "")\(day)"
    }

    /// This date moved by `days` (negative goes back).
    public func adding(days: Int) -> LocalDate {
        LocalDate(dayNumber: self.dayNumber + days)
    }

    /// This date moved by `months`, the day clamped to the target month's length, as
    /// `LocalDate.plusMonths` does (Jan 31 + 1 month = Feb 28 or 29).
    public func adding(months: Int) -> LocalDate {
        let (year, month, day) = self.components
        let monthIndex = year * 12 + (month - 1) + months
        let targetYear = monthIndex >= 0 ? monthIndex / 12 : (monthIndex - 11) / 12
        let targetMonth = monthIndex - targetYear * 12 + 1
        let targetDay = min(day, LocalDate.length(ofMonth: targetMonth, year: targetYear))
        return LocalDate(year: targetYear, month: targetMonth, day: targetDay)
    }

    /// Whole days from this date to `other`, like `ChronoUnit.DAYS.between(self, other)`.
    public func days(to other: LocalDate) -> Int {
        other.dayNumber - self.dayNumber
    }

    /// The first day of this date's month.
    public var startOfMonth: LocalDate {
        let (year, month, _) = self.components
        return LocalDate(year: year, month: month, day: 1)
    }

    /// The last day of this date's month.
    public var endOfMonth: LocalDate {
        let (year, month, _) = self.components
        return LocalDate(year: year, month: month, day: LocalDate.length(ofMonth: month, year: year))
    }

    public var lengthOfMonth: Int {
        let (year, month, _) = self.components
        return LocalDate.length(ofMonth: month, year: year)
    }

    public var isLeapYear: Bool {
        LocalDate.isLeap(self.year)
    }

    public static func < (lhs: LocalDate, rhs: LocalDate) -> Bool {
        lhs.dayNumber < rhs.dayNumber
    }

    public static func isLeap(_ year: Int) -> Bool {
        (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
    }

    public static func length(ofMonth month: Int, year: Int) -> Int {
        switch month {
        case 2: return LocalDate.isLeap(year) ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    private static func dayNumber(year: Int, month: Int, day: Int) -> Int {
        // Days from civil, counting years from March so the leap day ends the year.
        let adjustedYear = month <= 2 ? year - 1 : year
        let era = (adjustedYear >= 0 ? adjustedYear : adjustedYear - 399) / 400
        let yearOfEra = adjustedYear - era * 400
        let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }
}

extension LocalDate: Strideable {
    public func distance(to other: LocalDate) -> Int {
        self.days(to: other)
    }

    public func advanced(by days: Int) -> LocalDate {
        self.adding(days: days)
    }
}
