import HTTPClient
import JobsCore
import Testing

@testable import FineractJobs

/// A small deterministic generator (SplitMix64), so the jitter is drawn the same way on every run.
private struct SeededRandom: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        self.state &+= 0x9E37_79B9_7F4A_7C15
        var mixed = self.state
        mixed = (mixed ^ (mixed >> 30)) &* 0xBF58_476D_1CE4_E5B9
        mixed = (mixed ^ (mixed >> 27)) &* 0x94D0_49BB_1331_11EB
        return mixed ^ (mixed >> 31)
    }
}

struct NotificationPolicyTests {
    @Test func retryWaitsDoubleUpToTheCapAndStayInTheirUpperHalf() {
        let policy = NotificationRetryPolicy(maxAttempts: 5, base: .seconds(60), cap: .seconds(600))
        // Nominal: 60 s, 120 s, 240 s, 480 s, then the 600 s cap.
        #expect(
            (1...6).map { policy.nominalDelay(afterAttempt: $0) } == [60, 120, 240, 480, 600, 600].map { .seconds($0) }
        )
        var generator = SeededRandom(state: 42)
        for attempt in 1...6 {
            let nominal = policy.nominalDelay(afterAttempt: attempt)
            let draws = (0..<200).map { _ in policy.delay(afterAttempt: attempt, using: &generator) }
            #expect(draws.allSatisfy { $0 >= nominal / 2 && $0 <= nominal })
            // Jittered, not constant: messages that failed together spread out.
            #expect(Set(draws).count > 100)
        }
        #expect(!policy.isFinal(attempt: 4))
        #expect(policy.isFinal(attempt: 5))
        // A huge attempt number neither overflows nor passes the cap.
        #expect(policy.nominalDelay(afterAttempt: 1_000) == .seconds(600))
    }

    @Test(
        arguments: [
            (CurlError(code: .sendError, message: "", replyCode: 550), true, false),
            (CurlError(code: .weirdServerReply, message: "", replyCode: 554), true, false),
            (CurlError(code: .weirdServerReply, message: "", replyCode: 451), false, false),
            (CurlError(code: .sendError, message: "", replyCode: 452), false, false),
            // 421: the server is closing the connection; nothing about this message.
            (CurlError(code: .weirdServerReply, message: "", replyCode: 421), false, true),
            (CurlError(code: .loginDenied, message: "", replyCode: 535), false, true),
            (CurlError(code: .couldNotConnect, message: ""), false, true),
            (CurlError(code: .operationTimedOut, message: ""), false, true),
        ]
    )
    func smtpRepliesDecideBetweenFailingAndRetrying(error: CurlError, isPermanent: Bool, isServerUnreachable: Bool) {
        let failure = SMTPFailure(error)
        #expect(failure.isPermanent == isPermanent)
        #expect(failure.isServerUnreachable == isServerUnreachable)
    }

    @Test func gatewayAnswersMapToOutcomes() {
        #expect(SMSGatewayClient.interpret(status: 202, body: []) == .accepted([:]))
        #expect(SMSGatewayClient.interpret(status: 200, body: Array("not json".utf8)) == .accepted([:]))
        for status in [500, 502, 503, 408, 429] {
            guard case .transient = SMSGatewayClient.interpret(status: status, body: []) else {
                Issue.record("HTTP \(status) is worth retrying")
                continue
            }
        }
        for status in [400, 401, 404, 422] {
            guard case .permanent = SMSGatewayClient.interpret(status: status, body: []) else {
                Issue.record("HTTP \(status) is a refusal")
                continue
            }
        }
        let body =
            #"[{"internalId": 4, "deliveryStatus": 300, "externalId": 99}, {"id": 5, "deliveryStatus": "failed", "errorMessage": "barred"}, {"internalId": 6, "deliveryStatus": 999}]"#
        #expect(
            SMSGatewayClient.interpret(status: 202, body: Array(body.utf8))
                == .accepted([
                    4: SMSGatewayClient.Report(status: 300, externalID: "99", error: nil),
                    5: SMSGatewayClient.Report(status: 400, externalID: nil, error: "barred"),
                ])
        )
        #expect(SMSGatewayClient.idempotencyKey(tenantID: "default", ids: [12, 3, 7]) == "default:3,7,12")
    }

    @Test func chunkAndNumberParametersAreCheckedByName() throws {
        #expect(try WorkerParameters(["chunk": ["fromId": 3, "toId": 9]]).chunk() == 3...9)
        #expect(try WorkerParameters([:]).chunk() == nil)
        #expect(try WorkerParameters([:]).chunkSize() == 1000)
        for bad: JSONValue in [["fromId": 3], ["fromId": 9, "toId": 3], "3-9", ["fromId": "a", "toId": 2]] {
            #expect {
                try WorkerParameters(["chunk": bad]).chunk()
            } throws: { error in
                (error as? JobWorkerError).map { !$0.isRetryable && $0.message.contains("chunk") } ?? false
            }
        }
    }
}
