/// The error thrown when a cron expression cannot be parsed, naming the field at fault and what is wrong.
///
/// The `description` is safe to show to whoever wrote the expression, for example
/// `minute: value 60 is out of range 0-59` or `expected 5, 6 or 7 fields but found 4`. Two errors are
/// equal when their code, field and message are equal; where they were raised does not matter.
public struct CronExpressionError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The kind of problem, stable enough to branch on or to use as a metric label.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String, Hashable, Sendable {
            case fieldCount
            case unknownMacro
            case malformed
            case outOfRange
            case unknownName
            case invalidStep
            case descendingRange
            case misplacedSymbol
            case conflictingDayFields
            case neverFires
        }

        private let base: Base

        private init(_ base: Base) {
            self.base = base
        }

        /// The expression has not 5, 6 or 7 fields.
        public static let fieldCount = Code(.fieldCount)
        /// The expression starts with `@` but names no known macro.
        public static let unknownMacro = Code(.unknownMacro)
        /// A field is not written in cron syntax, such as an empty list item or a dangling `-`.
        public static let malformed = Code(.malformed)
        /// A number lies outside the field's range.
        public static let outOfRange = Code(.outOfRange)
        /// A word is not a month or weekday name the field accepts.
        public static let unknownName = Code(.unknownName)
        /// A step after `/` is zero, missing or larger than the field's range.
        public static let invalidStep = Code(.invalidStep)
        /// A range runs backwards, such as `22-2`.
        public static let descendingRange = Code(.descendingRange)
        /// `?`, `L`, `W` or `#` appears where the field does not allow it.
        public static let misplacedSymbol = Code(.misplacedSymbol)
        /// The day-of-month and day-of-week fields break the Quartz rule that exactly one of them is `?`.
        public static let conflictingDayFields = Code(.conflictingDayFields)
        /// The expression is well-formed but can provably never fire, such as 30 February.
        public static let neverFires = Code(.neverFires)

        public var description: String {
            self.base.rawValue
        }
    }

    /// The kind of problem.
    public var code: Code
    /// The field at fault, or `.expression` for the expression as a whole.
    public var field: CronField
    /// What is wrong, without the field name, such as `value 60 is out of range 0-59`.
    public var message: String
    /// The source file that raised the error.
    public var file: String
    /// The line in `file` that raised the error.
    public var line: UInt

    /// Creates an error; `file` and `line` default to the caller's location.
    public init(code: Code, field: CronField, message: String, file: String = #fileID, line: UInt = #line) {
        self.code = code
        self.field = field
        self.message = message
        self.file = file
        self.line = line
    }

    /// The message prefixed with the field, such as `minute: value 60 is out of range 0-59`.
    ///
    /// Problems with the expression as a whole carry no prefix.
    public var description: String {
        self.field == .expression ? self.message : "\(self.field): \(self.message)"
    }

    public static func == (lhs: CronExpressionError, rhs: CronExpressionError) -> Bool {
        lhs.code == rhs.code && lhs.field == rhs.field && lhs.message == rhs.message
    }
}
