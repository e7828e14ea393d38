import CMicroHTTPD

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A libmicrohttpd connection suspended while its responder runs.
///
/// Resuming it is the only thing code off the network thread may do with a connection, and the only
/// thing this type offers.
// @unchecked Sendable: the pointer is only ever passed to MHD_resume_connection, which libmicrohttpd
// documents as callable from any thread. RequestStateMachine hands each instance out for resumption
// exactly once, and the daemon is not stopped while any connection is suspended, so the pointer is live.
struct SuspendedConnection: @unchecked Sendable {
    private let connection: OpaquePointer

    fileprivate init(_ connection: OpaquePointer) {
        self.connection = connection
    }

    /// Hands the connection back to libmicrohttpd, which then calls the access handler again. Wraps
    /// `MHD_resume_connection`.
    func resume() {
        MHD_resume_connection(self.connection)
    }
}

/// Owns one running libmicrohttpd daemon; this file is the only Swift code that calls libmicrohttpd.
///
/// The daemon runs its own polling threads (poll(2); see the workaround note in `init`) and reports
/// every request to a `RequestDispatcher` through C callbacks. Not `Sendable`: one task starts it,
/// quiesces it and drops it. `deinit` stops the daemon (`MHD_stop_daemon`), so the owner must first make sure no
/// connection is suspended, as libmicrohttpd requires.
final class MicroHTTPDDaemon {
    /// The TCP port the daemon listens on.
    let port: Int

    private let daemon: OpaquePointer
    /// The dispatcher, retained for as long as libmicrohttpd may call back into it.
    private let dispatcher: Unmanaged<RequestDispatcher>
    /// The listening socket handed back by `MHD_quiesce_daemon`, closed after the daemon stops.
    private var quiescedListenSocket: Int32?

    /// Starts libmicrohttpd on the configured address with its internal polling threads.
    ///
    /// - Throws: `HTTPServerError` with code `.cannotStart` when libmicrohttpd refuses, typically because
    ///   the port is taken; its `detail` holds what libmicrohttpd logged.
    init(configuration: HTTPServer.Configuration, dispatcher: RequestDispatcher) throws(HTTPServerError) {
        guard let address = IPv4SocketAddress(host: configuration.host, port: UInt16(configuration.port)) else {
            throw HTTPServerError(code: .invalidConfiguration, message: "host must be an IPv4 address literal")
        }
        // Retained for the daemon's callbacks; released in deinit after MHD_stop_daemon returns, or below
        // when the daemon does not start.
        let retained = Unmanaged.passRetained(dispatcher)
        let context = retained.toOpaque()
        // Workaround: libmicrohttpd 0.9.75 with MHD_USE_EPOLL often misses a client closing the connection in
        // the middle of a request body (25 of 30 in a C reproduction), so the connection stays open until the
        // idle timeout; with poll() it is noticed at once. Revisit epoll once a release fixes this. See
        // docs/workarounds.md.
        let flags =
            MHD_USE_INTERNAL_POLLING_THREAD.rawValue | MHD_USE_POLL.rawValue | MHD_ALLOW_SUSPEND_RESUME.rawValue
            | MHD_USE_ERROR_LOG.rawValue
        let started: OpaquePointer? = address.withSocketAddress { socketAddress in
            // The logger goes first so that libmicrohttpd reports problems with later options through it.
            var options = [
                fj_mhd_option_logger(
                    { context, format, arguments in
                        MicroHTTPDDaemon.libraryLogged(context, format, arguments)
                    },
                    context
                ),
                fj_mhd_option_pointer(.SOCK_ADDR, UnsafeMutableRawPointer(mutating: socketAddress)),
                fj_mhd_option_integer(.CONNECTION_LIMIT, configuration.maxConnections),
                fj_mhd_option_integer(.CONNECTION_TIMEOUT, configuration.connectionTimeoutSeconds),
                fj_mhd_option_integer(.CONNECTION_MEMORY_LIMIT, configuration.connectionMemoryLimitBytes),
                fj_mhd_option_completed_callback(
                    { context, _, requestSlot, termination in
                        MicroHTTPDDaemon.requestCompleted(context, requestSlot, termination)
                    },
                    context
                ),
            ]
            if configuration.threadCount > 1 {
                options.append(fj_mhd_option_integer(.THREAD_POOL_SIZE, configuration.threadCount))
            }
            options.append(fj_mhd_option_end())
            return fj_mhd_start_daemon(
                flags,
                { context, connection, url, method, _, uploadData, uploadDataSize, requestSlot in
                    MicroHTTPDDaemon.access(context, connection, url, method, uploadData, uploadDataSize, requestSlot)
                },
                context,
                options
            )
        }
        guard let started else {
            let detail = dispatcher.recentLibraryMessages.joined(separator: "; ")
            retained.release()
            throw HTTPServerError(
                code: .cannotStart,
                message: "could not listen on \(configuration.host):\(configuration.port)",
                detail: detail.isEmpty ? nil : detail
            )
        }
        self.daemon = started
        self.dispatcher = retained
        // libmicrohttpd answers 0 only if it cannot tell; then the configured port is the best guess.
        let boundPort = Int(fj_mhd_daemon_bound_port(started))
        self.port = boundPort != 0 ? boundPort : configuration.port
    }

