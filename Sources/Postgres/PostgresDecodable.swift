public import Foundation

/// A Swift type that a column value in PostgreSQL's text format can be turned into.
public protocol PostgresDecodable: Sendable {
    /// Parses the text the server sent for a column of type `type`.
    ///
    /// - Throws: `PostgresError` with code `.decoding` when the text does not fit the type.
    init(postgresText text: String, type: PostgresDataType) throws(PostgresError)
}

extension PostgresDecodable {
    static func mismatch(_ type: PostgresDataType, file: String = #fileID, line: UInt = #line) -> PostgresError {
        PostgresError(
            code: .decoding,
            message: "cannot decode a column of type \(type) as \(Self.self)",
            file: file,
            line: line
        )
    }
}

extension String: PostgresDecodable {
    public init(postgresText text: String, type: PostgresDataType) {
        self = text
    }
}

extension Int: PostgresDecodable {
    public init(postgresText text: String, type: PostgresDataType) throws(PostgresError) {
        guard let value = Int(text) else { throw Self.mismatch(type) }
        self = value
    }
}

extension Int64: PostgresDecodable {
    public init(postgresText text: String, type: PostgresDataType) throws(PostgresError) {
        guard let value = Int64(text) else { throw Self.mismatch(type) }
        self = value
    }
}

extension Int32: PostgresDecodable {
    public init(postgresText text: String, type: PostgresDataType) throws(PostgresError) {
        guard let value = Int32(text) else { throw Self.mismatch(type) }
        self = value
    }
}

extension Double: PostgresDecodable {
    public init(postgresText text: String, type: PostgresDataType) throws(PostgresError) {
        guard let value = Double(text) else { throw Self.mismatch(type) }
        self = value
    }
}

extension Bool: PostgresDecodable {
    public init(postgresText text: String, type: PostgresDataType) throws(PostgresError) {
        switch text {
        case "t", "true": self = true
        case "f", "false": self = false
        default: throw Self.mismatch(type)
        }
    }
}

extension Decimal: PostgresDecodable {
    /// Parses `numeric` text exactly; `Decimal(string:)` reads digits, never through a binary float.
    public init(postgresText text: String, type: PostgresDataType) throws(PostgresError) {
        guard let value = Decimal(string: text, locale: Locale(identifier: "en_US_POSIX")) else {
            throw Self.mismatch(type)
        }
        self = value
    }
}

extension UUID: PostgresDecodable {
    public init(postgresText text: String, type: PostgresDataType) throws(PostgresError) {
        guard let value = UUID(uuidString: text) else { throw Self.mismatch(type) }
        self = value
    }
}

extension Date: PostgresDecodable {
    public init(postgresText text: String, type: PostgresDataType) throws(PostgresError) {
        guard let value = PostgresTimestamp.parse(text) else { throw Self.mismatch(type) }
        self = value
    }
}

extension PostgresDate: PostgresDecodable {
    public init(postgresText text: String, type: PostgresDataType) throws(PostgresError) {
        let parts = text.split(separator: "-")
        guard parts.count == 3, let year = Int(parts[0]), let month = Int(parts[1]), let day = Int(parts[2]) else {
            throw Self.mismatch(type)
        }
        self.init(year: year, month: month, day: day)
    }
}

extension PostgresJSON: PostgresDecodable {
    public init(postgresText text: String, type: PostgresDataType) {
        self.init(text: text)
    }
}

extension PostgresJSON {
    /// Parses the document into Foundation objects (dictionaries, arrays, strings, NSNumber, NSNull).
    public func object() throws -> Any {
        try JSONSerialization.jsonObject(with: Data(self.text.utf8), options: [.fragmentsAllowed])
    }

    /// Decodes the document as `type`.
    public func decode<Value: Decodable>(_ type: Value.Type) throws -> Value {
        try JSONDecoder().decode(type, from: Data(self.text.utf8))
    }
}
