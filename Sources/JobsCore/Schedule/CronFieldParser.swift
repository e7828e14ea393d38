/// Parses the text of one cron field into the values and special day items it selects.
///
/// A field is a comma-separated list of items. An item is `*`, a value, a range `a-b`, and any of
/// these followed by a step `/n` (`a/n` runs from `a` to the field's maximum). Values are numbers, or
/// English three-letter names in the month and day-of-week fields. The day fields also take `?` and
/// Quartz's `L`, `W`, `LW`, `nL` and `n#k` items; see `CronExpression` for their meaning. The text is
/// expected in upper case.
struct CronFieldParser {
    /// The field being parsed.
    let field: CronField
    /// The dialect, which decides how day-of-week numbers are read.
    let dialect: CronExpression.Dialect

    /// Parses `text`, the whole field.
    func parse(_ text: String) throws(CronExpressionError) -> ParsedCronField {
        var result = ParsedCronField()
        let items = text.split(separator: ",", omittingEmptySubsequences: false)
        for item in items {
            if item.isEmpty {
                throw self.error(.malformed, "empty item in list '\(text)'")
            }
            if item == "?" {
                guard self.field == .dayOfMonth || self.field == .dayOfWeek else {
                    throw self.error(.misplacedSymbol, "'?' is only allowed in dayOfMonth and dayOfWeek")
                }
                guard items.count == 1 else {
                    throw self.error(.malformed, "'?' must stand alone, not in list '\(text)'")
                }
                result.isNoSpecificValue = true
                result.values = ValueSet(self.field.bounds(in: self.dialect).map(self.storedValue))
            } else if try !self.parseSpecialDay(item, into: &result) {
                try self.parseRange(item, into: &result)
            }
        }
        result.isWildcard = text == "*" || text == "?"
        result.isOpenEndedStep = items.count == 1 && (text == "*" || text.hasPrefix("*/") || Self.isStartStep(text))
        return result
    }

    // MARK: Ranges and steps

    private func parseRange(_ item: Substring, into result: inout ParsedCronField) throws(CronExpressionError) {
        let bounds = self.field.bounds(in: self.dialect)
        let parts = item.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        var step = 1
        if parts.count == 2 {
            step = try self.parseStep(parts[1], bounds: bounds)
        }
        let base = parts[0]
        let range: ClosedRange<Int>
        if base == "*" {
            range = bounds
        } else if let dash = base.firstIndex(of: "-") {
            let low = try self.parseValue(base[..<dash], in: item)
            let high = try self.parseValue(base[base.index(after: dash)...], in: item)
            guard low <= high else {
                throw self.error(.descendingRange, "range \(base) is descending")
            }
            range = low...high
        } else {
            let value = try self.parseValue(base, in: item)
            range = value...(parts.count == 2 ? bounds.upperBound : value)
        }
        for value in stride(from: range.lowerBound, through: range.upperBound, by: step) {
            result.values.insert(self.storedValue(value))
        }
    }

    private func parseStep(_ text: Substring, bounds: ClosedRange<Int>) throws(CronExpressionError) -> Int {
        guard !text.isEmpty, text.allSatisfy(\.isASCIIDigit) else {
            throw self.error(.invalidStep, "step '\(text)' is not a positive number")
        }
        guard let step = Int(text), step <= bounds.count else {
            throw self.error(
                .invalidStep,
                "step \(text) is larger than the range \(bounds.lowerBound)-\(bounds.upperBound)"
            )
        }
        guard step >= 1 else {
            throw self.error(.invalidStep, "step 0 must be at least 1")
        }
        return step
    }

    /// Reads one number or name and checks it against the field's range.
    private func parseValue(_ text: Substring, in item: Substring) throws(CronExpressionError) -> Int {
        let bounds = self.field.bounds(in: self.dialect)
        if text.isEmpty {
            throw self.error(.malformed, "missing value in '\(item)'")
        }
        if text.allSatisfy(\.isASCIIDigit) {
            guard let value = Int(text), bounds.contains(value) else {
                throw self.error(.outOfRange, "value \(text) is out of range \(bounds.lowerBound)-\(bounds.upperBound)")
            }
            return value
        }
        if text.allSatisfy(\.isASCIILetter) {
            if self.field.hasNames {
                guard let value = self.field.value(forName: String(text), in: self.dialect) else {
                    throw self.error(.unknownName, "unknown name '\(text)'")
                }
                return value
            }
            if text == "L" || text == "W" || text.hasSuffix("L") || text.hasSuffix("W") {
                throw self.error(.misplacedSymbol, "'\(item)': L and W are only allowed in dayOfMonth and dayOfWeek")
            }
            throw self.error(.malformed, "expected a number but found '\(text)'")
        }
        if text.contains("#") {
            throw self.error(.misplacedSymbol, "'\(item)': # is only allowed in dayOfWeek")
        }
        throw self.error(.malformed, "'\(item)' is not a valid value")
    }

    /// Converts a value in the field's own numbering to how `ParsedCronField` stores it.
    private func storedValue(_ value: Int) -> Int {
        switch self.field {
        case .dayOfWeek: CronField.weekday(fromDayOfWeek: value, in: self.dialect)
        case .year: value - 1970
        default: value
        }
    }

    /// Whether `text` is a step from a single start value, such as `0/3`.
    private static func isStartStep(_ text: String) -> Bool {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        return parts.count == 2 && !parts[0].contains("-")
    }

    func error(
        _ code: CronExpressionError.Code,
        _ message: String,
        file: String = #fileID,
        line: UInt = #line
    ) -> CronExpressionError {
        CronExpressionError(code: code, field: self.field, message: message, file: file, line: line)
    }
}

extension Character {
    /// Whether the character is one of `0` to `9`.
    var isASCIIDigit: Bool {
        self >= "0" && self <= "9"
    }

    /// Whether the character is one of `A` to `Z` or `a` to `z`.
    var isASCIILetter: Bool {
        (self >= "A" && self <= "Z") || (self >= "a" && self <= "z")
    }
}
