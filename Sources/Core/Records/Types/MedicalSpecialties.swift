import Foundation

/// The lookup table practitioners' `specialty_id` points to. Any signed-in user may list
/// and quick-create; creating an existing name (any case) returns that row with 200.
public enum MedicalSpecialties {
    public static let type = RecordType(
        name: "Medical specialty", table: "medical_specialties", path: "/api/v1/medical-specialties",
        idParameter: "specialty_id", scope: .directory,
        fields: [
            FieldSpec("name", .string(maxLength: 100, minLength: 1), required: true),
            FieldSpec("description", .string(maxLength: 500)),
            FieldSpec("is_active", .boolean, nullable: false, default: true),
        ],
        defaultLimit: 1000, maxLimit: 1000, labelField: "name")

    static let handlers = RecordHandlers(type)
    /// Creates per user per hour (the contract's limit).
    static let createsPerHour = 20

    static func register(in routes: RouteTable) {
        routes.get(type.path, list)
        routes.post(type.path, create)
        routes.get("\(type.path)/{specialty_id}", handlers.get)
    }

    /// Active specialties, alphabetical, as dropdown summaries.
    static func list(_ context: Context) throws -> Response {
        _ = try context.requireUser()
        let rows = try context.db.query(
            "SELECT id, name, description, is_active FROM medical_specialties WHERE is_active = 1 ORDER BY name")
        return .json(
            .array(
                rows.map {
                    [
                        "id": .int($0.int("id") ?? 0), "name": .string($0.string("name")),
                        "description": .string($0.string("description")),
                        "is_active": .bool($0.bool("is_active") ?? true),
                    ]
                }))
    }

    /// Creates a specialty, or answers the existing one of that name (trimmed, any case)
    /// with 200. The hourly limit is counted and the row inserted in one transaction, under
    /// a lock on the caller's user row, so parallel creates cannot slip past the limit.
    static func create(_ context: Context) throws -> Response {
        let user = try context.requireUser()
        let body = try context.jsonObject()
        let db = context.db
        let name = body["name"]?.stringValue?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
        return try db.transaction {
            _ = try db.queryOne("SELECT id FROM users WHERE id = ? FOR UPDATE", [.int(user.id)])
            try RateEvents.consume("specialty_create", user: user.id, limit: createsPerHour, window: 3600, db: db)
            if let existing = try existingID(named: name, db: db) {
                return .json(try handlers.fetch(existing, user: user, level: .view, db: db), status: 200)
            }
            do {
                return try handlers.create(context)
            } catch StoreError.duplicate {
                // Lost a race with another user's create of the same name: answer with the winner.
                guard let winner = try existingID(named: name, db: db) else {
                    throw APIError.conflict("Specialty already exists")
                }
                return .json(try handlers.fetch(winner, user: user, level: .view, db: db), status: 200)
            }
        }
    }

    /// The id of the specialty called `name`; a locking read, so it sees rows committed
    /// after this transaction began (a plain read would see its snapshot).
    static func existingID(named name: String, db: Connection) throws -> Int64? {
        guard !name.isEmpty else { return nil }
        return try db.queryOne("SELECT id FROM medical_specialties WHERE name = ? LOCK IN SHARE MODE", [.text(name)])?
            .int("id")
    }
}

/// Per-user action limits that nginx cannot key (it does not know the user).
enum RateEvents {
    /// Records one `action` by `user`, or answers 429 with `Retry-After` when `limit`
    /// actions already happened within `window` seconds.
    static func consume(_ action: String, user: Int64, limit: Int, window: Int, db: Connection) throws {
        let row = try db.queryOne(
            """
            SELECT COUNT(*) AS n, TIMESTAMPDIFF(SECOND, UTC_TIMESTAMP(), MIN(created_at) + INTERVAL ? SECOND) AS wait
            FROM rate_events WHERE user_id = ? AND action = ? AND created_at > UTC_TIMESTAMP() - INTERVAL ? SECOND
            """, [.int(Int64(window)), .int(user), .text(action), .int(Int64(window))])
        if let count = row?.int("n"), count >= limit {
            let wait = max(1, row?.int("wait") ?? Int64(window))
            throw APIError(
                429, "Too many requests", detail: .string("At most \(limit) per hour; try again in \(wait) seconds."),
                headers: [
                    (name: "Retry-After", value: "\(wait)"), (name: "X-RateLimit-Limit", value: "\(limit)"),
                    (name: "X-RateLimit-Remaining", value: "0"),
                ])
        }
        _ = try db.execute("INSERT INTO rate_events (user_id, action) VALUES (?, ?)", [.int(user), .text(action)])
    }
}
