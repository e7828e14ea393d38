import Foundation
import Postgres
import Testing

/// The text forms of `numeric` and `date` that bulk reads decode by hand, checked against what
/// Foundation's parser and the general date split make of them, and the array text bulk writes
/// bind. No database needed.
@Suite struct PostgresTextDecodingTests {
    @Test(arguments: [
        "1234567890123.123456", "-0.500000", "0.000000", "-0.000000", "42", "-42", "0.000001",
        "9999999999999.999999", "123456789012345678901234.5", "-98765432109876543210.000001",
    ])
    func numericTextDecodesExactly(text: String) throws {
        let decoded = try Decimal(postgresText: text, type: .numeric)
        let expected = try #require(Decimal(string: text, locale: Locale(identifier: "en_US_POSIX")))
        #expect(decoded == expected)
        #expect(!decoded.isNaN)
    }

    @Test func datesDecodeInEveryShapeTheServerWrites() throws {
        #expect(
            try PostgresDate(postgresText: "2024-02-29", type: .date) == PostgresDate(year: 2024, month: 2, day: 29)
        )
        #expect(
            try PostgresDate(postgresText: "12024-01-31", type: .date) == PostgresDate(year: 12024, month: 1, day: 31)
        )
        #expect(throws: PostgresError.self) { try PostgresDate(postgresText: "2024/02/29", type: .date) }
        #expect(throws: PostgresError.self) { try PostgresDate(postgresText: "2024-0a-29", type: .date) }
    }

    @Test func arrayTextQuotesEveryElementAndEscapesQuotesAndBackslashes() {
        let array = PostgresArray([#"say "hi""#, #"C:\dir"#, nil, "6.30", ""])
        #expect(array.postgresText == #"{"say \"hi\"","C:\\dir",NULL,"6.30",""}"#)
        #expect(PostgresArray([String]()).postgresText == "{}")
    }
}
