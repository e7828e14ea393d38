public import Foundation

/// A Swift value that can be bound as a statement parameter, in PostgreSQL's text format.
public protocol PostgresEncodable: Sendable {
    /// The parameter text the server parses, or nil for SQL NULL.
    var postgresText: String? { get }
}

extension String: PostgresEncodable {
    public var postgresText: String? { self }
}

extension Int: PostgresEncodable {
    public var postgresText: String? { String(self) }
}

extension Int64: PostgresEncodable {
    public var postgresText: String? { String(self) }
}

extension Int32: PostgresEncodable {
    public var postgresText: String? { String(self) }
}

extension Bool: PostgresEncodable {
    public var postgresText: String? { self ? "true" : "false" }
}

extension Double: PostgresEncodable {
    public var postgresText: String? { String(self) }
}

extension Decimal: PostgresEncodable {
    /// Decimal's description is locale-independent ("1234.5"), which is what numeric input expects.
    public var postgresText: String? { self.description }
}

extension UUID: PostgresEncodable {
    public var postgresText: String? { self.lowercasedText }
}

extension Date: PostgresEncodable {
    /// An ISO-8601 instant in UTC with microseconds, the precision of `timestamptz`.
    public var postgresText: String? { PostgresTimestamp.format(self) }
}

/// A JSON document bound as text; cast the parameter with `::jsonb` in SQL.
public struct PostgresJSON: PostgresEncodable, Hashable {
    /// The serialised JSON text.
    public var text: String

    public init(text: String) {
        self.text = text
    }

    /// Serialises a JSON-compatible Foundation object (dictionaries, arrays, strings, numbers, booleans, NSNull).
    public init(object: Any) throws {
        let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .fragmentsAllowed])
        self.text = String(decoding: data, as: UTF8.self)
    }

    /// Serialises an `Encodable` value with sorted keys.
    public init(encoding value: some Encodable) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        self.text = String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    public var postgresText: String? { self.text }
}

/// A calendar date without time, as PostgreSQL's `date` type holds it (`2026-03-29`).
public struct PostgresDate: PostgresEncodable, Hashable, Comparable, CustomStringConvertible {
    public var year: Int
    public var month: Int
    public var day: Int

    public init(year: Int, month: Int, day: Int) {
        self.year = year
        self.month = month
        self.day = day
    }

    public var description: String {
        String(format: "%04d-%02d-%02d", self.year, self.month, self.day)
    }

    public var postgresText: String? { self.description }

    public static func < (lhs: PostgresDate, rhs: PostgresDate) -> Bool {
        (lhs.year, lhs.month, lhs.day) < (rhs.year, rhs.month, rhs.day)
    }
}
