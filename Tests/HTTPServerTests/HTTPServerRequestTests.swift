import Foundation
import HTTPServer
import Logging
import Testing

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// What `EchoResponder` reports about the request it received.
struct Echo: Codable, Equatable {
    struct Pair: Codable, Equatable {
        var name: String
        var value: String?
    }

    var method: String
    var path: String
    var query: [Pair]
    var body: String
    var remoteAddress: String?
}

extension TestResponder {
    /// Answers 200 with a JSON `Echo` of the request.
    static func echo() -> TestResponder {
        TestResponder { request in
            let echo = Echo(
                method: request.method,
                path: request.path,
                query: request.queryItems.map { Echo.Pair(name: $0.name, value: $0.value) },
                body: String(decoding: request.body, as: UTF8.self),
                remoteAddress: request.head.remoteAddress
            )
            let body = (try? JSONEncoder().encode(echo)).map(Array.init) ?? []
            return HTTPResponse(status: 200, headers: ["Content-Type": "application/json"], body: body)
        }
    }
}

@Suite(.timeLimit(.minutes(1)))
struct HTTPServerRequestTests {
    @Test func getDecodesPathAndKeepsRepeatedQueryItemsInOrder() async throws {
        try await withTestServer(responder: TestResponder.echo()) { server in
            let (data, response) = try await URLSessionClient.send(
                port: server.port,
                target: "/jobs/a%20b%2Fc?tag=x&tag=y&q=hello%20world&plus=a+b&amp=%26&emoji=%E2%9C%93&flag"
            )
            #expect(response.statusCode == 200)
            let echo = try JSONDecoder().decode(Echo.self, from: data)
            #expect(echo.method == "GET")
            #expect(echo.path == "/jobs/a b/c")
            #expect(echo.remoteAddress == "127.0.0.1")
            #expect(
                echo.query == [
                    .init(name: "tag", value: "x"),
                    .init(name: "tag", value: "y"),
                    .init(name: "q", value: "hello world"),
                    .init(name: "plus", value: "a b"),
                    .init(name: "amp", value: "&"),
                    .init(name: "emoji", value: "✓"),
                    .init(name: "flag", value: nil),
                ]
            )
        }
    }

    @Test func postBodyIsEchoedBack() async throws {
        let responder = TestResponder { request in
            HTTPResponse(
                status: 200,
                headers: ["Content-Type": request.headers["content-type"] ?? "missing"],
                body: request.body
            )
        }
        try await withTestServer(responder: responder) { server in
            let json = Data(#"{"jobId":42,"name":"nightly ü","tags":["a","b"]}"#.utf8)
            let (data, response) = try await URLSessionClient.send(
                "POST",
                port: server.port,
                target: "/jobs",
                headers: ["Content-Type": "application/json"],
                body: json
            )
            #expect(response.statusCode == 200)
            #expect(response.value(forHTTPHeaderField: "Content-Type") == "application/json")
            #expect(data == json)
        }
    }

    @Test func headerLookupIgnoresCase() async throws {
        let responder = TestResponder { request in
            let seen = [
                request.headers["x-tenant-id"], request.headers["X-TENANT-ID"], request.headers["X-Tenant-Id"],
            ]
            return HTTPResponse(status: 200, body: Array(seen.map { $0 ?? "nil" }.joined(separator: ",").utf8))
        }
        try await withTestServer(responder: responder) { server in
            let (data, _) = try await URLSessionClient.send(
                port: server.port,
                target: "/",
                headers: ["X-Tenant-ID": "acme"]
            )
            #expect(String(decoding: data, as: UTF8.self) == "acme,acme,acme")
        }
    }

    @Test func customStatusAndRepeatedHeadersAreSent() async throws {
        let responder = TestResponder { _ in
            HTTPResponse(
                status: 418,
                headers: [("X-Job", "1"), ("X-Job", "2"), ("Cache-Control", "no-store")].reduce(into: HTTPHeaders()) {
                    $0.add(name: $1.0, value: $1.1)
                },
                body: Array("teapot".utf8)
            )
        }
        try await withTestServer(responder: responder) { server in
            let response = try await onDedicatedThread {
                let socket = try RawSocket(port: server.port)
                try socket.send("GET /tea HTTP/1.1\r\nHost: localhost\r\n\r\n")
                return try socket.readResponse()
            }
            #expect(response.status == 418)
            #expect(response.headers.filter { $0.name.lowercased() == "x-job" }.map(\.value) == ["1", "2"])
            #expect(response.header("cache-control") == "no-store")
            #expect(response.bodyText == "teapot")
        }
    }

    @Test func keepAliveServesTwoRequestsOnOneConnection() async throws {
        try await withTestServer(responder: TestResponder.echo()) { server in
            let (first, second) = try await onDedicatedThread {
                let socket = try RawSocket(port: server.port)
                try socket.send("GET /first HTTP/1.1\r\nHost: localhost\r\n\r\n")
                let first = try socket.readResponse()
                try socket.send("POST /second HTTP/1.1\r\nHost: localhost\r\nContent-Length: 5\r\n\r\nhello")
                return (first, try socket.readResponse())
            }
            #expect(first.status == 200)
            #expect(first.header("connection")?.lowercased() != "close")
            let firstEcho = try JSONDecoder().decode(Echo.self, from: Data(first.body))
            let secondEcho = try JSONDecoder().decode(Echo.self, from: Data(second.body))
            #expect(firstEcho.path == "/first")
            #expect(
                secondEcho
                    == Echo(method: "POST", path: "/second", query: [], body: "hello", remoteAddress: "127.0.0.1")
            )
        }
    }

    @Test func chunkedBodyWithinLimitIsAssembled() async throws {
        try await withTestServer(responder: TestResponder.echo()) { server in
            let response = try await onDedicatedThread {
                let socket = try RawSocket(port: server.port)
                try socket.send("POST /chunks HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\n\r\n")
                try socket.send("5\r\nhello\r\n")
                try socket.send("6\r\n world\r\n")
                try socket.send("0\r\n\r\n")
                return try socket.readResponse()
            }
            #expect(response.status == 200)
            let echo = try JSONDecoder().decode(Echo.self, from: Data(response.body))
            #expect(echo.body == "hello world")
        }
    }

    @Test func requestCutMidBodyNeverReachesTheResponder() async throws {
        let responder = TestResponder.text("ok")
        let logs = ObservedLogs()
        try await withTestServer(responder: responder, logs: logs) { server in
            try await onDedicatedThread {
                let socket = try RawSocket(port: server.port)
                try socket.send("POST /cut HTTP/1.1\r\nHost: localhost\r\nContent-Length: 100\r\n\r\n0123456789")
            }
            await logs.waitFor(message: "HTTP request finished")
            let finished = try #require(logs.entries.first { $0.message == "HTTP request finished" })
            #expect(finished.metadata[.httpStatus] == nil)
            #expect(finished.metadata[.httpTermination] != nil)
            #expect(responder.respondCalls.value == 0)

            let (data, _) = try await URLSessionClient.send(port: server.port, target: "/after")
            #expect(String(decoding: data, as: UTF8.self) == "ok")
        }
    }
}
