import CCurl
import Foundation

/// One outbound HTTP request (to an identity provider, or any other service the server
/// calls). Kept general — method, URL, headers, body — so every feature that talks to
/// another server uses this one client.
public struct OutboundRequest: Sendable {
    public var method: String
    public var url: String
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]?
    /// Seconds for the whole exchange, connecting included.
    public var timeout: Double
    /// Answers longer than this are cut off and refused (a hostile or broken peer
    /// cannot make us buffer without bound).
    public var maximumResponseBytes: Int

    public init(
        method: String = "GET", url: String, headers: [(name: String, value: String)] = [], body: [UInt8]? = nil,
        timeout: Double = 10, maximumResponseBytes: Int = 1_048_576
    ) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.timeout = timeout
        self.maximumResponseBytes = maximumResponseBytes
    }

    /// A form-encoded POST (OAuth2 token requests).
    public static func form(
        _ url: String, _ fields: [(String, String)], headers: [(name: String, value: String)] = [], timeout: Double
    ) -> OutboundRequest {
        let body = fields.map { "\(FormEncoding.escape($0.0))=\(FormEncoding.escape($0.1))" }.joined(separator: "&")
        return OutboundRequest(
            method: "POST", url: url,
            headers: headers + [(name: "Content-Type", value: "application/x-www-form-urlencoded")],
            body: Array(body.utf8), timeout: timeout)
    }
}

/// What came back.
public struct OutboundResponse: Sendable {
    public let status: Int
    public let body: [UInt8]

    /// The body as a JSON object, or nil when it is not one.
    public var jsonObject: JSONObject? { (try? JSON.parse(body))?.objectValue }
}

/// Why no answer came back (the peer's own error statuses are answers, not errors).
public struct OutboundError: Error, CustomStringConvertible, Sendable {
    public let message: String
    public var description: String { message }
}

/// A small blocking HTTP client on libcurl (Debian's libcurl4-openssl-dev).
///
/// Why libcurl: Foundation's URLSession on Linux runs its own thread and event loop per
/// session and is awkward to bound; libcurl's easy interface does one exchange on the
/// calling thread — what a FastCGI worker thread wants — with TLS verification against
/// the system's CA store, connect and total timeouts, and no redirects followed (a
/// provider that redirects a token request is misconfigured, and following redirects
/// would let it steer our requests elsewhere). Only http and https are allowed.
public enum HTTPClient {
    /// libcurl's global set-up, done once before the first request.
    private static let initialized: Bool = curl_global_init(Int(CURL_GLOBAL_DEFAULT)) == CURLE_OK

