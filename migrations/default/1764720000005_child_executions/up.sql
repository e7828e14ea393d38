-- Child executions: the parts of one execution that any node may claim. A job that runs for all
-- tenants has one child per active tenant; a large job splits its accounts or loans into chunks.
-- Children are ordinary executions (claimed, leased, retried and reaped like any other) that name
-- their parent and a key unique among their siblings, so a parent that is retried after its node
-- died finds the children it already created instead of creating them twice.
--
-- While a parent waits for its children it keeps its lease, but it does no work: it is marked
-- `awaiting_children` and does not count towards the running limits, otherwise a type limited to
-- one running execution could never run the children its one parent waits for.

ALTER TABLE job_execution
    ADD COLUMN child_key text CHECK (length(child_key) BETWEEN 1 AND 200),
    ADD COLUMN awaiting_children boolean NOT NULL DEFAULT false,
    ADD CONSTRAINT job_execution_child_has_key CHECK ((parent_execution_id IS NULL) = (child_key IS NULL));

DROP INDEX job_execution_child_tenant_unique;
CREATE UNIQUE INDEX job_execution_child_key_unique ON job_execution (parent_execution_id, child_key)
    WHERE parent_execution_id IS NOT NULL;

ALTER TABLE job_execution DROP CONSTRAINT job_execution_trigger_check;
ALTER TABLE job_execution ADD CONSTRAINT job_execution_trigger_check
    CHECK (trigger IN ('schedule', 'manual', 'event', 'cron_trigger', 'fan_out', 'split'));

-- The claim function of the execution engine, with two changes for children: parents waiting for
-- their children do not count towards the type and tenant limits, and the one-running-execution-
-- per-job rule applies to top-level executions only (a job's children run side by side; its next
-- top-level run still waits until the parent, children and all, has finished).
CREATE OR REPLACE FUNCTION job_claim_executions(
    claiming_node text, claim_limit integer, lease_ms bigint, runnable_types text[])
RETURNS TABLE (
    id uuid, job_id uuid, parent_execution_id uuid, tenant_id text, job_type text, priority smallint,
    status text, trigger text, fire_time timestamptz, is_catch_up boolean, parameters jsonb, attempt integer,
    max_attempts integer, run_after timestamptz, timeout_seconds integer, node_id text, idempotency_key text,
    cancel_requested boolean, progress_done bigint, progress_total bigint, result jsonb, error text,
    error_code text, queued_at timestamptz, started_at timestamptz, finished_at timestamptz, fencing_token bigint)
