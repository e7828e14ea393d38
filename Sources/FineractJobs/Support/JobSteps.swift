import Foundation
public import JobsCore
public import JobsEngine

/// Runs the steps of an orchestrating job (end of day, end of month) one after the other, each as
/// a job of its own type.
///
/// Inside the engine each step is a child execution, so its own work split reaches every node and
/// a parent retried after its node died re-attaches to the steps already run. Called directly (a
/// test, the command line) the step's worker runs in-process with the caller's context.
public struct JobSteps: Sendable {
    let registry: WorkerRegistry
    let context: JobContext

    public init(registry: WorkerRegistry, context: JobContext) {
        self.registry = registry
        self.context = context
    }

    /// Runs `jobType` with `parameters` for the context's tenant and returns its result.
    ///
    /// - Parameter key: names the step among the parent's children; the same key is the same step.
    /// - Throws: `JobWorkerError` (not retryable) naming the step when it did not succeed.
    public func run(_ jobType: JobType, key: String, parameters: [String: JSONValue]) async throws -> JSONValue {
        // Nodes of one cluster run the same build, so a step this node cannot run would wait for
        // a worker that no node has; better to say so at once.
        guard let worker = self.registry.worker(for: jobType) else {
            throw JobWorkerError(
                code: "worker_not_registered",
                message: "step \(key) needs a \(jobType.rawValue) worker, and none is registered",
                isRetryable: false
            )
        }
        if self.context.canRunChildren {
            let outcome = try await self.context.runChildren(
                [ChildExecutionRequest(key: key, jobType: jobType, parameters: parameters)]
            )[0]
            guard outcome.status == .succeeded else {
                throw JobWorkerError(
                    code: "step_failed",
                    message: "step \(key) (\(jobType.rawValue)) ended \(outcome.status.rawValue)"
                        + (outcome.error.map { ": \($0)" } ?? ""),
                    isRetryable: false
                )
            }
            return outcome.result ?? .null
        }
        do {
            return try await worker.process(parameters: parameters, context: self.context)
        } catch let error as JobWorkerError {
            throw JobWorkerError(
                code: "step_failed",
                message: "step \(key) (\(jobType.rawValue)) failed: \(error.message)",
                isRetryable: error.isRetryable
            )
        }
    }
}
