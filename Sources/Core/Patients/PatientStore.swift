/// The reads and writes behind the patient endpoints. Every read by id is filtered through
/// `PatientAccess` in SQL; every write records its activity in the same transaction.
enum PatientStore {
    static let select = "SELECT \(PatientFields.selectList) FROM patients p"
    static let model = "Patient"

    /// What a caller needs to be allowed to do to a patient.
    enum Need { case view, edit, owner }

    /// The patient, if `user` may view it; `lock` takes a row lock (inside a transaction).
    static func viewable(_ id: Int64, user: Int64, db: Connection, lock: Bool = false) throws -> Row? {
        let access = PatientAccess.condition(patientColumn: "p.id", user: user, level: .view)
        return try db.queryOne(
            "\(select) WHERE p.id = ? AND \(access.sql)\(lock ? " FOR UPDATE" : "")", [.int(id)] + access.binds)
    }

    /// The patient `user` may act on as `need` says: 404 when the user cannot even see it
    /// (another user's patient looks absent), 403 when it is visible through a share that
    /// does not allow this.
    static func find(_ id: Int64, user: Int64, need: Need, db: Connection, lock: Bool = false) throws -> Row {
        guard let row = try viewable(id, user: user, db: db, lock: lock) else { throw APIError.notFound("Patient") }
        guard row.int("owner_user_id") != user else { return row }
        switch need {
        case .view:
            break
        case .edit:
            do {
                try PatientAccess.require(.edit, patient: id, user: user, db: db)
            } catch let error as APIError where error.status == 404 {
                throw APIError.forbidden("Your access to this patient is view-only")
            }
        case .owner:
            throw APIError.forbidden("Only the patient's owner can do this")
        }
        return row
    }

    /// The user's own record (`is_self_record`), if any.
    static func selfRecord(owner: Int64, db: Connection, lock: Bool = false) throws -> Row? {
        try db.queryOne(
            "\(select) WHERE p.owner_user_id = ? AND p.is_self_record = 1\(lock ? " FOR UPDATE" : "")", [.int(owner)])
    }

    /// Every patient the user owns: self record first, then newest first.
    static func owned(user: Int64, db: Connection) throws -> [Row] {
        try db.query("\(select) WHERE p.owner_user_id = ? ORDER BY p.is_self_record DESC, p.id DESC", [.int(user)])
    }

    /// One page of the patients the user can see: owned ones first (self record first),
    /// then shared ones, each newest first.
    static func accessible(user: Int64, includeShared: Bool, skip: Int, limit: Int, db: Connection) throws -> [Row] {
        let order = "ORDER BY (p.owner_user_id = ?) DESC, p.is_self_record DESC, p.id DESC LIMIT ? OFFSET ?"
        let page: [SQLValue] = [.int(user), .int(limit), .int(skip)]
        guard includeShared else {
            return try db.query("\(select) WHERE p.owner_user_id = ? \(order)", [.int(user)] + page)
        }
        let access = PatientAccess.condition(patientColumn: "p.id", user: user, level: .view)
        return try db.query("\(select) WHERE \(access.sql) \(order)", access.binds + page)
    }

    /// How many patients the user owns and sees through shares, and whether a self record exists.
    struct Counts {
        let owned: Int64
        let shared: Int64
        let hasSelfRecord: Bool
    }

    static func counts(user: Int64, db: Connection) throws -> Counts {
        let access = PatientAccess.condition(patientColumn: "s.id", user: user, level: .view)
        let row = try db.queryOne(
            """
            SELECT (SELECT COUNT(*) FROM patients o WHERE o.owner_user_id = ?) AS owned,
                   (SELECT COUNT(*) FROM patients s WHERE s.owner_user_id <> ? AND \(access.sql)) AS shared,
                   (SELECT COUNT(*) FROM patients m WHERE m.owner_user_id = ? AND m.is_self_record = 1) AS self_records
            """, [.int(user), .int(user)] + access.binds + [.int(user)])
        return Counts(
            owned: row?.int("owned") ?? 0, shared: row?.int("shared") ?? 0,
            hasSelfRecord: (row?.int("self_records") ?? 0) > 0)
    }

