/// The rows of `patient_shares`: what `PatientAccess` reads. A share is live while it is
/// active and unexpired; the access check tests both on every request, so an expired share
/// stops working at once, before the sweep (`expireDue`) removes it.
enum PatientShares {
    static let model = "Patient Share"
    static let levels = ["view", "edit", "full"]

    static let select = """
        SELECT s.id, s.patient_id, s.shared_by_user_id, s.shared_with_user_id, s.permission_level, s.invitation_id,
            (s.is_active = 1 AND (s.expires_at IS NULL OR s.expires_at > UTC_TIMESTAMP())) AS live,
            \(ShareSQL.iso("s.expires_at")) AS expires_at, \(ShareSQL.iso("s.created_at")) AS created_at,
            \(ShareSQL.iso("s.updated_at")) AS updated_at,
            p.first_name, p.last_name, DATE_FORMAT(p.birth_date, '%Y-%m-%d') AS birth_date, p.owner_user_id,
            bu.username AS by_username, bu.full_name AS by_full_name, bu.email AS by_email,
            wu.username AS with_username, wu.full_name AS with_full_name, wu.email AS with_email
        FROM patient_shares s JOIN patients p ON p.id = s.patient_id
        JOIN users bu ON bu.id = s.shared_by_user_id JOIN users wu ON wu.id = s.shared_with_user_id
        """

    /// A share as the API shows it: the contract's `access_level` and upstream's
    /// `permission_level` (one value), the patient and both users.
    static func json(_ row: Row) -> JSON {
        let live = (row.int("live") ?? 0) == 1
        let level = JSON.string(row.string("permission_level"))
        return [
            "id": .int(row.int("id") ?? 0),
            "patient_id": .int(row.int("patient_id") ?? 0),
            "shared_by_user_id": .int(row.int("shared_by_user_id") ?? 0),
            "shared_with_user_id": .int(row.int("shared_with_user_id") ?? 0),
            "access_level": level,
            "permission_level": level,
            "is_active": .bool(live),
            "is_expired": .bool(!live),
            "expires_at": .string(row.string("expires_at")),
            "expiration_date": .string(row.string("expires_at")),
            "invitation_id": row.int("invitation_id").map(JSON.int) ?? .null,
            "created_at": .string(row.string("created_at")),
            "updated_at": .string(row.string("updated_at")),
            "patient": [
                "id": .int(row.int("patient_id") ?? 0),
                "first_name": .string(row.string("first_name")),
                "last_name": .string(row.string("last_name")),
                "birth_date": .string(row.string("birth_date")),
                "owner_user_id": .int(row.int("owner_user_id") ?? 0),
            ],
            "shared_by": ShareSQL.user(row, prefix: "by_", id: row.int("shared_by_user_id")),
            "shared_with": ShareSQL.user(row, prefix: "with_", id: row.int("shared_with_user_id")),
        ]
    }

    /// Live shares given to `user`, newest first.
    static func sharedWith(user: Int64, db: Connection) throws -> [Row] {
        try db.query(
            """
            \(select) WHERE s.shared_with_user_id = ? AND s.is_active = 1
            AND (s.expires_at IS NULL OR s.expires_at > UTC_TIMESTAMP()) ORDER BY s.id DESC
            """, [.int(user)])
    }

    /// Shares of the patients `user` owns and shares `user` made (onward, with full
    /// access), expired ones included, newest first; optionally of one patient.
    static func sharedBy(user: Int64, patient: Int64?, db: Connection) throws -> [Row] {
        let onePatient = patient == nil ? "" : " AND s.patient_id = ?"
        let binds: [SQLValue] = patient.map { [.int($0)] } ?? []
        // Two index reads (by owner's patients, by sharer) merged, rather than one OR.
        return try db.query(
            """
            \(select) WHERE p.owner_user_id = ?\(onePatient)
            UNION \(select) WHERE s.shared_by_user_id = ?\(onePatient)
            ORDER BY id DESC
            """, [.int(user)] + binds + [.int(user)] + binds)
    }

    static func load(_ id: Int64, db: Connection) throws -> Row {
        guard let row = try db.queryOne("\(select) WHERE s.id = ?", [.int(id)]) else {
            throw APIError.notFound("Share")
        }
        return row
    }

    /// Locks share `id` for a change by `user`, who must own its patient or hold full
    /// access to it: 404 when the share is out of sight, 403 when the patient is visible
    /// through a lower share.
    static func lockManaged(_ id: Int64, user: Int64, db: Connection) throws -> Row {
        let full = PatientAccess.condition(patientColumn: "s.patient_id", user: user, level: .full)
        guard
            let row = try db.queryOne(
                """
                SELECT s.id, s.patient_id, s.shared_with_user_id, s.permission_level, u.username
                FROM patient_shares s JOIN users u ON u.id = s.shared_with_user_id
                WHERE s.id = ? AND \(full.sql) FOR UPDATE
                """, [.int(id)] + full.binds)
        else {
            throw try PatientAccess.refusal(
                .full, table: "patient_shares", patient: "r.patient_id", id: id, user: user, db: db
            ) { .notFound("Share") }
        }
        return row
    }

