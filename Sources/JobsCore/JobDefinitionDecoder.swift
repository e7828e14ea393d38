import Foundation

/// Turns a JSON object from a client (REST or a Hasura action) into a `JobDefinition`, checking
/// every field and collecting every violation with the field's name and the rule it broke.
public struct JobDefinitionDecoder: Sendable {
    /// The job types that have a registered worker.
    public var knownJobTypes: Set<JobType>
    /// Checks a cron expression; returns a message when it is invalid.
    public var cronValidator: @Sendable (String) -> String?

    /// The fields a job definition may carry; anything else is refused so typos do not pass silently.
    public static let acceptedFields: Set<String> = [
        "name", "description", "jobType", "cronExpression", "timezone", "executionInterval", "startAt",
        "priority", "parameters", "maxRetries", "timeoutSeconds", "tenantId", "misfirePolicy", "allowOverlap",
    ]

    public init(knownJobTypes: Set<JobType>, cronValidator: @escaping @Sendable (String) -> String?) {
        self.knownJobTypes = knownJobTypes
        self.cronValidator = cronValidator
    }

    /// Validates `input`.
    ///
    /// - Parameter allowedFields: the fields accepted; callers that take the tenant from elsewhere
    ///   (Hasura sessions) pass a set without `tenantId`.
    /// - Throws: `ValidationError` listing every violation.
    public func decode(
        _ input: [String: JSONValue],
        allowedFields: Set<String> = JobDefinitionDecoder.acceptedFields,
        createdBy: String? = nil
    ) throws(ValidationError) -> JobDefinition {
        var reader = FieldReader(input: input)
        for key in input.keys.sorted() where !allowedFields.contains(key) {
            reader.violations.append(FieldViolation(field: key, message: "is not a known field"))
        }
        let name = reader.string("name", required: true, maxLength: 200)
        let description = reader.string("description", maxLength: 2000)
        let jobTypeText = reader.string("jobType", required: true, maxLength: 64)
        var jobType: JobType?
        if let jobTypeText {
            let candidate = JobType(rawValue: jobTypeText)
            if self.knownJobTypes.contains(candidate) {
                jobType = candidate
            } else {
                let known = self.knownJobTypes.sorted().map(\.rawValue).joined(separator: ", ")
                reader.violations.append(
                    FieldViolation(
                        field: "jobType",
                        message: "unknown job type '\(jobTypeText)'; known types: \(known)"
                    )
                )
            }
        }
        let cron = reader.string("cronExpression", maxLength: 200)
        if let cron, let problem = self.cronValidator(cron) {
            reader.violations.append(FieldViolation(field: "cronExpression", message: problem))
        }
        let timezone = reader.string("timezone", maxLength: 64)
        if let timezone, TimeZone(identifier: timezone) == nil {
            reader.violations.append(
                FieldViolation(field: "timezone", message: "'\(timezone)' is not an IANA time zone name")
            )
        }
        let interval = reader.enumeration("executionInterval", ExecutionInterval.self)
        if cron != nil, interval != nil {
            reader.violations.append(
                FieldViolation(
                    field: "executionInterval",
                    message: "give either cronExpression or executionInterval, not both"
                )
            )
        }
        let startAt = reader.timestamp("startAt")
        let priority = reader.enumeration("priority", Priority.self) ?? .medium
        let parameters = reader.object("parameters") ?? [:]
        let maxRetries = reader.integer("maxRetries", in: JobDefinition.maxRetriesRange)
        let timeoutSeconds = reader.integer("timeoutSeconds", in: JobDefinition.timeoutSecondsRange)
        let tenantID = reader.string("tenantId", maxLength: 64)
        if let tenantID, !TenantID.isWellFormed(tenantID) {
            reader.violations.append(
                FieldViolation(field: "tenantId", message: "must be 1-64 letters, digits, '_' or '-'")
            )
        }
        let misfirePolicy = reader.enumeration("misfirePolicy", MisfirePolicy.self) ?? .fireOnce
        let allowOverlap = reader.bool("allowOverlap") ?? false

        guard reader.violations.isEmpty, let name, let jobType else {
            throw ValidationError(reader.violations)
        }
        return JobDefinition(
            name: name,
            description: description,
            jobType: jobType,
            cronExpression: cron,
            timezone: timezone,
            executionInterval: interval,
            startAt: startAt,
            priority: priority,
            parameters: parameters,
            maxRetries: maxRetries ?? JobDefinition.defaultMaxRetries,
            timeoutSeconds: timeoutSeconds ?? JobDefinition.defaultTimeoutSeconds,
            tenantID: tenantID,
            misfirePolicy: misfirePolicy,
            allowOverlap: allowOverlap,
            createdBy: createdBy
        )
    }
}

/// Rules for tenant identifiers, shared by validation and the database's CHECK constraint.
public enum TenantID {
    public static func isWellFormed(_ text: String) -> Bool {
        guard let first = text.first, first.isASCII, first.isLetter || first.isNumber, text.count <= 64 else {
            return false
        }
        return text.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == "-") }
    }
}
