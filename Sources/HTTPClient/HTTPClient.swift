import CCurl

/// Makes HTTP requests through libcurl, one connection per request.
///
/// Only `http` and `https` URLs are followed, redirects are not, and the response body is kept up to
/// 1 MiB. The blocking transfer runs on a dedicated thread; cancelling the calling task stops it.
public struct HTTPClient: Sendable {
    /// A response: any status the server sent, with its body.
    public struct Response: Sendable {
        public var status: Int
        public var body: [UInt8]
    }

    public init() {}

    /// Sends a POST request and returns whatever the server answered.
    ///
    /// - Parameters:
    ///   - url: an `http://` or `https://` URL.
    ///   - headers: header fields as `(name, value)`; neither may contain a line break.
    ///   - body: the request body.
    ///   - timeout: the longest the whole exchange may take.
    /// - Throws: `CurlError` when no response came (refused, timed out, broken connection);
    ///   `CancellationError` when the calling task was cancelled.
    public func post(
        url: String,
        headers: [(name: String, value: String)],
        body: [UInt8],
        timeout: Duration
    ) async throws -> Response {
        for header in headers {
            precondition(
                !(header.name + header.value).contains(where: { $0 == "\r" || $0 == "\n" }),
                "a header field holds no line break"
            )
        }
        // "Expect: 100-continue" would delay every request; the server reads the body regardless.
        let headerLines = headers.map { "\($0.name): \($0.value)" } + ["Expect:"]
        let outcome = try await CurlTransfer.perform(upload: body) { easy, size throws(CurlError) in
            try easy.set(CURLOPT_URL, url)
            try easy.set(CURLOPT_PROTOCOLS_STR, "http,https")
            try easy.set(CURLOPT_POST, 1)
            try easy.set(CURLOPT_POSTFIELDSIZE_LARGE, size: Int64(size))
            try easy.set(CURLOPT_HTTPHEADER, list: headerLines)
            try easy.set(CURLOPT_TIMEOUT_MS, Int(timeout.milliseconds))
            try easy.set(CURLOPT_CONNECTTIMEOUT_MS, Int(min(timeout, .seconds(10)).milliseconds))
        }
        return Response(status: outcome.replyCode, body: outcome.body)
    }
}
