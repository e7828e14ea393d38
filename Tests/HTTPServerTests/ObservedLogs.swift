import Logging
import Synchronization
import TestSupport

/// A log handler that keeps every line, like `InMemoryLogHandler`, and lets a test await a given message.
final class ObservedLogs: LogHandler {
    private struct Waiter {
        var message: String
        var continuation: CheckedContinuation<Void, Never>
    }

    private let memory = InMemoryLogHandler()
    private let waiters = Mutex<[Waiter]>([])

    /// Every line written so far, oldest first.
    var entries: [LogRecord] { self.memory.entries }

    func write(_ record: LogRecord) {
        self.memory.write(record)
        let woken = self.waiters.withLock { waiters in
            let matching = waiters.filter { $0.message == record.message }
            waiters.removeAll { $0.message == record.message }
            return matching
        }
        for waiter in woken {
            waiter.continuation.resume()
        }
    }

    /// Makes a logger that writes every level into this handler.
    func makeLogger() -> Logger {
        Logger(label: "http-test", level: .trace, handler: self)
    }

    /// Returns once a line with exactly `message` has been written, now or earlier.
    func waitFor(message: String) async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            // The check and the registration happen under the waiters lock, which `write` takes only after
            // storing its record, so a line written concurrently is either seen here or wakes the waiter.
            let alreadyWritten = self.waiters.withLock { waiters in
                if self.memory.entries.contains(where: { $0.message == message }) {
                    return true
                }
                waiters.append(Waiter(message: message, continuation: continuation))
                return false
            }
            if alreadyWritten {
                continuation.resume()
            }
        }
    }
}
