import Foundation

/// A one-dimensional array bound as a single parameter, written in PostgreSQL's array text format;
/// cast it in SQL (`\(PostgresArray(ids))::uuid[]`).
///
/// Every element is quoted and escaped, so any text is safe; nil elements become SQL NULL.
public struct PostgresArray: PostgresEncodable, Hashable {
    public var elements: [String?]

    public init(_ elements: [String?]) {
        self.elements = elements
    }

    public init(_ elements: [String]) {
        self.elements = elements.map(Optional.some)
    }

    public var postgresText: String? {
        "{"
            + self.elements.map { element in
                guard let element else { return "NULL" }
                let escaped = element.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(
                    of: "\"",
                    with: "\\\""
                )
                return "\"" + escaped + "\""
            }.joined(separator: ",") + "}"
    }
}
