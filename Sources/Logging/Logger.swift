/// A value-type logger shaped like swift-log's, so that swapping it for swift-log later is mechanical.
///
/// A logger carries a label, a minimum level and metadata; messages are built lazily and only when
/// the level is enabled. Loggers are passed explicitly: long-lived parts take one at initialisation,
/// per-call work takes one as a parameter, and `job.id` or `request.id` is attached as soon as known.
public struct Logger: Sendable {
    /// Where the log line was written from; filled in by the default arguments of the level methods.
    public struct Source: Sendable {
        public var file: String
        public var function: String
        public var line: UInt
    }

    /// The component that owns this logger, such as `fineract-jobs.engine`.
    public var label: String
    /// The least severe level this logger writes.
    public var logLevel: Level
    /// Metadata attached to every line this logger writes.
    public var metadata: Metadata
    /// The sink that formats and writes the lines.
    public var handler: any LogHandler

    /// Creates a logger that writes through `handler`.
    public init(label: String, level: Level = .info, metadata: Metadata = [:], handler: any LogHandler) {
        self.label = label
        self.logLevel = level
        self.metadata = metadata
        self.handler = handler
    }

    /// Reads or sets one metadata value on this logger.
    public subscript(metadataKey key: MetadataKey) -> MetadataValue? {
        get { self.metadata[key] }
        set { self.metadata[key] = newValue }
    }

    /// Returns a copy of this logger with `extra` merged into its metadata.
    public func with(_ extra: Metadata) -> Logger {
        var copy = self
        copy.metadata.merge(extra) { _, new in new }
        return copy
    }

    /// Writes `message` at `level` when that level is enabled.
    ///
    /// - Parameters:
    ///   - level: How severe the event is.
    ///   - message: A fixed text; the varying data belongs in `metadata`.
    ///   - metadata: Data for this line only, merged over the logger's own.
    public func log(
        level: Level,
        _ message: @autoclosure () -> String,
        metadata: @autoclosure () -> Metadata? = nil,
        file: String = #fileID,
        function: String = #function,
        line: UInt = #line
    ) {
        guard level >= self.logLevel else { return }
        var merged = self.metadata
        if let extra = metadata() {
            merged.merge(extra) { _, new in new }
        }
        self.handler.write(
            LogRecord(
                label: self.label,
                level: level,
                message: message(),
                metadata: merged,
                source: Source(file: file, function: function, line: line)
            )
        )
    }
}

// MARK: - Level shortcuts

extension Logger {
    /// Wire and protocol chatter.
    public func trace(
        _ message: @autoclosure () -> String,
        metadata: @autoclosure () -> Metadata? = nil,
        file: String = #fileID,
        function: String = #function,
        line: UInt = #line
    ) {
        self.log(level: .trace, message(), metadata: metadata(), file: file, function: function, line: line)
    }

    /// Per-request and per-job steps.
    public func debug(
        _ message: @autoclosure () -> String,
        metadata: @autoclosure () -> Metadata? = nil,
        file: String = #fileID,
        function: String = #function,
        line: UInt = #line
    ) {
        self.log(level: .debug, message(), metadata: metadata(), file: file, function: function, line: line)
    }

    /// Process lifecycle and failures that were recovered from.
    public func info(
        _ message: @autoclosure () -> String,
        metadata: @autoclosure () -> Metadata? = nil,
        file: String = #fileID,
        function: String = #function,
        line: UInt = #line
    ) {
        self.log(level: .info, message(), metadata: metadata(), file: file, function: function, line: line)
    }

    /// Noteworthy but ordinary events; rarely used on its own.
    public func notice(
        _ message: @autoclosure () -> String,
        metadata: @autoclosure () -> Metadata? = nil,
        file: String = #fileID,
        function: String = #function,
        line: UInt = #line
    ) {
        self.log(level: .notice, message(), metadata: metadata(), file: file, function: function, line: line)
    }

    /// Degraded or misconfigured states.
    public func warning(
        _ message: @autoclosure () -> String,
        metadata: @autoclosure () -> Metadata? = nil,
        file: String = #fileID,
        function: String = #function,
        line: UInt = #line
    ) {
        self.log(level: .warning, message(), metadata: metadata(), file: file, function: function, line: line)
    }

    /// A job or request that failed and needs a human.
    public func error(
        _ message: @autoclosure () -> String,
        metadata: @autoclosure () -> Metadata? = nil,
        file: String = #fileID,
        function: String = #function,
        line: UInt = #line
    ) {
        self.log(level: .error, message(), metadata: metadata(), file: file, function: function, line: line)
    }

    /// The process cannot continue.
    public func critical(
        _ message: @autoclosure () -> String,
        metadata: @autoclosure () -> Metadata? = nil,
        file: String = #fileID,
        function: String = #function,
        line: UInt = #line
    ) {
        self.log(level: .critical, message(), metadata: metadata(), file: file, function: function, line: line)
    }
}
