import CCurl

/// Sends e-mail to one SMTP server through libcurl.
///
/// Each `send` opens a connection, says EHLO, upgrades with STARTTLS when configured (or speaks
/// TLS from the start for `smtps://`), authenticates when a user name is set, and hands over one
/// message for one recipient. The blocking transfer runs on a dedicated thread; cancelling the
/// calling task stops it.
public struct SMTPClient: Sendable {
    /// Whether and how the connection is encrypted on `smtp://` URLs; `smtps://` always uses TLS.
    public enum TransportSecurity: String, Sendable, CaseIterable {
        /// Plain text, even when the server offers STARTTLS.
        case none
        /// STARTTLS when the server offers it, plain text otherwise (`CURLUSESSL_TRY`).
        case starttls
        /// STARTTLS or give up (`CURLUSESSL_ALL`).
        case required
    }

    /// Where and how to connect.
    public struct Configuration: Sendable {
        /// `smtp://host[:port]` or `smtps://host[:port]`; no user or password in it.
        public var url: String
        public var transportSecurity: TransportSecurity
        public var username: String?
        /// Sent only to `url`'s server, during AUTH; never logged.
        public var password: String?
        /// The longest one message may take, connecting included.
        public var timeout: Duration

        public init(
            url: String,
            transportSecurity: TransportSecurity = .starttls,
            username: String? = nil,
            password: String? = nil,
            timeout: Duration = .seconds(30)
        ) {
            self.url = url
            self.transportSecurity = transportSecurity
            self.username = username
            self.password = password
            self.timeout = timeout
        }
    }

    public let configuration: Configuration

    public init(configuration: Configuration) {
        self.configuration = configuration
    }

    /// Delivers `message` to the server, which takes responsibility for it.
    ///
    /// - Throws: `CurlError` when the server could not be reached, refused the message or timed
    ///   out; its `replyCode` is the server's last SMTP reply (4xx: try again later, 5xx: refused).
    ///   `CancellationError` when the calling task was cancelled.
    public func send(_ message: EmailMessage) async throws {
        let configuration = self.configuration
        let envelopeFrom = "<\(message.from.address)>"
        let envelopeTo = "<\(message.to.address)>"
        _ = try await CurlTransfer.perform(upload: message.rendered()) { easy, size throws(CurlError) in
            try easy.set(CURLOPT_URL, configuration.url)
            try easy.set(CURLOPT_PROTOCOLS_STR, "smtp,smtps")
            try easy.set(CURLOPT_USE_SSL, Int(configuration.transportSecurity.curlValue.rawValue))
            if let username = configuration.username {
                try easy.set(CURLOPT_USERNAME, username)
                try easy.set(CURLOPT_PASSWORD, configuration.password ?? "")
            }
            try easy.set(CURLOPT_MAIL_FROM, envelopeFrom)
            try easy.set(CURLOPT_MAIL_RCPT, list: [envelopeTo])
            try easy.set(CURLOPT_UPLOAD, 1)
            try easy.set(CURLOPT_INFILESIZE_LARGE, size: Int64(size))
            try easy.set(CURLOPT_TIMEOUT_MS, Int(configuration.timeout.milliseconds))
            try easy.set(CURLOPT_CONNECTTIMEOUT_MS, Int(min(configuration.timeout, .seconds(10)).milliseconds))
        }
    }
}

extension SMTPClient.TransportSecurity {
    var curlValue: curl_usessl {
        switch self {
        case .none: CURLUSESSL_NONE
        case .starttls: CURLUSESSL_TRY
        case .required: CURLUSESSL_ALL
        }
    }
}

extension Duration {
    /// Whole milliseconds, rounded down; at least 1 so that libcurl never reads 0 as "no limit".
    var milliseconds: Int64 {
        max(1, self.components.seconds * 1000 + self.components.attoseconds / 1_000_000_000_000_000)
    }
}
