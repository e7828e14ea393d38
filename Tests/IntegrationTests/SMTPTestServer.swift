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
        guard let pid = try? Self.spawn(["python3", "-c", "import aiosmtpd"]) else { return false }
        return Self.reap(pid) == 0
    }()

    /// Starts `arguments` (looked up on `PATH`) with its output discarded, or its standard error
    /// written to `errorPath`.
    ///
    /// `posix_spawnp` and `waitpid` rather than Foundation's `Process`: waiting for a `Process` to end
    /// needs other threads, and blocking a cooperative thread on that can stall every test.
    static func spawn(_ arguments: [String], errorPath: String = "/dev/null") throws -> pid_t {
        let argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 2, errorPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        var pid: pid_t = 0
        let status = posix_spawnp(&pid, arguments[0], &actions, nil, argv, environ)
        guard status == 0 else {
            throw CocoaError(.executableLoad, userInfo: [NSLocalizedDescriptionKey: "posix_spawnp failed: \(status)"])
        }
        return pid
    }

    /// Waits for `pid` to end and returns its exit status (-1 when it was killed by a signal).
    static func reap(_ pid: pid_t) -> Int32 {
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
        return (status & 0x7f) == 0 ? (status >> 8) & 0xff : -1
    }

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
        let errors = directory.appendingPathComponent("stderr.txt")
        let pid = try Self.spawn(
            [
                "python3", Self.script.path, "--port", "0", "--out", directory.path,
                "--transient-failures", String(transientFailures), "--refused-suffix", refusedSuffix,
            ],
            errorPath: errors.path
        )
        defer {
            // SIGKILL: the child may have inherited a signal mask that holds SIGTERM back, and it has
            // nothing to save; every message it accepted is already on disk. A killed child is reaped
            // at once, so this wait is short.
            kill(pid, SIGKILL)
            _ = Self.reap(pid)
        }
        // Start-up readiness, not a timed assertion: the file appears once the server listens.
        let ready = directory.appendingPathComponent("ready")
        let deadline = ContinuousClock.now + .seconds(90)
        while !FileManager.default.fileExists(atPath: ready.path) {
            guard kill(pid, 0) == 0, ContinuousClock.now < deadline else {
                let output = (try? String(contentsOf: errors, encoding: .utf8)) ?? ""
                throw CocoaError(
                    .fileReadUnknown,
                    userInfo: [NSLocalizedDescriptionKey: "the SMTP test server did not start: \(output.suffix(2000))"]
                )
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        // The server picks its own port (one picked here could be taken before it binds) and names it.
        let portText = try String(contentsOf: ready, encoding: .utf8)
        guard let port = Int(portText) else {
            throw CocoaError(
                .fileReadCorruptFile,
                userInfo: [NSLocalizedDescriptionKey: "the SMTP test server named no port: \(portText)"]
            )
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
