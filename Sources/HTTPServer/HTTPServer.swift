public import Logging

/// An HTTP/1.1 server on libmicrohttpd that hands each request to an `HTTPResponder`.
///
/// libmicrohttpd's own threads read requests; each complete request is answered by the responder in a
/// task while its connection is suspended, so those threads never wait for async work. Bodies are
/// collected in memory up to `Configuration.maxBodyBytes`. Keep-alive works as HTTP/1.1 defines it.
///
/// Run it with `run(onListening:)` inside a task group, and cancel the task to stop it gracefully.
public final class HTTPServer: Sendable {
    private let configuration: Configuration
    private let responder: any HTTPResponder
    private let logger: Logger

    /// Creates a server; nothing happens until `run(onListening:)`.
    ///
    /// - Parameters:
    ///   - configuration: Address, limits and shutdown timing.
    ///   - responder: Answers requests.
    ///   - logger: Receives lifecycle lines at info and one line per request at debug; never bodies or
    ///     header values.
    public init(configuration: Configuration, responder: some HTTPResponder, logger: Logger) {
        self.configuration = configuration
        self.responder = responder
        self.logger = logger
    }

    /// Starts listening, calls onListening with the bound port, serves until the calling task is cancelled;
    /// then stops accepting new connections, lets requests in flight finish within shutdownGracePeriod,
    /// stops the daemon and returns.
    ///
    /// Once the grace period is over, responders still running are cancelled and their clients get a 503
    /// (sent within at most one more second); connections still uploading a body are closed.
    ///
    /// - Parameter onListening: Called once with the bound TCP port, before any request is served.
    /// - Throws: `HTTPServerError` when the configuration is invalid or the server cannot bind or start.
    public func run(onListening: @Sendable (Int) -> Void = { _ in }) async throws {
        try self.configuration.validate()
        let dispatcher = RequestDispatcher(
            responder: self.responder,
            logger: self.logger,
            maxBodyBytes: self.configuration.maxBodyBytes
        )
        try await self.serve(with: dispatcher, onListening: onListening)
        // The daemon belonged to `serve`, so libmicrohttpd has stopped by now.
        self.logger.info("HTTP server stopped")
    }

    /// Starts the daemon, serves until cancelled and drains; the daemon is stopped when this returns.
    private func serve(with dispatcher: RequestDispatcher, onListening: @Sendable (Int) -> Void) async throws {
        let daemon: MicroHTTPDDaemon
        do {
            daemon = try MicroHTTPDDaemon(configuration: self.configuration, dispatcher: dispatcher)
        } catch {
            self.logger.debug(
                "HTTP server could not start",
                metadata: [.errorCode: "\(error.code)", .error: .string(error.debugDescription)]
            )
            throw error
        }
        self.logger.info(
            "HTTP server listening",
            metadata: [.httpHost: .string(self.configuration.host), .httpPort: "\(daemon.port)"]
        )
        onListening(daemon.port)

        await Self.waitForCancellation()
        await self.drain(daemon, dispatcher: dispatcher)
        // Keeps the daemon alive through the drain; releasing it afterwards runs MHD_stop_daemon.
        withExtendedLifetime(daemon) {}
    }

    /// Shuts down in order: refuse new connections, let requests finish, give up after the grace period.
    ///
    /// Returns once no connection is suspended, so that the daemon may be stopped.
    private func drain(_ daemon: MicroHTTPDDaemon, dispatcher: RequestDispatcher) async {
        daemon.stopAccepting()
        dispatcher.beginDraining()
        self.logger.info("HTTP server stopping", metadata: [.httpInFlight: "\(dispatcher.inFlightCount)"])

        let drained = await dispatcher.wait(
            for: .noRequestsInFlight,
            until: .now + self.configuration.shutdownGracePeriod
        )
        guard !drained else { return }
        self.logger.info(
            "HTTP server grace period over, cancelling requests",
            metadata: [.httpInFlight: "\(dispatcher.inFlightCount)"]
        )
        dispatcher.abandonInFlight()
        // Give the 503s a moment to reach their clients; requests still sending a body are not waited for.
        _ = await dispatcher.wait(for: .noResponsesPending, until: .now + Self.abandonedResponseFlushLimit)
        // libmicrohttpd must not be stopped while a connection is suspended. Resumed connections come back
        // to a network callback within moments; the deadline only guards against a libmicrohttpd bug.
        let resumed = await dispatcher.wait(for: .noSuspendedConnections, until: .now + .seconds(5))
        if !resumed {
            self.logger.error("HTTP server stopping with suspended connections")
        }
    }

    /// How long the 503 responses of abandoned requests may take to be sent before the daemon stops anyway.
    private static let abandonedResponseFlushLimit = Duration.seconds(1)

    /// Returns once the current task is cancelled (at once if it already is).
    private static func waitForCancellation() async {
        let (stream, continuation) = AsyncStream<Never>.makeStream()
        await withTaskCancellationHandler {
            for await _ in stream {}
        } onCancel: {
            continuation.finish()
        }
    }
}
