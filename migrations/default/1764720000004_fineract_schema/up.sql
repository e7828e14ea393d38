-- Fineract-shaped tables for the built-in financial jobs. Table names, column names and enum codes are
-- Fineract's, so Fineract knowledge and data carry over; what differs is multi-tenancy. Fineract keeps
-- one database per tenant, here every tenant-owned row carries `tenant_id`, and every reference between
-- tenant-owned rows is a composite foreign key on (tenant_id, id), so no row can point into another
-- tenant. Money is NUMERIC(19,6) as in Fineract; posted amounts are already rounded to the currency.
--
-- Each job's idempotency is enforced twice: by the job's own rule (watermarks, deltas,
-- compare-and-correct) and by a unique index that refuses a second live row as a safety net.

-- ===== tenancy, dates, config =====
CREATE TABLE m_business_date (
  tenant_id TEXT NOT NULL REFERENCES tenant (id), type VARCHAR(20) NOT NULL CHECK (type IN ('BUSINESS_DATE','COB_DATE')),
  date DATE NOT NULL, version BIGINT NOT NULL DEFAULT 0, updated_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, type));
CREATE TABLE c_configuration (               -- Fineract global configuration, per tenant
  tenant_id TEXT NOT NULL REFERENCES tenant (id), name VARCHAR(100) NOT NULL, value BIGINT, date_value DATE, string_value VARCHAR(100),
  enabled BOOLEAN NOT NULL DEFAULT false, PRIMARY KEY (tenant_id, name));
  -- seed: rounding-mode=6, penalty-wait-period=2, grace-on-penalty-posting=0, backdate-penalties-enabled(enabled),
  -- financial-year-beginning-month=1, savings-interest-posting-current-period-end(disabled),
  -- days-before-repayment-is-due=1, days-after-repayment-is-overdue=1, enable_business_date, enable_automatic_cob_date_adjustment,
  -- purge-processed-commands-older-than-days=30 (reuse for our purge horizons)
CREATE TABLE m_currency (code CHAR(3) PRIMARY KEY, decimal_places SMALLINT NOT NULL, currency_multiplesof SMALLINT,
  name VARCHAR(50) NOT NULL);                -- global, not tenant-owned

-- ===== organisation =====
CREATE TABLE m_office (id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY, tenant_id TEXT NOT NULL REFERENCES tenant (id),
  parent_id BIGINT, hierarchy VARCHAR(100), name VARCHAR(50) NOT NULL, opening_date DATE NOT NULL,
  UNIQUE (tenant_id, id), UNIQUE (tenant_id, name));
CREATE TABLE m_client (id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY, tenant_id TEXT NOT NULL REFERENCES tenant (id),
  office_id BIGINT NOT NULL, account_no VARCHAR(20) NOT NULL, display_name VARCHAR(100) NOT NULL,
  status_enum INT NOT NULL DEFAULT 300, activation_date DATE, mobile_no VARCHAR(50), email_address VARCHAR(150),
  UNIQUE (tenant_id, id), UNIQUE (tenant_id, account_no),
  FOREIGN KEY (tenant_id, office_id) REFERENCES m_office (tenant_id, id));

-- ===== accounting (minimal) =====
CREATE TABLE acc_gl_account (id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY, tenant_id TEXT NOT NULL REFERENCES tenant (id),
  gl_code VARCHAR(45) NOT NULL, name VARCHAR(200) NOT NULL,
  classification_enum SMALLINT NOT NULL,    -- 1 asset 2 liability 3 equity 4 income 5 expense
  UNIQUE (tenant_id, id), UNIQUE (tenant_id, gl_code));
CREATE TABLE acc_product_mapping (id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY, tenant_id TEXT NOT NULL REFERENCES tenant (id),
  product_type SMALLINT NOT NULL,           -- 1 loan, 2 savings
  product_id BIGINT NOT NULL, financial_account_type SMALLINT NOT NULL,  -- loan: 2 portfolio,3 interest income,7 interest receivable,...
  gl_account_id BIGINT NOT NULL,                                          -- savings: 2 savings control, 3 interest on savings
  UNIQUE (tenant_id, product_type, product_id, financial_account_type),
  FOREIGN KEY (tenant_id, gl_account_id) REFERENCES acc_gl_account (tenant_id, id));
CREATE TABLE acc_gl_journal_entry (id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY, tenant_id TEXT NOT NULL REFERENCES tenant (id),
  account_id BIGINT NOT NULL, office_id BIGINT NOT NULL, currency_code CHAR(3) NOT NULL,
  transaction_id VARCHAR(50) NOT NULL,      -- Fineract style: 'L'||loan_txn_id or 'S'||savings_txn_id
  loan_transaction_id BIGINT, savings_transaction_id BIGINT, reversed BOOLEAN NOT NULL DEFAULT false,
  type_enum SMALLINT NOT NULL,              -- 1 CREDIT, 2 DEBIT
  amount NUMERIC(19,6) NOT NULL, transaction_date DATE NOT NULL, entry_date DATE NOT NULL,
  created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  UNIQUE (tenant_id, id),
  FOREIGN KEY (tenant_id, account_id) REFERENCES acc_gl_account (tenant_id, id),
  FOREIGN KEY (tenant_id, office_id) REFERENCES m_office (tenant_id, id));
