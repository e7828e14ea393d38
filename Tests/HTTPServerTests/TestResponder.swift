import HTTPServer

/// A responder built from closures, which counts how often `respond(to:)` is called.
struct TestResponder: HTTPResponder {
    /// How many times `respond(to:)` has been called.
    let respondCalls = CallCounter()
    private let preflightHandler: @Sendable (HTTPRequestHead) -> HTTPResponse?
    private let handler: @Sendable (HTTPRequest) async -> HTTPResponse

    init(
        preflight: @escaping @Sendable (HTTPRequestHead) -> HTTPResponse? = { _ in nil },
        respond: @escaping @Sendable (HTTPRequest) async -> HTTPResponse
    ) {
        self.preflightHandler = preflight
        self.handler = respond
    }

    func preflight(_ head: HTTPRequestHead) -> HTTPResponse? {
        self.preflightHandler(head)
    }

    func respond(to request: HTTPRequest) async -> HTTPResponse {
        self.respondCalls.increment()
        return await self.handler(request)
    }

    /// Answers 200 with a fixed text body.
    static func text(_ text: String) -> TestResponder {
        TestResponder { _ in HTTPResponse(status: 200, body: Array(text.utf8)) }
    }
}
