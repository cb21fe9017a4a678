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
            "SELECT \(columns) FROM users u WHERE u.id = ?", binds(user: userID) + [.int(userID)])
        return row.flatMap(id(in:))
    }

    /// Two select-list columns over `users u` that resolve the active patient; their binds
    /// come first (`binds(user:)`).
    static let columns: String = {
        let choice = subqueries(users: "u")
        return "\(choice.stored) AS mk_active_id, \(choice.fallback) AS mk_fallback_id"
    }()

    /// The stored choice if still viewable, and the fallback (the self record, else the
    /// oldest own patient), as subqueries over the `users` row aliased `users`; the
    /// stored choice's access check binds `binds(user:)`. The token check reads them as
    /// two columns; `Caller.provenActivePatient` as their COALESCE.
    static func subqueries(users: String) -> (stored: String, fallback: String) {
        let access = PatientAccess.condition(patientColumn: "\(users)_a.id", user: 0, level: .view)
        return (
            """
            (SELECT \(users)_a.id FROM patients \(users)_a
             WHERE \(users)_a.id = \(users).active_patient_id AND \(access.sql))
            """,
            """
            (SELECT \(users)_o.id FROM patients \(users)_o WHERE \(users)_o.owner_user_id = \(users).id
             ORDER BY \(users)_o.is_self_record DESC, \(users)_o.id LIMIT 1)
            """
        )
    }

    static func binds(user: Int64) -> [SQLValue] { PatientAccess.binds(user: user) }

    static func id(in row: Row) -> Int64? { row.int("mk_active_id") ?? row.int("mk_fallback_id") }
}
