public import Foundation

/// Formats fire times as ISO 8601 text for people and logs, such as `2026-03-29T03:00:00+02:00`.
///
/// The output does not depend on the process locale or calendar settings: it is always the Gregorian
/// wall time in the given zone, to the second (fractions are dropped), followed by the UTC offset with a
/// colon. UTC is written `+00:00`, never `Z`. An offset with a seconds part, which only occurs in
/// historical local mean time, is written `+HH:MM:SS` so that the text still names the exact instant.
public enum FireTimeFormatter {
    /// Formats `date` as the wall time in `timeZone` with its UTC offset.
    ///
    /// - Parameters:
    ///   - date: The instant to format; fractional seconds are dropped.
    ///   - timeZone: The zone whose wall clock and offset are written.
    /// - Returns: Text such as `2026-10-25T02:30:00+01:00`.
    public static func formatISO8601(_ date: Date, in timeZone: TimeZone) -> String {
        let instant = Int(date.timeIntervalSince1970.rounded(.down))
        let offset = timeZone.offsetSeconds(at: instant)
        let wall = WallTime(wallSeconds: instant + offset)
        let year = wall.date.year < 0 ? "-" + Self.padded(-wall.date.year, to: 4) : Self.padded(wall.date.year, to: 4)
        var text = year + "-" + Self.padded(wall.date.month) + "-" + Self.padded(wall.date.day)
        text += "T" + Self.padded(wall.hour) + ":" + Self.padded(wall.minute) + ":" + Self.padded(wall.second)
        let magnitude = abs(offset)
        text += (offset < 0 ? "-" : "+") + Self.padded(magnitude / 3_600) + ":" + Self.padded(magnitude / 60 % 60)
        if magnitude % 60 != 0 {
            text += ":" + Self.padded(magnitude % 60)
        }
        return text
    }

    private static func padded(_ value: Int, to width: Int = 2) -> String {
        let digits = String(value)
        return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }
}
