import Foundation

/// The generic list/get/create/update/delete of a described record type. Every query that
/// touches a patient-owned record carries the access condition in its WHERE clause.
public struct RecordHandlers: Sendable {
    public let type: RecordType
    let query: RecordQuery

    public init(_ type: RecordType) {
        self.type = type
        self.query = RecordQuery(type)
    }

    /// Registers the collection and item routes under `type.path`.
    public func register(in routes: RouteTable) {
        let item = "\(type.path)/{\(type.idParameter)}"
        routes.get(type.path) { try self.list($0) }
        routes.post(type.path) { try self.create($0) }
        routes.get(item) { try self.get($0) }
        routes.put(item) { try self.update($0) }
        routes.delete(item) { try self.delete($0) }
    }

    // MARK: list

    /// GET collection: for patient records, the `patient_id` query parameter's patient or
    /// else the caller's active patient.
    public func list(_ context: Context) throws -> Response {
        let user = try context.requireUser()
        guard type.patientColumn != nil else { return try list(context, patientID: nil, extra: []) }
        if let requested = try QueryValues.id(context.query, "patient_id") {
            return try list(context, patientID: requested, extra: [])
        }
        // The active patient is resolved through the access check already.
        guard let active = try ActivePatient.resolve(for: user, db: context.db) else { return .json(.array([])) }
        return try list(context, patientID: active, extra: [], accessChecked: true)
    }

    /// Lists records (of `patientID` when patient-scoped), with the type's filters, tags,
    /// paging and any `extra` conditions; newest first.
    public func list(
        _ context: Context, patientID: Int64?, extra: [(sql: String, binds: [SQLValue])], accessChecked: Bool = false
    ) throws -> Response {
        let user = try context.requireUser()
        let page = try Pagination(query: context.query, defaultLimit: type.defaultLimit, maxLimit: type.maxLimit)
        var conditions: [String] = []
        var binds: [SQLValue] = []
        if let column = type.patientColumn, let patientID {
            if !accessChecked { try PatientAccess.require(.view, patient: patientID, user: user.id, db: context.db) }
            conditions.append("r.\(column) = ?")
            binds.append(.int(patientID))
        }
        for filter in type.filters {
            guard let value = context.query[filter.parameter], !value.isEmpty else { continue }
            let condition = try filter.build(value)
            conditions.append(condition.sql)
            binds += condition.binds
        }
        if type.hasTags {
            let tags = context.query.all("tags").flatMap { $0.split(separator: ",") }.map {
                $0.trimmingCharacters(in: .whitespaces)
            }.filter { !$0.isEmpty }
            if !tags.isEmpty {
                let matchAll = try QueryValues.flag(context.query, "tag_match_all", default: false)
                let each = tags.map { _ in "JSON_CONTAINS(r.tags, JSON_QUOTE(?))" }
                conditions.append("(" + each.joined(separator: matchAll ? " AND " : " OR ") + ")")
                binds += tags.map { .text($0) }
            }
        }
        for condition in extra {
            conditions.append(condition.sql)
            binds += condition.binds
        }
        let whereClause = conditions.isEmpty ? "" : " WHERE " + conditions.joined(separator: " AND ")
        let rows = try context.db.query(
            query.selectFrom + whereClause + " ORDER BY r.id DESC LIMIT ? OFFSET ?",
            binds + [.int(Int64(page.limit)), .int(Int64(page.skip))])
        return .json(.array(rows.map { RecordJSON.render($0, layout: query.layout) }))
    }

    // MARK: get

    public func get(_ context: Context) throws -> Response {
        let user = try context.requireUser()
        let id = try context.parameters.id(type.idParameter)
        return .json(try fetch(id, user: user, level: .view, db: context.db))
    }

    /// Loads one record the user may reach at `level`, or 404 (absent and forbidden look alike).
    public func fetch(_ id: Int64, user: AuthenticatedUser, level: AccessLevel, db: Connection) throws -> JSON {
        var sql = query.selectFrom + " WHERE r.id = ?"
        var binds: [SQLValue] = [.int(id)]
        if let column = type.patientColumn {
            let access = PatientAccess.condition(patientColumn: "r.\(column)", user: user.id, level: level)
            sql += " AND " + access.sql
            binds += access.binds
        }
        guard let row = try db.queryOne(sql, binds) else { throw APIError.notFound(type.name) }
        return RecordJSON.render(row, layout: query.layout)
    }

    // MARK: create

    public func create(_ context: Context) throws -> Response {
        try create(context, patientID: nil)
    }

