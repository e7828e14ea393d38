import Foundation
import HTTPClient
import JobsCore

/// Hands SMS batches to the external message gateway, as Fineract's SEND_MESSAGES_TO_SMS_GATEWAY does.
///
/// One POST per batch to the configured URL, with the body a JSON array of
/// `{internalId, tenantId, mobileNumber, message, providerId}` (Fineract's field names), the token as
/// `Authorization: Bearer`, the tenant as `Fineract-Platform-TenantId`, and an `Idempotency-Key` of
/// `<tenant>:<id>,<id>,...` (the batch's ids in ascending order), so the same batch always carries
/// the same key. Fineract expects 202; any 2xx is taken as accepted.
struct SMSGatewayClient: Sendable {
    /// One queued message as the gateway receives it.
    struct Message: Sendable, Equatable {
        var id: Int64
        var mobileNumber: String
        var text: String
    }

    /// The gateway's word on one message, when its answer lists messages.
    struct Report: Sendable, Equatable {
        /// 150 waiting for a delivery report, 200 sent, 300 delivered or 400 failed.
        var status: Int
        var externalID: String?
        var error: String?
    }

    /// What became of a batch.
    enum Reply: Sendable, Equatable {
        /// Taken (2xx); per-message reports by id when the answer carried them.
        case accepted([Int64: Report])
        /// Not taken now, may be later: 5xx, 408, 429, no answer or a time-out.
        case transient(String)
        /// Refused for good (any other 4xx, or an answer that is not HTTP success).
        case permanent(String)
    }

    var url: String
    var token: String?
    var timeout: Duration

    /// Sends one batch and says what became of it.
    ///
    /// - Throws: only `CancellationError`; every transport failure is a `.transient` reply.
    func send(tenantID: String, providerID: Int64?, messages: [Message]) async throws -> Reply {
        var headers: [(name: String, value: String)] = [
            ("Content-Type", "application/json"),
            ("Fineract-Platform-TenantId", tenantID),
            ("Idempotency-Key", Self.idempotencyKey(tenantID: tenantID, ids: messages.map(\.id))),
        ]
        if let token = self.token {
            headers.append(("Authorization", "Bearer \(token)"))
        }
        do {
            let response = try await HTTPClient().post(
                url: self.url,
                headers: headers,
                body: Self.requestBody(tenantID: tenantID, providerID: providerID, messages: messages),
                timeout: self.timeout
            )
            return Self.interpret(status: response.status, body: response.body)
        } catch let error as CurlError {
            return .transient(
                error.isTimeout ? "the SMS gateway did not answer in time" : "SMS gateway unavailable: \(error)"
            )
        }
    }

    /// `<tenant>:<id>,<id>,...` with the ids in ascending order.
    static func idempotencyKey(tenantID: String, ids: [Int64]) -> String {
        "\(tenantID):" + ids.sorted().map(String.init).joined(separator: ",")
    }

    static func requestBody(tenantID: String, providerID: Int64?, messages: [Message]) -> [UInt8] {
        let items: [JSONValue] = messages.map { message in
            .object([
                "internalId": .integer(message.id),
                "tenantId": .string(tenantID),
                "mobileNumber": .string(message.mobileNumber),
                "message": .string(message.text),
                "providerId": providerID.map { .integer($0) } ?? .null,
            ])
        }
        return Array(JSONValue.array(items).serialized().utf8)
    }

    /// Reads the gateway's answer.
    ///
    /// A 2xx answer may list messages as `[{"internalId" (or "id"), "deliveryStatus", "externalId",
    /// "errorMessage"}]`, with the status as Fineract's code (150, 200, 300, 400) or its name;
    /// messages it does not list, or any other body, count as sent (200).
    static func interpret(status: Int, body: [UInt8]) -> Reply {
        switch status {
        case 200..<300:
            return .accepted(Self.reports(in: body))
        case 408, 429, 500..<600:
            return .transient("the SMS gateway could not take the batch now (HTTP \(status))")
        case 400..<500:
            return .permanent("the SMS gateway refused the batch (HTTP \(status))")
        default:
            return .transient("the SMS gateway gave an unexpected answer (HTTP \(status))")
        }
    }

    private static func reports(in body: [UInt8]) -> [Int64: Report] {
        guard !body.isEmpty, case .array(let items)? = try? JSONValue(parsing: Data(body)) else { return [:] }
        var reports: [Int64: Report] = [:]
        for item in items {
            guard let id = (item["internalId"] ?? item["id"])?.integerValue,
                let status = item["deliveryStatus"].flatMap(Self.statusCode)
            else { continue }
            reports[id] = Report(
                status: status,
                externalID: item["externalId"]?.stringValue ?? item["externalId"]?.integerValue.map(String.init),
                error: item["errorMessage"]?.stringValue
            )
        }
        return reports
    }

    private static func statusCode(_ value: JSONValue) -> Int? {
        let names = ["WAITING_FOR_DELIVERY_REPORT": 150, "SENT": 200, "DELIVERED": 300, "FAILED": 400]
        if let code = value.integerValue, [150, 200, 300, 400].contains(code) {
            return Int(code)
        }
        return value.stringValue.flatMap { names[$0.uppercased()] }
    }
}
