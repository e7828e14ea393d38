import JobsCore
import Testing

/// Daylight-saving changes: fixed hours move out of gaps and fire once in overlaps; other hours follow real time.
///
/// Berlin moves 02:00 to 03:00 on 29 March 2026 and 03:00 back to 02:00 on 25 October. New York moves
/// 02:00 to 03:00 on 8 March and 02:00 back to 01:00 on 1 November. Sydney moves 03:00 back to 02:00 on
/// 5 April and 02:00 to 03:00 on 4 October. Lord Howe moves by half an hour on the same days as Sydney.
@Suite struct CronExpressionDaylightSavingTests {
    static let berlin: [FireTimeCase] = [
        FireTimeCase(
            "30 2 * * *",
            in: "Europe/Berlin",
            after: "2026-03-28T00:00:00+01:00",
            [
                "2026-03-28T02:30:00+01:00", "2026-03-29T03:00:00+02:00", "2026-03-30T02:30:00+02:00",
            ]
        ),
        FireTimeCase(
            "30 2 * * *",
            in: "Europe/Berlin",
            after: "2026-10-24T00:00:00+02:00",
            [
                "2026-10-24T02:30:00+02:00", "2026-10-25T02:30:00+02:00", "2026-10-26T02:30:00+01:00",
            ]
        ),
        FireTimeCase(
            "0 30 2 * * ?",
            in: "Europe/Berlin",
            after: "2026-03-29T00:00:00+01:00",
            [
                "2026-03-29T03:00:00+02:00", "2026-03-30T02:30:00+02:00",
            ]
        ),
        FireTimeCase(
            "0 * * * *",
            in: "Europe/Berlin",
            after: "2026-03-29T00:30:00+01:00",
            [
                "2026-03-29T01:00:00+01:00", "2026-03-29T03:00:00+02:00", "2026-03-29T04:00:00+02:00",
            ]
        ),
        FireTimeCase(
            "0 * * * *",
            in: "Europe/Berlin",
            after: "2026-10-25T01:30:00+02:00",
            [
                "2026-10-25T02:00:00+02:00", "2026-10-25T02:00:00+01:00", "2026-10-25T03:00:00+01:00",
            ]
        ),
        FireTimeCase(
            "*/30 * * * *",
            in: "Europe/Berlin",
            after: "2026-03-29T01:00:00+01:00",
            [
                "2026-03-29T01:30:00+01:00", "2026-03-29T03:00:00+02:00", "2026-03-29T03:30:00+02:00",
            ]
        ),
        FireTimeCase(
            "*/30 * * * *",
            in: "Europe/Berlin",
            after: "2026-10-25T01:45:00+02:00",
            [
                "2026-10-25T02:00:00+02:00", "2026-10-25T02:30:00+02:00", "2026-10-25T02:00:00+01:00",
                "2026-10-25T02:30:00+01:00", "2026-10-25T03:00:00+01:00",
            ]
        ),
        // Several wall times in the gap still fire only once, when the gap ends.
        FireTimeCase(
            "*/30 2 * * *",
            in: "Europe/Berlin",
            after: "2026-03-29T00:00:00+01:00",
            [
                "2026-03-29T03:00:00+02:00", "2026-03-30T02:00:00+02:00", "2026-03-30T02:30:00+02:00",
            ]
        ),
        FireTimeCase(
            "*/30 2 * * *",
            in: "Europe/Berlin",
            after: "2026-10-25T00:00:00+02:00",
            [
                "2026-10-25T02:00:00+02:00", "2026-10-25T02:30:00+02:00", "2026-10-26T02:00:00+01:00",
            ]
        ),
        // Stepped hours are interval-like: the skipped 02:00 does not fire, the repeated 02:00 fires twice.
        FireTimeCase(
            "0 */2 * * *",
            in: "Europe/Berlin",
            after: "2026-03-29T00:30:00+01:00",
            [
                "2026-03-29T04:00:00+02:00", "2026-03-29T06:00:00+02:00",
            ]
        ),
        FireTimeCase(
            "0 0 0/2 * * ?",
            in: "Europe/Berlin",
            after: "2026-10-25T01:30:00+02:00",
            [
                "2026-10-25T02:00:00+02:00", "2026-10-25T02:00:00+01:00", "2026-10-25T04:00:00+01:00",
            ]
        ),
        // An explicit range of hours is fixed, even when it covers the whole day.
        FireTimeCase(
            "0 0-23 * * *",
            in: "Europe/Berlin",
            after: "2026-03-29T00:30:00+01:00",
            [
                "2026-03-29T01:00:00+01:00", "2026-03-29T03:00:00+02:00", "2026-03-29T04:00:00+02:00",
            ]
        ),
        FireTimeCase(
            "0 0-23 * * *",
            in: "Europe/Berlin",
            after: "2026-10-25T01:30:00+02:00",
            [
                "2026-10-25T02:00:00+02:00", "2026-10-25T03:00:00+01:00",
            ]
        ),
        // Starting inside the repeated hour, a fixed-hour job waits for wall times not yet shown.
        FireTimeCase(
            "*/30 2,3 * * *",
            in: "Europe/Berlin",
            after: "2026-10-25T02:10:00+01:00",
            [
                "2026-10-25T03:00:00+01:00", "2026-10-25T03:30:00+01:00",
            ]
        ),
    ]

