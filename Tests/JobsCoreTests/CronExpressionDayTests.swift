import JobsCore
import Testing

/// The day fields: Quartz's special items, the rule that combines the two day fields, and leap days.
@Suite struct CronExpressionDayTests {
    static let lastDays: [FireTimeCase] = [
        FireTimeCase(
            "0 0 12 L * ?",
            after: "2026-01-01T00:00:00Z",
            [
                "2026-01-31T12:00:00+00:00", "2026-02-28T12:00:00+00:00", "2026-03-31T12:00:00+00:00",
            ]
        ),
        FireTimeCase(
            "0 12 L * *",
            after: "2028-02-01T00:00:00Z",
            [
                "2028-02-29T12:00:00+00:00", "2028-03-31T12:00:00+00:00", "2028-04-30T12:00:00+00:00",
            ]
        ),
        FireTimeCase(
            "0 0 12 L-3 * ?",
            after: "2026-01-01T00:00:00Z",
            [
                "2026-01-28T12:00:00+00:00", "2026-02-25T12:00:00+00:00", "2026-03-28T12:00:00+00:00",
            ]
        ),
        FireTimeCase(
            "0 0 12 1,15,L * ?",
            after: "2026-01-20T00:00:00Z",
            [
                "2026-01-31T12:00:00+00:00", "2026-02-01T12:00:00+00:00", "2026-02-15T12:00:00+00:00",
            ]
        ),
    ]

    static let nearestWeekdays: [FireTimeCase] = [
        // 1 August 2026 is a Saturday: the nearest weekday inside the month is Monday the 3rd.
        FireTimeCase(
            "0 0 12 1W * ?",
            after: "2026-07-15T00:00:00Z",
            [
                "2026-08-03T12:00:00+00:00", "2026-09-01T12:00:00+00:00", "2026-10-01T12:00:00+00:00",
            ]
        ),
        // 31 May 2026 is a Sunday: Friday the 29th. June has no 31st, so it has no firing.
        FireTimeCase(
            "0 0 12 31W * ?",
            after: "2026-05-01T00:00:00Z",
            [
                "2026-05-29T12:00:00+00:00", "2026-07-31T12:00:00+00:00", "2026-08-31T12:00:00+00:00",
            ]
        ),
        // 15 February and 15 March 2026 are Sundays, 15 August a Saturday.
        FireTimeCase(
            "0 12 15W * *",
            after: "2026-02-01T00:00:00Z",
            [
                "2026-02-16T12:00:00+00:00", "2026-03-16T12:00:00+00:00", "2026-04-15T12:00:00+00:00",
            ]
        ),
        FireTimeCase(
            "0 0 12 15W AUG ?",
            after: "2026-02-01T00:00:00Z",
            [
                "2026-08-14T12:00:00+00:00", "2027-08-16T12:00:00+00:00",
            ]
        ),
        // The last weekday: 31 January 2026 is a Saturday, 28 February a Saturday, 31 May a Sunday.
        FireTimeCase(
            "0 0 12 LW * ?",
            after: "2026-01-01T00:00:00Z",
            [
                "2026-01-30T12:00:00+00:00", "2026-02-27T12:00:00+00:00", "2026-03-31T12:00:00+00:00",
            ]
        ),
        FireTimeCase(
            "0 12 LW 5 *",
            after: "2026-01-01T00:00:00Z",
            [
                "2026-05-29T12:00:00+00:00", "2027-05-31T12:00:00+00:00",
            ]
        ),
    ]

    static let weekdaysOfTheMonth: [FireTimeCase] = [
        // Last Friday: Quartz numbers it 6, the five-field form 5.
        FireTimeCase(
            "0 0 12 ? * 6L",
            after: "2026-01-01T00:00:00Z",
            [
                "2026-01-30T12:00:00+00:00", "2026-02-27T12:00:00+00:00", "2026-03-27T12:00:00+00:00",
            ]
        ),
        FireTimeCase(
            "0 0 12 ? * FRIL",
            after: "2026-01-01T00:00:00Z",
            [
                "2026-01-30T12:00:00+00:00", "2026-02-27T12:00:00+00:00", "2026-03-27T12:00:00+00:00",
            ]
        ),
        FireTimeCase(
            "0 12 * * 5L",
            after: "2026-01-01T00:00:00Z",
            [
                "2026-01-30T12:00:00+00:00", "2026-02-27T12:00:00+00:00", "2026-03-27T12:00:00+00:00",
            ]
        ),
        FireTimeCase(
            "0 12 * * friL",
            after: "2026-01-01T00:00:00Z",
            [
                "2026-01-30T12:00:00+00:00", "2026-02-27T12:00:00+00:00", "2026-03-27T12:00:00+00:00",
            ]
        ),
        FireTimeCase(
            "0 12 * * 7L",
            after: "2026-01-01T00:00:00Z",
            [
                "2026-01-25T12:00:00+00:00", "2026-02-22T12:00:00+00:00",
            ]
        ),
        // Second Friday.
        FireTimeCase(
            "0 0 12 ? * FRI#2",
            after: "2026-01-01T00:00:00Z",
            [
                "2026-01-09T12:00:00+00:00", "2026-02-13T12:00:00+00:00", "2026-03-13T12:00:00+00:00",
            ]
        ),
        FireTimeCase(
            "0 0 12 ? * 6#2",
            after: "2026-01-01T00:00:00Z",
            [
                "2026-01-09T12:00:00+00:00", "2026-02-13T12:00:00+00:00", "2026-03-13T12:00:00+00:00",
            ]
        ),
        FireTimeCase(
            "0 12 * * 5#2",
            after: "2026-01-01T00:00:00Z",
            [
                "2026-01-09T12:00:00+00:00", "2026-02-13T12:00:00+00:00", "2026-03-13T12:00:00+00:00",
            ]
        ),
        // Fifth Thursday: only in months that have one.
        FireTimeCase(
            "0 0 12 ? * thu#5",
            after: "2026-01-01T00:00:00Z",
            [
                "2026-01-29T12:00:00+00:00", "2026-04-30T12:00:00+00:00", "2026-07-30T12:00:00+00:00",
            ]
        ),
    ]

