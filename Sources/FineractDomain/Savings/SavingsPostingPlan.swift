public import Foundation

/// What a posting run must write for one account: Fineract's "one posting per posting date,
/// compare and correct" rule, which is what makes the run safe to repeat.
///
/// For every period whose posting date has come, the live interest posting on that date is looked
/// up. None: a new posting is inserted. One with the same signed amount: it stays. One with another
/// amount (a backdated transaction changed the period's interest): it is reversed and a corrected
/// posting inserted. Live postings on other dates are left alone, as Fineract leaves them.
public struct SavingsPostingPlan: Sendable, Hashable {
    /// A posting to insert.
    public struct Posting: Sendable, Hashable {
        public var date: LocalDate
        /// Interest posting (3) for interest earned, overdraft interest (17) for interest owed.
        public var type: SavingsTransactionType
        /// Positive, rounded to the currency.
        public var amount: Decimal

        public init(date: LocalDate, type: SavingsTransactionType, amount: Decimal) {
            self.date = date
            self.type = type
            self.amount = amount
        }

        /// The posting for a period's signed interest. A zero amount is still posted, as an
        /// interest posting, as Fineract's code does: see `make(periods:dueBy:existing:)`.
        init(date: LocalDate, signedAmount: Decimal) {
            self.date = date
            self.type = signedAmount < 0 ? .overdraftInterest : .interestPosting
            self.amount = abs(signedAmount)
        }
    }

    /// A live posting whose amount is wrong, and the posting that replaces it.
    public struct Correction: Sendable, Hashable {
        public var reversedTransactionID: Int64
        public var replacement: Posting

        public init(reversedTransactionID: Int64, replacement: Posting) {
            self.reversedTransactionID = reversedTransactionID
            self.replacement = replacement
        }
    }

    /// Postings for periods that had none.
    public var insertions: [Posting]
    /// Postings to reverse and replace.
    public var corrections: [Correction]
    /// Ids of live postings that already carry the right amount.
    public var unchanged: [Int64]

    public init(insertions: [Posting] = [], corrections: [Correction] = [], unchanged: [Int64] = []) {
        self.insertions = insertions
        self.corrections = corrections
        self.unchanged = unchanged
    }

    /// Whether the run writes nothing for this account.
    public var isEmpty: Bool { self.insertions.isEmpty && self.corrections.isEmpty }

    /// Every posting the plan inserts, new and corrected, by date.
    public var postingsToInsert: [Posting] {
        (self.insertions + self.corrections.map(\.replacement)).sorted { $0.date < $1.date }
    }

    /// Compares the periods due by `businessDate` with the account's live postings.
    ///
    /// A period earning exactly zero is posted as 0.00. Fineract's posting code creates a posting
    /// whenever the period's interest is zero or more, and the Mifos design it descends from says
    /// so ("we post interest even if the calculated interest is zero"); no Fineract test asserts
    /// it. We follow the code so that `interest_posted_till_date` advances for every account the
    /// job covers, and an account without a posting for a past period stands out as one the job
    /// missed rather than one that earned nothing.
    ///
    /// - Parameters:
    ///   - periods: the account's calculated posting periods.
    ///   - businessDate: periods posted on or before this date are due.
    ///   - existing: the account's transactions; only live interest and overdraft interest
    ///     postings matter.
    public static func make(
        periods: [SavingsInterestCalculation.Period],
        dueBy businessDate: LocalDate,
        existing: [SavingsTransaction]
    ) -> SavingsPostingPlan {
        var livePostings: [LocalDate: SavingsTransaction] = [:]
        for transaction in existing where transaction.isLive && transaction.type.isInterestPosting {
            // Two live postings on one date cannot exist (a unique index refuses them); should one
            // slip in, the older is the one compared, as Fineract takes the first it finds.
            if let known = livePostings[transaction.date], known.id < transaction.id {
                continue
            }
            livePostings[transaction.date] = transaction
        }
        var plan = SavingsPostingPlan()
        for period in periods where period.postingDate <= businessDate {
            let posting = Posting(date: period.postingDate, signedAmount: period.amount)
            guard let current = livePostings[period.postingDate] else {
                plan.insertions.append(posting)
                continue
            }
            if current.signedInterestAmount == period.amount {
                plan.unchanged.append(current.id)
            } else {
                plan.corrections.append(Correction(reversedTransactionID: current.id, replacement: posting))
            }
        }
        return plan
    }
}
