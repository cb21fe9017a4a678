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

    /// Throws 404 unless `user` may act on `patientID` at `level`.
    public static func require(_ level: AccessLevel, patient patientID: Int64, user: Int64, db: Connection) throws {
        let access = condition(patientColumn: "p.id", user: user, level: level)
        let row = try db.queryOne(
            "SELECT 1 FROM patients p WHERE p.id = ? AND \(access.sql)", [.int(patientID)] + access.binds)
        guard row != nil else { throw APIError.notFound("Patient") }
    }

    /// True when `user` owns `patientID`.
    public static func owns(patient patientID: Int64, user: Int64, db: Connection) throws -> Bool {
        try db.queryOne("SELECT 1 FROM patients WHERE id = ? AND owner_user_id = ?", [.int(patientID), .int(user)])
            != nil
    }
}
