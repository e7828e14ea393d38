import Foundation
import HTTPServer
import JobsCore
import Synchronization

/// A message gateway on loopback for the SMS tests: takes batches as Fineract's message gateway
/// does, honours `Idempotency-Key` as a provider that supports it would (a key seen before is
/// answered 202 and sends nothing again), and can be told to fail the next requests.
final class SMSGatewayStub: HTTPResponder {
    struct Request {
        var idempotencyKey: String?
        var authorization: String?
        var tenantHeader: String?
        var items: [JSONValue]
    }

    private struct State {
        var requests: [Request] = []
        var seenKeys: Set<String> = []
        /// How often each message id was really sent (accepted under a new key).
        var sentCount: [Int64: Int] = [:]
        var failuresLeft = 0
        var failureStatus = 503
        var reply: @Sendable ([Int64]) -> JSONValue? = { _ in nil }
    }

    private let state = Mutex(State())

    /// Answers the next `count` requests with `status` and sends nothing for them.
    func fail(next count: Int, status: Int = 503) {
        self.state.withLock {
            $0.failuresLeft = count
            $0.failureStatus = status
        }
    }

    /// Sets the body of the 202 answers, built from the batch's ids.
    func reply(with body: @escaping @Sendable ([Int64]) -> JSONValue?) {
        self.state.withLock { $0.reply = body }
    }

    /// Records a key as already handled, as if a request with it had arrived before.
    func remember(key: String, sending ids: [Int64]) {
        self.state.withLock { state in
            state.seenKeys.insert(key)
            for id in ids {
                state.sentCount[id, default: 0] += 1
            }
        }
    }

    var requests: [Request] { self.state.withLock { $0.requests } }
    var sentCount: [Int64: Int] { self.state.withLock { $0.sentCount } }

    func respond(to request: HTTPRequest) async -> HTTPResponse {
        let items: [JSONValue]
        if case .array(let array)? = try? JSONValue(parsing: Data(request.body)) {
            items = array
        } else {
            items = []
        }
        let recorded = Request(
            idempotencyKey: request.headers["Idempotency-Key"],
            authorization: request.headers["Authorization"],
            tenantHeader: request.headers["Fineract-Platform-TenantId"],
            items: items
        )
        let ids = items.compactMap { $0["internalId"]?.integerValue }
        let answer: (status: Int, body: JSONValue?) = self.state.withLock { state in
            state.requests.append(recorded)
            if state.failuresLeft > 0 {
                state.failuresLeft -= 1
                return (state.failureStatus, nil)
            }
            if let key = recorded.idempotencyKey, !state.seenKeys.insert(key).inserted {
                return (202, state.reply(ids))
            }
            for id in ids {
                state.sentCount[id, default: 0] += 1
            }
            return (202, state.reply(ids))
        }
        return HTTPResponse(
            status: answer.status,
            headers: ["Content-Type": "application/json"],
            body: Array((answer.body?.serialized() ?? "").utf8)
        )
    }
}
