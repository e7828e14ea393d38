/// One finished log line, handed to a `LogHandler` to format and write.
public struct LogRecord: Sendable {
    public var label: String
    public var level: Logger.Level
    public var message: String
    public var metadata: Logger.Metadata
    public var source: Logger.Source
}

/// A sink for log lines; it must be safe to call from any thread.
public protocol LogHandler: Sendable {
    /// Formats and writes one line. Called only for levels the logger has enabled.
    func write(_ record: LogRecord)
}

/// A handler that drops every line; for code paths that must take a logger but have nowhere to write.
public struct DiscardingLogHandler: LogHandler {
    public init() {}

    public func write(_ record: LogRecord) {}
}