    /// Creates a record; `patientID` (from a path) overrides the body's patient.
    public func create(_ context: Context, patientID pathPatient: Int64?) throws -> Response {
        let user = try context.requireUser()
        var body = try context.jsonObject()
        if let column = type.patientColumn {
            if let pathPatient {
                body[column] = .int(pathPatient)
            } else if body[column] == nil || body[column] == .null {
                guard let active = try ActivePatient.resolve(for: user, db: context.db) else {
                    throw APIError.validation(
                        [FieldProblem(column, "is required (no active patient)")], status: type.validationStatus)
                }
                body[column] = .int(active)
            }
        }
        let input = try RecordInput(type: type, body: body, existing: nil)
        let db = context.db
        let created: JSON = try db.transaction {
            let patientID = type.patientColumn.flatMap { input.merged[$0]?.intValue }
            if let patientID { try PatientAccess.require(.edit, patient: patientID, user: user.id, db: db) }
            try input.verifyReferences(db: db, status: type.validationStatus)
            var changes = input.changes
            if case .directory = type.scope { changes.append(("created_by", .int(user.id))) }
            let columns = changes.map(\.column)
            let placeholders = Array(repeating: "?", count: columns.count).joined(separator: ", ")
            let result = try db.execute(
                "INSERT INTO \(type.table) (\(columns.joined(separator: ", "))) VALUES (\(placeholders))",
                changes.map(\.value))
            try ActivityLog.record(
                .created, model: type.name, recordID: result.lastInsertID, patientID: patientID, userID: user.id,
                label: label(input.merged), db: db)
            return try fetch(result.lastInsertID, user: user, level: .view, db: db)
        }
        return .json(created, status: type.createStatus)
    }

    // MARK: update

    public func update(_ context: Context) throws -> Response {
        let user = try context.requireUser()
        let id = try context.parameters.id(type.idParameter)
        let body = try context.jsonObject()
        let db = context.db
        let updated: JSON = try db.transaction {
            let existing = try lockForWrite(id, user: user, db: db)
            let input = try RecordInput(type: type, body: body, existing: existing)
            try input.verifyReferences(db: db, status: type.validationStatus)
            if !input.changes.isEmpty {
                let assignments = input.changes.map { "\($0.column) = ?" }.joined(separator: ", ")
                _ = try db.execute(
                    "UPDATE \(type.table) SET \(assignments) WHERE id = ?", input.changes.map(\.value) + [.int(id)])
            }
            let patientID = type.patientColumn.flatMap { existing[$0]?.intValue }
            try ActivityLog.record(
                .updated, model: type.name, recordID: id, patientID: patientID, userID: user.id,
                label: label(input.merged), db: db)
            return try fetch(id, user: user, level: .view, db: db)
        }
        return .json(updated)
    }

    // MARK: delete

    public func delete(_ context: Context) throws -> Response {
        let user = try context.requireUser()
        let id = try context.parameters.id(type.idParameter)
        let db = context.db
        try db.transaction {
            let existing = try lockForWrite(id, user: user, db: db)
            if case .directory = type.scope {
                // Other families' records point here: deleting would silently empty their
                // field (ON DELETE SET NULL), so it is refused while they do.
                let uses = try RecordCatalog.usageByOthers(of: type.table, id: id, user: user.id, db: db)
                if uses > 0 {
                    throw APIError.conflict(
                        "\(type.name) is used by \(uses) record\(uses == 1 ? "" : "s") of other users and cannot be deleted"
                    )
                }
            }
            _ = try db.execute("DELETE FROM \(type.table) WHERE id = ?", [.int(id)])
            let patientID = type.patientColumn.flatMap { existing[$0]?.intValue }
            try ActivityLog.record(
                .deleted, model: type.name, recordID: id, patientID: patientID, userID: user.id,
                label: label(existing), db: db)
        }
        switch type.deleteStyle {
        case .noContent: return .noContent
        case .message: return .message("\(type.name) deleted successfully")
        }
    }

    /// Locks record `id` for the rest of the transaction (`FOR UPDATE`) and returns its
    /// values, after checking the caller may change it: edit access to its patient, or for a
    /// shared directory row, having created it or being an admin (403 otherwise: the row is
    /// visible to all, so hiding it behind a 404 would only confuse). Two concurrent partial
    /// updates thus take turns, and each checks its cross-field rules against the other's
    /// result rather than a stale read.
    func lockForWrite(_ id: Int64, user: AuthenticatedUser, db: Connection) throws -> JSONObject {
        var sql = "SELECT r.id"
        var binds: [SQLValue] = [.int(id)]
        switch type.scope {
        case .patient(let column):
            let access = PatientAccess.condition(patientColumn: "r.\(column)", user: user.id, level: .edit)
            sql += " FROM \(type.table) r WHERE r.id = ? AND \(access.sql) FOR UPDATE"
            binds += access.binds
        case .directory:
            sql += ", r.created_by FROM \(type.table) r WHERE r.id = ? FOR UPDATE"
        }
        guard let row = try db.queryOne(sql, binds) else { throw APIError.notFound(type.name) }
        if case .directory = type.scope, !user.isAdmin, row.int("created_by") != user.id {
            throw APIError.forbidden(
                "Only the user who added this \(type.name.lowercased()) or an administrator may change or delete it")
        }
        guard case .object(let existing) = try fetch(id, user: user, level: .view, db: db) else {
            throw APIError.notFound(type.name)
        }
        return existing
    }

    func label(_ values: JSONObject) -> String {
        values[type.labelField]?.stringValue ?? "#\(values["id"]?.intValue ?? 0)"
    }
}
