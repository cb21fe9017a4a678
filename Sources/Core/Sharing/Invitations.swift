/// Invitations: an offer to share a patient (`patient_share`) or a relative's family
/// history (`family_history_share`) with an e-mail address, which its recipient accepts
/// or rejects. Accepting writes the share; nothing is shared before.
///
/// The recipient is whoever holds the address: the account known when it was sent
/// (`sent_to_user_id`), or — for an address with no account yet — the account that
/// registers with it later. An invitation left pending expires after `lifetimeDays`.
enum Invitations {
    static let model = "Invitation"
    static let lifetimeDays = 7
    static let types = ["patient_share", "family_history_share"]

    /// Status as of now: a pending invitation past its expiry reads as `expired` before the
    /// sweep writes it.
    static let status = """
        CASE WHEN i.status = 'pending' AND i.expires_at IS NOT NULL AND i.expires_at <= UTC_TIMESTAMP()
        THEN 'expired' ELSE i.status END
        """

    static let select = """
        SELECT i.id, i.invitation_type, i.sent_by_user_id, i.sent_to_user_id, i.recipient_email, \(status) AS status,
            i.title, i.message, i.patient_id, i.permission_level, i.context_data,
            \(ShareSQL.iso("i.share_expires_at")) AS share_expires_at, \(ShareSQL.iso("i.expires_at")) AS expires_at,
            \(ShareSQL.iso("i.responded_at")) AS responded_at, i.response_note,
            \(ShareSQL.iso("i.created_at")) AS created_at, \(ShareSQL.iso("i.updated_at")) AS updated_at,
            su.username AS by_username, su.full_name AS by_full_name, su.email AS by_email,
            p.first_name AS patient_first_name, p.last_name AS patient_last_name
        FROM invitations i JOIN users su ON su.id = i.sent_by_user_id LEFT JOIN patients p ON p.id = i.patient_id
        """

    /// An invitation as the API shows it (upstream's `InvitationResponse` plus what it offers).
    static func json(_ row: Row) -> JSON {
        var context: JSON = .object([:])
        if let text = row.string("context_data"), let parsed = try? JSON.parse(text) { context = parsed }
        let level = JSON.string(row.string("permission_level"))
        let patient: JSON =
            row.int("patient_id").map { id in
                [
                    "id": .int(id), "first_name": .string(row.string("patient_first_name")),
                    "last_name": .string(row.string("patient_last_name")),
                ]
            } ?? .null
        return [
            "id": .int(row.int("id") ?? 0),
            "invitation_id": .int(row.int("id") ?? 0),
            "invitation_type": .string(row.string("invitation_type")),
            "status": .string(row.string("status")),
            "title": .string(row.string("title")),
            "message": .string(row.string("message")),
            "sent_by_user_id": .int(row.int("sent_by_user_id") ?? 0),
            "sent_to_user_id": row.int("sent_to_user_id").map(JSON.int) ?? .null,
            "recipient_email": .string(row.string("recipient_email")),
            "patient_id": row.int("patient_id").map(JSON.int) ?? .null,
            "patient": patient,
            "access_level": level,
            "permission_level": level,
            "expiration_date": .string(row.string("share_expires_at")),
            "context_data": context,
            "expires_at": .string(row.string("expires_at")),
            "responded_at": .string(row.string("responded_at")),
            "response_note": .string(row.string("response_note")),
            "created_at": .string(row.string("created_at")),
            "updated_at": .string(row.string("updated_at")),
            "sent_by": ShareSQL.user(row, prefix: "by_", id: row.int("sent_by_user_id")),
        ]
    }

    /// The condition "addressed to this user" over alias `i` (binds: `recipientBinds`).
    static let addressedTo = "(i.sent_to_user_id = ? OR (i.sent_to_user_id IS NULL AND i.recipient_email = ?))"

    static func recipientBinds(user: Int64, email: String) -> [SQLValue] { [.int(user), .text(email)] }

    /// A COUNT of the still-open invitations of `type` addressed to a user (recipient binds).
    static func pendingCount(type: String) -> String {
        """
        SELECT COUNT(*) FROM invitations i WHERE \(addressedTo) AND i.status = 'pending'
        AND (i.expires_at IS NULL OR i.expires_at > UTC_TIMESTAMP()) AND i.invitation_type = '\(type)'
        """
    }

