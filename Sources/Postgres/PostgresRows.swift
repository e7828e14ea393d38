/// The complete result of one statement, copied out of libpq so no C memory outlives the call.
public struct PostgresRows: Sendable, Sequence {
    /// One result column's name and type.
    public struct Column: Sendable, Hashable {
        public var name: String
        public var type: PostgresDataType
    }

    public let columns: [Column]
    /// Row-major cell text; nil is SQL NULL.
    let cells: [[String?]]
    /// Rows changed by INSERT, UPDATE or DELETE (the command tuple count), or rows returned.
    public let affectedRows: Int
    private let columnIndex: [String: Int]

    init(columns: [Column], cells: [[String?]], affectedRows: Int) {
        self.columns = columns
        self.cells = cells
        self.affectedRows = affectedRows
        var index: [String: Int] = [:]
        for (position, column) in columns.enumerated() where index[column.name] == nil {
            index[column.name] = position
        }
        self.columnIndex = index
    }

    public var count: Int { self.cells.count }
    public var isEmpty: Bool { self.cells.isEmpty }
    public var first: PostgresRow? { self.cells.isEmpty ? nil : self[0] }

    public subscript(position: Int) -> PostgresRow {
        PostgresRow(rows: self, position: position)
    }

    public func makeIterator() -> some IteratorProtocol<PostgresRow> {
        (0..<self.cells.count).lazy.map { PostgresRow(rows: self, position: $0) }.makeIterator()
    }

    func columnPosition(named name: String) -> Int? {
        self.columnIndex[name]
    }
}

/// One row of a result, read by column name.
public struct PostgresRow: Sendable {
    let rows: PostgresRows
    let position: Int

    /// Decodes the column `name` as `type`.
    ///
    /// - Throws: `PostgresError` (`.decoding`) when the column is missing, NULL, or of another shape.
    public func decode<Value: PostgresDecodable>(
        _ name: String,
        as type: Value.Type = Value.self,
        file: String = #fileID,
        line: UInt = #line
    ) throws(PostgresError) -> Value {
        guard let value = try self.decode(name, as: Optional<Value>.self, file: file, line: line) else {
            throw PostgresError(code: .decoding, message: "column \(name) is NULL", file: file, line: line)
        }
        return value
    }

    /// Decodes the column `name` as `type`, or nil when it is NULL.
    public func decode<Value: PostgresDecodable>(
        _ name: String,
        as type: Value?.Type = Value?.self,
        file: String = #fileID,
        line: UInt = #line
    ) throws(PostgresError) -> Value? {
        guard let column = self.rows.columnPosition(named: name) else {
            throw PostgresError(code: .decoding, message: "no column named \(name)", file: file, line: line)
        }
        guard let text = self.rows.cells[self.position][column] else { return nil }
        return try Value(postgresText: text, type: self.rows.columns[column].type)
    }

    /// Whether the result has a column called `name`.
    public func contains(_ name: String) -> Bool {
        self.rows.columnPosition(named: name) != nil
    }
}
