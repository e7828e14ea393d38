import CCurl

/// A failed transfer: libcurl's code, the text libcurl wrote into its error buffer, and the last
/// reply the server sent (an HTTP status or an SMTP reply code), when it sent one.
///
/// `description` is safe to show anyone and to store: it names what failed and the codes, never a
/// URL, a user name, a password or a token. The error-buffer text may name the host and port, so it
/// goes only into `debugDescription`, for logs.
public struct CurlError: Error, Sendable, CustomStringConvertible, CustomDebugStringConvertible {
    /// libcurl's `CURLcode`, with the values the callers branch on named.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        /// The raw `CURLcode` value.
        public let rawValue: Int

        init(_ code: CURLcode) {
            self.rawValue = Int(code.rawValue)
        }

        public static let unsupportedProtocol = Code(CURLE_UNSUPPORTED_PROTOCOL)
        public static let malformedURL = Code(CURLE_URL_MALFORMAT)
        public static let couldNotResolveHost = Code(CURLE_COULDNT_RESOLVE_HOST)
        public static let couldNotConnect = Code(CURLE_COULDNT_CONNECT)
        public static let weirdServerReply = Code(CURLE_WEIRD_SERVER_REPLY)
        public static let operationTimedOut = Code(CURLE_OPERATION_TIMEDOUT)
        public static let abortedByCallback = Code(CURLE_ABORTED_BY_CALLBACK)
        public static let sendError = Code(CURLE_SEND_ERROR)
        public static let receiveError = Code(CURLE_RECV_ERROR)
        public static let gotNothing = Code(CURLE_GOT_NOTHING)
        public static let sslConnectError = Code(CURLE_SSL_CONNECT_ERROR)
        public static let loginDenied = Code(CURLE_LOGIN_DENIED)
        public static let useSSLFailed = Code(CURLE_USE_SSL_FAILED)
        public static let writeError = Code(CURLE_WRITE_ERROR)

        /// libcurl's fixed text for the code (`curl_easy_strerror`), which carries no data.
        public var description: String {
            String(cString: curl_easy_strerror(CURLcode(UInt32(self.rawValue))))
        }
    }

    public var code: Code
    /// What failed, in words safe to show.
    public var message: String
    /// libcurl's detail text from `CURLOPT_ERRORBUFFER`; may name the host. For logs only.
    public var errorBuffer: String
    /// The server's last reply code (HTTP status or SMTP reply), nil when it never answered.
    public var replyCode: Int?
    public var file: String
    public var line: UInt

    public init(
        code: Code,
        message: String,
        errorBuffer: String = "",
        replyCode: Int? = nil,
        file: String = #fileID,
        line: UInt = #line
    ) {
        self.code = code
        self.message = message
        self.errorBuffer = errorBuffer
        self.replyCode = replyCode
        self.file = file
        self.line = line
    }

    /// Whether the server could not be reached or the connection broke before it answered.
    public var isConnectionFailure: Bool {
        [.couldNotResolveHost, .couldNotConnect, .sendError, .receiveError, .gotNothing, .sslConnectError]
            .contains(self.code) && self.replyCode == nil
    }

    /// Whether the transfer ran out of time.
    public var isTimeout: Bool {
        self.code == .operationTimedOut
    }

    public var description: String {
        var text = "curl error \(self.code.rawValue) (\(self.code))"
        if let replyCode = self.replyCode {
            text += ", server reply \(replyCode)"
        }
        return text
    }

    public var debugDescription: String {
        "CurlError(code: \(self.code.rawValue), reply: \(self.replyCode.map(String.init) ?? "none"), "
            + "detail: \(self.errorBuffer), at: \(self.file):\(self.line))"
    }
}
