import Foundation
import HTTPServer
import JobsCore
import JobsEngine
import Postgres

extension RESTResponder {
    static func makeRequestID() -> String {
        UUID().uuidString.lowercased()
    }

    /// Paths Hasura calls, guarded by the shared secret rather than the bearer token.
    static func isHasuraPath(_ path: String) -> Bool {
        path == "/actions" || path.hasPrefix("/actions/") || path.hasPrefix("/hasura/")
    }

    static func bearerToken(_ header: String) -> String? {
        let parts = header.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else { return nil }
        return String(parts[1]).trimmingCharacters(in: .whitespaces)
    }

    static func isJSON(_ contentType: String?) -> Bool {
        guard let contentType else { return false }
        let mediaType = contentType.split(separator: ";").first?.trimmingCharacters(in: .whitespaces).lowercased()
        return mediaType == "application/json"
    }

    /// Parses a request body that must be one JSON object.
    static func jsonObject(_ body: [UInt8]) throws -> [String: JSONValue] {
        guard !body.isEmpty else {
            throw APIError(
                status: 400,
                code: "malformed_json",
                message: "the request body is empty; send a JSON object"
            )
        }
        let value: JSONValue
        do {
            value = try JSONValue(parsing: Data(body))
        } catch {
            throw APIError.malformedJSON("check quotes, commas and brackets")
        }
        guard let object = value.objectValue else {
            throw APIError(
                status: 400,
                code: "malformed_json",
                message: "the request body must be a JSON object, not \(value.kindName)"
            )
        }
        return object
    }

    static func jobID(_ text: String) throws -> UUID {
        // A malformed id names no job, so it is a plain not-found rather than a validation error.
        guard let id = UUID(uuidString: text) else {
            throw APIError.notFound("no job with id '\(text)'")
        }
        return id
    }

    static func knownPaths(_ segments: [String]) -> Bool {
        switch (segments.count, segments.first) {
        case (1, "health"), (1, "nodes"), (1, "jobs"), (1, "metrics"), (1, "tenants"), (2, "jobs"), (2, "executions"):
            true
        case (3, "tenants"): segments[2] == "deactivate"
        case (3, "jobs"): segments[2] == "cancel" || segments[2] == "execute"
        case (3, "executions"): segments[2] == "cancel"
        default: false
        }
    }

    static func apiError(for error: JobsEngineError) -> APIError {
        switch error.code {
        case .jobNotFound, .executionNotFound: APIError.notFound(error.message)
        case .illegalState: APIError(status: 409, code: "illegal_state", message: error.message)
        default: APIError(status: 400, code: "\(error.code)", message: error.message)
        }
    }

    func listJobs(_ query: [HTTPQueryItem]) async throws -> JSONValue {
        var filter = JobStore.JobFilter()
        for item in query {
            let value = item.value ?? ""
            switch item.name {
            case "status":
                guard let status = JobStatus(rawValue: value) else {
                    throw Self.badQuery("status", "'\(value)' is not a job status")
                }
                filter.status = status
            case "jobType", "type":
                filter.jobType = JobType(rawValue: value)
            case "tenantId", "tenant":
                filter.tenantID = value
            case "limit":
                guard let limit = Int(value), (1...200).contains(limit) else {
                    throw Self.badQuery("limit", "must be a whole number from 1 to 200")
                }
                filter.limit = limit
            case "offset":
                guard let offset = Int(value), offset >= 0 else {
                    throw Self.badQuery("offset", "must be a whole number of at least 0")
                }
                filter.offset = offset
            default:
                throw Self.badQuery(item.name, "is not a known query parameter")
            }
        }
        let (jobs, total) = try await self.manager.jobs(matching: filter)
        return .object([
            "jobs": .array(jobs.map(JSONRepresentation.job)),
            "total": .integer(Int64(total)),
            "limit": .integer(Int64(filter.limit)),
            "offset": .integer(Int64(filter.offset)),
        ])
    }

    static func badQuery(_ name: String, _ problem: String) -> APIError {
        APIError(
            status: 400,
            code: "invalid_query_parameter",
            message: "\(name): \(problem)",
            details: [FieldViolation(field: name, message: problem)]
        )
    }

    func metricsText() async throws -> String {
        guard let processor = self.processor else { return "" }
        return try await PrometheusExposition(
            nodeID: processor.configuration.nodeID,
            metrics: processor.metrics,
            runningOnNode: processor.runningCount,
            pool: self.pool
        ).render()
    }

    /// Reports whether the database answers within `healthTimeout`.
    func health() async -> (Int, JSONValue) {
        let clock = ContinuousClock()
        let started = clock.now
        let reachable = await withTaskGroup(of: Bool.self) { group in
            group.addTask {
                (try? await self.pool.query("SELECT 1")) != nil
            }
            group.addTask {
                try? await Task.sleep(for: Self.healthTimeout)
                return false
            }
            let first = await group.next() ?? false
            group.cancelAll()
            return first
        }
        let latency = clock.now - started
        var database: [String: JSONValue] = ["reachable": .bool(reachable)]
        if reachable {
            database["latencyMs"] = .number((latency / .microseconds(1)).rounded() / 1000)
        }
        return (
            reachable ? 200 : 503,
            .object([
                "status": .string(reachable ? "ok" : "unavailable"),
                "database": .object(database),
                "node": .object([
                    "id": .string(self.processor?.configuration.nodeID ?? "unknown"),
                    "running": .integer(Int64(self.processor?.runningCount ?? 0)),
                ]),
            ])
        )
    }
}

/// Comparison whose duration does not depend on where two secrets first differ.
enum ConstantTime {
    static func equals(_ lhs: String, _ rhs: String) -> Bool {
        let left = Array(lhs.utf8)
        let right = Array(rhs.utf8)
        var difference = UInt8(left.count == right.count ? 0 : 1)
        for index in 0..<max(left.count, right.count) {
            let a = index < left.count ? left[index] : 0
            let b = index < right.count ? right[index] : 0
            difference |= a ^ b
        }
        return difference == 0
    }
}