LANGUAGE plpgsql VOLATILE
-- The claim query is large; planning it on every call would cost more than running it. The queue
-- head must be read in index order and the walk stopped early; a bitmap scan would read and sort the
-- whole queue, which the planner may prefer when statistics lag behind a burst of new work.
SET plan_cache_mode = force_generic_plan
SET enable_bitmapscan = off
AS $$
#variable_conflict use_column
BEGIN
    PERFORM pg_advisory_xact_lock(7310846275520159745);
    RETURN QUERY
    WITH configs AS MATERIALIZED (
        SELECT c.job_type, c.tenant_id, c.enabled, c.max_concurrency FROM job_config c
    ), running AS (
        SELECT r.job_type, r.tenant_id, r.job_id, r.parent_execution_id, r.awaiting_children
        FROM job_execution r WHERE r.status = 'running'
    ), type_running AS (
        SELECT running.job_type, count(*) AS n FROM running WHERE NOT running.awaiting_children
        GROUP BY running.job_type
    ), tenant_running AS (
        SELECT running.job_type, running.tenant_id, count(*) AS n FROM running
        WHERE NOT running.awaiting_children
        GROUP BY running.job_type, running.tenant_id
    ), candidates AS (
        -- A short window keeps the plan an ordered walk of the queue index that stops early, whatever
        -- the size of the queue. Callers claim at most 32.
        SELECT head.*, j.allow_overlap
        FROM (
            SELECT e.id, e.job_id, e.parent_execution_id, e.job_type, e.tenant_id, e.priority, e.run_after,
                   e.queued_at
            FROM job_execution e
            WHERE e.status = 'queued' AND e.run_after <= now() AND e.job_type = ANY (runnable_types)
            ORDER BY e.priority DESC, e.run_after, e.queued_at
            LIMIT least(64, claim_limit * 2 + 8)
        ) AS head
        JOIN job j ON j.id = head.job_id
    ), by_job AS (
        SELECT c.*,
               row_number() OVER (PARTITION BY c.job_id, c.parent_execution_id
                                  ORDER BY c.priority DESC, c.run_after, c.queued_at) AS job_rank
        FROM candidates c
    ), job_allowed AS (
        SELECT b.* FROM by_job b
        WHERE b.allow_overlap
           OR b.parent_execution_id IS NOT NULL
           OR (b.job_rank = 1 AND NOT EXISTS (
                   SELECT 1 FROM running WHERE running.job_id = b.job_id AND running.parent_execution_id IS NULL))
    ), by_tenant AS (
        SELECT a.*,
               row_number() OVER (PARTITION BY a.job_type, a.tenant_id
                                  ORDER BY a.priority DESC, a.run_after, a.queued_at) AS tenant_rank
        FROM job_allowed a
    ), tenant_allowed AS (
        SELECT t.* FROM by_tenant t
        LEFT JOIN configs type_config ON type_config.job_type = t.job_type AND type_config.tenant_id IS NULL
        LEFT JOIN configs tenant_config ON tenant_config.job_type = t.job_type
                                       AND tenant_config.tenant_id = t.tenant_id
        LEFT JOIN tenant_running ON tenant_running.job_type = t.job_type
                                AND tenant_running.tenant_id IS NOT DISTINCT FROM t.tenant_id
        WHERE coalesce(tenant_config.enabled, type_config.enabled, true)
          AND (tenant_config.max_concurrency IS NULL
               OR coalesce(tenant_running.n, 0) + t.tenant_rank <= tenant_config.max_concurrency)
    ), by_type AS (
        SELECT t.*,
               row_number() OVER (PARTITION BY t.job_type ORDER BY t.priority DESC, t.run_after, t.queued_at)
                   AS type_rank
        FROM tenant_allowed t
    ), eligible AS (
        SELECT b.id
        FROM by_type b
        LEFT JOIN configs type_config ON type_config.job_type = b.job_type AND type_config.tenant_id IS NULL
        LEFT JOIN type_running ON type_running.job_type = b.job_type
        WHERE type_config.max_concurrency IS NULL
           OR coalesce(type_running.n, 0) + b.type_rank <= type_config.max_concurrency
        ORDER BY b.priority DESC, b.run_after, b.queued_at
        LIMIT claim_limit
    ), claimed AS (
        UPDATE job_execution e
        SET status = 'running', attempt = e.attempt + 1, node_id = claiming_node,
            started_at = coalesce(e.started_at, now()), awaiting_children = false
        FROM eligible
        WHERE e.id = eligible.id
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
    ), attempts AS (
        INSERT INTO job_execution_attempt (execution_id, attempt, node_id, fencing_token, status)
        SELECT claimed.id, claimed.attempt, claiming_node, leased.fencing_token, 'running'
        FROM claimed JOIN leased ON leased.execution_id = claimed.id
    )
    SELECT c.id, c.job_id, c.parent_execution_id, c.tenant_id, c.job_type, c.priority, c.status, c.trigger,
           c.fire_time, c.is_catch_up, c.parameters, c.attempt, c.max_attempts, c.run_after, c.timeout_seconds,
           c.node_id, c.idempotency_key, c.cancel_requested, c.progress_done, c.progress_total, c.result,
           c.error, c.error_code, c.queued_at, c.started_at, c.finished_at, leased.fencing_token
    FROM claimed c JOIN leased ON leased.execution_id = c.id;
END;
$$;
