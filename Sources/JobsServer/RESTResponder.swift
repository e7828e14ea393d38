import Foundation
public import HTTPServer
import JobsCore
public import JobsEngine
public import Logging
public import Postgres

/// The REST API: routes requests to the engine and maps every error to a JSON answer in one place.
public struct RESTResponder: HTTPResponder {
    /// How long `GET /health` waits for the database before reporting it unreachable.
    static let healthTimeout = Duration.seconds(2)

    let manager: JobManager
    let nodes: NodeRegistry
    let pool: PostgresPool
    let processor: JobProcessor?
    let apiToken: String?
    /// The shared secret Hasura sends in `X-Scheduler-Secret`; nil turns the Hasura routes off.
    let hasuraSecret: String?
    let maxBodyBytes: Int
    let logger: Logger

    public init(
        manager: JobManager,
        nodes: NodeRegistry,
        pool: PostgresPool,
        processor: JobProcessor?,
        apiToken: String?,
        hasuraSecret: String? = nil,
        maxBodyBytes: Int,
        logger: Logger
    ) {
        self.manager = manager
        self.nodes = nodes
        self.pool = pool
        self.processor = processor
        self.apiToken = apiToken
        self.hasuraSecret = hasuraSecret
        self.maxBodyBytes = maxBodyBytes
        self.logger = logger
    }

    // MARK: - Checks before the body is read

    public func preflight(_ head: HTTPRequestHead) -> HTTPResponse? {
        let requestID = Self.makeRequestID()
        if Self.isHasuraPath(head.path) {
            // Hasura's calls carry the shared secret instead of the bearer token; checked before
            // any of the body is read.
            guard let secret = self.hasuraSecret else {
                return APIError.notFound("the Hasura routes are off: set SCHEDULER_WEBHOOK_SECRET")
                    .response(requestID: requestID)
            }
            guard ConstantTime.equals(head.headers["X-Scheduler-Secret"] ?? "", secret) else {
                let refusal = HasuraActionError(
                    status: 401,
                    code: "unauthorized",
                    message: "a valid X-Scheduler-Secret header is required"
                )
                return .json(status: 401, refusal.body, requestID: requestID)
            }
        } else if let token = self.apiToken, head.path != "/health" {
            let presented = head.headers["Authorization"].flatMap(Self.bearerToken) ?? ""
            guard ConstantTime.equals(presented, token) else {
                return APIError(status: 401, code: "unauthorized", message: "a valid bearer token is required")
                    .response(requestID: requestID)
            }
        }
        let hasBody =
            (head.headers["Content-Length"].flatMap(Int.init) ?? 0) > 0 || head.headers["Transfer-Encoding"] != nil
        if hasBody, !Self.isJSON(head.headers["Content-Type"]) {
            return APIError(
                status: 415,
                code: "unsupported_media_type",
                message: "request bodies must be sent with Content-Type: application/json"
            ).response(requestID: requestID)
        }
        return nil
    }

    public func response(for rejection: HTTPRejection) -> HTTPResponse {
        switch rejection {
        case .bodyTooLarge(let limit):
            APIError(status: 413, code: "body_too_large", message: "the request body exceeds \(limit) bytes")
                .response(requestID: Self.makeRequestID())
        }
    }

    // MARK: - Routing

    public func respond(to request: HTTPRequest) async -> HTTPResponse {
        let requestID = Self.makeRequestID()
        do {
            if request.method == "GET", request.path == "/metrics" {
                return HTTPResponse(
                    status: 200,
                    headers: HTTPHeaders([
                        ("Content-Type", "text/plain; version=0.0.4; charset=utf-8"), ("X-Request-Id", requestID),
                    ]),
                    body: Array(try await self.metricsText().utf8)
                )
            }
            if Self.isHasuraPath(request.path) {
                let (status, body) = await self.routeHasura(request)
                return .json(status: status, body, requestID: requestID)
            }
            let (status, body) = try await self.route(request)
            return .json(status: status, body, requestID: requestID)
        } catch let error as APIError {
            return error.response(requestID: requestID)
        } catch let error as ValidationError {
            return APIError.validation(error).response(requestID: requestID)
        } catch let error as JobsEngineError {
            return Self.apiError(for: error).response(requestID: requestID)
        } catch {
            self.logger.error(
                "request failed",
                metadata: [
                    .requestID: "\(requestID)", .httpMethod: "\(request.method)", .httpPath: "\(request.path)",
                    .error: "\(String(reflecting: error))",
                ]
            )
            return APIError(status: 500, code: "internal_error", message: "the request failed; quote the request id")
                .response(requestID: requestID)
        }
    }

