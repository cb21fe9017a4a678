/// The patient a user is working on when a request names none ("Netflix-style" switching):
/// the one chosen with `/patient-management/switch`, if the user may still view it.
public enum ActivePatient {
    /// The user's active patient if it still exists and is viewable; otherwise the user's
    /// self record; otherwise the oldest patient the user owns; nil when there is none.
    /// Read-only: the stored choice is repaired by the writes that invalidate it (delete).
    /// Answered from the token check when it resolved it (no statement of its own).
    public static func resolve(for user: AuthenticatedUser, db: Connection) throws -> Int64? {
        if let known = user.activePatientID { return known }
        return try resolve(userID: user.id, db: db)
    }

    /// The patient a request names with `?patient_id=`, else the caller's active one (nil
    /// when there is none). The caller checks access to a named patient.
    public static func requested(_ context: Context) throws -> Int64? {
        if let named = try QueryValues.id(context.query, "patient_id") { return named }
        return try resolve(for: try context.requireUser(), db: context.db)
    }

    /// `resolve(for:db:)` by user id, in one query.
    static func resolve(userID: Int64, db: Connection) throws -> Int64? {
        let row = try db.queryOne(
            "SELECT \(columns(user: "u.id")) FROM users u WHERE u.id = ?", binds(user: userID) + [.int(userID)])
        return row.flatMap(id(in:))
    }

    /// Two select-list columns over `users u` that resolve the active patient; their binds
    /// come first (`binds(user:)`).
    static func columns(user: String) -> String {
        let access = PatientAccess.condition(patientColumn: "a.id", user: 0, level: .view)
        return """
            (SELECT a.id FROM patients a WHERE a.id = u.active_patient_id AND \(access.sql)) AS mk_active_id,
            (SELECT o.id FROM patients o WHERE o.owner_user_id = \(user)
             ORDER BY o.is_self_record DESC, o.id LIMIT 1) AS mk_fallback_id
            """
    }

    static func binds(user: Int64) -> [SQLValue] { PatientAccess.binds(user: user) }

    static func id(in row: Row) -> Int64? { row.int("mk_active_id") ?? row.int("mk_fallback_id") }
}
