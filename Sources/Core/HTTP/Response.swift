/// An HTTP response produced by `Core`; the FastCGI adapter writes it out unchanged.
public struct Response: Sendable {
    public var status: Int
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]
    /// A body too large for memory (a document fetched from a user's Paperless or Papra),
    /// sent from this file in chunks instead of `body`, then closed with it.
    public var bodyFile: BodyFile?

    public init(status: Int = 200, headers: [(name: String, value: String)] = [], body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// A JSON response (`application/json; charset=utf-8`).
    public static func json(_ value: JSON, status: Int = 200) -> Response {
        Response(
            status: status, headers: [(name: "Content-Type", value: "application/json; charset=utf-8")],
            body: value.serialized())
    }

    /// A JSON response whose body the caller encoded already.
    public static func json(encoded body: [UInt8], status: Int = 200) -> Response {
        Response(
            status: status, headers: [(name: "Content-Type", value: "application/json; charset=utf-8")], body: body)
    }

    /// `{"message": ...}` — the contract's shape for deletes and simple confirmations.
    public static func message(_ text: String, status: Int = 200) -> Response {
        .json(["message": .string(text)], status: status)
    }

    /// 204 with no body.
    public static var noContent: Response { Response(status: 204) }

    public mutating func addHeader(_ name: String, _ value: String) {
        headers.append((name: name, value: value))
    }

    public func header(_ name: String) -> String? {
        let lower = name.lowercased()
        return headers.first(where: { $0.name.lowercased() == lower })?.value
    }

    /// The body as JSON (tests).
    public var jsonBody: JSON? { try? JSON.parse(body) }
}

/// The reason phrases FastCGI's `Status:` line needs (nginx wants `200 OK`, not `200`).
public enum HTTPStatus {
    public static func reason(_ status: Int) -> String {
        switch status {
        case 200: return "OK"
        case 201: return "Created"
        case 204: return "No Content"
        case 304: return "Not Modified"
        case 400: return "Bad Request"
        case 401: return "Unauthorized"
        case 403: return "Forbidden"
        case 404: return "Not Found"
        case 405: return "Method Not Allowed"
        case 409: return "Conflict"
        case 413: return "Payload Too Large"
        case 415: return "Unsupported Media Type"
        case 422: return "Unprocessable Entity"
        case 429: return "Too Many Requests"
        case 500: return "Internal Server Error"
        case 502: return "Bad Gateway"
        case 503: return "Service Unavailable"
        case 504: return "Gateway Timeout"
        default: return "Status"
        }
    }
}
