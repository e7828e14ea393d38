import Foundation
import JobsCore

// A chunk run as a child execution hands its report to the run that split the work through its
// JSON result; these are the two ends of that hand-over.
extension LoanRunReport {
    /// Loans the run is done with for now: closed, failed or left to another worker's lock.
    var settled: Int {
        self.processed + self.failedCount + self.skippedLocked
    }

    var transferJSON: JSONValue {
        var counts: [String: JSONValue] = [:]
        for counter in Self.counters {
            counts[counter.name] = .integer(Int64(self[keyPath: counter.path]))
        }
        counts["penaltyAmount"] = .string(self.penaltyAmount.description)
        counts["accrualAmount"] = .string(self.accrualAmount.description)
        counts["failures"] = .array(
            self.failures.map { .object(["loanId": .integer($0.loanID), "error": .string($0.error)]) }
        )
        return .object(counts)
    }

    init?(transferJSON json: JSONValue) {
        guard let object = json.objectValue else { return nil }
        self.init()
        for counter in Self.counters {
            guard let value = object[counter.name]?.integerValue else { return nil }
            self[keyPath: counter.path] = Int(value)
        }
        guard let penalty = object["penaltyAmount"]?.stringValue.flatMap({ Decimal(string: $0) }),
            let accrual = object["accrualAmount"]?.stringValue.flatMap({ Decimal(string: $0) })
        else { return nil }
        self.penaltyAmount = penalty
        self.accrualAmount = accrual
        for failure in object["failures"]?.arrayValue ?? [] {
            if let loanID = failure["loanId"]?.integerValue, let error = failure["error"]?.stringValue {
                self.failures.append((loanID, error))
            }
        }
    }

    /// Counts every loan of a chunk that failed as a whole as failed, under the chunk's error.
    mutating func recordChunkFailure(loans: Int, range: ClosedRange<Int64>, error: String) {
        self.selected += loans
        self.failedCount += loans
        if self.failures.count < Self.listedFailureLimit {
            self.failures.append((range.lowerBound, "loans \(range.lowerBound)...\(range.upperBound): \(error)"))
        }
    }

    /// Every whole-number count, by the name it travels under.
    private static let counters: [(name: String, path: any WritableKeyPath<LoanRunReport, Int> & Sendable)] = [
        ("selected", \.selected), ("processed", \.processed), ("skippedLocked", \.skippedLocked),
        ("chunks", \.chunks), ("failedCount", \.failedCount), ("penaltyLoans", \.penaltyLoans),
        ("penalties", \.penalties), ("delinquencyAdded", \.delinquencyAdded),
        ("delinquencyChanged", \.delinquencyChanged), ("delinquencyLifted", \.delinquencyLifted),
        ("dueReminders", \.dueReminders), ("overdueReminders", \.overdueReminders), ("smsQueued", \.smsQueued),
        ("emailsQueued", \.emailsQueued), ("arrearsRows", \.arrearsRows), ("accrualLoans", \.accrualLoans),
        ("accrualTransactions", \.accrualTransactions), ("journalEntries", \.journalEntries),
    ]
}
