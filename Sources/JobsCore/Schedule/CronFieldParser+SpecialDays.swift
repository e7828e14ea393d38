/// Parsing of the special day items: `L`, `L-n`, `LW` and `nW` in day-of-month, `nL` and `n#k` in day-of-week.
extension CronFieldParser {
    /// Parses `item` if it is a special day item of this field, returning whether it was one.
    func parseSpecialDay(_ item: Substring, into result: inout ParsedCronField) throws(CronExpressionError) -> Bool {
        switch self.field {
        case .dayOfMonth:
            return try self.parseSpecialDayOfMonth(item, into: &result)
        case .dayOfWeek:
            return try self.parseSpecialDayOfWeek(item, into: &result)
        default:
            return false
        }
    }

    private func parseSpecialDayOfMonth(
        _ item: Substring,
        into result: inout ParsedCronField
    ) throws(CronExpressionError) -> Bool {
        if item.contains("#") {
            throw self.error(.misplacedSymbol, "'\(item)': # is only allowed in dayOfWeek")
        }
        guard item.contains("L") || item.contains("W") else {
            return false
        }
        if item == "L" {
            result.lastDayOffsets.insert(0)
        } else if item == "LW" {
            result.includesLastWeekday = true
        } else if item.hasPrefix("L-") {
            let offset = item.dropFirst(2)
            guard !offset.isEmpty, offset.allSatisfy(\.isASCIIDigit) else {
                throw self.error(.malformed, "offset in '\(item)' is not a number")
            }
            guard let days = Int(offset), days <= 30 else {
                throw self.error(.outOfRange, "offset \(offset) in '\(item)' is out of range 0-30")
            }
            result.lastDayOffsets.insert(days)
        } else if item.hasSuffix("W"), let day = item.dropLast().first, day.isASCIIDigit {
            result.nearestWeekdays.insert(try self.dayOfMonth(item.dropLast(), in: item))
        } else {
            throw self.error(.malformed, "'\(item)' is not a valid item; expected L, L-n, LW or nW")
        }
        return true
    }

    private func parseSpecialDayOfWeek(
        _ item: Substring,
        into result: inout ParsedCronField
    ) throws(CronExpressionError) -> Bool {
        if item.contains("W") && !item.contains("WED") {
            throw self.error(.misplacedSymbol, "'\(item)': W is only allowed in dayOfMonth")
        }
        if item == "L" {
            guard self.dialect != .standard else {
                throw self.error(
                    .malformed,
                    "'L' alone is ambiguous in the five-field form; write 6L or SATL for the last Saturday"
                )
            }
            // Quartz reads a lone L in day-of-week as 7, Saturday.
            result.values.insert(6)
            return true
        }
        if let hash = item.firstIndex(of: "#") {
            let weekday = try self.weekday(item[..<hash], in: item)
            let occurrence = item[item.index(after: hash)...]
            guard let count = Int(occurrence), occurrence.allSatisfy(\.isASCIIDigit), (1...5).contains(count) else {
                throw self.error(.outOfRange, "occurrence '\(occurrence)' in '\(item)' must be 1-5")
            }
            result.nthWeekdays.insert(weekday * 5 + count - 1)
            return true
        }
        if item.hasSuffix("L") {
            result.lastWeekdays.insert(try self.weekday(item.dropLast(), in: item))
            return true
        }
        return false
    }

    /// Reads a weekday number or name and returns it as 0 (Sunday) to 6 (Saturday).
    private func weekday(_ text: Substring, in item: Substring) throws(CronExpressionError) -> Int {
        let bounds = self.field.bounds(in: self.dialect)
        if text.allSatisfy(\.isASCIIDigit), !text.isEmpty {
            guard let value = Int(text), bounds.contains(value) else {
                throw self.error(.outOfRange, "value \(text) is out of range \(bounds.lowerBound)-\(bounds.upperBound)")
            }
            return CronField.weekday(fromDayOfWeek: value, in: self.dialect)
        }
        guard !text.isEmpty else {
            throw self.error(.malformed, "missing weekday in '\(item)'")
        }
        guard text.allSatisfy(\.isASCIILetter), let value = self.field.value(forName: String(text), in: self.dialect)
        else {
            throw self.error(.unknownName, "unknown name '\(text)'")
        }
        return CronField.weekday(fromDayOfWeek: value, in: self.dialect)
    }

    private func dayOfMonth(_ text: Substring, in item: Substring) throws(CronExpressionError) -> Int {
        guard text.allSatisfy(\.isASCIIDigit), let day = Int(text) else {
            throw self.error(.malformed, "'\(item)' is not a valid item; expected L, L-n, LW or nW")
        }
        guard (1...31).contains(day) else {
            throw self.error(.outOfRange, "value \(text) is out of range 1-31")
        }
        return day
    }
}
