public import Foundation

/// What the scheduler does for one due job: the fire times to run now and the next run to store.
///
/// Fire times that are late by no more than the misfire threshold are ordinary: they all run,
/// whatever the policy, because a scheduler that ticks a little late has missed nothing. Fire
/// times later than that were missed (no node was running) and follow the job's `MisfirePolicy`:
/// - `fireOnce`: one run, for the most recent missed fire time, marked as a catch-up;
/// - `skip`: none of them run;
/// - `catchUp`: each runs, marked as a catch-up, at most `catchUpLimit` (the most recent ones).
public struct FirePlan: Sendable, Hashable {
    /// One execution to queue.
    public struct Fire: Sendable, Hashable {
        public var fireTime: Date
        public var isCatchUp: Bool

        public init(fireTime: Date, isCatchUp: Bool) {
            self.fireTime = fireTime
            self.isCatchUp = isCatchUp
        }
    }

    /// Executions to queue, earliest first.
    public var fires: [Fire]
    /// The first fire time after `now`; nil when the schedule never fires again.
    public var nextRunAt: Date?

    public init(fires: [Fire], nextRunAt: Date?) {
        self.fires = fires
        self.nextRunAt = nextRunAt
    }

    /// Plans a due job.
    ///
    /// - Parameters:
    ///   - schedule: the job's schedule.
    ///   - dueAt: the stored next run, at or before `now`.
    ///   - now: the database's current time.
    ///   - policy: what to do with missed fire times.
    ///   - misfireThreshold: how late a fire time may be and still count as on time.
    ///   - catchUpLimit: the most missed fire times `catchUp` runs.
    ///   - scanLimit: the most fire times walked; a longer outage jumps to the first fire time after `now`.
    public static func make(
        schedule: Schedule,
        dueAt: Date,
        now: Date,
        policy: MisfirePolicy,
        misfireThreshold: Duration,
        catchUpLimit: Int = 100,
        scanLimit: Int = 10_000
    ) -> FirePlan {
        precondition(dueAt <= now, "only a due job is planned")
        let threshold =
            Double(misfireThreshold.components.seconds)
            + Double(misfireThreshold.components.attoseconds) / 1e18
        var missed: [Date] = []
        var onTime: [Date] = []
        var cursor: Date? = dueAt
        var walked = 0
        while let fireTime = cursor, fireTime <= now, walked < scanLimit {
            if now.timeIntervalSince(fireTime) > threshold {
                missed.append(fireTime)
                if missed.count > catchUpLimit {
                    // Only the most recent missed fire times can matter to any policy.
                    missed.removeFirst()
                }
            } else {
                onTime.append(fireTime)
            }
            cursor = schedule.nextFireTime(after: fireTime)
            walked += 1
        }
        if let fireTime = cursor, fireTime <= now {
            // The outage outlasted the scan: resume with the first fire time still ahead.
            cursor = schedule.nextFireTime(after: now)
        }
        var fires: [Fire] = []
        switch policy {
        case .fireOnce:
            if let latest = missed.last {
                fires.append(Fire(fireTime: latest, isCatchUp: true))
            }
        case .skip:
            break
        case .catchUp:
            fires += missed.map { Fire(fireTime: $0, isCatchUp: true) }
        }
        fires += onTime.map { Fire(fireTime: $0, isCatchUp: false) }
        return FirePlan(fires: fires, nextRunAt: cursor)
    }
}
