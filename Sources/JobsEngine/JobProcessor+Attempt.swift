import Foundation
import JobsCore
import Logging
import Postgres
import Synchronization

extension JobProcessor {
    /// Runs one claimed attempt and records its outcome.
    func execute(_ claim: ClaimedExecution, end attemptEnd: OneShot<AttemptEnd>) async {
        let execution = claim.execution
        let logger = self.logger.with([
            .executionID: "\(execution.id.lowercasedText)",
            .jobID: "\(execution.jobID.lowercasedText)",
            .jobType: "\(execution.jobType)",
            .executionAttempt: "\(execution.attempt)",
        ])
        let clock = ContinuousClock()
        let started = clock.now
        logger.debug("execution started")
        let end: AttemptEnd
        if let worker = self.registry.worker(for: execution.jobType) {
            end = await self.runAttempt(
                of: execution,
                fencingToken: claim.fencingToken,
                with: worker,
                end: attemptEnd,
                logger: logger
            )
            await self.cancelChildren(of: execution, because: end, logger: logger)
        } else {
            end = .threw(
                JobWorkerError(
                    code: "worker_not_registered",
                    message: "no worker is registered for job type \(execution.jobType) on this node"
                )
            )
        }
        let seconds = Double((clock.now - started) / .microseconds(1)) / 1_000_000
        guard let outcome = self.outcome(of: end, execution: execution) else {
            // Lost lease: another node owns the execution now. Forced stop: the lease is released later.
            self.metrics.recordAttempt(jobType: execution.jobType, outcome: "interrupted", seconds: seconds)
            return
        }
        do {
            let recorded = try await self.recordWithRetry(claim: claim, outcome: outcome)
            switch recorded {
            case .recorded(let status):
                let label = status == .queued ? "retried" : status.rawValue
                self.metrics.recordAttempt(jobType: execution.jobType, outcome: label, seconds: seconds)
                let level: Logger.Level = status == .failed || status == .timedOut ? .warning : .debug
                logger.log(
                    level: level,
                    "execution attempt finished",
                    metadata: [
                        .executionStatus: "\(status.rawValue)",
                        .executionDurationMilliseconds: "\(Int64(seconds * 1000))",
                    ]
                )
            case .staleLease:
                self.metrics.recordStaleCompletion()
                logger.warning("completion refused: the lease was taken over by another node")
            }
        } catch {
            // The lease expires and a reaper returns the execution to the queue.
            logger.error("could not record the execution outcome", metadata: [.error: "\(error)"])
        }
    }

    /// Runs the worker until it ends or something stops it first (its timeout, checked by the
    /// watchdog; a cancel; a lost lease); a worker that ignores cancellation is abandoned after the
    /// grace period so its slot is freed.
    private func runAttempt(
        of execution: JobExecution,
        fencingToken: Int64,
        with worker: any JobWorker,
        end: OneShot<AttemptEnd>,
        logger: Logger
    ) async -> AttemptEnd {
        let store = self.store
        let context = JobContext(
            jobID: execution.jobID,
            executionID: execution.id,
            tenantID: execution.tenantID,
            attempt: execution.attempt,
            maxAttempts: execution.maxAttempts,
            fireTime: execution.fireTime,
            nodeID: self.configuration.nodeID,
            logger: logger,
            progressReporter: { done, total in
                try? await store.recordProgress(executionID: execution.id, done: done, total: total)
            },
            childRunner: { requests in
                try await self.runChildren(requests, of: execution, fencingToken: fencingToken, logger: logger)
            }
        )
        // A job for all tenants runs its worker once per active tenant, each run a child of this one.
        let fansOut = execution.tenantID == nil && execution.parentExecutionID == nil && worker.runsPerTenant
        let workerDone = OneShot<Bool>()
        // Bridging: the worker runs in a task of its own so that one which ignores cancellation can
        // be abandoned without holding this slot forever.
        let workerTask = Task {
            do {
                let result =
                    if fansOut {
                        try await Self.fanOutAcrossTenants(
                            parameters: execution.parameters,
                            context: context,
                            store: store
                        )
                    } else {
                        try await worker.process(parameters: execution.parameters, context: context)
                    }
                end.fulfil(.returned(result))
            } catch {
                end.fulfil(.threw(error))
            }
            workerDone.fulfil(true)
        }
        let first = await end.wait() ?? .interrupted
        switch first {
        case .returned, .threw:
            return first
        case .timedOut, .cancelRequested, .leaseLost, .interrupted:
            workerTask.cancel()
            if await workerDone.wait(atMost: self.configuration.abandonGracePeriod) == nil {
                self.metrics.recordAbandoned()
                logger.warning("worker ignored cancellation; attempt abandoned and its slot freed")
            }
            return first
        }
    }

    /// What to record for how an attempt ended; nil when this node must record nothing.
    private func outcome(of end: AttemptEnd, execution: JobExecution) -> AttemptOutcome? {
        switch end {
        case .returned(let value):
            return .succeeded(value)
        case .timedOut:
            return .timedOut(message: "the attempt ran longer than \(execution.timeoutSeconds) s")
        case .cancelRequested:
            return .cancelled(message: "cancelled by request")
        case .leaseLost:
            return nil
        case .interrupted:
            return Task.isCancelled ? nil : .interrupted(message: "the node stopped while the attempt ran")
        case .threw(let error as JobWorkerError):
            return .failed(message: error.message, code: error.code, isRetryable: error.isRetryable)
        case .threw(is CancellationError):
            return .cancelled(message: "the worker stopped on cancellation")
        case .threw(let error):
            return .failed(message: "\(error)", code: "worker_error", isRetryable: true)
        }
    }

    /// Records an outcome, retrying briefly when the database is momentarily unreachable.
    private func recordWithRetry(claim: ClaimedExecution, outcome: AttemptOutcome) async throws -> CompletionResult {
        self.slots.withLock { $0.markFinishing(claim.execution.id) }
        var delay = Duration.milliseconds(100)
        var attempt = 1
        while true {
            do {
                return try await self.completions.complete(
                    AttemptCompletion(
                        executionID: claim.execution.id,
                        attempt: claim.execution.attempt,
                        fencingToken: claim.fencingToken,
                        outcome: outcome
                    )
                )
            } catch {
                guard attempt < 5, !Task.isCancelled else { throw error }
                try? await Task.sleep(for: delay)
                delay *= 2
                attempt += 1
            }
        }
    }
}