    static let newYork: [FireTimeCase] = [
        FireTimeCase(
            "30 2 * * *",
            in: "America/New_York",
            after: "2026-03-07T12:00:00-05:00",
            [
                "2026-03-08T03:00:00-04:00", "2026-03-09T02:30:00-04:00",
            ]
        ),
        FireTimeCase(
            "30 2 * * *",
            in: "America/New_York",
            after: "2026-10-31T12:00:00-04:00",
            [
                "2026-11-01T02:30:00-05:00", "2026-11-02T02:30:00-05:00",
            ]
        ),
        FireTimeCase(
            "30 1 * * *",
            in: "America/New_York",
            after: "2026-10-31T12:00:00-04:00",
            [
                "2026-11-01T01:30:00-04:00", "2026-11-02T01:30:00-05:00",
            ]
        ),
        FireTimeCase(
            "0 * * * *",
            in: "America/New_York",
            after: "2026-03-08T00:30:00-05:00",
            [
                "2026-03-08T01:00:00-05:00", "2026-03-08T03:00:00-04:00", "2026-03-08T04:00:00-04:00",
            ]
        ),
        FireTimeCase(
            "0 * * * *",
            in: "America/New_York",
            after: "2026-11-01T00:30:00-04:00",
            [
                "2026-11-01T01:00:00-04:00", "2026-11-01T01:00:00-05:00", "2026-11-01T02:00:00-05:00",
            ]
        ),
        FireTimeCase(
            "*/30 * * * *",
            in: "America/New_York",
            after: "2026-03-08T01:00:00-05:00",
            [
                "2026-03-08T01:30:00-05:00", "2026-03-08T03:00:00-04:00", "2026-03-08T03:30:00-04:00",
            ]
        ),
        FireTimeCase(
            "*/30 * * * *",
            in: "America/New_York",
            after: "2026-11-01T00:45:00-04:00",
            [
                "2026-11-01T01:00:00-04:00", "2026-11-01T01:30:00-04:00", "2026-11-01T01:00:00-05:00",
                "2026-11-01T01:30:00-05:00", "2026-11-01T02:00:00-05:00",
            ]
        ),
    ]

