import Foundation
import JobsCore
import Testing

/// ISO 8601 text for fire times: wall time in the zone plus the offset, with a colon and never `Z`.
@Suite struct FireTimeFormatterTests {
    @Test(arguments: [
        ("2026-03-29T01:00:00Z", "Europe/Berlin", "2026-03-29T03:00:00+02:00"),
        ("2026-03-29T00:59:59Z", "Europe/Berlin", "2026-03-29T01:59:59+01:00"),
        ("2026-01-01T00:00:00Z", "UTC", "2026-01-01T00:00:00+00:00"),
        ("2026-07-04T16:00:00Z", "America/New_York", "2026-07-04T12:00:00-04:00"),
        ("2026-01-01T00:00:00Z", "Asia/Kolkata", "2026-01-01T05:30:00+05:30"),
        ("2026-01-01T00:00:00Z", "America/St_Johns", "2025-12-31T20:30:00-03:30"),
        ("2026-01-01T00:00:00Z", "Australia/Lord_Howe", "2026-01-01T11:00:00+11:00"),
        ("1969-12-31T23:59:59Z", "UTC", "1969-12-31T23:59:59+00:00"),
        ("2026-05-05T10:20:30.999Z", "UTC", "2026-05-05T10:20:30+00:00"),
    ])
    func formatsWallTimeAndOffset(instant: String, zone: String, expected: String) throws {
        let text = FireTimeFormatter.formatISO8601(try TestTime.date(instant), in: try TestTime.zone(zone))
        #expect(text == expected)
    }

    @Test func formattedTextParsesBackToTheSameInstant() throws {
        let zone = try TestTime.zone("Australia/Sydney")
        var instant = try TestTime.date("2026-04-05T00:00:00+11:00")
        for _ in 0..<48 {
            let text = FireTimeFormatter.formatISO8601(instant, in: zone)
            #expect(try TestTime.date(text) == instant)
            instant.addTimeInterval(1_800)
        }
    }
}
