import Dispatch

/// Runs libcurl transfers off Swift's cooperative threads and ties them to task cancellation.
///
/// `curl_easy_perform` blocks for as long as the transfer lasts (bounded by the caller's timeout
/// options), so each transfer runs on a serial dispatch queue of its own while the calling task
/// suspends. A serial queue gets a thread of its own when it has work, even when every other
/// thread is busy, so slow transfers neither hold Swift's cooperative threads nor wait behind one
/// another. Cancelling the task sets a flag that libcurl's progress callback reads, which stops the
/// transfer within about a second; the call then throws `CancellationError`.
enum CurlTransfer {
    /// The largest response body kept; a longer one stops the transfer with a write error.
    static let responseLimitBytes = 1 << 20

    /// What a finished transfer brought back.
    struct Outcome: Sendable {
        /// The protocol's last reply code: the HTTP status, or the SMTP reply; 0 when none came.
        var replyCode: Int
        var body: [UInt8]
    }

    /// Performs one transfer.
    ///
    /// - Parameters:
    ///   - upload: the bytes libcurl reads through its read callback (request or message body).
    ///   - configure: sets the transfer's options on the fresh handle; runs on the transfer thread.
    /// - Throws: `CurlError` when the transfer fails, `CancellationError` when the task was cancelled.
    static func perform(
        upload: [UInt8],
        configure: @escaping @Sendable (CurlEasy, _ uploadSize: Int) throws(CurlError) -> Void
    ) async throws -> Outcome {
        let exchange = CurlExchange(upload: upload, responseLimitBytes: Self.responseLimitBytes)
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Outcome, any Error>) in
                DispatchQueue(label: "fineract-jobs.curl-transfer").async {
                    continuation.resume(with: Self.run(exchange: exchange, configure: configure))
                }
            }
        } onCancel: {
            exchange.cancel()
        }
    }

    private static func run(
        exchange: CurlExchange,
        configure: (CurlEasy, Int) throws(CurlError) -> Void
    ) -> Result<Outcome, any Error> {
        if exchange.isCancelled {
            return .failure(CancellationError())
        }
        do {
            let easy = try CurlEasy(exchange: exchange)
            try configure(easy, exchange.uploadSize)
            let reply = try easy.perform()
            return .success(Outcome(replyCode: reply, body: exchange.response))
        } catch {
            if exchange.isCancelled && error.code == .abortedByCallback {
                return .failure(CancellationError())
            }
            return .failure(error)
        }
    }
}
