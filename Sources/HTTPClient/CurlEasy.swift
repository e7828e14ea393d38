import CCurl

/// The owner of one libcurl easy handle, and the only Swift code that calls libcurl's transfer API.
///
/// libcurl easy handles are not thread-safe, so this class is deliberately not `Sendable`: it is
/// created, configured, performed and freed on one thread, inside `CurlTransfer`. Everything it
/// hands out is a Swift value; no C pointer leaves this file.
final class CurlEasy {
    private let handle: UnsafeMutableRawPointer
    /// libcurl writes a failed transfer's detail here (`CURLOPT_ERRORBUFFER`); it must live as long
    /// as the handle, so it is allocated here and freed in `deinit`.
    private let errorBuffer: UnsafeMutablePointer<CChar>
    private var lists: [UnsafeMutablePointer<curl_slist>] = []
    /// The callbacks' context. libcurl holds it unretained (`Unmanaged.passUnretained` below); this
    /// strong reference keeps it alive for as long as the handle can call back, which ends in `deinit`.
    private let exchange: CurlExchange

    /// Creates a handle whose callbacks read the upload from, and write the response into, `exchange`.
    ///
    /// - Throws: `CurlError` when libcurl cannot create or set up the handle.
    init(exchange: CurlExchange) throws(CurlError) {
        CurlGlobal.initialise()
        guard let handle = curl_easy_init() else {
            throw CurlError(code: CurlError.Code(CURLE_FAILED_INIT), message: "libcurl could not create a handle")
        }
        let errorBuffer = UnsafeMutablePointer<CChar>.allocate(capacity: Int(CURL_ERROR_SIZE))
        errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE))
        self.handle = handle
        self.errorBuffer = errorBuffer
        self.exchange = exchange

        let context = Unmanaged.passUnretained(exchange).toOpaque()
        try self.check(fj_curl_easy_setopt_pointer(handle, CURLOPT_ERRORBUFFER, errorBuffer), "CURLOPT_ERRORBUFFER")
        // Signals cannot be used to time out name resolution in a multi-threaded process.
        try self.set(CURLOPT_NOSIGNAL, 1)
        try self.check(fj_curl_easy_setopt_write_function(handle, curlWriteCallback), "CURLOPT_WRITEFUNCTION")
        try self.check(fj_curl_easy_setopt_pointer(handle, CURLOPT_WRITEDATA, context), "CURLOPT_WRITEDATA")
        try self.check(fj_curl_easy_setopt_read_function(handle, curlReadCallback), "CURLOPT_READFUNCTION")
        try self.check(fj_curl_easy_setopt_pointer(handle, CURLOPT_READDATA, context), "CURLOPT_READDATA")
        try self.check(fj_curl_easy_setopt_xferinfo_function(handle, curlProgressCallback), "CURLOPT_XFERINFOFUNCTION")
        try self.check(fj_curl_easy_setopt_pointer(handle, CURLOPT_XFERINFODATA, context), "CURLOPT_XFERINFODATA")
        // The progress callback is how a cancelled task stops a transfer, so it must be called.
        try self.set(CURLOPT_NOPROGRESS, 0)
    }

    deinit {
        curl_easy_cleanup(self.handle)
        for list in self.lists {
            curl_slist_free_all(list)
        }
        self.errorBuffer.deallocate()
    }

    // MARK: Options

    /// Sets a numeric option (`curl_easy_setopt` with a `long`).
    func set(_ option: CURLoption, _ value: Int) throws(CurlError) {
        try self.check(fj_curl_easy_setopt_long(self.handle, option, value), "option \(option.rawValue)")
    }

    /// Sets a size option (`curl_easy_setopt` with a `curl_off_t`).
    func set(_ option: CURLoption, size: Int64) throws(CurlError) {
        try self.check(fj_curl_easy_setopt_off_t(self.handle, option, curl_off_t(size)), "option \(option.rawValue)")
    }

    /// Sets a text option; libcurl copies the string, so it need not outlive the call.
    func set(_ option: CURLoption, _ value: String) throws(CurlError) {
        try self.check(fj_curl_easy_setopt_string(self.handle, option, value), "option \(option.rawValue)")
    }

    /// Sets a list option (headers, recipients); the list is freed with the handle.
    func set(_ option: CURLoption, list values: [String]) throws(CurlError) {
        var list: UnsafeMutablePointer<curl_slist>?
        for value in values {
            guard let longer = curl_slist_append(list, value) else {
                if let list { curl_slist_free_all(list) }
                throw CurlError(code: CurlError.Code(CURLE_OUT_OF_MEMORY), message: "libcurl could not build a list")
            }
            list = longer
        }
        guard let list else { return }
        self.lists.append(list)
        try self.check(fj_curl_easy_setopt_slist(self.handle, option, list), "option \(option.rawValue)")
    }

    // MARK: Transfer

    /// Runs the transfer to its end (`curl_easy_perform`); blocks the calling thread.
    ///
    /// - Returns: the protocol's last reply code (HTTP status, SMTP reply), 0 when none came.
    /// - Throws: `CurlError` with libcurl's code, its error-buffer text and the last reply code.
    func perform() throws(CurlError) -> Int {
        let code = curl_easy_perform(self.handle)
        let reply = self.lastReplyCode()
        guard code == CURLE_OK else {
            let detail = String(cString: self.errorBuffer)
            throw CurlError(
                code: CurlError.Code(code),
                message: String(cString: curl_easy_strerror(code)),
                errorBuffer: detail,
                replyCode: reply == 0 ? nil : reply
            )
        }
        return reply
    }

    private func lastReplyCode() -> Int {
        var reply = 0
        _ = fj_curl_easy_getinfo_long(self.handle, CURLINFO_RESPONSE_CODE, &reply)
        return reply
    }

    private func check(_ code: CURLcode, _ what: String) throws(CurlError) {
        guard code == CURLE_OK else {
            throw CurlError(
                code: CurlError.Code(code),
                message: "libcurl refused \(what): \(String(cString: curl_easy_strerror(code)))"
            )
        }
    }
}

