import Foundation
import JobsCore
import Logging
import Synchronization

extension JobProcessor {
    /// Creates a parent attempt's children and waits until all of them have ended.
    ///
    /// While it waits the parent gives up its slot (its lease is still renewed), so children can run
    /// on this node as well as on others; when they have ended it takes a slot again before going on.
    func runChildren(
        _ requests: [ChildExecutionRequest],
        of parent: JobExecution,
        fencingToken: Int64,
        logger: Logger
    ) async throws -> [ChildExecutionOutcome] {
        try await self.store.spawnChildren(parentID: parent.id, fencingToken: fencingToken, requests: requests)
        self.slots.withLock { $0.beginAwaitingChildren(parent.id) }
        self.drained.signal()
        self.wake()
        logger.debug("waiting for child executions", metadata: [.executionCount: "\(requests.count)"])
        do {
            let outcomes = try await self.waitForChildren(of: parent.id, keys: requests.map(\.key))
            while !self.slots.withLock({ $0.endAwaitingChildren(parent.id) }) {
                try Task.checkCancellation()
                await self.drained.wait(atMost: .milliseconds(100))
            }
            try await self.store.finishWaitingForChildren(parentID: parent.id, fencingToken: fencingToken)
            return outcomes
        } catch {
            // The attempt is ending; it counts as running until its outcome is recorded.
            _ = self.slots.withLock { $0.endAwaitingChildren(parent.id, force: true) }
            throw error
        }
    }

    /// Polls the children until every one has ended, mirroring their summed progress on the parent.
    private func waitForChildren(of parentID: UUID, keys: [String]) async throws -> [ChildExecutionOutcome] {
        var delay = Duration.milliseconds(20)
        var reportedProgress: (Int64, Int64?)?
        while true {
            try Task.checkCancellation()
            let snapshot = try await self.store.childrenSnapshot(parentID: parentID)
            if reportedProgress == nil || reportedProgress! != (snapshot.progressDone, snapshot.progressTotal) {
                try? await self.store.recordProgress(
                    executionID: parentID,
                    done: snapshot.progressDone,
                    total: snapshot.progressTotal
                )
                reportedProgress = (snapshot.progressDone, snapshot.progressTotal)
            }
            let outcomes = keys.compactMap { snapshot.outcomes[$0] }
            if outcomes.count == keys.count {
                return outcomes
            }
            try await Task.sleep(for: delay)
            delay = min(delay * 2, .seconds(1))
        }
    }

    /// Stops the children of a parent that was cancelled or timed out, so none of them goes on
    /// working for a run that has ended. Not used when the parent's lease was lost: the node that
    /// took the parent over waits for the same children.
    func cancelChildren(of parent: JobExecution, because end: AttemptEnd, logger: Logger) async {
        let reason: String
        switch end {
        case .cancelRequested: reason = "the parent execution was cancelled"
        case .timedOut: reason = "the parent execution timed out"
        default: return
        }
        do {
            let stopping = try await self.store.cancelDescendants(of: parent.id, reason: reason)
            for id in stopping {
                self.requestCancel(executionID: id)
            }
        } catch {
            logger.warning("could not cancel child executions", metadata: [.error: "\(error)"])
        }
    }

    /// The work of a job for all tenants: one child per active tenant, each with its own attempts,
    /// and a result (or failure) that reports every tenant's outcome.
    static func fanOutAcrossTenants(
        parameters: [String: JSONValue],
        context: JobContext,
        store: JobStore
    ) async throws -> JSONValue {
        let tenants = try await store.activeTenantIDs()
        let outcomes = try await context.runChildren(
            tenants.map { tenant in
                ChildExecutionRequest(
                    key: "tenant:\(tenant)",
                    tenantID: tenant,
                    parameters: parameters,
                    trigger: .fanOut
                )
            }
        )
        var byTenant: [String: JSONValue] = [:]
        var unsuccessful: [String] = []
        for outcome in outcomes {
            let tenant = outcome.tenantID ?? "?"
            var entry: [String: JSONValue] = [
                "executionId": .string(outcome.executionID.uuidString.lowercased()),
                "status": .string(outcome.status.rawValue),
            ]
            if let error = outcome.error {
                entry["error"] = .string(error)
            }
            byTenant[tenant] = .object(entry)
            if outcome.status != .succeeded {
                unsuccessful.append("\(tenant) \(outcome.status.rawValue)\(outcome.error.map { ": \($0)" } ?? "")")
            }
        }
        guard unsuccessful.isEmpty else {
            throw JobWorkerError(
                code: "tenant_runs_failed",
                message: "\(unsuccessful.count) of \(outcomes.count) tenant runs did not succeed: "
                    + unsuccessful.joined(separator: "; "),
                isRetryable: false
            )
        }
        return .object(["tenants": .object(byTenant), "succeeded": .integer(Int64(outcomes.count))])
    }
}
