public import Foundation

/// A currency as Fineract's money arithmetic sees it: its digits and the multiple amounts are
/// rounded to when it has no minor unit (`currency_multiplesof`).
public struct Currency: Sendable, Hashable {
    public var code: String
    public var digits: Int
    /// Amounts of a currency without decimals are rounded to a multiple of this, when set.
    public var multiplesOf: Int?

    public init(code: String, digits: Int, multiplesOf: Int? = nil) {
        precondition((0...6).contains(digits), "currency \(code) with \(digits) decimal places")
        self.code = code
        self.digits = digits
        self.multiplesOf = multiplesOf
    }

    /// An amount made money: Fineract's `Money.of`, rounded to the currency's digits, then to its
    /// multiple when the currency has no decimals.
    public func money(_ amount: Decimal, rounding mode: MoneyRoundingMode = .fineractDefault) -> Decimal {
        let rounded = amount.rounded(scale: self.digits, mode)
        guard self.digits == 0, let multiple = self.multiplesOf, multiple > 0 else { return rounded }
        let step = Decimal(multiple)
        return ((rounded / step).rounded(scale: 0, mode)) * step
    }
}
