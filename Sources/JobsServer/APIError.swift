import Foundation
public import HTTPServer
public import JobsCore

/// An error answer of the REST API: a status, a stable code, a message and, for invalid fields,
/// one entry per field.
///
/// The body is `{"error": {"code": ..., "message": ..., "details": [{"field", "message"}], "requestId": ...}}`.
public struct APIError: Error, Sendable {
    public var status: Int
    public var code: String
    public var message: String
    public var details: [FieldViolation]

    public init(status: Int, code: String, message: String, details: [FieldViolation] = []) {
        self.status = status
        self.code = code
        self.message = message
        self.details = details
    }

    public static func malformedJSON(_ reason: String) -> APIError {
        APIError(status: 400, code: "malformed_json", message: "the request body is not valid JSON: \(reason)")
    }

    public static func validation(_ error: ValidationError) -> APIError {
        APIError(
            status: 422,
            code: "validation_failed",
            message: "invalid fields: " + error.violations.map(\.description).joined(separator: "; "),
            details: error.violations
        )
    }

    public static func notFound(_ message: String) -> APIError {
        APIError(status: 404, code: "not_found", message: message)
    }

    /// Builds the JSON response, tagged with the request id.
    public func response(requestID: String) -> HTTPResponse {
        var error: [String: JSONValue] = [
            "code": .string(self.code),
            "message": .string(self.message),
            "requestId": .string(requestID),
        ]
        if !self.details.isEmpty {
            error["details"] = .array(
                self.details.map { .object(["field": .string($0.field), "message": .string($0.message)]) }
            )
        }
        return .json(status: self.status, .object(["error": .object(error)]), requestID: requestID)
    }
}

extension HTTPResponse {
    /// A JSON response with the request id header.
    static func json(status: Int, _ value: JSONValue, requestID: String) -> HTTPResponse {
        HTTPResponse(
            status: status,
            headers: HTTPHeaders([
                ("Content-Type", "application/json; charset=utf-8"),
                ("X-Request-Id", requestID),
                ("Cache-Control", "no-store"),
            ]),
            body: Array(value.serialized().utf8)
        )
    }
}
