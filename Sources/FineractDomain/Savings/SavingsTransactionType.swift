/// A savings transaction's type, with the codes Fineract stores in
/// `m_savings_account_transaction.transaction_type_enum` (`SavingsAccountTransactionType`).
///
/// An open set: rows written by other parts of the system may carry codes this list does not name,
/// and such rows move neither balance.
public struct SavingsTransactionType: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public let rawValue: Int

    public init(rawValue: Int) {
        self.rawValue = rawValue
    }

    public static let deposit = Self(rawValue: 1)
    public static let withdrawal = Self(rawValue: 2)
    public static let interestPosting = Self(rawValue: 3)
    public static let withdrawalFee = Self(rawValue: 4)
    public static let annualFee = Self(rawValue: 5)
    public static let waiveCharges = Self(rawValue: 6)
    public static let payCharge = Self(rawValue: 7)
    public static let dividendPayout = Self(rawValue: 8)
    public static let accrual = Self(rawValue: 10)
    public static let initiateTransfer = Self(rawValue: 12)
    public static let approveTransfer = Self(rawValue: 13)
    public static let withdrawTransfer = Self(rawValue: 14)
    public static let rejectTransfer = Self(rawValue: 15)
    public static let writtenOff = Self(rawValue: 16)
    public static let overdraftInterest = Self(rawValue: 17)
    public static let withholdTax = Self(rawValue: 18)
    public static let escheat = Self(rawValue: 19)
    public static let amountHold = Self(rawValue: 20)
    public static let amountRelease = Self(rawValue: 21)

    /// Which way a transaction moves a balance.
    public enum BalanceEffect: Sendable {
        case credit
        case debit
        case none
    }

    /// Whether this is one of the interest jobs' own postings (interest or overdraft interest).
    public var isInterestPosting: Bool {
        self == .interestPosting || self == .overdraftInterest
    }

    /// How the transaction moves the balance that interest is calculated on (step A).
    ///
    /// Only deposits and dividends add and only withdrawals and fees subtract, as in Fineract's
    /// `toEndOfDayBalance`; withheld tax, holds and the rest leave that balance alone. Interest
    /// postings never reach it: compounding carries earned interest separately.
    public var interestBalanceEffect: BalanceEffect {
        switch self {
        case .deposit, .dividendPayout:
            .credit
        case .withdrawal, .withdrawalFee, .annualFee, .payCharge:
            .debit
        default:
            .none
        }
    }

    /// How the transaction moves the account's running balance (`running_balance_derived`), which,
    /// unlike the interest balance, includes posted interest, withheld tax and holds.
    public var runningBalanceEffect: BalanceEffect {
        switch self {
        case .deposit, .interestPosting, .dividendPayout, .amountRelease:
            .credit
        case .withdrawal, .withdrawalFee, .annualFee, .payCharge, .overdraftInterest, .withholdTax, .escheat,
            .amountHold:
            .debit
        default:
            .none
        }
    }

    public var description: String { "\(self.rawValue)" }
}
