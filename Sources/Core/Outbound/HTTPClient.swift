import CCurlShim
import Foundation

/// One outbound HTTP(S) request. `body` or `form` (multipart), not both.
public struct OutboundRequest: Sendable {
    public var method: String
    public var url: String
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]?
    public var form: OutboundForm?
    /// Seconds to connect, and for the whole exchange (0: no total limit; a transfer
    /// slower than 1 kB/s for 30 s is still cut).
    public var connectTimeout: Int
    public var timeout: Int

    public init(
        method: String = "GET", url: String, headers: [(name: String, value: String)] = [], body: [UInt8]? = nil,
        form: OutboundForm? = nil, connectTimeout: Int = 5, timeout: Int = 30
    ) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.form = form
        self.connectTimeout = connectTimeout
        self.timeout = timeout
    }
}

/// A multipart body: text fields and at most one file, read from an open descriptor
/// while it is sent (a 1 GB upload never sits in memory).
public struct OutboundForm: Sendable {
    public var fields: [(name: String, value: String)]
    public var file: (field: String, descriptor: Int32, size: Int, name: String, mediaType: String)?

    public init(
        fields: [(name: String, value: String)] = [],
        file: (field: String, descriptor: Int32, size: Int, name: String, mediaType: String)? = nil
    ) {
        self.fields = fields
        self.file = file
    }
}

/// An answer: status, headers (names lowercased) and the body when it was kept in memory.
public struct OutboundResponse: Sendable {
    public var status: Int
    public var headers: [String: String]
    public var body: [UInt8]

    public func header(_ name: String) -> String? { headers[name.lowercased()] }
    public var json: JSON? { try? JSON.parse(body) }
}

/// Why no answer came: no connection, a timeout, a body over its cap, a file that could
/// not be written. The message comes from libcurl and names host and port, never a header.
public struct OutboundError: Error, Sendable, CustomStringConvertible {
    public enum Kind: Sendable { case unreachable, timedOut, tooLarge, writeFailed }
    public var kind: Kind
    public var message: String
    public var description: String { message }
}

/// The server's outbound HTTP(S) client: a thin Swift face on libcurl (`CCurlShim`),
/// synchronous like the rest of a worker thread. Every request gets the same policy,
/// set in the shim: http and https only, no redirects followed (a backend cannot send
/// the server elsewhere), timeouts, no signals. What an URL may name is the caller's
/// rule (`OutboundURL`). Headers are never logged: they carry tokens.
public enum HTTPClient {
    /// The largest answer kept in memory (JSON from a backend).
    public static let defaultMaxBodyBytes = 8 << 20

    /// Sends `request` and keeps the body in memory, up to `maxBodyBytes` (past it:
    /// `.tooLarge`).
    public static func send(_ request: OutboundRequest, maxBodyBytes: Int = defaultMaxBodyBytes) throws(OutboundError)
        -> OutboundResponse
    {
        let sink = Sink(limit: maxBodyBytes, descriptor: -1)
        let status = try perform(request, sink: sink)
        return OutboundResponse(status: status, headers: sink.headers, body: sink.body)
    }

    /// Sends `request` and writes a 2xx answer's body to `descriptor` (other answers' bodies
    /// are kept in memory, capped, for the caller's error). Returns the answer with the
    /// number of bytes written in `written`.
    public static func download(_ request: OutboundRequest, to descriptor: Int32) throws(OutboundError) -> (
        response: OutboundResponse, written: Int
    ) {
        let sink = Sink(limit: 64 << 10, descriptor: descriptor)
        let status = try perform(request, sink: sink)
        return (OutboundResponse(status: status, headers: sink.headers, body: sink.body), sink.written)
    }

    // MARK: the exchange

    /// Collects what libcurl hands over; a class so the C callback can reach it.
    final class Sink {
        let limit: Int
        let descriptor: Int32
        var body: [UInt8] = []
        var headers: [String: String] = [:]
        var written = 0
        var status = 0
        var overflow = false
        var writeFailed = false

        init(limit: Int, descriptor: Int32) {
            self.limit = limit
            self.descriptor = descriptor
        }

