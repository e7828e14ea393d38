-- The engine's own tables: tenants, jobs, executions with every attempt, leases, per-type
-- configuration and the registry of nodes. Enumerations are text with CHECK constraints so that
-- Hasura exposes readable values and a bad value fails at the database as well as in the service.

CREATE TABLE tenant (
    id text PRIMARY KEY CHECK (id ~ '^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$'),
    name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    timezone text NOT NULL DEFAULT 'UTC',
    active boolean NOT NULL DEFAULT true,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);

INSERT INTO tenant (id, name, timezone) VALUES ('default', 'Default tenant', 'UTC');

CREATE TABLE job (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    description text CHECK (length(description) <= 2000),
    job_type text NOT NULL CHECK (job_type ~ '^[a-z][a-z0-9_]{0,63}$'),
    cron_expression text CHECK (length(cron_expression) BETWEEN 1 AND 200),
    timezone text CHECK (length(timezone) BETWEEN 1 AND 64),
    execution_interval text CHECK (execution_interval IN (
        'once', 'every_minute', 'hourly', 'daily', 'weekly', 'monthly', 'quarterly', 'yearly')),
    -- The anchor of interval schedules, so runs do not drift.
    start_at timestamptz,
    priority text NOT NULL DEFAULT 'medium' CHECK (priority IN ('low', 'medium', 'high', 'critical')),
    parameters jsonb NOT NULL DEFAULT '{}'::jsonb CHECK (jsonb_typeof(parameters) = 'object'),
    max_retries integer NOT NULL DEFAULT 3 CHECK (max_retries BETWEEN 0 AND 100),
    timeout_seconds integer NOT NULL DEFAULT 3600 CHECK (timeout_seconds BETWEEN 1 AND 604800),
    -- NULL means the job runs for every active tenant.
    tenant_id text REFERENCES tenant (id),
    status text NOT NULL DEFAULT 'pending' CHECK (status IN (
        'pending', 'active', 'paused', 'cancelled', 'completed', 'invalid')),
    status_reason text,
    misfire_policy text NOT NULL DEFAULT 'fire_once' CHECK (misfire_policy IN ('fire_once', 'skip', 'catch_up')),
    allow_overlap boolean NOT NULL DEFAULT false,
    next_run_at timestamptz,
    last_run_at timestamptz,
    created_by text,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT job_one_schedule CHECK (cron_expression IS NULL OR execution_interval IS NULL)
);

CREATE INDEX job_due_idx ON job (next_run_at) WHERE status = 'active' AND next_run_at IS NOT NULL;
CREATE INDEX job_tenant_idx ON job (tenant_id, created_at DESC);
CREATE INDEX job_type_idx ON job (job_type);

CREATE TABLE job_execution (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    job_id uuid NOT NULL REFERENCES job (id) ON DELETE CASCADE,
    -- Set on the per-tenant children of a job that runs for all tenants.
    parent_execution_id uuid REFERENCES job_execution (id) ON DELETE CASCADE,
    tenant_id text REFERENCES tenant (id),
    job_type text NOT NULL,
    -- 0 low .. 3 critical, so the claim query can order by it.
    priority smallint NOT NULL CHECK (priority BETWEEN 0 AND 3),
    status text NOT NULL DEFAULT 'queued' CHECK (status IN (
        'queued', 'running', 'succeeded', 'failed', 'cancelled', 'timed_out')),
    trigger text NOT NULL CHECK (trigger IN ('schedule', 'manual', 'event', 'cron_trigger', 'fan_out')),
    -- The scheduled instant this execution is for; NULL for manual runs.
    fire_time timestamptz,
    is_catch_up boolean NOT NULL DEFAULT false,
    parameters jsonb NOT NULL DEFAULT '{}'::jsonb CHECK (jsonb_typeof(parameters) = 'object'),
    attempt integer NOT NULL DEFAULT 0 CHECK (attempt >= 0),
    max_attempts integer NOT NULL CHECK (max_attempts >= 1),
    -- Not before this instant: the back-off of a retry.
    run_after timestamptz NOT NULL DEFAULT now(),
    timeout_seconds integer NOT NULL CHECK (timeout_seconds > 0),
    node_id text,
    idempotency_key text CHECK (length(idempotency_key) BETWEEN 1 AND 200),
    cancel_requested boolean NOT NULL DEFAULT false,
    progress_done bigint CHECK (progress_done >= 0),
    progress_total bigint CHECK (progress_total >= 0),
    result jsonb,
    error text,
    error_code text,
    queued_at timestamptz NOT NULL DEFAULT now(),
    started_at timestamptz,
    finished_at timestamptz,
    CONSTRAINT job_execution_attempts_bounded CHECK (attempt <= max_attempts)
);

-- A fire time has at most one execution per job, and an idempotency key at most one. Partial, so
-- manual runs (no fire time) and runs without a key add nothing to these indexes.
CREATE UNIQUE INDEX job_execution_fire_time_unique ON job_execution (job_id, fire_time)
    WHERE fire_time IS NOT NULL;
