/// The user object the API returns (register, `/users/me`): never the password hash.
enum UserJSON {
    /// The columns `object(_:)` reads, for SELECTs on `users`.
    static let columns =
        "id, username, email, first_name, last_name, full_name, role, auth_method, is_active, created_at, updated_at"

    static func object(_ row: Row) -> JSON {
        [
            "id": .int(row.int("id") ?? 0),
            "username": .string(row.string("username")),
            "email": .string(row.string("email")),
            "first_name": .string(row.string("first_name")),
            "last_name": .string(row.string("last_name")),
            "full_name": .string(row.string("full_name")),
            "role": .string(row.string("role")),
            "auth_method": .string(row.string("auth_method")),
            "is_active": .bool(row.bool("is_active") ?? false),
            "created_at": .string(row.string("created_at")),
            "updated_at": .string(row.string("updated_at")),
        ]
    }

    /// The user `id` as the API shows it; 404 when it no longer exists.
    static func load(_ id: Int64, db: Connection) throws -> JSON {
        guard let row = try db.queryOne("SELECT \(columns) FROM users WHERE id = ?", [.int(id)]) else {
            throw APIError.notFound("User")
        }
        return object(row)
    }
}
