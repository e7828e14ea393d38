import FineractDomain
import Foundation
import Postgres

/// One loan as the loan jobs load it: the COB steps' input plus what the writer needs to post
/// (office, client contacts, product).
struct LoanRecord: Sendable {
    var input: LoanCOBInput
    var productID: Int64
    var accountNumber: String
    var clientID: Int64
    var officeID: Int64
    var currencyCode: String
    var mobileNumber: String?
    var emailAddress: String?

    var loanID: Int64 { self.input.loanID }
}

/// Loads a batch of loans with a handful of statements (loans, schedules, charges, applied
/// penalties, open delinquency tags), never one statement per loan.
struct LoanBatchReader: Sendable {
    let tenantID: String
    let products: [Int64: LoanProductRules]
    /// The steps the batch runs; reads a step does not need are skipped.
    let steps: [LoanCOBStep]

    /// The loans of `ids`, each loaded or with the reason it could not be; in id order.
    func read(_ ids: [Int64], on connection: PostgresConnection) async throws -> [(
        Int64, Result<LoanRecord, any Error>
    )] {
        guard !ids.isEmpty else { return [] }
        let idArray = PostgresArray(ids.map(String.init))
        var loans = try await self.loans(idArray, on: connection)
        var schedules = try await self.schedules(idArray, on: connection)
        var charges: [Int64: [PeriodicAccrual.Charge]] = [:]
        if self.steps.contains(.addPeriodicAccrualEntries) {
            charges = try await self.charges(idArray, on: connection)
        }
        var applied: [Int64: Set<OverduePenaltyRule.Application>] = [:]
        if self.steps.contains(.applyChargeToOverdueLoans) {
            applied = try await self.appliedPenalties(idArray, on: connection)
        }
        var tags: [Int64: Int64] = [:]
        if self.steps.contains(.loanDelinquencyClassification) {
            tags = try await self.openDelinquencyTags(idArray, on: connection)
        }
        return ids.map { id in
            guard var loaded = loans.removeValue(forKey: id) else {
                let missing = LoanRuleError(code: "loan_not_loaded", message: "loan \(id) or its client was not found")
                return (id, .failure(missing))
            }
            if case .success(var record) = loaded {
                record.input.installments = schedules.removeValue(forKey: id) ?? []
                record.input.charges = charges[id] ?? []
                record.input.appliedPenalties = applied[id] ?? []
                record.input.openDelinquencyRangeID = tags[id]
                loaded = .success(record)
            }
            return (id, loaded)
        }
    }

    // MARK: - Statements

    private func loans(_ ids: PostgresArray, on connection: PostgresConnection) async throws
        -> [Int64: Result<LoanRecord, any Error>]
    {
        let rows = try await connection.query(
            """
            SELECT l.id, l.account_no, l.client_id, c.office_id, c.mobile_no, c.email_address, l.product_id,
                l.loan_status_id, l.currency_code, l.currency_digits, l.currency_multiplesof, l.disbursedon_date,
                l.interest_calculated_from_date, l.accrued_till, l.grace_on_arrears_ageing, l.is_npa, l.is_charged_off
            FROM m_loan l JOIN m_client c ON c.tenant_id = l.tenant_id AND c.id = l.client_id
            WHERE l.tenant_id = \(self.tenantID) AND l.id = ANY(\(ids)::bigint[])
            """
        )
        var loans: [Int64: Result<LoanRecord, any Error>] = [:]
        for row in rows {
            let id: Int64 = try row.decode("id")
            loans[id] = Result { try self.record(row, id: id) }
        }
        return loans
    }

    private func record(_ row: PostgresRow, id: Int64) throws -> LoanRecord {
        let productID: Int64 = try row.decode("product_id")
        guard let product = self.products[productID] else {
            throw LoanRuleError(
                code: "unknown_product",
                message: "loan \(id) refers to loan product \(productID), which was not loaded"
            )
        }
        let code: String = try row.decode("currency_code")
        let digits: Int = try row.decode("currency_digits")
        guard (0...6).contains(digits) else {
            throw LoanRuleError(code: "invalid_currency_digits", message: "loan \(id) has \(digits) currency digits")
        }
        let currency = Currency(
            code: code,
            digits: digits,
            multiplesOf: try row.decode("currency_multiplesof", as: Int?.self)
        )
        let input = LoanCOBInput(
            loanID: id,
            status: try row.decode("loan_status_id"),
            currency: currency,
            disbursedOn: try row.decode("disbursedon_date", as: LocalDate?.self),
            interestCalculatedFrom: try row.decode("interest_calculated_from_date", as: LocalDate?.self),
            accruedTill: try row.decode("accrued_till", as: LocalDate?.self),
            graceOnArrearsAgeing: try row.decode("grace_on_arrears_ageing", as: Int?.self) ?? product
                .graceOnArrearsAgeing ?? 0,
            isNPA: try row.decode("is_npa"),
            isChargedOff: try row.decode("is_charged_off"),
            accountingType: product.accountingType,
            overdueCharges: product.overdueCharges,
            delinquencyRanges: product.delinquencyRanges,
            dueDaysForRepaymentEvent: product.dueDaysForRepaymentEvent,
            overdueDaysForRepaymentEvent: product.overdueDaysForRepaymentEvent,
            installments: []
        )
        return LoanRecord(
            input: input,
            productID: productID,
            accountNumber: try row.decode("account_no"),
            clientID: try row.decode("client_id"),
            officeID: try row.decode("office_id"),
            currencyCode: code,
            mobileNumber: try row.decode("mobile_no", as: String?.self),
            emailAddress: try row.decode("email_address", as: String?.self)
        )
    }

