import Foundation
import JobsCore
import TestSupport
import Testing

/// The shared-secret guard on every Hasura route, and business-level idempotency for a new event id.
extension HasuraFixtureReplayTests {
    /// A Hasura route and the fixture that is sent to it.
    struct GuardedRoute: Sendable, CustomTestStringConvertible {
        var route: String
        var scenario: HasuraFixtureScenario

        var testDescription: String { "\(self.route) with \(self.scenario.rawValue)" }
    }

    /// Every route the metadata names, plus `/actions`, which dispatches on `action.name`.
    static let guardedRoutes =
        HasuraFixtureScenario.allCases.reduce(into: [GuardedRoute]()) { routes, scenario in
            if !routes.contains(where: { $0.route == scenario.route }) {
                routes.append(GuardedRoute(route: scenario.route, scenario: scenario))
            }
        } + [GuardedRoute(route: "/actions", scenario: .cancelJob)]

    @Test(arguments: Self.guardedRoutes)
    func wrongOrMissingSecretIsRefusedAndWritesNothing(_ guarded: GuardedRoute) async throws {
        let replayCase = HasuraReplayCase(
            scenario: guarded.scenario,
            variant: HasuraReplayCase.asInTheFixture,
            headers: HasuraReplayCase.hasuraHeaders,
            body: try guarded.scenario.body()
        )
        let secret = HasuraWebhookTests.secret
        let withoutSecret = replayCase.headers.filter { $0.0 != "X-Scheduler-Secret" }
        let attempts = [
            ("no secret header", withoutSecret),
            ("an empty secret", withoutSecret + [("X-Scheduler-Secret", "")]),
            ("a wrong secret", withoutSecret + [("X-Scheduler-Secret", "not-the-secret-at-all")]),
            ("the secret in upper case", withoutSecret + [("X-Scheduler-Secret", secret.uppercased())]),
            ("the secret and one character more", withoutSecret + [("X-Scheduler-Secret", secret + "x")]),
            ("the secret as a bearer token instead", withoutSecret + [("Authorization", "Bearer \(secret)")]),
        ]
        try await Self.permits.withPermit {
            try await TestService.withService(configure: Self.configure) { client, pool in
                try await guarded.scenario.seed(pool, body: replayCase.body)
                let wire = WireClient(port: client.port)
                for (label, headers) in attempts {
                    let refused = try await Self.deliver(
                        replayCase,
                        headers: headers,
                        route: guarded.route,
                        wire: wire,
                        pool: pool
                    )
                    #expect(refused.reply.status == 401, "\(label)")
                    Self.expectRefusal(refused, status: 401, code: "unauthorized")
                }
                // With the secret the same request is taken and writes, so the unchanged snapshots above
                // show the guard held, not that the request would have done nothing anyway.
                let accepted = try await Self.deliver(replayCase, route: guarded.route, wire: wire, pool: pool)
                #expect(accepted.reply.status == 200, "\(accepted.reply.text)")
                #expect(accepted.after != accepted.before)
            }
        }
    }

    /// A MANUAL invocation (console or `pg_invoke_event_trigger`) carries a new event id for the same
    /// row: it is recorded, and the job, already active, is left as it is.
    @Test func newEventIDForAnActivatedJobLeavesTheJobAlone() async throws {
        let scenario = HasuraFixtureScenario.jobInserted
        let replayCase = HasuraReplayCase(
            scenario: scenario,
            variant: HasuraReplayCase.asInTheFixture,
            headers: HasuraReplayCase.hasuraHeaders,
            body: try scenario.body()
        )
        let outputTypes = try ActionOutputTypes.load()
        let manualID = "2b7e4c1d-6a3f-4e8b-9d05-1c2a3b4c5d6e"
        let manual = replayCase.body.setting(["id"], to: .string(manualID)).setting(["event", "op"], to: "MANUAL")
        try await Self.permits.withPermit {
            try await TestService.withService(configure: Self.configure) { client, pool in
                try await scenario.seed(pool, body: replayCase.body)
                let wire = WireClient(port: client.port)
                let first = try await Self.deliver(replayCase, wire: wire, pool: pool)
                try scenario.expectDocumentedOutcome(of: first, outputTypes: outputTypes)
                let again = try await Self.deliver(replayCase, body: manual, wire: wire, pool: pool)
                #expect(again.reply.status == 200, "\(again.reply.text)")
                #expect(again.reply.json == ["status": "handled", "outcome": "job already active"])
                #expect(again.after.changedTables(since: again.before) == ["hasura_event_receipt"], again.difference)
                let receipt = try #require(again.addedRow(in: "hasura_event_receipt"), again.difference)
                #expect(receipt["event_id"] == .string(manualID))
                #expect(receipt["kind"] == "job_inserted")
                #expect(receipt["outcome"] == "job already active")
            }
        }
    }
}

extension HasuraFixtureReplayTests {
    /// An event whose first delivery is still running when Hasura times out and retries it, or that two
    /// Hasura instances deliver at once: the three copies are sent together, so they may overlap, and
    /// however they interleave exactly one does the work while the others answer that it was seen.
    @Test(arguments: [HasuraFixtureScenario.jobInserted, .cronTick, .oneOffEvent])
    func concurrentDeliveriesOfOneEventHaveOneEffect(_ scenario: HasuraFixtureScenario) async throws {
        let replayCase = HasuraReplayCase(
            scenario: scenario,
            variant: HasuraReplayCase.asInTheFixture,
            headers: HasuraReplayCase.hasuraHeaders,
            body: try scenario.body()
        )
        let outputTypes = try ActionOutputTypes.load()
        try await Self.permits.withPermit {
            try await TestService.withService(configure: Self.configure) { client, pool in
                try await scenario.seed(pool, body: replayCase.body)
                let wire = WireClient(port: client.port)
                let before = try await DatabaseSnapshot.take(pool)
                let sentAt = Date()
                let replies = try await withThrowingTaskGroup(of: WireReply.self) { group in
                    for _ in 0..<3 {
                        group.addTask {
                            try await wire.post(
                                scenario.route,
                                headers: replayCase.headers,
                                body: replayCase.wireBody()
                            )
                        }
                    }
                    return try await group.reduce(into: [WireReply]()) { $0.append($1) }
                }
                let answeredAt = Date()
                let statuses = replies.map { $0.json?["status"]?.stringValue ?? $0.text }
                #expect(replies.allSatisfy { $0.status == 200 }, "\(replies.map(\.text))")
                #expect(statuses.sorted() == ["duplicate", "duplicate", "handled"])
                let outcomes = Set(replies.map { $0.json?["outcome"] ?? .null })
                #expect(outcomes.count == 1, "every answer names the one outcome: \(outcomes)")
                // Together the three deliveries wrote exactly what one delivery writes.
                let handled = try #require(replies.first { $0.json?["status"] == "handled" })
                try scenario.expectDocumentedOutcome(
                    of: ReplayObservation(
                        sent: replayCase.body,
                        reply: handled,
                        window: sentAt...answeredAt,
                        before: before,
                        after: try await DatabaseSnapshot.take(pool)
                    ),
                    outputTypes: outputTypes
                )
            }
        }
    }
}
