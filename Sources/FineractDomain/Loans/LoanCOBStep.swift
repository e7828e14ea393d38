/// The loan COB business steps this service implements, by their `m_batch_business_steps` names.
///
/// Fineract runs the steps configured for `LOAN_CLOSE_OF_BUSINESS` in `step_order`, skipping
/// names it has no implementation for; so do we.
public enum LoanCOBStep: String, Sendable, CaseIterable {
    case applyChargeToOverdueLoans = "APPLY_CHARGE_TO_OVERDUE_LOANS"
    case loanDelinquencyClassification = "LOAN_DELINQUENCY_CLASSIFICATION"
    case checkLoanRepaymentDue = "CHECK_LOAN_REPAYMENT_DUE"
    case checkLoanRepaymentOverdue = "CHECK_LOAN_REPAYMENT_OVERDUE"
    case updateLoanArrearsAging = "UPDATE_LOAN_ARREARS_AGING"
    case addPeriodicAccrualEntries = "ADD_PERIODIC_ACCRUAL_ENTRIES"

    /// The `job_name` of the loan COB's rows in `m_batch_business_steps`.
    public static let jobName = "LOAN_CLOSE_OF_BUSINESS"

    /// Fineract's seeded order.
    public static let defaultOrder: [LoanCOBStep] = LoanCOBStep.allCases
}

/// A COB step that failed for one loan, and why.
public struct LoanStepFailure: Error, Sendable, CustomStringConvertible {
    public var step: LoanCOBStep
    public var cause: any Error

    public init(step: LoanCOBStep, cause: any Error) {
        self.step = step
        self.cause = cause
    }

    public var description: String { "step \(self.step.rawValue) failed: \(self.cause)" }
}
