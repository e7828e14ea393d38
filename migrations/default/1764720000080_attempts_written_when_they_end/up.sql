-- An attempt's row is written once, when the attempt ends, instead of inserted when it starts and
-- updated when it ends. While it runs, the attempt is its lease: the job_lock row holds its node,
-- fencing token and start (acquired_at), and readers show it from there with the status running.
-- The completion statement and the reaper insert the row from the lease they delete. The rows an
-- earlier version inserted for attempts still running are removed here, since their leases now stand
-- for them; nodes of that version must be stopped before this migration runs.
--
-- The lease table also loses its index on expires_at: it holds one row per running execution, so
-- the reaper's scan of it is short, and without the index each claim writes one index entry fewer
-- and each renewal can update its row in place.

DROP INDEX job_lock_expiry_idx;

DELETE FROM job_execution_attempt WHERE status = 'running';

CREATE OR REPLACE FUNCTION job_claim_executions(
    claiming_node text, claim_limit integer, lease_ms bigint, runnable_types text[])
RETURNS TABLE (
    id uuid, job_id uuid, parent_execution_id uuid, tenant_id text, job_type text, priority smallint,
    status text, trigger text, fire_time timestamptz, is_catch_up boolean, parameters jsonb, attempt integer,
    max_attempts integer, run_after timestamptz, timeout_seconds integer, node_id text, idempotency_key text,
    cancel_requested boolean, progress_done bigint, progress_total bigint, result jsonb, error text,
    error_code text, queued_at timestamptz, started_at timestamptz, finished_at timestamptz, fencing_token bigint)
LANGUAGE plpgsql VOLATILE
SET plan_cache_mode = force_generic_plan
AS $$
#variable_conflict use_column
DECLARE
    chosen uuid[] := job_choose_executions(claim_limit, runnable_types);
BEGIN
    RETURN QUERY
    WITH claimed AS (
        UPDATE job_execution e
        SET status = 'running', attempt = e.attempt + 1, node_id = claiming_node,
            started_at = coalesce(e.started_at, now()), awaiting_children = false
        WHERE e.id = ANY (chosen)
        RETURNING e.*
    ), leased AS (
        INSERT INTO job_lock (execution_id, job_id, node_id, fencing_token, expires_at)
        SELECT claimed.id, claimed.job_id, claiming_node, nextval('job_fencing_token_seq'),
               now() + lease_ms * interval '1 millisecond'
        FROM claimed
        ON CONFLICT (execution_id) DO UPDATE
        SET node_id = excluded.node_id, fencing_token = excluded.fencing_token,
            acquired_at = now(), expires_at = excluded.expires_at
        RETURNING job_lock.execution_id, job_lock.fencing_token
    )
    SELECT c.id, c.job_id, c.parent_execution_id, c.tenant_id, c.job_type, c.priority, c.status, c.trigger,
           c.fire_time, c.is_catch_up, c.parameters, c.attempt, c.max_attempts, c.run_after, c.timeout_seconds,
           c.node_id, c.idempotency_key, c.cancel_requested, c.progress_done, c.progress_total, c.result,
           c.error, c.error_code, c.queued_at, c.started_at, c.finished_at, leased.fencing_token
    FROM claimed c JOIN leased ON leased.execution_id = c.id;
END;
$$;
