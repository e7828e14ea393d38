public import Foundation

/// A validated request to create a job: every field checked, defaults filled in.
///
/// Built only through `JobDefinitionDecoder`, so holding one means the input was valid.
public struct JobDefinition: Sendable, Hashable {
    public static let defaultMaxRetries = 3
    public static let defaultTimeoutSeconds = 3600
    public static let maxRetriesRange = 0...100
    public static let timeoutSecondsRange = 1...604_800

    public var name: String
    public var description: String?
    public var jobType: JobType
    public var cronExpression: String?
    public var timezone: String?
    public var executionInterval: ExecutionInterval?
    public var startAt: Date?
    public var priority: Priority
    public var parameters: [String: JSONValue]
    public var maxRetries: Int
    public var timeoutSeconds: Int
    public var tenantID: String?
    public var misfirePolicy: MisfirePolicy
    public var allowOverlap: Bool
    public var createdBy: String?
}

/// One field that failed validation, with the rule it broke.
public struct FieldViolation: Sendable, Hashable, Codable, CustomStringConvertible {
    /// The field's name as the caller wrote it (`maxRetries`, `parameters.accountId`).
    public var field: String
    /// What is wrong, in words a caller can act on.
    public var message: String

    public init(field: String, message: String) {
        self.field = field
        self.message = message
    }

    public var description: String { "\(self.field): \(self.message)" }
}

/// Input that broke one or more rules; lists every violation, not only the first.
public struct ValidationError: Error, Sendable, Hashable, CustomStringConvertible {
    public var violations: [FieldViolation]

    public init(_ violations: [FieldViolation]) {
        precondition(!violations.isEmpty, "a validation error names at least one violation")
        self.violations = violations
    }

    public var description: String {
        self.violations.map(\.description).joined(separator: "; ")
    }
}
