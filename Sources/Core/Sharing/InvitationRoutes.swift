/// `/invitations`: the invitations a user received and sent, answering them, withdrawing
/// one before it is answered, and the counts by status.
enum InvitationRoutes {
    static let base = "/api/v1/invitations"

    static func register(in routes: RouteTable) {
        routes.get("\(base)/pending", pending)
        routes.get("\(base)/sent", sent)
        routes.get("\(base)/summary", summary)
        routes.post("\(base)/cleanup", cleanup)
        routes.post("\(base)/{invitation_id}/respond", respond)
        routes.post("\(base)/{invitation_id}/revoke", revoke)
    }

    /// `?invitation_type=` narrows a list to one kind (422 for an unknown one).
    static func type(_ context: Context) throws -> String? {
        guard let value = context.query["invitation_type"], !value.isEmpty else { return nil }
        guard Invitations.types.contains(value) else {
            throw APIError.validation([
                FieldProblem("invitation_type", "must be one of: \(Invitations.types.joined(separator: ", "))")
            ])
        }
        return value
    }

    static func pending(_ context: Context) throws -> Response {
        let user = try context.requireUser()
        let rows = try Invitations.pending(for: user, type: try type(context), db: context.db)
        return .json(.array(rows.map(Invitations.json)))
    }

    static func sent(_ context: Context) throws -> Response {
        let user = try context.requireUser()
        return .json(
            .array(try Invitations.sent(by: user.id, type: try type(context), db: context.db).map(Invitations.json)))
    }

    static func summary(_ context: Context) throws -> Response {
        .json(try Invitations.summary(user: try context.requireUser(), db: context.db))
    }

    /// `{"action": "accept"|"reject"}` (upstream: `{"response": "accepted"|"rejected"}`),
    /// optional `response_note`; 200 with the updated invitation.
    static func respond(_ context: Context) throws -> Response {
        let user = try context.requireUser()
        let id = try context.parameters.id("invitation_id")
        var fields = ShareFields(try context.jsonObject())
        let answers = ["accept": true, "accepted": true, "reject": false, "rejected": false]
        let given = fields.first(["action", "response"])
        let accept = given?.value.stringValue.flatMap { answers[$0.lowercased()] }
        if accept == nil {
            fields.problems.append(
                FieldProblem(given?.name ?? "action", given == nil ? "field required" : "must be accept or reject"))
        }
        let note = fields.text(["response_note"], maxLength: 500)
        try fields.check()
        let row = try Invitations.respond(id, accept: accept ?? false, note: note, user: user, db: context.db)
        return .json(Invitations.json(row))
    }

    static func revoke(_ context: Context) throws -> Response {
        let user = try context.requireUser()
        try Invitations.revoke(try context.parameters.id("invitation_id"), user: user, db: context.db)
        return .message("Invitation revoked successfully")
    }

    /// Admin (decisions rule 16; the maintenance job does the same hourly).
    static func cleanup(_ context: Context) throws -> Response {
        _ = try context.requireAdmin()
        let count = try Invitations.expireDue(db: context.db)
        return .json(["message": .string("Expired \(count) old invitations"), "expired_count": .int(Int64(count))])
    }
}
