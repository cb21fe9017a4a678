import Foundation

/// `POST /auth/login`, `/auth/logout` and `/auth/change-password`: password sign-in with
/// per-account lockout, and the two ways a token stops working before it expires.
enum AuthRoutes {
    static func register(in routes: RouteTable) {
        routes.post("/api/v1/auth/login", login)
        routes.post("/api/v1/auth/logout", logout)
        routes.post("/api/v1/auth/change-password", changePassword)
    }

    static var invalidCredentials: APIError {
        APIError(401, "Incorrect username or password", headers: [(name: "WWW-Authenticate", value: "Bearer")])
    }

    /// Signs in by username or e-mail (case-insensitive). The answer carries the token and
    /// its lifetime, never a user object; the same token is set as an HttpOnly cookie.
    static func login(_ context: Context) throws -> Response {
        let (name, password) = try credentials(context)
        let db = context.db
        // Usernames cannot contain "@", so the name says which column to look in.
        let column = name.contains("@") ? "email" : "username"
        let row = try db.queryOne(
            """
            SELECT u.id, u.password_hash, u.is_active, u.token_epoch, u.account_nonce, p.session_timeout_minutes
            FROM users u LEFT JOIN user_preferences p ON p.user_id = u.id WHERE u.\(column) = ?
            """, [.text(name)])
        let userID = row?.int("id")
        let throttle = LoginThrottle(db: db, config: context.config)
        let account = userID.map(LoginThrottle.key(userID:)) ?? LoginThrottle.key(unknownName: name)
        do {
            try throttle.admit(account)  // counted as a failure until the password proves right
        } catch {
            Log.warning(
                "login_locked",
                [
                    "category": "security", "user_id": .int(userID.map(Int.init)),
                    "remote": .string(context.request.remoteAddress),
                ])
            throw error
        }
        let hasher = PasswordHasher()
        guard let row, let userID, let hash = row.string("password_hash"), hasher.verify(password, against: hash) else {
            // An unknown name costs the same Argon2 work, so timing does not reveal which names exist.
            if row == nil { hasher.verifyUnknownUser(password) }
            Log.warning(
                "login_failed",
                [
                    "category": "security", "user_id": .int(userID.map(Int.init)),
                    "remote": .string(context.request.remoteAddress),
                ])
            throw invalidCredentials
        }
        try throttle.reset(account)  // the password proved right: this attempt was no guess
        guard row.bool("is_active") == true else {
            throw APIError(401, "Account is disabled", headers: [(name: "WWW-Authenticate", value: "Bearer")])
        }
        if hasher.needsRehash(hash) {
            try db.execute(
                "UPDATE users SET password_hash = ? WHERE id = ?", [.text(try hasher.hash(password)), .int(userID)])
        }
        let issued = TokenIssuer.issue(
            userID: userID, epoch: row.int("token_epoch") ?? 0, accountNonce: row.string("account_nonce") ?? "",
            preferredMinutes: row.int("session_timeout_minutes"),
            context: context)
        context.extraHeaders.append(TokenIssuer.cookie(issued, secure: context.request.isSecure))
        Log.info("login_succeeded", ["category": "security", "user_id": .int(userID)])
        return .json([
            "access_token": .string(issued.token), "token_type": "bearer",
            "session_timeout_minutes": .int(issued.minutes),
        ])
    }

    /// The username and password of a login: form-encoded as the contract says, or JSON
    /// for convenience. A missing field is a 422 naming it.
    static func credentials(_ context: Context) throws -> (String, String) {
        var username: String?
        var password: String?
        var problems: [FieldProblem] = []
        if context.request.contentType == "application/json" {
            var reader = FieldReader(try context.jsonObject())
            username = reader.string("username")
            password = reader.string("password", trim: false)
            problems = reader.problems
        } else {
            let form = QueryParameters(parsing: String(decoding: context.request.body, as: UTF8.self))
            username = form["username"]?.trimmingCharacters(in: .whitespacesAndNewlines)
            password = form["password"]
        }
        if username?.isEmpty ?? true, !problems.contains(where: { $0.field == "username" }) {
            problems.append(FieldProblem("username", "is required"))
        }
        if password?.isEmpty ?? true, !problems.contains(where: { $0.field == "password" }) {
            problems.append(FieldProblem("password", "is required"))
        }
        guard problems.isEmpty, let username, let password else { throw APIError.validation(problems) }
        return (username, password)
    }

    /// Revokes the token that made the request (its `jti`) and clears the cookie.
    static func logout(_ context: Context) throws -> Response {
        let user = try context.requireUser()
        try TokenIssuer.revoke(user, db: context.db)
        context.extraHeaders.append(TokenIssuer.clearedCookie(secure: context.request.isSecure))
        Log.info("logout", ["category": "security", "user_id": .int(user.id)])
        return .message("Successfully logged out")
    }

    /// Replaces the password after checking the current one, and bumps the token epoch so
    /// every token issued before (this one included) stops working. Wrong current
    /// passwords count towards the account's lockout like failed logins.
    static func changePassword(_ context: Context) throws -> Response {
        let user = try context.requireUser()
        var reader = FieldReader(try context.jsonObject())
        let current = reader.string("current_password", trim: false)
        let new = reader.string("new_password", trim: false)
        reader.require("current_password", current) { $0.isEmpty ? "is required" : nil }
        reader.require("new_password", new) { new in
            if new == current { return "must be different from the current password" }
            return PasswordPolicy.problem(new, username: user.username)
        }
        try reader.check(status: 400)
        guard let current, let new else { throw APIError.badRequest("Validation failed") }

        let db = context.db
        let throttle = LoginThrottle(db: db, config: context.config)
        let account = LoginThrottle.key(userID: user.id)
        try throttle.admit(account)
        let hasher = PasswordHasher()
        guard
            let hash = try db.queryOne("SELECT password_hash FROM users WHERE id = ?", [.int(user.id)])?.string(
                "password_hash"),
            hasher.verify(current, against: hash)
        else {
            Log.warning("password_change_failed", ["category": "security", "user_id": .int(user.id)])
            throw APIError(401, "Current password is incorrect")
        }
        try db.execute(
            "UPDATE users SET password_hash = ?, token_epoch = token_epoch + 1, must_change_password = 0 WHERE id = ?",
            [.text(try hasher.hash(new)), .int(user.id)])
        try throttle.reset(account)
        Log.info("password_changed", ["category": "security", "user_id": .int(user.id)])
        return .message("Password changed successfully")
    }
}
