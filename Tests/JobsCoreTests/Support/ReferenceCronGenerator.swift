/// Makes random cron expressions together with their `ReferenceCron` models.
///
/// Fields lean towards values near a focus time, so that most expressions fire inside the short windows
/// the brute force can afford. Near an offset change the focus is the hour that is skipped or repeated,
/// so that the daylight-saving rules get exercised.
struct ReferenceCronGenerator {
    /// The local time near which the expression should fire.
    struct Focus {
        var year: Int
        var month: Int
        var day: Int
        var hour: Int
        /// 0 is Sunday.
        var weekday: Int
    }

    /// A generated numeric field: its text, the values it selects, and how it was written.
    struct Field {
        var text: String
        var values: Set<Int>
        var isWildcardOrOpenStep: Bool
    }

    var random: SplitMix64

    /// Makes an expression and its model; with `atMidnight` the time fields are all zero.
    mutating func make(_ form: ReferenceCron.Form, near focus: Focus, atMidnight: Bool = false) -> ReferenceCron {
        var cron = ReferenceCron()
        cron.stepSeconds = form == .quartz ? 1 : 60
        var texts: [String]
        if atMidnight {
            cron.seconds[0] = true
            cron.minutes[0] = true
            cron.hours[0] = true
            texts = form == .quartz ? ["0", "0", "0"] : ["0", "0"]
        } else {
            texts = self.timeFields(form, near: focus, into: &cron)
        }
        let dayOfMonth = self.dayOfMonthField(focus: focus)
        let months = self.monthField(focus: focus)
        months.values.forEach { cron.months[$0] = true }
        let dayOfWeek = self.dayOfWeekField(form, focus: focus)
        var dayTexts = (dayOfMonth.text, dayOfWeek.text)
        cron.daysOfMonth = dayOfMonth.items
        cron.daysOfWeek = dayOfWeek.items
        if form == .quartz {
            // Exactly one day field is '?' and the other alone decides; it is '*' a third of the time so
            // that most expressions fire inside the short window.
            let decider: String? = self.random.chance(0.35) ? "*" : nil
            if self.random.chance(0.5) {
                dayTexts = (decider ?? dayTexts.0, "?")
                cron.daysOfMonth = decider == nil ? cron.daysOfMonth : []
                cron.daysOfWeek = []
            } else {
                dayTexts = ("?", decider ?? dayTexts.1)
                cron.daysOfMonth = []
                cron.daysOfWeek = decider == nil ? cron.daysOfWeek : []
            }
        } else if self.random.chance(0.05) {
            dayTexts.0 = dayOfMonth.items.isEmpty ? "?" : dayTexts.0
        }
        texts += [dayTexts.0, months.text, dayTexts.1]
        if form == .quartz && self.random.chance(0.3) {
            let years = self.yearField(focus: focus)
            texts.append(years.text)
            cron.years = years.isWildcardOrOpenStep && years.text == "*" ? nil : years.values
        }
        cron.text = texts.joined(separator: self.random.chance(0.9) ? " " : "  ")
        return cron
    }

    /// The second (Quartz only), minute and hour fields.
    private mutating func timeFields(
        _ form: ReferenceCron.Form,
        near focus: Focus,
        into cron: inout ReferenceCron
    ) -> [String] {
        var texts: [String] = []
        if form == .quartz {
            let seconds = self.numericField(0...59, focus: nil, wildcardChance: 0.2)
            texts.append(seconds.text)
            seconds.values.forEach { cron.seconds[$0] = true }
        } else {
            cron.seconds[0] = true
        }
        let minutes = self.numericField(0...59, focus: self.random.chance(0.5) ? 0 : nil, wildcardChance: 0.25)
        minutes.values.forEach { cron.minutes[$0] = true }
        let hours = self.numericField(0...23, focus: focus.hour, wildcardChance: form == .quartz ? 0.4 : 0.3)
        hours.values.forEach { cron.hours[$0] = true }
        // The rule under test: only a single '*', '*/n' or 'a/n' makes the hours interval-like.
        cron.hoursAreFixed = !hours.isWildcardOrOpenStep
        return texts + [minutes.text, hours.text]
    }

    // MARK: Numeric fields

    /// A field of plain values: `*`, a value, a range, steps or a list of these.
    mutating func numericField(
        _ range: ClosedRange<Int>,
        focus: Int?,
        wildcardChance: Double,
        names: [String]? = nil,
        nameBase: Int = 0
    ) -> Field {
        let span = range.count
        let roll = Double.random(in: 0..<1, using: &self.random)
        if roll < wildcardChance {
            return Field(text: "*", values: Set(range), isWildcardOrOpenStep: true)
        }
        if roll < wildcardChance + 0.15 {
            let step = self.random.int(1...max(1, span / 3))
            let values = Set(stride(from: range.lowerBound, through: range.upperBound, by: step))
            return Field(text: "*/\(step)", values: values, isWildcardOrOpenStep: true)
        }
        if roll < wildcardChance + 0.25 {
            let start = self.value(in: range, focus: focus)
            let step = self.random.int(1...max(1, span / 2))
            let text = self.render(start, names: names, nameBase: nameBase) + "/\(step)"
            let values = Set(stride(from: start, through: range.upperBound, by: step))
            return Field(text: text, values: values, isWildcardOrOpenStep: true)
        }
        var texts: [String] = []
        var values: Set<Int> = []
        for _ in 0..<(self.random.chance(0.3) ? self.random.int(2...4) : 1) {
            let item = self.listItem(range, focus: focus, names: names, nameBase: nameBase)
            texts.append(item.text)
            values.formUnion(item.values)
        }
        return Field(text: texts.joined(separator: ","), values: values, isWildcardOrOpenStep: false)
    }

    private mutating func listItem(
        _ range: ClosedRange<Int>,
        focus: Int?,
        names: [String]?,
        nameBase: Int
    ) -> (text: String, values: Set<Int>) {
        let first = self.value(in: range, focus: focus)
        switch self.random.int(0...2) {
        case 0:
            return (self.render(first, names: names, nameBase: nameBase), [first])
        case 1:
            let last = self.random.int(first...min(range.upperBound, first + self.random.int(0...range.count / 2)))
            let text =
                self.render(first, names: names, nameBase: nameBase) + "-"
                + self.render(last, names: names, nameBase: nameBase)
            return (text, Set(first...last))
        default:
            let low = max(range.lowerBound, first - self.random.int(0...3))
            let high = self.random.int(low...range.upperBound)
            let step = self.random.int(1...max(1, range.count / 2))
            return ("\(low)-\(high)/\(step)", Set(stride(from: low, through: high, by: step)))
        }
    }

    /// A value, near `focus` most of the time when there is one.
    private mutating func value(in range: ClosedRange<Int>, focus: Int?) -> Int {
        guard let focus, self.random.chance(0.85) else {
            return self.random.int(range)
        }
        return min(range.upperBound, max(range.lowerBound, focus + self.random.int(-1...2)))
    }

    /// Writes a value as a number or, sometimes, as a name in random case.
    mutating func render(_ value: Int, names: [String]?, nameBase: Int) -> String {
        guard let names, names.indices.contains(value - nameBase), self.random.chance(0.5) else {
            return String(value)
        }
        return self.randomCase(names[value - nameBase])
    }

    /// The same word in upper, lower or capitalised case.
    mutating func randomCase(_ word: String) -> String {
        switch self.random.int(0...2) {
        case 0: word.uppercased()
        case 1: word.lowercased()
        default: word.prefix(1).uppercased() + word.dropFirst().lowercased()
        }
    }
}
