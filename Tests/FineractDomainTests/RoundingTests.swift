import FineractDomain
import Foundation
import Testing

@Suite struct RoundingTests {
    @Test(arguments: [
        // value, scale, mode, expected: the rows of java.math.MoneyRoundingMode's own table.
        ("5.5", MoneyRoundingMode.up, "6"), ("-2.5", .up, "-3"), ("1.1", .up, "2"),
        ("5.5", .down, "5"), ("-1.6", .down, "-1"),
        ("5.5", .ceiling, "6"), ("-1.1", .ceiling, "-1"), ("-2.5", .ceiling, "-2"),
        ("5.5", .floor, "5"), ("-1.1", .floor, "-2"), ("-2.5", .floor, "-3"),
        ("5.5", .halfUp, "6"), ("2.5", .halfUp, "3"), ("-2.5", .halfUp, "-3"), ("1.6", .halfUp, "2"),
        ("5.5", .halfDown, "5"), ("2.5", .halfDown, "2"), ("-2.5", .halfDown, "-2"), ("1.6", .halfDown, "2"),
        ("-1.6", .halfDown, "-2"),
        ("5.5", .halfEven, "6"), ("2.5", .halfEven, "2"), ("-2.5", .halfEven, "-2"), ("1.6", .halfEven, "2"),
    ])
    func everyModeRoundsLikeJava(value: String, mode: MoneyRoundingMode, expected: String) throws {
        let decimal = try #require(Decimal(string: value))
        #expect(decimal.rounded(scale: 0, mode) == Decimal(string: expected))
    }

    @Test func halfEvenAtCurrencyDigits() {
        let usd4 = Currency(code: "USD", digits: 4)
        #expect(usd4.money(Decimal(string: "0.273972602")!) == Decimal(string: "0.2740"))
        let usd2 = Currency(code: "USD", digits: 2)
        #expect(usd2.money(Decimal(string: "6.305")!) == Decimal(string: "6.30"))
        #expect(usd2.money(Decimal(string: "6.315")!) == Decimal(string: "6.32"))
    }

    @Test func currencyWithoutDecimalsRoundsToItsMultiple() {
        let ugx = Currency(code: "UGX", digits: 0, multiplesOf: 100)
        #expect(ugx.money(1249) == 1200)
        #expect(ugx.money(1251) == 1300)
        #expect(ugx.money(1250) == 1200)
    }

    @Test func significantDigitsMatchDecimal64() throws {
        let third = Decimal(1) / Decimal(365)
        #expect(third.roundedToDecimal64 == Decimal(string: "0.002739726027397260"))
        #expect(Decimal(string: "123456789.0123456789")!.roundedToDecimal64 == Decimal(string: "123456789.0123457"))
        #expect(Decimal(string: "0.5")!.rounded(significantDigits: 1) == Decimal(string: "0.5"))
        #expect(Decimal(string: "-98765.4321")!.rounded(significantDigits: 3) == Decimal(string: "-98800"))
    }
}
