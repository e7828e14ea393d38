/// The tenant-wide configuration the savings interest calculation reads from `c_configuration`.
public struct SavingsInterestSettings: Sendable, Hashable {
    /// `rounding-mode`: rounds posted amounts, the 9-place interest figures and the rate fraction.
    public var roundingMode: MoneyRoundingMode
    /// `financial-year-beginning-month` (1–12): where quarters, halves and years begin.
    public var financialYearBeginningMonth: Int
    /// `savings-interest-posting-current-period-end`: date a posting on the last day of its period
    /// rather than on the day after.
    public var postsOnPeriodEnd: Bool

    public init(
        roundingMode: MoneyRoundingMode = .fineractDefault,
        financialYearBeginningMonth: Int = 1,
        postsOnPeriodEnd: Bool = false
    ) {
        precondition(
            (1...12).contains(financialYearBeginningMonth),
            "financial year beginning month \(financialYearBeginningMonth) is not a month"
        )
        self.roundingMode = roundingMode
        self.financialYearBeginningMonth = financialYearBeginningMonth
        self.postsOnPeriodEnd = postsOnPeriodEnd
    }

    /// The month whose end closes a financial year: the month before the beginning month.
    var financialYearEndMonth: Int {
        self.financialYearBeginningMonth == 1 ? 12 : self.financialYearBeginningMonth - 1
    }
}
