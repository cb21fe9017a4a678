import Foundation

/// The routes of a described link (`LinkType`). Every statement that reads or writes a
/// link joins both ends with the caller's access condition, so a link to another user's
/// record is never created, listed or changed, and the two ends always share a patient.
public struct LinkHandlers: Sendable {
    public let link: LinkType
    /// The link's own fields as a record type, so input is validated by `RecordInput`.
    let fieldsType: RecordType
    /// The select of link rows from each side, built once (see `select(from:)`).
    let fromLeft: Select
    let fromRight: Select

    struct Select: Sendable {
        let sql: String
        let layout: [RecordQuery.Slot]
        let plan: RecordQuery.WritePlan
    }

    public init(_ link: LinkType) {
        self.link = link
        fieldsType = RecordType(
            name: link.name, table: link.table, path: "", idParameter: "relationship_id", scope: .directory,
            fields: link.fields, rules: link.rules, labelField: "id")
        func built(_ side: LinkType.Side) -> Select {
            let (sql, layout) = Self.select(link, from: side)
            return Select(sql: sql, layout: layout, plan: RecordQuery.WritePlan(layout))
        }
        fromLeft = built(.left)
        fromRight = built(.right)
    }

    func select(from side: LinkType.Side) -> Select { side == .left ? fromLeft : fromRight }

    public func register(in routes: RouteTable) {
        for door in link.doors {
            if let path = door.list { routes.get(path) { try self.list($0, door) } }
            if let path = door.create { routes.post(path) { try self.create($0, door) } }
            if let path = door.bulk { routes.post(path) { try self.bulk($0, door) } }
            if let path = door.item {
                routes.put(path) { try self.update($0, door) }
                routes.delete(path) { try self.delete($0, door) }
            }
            if let path = door.unlink { routes.delete(path) { try self.unlink($0, door) } }
        }
    }

    // MARK: reading

    /// `SELECT` of link rows seen from `side`: the link's columns, then the other end's
    /// summary under its key. Aliases: `l` link, `r` this side, `o` the other side; both
    /// ends joined and required to share a patient.
    static func select(_ link: LinkType, from side: LinkType.Side) -> (sql: String, layout: [RecordQuery.Slot]) {
        let this = link.end(side)
        let other = link.other(side)
        var columns: [String] = []
        var layout: [RecordQuery.Slot] = []
        func add(_ sql: String, _ name: String, _ kind: FieldKind) {
            layout.append(.value(name: name, kind: kind, position: columns.count))
            columns.append(sql)
        }
        let id = FieldKind.integer(0...Int64.max)
        add("l.id", "id", id)
        add("l.\(link.left.column)", link.left.column, id)
        add("l.\(link.right.column)", link.right.column, id)
        for field in link.fields { add("l.\(field.column)", field.name, field.kind) }
        let (leftAlias, rightAlias) = side == .left ? ("r", "o") : ("o", "r")
        func aliased(_ sql: String) -> String {
            sql.replacingOccurrences(of: "{link}", with: "l").replacingOccurrences(of: "{left}", with: leftAlias)
                .replacingOccurrences(of: "{right}", with: rightAlias)
        }
        for value in link.computed { add("(\(aliased(value.sql)))", value.name, value.kind) }
        add("l.created_at", "created_at", .string(maxLength: 40))
        add("l.updated_at", "updated_at", .string(maxLength: 40))
        var embedded: [(name: String, kind: FieldKind, position: Int)] = []
        var idPosition = columns.count
        for column in other.summary {
            if column.name == "id" { idPosition = columns.count }
            embedded.append((column.name, column.kind, columns.count))
            columns.append(aliased(column.sql.replacingOccurrences(of: "{e}", with: "o")))
        }
        layout.append(.embed(key: other.key, idPosition: idPosition, columns: embedded))
        let sql = """
            SELECT \(columns.joined(separator: ", ")) FROM \(link.table) l
            JOIN \(this.type.table) r ON r.id = l.\(this.column)
            JOIN \(other.type.table) o ON o.id = l.\(other.column) AND o.patient_id = r.patient_id
            """ + link.joins.map { "\n" + aliased($0) }.joined()
        return (sql, layout)
    }

