import Foundation

/// The LOAN_DELINQUENCY_CLASSIFICATION step: which delinquency range a loan falls in, and how
/// its tag history changes, Fineract's `LoanDelinquencyDomainServiceImpl`.
///
/// The step runs with the business date, one day after the COB date. The loan is overdue since
/// the due date of its oldest unpaid installment due before that date; its delinquent days are
/// the days since then less the grace on arrears ageing. A loan with a positive count falls in
/// the first range (ordered by minimum age) whose bounds hold it, a missing maximum being open
/// ended. The open tag changes only when the range does: the same range is left alone, a new
/// range lifts the old tag and opens a new one, and a loan no longer delinquent has its tag
/// lifted, all dated the business date.
public struct DelinquencyClassifier: Sendable {
    /// One range of a delinquency bucket (`m_delinquency_range`).
    public struct Range: Sendable, Hashable {
        public var id: Int64
        public var classification: String
        public var minimumAgeDays: Int
        /// Nil for the open-ended last range.
        public var maximumAgeDays: Int?

        public init(id: Int64, classification: String, minimumAgeDays: Int, maximumAgeDays: Int?) {
            self.id = id
            self.classification = classification
            self.minimumAgeDays = minimumAgeDays
            self.maximumAgeDays = maximumAgeDays
        }

        public func contains(days: Int) -> Bool {
            days >= self.minimumAgeDays && (self.maximumAgeDays.map { days <= $0 } ?? true)
        }
    }

    /// How the loan's open delinquency tag changes.
    public enum Transition: Sendable, Hashable {
        /// The open tag (or its absence) already matches.
        case unchanged
        /// Open a tag for the range; the loan had none.
        case add(rangeID: Int64)
        /// Lift the open tag and open one for the new range.
        case change(fromRangeID: Int64, toRangeID: Int64)
        /// Lift the open tag; the loan is no longer delinquent.
        case lift(rangeID: Int64)
    }

    /// The bucket's ranges, in any order.
    public var ranges: [Range]
    /// The loan's grace on arrears ageing, days.
    public var graceDays: Int

    public init(ranges: [Range], graceDays: Int = 0) {
        self.ranges = ranges.sorted { $0.minimumAgeDays < $1.minimumAgeDays }
        self.graceDays = graceDays
    }

    /// The date the oldest unpaid installment due before `businessDate` fell due.
    public static func overdueSince(_ installments: [LoanInstallment], businessDate: LocalDate) -> LocalDate? {
        installments.filter { !$0.isCompleted && $0.totalOutstanding > 0 && $0.dueDate < businessDate }
            .map(\.dueDate).min()
    }

    /// Days past due less the grace; zero or negative means not delinquent.
    public func delinquentDays(_ installments: [LoanInstallment], businessDate: LocalDate) -> Int {
        guard let since = Self.overdueSince(installments, businessDate: businessDate) else { return 0 }
        return since.days(to: businessDate) - self.graceDays
    }

    /// The range for `delinquentDays`, or nil when the loan is not delinquent or no range holds it.
    public func range(forDelinquentDays days: Int) -> Range? {
        guard days > 0 else { return nil }
        return self.ranges.first { $0.contains(days: days) }
    }

    /// The change to the tag history at `businessDate` (the COB date plus one day).
    public func transition(
        _ installments: [LoanInstallment],
        openRangeID: Int64?,
        businessDate: LocalDate
    ) -> Transition {
        let target = self.range(forDelinquentDays: self.delinquentDays(installments, businessDate: businessDate))
        switch (openRangeID, target?.id) {
        case (nil, nil): return .unchanged
        case (nil, let new?): return .add(rangeID: new)
        case (let old?, nil): return .lift(rangeID: old)
        case (let old?, let new?): return old == new ? .unchanged : .change(fromRangeID: old, toRangeID: new)
        }
    }
}