    /// Creates a patient owned by `owner` from validated values; it becomes the active
    /// patient when the user has none. 400 when a second self record is asked for. A self
    /// record's relationship defaults to "self", as registration sets it.
    static func create(_ values: [String: SQLValue], owner: Int64, isSelf: Bool, db: Connection) throws -> Row {
        var values = values
        if isSelf && values["relationship_to_self"] == nil { values["relationship_to_self"] = .text("self") }
        return try db.transaction {
            _ = try lockUser(owner, db: db)
            let columns = PatientFields.all.map(\.name)
            let placeholders = Array(repeating: "?", count: columns.count + 2).joined(separator: ", ")
            let id: Int64
            do {
                id = try db.execute(
                    "INSERT INTO patients (owner_user_id, is_self_record, \(columns.joined(separator: ", "))) VALUES (\(placeholders))",
                    [.int(owner), .bool(isSelf)] + columns.map { values[$0] ?? .null }
                ).lastInsertID
            } catch StoreError.duplicate(let key, _) where key.contains("uq_patients_self") {
                // The unique key is the real guard against two concurrent creates.
                throw selfRecordExists
            }
            try db.execute(
                "UPDATE users SET active_patient_id = ? WHERE id = ? AND active_patient_id IS NULL",
                [.int(id), .int(owner)])
            let row = try load(id, db: db)
            try ActivityLog.record(
                .created, model: model, recordID: id, patientID: id, userID: owner, label: label(row), db: db)
            return row
        }
    }

    static var selfRecordExists: APIError {
        .badRequest("Patient record already exists", detail: "This user already has a self record.")
    }

    /// Applies a partial update from `body` to patient `id`, which `user` must be able to
    /// edit. Access is checked before the body, so another user's patient is 404 whatever
    /// is sent.
    static func update(_ id: Int64, user: Int64, body: JSONObject, today: String, db: Connection) throws -> Row {
        try db.transaction {
            let current = try find(id, user: user, need: .edit, db: db, lock: true)
            let values = try PatientFields.parse(body, creating: false, today: today, db: db)
            let fields = PatientFields.all
            // One statement for every update (all columns written), not one per subset.
            try db.execute(
                "UPDATE patients SET \(fields.map { "\($0.name) = ?" }.joined(separator: ", ")) WHERE id = ?",
                fields.map { values[$0.name] ?? current[$0.name] } + [.int(id)])
            let row = try load(id, db: db)
            try ActivityLog.record(
                .updated, model: model, recordID: id, patientID: id, userID: user, label: label(row), db: db)
            return row
        }
    }

    /// Deletes the patient `target` finds (run after the user's row is locked) and, through
    /// the foreign keys' cascades, every record, share and activity entry of it, in one
    /// transaction. `refuseLast` keeps the user's last owned patient (400). If it was the
    /// user's active patient, the self record or another owned patient takes its place.
    /// Returns the stored files of the patient (attachments, photo), whose rows went by
    /// cascade: the caller removes them after this commit (`FileStore.remove`).
    @discardableResult
    static func delete(user: Int64, refuseLast: Bool, db: Connection, target: () throws -> Row) throws -> [String] {
        try db.transaction {
            let activeID = try lockUser(user, db: db)
            let row = try target()
            let id = row.int("id") ?? 0
            if refuseLast, try counts(user: user, db: db).owned <= 1 {
                throw APIError.badRequest(
                    "Cannot delete the last remaining patient", detail: "A user keeps at least one patient record.")
            }
            let files = try EntityFiles.pathsOfPatient(id, db: db)
            try db.execute("DELETE FROM patients WHERE id = ?", [.int(id)])
            // Logged without a patient id: the cascade would otherwise delete the entry too.
            try ActivityLog.record(
                .deleted, model: model, recordID: id, patientID: nil, userID: user, label: label(row), db: db)
            if activeID == id {
                try db.execute(
                    """
                    UPDATE users u SET u.active_patient_id = (SELECT o.id FROM patients o WHERE o.owner_user_id = u.id
                        ORDER BY o.is_self_record DESC, o.id LIMIT 1) WHERE u.id = ?
                    """, [.int(user)])
            }
            return files
        }
    }

    /// Persists `id` as the user's active patient (access checked by the caller).
    static func setActive(_ id: Int64, user: Int64, db: Connection) throws {
        try db.execute("UPDATE users SET active_patient_id = ? WHERE id = ?", [.int(id), .int(user)])
    }

    /// Locks the user's row so patient creates and deletes of one user run one at a time
    /// (the last-patient rule cannot be raced); returns the stored active patient.
    private static func lockUser(_ user: Int64, db: Connection) throws -> Int64? {
        guard let row = try db.queryOne("SELECT active_patient_id FROM users WHERE id = ? FOR UPDATE", [.int(user)])
        else {
            throw APIError.unauthorized
        }
        return row.int("active_patient_id")
    }

    private static func load(_ id: Int64, db: Connection) throws -> Row {
        guard let row = try db.queryOne("\(select) WHERE p.id = ?", [.int(id)]) else {
            throw APIError.notFound("Patient")
        }
        return row
    }

    private static func label(_ row: Row) -> String {
        "\(row.string("first_name") ?? "") \(row.string("last_name") ?? "")"
    }
}
