import FineractDomain
import Foundation
import Testing

@Suite struct LocalDateTests {
    @Test func knownDayNumbers() {
        #expect(LocalDate(year: 1970, month: 1, day: 1).dayNumber == 0)
        #expect(LocalDate(year: 2000, month: 3, day: 1).dayNumber == 11_017)
        #expect(LocalDate(year: 1969, month: 12, day: 31).dayNumber == -1)
        #expect(LocalDate(year: 2024, month: 2, day: 29).description == "2024-02-29")
    }

    @Test func everyDayRoundTripsAgainstFoundationsCalendar() throws {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = try #require(TimeZone(identifier: "UTC"))
        let start = LocalDate(year: 1899, month: 12, day: 25)
        for offset in stride(from: 0, to: 80_000, by: 7) {
            let date = start.adding(days: offset)
            let instant = Date(timeIntervalSince1970: Double(date.dayNumber) * 86_400)
            let parts = calendar.dateComponents([.year, .month, .day], from: instant)
            #expect(parts.year == date.year && parts.month == date.month && parts.day == date.day)
            #expect(LocalDate(date.description) == date)
        }
    }

    @Test func addingMonthsClampsToTheMonthsLength() {
        let january31 = LocalDate(year: 2024, month: 1, day: 31)
        #expect(january31.adding(months: 1) == LocalDate(year: 2024, month: 2, day: 29))
        #expect(january31.adding(months: 13) == LocalDate(year: 2025, month: 2, day: 28))
        #expect(january31.adding(months: -2) == LocalDate(year: 2023, month: 11, day: 30))
        #expect(LocalDate(year: 2023, month: 1, day: 1).adding(months: 3) == LocalDate(year: 2023, month: 4, day: 1))
    }

    @Test func monthBoundariesAndDayCounts() {
        let date = LocalDate(year: 2023, month: 2, day: 14)
        #expect(date.startOfMonth == LocalDate(year: 2023, month: 2, day: 1))
        #expect(date.endOfMonth == LocalDate(year: 2023, month: 2, day: 28))
        #expect(LocalDate(year: 2023, month: 1, day: 1).days(to: LocalDate(year: 2023, month: 2, day: 1)) == 31)
        #expect(LocalDate("2023-02-30") == nil)
        #expect(LocalDate("2023-2-3") == nil)
    }
}
