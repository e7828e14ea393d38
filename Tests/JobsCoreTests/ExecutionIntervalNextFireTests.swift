import Foundation
import JobsCore
import Testing

/// Predefined intervals: anchored without drift, by elapsed time or by calendar, across daylight-saving changes.
@Suite struct ExecutionIntervalNextFireTests {
    struct IntervalCase: Sendable, CustomTestStringConvertible {
        let interval: ExecutionInterval
        let zone: String
        let anchor: String
        let start: String
        let expected: [String]

        init(
            _ interval: ExecutionInterval,
            in zone: String = "UTC",
            anchor: String,
            after start: String,
            _ expected: [String]
        ) {
            self.interval = interval
            self.zone = zone
            self.anchor = anchor
            self.start = start
            self.expected = expected
        }

        var testDescription: String {
            "\(self.interval.rawValue) from \(self.anchor) in \(self.zone) after \(self.start)"
        }
    }

    static let elapsed: [IntervalCase] = [
        IntervalCase(
            .everyMinute,
            anchor: "2026-01-01T10:00:30Z",
            after: "2026-01-01T10:05:00Z",
            [
                "2026-01-01T10:05:30+00:00", "2026-01-01T10:06:30+00:00",
            ]
        ),
        IntervalCase(
            .everyMinute,
            anchor: "2026-01-01T10:00:30Z",
            after: "2026-01-01T10:05:30Z",
            [
                "2026-01-01T10:06:30+00:00"
            ]
        ),
        IntervalCase(
            .everyMinute,
            anchor: "2000-01-01T00:00:17Z",
            after: "2026-06-30T12:34:56Z",
            [
                "2026-06-30T12:35:17+00:00", "2026-06-30T12:36:17+00:00",
            ]
        ),
        IntervalCase(
            .hourly,
            in: "Europe/Berlin",
            anchor: "2026-03-28T00:30:00+01:00",
            after: "2026-03-29T00:00:00+01:00",
            [
                "2026-03-29T00:30:00+01:00", "2026-03-29T01:30:00+01:00", "2026-03-29T03:30:00+02:00",
            ]
        ),
        IntervalCase(
            .hourly,
            in: "Europe/Berlin",
            anchor: "2026-10-25T01:30:00+02:00",
            after: "2026-10-25T01:30:00+02:00",
            [
                "2026-10-25T02:30:00+02:00", "2026-10-25T02:30:00+01:00", "2026-10-25T03:30:00+01:00",
            ]
        ),
    ]

    static let calendar: [IntervalCase] = [
        // 02:30 does not exist on 29 March in Berlin: that run moves to 03:00, the next one is back at 02:30.
        IntervalCase(
            .daily,
            in: "Europe/Berlin",
            anchor: "2026-03-27T02:30:00+01:00",
            after: "2026-03-27T00:00:00+01:00",
            [
                "2026-03-27T02:30:00+01:00", "2026-03-28T02:30:00+01:00", "2026-03-29T03:00:00+02:00",
                "2026-03-30T02:30:00+02:00",
            ]
        ),
        // 02:30 occurs twice on 25 October: the first one runs.
        IntervalCase(
            .daily,
            in: "Europe/Berlin",
            anchor: "2026-10-24T02:30:00+02:00",
            after: "2026-10-24T02:30:00+02:00",
            [
                "2026-10-25T02:30:00+02:00", "2026-10-26T02:30:00+01:00",
            ]
        ),
        IntervalCase(
            .daily,
            in: "America/New_York",
            anchor: "2026-03-01T02:30:00-05:00",
            after: "2026-03-07T12:00:00-05:00",
            [
                "2026-03-08T03:00:00-04:00", "2026-03-09T02:30:00-04:00",
            ]
        ),
        IntervalCase(
            .daily,
            in: "Australia/Sydney",
            anchor: "2026-04-01T02:30:00+11:00",
            after: "2026-04-04T12:00:00+11:00",
            [
                "2026-04-05T02:30:00+11:00", "2026-04-06T02:30:00+10:00",
            ]
        ),
        IntervalCase(
            .weekly,
            in: "Europe/Berlin",
            anchor: "2026-03-23T02:30:00+01:00",
            after: "2026-03-23T02:30:00+01:00",
            [
                "2026-03-30T02:30:00+02:00", "2026-04-06T02:30:00+02:00",
            ]
        ),
        IntervalCase(
            .monthly,
            anchor: "2026-01-31T09:00:00Z",
            after: "2026-01-31T09:00:00Z",
            [
                "2026-02-28T09:00:00+00:00", "2026-03-31T09:00:00+00:00", "2026-04-30T09:00:00+00:00",
                "2026-05-31T09:00:00+00:00",
            ]
        ),
        IntervalCase(
            .monthly,
            anchor: "2026-01-31T09:00:00Z",
            after: "2028-01-31T09:00:00Z",
            [
                "2028-02-29T09:00:00+00:00", "2028-03-31T09:00:00+00:00",
            ]
        ),
        IntervalCase(
            .quarterly,
            anchor: "2026-01-31T09:00:00Z",
            after: "2026-01-31T09:00:00Z",
            [
                "2026-04-30T09:00:00+00:00", "2026-07-31T09:00:00+00:00", "2026-10-31T09:00:00+00:00",
                "2027-01-31T09:00:00+00:00",
            ]
        ),
        IntervalCase(
            .quarterly,
            anchor: "2026-11-30T09:00:00Z",
            after: "2026-12-01T00:00:00Z",
            [
                "2027-02-28T09:00:00+00:00", "2027-05-30T09:00:00+00:00",
            ]
        ),
        IntervalCase(
            .yearly,
            anchor: "2028-02-29T12:00:00Z",
            after: "2028-02-29T12:00:00Z",
            [
                "2029-02-28T12:00:00+00:00", "2030-02-28T12:00:00+00:00", "2031-02-28T12:00:00+00:00",
                "2032-02-29T12:00:00+00:00",
            ]
        ),
        IntervalCase(
            .monthly,
            in: "Europe/Berlin",
            anchor: "2026-01-29T02:30:00+01:00",
            after: "2026-02-28T00:00:00+01:00",
            [
                "2026-02-28T02:30:00+01:00", "2026-03-29T03:00:00+02:00", "2026-04-29T02:30:00+02:00",
            ]
        ),
    ]

