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
        var text = "{"
        for (index, element) in self.elements.enumerated() {
            if index > 0 {
                text += ","
            }
            guard let element else {
                text += "NULL"
                continue
            }
            text += "\""
            // Arrays of ids, dates and amounts run to tens of thousands of elements, nearly all with
            // nothing to escape: those are appended whole, the others escaped scalar by scalar.
            if element.utf8.contains(where: { $0 == UInt8(ascii: "\\") || $0 == UInt8(ascii: "\"") }) {
                for character in element.unicodeScalars {
                    if character == "\\" || character == "\"" {
                        text.unicodeScalars.append("\\")
                    }
                    text.unicodeScalars.append(character)
                }
            } else {
                text += element
            }
            text += "\""
        }
        return text + "}"
    }
}
