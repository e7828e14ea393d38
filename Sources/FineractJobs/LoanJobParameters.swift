public import FineractDomain
public import JobsCore

/// The parameters the loan jobs share, read and checked before any work starts.
///
/// - `<date>` (`cobDate` or `tillDate`): the business date the run is for, `yyyy-MM-dd`;
///   defaults to the tenant's own date.
/// - `force`: run a date that already succeeded again (default false).
/// - `chunkSize`: at most this many loans per chunk and per transaction (default 1000).
/// - `chunk`: `{"fromId": N, "toId": M}` to process only the loans with ids in `N...M`; the
///   caller that split the work owns the run's bookkeeping.
public struct LoanJobParameters: Sendable, Equatable {
    public static let defaultChunkSize = 1000
    public static let chunkSizeLimit = 100_000

    public var date: LocalDate?
    public var force: Bool
    public var catchUp: Bool
    public var chunkSize: Int
    public var chunk: ClosedRange<Int64>?

    /// Reads the parameters; `dateKey` names the date parameter of the job.
    ///
    /// - Throws: `JobWorkerError` (`invalid_parameter`, not retryable) naming the parameter.
    public init(_ parameters: [String: JSONValue], dateKey: String) throws {
        self.date = try Self.date(parameters[dateKey], key: dateKey)
        self.force = try Self.flag(parameters["force"], key: "force")
        self.catchUp = try Self.flag(parameters["catchUp"], key: "catchUp")
        self.chunkSize = Self.defaultChunkSize
        if let value = parameters["chunkSize"], value != .null {
            guard let size = value.integerValue, (1...Int64(Self.chunkSizeLimit)).contains(size) else {
                throw Self.invalid("chunkSize", "must be a whole number from 1 to \(Self.chunkSizeLimit)")
            }
            self.chunkSize = Int(size)
        }
        if let value = parameters["chunk"], value != .null {
            guard let from = value["fromId"]?.integerValue, let to = value["toId"]?.integerValue, from <= to else {
                throw Self.invalid("chunk", "must be an object {\"fromId\": N, \"toId\": M} with N <= M")
            }
            self.chunk = from...to
        }
        if self.catchUp && self.chunk != nil {
            throw Self.invalid("chunk", "cannot be combined with catchUp, which runs whole dates")
        }
    }

    static func invalid(_ key: String, _ problem: String) -> JobWorkerError {
        JobWorkerError(code: "invalid_parameter", message: "parameter \(key) \(problem)", isRetryable: false)
    }

    private static func date(_ value: JSONValue?, key: String) throws -> LocalDate? {
        guard let value, value != .null else { return nil }
        guard let text = value.stringValue, let date = LocalDate(text) else {
            throw Self.invalid(key, "must be a date written yyyy-MM-dd")
        }
        return date
    }

    private static func flag(_ value: JSONValue?, key: String) throws -> Bool {
        guard let value, value != .null else { return false }
        guard let flag = value.boolValue else { throw Self.invalid(key, "must be true or false") }
        return flag
    }
}
