import Foundation
import JobsCore
import Testing

/// One request to replay: a fixture as Hasura sends it, or changed the way another engine version,
/// configuration or delivery path changes it, with the answer the service owes it.
struct HasuraReplayCase: Sendable, CustomTestStringConvertible {
    /// What the service must answer.
    enum Expectation: Sendable, Equatable {
        /// The fixture's documented answer and writes.
        case documented
        /// A business refusal: this 4xx status with `{message, extensions: {code}}`, and nothing written.
        case refused(status: Int, code: String)
    }

    static let asInTheFixture = "as in the fixture"

    var scenario: HasuraFixtureScenario
    var variant: String
    /// Header lines in the order and letter case they are sent.
    var headers: [(String, String)]
    var body: JSONValue
    var reversingKeys = false
    var expectation = Expectation.documented

    var testDescription: String { "\(self.scenario.rawValue): \(self.variant)" }

    /// The body as sent: keys alphabetical as Hasura writes them, or reversed.
    func wireBody(_ body: JSONValue? = nil) -> [UInt8] {
        Array((body ?? self.body).wireText(reversingKeys: self.reversingKeys).utf8)
    }

    /// The headers Hasura sends on every call, as the fixtures' manifest lists them: its own two, and
    /// the secret our metadata configures.
    static let hasuraHeaders = [
        ("Content-Type", "application/json"),
        ("User-Agent", "hasura-graphql-engine/v2.44.0"),
        ("X-Scheduler-Secret", HasuraWebhookTests.secret),
    ]

    /// Every fixture's cases, or none when the fixtures cannot be read (the manifest test fails then).
    static let all: [HasuraReplayCase] = {
        guard HasuraFixtures.folder != nil else { return [] }
        return (try? HasuraFixtureScenario.allCases.flatMap(Self.cases(for:))) ?? []
    }()

    /// The fixture as it is, then each header variant, then each body variant of its kind; a variant
    /// that leaves the request as the fixture already has it is dropped.
    static func cases(for scenario: HasuraFixtureScenario) throws -> [HasuraReplayCase] {
        let original = HasuraReplayCase(
            scenario: scenario,
            variant: Self.asInTheFixture,
            headers: Self.hasuraHeaders,
            body: try scenario.body()
        )
        var seen: Set<String> = []
        return ([original] + original.headerVariants + original.bodyVariants).filter { replayCase in
            let key =
                replayCase.headers.map { "\($0.0): \($0.1)" }.joined(separator: "\n") + "\n"
                + String(decoding: replayCase.wireBody(), as: UTF8.self)
            return seen.insert(key).inserted
        }
    }

    // MARK: - Variants

    func with(_ variant: String, _ change: (inout HasuraReplayCase) -> Void) -> HasuraReplayCase {
        var copy = self
        copy.variant = variant
        change(&copy)
        return copy
    }

    func withBody(_ variant: String, _ change: (JSONValue) -> JSONValue) -> HasuraReplayCase {
        self.with(variant) { $0.body = change($0.body) }
    }

    /// Header names are case-insensitive, and Hasura may add charset and tracing headers.
    var headerVariants: [HasuraReplayCase] {
        [
            self.with("secret header name in upper case") { replayCase in
                replayCase.headers = replayCase.headers.map {
                    $0.0 == "X-Scheduler-Secret" ? ("X-SCHEDULER-SECRET", $0.1) : $0
                }
            },
            self.with("every header name in lower case") { replayCase in
                replayCase.headers = replayCase.headers.map { ($0.0.lowercased(), $0.1) }
            },
            self.with("Content-Type with a charset") { replayCase in
                replayCase.headers = replayCase.headers.map {
                    $0.0 == "Content-Type" ? ($0.0, "application/json; charset=utf-8") : $0
                }
            },
            self.with("W3C and B3 tracing headers") { replayCase in
                replayCase.headers += [
                    ("traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-6e0c63257de34c92-01"),
                    ("tracestate", "hasura=6e0c63257de34c92"), ("x-b3-traceid", "4bf92f3577b34da6a3ce929d0e0e4736"),
                    ("x-b3-spanid", "6e0c63257de34c92"), ("x-b3-sampled", "1"),
                ]
            },
        ]
    }

    var bodyVariants: [HasuraReplayCase] {
        let reversed = self.with("keys in reverse order at every level") { $0.reversingKeys = true }
        let unknownTopLevel = self.withBody("an unknown top-level key") {
            $0.setting(["added_by_a_newer_engine"], to: ["nested": true])
        }
        switch self.scenario.kind {
        case .action: return [reversed, unknownTopLevel] + self.actionVariants
        case .eventTrigger: return [reversed, unknownTopLevel] + self.eventVariants
        case .scheduledEvent: return [reversed, unknownTopLevel] + self.scheduledEventVariants
        }
    }
}
