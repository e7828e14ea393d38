import Foundation
import JobsCore
import Testing

@testable import JobsServer

/// How the payload of a cron trigger or one-off scheduled event is read: what it queues, and which
/// payloads are refused rather than read as "every tenant".
struct TriggerPayloadTests {
    static let jobID = "3f6c2b8e-0d4a-4c1b-9a77-5e2d8f1c4b90"

    /// A payload and what it must read as.
    struct Reading: Sendable, CustomTestStringConvertible {
        var label: String
        var payload: JSONValue
        var jobID: UUID?
        var jobType: JobType?
        var tenantID: String?

        var testDescription: String { self.label }
    }

    static let readings: [Reading] = [
        Reading(label: "a job type for every tenant", payload: ["jobType": "end_of_day"], jobType: .endOfDay),
        Reading(
            label: "a job type for every tenant, said explicitly as the project's cron triggers do",
            payload: ["jobType": "end_of_day", "allTenants": true],
            jobType: .endOfDay
        ),
        Reading(
            label: "a job type for one tenant",
            payload: ["jobType": "end_of_day", "tenantId": "bank-7"],
            jobType: .endOfDay,
            tenantID: "bank-7"
        ),
        Reading(
            label: "a job type for one tenant, said explicitly",
            payload: ["jobType": "end_of_day", "tenantId": "bank-7", "allTenants": false],
            jobType: .endOfDay,
            tenantID: "bank-7"
        ),
        Reading(
            label: "one job, with a note of the payload's own",
            payload: ["jobId": .string(Self.jobID), "task": "run_job"],
            jobID: UUID(uuidString: Self.jobID)
        ),
        Reading(
            label: "null members count as absent",
            payload: ["jobType": "end_of_day", "tenantId": .null, "allTenants": .null, "jobId": .null],
            jobType: .endOfDay
        ),
    ]

    @Test(arguments: Self.readings)
    func payloadIsReadAsItSays(_ reading: Reading) throws {
        let payload = try TriggerPayload(reading.payload)
        #expect(payload.jobID == reading.jobID)
        #expect(payload.jobType == reading.jobType)
        #expect(payload.tenantID == reading.tenantID)
    }

    @Test(
        arguments: [
            ("no payload configured", JSONValue.null, "not an object"),
            ("not an object", ["end_of_day"], "not an object"),
            ("names nothing to queue", ["tenantId": "bank-7"], "neither"),
            (
                "a tenant and all tenants at once",
                ["jobType": "end_of_day", "tenantId": "bank-7", "allTenants": true],
                "only one"
            ),
            ("not all tenants, but no tenant", ["jobType": "end_of_day", "allTenants": false], "names no tenantId"),
            ("allTenants as a string", ["jobType": "end_of_day", "allTenants": "true"], "allTenants"),
            ("tenantId as a number", ["jobType": "end_of_day", "tenantId": 7], "tenantId"),
            ("tenantId empty", ["jobType": "end_of_day", "tenantId": ""], "tenantId"),
            ("tenantId with a NUL character", ["jobType": "end_of_day", "tenantId": "bank\u{0}7"], "tenantId"),
            ("jobType not a type name", ["jobType": "End Of Day"], "jobType"),
            ("jobType as a number", ["jobType": 1], "jobType"),
            ("jobId not a uuid", ["jobId": "job-1"], "jobId"),
        ] as [(String, JSONValue, String)]
    )
    func payloadThatCouldBeMisreadIsRefused(label: String, payload: JSONValue, mentions: String) {
        let refusal = #expect(throws: TriggerPayload.Refusal.self, "\(label)") {
            try TriggerPayload(payload)
        }
        #expect(refusal?.message.contains(mentions) == true, "\(label): \(refusal?.message ?? "no refusal")")
    }
}
