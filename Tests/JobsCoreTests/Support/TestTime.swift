import Foundation
import JobsCore
import Testing

/// Helpers for writing instants in tests as ISO 8601 text with an explicit offset.
enum TestTime {
    /// Parses text such as `2026-03-29T03:00:00+02:00`; a malformed literal is a mistake in the test.
    static func date(_ text: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> Date {
        do {
            return try Date(text, strategy: .iso8601)
        } catch {
            Issue.record("not an ISO 8601 instant: \(text)", sourceLocation: sourceLocation)
            throw error
        }
    }

    /// Looks up an IANA zone that the test relies on.
    static func zone(_ identifier: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> TimeZone {
        try #require(TimeZone(identifier: identifier), "unknown zone \(identifier)", sourceLocation: sourceLocation)
    }

    /// Formats instants the way expectations are written.
    static func format(_ dates: some Sequence<Date>, in timeZone: TimeZone) -> [String] {
        dates.map { FireTimeFormatter.formatISO8601($0, in: timeZone) }
    }
}
