import JobsCore

/// What one notification run did, returned as the execution's result.
struct NotificationTally: Sendable {
    /// Accepted by the server or gateway (200, or 300 when the gateway reports delivery).
    var sent = 0
    /// Handed to the gateway and waiting for its delivery report (150).
    var waitingForReport = 0
    /// Refused for good, or given up after the last attempt (400).
    var failed = 0
    /// Failed for a passing reason and due again later (still 100).
    var retryLater = 0
    /// Left pending untouched because the address or number cannot be used (Fineract's skip).
    var skippedInvalid = 0
    /// Batches resent after a run died while handing them over (SMS).
    var recoveredBatches = 0
    /// Ids of the messages skipped as invalid, for the operator (at most the first 100).
    var invalidIDs: [Int64] = []
    /// The last failure seen, in words safe to show.
    var lastError: String?

    var processed: Int { self.sent + self.waitingForReport + self.failed + self.retryLater + self.skippedInvalid }

    mutating func skip(invalid id: Int64) {
        self.skippedInvalid += 1
        if self.invalidIDs.count < 100 {
            self.invalidIDs.append(id)
        }
    }

    var json: JSONValue {
        var result: [String: JSONValue] = [
            "sent": .integer(Int64(self.sent)),
            "failed": .integer(Int64(self.failed)),
            "retryLater": .integer(Int64(self.retryLater)),
            "skippedInvalid": .integer(Int64(self.skippedInvalid)),
            "invalidIds": .array(self.invalidIDs.map { .integer($0) }),
        ]
        if self.waitingForReport > 0 || self.recoveredBatches > 0 {
            result["waitingForReport"] = .integer(Int64(self.waitingForReport))
            result["recoveredBatches"] = .integer(Int64(self.recoveredBatches))
        }
        if let lastError = self.lastError {
            result["lastError"] = .string(lastError)
        }
        return .object(result)
    }
}
