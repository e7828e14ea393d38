import Foundation

extension EmailMessage {
    /// The message as sent after SMTP's DATA: headers, a blank line and the body, lines ending in CRLF.
    ///
    /// Headers: `Date`, `Message-ID`, `From`, `To`, `Subject`, `MIME-Version`, `Content-Type`
    /// (`text/plain; charset=UTF-8`) and `Content-Transfer-Encoding: base64`. A subject or display name
    /// that is not short printable ASCII is sent as RFC 2047 encoded words. The body is base64 in lines
    /// of 76 characters, so no line is too long and none starts with a dot, whatever the text.
    public func rendered() -> [UInt8] {
        var headers: [String] = [
            "Date: \(Self.formatDate(self.date))",
            "Message-ID: <\(self.messageID)>",
            "From: \(Self.mailbox(self.from, name: self.fromName))",
            "To: <\(self.to.address)>",
            "Subject: \(Self.headerText(self.subject, nameLength: "Subject: ".count))",
            "MIME-Version: 1.0",
            "Content-Type: text/plain; charset=UTF-8",
            "Content-Transfer-Encoding: base64",
        ]
        headers.append("")
        let canonicalBody = Self.canonicalLineEndings(self.body)
        let encoded = Data(canonicalBody.utf8).base64EncodedString()
        var lines: [Substring] = []
        var start = encoded.startIndex
        while start < encoded.endIndex {
            let end = encoded.index(start, offsetBy: 76, limitedBy: encoded.endIndex) ?? encoded.endIndex
            lines.append(encoded[start..<end])
            start = end
        }
        let body = lines.map { $0 + "\r\n" }.joined()
        return Array((headers.joined(separator: "\r\n") + "\r\n" + body).utf8)
    }

    /// RFC 5322 date-time in UTC, such as `Tue, 03 Mar 2026 10:00:00 +0000`.
    static func formatDate(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss '+0000'"
        return formatter.string(from: date)
    }

    static func mailbox(_ address: EmailAddress, name: String?) -> String {
        guard let name, !name.isEmpty else { return "<\(address.address)>" }
        if Self.isPlainPhrase(name) {
            return "\"\(name)\" <\(address.address)>"
        }
        return Self.encodedWords(name).joined(separator: "\r\n ") + " <\(address.address)>"
    }

    /// Header text as is when it is printable ASCII that fits on the line, else as encoded words.
    static func headerText(_ text: String, nameLength: Int) -> String {
        let isPrintableASCII = text.utf8.allSatisfy { $0 >= 32 && $0 < 127 }
        if isPrintableASCII && nameLength + text.utf8.count <= 78 {
            return text
        }
        return Self.encodedWords(text).joined(separator: "\r\n ")
    }

    /// RFC 2047 `B` encoded words of at most 75 characters each, every one holding whole characters.
    static func encodedWords(_ text: String) -> [String] {
        // 75 - "=?UTF-8?B?".count - "?=".count = 63 characters of base64, which hold 45 bytes (60 characters).
        let maximumBytes = 45
        var words: [String] = []
        var chunk: [UInt8] = []
        for scalar in text.unicodeScalars {
            let bytes = Array(String(scalar).utf8)
            if chunk.count + bytes.count > maximumBytes {
                words.append(Self.encodedWord(chunk))
                chunk = []
            }
            chunk.append(contentsOf: bytes)
        }
        if !chunk.isEmpty || words.isEmpty {
            words.append(Self.encodedWord(chunk))
        }
        return words
    }

    private static func encodedWord(_ bytes: [UInt8]) -> String {
        "=?UTF-8?B?" + Data(bytes).base64EncodedString() + "?="
    }

    /// Whether a display name can go in a quoted string as is.
    private static func isPlainPhrase(_ text: String) -> Bool {
        text.utf8.allSatisfy { $0 >= 32 && $0 < 127 && $0 != UInt8(ascii: "\"") && $0 != UInt8(ascii: "\\") }
            && text.utf8.count <= 60
    }

    private static func canonicalLineEndings(_ text: String) -> String {
        text.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\r", with: "\n")
            .replacingOccurrences(of: "\n", with: "\r\n")
    }
}
