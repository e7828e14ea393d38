import JobsCore

/// What a savings interest run (or one chunk of it) did, reported in the execution's result.
struct SavingsRunTally: Sendable, Hashable, Codable {
    /// Failures listed in a result; the count covers all of them, the log has every one.
    static let listedFailureLimit = 100

    /// Active accounts the run looked at, skipped and failed ones included.
    var accountsSeen = 0
    /// Accounts calculated and written (or found already right).
    var accounts = 0
    /// Accounts without interest to calculate: zero rate and no overdraft interest.
    var skipped = 0
    var postingsInserted = 0
    var postingsCorrected = 0
    var postingsUnchanged = 0
    /// Account rows whose derived figures changed.
    var accountsUpdated = 0
    /// Transaction rows whose derived balance fields changed (reversals and new postings included).
    var transactionsUpdated = 0
    var journalEntriesInserted = 0
    var failures: [SavingsAccountFailure] = []

    mutating func add(_ other: SavingsRunTally) {
        self.accountsSeen += other.accountsSeen
        self.accounts += other.accounts
        self.skipped += other.skipped
        self.postingsInserted += other.postingsInserted
        self.postingsCorrected += other.postingsCorrected
        self.postingsUnchanged += other.postingsUnchanged
        self.accountsUpdated += other.accountsUpdated
        self.transactionsUpdated += other.transactionsUpdated
        self.journalEntriesInserted += other.journalEntriesInserted
        self.failures += other.failures
    }

    /// The counts as JSON; `includePostings` for the posting job, whose result also counts postings.
    func json(includePostings: Bool) -> [String: JSONValue] {
        var result: [String: JSONValue] = [
            "accounts": .integer(Int64(self.accounts)),
            "skippedAccounts": .integer(Int64(self.skipped)),
            "accountsUpdated": .integer(Int64(self.accountsUpdated)),
            "failedAccounts": .integer(Int64(self.failures.count)),
            "failures": .array(
                self.failures.sorted { $0.accountID < $1.accountID }.prefix(Self.listedFailureLimit).map {
                    .object(["accountId": .integer($0.accountID), "error": .string($0.reason)])
                }
            ),
        ]
        if includePostings {
            result["postingsInserted"] = .integer(Int64(self.postingsInserted))
            result["postingsCorrected"] = .integer(Int64(self.postingsCorrected))
            result["postingsUnchanged"] = .integer(Int64(self.postingsUnchanged))
            result["transactionsUpdated"] = .integer(Int64(self.transactionsUpdated))
            result["journalEntriesInserted"] = .integer(Int64(self.journalEntriesInserted))
        }
        return result
    }
}
