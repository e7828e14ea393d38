/// A loan whose data a COB step or the accrual cannot work with: an unsupported charge, a
/// missing account mapping, a schedule that contradicts itself.
///
/// The message names what is wrong in words safe to store on the loan's lock row and to show
/// an operator; it never carries SQL or secrets.
public struct LoanRuleError: Error, Sendable, Hashable, CustomStringConvertible {
    /// A stable code such as `unsupported_charge_calculation`.
    public var code: String
    public var message: String
    public var file: String
    public var line: UInt

    public init(code: String, message: String, file: String = #fileID, line: UInt = #line) {
        self.code = code
        self.message = message
        self.file = file
        self.line = line
    }

    public var description: String { "\(self.code): \(self.message)" }
}
