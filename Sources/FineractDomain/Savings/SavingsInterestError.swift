/// Why the interest of one account cannot be calculated.
public struct SavingsInterestError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Code: String, Sendable, Hashable {
        /// The account compounds less often than it posts, which Fineract refuses when a product is saved.
        case compoundingLongerThanPosting = "compounding_longer_than_posting"
    }

    public var code: Code
    /// Safe to show: names the terms, carries no amounts.
    public var message: String

    public init(code: Code, message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(self.code.rawValue): \(self.message)" }
}
