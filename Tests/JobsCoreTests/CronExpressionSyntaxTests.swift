import Foundation
import JobsCore
import Testing

/// The syntax of cron expressions, each form checked against explicit fire times.
@Suite struct CronExpressionSyntaxTests {
    static let basics: [FireTimeCase] = [
        FireTimeCase(
            "*/15 * * * *",
            after: "2026-01-01T00:00:00Z",
            [
                "2026-01-01T00:15:00+00:00", "2026-01-01T00:30:00+00:00", "2026-01-01T00:45:00+00:00",
                "2026-01-01T01:00:00+00:00",
            ]
        ),
        FireTimeCase(
            "5-50/5 * * * *",
            after: "2026-01-01T00:44:00Z",
            [
                "2026-01-01T00:45:00+00:00", "2026-01-01T00:50:00+00:00", "2026-01-01T01:05:00+00:00",
            ]
        ),
        FireTimeCase(
            "1/1 * * * *",
            after: "2026-01-01T00:58:00Z",
            [
                "2026-01-01T00:59:00+00:00", "2026-01-01T01:01:00+00:00", "2026-01-01T01:02:00+00:00",
            ]
        ),
        FireTimeCase(
            "0 1/1 * * * ?",
            after: "2026-01-01T00:58:30Z",
            [
                "2026-01-01T00:59:00+00:00", "2026-01-01T01:01:00+00:00", "2026-01-01T01:02:00+00:00",
            ]
        ),
        FireTimeCase(
            "0 9,17 * * *",
            after: "2026-01-01T10:00:00Z",
            [
                "2026-01-01T17:00:00+00:00", "2026-01-02T09:00:00+00:00", "2026-01-02T17:00:00+00:00",
            ]
        ),
        FireTimeCase(
            "30 9-11 * * *",
            after: "2026-01-01T09:30:00Z",
            [
                "2026-01-01T10:30:00+00:00", "2026-01-01T11:30:00+00:00", "2026-01-02T09:30:00+00:00",
            ]
        ),
        FireTimeCase(
            "0 0-23/6 * * *",
            after: "2025-12-31T23:00:00Z",
            [
                "2026-01-01T00:00:00+00:00", "2026-01-01T06:00:00+00:00", "2026-01-01T12:00:00+00:00",
                "2026-01-01T18:00:00+00:00",
            ]
        ),
        FireTimeCase(
            "*/20 * * * * ?",
            after: "2026-01-01T00:00:00Z",
            [
                "2026-01-01T00:00:20+00:00", "2026-01-01T00:00:40+00:00", "2026-01-01T00:01:00+00:00",
            ]
        ),
        FireTimeCase(
            "15,45 0 0 * * ?",
            after: "2026-01-01T00:00:30Z",
            [
                "2026-01-01T00:00:45+00:00", "2026-01-02T00:00:15+00:00", "2026-01-02T00:00:45+00:00",
            ]
        ),
        FireTimeCase(
            "0 9 * * MON-FRI",
            in: "Asia/Kolkata",
            after: "2026-01-02T09:00:00+05:30",
            [
                "2026-01-05T09:00:00+05:30", "2026-01-06T09:00:00+05:30",
            ]
        ),
        FireTimeCase(
            "0 0 0 1 1 ? 2027-2029",
            after: "2026-01-01T00:00:00Z",
            [
                "2027-01-01T00:00:00+00:00", "2028-01-01T00:00:00+00:00", "2029-01-01T00:00:00+00:00",
            ]
        ),
        FireTimeCase(
            "0 0 12 * * ? 2026/2",
            after: "2026-12-31T12:00:00Z",
            [
                "2028-01-01T12:00:00+00:00", "2028-01-02T12:00:00+00:00",
            ]
        ),
    ]

    static let names: [FireTimeCase] = [
        FireTimeCase(
            "0 12 1 jan,Jul *",
            after: "2026-01-01T00:00:00Z",
            [
                "2026-01-01T12:00:00+00:00", "2026-07-01T12:00:00+00:00", "2027-01-01T12:00:00+00:00",
            ]
        ),
        FireTimeCase(
            "0 0 1 jan-MAR *",
            after: "2025-12-31T00:00:00Z",
            [
                "2026-01-01T00:00:00+00:00", "2026-02-01T00:00:00+00:00", "2026-03-01T00:00:00+00:00",
                "2027-01-01T00:00:00+00:00",
            ]
        ),
        FireTimeCase(
            "0 8 * * mon-Fri",
            after: "2026-01-01T00:00:00Z",
            [
                "2026-01-01T08:00:00+00:00", "2026-01-02T08:00:00+00:00", "2026-01-05T08:00:00+00:00",
            ]
        ),
        FireTimeCase(
            "0 0 12 ? * sun,Sat",
            after: "2026-01-01T00:00:00Z",
            [
                "2026-01-03T12:00:00+00:00", "2026-01-04T12:00:00+00:00", "2026-01-10T12:00:00+00:00",
            ]
        ),
    ]