    deinit {
        MHD_stop_daemon(self.daemon)
        if let socket = self.quiescedListenSocket {
            close(socket)
        }
        // Balances the passRetained in init: libmicrohttpd makes no more callbacks once stopped.
        self.dispatcher.release()
    }

    /// Stops accepting connections; connections already open go on being served.
    ///
    /// Wraps `MHD_quiesce_daemon`, then shuts the listening socket down so that new connection attempts are
    /// refused at once instead of waiting in the backlog. The socket itself stays open until the daemon has
    /// stopped, because libmicrohttpd's threads may still hold it.
    func stopAccepting() {
        guard self.quiescedListenSocket == nil else { return }
        let socket = MHD_quiesce_daemon(self.daemon)
        guard socket >= 0 else { return }
        self.quiescedListenSocket = socket
        _ = shutdown(socket, Int32(SHUT_RDWR))
    }

    // MARK: - Callbacks from libmicrohttpd threads

    /// The access handler: called once when a request's head is in, once per chunk of body, once when the
    /// body has ended, and once more after each resumption.
    private static func access(
        _ context: UnsafeMutableRawPointer?,
        _ connection: OpaquePointer?,
        _ url: UnsafePointer<CChar>?,
        _ method: UnsafePointer<CChar>?,
        _ uploadData: UnsafePointer<CChar>?,
        _ uploadDataSize: UnsafeMutablePointer<Int>?,
        _ requestSlot: UnsafeMutablePointer<UnsafeMutableRawPointer?>?
    ) -> MHD_Result {
        guard let context, let connection, let uploadDataSize, let requestSlot else { return .NO }
        let dispatcher = Unmanaged<RequestDispatcher>.fromOpaque(context).takeUnretainedValue()

        guard let slot = requestSlot.pointee else {
            let head = Self.readHead(of: connection, url: url, method: method)
            let (request, action) = dispatcher.begin(head)
            // Retained for the request slot; released exactly once, in requestCompleted.
            requestSlot.pointee = Unmanaged.passRetained(request).toOpaque()
            return Self.perform(action, for: request, on: connection, dispatcher: dispatcher)
        }
        let request = Unmanaged<RequestContext>.fromOpaque(slot).takeUnretainedValue()

        let size = uploadDataSize.pointee
        if size > 0 {
            let bytes = UnsafeRawBufferPointer(start: uploadData, count: size)
            // Every byte is taken (kept or dropped); libmicrohttpd calls again with the next chunk.
            uploadDataSize.pointee = 0
            return Self.perform(
                dispatcher.receive(bytes, for: request),
                for: request,
                on: connection,
                dispatcher: dispatcher
            )
        }
        return Self.perform(dispatcher.poll(request), for: request, on: connection, dispatcher: dispatcher)
    }

    private static func perform(
        _ action: RequestDispatcher.NetworkAction,
        for request: RequestContext,
        on connection: OpaquePointer,
        dispatcher: RequestDispatcher
    ) -> MHD_Result {
        switch action {
        case .proceed:
            return .YES
        case .closeConnection:
            return .NO
        case .send(let response):
            return Self.queue(response, on: connection, dispatcher: dispatcher)
        case .suspendAndRespond(let fullRequest):
            MHD_suspend_connection(connection)
            dispatcher.connectionSuspended(request, request: fullRequest, suspension: SuspendedConnection(connection))
            return .YES
        }
    }

