import Foundation
import JobsCore
import Logging

extension JobProcessor {
    /// How the race between a worker, its timeout and a cancel request ended.
    private enum AttemptEnd: Sendable {
        case returned(JSONValue)
        case threw(any Error)
        case timedOut
        case cancelRequested
        case interrupted
    }

    /// Runs one claimed attempt and records its outcome.
    func execute(_ claim: ClaimedExecution) async {
        let execution = claim.execution
        let logger = self.logger.with([
            .executionID: "\(execution.id.uuidString.lowercased())",
            .jobID: "\(execution.jobID.uuidString.lowercased())",
            .jobType: "\(execution.jobType)",
            .executionAttempt: "\(execution.attempt)",
        ])
        let started = ContinuousClock.now
        logger.debug("execution started")
        let outcome: AttemptOutcome
        if let worker = self.registry.worker(for: execution.jobType) {
            outcome = await self.runAttempt(of: execution, with: worker, logger: logger)
        } else {
            outcome = .failed(
                message: "no worker is registered for job type \(execution.jobType) on this node",
                code: "worker_not_registered",
                retryDelay: nil
            )
        }
        let elapsed = ContinuousClock.now - started
        let metadata: Logger.Metadata = [.executionDurationMilliseconds: "\(elapsed.milliseconds)"]
        do {
            let recorded = try await self.recordWithRetry(claim: claim, outcome: outcome)
            switch recorded {
            case .recorded(let status):
                let level: Logger.Level = status == .failed || status == .timedOut ? .warning : .debug
                logger.log(
                    level: level,
                    "execution attempt finished",
                    metadata: metadata.merging([.executionStatus: "\(status.rawValue)"]) { $1 }
                )
            case .staleLease:
                logger.warning("completion refused: the lease was taken over by another node", metadata: metadata)
            }
        } catch {
            // The lease expires and another node's reaper returns the execution to the queue.
            logger.error("could not record the execution outcome", metadata: [.error: "\(error)"])
        }
    }

    private func runAttempt(of execution: JobExecution, with worker: any JobWorker, logger: Logger) async -> AttemptOutcome {
        let (cancelStream, cancelContinuation) = AsyncStream<Void>.makeStream()
        self.registerCancelSignal(executionID: execution.id, continuation: cancelContinuation)
        defer { self.requestCancel(executionID: execution.id) }
        let context = JobContext(
            jobID: execution.jobID,
            executionID: execution.id,
            tenantID: execution.tenantID,
            attempt: execution.attempt,
            maxAttempts: execution.maxAttempts,
            fireTime: execution.fireTime,
            nodeID: self.configuration.nodeID,
            logger: logger,
            progressReporter: { [store = self.store] done, total in
                try? await store.recordProgress(executionID: execution.id, done: done, total: total)
            }
        )
        let timeout = Duration.seconds(execution.timeoutSeconds)
        let end: AttemptEnd = await withTaskGroup(of: AttemptEnd.self) { group in
            group.addTask {
                do {
                    return .returned(try await worker.process(parameters: execution.parameters, context: context))
                } catch {
                    return .threw(error)
                }
            }
            group.addTask {
                do {
                    try await Task.sleep(for: timeout)
                    return .timedOut
                } catch {
                    return .interrupted
                }
            }
            group.addTask {
                for await _ in cancelStream {
                    return .cancelRequested
                }
                return .interrupted
            }
            // TODO: a worker that ignores cancellation keeps this group (and its slot) waiting;
            // abandoning it after a grace period needs the attempt to run outside the group.
            let first = await group.next() ?? .interrupted
            group.cancelAll()
            return first
        }
        return self.outcome(of: end, execution: execution)
    }

    private func outcome(of end: AttemptEnd, execution: JobExecution) -> AttemptOutcome {
        switch end {
        case .returned(let value):
            return .succeeded(value)
        case .timedOut:
            return .timedOut(message: "the attempt ran longer than \(execution.timeoutSeconds) s")
        case .cancelRequested:
            return .cancelled(message: "cancelled by request")
        case .interrupted:
            return .cancelled(message: "the node shut down while the attempt ran")
        case .threw(let error):
            let retryable: Bool
            let code: String
            let message: String
            switch error {
            case let workerError as JobWorkerError:
                retryable = workerError.isRetryable
                code = workerError.code
                message = workerError.message
            case is CancellationError:
                return .cancelled(message: "the attempt was cancelled")
            default:
                retryable = true
                code = "worker_error"
                message = "\(error)"
            }
            let canRetry = retryable && execution.attempt < execution.maxAttempts
            let delay = canRetry ? self.configuration.retryPolicy.delay(afterAttempt: execution.attempt) : nil
            return .failed(message: message, code: code, retryDelay: delay)
        }
    }

    /// Records an outcome, retrying briefly when the database is momentarily unreachable.
    private func recordWithRetry(claim: ClaimedExecution, outcome: AttemptOutcome) async throws -> CompletionResult {
        var delay = Duration.milliseconds(100)
        for attempt in 1...5 {
            do {
                return try await self.store.completeAttempt(
                    executionID: claim.execution.id,
                    attempt: claim.execution.attempt,
                    fencingToken: claim.fencingToken,
                    outcome: outcome
                )
            } catch {
                if attempt == 5 { throw error }
                try? await Task.sleep(for: delay)
                delay *= 2
            }
        }
        preconditionFailure("the loop above returns or throws")
    }
}
