import Foundation
import JobsCore
import Testing

/// One row of a schedule table: an expression, a zone, a start instant and the fire times expected after it.
struct FireTimeCase: Sendable, CustomTestStringConvertible {
    let expression: String
    let zone: String
    let start: String
    let expected: [String]

    init(_ expression: String, in zone: String = "UTC", after start: String, _ expected: [String]) {
        self.expression = expression
        self.zone = zone
        self.start = start
        self.expected = expected
    }

    var testDescription: String {
        "'\(self.expression)' in \(self.zone) after \(self.start)"
    }

    /// Checks that the first fire times after the start are exactly the expected ones.
    func verify(sourceLocation: SourceLocation = #_sourceLocation) throws {
        let expression = try CronExpression(parsing: self.expression)
        let zone = try TestTime.zone(self.zone, sourceLocation: sourceLocation)
        let start = try TestTime.date(self.start, sourceLocation: sourceLocation)
        let times = expression.fireTimes(after: start, in: zone).prefix(self.expected.count)
        #expect(TestTime.format(times, in: zone) == self.expected, sourceLocation: sourceLocation)
    }
}
