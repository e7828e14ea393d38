-- The queue moves out of job_execution into a table of its own, job_queue: one row per queued
-- execution, with what the claim orders and limits by. A claim deletes its rows there and marks the
-- executions running; a completion marks them finished. Neither changes a column that an index of
-- job_execution depends on, so both update the execution row in place (HOT) and add no index entries.
--
-- Before, the queue was a partial index of job_execution (WHERE status was queued), so every claim
-- changed an indexed column: each claimed row got a new version with new entries in the primary key
-- and the job's index, and left dead entries that later claims walked past. That was about a third
-- of the server's time for a turn of the slots (see docs/execution-engine.md, Throughput).
--
-- The rule that keeps the two tables in step:
-- * An execution enters the queue only through its row: inserted queued, or updated to queued (a
--   retry, a lease returned), or queued with a new run_after or priority. The triggers below write
--   its queue row, so nothing that queues work (the service, Hasura, plain SQL) needs to know.
-- * Whoever takes an execution out of the queue deletes its queue row first and changes the
--   execution after: a claim (whose choice locks the queue rows, SKIP LOCKED) or a cancel (whose
--   delete waits for a claim in progress, then finds the row gone). Both lock the queue row before
--   the execution row, so they cannot deadlock, and an execution is never both claimed and cancelled.
-- * A claim changes only executions still queued. A queue row whose execution left the queue some
--   other way (an UPDATE by hand) is deleted by the claim that finds it, and changes nothing.
--
-- A queue row also says whether its execution is `exclusive`: a top-level execution of a job that
-- allows no overlap, which only the claim path that counts running executions may take. The flag
-- follows the job's allow_overlap (a trigger on job), so the claim reads it from the queue row
-- instead of looking up the job of every execution it considers, and can tell from one probe of a
-- small partial index whether any such execution is due at all.

CREATE TABLE job_queue (
    execution_id uuid PRIMARY KEY,
    job_id uuid NOT NULL,
    parent_execution_id uuid,
    tenant_id text,
    job_type text NOT NULL,
    priority smallint NOT NULL,
    run_after timestamptz NOT NULL,
    queued_at timestamptz NOT NULL,
    exclusive boolean NOT NULL
);
CREATE INDEX job_queue_order_idx ON job_queue (priority DESC, run_after, queued_at);
CREATE INDEX job_queue_job_idx ON job_queue (job_id);
CREATE INDEX job_queue_exclusive_idx ON job_queue (run_after) WHERE exclusive;

INSERT INTO job_queue (
    execution_id, job_id, parent_execution_id, tenant_id, job_type, priority, run_after, queued_at, exclusive)
SELECT e.id, e.job_id, e.parent_execution_id, e.tenant_id, e.job_type, e.priority, e.run_after, e.queued_at,
       e.parent_execution_id IS NULL AND NOT j.allow_overlap
FROM job_execution e JOIN job j ON j.id = e.job_id
WHERE e.status = 'queued';

DROP INDEX job_execution_queue_idx;
ALTER TABLE job_execution DROP COLUMN claimable;

-- Inserted executions: once per statement, so a catch-up or a fan-out of many rows is one insert.
CREATE FUNCTION job_execution_queue_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO job_queue (
        execution_id, job_id, parent_execution_id, tenant_id, job_type, priority, run_after, queued_at, exclusive)
    SELECT i.id, i.job_id, i.parent_execution_id, i.tenant_id, i.job_type, i.priority, i.run_after, i.queued_at,
           i.parent_execution_id IS NULL AND NOT j.allow_overlap
    FROM inserted_executions i JOIN job j ON j.id = i.job_id
    WHERE i.status = 'queued';
    IF FOUND THEN
        PERFORM pg_notify('fineract_jobs_queued', '');
    END IF;
    RETURN NULL;
END;
$$;

-- Executions queued again, or whose place in the queue changed: rare, so once per row.
CREATE FUNCTION job_execution_queue_updated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO job_queue (
        execution_id, job_id, parent_execution_id, tenant_id, job_type, priority, run_after, queued_at, exclusive)
    SELECT NEW.id, NEW.job_id, NEW.parent_execution_id, NEW.tenant_id, NEW.job_type, NEW.priority,
           NEW.run_after, NEW.queued_at, NEW.parent_execution_id IS NULL AND NOT j.allow_overlap
    FROM job j WHERE j.id = NEW.job_id
    ON CONFLICT (execution_id) DO UPDATE
    SET priority = excluded.priority, run_after = excluded.run_after, queued_at = excluded.queued_at;
    PERFORM pg_notify('fineract_jobs_queued', '');
    RETURN NULL;