    /// What one invitation offers.
    struct Offer {
        let type: String
        let patientID: Int64?
        let level: String
        let shareExpiresAt: String?
        let familyMemberIDs: [Int64]
        let title: String
        let message: String?
    }

    /// Sends `offer` from `sender` to `email`, inside the caller's transaction. 400 for
    /// oneself; 409 when the address already has this patient, or a pending invitation
    /// for it. The invitation is logged on the patient it offers.
    /// A bulk invite: `offer` sent to each address of `emails`, each in its own
    /// transaction, so good addresses are invited and bad ones (malformed, listed twice,
    /// refused by `send`) reported in `results` with their status (a database failure ends
    /// the request as any would); `withInvitation` adds
    /// the invitation object to each success (patient sharing answers it).
    static func sendEach(
        _ offer: Offer, to emails: [JSON], from user: AuthenticatedUser, db: Connection, withInvitation: Bool
    ) throws -> Response {
        var results: [JSON] = []
        var succeeded = 0
        var seen = Set<String>()
        for value in emails {
            let given = value.stringValue ?? ""
            var result: JSONObject = ["email": .string(given), "recipient_email": .string(given)]
            do {
                guard case .success(let email) = ShareFields.email(value, field: "recipient_emails") else {
                    throw APIError.validation([
                        FieldProblem("recipient_emails", "\(given) is not a valid e-mail address")
                    ])
                }
                guard seen.insert(email.lowercased()).inserted else {
                    throw APIError.badRequest("This address is listed twice")
                }
                let row = try db.transaction { try send(offer, to: email, from: user, db: db) }
                result["success"] = true
                result["invitation_id"] = .int(row.int("id") ?? 0)
                if withInvitation { result["invitation"] = json(row) }
                succeeded += 1
            } catch let error as APIError {
                result["success"] = false
                result["status_code"] = .int(Int64(error.status))
                result["error"] = .string(error.message)
            }
            results.append(.object(result))
        }
        return .json([
            "successful_invites": .int(Int64(succeeded)), "failed_invites": .int(Int64(results.count - succeeded)),
            "results": .array(results),
        ])
    }

    static func send(_ offer: Offer, to email: String, from sender: AuthenticatedUser, db: Connection) throws -> Row {
        let recipient = try db.queryOne("SELECT id, username FROM users WHERE email = ?", [.text(email)])
        let recipientID = recipient?.int("id")
        if recipientID == sender.id {
            throw APIError.badRequest("You cannot share with yourself", detail: .string(email))
        }
        if let patientID = offer.patientID, let recipientID {
            if try PatientAccess.owns(patient: patientID, user: recipientID, db: db) {
                throw APIError.badRequest("This user owns the patient", detail: .string(email))
            }
            if try PatientShares.isLive(patient: patientID, recipient: recipientID, db: db) {
                throw APIError.conflict(
                    "This patient is already shared with \(email); change the share's level instead")
            }
        }
        var context: JSONObject = [:]
        if !offer.familyMemberIDs.isEmpty { context["family_member_ids"] = .array(offer.familyMemberIDs.map(JSON.int)) }
        let id: Int64
        do {
            var values: [SQLValue] = [.text(offer.type), .int(sender.id), .text(email)]
            values.append(recipientID.map { .int($0) } ?? .null)
            values += [.text(offer.title), offer.message.map { .text($0) } ?? .null]
            values += [offer.patientID.map { .int($0) } ?? .null, .text(offer.level)]
            values.append(context.pairs.isEmpty ? .null : .text(JSON.object(context).serializedString))
            values.append(offer.shareExpiresAt.map { .text($0) } ?? .null)
            id = try db.execute(
                """
                INSERT INTO invitations (invitation_type, sent_by_user_id, recipient_email, sent_to_user_id, title,
                    message, patient_id, permission_level, context_data, share_expires_at, expires_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, UTC_TIMESTAMP() + INTERVAL \(lifetimeDays) DAY)
                """, values
            ).lastInsertID
        } catch StoreError.duplicate(let key, _) where key.contains("uq_invitation_pending_patient") {
            throw APIError.conflict("An invitation to \(email) for this patient is already pending")
        }
        if let patientID = offer.patientID {
            try ActivityLog.event(
                "invited", model: model, recordID: id, patientID: patientID, userID: sender.id,
                description: "Invited \(email) to \(offer.level) access", db: db)
        }
        return try load(id, db: db)
    }

