/// What one field of a cron expression selects, after parsing.
///
/// Plain values live in `values`: minutes as 0-59, months as 1-12, weekdays as 0 (Sunday) to 6
/// (Saturday) whatever the dialect's numbering, and years as offsets from 1970. The day fields may
/// also hold Quartz's special items, which select different days in each month.
struct ParsedCronField: Hashable, Sendable {
    /// The values selected directly.
    var values = ValueSet()
    /// Day-of-month `L-n` items: each value `n` selects the n-th day before the month's last (`L` is 0).
    var lastDayOffsets = ValueSet()
    /// Day-of-month `nW` items: each value selects the weekday nearest that day, within the month.
    var nearestWeekdays = ValueSet()
    /// Whether day-of-month holds `LW`, the last Monday-to-Friday day of the month.
    var includesLastWeekday = false
    /// Day-of-week `nL` items: each weekday (0-6) selects its last occurrence in the month.
    var lastWeekdays = ValueSet()
    /// Day-of-week `n#k` items, stored as `weekday * 5 + (k - 1)`: the k-th such weekday of the month.
    var nthWeekdays = ValueSet()
    /// Whether the field is exactly `*` or `?`, so that it restricts nothing.
    var isWildcard = false
    /// Whether the field is exactly `?` (Quartz's "no specific value").
    var isNoSpecificValue = false
    /// Whether the field is a single `*`, `*/n` or `a/n`: a wildcard or an open-ended step.
    ///
    /// For the hour field this decides the daylight-saving rule; see `CronExpression`.
    var isOpenEndedStep = false

    /// Whether the field holds any special day item (`L`, `W`, `LW`, `nL` or `n#k`).
    var hasSpecialDays: Bool {
        !self.lastDayOffsets.isEmpty || !self.nearestWeekdays.isEmpty || self.includesLastWeekday
            || !self.lastWeekdays.isEmpty || !self.nthWeekdays.isEmpty
    }
}

// MARK: - Days of a month

extension ParsedCronField {
    /// The days of `month` in `year` that a day-of-month field selects, as a bitmap (bit `d` for day `d`).
    func dayOfMonthMask(year: Int, month: Int) -> UInt64 {
        let length = CivilDate.daysInMonth(year: year, month: month)
        let monthDays: UInt64 = (UInt64(1) << UInt64(length + 1)) - 2
        var mask = self.values.lowBits & monthDays
        if !self.lastDayOffsets.isEmpty || self.includesLastWeekday || !self.nearestWeekdays.isEmpty {
            var offset = self.lastDayOffsets.next(atOrAfter: 0)
            while let current = offset, current < length {
                mask |= 1 << UInt64(length - current)
                offset = self.lastDayOffsets.next(atOrAfter: current + 1)
            }
            let firstWeekday = CivilDate(year: year, month: month, day: 1).weekday
            if self.includesLastWeekday {
                mask |= 1 << UInt64(Self.nearestWeekday(to: length, length: length, firstWeekday: firstWeekday))
            }
            var day = self.nearestWeekdays.next(atOrAfter: 1)
            while let current = day, current <= length {
                mask |= 1 << UInt64(Self.nearestWeekday(to: current, length: length, firstWeekday: firstWeekday))
                day = self.nearestWeekdays.next(atOrAfter: current + 1)
            }
        }
        return mask
    }

    /// The days of `month` in `year` that a day-of-week field selects, as a bitmap (bit `d` for day `d`).
    func dayOfWeekMask(year: Int, month: Int) -> UInt64 {
        let length = CivilDate.daysInMonth(year: year, month: month)
        let firstWeekday = CivilDate(year: year, month: month, day: 1).weekday
        var mask: UInt64 = 0
        for weekday in 0..<7 {
            // The first day of the month falling on `weekday`.
            let first = 1 + (weekday - firstWeekday + 7) % 7
            if self.values.contains(weekday) {
                for day in stride(from: first, through: length, by: 7) {
                    mask |= 1 << UInt64(day)
                }
            }
            if self.lastWeekdays.contains(weekday) {
                mask |= 1 << UInt64(first + (length - first) / 7 * 7)
            }
            for occurrence in 1...5 where self.nthWeekdays.contains(weekday * 5 + occurrence - 1) {
                let day = first + (occurrence - 1) * 7
                if day <= length {
                    mask |= 1 << UInt64(day)
                }
            }
        }
        return mask
    }

    /// The Monday-to-Friday day nearest to `day`, without leaving the month.
    ///
    /// A Saturday moves back to Friday unless that leaves the month (the 1st moves on to Monday the 3rd);
    /// a Sunday moves on to Monday unless that leaves the month (the last day moves back to Friday).
    static func nearestWeekday(to day: Int, length: Int, firstWeekday: Int) -> Int {
        switch (firstWeekday + day - 1) % 7 {
        case 6: day == 1 ? day + 2 : day - 1
        case 0: day == length ? day - 2 : day + 1
        default: day
        }
    }
}