CREATE TABLE acc_gl_closure (id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY, tenant_id TEXT NOT NULL REFERENCES tenant (id),
  office_id BIGINT NOT NULL, closing_date DATE NOT NULL, is_deleted BOOLEAN NOT NULL DEFAULT false,
  comments VARCHAR(500), created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  FOREIGN KEY (tenant_id, office_id) REFERENCES m_office (tenant_id, id));
CREATE UNIQUE INDEX ux_gl_closure ON acc_gl_closure (tenant_id, office_id, closing_date) WHERE NOT is_deleted;
CREATE TABLE m_trial_balance (tenant_id TEXT NOT NULL REFERENCES tenant (id), office_id BIGINT NOT NULL, account_id BIGINT NOT NULL,
  entry_date DATE NOT NULL, amount NUMERIC(19,6) NOT NULL, closing_balance NUMERIC(19,6),
  PRIMARY KEY (tenant_id, office_id, account_id, entry_date));

-- ===== loans =====
CREATE TABLE m_product_loan (id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY, tenant_id TEXT NOT NULL REFERENCES tenant (id),
  name VARCHAR(100) NOT NULL, currency_code CHAR(3) NOT NULL, currency_digits SMALLINT NOT NULL,
  currency_multiplesof SMALLINT, annual_nominal_interest_rate NUMERIC(19,6) NOT NULL,
  interest_method_enum SMALLINT NOT NULL, interest_calculated_in_period_enum SMALLINT NOT NULL,
  amortization_method_enum SMALLINT NOT NULL, repay_every SMALLINT NOT NULL, repayment_period_frequency_enum SMALLINT NOT NULL,
  number_of_repayments SMALLINT NOT NULL, days_in_year_enum SMALLINT NOT NULL, days_in_month_enum SMALLINT NOT NULL,
  accounting_type SMALLINT NOT NULL DEFAULT 1,     -- 1 none, 2 cash, 3 accrual periodic, 4 accrual upfront
  grace_on_arrears_ageing SMALLINT, overdue_days_for_npa SMALLINT, delinquency_bucket_id BIGINT,
  enable_accrual_activity_posting BOOLEAN NOT NULL DEFAULT false, due_days_for_repayment_event INT,
  overdue_days_for_repayment_event INT, UNIQUE (tenant_id, id));
CREATE TABLE m_loan (id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY, tenant_id TEXT NOT NULL REFERENCES tenant (id),
  account_no VARCHAR(20) NOT NULL, client_id BIGINT NOT NULL, product_id BIGINT NOT NULL,
  loan_status_id SMALLINT NOT NULL,
  currency_code CHAR(3) NOT NULL, currency_digits SMALLINT NOT NULL, currency_multiplesof SMALLINT,
  principal_amount NUMERIC(19,6) NOT NULL, annual_nominal_interest_rate NUMERIC(19,6) NOT NULL,
  interest_method_enum SMALLINT NOT NULL, interest_calculated_in_period_enum SMALLINT NOT NULL,
  amortization_method_enum SMALLINT NOT NULL, repay_every SMALLINT NOT NULL, repayment_period_frequency_enum SMALLINT NOT NULL,
  number_of_repayments SMALLINT NOT NULL, days_in_year_enum SMALLINT NOT NULL, days_in_month_enum SMALLINT NOT NULL,
  disbursedon_date DATE, interest_calculated_from_date DATE, expected_maturedon_date DATE, closedon_date DATE,
  grace_on_arrears_ageing SMALLINT, is_npa BOOLEAN NOT NULL DEFAULT false, is_charged_off BOOLEAN NOT NULL DEFAULT false,
  accrued_till DATE, last_closed_business_date DATE,
  principal_outstanding_derived NUMERIC(19,6) NOT NULL DEFAULT 0, interest_outstanding_derived NUMERIC(19,6) NOT NULL DEFAULT 0,
  fee_charges_outstanding_derived NUMERIC(19,6) NOT NULL DEFAULT 0, penalty_charges_outstanding_derived NUMERIC(19,6) NOT NULL DEFAULT 0,
  total_outstanding_derived NUMERIC(19,6) NOT NULL DEFAULT 0, version BIGINT NOT NULL DEFAULT 0,
  UNIQUE (tenant_id, id), UNIQUE (tenant_id, account_no),
  FOREIGN KEY (tenant_id, client_id) REFERENCES m_client (tenant_id, id),
  FOREIGN KEY (tenant_id, product_id) REFERENCES m_product_loan (tenant_id, id));
