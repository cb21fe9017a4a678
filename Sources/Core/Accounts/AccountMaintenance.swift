/// Housekeeping for the tables the accounts code fills, for the scheduled job
/// (`medikeep-jobs`): rows that can no longer affect any request are deleted.
public enum AccountMaintenance {
    /// What `purgeExpired` removed.
    public struct Purged: Sendable {
        /// Revocations of tokens that have expired anyway.
        public let revokedTokens: Int
        /// Failure counts whose window is over and which hold no active lock.
        public let loginFailures: Int
        /// SSO sign-ins and conflicts that expired unused.
        public let ssoFlows: Int
    }

    /// Deletes expired token revocations, stale login-failure counters and expired SSO
    /// states and pending links.
    @discardableResult
    public static func purgeExpired(db: Connection) throws -> Purged {
        let tokens = try db.execute("DELETE FROM revoked_tokens WHERE expires_at < UTC_TIMESTAMP()")
        let failures = try db.execute(
            """
            DELETE FROM login_failures
            WHERE window_started_at <= UTC_TIMESTAMP() - INTERVAL ? SECOND
              AND (locked_until IS NULL OR locked_until <= UTC_TIMESTAMP())
            """, [.int(Int64(LoginThrottle.longestWindowSeconds))])
        let flows = try SSOStates.purgeExpired(db: db)
        return Purged(revokedTokens: tokens.affectedRows, loginFailures: failures.affectedRows, ssoFlows: flows)
    }
}
