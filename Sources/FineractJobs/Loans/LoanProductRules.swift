import FineractDomain
import Foundation
import Postgres

/// What a loan product (`m_product_loan`) contributes to its loans' COB: accounting, the overdue
/// penalty charges, the delinquency bucket, reminder overrides and the GL accounts it posts to.
struct LoanProductRules: Sendable {
    /// `acc_product_mapping.financial_account_type` codes of loan products that accruals post to.
    enum GLAccountType: Int, Sendable {
        case interestIncome = 3
        case feeIncome = 4
        case penaltyIncome = 5
        case interestReceivable = 7
        case feesReceivable = 8
        case penaltiesReceivable = 9
    }

    var accountingType: Int
    var graceOnArrearsAgeing: Int?
    var overdueCharges: [OverduePenaltyRule.Charge]
    var delinquencyRanges: [DelinquencyClassifier.Range]?
    var dueDaysForRepaymentEvent: Int?
    var overdueDaysForRepaymentEvent: Int?
    /// GL account ids by `financial_account_type`.
    var glAccounts: [Int: Int64]

    func glAccount(_ type: GLAccountType) -> Int64? {
        self.glAccounts[type.rawValue]
    }

    /// Reads every loan product of the tenant with its charges, bucket ranges and mappings: four
    /// small statements, however many loans the run covers.
    static func load(tenantID: String, on connection: PostgresConnection) async throws -> [Int64: LoanProductRules] {
        var products: [Int64: LoanProductRules] = [:]
        var buckets: [Int64: Int64] = [:]
        for row in try await connection.query(
            """
            SELECT id, accounting_type, grace_on_arrears_ageing, delinquency_bucket_id,
                due_days_for_repayment_event, overdue_days_for_repayment_event
            FROM m_product_loan WHERE tenant_id = \(tenantID)
            """
        ) {
            let id: Int64 = try row.decode("id")
            products[id] = LoanProductRules(
                accountingType: try row.decode("accounting_type"),
                graceOnArrearsAgeing: try row.decode("grace_on_arrears_ageing", as: Int?.self),
                overdueCharges: [],
                delinquencyRanges: nil,
                dueDaysForRepaymentEvent: try row.decode("due_days_for_repayment_event", as: Int?.self),
                overdueDaysForRepaymentEvent: try row.decode("overdue_days_for_repayment_event", as: Int?.self),
                glAccounts: [:]
            )
            buckets[id] = try row.decode("delinquency_bucket_id", as: Int64?.self)
        }
        for row in try await connection.query(
            """
            SELECT pc.product_loan_id, c.id, c.amount, c.charge_calculation_enum, c.fee_frequency, c.fee_interval
            FROM m_product_loan_charge pc
            JOIN m_charge c ON c.tenant_id = pc.tenant_id AND c.id = pc.charge_id
            WHERE pc.tenant_id = \(tenantID) AND c.charge_time_enum = 9 AND c.charge_applies_to_enum = 1
            ORDER BY pc.product_loan_id, c.id
            """
        ) {
            let product: Int64 = try row.decode("product_loan_id")
            let frequency = try row.decode("fee_frequency", as: Int?.self)
            products[product]?.overdueCharges.append(
                OverduePenaltyRule.Charge(
                    id: try row.decode("id"),
                    amount: try row.decode("amount"),
                    calculationCode: try row.decode("charge_calculation_enum"),
                    frequency: frequency.flatMap(LoanScheduleTerms.PeriodFrequency.init(rawValue:)),
                    interval: try row.decode("fee_interval", as: Int?.self)
                )
            )
        }
        var ranges: [Int64: [DelinquencyClassifier.Range]] = [:]
        for row in try await connection.query(
            """
            SELECT m.delinquency_bucket_id, r.id, r.classification, r.min_age_days, r.max_age_days
            FROM m_delinquency_bucket_mappings m
            JOIN m_delinquency_range r ON r.tenant_id = m.tenant_id AND r.id = m.delinquency_range_id
            WHERE m.tenant_id = \(tenantID)
            """
        ) {
            ranges[try row.decode("delinquency_bucket_id"), default: []].append(
                DelinquencyClassifier.Range(
                    id: try row.decode("id"),
                    classification: try row.decode("classification"),
                    minimumAgeDays: try row.decode("min_age_days"),
                    maximumAgeDays: try row.decode("max_age_days", as: Int?.self)
                )
            )
        }
        for (product, bucket) in buckets {
            products[product]?.delinquencyRanges = ranges[bucket] ?? []
        }
        for row in try await connection.query(
            """
            SELECT product_id, financial_account_type, gl_account_id FROM acc_product_mapping
            WHERE tenant_id = \(tenantID) AND product_type = 1
            """
        ) {
            let product: Int64 = try row.decode("product_id")
            products[product]?.glAccounts[try row.decode("financial_account_type")] = try row.decode("gl_account_id")
        }
        return products
    }
}
