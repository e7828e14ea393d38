public import Foundation

/// One `fineract-jobs` process started by a test, with its output in a log file.
///
/// Started with `posix_spawn` and reaped with `waitpid`, so a test can stop it with any signal
/// and know when it has exited.
public final class ServiceProcess: @unchecked Sendable {
    // Unchecked: `pid` and `logPath` never change after init; `exitStatus` is only touched by the
    // test task that owns the process.
    public let pid: pid_t
    public let port: Int
    public let logPath: String
    private var exitStatus: Int32?

    /// The built service binary, or nil when it has not been built.
    public static var executable: URL? {
        let candidate = TestDatabase.repositoryRoot.appendingPathComponent(".build/debug/fineract-jobs")
        return FileManager.default.isExecutableFile(atPath: candidate.path) ? candidate : nil
    }

    /// A TCP port on loopback that nothing listens on right now.
    public static func freePort() -> Int {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { generic in
                _ = bind(descriptor, generic, length)
                _ = getsockname(descriptor, generic, &length)
            }
        }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    /// Starts the service with `environment` added to this process's environment.
    public init(environment: [String: String], port: Int, logPath: String) throws {
        guard let executable = Self.executable else {
            throw CocoaError(.fileNoSuchFile)
        }
        var merged = ProcessInfo.processInfo.environment
        merged.merge(environment) { _, new in new }
        merged["PORT"] = String(port)
        let arguments: [String] = [executable.path, "serve"]
        let argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
        let envp: [UnsafeMutablePointer<CChar>?] = merged.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, logPath, O_WRONLY | O_CREAT | O_APPEND, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        var pid: pid_t = 0
        let result = posix_spawn(&pid, executable.path, &actions, nil, argv, envp)
        guard result == 0 else {
            throw POSIXError(POSIXErrorCode(rawValue: result) ?? .EIO)
        }
        self.pid = pid
        self.port = port
        self.logPath = logPath
    }

    /// Sends `signal` (SIGTERM for a graceful stop, SIGKILL for a crash).
    public func send(_ signal: Int32) {
        kill(self.pid, signal)
    }

    /// Waits up to `timeout` for the process to exit; returns its exit status, or nil if it still runs.
    @discardableResult
    public func waitForExit(timeout: Duration) async -> Int32? {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if let status = self.reap() { return status }
            try? await Task.sleep(for: .milliseconds(20))
        }
        return self.reap()
    }

    /// Waits until `GET /health` answers 200, for at most `timeout`.
    public func waitUntilHealthy(timeout: Duration) async -> Bool {
        let deadline = ContinuousClock.now + timeout
        let client = HTTPTestClient(port: self.port)
        while ContinuousClock.now < deadline {
            if let reply = try? await client.get("/health"), reply.status == 200 { return true }
            if self.reap() != nil { return false }
            try? await Task.sleep(for: .milliseconds(100))
        }
        return false
    }

    private func reap() -> Int32? {
        if let status = self.exitStatus { return status }
        var status: Int32 = 0
        guard waitpid(self.pid, &status, WNOHANG) == self.pid else { return nil }
        let signal = status & 0x7f
        self.exitStatus = signal == 0 ? (status >> 8) & 0xff : 128 + signal
        return self.exitStatus
    }

    deinit {
        if self.reap() == nil {
            kill(self.pid, SIGKILL)
            var status: Int32 = 0
            waitpid(self.pid, &status, 0)
        }
    }
}