    /// Hands `response` to libmicrohttpd, which copies the body (`.RESPMEM_MUST_COPY`).
    private static func queue(
        _ response: HTTPResponse,
        on connection: OpaquePointer,
        dispatcher: RequestDispatcher
    ) -> MHD_Result {
        let created = response.body.withUnsafeBytes { body in
            MHD_create_response_from_buffer(
                body.count,
                UnsafeMutableRawPointer(mutating: body.baseAddress),
                .RESPMEM_MUST_COPY
            )
        }
        guard let created else { return .NO }
        defer { MHD_destroy_response(created) }
        for (name, value) in response.headers where MHD_add_response_header(created, name, value) != .YES {
            dispatcher.headerRefused(name: name)
        }
        return MHD_queue_response(connection, UInt32(response.status), created)
    }

    private static func requestCompleted(
        _ context: UnsafeMutableRawPointer?,
        _ requestSlot: UnsafeMutablePointer<UnsafeMutableRawPointer?>?,
        _ termination: MHD_RequestTerminationCode
    ) {
        guard let context, let requestSlot, let slot = requestSlot.pointee else { return }
        requestSlot.pointee = nil
        // Balances the passRetained in access, when the head arrived.
        let request = Unmanaged<RequestContext>.fromOpaque(slot).takeRetainedValue()
        let dispatcher = Unmanaged<RequestDispatcher>.fromOpaque(context).takeUnretainedValue()
        dispatcher.finished(request, termination: Self.termination(termination))
    }

    private static func libraryLogged(
        _ context: UnsafeMutableRawPointer?,
        _ format: UnsafePointer<CChar>?,
        _ arguments: CVaListPointer?
    ) {
        guard let context, let format, let arguments else { return }
        var buffer = [CChar](repeating: 0, count: 512)
        guard vsnprintf(&buffer, buffer.count, format, arguments) >= 0 else { return }
        var text = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        while text.last?.isNewline == true {
            text.removeLast()
        }
        Unmanaged<RequestDispatcher>.fromOpaque(context).takeUnretainedValue().libraryLogged(text)
    }

    // MARK: - Reading the request head

    /// Collects the method, path, headers, query pairs and peer address while libmicrohttpd holds them.
    ///
    /// libmicrohttpd has already split the query and percent-decoded each name and value (and the path);
    /// repeated names stay separate entries, in order.
    private static func readHead(
        of connection: OpaquePointer,
        url: UnsafePointer<CChar>?,
        method: UnsafePointer<CChar>?
    ) -> HTTPRequestHead {
        var fields = Fields()
        withUnsafeMutablePointer(to: &fields) { pointer in
            for kind in [MHD_ValueKind.HEADER_KIND, .GET_ARGUMENT_KIND] {
                _ = MHD_get_connection_values_n(
                    connection,
                    kind,
                    { pointer, kind, key, keySize, value, valueSize in
                        guard let pointer, let key else { return .YES }
                        let fields = pointer.assumingMemoryBound(to: Fields.self)
                        let name = MicroHTTPDDaemon.string(key, count: keySize)
                        let text = value.map { MicroHTTPDDaemon.string($0, count: valueSize) }
                        if kind == .HEADER_KIND {
                            fields.pointee.headers.append((name, text ?? ""))
                        } else {
                            fields.pointee.query.append(HTTPQueryItem(name: name, value: text))
                        }
                        return .YES
                    },
                    pointer
                )
            }
        }
        return HTTPRequestHead(
            method: method.map { String(cString: $0) } ?? "",
            path: url.map { String(cString: $0) } ?? "/",
            queryItems: fields.query,
            headers: HTTPHeaders(fields.headers),
            remoteAddress: fj_mhd_connection_client_address(connection).flatMap(IPv4SocketAddress.ipText(of:))
        )
    }

    /// The header fields and query pairs of one request, filled in by the iterator callback.
    private struct Fields {
        var headers: [(String, String)] = []
        var query: [HTTPQueryItem] = []
    }

    private static func string(_ pointer: UnsafePointer<CChar>, count: Int) -> String {
        String(decoding: UnsafeRawBufferPointer(start: pointer, count: count), as: UTF8.self)
    }

    private static func termination(_ code: MHD_RequestTerminationCode) -> RequestDispatcher.Termination {
        switch code {
        case .REQUEST_TERMINATED_COMPLETED_OK: .completed
        case .REQUEST_TERMINATED_TIMEOUT_REACHED: .timeout
        case .REQUEST_TERMINATED_DAEMON_SHUTDOWN: .shutdown
        case .REQUEST_TERMINATED_READ_ERROR: .readError
        case .REQUEST_TERMINATED_CLIENT_ABORT: .clientAbort
        default: .error
        }
    }
}
