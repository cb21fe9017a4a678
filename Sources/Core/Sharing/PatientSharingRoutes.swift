/// `/patient-sharing`: a patient's owner (or a holder of full access) invites people by
/// e-mail to view, edit or fully manage the patient; the share exists once the recipient
/// accepts (`/invitations/{id}/respond`). Shares are changed, revoked, or given up by
/// their recipient, each change taking effect on the next request.
enum PatientSharingRoutes {
    static let base = "/api/v1/patient-sharing"
    static let maxRecipients = 50

    static func register(in routes: RouteTable) {
        routes.post(base, invite)
        routes.put(base, updateByPair)
        routes.post("\(base)/bulk-invite", bulkInvite)
        routes.delete("\(base)/revoke", revokeByPair)
        routes.delete("\(base)/remove-my-access/{patient_id}", removeMyAccess)
        routes.get("\(base)/shared-with-me", sharedWithMe)
        routes.get("\(base)/shared-by-me", sharedByMe)
        routes.get("\(base)/stats/user", stats)
        routes.post("\(base)/cleanup-expired", cleanupExpired)
        routes.put("\(base)/{share_id}", update)
        routes.delete("\(base)/{share_id}", revoke)
    }

    /// What a share invitation body offers: the patient (which the caller must own or
    /// hold full access to), the level, the share's expiry and a message.
    struct Invite {
        let patientID: Int64
        let level: String
        let expiresAt: String?
        let message: String?
    }

    static func readInvite(_ fields: inout ShareFields, user: AuthenticatedUser, db: Connection) throws -> Invite {
        let patientID = fields.id("patient_id")
        let level = fields.level(allowed: PatientShares.levels, fallback: "view")
        let expiry = fields.expiry()
        let message = fields.text(["message", "notes"], maxLength: 1000)
        let now = try ShareSQL.now(db: db)
        if let value = expiry.value, value.isPast(now: now) {
            fields.problems.append(
                FieldProblem(
                    fields.first(["expiration_date", "expires_at"])?.name ?? "expiration_date", "must be in the future")
            )
        }
        try fields.check()
        guard let patientID, let level else { throw APIError.validation(fields.problems) }
        try PatientAccess.require(.full, patient: patientID, user: user.id, db: db)
        return Invite(patientID: patientID, level: level, expiresAt: expiry.value?.sql, message: message)
    }

    static func offer(_ invite: Invite, db: Connection) throws -> Invitations.Offer {
        let name =
            try db.queryOne(
                "SELECT CONCAT(first_name, ' ', last_name) AS name FROM patients WHERE id = ?", [.int(invite.patientID)]
            )?.string("name") ?? ""
        return Invitations.Offer(
            type: "patient_share", patientID: invite.patientID, level: invite.level, shareExpiresAt: invite.expiresAt,
            familyMemberIDs: [], title: "Access to the medical records of \(name)", message: invite.message)
    }

    /// 201: the invitation (pending until the recipient answers).
    static func invite(_ context: Context) throws -> Response {
        let user = try context.requireUser()
        var fields = ShareFields(try context.jsonObject())
        let recipient = fields.first(["recipient_email", "shared_with_user_identifier"])
        var email: String?
        switch ShareFields.email(recipient?.value, field: recipient?.name ?? "recipient_email") {
        case .success(let value): email = value
        case .failure(let problem): fields.problems.append(problem)
        }
        let db = context.db
        let invite = try readInvite(&fields, user: user, db: db)
        guard let email else { throw APIError.validation(fields.problems) }
        let row = try db.transaction { try Invitations.send(try offer(invite, db: db), to: email, from: user, db: db) }
        return .json(Invitations.json(row), status: 201)
    }

    /// 200 `{successful_invites, failed_invites, results}`: one invitation per address,
    /// each on its own (a refused address does not undo the others); the body's other
    /// fields are checked first and fail the whole request.
    static func bulkInvite(_ context: Context) throws -> Response {
        let user = try context.requireUser()
        var fields = ShareFields(try context.jsonObject())
        let emails = fields.body["recipient_emails"]?.arrayValue ?? []
        if emails.isEmpty || emails.count > maxRecipients {
            fields.problems.append(
                FieldProblem("recipient_emails", "must be a list of 1 to \(maxRecipients) addresses"))
        }
        let db = context.db
        let invite = try readInvite(&fields, user: user, db: db)
        let offer = try offer(invite, db: db)
        return try Invitations.sendEach(offer, to: emails, from: user, db: db, withInvitation: true)
    }

    /// Changes a share's level and/or expiry (owner or full access): 200 with the share.
    static func update(_ context: Context) throws -> Response {
        let user = try context.requireUser()
        return try update(context, share: try context.parameters.id("share_id"), user: user)
    }

    /// Upstream's form: `PUT /patient-sharing?patient_id=&shared_with_user_id=`.
    static func updateByPair(_ context: Context) throws -> Response {
        let user = try context.requireUser()
        let share = try shareID(
            patient: try QueryValues.id(context.query, "patient_id"),
            recipient: try QueryValues.id(context.query, "shared_with_user_id"), user: user, db: context.db)
        return try update(context, share: share, user: user)
    }

