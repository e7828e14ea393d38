import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A failure of the raw test client, with the `errno` of the call that failed.
struct RawSocketError: Error, CustomStringConvertible {
    var operation: String
    var code: Int32

    var description: String { "\(self.operation) failed: \(String(cString: strerror(self.code)))" }
}

/// A parsed HTTP/1.1 response, as read off the wire.
struct RawResponse: Sendable {
    var status: Int
    /// Header fields as received, names in their original case.
    var headers: [(name: String, value: String)]
    var body: [UInt8]

    /// The first value of `name`, compared case-insensitively.
    func header(_ name: String) -> String? {
        self.headers.first { $0.name.lowercased() == name.lowercased() }?.value
    }

    var bodyText: String { String(decoding: self.body, as: UTF8.self) }
}

/// A blocking TCP connection to the loopback interface for hand-written HTTP; closed in `deinit`.
///
/// Every call blocks, so use it only inside `onDedicatedThread`, never on the cooperative thread pool that
/// the server's responders need. Reads and writes time out after 10 seconds so a broken server fails the
/// test instead of hanging it.
final class RawSocket {
    private let descriptor: Int32
    /// Bytes read past the end of the last response.
    private var buffered: [UInt8] = []

    /// Connects to `127.0.0.1:port`.
    init(port: Int) throws {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw RawSocketError(operation: "socket", code: errno) }
        var timeout = timeval(tv_sec: 10, tv_usec: 0)
        _ = setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        _ = setsockopt(descriptor, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let result = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard result == 0 else {
            let code = errno
            close(descriptor)
            throw RawSocketError(operation: "connect", code: code)
        }
        self.descriptor = descriptor
    }

    deinit {
        close(self.descriptor)
    }

    /// Sends all of `text` as UTF-8.
    func send(_ text: String) throws {
        try self.send(Array(text.utf8))
    }

    /// Sends all of `bytes`.
    func send(_ bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            let sent = bytes[offset...].withUnsafeBytes { chunk in
                systemSend(self.descriptor, chunk.baseAddress, chunk.count, Int32(MSG_NOSIGNAL))
            }
            guard sent > 0 else { throw RawSocketError(operation: "send", code: errno) }
            offset += sent
        }
    }

    /// Reads one response with a `Content-Length` body.
    func readResponse() throws -> RawResponse {
        while self.headEnd() == nil {
            guard try self.fill() else { throw RawSocketError(operation: "read (connection closed)", code: 0) }
        }
        let end = self.headEnd()!
        let headText = String(decoding: self.buffered[..<end], as: UTF8.self)
        self.buffered.removeFirst(end + 4)
        var lines = headText.components(separatedBy: "\r\n")
        let statusLine = lines.removeFirst().split(separator: " ")
        guard statusLine.count >= 2, let status = Int(statusLine[1]) else {
            throw RawSocketError(operation: "parse status line", code: 0)
        }
        let headers = lines.compactMap { line -> (name: String, value: String)? in
            guard let colon = line.firstIndex(of: ":") else { return nil }
            return (
                name: String(line[..<colon]),
                value: line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            )
        }
        let length =
            headers.first { $0.name.lowercased() == "content-length" }.flatMap { Int($0.value) } ?? 0
        while self.buffered.count < length {
            guard try self.fill() else { throw RawSocketError(operation: "read body (connection closed)", code: 0) }
        }
        let body = Array(self.buffered.prefix(length))
        self.buffered.removeFirst(length)
        return RawResponse(status: status, headers: headers, body: body)
    }

    /// Whether the peer has closed the connection: reads until end of stream, dropping any bytes.
    func readUntilClosed() throws -> Bool {
        _ = try self.readRemainder()
        return true
    }

    /// Reads until the peer closes the connection (or resets it) and returns every byte not yet consumed.
    func readRemainder() throws -> [UInt8] {
        while try self.fill() {}
        defer { self.buffered = [] }
        return self.buffered
    }

    /// Reads more bytes; returns `false` at end of stream.
    private func fill() throws -> Bool {
        var chunk = [UInt8](repeating: 0, count: 16 * 1024)
        let count = chunk.withUnsafeMutableBytes { recv(self.descriptor, $0.baseAddress, $0.count, 0) }
        if count < 0 {
            let code = errno
            if code == ECONNRESET {
                return false
            }
            throw RawSocketError(operation: "recv", code: code)
        }
        self.buffered.append(contentsOf: chunk.prefix(count))
        return count > 0
    }

    private func headEnd() -> Int? {
        let marker: [UInt8] = [13, 10, 13, 10]
        guard self.buffered.count >= 4 else { return nil }
        return (0...(self.buffered.count - 4)).first { self.buffered[$0..<($0 + 4)].elementsEqual(marker) }
    }
}

private func systemSend(_ socket: Int32, _ bytes: UnsafeRawPointer?, _ count: Int, _ flags: Int32) -> Int {
    send(socket, bytes, count, flags)
}

/// Runs blocking work on a thread of its own and returns its result, leaving the cooperative pool free.
func onDedicatedThread<Value: Sendable>(_ work: @escaping @Sendable () throws -> Value) async throws -> Value {
    try await withCheckedThrowingContinuation { continuation in
        let thread = Thread {
            continuation.resume(with: Result { try work() })
        }
        thread.start()
    }
}