END;
$$;

DROP TRIGGER job_execution_inserted_notify ON job_execution;
DROP TRIGGER job_execution_requeued_notify ON job_execution;
DROP FUNCTION job_execution_notify_queued();

CREATE TRIGGER job_execution_inserted_queue
    AFTER INSERT ON job_execution
    REFERENCING NEW TABLE AS inserted_executions
    FOR EACH STATEMENT EXECUTE FUNCTION job_execution_queue_inserted();

CREATE TRIGGER job_execution_updated_queue
    AFTER UPDATE OF status, run_after, priority, queued_at ON job_execution
    FOR EACH ROW WHEN (NEW.status = 'queued' AND (
        OLD.status <> 'queued' OR OLD.run_after <> NEW.run_after OR OLD.priority <> NEW.priority
        OR OLD.queued_at <> NEW.queued_at))
    EXECUTE FUNCTION job_execution_queue_updated();

-- A job that starts or stops allowing overlap changes the flag of its queued top-level executions.
-- Whoever changes the job holds its row, as a cancel of the job does before it takes the job's
-- queue rows, so the two never wait for each other's queue rows.
CREATE FUNCTION job_queue_follow_overlap() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE job_queue SET exclusive = NOT NEW.allow_overlap
    WHERE job_id = NEW.id AND parent_execution_id IS NULL;
    RETURN NULL;
END;
$$;

CREATE TRIGGER job_overlap_changed_queue
    AFTER UPDATE OF allow_overlap ON job
    FOR EACH ROW WHEN (OLD.allow_overlap <> NEW.allow_overlap)
    EXECUTE FUNCTION job_queue_follow_overlap();

-- Deleted executions take their queue rows with them, as they do their leases and attempts.
CREATE OR REPLACE FUNCTION job_execution_forget_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM job_lock l USING deleted_executions d WHERE l.execution_id = d.id;
    DELETE FROM job_execution_attempt a USING deleted_executions d WHERE a.execution_id = d.id;
    DELETE FROM job_queue q USING deleted_executions d WHERE q.execution_id = d.id;
    RETURN NULL;
END;
$$;

-- The choice of the executions to claim, by the same rules as before, over the queue table; it locks
-- the queue rows it chooses (SKIP LOCKED), not the executions.
--
-- The queue table goes from empty to many thousands of rows and back within seconds, so its
-- statistics are always out of date, and a plan made while it was small (a scan of the whole table,
-- then a sort) stays cached while it is large. Sequential scans and sorts are therefore priced out:
-- the plan walks the queue index in its order and stops at the window's end, whatever the table's
-- size. Sorts that nothing else can replace (the window functions of the governed path) remain.
CREATE OR REPLACE FUNCTION job_choose_executions(claim_limit integer, runnable_types text[])
RETURNS uuid[]
LANGUAGE plpgsql VOLATILE
SET plan_cache_mode = force_generic_plan
SET enable_bitmapscan = off
SET enable_seqscan = off
SET enable_sort = off
SET jit = off
AS $$
#variable_conflict use_column
DECLARE
    governed boolean;
    chosen uuid[];
