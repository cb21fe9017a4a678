/// What the SSO providers add to the outbound client: URL-encoded forms (OAuth2 token
/// requests, authorization URLs) and answers read as JSON objects.
extension OutboundRequest {
    /// A form-encoded POST; `timeout` in seconds for the whole exchange (at least 1).
    public static func urlEncoded(
        _ url: String, _ fields: [(String, String)], headers: [(name: String, value: String)] = [], timeout: Double
    ) -> OutboundRequest {
        let body = fields.map { "\(FormEncoding.escape($0.0))=\(FormEncoding.escape($0.1))" }.joined(separator: "&")
        return OutboundRequest(
            method: "POST", url: url,
            headers: headers + [(name: "Content-Type", value: "application/x-www-form-urlencoded")],
            body: Array(body.utf8), timeout: timeout)
    }

    /// A request with the whole exchange limited to `timeout` seconds (rounded up; the
    /// connection to at most as long).
    public init(
        method: String = "GET", url: String, headers: [(name: String, value: String)] = [], body: [UInt8]? = nil,
        timeout: Double
    ) {
        let seconds = max(1, Int(timeout.rounded(.up)))
        self.init(
            method: method, url: url, headers: headers, body: body, connectTimeout: min(5, seconds), timeout: seconds)
    }
}

extension OutboundResponse {
    /// The body as a JSON object, or nil when it is not one.
    public var jsonObject: JSONObject? { json?.objectValue }
}

/// Percent-encoding for `application/x-www-form-urlencoded` bodies and query strings
/// (RFC 3986 unreserved characters kept, every other byte escaped).
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
