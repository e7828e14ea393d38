import Foundation
import JobsCore
import Testing

/// Random expressions compared with a brute-force walk over real instants, near daylight-saving changes and elsewhere.
///
/// Every case is reproducible: the generator is seeded from `seed` and the case's position, and the
/// seed is printed with the outcome. Five-field expressions are compared over two days (minute by
/// minute), Quartz ones over three hours (second by second); "no fire in the window" must agree too.
@Suite struct CronExpressionPropertyTests {
    static let seed: UInt64 = 0x00C0_FFEE_2026_0329
    static let zones = [
        "Europe/Berlin", "America/New_York", "Australia/Sydney", "UTC", "Asia/Kolkata",
        "Australia/Lord_Howe",
    ]
    static let expressionsPerCase: [ReferenceCron.Form: Int] = [.fiveField: 300, .quartz: 240]
    static let windowSeconds: [ReferenceCron.Form: Int] = [.fiveField: 2 * 86_400, .quartz: 3 * 3_600]
    static let firesCompared = 60

    @Test(arguments: Self.zones, ReferenceCron.Form.allCases)
    func nextFireTimeAgreesWithBruteForce(zoneName: String, form: ReferenceCron.Form) throws {
        let zone = try TestTime.zone(zoneName)
        let caseIndex = Self.zones.firstIndex(of: zoneName)! * 2 + (form == .fiveField ? 0 : 1)
        let caseSeed = Self.seed &+ UInt64(caseIndex) &* 0x9E37_79B9
        var generator = ReferenceCronGenerator(random: SplitMix64(seed: caseSeed))
        let transitions = Self.offsetChanges(in: zone)
        let window = Self.windowSeconds[form]!
        var mismatches: [String] = []
        var firing = 0
        var compared = 0
        var refused = 0
        var acrossChanges = 0
        let count = Self.expressionsPerCase[form]!
        for _ in 0..<count {
            let (start, focus) = Self.start(form, transitions: transitions, random: &generator.random)
            let cron = generator.make(form, near: Self.focus(at: focus, in: zone))
            var bruteForce = BruteForceCron(cron: cron, timeZone: zone)
            let expression: CronExpression
            do {
                expression = try CronExpression(parsing: cron.text)
            } catch {
                // Only an expression that really never fires may be refused.
                refused += 1
                if error.code != .neverFires || bruteForce.firesOnSomeDay() {
                    mismatches.append("'\(cron.text)' refused: \(error)")
                }
                continue
            }
            let startSecond = Int(start.rounded(.down))
            let expected = bruteForce.fireTimes(
                after: startSecond,
                through: startSecond + window,
                limit: Self.firesCompared
            )
            let end = Date(timeIntervalSince1970: Double(startSecond + window))
            var actual: [Int] = []
            for time in expression.fireTimes(after: Date(timeIntervalSince1970: start), in: zone) {
                guard time <= end, actual.count < Self.firesCompared else {
                    break
                }
                actual.append(Int(time.timeIntervalSince1970))
            }
            compared += expected.count
            if zone.secondsFromGMT(for: Self.date(startSecond)) != zone.secondsFromGMT(for: end) {
                acrossChanges += 1
            }
            firing += expected.isEmpty ? 0 : 1
            if actual != expected {
                mismatches.append(
                    "'\(cron.text)' after \(start): expected \(TestTime.format(expected.map(Self.date), in: zone)) "
                        + "but got \(TestTime.format(actual.map(Self.date), in: zone))"
                )
            }
        }
        print(
            "cron property test: seed \(String(caseSeed, radix: 16)) \(zoneName) \(form): \(count) expressions, "
                + "\(firing) firing in the window, \(acrossChanges) windows across an offset change, "
                + "\(compared) fire times compared, \(refused) refused, "
                + "\(mismatches.count) mismatches"
        )
        #expect(mismatches.isEmpty, "seed \(String(caseSeed, radix: 16)): \(mismatches.prefix(5))")
        // The comparison only means something if many expressions fire inside the window, and, in zones
        // with daylight saving, many windows cross an offset change.
        #expect(firing * 5 > count * 2)
        #expect(acrossChanges * 8 > count || Self.offsetChanges(in: zone).isEmpty)
    }

    // MARK: Start instants

    /// A start near an offset change, on the day of one, or at random between 1995 and 2060.
    ///
    /// The focus is the instant whose local time the expression should favour: the last second before
    /// the change for starts near one (its hour is the hour that is skipped or repeated), else the start.
    static func start(
        _ form: ReferenceCron.Form,
        transitions: [Int],
        random: inout SplitMix64
    ) -> (start: Double, focus: Double) {
        let roll = Double.random(in: 0..<1, using: &random)
        let fraction = random.chance(0.2) ? 0.5 : 0
        if !transitions.isEmpty && roll < 0.6 {
            let transition = random.pick(transitions)
            let hour = 3_600
            let offset: Int
            if roll < 0.05 {
                offset = form == .fiveField ? random.pick([-60, 0, 60]) : random.pick([-1, 0, 1])
            } else if roll < 0.15 {
                // Inside the hour after the change: in a fall-back overlap, the second showing of the wall times.
                offset = random.int(0...hour)
            } else if roll < 0.4 {
                // Close before the change, so that the window covers it.
                offset = form == .fiveField ? random.int(-36 * hour...hour) : random.int(-100 * 60...20 * 60)
            } else {
                offset = random.int(-12 * hour...12 * hour)
            }
            let start = Double(transition + offset) + fraction
            return (start, roll < 0.4 ? Double(transition - 1) : start)
        }
        let start = Double(random.int(788_918_400...2_871_763_200)) + fraction
        return (start, start)
    }

    /// The zone's offset changes between 1995 and 2060, as found by Foundation.
    static func offsetChanges(in zone: TimeZone) -> [Int] {
        var changes: [Int] = []
        var cursor = Date(timeIntervalSince1970: 788_918_400)
        let end = Date(timeIntervalSince1970: 2_871_763_200)
        while let next = zone.nextDaylightSavingTimeTransition(after: cursor), next < end {
            changes.append(Int(next.timeIntervalSince1970))
            cursor = next
        }
        return changes
    }

    static func focus(at start: Double, in zone: TimeZone) -> ReferenceCronGenerator.Focus {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        let parts = calendar.dateComponents(
            [.year, .month, .day, .hour, .weekday],
            from: Date(timeIntervalSince1970: start)
        )
        return ReferenceCronGenerator.Focus(
            year: parts.year!,
            month: parts.month!,
            day: parts.day!,
            hour: parts.hour!,
            weekday: parts.weekday! - 1
        )
    }

    static func date(_ seconds: Int) -> Date {
        Date(timeIntervalSince1970: Double(seconds))
    }
}
