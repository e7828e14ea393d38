public import Foundation

/// Reads ISO-8601 instants in the shapes clients and Hasura send: with or without fractional
/// seconds, with `Z` or a `+hh:mm` offset.
public enum ISO8601Parsing {
    public static func date(from text: String) -> Date? {
        if let date = try? Date.ISO8601FormatStyle(includingFractionalSeconds: true).parse(text) {
            return date
        }
        return try? Date.ISO8601FormatStyle().parse(text)
    }

    /// Formats an instant in UTC with milliseconds: `2026-01-31T02:00:00.000Z`.
    public static func string(from date: Date) -> String {
        date.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true))
    }
}
