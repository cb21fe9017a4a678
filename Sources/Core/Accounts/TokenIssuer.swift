import Foundation

/// Issues access tokens and the matching `access_token` cookie.
///
/// A token lives for the user's `session_timeout_minutes` preference, or the configured
/// default when the user has none (decisions rule 14), and carries the user's token epoch
/// so a password change revokes every token issued before it.
enum TokenIssuer {
    /// A signed token and how long it lives.
    struct Issued {
        let token: String
        let minutes: Int
        var seconds: Int64 { Int64(minutes) * 60 }
    }

    static func issue(
        userID: Int64, epoch: Int64, accountNonce: String, preferredMinutes: Int64?, context: Context
    ) -> Issued {
        let minutes = preferredMinutes.map(Int.init) ?? context.config.sessionTimeoutMinutes
        let claims = TokenClaims.issue(
            subject: userID, epoch: epoch, accountNonce: accountNonce, now: Int64(time(nil)),
            lifetime: Int64(minutes) * 60)
        return Issued(token: context.services.shared.tokenSigner.sign(claims), minutes: minutes)
    }

    /// The cookie browsers send back instead of an `Authorization` header. HttpOnly keeps
    /// it from scripts, SameSite=Strict from cross-site requests, and `Secure` (when the
    /// request came over TLS) from ever travelling in clear text.
    static func cookie(_ issued: Issued, secure: Bool) -> (name: String, value: String) {
        (
            name: "Set-Cookie",
            value: "access_token=\(issued.token); HttpOnly; SameSite=Strict; Path=/; Max-Age=\(issued.seconds)"
                + (secure ? "; Secure" : "")
        )
    }

    /// Tells the browser to drop the cookie (logout).
    static func clearedCookie(secure: Bool) -> (name: String, value: String) {
        (
            name: "Set-Cookie",
            value: "access_token=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0" + (secure ? "; Secure" : "")
        )
    }

    /// Makes one token unusable before its expiry (logout, account deletion).
    static func revoke(_ user: AuthenticatedUser, db: Connection) throws {
        try db.execute(
            "INSERT IGNORE INTO revoked_tokens (token_id, user_id, expires_at) VALUES (?, ?, FROM_UNIXTIME(?))",
            [.text(user.tokenID), .int(user.id), .int(user.tokenExpiresAt)])
    }
}