CREATE INDEX ix_loan_cob ON m_loan (tenant_id, loan_status_id, last_closed_business_date, id);
CREATE TABLE m_loan_repayment_schedule (id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY, tenant_id TEXT NOT NULL REFERENCES tenant (id),
  loan_id BIGINT NOT NULL, installment SMALLINT NOT NULL, fromdate DATE NOT NULL, duedate DATE NOT NULL,
  principal_amount NUMERIC(19,6) NOT NULL DEFAULT 0, principal_completed_derived NUMERIC(19,6) NOT NULL DEFAULT 0,
  principal_writtenoff_derived NUMERIC(19,6) NOT NULL DEFAULT 0,
  interest_amount NUMERIC(19,6) NOT NULL DEFAULT 0, interest_completed_derived NUMERIC(19,6) NOT NULL DEFAULT 0,
  interest_waived_derived NUMERIC(19,6) NOT NULL DEFAULT 0, interest_writtenoff_derived NUMERIC(19,6) NOT NULL DEFAULT 0,
  accrual_interest_derived NUMERIC(19,6) NOT NULL DEFAULT 0,
  fee_charges_amount NUMERIC(19,6) NOT NULL DEFAULT 0, fee_charges_completed_derived NUMERIC(19,6) NOT NULL DEFAULT 0,
  fee_charges_waived_derived NUMERIC(19,6) NOT NULL DEFAULT 0, fee_charges_writtenoff_derived NUMERIC(19,6) NOT NULL DEFAULT 0,
  accrual_fee_charges_derived NUMERIC(19,6) NOT NULL DEFAULT 0,
  penalty_charges_amount NUMERIC(19,6) NOT NULL DEFAULT 0, penalty_charges_completed_derived NUMERIC(19,6) NOT NULL DEFAULT 0,
  penalty_charges_waived_derived NUMERIC(19,6) NOT NULL DEFAULT 0, penalty_charges_writtenoff_derived NUMERIC(19,6) NOT NULL DEFAULT 0,
  accrual_penalty_charges_derived NUMERIC(19,6) NOT NULL DEFAULT 0,
  completed_derived BOOLEAN NOT NULL DEFAULT false, obligations_met_on_date DATE,
  UNIQUE (tenant_id, id), UNIQUE (tenant_id, loan_id, installment),
  FOREIGN KEY (tenant_id, loan_id) REFERENCES m_loan (tenant_id, id));
CREATE TABLE m_loan_transaction (id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY, tenant_id TEXT NOT NULL REFERENCES tenant (id),
  loan_id BIGINT NOT NULL, office_id BIGINT NOT NULL, transaction_type_enum SMALLINT NOT NULL,
  transaction_date DATE NOT NULL, submitted_on_date DATE NOT NULL, amount NUMERIC(19,6) NOT NULL,
  principal_portion_derived NUMERIC(19,6), interest_portion_derived NUMERIC(19,6),
  fee_charges_portion_derived NUMERIC(19,6), penalty_charges_portion_derived NUMERIC(19,6),
  outstanding_loan_balance_derived NUMERIC(19,6), is_reversed BOOLEAN NOT NULL DEFAULT false,
  external_id VARCHAR(100), job_run_id BIGINT, created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  UNIQUE (tenant_id, id),
  FOREIGN KEY (tenant_id, loan_id) REFERENCES m_loan (tenant_id, id));
-- safety nets (our addition): at most one live accrual / accrual-activity / income-posting per loan per date.
-- NB: Fineract itself can emit several type-10 rows with the same date in edge cases (catch-up over several due
-- installments with charge-accrual-date=submitted-date; fee + interest of different installments). Our implementation
-- must aggregate per (loan, date) or drop type 10 from this index.
CREATE UNIQUE INDEX ux_loan_txn_daily ON m_loan_transaction (tenant_id, loan_id, transaction_type_enum, transaction_date)
  WHERE NOT is_reversed AND transaction_type_enum IN (10, 19, 32);
-- charges needed by the overdue-penalty COB step
CREATE TABLE m_charge (id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY, tenant_id TEXT NOT NULL REFERENCES tenant (id),
  name VARCHAR(100) NOT NULL, currency_code CHAR(3) NOT NULL, charge_applies_to_enum SMALLINT NOT NULL, -- 1 loan 2 savings
  charge_time_enum SMALLINT NOT NULL,        -- 9 OVERDUE_INSTALLMENT, 5 WITHDRAWAL_FEE, ...
  charge_calculation_enum SMALLINT NOT NULL, -- 1 flat, 2 % of amount, ...
  amount NUMERIC(19,6) NOT NULL, is_penalty BOOLEAN NOT NULL, fee_frequency SMALLINT, fee_interval SMALLINT,
  UNIQUE (tenant_id, id));
CREATE TABLE m_product_loan_charge (tenant_id TEXT NOT NULL REFERENCES tenant (id), product_loan_id BIGINT NOT NULL, charge_id BIGINT NOT NULL,
  PRIMARY KEY (tenant_id, product_loan_id, charge_id));
