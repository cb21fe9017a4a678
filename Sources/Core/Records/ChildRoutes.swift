/// The routes of a child type under its parent's item path — a family member's
/// conditions at `/family-members/{family_member_id}/conditions[/{condition_id}]`, a
/// symptom's occurrences, a lab result's components. The child's `path` names the parent
/// with a parameter spelled like the child's parent column; the parent's id comes from
/// the path, never from the body. Access is the parent's (the `.child` scope): a parent
/// the caller cannot reach is a 404 naming the parent, and a child reached through a
/// parent it does not belong to is a 404 naming the child.
extension RecordHandlers {
    /// Registers list and create on `type.path`, get, update and delete on its item path.
    public func registerChildRoutes(in routes: RouteTable) {
        let item = "\(type.path)/{\(type.idParameter)}"
        routes.get(type.path) { try self.listChildren($0) }
        routes.post(type.path) { try self.createChild($0) }
        routes.get(item) { try self.getChild($0) }
        routes.put(item) { try self.updateChild($0) }
        routes.delete(item) { try self.deleteChild($0) }
    }

    /// The parent's table and the child's column (and path parameter) naming the parent.
    var parent: (table: String, column: String) {
        guard case .child(let table, let column, _) = type.scope else {
            preconditionFailure("\(type.name) is not a child type")
        }
        return (table, column)
    }

    /// The parent's children, with the type's filters, paging and order. The parent's
    /// access rides in the list's statement; only an empty answer asks whether the
    /// parent is out of reach (404) or simply has no children ([]).
    public func listChildren(_ context: Context) throws -> Response {
        _ = try context.caller()  // the list's statement proves the token (`conditions`)
        let parentID = try context.parameters.id(parent.column)
        let page = try Pagination(query: context.query, defaultLimit: type.defaultLimit, maxLimit: type.maxLimit)
        let filter = try conditions(context, patientID: nil, extra: [("r.\(parent.column) = ?", [.int(parentID)])])
        let answer = try RecordJSON.list(
            query.selectFrom + filter.sql + " ORDER BY \(type.order) LIMIT ? OFFSET ?",
            filter.binds + [.int(Int64(page.limit)), .int(Int64(page.skip))], plan: query.plan, db: context.db)
        if answer.count == 0 { try requireParent(parentID, level: .view, context) }
        return .json(encoded: answer.bytes)
    }

    /// Creates a child of the path's parent (edit access to the parent, checked by `create`).
    public func createChild(_ context: Context) throws -> Response {
        _ = try context.requireUser()
        let parentID = try context.parameters.id(parent.column)
        var body = try context.jsonObject()
        body[parent.column] = .int(parentID)
        return try create(context, patientID: nil, body: body)
    }

    /// Creates every object of the body's `key` list under the path's parent, in one
    /// transaction: an item that fails validation (or names a record that does not
    /// exist) is reported as `{index, <label field>, error, detail}` and not saved; the
    /// others are. 404 naming the parent when the caller may not edit it; 422 when the
    /// list is empty, too long, names another parent, or no item could be saved.
    public func createChildren(_ context: Context, key: String, maxItems: Int) throws -> (
        created: [JSON], errors: [JSON]
    ) {
        let user = try context.requireUser()
        let parentID = try context.parameters.id(parent.column)
        let db = context.db
        let items = try PatientAccess.beforeValidation {
            let body = try context.jsonObject()
            if let given = body[parent.column], given != .null, given.intValue != parentID {
                throw APIError.validation([FieldProblem(parent.column, "must match the id in the path (\(parentID))")])
            }
            guard case .array(let items)? = body[key], !items.isEmpty, items.count <= maxItems else {
                throw APIError.validation([FieldProblem(key, "must be a list of 1 to \(maxItems) objects")])
            }
            return items
        } access: {
            _ = try patientOf([parent.column: .int(parentID)], user: user, db: db)
        }
        let outcome: (created: [JSON], errors: [JSON]) = try db.transaction {
            let patientID = try patientOf([parent.column: .int(parentID)], user: user, db: db)
            var created: [JSON] = []
            var errors: [JSON] = []
            for (index, item) in items.enumerated() {
                var report: JSONObject = ["index": .int(Int64(index))]
                guard case .object(var object) = item else {
                    report["error"] = "must be an object"
                    report["detail"] = .array([["field": .string("\(key)[\(index)]"), "message": "must be an object"]])
                    errors.append(.object(report))
                    continue
                }
                if let label = object[type.labelField] { report[type.labelField] = label }
                object[parent.column] = .int(parentID)
                do {
                    try resolveLookups(&object, db: db)
                    let input = try RecordInput(type: type, body: object, existing: nil)
                    try input.verifyReferences(patient: patientID, db: db, status: type.validationStatus)
                    created.append(try insert(input, patientID: patientID, user: user, db: db))
                } catch let error as APIError where error.status == type.validationStatus {
                    report["error"] = .string(error.message)
                    report["detail"] = error.detail
                    errors.append(.object(report))
                }
            }
            guard !created.isEmpty else {
                throw APIError(type.validationStatus, "No item could be saved", detail: .array(errors))
            }
            return (created, errors)
        }
        return outcome
    }

    public func getChild(_ context: Context) throws -> Response {
        let user = try context.requireUser()
        let parentID = try context.parameters.id(parent.column)
        let record = try fetch(try context.parameters.id(type.idParameter), user: user, level: .view, db: context.db)
        guard record[parent.column]?.intValue == parentID else { throw APIError.notFound(type.name) }
        return .json(record)
    }

    /// Updates a child of the path's parent; the parent column is immutable, so the
    /// check that the child belongs there holds for the update that follows.
    public func updateChild(_ context: Context) throws -> Response {
        try requireChildOfPathParent(context)
        return try update(context)
    }

    public func deleteChild(_ context: Context) throws -> Response {
        try requireChildOfPathParent(context)
        return try delete(context)
    }

    /// 404 unless the path's child belongs to the path's parent. Access is checked by the
    /// update or delete that follows (with the row locked), so this reveals nothing: a
    /// child the caller cannot reach is a 404 either way.
    func requireChildOfPathParent(_ context: Context) throws {
        _ = try context.requireUser()
        let parentID = try context.parameters.id(parent.column)
        let id = try context.parameters.id(type.idParameter)
        guard
            try context.db.queryOne(
                "SELECT 1 AS present FROM \(type.table) WHERE id = ? AND \(parent.column) = ?",
                [.int(id), .int(parentID)])
                != nil
        else { throw APIError.notFound(type.name) }
    }

    /// 404 naming the parent unless the caller may reach parent `id` at `level`.
    func requireParent(_ id: Int64, level: AccessLevel, _ context: Context) throws {
        guard case .child(let table, _, let patientColumn) = type.scope else { return }
        let access = RecordType.parentAccess(table, scope: type.scope, user: try context.requireUser().id, level: level)
        guard
            try context.db.queryOne(
                "SELECT 1 AS present FROM \(table) par WHERE par.id = ? AND \(access.sql)", [.int(id)] + access.binds)
                != nil
        else {
            let parent = RecordCatalog.modelName(of: table)
            throw try PatientAccess.refusal(
                level, table: table, patient: "r.\(patientColumn)", id: id, user: try context.requireUser().id,
                db: context.db
            ) { .notFound(parent) }
        }
    }
}
