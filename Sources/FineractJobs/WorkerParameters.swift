import JobsCore

/// Typed reads of a job's parameters; a value of the wrong kind or out of range is an error that
/// names the parameter and that no retry can fix.
struct WorkerParameters: Sendable {
    let values: [String: JSONValue]

    init(_ values: [String: JSONValue]) {
        self.values = values
    }

    /// A whole number in `range`, or nil when the parameter is absent or null.
    func integer(_ name: String, in range: ClosedRange<Int64>) throws(JobWorkerError) -> Int64? {
        guard let value = self.present(name) else { return nil }
        guard let number = value.integerValue else {
            throw Self.invalid(name, "must be a whole number, not \(value.kindName)")
        }
        guard range.contains(number) else {
            throw Self.invalid(name, "must be between \(range.lowerBound) and \(range.upperBound), not \(number)")
        }
        return number
    }

    /// A whole number of seconds in `range`, as a duration.
    func seconds(_ name: String, in range: ClosedRange<Int64>) throws(JobWorkerError) -> Duration? {
        try self.integer(name, in: range).map { .seconds($0) }
    }

    /// `true` or `false`, or nil when absent.
    func bool(_ name: String) throws(JobWorkerError) -> Bool? {
        guard let value = self.present(name) else { return nil }
        guard let flag = value.boolValue else {
            throw Self.invalid(name, "must be true or false, not \(value.kindName)")
        }
        return flag
    }

    /// A non-empty string of at most `maxLength` characters, or nil when absent.
    func string(_ name: String, maxLength: Int) throws(JobWorkerError) -> String? {
        guard let value = self.present(name) else { return nil }
        guard let text = value.stringValue, !text.isEmpty, text.count <= maxLength else {
            throw Self.invalid(name, "must be a string of 1 to \(maxLength) characters")
        }
        return text
    }

    /// The id range of `"chunk": {"fromId": N, "toId": M}`, or nil when the parameter is absent.
    ///
    /// A chunk restricts a run to the rows whose ids lie in the range, both ends included, so that
    /// the work can be split between executions.
    func chunk() throws(JobWorkerError) -> ClosedRange<Int64>? {
        guard let value = self.present("chunk") else { return nil }
        guard let members = value.objectValue, let from = members["fromId"]?.integerValue,
            let to = members["toId"]?.integerValue
        else {
            throw Self.invalid("chunk", "must be an object {\"fromId\": N, \"toId\": M} of whole numbers")
        }
        guard from <= to else {
            throw Self.invalid("chunk", "fromId \(from) is greater than toId \(to)")
        }
        return from...to
    }

    /// The most ids one chunk spans (`chunkSize`, default 1000).
    func chunkSize() throws(JobWorkerError) -> Int64 {
        try self.integer("chunkSize", in: 1...1_000_000) ?? 1000
    }

    private func present(_ name: String) -> JSONValue? {
        guard let value = self.values[name], value != .null else { return nil }
        return value
    }

    static func invalid(_ name: String, _ message: String) -> JobWorkerError {
        JobWorkerError(code: "invalid_parameter", message: "parameter \(name) \(message)", isRetryable: false)
    }
}

extension JobContext {
    /// The tenant this run is for; a tenant-scoped worker cannot run without one.
    func requireTenant() throws(JobWorkerError) -> String {
        guard let tenantID = self.tenantID else {
            throw JobWorkerError(
                code: "tenant_required",
                message: "this job type works on one tenant's data; give the job a tenantId",
                isRetryable: false
            )
        }
        return tenantID
    }
}
