import FineractDomain
import FineractJobs
import Foundation
import JobsCore
import Postgres
import TestSupport
import Testing

/// `loan_cob` against a real database. Expected figures are derived by hand from the algorithm
/// of FINERACT.md §2 and §4.3 (not Fineract tests); L1's schedule is the golden one.
@Suite(
    "Loan COB",
    .serialized,
    .enabled(if: TestDatabase.isConfigured, "POSTGRES_HOST is not set; make test starts a PostgreSQL for these tests"),
    .timeLimit(.minutes(3))
)
struct LoanCOBTests {
    /// L1 closed day by day from 2023-01-30 to 2023-02-03, with a 10.00 overdue penalty on its
    /// product, a client with a phone and an e-mail address. Derived:
    /// - 01-30 (no watermark yet): installment 1 current, 66.67 / 31 × 29 days = 62.369… → 62.37.
    /// - 01-31: 66.67 / 31 × 30 = 64.519… → 64.52, delta 2.15 (the accrual across the month end);
    ///   installment 1 falls due tomorrow, so the due reminder is queued.
    /// - 02-01: installment 1 is due: 66.67 − 64.52 = 2.15 on its due date; classified at 02-02
    ///   the loan is 1 day overdue → RANGE_1 added 02-02.
    /// - 02-02: installment 2 current: 50.21 / 28 × 1 = 1.79; 2 days overdue, still RANGE_1;
    ///   overdue reminder; arrears 1975.17 + 66.67 = 2041.84.
    /// - 02-03: wait of 2 days reached: penalty 10.00 dated 02-01, accrued with installment 1 on
    ///   its due date, so it joins that date's accrual (2.15 + 10.00 = 12.15); installment 2:
    ///   50.21 / 28 × 2 = 3.586… → 3.59, delta 1.80. Still RANGE_1 (3 days); arrears 2051.84.
    @Test func goldenLoanThroughFiveCOBDates() async throws {
        try await LoanTestBank.with { bank in
            let product = try await bank.makeProduct(name: "L1 product", penalty: 10)
            let client = try await bank.makeClient("C-1", mobile: "+254700000001", email: "one@example.com")
            let loan = try await bank.makeLoan("L1", product: product, client: client)

            for day in ["2023-01-30", "2023-01-31", "2023-02-01", "2023-02-02"] {
                let result = try await bank.closeDay(day)
                #expect(result.integer("closed") == 1, "\(day): \(result)")
            }
            let last = try await bank.closeDay("2023-02-03")
            #expect(last.integer("selected") == 1)
            #expect(last.integer("failed.count") == 0)
            #expect(last.integer("steps.APPLY_CHARGE_TO_OVERDUE_LOANS.penalties") == 1)
            #expect(last.integer("steps.ADD_PERIODIC_ACCRUAL_ENTRIES.transactions") == 2)

            #expect(
                try await bank.accruals(loan) == [
                    "2023-01-30 62.37 62.37/0.00/0.00", "2023-01-31 2.15 2.15/0.00/0.00",
                    "2023-02-01 12.15 2.15/0.00/10.00", "2023-02-02 1.79 1.79/0.00/0.00",
                    "2023-02-03 1.80 1.80/0.00/0.00",
                ]
            )
            #expect(
                try await bank.journal(loan) == [
                    "2023-01-30 1200 D 62.37", "2023-01-30 4100 C 62.37",
                    "2023-01-31 1200 D 2.15", "2023-01-31 4100 C 2.15",
                    "2023-02-01 1200 D 2.15", "2023-02-01 4100 C 2.15",
                    "2023-02-01 1220 D 10.00", "2023-02-01 4300 C 10.00",
                    "2023-02-02 1200 D 1.79", "2023-02-02 4100 C 1.79",
                    "2023-02-03 1200 D 1.80", "2023-02-03 4100 C 1.80",
                ]
            )
            let schedule = try await bank.pool.query(
                """
                SELECT installment, accrual_interest_derived::numeric(19,2)::text AS interest,
                    accrual_penalty_charges_derived::numeric(19,2)::text AS penalty,
                    penalty_charges_amount::numeric(19,2)::text AS charged
                FROM m_loan_repayment_schedule WHERE loan_id = \(loan) ORDER BY installment
                """
            ).map { row in
                "\(try row.decode("installment", as: Int.self)) \(try row.decode("interest", as: String.self)) "
                    + "\(try row.decode("penalty", as: String.self)) \(try row.decode("charged", as: String.self))"
            }
            #expect(schedule == ["1 66.67 10.00 10.00", "2 3.59 0.00 0.00", "3 0.00 0.00 0.00", "4 0.00 0.00 0.00"])

