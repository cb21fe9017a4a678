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

    /// Counts one attempt as a failure *before* the password is checked, and answers how
    /// many the window now holds. Counting first is what makes the limit hold under
    /// parallel guesses: each of them is counted before any Argon2 work, so the
    /// (`maximumFailures` + 1)th is refused however many arrive at once. A correct
    /// password then clears the count (`reset`). One statement: starts a new window when
    /// the last is over and locks on reaching the limit (MariaDB applies the assignments
    /// left to right, so later ones see `failures` updated); `LAST_INSERT_ID(expr)` hands
    /// the new count back without a second query (0 means the row was just inserted: 1).
    func countAttempt(_ account: String) throws -> Int {
        let result = try db.execute(
            """
            INSERT INTO login_failures (account, failures, window_started_at, locked_until)
            VALUES (?, 1, UTC_TIMESTAMP(), NULL)
            ON DUPLICATE KEY UPDATE
                failures = LAST_INSERT_ID(IF(window_started_at <= UTC_TIMESTAMP() - INTERVAL ? SECOND, 1, failures + 1)),
                window_started_at = IF(failures = 1, UTC_TIMESTAMP(), window_started_at),
                locked_until = IF(failures >= ?, UTC_TIMESTAMP() + INTERVAL ? SECOND, locked_until)
            """,
            [
                .text(account), .int(Int64(windowSeconds)), .int(Int64(maximumFailures)),
                .int(Int64(lockoutSeconds)),
            ])
        return result.lastInsertID > 0 ? Int(result.lastInsertID) : 1
    }

    /// Checks the lock and counts this attempt; throws the 429 when the account is locked
    /// or this attempt is past the limit. Call before verifying the password.
    func admit(_ account: String) throws {
        if let wait = try lockedFor(account) { throw Self.lockedError(retryAfter: wait) }
        if try countAttempt(account) > maximumFailures {
            throw Self.lockedError(retryAfter: lockoutSeconds)
        }
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
