import FineractDomain
import Foundation
import Postgres

extension LoanBatchWriter {
    /// Creates each penalty as an `m_loan_charge` and records its application in
    /// `m_loan_overdue_installment_charge`, one statement for the batch.
    func insertPenalties(_ plans: [LoanPlan], on connection: PostgresConnection) async throws {
        let penalties = plans.flatMap { plan in plan.outcome.penalties.map { (plan.loanID, $0) } }
        guard !penalties.isEmpty else { return }
        // The charge ids are drawn first so both rows of a penalty are written by one statement.
        try await connection.query(
            """
            WITH input AS (
                SELECT nextval(pg_get_serial_sequence('m_loan_charge', 'id')) AS id, t.*
                FROM unnest(\(Self.ids(penalties.map(\.0)))::bigint[],
                    \(Self.ids(penalties.map(\.1.chargeID)))::bigint[],
                    \(Self.ids(penalties.map(\.1.installmentID)))::bigint[],
                    \(PostgresArray(penalties.map { String($0.1.frequencyNumber) }))::int[],
                    \(PostgresArray(penalties.map { $0.1.dueDate.description }))::date[],
                    \(PostgresArray(penalties.map { $0.1.amount.description }))::numeric[])
                    AS t(loan_id, charge_id, schedule_id, frequency_number, due_date, amount)
            ), charges AS (
                INSERT INTO m_loan_charge (id, tenant_id, loan_id, charge_id, is_penalty, charge_time_enum,
                    due_for_collection_as_of_date, amount, amount_outstanding_derived)
                OVERRIDING SYSTEM VALUE
                SELECT id, \(self.tenantID), loan_id, charge_id, true, 9, due_date, amount, amount FROM input
            )
            INSERT INTO m_loan_overdue_installment_charge (tenant_id, loan_charge_id, loan_schedule_id,
                frequency_number, charge_id)
            SELECT \(self.tenantID), id, schedule_id, frequency_number, charge_id FROM input
            """
        )
    }

    /// Lifts changed or ended tags and opens the new ones, dated the business date.
    func writeDelinquency(_ plans: [LoanPlan], on connection: PostgresConnection) async throws {
        var lifted: [Int64] = []
        var added: [(loanID: Int64, rangeID: Int64)] = []
        for plan in plans {
            switch plan.outcome.delinquency {
            case .unchanged: break
            case .add(let range): added.append((plan.loanID, range))
            case .change(_, let range):
                lifted.append(plan.loanID)
                added.append((plan.loanID, range))
            case .lift: lifted.append(plan.loanID)
            }
        }
        let businessDate = self.purpose.date.adding(days: 1)
        if !lifted.isEmpty {
            try await connection.query(
                """
                UPDATE m_loan_delinquency_tag_history SET liftedon_date = \(businessDate)
                WHERE tenant_id = \(self.tenantID) AND loan_id = ANY(\(Self.ids(lifted))::bigint[])
                  AND liftedon_date IS NULL
                """
            )
        }
        if !added.isEmpty {
            try await connection.query(
                """
                INSERT INTO m_loan_delinquency_tag_history (tenant_id, loan_id, delinquency_range_id, addedon_date)
                SELECT \(self.tenantID), loan_id, range_id, \(businessDate)
                FROM unnest(\(Self.ids(added.map(\.loanID)))::bigint[], \(Self.ids(added.map(\.rangeID)))::bigint[])
                    AS t(loan_id, range_id)
                """
            )
        }
    }

