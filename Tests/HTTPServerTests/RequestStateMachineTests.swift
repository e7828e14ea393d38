import Testing

@testable import HTTPServer

/// The per-request state machine, driven by hand with integers standing in for suspended connections.
struct RequestStateMachineTests {
    private typealias Machine = RequestStateMachine<Int>

    private static func makeMachine(maxBodyBytes: Int = 10, allowance: Int = 20) -> Machine {
        Machine(
            head: HTTPRequestHead(method: "POST", path: "/"),
            maxBodyBytes: maxBodyBytes,
            discardAllowanceBytes: allowance,
            expectedBodyBytes: nil
        )
    }

    private static func receive(_ text: String, into machine: inout Machine) -> Machine.BodyAction {
        Array(text.utf8).withUnsafeBytes { machine.receive($0) }
    }

    @Test func bodyChunksAreAccumulatedAndHandedOverOnce() throws {
        var machine = Self.makeMachine()
        #expect(Self.receive("hello", into: &machine) == .proceed)
        #expect(Self.receive(" you", into: &machine) == .proceed)
        guard case .suspendAndRespond(let request) = machine.poll() else {
            Issue.record("expected the request to be dispatched")
            return
        }
        #expect(request.body == Array("hello you".utf8))
        guard case .none = machine.poll() else {
            Issue.record("a second poll while suspending must do nothing")
            return
        }
    }

    @Test func bodyPastTheLimitIsDroppedAndRejectedAtItsEnd() {
        var machine = Self.makeMachine(maxBodyBytes: 10, allowance: 20)
        #expect(Self.receive("0123456789", into: &machine) == .proceed)
        #expect(Self.receive("x", into: &machine) == .proceed)
        guard case .reject(.bodyTooLarge(limitBytes: 10)) = machine.poll() else {
            Issue.record("expected a body-too-large rejection")
            return
        }
        #expect(machine.finish() == 413)
    }

    @Test func bodyFarPastTheLimitClosesTheConnection() {
        var machine = Self.makeMachine(maxBodyBytes: 10, allowance: 20)
        #expect(Self.receive(String(repeating: "a", count: 30), into: &machine) == .proceed)
        #expect(Self.receive("b", into: &machine) == .closeConnection)
    }

    @Test func onlyTheFirstResponseResumesTheConnection() {
        var machine = Self.makeMachine()
        _ = machine.poll()
        guard case .none = machine.suspended(7) else {
            Issue.record("the responder should start")
            return
        }
        guard case .resume(7) = machine.responseArrived(HTTPResponse(status: 200)) else {
            Issue.record("the first response must resume the connection")
            return
        }
        guard case .none = machine.abandon(with: HTTPResponse(status: 503)) else {
            Issue.record("a later response must not resume again")
            return
        }
        guard case .send(let response) = machine.poll() else {
            Issue.record("the resumed connection must send the response")
            return
        }
        #expect(response.status == 200)
        #expect(machine.finish() == 200)
    }

    @Test func abandonmentWhileSuspendingResumesAtOnceWithoutTheResponder() {
        var machine = Self.makeMachine()
        _ = machine.poll()
        guard case .none = machine.abandon(with: HTTPResponse(status: 503)) else {
            Issue.record("nothing to resume before the connection is suspended")
            return
        }
        guard case .resume(3) = machine.suspended(3) else {
            Issue.record("an abandoned request must be resumed as soon as it is suspended")
            return
        }
        guard case .none = machine.responseArrived(HTTPResponse(status: 200)) else {
            Issue.record("the responder's late answer must be dropped")
            return
        }
        guard case .send(let response) = machine.poll() else {
            Issue.record("expected the stand-in response")
            return
        }
        #expect(response.status == 503)
    }

    @Test func abandonmentWhileReadingTheBodyAnswersWithoutSuspending() {
        var machine = Self.makeMachine()
        _ = machine.abandon(with: HTTPResponse(status: 503))
        guard case .send(let response) = machine.poll() else {
            Issue.record("expected the stand-in response instead of a dispatch")
            return
        }
        #expect(response.status == 503)
        #expect(!machine.holdsSuspendedConnection)
    }
}
