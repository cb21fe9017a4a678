/// Practices (clinics) that practitioners belong to; names are unique, case-insensitively
/// (the column's collation), and deleting one leaves its practitioners without a practice.
public enum Practices {
    static let location: [FieldSpec] = [
        FieldSpec("label", .string(maxLength: 100)),
        FieldSpec("address", .string(maxLength: 255)),
        FieldSpec("city", .string(maxLength: 100)),
        FieldSpec("state", .string(maxLength: 100)),
        FieldSpec("zip", .string(maxLength: 20)),
        FieldSpec("phone", .string(maxLength: 30)),
    ]

    public static let type = RecordType(
        name: "Practice", table: "practices", path: "/api/v1/practices", idParameter: "practice_id",
        scope: .directory,
        fields: [
            FieldSpec("name", .string(maxLength: 150, minLength: 2), required: true),
            FieldSpec("phone_number", .string(maxLength: 30)),
            FieldSpec("fax_number", .string(maxLength: 30)),
            FieldSpec("website", .url),
            FieldSpec("patient_portal_url", .url),
            FieldSpec("notes", .text(maxLength: 5000)),
            FieldSpec("locations", .objectList(maxItems: 20, fields: location), default: []),
        ],
        computed: [
            .init(
                "practitioner_count", sql: "SELECT COUNT(*) FROM practitioners pr WHERE pr.practice_id = r.id",
                kind: .integer(0...Int64.max))
        ],
        labelField: "name",
        createStatus: 200)  // the contract documents 200 for this create

    static let handlers = RecordHandlers(type)

    static func register(in routes: RouteTable) {
        routes.get(type.path, list)
        routes.post(type.path, create)
        routes.get("\(type.path)/{practice_id}", handlers.get)
        routes.put("\(type.path)/{practice_id}", update)
        routes.delete("\(type.path)/{practice_id}", handlers.delete)
        routes.get("/api/v1/practices/summary", summary)
        routes.get("/api/v1/practices/search/by-name") { context in
            let term = try SearchTerm.read(context.query, "name", minLength: 1)
            return try handlers.list(context, patientID: nil, extra: [nameLike(term)])
        }
    }

    static func nameLike(_ term: String) -> (sql: String, binds: [SQLValue]) {
        ("r.name LIKE ?", [.text("%\(RecordQuery.escapeLike(term))%")])
    }

    static func list(_ context: Context) throws -> Response {
        guard let raw = context.query["search"] else { return try handlers.list(context, patientID: nil, extra: []) }
        let term = try SearchTerm.read(context.query, "search", minLength: 1)
        _ = raw
        return try handlers.list(context, patientID: nil, extra: [nameLike(term)])
    }

    /// A duplicate name is a conflict the client can fix, with a message saying so.
    static func create(_ context: Context) throws -> Response {
        do { return try handlers.create(context) } catch StoreError.duplicate { throw duplicateName }
    }

    static func update(_ context: Context) throws -> Response {
        do { return try handlers.update(context) } catch StoreError.duplicate { throw duplicateName }
    }

    static var duplicateName: APIError { APIError.conflict("A practice with this name already exists") }

    /// `[{id, name}]` for dropdowns, alphabetical.
    static func summary(_ context: Context) throws -> Response {
        _ = try context.requireUser()
        let rows = try context.db.query("SELECT id, name FROM practices ORDER BY name LIMIT 1000")
        return .json(.array(rows.map { ["id": .int($0.int("id") ?? 0), "name": .string($0.string("name") ?? "")] }))
    }
}
