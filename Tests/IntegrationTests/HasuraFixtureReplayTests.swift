import Foundation
import JobsCore
import JobsServer
import Postgres
import TestSupport
import Testing

/// Every request of the shared Hasura fixtures, and the variants of it that other engine versions,
/// configurations and deliveries produce, replayed byte for byte against the real service on loopback,
/// each case on a fresh database.
///
/// For each case the answer must be the documented one (actions: 2xx with exactly the output type's
/// fields of `hasura/metadata/actions.graphql`, or 4xx `{message, extensions: {code}}`; never 5xx) and
/// the database must show exactly the documented writes. The snapshot after an event's 2xx is read
/// on another connection, so it shows the work was committed before the answer. Every event is then
/// delivered again (twice more, and as Hasura's next retry), and must change nothing at all.
@Suite(
    "Hasura fixture replay",
    .enabled(if: TestDatabase.isConfigured, "POSTGRES_HOST is not set; make test starts a PostgreSQL for these tests"),
    .enabled(if: HasuraFixtures.folder != nil, "the shared Hasura fixtures are absent; the replay needs them"),
    .timeLimit(.minutes(10))
)
struct HasuraFixtureReplayTests {
    /// Cases running at once; each has a service with its own pool and database.
    static let permits = AsyncPermits(6)

    @Test func everyRequestTheManifestListsIsReplayed() throws {
        let folder = try #require(HasuraFixtures.folder)
        let manifest = try JSONValue(parsing: Data(contentsOf: folder.appendingPathComponent("manifest.json")))
        let listed = (manifest["requests"]?.arrayValue ?? []).compactMap { $0["file"]?.stringValue }
        let onDisk = try FileManager.default.contentsOfDirectory(atPath: folder.path)
            .filter { $0.hasSuffix(".request.json") }
        #expect(!listed.isEmpty)
        #expect(Set(onDisk) == Set(listed), "every request file is in the manifest, and only those")
        for file in listed {
            #expect(HasuraFixtureScenario(rawValue: file) != nil, "\(file) is listed but has no replay scenario")
        }
        let replayed = HasuraReplayCase.all.filter { $0.variant == HasuraReplayCase.asInTheFixture }
        #expect(Set(replayed.map(\.scenario.rawValue)) == Set(listed), "each listed request is replayed as it is")
        for entry in manifest["requests"]?.arrayValue ?? [] {
            guard let scenario = entry["file"]?.stringValue.flatMap(HasuraFixtureScenario.init(rawValue:)) else {
                continue
            }
            let kind = entry["kind"]?.stringValue ?? ""
            let prefix =
                switch scenario.kind {
                case .action: "action/"
                case .eventTrigger: "event-trigger/"
                case .scheduledEvent: scenario == .cronTick ? "cron-trigger" : "one-off scheduled event"
                }
            #expect(kind.hasPrefix(prefix), "\(scenario.rawValue) is a \(kind)")
        }
    }

    /// The response fixtures show the shapes our answers must have; they agree with our own metadata.
    @Test func responseFixturesMatchTheProjectsOutputTypes() throws {
        let outputTypes = try ActionOutputTypes.load()
        let success = try JSONValue(parsing: try HasuraWebhookTests.fixture("action-createJob.success.response.json"))
        #expect(outputTypes.problems(with: success, forAction: "createJob").isEmpty)
        let refusal = try JSONValue(parsing: try HasuraWebhookTests.fixture("action-error.4xx.response.json"))
        #expect(refusal["message"]?.stringValue != nil)
        #expect(refusal["extensions"]?["code"]?.stringValue != nil)
    }

    /// The Hasura routes on, and no scheduler on the node: the jobs the fixtures activate fall due every
    /// day at 22:00:00Z and 21:01:00Z, and a scheduler turning one into an execution between two
    /// snapshots would look like a change made by the delivery under test.
    static let configure: @Sendable (inout ServiceConfiguration) -> Void = { configuration in
        HasuraWebhookTests.configure(&configuration)
        configuration.schedulerEnabled = false
    }

