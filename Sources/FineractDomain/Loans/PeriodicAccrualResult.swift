public import Foundation

/// What a periodic accrual run decided for one loan.
public struct PeriodicAccrualResult: Sendable, Hashable {
    /// One accrual transaction (type 10): everything accrued for the loan on one date.
    public struct Posting: Sendable, Hashable {
        public var date: LocalDate
        public var interest: Decimal
        public var fee: Decimal
        public var penalty: Decimal

        public init(date: LocalDate, interest: Decimal, fee: Decimal, penalty: Decimal) {
            self.date = date
            self.interest = interest
            self.fee = fee
            self.penalty = penalty
        }

        public var amount: Decimal { self.interest + self.fee + self.penalty }

        mutating func add(interest: Decimal, fee: Decimal, penalty: Decimal) {
            self.interest += interest
            self.fee += fee
            self.penalty += penalty
        }
    }

    /// The new cumulative `accrual_*_derived` figures of a schedule row that accrued something.
    public struct InstallmentTotals: Sendable, Hashable {
        public var installmentID: Int64
        public var accruedInterest: Decimal
        public var accruedFee: Decimal
        public var accruedPenalty: Decimal

        public init(installmentID: Int64, accruedInterest: Decimal, accruedFee: Decimal, accruedPenalty: Decimal) {
            self.installmentID = installmentID
            self.accruedInterest = accruedInterest
            self.accruedFee = accruedFee
            self.accruedPenalty = accruedPenalty
        }
    }

    /// The accrual transactions to post, by date; empty when there is nothing new to accrue.
    public var postings: [Posting]
    /// The schedule rows whose accrued figures change.
    public var installments: [InstallmentTotals]
    /// The loan's new `accrued_till`: the till date once anything was accrued, never earlier
    /// than before.
    public var accruedTill: LocalDate?

    public init(postings: [Posting], installments: [InstallmentTotals], accruedTill: LocalDate?) {
        self.postings = postings
        self.installments = installments
        self.accruedTill = accruedTill
    }

    /// Everything accrued by this run.
    public var totalAmount: Decimal {
        self.postings.reduce(0) { $0 + $1.amount }
    }
}
