import Foundation

/// The first run the service must compute for the fixtures' cron expressions, worked out by hand
/// (derived here from the expressions' meaning, not taken from Fineract's tests).
///
/// Both fixture schedules fire once a day at a fixed wall time in Africa/Nairobi, which keeps UTC+3
/// all year (East Africa Time has no daylight saving), so each fire is a fixed time of the UTC day:
/// - `0 0 1 * * ?` (Quartz: second 0, minute 0, hour 1, every day, any weekday) fires at 01:00:00
///   in Nairobi, which is 22:00:00Z of the day before;
/// - `0 1 0 1/1 * ? *` (second 0, minute 1, hour 0, every day counted from the 1st, any weekday,
///   any year) fires at 00:01:00 in Nairobi, which is 21:01:00Z of the day before.
enum FixtureFireTimes {
    /// Local wall time of day, as seconds after midnight, per cron expression.
    private static let localSecondOfDay: [String: Int] = [
        "0 0 1 * * ?": 1 * 3_600,
        "0 1 0 1/1 * ? *": 1 * 60,
    ]
    /// Offset from UTC in seconds, per time zone.
    private static let utcOffset: [String: Int] = ["Africa/Nairobi": 3 * 3_600]

    /// The first fire strictly after some instant of `window`: the service computes it from its own
    /// clock at a moment between sending and answering, so a window that spans a fire allows two.
    ///
    /// - Returns: nil when the expression or zone is not one of the fixtures' (the caller fails then).
    static func firstRun(cron: String, timeZone: String, computedWithin window: ClosedRange<Date>) -> Set<Date>? {
        guard let local = self.localSecondOfDay[cron], let offset = self.utcOffset[timeZone] else { return nil }
        let fireSecondOfUTCDay = (local - offset + 86_400) % 86_400
        return [window.lowerBound, window.upperBound].reduce(into: Set<Date>()) { fires, instant in
            let seconds = instant.timeIntervalSince1970
            var fire = (seconds / 86_400).rounded(.down) * 86_400 + Double(fireSecondOfUTCDay)
            if fire <= seconds {
                fire += 86_400
            }
            fires.insert(Date(timeIntervalSince1970: fire))
        }
    }

    /// `fire` as the service writes it in `createJob`'s answer: Nairobi wall time and its offset, to the
    /// second (`2024-05-02T01:00:00+03:00`).
    static func nairobiText(_ fire: Date) -> String {
        let wall = fire.addingTimeInterval(3 * 3_600)
        var style = Date.ISO8601FormatStyle()
        style.timeZone = TimeZone(identifier: "UTC")!
        // Formatting the shifted instant in UTC gives the Nairobi wall clock followed by "Z".
        return String(wall.formatted(style).dropLast()) + "+03:00"
    }
}
