/// A complete request: its head and the whole body, as handed to `HTTPResponder.respond(to:)`.
public struct HTTPRequest: Sendable {
    /// The request line and header fields.
    public var head: HTTPRequestHead
    /// The body bytes; empty when the request had none. Never larger than the server's body limit.
    public var body: [UInt8]

    /// Creates a request.
    public init(head: HTTPRequestHead, body: [UInt8] = []) {
        self.head = head
        self.body = body
    }

    /// The request method, such as `GET`.
    public var method: String { self.head.method }

    /// The percent-decoded path without the query.
    public var path: String { self.head.path }

    /// The query pairs in the order they were sent.
    public var queryItems: [HTTPQueryItem] { self.head.queryItems }

    /// The request header fields.
    public var headers: HTTPHeaders { self.head.headers }
}
