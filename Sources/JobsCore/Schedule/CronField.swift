/// One field of a cron expression, as named in error messages.
///
/// The five-field form has `minute hour dayOfMonth month dayOfWeek`; the Quartz forms add a leading
/// `second` and, in seven fields, a trailing `year`. `expression` stands for the expression as a whole
/// and is used for problems such as a wrong number of fields or an unknown macro.
public enum CronField: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    case second
    case minute
    case hour
    case dayOfMonth
    case month
    case dayOfWeek
    case year
    case expression

    /// The field's name as it appears in messages, such as `dayOfMonth`.
    public var description: String {
        self.rawValue
    }
}

// MARK: - Value ranges and names

extension CronField {
    /// The smallest and largest number the field accepts in `dialect`.
    ///
    /// Day-of-week is 0-7 in the five-field form (0 and 7 both Sunday) and 1-7 in Quartz form (1 Sunday).
    func bounds(in dialect: CronExpression.Dialect) -> ClosedRange<Int> {
        switch self {
        case .second, .minute: 0...59
        case .hour: 0...23
        case .dayOfMonth: 1...31
        case .month: 1...12
        case .dayOfWeek: dialect == .standard ? 0...7 : 1...7
        case .year: 1970...2199
        case .expression: 0...0
        }
    }

    /// The value an English three-letter name stands for in `dialect`, or nil if the field has no such name.
    ///
    /// Names are matched without regard to case: `jan`, `Jan` and `JAN` are all January.
    func value(forName name: String, in dialect: CronExpression.Dialect) -> Int? {
        let upper = name.uppercased()
        switch self {
        case .month:
            return Self.monthNames.firstIndex(of: upper).map { $0 + 1 }
        case .dayOfWeek:
            let offset = dialect == .standard ? 0 : 1
            return Self.weekdayNames.firstIndex(of: upper).map { $0 + offset }
        default:
            return nil
        }
    }

    /// Whether the field accepts names at all.
    var hasNames: Bool {
        self == .month || self == .dayOfWeek
    }

    /// Converts a day-of-week number of `dialect` to the internal weekday, 0 (Sunday) to 6 (Saturday).
    static func weekday(fromDayOfWeek value: Int, in dialect: CronExpression.Dialect) -> Int {
        dialect == .standard ? value % 7 : value - 1
    }

    static let monthNames = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"]
    static let weekdayNames = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"]
}
