public import FineractDomain
public import JobsCore

/// Reads the parameters of the financial jobs; a bad value is refused with its name, not retried.
public enum FineractParameters {
    /// The tenant of the execution; financial jobs always run for one tenant.
    public static func requireTenant(_ context: JobContext) throws -> String {
        guard let tenantID = context.tenantID else {
            throw JobWorkerError(
                code: "tenant_required",
                message: "this job works on one tenant's data and the execution has no tenant",
                isRetryable: false
            )
        }
        return tenantID
    }

    /// A `yyyy-MM-dd` date parameter, or nil when absent.
    public static func date(_ name: String, in parameters: [String: JSONValue]) throws -> LocalDate? {
        guard let value = parameters[name], value != .null else { return nil }
        guard let text = value.stringValue, let date = LocalDate(text) else {
            throw self.invalid(name, "must be a date written yyyy-MM-dd")
        }
        return date
    }

    public static func bool(_ name: String, in parameters: [String: JSONValue]) throws -> Bool? {
        guard let value = parameters[name], value != .null else { return nil }
        guard let flag = value.boolValue else {
            throw self.invalid(name, "must be true or false")
        }
        return flag
    }

    /// A whole-number parameter within `range`, or nil when absent.
    public static func integer(
        _ name: String,
        in parameters: [String: JSONValue],
        range: ClosedRange<Int64>
    ) throws -> Int64? {
        guard let value = parameters[name], value != .null else { return nil }
        guard let number = value.integerValue, range.contains(number) else {
            throw self.invalid(name, "must be a whole number from \(range.lowerBound) to \(range.upperBound)")
        }
        return number
    }

    static func invalid(_ name: String, _ rule: String) -> JobWorkerError {
        JobWorkerError(code: "invalid_parameter", message: "parameter \(name) \(rule)", isRetryable: false)
    }
}
