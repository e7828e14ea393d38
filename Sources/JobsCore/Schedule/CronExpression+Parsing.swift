/// Turning expression text into fields: macros, field counts, dialects and the rules that span fields.
extension CronExpression {
    /// The macros and the five-field expressions they stand for.
    static let macros: [String: String] = [
        "@yearly": "0 0 1 1 *",
        "@annually": "0 0 1 1 *",
        "@monthly": "0 0 1 * *",
        "@weekly": "0 0 * * 0",
        "@daily": "0 0 * * *",
        "@midnight": "0 0 * * *",
        "@hourly": "0 * * * *",
    ]

    /// Parses `text` into an expression; see `init(parsing:)`.
    static func parse(_ text: String) throws(CronExpressionError) -> CronExpression {
        let words = text.split(whereSeparator: \.isWhitespace)
        if let first = words.first, first.hasPrefix("@") {
            let macro = words.joined(separator: " ").lowercased()
            guard words.count == 1, let expansion = Self.macros[macro] else {
                throw CronExpressionError(
                    code: .unknownMacro,
                    field: .expression,
                    message: "unknown macro '\(macro)'; expected @yearly, @annually, @monthly, @weekly, "
                        + "@daily, @midnight or @hourly"
                )
            }
            return try Self.parse(fields: expansion.split(separator: " ").map(String.init), source: macro)
        }
        let fields = words.map { $0.uppercased() }
        return try Self.parse(fields: fields, source: fields.joined(separator: " "))
    }

    private static func parse(fields: [String], source: String) throws(CronExpressionError) -> CronExpression {
        let dialect: Dialect
        switch fields.count {
        case 5: dialect = .standard
        case 6: dialect = .quartz
        case 7: dialect = .quartzWithYear
        default:
            throw CronExpressionError(
                code: .fieldCount,
                field: .expression,
                message: "expected 5, 6 or 7 fields but found \(fields.count)"
            )
        }
        // The five-field form has no seconds; pad it so that every dialect indexes the same way.
        let padded = dialect == .standard ? ["0"] + fields : fields
        func field(_ index: Int, _ name: CronField) throws(CronExpressionError) -> ParsedCronField {
            try CronFieldParser(field: name, dialect: dialect).parse(padded[index])
        }
        // Parse in field order so that the first bad field is the one reported.
        let seconds = try field(0, .second)
        let minutes = try field(1, .minute)
        let hours = try field(2, .hour)
        let daysOfMonth = try field(3, .dayOfMonth)
        let months = try field(4, .month)
        let daysOfWeek = try field(5, .dayOfWeek)
        let years = dialect == .quartzWithYear ? try field(6, .year) : nil
        let expression = CronExpression(
            source: source,
            dialect: dialect,
            seconds: seconds.values,
            minutes: minutes.values,
            hours: hours.values,
            daysOfMonth: daysOfMonth,
            months: months.values,
            daysOfWeek: daysOfWeek,
            years: years.flatMap { $0.isWildcard ? nil : $0.values },
            dayMatching: try Self.dayMatching(daysOfMonth, daysOfWeek, dialect: dialect),
            hasFixedHours: !hours.isOpenEndedStep
        )
        try expression.checkDaysCanOccur(dayOfMonthText: padded[3], monthText: padded[4])
        return expression
    }

    /// Applies the rule for combining the day fields; see the type's documentation.
    private static func dayMatching(
        _ dayOfMonth: ParsedCronField,
        _ dayOfWeek: ParsedCronField,
        dialect: Dialect
    ) throws(CronExpressionError) -> DayMatching {
        if dialect == .standard {
            switch (dayOfMonth.isWildcard, dayOfWeek.isWildcard) {
            case (true, true): return .everyDay
            case (true, false): return .dayOfWeek
            case (false, true): return .dayOfMonth
            case (false, false): return .either
            }
        }
        switch (dayOfMonth.isNoSpecificValue, dayOfWeek.isNoSpecificValue) {
        case (true, true):
            throw CronExpressionError(
                code: .conflictingDayFields,
                field: .dayOfWeek,
                message: "'?' may stand in only one of dayOfMonth and dayOfWeek"
            )
        case (false, false):
            throw CronExpressionError(
                code: .conflictingDayFields,
                field: .dayOfWeek,
                message: "Quartz form needs '?' in exactly one of dayOfMonth and dayOfWeek"
            )
        case (true, false):
            return dayOfWeek.isWildcard ? .everyDay : .dayOfWeek
        case (false, true):
            return dayOfMonth.isWildcard ? .everyDay : .dayOfMonth
        }
    }

    /// Rejects a day-of-month that alone decides the day but lies past the end of every selected month.
    private func checkDaysCanOccur(dayOfMonthText: String, monthText: String) throws(CronExpressionError) {
        let days = self.daysOfMonth
        guard self.dayMatching == .dayOfMonth, days.lastDayOffsets.isEmpty, !days.includesLastWeekday else {
            return
        }
        var candidates = days.values
        candidates.formUnion(days.nearestWeekdays)
        // February has 29 days unless the year field selects only common years.
        let hasLeapYear = self.years.map { years in years.values.contains { CivilDate.isLeapYear($0 + 1970) } }
        let leapYear = (hasLeapYear ?? true) ? 2000 : 2001
        let longest = self.months.values.map { CivilDate.daysInMonth(year: leapYear, month: $0) }.max() ?? 0
        guard let earliest = candidates.first, earliest > longest else {
            return
        }
        throw CronExpressionError(
            code: .neverFires,
            field: .dayOfMonth,
            message: "'\(dayOfMonthText)' never occurs in month '\(monthText)', so the expression can never fire"
        )
    }
}
