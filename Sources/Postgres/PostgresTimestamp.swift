import Foundation

/// Converts between `Date` and PostgreSQL's `timestamptz` text, which connections produce as
/// `2024-05-01 10:00:00.123456+00` because every session runs with `TimeZone=UTC` and `DateStyle=ISO`.
enum PostgresTimestamp {
    /// Formats an instant as `2024-05-01T10:00:00.123456Z`.
    static func format(_ date: Date) -> String {
        let seconds = date.timeIntervalSince1970
        var whole = seconds.rounded(.down)
        var micros = Int(((seconds - whole) * 1_000_000).rounded())
        if micros >= 1_000_000 {
            whole += 1
            micros -= 1_000_000
        }
        let totalSeconds = Int(whole)
        let (days, secondOfDay) = totalSeconds.floorDivided(by: 86_400)
        let (year, month, day) = CivilCalendar.date(fromDaysSinceEpoch: days)
        return String(
            format: "%04d-%02d-%02dT%02d:%02d:%02d.%06dZ",
            year,
            month,
            day,
            secondOfDay / 3600,
            secondOfDay % 3600 / 60,
            secondOfDay % 60,
            micros
        )
    }

    /// Parses `timestamptz` or `timestamp` output: `YYYY-MM-DD HH:MM:SS[.ffffff][+HH[:MM]]`.
    ///
    /// A value without an offset is read as UTC. Returns nil for text of any other shape, and for
    /// `infinity`, which no Swift `Date` can represent faithfully.
    static func parse(_ text: String) -> Date? {
        let bytes = Array(text.utf8)
        guard bytes.count >= 19 else { return nil }
        func number(_ start: Int, _ length: Int) -> Int? {
            var value = 0
            for index in start..<(start + length) {
                let byte = bytes[index]
                guard byte >= 48, byte <= 57 else { return nil }
                value = value * 10 + Int(byte - 48)
            }
            return value
        }
        guard
            let year = number(0, 4), bytes[4] == 45,
            let month = number(5, 2), bytes[7] == 45,
            let day = number(8, 2), bytes[10] == 32 || bytes[10] == 84,
            let hour = number(11, 2), bytes[13] == 58,
            let minute = number(14, 2), bytes[16] == 58,
            let second = number(17, 2)
        else { return nil }
        var index = 19
        var fraction = 0.0
        if index < bytes.count, bytes[index] == 46 {
            index += 1
            var scale = 0.1
            while index < bytes.count, bytes[index] >= 48, bytes[index] <= 57 {
                fraction += Double(bytes[index] - 48) * scale
                scale /= 10
                index += 1
            }
        }
        var offsetSeconds = 0
        if index < bytes.count {
            let sign: Int
            switch bytes[index] {
            case 43: sign = 1
            case 45: sign = -1
            case 90: sign = 0
            default: return nil
            }
            index += 1
            if sign != 0 {
                guard index + 2 <= bytes.count, let hours = number(index, 2) else { return nil }
                index += 2
                var minutes = 0
                if index < bytes.count, bytes[index] == 58 { index += 1 }
                if index + 2 <= bytes.count, let parsed = number(index, 2) {
                    minutes = parsed
                    index += 2
                }
                offsetSeconds = sign * (hours * 3600 + minutes * 60)
            }
        }
        guard (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second < 61 else { return nil }
        let days = CivilCalendar.daysSinceEpoch(year: year, month: month, day: day)
        let seconds = days * 86_400 + hour * 3600 + minute * 60 + second - offsetSeconds
        return Date(timeIntervalSince1970: Double(seconds) + fraction)
    }
}

/// Proleptic Gregorian date arithmetic on day counts since 1970-01-01, without `Calendar`, which is
/// far slower and only needed where time zones are involved.
enum CivilCalendar {
    /// The number of days from 1970-01-01 to the given date (negative before it).
    static func daysSinceEpoch(year: Int, month: Int, day: Int) -> Int {
        // Count years from March so that the leap day falls at the end of the counted year.
        let shiftedYear = month <= 2 ? year - 1 : year
        let era = (shiftedYear >= 0 ? shiftedYear : shiftedYear - 399) / 400
        let yearOfEra = shiftedYear - era * 400
        let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    /// The calendar date `days` after 1970-01-01.
    static func date(fromDaysSinceEpoch days: Int) -> (year: Int, month: Int, day: Int) {
        let shifted = days + 719_468
        let era = (shifted >= 0 ? shifted : shifted - 146_096) / 146_097
        let dayOfEra = shifted - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
        let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        return (year, month, day)
    }
}

extension Int {
    /// Division rounding towards negative infinity, with a non-negative remainder.
    fileprivate func floorDivided(by divisor: Int) -> (quotient: Int, remainder: Int) {
        let quotient = self >= 0 ? self / divisor : (self - divisor + 1) / divisor
        return (quotient, self - quotient * divisor)
    }
}