    /// GET: the links of one record, each with the other end embedded; 404 when the record
    /// is not the caller's to see.
    func list(_ context: Context, _ door: LinkType.Door) throws -> Response {
        let caller = try context.caller()
        let id = try context.parameters.id(door.idParameter)
        let this = link.end(door.side)
        let select = self.select(from: door.side)
        // The token's standing and the access check ride in the list's statement (`r` is
        // this side's record); only an empty answer asks whether the token still stands
        // (401), the record is out of reach (404) or has no links.
        var sql = select.sql + " WHERE l.\(this.column) = ?"
        var binds: [SQLValue] = [.int(id)]
        if let access = this.type.access(user: caller.id, level: .view) {
            sql += " AND " + access.sql
            binds += access.binds
        }
        if let proof = caller.proof {
            sql += " AND " + proof.sql
            binds += proof.binds
        }
        let links = try RecordJSON.list(sql + " ORDER BY l.id", binds, plan: select.plan, db: context.db)
        if links.count == 0 {
            let user = try context.requireUser()
            _ = try locate(this, id: id, user: user, level: .view, lock: false, db: context.db)
        }
        return .json(encoded: links.bytes)
    }

    func fetchLink(_ linkID: Int64, from side: LinkType.Side, db: Connection) throws -> JSON {
        let select = self.select(from: side)
        guard let row = try db.queryOne(select.sql + " WHERE l.id = ?", [.int(linkID)]) else {
            throw APIError.notFound("Relationship")
        }
        return RecordJSON.render(row, layout: select.layout)
    }

    /// The patient of `end`'s record `id` when the user may reach it at `level` (locked
    /// for the transaction when `lock`), else 404 naming the record type.
    func locate(
        _ end: LinkType.End, id: Int64, user: AuthenticatedUser, level: AccessLevel, lock: Bool, db: Connection
    ) throws -> Int64 {
        var sql = "SELECT r.patient_id FROM \(end.type.table) r WHERE r.id = ?"
        var binds: [SQLValue] = [.int(id)]
        if let access = end.type.access(user: user.id, level: level) {
            sql += " AND " + access.sql
            binds += access.binds
        }
        guard let row = try db.queryOne(sql + (lock ? " FOR UPDATE" : ""), binds), let patient = row.int("patient_id")
        else { throw try end.type.refusal(level, id: id, user: user.id, db: db) }
        return patient
    }

    // MARK: writing

    /// POST: links the path's record to the body's `otherIDKey` record.
    func create(_ context: Context, _ door: LinkType.Door) throws -> Response {
        let user = try context.requireUser()
        let id = try context.parameters.id(door.idParameter)
        let db = context.db
        let (input, otherID) = try PatientAccess.beforeValidation {
            let body = try context.jsonObject()
            var problems: [FieldProblem] = []
            let otherID = body[door.otherIDKey]?.intValue
            if otherID == nil || otherID! <= 0 {
                problems.append(FieldProblem(door.otherIDKey, "is required: a positive integer id"))
            }
            let input = try RecordInput(type: fieldsType, body: body, existing: nil, problems: problems)
            guard let otherID else { throw APIError.validation(problems) }
            return (input, otherID)
        } access: {
            _ = try locate(link.end(door.side), id: id, user: user, level: .edit, lock: false, db: db)
        }
        let created: JSON = try db.transaction {
            let (this, other) = (link.end(door.side), link.other(door.side))
            let patient = try locate(this, id: id, user: user, level: .edit, lock: true, db: db)
            let otherPatient = try locate(other, id: otherID, user: user, level: .view, lock: false, db: db)
            guard patient == otherPatient else { throw otherPatientError(other) }
            try input.verifyReferences(patient: patient, db: db, status: 422)
            let linkID = try insert(thisID: id, otherID: otherID, side: door.side, input: input, db: db)
            return try fetchLink(linkID, from: door.side, db: db)
        }
        return .json(created, status: link.createStatus)
    }

