import Foundation
import Testing

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// A real HTTP client for tests: Foundation's `URLSession`, which is libcurl underneath on Linux.
enum URLSessionClient {
    /// One session for all tests, allowing enough connections per host for the concurrency test.
    static let session: URLSession = {
        let configuration = URLSessionConfiguration.ephemeral
        configuration.httpMaximumConnectionsPerHost = 100
        configuration.timeoutIntervalForRequest = 30
        configuration.connectionProxyDictionary = [:]
        return URLSession(configuration: configuration)
    }()

    /// Sends a request and returns the body and the response.
    static func send(
        _ method: String = "GET",
        port: Int,
        target: String,
        headers: [String: String] = [:],
        body: Data? = nil
    ) async throws -> (body: Data, response: HTTPURLResponse) {
        let url = try #require(URL(string: "http://127.0.0.1:\(port)\(target)"))
        var request = URLRequest(url: url)
        request.httpMethod = method
        request.httpBody = body
        for (name, value) in headers {
            request.setValue(value, forHTTPHeaderField: name)
        }
        let (data, response) = try await Self.session.data(for: request)
        return (data, try #require(response as? HTTPURLResponse))
    }
}