CREATE TABLE m_loan_charge (id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY, tenant_id TEXT NOT NULL REFERENCES tenant (id),
  loan_id BIGINT NOT NULL, charge_id BIGINT NOT NULL, is_penalty BOOLEAN NOT NULL, charge_time_enum SMALLINT NOT NULL,
  due_for_collection_as_of_date DATE, amount NUMERIC(19,6) NOT NULL, amount_paid_derived NUMERIC(19,6) NOT NULL DEFAULT 0,
  amount_waived_derived NUMERIC(19,6) NOT NULL DEFAULT 0, amount_outstanding_derived NUMERIC(19,6) NOT NULL,
  is_paid_derived BOOLEAN NOT NULL DEFAULT false, waived BOOLEAN NOT NULL DEFAULT false, is_active BOOLEAN NOT NULL DEFAULT true,
  UNIQUE (tenant_id, id), FOREIGN KEY (tenant_id, loan_id) REFERENCES m_loan (tenant_id, id));
CREATE TABLE m_loan_overdue_installment_charge (id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY, tenant_id TEXT NOT NULL REFERENCES tenant (id),
  loan_charge_id BIGINT NOT NULL, loan_schedule_id BIGINT NOT NULL, frequency_number INT NOT NULL,
  charge_id BIGINT NOT NULL,                 -- denormalised for the unique rule below (our addition)
  UNIQUE (tenant_id, loan_schedule_id, charge_id, frequency_number));
CREATE TABLE m_loan_arrears_aging (tenant_id TEXT NOT NULL REFERENCES tenant (id), loan_id BIGINT NOT NULL,
  principal_overdue_derived NUMERIC(19,6) NOT NULL, interest_overdue_derived NUMERIC(19,6) NOT NULL,
  fee_charges_overdue_derived NUMERIC(19,6) NOT NULL, penalty_charges_overdue_derived NUMERIC(19,6) NOT NULL,
  total_overdue_derived NUMERIC(19,6) NOT NULL, overdue_since_date_derived DATE, PRIMARY KEY (tenant_id, loan_id));
CREATE TABLE m_delinquency_bucket (id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY, tenant_id TEXT NOT NULL REFERENCES tenant (id),
  name VARCHAR(100) NOT NULL, UNIQUE (tenant_id, id));
CREATE TABLE m_delinquency_range (id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY, tenant_id TEXT NOT NULL REFERENCES tenant (id),
  classification VARCHAR(100) NOT NULL, min_age_days BIGINT NOT NULL, max_age_days BIGINT, UNIQUE (tenant_id, id));
CREATE TABLE m_delinquency_bucket_mappings (tenant_id TEXT NOT NULL REFERENCES tenant (id), delinquency_bucket_id BIGINT NOT NULL,
  delinquency_range_id BIGINT NOT NULL, PRIMARY KEY (tenant_id, delinquency_bucket_id, delinquency_range_id));
CREATE TABLE m_loan_delinquency_tag_history (id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY, tenant_id TEXT NOT NULL REFERENCES tenant (id),
  loan_id BIGINT NOT NULL, delinquency_range_id BIGINT NOT NULL, addedon_date DATE NOT NULL, liftedon_date DATE);
CREATE UNIQUE INDEX ux_delinq_open ON m_loan_delinquency_tag_history (tenant_id, loan_id) WHERE liftedon_date IS NULL;
CREATE TABLE m_loan_account_locks (tenant_id TEXT NOT NULL REFERENCES tenant (id), loan_id BIGINT NOT NULL, version BIGINT NOT NULL DEFAULT 1,
  lock_owner VARCHAR(50) NOT NULL,           -- LOAN_COB_CHUNK_PROCESSING | LOAN_INLINE_COB_PROCESSING
  lock_placed_on TIMESTAMPTZ NOT NULL DEFAULT now(), lock_placed_on_cob_business_date DATE,
  error TEXT, stacktrace TEXT, job_run_id BIGINT, PRIMARY KEY (tenant_id, loan_id));
CREATE TABLE m_batch_business_steps (tenant_id TEXT NOT NULL REFERENCES tenant (id), job_name VARCHAR(100) NOT NULL,
  step_name VARCHAR(100) NOT NULL, step_order SMALLINT NOT NULL, PRIMARY KEY (tenant_id, job_name, step_name),
  UNIQUE (tenant_id, job_name, step_order));

-- ===== savings =====
CREATE TABLE m_savings_product (id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY, tenant_id TEXT NOT NULL REFERENCES tenant (id),
  name VARCHAR(100) NOT NULL, currency_code CHAR(3) NOT NULL, currency_digits SMALLINT NOT NULL, currency_multiplesof SMALLINT,
  nominal_annual_interest_rate NUMERIC(19,6) NOT NULL, interest_compounding_period_enum SMALLINT NOT NULL,
  interest_posting_period_enum SMALLINT NOT NULL, interest_calculation_type_enum SMALLINT NOT NULL,
  interest_calculation_days_in_year_type_enum SMALLINT NOT NULL CHECK (interest_calculation_days_in_year_type_enum IN (360,365)),
  min_balance_for_interest_calculation NUMERIC(19,6), accounting_type SMALLINT NOT NULL DEFAULT 1,
  allow_overdraft BOOLEAN NOT NULL DEFAULT false, overdraft_limit NUMERIC(19,6),
  nominal_annual_interest_rate_overdraft NUMERIC(19,6), min_overdraft_for_interest_calculation NUMERIC(19,6),
  UNIQUE (tenant_id, id));
