DROP TRIGGER IF EXISTS job_updated_notify ON job;
DROP TRIGGER IF EXISTS job_inserted_notify ON job;
DROP FUNCTION IF EXISTS job_notify_schedulers();
DROP TRIGGER IF EXISTS job_schedule_changed ON job;
DROP FUNCTION IF EXISTS job_reset_next_run();
