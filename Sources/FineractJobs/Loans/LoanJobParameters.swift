public import FineractDomain
public import JobsCore

/// The parameters the loan jobs share, read and checked before any work starts.
///
/// - `<date>` (`cobDate` or `tillDate`): the business date the run is for, `yyyy-MM-dd`;
///   defaults to the tenant's own date.
/// - `force`: run a date that already succeeded again (default false).
/// - `chunkSize`: at most this many loans per chunk and per transaction (default 1000).
/// - `chunk`: `{"fromId": N, "toId": M}` to process only the loans with ids in `N...M`; the
///   caller that split the work owns the run's bookkeeping. A run that splits itself into child
///   executions adds `jobRunId` (the run the chunk's rows belong to), `catchUp` (select only loans
///   closed the day before) and `loans` (how many loans the range held, for progress).
public struct LoanJobParameters: Sendable, Equatable {
    public static let defaultChunkSize = 1000
    public static let chunkSizeLimit = 100_000

    public var date: LocalDate?
    public var force: Bool
    public var catchUp: Bool
    public var chunkSize: Int
    public var chunk: ClosedRange<Int64>?
    /// The `job_run` a chunk's rows belong to, when a split run named it.
    public var chunkRunID: Int64?
    /// Whether a chunk belongs to a catch-up run.
    public var chunkCatchUp = false
    /// The loans a chunk's range held when the run was split.
    public var chunkLoans: Int64?

    /// Reads the parameters; `dateKey` names the date parameter of the job.
    ///
    /// - Throws: `JobWorkerError` (`invalid_parameter`, not retryable) naming the parameter.
    public init(_ parameters: [String: JSONValue], dateKey: String) throws {
        self.date = try FineractParameters.date(dateKey, in: parameters)
        self.force = try FineractParameters.bool("force", in: parameters) ?? false
        self.catchUp = try FineractParameters.bool("catchUp", in: parameters) ?? false
        let size = try FineractParameters.integer("chunkSize", in: parameters, range: 1...Int64(Self.chunkSizeLimit))
        self.chunkSize = size.map(Int.init) ?? Self.defaultChunkSize
        if let value = parameters["chunk"], value != .null {
            guard let from = value["fromId"]?.integerValue, let to = value["toId"]?.integerValue, from <= to else {
                throw FineractParameters.invalid("chunk", "must be an object {\"fromId\": N, \"toId\": M} with N <= M")
            }
            self.chunk = from...to
            self.chunkRunID = value["jobRunId"]?.integerValue
            self.chunkCatchUp = value["catchUp"]?.boolValue ?? false
            self.chunkLoans = value["loans"]?.integerValue
        }
        if self.catchUp && self.chunk != nil {
            throw FineractParameters.invalid("chunk", "cannot be combined with catchUp, which runs whole dates")
        }
    }
}
