import Foundation
import JobsServer
import Postgres
import TestSupport
import Testing

/// Each misfire policy, shown by stopping every node across several fire times and starting again.
@Suite(
    "Misfire policies",
    .enabled(if: TestDatabase.isConfigured, "POSTGRES_HOST is not set; make test starts a PostgreSQL for these tests"),
    .timeLimit(.minutes(3))
)
struct MisfireTests {
    struct Outcome {
        var fireTimes: [Date]
        var catchUps: [Date]

        /// The longest stretch between consecutive fire times, in seconds.
        var longestGap: Double {
            zip(self.fireTimes, self.fireTimes.dropFirst()).map { $1.timeIntervalSince($0) }.max() ?? 0
        }
    }

    @Test func everyPolicyAfterAnOutage() async throws {
        try await TestDatabase.withMigratedDatabase { pool, postgres in
            let configure: @Sendable (inout ServiceConfiguration) -> Void = {
                // Three seconds: short enough for a quick test, long enough that a pass delayed by a
                // loaded machine is not mistaken for an outage.
                $0.misfireThreshold = .seconds(3)
            }
            var jobIDs: [String: String] = [:]
            try await TestService.withRunningService(postgres: postgres, configure: configure) { client in
                for policy in ["fire_once", "skip", "catch_up"] {
                    let reply = try await client.send(
                        "POST",
                        "/jobs",
                        json: [
                            "name": policy, "jobType": "system_health_check", "cronExpression": "* * * * * ?",
                            "misfirePolicy": policy, "tenantId": "default",
                        ]
                    )
                    jobIDs[policy] = try #require(reply.json["id"] as? String)
                }
                try await Task.sleep(for: .seconds(2))
            }
            // Every node is down across about nine fire times.
            try await Task.sleep(for: .seconds(9))
            try await TestService.withRunningService(postgres: postgres, configure: configure) { _ in
                try await Task.sleep(for: .seconds(2))
            }

            var outcomes: [String: Outcome] = [:]
            for (policy, id) in jobIDs {
                let rows = try await pool.query(
                    """
                    SELECT fire_time, is_catch_up FROM job_execution
                    WHERE job_id = \(UUID(uuidString: id)!) ORDER BY fire_time
                    """
                )
                let fireTimes = try rows.map { try $0.decode("fire_time", as: Date.self) }
                let catchUps = try rows.filter { try $0.decode("is_catch_up", as: Bool.self) }
                    .map { try $0.decode("fire_time", as: Date.self) }
                outcomes[policy] = Outcome(fireTimes: fireTimes, catchUps: catchUps)
                print(
                    "misfire \(policy): \(fireTimes.count) executions, \(catchUps.count) catch-up, gap \(outcomes[policy]!.longestGap) s"
                )
            }
            let catchUp = try #require(outcomes["catch_up"])
            #expect(catchUp.longestGap == 1, "catch_up runs every missed fire time")
            #expect(catchUp.catchUps.count >= 5)
            let fireOnce = try #require(outcomes["fire_once"])
            #expect(fireOnce.catchUps.count == 1, "fire_once runs one execution for all missed fire times")
            #expect(fireOnce.longestGap >= 4)
            let skip = try #require(outcomes["skip"])
            #expect(skip.catchUps.isEmpty, "skip runs none of the missed fire times")
            #expect(skip.longestGap >= 6)
        }
    }
}
