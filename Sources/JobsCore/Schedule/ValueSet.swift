/// A set of small non-negative integers (0 to 255) stored as a bitmap.
///
/// Cron fields are sets of small numbers; a bitmap makes membership and "next value at or after"
/// constant-time operations with no allocation, which is what keeps next-fire calculations fast.
/// Years are stored relative to 1970 so that 1970...2199 fits.
struct ValueSet: Hashable, Sendable {
    /// The largest value the set can hold.
    static let maximum = 255

    private var words: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)

    /// Creates an empty set.
    init() {}

    /// Creates a set holding every value in `values`.
    init(_ values: some Sequence<Int>) {
        for value in values {
            self.insert(value)
        }
    }

    /// Whether the set holds no value.
    var isEmpty: Bool {
        self.words == (0, 0, 0, 0)
    }

    /// The smallest value in the set, or nil when it is empty.
    var first: Int? {
        self.next(atOrAfter: 0)
    }

    /// The largest value in the set, or nil when it is empty.
    var last: Int? {
        for index in stride(from: 3, through: 0, by: -1) where self.word(index) != 0 {
            return index * 64 + 63 - self.word(index).leadingZeroBitCount
        }
        return nil
    }

    /// The values in ascending order.
    var values: [Int] {
        (0...Self.maximum).filter { self.contains($0) }
    }

    /// The values 0 to 63 as a bitmap, bit `n` standing for value `n`.
    var lowBits: UInt64 {
        self.words.0
    }

    /// Whether `value` is in the set; values outside 0...255 never are.
    func contains(_ value: Int) -> Bool {
        guard value >= 0 && value <= Self.maximum else {
            return false
        }
        return self.word(value / 64) & (1 << UInt64(value % 64)) != 0
    }

    /// The smallest value in the set that is at least `value`, or nil if there is none.
    func next(atOrAfter value: Int) -> Int? {
        let start = max(value, 0)
        guard start <= Self.maximum else {
            return nil
        }
        var index = start / 64
        var word = self.word(index) & (UInt64.max << UInt64(start % 64))
        while true {
            if word != 0 {
                return index * 64 + word.trailingZeroBitCount
            }
            index += 1
            guard index < 4 else {
                return nil
            }
            word = self.word(index)
        }
    }

    /// Adds `value`, which must lie in 0...255.
    mutating func insert(_ value: Int) {
        precondition(value >= 0 && value <= Self.maximum, "ValueSet holds 0...255, not \(value)")
        let bit: UInt64 = 1 << UInt64(value % 64)
        switch value / 64 {
        case 0: self.words.0 |= bit
        case 1: self.words.1 |= bit
        case 2: self.words.2 |= bit
        default: self.words.3 |= bit
        }
    }

    /// Adds every value of `other`.
    mutating func formUnion(_ other: ValueSet) {
        self.words.0 |= other.words.0
        self.words.1 |= other.words.1
        self.words.2 |= other.words.2
        self.words.3 |= other.words.3
    }

    private func word(_ index: Int) -> UInt64 {
        switch index {
        case 0: self.words.0
        case 1: self.words.1
        case 2: self.words.2
        default: self.words.3
        }
    }

    static func == (lhs: ValueSet, rhs: ValueSet) -> Bool {
        lhs.words == rhs.words
    }

    func hash(into hasher: inout Hasher) {
        hasher.combine(self.words.0)
        hasher.combine(self.words.1)
        hasher.combine(self.words.2)
        hasher.combine(self.words.3)
    }
}
