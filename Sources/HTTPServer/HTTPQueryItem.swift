/// One `name=value` pair from the query part of a request target, percent-decoded.
public struct HTTPQueryItem: Sendable, Hashable {
    /// The decoded name.
    public var name: String
    /// The decoded value, or `nil` when the pair had no `=` (as in `?verbose`).
    public var value: String?

    /// Creates a query item.
    public init(name: String, value: String?) {
        self.name = name
        self.value = value
    }
}