    @Test(arguments: HasuraReplayCase.all)
    func replay(_ replayCase: HasuraReplayCase) async throws {
        let outputTypes = try ActionOutputTypes.load()
        try await Self.permits.withPermit {
            try await TestService.withService(configure: Self.configure) { client, pool in
                try await replayCase.scenario.seed(pool, body: replayCase.body)
                let wire = WireClient(port: client.port)
                let first = try await Self.deliver(replayCase, wire: wire, pool: pool)
                switch replayCase.expectation {
                case .documented:
                    try replayCase.scenario.expectDocumentedOutcome(of: first, outputTypes: outputTypes)
                    if replayCase.scenario.kind != .action {
                        try await Self.expectRedeliveriesChangeNothing(replayCase, first: first, wire: wire, pool: pool)
                    } else if replayCase.body["input"]?["idempotencyKey"]?.stringValue != nil {
                        try await Self.expectRepeatedRunChangesNothing(replayCase, first: first, wire: wire, pool: pool)
                    }
                case .refused(let status, let code):
                    Self.expectRefusal(first, status: status, code: code)
                }
            }
        }
    }

    /// Sends one request and snapshots the database around it.
    static func deliver(
        _ replayCase: HasuraReplayCase,
        body: JSONValue? = nil,
        headers: [(String, String)]? = nil,
        route: String? = nil,
        wire: WireClient,
        pool: PostgresPool
    ) async throws -> ReplayObservation {
        let before = try await DatabaseSnapshot.take(pool)
        let sentAt = Date()
        let reply = try await wire.post(
            route ?? replayCase.scenario.route,
            headers: headers ?? replayCase.headers,
            body: replayCase.wireBody(body)
        )
        let answeredAt = Date()
        let after = try await DatabaseSnapshot.take(pool)
        #expect(reply.status < 500, "never 5xx: \(reply.status) \(reply.text)")
        #expect(reply.header("Content-Type")?.hasPrefix("application/json") == true)
        return ReplayObservation(
            sent: body ?? replayCase.body,
            reply: reply,
            window: sentAt...answeredAt,
            before: before,
            after: after
        )
    }

    /// The same event id again, twice, then as the next retry: 2xx saying it was seen, and not one
    /// column of the tables changed.
    static func expectRedeliveriesChangeNothing(
        _ replayCase: HasuraReplayCase,
        first: ReplayObservation,
        wire: WireClient,
        pool: PostgresPool
    ) async throws {
        var redeliveries = [("second delivery", replayCase.body), ("third delivery", replayCase.body)]
        if let retry = replayCase.body["delivery_info"]?["current_retry"]?.integerValue {
            redeliveries.append(
                (
                    "retry with current_retry \(retry + 1)",
                    replayCase.body.setting(["delivery_info", "current_retry"], to: .integer(retry + 1))
                )
            )
        }
        let outcome = first.reply.json?["outcome"] ?? .null
        for (label, body) in redeliveries {
            let again = try await Self.deliver(replayCase, body: body, wire: wire, pool: pool)
            #expect(again.reply.status == 200, "\(label): \(again.reply.text)")
            #expect(again.reply.json == ["status": "duplicate", "outcome": outcome], "\(label): \(again.reply.text)")
            #expect(again.after == again.before, "\(label) changed: \(again.difference)")
        }
    }

    /// Hasura calls an asynchronous action again when it restarts while the call is in flight, and the
    /// call carries no id of its own; with an `idempotencyKey` the second call answers the first run
    /// and queues nothing.
    static func expectRepeatedRunChangesNothing(
        _ replayCase: HasuraReplayCase,
        first: ReplayObservation,
        wire: WireClient,
        pool: PostgresPool
    ) async throws {
        let again = try await Self.deliver(replayCase, wire: wire, pool: pool)
        let firstAnswer = first.reply.json ?? .null
        #expect(again.reply.status == 200, "\(again.reply.text)")
        #expect(again.reply.json == firstAnswer.setting(["created"], to: false), "\(again.reply.text)")
        #expect(again.after == again.before, "the repeated call changed: \(again.difference)")
    }

    /// A business refusal as Hasura shows it to the client: the status, `{message, extensions: {code}}`,
    /// and nothing written.
    static func expectRefusal(
        _ delivery: ReplayObservation,
        status: Int,
        code: String,
        sourceLocation: SourceLocation = #_sourceLocation
    ) {
        let body = delivery.reply.json?.objectValue ?? [:]
        #expect(delivery.reply.status == status, "\(delivery.reply.text)", sourceLocation: sourceLocation)
        #expect(Set(body.keys) == ["message", "extensions"], "\(delivery.reply.text)", sourceLocation: sourceLocation)
        #expect(body["message"]?.stringValue?.isEmpty == false, sourceLocation: sourceLocation)
        #expect(body["extensions"]?["code"] == .string(code), sourceLocation: sourceLocation)
        #expect(delivery.after == delivery.before, delivery.difference, sourceLocation: sourceLocation)
    }
}