        func take(_ bytes: UnsafeRawBufferPointer) -> Int {
            if descriptor >= 0 && (200..<300).contains(status) {
                var done = 0
                while done < bytes.count {
                    let wrote = write(descriptor, bytes.baseAddress! + done, bytes.count - done)
                    if wrote < 0 && errno == EINTR { continue }
                    guard wrote > 0 else {
                        writeFailed = true
                        return 0
                    }
                    done += wrote
                }
                written += done
                return done
            }
            guard body.count + bytes.count <= limit else {
                overflow = true
                return 0
            }
            body.append(contentsOf: bytes)
            return bytes.count
        }

        /// A header line; a status line starts a new set (a `100 Continue` before the real one).
        func header(_ bytes: UnsafeRawBufferPointer) {
            let line = String(decoding: bytes, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            if line.hasPrefix("HTTP/") {
                headers = [:]
                let parts = line.split(separator: " ")
                status = parts.count > 1 ? Int(parts[1]) ?? 0 : 0
            } else if let colon = line.firstIndex(of: ":") {
                let name = line[..<colon].lowercased()
                headers[name] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            }
        }
    }

    private static func perform(_ request: OutboundRequest, sink: Sink) throws(OutboundError) -> Int {
        let context = Unmanaged.passUnretained(sink).toOpaque()
        var result = mk_http_result()
        let headerLines = request.headers.map { "\($0.name): \($0.value)" }
        let fields = request.form?.fields ?? []
        let file = request.form?.file
        let outcome = withCStrings(headerLines) { headers in
            withCStrings(fields.map(\.name)) { names in
                withCStrings(fields.map(\.value)) { values in
                    request.method.withCString { method in
                        request.url.withCString { url in
                            (file?.field ?? "file").withCString { fileField in
                                (file?.name ?? "file").withCString { fileName in
                                    (file?.mediaType ?? "application/octet-stream").withCString { fileType in
                                        // An empty body still needs a pointer: one byte, length 0.
                                        (request.body.map { $0.isEmpty ? [0] : $0 } ?? []).withUnsafeBufferPointer {
                                            body in
                                            var spec = mk_http_request()
                                            spec.method = method
                                            spec.url = url
                                            spec.headers = headers
                                            spec.header_count = Int32(headerLines.count)
                                            spec.body = request.body == nil ? nil : body.baseAddress
                                            spec.body_length = request.body?.count ?? 0
                                            spec.form_names = names
                                            spec.form_values = values
                                            spec.form_count = Int32(fields.count)
                                            spec.file_field = fileField
                                            spec.file_fd = file?.descriptor ?? -1
                                            spec.file_size = Int64(file?.size ?? 0)
                                            spec.file_name = fileName
                                            spec.file_type = fileType
                                            spec.connect_timeout_seconds = request.connectTimeout
                                            spec.timeout_seconds = request.timeout
                                            return mk_http_perform(&spec, onBody, onHeader, context, &result)
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        if outcome != 0 {
            let message = withUnsafeBytes(of: result.error) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            if sink.overflow { throw OutboundError(kind: .tooLarge, message: "the answer is larger than expected") }
            if sink.writeFailed { throw OutboundError(kind: .writeFailed, message: "cannot write the download") }
            if result.curl_code == mk_http_code_timed_out() { throw OutboundError(kind: .timedOut, message: message) }
            throw OutboundError(kind: .unreachable, message: message)
        }
        return Int(result.status)
    }

    /// `strings` as a C array of C strings for the duration of `body`.
    private static func withCStrings<T>(
        _ strings: [String], _ body: (UnsafePointer<UnsafePointer<CChar>?>?) -> T
    ) -> T {
        let copies = strings.map { strdup($0) }
        defer { copies.forEach { free($0) } }
        let pointers = copies.map { UnsafePointer($0) }
        return pointers.withUnsafeBufferPointer { body($0.baseAddress) }
    }
}

private func onBody(_ context: UnsafeMutableRawPointer?, _ data: UnsafePointer<CChar>?, _ length: Int) -> Int {
    guard let context, let data else { return 0 }
    let sink = Unmanaged<HTTPClient.Sink>.fromOpaque(context).takeUnretainedValue()
    return sink.take(UnsafeRawBufferPointer(start: data, count: length))
}

private func onHeader(_ context: UnsafeMutableRawPointer?, _ data: UnsafePointer<CChar>?, _ length: Int) -> Int {
    guard let context, let data else { return 0 }
    let sink = Unmanaged<HTTPClient.Sink>.fromOpaque(context).takeUnretainedValue()
    sink.header(UnsafeRawBufferPointer(start: data, count: length))
    return length
}
