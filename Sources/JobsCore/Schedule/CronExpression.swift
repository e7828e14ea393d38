/// A parsed cron expression that computes when a job fires, in the classic five-field form or in Quartz form.
///
/// ## Dialects
///
/// - Five fields, `minute hour day-of-month month day-of-week` (`.standard`): day-of-week is 0-7,
///   where both 0 and 7 are Sunday. The macros `@yearly`, `@annually`, `@monthly`, `@weekly`,
///   `@daily`, `@midnight` and `@hourly` (any case) stand for five-field expressions.
/// - Six fields with a leading `second` (`.quartz`), and seven fields with a trailing `year`
///   1970-2199 (`.quartzWithYear`): day-of-week is 1-7, where 1 is Sunday, as in Quartz.
///
/// ## Syntax
///
/// Each field is a comma-separated list of items: `*`, a value, a range `a-b`, or either followed by
/// a step (`*/15`, `5-50/5`, and `a/n`, which runs from `a` to the field's maximum, so `1/1` is every
/// value from 1). Ranges must ascend. Months take `JAN`-`DEC` and day-of-week `SUN`-`SAT`, in any case
/// and in ranges (`MON-FRI`). The day fields also take:
///
/// - `?`: no specific value. In five-field form it means the same as `*`.
/// - day-of-month `L` (last day), `L-n` (n days before the last day; a day before the 1st never fires),
///   `nW` (the Monday-to-Friday day nearest day n, never leaving the month: `1W` on a Saturday is
///   Monday the 3rd, `31W` on a Sunday is Friday the 29th; no firing in a month without day n), `LW`
///   (the last Monday-to-Friday day).
/// - day-of-week `nL` or `FRIL` (the last such weekday of the month) and `n#k` or `FRI#2` (the k-th
///   such weekday, k 1-5). In Quartz form `6L` is the last Friday; in five-field form `5L` is.
///   Quartz reads a lone `L` in day-of-week as Saturday; five-field form rejects it as ambiguous.
///
/// These items work in five-field form too, with five-field weekday numbers, and lists may mix them
/// with plain values (`1,15,L`).
///
/// ## Day fields
///
/// In five-field form a field "restricts" unless it is exactly `*` or `?`. When both day-of-month and
/// day-of-week restrict, a day matches if *either* matches (classic Vixie cron); when only one
/// restricts, it alone decides. Unlike Vixie cron, `*/2` counts as restricting. In Quartz form exactly
/// one of the two fields must be `?`, and the other alone decides.
///
/// An expression that provably never fires, because every selected day-of-month is past the end of
/// every selected month (`0 0 30 2 *`), is rejected when parsed. Other expressions that stop firing,
/// for example because of the year field, make `nextFireTime(after:in:)` return nil.
///
/// ## Time zones and daylight saving
///
/// Fields are matched against the wall-clock time in the zone passed to `nextFireTime(after:in:)`.
/// Whether a change of UTC offset skips or repeats a firing depends on the hour field:
///
/// - The hour field is *interval-like* when it is a single `*`, `*/n` or `a/n` (such as `0/3`). Such
///   an expression fires at every real instant whose wall time matches: wall times skipped by a
///   spring-forward gap do not fire, and wall times repeated by a fall-back overlap fire at both
///   instants.
/// - Any other hour field (values, lists and ranges, including `0-23` and `1-23/2`) is *fixed*. A matching
///   wall time skipped by a gap fires once, at the instant the gap ends (02:30 on the day Berlin moves
///   from 02:00 to 03:00 fires at 03:00 CEST); a matching wall time shown twice fires only at its first
///   occurrence.
///
/// No instant fires twice. Fire times are whole seconds; none is produced after the year 2199.
public struct CronExpression: Sendable, Hashable, CustomStringConvertible {
    /// The form an expression was written in.
    public enum Dialect: Sendable, Hashable {
        /// Five fields, `minute hour day-of-month month day-of-week`, or a macro such as `@daily`.
        case standard
        /// Quartz's six fields, `second minute hour day-of-month month day-of-week`.
        case quartz
        /// Quartz's seven fields: the six of `.quartz` followed by `year`.
        case quartzWithYear
    }

    /// How the day-of-month and day-of-week fields combine.
    enum DayMatching: Hashable, Sendable {
        case everyDay
        case dayOfMonth
        case dayOfWeek
        case either
    }

    /// The normalised source: fields upper-cased and separated by single spaces, or a macro in lower case.
    public let source: String
    /// The form the expression was written in.
    public let dialect: Dialect

    let seconds: ValueSet
    let minutes: ValueSet
    let hours: ValueSet
    let daysOfMonth: ParsedCronField
    let months: ValueSet
    let daysOfWeek: ParsedCronField
    /// The selected years as offsets from 1970, or nil for every year.
    let years: ValueSet?
    let dayMatching: DayMatching
    /// Whether the hour field is fixed rather than interval-like; see the daylight-saving rules above.
    public let hasFixedHours: Bool

    /// The normalised source text.
    public var description: String {
        self.source
    }

    public static func == (lhs: CronExpression, rhs: CronExpression) -> Bool {
        lhs.source == rhs.source
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(self.source)
    }
}

// Declared in an extension so that the struct keeps its memberwise initializer for the parser.
extension CronExpression {
    /// Parses a cron expression.
    ///
    /// - Parameter text: Five, six or seven fields separated by white space, or a macro such as `@daily`.
    /// - Throws: `CronExpressionError` naming the field at fault and what is wrong with it.
    public init(parsing text: String) throws(CronExpressionError) {
        self = try Self.parse(text)
    }
}
