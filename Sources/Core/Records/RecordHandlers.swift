import Foundation

/// The generic list/get/create/update/delete of a described record type. Every query that
/// touches a patient-owned (or child) record carries the access condition in its WHERE
/// clause, so another user's record is never loaded and refusal looks like absence (404).
public struct RecordHandlers: Sendable {
    public let type: RecordType
    let query: RecordQuery

    public init(_ type: RecordType) {
        self.type = type
        self.query = RecordQuery(type)
    }

    /// Registers the collection and item routes under `type.path`, and the type's extra
    /// per-patient list paths.
    public func register(in routes: RouteTable) {
        let item = "\(type.path)/{\(type.idParameter)}"
        routes.get(type.path) { try self.list($0) }
        routes.post(type.path) { try self.create($0) }
        routes.get(item) { try self.get($0) }
        routes.put(item) { try self.update($0) }
        routes.delete(item) { try self.delete($0) }
        for path in type.patientListPaths {
            routes.get(path) { try self.list($0, patientID: try $0.parameters.id("patient_id"), extra: []) }
        }
    }

    // MARK: list

    /// GET collection: for patient records, the `patient_id` query parameter's patient or
    /// else the caller's active patient.
    public func list(_ context: Context) throws -> Response {
        try list(context, extra: [])
    }

    /// The collection narrowed by `extra` (a type's own lists: expiring, search).
    public func list(_ context: Context, extra: [(sql: String, binds: [SQLValue])]) throws -> Response {
        let caller = try context.caller()
        guard let column = type.patientColumn else { return try list(context, patientID: nil, extra: extra) }
        if let requested = try QueryValues.id(context.query, "patient_id") {
            return try list(context, patientID: requested, extra: extra)
        }
        // The active patient (access-checked as it is resolved) in the list's own
        // statement, which proves the token with it; or as the token check resolved it.
        if let active = caller.provenActivePatient {
            return try list(
                context, patientID: nil, extra: [("r.\(column) = \(active.sql)", active.binds)] + extra,
                accessChecked: true)
        }
        guard let active = try ActivePatient.resolve(for: try context.requireUser(), db: context.db) else {
            return .json(.array([]))
        }
        return try list(context, patientID: active, extra: extra, accessChecked: true)
    }

    /// Lists records (of `patientID` when patient-scoped), with the type's filters, tags,
    /// paging and any `extra` conditions, in the type's order.
    public func list(
        _ context: Context, patientID: Int64?, extra: [(sql: String, binds: [SQLValue])], accessChecked: Bool = false
    ) throws -> Response {
        let page = try Pagination(query: context.query, defaultLimit: type.defaultLimit, maxLimit: type.maxLimit)
        let filter = try conditions(context, patientID: patientID, extra: extra, accessChecked: accessChecked)
        let answer = try RecordJSON.list(
            query.selectFrom + filter.sql + " ORDER BY \(type.order) LIMIT ? OFFSET ?",
            filter.binds + [.int(Int64(page.limit)), .int(Int64(page.skip))], plan: query.plan, db: context.db)
        try filter.confirmAccess(ifEmpty: answer.count, context)
        return .json(encoded: answer.bytes)
    }

    /// A list's WHERE clause. The token's standing (`Caller.proof`) and the patient's
    /// access check ride in the same statement (two statements fewer per list); only an
    /// empty answer asks separately whether the token still stands (401), the patient is
    /// out of reach (404) or simply has no such records ([]).
    struct ListFilter {
        let sql: String
        let binds: [SQLValue]
        let patientToConfirm: Int64?

        /// Must follow the list's statement: rows prove the token, none prove nothing.
        func confirmAccess(ifEmpty count: Int, _ context: Context) throws {
            guard count == 0 else { return }
            let user = try context.requireUser()
            guard let patientToConfirm else { return }
            try PatientAccess.require(.view, patient: patientToConfirm, user: user.id, db: context.db)
        }
    }

