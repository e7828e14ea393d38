import Synchronization

/// What one transfer sends and receives, shared between the task that started it and libcurl's
/// callbacks on the transfer thread.
///
/// The upload is read once from the front; the response is collected up to a limit, past which the
/// transfer is stopped rather than filling memory. Cancellation is a flag the progress callback reads.
final class CurlExchange: Sendable {
    private struct State {
        var upload: [UInt8]
        var uploadOffset = 0
        var response: [UInt8] = []
    }

    private let state: Mutex<State>
    private let cancelled = Atomic<Bool>(false)
    private let responseLimitBytes: Int

    init(upload: [UInt8], responseLimitBytes: Int) {
        self.state = Mutex(State(upload: upload))
        self.responseLimitBytes = responseLimitBytes
    }

    /// The number of bytes to upload.
    var uploadSize: Int {
        self.state.withLock { $0.upload.count }
    }

    /// The response body received so far.
    var response: [UInt8] {
        self.state.withLock { $0.response }
    }

    /// Whether the task that started the transfer was cancelled.
    var isCancelled: Bool {
        self.cancelled.load(ordering: .acquiring)
    }

    /// Asks the transfer to stop at libcurl's next progress callback.
    func cancel() {
        self.cancelled.store(true, ordering: .releasing)
    }

    /// Appends received bytes; false (stop the transfer) once the response would pass the limit.
    func receive(_ bytes: UnsafeRawBufferPointer) -> Bool {
        self.state.withLock { state in
            guard state.response.count + bytes.count <= self.responseLimitBytes else { return false }
            state.response.append(contentsOf: bytes)
            return true
        }
    }

    /// Copies the next part of the upload into `buffer`; 0 once everything was sent.
    func supply(into buffer: UnsafeMutableRawBufferPointer) -> Int {
        self.state.withLock { state in
            let count = min(buffer.count, state.upload.count - state.uploadOffset)
            guard count > 0 else { return 0 }
            state.upload.withUnsafeBytes { source in
                buffer.copyMemory(
                    from: UnsafeRawBufferPointer(rebasing: source[state.uploadOffset..<state.uploadOffset + count])
                )
            }
            state.uploadOffset += count
            return count
        }
    }
}
