public import FineractDomain
public import Postgres

/// The database edge of business dates: `PostgresDate` is what rows carry, `LocalDate` is what the
/// domain code computes with.
extension LocalDate {
    /// The same calendar date as `date`.
    public init(_ date: PostgresDate) {
        self.init(year: date.year, month: date.month, day: date.day)
    }

    /// This date as a statement parameter or column value.
    public var postgresDate: PostgresDate {
        let (year, month, day) = self.components
        return PostgresDate(year: year, month: month, day: day)
    }
}
