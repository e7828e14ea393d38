public import Foundation

/// Generates a loan's repayment schedule the way Fineract's cumulative generator does, for
/// declining-balance and flat loans without grace periods, tranches or interest recalculation.
///
/// Arithmetic runs in Fineract's `MoneyHelper` context: 19 significant digits in the tenant's
/// rounding mode; every money figure is then rounded to the currency with `Currency.money`.
///
/// - Declining balance: each period's interest is the outstanding principal times the period's
///   rate. Equal installments share one EMI, `P·r / (1 − (1 + r)^−n)`, computed with the first
///   period's rate; the principal of an installment is the EMI less its interest. Equal principal
///   repays `P / n` each period. The last installment always takes the remaining principal.
/// - Flat: the interest of every period is charged on the original principal; the total is
///   spread evenly over the installments, and the last one takes what rounding left over, as it
///   does for the principal.
public struct LoanScheduleGenerator: Sendable {
    /// One row of a generated schedule.
    public struct Installment: Sendable, Hashable {
        public var number: Int
        public var fromDate: LocalDate
        public var dueDate: LocalDate
        public var principal: Decimal
        public var interest: Decimal
        /// The principal still owed once this installment is paid.
        public var outstandingAfter: Decimal

        public var total: Decimal { self.principal + self.interest }
    }

    /// Fineract's `MoneyHelper.PRECISION`.
    static let significantDigits = 19

    public let terms: LoanScheduleTerms

    public init(terms: LoanScheduleTerms) {
        precondition(terms.numberOfRepayments > 0, "a schedule needs at least one repayment")
        precondition(terms.repayEvery > 0, "repayments must be at least one period apart")
        precondition(terms.principal > 0, "a loan's principal must be positive")
        self.terms = terms
    }

    /// The schedule's installments in order.
    public func generate() -> [Installment] {
        let periods = self.periods()
        switch self.terms.interestMethod {
        case .decliningBalance: return self.decliningBalance(periods)
        case .flat: return self.flat(periods)
        }
    }

    /// The due date of every installment: whole periods counted from the disbursement date, so a
    /// month-end start keeps its day wherever the month allows it.
    public func dueDates() -> [LocalDate] {
        (1...self.terms.numberOfRepayments).map { index in
            self.terms.repaymentFrequency.advance(self.terms.disbursementDate, by: index * self.terms.repayEvery)
        }
    }

    // MARK: - Methods

    private func periods() -> [(from: LocalDate, due: LocalDate)] {
        var from = self.terms.disbursementDate
        return self.dueDates().map { due in
            defer { from = due }
            return (from, due)
        }
    }

    private func decliningBalance(_ periods: [(from: LocalDate, due: LocalDate)]) -> [Installment] {
        let count = periods.count
        let equalPrincipal = self.money(self.context(self.terms.principal / Decimal(count)))
        let installmentAmount = self.equalInstallment(rate: self.periodRate(from: periods[0].from, to: periods[0].due))
        var balance = self.terms.principal
        var installments: [Installment] = []
        for (index, period) in periods.enumerated() {
            let rate = self.periodRate(from: period.from, to: period.due)
            let interest = self.money(self.context(balance * rate))
            var principal: Decimal
            switch self.terms.amortization {
            case .equalInstallments: principal = installmentAmount - interest
            case .equalPrincipal: principal = equalPrincipal
            }
            if index == count - 1 || principal > balance {
                principal = balance
            }
            principal = max(principal, 0)
            balance -= principal
            installments.append(
                Installment(
                    number: index + 1,
                    fromDate: period.from,
                    dueDate: period.due,
                    principal: principal,
                    interest: interest,
                    outstandingAfter: balance
                )
            )
        }
        return installments
    }

    private func flat(_ periods: [(from: LocalDate, due: LocalDate)]) -> [Installment] {
        let count = Decimal(periods.count)
        let principal = self.terms.principal
        let totalInterest = self.money(
            periods.reduce(Decimal(0)) { sum, period in
                sum + self.context(principal * self.periodRate(from: period.from, to: period.due))
            }
        )
        let principalShare = self.money(self.context(principal / count))
        let interestShare = self.money(self.context(totalInterest / count))
        var balance = principal
        var interestLeft = totalInterest
        var installments: [Installment] = []
        for (index, period) in periods.enumerated() {
            let isLast = index == periods.count - 1
            let principalPart = isLast ? balance : min(principalShare, balance)
            let interestPart = isLast ? interestLeft : min(interestShare, interestLeft)
            balance -= principalPart
            interestLeft -= interestPart
            installments.append(
                Installment(
                    number: index + 1,
                    fromDate: period.from,
                    dueDate: period.due,
                    principal: principalPart,
                    interest: interestPart,
                    outstandingAfter: balance
                )
            )
        }
        return installments
    }

    /// The equal installment (EMI) for the whole principal over every repayment at `rate`.
    private func equalInstallment(rate: Decimal) -> Decimal {
        let count = self.terms.numberOfRepayments
        guard rate > 0 else {
            return self.money(self.context(self.terms.principal / Decimal(count)))
        }
        var growth = Decimal(1)
        for _ in 0..<count {
            growth = self.context(growth * (1 + rate))
        }
        let numerator = self.context(self.context(self.terms.principal * rate) * growth)
        return self.money(self.context(numerator / (growth - 1)))
    }

    func money(_ amount: Decimal) -> Decimal {
        self.terms.currency.money(amount, rounding: self.terms.roundingMode)
    }

    /// `amount` cut to the 19 significant digits of Fineract's arithmetic context.
    func context(_ amount: Decimal) -> Decimal {
        amount.rounded(significantDigits: Self.significantDigits, self.terms.roundingMode)
    }
}
