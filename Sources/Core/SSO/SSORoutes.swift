import Foundation

/// `/auth/sso/*`: sign-in with the configured identity provider (contract section SSO
/// Authentication). The browser goes to the provider with `initiate`'s URL, comes back
/// to the front end with a code, and the front end posts code and state to `callback`.
enum SSORoutes {
    static func register(in routes: RouteTable) {
        routes.get("/api/v1/auth/sso/config", config)
        routes.post("/api/v1/auth/sso/initiate", initiate)
        routes.post("/api/v1/auth/sso/callback", callback)
        routes.post("/api/v1/auth/sso/resolve-conflict", resolveConflict)
        routes.post("/api/v1/auth/sso/resolve-github-link", resolveGitHubLink)
        routes.post("/api/v1/auth/sso/test-connection", testConnection)
    }

    static func settings(_ context: Context) throws -> SSOSettings {
        let settings = context.config.sso
        guard settings.enabled else { throw SSOFailure.disabled }
        return settings
    }

    static func config(_ context: Context) throws -> Response {
        let settings = context.config.sso
        return .json([
            "enabled": .bool(settings.enabled),
            "provider_type": settings.enabled ? .string(settings.providerType.rawValue) : .null,
            "registration_enabled": .bool(try RegistrationRoutes.isEnabled(context)),
        ])
    }

    /// The provider's authorization URL with a fresh state, nonce and PKCE challenge.
    static func initiate(_ context: Context) throws -> Response {
        let settings = try settings(context)
        var requested = context.query["return_url"]
        if requested == nil, !context.request.body.isEmpty {
            var reader = FieldReader(try context.jsonObject())
            requested = reader.string("return_url")
            try reader.check()
        }
        var returnURL: String?
        if let requested, !requested.isEmpty {
            guard let path = ReturnURL.validated(requested, redirectURI: settings.redirectURI) else {
                Log.warning(
                    "sso_return_url_refused",
                    ["category": "security", "remote": .string(context.request.remoteAddress)])
                throw APIError.validation([FieldProblem("return_url", "must be a path on this site")], status: 400)
            }
            returnURL = path
        }
        let started = try SSOStates.start(
            db: context.db, provider: settings.providerType.rawValue, returnURL: returnURL)
        let url =
            settings.providerType.isOpenIDConnect
            ? try OIDCProvider.authorizationURL(
                settings, state: started.state, nonce: started.nonce, challenge: started.codeChallenge)
            : GitHubProvider.authorizationURL(settings, state: started.state, challenge: started.codeChallenge)
        return .json(["authorization_url": .string(url), "state": .string(started.state)])
    }

    /// Exchanges the code (the state first: unknown, used or expired states end here
    /// before any call to the provider), verifies who it is, and signs in.
    static func callback(_ context: Context) throws -> Response {
        let settings = try settings(context)
        var reader = FieldReader(try context.jsonObject())
        let code = reader.string("code")
        let state = reader.string("state")
        reader.require("code", code) { $0.isEmpty ? "is required" : nil }
        reader.require("state", state) { $0.isEmpty ? "is required" : nil }
        try reader.check()
        guard let code, let state else { throw APIError.badRequest("Validation failed") }
        guard let flow = try SSOStates.consume(db: context.db, state: state),
            flow.provider == settings.providerType.rawValue
        else {
            throw SSOFailure.refused("unknown, used or expired state")
        }
        let identity =
            settings.providerType.isOpenIDConnect
            ? try OIDCProvider.identity(settings, code: code, verifier: flow.codeVerifier, nonce: flow.nonce)
            : try GitHubProvider.identity(settings, code: code, verifier: flow.codeVerifier)
        switch try SSOAccounts.signIn(identity, returnURL: flow.returnURL, context: context) {
        case .signedIn(let userID, let isNew):
            return try SSOSession.respond(userID: userID, isNew: isNew, returnURL: flow.returnURL, context: context)
        case .conflict(let token, let email):
            Log.info("sso_conflict", ["category": "security", "provider": .string(identity.provider.rawValue)])
            var body: JSONObject = [
                "conflict": true, "temp_token": .string(token), "existing_email": .string(email),
                "sso_provider": .string(identity.provider.rawValue),
            ]
            if identity.provider == .github { body["github_manual_link"] = true }
            return .json(.object(body))
        }
    }

    /// The choice for a conflict: link the identity to the existing account, or make a
    /// separate one; `preference` is remembered on the existing account for next time.
    static func resolveConflict(_ context: Context) throws -> Response {
        _ = try settings(context)
        var reader = FieldReader(try context.jsonObject())
        let token = reader.string("temp_token")
        let action = reader.string("action")
        let preference = reader.string("preference")
        reader.require("temp_token", token) { $0.isEmpty ? "is required" : nil }
        reader.require("action", action) {
            ["link", "create_separate"].contains($0) ? nil : "must be link or create_separate"
        }
        reader.require("preference", preference) {
            SSOAccounts.preferences.contains($0) ? nil : "must be auto_link, create_separate or always_ask"
        }
        try reader.check()
        guard let token, let action, let preference else { throw APIError.badRequest("Validation failed") }
        let db = context.db
        guard let pending = try SSOStates.pending(db: db, token: token) else { throw expiredToken }
        let identity = pending.identity
        if action == "link" {
            guard identity.provider != .github else {
                throw APIError(400, "GitHub accounts are linked with the account's password: use resolve-github-link")
            }
            guard identity.emailVerified else {
                throw APIError(403, "The identity provider has not verified this e-mail address; it cannot be linked")
            }
        }
        let outcome: (userID: Int64, isNew: Bool) = try db.transaction {
            guard try SSOStates.finish(db: db, token: token) else { throw expiredToken }
            try db.execute(
                "UPDATE users SET sso_linking_preference = ? WHERE id = ?",
                [.text(preference), .int(pending.existingUserID)])
            if action == "link" {
                try SSOAccounts.link(identity, to: pending.existingUserID, preference: preference, db: db)
                return (pending.existingUserID, false)
            }
            return (try SSOAccounts.createSeparate(identity, context: context), true)
        }
        return try SSOSession.respond(
            userID: outcome.userID, isNew: outcome.isNew, returnURL: pending.returnURL, context: context)
    }

