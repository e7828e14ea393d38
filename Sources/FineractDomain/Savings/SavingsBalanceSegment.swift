public import Foundation

/// An end-of-day balance and the days it held: the unit interest is calculated on (Fineract's
/// `EndOfDayBalance`).
public struct SavingsBalanceSegment: Sendable, Hashable {
    /// The first day of the segment.
    public var start: LocalDate
    /// The balance that earns interest, which leaves posted interest out.
    public var balance: Decimal
    /// How many days the balance held; zero when another transaction followed on the same day.
    public var days: Int

    public init(start: LocalDate, balance: Decimal, days: Int) {
        precondition(days >= 0, "a balance cannot hold for \(days) days")
        self.start = start
        self.balance = balance
        self.days = days
    }

    /// The last day the balance held (the day before `start` when it held for no day).
    public var lastDay: LocalDate { self.start.adding(days: self.days - 1) }

    /// This segment cut to the days of `interval`, or nil when it holds on none of them.
    ///
    /// A zero-day segment belongs to the interval its date falls in, as Fineract keeps it there.
    func cropped(to interval: ClosedRange<LocalDate>) -> SavingsBalanceSegment? {
        guard self.days > 0 else {
            return interval.contains(self.start) ? self : nil
        }
        let first = max(self.start, interval.lowerBound)
        let last = min(self.lastDay, interval.upperBound)
        guard first <= last else { return nil }
        return SavingsBalanceSegment(start: first, balance: self.balance, days: first.days(to: last) + 1)
    }
}
