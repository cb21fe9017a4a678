/// `/family-history-sharing`: a relative's history shared with another user, directly by
/// user (`POST /{id}/shares`) or by invitation to e-mail addresses (`bulk-invite`).
enum FamilyHistorySharingRoutes {
    static let base = "/api/v1/family-history-sharing"
    static let maxMembers = 50

    static func register(in routes: RouteTable) {
        routes.get("\(base)/mine", mine)
        routes.get("\(base)/my-own", myOwn)
        routes.get("\(base)/shared-with-me", sharedWithMe)
        routes.get("\(base)/shared-by-me", sharedByMe)
        routes.post("\(base)/bulk-invite", bulkInvite)
        routes.delete("\(base)/shared-with-me/{family_member_id}/remove-access", removeMyAccess)
        routes.get("\(base)/{family_member_id}/shares", shares)
        routes.post("\(base)/{family_member_id}/shares", share)
        routes.delete("\(base)/{family_member_id}/shares/{user_id}", revoke)
        routes.get("\(base)/{family_member_id}/details", details)
    }

    static func mine(_ context: Context) throws -> Response {
        let user = try context.requireUser()
        let owned = try FamilyHistoryShares.owned(user: user.id, db: context.db)
        let shared = try FamilyHistoryShares.sharedWith(user: user.id, db: context.db)
        return .json([
            "owned_family_members": .array(owned), "shared_family_members": .array(shared),
            "total_owned": .int(Int64(owned.count)), "total_shared": .int(Int64(shared.count)),
        ])
    }

    static func myOwn(_ context: Context) throws -> Response {
        .json(.array(try FamilyHistoryShares.owned(user: try context.requireUser().id, db: context.db)))
    }

    static func sharedWithMe(_ context: Context) throws -> Response {
        .json(.array(try FamilyHistoryShares.sharedWith(user: try context.requireUser().id, db: context.db)))
    }

    static func sharedByMe(_ context: Context) throws -> Response {
        .json(.array(try FamilyHistoryShares.sharedBy(user: try context.requireUser().id, db: context.db)))
    }

    static func details(_ context: Context) throws -> Response {
        let user = try context.requireUser()
        return .json(
            try FamilyHistoryShares.detail(try context.parameters.id("family_member_id"), user: user.id, db: context.db)
        )
    }

    /// The family member's shares (owner or full access to its patient).
    static func shares(_ context: Context) throws -> Response {
        let user = try context.requireUser()
        let id = try context.parameters.id("family_member_id")
        _ = try FamilyHistoryShares.manageable(id, user: user.id, db: context.db)
        return .json(.array(try FamilyHistoryShares.shares(of: id, db: context.db).map(FamilyHistoryShares.json)))
    }

    /// 201: `{shared_with_user_id | shared_with_identifier, permission_level, notes}`.
    static func share(_ context: Context) throws -> Response {
        let user = try context.requireUser()
        let id = try context.parameters.id("family_member_id")
        var fields = ShareFields(try context.jsonObject())
        let level = fields.level(allowed: FamilyHistoryShares.levels, fallback: "view")
        let note = fields.text(["notes", "sharing_note"], maxLength: 1000)
        let recipient = try recipient(&fields, db: context.db)
        try fields.check()
        guard let level, let recipient else { throw APIError.validation(fields.problems) }
        if recipient == user.id { throw APIError.badRequest("You cannot share with yourself") }
        let db = context.db
        let row = try db.transaction {
            let member = try FamilyHistoryShares.manageable(id, user: user.id, db: db, lock: true)
            let shareID = try FamilyHistoryShares.share(
                member: member, with: recipient, level: level, note: note, by: user, db: db)
            guard let row = try db.queryOne("\(FamilyHistoryShares.select) WHERE f.id = ?", [.int(shareID)]) else {
                throw APIError.notFound("Share")
            }
            return row
        }
        return .json(FamilyHistoryShares.json(row), status: 201)
    }

    /// The recipient by id (`shared_with_user_id`) or by username or e-mail
    /// (`shared_with_identifier`); a user that does not exist is a 422 naming the field.
    static func recipient(_ fields: inout ShareFields, db: Connection) throws -> Int64? {
        if let value = fields.body["shared_with_user_id"] {
            guard let id = value.intValue, id > 0 else {
                fields.problems.append(FieldProblem("shared_with_user_id", "must be a positive integer"))
                return nil
            }
            guard try db.queryOne("SELECT id FROM users WHERE id = ?", [.int(id)]) != nil else {
                fields.problems.append(FieldProblem("shared_with_user_id", "no such user"))
                return nil
            }
            return id
        }
        guard let identifier = fields.body["shared_with_identifier"]?.stringValue, !identifier.isEmpty else {
            fields.problems.append(FieldProblem("shared_with_user_id", "field required"))
            return nil
        }
        guard
            let id = try db.queryOne(
                "SELECT id FROM users WHERE username = ? OR email = ? LIMIT 1", [.text(identifier), .text(identifier)]
            )?.int("id")
        else {
            fields.problems.append(FieldProblem("shared_with_identifier", "no such user"))
            return nil
        }
        return id
    }

    /// Ends one user's share of the family member (owner or full access).
    static func revoke(_ context: Context) throws -> Response {
        let user = try context.requireUser()
        let id = try context.parameters.id("family_member_id")
        let recipient = try context.parameters.id("user_id")
        _ = try FamilyHistoryShares.manageable(id, user: user.id, db: context.db)
        try FamilyHistoryShares.end(member: id, recipient: recipient, actor: user.id, db: context.db)
        return .message("Access revoked successfully")
    }

    static func removeMyAccess(_ context: Context) throws -> Response {
        let user = try context.requireUser()
        let id = try context.parameters.id("family_member_id")
        try FamilyHistoryShares.end(member: id, recipient: user.id, actor: user.id, db: context.db)
        return .message("Access removed successfully")
    }

    /// 200 `{successful_invites, failed_invites, results}`: one invitation per address
    /// offering every listed relative (each of which the caller must be able to share).
    static func bulkInvite(_ context: Context) throws -> Response {
        let user = try context.requireUser()
        var fields = ShareFields(try context.jsonObject())
        let ids = fields.ids("family_member_ids", max: maxMembers)
        let level = fields.level(allowed: FamilyHistoryShares.levels, fallback: "view")
        let message = fields.text(["message", "sharing_note"], maxLength: 1000)
        var emails = fields.body["recipient_emails"]?.arrayValue ?? []
        if let single = fields.body["shared_with_identifier"], emails.isEmpty { emails = [single] }
        if emails.isEmpty || emails.count > PatientSharingRoutes.maxRecipients {
            fields.problems.append(
                FieldProblem(
                    "recipient_emails", "must be a list of 1 to \(PatientSharingRoutes.maxRecipients) addresses"))
        }
        try fields.check()
        let db = context.db
        var names: [String] = []
        for id in ids {
            names.append(try FamilyHistoryShares.manageable(id, user: user.id, db: db).string("name") ?? "")
        }
        let offer = Invitations.Offer(
            type: "family_history_share", patientID: nil, level: level ?? "view", shareExpiresAt: nil,
            familyMemberIDs: ids,
            title: "Family medical history: \(names.joined(separator: ", "))".prefix(255).description,
            message: message)
        return try Invitations.sendEach(offer, to: emails, from: user, db: context.db, withInvitation: false)
    }
}
