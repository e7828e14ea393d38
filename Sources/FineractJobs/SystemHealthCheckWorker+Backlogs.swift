import FineractDomain
import JobsCore
import JobsEngine
import Postgres

extension SystemHealthCheckWorker {
    /// Active savings accounts that earned interest in a period whose posting is due by the
    /// business date but whose `interest_posted_till_date` is older than that posting's date.
    ///
    /// Accounts that earn nothing are left out, as Fineract's posting job skips them: a zero
    /// nominal rate and no overdraft interest.
    func checkSavingsPostings(
        _ tenantID: String,
        businessDate: LocalDate,
        financialYearStartMonth: Int,
        postsOnPeriodEnd: Bool,
        problems: inout [String]
    ) async throws -> JSONValue {
        let deadlines = InterestPostingDeadline.PostingPeriod.allCases.map { period in
            (
                period,
                InterestPostingDeadline(
                    period: period,
                    businessDate: businessDate,
                    financialYearStartMonth: financialYearStartMonth,
                    postsOnPeriodEnd: postsOnPeriodEnd
                )
            )
        }
        let row = try await self.pool.query(
            """
            WITH deadline AS (
                SELECT * FROM unnest(
                    \(PostgresArray(deadlines.map { String($0.0.rawValue) }))::smallint[],
                    \(PostgresArray(deadlines.map { $0.1.postingDate.description }))::date[],
                    \(PostgresArray(deadlines.map { $0.1.periodEnd.description }))::date[]
                ) AS d(period, posting_date, period_end)
            )
            SELECT count(*) AS lacking,
                   coalesce(to_jsonb((array_agg(a.id ORDER BY a.id))[1:100]), '[]') AS account_ids
            FROM m_savings_account a
            JOIN deadline d ON d.period = a.interest_posting_period_enum
            WHERE a.tenant_id = \(tenantID) AND a.status_enum = 300
              AND (a.nominal_annual_interest_rate > 0
                   OR (a.allow_overdraft AND coalesce(a.nominal_annual_interest_rate_overdraft, 0) > 0))
              AND coalesce(a.start_interest_calculation_date, a.activatedon_date) <= d.period_end
              AND (a.interest_posted_till_date IS NULL OR a.interest_posted_till_date < d.posting_date)
            """
        )[0]
        let lacking: Int64 = try row.decode("lacking")
        if lacking > 0 {
            problems.append("\(lacking) savings accounts lack an interest posting that is due by \(businessDate)")
        }
        return .object([
            "lackingPosting": .integer(lacking),
            "accountIds": try Self.json(row.decode("account_ids", as: PostgresJSON.self)),
        ])
    }

    /// Messages whose sending was abandoned: claims older than the lease on pending rows, and SMS
    /// hand-overs left in 150 under such a claim. SMS in 150 without a claim wait for the gateway's
    /// delivery report; they are counted, not reported as a problem.
    func checkNotifications(_ tenantID: String, lease: Duration, problems: inout [String]) async throws -> JSONValue {
        let leaseSeconds = lease.milliseconds / 1000
        let row = try await self.pool.query(
            """
            SELECT
                (SELECT count(*) FROM scheduled_email_messages_outbound
                 WHERE tenant_id = \(tenantID) AND status_enum = 100
                   AND claimed_at < now() - make_interval(secs => \(leaseSeconds))) AS email_claims_expired,
                (SELECT count(*) FROM sms_messages_outbound
                 WHERE tenant_id = \(tenantID) AND status_enum = 100
                   AND claimed_at < now() - make_interval(secs => \(leaseSeconds))) AS sms_claims_expired,
                (SELECT count(*) FROM sms_messages_outbound
                 WHERE tenant_id = \(tenantID) AND status_enum = 150 AND claimed_by IS NOT NULL
                   AND claimed_at < now() - make_interval(secs => \(leaseSeconds))) AS sms_hand_overs_abandoned,
                (SELECT count(*) FROM sms_messages_outbound
                 WHERE tenant_id = \(tenantID) AND status_enum = 150 AND claimed_by IS NULL) AS sms_waiting_for_report
            """
        )[0]
        let emailExpired: Int64 = try row.decode("email_claims_expired")
        let smsExpired: Int64 = try row.decode("sms_claims_expired")
        let abandoned: Int64 = try row.decode("sms_hand_overs_abandoned")
        if emailExpired + smsExpired > 0 {
            problems.append("\(emailExpired + smsExpired) pending messages are claimed for longer than the lease")
        }
        if abandoned > 0 {
            problems.append("\(abandoned) SMS are stuck in WAITING_FOR_DELIVERY_REPORT with an abandoned hand-over")
        }
        return .object([
            "emailClaimsExpired": .integer(emailExpired),
            "smsClaimsExpired": .integer(smsExpired),
            "smsHandOversAbandoned": .integer(abandoned),
            "smsWaitingForDeliveryReport": .integer(try row.decode("sms_waiting_for_report")),
        ])
    }

    /// `job_run` rows still RUNNING after `staleAfter`.
    func checkJobRuns(_ tenantID: String, staleAfter: Duration, problems: inout [String]) async throws -> JSONValue {
        let row = try await self.pool.query(
            """
            SELECT count(*) AS stale, coalesce(to_jsonb((array_agg(id ORDER BY id))[1:100]), '[]') AS run_ids
            FROM job_run
            WHERE tenant_id = \(tenantID) AND status = 'RUNNING'
              AND started_at < now() - make_interval(secs => \(staleAfter.milliseconds / 1000))
            """
        )[0]
        let stale: Int64 = try row.decode("stale")
        if stale > 0 {
            problems.append(
                "\(stale) job runs have been RUNNING for longer than \(staleAfter.milliseconds / 60_000) minutes"
            )
        }
        return .object([
            "staleRunning": .integer(stale), "runIds": try Self.json(row.decode("run_ids", as: PostgresJSON.self)),
        ])
    }
}