            let loanRow = try #require(
                try await bank.pool.query(
                    """
                    SELECT last_closed_business_date::text AS closed, accrued_till::text AS till,
                        penalty_charges_outstanding_derived::numeric(19,2)::text AS penalty
                    FROM m_loan WHERE id = \(loan)
                    """
                ).first
            )
            #expect(try loanRow.decode("closed", as: String.self) == "2023-02-03")
            #expect(try loanRow.decode("till", as: String.self) == "2023-02-03")
            #expect(try loanRow.decode("penalty", as: String.self) == "10.00")

            let penalty = try await bank.text(
                """
                SELECT c.due_for_collection_as_of_date || ' ' || c.amount::numeric(19,2) || ' ' || o.frequency_number
                    || ' ' || s.installment AS value
                FROM m_loan_charge c
                JOIN m_loan_overdue_installment_charge o ON o.loan_charge_id = c.id
                JOIN m_loan_repayment_schedule s ON s.id = o.loan_schedule_id
                WHERE c.loan_id = \(loan)
                """
            )
            #expect(penalty == "2023-02-01 10.00 1 1")
            #expect(
                try await bank.text(
                    """
                    SELECT string_agg(r.classification || ' ' || h.addedon_date || ' ' || coalesce(h.liftedon_date::text, '-'),
                        ', ' ORDER BY h.id) AS value
                    FROM m_loan_delinquency_tag_history h JOIN m_delinquency_range r ON r.id = h.delinquency_range_id
                    WHERE h.loan_id = \(loan)
                    """
                ) == "RANGE_1 2023-02-02 -"
            )
            #expect(
                try await bank.text(
                    """
                    SELECT principal_overdue_derived::numeric(19,2) || ' ' || interest_overdue_derived::numeric(19,2)
                        || ' ' || penalty_charges_overdue_derived::numeric(19,2) || ' '
                        || total_overdue_derived::numeric(19,2) || ' ' || overdue_since_date_derived AS value
                    FROM m_loan_arrears_aging WHERE loan_id = \(loan)
                    """
                ) == "1975.17 66.67 10.00 2051.84 2023-02-01"
            )
            #expect(
                try await bank.text(
                    "SELECT string_agg(dedup_key || ' ' || mobile_no, ', ' ORDER BY id) AS value FROM sms_messages_outbound"
                ) == "loan-due:\(loan):1:2023-02-01 +254700000001, loan-overdue:\(loan):1:2023-02-01 +254700000001"
            )
            #expect(
                try await bank.text(
                    """
                    SELECT string_agg(email_address || ' ' || submittedon_date || ' ' || message, ' | ' ORDER BY id)
                        AS value FROM scheduled_email_messages_outbound
                    """
                )
                    == "one@example.com 2023-01-31 Reminder: installment 1 of loan L1-1, 2041.84 EUR, is due on 2023-02-01."
                    + " | one@example.com 2023-02-02 Your installment 1 of loan L1-1, 2041.84 EUR, was due on 2023-02-01 and is overdue."
            )
            #expect(try await bank.count("SELECT count(*) AS count FROM m_loan_account_locks") == 0)
            #expect(
                try await bank.text(
                    """
                    SELECT string_agg(business_date || ' ' || status, ', ' ORDER BY business_date) AS value
                    FROM job_run WHERE job_type = 'loan_cob'
                    """
                )
                    == "2023-01-30 SUCCEEDED, 2023-01-31 SUCCEEDED, 2023-02-01 SUCCEEDED, 2023-02-02 SUCCEEDED, "
                    + "2023-02-03 SUCCEEDED"
            )
        }
    }

    /// A loan closed through 01-30 while COB_DATE moved on to 02-02: a normal run of 02-02 leaves
    /// it alone (its watermark is not the day before); the catch-up closes 01-31, 02-01 and 02-02 in order
    /// with the same rows day-by-day closing gives (2.15, 2.15, 1.79). A loan already closed
    /// through 02-02 and one never closed are not touched by the catch-up.
    @Test func catchUpClosesEachMissedDateInOrder() async throws {
        try await LoanTestBank.with { bank in
            let product = try await bank.makeProduct(name: "L1 product")
            let client = try await bank.makeClient("C-1")
            let behind = try await bank.makeLoan("BEHIND", product: product, client: client)
            try await bank.closeDay("2023-01-30")
            let current = try await bank.makeLoan("CURRENT", product: product, client: client, watermark: "2023-02-02")
            try await bank.setBusinessDate("2023-02-03")
            let normalFirst = try await bank.runCOB()
            #expect(normalFirst.integer("selected") == 0)
            let fresh = try await bank.makeLoan("FRESH", product: product, client: client)

            let caughtUp = try await bank.runCOB(["catchUp": true])
            guard case .array(let days) = caughtUp["dates"] else {
                Issue.record("no dates in \(caughtUp)")
                return
            }
            #expect(days.map { $0["cobDate"]?.stringValue } == ["2023-01-31", "2023-02-01", "2023-02-02"])
            #expect(days.map { $0.integer("closed") } == [1, 1, 1])
            #expect(days.map { $0["catchUp"]?.boolValue } == [true, true, true])
            #expect(
                try await bank.accruals(behind) == [
                    "2023-01-30 62.37 62.37/0.00/0.00", "2023-01-31 2.15 2.15/0.00/0.00",
                    "2023-02-01 2.15 2.15/0.00/0.00", "2023-02-02 1.79 1.79/0.00/0.00",
                ]
            )
            #expect(try await bank.accruals(current).isEmpty)
            #expect(try await bank.accruals(fresh).isEmpty)
            #expect(
                try await bank.text(
                    """
                    SELECT string_agg(id || ':' || coalesce(last_closed_business_date::text, '-'), ' ' ORDER BY id)
                        AS value FROM m_loan
                    """
                ) == "\(behind):2023-02-02 \(current):2023-02-02 \(fresh):-"
            )
            // Nothing is left to catch up; the normal run then picks up the loan never closed.
            let again = try await bank.runCOB(["catchUp": true])
            #expect(again["dates"] == .array([]))
            let normal = try await bank.runCOB(["force": true])
            #expect(normal.integer("closed") == 1)
            // Installment 1 is already due (66.67 on 02-01), installment 2 current by one day (1.79).
            #expect(
                try await bank.accruals(fresh) == [
                    "2023-02-01 66.67 66.67/0.00/0.00", "2023-02-02 1.79 1.79/0.00/0.00",
                ]
            )
        }
    }

    /// The demo bank (`seed-demo`: loans on several products, some in arrears, closed through the
    /// day before the COB date) closes without a failed loan, and the stand-alone accrual that
    /// follows to the business date finds every loan already accrued up to the COB date.
    @Test func closesTheDemoBankWithoutFailures() async throws {
        try await LoanTestBank.with { bank in
            var options = DemoDataSeeder.Options(businessDate: LocalDate(year: 2024, month: 2, day: 1))
            options.tenantIDs = ["demo-x"]
            options.clientsPerTenant = 50
            options.loansPerTenant = 300
            options.savingsAccountsPerTenant = 1
            options.historyDays = 2
            let summary = try await DemoDataSeeder(pool: bank.pool, logger: LoanTestBank.quietLogger).seed(options)
            #expect(summary.loans == 300)

            let cob = try await bank.run(LoanCOBWorker(pool: bank.pool), [:], tenant: "demo-x")
            #expect(cob["cobDate"] == .string("2024-01-31"))
            #expect(cob.integer("failed.count") == 0, "\(cob)")
            #expect(cob.integer("closed") == cob.integer("selected"))
            #expect((cob.integer("closed") ?? 0) > 0)
            #expect(cob.integer("steps.UPDATE_LOAN_ARREARS_AGING.loansInArrears") ?? 0 > 0)
            let accrual = try await bank.run(LoanInterestPostingWorker(pool: bank.pool), [:], tenant: "demo-x")
            #expect(accrual.integer("failed.count") == 0, "\(accrual)")
            #expect(
                try await bank.count(
                    """
                    SELECT count(*) AS count FROM m_loan
                    WHERE tenant_id = 'demo-x' AND loan_status_id IN (100, 200, 300, 303, 304)
                      AND last_closed_business_date IS DISTINCT FROM '2024-01-31'
                    """
                ) == 0
            )
        }
    }

    /// Only the configured steps run, in order; a name this service does not implement is
    /// reported and skipped, and with no step at all the COB closes nothing. Derived: with the
    /// accrual alone, L1 at COB 2023-02-03 accrues 66.67 on 02-01 and 50.21 / 28 × 2 = 3.59 on
    /// 02-03, and its product's penalty is not applied.
    @Test func configuredStepsDecideWhatRuns() async throws {
        try await LoanTestBank.with { bank in
            let product = try await bank.makeProduct(name: "L1 product", penalty: 10)
            let client = try await bank.makeClient("C-1", mobile: "+254700000001")
            let loan = try await bank.makeLoan("L1", product: product, client: client)
            try await bank.pool.query(
                """
                DELETE FROM m_batch_business_steps
                WHERE tenant_id = \(LoanTestBank.tenant) AND step_name <> 'ADD_PERIODIC_ACCRUAL_ENTRIES'
                """
            )
            try await bank.pool.query(
                """
                INSERT INTO m_batch_business_steps (tenant_id, job_name, step_name, step_order)
                VALUES (\(LoanTestBank.tenant), 'LOAN_CLOSE_OF_BUSINESS', 'EXTERNAL_ASSET_OWNER_TRANSFER', 7)
                """
            )
            let result = try await bank.closeDay("2023-02-03")
            #expect(result["unknownSteps"] == .array([.string("EXTERNAL_ASSET_OWNER_TRANSFER")]))
            #expect(result["steps"]?.objectValue.map { Set($0.keys) } == ["ADD_PERIODIC_ACCRUAL_ENTRIES"])
            #expect(
                try await bank.accruals(loan) == ["2023-02-01 66.67 66.67/0.00/0.00", "2023-02-03 3.59 3.59/0.00/0.00"]
            )
            #expect(try await bank.count("SELECT count(*) AS count FROM m_loan_charge") == 0)
            #expect(try await bank.count("SELECT count(*) AS count FROM m_loan_delinquency_tag_history") == 0)

            try await bank.pool.query("DELETE FROM m_batch_business_steps WHERE tenant_id = \(LoanTestBank.tenant)")
            let nothing = try await bank.closeDay("2023-02-04")
            #expect(nothing["skipped"] == .bool(true))
            #expect(
                try await bank.text("SELECT last_closed_business_date::text AS value FROM m_loan WHERE id = \(loan)")
                    == "2023-02-03"
            )
        }
    }

    /// The steps run in `step_order`, not in Fineract's default order: configured in reverse, the
    /// accrual and the arrears run before the overdue penalty, so on 2023-02-03, when L1's penalty
    /// wait of 2 days is reached, neither sees the 10.00 penalty the last step then charges (in
    /// the default order the night accrues it, 12.15 on 02-01, and counts it in arrears, 2051.84;
    /// see `goldenLoanThroughFiveCOBDates`). Derived: accruals 62.37, 2.15, 2.15, 1.79 and 1.80 as
    /// in the default order, without the penalty; arrears 1975.17 + 66.67 = 2041.84. The next
    /// night's accrual, now first, finds the penalty on the schedule and accrues it once.
    @Test func stepsRunInTheirConfiguredOrder() async throws {
        try await LoanTestBank.with { bank in
            let product = try await bank.makeProduct(name: "L1 product", penalty: 10)
            let client = try await bank.makeClient("C-1")
            let loan = try await bank.makeLoan("L1", product: product, client: client)
            try await bank.pool.query(
                "DELETE FROM m_batch_business_steps WHERE tenant_id = \(LoanTestBank.tenant)"
            )
            try await bank.pool.query(
                """
                INSERT INTO m_batch_business_steps (tenant_id, job_name, step_name, step_order)
                SELECT \(LoanTestBank.tenant), 'LOAN_CLOSE_OF_BUSINESS', name, ordinality
                FROM unnest(ARRAY['ADD_PERIODIC_ACCRUAL_ENTRIES', 'UPDATE_LOAN_ARREARS_AGING',
                                  'CHECK_LOAN_REPAYMENT_OVERDUE', 'CHECK_LOAN_REPAYMENT_DUE',
                                  'LOAN_DELINQUENCY_CLASSIFICATION', 'APPLY_CHARGE_TO_OVERDUE_LOANS'])
                    WITH ORDINALITY AS s(name, ordinality)
                """
            )
            for day in ["2023-01-30", "2023-01-31", "2023-02-01", "2023-02-02"] {
                #expect(try await bank.closeDay(day).integer("closed") == 1, "\(day)")
            }
            let penaltyNight = try await bank.closeDay("2023-02-03")
            #expect(penaltyNight.integer("steps.APPLY_CHARGE_TO_OVERDUE_LOANS.penalties") == 1)
            #expect(
                try await bank.accruals(loan) == [
                    "2023-01-30 62.37 62.37/0.00/0.00", "2023-01-31 2.15 2.15/0.00/0.00",
                    "2023-02-01 2.15 2.15/0.00/0.00", "2023-02-02 1.79 1.79/0.00/0.00",
                    "2023-02-03 1.80 1.80/0.00/0.00",
                ]
            )
            #expect(
                try await bank.text(
                    """
                    SELECT principal_overdue_derived::numeric(19,2) || ' ' || interest_overdue_derived::numeric(19,2)
                        || ' ' || penalty_charges_overdue_derived::numeric(19,2) || ' '
                        || total_overdue_derived::numeric(19,2) AS value
                    FROM m_loan_arrears_aging WHERE loan_id = \(loan)
                    """
                ) == "1975.17 66.67 0.00 2041.84"
            )
            #expect(
                try await bank.text(
                    """
                    SELECT penalty_charges_amount::numeric(19,2) || ' ' || accrual_penalty_charges_derived::numeric(19,2)
                        AS value
                    FROM m_loan_repayment_schedule WHERE loan_id = \(loan) AND installment = 1
                    """
                ) == "10.00 0.00"
            )

            try await bank.closeDay("2023-02-04")
            #expect(
                try await bank.text(
                    """
                    SELECT sum(penalty_charges_portion_derived)::numeric(19,2)::text AS value FROM m_loan_transaction
                    WHERE loan_id = \(loan) AND transaction_type_enum = 10 AND NOT is_reversed
                    """
                ) == "10.00"
            )
        }
    }
}
