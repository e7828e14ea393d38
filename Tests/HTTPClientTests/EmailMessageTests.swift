import Foundation
import Testing

@testable import HTTPClient

struct EmailMessageTests {
    @Test func rejectsAddressesOutsideThePlainForm() {
        #expect(EmailAddress("jane.doe+loans@example.org")?.address == "jane.doe+loans@example.org")
        #expect(EmailAddress("  a@b.co ")?.address == "a@b.co")
        for bad in [
            "", "plain", "@example.org", "jane@", "jane@localhost", "jane..doe@example.org", ".jane@example.org",
            "jane doe@example.org", "jane@exa mple.org", "jane@-example.org", "jané@example.org",
            "jane@example.org\r\nBcc: x@example.org", "<jane@example.org>", "a,b@example.org",
        ] {
            #expect(EmailAddress(bad) == nil, "\(bad) must be refused")
        }
    }

    @Test func rendersHeadersAndABase64Body() throws {
        let message = EmailMessage(
            from: try #require(EmailAddress("bank@example.org")),
            fromName: "Example Bank",
            to: try #require(EmailAddress("client@example.net")),
            subject: "Repayment due",
            body: "Dear client,\nyour repayment is due.\n",
            messageID: "fineract-jobs.default.7@example.org",
            date: Date(timeIntervalSince1970: 1_772_532_000)
        )
        let text = String(decoding: message.rendered(), as: UTF8.self)
        let parts = text.components(separatedBy: "\r\n\r\n")
        #expect(parts.count == 2)
        let headers = parts[0].components(separatedBy: "\r\n")
        // 1_772_532_000 s after the epoch is 2026-03-03 10:00:00 UTC, a Tuesday.
        #expect(headers[0] == "Date: Tue, 03 Mar 2026 10:00:00 +0000")
        #expect(headers[1] == "Message-ID: <fineract-jobs.default.7@example.org>")
        #expect(headers[2] == "From: \"Example Bank\" <bank@example.org>")
        #expect(headers[3] == "To: <client@example.net>")
        #expect(headers[4] == "Subject: Repayment due")
        #expect(headers.contains("Content-Type: text/plain; charset=UTF-8"))
        #expect(headers.contains("Content-Transfer-Encoding: base64"))
        let body = try #require(Data(base64Encoded: parts[1].replacingOccurrences(of: "\r\n", with: "")))
        #expect(String(decoding: body, as: UTF8.self) == "Dear client,\r\nyour repayment is due.\r\n")
    }

    @Test func encodesNonASCIISubjectsInWholeCharacterWords() {
        let subject = String(repeating: "Échéance de remboursement – ", count: 4)
        let words = EmailMessage.encodedWords(subject)
        #expect(words.count > 1)
        var decoded = ""
        for word in words {
            #expect(word.count <= 75)
            #expect(word.hasPrefix("=?UTF-8?B?") && word.hasSuffix("?="))
            let payload = String(word.dropFirst(10).dropLast(2))
            // Each word decodes on its own to valid UTF-8: no character is split across two words.
            let bytes = Data(base64Encoded: payload)!
            let piece = String(data: bytes, encoding: .utf8)
            #expect(piece != nil)
            decoded += piece ?? ""
        }
        #expect(decoded == subject)
    }
}
