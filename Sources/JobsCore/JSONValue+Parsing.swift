public import Foundation

/// Why a text is not the JSON the parser accepts, and where.
public struct JSONParseError: Error, Sendable, CustomStringConvertible {
    /// The byte offset at which the text stopped making sense.
    public var offset: Int
    public var reason: String

    public var description: String {
        "not valid JSON at byte \(self.offset): \(self.reason)"
    }
}

extension JSONValue {
    /// The deepest nesting of arrays and objects accepted, so a hostile document cannot exhaust the stack.
    public static let maximumDepth = 512

    /// Parses JSON text (RFC 8259).
    ///
    /// A number that is a whole value within `Int64` (`3`, `3.0`, `3e2`) becomes `.integer`, any
    /// other finite number `.number`. Of repeated keys in an object the first counts. A trailing comma
    /// before `]` or `}` is tolerated. These match what Foundation's `JSONDecoder` gave this type
    /// before, which this hand-written parser replaces: it runs every time a claimed execution's
    /// parameters are read, and the decoder cost more than the rest of decoding the row.
    ///
    /// - Throws: `JSONParseError` naming the offset and what was expected there.
    public init(parsing data: Data) throws {
        self = try data.withUnsafeBytes { raw in
            var parser = JSONTextParser(bytes: raw.bindMemory(to: UInt8.self))
            return try parser.parseDocument()
        }
    }

    /// Parses JSON text; see `init(parsing:)` for `Data`.
    public init(parsing text: String) throws {
        var text = text
        self = try text.withUTF8 { bytes in
            var parser = JSONTextParser(bytes: bytes)
            return try parser.parseDocument()
        }
    }
}

/// A recursive-descent parser over UTF-8 bytes that are valid for the whole parse.
private struct JSONTextParser {
    let bytes: UnsafeBufferPointer<UInt8>
    var position = 0
    var depth = 0

    init(bytes: UnsafeBufferPointer<UInt8>) {
        self.bytes = bytes
    }

    mutating func parseDocument() throws(JSONParseError) -> JSONValue {
        let value = try self.parseValue()
        self.skipWhitespace()
        guard self.position == self.bytes.count else {
            throw self.error("unexpected text after the document")
        }
        return value
    }

    private func error(_ reason: String) -> JSONParseError {
        JSONParseError(offset: self.position, reason: reason)
    }

    private var current: UInt8? {
        self.position < self.bytes.count ? self.bytes[self.position] : nil
    }

    private mutating func skipWhitespace() {
        while let byte = self.current, byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09 {
            self.position += 1
        }
    }

    private mutating func parseValue() throws(JSONParseError) -> JSONValue {
        self.skipWhitespace()
        guard let byte = self.current else { throw self.error("expected a value") }
        switch byte {
        case UInt8(ascii: "{"): return try self.parseObject()
        case UInt8(ascii: "["): return try self.parseArray()
        case UInt8(ascii: "\""): return .string(try self.parseString())
        case UInt8(ascii: "t"): return try self.parseLiteral("true", .bool(true))
        case UInt8(ascii: "f"): return try self.parseLiteral("false", .bool(false))
        case UInt8(ascii: "n"): return try self.parseLiteral("null", .null)
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try self.parseNumber()
        default: throw self.error("expected a value")
        }
    }

    private mutating func parseLiteral(_ word: StaticString, _ value: JSONValue) throws(JSONParseError) -> JSONValue {
        let count = word.utf8CodeUnitCount
        guard self.bytes.count - self.position >= count,
            memcmp(self.bytes.baseAddress! + self.position, word.utf8Start, count) == 0
        else {
            throw self.error("expected \(word)")
        }
        self.position += count
        return value
    }

    private mutating func enterContainer() throws(JSONParseError) {
        self.depth += 1
        guard self.depth <= JSONValue.maximumDepth else {
            throw self.error("nested deeper than \(JSONValue.maximumDepth) levels")
        }
    }

    private mutating func parseObject() throws(JSONParseError) -> JSONValue {
        try self.enterContainer()
        self.position += 1
        var members: [String: JSONValue] = [:]
        self.skipWhitespace()
        while self.current != UInt8(ascii: "}") {
            guard self.current == UInt8(ascii: "\"") else { throw self.error("expected a key in quotes") }
            let key = try self.parseString()
            self.skipWhitespace()
            guard self.current == UInt8(ascii: ":") else { throw self.error("expected ':' after a key") }
            self.position += 1
            let value = try self.parseValue()
            if members[key] == nil {
                members[key] = value
            }
            self.skipWhitespace()
            if self.current == UInt8(ascii: ",") {
                self.position += 1
                self.skipWhitespace()
            } else if self.current != UInt8(ascii: "}") {
                throw self.error("expected ',' or '}' in an object")
            }
        }
        self.position += 1
        self.depth -= 1
        return .object(members)
    }

    private mutating func parseArray() throws(JSONParseError) -> JSONValue {
        try self.enterContainer()
        self.position += 1
        var elements: [JSONValue] = []
        self.skipWhitespace()
        while self.current != UInt8(ascii: "]") {
            elements.append(try self.parseValue())
            self.skipWhitespace()
            if self.current == UInt8(ascii: ",") {
                self.position += 1
                self.skipWhitespace()
            } else if self.current != UInt8(ascii: "]") {
                throw self.error("expected ',' or ']' in an array")
            }
        }
        self.position += 1
        self.depth -= 1
        return .array(elements)
    }

    // MARK: - Strings

