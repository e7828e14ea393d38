/// A reason for which the server refuses a request by itself, without calling `HTTPResponder.respond(to:)`.
public enum HTTPRejection: Sendable {
    /// The body is longer than `HTTPServer.Configuration.maxBodyBytes`, by its `Content-Length` or as it streamed in.
    case bodyTooLarge(limitBytes: Int)
}
