public import Foundation

/// One row of a savings account's transaction history, as the interest jobs read it.
public struct SavingsTransaction: Sendable, Hashable {
    /// The row's id; its creation order, which breaks ties between transactions of one date.
    public var id: Int64
    public var type: SavingsTransactionType
    public var date: LocalDate
    /// Always positive; the type says which way it moves the balance.
    public var amount: Decimal
    public var isReversed: Bool
    /// Whether an operator posted it by hand ("post interest as on"); a manual interest posting
    /// ends a posting period on its date.
    public var isManual: Bool

    public init(
        id: Int64,
        type: SavingsTransactionType,
        date: LocalDate,
        amount: Decimal,
        isReversed: Bool = false,
        isManual: Bool = false
    ) {
        self.id = id
        self.type = type
        self.date = date
        self.amount = amount
        self.isReversed = isReversed
        self.isManual = isManual
    }

    /// Whether the transaction counts: not reversed.
    public var isLive: Bool { !self.isReversed }

    /// The signed amount of a live interest posting: interest positive, overdraft interest negative.
    public var signedInterestAmount: Decimal {
        self.type == .overdraftInterest ? -self.amount : self.amount
    }

    /// Fineract's order of an account's history: by date, then by creation.
    public static func historyOrder(_ lhs: SavingsTransaction, _ rhs: SavingsTransaction) -> Bool {
        (lhs.date, lhs.id) < (rhs.date, rhs.id)
    }
}
