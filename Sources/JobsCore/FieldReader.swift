import Foundation

/// Reads typed fields out of a JSON object, recording a violation for each field of the wrong kind.
///
/// A field that is absent or JSON `null` reads as nil: clients and Hasura send both for "not given".
struct FieldReader {
    let input: [String: JSONValue]
    var violations: [FieldViolation] = []

    private mutating func present(_ field: String, required: Bool) -> JSONValue? {
        guard let value = self.input[field], value != .null else {
            if required {
                self.violations.append(FieldViolation(field: field, message: "is required"))
            }
            return nil
        }
        return value
    }

    private mutating func wrongKind(_ field: String, expected: String, got value: JSONValue) {
        self.violations.append(FieldViolation(field: field, message: "must be \(expected), not \(value.kindName)"))
    }

    mutating func string(_ field: String, required: Bool = false, maxLength: Int) -> String? {
        guard let value = self.present(field, required: required) else { return nil }
        guard case .string(let text) = value else {
            self.wrongKind(field, expected: "a string", got: value)
            return nil
        }
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        if trimmed.isEmpty {
            self.violations.append(FieldViolation(field: field, message: "must not be empty"))
            return nil
        }
        if trimmed.contains("\u{0}") {
            self.violations.append(FieldViolation(field: field, message: "must not contain the NUL character"))
            return nil
        }
        // PostgreSQL counts code points, not the grapheme clusters `count` would.
        if trimmed.unicodeScalars.count > maxLength {
            self.violations.append(FieldViolation(field: field, message: "must be at most \(maxLength) characters"))
            return nil
        }
        return trimmed
    }

    mutating func integer(_ field: String, in range: ClosedRange<Int>) -> Int? {
        guard let value = self.present(field, required: false) else { return nil }
        guard let number = value.integerValue else {
            self.wrongKind(field, expected: "a whole number", got: value)
            return nil
        }
        guard range.contains(Int(number)) else {
            self.violations.append(
                FieldViolation(field: field, message: "must be between \(range.lowerBound) and \(range.upperBound)")
            )
            return nil
        }
        return Int(number)
    }

    mutating func bool(_ field: String) -> Bool? {
        guard let value = self.present(field, required: false) else { return nil }
        guard let flag = value.boolValue else {
            self.wrongKind(field, expected: "true or false", got: value)
            return nil
        }
        return flag
    }

    mutating func object(_ field: String) -> [String: JSONValue]? {
        guard let value = self.present(field, required: false) else { return nil }
        guard let members = value.objectValue else {
            self.wrongKind(field, expected: "an object", got: value)
            return nil
        }
        return members
    }

    mutating func enumeration<Value: RawRepresentable & CaseIterable>(
        _ field: String,
        _ type: Value.Type
    ) -> Value? where Value.RawValue == String {
        guard let value = self.present(field, required: false) else { return nil }
        guard case .string(let text) = value else {
            self.wrongKind(field, expected: "a string", got: value)
            return nil
        }
        guard let parsed = Value(rawValue: text) else {
            let allowed = Value.allCases.map { "'\($0.rawValue)'" }.joined(separator: ", ")
            self.violations.append(FieldViolation(field: field, message: "'\(text)' is not one of \(allowed)"))
            return nil
        }
        return parsed
    }

    mutating func timestamp(_ field: String) -> Date? {
        guard let text = self.string(field, maxLength: 64) else { return nil }
        guard let date = ISO8601Parsing.date(from: text) else {
            self.violations.append(
                FieldViolation(
                    field: field,
                    message: "must be an ISO-8601 instant with an offset, such as 2026-01-31T02:00:00Z"
                )
            )
            return nil
        }
        return date
    }
}
