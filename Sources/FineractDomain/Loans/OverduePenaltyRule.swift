public import Foundation

/// The APPLY_CHARGE_TO_OVERDUE_LOANS step: which penalties a COB date charges to a loan's
/// overdue installments, Fineract's `applyChargeToOverdueLoanInstallment`.
///
/// An unpaid installment is penalty-due once `penalty-wait-period` days have passed since its
/// due date (`cobDate − dueDate ≥ wait`); with `backdate-penalties-enabled` off only the
/// installment that reaches the wait on exactly this date is charged. Each product charge with
/// charge time OVERDUE_INSTALLMENT (9) then applies once, or once per elapsed `fee_interval` ×
/// `fee_frequency` when it recurs. Application `k` starts at `start_k`, with
/// `start_1 = dueDate + wait + 1` and each later start one frequency after the one before, and
/// it is dated `start_k − max(wait + 1 − grace, 1)` (grace = `grace-on-penalty-posting`); a
/// recurring charge applies only the starts on or before the COB date. With the defaults
/// (wait 2, grace 0) a one-off penalty is dated the installment's due date. Applications whose
/// frequency number the installment already has are skipped, which makes the step idempotent.
public struct OverduePenaltyRule: Sendable {
    /// A product's overdue-installment charge (`m_charge` with `charge_time_enum = 9`).
    public struct Charge: Sendable, Hashable {
        /// `charge_calculation_enum`.
        public enum Calculation: Int, Sendable {
            case flat = 1
            case percentOfAmount = 2
            case percentOfAmountAndInterest = 3
            case percentOfInterest = 4
        }

        public var id: Int64
        /// The flat amount, or the percentage for the percentage calculations.
        public var amount: Decimal
        /// The raw `charge_calculation_enum`; checked when the charge is applied.
        public var calculationCode: Int
        /// `fee_frequency`; nil for a one-off penalty.
        public var frequency: LoanScheduleTerms.PeriodFrequency?
        /// `fee_interval`: frequencies between two applications of a recurring penalty.
        public var interval: Int?

        public init(
            id: Int64,
            amount: Decimal,
            calculationCode: Int = Calculation.flat.rawValue,
            frequency: LoanScheduleTerms.PeriodFrequency? = nil,
            interval: Int? = nil
        ) {
            self.id = id
            self.amount = amount
            self.calculationCode = calculationCode
            self.frequency = frequency
            self.interval = interval
        }
    }

    /// An application already recorded in `m_loan_overdue_installment_charge`.
    public struct Application: Sendable, Hashable {
        public var installmentID: Int64
        public var chargeID: Int64
        public var frequencyNumber: Int

        public init(installmentID: Int64, chargeID: Int64, frequencyNumber: Int) {
            self.installmentID = installmentID
            self.chargeID = chargeID
            self.frequencyNumber = frequencyNumber
        }
    }

    /// A penalty to charge: a new `m_loan_charge` linked to its installment.
    public struct Penalty: Sendable, Hashable {
        public var installmentID: Int64
        public var installmentNumber: Int
        public var chargeID: Int64
        public var frequencyNumber: Int
        /// The charge's `due_for_collection_as_of_date`.
        public var dueDate: LocalDate
        public var amount: Decimal
    }

    /// `penalty-wait-period`, days (Fineract's default 2).
    public var waitPeriod: Int
    /// `grace-on-penalty-posting`, days (default 0).
    public var graceOnPosting: Int
    /// `backdate-penalties-enabled` (default on).
    public var backdatesPenalties: Bool
    public var currency: Currency
    public var roundingMode: MoneyRoundingMode

    public init(
        waitPeriod: Int = 2,
        graceOnPosting: Int = 0,
        backdatesPenalties: Bool = true,
        currency: Currency,
        roundingMode: MoneyRoundingMode = .fineractDefault
    ) {
        self.waitPeriod = waitPeriod
        self.graceOnPosting = graceOnPosting
        self.backdatesPenalties = backdatesPenalties
        self.currency = currency
        self.roundingMode = roundingMode
    }

    /// Whether `installment` is charged penalties at `cobDate`.
    public func isPenaltyDue(_ installment: LoanInstallment, cobDate: LocalDate) -> Bool {
        guard !installment.isCompleted else { return false }
        let waitReached = cobDate.adding(days: -self.waitPeriod)
        return self.backdatesPenalties ? installment.dueDate <= waitReached : installment.dueDate == waitReached
    }

    /// The penalties `cobDate` adds, in installment order, then charge, then frequency number.
    ///
    /// - Throws: `LoanRuleError` for a charge whose calculation cannot apply to an installment,
    ///   or a recurring charge without a positive interval.
    public func penalties(
        for installments: [LoanInstallment],
        charges: [Charge],
        applied: Set<Application>,
        cobDate: LocalDate
    ) throws -> [Penalty] {
        guard !charges.isEmpty else { return [] }
        var penalties: [Penalty] = []
        for installment in installments.sorted(by: { $0.number < $1.number })
        where self.isPenaltyDue(installment, cobDate: cobDate) {
            for charge in charges {
                let amount = try self.amount(of: charge, on: installment)
                guard amount != 0 else { continue }
                for (number, date) in try self.applicationDates(
                    of: charge,
                    dueDate: installment.dueDate,
                    cobDate: cobDate
                )
                where !applied.contains(
                    .init(installmentID: installment.id, chargeID: charge.id, frequencyNumber: number)
                ) {
                    penalties.append(
                        Penalty(
                            installmentID: installment.id,
                            installmentNumber: installment.number,
                            chargeID: charge.id,
                            frequencyNumber: number,
                            dueDate: date,
                            amount: amount
                        )
                    )
                }
            }
        }
        return penalties
    }

    /// The frequency numbers and charge dates of `charge` for an installment due on `dueDate`.
    public func applicationDates(
        of charge: Charge,
        dueDate: LocalDate,
        cobDate: LocalDate
    ) throws -> [(number: Int, date: LocalDate)] {
        let shift = max(self.waitPeriod + 1 - self.graceOnPosting, 1)
        var start = dueDate.adding(days: self.waitPeriod + 1)
        guard let frequency = charge.frequency else {
            return [(1, start.adding(days: -shift))]
        }
        guard let interval = charge.interval, interval > 0 else {
            throw LoanRuleError(
                code: "invalid_penalty_interval",
                message: "recurring penalty charge \(charge.id) has no positive fee interval"
            )
        }
        var dates: [(number: Int, date: LocalDate)] = []
        while start <= cobDate {
            dates.append((dates.count + 1, start.adding(days: -shift)))
            start = frequency.advance(start, by: interval)
        }
        return dates
    }

    private func amount(of charge: Charge, on installment: LoanInstallment) throws -> Decimal {
        guard let calculation = Charge.Calculation(rawValue: charge.calculationCode) else {
            throw LoanRuleError(
                code: "unsupported_charge_calculation",
                message:
                    "penalty charge \(charge.id) uses calculation \(charge.calculationCode), which cannot apply to an overdue installment"
            )
        }
        let base: Decimal
        switch calculation {
        case .flat: return self.currency.money(charge.amount, rounding: self.roundingMode)
        case .percentOfAmount: base = installment.principalOutstanding
        case .percentOfAmountAndInterest: base = installment.principalOutstanding + installment.interestOutstanding
        case .percentOfInterest: base = installment.interestOutstanding
        }
        return self.currency.money(base * charge.amount / 100, rounding: self.roundingMode)
    }
}
