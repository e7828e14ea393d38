import FineractDomain
import Foundation

/// Schedules shared by the loan rule tests.
enum LoanFixtures {
    static let eur = Currency(code: "EUR", digits: 2)

    static func date(_ text: String) -> LocalDate {
        LocalDate(text)!
    }

    /// L1's schedule (8000 EUR, 10 %, 4 months from 2023-01-01) as stored rows with ids 1 to 4,
    /// nothing paid and nothing accrued.
    static var goldenL1: [LoanInstallment] {
        [
            ("2023-01-01", "2023-02-01", "1975.17", "66.67"),
            ("2023-02-01", "2023-03-01", "1991.63", "50.21"),
            ("2023-03-01", "2023-04-01", "2008.23", "33.61"),
            ("2023-04-01", "2023-05-01", "2024.97", "16.87"),
        ].enumerated().map { index, row in
            LoanInstallment(
                id: Int64(index + 1),
                number: index + 1,
                fromDate: date(row.0),
                dueDate: date(row.1),
                principal: dec(row.2),
                interest: dec(row.3)
            )
        }
    }

    /// `installments` with the accrued figures of `result` written back, as the writer does.
    static func applying(_ result: PeriodicAccrualResult, to installments: [LoanInstallment]) -> [LoanInstallment] {
        installments.map { installment in
            guard let totals = result.installments.first(where: { $0.installmentID == installment.id }) else {
                return installment
            }
            var updated = installment
            updated.accruedInterest = totals.accruedInterest
            updated.accruedFee = totals.accruedFee
            updated.accruedPenalty = totals.accruedPenalty
            return updated
        }
    }
}
