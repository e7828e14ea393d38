/// Generating the calendar fields: day-of-month, month, day-of-week and year.
extension ReferenceCronGenerator {
    static let monthNames = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"]
    static let weekdayNames = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"]

    mutating func dayOfMonthField(focus: Focus) -> (text: String, items: [ReferenceCron.DayOfMonthItem]) {
        let roll = Double.random(in: 0..<1, using: &self.random)
        if roll < 0.55 {
            return ("*", [])
        }
        if roll < 0.8 {
            let field = self.numericField(1...31, focus: focus.day, wildcardChance: 0)
            return (field.text, field.values.sorted().map { .day($0) })
        }
        var texts: [String] = []
        var items: [ReferenceCron.DayOfMonthItem] = []
        for _ in 0..<self.random.int(1...2) {
            switch self.random.int(0...4) {
            case 0:
                texts.append(self.randomCase("L"))
                items.append(.last(offset: 0))
            case 1:
                let offset = self.random.int(0...6)
                texts.append(self.randomCase("L") + "-\(offset)")
                items.append(.last(offset: offset))
            case 2:
                texts.append(self.randomCase("LW"))
                items.append(.lastWeekday)
            case 3:
                let day = self.random.pick([1, 2, 15, 28, 29, 30, 31, focus.day, self.random.int(1...31)])
                texts.append("\(day)" + self.randomCase("W"))
                items.append(.nearestWeekday(day))
            default:
                let day = self.random.int(1...31)
                texts.append("\(day)")
                items.append(.day(day))
            }
        }
        return (texts.joined(separator: ","), items)
    }

    mutating func dayOfWeekField(
        _ form: ReferenceCron.Form,
        focus: Focus
    ) -> (text: String, items: [ReferenceCron.DayOfWeekItem]) {
        let base = form == .fiveField ? 0 : 1
        let roll = Double.random(in: 0..<1, using: &self.random)
        if roll < 0.55 {
            return ("*", [])
        }
        if roll < 0.8 {
            let range = form == .fiveField ? 0...7 : 1...7
            let field = self.numericField(
                range,
                focus: focus.weekday + base,
                wildcardChance: 0,
                names: Self.weekdayNames,
                nameBase: base
            )
            return (field.text, field.values.sorted().map { .weekday(($0 - base) % 7) })
        }
        var texts: [String] = []
        var items: [ReferenceCron.DayOfWeekItem] = []
        for _ in 0..<self.random.int(1...2) {
            let weekday = self.random.chance(0.5) ? focus.weekday : self.random.int(0...6)
            // Five-field form may also write Sunday as 7.
            let number = form == .fiveField && weekday == 0 && self.random.chance(0.5) ? 7 : weekday + base
            let written = self.random.chance(0.5) ? self.randomCase(Self.weekdayNames[weekday]) : String(number)
            switch self.random.int(0...2) {
            case 0:
                texts.append(written + self.randomCase("L"))
                items.append(.last(weekday))
            case 1:
                let occurrence = self.random.int(1...5)
                texts.append(written + "#\(occurrence)")
                items.append(.nth(weekday, occurrence: occurrence))
            default:
                if form == .quartz && self.random.chance(0.3) {
                    // Quartz reads a lone L in day-of-week as Saturday.
                    texts.append(self.randomCase("L"))
                    items.append(.weekday(6))
                } else {
                    texts.append(written)
                    items.append(.weekday(weekday))
                }
            }
        }
        return (texts.joined(separator: ","), items)
    }

    mutating func monthField(focus: Focus) -> Field {
        if self.random.chance(0.75) {
            return Field(text: "*", values: Set(1...12), isWildcardOrOpenStep: true)
        }
        return self.numericField(1...12, focus: focus.month, wildcardChance: 0, names: Self.monthNames, nameBase: 1)
    }

    mutating func yearField(focus: Focus) -> Field {
        self.numericField(1970...2199, focus: focus.year, wildcardChance: 0.4)
    }
}
