/// A SQL statement with its bound parameters, written as a string interpolation.
///
/// Every interpolated value becomes a `$n` parameter, so values are never spliced into SQL text:
///
///     let query: PostgresQuery = "SELECT * FROM job WHERE id = \(jobID) AND status = \(status)"
///
/// Identifiers and SQL fragments that must be part of the text use `\(unescaped:)`, which only
/// accepts text the program itself wrote.
public struct PostgresQuery: Sendable, ExpressibleByStringInterpolation {
    /// The SQL text with `$1`, `$2`, ... placeholders.
    public var sql: String
    /// The parameters in placeholder order, in PostgreSQL's text format; nil is SQL NULL.
    public var bindings: [String?]
    /// Whether each connection parses and plans the text once, as a named prepared statement, and
    /// then only binds and runs it; see `prepared()`.
    public private(set) var isPrepared = false

    public init(unsafeSQL sql: String, bindings: [String?] = []) {
        self.sql = sql
        self.bindings = bindings
    }

    public init(stringLiteral value: String) {
        self.sql = value
        self.bindings = []
    }

    public init(stringInterpolation: StringInterpolation) {
        self.sql = stringInterpolation.sql
        self.bindings = stringInterpolation.bindings
    }

    /// The same query, run as a prepared statement that each connection parses and plans once.
    ///
    /// For statements that run many times a second with the same text, where parsing and planning
    /// would cost more than running them. A statement whose result columns could change under it (a
    /// `SELECT *` over a table a migration alters) is re-prepared once when the server says so.
    public func prepared() -> PostgresQuery {
        var query = self
        query.isPrepared = true
        return query
    }

    /// Appends `other`, renumbering its placeholders to follow this query's own.
    ///
    /// `other` must be program-written SQL in which `$` appears only in placeholders.
    public mutating func append(_ other: PostgresQuery) {
        let offset = self.bindings.count
        self.bindings += other.bindings
        // Without placeholders on either side there is nothing to renumber. Hot statements are built
        // from long fragments on every call, so the text is scanned as bytes, not characters.
        guard offset > 0, !other.bindings.isEmpty else {
            self.sql += other.sql
            return
        }
        var source = other.sql
        let renumbered = source.withUTF8 { bytes -> String in
            var text: [UInt8] = []
            text.reserveCapacity(bytes.count + 4 * other.bindings.count)
            var runStart = 0
            var index = 0
            while index < bytes.count {
                guard bytes[index] == UInt8(ascii: "$") else {
                    index += 1
                    continue
                }
                text.append(contentsOf: bytes[runStart..<index])
                var end = index + 1
                var number = 0
                while end < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[end]) {
                    number = number * 10 + Int(bytes[end] - UInt8(ascii: "0"))
                    end += 1
                }
                precondition(end > index + 1, "an appended query may use $ only in placeholders")
                text.append(contentsOf: "$\(number + offset)".utf8)
                runStart = end
                index = end
            }
            text.append(contentsOf: bytes[runStart..<bytes.count])
            return String(decoding: text, as: UTF8.self)
        }
        self.sql += renumbered
    }

    /// Collects literal SQL and bound values while a query literal is built.
    public struct StringInterpolation: StringInterpolationProtocol {
        var sql = ""
        var bindings: [String?] = []

        public init(literalCapacity: Int, interpolationCount: Int) {
            self.sql.reserveCapacity(literalCapacity + interpolationCount * 3)
            self.bindings.reserveCapacity(interpolationCount)
        }

        public mutating func appendLiteral(_ literal: String) {
            self.sql += literal
        }

        /// Binds `value` as the next parameter.
        public mutating func appendInterpolation(_ value: some PostgresEncodable) {
            self.bindings.append(value.postgresText)
            self.sql += "$\(self.bindings.count)"
        }

        /// Binds `value` as the next parameter, or NULL when it is nil.
        public mutating func appendInterpolation(_ value: (some PostgresEncodable)?) {
            self.bindings.append(value?.postgresText)
            self.sql += "$\(self.bindings.count)"
        }

        /// Appends program-written SQL text as it is. Never pass input from outside here.
        public mutating func appendInterpolation(unescaped fragment: String) {
            self.sql += fragment
        }
    }
}
