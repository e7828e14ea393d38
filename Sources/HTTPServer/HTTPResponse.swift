/// A response to send: status code, header fields and the whole body.
///
/// The server adds `Content-Length` and `Date` itself; a header value containing a line break is not sent.
public struct HTTPResponse: Sendable {
    /// The status code, from 100 to 999; the server sends exactly this code.
    public var status: Int
    /// The header fields, sent in order.
    public var headers: HTTPHeaders
    /// The body bytes.
    public var body: [UInt8]

    /// Creates a response.
    public init(status: Int, headers: HTTPHeaders = HTTPHeaders(), body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = body
    }
}
