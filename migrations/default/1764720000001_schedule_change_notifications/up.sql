-- Schedules take effect without a restart: a job inserted or changed by anyone (the service,
-- Hasura, plain SQL) wakes the schedulers, and a changed schedule gets its next run recomputed.

-- A changed cron expression, interval, zone or anchor invalidates the stored next run; the
-- scheduler computes a new one for active jobs whose next run is NULL.
CREATE FUNCTION job_reset_next_run() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF (NEW.cron_expression, NEW.execution_interval, NEW.timezone, NEW.start_at)
           IS DISTINCT FROM (OLD.cron_expression, OLD.execution_interval, OLD.timezone, OLD.start_at)
       AND NEW.next_run_at IS NOT DISTINCT FROM OLD.next_run_at THEN
        NEW.next_run_at := NULL;
    END IF;
    RETURN NEW;
END;
$$;

CREATE TRIGGER job_schedule_changed
    BEFORE UPDATE ON job
    FOR EACH ROW EXECUTE FUNCTION job_reset_next_run();

CREATE FUNCTION job_notify_schedulers() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('fineract_jobs_schedule', '');
    RETURN NULL;
END;
$$;

CREATE TRIGGER job_inserted_notify
    AFTER INSERT ON job
    FOR EACH STATEMENT EXECUTE FUNCTION job_notify_schedulers();

-- Only changes that matter to a scheduler notify; the scheduler's own advance of next_run_at does not.
CREATE TRIGGER job_updated_notify
    AFTER UPDATE ON job
    FOR EACH ROW
    WHEN ((NEW.status, NEW.cron_expression, NEW.execution_interval, NEW.timezone, NEW.start_at)
          IS DISTINCT FROM (OLD.status, OLD.cron_expression, OLD.execution_interval, OLD.timezone, OLD.start_at)
          OR (NEW.next_run_at IS NULL AND OLD.next_run_at IS NOT NULL))
    EXECUTE FUNCTION job_notify_schedulers();
