import Foundation
import JobsCore
import Testing

/// The `Schedule` value that combines a cron expression or an interval with its zone.
@Suite struct ScheduleTests {
    @Test func cronScheduleListsSuccessiveFireTimes() throws {
        let zone = try TestTime.zone("Europe/Berlin")
        let schedule = Schedule.cron(try CronExpression(parsing: "30 2 * * *"), zone)
        let start = try TestTime.date("2026-03-28T12:00:00+01:00")
        #expect(
            TestTime.format(schedule.fireTimes(after: start, limit: 2), in: zone)
                == ["2026-03-29T03:00:00+02:00", "2026-03-30T02:30:00+02:00"]
        )
        #expect(schedule.nextFireTime(after: start) == (try TestTime.date("2026-03-29T03:00:00+02:00")))
        #expect(schedule.timeZone == zone)
    }

    @Test func fireTimesStopWhenTheScheduleEnds() throws {
        let schedule = Schedule.cron(try CronExpression(parsing: "0 0 0 1 1 ? 2027-2028"), .gmt)
        let times = schedule.fireTimes(after: try TestTime.date("2026-01-01T00:00:00Z"), limit: 10)
        #expect(TestTime.format(times, in: .gmt) == ["2027-01-01T00:00:00+00:00", "2028-01-01T00:00:00+00:00"])
        #expect(schedule.fireTimes(after: .distantPast, limit: 0).isEmpty)
    }

    @Test func intervalScheduleStartsAtItsAnchor() throws {
        let anchor = try TestTime.date("2026-05-01T08:00:00Z")
        let schedule = Schedule.interval(.daily, anchor: anchor, .gmt)
        let times = schedule.fireTimes(after: anchor.addingTimeInterval(-3_600), limit: 2)
        #expect(TestTime.format(times, in: .gmt) == ["2026-05-01T08:00:00+00:00", "2026-05-02T08:00:00+00:00"])
        #expect(Schedule.interval(.once, anchor: anchor, .gmt).fireTimes(after: anchor, limit: 3).isEmpty)
    }

    @Test func schedulesCompareByValue() throws {
        let first = Schedule.cron(try CronExpression(parsing: "0 12 * * mon"), .gmt)
        let second = Schedule.cron(try CronExpression(parsing: "0  12 * * MON"), .gmt)
        #expect(first == second)
        #expect(Set([first, second]).count == 1)
        #expect(first != Schedule.cron(try CronExpression(parsing: "0 12 * * MON"), try TestTime.zone("Asia/Kolkata")))
    }

    /// A minute-by-minute walk would need seconds per call for these; field jumping needs microseconds.
    @Test(.timeLimit(.minutes(1)))
    func sparseExpressionsAreFoundWithoutWalking() throws {
        let zone = try TestTime.zone("Europe/Berlin")
        let expressions = try ["0 0 29 2 *", "0 0 0 1 1 ? 2199", "0 0 12 ? 2 MON#5"].map(CronExpression.init(parsing:))
        let start = try TestTime.date("2026-01-01T00:00:00Z")
        let clock = ContinuousClock()
        let elapsed = try clock.measure {
            for index in 0..<1_000 {
                for expression in expressions {
                    let instant = start.addingTimeInterval(Double(index) * 86_400)
                    _ = try #require(expression.nextFireTime(after: instant, in: zone))
                }
            }
        }
        #expect(elapsed < .seconds(3))
    }

    @Test func searchEndsAfterTheYear2199() throws {
        let expression = try CronExpression(parsing: "0 0 29 2 *")
        let lastLeapDay = try TestTime.date("2196-02-29T00:00:00Z")
        #expect(expression.nextFireTime(after: try TestTime.date("2195-01-01T00:00:00Z"), in: .gmt) == lastLeapDay)
        #expect(expression.nextFireTime(after: lastLeapDay, in: .gmt) == nil)
        #expect(expression.nextFireTime(after: .distantFuture, in: .gmt) == nil)
    }
}
