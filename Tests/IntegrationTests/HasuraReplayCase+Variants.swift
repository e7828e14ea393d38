import Foundation
import JobsCore

/// The body variants of each envelope: what Hasura's contract and the fixtures' manifest say a
/// receiver must accept.
extension HasuraReplayCase {
    /// Actions: `request_query` is null for asynchronous delivery and may be absent; session variable
    /// names arrive lower-case from Hasura, and the handler also accepts any other case (names of HTTP
    /// headers, which they come from, are case-insensitive); unknown keys are ignored.
    var actionVariants: [HasuraReplayCase] {
        let session = self.body["session_variables"] ?? .null
        var variants = [
            self.withBody("request_query null (asynchronous delivery)") { $0.setting(["request_query"], to: .null) },
            self.withBody("request_query absent") { $0.removing(["request_query"]) },
            self.withBody("session variable names in Title-Case (X-Hasura-Role)") {
                $0.setting(["session_variables"], to: session.renamingKeys(Self.titleCased))
            },
            self.withBody("session variable names in upper case") {
                $0.setting(["session_variables"], to: session.renamingKeys { $0.uppercased() })
            },
            self.withBody("unknown x-hasura-* session variables") {
                $0.setting(["session_variables", "x-hasura-org-id"], to: "42")
                    .setting(["session_variables", "x-hasura-request-id"], to: "r-1")
            },
            self.withBody("an unknown key in action") { $0.setting(["action", "added_by_a_newer_engine"], to: 1) },
            self.with("no session_variables") { replayCase in
                replayCase.body = replayCase.body.removing(["session_variables"])
                replayCase.expectation = .refused(status: 403, code: "forbidden")
            },
            // Hasura always sends a session to an action; a null one names no role, as an absent one does.
            self.with("session_variables null") { replayCase in
                replayCase.body = replayCase.body.setting(["session_variables"], to: .null)
                replayCase.expectation = .refused(status: 403, code: "forbidden")
            },
        ]
        let otherTenant: JSONValue = [
            "x-hasura-role": "tenant_admin", "x-hasura-tenant-id": "other", "x-hasura-user-id": "17",
        ]
        switch self.scenario {
        case .createJob:
            variants += [
                self.withBody("optional input fields explicitly null") { body in
                    ["executionInterval", "startAt", "misfirePolicy", "allowOverlap"].reduce(body) {
                        $0.setting(["input", "input", $1], to: .null)
                    }
                },
                self.with("a NUL character in an input string") { replayCase in
                    replayCase.body = replayCase.body.setting(["input", "input", "name"], to: "Loan\u{0}COB")
                    replayCase.expectation = .refused(status: 422, code: "validation-failed")
                },
                self.withBody("optional input field description omitted") {
                    $0.removing(["input", "input", "description"])
                },
                self.withBody("session of another tenant (the job is created for it)") {
                    $0.setting(["session_variables"], to: otherTenant)
                },
                self.with("session tenant that does not exist") { replayCase in
                    replayCase.body = replayCase.body.setting(
                        ["session_variables", "x-hasura-tenant-id"],
                        to: "no-such-tenant"
                    )
                    replayCase.expectation = .refused(status: 422, code: "validation-failed")
                },
            ]
        case .executeJob, .executeJobAsync:
            variants += [
                self.withBody("optional arguments explicitly null") {
                    $0.setting(["input", "parameters"], to: .null).setting(["input", "idempotencyKey"], to: .null)
                },
                self.withBody("optional arguments given") {
                    $0.setting(["input", "parameters"], to: ["catchUp": false, "note": "replayed"])
                        .setting(["input", "idempotencyKey"], to: "replay-1")
                },
                self.with("a NUL character in parameters") { replayCase in
                    replayCase.body = replayCase.body.setting(["input", "parameters"], to: ["note": "a\u{0}b"])
                    replayCase.expectation = .refused(status: 422, code: "validation-failed")
                },
                self.withBody("idempotencyKey of 200 characters, the most the column holds") {
                    $0.setting(["input", "idempotencyKey"], to: .string(String(repeating: "k", count: 200)))
                },
                // Any GraphQL String passes Hasura's checks; the handler must refuse what it cannot store.
                self.with("idempotencyKey empty") { replayCase in
                    replayCase.body = replayCase.body.setting(["input", "idempotencyKey"], to: "")
                    replayCase.expectation = .refused(status: 422, code: "validation-failed")
                },
                self.with("idempotencyKey of 201 characters") { replayCase in
                    let key = String(repeating: "k", count: 201)
                    replayCase.body = replayCase.body.setting(["input", "idempotencyKey"], to: .string(key))
                    replayCase.expectation = .refused(status: 422, code: "validation-failed")
                },
                // 101 letters each written as "e" and a combining acute accent: 101 characters to Swift,
                // 202 to PostgreSQL, which counts code points, so over the limit.
                self.with("idempotencyKey of 202 code points in 101 characters") { replayCase in
                    let key = String(repeating: "e\u{301}", count: 101)
                    replayCase.body = replayCase.body.setting(["input", "idempotencyKey"], to: .string(key))
                    replayCase.expectation = .refused(status: 422, code: "validation-failed")
                },
            ]
        case .cancelJob:
            variants += [
                self.withBody("optional argument reason explicitly null") {
                    $0.setting(["input", "reason"], to: .null)
                },
                self.withBody("optional argument reason omitted") { $0.removing(["input", "reason"]) },
                self.with("a NUL character in reason") { replayCase in
                    replayCase.body = replayCase.body.setting(["input", "reason"], to: "super\u{0}seded")
                    replayCase.expectation = .refused(status: 422, code: "validation-failed")
                },
            ]
        default:
            break
        }
        if self.scenario != .createJob {
            variants.append(
                self.with("session of another tenant") { replayCase in
                    replayCase.body = replayCase.body.setting(["session_variables"], to: otherTenant)
                    replayCase.expectation = .refused(status: 404, code: "job-not-found")
                }
            )
        }
        return variants
    }