    static let dayFieldRule: [FireTimeCase] = [
        // Both restricted in five-field form: the 13th or any Friday.
        FireTimeCase(
            "0 0 13 * 5",
            after: "2026-01-01T00:00:00Z",
            [
                "2026-01-02T00:00:00+00:00", "2026-01-09T00:00:00+00:00", "2026-01-13T00:00:00+00:00",
                "2026-01-16T00:00:00+00:00",
            ]
        ),
        // Only one restricted: it alone decides.
        FireTimeCase(
            "0 0 13 * *",
            after: "2026-01-01T00:00:00Z",
            [
                "2026-01-13T00:00:00+00:00", "2026-02-13T00:00:00+00:00",
            ]
        ),
        FireTimeCase(
            "0 0 * * 5",
            after: "2026-01-01T00:00:00Z",
            [
                "2026-01-02T00:00:00+00:00", "2026-01-09T00:00:00+00:00",
            ]
        ),
        // '?' in five-field form means '*'.
        FireTimeCase(
            "0 0 ? * MON",
            after: "2026-01-01T00:00:00Z",
            [
                "2026-01-05T00:00:00+00:00", "2026-01-12T00:00:00+00:00",
            ]
        ),
        // 30 February never occurs, but with a restricted day-of-week the Mondays of February still fire.
        FireTimeCase(
            "0 0 30 2 MON",
            after: "2026-01-01T00:00:00Z",
            [
                "2026-02-02T00:00:00+00:00", "2026-02-09T00:00:00+00:00", "2026-02-16T00:00:00+00:00",
                "2026-02-23T00:00:00+00:00", "2027-02-01T00:00:00+00:00",
            ]
        ),
        // A stepped day-of-month restricts too (unlike Vixie cron, where a leading '*' does not).
        FireTimeCase(
            "0 0 */10 * MON",
            after: "2026-01-01T00:00:00Z",
            [
                "2026-01-05T00:00:00+00:00", "2026-01-11T00:00:00+00:00", "2026-01-12T00:00:00+00:00",
            ]
        ),
        // Quartz: the field that is not '?' decides.
        FireTimeCase(
            "0 0 0 13 * ?",
            after: "2026-01-01T00:00:00Z",
            [
                "2026-01-13T00:00:00+00:00", "2026-02-13T00:00:00+00:00",
            ]
        ),
        FireTimeCase(
            "0 0 0 * * ?",
            after: "2026-01-01T00:00:00Z",
            [
                "2026-01-02T00:00:00+00:00", "2026-01-03T00:00:00+00:00",
            ]
        ),
    ]

    static let leapDays: [FireTimeCase] = [
        FireTimeCase(
            "0 0 29 2 *",
            after: "2026-01-01T00:00:00Z",
            [
                "2028-02-29T00:00:00+00:00", "2032-02-29T00:00:00+00:00", "2036-02-29T00:00:00+00:00",
            ]
        ),
        // 2100 is not a leap year.
        FireTimeCase(
            "0 0 0 29 FEB ?",
            after: "2096-03-01T00:00:00Z",
            [
                "2104-02-29T00:00:00+00:00"
            ]
        ),
        FireTimeCase(
            "0 0 31 4,5 *",
            after: "2026-01-01T00:00:00Z",
            [
                "2026-05-31T00:00:00+00:00", "2027-05-31T00:00:00+00:00",
            ]
        ),
    ]

    @Test(arguments: Self.lastDays)
    func lastDayOfTheMonth(_ row: FireTimeCase) throws {
        try row.verify()
    }

    @Test(arguments: Self.nearestWeekdays)
    func nearestWeekdayNeverLeavesTheMonth(_ row: FireTimeCase) throws {
        try row.verify()
    }

    @Test(arguments: Self.weekdaysOfTheMonth)
    func lastAndNthWeekdayOfTheMonth(_ row: FireTimeCase) throws {
        try row.verify()
    }

    @Test(arguments: Self.dayFieldRule)
    func dayFieldsCombineByDialect(_ row: FireTimeCase) throws {
        try row.verify()
    }

    @Test(arguments: Self.leapDays)
    func leapDaysFireOnlyInLeapYears(_ row: FireTimeCase) throws {
        try row.verify()
    }

    @Test func impossibleDayIsRefusedWhenParsed() {
        #expect(throws: CronExpressionError.self) {
            try CronExpression(parsing: "0 0 30 2 *")
        }
    }
}