    /// POST bulk: links every id of `bulkKey` at once. Ids already linked are skipped; one
    /// missing, unreachable or other-patient id fails the whole call and links nothing.
    func bulk(_ context: Context, _ door: LinkType.Door) throws -> Response {
        let user = try context.requireUser()
        let id = try context.parameters.id(door.idParameter)
        let db = context.db
        let (ids, input) = try PatientAccess.beforeValidation {
            let body = try context.jsonObject()
            return (
                try bulkIDs(body[door.bulkKey], key: door.bulkKey),
                try RecordInput(type: fieldsType, body: body, existing: nil)
            )
        } access: {
            _ = try locate(link.end(door.side), id: id, user: user, level: .edit, lock: false, db: db)
        }
        let created: [JSON] = try db.transaction {
            let (this, other) = (link.end(door.side), link.other(door.side))
            let patient = try locate(this, id: id, user: user, level: .edit, lock: true, db: db)
            let placeholders = Array(repeating: "?", count: ids.count).joined(separator: ", ")
            var sql = "SELECT r.id, r.patient_id FROM \(other.type.table) r WHERE r.id IN (\(placeholders))"
            var binds = ids.map { SQLValue.int($0) }
            if let access = other.type.access(user: user.id, level: .view) {
                sql += " AND " + access.sql
                binds += access.binds
            }
            let found = try db.query(sql, binds)
            let reachable = Set(found.compactMap { $0.int("id") })
            let missing = ids.filter { !reachable.contains($0) }
            guard missing.isEmpty else {
                throw APIError(
                    404, "\(other.type.name) not found",
                    detail: .string("ids not found: \(missing.map(String.init).joined(separator: ", "))"))
            }
            guard found.allSatisfy({ $0.int("patient_id") == patient }) else { throw otherPatientError(other) }
            try input.verifyReferences(patient: patient, db: db, status: 422)
            let linked = try db.query(
                "SELECT \(other.column) AS other FROM \(link.table) WHERE \(this.column) = ? AND \(other.column) IN (\(placeholders))",
                [.int(id)] + ids.map { .int($0) })
            let already = Set(linked.compactMap { $0.int("other") })
            var createdIDs: [Int64] = []
            for otherID in ids where !already.contains(otherID) {
                createdIDs.append(try insert(thisID: id, otherID: otherID, side: door.side, input: input, db: db))
            }
            return try createdIDs.map { try fetchLink($0, from: door.side, db: db) }
        }
        return .json(.array(created), status: link.bulkStatus)
    }

    /// A bulk id list: a non-empty array of distinct positive integers, at most `maxBulk`.
    func bulkIDs(_ value: JSON?, key: String) throws -> [Int64] {
        guard case .array(let items)? = value, !items.isEmpty else {
            throw APIError.validation([FieldProblem(key, "must be a non-empty list of ids")])
        }
        guard items.count <= link.maxBulk else {
            throw APIError.validation([FieldProblem(key, "must have at most \(link.maxBulk) ids")])
        }
        var ids: [Int64] = []
        for item in items {
            guard case .int(let id) = item, id > 0 else {
                throw APIError.validation([FieldProblem(key, "must contain positive integer ids only")])
            }
            guard !ids.contains(id) else {
                throw APIError.validation([FieldProblem(key, "must not repeat an id (\(id))")])
            }
            ids.append(id)
        }
        return ids
    }

    func insert(thisID: Int64, otherID: Int64, side: LinkType.Side, input: RecordInput, db: Connection) throws
        -> Int64
    {
        let (leftID, rightID) = side == .left ? (thisID, otherID) : (otherID, thisID)
        let columns = [link.left.column, link.right.column] + input.changes.map(\.column)
        let values: [SQLValue] = [.int(leftID), .int(rightID)] + input.changes.map(\.value)
        do {
            return try db.execute(
                "INSERT INTO \(link.table) (\(columns.joined(separator: ", "))) VALUES (\(columns.map { _ in "?" }.joined(separator: ", ")))",
                values
            ).lastInsertID
        } catch StoreError.duplicate {
            throw APIError(
                link.duplicateStatus, "Relationship already exists",
                detail: .string("\(link.other(side).type.name) \(otherID) is already linked"))
        }
    }

