import Foundation
import JobsEngine
import Postgres

/// Renders `GET /metrics` in the Prometheus text format (version 0.0.4).
///
/// Counters and histograms come from this node's `EngineMetrics`; queue depth and running counts
/// describe the cluster and are read from the database at scrape time. Every series carries the
/// `node` label.
struct PrometheusExposition {
    let nodeID: String
    let metrics: EngineMetrics
    let runningOnNode: Int
    let pool: PostgresPool

    func render() async throws -> String {
        let snapshot = self.metrics.snapshot
        var text = ""
        let node = "node=\"\(Self.escape(self.nodeID))\""

        text += "# HELP fineract_jobs_attempts_total Attempts finished on this node, by job type and outcome.\n"
        text += "# TYPE fineract_jobs_attempts_total counter\n"
        for (key, count) in snapshot.attempts.sorted(by: {
            ($0.key.jobType, $0.key.outcome) < ($1.key.jobType, $1.key.outcome)
        }) {
            text +=
                "fineract_jobs_attempts_total{\(node),job_type=\"\(key.jobType)\",outcome=\"\(key.outcome)\"} \(count)\n"
        }

        text += "# HELP fineract_jobs_attempt_duration_seconds How long attempts ran on this node.\n"
        text += "# TYPE fineract_jobs_attempt_duration_seconds histogram\n"
        for (jobType, histogram) in snapshot.durations.sorted(by: { $0.key < $1.key }) {
            let labels = "\(node),job_type=\"\(jobType)\""
            for (bound, count) in zip(EngineMetrics.durationBuckets, histogram.bucketCounts) {
                text += "fineract_jobs_attempt_duration_seconds_bucket{\(labels),le=\"\(bound)\"} \(count)\n"
            }
            text += "fineract_jobs_attempt_duration_seconds_bucket{\(labels),le=\"+Inf\"} \(histogram.count)\n"
            text += "fineract_jobs_attempt_duration_seconds_sum{\(labels)} \(histogram.sum)\n"
            text += "fineract_jobs_attempt_duration_seconds_count{\(labels)} \(histogram.count)\n"
        }

        let counters: [(String, String, Int)] = [
            ("fineract_jobs_claims_total", "Executions this node claimed.", snapshot.claims),
            ("fineract_jobs_scheduled_total", "Executions this node's scheduler queued.", snapshot.executionsScheduled),
            (
                "fineract_jobs_lease_expiries_total", "Expired leases of other nodes this node reaped.",
                snapshot.leaseExpiriesReaped
            ),
            (
                "fineract_jobs_leases_lost_total", "Attempts stopped because their lease could not be renewed.",
                snapshot.leasesLost
            ),
            (
                "fineract_jobs_stale_completions_total", "Completions refused because the lease had moved on.",
                snapshot.staleCompletionsRefused
            ),
            (
                "fineract_jobs_abandoned_attempts_total", "Workers that ignored cancellation and were abandoned.",
                snapshot.abandonedAttempts
            ),
        ]
        for (name, help, value) in counters {
            text += "# HELP \(name) \(help)\n# TYPE \(name) counter\n\(name){\(node)} \(value)\n"
        }

        text += "# HELP fineract_jobs_node_running Executions running on this node.\n"
        text += "# TYPE fineract_jobs_node_running gauge\n"
        text += "fineract_jobs_node_running{\(node)} \(self.runningOnNode)\n"

        let rows = try await self.pool.query(
            """
            SELECT job_type, 'queued' AS status, count(*) AS n, count(*) FILTER (WHERE run_after <= now()) AS due
            FROM job_queue GROUP BY job_type
            UNION ALL
            -- Every running execution holds a lease; job_execution has no index on its status.
            SELECT e.job_type, 'running', count(*), 0
            FROM job_lock l JOIN job_execution e ON e.id = l.execution_id
            WHERE e.status = 'running' GROUP BY e.job_type
            ORDER BY job_type, status
            """
        )
        text +=
            "# HELP fineract_jobs_executions Executions in the cluster by job type and status (queued, due, running).\n"
        text += "# TYPE fineract_jobs_executions gauge\n"
        for row in rows {
            let jobType: String = try row.decode("job_type")
            let status: String = try row.decode("status")
            let count: Int = try row.decode("n")
            text += "fineract_jobs_executions{\(node),job_type=\"\(jobType)\",status=\"\(status)\"} \(count)\n"
            if status == "queued" {
                let due: Int = try row.decode("due")
                text += "fineract_jobs_executions{\(node),job_type=\"\(jobType)\",status=\"due\"} \(due)\n"
            }
        }
        return text
    }

    static func escape(_ value: String) -> String {
        value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            .replacingOccurrences(of: "\n", with: "\\n")
    }
}