    public static func send(_ request: OutboundRequest) throws(OutboundError) -> OutboundResponse {
        guard initialized, let handle = curl_easy_init() else {
            throw OutboundError(message: "libcurl could not be initialized")
        }
        defer { curl_easy_cleanup(handle) }
        let sink = ResponseSink(limit: request.maximumResponseBytes)
        var headerList: UnsafeMutablePointer<curl_slist>?
        defer { curl_slist_free_all(headerList) }
        for header in request.headers {
            headerList = curl_slist_append(headerList, "\(header.name): \(header.value)")
        }
        // No "Expect: 100-continue" round trip on POSTs.
        headerList = curl_slist_append(headerList, "Expect:")

        let milliseconds = max(1, Int(request.timeout * 1000))
        var code = mk_curl_set_string(handle, CURLOPT_URL, request.url)
        code = code != CURLE_OK ? code : mk_curl_set_string(handle, CURLOPT_PROTOCOLS_STR, "http,https")
        code = code != CURLE_OK ? code : mk_curl_set_long(handle, CURLOPT_FOLLOWLOCATION, 0)
        code = code != CURLE_OK ? code : mk_curl_set_long(handle, CURLOPT_NOSIGNAL, 1)
        code = code != CURLE_OK ? code : mk_curl_set_long(handle, CURLOPT_TIMEOUT_MS, milliseconds)
        code = code != CURLE_OK ? code : mk_curl_set_long(handle, CURLOPT_CONNECTTIMEOUT_MS, min(milliseconds, 5000))
        code = code != CURLE_OK ? code : mk_curl_set_long(handle, CURLOPT_SSL_VERIFYPEER, 1)
        code = code != CURLE_OK ? code : mk_curl_set_long(handle, CURLOPT_SSL_VERIFYHOST, 2)
        code = code != CURLE_OK ? code : mk_curl_set_string(handle, CURLOPT_USERAGENT, "medikeep-fcgi")
        code =
            code != CURLE_OK
            ? code : mk_curl_set_pointer(handle, CURLOPT_HTTPHEADER, UnsafeMutableRawPointer(headerList))
        code = code != CURLE_OK ? code : mk_curl_set_string(handle, CURLOPT_CUSTOMREQUEST, request.method)
        if let body = request.body {
            // Never a NULL pointer: libcurl would then read the body from a callback.
            let bytes = body.isEmpty ? [0] : body
            let set = bytes.withUnsafeBufferPointer { buffer in
                buffer.withMemoryRebound(to: CChar.self) { mk_curl_set_body(handle, $0.baseAddress, body.count) }
            }
            code = code != CURLE_OK ? code : set
        }
        let context = Unmanaged.passRetained(sink)
        defer { context.release() }
        code = code != CURLE_OK ? code : mk_curl_set_write_function(handle, ResponseSink.write)
        code = code != CURLE_OK ? code : mk_curl_set_pointer(handle, CURLOPT_WRITEDATA, context.toOpaque())
        guard code == CURLE_OK else { throw OutboundError(message: "request set-up failed: \(describe(code))") }

        let result = curl_easy_perform(handle)
        if sink.overflowed {
            throw OutboundError(message: "answer longer than \(request.maximumResponseBytes) bytes")
        }
        guard result == CURLE_OK else { throw OutboundError(message: describe(result)) }
        return OutboundResponse(status: mk_curl_response_code(handle), body: sink.bytes)
    }

    private static func describe(_ code: CURLcode) -> String {
        String(cString: curl_easy_strerror(code))
    }
}

/// Collects the body libcurl hands over, up to a limit.
private final class ResponseSink {
    let limit: Int
    var bytes: [UInt8] = []
    var overflowed = false

    init(limit: Int) { self.limit = limit }

    /// libcurl's write callback: returning fewer bytes than given aborts the transfer.
    static let write: @convention(c) (UnsafeMutablePointer<CChar>?, Int, Int, UnsafeMutableRawPointer?) -> Int = {
        data, size, count, context in
        guard let data, let context else { return 0 }
        let sink = Unmanaged<ResponseSink>.fromOpaque(context).takeUnretainedValue()
        let length = size * count
        guard sink.bytes.count + length <= sink.limit else {
            sink.overflowed = true
            return 0
        }
        data.withMemoryRebound(to: UInt8.self, capacity: length) {
            sink.bytes.append(contentsOf: UnsafeBufferPointer(start: $0, count: length))
        }
        return length
    }
}

/// application/x-www-form-urlencoded and query-string escaping (RFC 3986 unreserved
/// characters pass, everything else is percent-encoded).
public enum FormEncoding {
    private static let unreserved = Set(
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~".utf8)
    private static let hexDigits = Array("0123456789ABCDEF".utf8)

    public static func escape(_ text: String) -> String {
        var out = [UInt8]()
        out.reserveCapacity(text.utf8.count)
        for byte in text.utf8 {
            if unreserved.contains(byte) {
                out.append(byte)
            } else {
                out.append(UInt8(ascii: "%"))
                out.append(hexDigits[Int(byte >> 4)])
                out.append(hexDigits[Int(byte & 0x0F)])
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// `base?k=v&k=v` (or `&` when `base` already has a query).
    public static func url(_ base: String, _ fields: [(String, String)]) -> String {
        let query = fields.map { "\(escape($0.0))=\(escape($0.1))" }.joined(separator: "&")
        return base + (base.contains("?") ? "&" : "?") + query
    }
}
