import FineractDomain
import Foundation
import Testing

@Suite struct LoanScheduleGeneratorTests {
    private static let eur = Currency(code: "EUR", digits: 2)

    /// Golden case L1 (Fineract's `LoanInterestRecalculationCOBTest`, product `create4IProgressive`):
    /// 8000 EUR at 10 % a year, 4 monthly equal installments, declining balance, daily interest on
    /// 30-day months and a 360-day year, disbursed 2023-01-01.
    @Test func goldenCaseL1() {
        let terms = LoanScheduleTerms(
            principal: 8000,
            annualInterestRate: 10,
            interestMethod: .decliningBalance,
            interestCalculationPeriod: .daily,
            amortization: .equalInstallments,
            repaymentFrequency: .months,
            numberOfRepayments: 4,
            daysInYear: .days360,
            daysInMonth: .days30,
            disbursementDate: LocalDate(year: 2023, month: 1, day: 1),
            currency: Self.eur
        )
        let schedule = LoanScheduleGenerator(terms: terms).generate()
        #expect(schedule.map(\.dueDate.description) == ["2023-02-01", "2023-03-01", "2023-04-01", "2023-05-01"])
        #expect(schedule.map(\.principal) == [dec("1975.17"), dec("1991.63"), dec("2008.23"), dec("2024.97")])
        #expect(schedule.map(\.interest) == [dec("66.67"), dec("50.21"), dec("33.61"), dec("16.87")])
        #expect(schedule.map(\.total) == Array(repeating: dec("2041.84"), count: 4))
        #expect(schedule.map(\.outstandingAfter) == [dec("6024.83"), dec("4033.20"), dec("2024.97"), 0])
    }

    /// Derived (not a Fineract test): the same loan with interest "same as repayment period" gives
    /// L1's figures, since a month is 1/12 of the year either way: r = 10 / 12 / 100.
    @Test func monthlyRateSameAsRepaymentPeriodMatchesThirtyThreeSixty() {
        let terms = LoanScheduleTerms(
            principal: 8000,
            annualInterestRate: 10,
            interestCalculationPeriod: .sameAsRepaymentPeriod,
            numberOfRepayments: 4,
            disbursementDate: LocalDate(year: 2023, month: 1, day: 1),
            currency: Self.eur
        )
        let schedule = LoanScheduleGenerator(terms: terms).generate()
        #expect(schedule.map(\.interest) == [dec("66.67"), dec("50.21"), dec("33.61"), dec("16.87")])
        #expect(schedule.map(\.principal) == [dec("1975.17"), dec("1991.63"), dec("2008.23"), dec("2024.97")])
    }

    /// Derived: 1200 at 12 % a year, 3 monthly repayments of equal principal, r = 12 / 12 / 100
    /// = 0.01. Principal 1200 / 3 = 400 each; interest on the declining balance:
    /// 1200 × 0.01 = 12.00, 800 × 0.01 = 8.00, 400 × 0.01 = 4.00. Due dates keep the 31st where
    /// the month has one and clamp elsewhere (Jan 31 + 1 month = Feb 29 in 2024).
    @Test func equalPrincipalDecliningBalance() {
        let terms = LoanScheduleTerms(
            principal: 1200,
            annualInterestRate: 12,
            amortization: .equalPrincipal,
            numberOfRepayments: 3,
            disbursementDate: LocalDate(year: 2024, month: 1, day: 31),
            currency: Self.eur
        )
        let schedule = LoanScheduleGenerator(terms: terms).generate()
        #expect(schedule.map(\.dueDate.description) == ["2024-02-29", "2024-03-31", "2024-04-30"])
        #expect(schedule.map(\.fromDate.description) == ["2024-01-31", "2024-02-29", "2024-03-31"])
        #expect(schedule.map(\.principal) == [400, 400, 400])
        #expect(schedule.map(\.interest) == [dec("12.00"), dec("8.00"), dec("4.00")])
    }

    /// Derived: flat 1000 at 10 % a year, 3 monthly repayments. Each period charges
    /// 1000 × 10 / 12 / 100 = 8.333…; the total 24.999…9 rounds to 25.00. Shares: 25.00 / 3 =
    /// 8.33 for the first two, the last takes 25.00 − 16.66 = 8.34; principal 1000 / 3 = 333.33,
    /// the last 1000 − 666.66 = 333.34.
    @Test func flatInterestSpreadsTheTotalAndTheLastTakesTheRest() {
        let terms = LoanScheduleTerms(
            principal: 1000,
            annualInterestRate: 10,
            interestMethod: .flat,
            numberOfRepayments: 3,
            disbursementDate: LocalDate(year: 2024, month: 3, day: 10),
            currency: Self.eur
        )
        let schedule = LoanScheduleGenerator(terms: terms).generate()
        #expect(schedule.map(\.interest) == [dec("8.33"), dec("8.33"), dec("8.34")])
        #expect(schedule.map(\.principal) == [dec("333.33"), dec("333.33"), dec("333.34")])
        #expect(schedule.map(\.outstandingAfter) == [dec("666.67"), dec("333.34"), 0])
    }

