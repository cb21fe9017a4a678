/// `GET/PUT/DELETE /users/me`: the signed-in user's own account.
enum UserRoutes {
    static func register(in routes: RouteTable) {
        routes.get("/api/v1/users/me", show)
        routes.put("/api/v1/users/me", update)
        routes.delete("/api/v1/users/me", AccountDeletion.delete)
    }

    /// The profile, read by the statement that checks the token (without the token
    /// check's active-patient resolution, which the profile does not show).
    static func show(_ context: Context) throws -> Response {
        if let profile = try context.caller().provenProfile(db: context.db) { return .json(UserJSON.object(profile)) }
        let user = try context.requireUser()
        if let profile = user.profile { return .json(UserJSON.object(profile)) }
        return .json(try UserJSON.load(user.id, db: context.db))
    }

    /// Updates name and e-mail; every field optional. The name stays consistent: first or
    /// last name given → full name derived; only `full_name` given → split on its last space.
    static func update(_ context: Context) throws -> Response {
        let user = try context.requireUser()
        let db = context.db
        var reader = FieldReader(try context.jsonObject())
        guard let row = try db.queryOne("SELECT first_name, last_name FROM users WHERE id = ?", [.int(user.id)]) else {
            throw APIError.notFound("User")
        }
        let current = AccountFields.PersonName(
            first: row.string("first_name") ?? "", last: row.string("last_name") ?? "")
        let name = AccountFields.resolveName(&reader, current: current)
        let email = reader.string("email")
        if let email, let problem = AccountFields.emailProblem(email) { reader.fail("email", problem) }
        try reader.check()

        if let email,
            try db.queryOne("SELECT 1 FROM users WHERE email = ? AND id <> ?", [.text(email), .int(user.id)]) != nil
        {
            throw RegistrationRoutes.taken(["email"])
        }
        var assignments: [String] = []
        var binds: [SQLValue] = []
        if let name {
            assignments += ["first_name = ?", "last_name = ?", "full_name = ?"]
            binds += [.text(name.first), .text(name.last), .text(name.full)]
        }
        if let email {
            assignments.append("email = ?")
            binds.append(.text(email))
        }
        if !assignments.isEmpty {
            do {
                try db.execute(
                    "UPDATE users SET \(assignments.joined(separator: ", ")) WHERE id = ?", binds + [.int(user.id)])
            } catch StoreError.duplicate {
                throw RegistrationRoutes.taken(["email"])
            }
        }
        return .json(try UserJSON.load(user.id, db: db))
    }
}
