import JobsCore
import Testing

/// Expressions that must be refused, with the field and message each one reports.
@Suite struct CronExpressionErrorTests {
    struct BadExpression: Sendable, CustomTestStringConvertible {
        let text: String
        let field: CronField
        let code: CronExpressionError.Code
        let description: String

        var testDescription: String {
            "'\(self.text)'"
        }
    }

    static let fieldCounts: [BadExpression] = [
        BadExpression(
            text: "* * * *",
            field: .expression,
            code: .fieldCount,
            description: "expected 5, 6 or 7 fields but found 4"
        ),
        BadExpression(
            text: "",
            field: .expression,
            code: .fieldCount,
            description: "expected 5, 6 or 7 fields but found 0"
        ),
        BadExpression(
            text: "* * * * * * * *",
            field: .expression,
            code: .fieldCount,
            description: "expected 5, 6 or 7 fields but found 8"
        ),
        BadExpression(
            text: "@reboot",
            field: .expression,
            code: .unknownMacro,
            description: "unknown macro '@reboot'; expected @yearly, @annually, @monthly, @weekly, @daily, "
                + "@midnight or @hourly"
        ),
        BadExpression(
            text: "@daily now",
            field: .expression,
            code: .unknownMacro,
            description: "unknown macro '@daily now'; expected @yearly, @annually, @monthly, @weekly, @daily, "
                + "@midnight or @hourly"
        ),
    ]

    static let values: [BadExpression] = [
        BadExpression(
            text: "60 * * * *",
            field: .minute,
            code: .outOfRange,
            description: "minute: value 60 is out of range 0-59"
        ),
        BadExpression(
            text: "* 24 * * *",
            field: .hour,
            code: .outOfRange,
            description: "hour: value 24 is out of range 0-23"
        ),
        BadExpression(
            text: "* * 0 * *",
            field: .dayOfMonth,
            code: .outOfRange,
            description: "dayOfMonth: value 0 is out of range 1-31"
        ),
        BadExpression(
            text: "* * * 13 *",
            field: .month,
            code: .outOfRange,
            description: "month: value 13 is out of range 1-12"
        ),
        BadExpression(
            text: "* * * * 8",
            field: .dayOfWeek,
            code: .outOfRange,
            description: "dayOfWeek: value 8 is out of range 0-7"
        ),
        BadExpression(
            text: "0 0 12 ? * 0",
            field: .dayOfWeek,
            code: .outOfRange,
            description: "dayOfWeek: value 0 is out of range 1-7"
        ),
        BadExpression(
            text: "60 * * * * ?",
            field: .second,
            code: .outOfRange,
            description: "second: value 60 is out of range 0-59"
        ),
        BadExpression(
            text: "0 0 0 1 1 ? 1969",
            field: .year,
            code: .outOfRange,
            description: "year: value 1969 is out of range 1970-2199"
        ),
        BadExpression(
            text: "0 0 0 1 1 ? 2100-2200",
            field: .year,
            code: .outOfRange,
            description: "year: value 2200 is out of range 1970-2199"
        ),
        BadExpression(
            text: "99999999999999999999 * * * *",
            field: .minute,
            code: .outOfRange,
            description: "minute: value 99999999999999999999 is out of range 0-59"
        ),
        BadExpression(
            text: "* * * * FRY",
            field: .dayOfWeek,
            code: .unknownName,
            description: "dayOfWeek: unknown name 'FRY'"
        ),
        BadExpression(
            text: "* * * foo *",
            field: .month,
            code: .unknownName,
            description: "month: unknown name 'FOO'"
        ),
        BadExpression(
            text: "* * * * MON-FUN",
            field: .dayOfWeek,
            code: .unknownName,
            description: "dayOfWeek: unknown name 'FUN'"
        ),
        BadExpression(
            text: "abc * * * *",
            field: .minute,
            code: .malformed,
            description: "minute: expected a number but found 'ABC'"
        ),
        BadExpression(
            text: "1.5 * * * *",
            field: .minute,
            code: .malformed,
            description: "minute: '1.5' is not a valid value"
        ),
    ]

