import COpenSSL

/// The sign-ins in flight (`sso_states`) and the identities waiting for a conflict to be
/// resolved (`sso_pending_links`). Both are keyed by the SHA-256 of a random token the
/// browser holds, so the table alone cannot be replayed; both are single-use (deleted on
/// use, and only the request whose DELETE removed the row goes on) and expire.
enum SSOStates {
    /// How long a sign-in may take at the provider, and a conflict may wait for a choice.
    static let lifetimeSeconds: Int64 = 600

    /// What `initiate` sends to the provider.
    struct Started {
        let state: String
        let nonce: String
        let codeChallenge: String
    }

    /// What `callback` gets back for a valid state.
    struct Consumed {
        let provider: String
        let nonce: String
        let codeVerifier: String
        let returnURL: String?
    }

    /// 256 random bits as base64url: states, nonces, PKCE verifiers, temporary tokens.
    static func randomToken() -> String { Base64URL.encode(SecureRandom.bytes(32)) }

    static func sha256(_ bytes: [UInt8]) -> [UInt8] {
        var digest = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var length: UInt32 = 0
        let ok = bytes.withUnsafeBytes { EVP_Digest($0.baseAddress, $0.count, &digest, &length, EVP_sha256(), nil) }
        precondition(ok == 1, "EVP_Digest(SHA-256) failed")
        return Array(digest.prefix(Int(length)))
    }

    /// The key a token is stored under.
    static func hash(_ token: String) -> String { Hex.encode(sha256(Array(token.utf8))) }

    static func start(db: Connection, provider: String, returnURL: String?) throws -> Started {
        let state = randomToken()
        let nonce = randomToken()
        let verifier = randomToken()
        try db.execute(
            """
            INSERT INTO sso_states (state_hash, provider, nonce, code_verifier, return_url, expires_at)
            VALUES (?, ?, ?, ?, ?, UTC_TIMESTAMP() + INTERVAL ? SECOND)
            """,
            [
                .text(hash(state)), .text(provider), .text(nonce), .text(verifier), .text(returnURL),
                .int(lifetimeSeconds),
            ])
        return Started(state: state, nonce: nonce, codeChallenge: Base64URL.encode(sha256(Array(verifier.utf8))))
    }

    /// The sign-in `state` belongs to, removing it; nil when it is unknown, used or expired.
    static func consume(db: Connection, state: String) throws -> Consumed? {
        let key = hash(state)
        guard
            let row = try db.queryOne(
                """
                SELECT provider, nonce, code_verifier, return_url FROM sso_states
                WHERE state_hash = ? AND expires_at > UTC_TIMESTAMP()
                """, [.text(key)])
        else { return nil }
        // Two callbacks racing with one state: only the one that deletes the row wins.
        guard try db.execute("DELETE FROM sso_states WHERE state_hash = ?", [.text(key)]).affectedRows == 1 else {
            return nil
        }
        return Consumed(
            provider: row.string("provider") ?? "", nonce: row.string("nonce") ?? "",
            codeVerifier: row.string("code_verifier") ?? "", returnURL: row.string("return_url"))
    }

    /// An identity waiting for a choice about the account `userID` that has its e-mail.
    struct Pending {
        let existingUserID: Int64
        let identity: SSOIdentity
        let returnURL: String?
    }

    /// Stores `pending` and answers the temporary token that resolves it.
    static func park(db: Connection, _ pending: Pending) throws -> String {
        let token = randomToken()
        let identity = pending.identity
        try db.execute(
            """
            INSERT INTO sso_pending_links (token_hash, existing_user_id, provider, subject, email, email_verified,
                first_name, last_name, username_hint, return_url, expires_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, UTC_TIMESTAMP() + INTERVAL ? SECOND)
            """,
            [
                .text(hash(token)), .int(pending.existingUserID), .text(identity.provider.rawValue),
                .text(identity.subject), .text(identity.email), .bool(identity.emailVerified),
                .text(identity.firstName.map { String($0.prefix(100)) }),
                .text(identity.lastName.map { String($0.prefix(100)) }),
                .text(identity.usernameHint.map { String($0.prefix(255)) }), .text(pending.returnURL),
                .int(lifetimeSeconds),
            ])
        return token
    }

    /// The pending identity of `token`, without using it up (a wrong password on
    /// `resolve-github-link` may be retried within the lifetime).
    static func pending(db: Connection, token: String) throws -> Pending? {
        guard
            let row = try db.queryOne(
                """
                SELECT existing_user_id, provider, subject, email, email_verified, first_name, last_name,
                    username_hint, return_url
                FROM sso_pending_links WHERE token_hash = ? AND expires_at > UTC_TIMESTAMP()
                """, [.text(hash(token))]),
            let provider = row.string("provider").flatMap(SSOSettings.ProviderType.init(rawValue:)),
            let userID = row.int("existing_user_id"), let subject = row.string("subject"),
            let email = row.string("email")
        else { return nil }
        return Pending(
            existingUserID: userID,
            identity: SSOIdentity(
                provider: provider, subject: subject, email: email, emailVerified: row.bool("email_verified") ?? false,
                firstName: row.string("first_name"), lastName: row.string("last_name"),
                usernameHint: row.string("username_hint")),
            returnURL: row.string("return_url"))
    }

    /// Uses `token` up; false when another request already did.
    static func finish(db: Connection, token: String) throws -> Bool {
        try db.execute("DELETE FROM sso_pending_links WHERE token_hash = ?", [.text(hash(token))]).affectedRows == 1
    }

    /// Housekeeping for the scheduled job: expired rows can no longer be used.
    static func purgeExpired(db: Connection) throws -> Int {
        let states = try db.execute("DELETE FROM sso_states WHERE expires_at < UTC_TIMESTAMP()")
        let pending = try db.execute("DELETE FROM sso_pending_links WHERE expires_at < UTC_TIMESTAMP()")
        return states.affectedRows + pending.affectedRows
    }
}
