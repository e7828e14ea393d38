public import Foundation

/// One plain-text e-mail to one recipient, as handed to `SMTPClient`.
///
/// `rendered()` turns it into an RFC 5322 message with a MIME UTF-8 body (see
/// `EmailMessage+Rendering.swift`).
public struct EmailMessage: Sendable {
    public var from: EmailAddress
    /// Shown beside the sender's address; encoded when not plain ASCII.
    public var fromName: String?
    public var to: EmailAddress
    public var subject: String
    /// Plain text; any line endings, sent as CRLF.
    public var body: String
    /// The `Message-ID` without angle brackets, `left@right`. A message sent again after a crash
    /// should carry the same id, so receivers can tell it is the same message.
    public var messageID: String
    /// The `Date` header's instant.
    public var date: Date

    public init(
        from: EmailAddress,
        fromName: String? = nil,
        to: EmailAddress,
        subject: String,
        body: String,
        messageID: String,
        date: Date = Date()
    ) {
        precondition(
            messageID.utf8.allSatisfy { $0 > 32 && $0 < 127 && $0 != UInt8(ascii: "<") && $0 != UInt8(ascii: ">") }
                && messageID.contains("@"),
            "a Message-ID is printable ASCII of the form left@right"
        )
        self.from = from
        self.fromName = fromName
        self.to = to
        self.subject = subject
        self.body = body
        self.messageID = messageID
        self.date = date
    }
}
