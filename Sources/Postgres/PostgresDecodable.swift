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
    /// Parses `numeric` text exactly, never through a binary float.
    ///
    /// Plain numbers of up to 19 digits, which is every `NUMERIC(19,6)` amount, are read digit by
    /// digit into an integer significand; anything else goes through `Decimal(string:)`, whose
    /// scanner costs microseconds a value, too much for bulk reads of transaction histories.
    public init(postgresText text: String, type: PostgresDataType) throws(PostgresError) {
        if let value = Self.plainNumber(text) {
            self = value
            return
        }
        guard let value = Decimal(string: text, locale: Self.posixLocale) else {
            throw Self.mismatch(type)
        }
        self = value
    }

    private static let posixLocale = Locale(identifier: "en_US_POSIX")

    /// `[-]digits[.digits]` with at most 19 digits, or nil for any other shape.
    private static func plainNumber(_ text: String) -> Decimal? {
        var significand: UInt64 = 0
        var digits = 0
        var fractionDigits = 0
        var isNegative = false
        var seenPoint = false
        for (index, byte) in text.utf8.enumerated() {
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"):
                guard digits < 19 else { return nil }
                significand = significand * 10 + UInt64(byte - UInt8(ascii: "0"))
                digits += 1
                if seenPoint { fractionDigits += 1 }
            case UInt8(ascii: "."):
                guard !seenPoint else { return nil }
                seenPoint = true
            case UInt8(ascii: "-") where index == 0:
                isNegative = true
            default:
                return nil
            }
        }
        guard digits > 0 else { return nil }
        // A zero carries no sign: a negative Decimal without digits would be NaN.
        guard significand != 0 else { return Decimal.zero }
        return Decimal(sign: isNegative ? .minus : .plus, exponent: -fractionDigits, significand: Decimal(significand))
    }
}

extension UUID: PostgresDecodable {
    public init(postgresText text: String, type: PostgresDataType) throws(PostgresError) {
        guard let value = UUID(canonicalText: text) else { throw Self.mismatch(type) }
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
        // `date` output is `YYYY-MM-DD` under DateStyle=ISO: read byte by byte, as transaction
        // histories hold many dates; other shapes (years past 9999) go through the general split.
        let bytes = Array(text.utf8)
        guard bytes.count == 10 else {
            let parts = text.split(separator: "-")
            guard parts.count == 3, let year = Int(parts[0]), let month = Int(parts[1]), let day = Int(parts[2]) else {
                throw Self.mismatch(type)
            }
            self.init(year: year, month: month, day: day)
            return
        }
        func number(_ range: Range<Int>) -> Int? {
            var value = 0
            for index in range {
                let byte = bytes[index]
                guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
                value = value * 10 + Int(byte - UInt8(ascii: "0"))
            }
            return value
        }
        guard bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-"),
            let year = number(0..<4), let month = number(5..<7), let day = number(8..<10)
        else {
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
