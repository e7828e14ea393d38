-- Leases and attempts no longer carry foreign keys to their execution; one statement-level trigger
-- removes them with it instead.
--
-- Only the engine writes these rows, and always from the execution rows it has just locked in the
-- same statement: the claim inserts a lease and an attempt for each execution it updates, and the
-- completion updates or deletes the rows of executions whose lease it holds. The foreign keys
-- therefore never refused anything, yet each inserted row paid for its check: a query on
-- job_execution with a row lock, run as a trigger. On a busy node that was twenty queries in every
-- turn of ten slots, about a quarter of the database's time for the turn (measured with
-- pg_stat_statements under `make bench`: 1.30 ms a turn with the keys, 0.98 ms without).
--
-- What the keys did besides, ON DELETE CASCADE, the trigger below does once per statement: deleting
-- executions (a job deleted, old executions pruned, a parent's children cascading) deletes their
-- leases and attempts in the same transaction. The trigger also fires for the deletes that the
-- parent_execution_id key cascades, so a child's rows go with it.

ALTER TABLE job_lock DROP CONSTRAINT job_lock_execution_id_fkey;
ALTER TABLE job_execution_attempt DROP CONSTRAINT job_execution_attempt_execution_id_fkey;

CREATE FUNCTION job_execution_forget_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM job_lock l USING deleted_executions d WHERE l.execution_id = d.id;
    DELETE FROM job_execution_attempt a USING deleted_executions d WHERE a.execution_id = d.id;
    RETURN NULL;
END;
$$;

CREATE TRIGGER job_execution_deleted_forget
    AFTER DELETE ON job_execution
    REFERENCING OLD TABLE AS deleted_executions
    FOR EACH STATEMENT EXECUTE FUNCTION job_execution_forget_deleted();
