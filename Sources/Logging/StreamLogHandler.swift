import Foundation
import Synchronization

/// Writes log lines to standard error, as one JSON object per line or as human-readable text.
///
/// Writes are serialised by a lock so lines from concurrent tasks never interleave.
public final class StreamLogHandler: LogHandler {
    /// The line format.
    public enum Format: String, Sendable, CaseIterable {
        /// One JSON object per line, for log shippers.
        case json
        /// `timestamp level label: message key=value ...`, for people.
        case text
    }

    private let format: Format
    private let lock = Mutex(())

    public init(format: Format) {
        self.format = format
    }

    public func write(_ record: LogRecord) {
        let line = self.render(record) + "\n"
        self.lock.withLock { _ in
            FileHandle.standardError.write(Data(line.utf8))
        }
    }

    /// Formats `record` as one line without the trailing newline.
    public func render(_ record: LogRecord) -> String {
        let timestamp = Date.now.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true))
        switch self.format {
        case .text:
            var line = "\(timestamp) \(record.level.rawValue) \(record.label): \(record.message)"
            for (key, value) in record.metadata.sorted(by: { $0.key < $1.key }) {
                line += " \(key.name)=\(value)"
            }
            return line
        case .json:
            var object: [String: Any] = [
                "timestamp": timestamp,
                "level": record.level.rawValue,
                "label": record.label,
                "message": record.message,
            ]
            for (key, value) in record.metadata {
                object[key.name] = value.jsonObject
            }
            guard
                let data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]),
                let text = String(data: data, encoding: .utf8)
            else {
                return "{\"level\":\"error\",\"message\":\"log line could not be encoded\"}"
            }
            return text
        }
    }
}

extension Logger.MetadataValue {
    fileprivate var jsonObject: Any {
        switch self {
        case .string(let text): text
        case .array(let values): values.map(\.jsonObject)
        case .dictionary(let values): values.mapValues(\.jsonObject)
        }
    }
}
