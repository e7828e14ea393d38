-- Row-level security as a second line of tenant isolation, beneath Hasura's permissions. A session
-- running as fineract_tenant_access (through a login role that is a member of it, or SET ROLE) sees
-- and writes the rows of one tenant only: the tenant named by the setting fineract.tenant_id or, when
-- that is unset, by x-hasura-tenant-id in the session variables Hasura puts in the setting
-- hasura.user. With neither set it sees no rows at all.
--
-- The policies name that role alone. Row security is enabled, not forced, so the owner of the tables
-- (the role that applies these migrations, which the service and Hasura's admin connection use) is
-- not subject to it. Any other role that is neither owner nor fineract_tenant_access sees no rows of
-- these tables, since no policy names it.

-- Roles belong to the whole cluster, so the role may exist already (another database on the same
-- server, or one being migrated at this very moment).
DO $$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'fineract_tenant_access') THEN
        CREATE ROLE fineract_tenant_access NOLOGIN;
    END IF;
EXCEPTION
    WHEN duplicate_object OR unique_violation THEN
        NULL;
END;
$$;

-- The tenant of the current session, NULL when none is set. An empty value counts as unset: a
-- setting made with SET LOCAL reads as '' once its transaction has ended.
CREATE FUNCTION fineract_session_tenant() RETURNS text
LANGUAGE sql STABLE AS $$
    SELECT coalesce(
        nullif(current_setting('fineract.tenant_id', true), ''),
        nullif(nullif(current_setting('hasura.user', true), '')::json ->> 'x-hasura-tenant-id', '')
    )
$$;

-- What tenants may change: their business data. Hasura's permissions narrow this per role and column;
-- the grant is the most any tenant session can do.
GRANT SELECT, INSERT, UPDATE, DELETE ON
    c_configuration, m_office, m_client, acc_gl_account, acc_product_mapping, acc_gl_closure,
    m_product_loan, m_charge, m_product_loan_charge, m_delinquency_bucket, m_delinquency_range,
    m_delinquency_bucket_mappings, m_loan, m_loan_repayment_schedule, m_loan_charge, m_loan_transaction,
    m_savings_product, m_savings_account, m_savings_account_transaction,
    sms_messages_outbound, scheduled_email_messages_outbound
TO fineract_tenant_access;

-- What the jobs compute or keep, and the engine's record of them: read only. Jobs are the exception
-- among the engine's tables, because Hasura lets tenant_admin create and edit its own jobs.
GRANT SELECT ON
    m_business_date, m_batch_business_steps, acc_gl_journal_entry, m_trial_balance, m_loan_arrears_aging,
    m_loan_delinquency_tag_history, m_loan_overdue_installment_charge, m_loan_account_locks, job_run,
    m_currency, tenant, job, job_execution, job_execution_attempt
TO fineract_tenant_access;
GRANT INSERT, UPDATE ON job TO fineract_tenant_access;

-- Every table with a tenant_id column gets the same policy. Listing them from the catalog covers each
-- one that exists now; a later migration that adds such a table adds its policy too (the integration
-- tests check that none is missing).
DO $$
DECLARE
    owned regclass;
BEGIN
    FOR owned IN
        SELECT c.oid::regclass
        FROM pg_class c
        JOIN pg_namespace n ON n.oid = c.relnamespace
        JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = 'tenant_id' AND NOT a.attisdropped
        WHERE n.nspname = 'public' AND c.relkind = 'r'
        ORDER BY c.relname
    LOOP
        EXECUTE format('ALTER TABLE %s ENABLE ROW LEVEL SECURITY', owned);
        EXECUTE format(
            'CREATE POLICY tenant_isolation ON %s TO fineract_tenant_access '
            'USING (tenant_id = fineract_session_tenant()) WITH CHECK (tenant_id = fineract_session_tenant())',
            owned
        );
    END LOOP;
END;
$$;

-- The tenant row itself, by its id.
ALTER TABLE tenant ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON tenant TO fineract_tenant_access
    USING (id = fineract_session_tenant())
    WITH CHECK (id = fineract_session_tenant());

-- Attempts carry no tenant of their own: they belong to their execution's.
ALTER TABLE job_execution_attempt ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON job_execution_attempt TO fineract_tenant_access
    USING (EXISTS (
        SELECT FROM job_execution e WHERE e.id = execution_id AND e.tenant_id = fineract_session_tenant()
    ));
