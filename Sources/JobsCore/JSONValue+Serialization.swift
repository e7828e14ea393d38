import Foundation

extension JSONValue {
    /// Serialises with sorted keys, so equal values give equal text.
    ///
    /// The text is what Foundation's `JSONEncoder` writes with `.sortedKeys` and
    /// `.withoutEscapingSlashes`, byte for byte, and a floating-point number is still formatted by
    /// it; everything else is written here directly, since every finished execution's result is
    /// serialised and the encoder's set-up cost more than the writing.
    public func serialized() -> String {
        var text = ""
        self.write(to: &text)
        return text
    }

    private func write(to text: inout String) {
        switch self {
        case .null: text += "null"
        case .bool(let flag): text += flag ? "true" : "false"
        case .integer(let number): text += String(number)
        case .number(let number): text += Self.formatted(number)
        case .string(let string): Self.writeQuoted(string, to: &text)
        case .array(let elements):
            text += "["
            for (index, element) in elements.enumerated() {
                if index > 0 { text += "," }
                element.write(to: &text)
            }
            text += "]"
        case .object(let members):
            text += "{"
            for (index, key) in members.keys.sorted().enumerated() {
                if index > 0 { text += "," }
                Self.writeQuoted(key, to: &text)
                text += ":"
                members[key]!.write(to: &text)
            }
            text += "}"
        }
    }

    /// A number as `JSONEncoder` writes it (`1e+20`, `0.1`); not finite, `null`, as JSON has no such value.
    private static func formatted(_ number: Double) -> String {
        guard number.isFinite, let data = try? JSONEncoder().encode(number) else { return "null" }
        return String(decoding: data, as: UTF8.self)
    }

    private static func writeQuoted(_ string: String, to text: inout String) {
        text += "\""
        var plainStart = string.unicodeScalars.startIndex
        for index in string.unicodeScalars.indices {
            let scalar = string.unicodeScalars[index]
            let escape: String
            switch scalar {
            case "\"": escape = "\\\""
            case "\\": escape = "\\\\"
            case "\n": escape = "\\n"
            case "\r": escape = "\\r"
            case "\t": escape = "\\t"
            case "\u{08}": escape = "\\b"
            case "\u{0C}": escape = "\\f"
            case "\u{00}"..."\u{1F}":
                let hex = String(scalar.value, radix: 16)
                escape = "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: continue
            }
            text.unicodeScalars.append(contentsOf: string.unicodeScalars[plainStart..<index])
            text += escape
            plainStart = string.unicodeScalars.index(after: index)
        }
        text.unicodeScalars.append(contentsOf: string.unicodeScalars[plainStart...])
        text += "\""
    }
}
