/// Family-history shares: one relative (a family member and its conditions) shared with
/// another user — a sibling sees their father's conditions. Such a share opens nothing
/// else: not the patient the relative belongs to, nor any other of its records (upstream
/// issue #91), because `PatientAccess` never reads this table.
enum FamilyHistoryShares {
    static let model = "Family History Share"
    static let levels = ["view", "edit"]

    static let select = """
        SELECT f.id, f.family_member_id, f.shared_by_user_id, f.shared_with_user_id, f.permission_level,
            f.sharing_note, f.invitation_id, f.is_active, \(ShareSQL.iso("f.created_at")) AS created_at,
            \(ShareSQL.iso("f.updated_at")) AS updated_at,
            bu.username AS by_username, bu.full_name AS by_full_name, bu.email AS by_email,
            wu.username AS with_username, wu.full_name AS with_full_name, wu.email AS with_email
        FROM family_history_shares f JOIN users bu ON bu.id = f.shared_by_user_id
        JOIN users wu ON wu.id = f.shared_with_user_id
        """

    static func json(_ row: Row) -> JSON {
        [
            "id": .int(row.int("id") ?? 0),
            "family_member_id": .int(row.int("family_member_id") ?? 0),
            "shared_by_user_id": .int(row.int("shared_by_user_id") ?? 0),
            "shared_with_user_id": .int(row.int("shared_with_user_id") ?? 0),
            "permission_level": .string(row.string("permission_level")),
            "sharing_note": .string(row.string("sharing_note")),
            "notes": .string(row.string("sharing_note")),
            "invitation_id": row.int("invitation_id").map(JSON.int) ?? .null,
            "is_active": .bool(row.int("is_active") == 1),
            "created_at": .string(row.string("created_at")),
            "updated_at": .string(row.string("updated_at")),
            "shared_by": ShareSQL.user(row, prefix: "by_", id: row.int("shared_by_user_id")),
            "shared_with": ShareSQL.user(row, prefix: "with_", id: row.int("shared_with_user_id")),
        ]
    }

    /// upstream's `ShareDetails` of a share row.
    static func details(_ row: Row) -> JSON {
        [
            "shared_by": [
                "id": .int(row.int("shared_by_user_id") ?? 0), "name": .string(row.string("by_full_name")),
                "email": .string(row.string("by_email")), "username": .string(row.string("by_username")),
            ],
            "shared_at": .string(row.string("created_at")),
            "sharing_note": .string(row.string("sharing_note")),
            "permission_level": .string(row.string("permission_level")),
        ]
    }

    /// The family member `id` when `user` owns its patient or holds full access to it
    /// (who may share it): 404 out of sight, 403 visible through a lower share.
    static func manageable(_ id: Int64, user: Int64, db: Connection, lock: Bool = false) throws -> Row {
        let full = PatientAccess.condition(patientColumn: "fm.patient_id", user: user, level: .full)
        guard
            let row = try db.queryOne(
                "SELECT fm.id, fm.patient_id, fm.name FROM family_members fm WHERE fm.id = ? AND \(full.sql)\(lock ? " FOR UPDATE" : "")",
                [.int(id)] + full.binds)
        else {
            throw try PatientAccess.refusal(
                .full, table: "family_members", patient: "r.patient_id", id: id, user: user, db: db
            ) { .notFound("Family member") }
        }
        return row
    }

    // MARK: reading

    /// Family members rendered as `/family-members` answers them (with their conditions),
    /// by id, in one statement.
    static func members(_ ids: [Int64], db: Connection) throws -> [Int64: JSON] {
        guard !ids.isEmpty else { return [:] }
        let query = FamilyMembers.handlers.query
        let marks = ids.map { _ in "?" }.joined(separator: ", ")
        let rows = try db.query("\(query.selectFrom) WHERE r.id IN (\(marks))", ids.map { .int($0) })
        var out: [Int64: JSON] = [:]
        for row in rows { out[row.int("id") ?? 0] = RecordJSON.render(row, layout: query.layout) }
        return out
    }