    private func route(_ request: HTTPRequest) async throws -> (Int, JSONValue) {
        let segments = request.path.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
        switch (request.method, segments.count, segments.first) {
        case ("GET", 1, "health"):
            return await self.health()
        case ("POST", 3, "executions") where segments[2] == "cancel":
            guard let id = UUID(uuidString: segments[1]) else {
                throw APIError.notFound("no execution with id '\(segments[1])'")
            }
            let execution = try await self.manager.store.cancelExecution(id: id, reason: "cancelled by request")
            return (200, JSONRepresentation.execution(execution))
        case ("GET", 1, "tenants"):
            return try await self.listTenants()
        case ("POST", 1, "tenants"):
            return try await self.createTenant(body: request.body)
        case ("POST", 3, "tenants") where segments[2] == "deactivate":
            return try await self.deactivateTenant(id: segments[1])
        case ("GET", 1, "nodes"):
            return (200, .object(["nodes": .array(try await self.nodes.nodes().map(JSONRepresentation.node))]))
        case ("GET", 1, "jobs"):
            return (200, try await self.listJobs(request.queryItems))
        case ("POST", 1, "jobs"):
            let job = try await self.manager.createJob(from: try Self.jsonObject(request.body))
            self.processor?.wake()
            return (201, JSONRepresentation.job(job))
        case ("GET", 2, "jobs"):
            let (job, executions) = try await self.manager.jobDetail(id: try Self.jobID(segments[1]))
            var body = JSONRepresentation.job(job).objectValue ?? [:]
            body["upcomingFireTimes"] = .array(try await self.manager.upcomingFireTimes(of: job).map(JSONValue.string))
            body["executions"] = .array(executions.map(JSONRepresentation.execution))
            return (200, .object(body))
        case ("POST", 3, "jobs") where segments[2] == "cancel":
            let job = try await self.manager.cancelJob(id: try Self.jobID(segments[1]))
            return (200, JSONRepresentation.job(job))
        case ("POST", 3, "jobs") where segments[2] == "execute":
            return try await self.executeJob(id: try Self.jobID(segments[1]), body: request.body)
        case ("GET", 2, "executions"):
            guard let id = UUID(uuidString: segments[1]), let execution = try await self.manager.store.execution(id: id)
            else {
                throw APIError.notFound("no execution with id '\(segments[1])'")
            }
            return (200, JSONRepresentation.execution(execution))
        default:
            if Self.knownPaths(segments) {
                throw APIError(
                    status: 405,
                    code: "method_not_allowed",
                    message: "\(request.method) is not allowed here"
                )
            }
            throw APIError.notFound("no route for \(request.method) \(request.path)")
        }
    }

    private func routeHasura(_ request: HTTPRequest) async -> (Int, JSONValue) {
        let handlers = HasuraHandlers(manager: self.manager, logger: self.logger)
        let segments = request.path.split(separator: "/").map(String.init)
        guard request.method == "POST" else {
            return (405, ["message": "Hasura calls are POST requests", "extensions": ["code": "method-not-allowed"]])
        }
        switch (segments.first, segments.count) {
        case ("actions", 1): return await handlers.action(named: nil, body: request.body)
        case ("actions", 2): return await handlers.action(named: segments[1], body: request.body)
        case ("hasura", 3) where segments[1] == "events" && segments[2] == "job-inserted":
            return await handlers.jobInserted(body: request.body)
        case ("hasura", 2) where segments[1] == "cron" || segments[1] == "scheduled":
            return await handlers.scheduledEvent(body: request.body)
        default:
            return (404, ["message": .string("no Hasura route \(request.path)"), "extensions": ["code": "not-found"]])
        }
    }

    private func executeJob(id: UUID, body: [UInt8]) async throws -> (Int, JSONValue) {
        let input = body.isEmpty ? [:] : try Self.jsonObject(body)
        var violations: [FieldViolation] = []
        for key in input.keys.sorted() where key != "parameters" && key != "idempotencyKey" {
            violations.append(FieldViolation(field: key, message: "is not a known field"))
        }
        var overrides: [String: JSONValue] = [:]
        if let parameters = input["parameters"], parameters != .null {
            if let members = parameters.objectValue {
                overrides = members
            } else {
                violations.append(FieldViolation(field: "parameters", message: "must be an object"))
            }
        }
        var idempotencyKey: String?
        if let key = input["idempotencyKey"], key != .null {
            // Counted in code points and free of NUL, as the database column will hold it.
            if let text = key.stringValue, (1...200).contains(text.unicodeScalars.count), !text.contains("\u{0}") {
                idempotencyKey = text
            } else {
                violations.append(
                    FieldViolation(field: "idempotencyKey", message: "must be a string of 1-200 characters")
                )
            }
        }
        if !violations.isEmpty {
            throw ValidationError(violations)
        }
        let (execution, created) = try await self.manager.executeJob(
            id: id,
            parameterOverrides: overrides,
            idempotencyKey: idempotencyKey
        )
        if created {
            self.processor?.wake()
        }
        return (
            created ? 202 : 200,
            .object([
                "executionId": .string(execution.id.uuidString.lowercased()),
                "jobId": .string(id.uuidString.lowercased()),
                "status": .string(execution.status.rawValue),
                "created": .bool(created),
            ])
        )
    }
}
