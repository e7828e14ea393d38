import Foundation

/// Step A of the interest calculation: the account's end-of-day balances.
///
/// Every live transaction other than an interest posting starts a segment that holds until the
/// next such transaction, the last one through the calculation date inclusive. Only deposits and
/// dividends add to the balance and only withdrawals and fees take from it; posted interest is left
/// out, since compounding carries earned interest on its own.
public enum SavingsDailyBalances {
    /// The segments of an account's history up to `calculationDate`.
    ///
    /// Transactions dated after the calculation date are not part of it. When the balance before a
    /// debit is zero or negative and the account may not be overdrawn, the debit leaves the
    /// account's running balance after it (which counts posted interest) as Fineract does.
    ///
    /// - Parameters:
    ///   - transactions: the account's transactions, in any order, reversed ones included.
    ///   - allowOverdraft: whether the account may be overdrawn.
    ///   - currency: the account's currency; balances are money, rounded to it at every step as
    ///     Fineract's `Money` arithmetic does.
    ///   - rounding: the tenant's rounding mode.
    ///   - calculationDate: the last day interest is calculated for.
    public static func segments(
        of transactions: [SavingsTransaction],
        allowOverdraft: Bool,
        currency: Currency,
        rounding: MoneyRoundingMode,
        through calculationDate: LocalDate
    ) -> [SavingsBalanceSegment] {
        let history = transactions.filter { $0.isLive && $0.date <= calculationDate }
            .sorted(by: SavingsTransaction.historyOrder)
        var running = Decimal.zero
        var movements: [(transaction: SavingsTransaction, runningBalance: Decimal)] = []
        movements.reserveCapacity(history.count)
        for transaction in history {
            running = SavingsRunningBalances.apply(transaction, to: running, currency: currency, rounding: rounding)
            if !transaction.type.isInterestPosting {
                movements.append((transaction, running))
            }
        }
        var segments: [SavingsBalanceSegment] = []
        segments.reserveCapacity(movements.count)
        var balance = Decimal.zero
        for (index, movement) in movements.enumerated() {
            let transaction = movement.transaction
            switch transaction.type.interestBalanceEffect {
            case .credit:
                balance = currency.money(balance + transaction.amount, rounding: rounding)
            case .debit:
                balance =
                    balance > 0 || allowOverdraft
                    ? currency.money(balance - transaction.amount, rounding: rounding) : movement.runningBalance
            case .none:
                break
            }
            let lastDay =
                index + 1 < movements.count ? movements[index + 1].transaction.date.adding(days: -1) : calculationDate
            let days = max(0, transaction.date.days(to: lastDay) + 1)
            segments.append(SavingsBalanceSegment(start: transaction.date, balance: balance, days: days))
        }
        return segments
    }
}

/// Hands out an account's segments posting period by posting period, in order, without scanning
/// the whole history for each period (daily posting over years of history would make that
/// quadratic).
struct SavingsSegmentWindow {
    private let segments: [SavingsBalanceSegment]
    /// The first segment that may still hold on a later period: all before it end earlier.
    private var next = 0

    init(_ segments: [SavingsBalanceSegment]) {
        self.segments = segments
    }

    /// The segments that hold within `period`, cut to it and to the calculation date. Periods must
    /// come in order.
    ///
    /// A period no segment reaches (one before the first transaction) gets a single segment at
    /// the balance carried into it, as Fineract gives such a period.
    mutating func segments(
        within period: ClosedRange<LocalDate>,
        through calculationDate: LocalDate
    ) -> [SavingsBalanceSegment] {
        let lastDay = min(period.upperBound, calculationDate)
        guard period.lowerBound <= lastDay else { return [] }
        let window = period.lowerBound...lastDay
        // A segment's last day (its date, for a zero-day segment) never decreases along the history.
        while self.next < self.segments.count,
            max(self.segments[self.next].lastDay, self.segments[self.next].start)
                < period.lowerBound
        {
            self.next += 1
        }
        var cropped: [SavingsBalanceSegment] = []
        var index = self.next
        while index < self.segments.count, self.segments[index].start <= lastDay {
            if let segment = self.segments[index].cropped(to: window) {
                cropped.append(segment)
            }
            index += 1
        }
        if !cropped.isEmpty {
            return cropped
        }
        let carried = self.next > 0 ? self.segments[self.next - 1].balance : .zero
        return [
            SavingsBalanceSegment(
                start: period.lowerBound,
                balance: carried,
                days: period.lowerBound.days(to: lastDay) + 1
            )
        ]
    }
}
