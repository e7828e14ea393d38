extension HTTPServer {
    /// The settings of one HTTP server.
    public struct Configuration: Sendable {
        /// The IPv4 address to listen on, as a literal; `0.0.0.0` listens on every interface. Default `127.0.0.1`.
        public var host: String
        /// The TCP port to listen on; 0 lets the system pick a free one. Default 3100.
        public var port: Int
        /// The largest request body accepted, in bytes; longer bodies get a 413. Default 1 MiB.
        public var maxBodyBytes: Int
        /// How many client connections may be open at once; more are refused. Default 512.
        public var maxConnections: Int
        /// How long, in seconds, an idle connection stays open. Default 30.
        public var connectionTimeoutSeconds: Int
        /// How many libmicrohttpd threads poll the sockets. Default 2.
        public var threadCount: Int
        /// How long requests in flight may take to finish once shutdown starts. Default 10 seconds.
        public var shutdownGracePeriod: Duration
        /// The memory libmicrohttpd may use per connection for the request head and read buffers, in bytes.
        ///
        /// A request whose head does not fit is refused by libmicrohttpd with an error status of its own.
        /// Default 64 KiB.
        public var connectionMemoryLimitBytes: Int

        /// Creates a configuration; every argument has the default documented on its property.
        public init(
            host: String = "127.0.0.1",
            port: Int = 3100,
            maxBodyBytes: Int = 1024 * 1024,
            maxConnections: Int = 512,
            connectionTimeoutSeconds: Int = 30,
            threadCount: Int = 2,
            shutdownGracePeriod: Duration = .seconds(10),
            connectionMemoryLimitBytes: Int = 64 * 1024
        ) {
            self.host = host
            self.port = port
            self.maxBodyBytes = maxBodyBytes
            self.maxConnections = maxConnections
            self.connectionTimeoutSeconds = connectionTimeoutSeconds
            self.threadCount = threadCount
            self.shutdownGracePeriod = shutdownGracePeriod
            self.connectionMemoryLimitBytes = connectionMemoryLimitBytes
        }

        /// Checks every value and throws naming the first one that is out of range.
        func validate(file: String = #fileID, line: Int = #line) throws(HTTPServerError) {
            func fail(_ message: String) -> HTTPServerError {
                HTTPServerError(code: .invalidConfiguration, message: message, file: file, line: line)
            }
            guard IPv4SocketAddress(host: self.host, port: 0) != nil else {
                throw fail("host must be an IPv4 address literal")
            }
            guard (0...65535).contains(self.port) else { throw fail("port must be between 0 and 65535") }
            guard self.maxBodyBytes >= 0 else { throw fail("maxBodyBytes must not be negative") }
            guard (1...Int(Int32.max)).contains(self.maxConnections) else {
                throw fail("maxConnections must be at least 1")
            }
            guard (0...Int(Int32.max)).contains(self.connectionTimeoutSeconds) else {
                throw fail("connectionTimeoutSeconds must not be negative")
            }
            guard (1...1024).contains(self.threadCount) else { throw fail("threadCount must be between 1 and 1024") }
            guard self.shutdownGracePeriod >= .zero else { throw fail("shutdownGracePeriod must not be negative") }
            guard self.connectionMemoryLimitBytes >= 4096 else {
                throw fail("connectionMemoryLimitBytes must be at least 4096")
            }
        }
    }
}
