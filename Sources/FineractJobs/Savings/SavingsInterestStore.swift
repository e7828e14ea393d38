import FineractDomain
import Foundation
import JobsCore
import Postgres

/// The reads of the savings interest jobs: the tenant's configuration, and a chunk's accounts with
/// their transactions and GL mappings in a few set-based queries.
struct SavingsInterestStore: Sendable {
    let pool: PostgresPool

    /// The tenant's rounding mode, financial year and posting-date configuration, with Fineract's
    /// defaults for what is disabled or missing.
    ///
    /// - Throws: `JobWorkerError` (not retryable) for a value Fineract would refuse.
    func settings(tenantID: String) async throws -> SavingsInterestSettings {
        let rows = try await self.pool.query(
            """
            SELECT name, value, enabled FROM c_configuration
            WHERE tenant_id = \(tenantID) AND name IN (
                'rounding-mode', 'financial-year-beginning-month', 'savings-interest-posting-current-period-end')
            """
        )
        var settings = SavingsInterestSettings()
        for row in rows {
            let name: String = try row.decode("name")
            let value: Int64? = try row.decode("value")
            guard try row.decode("enabled", as: Bool.self) else { continue }
            switch name {
            case "rounding-mode":
                guard let value, let mode = MoneyRoundingMode(rawValue: Int(value)) else {
                    throw Self.badConfiguration(name, value)
                }
                settings.roundingMode = mode
            case "financial-year-beginning-month":
                guard let value, (1...12).contains(value) else { throw Self.badConfiguration(name, value) }
                settings.financialYearBeginningMonth = Int(value)
            default:
                settings.postsOnPeriodEnd = true
            }
        }
        return settings
    }

    /// The ids of the tenant's active accounts, ascending, optionally within `range`.
    func activeAccountIDs(tenantID: String, in range: ClosedRange<Int64>? = nil) async throws -> [Int64] {
        let from = range?.lowerBound ?? Int64.min
        let to = range?.upperBound ?? Int64.max
        let rows = try await self.pool.query(
            """
            SELECT id FROM m_savings_account
            WHERE tenant_id = \(tenantID) AND status_enum = 300 AND id BETWEEN \(from) AND \(to)
            ORDER BY id
            """
        )
        return try rows.map { try $0.decode("id", as: Int64.self) }
    }

    // MARK: - Reads inside a chunk's transaction

    /// Locks the chunk's active accounts (`FOR UPDATE`), so no other run or writer changes them
    /// until the chunk commits, and reads them.
    ///
    /// - Returns: the readable accounts, and a failure for each whose terms cannot be used.
    static func lockAccounts(
        connection: PostgresConnection,
        tenantID: String,
        range: ClosedRange<Int64>
    ) async throws -> (accounts: [SavingsAccountRecord], failures: [SavingsAccountFailure]) {
        let rows = try await connection.query(
            """
            SELECT \(unescaped: SavingsAccountRecord.columns)
            FROM m_savings_account a
            JOIN m_savings_product p ON p.tenant_id = a.tenant_id AND p.id = a.product_id
            WHERE a.tenant_id = \(tenantID) AND a.status_enum = 300
                AND a.id BETWEEN \(range.lowerBound) AND \(range.upperBound)
            ORDER BY a.id
            FOR UPDATE OF a
            """
        )
        var accounts: [SavingsAccountRecord] = []
        var failures: [SavingsAccountFailure] = []
        for row in rows {
            do {
                accounts.append(try SavingsAccountRecord(row: row))
            } catch {
                // Terms Fineract would not have saved, or a value of the wrong shape: this account
                // cannot be processed, the others can.
                failures.append(SavingsAccountFailure(accountID: try row.decode("id"), reason: "\(error)"))
            }
        }
        return (accounts, failures)
    }

    /// The transactions of the given accounts, grouped by account, in history order.
    static func transactions(
        connection: PostgresConnection,
        tenantID: String,
        accountIDs: [Int64],
        withDerived: Bool
    ) async throws -> [Int64: [StoredSavingsTransaction]] {
        guard !accountIDs.isEmpty else { return [:] }
        let ids = PostgresArray(accountIDs.map(String.init))
        let rows = try await connection.query(
            """
            SELECT \(unescaped: StoredSavingsTransaction.columns(withDerived: withDerived))
            FROM m_savings_account_transaction
            WHERE tenant_id = \(tenantID) AND savings_account_id = ANY(\(ids)::bigint[])
            ORDER BY savings_account_id, transaction_date, id
            """
        )
        var grouped: [Int64: [StoredSavingsTransaction]] = [:]
        for row in rows {
            let stored = try StoredSavingsTransaction(row: row, withDerived: withDerived)
            grouped[stored.accountID, default: []].append(stored)
        }
        return grouped
    }

    /// The GL accounts the given savings products map, by product and financial account type.
    static func glAccounts(
        connection: PostgresConnection,
        tenantID: String,
        productIDs: Set<Int64>
    ) async throws -> [Int64: [Int: Int64]] {
        guard !productIDs.isEmpty else { return [:] }
        let rows = try await connection.query(
            """
            SELECT product_id, financial_account_type, gl_account_id FROM acc_product_mapping
            WHERE tenant_id = \(tenantID) AND product_type = 2
                AND product_id = ANY(\(PostgresArray(productIDs.sorted().map(String.init)))::bigint[])
            """
        )
        var mappings: [Int64: [Int: Int64]] = [:]
        for row in rows {
            let product: Int64 = try row.decode("product_id")
            mappings[product, default: [:]][try row.decode("financial_account_type")] = try row.decode("gl_account_id")
        }
        return mappings
    }

    private static func badConfiguration(_ name: String, _ value: Int64?) -> JobWorkerError {
        JobWorkerError(
            code: "invalid_configuration",
            message:
                "c_configuration \(name) holds \(value.map(String.init) ?? "no value"), which Fineract would refuse",
            isRetryable: false
        )
    }
}
