DROP FUNCTION IF EXISTS job_claim_executions(text, integer, bigint, text[]);
DROP TRIGGER IF EXISTS job_config_changed_notify ON job_config;
DROP FUNCTION IF EXISTS job_config_notify();
DROP INDEX IF EXISTS job_execution_running_tenant_idx;
DROP INDEX IF EXISTS job_execution_running_job_idx;
DROP TABLE IF EXISTS job_probe_attempt;
