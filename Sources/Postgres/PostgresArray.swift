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
            // Escaping byte by byte: arrays of ids, dates and amounts run to tens of thousands of
            // elements, and a Foundation replace per element costs more than the rest of the bind.
            for character in element.unicodeScalars {
                if character == "\\" || character == "\"" {
                    text.unicodeScalars.append("\\")
                }
                text.unicodeScalars.append(character)
            }
            text += "\""
        }
        return text + "}"
    }
}
