public import FineractDomain
public import Postgres

/// Business dates cross the database edge here: the pure domain works in `LocalDate`, the
/// database layer reads and binds `PostgresDate`.
extension LocalDate {
    public init(_ date: PostgresDate) {
        self.init(year: date.year, month: date.month, day: date.day)
    }

    public var postgresDate: PostgresDate {
        let (year, month, day) = self.components
        return PostgresDate(year: year, month: month, day: day)
    }
}

extension PostgresRow {
    /// Decodes a `date` column as a business date.
    func decodeLocalDate(_ name: String, file: String = #fileID, line: UInt = #line) throws -> LocalDate {
        LocalDate(try self.decode(name, as: PostgresDate.self, file: file, line: line))
    }

    /// Decodes a nullable `date` column as a business date.
    func decodeOptionalLocalDate(_ name: String, file: String = #fileID, line: UInt = #line) throws -> LocalDate? {
        try self.decode(name, as: PostgresDate?.self, file: file, line: line).map(LocalDate.init)
    }
}
