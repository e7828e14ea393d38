public import HTTPServer
import Logging

/// Runs a real HTTP server on 127.0.0.1 with a free port for the duration of `body`, then shuts it
/// down gracefully and waits until it has stopped, even when `body` throws.
///
/// For tests of HTTP clients: `responder` plays the remote service.
public func withLoopbackHTTPServer<Result: Sendable>(
    responder: some HTTPResponder,
    _ body: (_ port: Int) async throws -> Result
) async throws -> Result {
    let server = HTTPServer(
        configuration: HTTPServer.Configuration(
            host: "127.0.0.1",
            port: 0,
            maxBodyBytes: 1 << 20,
            connectionTimeoutSeconds: 10,
            shutdownGracePeriod: .seconds(2)
        ),
        responder: responder,
        logger: Logger(label: "loopback-http-server", level: .error, handler: InMemoryLogHandler())
    )
    let (ports, portContinuation) = AsyncStream<Int>.makeStream()
    // The server runs in a task of its own so it can be stopped after `body`; it is always awaited
    // before this function returns.
    let task = Task {
        defer { portContinuation.finish() }
        try await server.run { port in portContinuation.yield(port) }
    }
    var iterator = ports.makeAsyncIterator()
    guard let port = await iterator.next() else {
        try await task.value
        throw CancellationError()
    }
    do {
        let result = try await body(port)
        task.cancel()
        try await task.value
        return result
    } catch {
        task.cancel()
        _ = await task.result
        throw error
    }
}

/// A TCP port on 127.0.0.1 that nothing listens on: bound, then closed again at once.
public func closedLoopbackPort() throws -> Int {
    try ClosedPort.find()
}
