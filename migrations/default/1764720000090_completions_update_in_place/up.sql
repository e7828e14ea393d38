-- A finished execution's row is updated in place (a HOT update): no index of job_execution refers to
-- the columns a completion writes (status, result, error, error_code, finished_at), so PostgreSQL
-- keeps the new version on the same page and adds no index entries for it. Before, the queue and
-- running indexes named status in their predicates, and every completion added an entry to each
-- index of the table, two index entries and an index clean-up pass per execution.
--
-- * The queue index is now over `claimable`, a column PostgreSQL derives from status (queued or
--   not), which a completion leaves false as it was.
-- * The running index is gone: every running execution holds a lease, so the claim counts running
--   executions from job_lock, which holds only those, and reports read it the same way.
-- * The table keeps its default fill factor: pages left a fifth free made the claims and
--   completions of `make bench` slower (1.08 ms a turn in the server against 0.72 ms); the space
--   that pruning frees on a page is enough for the in-place updates.

ALTER TABLE job_execution ADD COLUMN claimable boolean GENERATED ALWAYS AS (status = 'queued') STORED;
DROP INDEX job_execution_queue_idx;
DROP INDEX job_execution_running_idx;
CREATE INDEX job_execution_queue_idx ON job_execution (priority DESC, run_after, queued_at) WHERE claimable;

CREATE OR REPLACE FUNCTION job_choose_executions(claim_limit integer, runnable_types text[])
RETURNS uuid[]
LANGUAGE plpgsql VOLATILE
-- As for the claim: a generic plan, an ordered walk of the queue index, and no JIT compilation.
SET plan_cache_mode = force_generic_plan
SET enable_bitmapscan = off
SET jit = off
AS $$
#variable_conflict use_column
DECLARE
    governed boolean;
    chosen uuid[];
BEGIN
    SELECT EXISTS (
               SELECT 1 FROM job_config c
               WHERE c.job_type = ANY (runnable_types) AND (c.max_concurrency IS NOT NULL OR NOT c.enabled))
           OR EXISTS (
               SELECT 1
               FROM (
                   SELECT e.job_id FROM job_execution e
                   WHERE e.claimable AND e.run_after <= now() AND e.job_type = ANY (runnable_types)
                     AND e.parent_execution_id IS NULL
                   ORDER BY e.priority DESC, e.run_after, e.queued_at
                   LIMIT least(64, claim_limit * 2 + 8)
               ) AS head
               JOIN job j ON j.id = head.job_id
               WHERE NOT j.allow_overlap)
    INTO governed;

    -- Each path locks the executions it chooses.
    IF NOT governed THEN
        PERFORM pg_advisory_xact_lock_shared(7310846275520159745);
        SELECT array_agg(e.id) INTO chosen
        FROM (
            SELECT e.id FROM job_execution e
            WHERE e.claimable AND e.run_after <= now() AND e.job_type = ANY (runnable_types)
              AND (e.parent_execution_id IS NOT NULL
                   OR EXISTS (SELECT 1 FROM job j WHERE j.id = e.job_id AND j.allow_overlap))
              AND NOT EXISTS (
                  SELECT 1 FROM job_config c
                  WHERE c.job_type = e.job_type AND (c.max_concurrency IS NOT NULL OR NOT c.enabled))
            ORDER BY e.priority DESC, e.run_after, e.queued_at
            LIMIT claim_limit
            FOR UPDATE OF e SKIP LOCKED
        ) AS e;
    ELSE
        PERFORM pg_advisory_xact_lock(7310846275520159745);
        WITH configs AS MATERIALIZED (
            SELECT c.job_type, c.tenant_id, c.enabled, c.max_concurrency FROM job_config c
        ), running AS (
            -- Every running execution holds a lease, so the leases list them.
            SELECT r.job_type, r.tenant_id, r.job_id, r.parent_execution_id, r.awaiting_children
            FROM job_lock l JOIN job_execution r ON r.id = l.execution_id
            WHERE r.status = 'running'
        ), type_running AS (
            SELECT running.job_type, count(*) AS n FROM running WHERE NOT running.awaiting_children
            GROUP BY running.job_type
        ), tenant_running AS (
            SELECT running.job_type, running.tenant_id, count(*) AS n FROM running
            WHERE NOT running.awaiting_children
            GROUP BY running.job_type, running.tenant_id
        ), candidates AS (
            -- A short window keeps the plan an ordered walk of the queue index that stops early,
            -- whatever the size of the queue. Callers claim at most 32. Rows another session holds (a
            -- cancel being written) are skipped.
            SELECT head.*, j.allow_overlap
            FROM (
                SELECT e.id, e.job_id, e.parent_execution_id, e.job_type, e.tenant_id, e.priority,
                       e.run_after, e.queued_at
                FROM job_execution e
                WHERE e.claimable AND e.run_after <= now() AND e.job_type = ANY (runnable_types)
                ORDER BY e.priority DESC, e.run_after, e.queued_at
                LIMIT least(64, claim_limit * 2 + 8)
                FOR UPDATE OF e SKIP LOCKED
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
                       SELECT 1 FROM running
                       WHERE running.job_id = b.job_id AND running.parent_execution_id IS NULL))
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
        )
        SELECT array_agg(eligible.id) INTO chosen FROM eligible;
    END IF;

    RETURN coalesce(chosen, '{}');
END;
$$;

