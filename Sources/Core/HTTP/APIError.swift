/// An error a handler throws to answer the client with a status and the contract's
/// error shape: `{"status":"error","error":<message>,"detail":<string, list or null>}`.
public struct APIError: Error, Sendable {
    public var status: Int
    public var message: String
    public var detail: JSON
    public var headers: [(name: String, value: String)]

    public init(_ status: Int, _ message: String, detail: JSON = .null, headers: [(name: String, value: String)] = []) {
        self.status = status
        self.message = message
        self.detail = detail
        self.headers = headers
    }

    public var response: Response {
        var body = JSONObject()
        body["status"] = "error"
        body["error"] = .string(message)
        body["detail"] = detail
        var response = Response.json(.object(body), status: status)
        response.headers.append(contentsOf: headers)
        return response
    }

    public static func notFound(_ what: String = "Resource") -> APIError {
        APIError(404, "\(what) not found")
    }
    public static func badRequest(_ message: String, detail: JSON = .null) -> APIError {
        APIError(400, message, detail: detail)
    }
    public static var unauthorized: APIError {
        APIError(401, "Could not validate credentials", headers: [(name: "WWW-Authenticate", value: "Bearer")])
    }
    public static func forbidden(_ message: String = "Not enough permissions") -> APIError {
        APIError(403, message)
    }
    public static func conflict(_ message: String) -> APIError { APIError(409, message) }
    /// A validation failure: `detail` lists every bad field as `{"field":..., "message":...}`.
    public static func validation(_ problems: [FieldProblem], status: Int = 422) -> APIError {
        let summary = problems.map { "\($0.field): \($0.message)" }.joined(separator: "; ")
        return APIError(
            status, "Validation failed: \(summary)",
            detail: .array(problems.map { ["field": .string($0.field), "message": .string($0.message)] }))
    }
    public static var serviceUnavailable: APIError {
        APIError(503, "Service temporarily unavailable", detail: "The database cannot be reached; try again shortly.")
    }
}

/// One bad input field and why.
public struct FieldProblem: Error, Sendable, Equatable {
    public var field: String
    public var message: String
    public init(_ field: String, _ message: String) {
        self.field = field
        self.message = message
    }
}
