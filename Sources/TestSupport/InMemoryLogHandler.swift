public import Logging
import Synchronization

/// Keeps every log line in memory so tests can assert on what was logged, without a global bootstrap.
public final class InMemoryLogHandler: LogHandler {
    private let records = Mutex<[LogRecord]>([])

    public init() {}

    public func write(_ record: LogRecord) {
        self.records.withLock { $0.append(record) }
    }

    /// Every line written so far, oldest first.
    public var entries: [LogRecord] {
        self.records.withLock { $0 }
    }

    /// Makes a logger at `level` that writes into this handler.
    public func makeLogger(label: String = "test", level: Logger.Level = .trace) -> Logger {
        Logger(label: label, level: level, handler: self)
    }
}
