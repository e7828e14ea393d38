import Foundation
import JobsCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// One HTTP/1.1 request written byte for byte onto a loopback socket, as Hasura's client would send it.
///
/// `URLSession` rewrites header names into its own canonical case (`X-SCHEDULER-SECRET` goes out as
/// `X-Scheduler-Secret`), so it cannot show that the service accepts a header in any case. This client
/// sends the header lines exactly as given, asks the server to close the connection after answering, and
/// reads until it does. Its socket calls block, so each exchange runs on a thread of its own.
struct WireClient: Sendable {
    let port: Int

    /// Posts `body` to `path` with exactly `headers` (plus `Host`, `Content-Length` and `Connection`).
    func post(_ path: String, headers: [(String, String)], body: [UInt8]) async throws -> WireReply {
        var head = "POST \(path) HTTP/1.1\r\nHost: 127.0.0.1:\(self.port)\r\n"
        for (name, value) in headers {
            head += "\(name): \(value)\r\n"
        }
        head += "Content-Length: \(body.count)\r\nConnection: close\r\n\r\n"
        let request = Array(head.utf8) + body
        let port = self.port
        let received = try await withCheckedThrowingContinuation { continuation in
            let thread = Thread {
                continuation.resume(with: Result { try Self.exchange(request, port: port) })
            }
            thread.start()
        }
        return try WireReply(parsing: received)
    }

    /// Connects, sends everything, and reads until the server closes the connection.
    private static func exchange(_ request: [UInt8], port: Int) throws -> [UInt8] {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw WireError("socket", errno) }
        defer { close(descriptor) }
        // A server that never answers fails the test after 30 seconds instead of hanging it.
        var timeout = timeval(tv_sec: 30, tv_usec: 0)
        _ = setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard connected == 0 else { throw WireError("connect", errno) }
        var offset = 0
        while offset < request.count {
            let sent = request[offset...].withUnsafeBytes {
                send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL))
            }
            guard sent > 0 else { throw WireError("send", errno) }
            offset += sent
        }
        var received: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 16 * 1024)
        while true {
            let count = chunk.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
            if count < 0 {
                // A server that closes with bytes of ours still unread resets the connection; the
                // answer it sent before that has arrived already.
                if errno == ECONNRESET, !received.isEmpty { return received }
                throw WireError("recv", errno)
            }
            if count == 0 { return received }
            received += chunk.prefix(count)
        }
    }
}

/// The answer to one `WireClient` request.
struct WireReply: Sendable {
    var status: Int
    /// Header fields as received.
    var headers: [(name: String, value: String)]
    var body: [UInt8]

    var text: String { String(decoding: self.body, as: UTF8.self) }

    /// The body parsed as JSON, or nil when it is not JSON.
    var json: JSONValue? { try? JSONValue(parsing: Data(self.body)) }

    /// The first value of the header `name`, compared without regard to case.
    func header(_ name: String) -> String? {
        self.headers.first { $0.name.lowercased() == name.lowercased() }?.value
    }

    /// Splits a complete response (the server closed the connection after it) into its parts.
    init(parsing bytes: [UInt8]) throws {
        let separator: [UInt8] = Array("\r\n\r\n".utf8)
        guard let end = bytes.indices.first(where: { bytes[$0...].starts(with: separator) }) else {
            throw WireError("parse: no end of the response head", 0)
        }
        var lines = String(decoding: bytes[..<end], as: UTF8.self).components(separatedBy: "\r\n")
        let statusLine = lines.removeFirst().split(separator: " ")
        guard statusLine.count >= 2, let status = Int(statusLine[1]) else {
            throw WireError("parse: bad status line", 0)
        }
        self.status = status
        self.headers = lines.compactMap { line in
            guard let colon = line.firstIndex(of: ":") else { return nil }
            return (String(line[..<colon]), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces))
        }
        let rest = Array(bytes[(end + separator.count)...])
        let length = self.headers.first { $0.name.lowercased() == "content-length" }.flatMap { Int($0.value) }
        self.body = length.map { Array(rest.prefix($0)) } ?? rest
    }
}

/// A socket call of `WireClient` that failed, with its `errno`.
struct WireError: Error, CustomStringConvertible {
    var operation: String
    var code: Int32

    init(_ operation: String, _ code: Int32) {
        self.operation = operation
        self.code = code
    }

    var description: String { "\(self.operation) failed: \(String(cString: strerror(self.code)))" }
}