    @Test(arguments: Self.elapsed)
    func elapsedIntervalsStepByRealTimeFromTheAnchor(_ row: IntervalCase) throws {
        try self.verify(row)
    }

    @Test(arguments: Self.calendar)
    func calendarIntervalsKeepTheAnchorsWallTime(_ row: IntervalCase) throws {
        try self.verify(row)
    }

    @Test func onceRunsOnlyAtTheAnchor() throws {
        let anchor = try TestTime.date("2026-05-01T08:00:00Z")
        let before = anchor.addingTimeInterval(-1)
        #expect(ExecutionInterval.once.nextFireTime(after: before, anchor: anchor, in: .gmt) == anchor)
        #expect(ExecutionInterval.once.nextFireTime(after: anchor, anchor: anchor, in: .gmt) == nil)
        let later = anchor.addingTimeInterval(60)
        #expect(ExecutionInterval.once.nextFireTime(after: later, anchor: anchor, in: .gmt) == nil)
    }

    @Test(arguments: [ExecutionInterval.everyMinute, .hourly])
    func elapsedRunsAreExactMultiplesOfTheInterval(_ interval: ExecutionInterval) throws {
        let anchor = try TestTime.date("2026-01-01T00:00:00.25Z")
        let seconds: Double = interval == .everyMinute ? 60 : 3_600
        var last = anchor
        for index in 1...2_000 {
            let next = try #require(interval.nextFireTime(after: last, anchor: anchor, in: .gmt))
            #expect(next == anchor.addingTimeInterval(Double(index) * seconds))
            last = next
        }
    }

    @Test func calendarRunsAreComputedFromTheAnchorNotChained() throws {
        let zone = try TestTime.zone("Europe/Berlin")
        let anchor = try TestTime.date("2026-01-31T02:30:00+01:00")
        let schedule = Schedule.interval(.monthly, anchor: anchor, zone)
        let runs = TestTime.format(schedule.fireTimes(after: anchor, limit: 13), in: zone)
        // After 28 February, March is back on the 31st; the 29 March gap does not touch the 31st.
        let firstRuns = ["2026-02-28T02:30:00+01:00", "2026-03-31T02:30:00+02:00", "2026-04-30T02:30:00+02:00"]
        #expect(Array(runs.prefix(3)) == firstRuns)
        #expect(runs.last == "2027-02-28T02:30:00+01:00")
    }

    private func verify(_ row: IntervalCase, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let zone = try TestTime.zone(row.zone, sourceLocation: sourceLocation)
        let anchor = try TestTime.date(row.anchor, sourceLocation: sourceLocation)
        let start = try TestTime.date(row.start, sourceLocation: sourceLocation)
        let schedule = Schedule.interval(row.interval, anchor: anchor, zone)
        let runs = schedule.fireTimes(after: start, limit: row.expected.count)
        #expect(TestTime.format(runs, in: zone) == row.expected, sourceLocation: sourceLocation)
    }
}
