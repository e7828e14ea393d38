/// An error thrown by `HTTPServer` when it cannot serve at all.
///
/// `description` is safe to show anyone; the text libmicrohttpd logged, which may name local addresses and
/// system errors, is kept in `detail` and appears only in `debugDescription`.
public struct HTTPServerError: Error, Sendable, CustomStringConvertible, CustomDebugStringConvertible {
    /// What kind of failure this is.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        private enum Base: String, Sendable, Hashable {
            case invalidConfiguration
            case cannotStart
        }

        private let base: Base

        /// A configuration value is out of range or malformed.
        public static let invalidConfiguration = Code(base: .invalidConfiguration)
        /// libmicrohttpd could not start, typically because the address is taken or cannot be bound.
        public static let cannotStart = Code(base: .cannotStart)

        public var description: String { self.base.rawValue }
    }

    /// What kind of failure this is.
    public var code: Code
    /// A short explanation that is safe to show.
    public var message: String
    /// What libmicrohttpd reported, if anything; for logs at debug level.
    public var detail: String?
    /// The file that raised the error.
    public var file: String
    /// The line that raised the error.
    public var line: Int

    /// Creates an error, recording where it was raised.
    public init(code: Code, message: String, detail: String? = nil, file: String = #fileID, line: Int = #line) {
        self.code = code
        self.message = message
        self.detail = detail
        self.file = file
        self.line = line
    }

    public var description: String {
        "HTTPServerError.\(self.code): \(self.message)"
    }

    public var debugDescription: String {
        var text = "HTTPServerError.\(self.code): \(self.message)"
        if let detail = self.detail {
            text += " (libmicrohttpd: \(detail))"
        }
        return text + " [\(self.file):\(self.line)]"
    }
}
