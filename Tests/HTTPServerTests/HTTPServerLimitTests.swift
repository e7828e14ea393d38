import Foundation
import HTTPServer
import Logging
import Testing

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// Refusals that happen before or while the body is read: preflight and the body size limit.
@Suite(.timeLimit(.minutes(1)))
struct HTTPServerLimitTests {
    /// Refuses every request that lacks `Authorization: Bearer good`.
    private static func guarded() -> TestResponder {
        TestResponder(
            preflight: { head in
                guard head.headers["authorization"] != "Bearer good" else { return nil }
                return HTTPResponse(
                    status: 401,
                    headers: ["WWW-Authenticate": "Bearer"],
                    body: Array(#"{"error":"unauthorized"}"#.utf8)
                )
            },
            respond: { request in HTTPResponse(status: 200, body: Array("\(request.body.count)".utf8)) }
        )
    }

    @Test func preflightRefusalIsSentWithoutReadingTheBody() async throws {
        let responder = Self.guarded()
        try await withTestServer(responder: responder) { server in
            // The head announces 10 MB, but not one body byte is ever sent: the answer can only arrive if
            // the server refuses without waiting for the body.
            let (response, closed) = try await onDedicatedThread {
                let socket = try RawSocket(port: server.port)
                try socket.send("POST /jobs HTTP/1.1\r\nHost: localhost\r\nContent-Length: 10000000\r\n\r\n")
                return (try socket.readResponse(), try socket.readUntilClosed())
            }
            #expect(response.status == 401)
            #expect(response.header("www-authenticate") == "Bearer")
            #expect(response.bodyText == #"{"error":"unauthorized"}"#)
            #expect(closed, "the unread body makes the connection unusable, so the server closes it")
            #expect(responder.respondCalls.value == 0)
        }
    }

    @Test func preflightThatPassesLetsTheRequestThrough() async throws {
        try await withTestServer(responder: Self.guarded()) { server in
            let (data, response) = try await URLSessionClient.send(
                "POST",
                port: server.port,
                target: "/jobs",
                headers: ["Authorization": "Bearer good"],
                body: Data("12345".utf8)
            )
            #expect(response.statusCode == 200)
            #expect(String(decoding: data, as: UTF8.self) == "5")
        }
    }

    @Test func contentLengthOverTheLimitIsRefusedWithoutCallingTheResponder() async throws {
        let responder = TestResponder.text("should not be called")
        try await withTestServer(configuration: .test(maxBodyBytes: 4096), responder: responder) { server in
            let response = try await onDedicatedThread {
                let socket = try RawSocket(port: server.port)
                try socket.send("PUT /big HTTP/1.1\r\nHost: localhost\r\nContent-Length: 4097\r\n\r\n")
                return try socket.readResponse()
            }
            #expect(response.status == 413)
            #expect(response.header("content-type") == "application/json")
            #expect(response.bodyText == #"{"error":"body_too_large","limitBytes":4096}"#)
            #expect(responder.respondCalls.value == 0)
        }
    }

    @Test func contentLengthAtTheLimitIsAccepted() async throws {
        let responder = TestResponder { request in HTTPResponse(status: 200, body: Array("\(request.body.count)".utf8))
        }
        try await withTestServer(configuration: .test(maxBodyBytes: 4096), responder: responder) { server in
            let (data, response) = try await URLSessionClient.send(
                "POST",
                port: server.port,
                target: "/exact",
                body: Data(repeating: 0x61, count: 4096)
            )
            #expect(response.statusCode == 200)
            #expect(String(decoding: data, as: UTF8.self) == "4096")
        }
    }

    @Test func chunkedBodyOverTheLimitIsRefused() async throws {
        let responder = TestResponder.text("should not be called")
        try await withTestServer(configuration: .test(maxBodyBytes: 4096), responder: responder) { server in
            let response = try await onDedicatedThread {
                let socket = try RawSocket(port: server.port)
                try socket.send("POST /stream HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\n\r\n")
                let chunk = String(repeating: "x", count: 1000)
                for _ in 0..<6 {
                    try socket.send("3E8\r\n\(chunk)\r\n")
                }
                try socket.send("0\r\n\r\n")
                return try socket.readResponse()
            }
            #expect(response.status == 413)
            #expect(response.bodyText == #"{"error":"body_too_large","limitBytes":4096}"#)
            #expect(responder.respondCalls.value == 0)
        }
    }

    @Test func chunkedBodyFarPastTheLimitClosesTheConnectionWithoutAnAnswer() async throws {
        let responder = TestResponder.text("should not be called")
        let logs = ObservedLogs()
        let configuration = HTTPServer.Configuration.test(maxBodyBytes: 4096)
        try await withTestServer(configuration: configuration, responder: responder, logs: logs) { server in
            let remainder = try await onDedicatedThread {
                let socket = try RawSocket(port: server.port)
                try socket.send("POST /flood HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\n\r\n")
                let chunk = "4000\r\n" + String(repeating: "y", count: 0x4000) + "\r\n"
                // 1.25 MiB in all, past the limit plus the 1 MiB the server is willing to read and drop.
                // The server may close while this is still sending, which fails the send; that is expected.
                for _ in 0..<80 {
                    do {
                        try socket.send(chunk)
                    } catch {
                        break
                    }
                }
                return try socket.readRemainder()
            }
            #expect(remainder.isEmpty)
            #expect(responder.respondCalls.value == 0)
            await logs.waitFor(message: "HTTP request finished")
            let finished = try #require(logs.entries.first { $0.message == "HTTP request finished" })
            #expect(finished.metadata[.httpStatus] == nil)
        }
    }

    @Test func rejectionResponseComesFromTheResponder() async throws {
        struct CustomRejection: HTTPResponder {
            func response(for rejection: HTTPRejection) -> HTTPResponse {
                switch rejection {
                case .bodyTooLarge(let limitBytes):
                    HTTPResponse(status: 413, headers: ["X-Limit": "\(limitBytes)"], body: Array("too big".utf8))
                }
            }

            func respond(to request: HTTPRequest) async -> HTTPResponse {
                HTTPResponse(status: 200)
            }
        }
        try await withTestServer(configuration: .test(maxBodyBytes: 10), responder: CustomRejection()) { server in
            let (data, response) = try await URLSessionClient.send(
                "POST",
                port: server.port,
                target: "/",
                body: Data(repeating: 0x62, count: 11)
            )
            #expect(response.statusCode == 413)
            #expect(response.value(forHTTPHeaderField: "X-Limit") == "10")
            #expect(String(decoding: data, as: UTF8.self) == "too big")
        }
    }
}
