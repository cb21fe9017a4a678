/// Injury types (sprain, fracture, …): a shared list every signed-in user reads and adds
/// to. The system types come from the migration and change only by migration; a user's
/// own type is changed or deleted by its creator (or an admin), and only while no injury
/// — anyone's — is of that type. Names are unique, case-insensitively.
public enum InjuryTypes {
    public static let type = RecordType(
        name: "Injury type", table: "injury_types", path: "/api/v1/injury-types", idParameter: "injury_type_id",
        scope: .directory,
        fields: [
            FieldSpec("name", .string(maxLength: 100, minLength: 2), required: true),
            FieldSpec("description", .string(maxLength: 300)),
        ],
        computed: [.init("is_system", sql: "r.is_system", kind: .boolean)],
        defaultLimit: 1000, maxLimit: 1000, labelField: "name", order: "r.name, r.id",
        summary: [
            ("id", "{e}.id", .integer(0...Int64.max)), ("name", "{e}.name", .string(maxLength: 100)),
            ("description", "{e}.description", .string(maxLength: 300)), ("is_system", "{e}.is_system", .boolean),
            ("created_at", "{e}.created_at", .string(maxLength: 40)),
            ("updated_at", "{e}.updated_at", .string(maxLength: 40)),
        ])

    static let handlers = RecordHandlers(type)
    static let item = "/api/v1/injury-types/{injury_type_id}"

    static func register(in routes: RouteTable) {
        routes.get(type.path) { try handlers.list($0) }
        routes.post(type.path, create)
        routes.get("/api/v1/injury-types/dropdown", dropdown)
        routes.get(item, handlers.get)
        routes.put(item, update)
        routes.delete(item, delete)
    }

    /// A name already taken (in any case) is the contract's 400.
    static func create(_ context: Context) throws -> Response {
        do { return try handlers.create(context) } catch StoreError.duplicate { throw duplicateName }
    }

    static func update(_ context: Context) throws -> Response {
        try context.db.transaction {
            _ = try lockUserType(context)
            do { return try handlers.update(context) } catch StoreError.duplicate { throw duplicateName }
        }
    }

    /// Refused (400, the contract's status for both) for a system type and for a type any
    /// injury is of; the type's row stays locked until the delete, so no injury can take
    /// it up in between.
    static func delete(_ context: Context) throws -> Response {
        try context.db.transaction {
            let id = try lockUserType(context)
            let uses =
                try context.db.queryOne(
                    "SELECT COUNT(*) AS n FROM injuries WHERE injury_type_id = ?", [.int(id)])?.int("n") ?? 0
            guard uses == 0 else {
                throw APIError(
                    400, "Injury type is in use and cannot be deleted",
                    detail: .string("\(uses) injur\(uses == 1 ? "y is" : "ies are") of this type"))
            }
            return try handlers.delete(context)
        }
    }

    /// Locks the path's type and returns its id: 404 when missing, 400 for a system type,
    /// 403 unless the caller created it or is an admin.
    static func lockUserType(_ context: Context) throws -> Int64 {
        let user = try context.requireUser()
        let id = try context.parameters.id("injury_type_id")
        guard
            let row = try context.db.queryOne(
                "SELECT is_system FROM injury_types WHERE id = ? FOR UPDATE", [.int(id)])
        else { throw APIError.notFound(type.name) }
        if row.bool("is_system") == true {
            throw APIError(400, "System injury types cannot be changed or deleted")
        }
        _ = try handlers.lockForWrite(id, user: user, db: context.db)
        return id
    }

    static var duplicateName: APIError {
        APIError(400, "An injury type with this name already exists")
    }

    /// `[{id, name, is_system}]`, alphabetical.
    static func dropdown(_ context: Context) throws -> Response {
        _ = try context.requireUser()
        let rows = try context.db.query("SELECT id, name, is_system FROM injury_types ORDER BY name, id LIMIT 1000")
        return .json(
            .array(
                rows.map {
                    [
                        "id": .int($0.int("id") ?? 0), "name": .string($0.string("name")),
                        "is_system": .bool($0.bool("is_system") ?? false),
                    ]
                }))
    }
}