    /// Every family member of every patient `user` owns, newest first.
    static func owned(user: Int64, db: Connection) throws -> [JSON] {
        let query = FamilyMembers.handlers.query
        let rows = try db.query(
            """
            \(query.selectFrom) WHERE r.patient_id IN (SELECT o.id FROM patients o WHERE o.owner_user_id = ?)
            ORDER BY r.id DESC LIMIT 1000
            """, [.int(user)])
        return rows.map { RecordJSON.render($0, layout: query.layout) }
    }

    /// The relatives shared with `user`: `{family_member, share_details}` each, newest share first.
    static func sharedWith(user: Int64, db: Connection) throws -> [JSON] {
        let shares = try db.query(
            "\(select) WHERE f.shared_with_user_id = ? AND f.is_active = 1 ORDER BY f.id DESC LIMIT 1000", [.int(user)])
        let members = try members(shares.compactMap { $0.int("family_member_id") }, db: db)
        return shares.compactMap { share in
            guard let member = members[share.int("family_member_id") ?? 0] else { return nil }
            return ["family_member": member, "share_details": details(share)]
        }
    }

    /// The shares of one family member, newest first.
    static func shares(of member: Int64, db: Connection) throws -> [Row] {
        try db.query("\(select) WHERE f.family_member_id = ? ORDER BY f.id DESC", [.int(member)])
    }

    /// The family members `user` can manage that are shared, each with its shares.
    static func sharedBy(user: Int64, db: Connection) throws -> [JSON] {
        let full = PatientAccess.condition(patientColumn: "fm.patient_id", user: user, level: .full)
        let shares = try db.query(
            """
            \(select) JOIN family_members fm ON fm.id = f.family_member_id
            WHERE \(full.sql) ORDER BY f.family_member_id DESC, f.id DESC LIMIT 1000
            """, full.binds)
        var order: [Int64] = []
        var grouped: [Int64: [JSON]] = [:]
        for share in shares {
            let id = share.int("family_member_id") ?? 0
            if grouped[id] == nil { order.append(id) }
            grouped[id, default: []].append(json(share))
        }
        let members = try members(order, db: db)
        return order.compactMap { id in
            guard let member = members[id] else { return nil }
            return ["family_member": member, "shares": .array(grouped[id] ?? [])]
        }
    }

    /// A family member with its history for `user`: through the patient (view access) or
    /// through a share (with its details); 404 otherwise.
    static func detail(_ id: Int64, user: Int64, db: Connection) throws -> JSON {
        let view = PatientAccess.condition(patientColumn: "fm.patient_id", user: user, level: .view)
        let share = try db.queryOne(
            "\(select) WHERE f.family_member_id = ? AND f.shared_with_user_id = ? AND f.is_active = 1",
            [.int(id), .int(user)])
        if share == nil,
            try db.queryOne(
                "SELECT 1 AS seen FROM family_members fm WHERE fm.id = ? AND \(view.sql)", [.int(id)] + view.binds)
                == nil
        {
            throw APIError.notFound("Family member")
        }
        guard case .object(var member) = try members([id], db: db)[id] ?? .null else {
            throw APIError.notFound("Family member")
        }
        member["share_details"] = share.map(details) ?? .null
        member["is_shared"] = .bool(share != nil)
        return .object(member)
    }

    // MARK: writing

