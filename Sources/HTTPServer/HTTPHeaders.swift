/// An ordered list of HTTP header fields with case-insensitive lookup.
///
/// Fields keep the order in which they were added, and a name may appear more than once; lookups compare
/// names without regard to ASCII case, as HTTP requires. Values are stored as given: the server refuses to
/// send a value containing a line break.
public struct HTTPHeaders: Sendable, Sequence {
    /// One header field.
    public typealias Element = (name: String, value: String)

    private var fields: [Element]

    /// Creates a header list from `(name, value)` pairs, kept in the given order.
    public init(_ pairs: [(String, String)] = []) {
        self.fields = pairs.map { (name: $0.0, value: $0.1) }
    }

    /// The value of the first field named `name`, compared case-insensitively, or `nil` when there is none.
    public subscript(name: String) -> String? {
        self.fields.first { Self.namesMatch($0.name, name) }?.value
    }

    /// The number of fields, counting repeated names separately.
    public var count: Int { self.fields.count }

    /// Whether the list has no fields.
    public var isEmpty: Bool { self.fields.isEmpty }

    /// Every value of the fields named `name`, in order.
    public func values(for name: String) -> [String] {
        self.fields.filter { Self.namesMatch($0.name, name) }.map(\.value)
    }

    /// Whether at least one field is named `name`.
    public func contains(name: String) -> Bool {
        self.fields.contains { Self.namesMatch($0.name, name) }
    }

    /// Appends a field, keeping any existing fields of the same name.
    public mutating func add(name: String, value: String) {
        self.fields.append((name: name, value: value))
    }

    /// Sets the value of the first field named `name` and removes the others, or appends the field when absent.
    public mutating func replaceOrAdd(name: String, value: String) {
        guard let first = self.fields.firstIndex(where: { Self.namesMatch($0.name, name) }) else {
            self.add(name: name, value: value)
            return
        }
        self.fields[first].value = value
        var index = self.fields.index(after: first)
        while index < self.fields.endIndex {
            if Self.namesMatch(self.fields[index].name, name) {
                self.fields.remove(at: index)
            } else {
                index = self.fields.index(after: index)
            }
        }
    }

    /// Removes every field named `name`.
    public mutating func remove(name: String) {
        self.fields.removeAll { Self.namesMatch($0.name, name) }
    }

    public func makeIterator() -> IndexingIterator<[Element]> {
        self.fields.makeIterator()
    }

    /// Compares two field names byte by byte, folding ASCII letters only, as RFC 9110 defines names.
    static func namesMatch(_ lhs: String, _ rhs: String) -> Bool {
        let left = lhs.utf8
        let right = rhs.utf8
        guard left.count == right.count else { return false }
        return zip(left, right).allSatisfy { Self.foldASCII($0) == Self.foldASCII($1) }
    }

    private static func foldASCII(_ byte: UInt8) -> UInt8 {
        (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte) ? byte + 32 : byte
    }
}

extension HTTPHeaders: ExpressibleByDictionaryLiteral {
    /// Creates a header list from a literal, in the literal's order.
    public init(dictionaryLiteral elements: (String, String)...) {
        self.init(elements)
    }
}

extension HTTPHeaders: CustomStringConvertible {
    /// The field names only: header values can carry credentials, so they are never printed.
    public var description: String {
        "HTTPHeaders(" + self.fields.map(\.name).joined(separator: ", ") + ")"
    }
}
