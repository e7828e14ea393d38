import Foundation
import Postgres
import Testing

/// The text forms of `numeric`, `date` and `uuid` that reads decode by hand, checked against what
/// Foundation's parsers and the general date split make of them, and the array and uuid text that
/// writes bind. No database needed.
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

    @Test func uuidTextIsFoundationsInLowercaseAndReadsBackInEitherCase() throws {
        for _ in 0..<1_000 {
            let id = UUID()
            #expect(id.lowercasedText == id.uuidString.lowercased())
            #expect(try UUID(postgresText: id.lowercasedText, type: .uuid) == id)
            #expect(try UUID(postgresText: id.uuidString, type: .uuid) == id)
        }
        for text in [
            "", "123e4567-e89b-12d3-a456-42661417400", "123e4567-e89b-12d3-a456-4266141740000",
            "123e4567xe89b-12d3-a456-426614174000", "123e4567-e89b-12d3-a456-42661417400g",
            "{123e4567-e89b-12d3-a456-426614174000}", "123e4567e89b12d3a456426614174000",
        ] {
            #expect(throws: PostgresError.self, "\(text)") { try UUID(postgresText: text, type: .uuid) }
        }
    }
}
