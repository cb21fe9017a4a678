/// What a user may do to a patient's records. A user reaches a patient as its owner
/// (everything) or through an active, unexpired share with a permission level.
public enum AccessLevel: Int, Sendable {
    case view = 1, edit = 2, full = 3

    /// Share levels that grant at least this level.
    var sharePermissions: [String] {
        switch self {
        case .view: return ["view", "edit", "full"]
        case .edit: return ["edit", "full"]
        case .full: return ["full"]
        }
    }
}

/// The one place that answers "may this user do X to patient P". Every query that takes
/// a patient id is filtered through `condition`, in SQL, so another user's patient is
/// never loaded, and refusal looks exactly like absence (404).
public enum PatientAccess {
    /// A SQL condition true when `user` may act on the patient whose id is in
    /// `patientColumn` at `level`; its binds are returned alongside, in order.
    public static func condition(patientColumn: String, user: Int64, level: AccessLevel) -> (
        sql: String, binds: [SQLValue]
    ) {
        let levels = level.sharePermissions.map { "'\($0)'" }.joined(separator: ",")
        let sql = """
            (\(patientColumn) IN (SELECT ap.id FROM patients ap WHERE ap.owner_user_id = ?) OR \(patientColumn) IN (\
            SELECT s.patient_id FROM patient_shares s WHERE s.shared_with_user_id = ? AND s.is_active = 1 \
            AND (s.expires_at IS NULL OR s.expires_at > UTC_TIMESTAMP()) AND s.permission_level IN (\(levels))))
            """
        return (sql, binds(user: user))
    }

    /// The binds of `condition` alone, for callers whose SQL was built once ahead.
    public static func binds(user: Int64) -> [SQLValue] { [.int(user), .int(user)] }

    /// Throws unless `user` may act on `patientID` at `level`: 404 when the patient is out
    /// of the user's sight, 403 when a share lets the user see it but not do this.
    public static func require(_ level: AccessLevel, patient patientID: Int64, user: Int64, db: Connection) throws {
        let access = condition(patientColumn: "p.id", user: user, level: level)
        let row = try db.queryOne(
            "SELECT 1 FROM patients p WHERE p.id = ? AND \(access.sql)", [.int(patientID)] + access.binds)
        guard row == nil else { return }
        throw try refusal(level, table: "patients", patient: "r.id", id: patientID, user: user, db: db) {
            APIError.notFound("Patient")
        }
    }

    /// Why `user` may not act at `level` on row `id` of `table` (alias `r`; its patient is
    /// the SQL expression `patient`), asked after a check at that level failed: 403 when a
    /// share lets the user see the row but not act at this level (refusing what the user
    /// can see as "not found" would only confuse), otherwise `absent()` (404). One
    /// statement, on the refusal path only.
    public static func refusal(
        _ level: AccessLevel, table: String, patient: String, id: Int64, user: Int64, db: Connection,
        absent: () -> APIError
    ) throws -> APIError {
        guard level != .view else { return absent() }
        let view = condition(patientColumn: patient, user: user, level: .view)
        let wanted = condition(patientColumn: patient, user: user, level: level)
        guard
            let row = try db.queryOne(
                "SELECT \(wanted.sql) AS allowed FROM \(table) r WHERE r.id = ? AND \(view.sql)",
                wanted.binds + [.int(id)] + view.binds),
            row.int("allowed") == 0
        else { return absent() }
        return forbidden(level)
    }

    /// The 403 for a visible patient whose share is below `level`.
    public static func forbidden(_ level: AccessLevel) -> APIError {
        switch level {
        case .view, .edit:
            return APIError.forbidden("Your access to this patient is view-only")
        case .full:
            return APIError.forbidden("Only the patient's owner or a user with full access can do this")
        }
    }

    /// Runs `validate`; when it refuses the body (400/422), runs `access` first, so a
    /// caller who may not write here hears 404 or 403 rather than what was wrong with the
    /// body. Costs nothing when the body is valid (the write checks access anyway).
    public static func beforeValidation<T>(_ validate: () throws -> T, access: () throws -> Void) throws -> T {
        do {
            return try validate()
        } catch let error as APIError where error.status == 400 || error.status == 422 {
            try access()
            throw error
        }
    }

    /// True when `user` owns `patientID`.
    public static func owns(patient patientID: Int64, user: Int64, db: Connection) throws -> Bool {
        try db.queryOne("SELECT 1 FROM patients WHERE id = ? AND owner_user_id = ?", [.int(patientID), .int(user)])
            != nil
    }
}