    private func schedules(_ ids: PostgresArray, on connection: PostgresConnection) async throws -> [Int64:
        [LoanInstallment]]
    {
        let rows = try await connection.query(
            """
            SELECT id, loan_id, installment, fromdate, duedate, principal_amount,
                principal_amount - principal_completed_derived - principal_writtenoff_derived AS principal_outstanding,
                interest_amount, interest_waived_derived,
                interest_amount - interest_completed_derived - interest_waived_derived - interest_writtenoff_derived
                    AS interest_outstanding,
                accrual_interest_derived, fee_charges_amount, fee_charges_waived_derived,
                fee_charges_amount - fee_charges_completed_derived - fee_charges_waived_derived
                    - fee_charges_writtenoff_derived AS fee_outstanding,
                accrual_fee_charges_derived, penalty_charges_amount, penalty_charges_waived_derived,
                penalty_charges_amount - penalty_charges_completed_derived - penalty_charges_waived_derived
                    - penalty_charges_writtenoff_derived AS penalty_outstanding,
                accrual_penalty_charges_derived, completed_derived
            FROM m_loan_repayment_schedule
            WHERE tenant_id = \(self.tenantID) AND loan_id = ANY(\(ids)::bigint[])
            ORDER BY loan_id, installment
            """
        )
        var schedules: [Int64: [LoanInstallment]] = [:]
        for row in rows {
            let installment = LoanInstallment(
                id: try row.decode("id"),
                number: try row.decode("installment"),
                fromDate: try row.decode("fromdate", as: LocalDate.self),
                dueDate: try row.decode("duedate", as: LocalDate.self),
                principal: try row.decode("principal_amount"),
                principalOutstanding: try row.decode("principal_outstanding", as: Decimal.self),
                interest: try row.decode("interest_amount"),
                interestWaived: try row.decode("interest_waived_derived"),
                interestOutstanding: try row.decode("interest_outstanding", as: Decimal.self),
                accruedInterest: try row.decode("accrual_interest_derived"),
                fee: try row.decode("fee_charges_amount"),
                feeWaived: try row.decode("fee_charges_waived_derived"),
                feeOutstanding: try row.decode("fee_outstanding", as: Decimal.self),
                accruedFee: try row.decode("accrual_fee_charges_derived"),
                penalty: try row.decode("penalty_charges_amount"),
                penaltyWaived: try row.decode("penalty_charges_waived_derived"),
                penaltyOutstanding: try row.decode("penalty_outstanding", as: Decimal.self),
                accruedPenalty: try row.decode("accrual_penalty_charges_derived"),
                isCompleted: try row.decode("completed_derived")
            )
            schedules[try row.decode("loan_id"), default: []].append(installment)
        }
        return schedules
    }

    /// Active, unwaived fees and penalties by due date, without the overdue-installment
    /// penalties (charge time 9), which accrue with the installment they belong to.
    private func charges(_ ids: PostgresArray, on connection: PostgresConnection) async throws -> [Int64:
        [PeriodicAccrual.Charge]]
    {
        let rows = try await connection.query(
            """
            SELECT loan_id, due_for_collection_as_of_date, amount - amount_waived_derived AS amount, is_penalty
            FROM m_loan_charge
            WHERE tenant_id = \(self.tenantID) AND loan_id = ANY(\(ids)::bigint[]) AND is_active AND NOT waived
              AND charge_time_enum <> 9 AND due_for_collection_as_of_date IS NOT NULL
            """
        )
        var charges: [Int64: [PeriodicAccrual.Charge]] = [:]
        for row in rows {
            charges[try row.decode("loan_id"), default: []].append(
                PeriodicAccrual.Charge(
                    dueDate: try row.decode("due_for_collection_as_of_date", as: LocalDate.self),
                    amount: try row.decode("amount"),
                    isPenalty: try row.decode("is_penalty")
                )
            )
        }
        return charges
    }

    private func appliedPenalties(_ ids: PostgresArray, on connection: PostgresConnection) async throws
        -> [Int64: Set<OverduePenaltyRule.Application>]
    {
        let rows = try await connection.query(
            """
            SELECT s.loan_id, oc.loan_schedule_id, oc.charge_id, oc.frequency_number
            FROM m_loan_overdue_installment_charge oc
            JOIN m_loan_repayment_schedule s ON s.tenant_id = oc.tenant_id AND s.id = oc.loan_schedule_id
            WHERE oc.tenant_id = \(self.tenantID) AND s.loan_id = ANY(\(ids)::bigint[])
            """
        )
        var applied: [Int64: Set<OverduePenaltyRule.Application>] = [:]
        for row in rows {
            applied[try row.decode("loan_id"), default: []].insert(
                OverduePenaltyRule.Application(
                    installmentID: try row.decode("loan_schedule_id"),
                    chargeID: try row.decode("charge_id"),
                    frequencyNumber: try row.decode("frequency_number")
                )
            )
        }
        return applied
    }

    private func openDelinquencyTags(_ ids: PostgresArray, on connection: PostgresConnection) async throws -> [Int64:
        Int64]
    {
        let rows = try await connection.query(
            """
            SELECT loan_id, delinquency_range_id FROM m_loan_delinquency_tag_history
            WHERE tenant_id = \(self.tenantID) AND loan_id = ANY(\(ids)::bigint[]) AND liftedon_date IS NULL
            """
        )
        var tags: [Int64: Int64] = [:]
        for row in rows {
            tags[try row.decode("loan_id")] = try row.decode("delinquency_range_id")
        }
        return tags
    }
}
