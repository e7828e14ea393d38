import HTTPClient

/// What a failed SMTP delivery means for the message, read from the server's last reply code.
///
/// - 5xx: the server refused this message for good (unknown recipient, rejected content): FAILED.
/// - 4xx: the server asked to try again later: a retry.
/// - no reply, a broken connection, a time-out, a TLS failure, refused authentication: the server
///   is unavailable or misconfigured, which says nothing about the message: a retry, and the run
///   stops trying further messages.
struct SMTPFailure: Sendable {
    var isPermanent: Bool
    var isServerUnreachable: Bool
    /// Safe to store in the row and to show: the reply code and libcurl's fixed text, no host, no credential.
    var message: String

    init(_ error: CurlError) {
        let serverLevel: Set<CurlError.Code> = [.loginDenied, .useSSLFailed, .sslConnectError]
        switch error.replyCode {
        case .some(let reply) where (500..<600).contains(reply) && !serverLevel.contains(error.code):
            self.isPermanent = true
            self.isServerUnreachable = false
            self.message = "the SMTP server refused the message (reply \(reply))"
        case .some(let reply) where (400..<500).contains(reply) && reply != 421:
            self.isPermanent = false
            self.isServerUnreachable = false
            self.message = "the SMTP server deferred the message (reply \(reply))"
        default:
            self.isPermanent = false
            self.isServerUnreachable = true
            self.message =
                error.isTimeout ? "the SMTP server did not answer in time" : "SMTP server unavailable: \(error)"
        }
    }
}
