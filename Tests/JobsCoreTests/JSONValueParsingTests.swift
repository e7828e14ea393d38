import Foundation
import JobsCore
import Testing

/// The hand-written JSON parser gives what Foundation's `JSONDecoder` gives `JSONValue`, which it
/// replaced, and refuses what is not JSON with the offset of the fault.
struct JSONValueParsingTests {
    /// Foundation's decoder, through `JSONValue`'s `Decodable` conformance: the reference.
    static func decodedByFoundation(_ text: String) -> JSONValue? {
        try? JSONDecoder().decode(JSONValue.self, from: Data(text.utf8))
    }

    @Test(arguments: [
        "0", "-0", "7", "-12", "3.0", "3e2", "1E2", "-2.5e-3", "0.1", "1.5", "9223372036854775807",
        "-9223372036854775808", "9223372036854775808", "12345678901234567890", "1e19", "1e-400",
        "true", "false", "null", " \n\t\r true \n", "\"\"", "\"plain\"", "\"tab\\tnew\\nline \\\"q\\\" \\\\ \\/\"",
        "\"\\u00e9\\u20AC\"", "\"\\ud83d\\ude00 grin\"", "\"é € 😀\"", "[]", "{}",
        "[1, 2.50, \"x\", null, [true]]",
        "[1,]", "{\"a\": 1,}", "{\"a\": 1, \"a\": 2}", "{\"b\": {\"c\": [ {\"d\": -1} ]}, \"a\": \"z\"}",
    ])
    func parsesAsFoundationDecodes(_ text: String) throws {
        let reference = try #require(Self.decodedByFoundation(text), "Foundation refused \(text)")
        #expect(try JSONValue(parsing: Data(text.utf8)) == reference)
        #expect(try JSONValue(parsing: text) == reference)
    }

    @Test(arguments: [
        ("", 0), ("nul", 0), ("tru", 0), ("01", 1), ("1.", 2), ("-", 1), ("1e", 2), ("+1", 0), (".5", 0),
        ("1E400", 0), ("\"open", 5), ("\"\\x\"", 3), ("\"\\ud83d\"", 7), ("\"\\ude00\"", 7), ("\"\\u12\"", 3),
        ("[1 2]", 3), ("{\"a\" 1}", 5), ("{a: 1}", 1), ("{\"a\": }", 6), ("[1] x", 4), ("\"a\u{01}b\"", 2),
    ])
    func refusesWhatIsNotJSON(_ text: String, offset: Int) {
        #expect(Self.decodedByFoundation(text) == nil, "Foundation accepts \(text)")
        #expect {
            try JSONValue(parsing: text)
        } throws: { error in
            (error as? JSONParseError)?.offset == offset
        }
    }

    @Test func refusesNestingDeeperThanTheLimit() throws {
        let allowed =
            String(repeating: "[", count: JSONValue.maximumDepth)
            + String(repeating: "]", count: JSONValue.maximumDepth)
        #expect(try JSONValue(parsing: allowed).arrayValue?.count == 1)
        let hostile = String(repeating: "[", count: 100_000)
        #expect(throws: JSONParseError.self) { try JSONValue(parsing: hostile) }
    }

    /// Random documents, written by Foundation's encoder, read back the same by both.
    @Test func randomDocumentsReadBackAsFoundationReadsThem() throws {
        var random = SplitMix64(seed: 20_261_204)
        let encoder = JSONEncoder()
        for _ in 0..<500 {
            let value = Self.randomValue(depth: 0, using: &random)
            let text = String(decoding: try encoder.encode(value), as: UTF8.self)
            let reference = try #require(Self.decodedByFoundation(text))
            #expect(try JSONValue(parsing: text) == reference, "\(text)")
        }
    }

    static func randomValue(depth: Int, using random: inout SplitMix64) -> JSONValue {
        let kind = Int.random(in: 0..<(depth < 4 ? 8 : 6), using: &random)
        switch kind {
        case 0: return .null
        case 1: return .bool(random.chance(0.5))
        case 2: return .integer(Int64.random(in: -1_000_000_000_000...1_000_000_000_000, using: &random))
        case 3: return .number(Double.random(in: -1e6...1e6, using: &random))
        case 4, 5:
            let alphabet = Array("aZ09 _-\"\\/\n\té€😀\u{7F}\u{1F}")
            let length = Int.random(in: 0..<12, using: &random)
            return .string(String((0..<length).map { _ in random.pick(alphabet) }))
        case 6:
            return .array(
                (0..<Int.random(in: 0..<5, using: &random)).map { _ in
                    Self.randomValue(depth: depth + 1, using: &random)
                }
            )
        default:
            var members: [String: JSONValue] = [:]
            for index in 0..<Int.random(in: 0..<5, using: &random) {
                members["k\(index)"] = Self.randomValue(depth: depth + 1, using: &random)
            }
            return .object(members)
        }
    }
}