CREATE UNIQUE INDEX job_execution_idempotency_unique ON job_execution (job_id, idempotency_key)
    WHERE idempotency_key IS NOT NULL;

CREATE INDEX job_execution_queue_idx ON job_execution (priority DESC, run_after, queued_at)
    WHERE status = 'queued';
CREATE INDEX job_execution_job_idx ON job_execution (job_id, queued_at DESC);
-- Running executions, read by every claim to enforce the limits.
CREATE INDEX job_execution_running_idx ON job_execution (job_type) WHERE status = 'running';
CREATE INDEX job_execution_parent_idx ON job_execution (parent_execution_id) WHERE parent_execution_id IS NOT NULL;
CREATE UNIQUE INDEX job_execution_child_tenant_unique ON job_execution (parent_execution_id, tenant_id)
    WHERE parent_execution_id IS NOT NULL;

-- Every attempt of an execution, with the node that ran it, its timings and its error.
CREATE TABLE job_execution_attempt (
    execution_id uuid NOT NULL REFERENCES job_execution (id) ON DELETE CASCADE,
    attempt integer NOT NULL CHECK (attempt >= 1),
    node_id text NOT NULL,
    fencing_token bigint NOT NULL,
    status text NOT NULL CHECK (status IN ('running', 'succeeded', 'failed', 'timed_out', 'cancelled', 'lost')),
    started_at timestamptz NOT NULL DEFAULT now(),
    finished_at timestamptz,
    error text,
    error_code text,
    PRIMARY KEY (execution_id, attempt)
);

-- Fencing tokens only grow, so a node holding an old lease can be told apart from the current holder.
CREATE SEQUENCE job_fencing_token_seq;

-- The lease of a running execution: who runs it, until when, and with which fencing token.
CREATE TABLE job_lock (
    execution_id uuid PRIMARY KEY REFERENCES job_execution (id) ON DELETE CASCADE,
    -- Copied from the execution for operators' queries; the execution's own key guards it.
    job_id uuid NOT NULL,
    node_id text NOT NULL,
    fencing_token bigint NOT NULL,
    acquired_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz NOT NULL,
    CHECK (expires_at > acquired_at)
);

CREATE INDEX job_lock_expiry_idx ON job_lock (expires_at);

-- Limits and defaults per job type, optionally narrowed to one tenant.
CREATE TABLE job_config (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    job_type text NOT NULL CHECK (job_type ~ '^[a-z][a-z0-9_]{0,63}$'),
    tenant_id text REFERENCES tenant (id),
    enabled boolean NOT NULL DEFAULT true,
    -- Running executions of this type allowed across the whole cluster; NULL means no limit.
    max_concurrency integer CHECK (max_concurrency > 0),
    default_max_retries integer CHECK (default_max_retries BETWEEN 0 AND 100),
    default_timeout_seconds integer CHECK (default_timeout_seconds BETWEEN 1 AND 604800),
    backoff_base_ms integer NOT NULL DEFAULT 1000 CHECK (backoff_base_ms > 0),
    backoff_cap_ms integer NOT NULL DEFAULT 300000 CHECK (backoff_cap_ms > 0),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CHECK (backoff_cap_ms >= backoff_base_ms)
);

CREATE UNIQUE INDEX job_config_type_tenant_unique ON job_config (job_type, coalesce(tenant_id, ''));

-- Every running instance, with heartbeats so others can tell when it died.
CREATE TABLE job_node (
    id text PRIMARY KEY CHECK (length(id) BETWEEN 1 AND 200),
    hostname text NOT NULL,
    pid integer NOT NULL,
    version text NOT NULL,
    max_concurrent_jobs integer NOT NULL CHECK (max_concurrent_jobs > 0),
    started_at timestamptz NOT NULL DEFAULT now(),
    last_heartbeat_at timestamptz NOT NULL DEFAULT now(),
    stopped_at timestamptz
);

-- Wakes idle nodes as soon as work is queued, whoever queued it (the service, Hasura or plain SQL).
-- Only rows that become queued notify, so a claim (which moves rows out of the queue) never wakes
-- anyone; identical notifications in one transaction are folded into one by PostgreSQL.
CREATE FUNCTION job_execution_notify_queued() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('fineract_jobs_queued', '');
    RETURN NULL;
END;
$$;

CREATE TRIGGER job_execution_inserted_notify
    AFTER INSERT ON job_execution
    FOR EACH ROW WHEN (NEW.status = 'queued')
    EXECUTE FUNCTION job_execution_notify_queued();

CREATE TRIGGER job_execution_requeued_notify
    AFTER UPDATE OF status ON job_execution
    FOR EACH ROW WHEN (NEW.status = 'queued' AND OLD.status <> 'queued')
    EXECUTE FUNCTION job_execution_notify_queued();
