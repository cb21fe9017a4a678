import Foundation

/// `/frontend-logs/*`: the web client's events, errors and user actions, written to the
/// application log as structured lines (category `frontend`).
enum FrontendLogRoutes {
    static func register(in routes: RouteTable) {
        routes.post("/api/v1/frontend-logs/log", log)
        routes.post("/api/v1/frontend-logs/error", error)
        routes.post("/api/v1/frontend-logs/user-action", userAction)
        routes.get("/api/v1/frontend-logs/health") { _ in
            .json(["status": "healthy", "service": "frontend_logging", "timestamp": .string(SystemRoutes.now())])
        }
    }

    static let levels = ["error", "warn", "info", "debug"]
    static let categories = ["error", "user_action", "performance", "security"]
    /// Caps what a client can push into our log per field.
    static let maxText = 10_000
    /// Caps what one request writes to the log in all: an anonymous client may call these
    /// endpoints, and each line is disk space and a reader's attention.
    static let maxLogged = 16_384

    static func log(_ context: Context) throws -> Response {
        let body = try context.jsonObject()
        var problems: [FieldProblem] = []
        let level = body["level"]?.stringValue
        if level == nil || !levels.contains(level!) {
            problems.append(FieldProblem("level", "must be one of \(levels.joined(separator: ", "))"))
        }
        let message = body["message"]?.stringValue
        if message == nil || message!.isEmpty { problems.append(FieldProblem("message", "is required")) }
        if let category = body["category"], category != .null, !categories.contains(category.stringValue ?? "") {
            problems.append(FieldProblem("category", "must be one of \(categories.joined(separator: ", "))"))
        }
        problems += tooLong(body)
        guard problems.isEmpty else { throw APIError.validation(problems) }
        let severity: LogLevel =
            switch level! {
            case "error": .error
            case "warn": .warning
            case "debug": .debug
            default: .info
            }
        write(severity, "frontend_log", body, context)
        return .json(["status": "logged", "timestamp": .string(SystemRoutes.now())])
    }

    static func error(_ context: Context) throws -> Response {
        let body = try context.jsonObject()
        var problems = tooLong(body)
        if (body["error_message"]?.stringValue ?? "").isEmpty {
            problems.append(FieldProblem("error_message", "is required"))
        }
        guard problems.isEmpty else { throw APIError.validation(problems) }
        write(.error, "frontend_error", body, context)
        return .json(["status": "error_logged", "timestamp": .string(SystemRoutes.now())])
    }

    static func userAction(_ context: Context) throws -> Response {
        let user = try context.requireUser()
        let body = try context.jsonObject()
        var problems = tooLong(body)
        if (body["action"]?.stringValue ?? "").isEmpty { problems.append(FieldProblem("action", "is required")) }
        guard problems.isEmpty else { throw APIError.validation(problems) }
        var fields = body
        fields["user_id"] = .int(user.id)  // the token's user, not whatever the body claims
        write(.info, "frontend_user_action", fields, context)
        return .json(["status": "action_logged", "timestamp": .string(SystemRoutes.now())])
    }

    static func tooLong(_ body: JSONObject) -> [FieldProblem] {
        body.compactMap { pair in
            if pair.value.serialized().count > maxText {
                return FieldProblem(pair.key, "is longer than \(maxText) bytes")
            }
            return nil
        }
    }

    static func write(_ level: LogLevel, _ event: String, _ body: JSONObject, _ context: Context) {
        var fields: JSONObject = [
            "category": "frontend", "request_id": .string(context.request.requestID),
            "remote_addr": .string(context.request.remoteAddress),
        ]
        fields["client"] = capped(body)
        Log.write(level, event, fields)
    }

    /// The client's fields as logged: secrets redacted first (so a cut never exposes half
    /// of one), then cut to `maxLogged` bytes with a marker saying so.
    static func capped(_ body: JSONObject) -> JSON {
        let client = Log.redacted("client", .object(body))
        let bytes = client.serialized()
        guard bytes.count > maxLogged else { return client }
        let kept = String(decoding: bytes.prefix(maxLogged), as: UTF8.self)
        return .string(kept + "…[truncated: \(bytes.count - maxLogged) of \(bytes.count) bytes]")
    }
}
