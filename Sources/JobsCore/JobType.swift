/// The kind of work a job does, naming the worker that runs it.
///
/// An open set: the ten built-in types have static members, and custom workers bring their own.
public struct JobType: RawRepresentable, Hashable, Sendable, Codable, Comparable, CustomStringConvertible,
    ExpressibleByStringLiteral
{
    public let rawValue: String

    public init(rawValue: String) {
        self.rawValue = rawValue
    }

    public init(stringLiteral value: String) {
        self.rawValue = value
    }

    public var description: String { self.rawValue }

    /// Whether the name fits the rule the database enforces: lower-case letters, digits and `_`,
    /// starting with a letter, at most 64 characters.
    public var isWellFormed: Bool {
        guard let first = self.rawValue.first, first.isASCII, first.isLowercase, self.rawValue.count <= 64 else {
            return false
        }
        return self.rawValue.allSatisfy { ($0.isASCII && ($0.isLowercase || $0.isNumber)) || $0 == "_" }
    }

    public static func < (lhs: JobType, rhs: JobType) -> Bool {
        lhs.rawValue < rhs.rawValue
    }

    public static let systemHealthCheck: JobType = "system_health_check"
    public static let databaseMaintenance: JobType = "database_maintenance"
    public static let endOfDay: JobType = "end_of_day"
    public static let endOfMonth: JobType = "end_of_month"
    public static let loanCOB: JobType = "loan_cob"
    public static let loanInterestPosting: JobType = "loan_interest_posting"
    public static let savingsInterestCalculation: JobType = "savings_interest_calculation"
    public static let savingsInterestPosting: JobType = "savings_interest_posting"
    public static let emailNotification: JobType = "email_notification"
    public static let smsNotification: JobType = "sms_notification"
}
