import Dispatch
import Foundation

/// Runs a command to completion with `posix_spawn` and `waitpid`, its output going to a file.
///
/// Foundation's `Process.waitUntilExit` waits on a run loop for a termination notice that, on
/// Linux, can go missing when the child starts a daemon (as `pg_ctl start` does); `waitpid` cannot.
/// The wait runs on a dispatch thread, never on Swift's cooperative threads.
enum ChildProcess {
    /// Runs `executable` with `arguments`, appending standard output and error to `outputPath`.
    ///
    /// - Returns: the exit status, or 128 + signal number when the child was killed.
    /// - Throws: `PostgresError` (`.embeddedCluster`) when the command cannot be started.
    static func run(_ executable: String, _ arguments: [String], outputPath: String) async throws -> Int32 {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async {
                continuation.resume(
                    with: Result { try self.runBlocking(executable, arguments, outputPath: outputPath) }
                )
            }
        }
    }

    private static func runBlocking(_ executable: String, _ arguments: [String], outputPath: String) throws -> Int32 {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, outputPath, O_WRONLY | O_CREAT | O_APPEND, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)

        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, executable, &actions, nil, argv, environ)
        guard spawned == 0 else {
            throw PostgresError(
                code: .embeddedCluster,
                message: "cannot start \(executable): \(String(cString: strerror(spawned)))"
            )
        }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 {
            guard errno == EINTR else {
                throw PostgresError(code: .embeddedCluster, message: "lost track of \(executable)")
            }
        }
        // The wait status macros are not importable; decode the Linux layout by hand.
        let signal = status & 0x7f
        return signal == 0 ? (status >> 8) & 0xff : 128 + signal
    }
}
