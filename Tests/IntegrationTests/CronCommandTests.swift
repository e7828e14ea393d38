import Foundation
import TestSupport
import Testing

/// `fineract-jobs cron next`, run as the real binary.
@Suite(
    "cron next command",
    .enabled(if: ServiceProcess.executable != nil, "the fineract-jobs binary is not built; run swift build first")
)
struct CronCommandTests {
    func run(_ arguments: [String]) throws -> (status: Int32, output: String, error: String) {
        let process = Process()
        process.executableURL = ServiceProcess.executable
        process.arguments = arguments
        let output = Pipe()
        let error = Pipe()
        process.standardOutput = output
        process.standardError = error
        try process.run()
        let outputData = output.fileHandleForReading.readDataToEndOfFile()
        let errorData = error.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (
            process.terminationStatus,
            String(decoding: outputData, as: UTF8.self),
            String(decoding: errorData, as: UTF8.self)
        )
    }

    @Test func printsNextFireTimesWithOffsets() throws {
        let result = try self.run([
            "cron", "next", "--expression", "30 2 * * *", "--timezone", "Europe/Berlin",
            "--after", "2026-03-27T00:00:00Z", "--count", "4",
        ])
        #expect(result.status == 0)
        #expect(
            result.output.split(separator: "\n") == [
                "2026-03-27T02:30:00+01:00", "2026-03-28T02:30:00+01:00",
                // 02:30 does not exist on the spring-forward day: it fires when the gap ends.
                "2026-03-29T03:00:00+02:00", "2026-03-30T02:30:00+02:00",
            ]
        )
    }

    @Test func invalidExpressionExitsWithStatusTwoAndTheParsersMessage() throws {
        let result = try self.run(["cron", "next", "--expression", "61 * * * *"])
        #expect(result.status == 2)
        #expect(result.output.isEmpty)
        #expect(result.error.contains("minute: value 61 is out of range 0-59"))
    }
}
