import FineractDomain
import Foundation
import Testing

/// Derived from §2.2 step 2 with the seeded bucket (1–3, 4–30, 31–60, 61–90, 91+); the
/// classification date is the COB date + 1. L1's installment 1 is due 2023-02-01.
@Suite struct DelinquencyClassifierTests {
    private let classifier = DelinquencyClassifier(
        ranges: [
            .init(id: 14, classification: "RANGE_5", minimumAgeDays: 91, maximumAgeDays: nil),
            .init(id: 10, classification: "RANGE_1", minimumAgeDays: 1, maximumAgeDays: 3),
            .init(id: 11, classification: "RANGE_2", minimumAgeDays: 4, maximumAgeDays: 30),
            .init(id: 12, classification: "RANGE_3", minimumAgeDays: 31, maximumAgeDays: 60),
            .init(id: 13, classification: "RANGE_4", minimumAgeDays: 61, maximumAgeDays: 90),
        ]
    )

    private func transition(cob: String, open: Int64?, installments: [LoanInstallment] = LoanFixtures.goldenL1)
        -> DelinquencyClassifier.Transition
    {
        self.classifier.transition(
            installments,
            openRangeID: open,
            businessDate: LoanFixtures.date(cob).adding(days: 1)
        )
    }

    /// COB 01-31 classifies at 02-01: the installment due that day is not yet overdue. COB 02-01
    /// classifies at 02-02: 1 day past due → RANGE_1 is added.
    @Test func addsTheFirstRangeTheDayAfterTheDueDate() {
        #expect(self.transition(cob: "2023-01-31", open: nil) == .unchanged)
        #expect(self.transition(cob: "2023-02-01", open: nil) == .add(rangeID: 10))
    }

    /// COB 02-02 (2 days, still RANGE_1) leaves the open tag alone; COB 02-04 (4 days) moves to
    /// RANGE_2; once installment 1 is paid the tag is lifted.
    @Test func sameRangeIsANoOpAndANewRangeOrNoneChangesTheTag() {
        #expect(self.transition(cob: "2023-02-02", open: 10) == .unchanged)
        #expect(self.transition(cob: "2023-02-04", open: 10) == .change(fromRangeID: 10, toRangeID: 11))
        var paid = LoanFixtures.goldenL1
        paid[0].isCompleted = true
        paid[0].principalOutstanding = 0
        paid[0].interestOutstanding = 0
        #expect(self.transition(cob: "2023-02-04", open: 11, installments: paid) == .lift(rangeID: 11))
    }

    /// The oldest unpaid installment counts: at COB 2023-05-31 (business date 06-01) installment 1
    /// is 120 days past due → the open-ended RANGE_5. With grace 3, COB 02-03 (3 days) is not
    /// delinquent and COB 02-04 (4 − 3 = 1) is RANGE_1.
    @Test func oldestInstallmentOpenEndedRangeAndGrace() {
        #expect(
            DelinquencyClassifier.overdueSince(LoanFixtures.goldenL1, businessDate: LoanFixtures.date("2023-06-01"))
                == LoanFixtures.date("2023-02-01")
        )
        #expect(self.transition(cob: "2023-05-31", open: 13) == .change(fromRangeID: 13, toRangeID: 14))
        let graced = DelinquencyClassifier(ranges: self.classifier.ranges, graceDays: 3)
        #expect(
            graced.transition(LoanFixtures.goldenL1, openRangeID: nil, businessDate: LoanFixtures.date("2023-02-04"))
                == .unchanged
        )
        #expect(
            graced.transition(LoanFixtures.goldenL1, openRangeID: nil, businessDate: LoanFixtures.date("2023-02-05"))
                == .add(rangeID: 10)
        )
    }
}
