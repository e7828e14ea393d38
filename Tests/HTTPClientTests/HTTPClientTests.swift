import Foundation
import HTTPClient
import HTTPServer
import Synchronization
import TestSupport
import Testing

/// Plays a remote service: records each request, and answers after an optional delay.
private final class RecordingResponder: HTTPResponder {
    let requests = Mutex<[HTTPRequest]>([])
    let delay: Duration
    let started: AsyncStream<Void>.Continuation
    let startedStream: AsyncStream<Void>

    init(delay: Duration = .zero) {
        self.delay = delay
        (self.startedStream, self.started) = AsyncStream<Void>.makeStream()
    }

    func respond(to request: HTTPRequest) async -> HTTPResponse {
        self.requests.withLock { $0.append(request) }
        self.started.yield()
        if self.delay > .zero {
            try? await Task.sleep(for: self.delay)
        }
        return HTTPResponse(
            status: 202,
            headers: ["Content-Type": "application/json"],
            body: Array(#"{"ok":true}"#.utf8)
        )
    }
}

@Suite(.timeLimit(.minutes(1)))
struct HTTPClientTests {
    @Test func postsTheBodyAndHeadersAndReturnsTheAnswer() async throws {
        let responder = RecordingResponder()
        try await withLoopbackHTTPServer(responder: responder) { port in
            let response = try await HTTPClient().post(
                url: "http://127.0.0.1:\(port)/sms",
                headers: [("Content-Type", "application/json"), ("Idempotency-Key", "default:1,2")],
                body: Array(#"[{"internalId":1}]"#.utf8),
                timeout: .seconds(5)
            )
            #expect(response.status == 202)
            #expect(String(decoding: response.body, as: UTF8.self) == #"{"ok":true}"#)
        }
        let request = try #require(responder.requests.withLock { $0.first })
        #expect(request.method == "POST")
        #expect(request.path == "/sms")
        #expect(request.headers["Idempotency-Key"] == "default:1,2")
        #expect(String(decoding: request.body, as: UTF8.self) == #"[{"internalId":1}]"#)
    }

    @Test func aClosedPortIsAConnectionFailure() async throws {
        let port = try closedLoopbackPort()
        let error = try await #require(throws: CurlError.self) {
            try await HTTPClient().post(url: "http://127.0.0.1:\(port)/", headers: [], body: [], timeout: .seconds(5))
        }
        #expect(error.isConnectionFailure)
        #expect(error.code == .couldNotConnect)
        #expect(!error.description.contains("127.0.0.1"))
    }

    @Test func aSlowServerTimesOut() async throws {
        try await withLoopbackHTTPServer(responder: RecordingResponder(delay: .seconds(3))) { port in
            let error = try await #require(throws: CurlError.self) {
                try await HTTPClient().post(
                    url: "http://127.0.0.1:\(port)/",
                    headers: [],
                    body: [],
                    timeout: .milliseconds(300)
                )
            }
            #expect(error.isTimeout)
        }
    }

    @Test func cancellingTheTaskStopsTheTransfer() async throws {
        let responder = RecordingResponder(delay: .seconds(20))
        try await withLoopbackHTTPServer(responder: responder) { port in
            let request = Task {
                try await HTTPClient().post(
                    url: "http://127.0.0.1:\(port)/",
                    headers: [],
                    body: [],
                    timeout: .seconds(30)
                )
            }
            var started = responder.startedStream.makeAsyncIterator()
            _ = await started.next()
            request.cancel()
            // The time limit of the suite fails the test if cancellation is not honoured.
            let result = await request.result
            #expect(throws: CancellationError.self) { try result.get() }
        }
    }
}
