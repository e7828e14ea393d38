public import Foundation

/// Fineract's `rounding-mode` configuration, with the codes it stores in `c_configuration`.
///
/// The codes are those of Java's `java.math.MoneyRoundingMode` ordinals, which Fineract persists as is.
public enum MoneyRoundingMode: Int, Sendable, CaseIterable {
    case up = 0
    case down = 1
    case ceiling = 2
    case floor = 3
    case halfUp = 4
    case halfDown = 5
    case halfEven = 6

    /// What Fineract falls back to when the configuration is disabled or missing.
    public static let fineractDefault = MoneyRoundingMode.halfEven
}

extension Decimal {
    /// This value rounded to `scale` digits after the decimal point.
    ///
    /// Every mode Fineract accepts rounds the way `BigDecimal.setScale` does; half-down, which
    /// Foundation lacks, is derived from the remainder.
    public func rounded(scale: Int, _ mode: MoneyRoundingMode) -> Decimal {
        // No digit beyond `scale`: nothing to round, and rounding is the costly part.
        guard -Int(self.exponent) > scale else { return self }
        // Foundation's `.up` and `.down` are directed (towards +∞ and −∞); Java's UP and DOWN are
        // away from and towards zero, so they depend on the sign.
        let awayFromZero: NSDecimalNumber.RoundingMode = self.isSignMinus ? .down : .up
        let towardsZero: NSDecimalNumber.RoundingMode = self.isSignMinus ? .up : .down
        switch mode {
        case .up: return self.foundationRounded(scale: scale, awayFromZero)
        case .down: return self.foundationRounded(scale: scale, towardsZero)
        case .ceiling: return self.foundationRounded(scale: scale, .up)
        case .floor: return self.foundationRounded(scale: scale, .down)
        case .halfUp: return self.foundationRounded(scale: scale, .plain)
        case .halfEven: return self.foundationRounded(scale: scale, .bankers)
        case .halfDown:
            let truncated = self.foundationRounded(scale: scale, towardsZero)
            let remainder = abs(self - truncated)
            let half = Decimal(sign: .plus, exponent: -scale, significand: 5) / 10
            guard remainder > half else { return truncated }
            return self.foundationRounded(scale: scale, awayFromZero)
        }
    }

    /// This value rounded to `digits` significant digits: Java's `MathContext(digits, mode)`,
    /// half-even unless another mode is given.
    ///
    /// Fineract does its savings interest arithmetic in `MathContext.DECIMAL64` (16 digits), and
    /// its loan schedules in `MoneyHelper`'s context (19 digits, the tenant's rounding mode), so
    /// products and quotients are cut to that many significant digits before they are rounded to
    /// a scale.
    public func rounded(significantDigits digits: Int, _ mode: MoneyRoundingMode = .halfEven) -> Decimal {
        precondition(digits > 0, "a precision of \(digits) significant digits is meaningless")
        guard !self.isZero else { return self }
        // The position of the leading digit: 10^magnitude <= |self| < 10^(magnitude + 1).
        let magnitude = self.decimalMagnitude
        return self.rounded(scale: digits - 1 - magnitude, mode)
    }

    /// Java's `MathContext.DECIMAL64` rounding, the precision of Fineract's interest arithmetic.
    public var roundedToDecimal64: Decimal {
        self.rounded(significantDigits: 16)
    }

    private func foundationRounded(scale: Int, _ mode: NSDecimalNumber.RoundingMode) -> Decimal {
        var value = self
        var result = Decimal()
        NSDecimalRound(&result, &value, scale, mode)
        return result
    }

    /// The power of ten of the leading significant digit.
    private var decimalMagnitude: Int {
        // |self| = significand × 10^exponent with an integral significand. Its digit count comes
        // from a binary estimate, checked exactly against the neighbouring powers of ten only when
        // the estimate lies close enough to one for the binary error to matter: Decimal arithmetic
        // is slow enough that counting digit by digit would dominate the interest loops.
        let significand = abs(self.significand)
        let logarithm = log10(NSDecimalNumber(decimal: significand).doubleValue)
        var digits = Int(logarithm.rounded(.down)) + 1
        let fraction = logarithm - logarithm.rounded(.down)
        if fraction < 1e-9 || fraction > 1 - 1e-9 {
            if significand < Decimal(sign: .plus, exponent: digits - 1, significand: 1) {
                digits -= 1
            } else if significand >= Decimal(sign: .plus, exponent: digits, significand: 1) {
                digits += 1
            }
        }
        return digits - 1 + Int(self.exponent)
    }
}
