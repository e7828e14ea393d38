public import Logging

/// A message sent with `NOTIFY channel, 'payload'`.
public struct PostgresNotification: Sendable, Hashable {
    public var channel: String
    public var payload: String

    public init(channel: String, payload: String) {
        self.channel = channel
        self.payload = payload
    }
}

/// Keeps a dedicated connection listening on a set of channels and turns NOTIFY into an async stream.
///
/// After every (re)connection the stream yields `.listening`, because notifications sent while the
/// listener was disconnected are lost: consumers treat it as "look at the database again".
public final class PostgresListener: Sendable {
    /// What the listener reports.
    public enum Event: Sendable, Hashable {
        /// The listener is (again) subscribed; anything may have happened while it was not.
        case listening
        case notification(PostgresNotification)
    }

    public let events: AsyncStream<Event>
    private let continuation: AsyncStream<Event>.Continuation
    private let configuration: PostgresConfiguration
    private let channels: [String]
    private let logger: Logger

    /// Creates a listener for `channels`, which must be plain identifiers written by the program.
    public init(configuration: PostgresConfiguration, channels: [String], logger: Logger) {
        for channel in channels {
            precondition(
                channel.allSatisfy { $0.isLetter || $0.isNumber || $0 == "_" } && !channel.isEmpty,
                "channel names are program-written identifiers"
            )
        }
        (self.events, self.continuation) = AsyncStream.makeStream(bufferingPolicy: .bufferingNewest(10_000))
        self.configuration = configuration
        self.channels = channels
        self.logger = logger
    }

    /// Listens until the calling task is cancelled, reconnecting with back-off when the connection breaks.
    public func run() async {
        var delay = Duration.milliseconds(100)
        defer { self.continuation.finish() }
        while !Task.isCancelled {
            do {
                let connection = try await PostgresConnection.connect(
                    configuration: self.configuration,
                    logger: self.logger
                )
                for channel in self.channels {
                    try await connection.query(PostgresQuery(unsafeSQL: "LISTEN \(channel)"))
                }
                self.logger.debug("listening for notifications", metadata: [.dbChannel: "\(self.channels)"])
                self.continuation.yield(.listening)
                delay = .milliseconds(100)
                while !Task.isCancelled {
                    for notification in try await connection.waitForNotifications(timeoutMilliseconds: 250) {
                        self.continuation.yield(.notification(notification))
                    }
                }
            } catch {
                if Task.isCancelled { break }
                self.logger.warning(
                    "notification listener lost its connection; retrying",
                    metadata: [.error: "\(error)"]
                )
                try? await Task.sleep(for: delay)
                delay = min(delay * 2, .seconds(5))
            }
        }
    }
}