CREATE TABLE m_savings_account (id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY, tenant_id TEXT NOT NULL REFERENCES tenant (id),
  account_no VARCHAR(20) NOT NULL, client_id BIGINT NOT NULL, product_id BIGINT NOT NULL, office_id BIGINT NOT NULL,
  status_enum SMALLINT NOT NULL, activatedon_date DATE, closedon_date DATE, start_interest_calculation_date DATE,
  currency_code CHAR(3) NOT NULL, currency_digits SMALLINT NOT NULL, currency_multiplesof SMALLINT,
  nominal_annual_interest_rate NUMERIC(19,6) NOT NULL, interest_compounding_period_enum SMALLINT NOT NULL,
  interest_posting_period_enum SMALLINT NOT NULL, interest_calculation_type_enum SMALLINT NOT NULL,
  interest_calculation_days_in_year_type_enum SMALLINT NOT NULL, min_balance_for_interest_calculation NUMERIC(19,6),
  allow_overdraft BOOLEAN NOT NULL DEFAULT false, overdraft_limit NUMERIC(19,6),
  nominal_annual_interest_rate_overdraft NUMERIC(19,6), min_overdraft_for_interest_calculation NUMERIC(19,6),
  account_balance_derived NUMERIC(19,6) NOT NULL DEFAULT 0, total_deposits_derived NUMERIC(19,6) NOT NULL DEFAULT 0,
  total_withdrawals_derived NUMERIC(19,6) NOT NULL DEFAULT 0, total_interest_earned_derived NUMERIC(19,6) NOT NULL DEFAULT 0,
  total_interest_posted_derived NUMERIC(19,6) NOT NULL DEFAULT 0, total_overdraft_interest_derived NUMERIC(19,6) NOT NULL DEFAULT 0,
  last_interest_calculation_date DATE, interest_posted_till_date DATE, version BIGINT NOT NULL DEFAULT 0,
  UNIQUE (tenant_id, id), UNIQUE (tenant_id, account_no),
  FOREIGN KEY (tenant_id, client_id) REFERENCES m_client (tenant_id, id),
  FOREIGN KEY (tenant_id, product_id) REFERENCES m_savings_product (tenant_id, id));
CREATE TABLE m_savings_account_transaction (id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY, tenant_id TEXT NOT NULL REFERENCES tenant (id),
  savings_account_id BIGINT NOT NULL, office_id BIGINT NOT NULL, transaction_type_enum SMALLINT NOT NULL,
  transaction_date DATE NOT NULL, submitted_on_date DATE NOT NULL, amount NUMERIC(19,6) NOT NULL,
  is_reversed BOOLEAN NOT NULL DEFAULT false, reversal_of_id BIGINT,
  running_balance_derived NUMERIC(19,6), balance_end_date_derived DATE, balance_number_of_days_derived INT,
  cumulative_balance_derived NUMERIC(19,6), overdraft_amount_derived NUMERIC(19,6),
  ref_no VARCHAR(128), is_manual BOOLEAN NOT NULL DEFAULT false, job_run_id BIGINT,
  created_at TIMESTAMPTZ NOT NULL DEFAULT now(), UNIQUE (tenant_id, id),
  FOREIGN KEY (tenant_id, savings_account_id) REFERENCES m_savings_account (tenant_id, id));
CREATE INDEX ix_sat_acct_date ON m_savings_account_transaction (tenant_id, savings_account_id, transaction_date, id);
-- Fineract rule made explicit: one live interest posting (3) or overdraft interest (17) per account per posting date
CREATE UNIQUE INDEX ux_sav_interest_posting ON m_savings_account_transaction (tenant_id, savings_account_id, transaction_date)
  WHERE NOT is_reversed AND transaction_type_enum IN (3, 17);
-- optional (post-FINERACT-2312 style): one live accrual per account per date
CREATE UNIQUE INDEX ux_sav_accrual ON m_savings_account_transaction (tenant_id, savings_account_id, transaction_date)
  WHERE NOT is_reversed AND transaction_type_enum = 10;

-- ===== notifications (Fineract tables + retry columns, our addition) =====
CREATE TABLE sms_messages_outbound (id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY, tenant_id TEXT NOT NULL REFERENCES tenant (id),
  client_id BIGINT, campaign_id BIGINT, status_enum INT NOT NULL DEFAULT 100, -- 100,150,200,300,400
  mobile_no VARCHAR(50) NOT NULL, message VARCHAR(1000) NOT NULL, external_id VARCHAR(100),
  submittedon_date DATE, delivered_on_date TIMESTAMPTZ,
  dedup_key VARCHAR(200),                    -- e.g. 'loan-due:<loan_id>:<installment>:<date>'
  attempt_count INT NOT NULL DEFAULT 0, next_attempt_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  claimed_by TEXT, claimed_at TIMESTAMPTZ, last_error TEXT, UNIQUE (tenant_id, id));