    private mutating func parseString() throws(JSONParseError) -> String {
        self.position += 1
        let start = self.position
        // The common case, no escapes: one copy of the bytes between the quotes.
        while let byte = self.current, byte != UInt8(ascii: "\""), byte != UInt8(ascii: "\\") {
            guard byte >= 0x20 else { throw self.error("a control character inside a string") }
            self.position += 1
        }
        var utf8 = Array(UnsafeBufferPointer(rebasing: self.bytes[start..<self.position]))
        while true {
            guard let byte = self.current else { throw self.error("a string without its closing quote") }
            switch byte {
            case UInt8(ascii: "\""):
                self.position += 1
                guard let text = String(validating: utf8, as: UTF8.self) else {
                    throw JSONParseError(offset: start, reason: "a string that is not valid UTF-8")
                }
                return text
            case UInt8(ascii: "\\"):
                self.position += 1
                try self.appendEscape(to: &utf8)
            case 0..<0x20:
                throw self.error("a control character inside a string")
            default:
                utf8.append(byte)
                self.position += 1
            }
        }
    }

    private mutating func appendEscape(to utf8: inout [UInt8]) throws(JSONParseError) {
        guard let byte = self.current else { throw self.error("a string without its closing quote") }
        self.position += 1
        switch byte {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): utf8.append(byte)
        case UInt8(ascii: "b"): utf8.append(0x08)
        case UInt8(ascii: "f"): utf8.append(0x0C)
        case UInt8(ascii: "n"): utf8.append(0x0A)
        case UInt8(ascii: "r"): utf8.append(0x0D)
        case UInt8(ascii: "t"): utf8.append(0x09)
        case UInt8(ascii: "u"):
            var scalar = UInt32(try self.parseHexQuad())
            if (0xD800..<0xDC00).contains(scalar) {
                // A high surrogate must be followed by an escaped low one; together they name one scalar.
                guard self.current == UInt8(ascii: "\\"), self.position + 1 < self.bytes.count,
                    self.bytes[self.position + 1] == UInt8(ascii: "u")
                else {
                    throw self.error("a high surrogate without its low surrogate")
                }
                self.position += 2
                let low = UInt32(try self.parseHexQuad())
                guard (0xDC00..<0xE000).contains(low) else { throw self.error("an invalid low surrogate") }
                scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
            } else if (0xDC00..<0xE000).contains(scalar) {
                throw self.error("a low surrogate without its high surrogate")
            }
            // Surrogates were combined or refused above, so every value here is a Unicode scalar.
            utf8.append(contentsOf: String(Character(Unicode.Scalar(scalar)!)).utf8)
        default:
            throw self.error("an unknown escape sequence")
        }
    }

    private mutating func parseHexQuad() throws(JSONParseError) -> UInt16 {
        guard self.bytes.count - self.position >= 4 else { throw self.error("expected four hex digits") }
        var value: UInt16 = 0
        for _ in 0..<4 {
            let byte = self.bytes[self.position]
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: throw self.error("expected four hex digits")
            }
            value = value << 4 | UInt16(digit)
            self.position += 1
        }
        return value
    }

    // MARK: - Numbers

    private mutating func parseNumber() throws(JSONParseError) -> JSONValue {
        let start = self.position
        let isNegative = self.current == UInt8(ascii: "-")
        if isNegative {
            self.position += 1
        }
        guard let first = self.current, Self.isDigit(first) else { throw self.error("expected a digit") }
        // Accumulated as a negative number, so Int64.min fits; nil once it overflows.
        var negated: Int64? = 0
        if first == UInt8(ascii: "0") {
            self.position += 1
            if let next = self.current, Self.isDigit(next) {
                throw self.error("a number with a leading zero")
            }
        } else {
            while let byte = self.current, Self.isDigit(byte) {
                negated = negated.flatMap { value in
                    let (shifted, overflowShift) = value.multipliedReportingOverflow(by: 10)
                    let (sum, overflowSum) = shifted.subtractingReportingOverflow(Int64(byte - UInt8(ascii: "0")))
                    return overflowShift || overflowSum ? nil : sum
                }
                self.position += 1
            }
        }
        var isWhole = true
        if self.current == UInt8(ascii: ".") {
            isWhole = false
            self.position += 1
            guard let byte = self.current, Self.isDigit(byte) else { throw self.error("expected a digit after '.'") }
            while let byte = self.current, Self.isDigit(byte) {
                self.position += 1
            }
        }
        if self.current == UInt8(ascii: "e") || self.current == UInt8(ascii: "E") {
            isWhole = false
            self.position += 1
            if self.current == UInt8(ascii: "+") || self.current == UInt8(ascii: "-") {
                self.position += 1
            }
            guard let byte = self.current, Self.isDigit(byte) else { throw self.error("expected an exponent") }
            while let byte = self.current, Self.isDigit(byte) {
                self.position += 1
            }
        }
        if isWhole, let negated {
            if isNegative {
                return .integer(negated)
            }
            if negated != .min {
                return .integer(-negated)
            }
        }
        let text = String(decoding: UnsafeBufferPointer(rebasing: self.bytes[start..<self.position]), as: UTF8.self)
        guard let number = Double(text), number.isFinite else {
            throw JSONParseError(offset: start, reason: "a number too large to represent")
        }
        // A whole value written with a fraction or an exponent (3.0, 3e2) is still an integer.
        if number.rounded() == number, number >= -9_223_372_036_854_775_808, number < 9_223_372_036_854_775_808 {
            return .integer(Int64(number))
        }
        return .number(number)
    }

    private static func isDigit(_ byte: UInt8) -> Bool {
        byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
    }
}