    /// The WHERE clause of a list: the patient (access-checked here unless the caller did),
    /// the type's filters from the query, tags, and `extra`.
    func conditions(
        _ context: Context, patientID: Int64?, extra: [(sql: String, binds: [SQLValue])], accessChecked: Bool = false
    ) throws -> ListFilter {
        let user = try context.caller()
        var conditions: [String] = []
        var binds: [SQLValue] = []
        var confirm: Int64?
        if let proof = user.proof {
            conditions.append(proof.sql)
            binds += proof.binds
        }
        if let column = type.patientColumn, let patientID {
            conditions.append("r.\(column) = ?")
            binds.append(.int(patientID))
            if !accessChecked, let access = type.access(user: user.id, level: .view) {
                conditions.append(access.sql)
                binds += access.binds
                confirm = patientID
            }
        } else if !accessChecked, let access = type.access(user: user.id, level: .view) {
            conditions.append(access.sql)
            binds += access.binds
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
        return ListFilter(
            sql: conditions.isEmpty ? "" : " WHERE " + conditions.joined(separator: " AND "), binds: binds,
            patientToConfirm: confirm)
    }

    // MARK: get

    /// One record; its statement proves the token too, so only a missing row asks which
    /// of 401 (the token) or 404 (the record) it is.
    public func get(_ context: Context) throws -> Response {
        let caller = try context.caller()
        let id = try context.parameters.id(type.idParameter)
        guard let record = try fetch(id, userID: caller.id, level: .view, proof: caller.proof, db: context.db) else {
            _ = try context.requireUser()
            throw APIError.notFound(type.name)
        }
        return .json(record)
    }

    /// Loads one record the user may reach at `level`, or 404 (absent and forbidden look alike).
    public func fetch(_ id: Int64, user: AuthenticatedUser, level: AccessLevel, db: Connection) throws -> JSON {
        guard let record = try fetch(id, userID: user.id, level: level, proof: nil, db: db) else {
            throw APIError.notFound(type.name)
        }
        return record
    }

    /// The record `id` if `userID` may reach it at `level` (and `proof` holds), else nil.
    func fetch(
        _ id: Int64, userID: Int64, level: AccessLevel, proof: (sql: String, binds: [SQLValue])?, db: Connection
    ) throws -> JSON? {
        var sql = query.selectFrom + " WHERE r.id = ?"
        var binds: [SQLValue] = [.int(id)]
        if let access = type.access(user: userID, level: level) {
            sql += " AND " + access.sql
            binds += access.binds
        }
        if let proof {
            sql += " AND " + proof.sql
            binds += proof.binds
        }
        return try db.queryOne(sql, binds).map { RecordJSON.render($0, layout: query.layout) }
    }

    // MARK: create

    public func create(_ context: Context) throws -> Response {
        try create(context, patientID: nil)
    }

    /// Creates a record; `patientID` (from a path) sets the body's patient. With
    /// `bodyMustAgree` a body naming another patient is a 422 (vitals' contract);
    /// otherwise the path wins. `body` replaces the request's (a route that sets values
    /// from its path: a child's parent).
    public func create(
        _ context: Context, patientID pathPatient: Int64?, bodyMustAgree: Bool = false,
        body replacement: JSONObject? = nil
    ) throws -> Response {
        let user = try context.requireUser()
        var body = try replacement ?? context.jsonObject()
        if let column = type.patientColumn {
            if let pathPatient {
                if bodyMustAgree, let given = body[column], given != .null, given.intValue != pathPatient {
                    throw APIError.validation(
                        [FieldProblem(column, "must match the patient in the path (\(pathPatient))")],
                        status: type.validationStatus)
                }
                body[column] = .int(pathPatient)
            } else if body[column] == nil || body[column] == .null {
                guard let active = try ActivePatient.resolve(for: user, db: context.db) else {
                    throw APIError.validation(
                        [FieldProblem(column, "is required (no active patient)")], status: type.validationStatus)
                }
                body[column] = .int(active)
            }
        }
        let db = context.db
        let input = try PatientAccess.beforeValidation {
            try resolveLookups(&body, db: db)
            return try RecordInput(type: type, body: body, existing: nil)
        } access: {
            try checkWriteAccess(body, user: user, db: db)
        }
        let created: JSON = try db.transaction {
            let patientID = try patientOf(input.merged, user: user, db: db)
            try input.verifyReferences(patient: patientID, db: db, status: type.validationStatus)
            return try insert(input, patientID: patientID, user: user, db: db)
        }
        return .json(created, status: type.createStatus)
    }

    /// Writes a validated new record whose patient's access was checked, inside the
    /// caller's transaction: the type's `beforeWrite`, the row, the activity entry.
    /// Returns the record as a read answers it.
    func insert(_ input: RecordInput, patientID: Int64?, user: AuthenticatedUser, db: Connection) throws -> JSON {
        try type.beforeWrite?(input.merged, nil, db)
        var changes = input.changes
        if case .directory = type.scope { changes.append(("created_by", .int(user.id))) }
        let columns = changes.map(\.column)
        let placeholders = Array(repeating: "?", count: columns.count).joined(separator: ", ")
        let result = try db.execute(
            "INSERT INTO \(type.table) (\(columns.joined(separator: ", "))) VALUES (\(placeholders))",
            changes.map(\.value))
        var values = input.merged
        values["id"] = .int(result.lastInsertID)
        try ActivityLog.record(
            .created, model: type.name, recordID: result.lastInsertID, patientID: patientID, userID: user.id,
            label: label(values), db: db)
        return try fetch(result.lastInsertID, user: user, level: .view, db: db)
    }

    /// The patient a new record belongs to, after checking the caller may add to it:
    /// edit access to the patient, or to the parent record of a child.
    func patientOf(_ values: JSONObject, user: AuthenticatedUser, db: Connection) throws -> Int64? {
        switch type.scope {
        case .patient(let column):
            guard let patientID = values[column]?.intValue else { return nil }
            try PatientAccess.require(.edit, patient: patientID, user: user.id, db: db)
            return patientID
        case .child(let parentTable, let column, let parentPatientColumn):
            let access = RecordType.parentAccess(parentTable, scope: type.scope, user: user.id, level: .edit)
            guard let parentID = values[column]?.intValue,
                let row = try db.queryOne(
                    "SELECT par.\(parentPatientColumn) AS patient_id FROM \(parentTable) par WHERE par.id = ? AND \(access.sql)",
                    [.int(parentID)] + access.binds)
            else {
                let parent = RecordCatalog.modelName(of: parentTable)
                guard let parentID = values[column]?.intValue else { throw APIError.notFound(parent) }
                throw try PatientAccess.refusal(
                    .edit, table: parentTable, patient: "r.\(parentPatientColumn)", id: parentID, user: user.id, db: db
                ) { .notFound(parent) }
            }
            return row.int("patient_id")
        case .directory:
            return nil
        }
    }

    /// `patientOf`'s check alone, for a body that failed validation: only when the body
    /// names its patient (or parent) as a positive integer, the only kind of id that can
    /// exist; otherwise validation's answer stands.
    func checkWriteAccess(_ values: JSONObject, user: AuthenticatedUser, db: Connection) throws {
        switch type.scope {
        case .patient(let column), .child(_, let column, _):
            guard let id = values[column]?.intValue, id > 0 else { return }
            _ = try patientOf(values, user: user, db: db)
        case .directory:
            return
        }
    }

    /// Replaces each lookup's code in `body` by the id it names (or null).
    func resolveLookups(_ body: inout JSONObject, db: Connection) throws {
        for lookup in type.lookups {
            guard let value = body[lookup.input] else { continue }
            body[lookup.input] = nil
            guard case .string(let code) = value else {
                if value == .null {
                    body[lookup.field] = .null
                    continue
                }
                throw APIError.validation(
                    [FieldProblem(lookup.input, "must be a string")], status: type.validationStatus)
            }
            let row = try db.queryOne(
                "SELECT id FROM \(lookup.table) WHERE \(lookup.column) = ?",
                [.text(code.trimmingCharacters(in: .whitespaces))])
            body[lookup.field] = row?.int("id").map { .int($0) } ?? .null
        }
    }

    // MARK: update

    /// Partial update; `body` replaces the request's (a route that sets the values
    /// itself: set-primary).
    public func update(_ context: Context, body replacement: JSONObject? = nil) throws -> Response {
        let user = try context.requireUser()
        let id = try context.parameters.id(type.idParameter)
        var body = try replacement ?? context.jsonObject()
        let db = context.db
        try resolveLookups(&body, db: db)
        let updated: JSON = try db.transaction {
            let (existing, patientID) = try lockForWrite(id, user: user, db: db)
            let input = try RecordInput(type: type, body: body, existing: existing)
            try input.verifyReferences(patient: patientID, db: db, status: type.validationStatus)
            try type.beforeWrite?(input.merged, id, db)
            if !input.changes.isEmpty {
                let assignments = input.changes.map { "\($0.column) = ?" }.joined(separator: ", ")
                _ = try db.execute(
                    "UPDATE \(type.table) SET \(assignments) WHERE id = ?", input.changes.map(\.value) + [.int(id)])
            }
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
        var files = EntityFiles.Removal()
        try db.transaction {
            // A share of the row itself (`rowShares`) edits it but never deletes it.
            let (existing, patientID) = try lockForWrite(id, user: user, db: db, rowShared: false)
            // The record's attachments go with it: rows here, files after the commit.
            files = try EntityFiles.deleteRows(of: type, id: id, db: db)
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
            try ActivityLog.record(
                .deleted, model: type.name, recordID: id, patientID: patientID, userID: user.id,
                label: label(existing), db: db)
        }
        context.services.shared.files.remove(files.paths)
        switch type.deleteStyle {
        case .noContent: return .noContent
        case .message: return .message("\(type.name) deleted successfully")
        case .withFileCounts(let message):
            return .json([
                "message": .string(message), "files_deleted": .int(Int64(files.deleted)),
                "files_preserved": .int(Int64(files.preserved)),
            ])
        }
    }

    /// Locks record `id` for the rest of the transaction (`FOR UPDATE`) and returns its
    /// values and patient, after checking the caller may change it: edit access to its
    /// patient (or its parent's), or for a shared directory row, having created it or
    /// being an admin (403 otherwise: the row is visible to all, so a 404 would only
    /// confuse). Two concurrent partial updates thus take turns, and each checks its
    /// cross-field rules against the other's result rather than a stale read.
    func lockForWrite(_ id: Int64, user: AuthenticatedUser, db: Connection, rowShared: Bool = true) throws -> (
        JSONObject, Int64?
    ) {
        var sql = "SELECT r.id"
        var binds: [SQLValue] = [.int(id)]
        if let patient = type.patientExpression { sql += ", \(patient) AS patient_id" }
        if case .directory = type.scope { sql += ", r.created_by" }
        sql += " FROM \(type.table) r WHERE r.id = ?"
        if let access = type.access(user: user.id, level: .edit, rowShared: rowShared) {
            sql += " AND " + access.sql
            binds += access.binds
        }
        guard let row = try db.queryOne(sql + " FOR UPDATE", binds) else {
            throw try type.refusal(.edit, id: id, user: user.id, db: db)
        }
        if case .directory = type.scope, !user.isAdmin, row.int("created_by") != user.id {
            throw APIError.forbidden(
                "Only the user who added this \(type.name.lowercased()) or an administrator may change or delete it")
        }
        guard case .object(let existing) = try fetch(id, user: user, level: .view, db: db) else {
            throw APIError.notFound(type.name)
        }
        return (existing, row.int("patient_id"))
    }

    func label(_ values: JSONObject) -> String {
        values[type.labelField]?.stringValue ?? "#\(values["id"]?.intValue ?? 0)"
    }
}
