/// A predefined repetition for jobs scheduled without a cron expression.
///
/// Intervals are anchored to the job's start time so runs do not drift; calendar intervals
/// (daily and longer) keep their wall-clock time across daylight-saving changes.
public enum ExecutionInterval: String, Sendable, Hashable, CaseIterable, Codable {
    /// Runs a single time, at the start time.
    case once
    case everyMinute = "every_minute"
    case hourly
    case daily
    case weekly
    case monthly
    case quarterly
    case yearly
}
