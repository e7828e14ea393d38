import HTTPServer
import Testing

extension HTTPServer.Configuration {
    /// Loopback on a free port with a small body limit and a short grace period, for tests.
    static func test(maxBodyBytes: Int = 4096, shutdownGracePeriod: Duration = .seconds(5)) -> Self {
        HTTPServer.Configuration(
            host: "127.0.0.1",
            port: 0,
            maxBodyBytes: maxBodyBytes,
            connectionTimeoutSeconds: 10,
            shutdownGracePeriod: shutdownGracePeriod
        )
    }
}

/// A server started by a test: its port, and a way to stop it and wait until `run` has returned.
struct RunningServer: Sendable {
    let port: Int
    fileprivate let task: Task<Void, any Error>

    /// Cancels `run` (the graceful shutdown signal) without waiting.
    func beginShutdown() {
        self.task.cancel()
    }

    /// Waits until `run` has returned, rethrowing what it threw.
    func waitUntilStopped() async throws {
        try await self.task.value
    }
}

/// Runs a real server on 127.0.0.1 with a free port for the duration of `body`, then shuts it down gracefully
/// and waits for `run` to return, even when `body` throws.
func withTestServer(
    configuration: HTTPServer.Configuration = .test(),
    responder: some HTTPResponder,
    logs: ObservedLogs = ObservedLogs(),
    sourceLocation: SourceLocation = #_sourceLocation,
    _ body: (RunningServer) async throws -> Void
) async throws {
    let server = HTTPServer(configuration: configuration, responder: responder, logger: logs.makeLogger())
    let (ports, portContinuation) = AsyncStream<Int>.makeStream()
    // The server runs in an unstructured task so tests can cancel it at a moment of their choosing; it is
    // always awaited below before this function returns.
    let task = Task {
        defer { portContinuation.finish() }
        try await server.run { port in portContinuation.yield(port) }
    }
    var iterator = ports.makeAsyncIterator()
    guard let port = await iterator.next() else {
        try await task.value
        Issue.record("the server returned without listening", sourceLocation: sourceLocation)
        return
    }
    let running = RunningServer(port: port, task: task)
    do {
        try await body(running)
    } catch {
        running.beginShutdown()
        try? await running.waitUntilStopped()
        throw error
    }
    running.beginShutdown()
    try await running.waitUntilStopped()
}
