DROP FUNCTION IF EXISTS job_claim_executions(text, integer, bigint, text[]);
DROP TRIGGER IF EXISTS job_config_changed_notify ON job_config;
DROP FUNCTION IF EXISTS job_config_notify();
DROP TABLE IF EXISTS job_probe_attempt;
