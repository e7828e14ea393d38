import FineractDomain
import Foundation
import Testing

/// Posting and compounding period boundaries (steps B and C), worked out from Fineract's
/// `SavingsHelper` and `PostingPeriod` date rules.
@Suite struct SavingsPeriodTests {
    typealias Support = SavingsTestSupport

    static func ranges(_ pairs: [(String, String)]) -> [ClosedRange<LocalDate>] {
        pairs.map { Support.date($0.0)...Support.date($0.1) }
    }

    @Test func postingPeriodsOfEveryKind() {
        let settings = SavingsInterestSettings()
        func periods(_ period: SavingsInterestTerms.PostingPeriod, _ from: String, _ to: String) -> [ClosedRange<
            LocalDate
        >] {
            SavingsPostingPeriods.periods(
                from: Support.date(from),
                through: Support.date(to),
                period: period,
                settings: settings
            )
        }
        #expect(
            periods(.daily, "2024-02-28", "2024-03-01")
                == Self.ranges([
                    ("2024-02-28", "2024-02-28"), ("2024-02-29", "2024-02-29"), ("2024-03-01", "2024-03-01"),
                ])
        )
        // Generation stops after the period holding the calculation date.
        #expect(
            periods(.monthly, "2024-01-15", "2024-02-01")
                == Self.ranges([("2024-01-15", "2024-01-31"), ("2024-02-01", "2024-02-29")])
        )
        #expect(
            periods(.quarterly, "2024-02-10", "2024-04-01")
                == Self.ranges([("2024-02-10", "2024-03-31"), ("2024-04-01", "2024-06-30")])
        )
        #expect(
            periods(.biAnnual, "2024-08-01", "2025-01-01")
                == Self.ranges([("2024-08-01", "2024-12-31"), ("2025-01-01", "2025-06-30")])
        )
        #expect(
            periods(.annual, "2023-12-31", "2024-01-01")
                == Self.ranges([("2023-12-31", "2023-12-31"), ("2024-01-01", "2024-12-31")])
        )
    }

    /// A quarterly posting period starting on a quarter end runs to the next one (Fineract looks
    /// for the first boundary strictly after the start), while a compounding quarter starting on its
    /// last day ends that day.
    @Test func aPeriodStartingOnABoundary() {
        let settings = SavingsInterestSettings()
        let posting = SavingsPostingPeriods.periods(
            from: Support.date("2024-03-31"),
            through: Support.date("2024-03-31"),
            period: .quarterly,
            settings: settings
        )
        #expect(posting == Self.ranges([("2024-03-31", "2024-06-30")]))
        let compounding = SavingsCompoundingPeriods.periods(in: posting[0], compounding: .quarterly, settings: settings)
        #expect(compounding == Self.ranges([("2024-03-31", "2024-03-31"), ("2024-04-01", "2024-06-30")]))
    }

    @Test func financialYearMovesQuartersHalvesAndYears() {
        // Beginning in April: quarters end Jun, Sep, Dec, Mar; halves Sep and Mar; years in March.
        let settings = SavingsInterestSettings(financialYearBeginningMonth: 4)
        func periods(_ period: SavingsInterestTerms.PostingPeriod, _ from: String, _ to: String) -> [ClosedRange<
            LocalDate
        >] {
            SavingsPostingPeriods.periods(
                from: Support.date(from),
                through: Support.date(to),
                period: period,
                settings: settings
            )
        }
        #expect(
            periods(.quarterly, "2024-01-01", "2024-04-01")
                == Self.ranges([("2024-01-01", "2024-03-31"), ("2024-04-01", "2024-06-30")])
        )
        #expect(
            periods(.biAnnual, "2024-10-05", "2025-04-01")
                == Self.ranges([("2024-10-05", "2025-03-31"), ("2025-04-01", "2025-09-30")])
        )
        #expect(
            periods(.annual, "2024-05-01", "2025-04-01")
                == Self.ranges([("2024-05-01", "2025-03-31"), ("2025-04-01", "2026-03-31")])
        )
        let halves = SavingsCompoundingPeriods.periods(
            in: Support.date("2024-01-01")...Support.date("2024-12-31"),
            compounding: .biAnnual,
            settings: settings
        )
        #expect(
            halves
                == Self.ranges([
                    ("2024-01-01", "2024-03-31"), ("2024-04-01", "2024-09-30"), ("2024-10-01", "2024-12-31"),
                ])
        )
    }

    @Test func compoundingPeriodsCutAtThePostingPeriodEnd() {
        let settings = SavingsInterestSettings()
        let period = Support.date("2024-01-15")...Support.date("2024-03-31")
        let monthly = SavingsCompoundingPeriods.periods(in: period, compounding: .monthly, settings: settings)
        #expect(
            monthly
                == Self.ranges([
                    ("2024-01-15", "2024-01-31"), ("2024-02-01", "2024-02-29"), ("2024-03-01", "2024-03-31"),
                ])
        )
        #expect(SavingsCompoundingPeriods.periods(in: period, compounding: .daily, settings: settings) == [period])
        let cut = Support.date("2024-01-01")...Support.date("2024-01-15")
        #expect(!SavingsCompoundingPeriods.compoundsAtEnd(of: cut, compounding: .monthly, settings: settings))
        #expect(SavingsCompoundingPeriods.compoundsAtEnd(of: cut, compounding: .daily, settings: settings))
        #expect(SavingsCompoundingPeriods.compoundsAtEnd(of: monthly[1], compounding: .monthly, settings: settings))
    }

    @Test func postingDateIsTheDayAfterOrThePeriodEnd() {
        let period = Support.date("2024-01-01")...Support.date("2024-01-31")
        #expect(
            SavingsPostingPeriods.postingDate(of: period, settings: SavingsInterestSettings())
                == Support.date("2024-02-01")
        )
        #expect(
            SavingsPostingPeriods.postingDate(of: period, settings: SavingsInterestSettings(postsOnPeriodEnd: true))
                == Support.date("2024-01-31")
        )
    }

    @Test func compoundingLongerThanPostingIsRefused() {
        let terms = Support.terms(compounding: .quarterly, posting: .monthly)
        #expect(throws: SavingsInterestError.self) {
            try Support.calculate(terms, [], start: "2024-01-01", through: "2024-02-01")
        }
    }
}