CREATE UNIQUE INDEX ux_sms_dedup ON sms_messages_outbound (tenant_id, dedup_key) WHERE dedup_key IS NOT NULL;
CREATE INDEX ix_sms_pending ON sms_messages_outbound (tenant_id, status_enum, next_attempt_at);
CREATE TABLE scheduled_email_messages_outbound (id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY, tenant_id TEXT NOT NULL REFERENCES tenant (id),
  client_id BIGINT, email_campaign_id BIGINT, status_enum INT NOT NULL DEFAULT 100,  -- 100,200,300,400
  email_address VARCHAR(150) NOT NULL, email_subject VARCHAR(200) NOT NULL, message TEXT NOT NULL,
  campaign_name VARCHAR(200), submittedon_date DATE, error_message TEXT, dedup_key VARCHAR(200),
  attempt_count INT NOT NULL DEFAULT 0, next_attempt_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  claimed_by TEXT, claimed_at TIMESTAMPTZ, UNIQUE (tenant_id, id));
CREATE UNIQUE INDEX ux_email_dedup ON scheduled_email_messages_outbound (tenant_id, dedup_key) WHERE dedup_key IS NOT NULL;

-- ===== engine bookkeeping (our addition; the engine may already have equivalents) =====
CREATE TABLE job_run (id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY, tenant_id TEXT NOT NULL REFERENCES tenant (id),
  job_type TEXT NOT NULL, business_date DATE,   -- the date the run is "for" (COB date / business date / month end)
  status TEXT NOT NULL,                          -- RUNNING | SUCCEEDED | FAILED | PARTIAL
  started_at TIMESTAMPTZ NOT NULL DEFAULT now(), finished_at TIMESTAMPTZ, attempt INT NOT NULL DEFAULT 1,
  stats JSONB, error TEXT);
CREATE UNIQUE INDEX ux_job_run_done ON job_run (tenant_id, job_type, business_date)
  WHERE status = 'SUCCEEDED' AND business_date IS NOT NULL;
CREATE UNIQUE INDEX ux_job_run_running ON job_run (tenant_id, job_type) WHERE status = 'RUNNING';  -- Fineract's currently_running

-- ===== references the sketch above leaves implicit =====
ALTER TABLE m_office ADD FOREIGN KEY (tenant_id, parent_id) REFERENCES m_office (tenant_id, id);
ALTER TABLE m_product_loan ADD FOREIGN KEY (tenant_id, delinquency_bucket_id)
    REFERENCES m_delinquency_bucket (tenant_id, id);
ALTER TABLE m_loan_transaction ADD FOREIGN KEY (tenant_id, office_id) REFERENCES m_office (tenant_id, id);
ALTER TABLE m_product_loan_charge ADD FOREIGN KEY (tenant_id, product_loan_id) REFERENCES m_product_loan (tenant_id, id);
ALTER TABLE m_product_loan_charge ADD FOREIGN KEY (tenant_id, charge_id) REFERENCES m_charge (tenant_id, id);
ALTER TABLE m_loan_charge ADD FOREIGN KEY (tenant_id, charge_id) REFERENCES m_charge (tenant_id, id);
ALTER TABLE m_loan_overdue_installment_charge
    ADD FOREIGN KEY (tenant_id, loan_charge_id) REFERENCES m_loan_charge (tenant_id, id),
    ADD FOREIGN KEY (tenant_id, loan_schedule_id) REFERENCES m_loan_repayment_schedule (tenant_id, id),
    ADD FOREIGN KEY (tenant_id, charge_id) REFERENCES m_charge (tenant_id, id);
ALTER TABLE m_loan_arrears_aging ADD FOREIGN KEY (tenant_id, loan_id) REFERENCES m_loan (tenant_id, id);
ALTER TABLE m_delinquency_bucket_mappings
    ADD FOREIGN KEY (tenant_id, delinquency_bucket_id) REFERENCES m_delinquency_bucket (tenant_id, id),
    ADD FOREIGN KEY (tenant_id, delinquency_range_id) REFERENCES m_delinquency_range (tenant_id, id);
ALTER TABLE m_loan_delinquency_tag_history
    ADD UNIQUE (tenant_id, id),
    ADD FOREIGN KEY (tenant_id, loan_id) REFERENCES m_loan (tenant_id, id),
    ADD FOREIGN KEY (tenant_id, delinquency_range_id) REFERENCES m_delinquency_range (tenant_id, id);
