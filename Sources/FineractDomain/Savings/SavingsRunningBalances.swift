public import Foundation

/// The balance fields Fineract derives on every savings transaction and on the account, recomputed
/// after a posting run (`recalculateDailyBalances` and the account summary).
public struct SavingsRunningBalances: Sendable, Hashable {
    /// The derived columns of one transaction row. All nil for a reversed row; only the running
    /// balance for a live interest posting; all four for the other live rows.
    public struct Derived: Sendable, Hashable {
        public var transactionID: Int64
        /// `running_balance_derived`: the account balance after the transaction.
        public var runningBalance: Decimal?
        /// `balance_end_date_derived`: the last day the balance after the transaction held.
        public var balanceEndDate: LocalDate?
        /// `balance_number_of_days_derived`: how many days it held (zero when another transaction
        /// followed the same day).
        public var numberOfDays: Int?
        /// `cumulative_balance_derived`: the running balance times those days, as money.
        public var cumulativeBalance: Decimal?

        public init(
            transactionID: Int64,
            runningBalance: Decimal? = nil,
            balanceEndDate: LocalDate? = nil,
            numberOfDays: Int? = nil,
            cumulativeBalance: Decimal? = nil
        ) {
            self.transactionID = transactionID
            self.runningBalance = runningBalance
            self.balanceEndDate = balanceEndDate
            self.numberOfDays = numberOfDays
            self.cumulativeBalance = cumulativeBalance
        }
    }

    /// Per transaction, in history order (reversed rows last).
    public var derived: [Derived]
    /// `account_balance_derived`: the running balance after the last live transaction.
    public var accountBalance: Decimal
    /// `total_interest_posted_derived`: all live interest postings.
    public var totalInterestPosted: Decimal
    /// `total_overdraft_interest_derived`: all live overdraft interest.
    public var totalOverdraftInterest: Decimal
    /// `interest_posted_till_date`: the date of the latest live posting, nil before the first.
    public var interestPostedTillDate: LocalDate?

    /// Recomputes the derived fields of an account's transactions.
    ///
    /// - Parameters:
    ///   - transactions: the whole history after the run's postings, reversed rows included.
    ///   - businessDate: the last transaction's balance holds through this date.
    ///   - currency: balances are money in this currency, rounded at every step.
    ///   - rounding: the tenant's rounding mode.
    public init(
        transactions: [SavingsTransaction],
        through businessDate: LocalDate,
        currency: Currency,
        rounding: MoneyRoundingMode
    ) {
        let live = transactions.filter(\.isLive).sorted(by: SavingsTransaction.historyOrder)
        var derived: [Derived] = []
        derived.reserveCapacity(transactions.count)
        var running = Decimal.zero
        var interestPosted = Decimal.zero
        var overdraftInterest = Decimal.zero
        var postedTill: LocalDate?
        for transaction in live {
            running = Self.apply(transaction, to: running, currency: currency, rounding: rounding)
            derived.append(Derived(transactionID: transaction.id, runningBalance: running))
            if transaction.type == .interestPosting {
                interestPosted = currency.money(interestPosted + transaction.amount, rounding: rounding)
            } else if transaction.type == .overdraftInterest {
                overdraftInterest = currency.money(overdraftInterest + transaction.amount, rounding: rounding)
            }
            if transaction.type.isInterestPosting {
                postedTill = max(postedTill ?? transaction.date, transaction.date)
            }
        }
        // Balance periods run backwards from the business date; interest postings are not part of
        // them, as they are not part of the balance interest is calculated on.
        var endOfBalance = businessDate
        for index in derived.indices.reversed() where !live[index].type.isInterestPosting {
            let transaction = live[index]
            let days = max(0, transaction.date.days(to: endOfBalance) + 1)
            derived[index].balanceEndDate = max(endOfBalance, transaction.date)
            derived[index].numberOfDays = days
            derived[index].cumulativeBalance = currency.money(
                (derived[index].runningBalance ?? 0) * Decimal(days),
                rounding: rounding
            )
            endOfBalance = transaction.date.adding(days: -1)
        }
        for transaction in transactions where transaction.isReversed {
            derived.append(Derived(transactionID: transaction.id))
        }
        self.derived = derived
        self.accountBalance = running
        self.totalInterestPosted = interestPosted
        self.totalOverdraftInterest = overdraftInterest
        self.interestPostedTillDate = postedTill
    }

    /// The running balance after `transaction`: credits add, debits subtract, as money.
    public static func apply(
        _ transaction: SavingsTransaction,
        to balance: Decimal,
        currency: Currency,
        rounding: MoneyRoundingMode
    ) -> Decimal {
        switch transaction.type.runningBalanceEffect {
        case .credit:
            currency.money(balance + currency.money(transaction.amount, rounding: rounding), rounding: rounding)
        case .debit:
            currency.money(balance - currency.money(transaction.amount, rounding: rounding), rounding: rounding)
        case .none:
            balance
        }
    }
}