    static func load(_ id: Int64, db: Connection) throws -> Row {
        guard let row = try db.queryOne("\(select) WHERE i.id = ?", [.int(id)]) else {
            throw APIError.notFound("Invitation")
        }
        return row
    }

    /// Open invitations addressed to `user`, newest first (optionally of one type).
    static func pending(for user: AuthenticatedUser, type: String?, db: Connection) throws -> [Row] {
        let email = user.profile?.string("email") ?? ""
        return try db.query(
            """
            \(select) WHERE \(addressedTo) AND i.status = 'pending'
            AND (i.expires_at IS NULL OR i.expires_at > UTC_TIMESTAMP())\(type == nil ? "" : " AND i.invitation_type = ?")
            ORDER BY i.id DESC LIMIT 1000
            """, recipientBinds(user: user.id, email: email) + (type.map { [.text($0)] } ?? []))
    }

    /// Every invitation `user` sent, newest first (optionally of one type).
    static func sent(by user: Int64, type: String?, db: Connection) throws -> [Row] {
        try db.query(
            """
            \(select) WHERE i.sent_by_user_id = ?\(type == nil ? "" : " AND i.invitation_type = ?")
            ORDER BY i.id DESC LIMIT 1000
            """, [.int(user)] + (type.map { [.text($0)] } ?? []))
    }

    /// Accepts or rejects invitation `id` as its recipient: 404 when it is not addressed to
    /// the user, 409 when it is no longer open or what it offers can no longer be given.
    static func respond(_ id: Int64, accept: Bool, note: String?, user: AuthenticatedUser, db: Connection) throws -> Row
    {
        let email = user.profile?.string("email") ?? ""
        return try db.transaction {
            guard
                let row = try db.queryOne(
                    """
                    SELECT i.id, i.invitation_type, i.sent_by_user_id, i.patient_id, i.permission_level,
                        i.context_data, DATE_FORMAT(i.share_expires_at, '%Y-%m-%d %H:%i:%s') AS share_expires_at,
                        \(status) AS status,
                        (i.share_expires_at IS NOT NULL AND i.share_expires_at <= UTC_TIMESTAMP()) AS share_ended
                    FROM invitations i WHERE i.id = ? AND \(addressedTo) FOR UPDATE
                    """, [.int(id)] + recipientBinds(user: user.id, email: email))
            else { throw APIError.notFound("Invitation") }
            let current = row.string("status") ?? ""
            guard current == "pending" else { throw APIError.conflict("This invitation is \(current)") }
            let sender = row.int("sent_by_user_id") ?? 0
            let patientID = row.int("patient_id")
            if accept {
                if row.string("invitation_type") == "patient_share", let patientID {
                    try acceptPatientShare(row, patient: patientID, sender: sender, user: user, db: db)
                } else {
                    try FamilyHistoryShares.accept(invitation: row, sender: sender, recipient: user.id, db: db)
                }
            } else if let patientID {
                try ActivityLog.event(
                    "rejected", model: model, recordID: id, patientID: patientID, userID: user.id,
                    description: "\(user.username) declined the invitation", db: db)
            }
            try db.execute(
                """
                UPDATE invitations SET status = ?, sent_to_user_id = ?, responded_at = UTC_TIMESTAMP(),
                    response_note = ? WHERE id = ?
                """,
                [.text(accept ? "accepted" : "rejected"), .int(user.id), note.map { .text($0) } ?? .null, .int(id)])
            return try load(id, db: db)
        }
    }

