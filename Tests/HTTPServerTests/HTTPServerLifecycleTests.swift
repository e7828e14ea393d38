import Foundation
import HTTPServer
import Logging
import Testing

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// Concurrency, graceful shutdown, start-up failures and logging.
@Suite(.timeLimit(.minutes(1)))
struct HTTPServerLifecycleTests {
    @Test func fiftyConcurrentRequestsAreAllAnsweredWhileHandlersAwait() async throws {
        let count = 50
        let everyoneArrived = Countdown(count)
        // Each handler waits until all fifty are inside a handler at the same time, so this only passes when
        // the server runs them concurrently instead of one connection after another.
        let responder = TestResponder { request in
            everyoneArrived.arrive()
            await everyoneArrived.reached.wait()
            return HTTPResponse(status: 200, body: Array((request.head.queryValue(named: "id") ?? "none").utf8))
        }
        try await withTestServer(responder: responder) { server in
            let answers = try await withThrowingTaskGroup(of: (Int, String).self) { group in
                for id in 0..<count {
                    group.addTask {
                        let (data, response) = try await URLSessionClient.send(
                            port: server.port,
                            target: "/work?id=\(id)"
                        )
                        #expect(response.statusCode == 200)
                        return (id, String(decoding: data, as: UTF8.self))
                    }
                }
                return try await group.reduce(into: [:]) { $0[$1.0] = $1.1 }
            }
            #expect(answers.count == count)
            #expect(answers.allSatisfy { "\($0.key)" == $0.value })
            #expect(responder.respondCalls.value == count)
        }
    }

    @Test func shutdownLetsTheRequestInFlightFinishAndRefusesNewConnections() async throws {
        let handlerEntered = Latch()
        let releaseHandler = Latch()
        let responder = TestResponder { _ in
            handlerEntered.open()
            await releaseHandler.wait()
            return HTTPResponse(status: 200, body: Array("finished".utf8))
        }
        let logs = ObservedLogs()
        try await withTestServer(responder: responder, logs: logs) { server in
            async let slow = URLSessionClient.send(port: server.port, target: "/slow")
            await handlerEntered.wait()

            server.beginShutdown()
            await logs.waitFor(message: "HTTP server stopping")
            let refusedWhileDraining = try await onDedicatedThread { Self.connectionIsRefused(port: server.port) }
            #expect(refusedWhileDraining)

            releaseHandler.open()
            let (data, response) = try await slow
            #expect(response.statusCode == 200)
            #expect(String(decoding: data, as: UTF8.self) == "finished")
            #expect(response.value(forHTTPHeaderField: "Connection")?.lowercased() == "close")

            try await server.waitUntilStopped()
            let refusedAfterwards = try await onDedicatedThread { Self.connectionIsRefused(port: server.port) }
            #expect(refusedAfterwards)
        }
        #expect(logs.entries.contains { $0.message == "HTTP server stopped" })
        #expect(!logs.entries.contains { $0.message == "HTTP server grace period over, cancelling requests" })
    }

    @Test func requestStillRunningAfterTheGracePeriodIsCancelledAndAnswered503() async throws {
        let handlerEntered = Latch()
        let handlerSawCancellation = Latch()
        let responder = TestResponder { _ in
            handlerEntered.open()
            await Latch().wait()  // never opens; returns only on cancellation
            if Task.isCancelled {
                handlerSawCancellation.open()
            }
            return HTTPResponse(status: 200, body: Array("too late".utf8))
        }
        let configuration = HTTPServer.Configuration.test(shutdownGracePeriod: .milliseconds(200))
        try await withTestServer(configuration: configuration, responder: responder) { server in
            async let stuck = URLSessionClient.send(port: server.port, target: "/stuck")
            await handlerEntered.wait()
            server.beginShutdown()
            try await server.waitUntilStopped()
            await handlerSawCancellation.wait()
            let (data, response) = try await stuck
            #expect(response.statusCode == 503)
            #expect(String(decoding: data, as: UTF8.self) == #"{"error":"shutting_down"}"#)
        }
    }

    @Test func idleServerStopsAtOnce() async throws {
        let logs = ObservedLogs()
        try await withTestServer(responder: TestResponder.text("ok"), logs: logs) { server in
            _ = try await URLSessionClient.send(port: server.port, target: "/")
        }
        #expect(logs.entries.map(\.message).suffix(2) == ["HTTP server stopping", "HTTP server stopped"])
    }

    @Test func bindingAPortThatIsTakenThrows() async throws {
        try await withTestServer(responder: TestResponder.text("first")) { server in
            var configuration = HTTPServer.Configuration.test()
            configuration.port = server.port
            let second = HTTPServer(
                configuration: configuration,
                responder: TestResponder.text("second"),
                logger: ObservedLogs().makeLogger()
            )
            let error = await #expect(throws: HTTPServerError.self) {
                try await second.run { _ in Issue.record("the second server must not listen") }
            }
            #expect(error?.code == .cannotStart)
            #expect(error?.detail != nil, "libmicrohttpd's own explanation is kept for debugging")
            #expect(error?.description.contains("\(server.port)") == true)
        }
    }

    @Test(arguments: [
        HTTPServer.Configuration(host: "localhost"),
        HTTPServer.Configuration(port: 70000),
        HTTPServer.Configuration(threadCount: 0),
        HTTPServer.Configuration(maxBodyBytes: -1),
    ])
    func invalidConfigurationIsRejectedBeforeStarting(_ configuration: HTTPServer.Configuration) async throws {
        let server = HTTPServer(
            configuration: configuration,
            responder: TestResponder.text("unused"),
            logger: ObservedLogs().makeLogger()
        )
        let error = await #expect(throws: HTTPServerError.self) { try await server.run() }
        #expect(error?.code == .invalidConfiguration)
    }

    @Test func logsOneDebugLinePerRequestWithoutBodiesOrHeaderValues() async throws {
        let logs = ObservedLogs()
        let responder = TestResponder { request in
            HTTPResponse(status: 201, headers: ["Set-Cookie": "session=response-secret"], body: request.body)
        }
        try await withTestServer(responder: responder, logs: logs) { server in
            let (_, response) = try await URLSessionClient.send(
                "POST",
                port: server.port,
                target: "/jobs/run?token=query-secret",
                headers: ["Authorization": "Bearer header-secret"],
                body: Data("body-secret".utf8)
            )
            #expect(response.statusCode == 201)
        }
        let requestLine = try #require(logs.entries.first { $0.message == "HTTP request finished" })
        #expect(requestLine.level == .debug)
        #expect(requestLine.metadata[.httpMethod] == "POST")
        #expect(requestLine.metadata[.httpPath] == "/jobs/run")
        #expect(requestLine.metadata[.httpStatus] == "201")
        #expect(requestLine.metadata[.httpDurationMilliseconds] != nil)
        let listening = try #require(logs.entries.first { $0.message == "HTTP server listening" })
        #expect(listening.level == .info)

        let everything = logs.entries.map { "\($0.message) \($0.metadata)" }.joined(separator: "\n")
        for secret in ["query-secret", "header-secret", "body-secret", "response-secret"] {
            #expect(!everything.contains(secret))
        }
    }

    /// Whether a TCP connection to the port is refused right away.
    private static func connectionIsRefused(port: Int) -> Bool {
        do {
            _ = try RawSocket(port: port)
            return false
        } catch let error as RawSocketError {
            return error.code == ECONNREFUSED
        } catch {
            return false
        }
    }
}