    static let weekdayNumbers: [FireTimeCase] = [
        // Five-field form: 0 and 7 are both Sunday.
        FireTimeCase(
            "0 0 * * 7",
            after: "2026-01-01T00:00:00Z",
            [
                "2026-01-04T00:00:00+00:00", "2026-01-11T00:00:00+00:00",
            ]
        ),
        FireTimeCase(
            "0 0 * * 0",
            after: "2026-01-01T00:00:00Z",
            [
                "2026-01-04T00:00:00+00:00", "2026-01-11T00:00:00+00:00",
            ]
        ),
        FireTimeCase(
            "0 0 * * 5-7",
            after: "2026-01-01T00:00:00Z",
            [
                "2026-01-02T00:00:00+00:00", "2026-01-03T00:00:00+00:00", "2026-01-04T00:00:00+00:00",
                "2026-01-09T00:00:00+00:00",
            ]
        ),
        // Quartz form: 1 is Sunday, 2 Monday, and a lone L is Saturday.
        FireTimeCase(
            "0 0 12 ? * 1",
            after: "2026-01-01T00:00:00Z",
            [
                "2026-01-04T12:00:00+00:00", "2026-01-11T12:00:00+00:00",
            ]
        ),
        FireTimeCase(
            "0 0 12 ? * 2",
            after: "2026-01-01T00:00:00Z",
            [
                "2026-01-05T12:00:00+00:00", "2026-01-12T12:00:00+00:00",
            ]
        ),
        FireTimeCase(
            "0 0 12 ? * L",
            after: "2026-01-01T00:00:00Z",
            [
                "2026-01-03T12:00:00+00:00", "2026-01-10T12:00:00+00:00",
            ]
        ),
    ]

    static let macros: [FireTimeCase] = [
        FireTimeCase(
            "@yearly",
            after: "2026-01-01T00:00:00Z",
            [
                "2027-01-01T00:00:00+00:00", "2028-01-01T00:00:00+00:00",
            ]
        ),
        FireTimeCase(
            "@annually",
            after: "2026-01-01T00:00:00Z",
            [
                "2027-01-01T00:00:00+00:00", "2028-01-01T00:00:00+00:00",
            ]
        ),
        FireTimeCase(
            "@monthly",
            after: "2026-01-01T00:00:00Z",
            [
                "2026-02-01T00:00:00+00:00", "2026-03-01T00:00:00+00:00",
            ]
        ),
        FireTimeCase(
            "@weekly",
            after: "2026-01-01T00:00:00Z",
            [
                "2026-01-04T00:00:00+00:00", "2026-01-11T00:00:00+00:00",
            ]
        ),
        FireTimeCase(
            "@daily",
            after: "2026-01-01T00:00:00Z",
            [
                "2026-01-02T00:00:00+00:00", "2026-01-03T00:00:00+00:00",
            ]
        ),
        FireTimeCase(
            "@Midnight",
            after: "2026-01-01T00:00:00Z",
            [
                "2026-01-02T00:00:00+00:00", "2026-01-03T00:00:00+00:00",
            ]
        ),
        FireTimeCase(
            "@HOURLY",
            after: "2026-01-01T00:00:00Z",
            [
                "2026-01-01T01:00:00+00:00", "2026-01-01T02:00:00+00:00",
            ]
        ),
    ]

    @Test(arguments: Self.basics)
    func valuesListsRangesAndSteps(_ row: FireTimeCase) throws {
        try row.verify()
    }

    @Test(arguments: Self.names)
    func monthAndWeekdayNamesInAnyCase(_ row: FireTimeCase) throws {
        try row.verify()
    }

    @Test(arguments: Self.weekdayNumbers)
    func weekdayNumbersFollowTheDialect(_ row: FireTimeCase) throws {
        try row.verify()
    }

    @Test(arguments: Self.macros)
    func macrosStandForFiveFieldExpressions(_ row: FireTimeCase) throws {
        try row.verify()
    }

    @Test(arguments: [
        ("*/5  1 * *\tmon", "*/5 1 * * MON", CronExpression.Dialect.standard),
        ("0 0 12 ? * fri#2", "0 0 12 ? * FRI#2", .quartz),
        ("0 0 0 l * ? 2030", "0 0 0 L * ? 2030", .quartzWithYear),
        ("  @Daily ", "@daily", .standard),
    ])
    func descriptionIsTheNormalisedSource(text: String, normalised: String, dialect: CronExpression.Dialect) throws {
        let expression = try CronExpression(parsing: text)
        #expect(expression.description == normalised)
        #expect(expression.dialect == dialect)
        #expect(try CronExpression(parsing: normalised) == expression)
    }

    @Test func sequenceEndsWhenTheYearFieldRunsOut() throws {
        let expression = try CronExpression(parsing: "0 0 0 1 1 ? 2027-2029")
        let times = expression.fireTimes(after: try TestTime.date("2026-06-01T00:00:00Z"), in: .gmt)
        #expect(Array(times).count == 3)
        #expect(expression.nextFireTime(after: try TestTime.date("2029-01-01T00:00:00Z"), in: .gmt) == nil)
    }
}