    /// Links a GitHub identity to the account whose username (or e-mail) and password
    /// are given: the password proves the person owns it. Wrong passwords count towards
    /// that account's lockout, as failed logins do.
    static func resolveGitHubLink(_ context: Context) throws -> Response {
        _ = try settings(context)
        var reader = FieldReader(try context.jsonObject())
        let token = reader.string("temp_token")
        let name = reader.string("username")
        let password = reader.string("password", trim: false)
        for (key, value) in [("temp_token", token), ("username", name), ("password", password)] {
            reader.require(key, value) { $0.isEmpty ? "is required" : nil }
        }
        try reader.check()
        guard let token, let name, let password else { throw APIError.badRequest("Validation failed") }
        let db = context.db
        guard let pending = try SSOStates.pending(db: db, token: token), pending.identity.provider == .github else {
            throw expiredToken
        }
        let column = name.contains("@") ? "email" : "username"
        let row = try db.queryOne("SELECT id, password_hash, is_active FROM users WHERE \(column) = ?", [.text(name)])
        let userID = row?.int("id")
        let throttle = LoginThrottle(db: db, config: context.config)
        let account = userID.map(LoginThrottle.key(userID:)) ?? LoginThrottle.key(unknownName: name)
        try throttle.admit(account)
        let hasher = PasswordHasher()
        guard let row, let userID, let hash = row.string("password_hash"), hasher.verify(password, against: hash) else {
            if row == nil { hasher.verifyUnknownUser(password) }
            Log.warning("sso_github_link_failed", ["category": "security", "user_id": .int(userID.map(Int.init))])
            throw AuthRoutes.invalidCredentials
        }
        try throttle.reset(account)
        guard row.bool("is_active") == true else { throw APIError(401, "Account is disabled") }
        try db.transaction {
            guard try SSOStates.finish(db: db, token: token) else { throw expiredToken }
            try SSOAccounts.link(pending.identity, to: userID, preference: nil, db: db)
        }
        return try SSOSession.respond(userID: userID, isNew: false, returnURL: pending.returnURL, context: context)
    }

    /// Admin: is the provider reachable (discovery and keys for OIDC, the API for GitHub)?
    /// A provider that fails answers `success: false` with the reason; the client
    /// secret is not used and never shown.
    static func testConnection(_ context: Context) throws -> Response {
        _ = try context.requireAdmin()
        let settings = try settings(context)
        do {
            let message =
                settings.providerType.isOpenIDConnect
                ? try OIDCProvider.testConnection(settings) : try GitHubProvider.testConnection(settings)
            return .json([
                "success": true, "message": .string(message), "provider_type": .string(settings.providerType.rawValue),
            ])
        } catch let error as APIError {
            let reason = error.detail.stringValue.map { "\(error.message): \($0)" } ?? error.message
            return .json([
                "success": false, "message": .string(reason), "provider_type": .string(settings.providerType.rawValue),
            ])
        }
    }

    static var expiredToken: APIError {
        APIError(400, "Invalid or expired temporary token", detail: "Sign in with the provider again.")
    }
}

/// The answer of a successful SSO sign-in: the same token and cookie a password login
/// gives, plus the user and whether the account was just made.
enum SSOSession {
    static func respond(userID: Int64, isNew: Bool, returnURL: String?, context: Context) throws -> Response {
        guard
            let row = try context.db.queryOne(
                """
                SELECT u.id, u.username, u.email, u.full_name, u.role, u.auth_method, u.sso_provider, u.is_active,
                    u.token_epoch, u.account_nonce, p.session_timeout_minutes
                FROM users u LEFT JOIN user_preferences p ON p.user_id = u.id WHERE u.id = ?
                """, [.int(userID)])
        else { throw APIError.notFound("User") }
        guard row.bool("is_active") == true else {
            Log.warning("sso_login_disabled_account", ["category": "security", "user_id": .int(userID)])
            throw APIError(401, "Account is disabled", headers: [(name: "WWW-Authenticate", value: "Bearer")])
        }
        let issued = TokenIssuer.issue(
            userID: userID, epoch: row.int("token_epoch") ?? 0, accountNonce: row.string("account_nonce") ?? "",
            preferredMinutes: row.int("session_timeout_minutes"), context: context)
        context.extraHeaders.append(TokenIssuer.cookie(issued, secure: context.request.isSecure))
        Log.info("sso_login_succeeded", ["category": "security", "user_id": .int(userID), "new_user": .bool(isNew)])
        return .json([
            "access_token": .string(issued.token), "token_type": "bearer",
            "session_timeout_minutes": .int(issued.minutes),
            "user": [
                "id": .int(userID), "username": .string(row.string("username")), "email": .string(row.string("email")),
                "full_name": .string(row.string("full_name")), "role": .string(row.string("role")),
                "auth_method": .string(row.string("auth_method")), "sso_provider": .string(row.string("sso_provider")),
            ],
            "is_new_user": .bool(isNew), "return_url": .string(returnURL),
        ])
    }
}