    /// Event triggers: `created_at` with or without a zone, `trace_context` and `session_variables`
    /// null or absent, and unknown keys at every level.
    var eventVariants: [HasuraReplayCase] {
        let createdAt = self.body["created_at"]?.stringValue ?? ""
        let local = Self.withoutZone(createdAt)
        let trace: JSONValue = [
            "trace_id": "4bf92f3577b34da6a3ce929d0e0e4736", "span_id": "6e0c63257de34c92", "sampling_state": "1",
        ]
        var variants = [
            self.withBody("created_at without a zone (newer engines)") {
                $0.setting(["created_at"], to: .string(local))
            },
            self.withBody("created_at with a trailing Z (older engines)") {
                $0.setting(["created_at"], to: .string(local + "Z"))
            },
            self.withBody("created_at with a +00:00 offset") {
                $0.setting(["created_at"], to: .string(local + "+00:00"))
            },
            self.withBody("trace_context null") { $0.setting(["event", "trace_context"], to: .null) },
            self.withBody("trace_context absent") { $0.removing(["event", "trace_context"]) },
            self.withBody("trace_context with sampling_state") { $0.setting(["event", "trace_context"], to: trace) },
            self.withBody("session_variables null (row written by SQL)") {
                $0.setting(["event", "session_variables"], to: .null)
            },
            self.withBody("session_variables absent") { $0.removing(["event", "session_variables"]) },
            self.withBody("session_variables empty") { $0.setting(["event", "session_variables"], to: [:]) },
            self.withBody("unknown x-hasura-* session variables") {
                $0.setting(["event", "session_variables", "x-hasura-org-id"], to: "42")
            },
        ]
        for member in ["event", "trigger", "table", "delivery_info"] {
            variants.append(
                self.withBody("an unknown key in \(member)") {
                    $0.setting([member, "added_by_a_newer_engine"], to: "value")
                }
            )
        }
        return variants
    }

    /// Cron triggers and one-off events: `comment` only when configured, the project's own cron
    /// payload, and `created_at` (one-off only) with or without a zone.
    var scheduledEventVariants: [HasuraReplayCase] {
        var variants = [
            self.withBody("comment absent (none configured)") { $0.removing(["comment"]) },
            self.withBody("scheduled_time with milliseconds") { body in
                let time = body["scheduled_time"]?.stringValue ?? ""
                return body.setting(["scheduled_time"], to: .string(Self.withoutZone(time) + ".000Z"))
            },
        ]
        if self.scenario == .cronTick {
            variants.append(
                self.withBody("payload as hasura/metadata/cron_triggers.yaml configures it (allTenants)") {
                    $0.setting(["payload", "allTenants"], to: true)
                }
            )
        }
        if let createdAt = self.body["created_at"]?.stringValue {
            let local = Self.withoutZone(createdAt)
            variants += [
                self.withBody("created_at without a zone") { $0.setting(["created_at"], to: .string(local)) },
                self.withBody("created_at with a +00:00 offset") {
                    $0.setting(["created_at"], to: .string(local + "+00:00"))
                },
            ]
        }
        return variants
    }

    /// `x-hasura-tenant-id` as `X-Hasura-Tenant-Id`.
    static func titleCased(_ name: String) -> String {
        name.split(separator: "-").map { $0.prefix(1).uppercased() + $0.dropFirst() }.joined(separator: "-")
    }

    /// A timestamp without its `Z` or `±hh:mm` suffix.
    static func withoutZone(_ text: String) -> String {
        if text.hasSuffix("Z") { return String(text.dropLast()) }
        if let sign = text.lastIndex(where: { $0 == "+" || $0 == "-" }),
            text.distance(from: sign, to: text.endIndex) == 6,
            text[text.index(after: sign)...].contains(":")
        {
            return String(text[..<sign])
        }
        return text
    }
}
