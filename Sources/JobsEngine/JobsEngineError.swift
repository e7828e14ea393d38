import Foundation

/// A request the engine refused, with a stable code the API turns into a status and a message.
public struct JobsEngineError: Error, Sendable, CustomStringConvertible {
    /// Why the engine refused.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private let name: String

        private init(_ name: String) {
            self.name = name
        }

        /// No job (visible to the caller) has that id.
        public static let jobNotFound = Code("job_not_found")
        /// No execution (visible to the caller) has that id.
        public static let executionNotFound = Code("execution_not_found")
        /// The job's state does not allow the change, such as executing a cancelled job.
        public static let illegalState = Code("illegal_state")
        /// The attempt no longer holds its execution's lease: another node has taken it over.
        public static let leaseLost = Code("lease_lost")

        public var description: String { self.name }
    }

    public var code: Code
    /// Safe to show to the caller.
    public var message: String
    public var file: String
    public var line: UInt

    public init(code: Code, message: String, file: String = #fileID, line: UInt = #line) {
        self.code = code
        self.message = message
        self.file = file
        self.line = line
    }

    public var description: String { "\(self.code): \(self.message)" }

    static func jobNotFound(_ id: UUID) -> JobsEngineError {
        JobsEngineError(code: .jobNotFound, message: "no job with id \(id.uuidString.lowercased())")
    }
}
