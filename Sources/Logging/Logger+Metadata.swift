extension Logger {
    /// Data attached to a log line, keyed by declared, dot-separated keys.
    public typealias Metadata = [MetadataKey: MetadataValue]

    /// A metadata key. Every key the service writes is declared once, in `MetadataKey+Keys.swift`.
    public struct MetadataKey: Hashable, Sendable, Comparable, CustomStringConvertible {
        public let name: String

        public init(_ name: String) {
            self.name = name
        }

        public var description: String { self.name }

        public static func < (lhs: MetadataKey, rhs: MetadataKey) -> Bool {
            lhs.name < rhs.name
        }
    }

    /// A metadata value: text, or a nested list or dictionary.
    public enum MetadataValue: Sendable, Equatable, CustomStringConvertible, ExpressibleByStringLiteral,
        ExpressibleByStringInterpolation
    {
        case string(String)
        case array([MetadataValue])
        case dictionary([String: MetadataValue])

        public init(stringLiteral value: String) {
            self = .string(value)
        }

        public var description: String {
            switch self {
            case .string(let text):
                text
            case .array(let values):
                "[" + values.map(\.description).joined(separator: ", ") + "]"
            case .dictionary(let values):
                "[" + values.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }.joined(separator: ", ") + "]"
            }
        }
    }
}