    /// The share of `patient` with `recipient`, if any (live or not).
    static func find(patient: Int64, recipient: Int64, db: Connection, lock: Bool = false) throws -> Int64? {
        try db.queryOne(
            "SELECT id FROM patient_shares WHERE patient_id = ? AND shared_with_user_id = ?\(lock ? " FOR UPDATE" : "")",
            [.int(patient), .int(recipient)]
        )?.int("id")
    }

    /// True when `recipient` holds a live share of `patient`.
    static func isLive(patient: Int64, recipient: Int64, db: Connection) throws -> Bool {
        try db.queryOne(
            """
            SELECT 1 AS live FROM patient_shares WHERE patient_id = ? AND shared_with_user_id = ? AND is_active = 1
            AND (expires_at IS NULL OR expires_at > UTC_TIMESTAMP())
            """, [.int(patient), .int(recipient)]) != nil
    }

    /// Grants (or renews) `recipient`'s share of `patient` — one row per pair, so an
    /// accepted invitation replaces an ended share's level and expiry. Returns its id.
    @discardableResult
    static func grant(
        patient: Int64, by sharer: Int64, to recipient: Int64, level: String, expiresAt: String?,
        invitation: Int64?, db: Connection
    ) throws -> Int64 {
        try db.execute(
            """
            INSERT INTO patient_shares
                (patient_id, shared_by_user_id, shared_with_user_id, permission_level, is_active, expires_at, invitation_id)
            VALUES (?, ?, ?, ?, 1, ?, ?)
            ON DUPLICATE KEY UPDATE shared_by_user_id = VALUES(shared_by_user_id),
                permission_level = VALUES(permission_level), is_active = 1, expires_at = VALUES(expires_at),
                invitation_id = VALUES(invitation_id)
            """,
            [
                .int(patient), .int(sharer), .int(recipient), .text(level), expiresAt.map { .text($0) } ?? .null,
                invitation.map { .int($0) } ?? .null,
            ])
        return try find(patient: patient, recipient: recipient, db: db) ?? 0
    }

    /// Ends share `id` (recipient `recipient`, of `patient`) now: the row goes, and a
    /// recipient working on that patient falls back to their own on the next request.
    static func end(_ id: Int64, patient: Int64, recipient: Int64, db: Connection) throws {
        try db.execute("DELETE FROM patient_shares WHERE id = ?", [.int(id)])
        try db.execute(
            "UPDATE users SET active_patient_id = NULL WHERE id = ? AND active_patient_id = ?",
            [.int(recipient), .int(patient)])
    }

    /// Removes every share whose expiry has passed (their access already stopped), logging
    /// each on its patient and releasing recipients who had it active. Returns how many.
    static func expireDue(db: Connection) throws -> Int {
        try db.transaction {
            let now = try ShareSQL.now(db: db)
            try db.execute(
                """
                INSERT INTO activity_log (user_id, patient_id, model_name, record_id, action, description)
                SELECT NULL, s.patient_id, ?, s.id, 'expired', LEFT(CONCAT('Share with ', u.username, ' (',
                    s.permission_level, ') expired'), 500)
                FROM patient_shares s JOIN users u ON u.id = s.shared_with_user_id WHERE s.expires_at <= ?
                """, [.text(model), .text(now)])
            try db.execute(
                """
                UPDATE users u JOIN patient_shares s ON s.shared_with_user_id = u.id AND s.patient_id = u.active_patient_id
                SET u.active_patient_id = NULL WHERE s.expires_at <= ?
                """, [.text(now)])
            return Int(try db.execute("DELETE FROM patient_shares WHERE expires_at <= ?", [.text(now)]).affectedRows)
        }
    }

    /// `{total_shared_with_me, total_shared_by_me, active_shares, pending_invitations}`.
    static func stats(user: AuthenticatedUser, db: Connection) throws -> JSON {
        let email = user.profile?.string("email") ?? ""
        let row = try db.queryOne(
            """
            SELECT (SELECT COUNT(*) FROM patient_shares s WHERE s.shared_with_user_id = ? AND s.is_active = 1
                    AND (s.expires_at IS NULL OR s.expires_at > UTC_TIMESTAMP())) AS with_me,
                (SELECT COUNT(*) FROM patient_shares s JOIN patients p ON p.id = s.patient_id
                    WHERE p.owner_user_id = ? OR s.shared_by_user_id = ?) AS by_me,
                (SELECT COUNT(*) FROM patient_shares s JOIN patients p ON p.id = s.patient_id
                    WHERE (p.owner_user_id = ? OR s.shared_by_user_id = ?) AND s.is_active = 1
                    AND (s.expires_at IS NULL OR s.expires_at > UTC_TIMESTAMP())) AS active,
                (\(Invitations.pendingCount(type: "patient_share"))) AS pending
            """,
            [.int(user.id), .int(user.id), .int(user.id), .int(user.id), .int(user.id)]
                + Invitations.recipientBinds(user: user.id, email: email))
        return [
            "total_shared_with_me": .int(row?.int("with_me") ?? 0),
            "total_shared_by_me": .int(row?.int("by_me") ?? 0),
            "active_shares": .int(row?.int("active") ?? 0),
            "pending_invitations": .int(row?.int("pending") ?? 0),
        ]
    }
}