    static let structure: [BadExpression] = [
        BadExpression(
            text: "*/0 * * * *",
            field: .minute,
            code: .invalidStep,
            description: "minute: step 0 must be at least 1"
        ),
        BadExpression(
            text: "*/61 * * * *",
            field: .minute,
            code: .invalidStep,
            description: "minute: step 61 is larger than the range 0-59"
        ),
        BadExpression(
            text: "*/x * * * *",
            field: .minute,
            code: .invalidStep,
            description: "minute: step 'X' is not a positive number"
        ),
        BadExpression(
            text: "* 22-2 * * *",
            field: .hour,
            code: .descendingRange,
            description: "hour: range 22-2 is descending"
        ),
        BadExpression(
            text: "1,,2 * * * *",
            field: .minute,
            code: .malformed,
            description: "minute: empty item in list '1,,2'"
        ),
        BadExpression(
            text: "5- * * * *",
            field: .minute,
            code: .malformed,
            description: "minute: missing value in '5-'"
        ),
        BadExpression(
            text: "? * * * *",
            field: .minute,
            code: .misplacedSymbol,
            description: "minute: '?' is only allowed in dayOfMonth and dayOfWeek"
        ),
        BadExpression(
            text: "* * ?,1 * *",
            field: .dayOfMonth,
            code: .malformed,
            description: "dayOfMonth: '?' must stand alone, not in list '?,1'"
        ),
        BadExpression(
            text: "* L * * *",
            field: .hour,
            code: .misplacedSymbol,
            description: "hour: 'L': L and W are only allowed in dayOfMonth and dayOfWeek"
        ),
        BadExpression(
            text: "* * 5#2 * *",
            field: .dayOfMonth,
            code: .misplacedSymbol,
            description: "dayOfMonth: '5#2': # is only allowed in dayOfWeek"
        ),
        BadExpression(
            text: "* * * * 1W",
            field: .dayOfWeek,
            code: .misplacedSymbol,
            description: "dayOfWeek: '1W': W is only allowed in dayOfMonth"
        ),
        BadExpression(
            text: "* * * * L",
            field: .dayOfWeek,
            code: .malformed,
            description: "dayOfWeek: 'L' alone is ambiguous in the five-field form; "
                + "write 6L or SATL for the last Saturday"
        ),
        BadExpression(
            text: "0 0 12 ? * 6#6",
            field: .dayOfWeek,
            code: .outOfRange,
            description: "dayOfWeek: occurrence '6' in '6#6' must be 1-5"
        ),
        BadExpression(
            text: "0 0 12 L-31 * ?",
            field: .dayOfMonth,
            code: .outOfRange,
            description: "dayOfMonth: offset 31 in 'L-31' is out of range 0-30"
        ),
        BadExpression(
            text: "0 0 12 32W * ?",
            field: .dayOfMonth,
            code: .outOfRange,
            description: "dayOfMonth: value 32 is out of range 1-31"
        ),
        BadExpression(
            text: "0 0 12 5L * ?",
            field: .dayOfMonth,
            code: .malformed,
            description: "dayOfMonth: '5L' is not a valid item; expected L, L-n, LW or nW"
        ),
    ]

    static let dayFields: [BadExpression] = [
        BadExpression(
            text: "0 0 12 ? * ?",
            field: .dayOfWeek,
            code: .conflictingDayFields,
            description: "dayOfWeek: '?' may stand in only one of dayOfMonth and dayOfWeek"
        ),
        BadExpression(
            text: "0 0 12 * * MON",
            field: .dayOfWeek,
            code: .conflictingDayFields,
            description: "dayOfWeek: Quartz form needs '?' in exactly one of dayOfMonth and dayOfWeek"
        ),
        BadExpression(
            text: "0 0 12 * * *",
            field: .dayOfWeek,
            code: .conflictingDayFields,
            description: "dayOfWeek: Quartz form needs '?' in exactly one of dayOfMonth and dayOfWeek"
        ),
        BadExpression(
            text: "0 0 30 2 *",
            field: .dayOfMonth,
            code: .neverFires,
            description: "dayOfMonth: '30' never occurs in month '2', so the expression can never fire"
        ),
        BadExpression(
            text: "0 0 31 APR,jun *",
            field: .dayOfMonth,
            code: .neverFires,
            description: "dayOfMonth: '31' never occurs in month 'APR,JUN', so the expression can never fire"
        ),
        BadExpression(
            text: "0 0 0 30,31W FEB ?",
            field: .dayOfMonth,
            code: .neverFires,
            description: "dayOfMonth: '30,31W' never occurs in month 'FEB', so the expression can never fire"
        ),
        BadExpression(
            text: "0 0 0 29 2 ? 1970/4",
            field: .dayOfMonth,
            code: .neverFires,
            description: "dayOfMonth: '29' never occurs in month '2', so the expression can never fire"
        ),
    ]

    @Test(arguments: Self.fieldCounts + Self.values + Self.structure + Self.dayFields)
    func badExpressionIsRefusedWithFieldAndMessage(_ bad: BadExpression) throws {
        let error = try #require(throws: CronExpressionError.self) {
            try CronExpression(parsing: bad.text)
        }
        #expect(error.field == bad.field)
        #expect(error.code == bad.code)
        #expect(error.description == bad.description)
        #expect(error.file.hasSuffix(".swift"))
        #expect(error.line > 0)
    }

    @Test func errorsCompareWithoutTheirLocation() {
        let first = CronExpressionError(code: .outOfRange, field: .hour, message: "value 24 is out of range 0-23")
        let second = CronExpressionError(
            code: .outOfRange,
            field: .hour,
            message: "value 24 is out of range 0-23",
            file: "Elsewhere.swift",
            line: 1
        )
        #expect(first == second)
    }

    @Test(arguments: ["0 0 29 2 *", "0 0 12 30 * ?", "0 0 0 29 2 ? 2028", "0 0 31 2 MON", "0 0 12 L 2 ?"])
    func possibleDaysAreAccepted(_ text: String) throws {
        _ = try CronExpression(parsing: text)
    }
}
