-- Hasura delivers event-trigger, cron-trigger and scheduled events at least once, with the same
-- event id on every retry. Recording the id in the same transaction as the work makes a redelivery
-- change nothing.
CREATE TABLE hasura_event_receipt (
    event_id uuid PRIMARY KEY,
    kind text NOT NULL CHECK (kind IN ('job_inserted', 'cron_trigger', 'scheduled_event')),
    received_at timestamptz NOT NULL DEFAULT now(),
    outcome text NOT NULL
);

CREATE INDEX hasura_event_receipt_received_idx ON hasura_event_receipt (received_at);
