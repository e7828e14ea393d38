import Foundation
import JobsCore
import Testing

struct FirePlanTests {
    /// Every second, read in UTC.
    let everySecond = Schedule.cron(try! CronExpression(parsing: "* * * * * ?"), TimeZone(identifier: "UTC")!)
    let start = Date(timeIntervalSince1970: 1_800_000_000)

    func plan(_ policy: MisfirePolicy, lateBy seconds: Double, catchUpLimit: Int = 100) -> FirePlan {
        FirePlan.make(
            schedule: self.everySecond,
            dueAt: self.start,
            now: self.start.addingTimeInterval(seconds),
            policy: policy,
            misfireThreshold: .seconds(5),
            catchUpLimit: catchUpLimit
        )
    }

    @Test(arguments: MisfirePolicy.allCases)
    func slightlyLateFireTimesAllRunWhateverThePolicy(_ policy: MisfirePolicy) {
        let plan = self.plan(policy, lateBy: 2.5)
        #expect(plan.fires.map(\.fireTime) == [0, 1, 2].map { self.start.addingTimeInterval($0) })
        #expect(plan.fires.allSatisfy { !$0.isCatchUp })
        #expect(plan.nextRunAt == self.start.addingTimeInterval(3))
    }

    @Test func fireOnceRunsTheLatestMissedTimeOnce() {
        let plan = self.plan(.fireOnce, lateBy: 20)
        // 0...14 are more than 5 s late (missed); 15...20 are on time.
        #expect(plan.fires.first == FirePlan.Fire(fireTime: self.start.addingTimeInterval(14), isCatchUp: true))
        #expect(plan.fires.dropFirst().map(\.fireTime) == (15...20).map { self.start.addingTimeInterval(Double($0)) })
        #expect(plan.nextRunAt == self.start.addingTimeInterval(21))
    }

    @Test func skipDropsMissedTimes() {
        let plan = self.plan(.skip, lateBy: 20)
        #expect(plan.fires.map(\.fireTime) == (15...20).map { self.start.addingTimeInterval(Double($0)) })
    }

    @Test func catchUpRunsEveryMissedTimeUpToItsLimit() {
        let all = self.plan(.catchUp, lateBy: 20)
        #expect(all.fires.count == 21)
        #expect(all.fires.filter(\.isCatchUp).count == 15)
        let bounded = self.plan(.catchUp, lateBy: 20, catchUpLimit: 4)
        #expect(
            bounded.fires.filter(\.isCatchUp).map(\.fireTime)
                == (11...14).map { self.start.addingTimeInterval(Double($0)) }
        )
    }

    @Test func aLongOutageJumpsAheadWithoutWalkingEveryTime() {
        let plan = FirePlan.make(
            schedule: self.everySecond,
            dueAt: self.start,
            now: self.start.addingTimeInterval(86_400 * 30),
            policy: .fireOnce,
            misfireThreshold: .seconds(60),
            scanLimit: 1000
        )
        #expect(plan.fires.count == 1)
        #expect(plan.nextRunAt == self.start.addingTimeInterval(86_400 * 30 + 1))
    }

    @Test func aOnceScheduleEnds() {
        let schedule = Schedule.interval(.once, anchor: self.start, TimeZone(identifier: "UTC")!)
        let plan = FirePlan.make(
            schedule: schedule,
            dueAt: self.start,
            now: self.start.addingTimeInterval(1),
            policy: .fireOnce,
            misfireThreshold: .seconds(60)
        )
        #expect(plan.fires == [FirePlan.Fire(fireTime: self.start, isCatchUp: false)])
        #expect(plan.nextRunAt == nil)
    }
}
