import Foundation
import JobsCore

/// `fineract-jobs cron next`: prints the next fire times of an expression, one per line.
enum CronCommand {
    static func run(_ arguments: [String]) -> Int32 {
        guard arguments.first == "next" else {
            return self.fail(
                "usage: fineract-jobs cron next --expression EXPR [--timezone ZONE] [--after ISO-8601] [--count N]"
            )
        }
        var options: [String: String] = [:]
        var index = 1
        while index < arguments.count {
            let name = arguments[index]
            guard ["--expression", "--timezone", "--after", "--count"].contains(name), index + 1 < arguments.count
            else {
                return self.fail("unknown or incomplete option '\(name)'")
            }
            options[name] = arguments[index + 1]
            index += 2
        }
        guard let text = options["--expression"] else {
            return self.fail("--expression is required")
        }
        let zoneName = options["--timezone"] ?? "UTC"
        guard let zone = TimeZone(identifier: zoneName) else {
            return self.fail("--timezone: '\(zoneName)' is not an IANA time zone name")
        }
        var after = Date()
        if let afterText = options["--after"] {
            guard let parsed = ISO8601Parsing.date(from: afterText) else {
                return self.fail("--after: '\(afterText)' is not an ISO-8601 instant with an offset")
            }
            after = parsed
        }
        let countText = options["--count"] ?? "5"
        guard let count = Int(countText), (1...10_000).contains(count) else {
            return self.fail("--count: must be a whole number from 1 to 10000")
        }
        let expression: CronExpression
        do {
            expression = try CronExpression(parsing: text)
        } catch {
            return self.fail(error.description)
        }
        for fireTime in expression.fireTimes(after: after, in: zone).prefix(count) {
            print(FireTimeFormatter.formatISO8601(fireTime, in: zone))
        }
        return 0
    }

    private static func fail(_ message: String) -> Int32 {
        FileHandle.standardError.write(Data((message + "\n").utf8))
        return 2
    }
}
