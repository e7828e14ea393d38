public import FineractDomain
public import Postgres

// Business dates cross the database edge as PostgreSQL `date` values, so rows decode straight
// into the domain's calendar date and bind as parameters without conversions at every call.
extension LocalDate: PostgresEncodable, PostgresDecodable {
    public init(postgresText text: String, type: PostgresDataType) throws(PostgresError) {
        let date = try PostgresDate(postgresText: text, type: type)
        self.init(year: date.year, month: date.month, day: date.day)
    }

    public var postgresText: String? {
        self.description
    }
}

extension LocalDate {
    /// The same calendar date as `date`.
    public init(_ date: PostgresDate) {
        self.init(year: date.year, month: date.month, day: date.day)
    }

    /// This date as the Postgres module's own date value.
    public var postgresDate: PostgresDate {
        let (year, month, day) = self.components
        return PostgresDate(year: year, month: month, day: day)
    }
}
