public import Foundation

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// A real HTTP client for tests over loopback: Foundation's `URLSession` (libcurl on Linux).
public struct HTTPTestClient: Sendable {
    /// One answer: status, headers and body, with the body parsed as JSON when it is JSON.
    public struct Reply: Sendable {
        public var status: Int
        public var headers: [String: String]
        public var body: Data

        /// The body as a JSON object, or an empty dictionary when it is not one.
        public var json: [String: Any] {
            (try? JSONSerialization.jsonObject(with: self.body)) as? [String: Any] ?? [:]
        }

        /// `error.code` of an error body.
        public var errorCode: String? {
            (self.json["error"] as? [String: Any])?["code"] as? String
        }

        /// `error.message` of an error body.
        public var errorMessage: String? {
            (self.json["error"] as? [String: Any])?["message"] as? String
        }

        public var text: String { String(decoding: self.body, as: UTF8.self) }
    }

    private static let session: URLSession = {
        let configuration = URLSessionConfiguration.ephemeral
        configuration.httpMaximumConnectionsPerHost = 64
        configuration.timeoutIntervalForRequest = 30
        return URLSession(configuration: configuration)
    }()

    public let port: Int

    public init(port: Int) {
        self.port = port
    }

    /// Sends a request; `body` is sent as given, with the headers given (no defaults added).
    public func send(
        _ method: String,
        _ path: String,
        headers: [String: String] = [:],
        body: Data? = nil
    ) async throws -> Reply {
        var request = URLRequest(url: URL(string: "http://127.0.0.1:\(self.port)\(path)")!)
        request.httpMethod = method
        request.httpBody = body
        for (name, value) in headers {
            request.setValue(value, forHTTPHeaderField: name)
        }
        let (data, response) = try await Self.session.data(for: request)
        guard let http = response as? HTTPURLResponse else {
            throw URLError(.badServerResponse)
        }
        var headerFields: [String: String] = [:]
        for (name, value) in http.allHeaderFields {
            headerFields[String(describing: name).lowercased()] = String(describing: value)
        }
        return Reply(status: http.statusCode, headers: headerFields, body: data)
    }

    /// Sends a JSON object with `Content-Type: application/json`.
    public func send(_ method: String, _ path: String, json: [String: Any]) async throws -> Reply {
        let body = try JSONSerialization.data(withJSONObject: json)
        return try await self.send(method, path, headers: ["Content-Type": "application/json"], body: body)
    }

    public func get(_ path: String) async throws -> Reply {
        try await self.send("GET", path)
    }
}