    /// Replaces the arrears row of every loan whose arrears step ran.
    func writeArrears(_ plans: [LoanPlan], on connection: PostgresConnection) async throws {
        let recomputed = plans.filter(\.outcome.recomputesArrears)
        guard !recomputed.isEmpty else { return }
        try await connection.query(
            """
            DELETE FROM m_loan_arrears_aging
            WHERE tenant_id = \(self.tenantID) AND loan_id = ANY(\(Self.ids(recomputed.map(\.loanID)))::bigint[])
            """
        )
        let rows = recomputed.compactMap { plan in plan.outcome.arrears.map { (plan.loanID, $0) } }
        guard !rows.isEmpty else { return }
        try await connection.query(
            """
            INSERT INTO m_loan_arrears_aging (tenant_id, loan_id, principal_overdue_derived, interest_overdue_derived,
                fee_charges_overdue_derived, penalty_charges_overdue_derived, total_overdue_derived,
                overdue_since_date_derived)
            SELECT \(self.tenantID), t.* FROM unnest(\(Self.ids(rows.map(\.0)))::bigint[],
                \(PostgresArray(rows.map { $0.1.principal.description }))::numeric[],
                \(PostgresArray(rows.map { $0.1.interest.description }))::numeric[],
                \(PostgresArray(rows.map { $0.1.fee.description }))::numeric[],
                \(PostgresArray(rows.map { $0.1.penalty.description }))::numeric[],
                \(PostgresArray(rows.map { $0.1.total.description }))::numeric[],
                \(PostgresArray(rows.map { $0.1.overdueSince.description }))::date[]) AS t
            """
        )
    }

    /// Queues an SMS and an e-mail per reminder, to the client's number and address when it has
    /// them; a reminder already queued (same key) is left alone.
    func queueReminders(_ plans: [LoanPlan], on connection: PostgresConnection) async throws -> (sms: Int, emails: Int)
    {
        var sms: [(clientID: Int64, to: String, message: RepaymentReminderMessage)] = []
        var emails: [(clientID: Int64, to: String, message: RepaymentReminderMessage)] = []
        for plan in plans {
            let record = plan.record
            for reminder in plan.outcome.reminders {
                let message = RepaymentReminderMessage(
                    reminder: reminder,
                    loanID: record.loanID,
                    accountNumber: record.accountNumber,
                    currencyCode: record.currencyCode
                )
                if let mobile = record.mobileNumber, !mobile.isEmpty {
                    sms.append((record.clientID, mobile, message))
                }
                if let email = record.emailAddress, !email.isEmpty {
                    emails.append((record.clientID, email, message))
                }
            }
        }
        let submitted = self.purpose.date
        var queued = (sms: 0, emails: 0)
        if !sms.isEmpty {
            queued.sms = try await connection.query(
                """
                INSERT INTO sms_messages_outbound (tenant_id, client_id, mobile_no, message, submittedon_date, dedup_key)
                SELECT \(self.tenantID), t.client_id, t.mobile_no, t.message, \(submitted), t.dedup_key
                FROM unnest(\(Self.ids(sms.map(\.clientID)))::bigint[], \(PostgresArray(sms.map(\.to)))::text[],
                    \(PostgresArray(sms.map(\.message.text)))::text[],
                    \(PostgresArray(sms.map(\.message.deduplicationKey)))::text[])
                    AS t(client_id, mobile_no, message, dedup_key)
                ON CONFLICT (tenant_id, dedup_key) WHERE dedup_key IS NOT NULL DO NOTHING
                """
            ).affectedRows
        }
        if !emails.isEmpty {
            queued.emails = try await connection.query(
                """
                INSERT INTO scheduled_email_messages_outbound (tenant_id, client_id, email_address, email_subject,
                    message, submittedon_date, dedup_key)
                SELECT \(self.tenantID), t.client_id, t.email_address, t.subject, t.message, \(submitted), t.dedup_key
                FROM unnest(\(Self.ids(emails.map(\.clientID)))::bigint[], \(PostgresArray(emails.map(\.to)))::text[],
                    \(PostgresArray(emails.map(\.message.subject)))::text[],
                    \(PostgresArray(emails.map(\.message.text)))::text[],
                    \(PostgresArray(emails.map(\.message.deduplicationKey)))::text[])
                    AS t(client_id, email_address, subject, message, dedup_key)
                ON CONFLICT (tenant_id, dedup_key) WHERE dedup_key IS NOT NULL DO NOTHING
                """
            ).affectedRows
        }
        return queued
    }
}
