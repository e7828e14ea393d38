import Foundation
import JobsCore
import Testing

/// `serialized()` writes what Foundation's `JSONEncoder` wrote for it before, byte for byte.
struct JSONValueSerializationTests {
    static func encodedByFoundation(_ value: JSONValue) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    @Test(arguments: [
        JSONValue.null, .bool(true), .bool(false), .integer(0), .integer(-7), .integer(.max), .integer(.min),
        .number(1.5), .number(1e20), .number(0.1), .number(-0.0), .number(1e-7), .number(12345.678),
        .string(""), .string("plain"), .string("q\"b\\s/n\nr\rt\tb\u{08}f\u{0C}c\u{01}\u{1F}d\u{7F}é\u{2028}😀"),
        .array([]), .object([:]), .array([.integer(1), .string("x"), .null, .array([.bool(true)])]),
        .object(["b": .integer(1), "a": .integer(2), "B": .integer(3), "é": .integer(4), "aa": .null, "a b": .null]),
    ])
    func writesWhatFoundationWrites(_ value: JSONValue) throws {
        #expect(value.serialized() == (try Self.encodedByFoundation(value)))
    }

    /// Random documents, with keys from across Unicode so the key order is put to the test.
    @Test func randomDocumentsAreWrittenAsFoundationWritesThem() throws {
        var random = SplitMix64(seed: 4_122_026)
        for _ in 0..<500 {
            let value = JSONValueParsingTests.randomValue(depth: 0, using: &random)
            let keyed = Self.rekeyed(value, using: &random)
            #expect(keyed.serialized() == (try Self.encodedByFoundation(keyed)))
            #expect(try JSONValue(parsing: keyed.serialized()) == keyed)
        }
    }

    static func rekeyed(_ value: JSONValue, using random: inout SplitMix64) -> JSONValue {
        switch value {
        case .array(let elements):
            return .array(elements.map { Self.rekeyed($0, using: &random) })
        case .object(let members):
            let alphabet = Array("aAzZ0_ é€😀\u{1}\"")
            var rekeyed: [String: JSONValue] = [:]
            for member in members.values {
                let key = String((0..<Int.random(in: 0..<4, using: &random)).map { _ in random.pick(alphabet) })
                rekeyed[key] = Self.rekeyed(member, using: &random)
            }
            return .object(rekeyed)
        default:
            return value
        }
    }
}
