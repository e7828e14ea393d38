/// The request line and header fields of a request, available before any body byte is read.
public struct HTTPRequestHead: Sendable {
    /// The request method as sent, such as `GET` or `POST`.
    public var method: String
    /// The path of the request target, percent-decoded, without the query.
    public var path: String
    /// The query pairs in the order they were sent; a repeated name appears once per occurrence.
    public var queryItems: [HTTPQueryItem]
    /// The request header fields in the order they were sent.
    public var headers: HTTPHeaders
    /// The client's IP address as text (such as `127.0.0.1`), when known.
    public var remoteAddress: String?

    /// Creates a request head; the server builds these, tests and other adapters may too.
    public init(
        method: String,
        path: String,
        queryItems: [HTTPQueryItem] = [],
        headers: HTTPHeaders = HTTPHeaders(),
        remoteAddress: String? = nil
    ) {
        self.method = method
        self.path = path
        self.queryItems = queryItems
        self.headers = headers
        self.remoteAddress = remoteAddress
    }

    /// The value of the first query item named `name` (compared exactly), or `nil`.
    public func queryValue(named name: String) -> String? {
        self.queryItems.first { $0.name == name }?.value
    }
}
