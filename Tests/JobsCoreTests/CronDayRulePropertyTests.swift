import Foundation
import JobsCore
import Testing

/// Random day-of-month, month, day-of-week and year fields compared with a day-by-day walk over years.
///
/// The special day items (`L`, `L-n`, `W`, `LW`, `nL`, `n#k`) decide only a few days a month, which
/// the short windows of `CronExpressionPropertyTests` rarely reach. Here the time is fixed at midnight
/// UTC, so checking each day once is a complete brute force, and each comparison spans three years.
@Suite struct CronDayRulePropertyTests {
    static let seed: UInt64 = 0x0000_DA75_2026_0229
    static let expressionsPerForm = 400
    static let windowDays = 3 * 366
    static let firesCompared = 24

    @Test(arguments: ReferenceCron.Form.allCases)
    func dayRulesAgreeWithDayByDayWalk(form: ReferenceCron.Form) throws {
        let caseSeed = Self.seed &+ (form == .fiveField ? 0 : 1)
        var generator = ReferenceCronGenerator(random: SplitMix64(seed: caseSeed))
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = .gmt
        var mismatches: [String] = []
        var compared = 0
        for _ in 0..<Self.expressionsPerForm {
            // Days from 1995 to 2060.
            let startDay = generator.random.int(9_131...33_238)
            let start = Date(timeIntervalSince1970: Double(startDay * 86_400))
            let parts = calendar.dateComponents([.year, .month, .day, .weekday], from: start)
            let focus = ReferenceCronGenerator.Focus(
                year: parts.year!,
                month: parts.month!,
                day: parts.day!,
                hour: 0,
                weekday: parts.weekday! - 1
            )
            let cron = generator.make(form, near: focus, atMidnight: true)
            var bruteForce = BruteForceCron(cron: cron, timeZone: .gmt)
            guard let expression = try? CronExpression(parsing: cron.text) else {
                if bruteForce.firesOnSomeDay() {
                    mismatches.append("'\(cron.text)' refused but fires")
                }
                continue
            }
            let expected = bruteForce.matchingDays(
                after: startDay,
                through: startDay + Self.windowDays,
                limit: Self.firesCompared
            )
            var actual: [Int] = []
            for time in expression.fireTimes(after: start, in: .gmt) {
                let day = Int(time.timeIntervalSince1970) / 86_400
                guard day <= startDay + Self.windowDays, actual.count < Self.firesCompared else {
                    break
                }
                actual.append(day)
            }
            compared += expected.count
            if actual != expected {
                mismatches.append("'\(cron.text)' after day \(startDay): expected \(expected) but got \(actual)")
            }
        }
        print(
            "cron day-rule property test: seed \(String(caseSeed, radix: 16)) \(form): "
                + "\(Self.expressionsPerForm) expressions, \(compared) fire days compared, "
                + "\(mismatches.count) mismatches"
        )
        #expect(mismatches.isEmpty, "seed \(String(caseSeed, radix: 16)): \(mismatches.prefix(5))")
    }
}