    /// Shares family member `member` (of `patient`) with `recipient` at `level`; 409 when
    /// already shared with that user, 400 when the recipient owns the patient.
    static func share(
        member: Row, with recipient: Int64, level: String, note: String?, by sharer: AuthenticatedUser,
        invitation: Int64? = nil, renew: Bool = false, db: Connection
    ) throws -> Int64 {
        let memberID = member.int("id") ?? 0
        let patient = member.int("patient_id") ?? 0
        if try PatientAccess.owns(patient: patient, user: recipient, db: db) {
            throw APIError.badRequest("This user owns the family member's patient")
        }
        let existing = try db.queryOne(
            "SELECT id FROM family_history_shares WHERE family_member_id = ? AND shared_with_user_id = ? FOR UPDATE",
            [.int(memberID), .int(recipient)])
        if existing != nil && !renew { throw APIError.conflict("This family history is already shared with this user") }
        try db.execute(
            """
            INSERT INTO family_history_shares
                (family_member_id, shared_by_user_id, shared_with_user_id, permission_level, sharing_note, invitation_id)
            VALUES (?, ?, ?, ?, ?, ?)
            ON DUPLICATE KEY UPDATE shared_by_user_id = VALUES(shared_by_user_id),
                permission_level = VALUES(permission_level), sharing_note = VALUES(sharing_note),
                invitation_id = VALUES(invitation_id), is_active = 1
            """,
            [
                .int(memberID), .int(sharer.id), .int(recipient), .text(level), note.map { .text($0) } ?? .null,
                invitation.map { .int($0) } ?? .null,
            ])
        let id =
            try db.queryOne(
                "SELECT id FROM family_history_shares WHERE family_member_id = ? AND shared_with_user_id = ?",
                [.int(memberID), .int(recipient)])?.int("id") ?? 0
        let name =
            try db.queryOne("SELECT username FROM users WHERE id = ?", [.int(recipient)])?.string("username") ?? ""
        try ActivityLog.event(
            "shared", model: model, recordID: id, patientID: patient, userID: sharer.id,
            description: "Shared the family history of \(member.string("name") ?? "") with \(name) (\(level))", db: db)
        return id
    }

    /// The shares an accepted family-history invitation makes: each offered relative the
    /// sender may still share. 409 when none is left.
    static func accept(invitation row: Row, sender: Int64, recipient: Int64, db: Connection) throws {
        var ids: [Int64] = []
        if let text = row.string("context_data"), let parsed = try? JSON.parse(text),
            let list = parsed.objectValue?["family_member_ids"]?.arrayValue
        {
            ids = list.compactMap(\.intValue)
        }
        guard
            let senderRow = try db.queryOne(
                "SELECT id, username, role FROM users WHERE id = ?", [.int(sender)])
        else { throw APIError.conflict("The sender's account no longer exists") }
        let sharer = AuthenticatedUser(
            id: sender, username: senderRow.string("username") ?? "", role: senderRow.string("role") ?? "user",
            tokenID: "", tokenExpiresAt: 0)
        var shared = 0
        for id in ids {
            guard let member = try? manageable(id, user: sender, db: db) else { continue }
            if try PatientAccess.owns(patient: member.int("patient_id") ?? 0, user: recipient, db: db) { continue }
            _ = try share(
                member: member, with: recipient, level: row.string("permission_level") ?? "view", note: nil,
                by: sharer, invitation: row.int("id"), renew: true, db: db)
            shared += 1
        }
        if shared == 0 { throw APIError.conflict("None of the family history offered can be shared any more") }
    }

    /// Ends `recipient`'s share of `member`; 404 when there is none.
    static func end(member: Int64, recipient: Int64, actor: Int64, db: Connection) throws {
        try db.transaction {
            guard
                let row = try db.queryOne(
                    """
                    SELECT f.id, fm.patient_id, fm.name, u.username FROM family_history_shares f
                    JOIN family_members fm ON fm.id = f.family_member_id JOIN users u ON u.id = f.shared_with_user_id
                    WHERE f.family_member_id = ? AND f.shared_with_user_id = ? FOR UPDATE
                    """, [.int(member), .int(recipient)])
            else { throw APIError.notFound("Share") }
            try db.execute("DELETE FROM family_history_shares WHERE id = ?", [.int(row.int("id") ?? 0)])
            let who =
                actor == recipient
                ? "\(row.string("username") ?? "") removed their access to"
                : "Revoked access of \(row.string("username") ?? "") to"
            try ActivityLog.event(
                "revoked", model: model, recordID: row.int("id"), patientID: row.int("patient_id"), userID: actor,
                description: "\(who) the family history of \(row.string("name") ?? "")", db: db)
        }
    }
}