    static func update(_ context: Context, share id: Int64, user: AuthenticatedUser) throws -> Response {
        var fields = ShareFields(try context.jsonObject())
        let level = fields.level(allowed: PatientShares.levels, fallback: "")
        let expiry = fields.expiry()
        let db = context.db
        if let value = expiry.value, value.isPast(now: try ShareSQL.now(db: db)) {
            fields.problems.append(FieldProblem("expiration_date", "must be in the future"))
        }
        try fields.check()
        let row = try db.transaction {
            let share = try PatientShares.lockManaged(id, user: user.id, db: db)
            var sets: [String] = []
            var binds: [SQLValue] = []
            if let level, !level.isEmpty {
                sets.append("permission_level = ?")
                binds.append(.text(level))
            }
            if expiry.present {
                sets.append("expires_at = ?")
                binds.append(expiry.value.map { .text($0.sql) } ?? .null)
            }
            if !sets.isEmpty {
                try db.execute(
                    "UPDATE patient_shares SET \(sets.joined(separator: ", ")), is_active = 1 WHERE id = ?",
                    binds + [.int(id)])
                let updated = try PatientShares.load(id, db: db)
                try ActivityLog.event(
                    "updated", model: PatientShares.model, recordID: id, patientID: share.int("patient_id"),
                    userID: user.id,
                    description:
                        "Changed the share with \(share.string("username") ?? "") to \(updated.string("permission_level") ?? "")"
                        + (updated.string("expires_at").map { " until \($0)" } ?? ""), db: db)
            }
            return try PatientShares.load(id, db: db)
        }
        return .json(PatientShares.json(row))
    }

    /// Ends a share at once (owner or full access).
    static func revoke(_ context: Context) throws -> Response {
        let user = try context.requireUser()
        try revoke(share: try context.parameters.id("share_id"), user: user, db: context.db)
        return .message("Access revoked successfully")
    }

    /// Upstream's form: `DELETE /patient-sharing/revoke` with `{patient_id, shared_with_user_id}`.
    static func revokeByPair(_ context: Context) throws -> Response {
        let user = try context.requireUser()
        var fields = ShareFields(try context.jsonObject())
        let patient = fields.id("patient_id")
        let recipient = fields.id("shared_with_user_id")
        try fields.check()
        try revoke(
            share: try shareID(patient: patient, recipient: recipient, user: user, db: context.db), user: user,
            db: context.db)
        return .message("Access revoked successfully")
    }

    static func revoke(share id: Int64, user: AuthenticatedUser, db: Connection) throws {
        try db.transaction {
            let share = try PatientShares.lockManaged(id, user: user.id, db: db)
            let patient = share.int("patient_id") ?? 0
            try PatientShares.end(id, patient: patient, recipient: share.int("shared_with_user_id") ?? 0, db: db)
            try ActivityLog.event(
                "revoked", model: PatientShares.model, recordID: id, patientID: patient, userID: user.id,
                description:
                    "Revoked the \(share.string("permission_level") ?? "") access of \(share.string("username") ?? "")",
                db: db)
        }
    }

    /// The share of `patient` with `recipient`, for the caller to manage: 404 when the
    /// patient is out of sight or it has no such share, 403 below full access.
    static func shareID(patient: Int64?, recipient: Int64?, user: AuthenticatedUser, db: Connection) throws -> Int64 {
        guard let patient, let recipient else {
            throw APIError.validation(
                [
                    patient == nil ? FieldProblem("patient_id", "field required") : nil,
                    recipient == nil ? FieldProblem("shared_with_user_id", "field required") : nil,
                ].compactMap { $0 })
        }
        try PatientAccess.require(.full, patient: patient, user: user.id, db: db)
        guard let id = try PatientShares.find(patient: patient, recipient: recipient, db: db) else {
            throw APIError.notFound("Share")
        }
        return id
    }

    /// The recipient gives up their own share of `patient_id`.
    static func removeMyAccess(_ context: Context) throws -> Response {
        let user = try context.requireUser()
        let patient = try context.parameters.id("patient_id")
        let db = context.db
        try db.transaction {
            guard let id = try PatientShares.find(patient: patient, recipient: user.id, db: db, lock: true) else {
                throw APIError.notFound("Share")
            }
            try PatientShares.end(id, patient: patient, recipient: user.id, db: db)
            try ActivityLog.event(
                "removed", model: PatientShares.model, recordID: id, patientID: patient, userID: user.id,
                description: "\(user.username) gave up their access", db: db)
        }
        return .message("Access removed successfully")
    }

    static func sharedWithMe(_ context: Context) throws -> Response {
        let user = try context.requireUser()
        return .json(.array(try PatientShares.sharedWith(user: user.id, db: context.db).map(PatientShares.json)))
    }

    /// Shares of the caller's patients and shares the caller made; `?patient_id=` narrows.
    static func sharedByMe(_ context: Context) throws -> Response {
        let user = try context.requireUser()
        let patient = try QueryValues.id(context.query, "patient_id")
        return .json(
            .array(try PatientShares.sharedBy(user: user.id, patient: patient, db: context.db).map(PatientShares.json)))
    }

    static func stats(_ context: Context) throws -> Response {
        .json(try PatientShares.stats(user: try context.requireUser(), db: context.db))
    }

    /// Admin (decisions rule 16; the maintenance job does the same hourly): removes shares
    /// past their expiry and expires unanswered invitations.
    static func cleanupExpired(_ context: Context) throws -> Response {
        _ = try context.requireAdmin()
        let shares = try PatientShares.expireDue(db: context.db)
        let invitations = try Invitations.expireDue(db: context.db)
        return .json([
            "expired_shares_removed": .int(Int64(shares)),
            "expired_invitations": .int(Int64(invitations)),
            "cleanup_date": .string(DateTimeText.parse(try ShareSQL.now(db: context.db))?.iso),
        ])
    }
}
