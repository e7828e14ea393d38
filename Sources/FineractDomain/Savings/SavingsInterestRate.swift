import Foundation

/// An annual rate as Fineract's savings interest arithmetic uses it, with the figures every
/// segment needs worked out once.
///
/// The precision rules are those of Fineract's `EndOfDayBalance` and the compounding periods:
/// `R = nominal ÷ 100` at the precision of the caller (10 significant digits when posting, 15 when
/// only calculating, in the tenant's rounding mode); `1/DY`, the daily rate and every product in
/// DECIMAL64 (16 digits, half-even); each segment's interest set to 9 places in the tenant's
/// rounding mode. Daily compounding raises `1 + R/DY` to the number of days with a binary
/// `pow`, because Fineract does, and reads the result back through its shortest decimal text.
struct SavingsInterestRate {
    /// The annual rate as a fraction.
    let fraction: Decimal
    /// `fraction × (1/DY)` in DECIMAL64: the simple daily rate.
    let dailyRate: Decimal
    /// `1 + fraction × (1/DY)` exactly, as a binary double for `pow`.
    private let compoundingBase: Double
    private let roundingMode: MoneyRoundingMode
    private var periodicRates: [Int: Decimal] = [:]
    private var growthFactors: [Int: Decimal] = [:]

    init(
        nominalPercent: Decimal,
        daysInYear: SavingsInterestTerms.DaysInYear,
        ratePrecision: Int,
        roundingMode: MoneyRoundingMode
    ) {
        self.roundingMode = roundingMode
        self.fraction = (nominalPercent / 100).rounded(significantDigits: ratePrecision, roundingMode)
        let dayFraction = Self.dayFractions[daysInYear] ?? 0
        self.dailyRate = (self.fraction * dayFraction).roundedToDecimal64
        // The exact sum, not rounded, as Fineract adds without a math context; the conversion to
        // double goes through the decimal text so it is correctly rounded.
        let base = Decimal(1) + self.fraction * dayFraction
        self.compoundingBase = Double(base.description) ?? 1
    }

    /// `1/DY` in DECIMAL64, for each year length.
    private static let dayFractions: [SavingsInterestTerms.DaysInYear: Decimal] = Dictionary(
        uniqueKeysWithValues: SavingsInterestTerms.DaysInYear.allCases.map {
            ($0, (Decimal(1) / Decimal($0.rawValue)).roundedToDecimal64)
        }
    )

    /// Simple interest on `balance` for `days` days: `(balance × D64(dailyRate × days))`, rounded
    /// to 16 digits and then to 9 places.
    mutating func simpleInterest(on balance: Decimal, days: Int) -> Decimal {
        let periodic = self.periodicRate(days: days)
        return (balance * periodic).roundedToDecimal64.rounded(scale: 9, self.roundingMode)
    }

    /// Compound interest on `balance` over `days` days of daily compounding: `FV − PV` with
    /// `FV = PV × (1 + r)^days` in DECIMAL64 at 9 places.
    mutating func compoundInterest(on balance: Decimal, days: Int) -> Decimal {
        let factor = self.growthFactor(days: days)
        let futureValue = (balance * factor).roundedToDecimal64.rounded(scale: 9, self.roundingMode)
        return futureValue - balance
    }

    /// The rate for `days` days in DECIMAL64, kept per day count since the same counts recur.
    private mutating func periodicRate(days: Int) -> Decimal {
        if let known = self.periodicRates[days] {
            return known
        }
        let rate = (self.dailyRate * Decimal(days)).roundedToDecimal64
        self.periodicRates[days] = rate
        return rate
    }

    /// `(1 + r)^days` through a binary `pow`, read back as Java's `BigDecimal.valueOf(double)` does.
    private mutating func growthFactor(days: Int) -> Decimal {
        if let known = self.growthFactors[days] {
            return known
        }
        let powered = pow(self.compoundingBase, Double(days))
        // Swift prints the shortest text that reads back as the same double, as Java's
        // Double.toString does in all but rare cases of a longer last digit.
        let factor = Decimal(string: "\(powered)", locale: Locale(identifier: "en_US_POSIX")) ?? 1
        self.growthFactors[days] = factor
        return factor
    }
}