    /// PUT item: changes the link's own fields (never its ends).
    func update(_ context: Context, _ door: LinkType.Door) throws -> Response {
        let user = try context.requireUser()
        let (id, linkID) = (try context.parameters.id(door.idParameter), try context.parameters.id("relationship_id"))
        let body = try context.jsonObject()
        let db = context.db
        let updated: JSON = try db.transaction {
            try lockLink(linkID, of: id, door: door, user: user, db: db)
            let existing = try fetchLink(linkID, from: door.side, db: db).objectValue ?? [:]
            let input = try RecordInput(type: fieldsType, body: body, existing: existing)
            try input.verifyReferences(patient: nil, db: db, status: 422)
            if !input.changes.isEmpty {
                _ = try db.execute(
                    "UPDATE \(link.table) SET \(input.changes.map { "\($0.column) = ?" }.joined(separator: ", ")) WHERE id = ?",
                    input.changes.map(\.value) + [.int(linkID)])
            }
            return try fetchLink(linkID, from: door.side, db: db)
        }
        return .json(updated)
    }

    /// DELETE item: removes the link; both records stay.
    func delete(_ context: Context, _ door: LinkType.Door) throws -> Response {
        let user = try context.requireUser()
        let (id, linkID) = (try context.parameters.id(door.idParameter), try context.parameters.id("relationship_id"))
        let db = context.db
        try db.transaction {
            try lockLink(linkID, of: id, door: door, user: user, db: db)
            _ = try db.execute("DELETE FROM \(link.table) WHERE id = ?", [.int(linkID)])
        }
        return deleted(door)
    }

    /// DELETE `unlink`: removes the link between the path's record and the record its
    /// other id names (`{<other end's column>}`); both records stay. 404 when the two are
    /// not linked or the caller may not edit the path's record.
    func unlink(_ context: Context, _ door: LinkType.Door) throws -> Response {
        let user = try context.requireUser()
        let (this, other) = (link.end(door.side), link.other(door.side))
        let (id, otherID) = (try context.parameters.id(door.idParameter), try context.parameters.id(other.column))
        let db = context.db
        try db.transaction {
            var sql = """
                SELECT l.id FROM \(link.table) l JOIN \(this.type.table) r ON r.id = l.\(this.column)
                WHERE l.\(this.column) = ? AND l.\(other.column) = ?
                """
            var binds: [SQLValue] = [.int(id), .int(otherID)]
            if let access = this.type.access(user: user.id, level: .edit) {
                sql += " AND " + access.sql
                binds += access.binds
            }
            guard let linkID = try db.queryOne(sql + " FOR UPDATE", binds)?.int("id") else {
                throw try refusal(this, id: id, user: user, db: db)
            }
            _ = try db.execute("DELETE FROM \(link.table) WHERE id = ?", [.int(linkID)])
        }
        return deleted(door)
    }

    /// Locks link `linkID` when it belongs to the path's record and the caller may edit
    /// that record; else 404.
    func lockLink(_ linkID: Int64, of id: Int64, door: LinkType.Door, user: AuthenticatedUser, db: Connection) throws {
        let this = link.end(door.side)
        var sql = """
            SELECT l.id FROM \(link.table) l JOIN \(this.type.table) r ON r.id = l.\(this.column)
            WHERE l.id = ? AND l.\(this.column) = ?
            """
        var binds: [SQLValue] = [.int(linkID), .int(id)]
        if let access = this.type.access(user: user.id, level: .edit) {
            sql += " AND " + access.sql
            binds += access.binds
        }
        guard try db.queryOne(sql + " FOR UPDATE", binds) != nil else {
            throw try refusal(this, id: id, user: user, db: db)
        }
    }

    /// A link write refused: 403 when the path's record is visible through a view share,
    /// else 404 for the relationship (missing, or not the caller's to see).
    func refusal(_ this: LinkType.End, id: Int64, user: AuthenticatedUser, db: Connection) throws -> APIError {
        let refused = try this.type.refusal(.edit, id: id, user: user.id, db: db)
        return refused.status == 403 ? refused : .notFound("Relationship")
    }

    /// The answer to a delete through `door`.
    func deleted(_ door: LinkType.Door) -> Response {
        if let body = link.deletedBody { return .json(body) }
        return .message(door.deletedMessage ?? link.deletedMessage)
    }

    func otherPatientError(_ other: LinkType.End) -> APIError {
        APIError(
            link.otherPatientStatus, "\(other.type.name) belongs to a different patient",
            detail: "Both records of a link must belong to the same patient.")
    }
}
