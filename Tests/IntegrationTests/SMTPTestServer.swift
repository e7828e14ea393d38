import Foundation
import TestSupport
import Testing

/// The loopback SMTP server of `Tests/NotificationServers/smtp_test_server.py`, run as a child
/// process for the duration of a test.
struct SMTPTestServer {
    /// One message the server accepted, as its e-mail parser read it.
    struct Received: Decodable {
        var mailFrom: String
        var rcptTos: [String]
        var raw: String
        var headers: [String: String]
        var body: String

        var rawText: String {
            String(decoding: Data(base64Encoded: self.raw) ?? Data(), as: UTF8.self)
        }
    }

    let port: Int
    let directory: URL

    static let script = TestDatabase.repositoryRoot.appendingPathComponent(
        "Tests/NotificationServers/smtp_test_server.py"
    )

    /// Whether Python with `aiosmtpd` is installed (`make test` installs it).
    static let isAvailable: Bool = {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", "import aiosmtpd"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        do {
            try process.run()
            process.waitUntilExit()
            return process.terminationStatus == 0
        } catch {
            return false
        }
    }()

    /// Runs the server for `body`, answering the first `transientFailures` messages with 451 and
    /// refusing recipients that end in `refusedSuffix` with 550; stops it afterwards.
    static func withServer<Result>(
        transientFailures: Int = 0,
        refusedSuffix: String = "",
        _ body: (SMTPTestServer) async throws -> Result
    ) async throws -> Result {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("smtp-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let port = ServiceProcess.freePort()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [
            "python3", Self.script.path, "--port", String(port), "--out", directory.path,
            "--transient-failures", String(transientFailures), "--refused-suffix", refusedSuffix,
        ]
        try process.run()
        defer {
            // SIGKILL: the child may have inherited a signal mask that holds SIGTERM back, and it has
            // nothing to save; every message it accepted is already on disk.
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
        // Start-up readiness, not a timed assertion: the file appears once the server listens.
        let ready = directory.appendingPathComponent("ready")
        let deadline = ContinuousClock.now + .seconds(20)
        while !FileManager.default.fileExists(atPath: ready.path) {
            guard process.isRunning, ContinuousClock.now < deadline else {
                throw CocoaError(
                    .fileReadUnknown,
                    userInfo: [NSLocalizedDescriptionKey: "the SMTP test server did not start"]
                )
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        return try await body(SMTPTestServer(port: port, directory: directory))
    }

    var url: String { "smtp://127.0.0.1:\(self.port)" }

    /// Every message accepted so far, in the order they were accepted.
    func received() throws -> [Received] {
        let names = try FileManager.default.contentsOfDirectory(atPath: self.directory.path)
            .filter { $0.hasPrefix("message-") && $0.hasSuffix(".json") }
            .sorted()
        return try names.map { name in
            try JSONDecoder().decode(Received.self, from: Data(contentsOf: self.directory.appendingPathComponent(name)))
        }
    }
}
