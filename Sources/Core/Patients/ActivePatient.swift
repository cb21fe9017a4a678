/// The patient a user is working on when a request names none ("Netflix-style" switching):
/// the one chosen with `/patient-management/switch`, if the user may still view it.
public enum ActivePatient {
    /// The user's active patient if it still exists and is viewable; otherwise the user's
    /// self record; otherwise the oldest patient the user owns; nil when there is none.
    /// Read-only: the stored choice is repaired by the writes that invalidate it (delete).
    public static func resolve(for user: AuthenticatedUser, db: Connection) throws -> Int64? {
        try resolve(userID: user.id, db: db)
    }

    /// `resolve(for:db:)` by user id, in one query.
    static func resolve(userID: Int64, db: Connection) throws -> Int64? {
        let access = PatientAccess.condition(patientColumn: "a.id", user: userID, level: .view)
        let row = try db.queryOne(
            """
            SELECT (SELECT a.id FROM patients a WHERE a.id = u.active_patient_id AND \(access.sql)) AS active_id,
                   (SELECT o.id FROM patients o WHERE o.owner_user_id = u.id
                    ORDER BY o.is_self_record DESC, o.id LIMIT 1) AS fallback_id
            FROM users u WHERE u.id = ?
            """, access.binds + [.int(userID)])
        guard let row else { return nil }
        return row.int("active_id") ?? row.int("fallback_id")
    }
}
