public import Foundation
public import JobsCore

/// Builds the schedule of a job from its stored fields, resolving its time zone.
///
/// The zone is the job's own, else its tenant's, else UTC.
public enum JobSchedule {
    /// The schedule of a definition, or nil for a job that runs on demand only.
    ///
    /// - Throws: `ValidationError` when the stored cron expression or zone is invalid.
    public static func make(
        cronExpression: String?,
        executionInterval: ExecutionInterval?,
        startAt: Date?,
        timezone: String?,
        tenantTimeZone: String?,
        createdAt: Date
    ) throws(ValidationError) -> Schedule? {
        let zoneName = timezone ?? tenantTimeZone ?? "UTC"
        guard let zone = TimeZone(identifier: zoneName) else {
            throw ValidationError([
                FieldViolation(field: "timezone", message: "'\(zoneName)' is not an IANA time zone name")
            ])
        }
        if let cronExpression {
            do {
                return .cron(try CronExpression(parsing: cronExpression), zone)
            } catch {
                throw ValidationError([FieldViolation(field: "cronExpression", message: error.description)])
            }
        }
        if let executionInterval {
            return .interval(executionInterval, anchor: startAt ?? createdAt, zone)
        }
        return nil
    }
}

extension JobSchedule {
    /// The first run of a schedule that has none stored yet (a new job, or a changed schedule).
    ///
    /// A `once` job runs at its start time, even one already past, so a job created to run once
    /// "now" does; every other schedule starts with its first fire time after `now`.
    public static func firstRun(of schedule: Schedule, interval: ExecutionInterval?, after now: Date) -> Date? {
        if interval == .once, case .interval(_, let anchor, _) = schedule {
            return anchor
        }
        return schedule.nextFireTime(after: now)
    }
}
