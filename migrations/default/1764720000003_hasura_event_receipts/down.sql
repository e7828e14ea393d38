DROP TABLE IF EXISTS hasura_event_receipt;