BEGIN
    -- The limits' path is needed when a type that can run here has a limit or is disabled, or when an
    -- exclusive execution is due and among the head of the queue that a claim looks at. The second
    -- part is one probe of an index that is empty unless such executions wait; the window is walked
    -- only when one does.
    SELECT CASE
               WHEN EXISTS (
                   SELECT 1 FROM job_config c
                   WHERE c.job_type = ANY (runnable_types) AND (c.max_concurrency IS NOT NULL OR NOT c.enabled))
               THEN true
               WHEN NOT EXISTS (
                   SELECT 1 FROM job_queue q
                   WHERE q.exclusive AND q.run_after <= now() AND q.job_type = ANY (runnable_types))
               THEN false
               ELSE EXISTS (
                   SELECT 1
                   FROM (
                       SELECT q.exclusive FROM job_queue q
                       WHERE q.run_after <= now() AND q.job_type = ANY (runnable_types)
                       ORDER BY q.priority DESC, q.run_after, q.queued_at
                       LIMIT least(64, claim_limit * 2 + 8)
                   ) AS head
                   WHERE head.exclusive)
           END
    INTO governed;

    -- Each path locks the queue rows it chooses. Without limits, nothing but the order and the flag
    -- decides: a limit or an overlap rule changed since the check above is as if this claim had
    -- begun just before the change.
    IF NOT governed THEN
        PERFORM pg_advisory_xact_lock_shared(7310846275520159745);
        SELECT array_agg(q.execution_id) INTO chosen
        FROM (
            SELECT q.execution_id FROM job_queue q
            WHERE NOT q.exclusive AND q.run_after <= now() AND q.job_type = ANY (runnable_types)
            ORDER BY q.priority DESC, q.run_after, q.queued_at
            LIMIT claim_limit
            FOR UPDATE OF q SKIP LOCKED
        ) AS q;
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
            SELECT q.execution_id AS id, q.job_id, q.parent_execution_id, q.job_type, q.tenant_id,
                   q.priority, q.run_after, q.queued_at, q.exclusive
            FROM job_queue q
            WHERE q.run_after <= now() AND q.job_type = ANY (runnable_types)
            ORDER BY q.priority DESC, q.run_after, q.queued_at
            LIMIT least(64, claim_limit * 2 + 8)
            FOR UPDATE OF q SKIP LOCKED
        ), by_job AS (
            SELECT c.*,
                   row_number() OVER (PARTITION BY c.job_id, c.parent_execution_id
                                      ORDER BY c.priority DESC, c.run_after, c.queued_at) AS job_rank
            FROM candidates c
        ), job_allowed AS (
            SELECT b.* FROM by_job b
            WHERE NOT b.exclusive
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

-- A claim for a node that has nothing to complete: the chosen queue rows are deleted, the executions
-- still queued among them start their next attempt, and each takes a lease with a fresh token.
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
    WITH dequeued AS (
        DELETE FROM job_queue q WHERE q.execution_id = ANY (chosen)
        RETURNING q.execution_id
    ), claimed AS (
        UPDATE job_execution e
        SET status = 'running', attempt = e.attempt + 1, node_id = claiming_node,
            started_at = coalesce(e.started_at, now()), awaiting_children = false
        FROM dequeued
        WHERE e.id = dequeued.execution_id AND e.status = 'queued'
        RETURNING e.*, nextval('job_fencing_token_seq') AS token
    ), leased AS (
        INSERT INTO job_lock (execution_id, job_id, node_id, fencing_token, expires_at)
        SELECT claimed.id, claimed.job_id, claiming_node, claimed.token,
               now() + lease_ms * interval '1 millisecond'
        FROM claimed
        ON CONFLICT (execution_id) DO UPDATE
        SET node_id = excluded.node_id, fencing_token = excluded.fencing_token,
            acquired_at = now(), expires_at = excluded.expires_at
    )
    SELECT c.id, c.job_id, c.parent_execution_id, c.tenant_id, c.job_type, c.priority, c.status, c.trigger,
           c.fire_time, c.is_catch_up, c.parameters, c.attempt, c.max_attempts, c.run_after, c.timeout_seconds,
           c.node_id, c.idempotency_key, c.cancel_requested, c.progress_done, c.progress_total, c.result,
           c.error, c.error_code, c.queued_at, c.started_at, c.finished_at, c.token
    FROM claimed c;
END;
$$;

-- A queue row carries its execution's tenant, so it is tenant-owned like the execution (the tenant
-- role is granted nothing on it; the policy keeps that true if a grant is ever added).
ALTER TABLE job_queue ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON job_queue TO fineract_tenant_access
    USING (tenant_id = fineract_session_tenant())
    WITH CHECK (tenant_id = fineract_session_tenant());

-- Every claim leaves a dead queue row behind, at the head of the queue index that the next claims
-- walk, so the table is vacuumed as soon as a thousand have gathered rather than when a fifth of it
-- has (the default), and without pausing to spare the disk: it is small and always hot.
ALTER TABLE job_queue SET (
    autovacuum_vacuum_scale_factor = 0,
    autovacuum_vacuum_threshold = 1000,
    autovacuum_vacuum_cost_delay = 0
);
