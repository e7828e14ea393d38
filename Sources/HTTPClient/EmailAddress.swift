import Foundation

/// An e-mail address in the plain `local@domain` form that SMTP envelopes and headers carry.
///
/// Deliberately narrower than RFC 5321 allows: ASCII only (no SMTPUTF8), no quoted local parts, no
/// address literals, and a domain of at least two labels. Queue rows outside this form are left
/// for a person to correct rather than sent. Anything accepted is safe to put in a header: it holds
/// no space, no line break, no angle bracket and no comma.
public struct EmailAddress: Sendable, Hashable, CustomStringConvertible {
    /// The address as given, e.g. `jane.doe@example.org`.
    public let address: String

    /// The part after `@`.
    public var domain: String {
        String(self.address[self.address.index(after: self.address.lastIndex(of: "@")!)...])
    }

    /// Parses `text`, trimmed of surrounding spaces; nil when it is not an address of the accepted form.
    public init?(_ text: String) {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard trimmed.utf8.count <= 254, let at = trimmed.lastIndex(of: "@") else { return nil }
        let local = trimmed[..<at]
        let domain = trimmed[trimmed.index(after: at)...]
        guard Self.isValidLocalPart(local), Self.isValidDomain(domain) else { return nil }
        self.address = trimmed
    }

    public var description: String { self.address }

    /// Characters RFC 5322 allows in an unquoted local part besides letters and digits.
    private static let localSymbols = Set("!#$%&'*+-/=?^_`{|}~".utf8)

    private static func isValidLocalPart(_ local: Substring) -> Bool {
        guard (1...64).contains(local.utf8.count), local.first != ".", local.last != ".", !local.contains("..")
        else { return false }
        return local.utf8.allSatisfy { byte in
            Self.isASCIIAlphanumeric(byte) || byte == UInt8(ascii: ".") || Self.localSymbols.contains(byte)
        }
    }

    private static func isValidDomain(_ domain: Substring) -> Bool {
        let labels = domain.split(separator: ".", omittingEmptySubsequences: false)
        guard domain.utf8.count <= 253, labels.count >= 2 else { return false }
        return labels.allSatisfy { label in
            (1...63).contains(label.utf8.count) && label.first != "-" && label.last != "-"
                && label.utf8.allSatisfy { Self.isASCIIAlphanumeric($0) || $0 == UInt8(ascii: "-") }
        }
    }

    private static func isASCIIAlphanumeric(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
            || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
    }
}