    /// Derived: daily interest with actual days in a leap year. 1000 at 12 %, 2 monthly repayments
    /// of equal principal from 2024-01-15. Period 1 has 31 days: 1000 × 0.12 × 31 / 366 =
    /// 10.1639… → 10.16. Period 2 (Feb 15 to Mar 15) has 29 days on 500: 500 × 0.12 × 29 / 366 =
    /// 4.7540… → 4.75.
    @Test func dailyInterestWithActualDaysInALeapYear() {
        let terms = LoanScheduleTerms(
            principal: 1000,
            annualInterestRate: 12,
            interestCalculationPeriod: .daily,
            amortization: .equalPrincipal,
            numberOfRepayments: 2,
            daysInYear: .actual,
            daysInMonth: .actual,
            disbursementDate: LocalDate(year: 2024, month: 1, day: 15),
            currency: Self.eur
        )
        let schedule = LoanScheduleGenerator(terms: terms).generate()
        #expect(schedule.map(\.interest) == [dec("10.16"), dec("4.75")])
    }

    /// Derived: the same loan on a 365-day year: 1000 × 0.12 × 31 / 365 = 10.1917… → 10.19 and
    /// 500 × 0.12 × 29 / 365 = 4.7671… → 4.77.
    @Test func dailyInterestOnAFixedYearIgnoresTheLeapDay() {
        let terms = LoanScheduleTerms(
            principal: 1000,
            annualInterestRate: 12,
            interestCalculationPeriod: .daily,
            amortization: .equalPrincipal,
            numberOfRepayments: 2,
            daysInYear: .days365,
            daysInMonth: .actual,
            disbursementDate: LocalDate(year: 2024, month: 1, day: 15),
            currency: Self.eur
        )
        #expect(LoanScheduleGenerator(terms: terms).generate().map(\.interest) == [dec("10.19"), dec("4.77")])
    }

    /// Derived: actual days across New Year are split by calendar year: 2023-12-15 to 2024-01-15
    /// is 17 days of 2023 and 14 of 2024, so 1000 × 0.12 × (17 / 365 + 14 / 366) = 10.1792… → 10.18.
    @Test func actualDaysAcrossNewYearDivideByEachYearsLength() {
        let terms = LoanScheduleTerms(
            principal: 1000,
            annualInterestRate: 12,
            interestCalculationPeriod: .daily,
            numberOfRepayments: 1,
            daysInYear: .actual,
            disbursementDate: LocalDate(year: 2023, month: 12, day: 15),
            currency: Self.eur
        )
        #expect(LoanScheduleGenerator(terms: terms).generate().map(\.interest) == [dec("10.18")])
    }

    /// Derived: weekly repayments every 2 weeks, interest same as repayment period: 52 periods a
    /// year, r = 10 / 52 / 100 × 2. 5200 × r = 20.00, then 2600 × r = 10.00; due every 14 days.
    @Test func weeklyRepaymentsUseFiftyTwoPeriodsAYear() {
        let terms = LoanScheduleTerms(
            principal: 5200,
            annualInterestRate: 10,
            amortization: .equalPrincipal,
            repayEvery: 2,
            repaymentFrequency: .weeks,
            numberOfRepayments: 2,
            disbursementDate: LocalDate(year: 2024, month: 5, day: 6),
            currency: Self.eur
        )
        let schedule = LoanScheduleGenerator(terms: terms).generate()
        #expect(schedule.map(\.dueDate.description) == ["2024-05-20", "2024-06-03"])
        #expect(schedule.map(\.interest) == [dec("20.00"), dec("10.00")])
    }

    /// Derived: daily repayments every 10 days on a 360-day year, daily interest: r = 10 / 360 /
    /// 100 × 10 days; 3600 × r = 10.00, 1800 × r = 5.00.
    @Test func dailyRepaymentsCountTheirDays() {
        let terms = LoanScheduleTerms(
            principal: 3600,
            annualInterestRate: 10,
            interestCalculationPeriod: .daily,
            amortization: .equalPrincipal,
            repayEvery: 10,
            repaymentFrequency: .days,
            numberOfRepayments: 2,
            daysInYear: .days360,
            disbursementDate: LocalDate(year: 2024, month: 2, day: 25),
            currency: Self.eur
        )
        let schedule = LoanScheduleGenerator(terms: terms).generate()
        #expect(schedule.map(\.dueDate.description) == ["2024-03-06", "2024-03-16"])
        #expect(schedule.map(\.interest) == [dec("10.00"), dec("5.00")])
    }

    /// Derived: yearly repayments on a 365-day year with daily interest count 365 days a year:
    /// 1000 × 0.05 × 365 / 365 = 50.00, whatever the leap day.
    @Test func yearlyRepaymentsOnAFixedYear() {
        let terms = LoanScheduleTerms(
            principal: 1000,
            annualInterestRate: 5,
            interestCalculationPeriod: .daily,
            amortization: .equalPrincipal,
            repaymentFrequency: .years,
            numberOfRepayments: 1,
            daysInYear: .days365,
            disbursementDate: LocalDate(year: 2023, month: 6, day: 1),
            currency: Self.eur
        )
        let schedule = LoanScheduleGenerator(terms: terms).generate()
        #expect(schedule.map(\.dueDate.description) == ["2024-06-01"])
        #expect(schedule.map(\.interest) == [dec("50.00")])
    }
}

/// A decimal from its text, so expected figures are exact.
func dec(_ text: String) -> Decimal {
    Decimal(string: text, locale: Locale(identifier: "en_US_POSIX"))!
}
