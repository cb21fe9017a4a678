/// Per-account lockout of password guessing (decisions rule 7): nginx limits attempts per
/// client address, but guessing spread over many addresses is stopped only by counting
/// failures per account. After `maximumFailures` failures within `windowSeconds`, the
/// account refuses every login — even with the right password — for `lockoutSeconds`.
///
/// Unknown names are counted too, under their own key, so a lockout does not reveal
/// whether an account exists. A success clears the count.
struct LoginThrottle {
    /// Stale counters older than this are purged by the cleanup job (the longest window
    /// the configuration allows).
    static let longestWindowSeconds = 24 * 60 * 60

    let db: Connection
    /// `login_max_failures` and `login_lockout_minutes` from the configuration; the
    /// counting window is as long as the lockout.
    let maximumFailures: Int
    let windowSeconds: Int
    let lockoutSeconds: Int

    init(db: Connection, config: Config) {
        self.db = db
        self.maximumFailures = config.loginMaxFailures
        self.windowSeconds = config.loginLockoutMinutes * 60
        self.lockoutSeconds = config.loginLockoutMinutes * 60
    }

    /// The key of an existing account: by id, so guesses by username and by e-mail count together.
    static func key(userID: Int64) -> String { "user:\(userID)" }

    /// The key of a name that matches no account.
    static func key(unknownName name: String) -> String { String("name:\(name.lowercased())".prefix(255)) }

    /// Seconds until `account` unlocks, or nil when it is not locked.
    func lockedFor(_ account: String) throws -> Int? {
        let row = try db.queryOne(
            """
            SELECT TIMESTAMPDIFF(SECOND, UTC_TIMESTAMP(), locked_until) AS wait FROM login_failures
            WHERE account = ? AND locked_until > UTC_TIMESTAMP()
            """, [.text(account)])
        return row.map { max(1, Int($0.int("wait") ?? 1)) }
    }

    /// Counts one failure, starting a new window when the last one is over and locking
    /// the account on reaching the limit. One statement, so concurrent failures all count.
    /// (MariaDB applies the assignments left to right: later ones see `failures` updated.)
    func recordFailure(_ account: String) throws {
        try db.execute(
            """
            INSERT INTO login_failures (account, failures, window_started_at, locked_until)
            VALUES (?, 1, UTC_TIMESTAMP(), NULL)
            ON DUPLICATE KEY UPDATE
                failures = IF(window_started_at <= UTC_TIMESTAMP() - INTERVAL ? SECOND, 1, failures + 1),
                window_started_at = IF(window_started_at <= UTC_TIMESTAMP() - INTERVAL ? SECOND, UTC_TIMESTAMP(), window_started_at),
                locked_until = IF(failures >= ?, UTC_TIMESTAMP() + INTERVAL ? SECOND, locked_until)
            """,
            [
                .text(account), .int(Int64(windowSeconds)), .int(Int64(windowSeconds)), .int(Int64(maximumFailures)),
                .int(Int64(lockoutSeconds)),
            ])
    }

    /// Forgets the failures of `account` after a successful login.
    func reset(_ account: String) throws {
        try db.execute("DELETE FROM login_failures WHERE account = ?", [.text(account)])
    }

    /// The 429 answer for a locked account.
    static func lockedError(retryAfter seconds: Int) -> APIError {
        APIError(
            429, "Too many failed login attempts. Try again later.",
            detail: .string("This account is locked for \(seconds) more seconds."),
            headers: [(name: "Retry-After", value: String(seconds))])
    }
}