ALTER TABLE m_loan_account_locks ADD FOREIGN KEY (tenant_id, loan_id) REFERENCES m_loan (tenant_id, id);
ALTER TABLE acc_product_mapping ADD UNIQUE (tenant_id, id);
ALTER TABLE acc_gl_closure ADD UNIQUE (tenant_id, id);
ALTER TABLE m_savings_account ADD FOREIGN KEY (tenant_id, office_id) REFERENCES m_office (tenant_id, id);
ALTER TABLE m_savings_account_transaction ADD FOREIGN KEY (tenant_id, office_id) REFERENCES m_office (tenant_id, id);
ALTER TABLE m_savings_account_transaction ADD FOREIGN KEY (tenant_id, reversal_of_id)
    REFERENCES m_savings_account_transaction (tenant_id, id);
ALTER TABLE m_trial_balance
    ADD FOREIGN KEY (tenant_id, office_id) REFERENCES m_office (tenant_id, id),
    ADD FOREIGN KEY (tenant_id, account_id) REFERENCES acc_gl_account (tenant_id, id);
ALTER TABLE sms_messages_outbound ADD FOREIGN KEY (tenant_id, client_id) REFERENCES m_client (tenant_id, id);
ALTER TABLE scheduled_email_messages_outbound ADD FOREIGN KEY (tenant_id, client_id) REFERENCES m_client (tenant_id, id);
ALTER TABLE m_currency ADD CHECK (decimal_places BETWEEN 0 AND 6);
ALTER TABLE m_loan ADD FOREIGN KEY (currency_code) REFERENCES m_currency (code);
ALTER TABLE m_savings_account ADD FOREIGN KEY (currency_code) REFERENCES m_currency (code);

-- The execution a run belongs to, so the history of a business date links to the engine's own.
ALTER TABLE job_run ADD COLUMN execution_id uuid REFERENCES job_execution (id) ON DELETE SET NULL;
ALTER TABLE job_run ADD CHECK (status IN ('RUNNING', 'SUCCEEDED', 'FAILED', 'PARTIAL'));

-- Hot paths of the jobs: schedule rows of a loan in order, a loan's transactions by date, the
-- journal by date for the trial balance, the pending queues.
CREATE INDEX ix_loan_schedule_loan ON m_loan_repayment_schedule (tenant_id, loan_id, installment);
CREATE INDEX ix_loan_txn_loan ON m_loan_transaction (tenant_id, loan_id, transaction_date);
CREATE INDEX ix_journal_date ON acc_gl_journal_entry (tenant_id, office_id, transaction_date);
CREATE INDEX ix_email_pending ON scheduled_email_messages_outbound (tenant_id, status_enum, next_attempt_at);
CREATE INDEX ix_savings_active ON m_savings_account (tenant_id, status_enum, id);

-- Fineract rejects any journal entry dated on or before an office's accounting closure
-- ("accounting closed"); enforcing it here covers every writer, not only our jobs.
CREATE FUNCTION acc_gl_journal_entry_check_closure() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    closed_until date;
BEGIN
    SELECT max(c.closing_date) INTO closed_until
    FROM acc_gl_closure c
    WHERE c.tenant_id = NEW.tenant_id AND c.office_id = NEW.office_id AND NOT c.is_deleted;
    IF closed_until IS NOT NULL AND NEW.transaction_date <= closed_until THEN
        RAISE EXCEPTION 'accounting closed: office % is closed until %, journal entry dated %',
            NEW.office_id, closed_until, NEW.transaction_date
            USING ERRCODE = 'check_violation', CONSTRAINT = 'acc_gl_journal_entry_accounting_closed';
    END IF;
    RETURN NEW;
END;
$$;

CREATE TRIGGER acc_gl_journal_entry_accounting_closed
    BEFORE INSERT OR UPDATE OF transaction_date, office_id ON acc_gl_journal_entry
    FOR EACH ROW EXECUTE FUNCTION acc_gl_journal_entry_check_closure();

-- Currencies are shared by every tenant.
INSERT INTO m_currency (code, decimal_places, currency_multiplesof, name) VALUES
    ('USD', 2, NULL, 'US Dollar'),
    ('EUR', 2, NULL, 'Euro'),
    ('GBP', 2, NULL, 'Pound Sterling'),
    ('KES', 2, NULL, 'Kenyan Shilling'),
    ('UGX', 0, 100, 'Ugandan Shilling'),
    ('XOF', 0, NULL, 'CFA Franc BCEAO');