    static let sydney: [FireTimeCase] = [
        FireTimeCase(
            "30 2 * * *",
            in: "Australia/Sydney",
            after: "2026-10-03T12:00:00+10:00",
            [
                "2026-10-04T03:00:00+11:00", "2026-10-05T02:30:00+11:00",
            ]
        ),
        FireTimeCase(
            "30 2 * * *",
            in: "Australia/Sydney",
            after: "2026-04-04T12:00:00+11:00",
            [
                "2026-04-05T02:30:00+11:00", "2026-04-06T02:30:00+10:00",
            ]
        ),
        FireTimeCase(
            "0 * * * *",
            in: "Australia/Sydney",
            after: "2026-10-04T00:30:00+10:00",
            [
                "2026-10-04T01:00:00+10:00", "2026-10-04T03:00:00+11:00", "2026-10-04T04:00:00+11:00",
            ]
        ),
        FireTimeCase(
            "0 * * * *",
            in: "Australia/Sydney",
            after: "2026-04-05T01:30:00+11:00",
            [
                "2026-04-05T02:00:00+11:00", "2026-04-05T02:00:00+10:00", "2026-04-05T03:00:00+10:00",
            ]
        ),
        FireTimeCase(
            "*/30 * * * *",
            in: "Australia/Sydney",
            after: "2026-10-04T01:00:00+10:00",
            [
                "2026-10-04T01:30:00+10:00", "2026-10-04T03:00:00+11:00", "2026-10-04T03:30:00+11:00",
            ]
        ),
        FireTimeCase(
            "*/30 * * * *",
            in: "Australia/Sydney",
            after: "2026-04-05T01:45:00+11:00",
            [
                "2026-04-05T02:00:00+11:00", "2026-04-05T02:30:00+11:00", "2026-04-05T02:00:00+10:00",
                "2026-04-05T02:30:00+10:00", "2026-04-05T03:00:00+10:00",
            ]
        ),
    ]

    static let otherZones: [FireTimeCase] = [
        // Lord Howe moves by 30 minutes: 02:00 to 02:30 in October, 02:00 back to 01:30 in April.
        FireTimeCase(
            "15 2 * * *",
            in: "Australia/Lord_Howe",
            after: "2026-10-03T12:00:00+10:30",
            [
                "2026-10-04T02:30:00+11:00", "2026-10-05T02:15:00+11:00",
            ]
        ),
        FireTimeCase(
            "45 1 * * *",
            in: "Australia/Lord_Howe",
            after: "2026-04-04T12:00:00+11:00",
            [
                "2026-04-05T01:45:00+11:00", "2026-04-06T01:45:00+10:30",
            ]
        ),
        FireTimeCase(
            "*/15 * * * *",
            in: "Australia/Lord_Howe",
            after: "2026-04-05T01:20:00+11:00",
            [
                "2026-04-05T01:30:00+11:00", "2026-04-05T01:45:00+11:00", "2026-04-05T01:30:00+10:30",
                "2026-04-05T01:45:00+10:30", "2026-04-05T02:00:00+10:30",
            ]
        ),
        FireTimeCase(
            "0 * * * *",
            in: "Australia/Lord_Howe",
            after: "2026-10-04T00:30:00+10:30",
            [
                "2026-10-04T01:00:00+10:30", "2026-10-04T03:00:00+11:00",
            ]
        ),
        // Havana moves midnight to 01:00 in March and repeats the midnight hour in November.
        FireTimeCase(
            "@daily",
            in: "America/Havana",
            after: "2026-03-07T12:00:00-05:00",
            [
                "2026-03-08T01:00:00-04:00", "2026-03-09T00:00:00-04:00",
            ]
        ),
        FireTimeCase(
            "@daily",
            in: "America/Havana",
            after: "2026-10-31T12:00:00-04:00",
            [
                "2026-11-01T00:00:00-04:00", "2026-11-02T00:00:00-05:00",
            ]
        ),
        FireTimeCase(
            "30 2 * * *",
            in: "Asia/Kolkata",
            after: "2026-03-29T00:00:00+05:30",
            [
                "2026-03-29T02:30:00+05:30", "2026-03-30T02:30:00+05:30",
            ]
        ),
    ]

    @Test(arguments: Self.berlin)
    func europeBerlin(_ row: FireTimeCase) throws {
        try row.verify()
    }

    @Test(arguments: Self.newYork)
    func americaNewYork(_ row: FireTimeCase) throws {
        try row.verify()
    }

    @Test(arguments: Self.sydney)
    func australiaSydney(_ row: FireTimeCase) throws {
        try row.verify()
    }

    @Test(arguments: Self.otherZones)
    func halfHourAndMidnightChanges(_ row: FireTimeCase) throws {
        try row.verify()
    }
}
