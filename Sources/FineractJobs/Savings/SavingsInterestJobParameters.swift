import FineractDomain
import JobsCore

/// The parameters both savings interest jobs take, validated.
///
/// - `businessDate` (posting) or `asOf` (calculation): `yyyy-MM-dd`; default the tenant's
///   BUSINESS_DATE.
/// - `force`: boolean, default false; run again for a date that already succeeded.
/// - `chunkSize`: integer 1–100000, default 1000; the most accounts one chunk holds.
/// - `chunk`: `{"fromId": N, "toId": M}`; process only the active accounts with ids in N...M, as
///   one chunk of a run split across executions (the run's bookkeeping is then its parent's). A
///   `jobRunId` in it names the `job_run` the chunk's postings belong to.
struct SavingsInterestJobParameters: Sendable {
    static let defaultChunkSize = 1000
    static let chunkSizeLimit = 100_000

    var date: LocalDate?
    var force: Bool
    var chunkSize: Int
    var chunk: ClosedRange<Int64>?
    /// The `job_run` a chunk's postings belong to, when the run that split the work named it.
    var chunkRunID: Int64?

    /// Reads and checks the parameters; `dateKey` names the date parameter of the job.
    ///
    /// - Throws: `JobWorkerError` (`invalid_parameter`, not retryable) naming the bad parameter.
    init(_ parameters: [String: JSONValue], dateKey: String) throws {
        self.date = try FineractParameters.date(dateKey, in: parameters)
        self.force = try FineractParameters.bool("force", in: parameters) ?? false
        let chunkSize = try FineractParameters.integer(
            "chunkSize",
            in: parameters,
            range: 1...Int64(Self.chunkSizeLimit)
        )
        self.chunkSize = chunkSize.map(Int.init) ?? Self.defaultChunkSize
        if let value = parameters["chunk"], value != .null {
            guard let from = value["fromId"]?.integerValue, let to = value["toId"]?.integerValue, from <= to else {
                throw FineractParameters.invalid("chunk", "must be an object {\"fromId\": N, \"toId\": M} with N <= M")
            }
            self.chunk = from...to
            self.chunkRunID = value["jobRunId"]?.integerValue
        } else {
            self.chunk = nil
        }
    }
}