-- Fineract's day-zero data for one tenant: both business dates, the global configuration with
-- Fineract's defaults, the loan COB steps in Fineract's order, a delinquency bucket, a head office
-- and the GL accounts the jobs post to. Idempotent, so it can run for any tenant at any time.
CREATE FUNCTION fineract_seed_tenant(seed_tenant text, seed_business_date date) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    bucket bigint;
BEGIN
    INSERT INTO m_business_date (tenant_id, type, date) VALUES
        (seed_tenant, 'BUSINESS_DATE', seed_business_date),
        (seed_tenant, 'COB_DATE', seed_business_date - 1)
    ON CONFLICT DO NOTHING;

    INSERT INTO c_configuration (tenant_id, name, value, enabled) VALUES
        (seed_tenant, 'rounding-mode', 6, true),
        (seed_tenant, 'penalty-wait-period', 2, true),
        (seed_tenant, 'grace-on-penalty-posting', 0, true),
        (seed_tenant, 'backdate-penalties-enabled', NULL, true),
        (seed_tenant, 'financial-year-beginning-month', 1, true),
        (seed_tenant, 'savings-interest-posting-current-period-end', NULL, false),
        (seed_tenant, 'days-before-repayment-is-due', 1, true),
        (seed_tenant, 'days-after-repayment-is-overdue', 1, true),
        (seed_tenant, 'enable_business_date', NULL, true),
        (seed_tenant, 'enable_automatic_cob_date_adjustment', NULL, true),
        (seed_tenant, 'allow-backdated-transaction-before-interest-posting', NULL, true),
        (seed_tenant, 'charge-accrual-date', NULL, false),
        (seed_tenant, 'purge-processed-commands-older-than-days', 30, true),
        (seed_tenant, 'purge-external-events-older-than-days', 30, true)
    ON CONFLICT DO NOTHING;

    INSERT INTO m_batch_business_steps (tenant_id, job_name, step_name, step_order) VALUES
        (seed_tenant, 'LOAN_CLOSE_OF_BUSINESS', 'APPLY_CHARGE_TO_OVERDUE_LOANS', 1),
        (seed_tenant, 'LOAN_CLOSE_OF_BUSINESS', 'LOAN_DELINQUENCY_CLASSIFICATION', 2),
        (seed_tenant, 'LOAN_CLOSE_OF_BUSINESS', 'CHECK_LOAN_REPAYMENT_DUE', 3),
        (seed_tenant, 'LOAN_CLOSE_OF_BUSINESS', 'CHECK_LOAN_REPAYMENT_OVERDUE', 4),
        (seed_tenant, 'LOAN_CLOSE_OF_BUSINESS', 'UPDATE_LOAN_ARREARS_AGING', 5),
        (seed_tenant, 'LOAN_CLOSE_OF_BUSINESS', 'ADD_PERIODIC_ACCRUAL_ENTRIES', 6)
    ON CONFLICT DO NOTHING;

    IF NOT EXISTS (SELECT 1 FROM m_delinquency_bucket b WHERE b.tenant_id = seed_tenant) THEN
        INSERT INTO m_delinquency_bucket (tenant_id, name) VALUES (seed_tenant, 'Default bucket')
        RETURNING id INTO bucket;
        WITH ranges AS (
            INSERT INTO m_delinquency_range (tenant_id, classification, min_age_days, max_age_days) VALUES
                (seed_tenant, 'RANGE_1', 1, 3),
                (seed_tenant, 'RANGE_2', 4, 30),
                (seed_tenant, 'RANGE_3', 31, 60),
                (seed_tenant, 'RANGE_4', 61, 90),
                (seed_tenant, 'RANGE_5', 91, NULL)
            RETURNING id
        )
        INSERT INTO m_delinquency_bucket_mappings (tenant_id, delinquency_bucket_id, delinquency_range_id)
        SELECT seed_tenant, bucket, ranges.id FROM ranges;
    END IF;

    INSERT INTO m_office (tenant_id, parent_id, hierarchy, name, opening_date)
    VALUES (seed_tenant, NULL, '.', 'Head Office', seed_business_date - 365)
    ON CONFLICT DO NOTHING;

    INSERT INTO acc_gl_account (tenant_id, gl_code, name, classification_enum) VALUES
        (seed_tenant, '1100', 'Loan portfolio', 1),
        (seed_tenant, '1200', 'Interest receivable', 1),
        (seed_tenant, '1210', 'Fees receivable', 1),
        (seed_tenant, '1220', 'Penalties receivable', 1),
        (seed_tenant, '2100', 'Savings control', 2),
        (seed_tenant, '4100', 'Interest income on loans', 4),
        (seed_tenant, '4200', 'Fee income', 4),
        (seed_tenant, '4300', 'Penalty income', 4),
        (seed_tenant, '5100', 'Interest on savings', 5),
        (seed_tenant, '4400', 'Overdraft interest income', 4)
    ON CONFLICT DO NOTHING;
END;
$$;

-- Every tenant gets its day-zero data when it is created, whoever creates it, with the business
-- date of today in its own timezone.
CREATE FUNCTION tenant_seed_fineract() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM fineract_seed_tenant(NEW.id, (now() AT TIME ZONE NEW.timezone)::date);
    RETURN NULL;
END;
$$;

CREATE TRIGGER tenant_inserted_seed_fineract
    AFTER INSERT ON tenant
    FOR EACH ROW EXECUTE FUNCTION tenant_seed_fineract();

SELECT fineract_seed_tenant(t.id, (now() AT TIME ZONE t.timezone)::date) FROM tenant t;
