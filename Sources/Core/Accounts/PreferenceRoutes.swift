/// `GET/PUT /users/me/preferences`: display and session settings of the signed-in user.
/// The row is created with the defaults the first time it is needed.
enum PreferenceRoutes {
    static func register(in routes: RouteTable) {
        routes.get("/api/v1/users/me/preferences", show)
        routes.put("/api/v1/users/me/preferences", update)
    }

    static let themes = ["light", "dark", "auto"]
    static let unitSystems = ["imperial", "metric"]
    static let dateFormats = ["mdy", "dmy", "ymd"]
    static let languageLength = 2...10
    /// Bounds of `session_timeout_minutes`; null means the configured default.
    static let sessionTimeoutRange: ClosedRange<Int64> = 5...1440

    static func show(_ context: Context) throws -> Response {
        let user = try context.requireUser()
        return .json(try load(user.id, db: context.db))
    }

    /// A partial update: only the fields present change; every bad one is named (422).
    static func update(_ context: Context) throws -> Response {
        let user = try context.requireUser()
        var reader = FieldReader(try context.jsonObject())
        var assignments: [String] = []
        var binds: [SQLValue] = []
        func set(_ column: String, _ value: SQLValue) {
            assignments.append("\(column) = ?")
            binds.append(value)
        }
        for (key, allowed) in [("theme", themes), ("unit_system", unitSystems), ("date_format", dateFormats)] {
            guard reader.has(key) else { continue }
            let value = reader.string(key)
            reader.require(key, value) {
                allowed.contains($0) ? nil : "must be one of \(allowed.joined(separator: ", "))"
            }
            if let value, allowed.contains(value) { set(key, .text(value)) }
        }
        if reader.has("notifications_enabled") {
            let value = reader.bool("notifications_enabled")
            reader.require("notifications_enabled", value) { _ in nil }
            if let value { set("notifications_enabled", .bool(value)) }
        }
        if reader.has("language") {
            let value = reader.string("language")
            reader.require("language", value) { language in
                guard languageLength.contains(language.count) else { return "must be 2 to 10 characters long" }
                return language.allSatisfy { $0.isASCII && ($0.isLetter || $0 == "-" || $0 == "_") }
                    ? nil : "must be a language code such as en or pt-BR"
            }
            if let value, reader.problems.allSatisfy({ $0.field != "language" }) { set("language", .text(value)) }
        }
        if reader.has("session_timeout_minutes") {
            if reader.isNull("session_timeout_minutes") {
                set("session_timeout_minutes", .null)
            } else if let minutes = reader.int("session_timeout_minutes") {
                if sessionTimeoutRange.contains(minutes) {
                    set("session_timeout_minutes", .int(minutes))
                } else {
                    reader.fail(
                        "session_timeout_minutes",
                        "must be between \(sessionTimeoutRange.lowerBound) and \(sessionTimeoutRange.upperBound), or null for the default"
                    )
                }
            }
        }
        try reader.check()
        let db = context.db
        try ensureRow(user.id, db: db)
        if !assignments.isEmpty {
            try db.execute(
                "UPDATE user_preferences SET \(assignments.joined(separator: ", ")) WHERE user_id = ?",
                binds + [.int(user.id)])
        }
        return .json(try load(user.id, db: db))
    }

    static func ensureRow(_ userID: Int64, db: Connection) throws {
        try db.execute("INSERT IGNORE INTO user_preferences (user_id) VALUES (?)", [.int(userID)])
    }

    /// The preferences object, creating the row with defaults when the user has none.
    static func load(_ userID: Int64, db: Connection) throws -> JSON {
        let sql = """
            SELECT user_id, theme, notifications_enabled, language, unit_system, session_timeout_minutes, date_format
            FROM user_preferences WHERE user_id = ?
            """
        var row = try db.queryOne(sql, [.int(userID)])
        if row == nil {
            try ensureRow(userID, db: db)
            row = try db.queryOne(sql, [.int(userID)])
        }
        guard let row else { throw APIError.notFound("User") }
        return [
            "user_id": .int(userID),
            "theme": .string(row.string("theme")),
            "notifications_enabled": .bool(row.bool("notifications_enabled") ?? true),
            "language": .string(row.string("language")),
            "unit_system": .string(row.string("unit_system")),
            "session_timeout_minutes": row.int("session_timeout_minutes").map { .int($0) } ?? .null,
            "date_format": .string(row.string("date_format")),
        ]
    }
}