// MARK: - Callbacks

// Non-capturing C callbacks; their context is the transfer's `CurlExchange`, passed unretained and
// kept alive by the `CurlEasy` that owns the handle.

private let curlWriteCallback: curl_write_callback = { data, size, count, context in
    guard let data, let context else { return 0 }
    let exchange = Unmanaged<CurlExchange>.fromOpaque(context).takeUnretainedValue()
    let length = size * count
    // Returning less than was offered makes libcurl stop with CURLE_WRITE_ERROR.
    return exchange.receive(UnsafeRawBufferPointer(start: data, count: length)) ? length : 0
}

private let curlReadCallback: curl_read_callback = { buffer, size, count, context in
    guard let buffer, let context else { return Int(CURL_READFUNC_ABORT) }
    let exchange = Unmanaged<CurlExchange>.fromOpaque(context).takeUnretainedValue()
    return exchange.supply(into: UnsafeMutableRawBufferPointer(start: buffer, count: size * count))
}

private let curlProgressCallback: curl_xferinfo_callback = { context, _, _, _, _ in
    guard let context else { return 0 }
    let exchange = Unmanaged<CurlExchange>.fromOpaque(context).takeUnretainedValue()
    // Non-zero aborts the transfer with CURLE_ABORTED_BY_CALLBACK.
    return exchange.isCancelled ? 1 : 0
}

/// Runs `curl_global_init` once per process, before the first handle is made.
enum CurlGlobal {
    // A static `let` is initialised exactly once, under a lock, on first use. libcurl 7.84 and later
    // make `curl_global_init` itself thread-safe, so no other thread can be inside libcurl meanwhile.
    private static let status: CURLcode = curl_global_init(Int(CURL_GLOBAL_ALL))

    static func initialise() {
        precondition(Self.status == CURLE_OK, "curl_global_init failed with code \(Self.status.rawValue)")
    }
}