    /// The share an accepted patient invitation makes, if the sender may still give it.
    private static func acceptPatientShare(
        _ row: Row, patient: Int64, sender: Int64, user: AuthenticatedUser, db: Connection
    ) throws {
        let full = PatientAccess.condition(patientColumn: "p.id", user: sender, level: .full)
        guard
            try db.queryOne(
                "SELECT 1 AS ok FROM patients p WHERE p.id = ? AND \(full.sql)", [.int(patient)] + full.binds)
                != nil
        else { throw APIError.conflict("The sender can no longer share this patient") }
        if try PatientAccess.owns(patient: patient, user: user.id, db: db) {
            throw APIError.conflict("You own this patient")
        }
        if row.int("share_ended") == 1 { throw APIError.conflict("The share offered has already expired") }
        let level = row.string("permission_level") ?? "view"
        let shareID = try PatientShares.grant(
            patient: patient, by: sender, to: user.id, level: level, expiresAt: row.string("share_expires_at"),
            invitation: row.int("id"), db: db)
        try ActivityLog.event(
            "shared", model: PatientShares.model, recordID: shareID, patientID: patient, userID: user.id,
            description: "\(user.username) accepted \(level) access", db: db)
    }

    /// Withdraws an invitation its sender sent, while it is pending: 404 when not the
    /// user's, 409 once answered.
    static func revoke(_ id: Int64, user: AuthenticatedUser, db: Connection) throws {
        try db.transaction {
            guard
                let row = try db.queryOne(
                    "SELECT i.id, i.patient_id, i.recipient_email, \(status) AS status FROM invitations i WHERE i.id = ? AND i.sent_by_user_id = ? FOR UPDATE",
                    [.int(id), .int(user.id)])
            else { throw APIError.notFound("Invitation") }
            let current = row.string("status") ?? ""
            guard current == "pending" else { throw APIError.conflict("This invitation is \(current)") }
            try db.execute("UPDATE invitations SET status = 'revoked' WHERE id = ?", [.int(id)])
            if let patientID = row.int("patient_id") {
                try ActivityLog.event(
                    "revoked", model: model, recordID: id, patientID: patientID, userID: user.id,
                    description: "Withdrew the invitation to \(row.string("recipient_email") ?? "")", db: db)
            }
        }
    }

    /// Marks every pending invitation past its expiry `expired` (logged on its patient).
    static func expireDue(db: Connection) throws -> Int {
        try db.transaction {
            let now = try ShareSQL.now(db: db)
            try db.execute(
                """
                INSERT INTO activity_log (user_id, patient_id, model_name, record_id, action, description)
                SELECT NULL, i.patient_id, ?, i.id, 'expired', LEFT(CONCAT('Invitation to ', i.recipient_email,
                    ' expired unanswered'), 500)
                FROM invitations i WHERE i.status = 'pending' AND i.expires_at <= ? AND i.patient_id IS NOT NULL
                """, [.text(model), .text(now)])
            return Int(
                try db.execute(
                    "UPDATE invitations SET status = 'expired' WHERE status = 'pending' AND expires_at <= ?",
                    [.text(now)]
                ).affectedRows)
        }
    }

    /// Counts by status of the invitations a user sent or received.
    static func summary(user: AuthenticatedUser, db: Connection) throws -> JSON {
        let email = user.profile?.string("email") ?? ""
        let mine = "(i.sent_by_user_id = ? OR \(addressedTo))"
        let binds = [SQLValue.int(user.id)] + recipientBinds(user: user.id, email: email)
        let row = try db.queryOne(
            """
            SELECT (SELECT COUNT(*) FROM invitations i WHERE \(addressedTo) AND \(status) = 'pending') AS pending_received,
                (SELECT COUNT(*) FROM invitations i WHERE i.sent_by_user_id = ? AND \(status) = 'pending') AS pending_sent,
                (SELECT COUNT(*) FROM invitations i WHERE \(mine) AND i.status = 'accepted') AS accepted,
                (SELECT COUNT(*) FROM invitations i WHERE \(mine) AND i.status = 'rejected') AS rejected,
                (SELECT COUNT(*) FROM invitations i WHERE \(mine) AND i.status = 'revoked') AS revoked,
                (SELECT COUNT(*) FROM invitations i WHERE \(mine) AND \(status) = 'expired') AS expired
            """,
            recipientBinds(user: user.id, email: email) + [.int(user.id)] + binds + binds + binds + binds)
        var counts: JSONObject = [:]
        for key in ["pending_received", "pending_sent", "accepted", "rejected", "revoked", "expired"] {
            counts[key] = .int(row?.int(key) ?? 0)
        }
        return .object(counts)
    }
}
