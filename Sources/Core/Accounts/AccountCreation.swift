/// Creating an account, shared by self-service registration and SSO sign-up: the user,
/// their preferences and their own patient record (as upstream does), so a new user can
/// add records at once. One transaction; a duplicate username or e-mail surfaces as
/// `StoreError.duplicate` for the caller to answer.
enum AccountCreation {
    struct NewAccount {
        let username: String
        let email: String
        /// An Argon2id hash, or `ssoOnlyPasswordHash` for an account without a password.
        let passwordHash: String
        let name: AccountFields.PersonName
        /// 'local', or '<provider>_sso' for an account made by an SSO sign-in.
        var authMethod = "local"
        var ssoProvider: String?
        var externalID: String?
    }

    /// Stored as the password hash of accounts made by SSO: it is no PHC string, so no
    /// password ever verifies against it.
    static let ssoOnlyPasswordHash = "!sso-only"

    static func create(_ account: NewAccount, db: Connection) throws -> Int64 {
        try db.transaction {
            let user = try db.execute(
                """
                INSERT INTO users (username, email, password_hash, first_name, last_name, full_name, role, auth_method,
                    sso_provider, external_id, last_sso_login)
                VALUES (?, ?, ?, ?, ?, ?, 'user', ?, ?, ?, IF(? IS NULL, NULL, UTC_TIMESTAMP()))
                """,
                [
                    .text(account.username), .text(account.email), .text(account.passwordHash),
                    .text(account.name.first), .text(account.name.last), .text(account.name.full),
                    .text(account.authMethod), .text(account.ssoProvider), .text(account.externalID),
                    .text(account.externalID),
                ]
            ).lastInsertID
            try db.execute("INSERT INTO user_preferences (user_id) VALUES (?)", [.int(user)])
            let patient = try db.execute(
                """
                INSERT INTO patients (owner_user_id, first_name, last_name, relationship_to_self, is_self_record)
                VALUES (?, ?, ?, 'self', 1)
                """, [.int(user), .text(account.name.first), .text(account.name.last)]
            ).lastInsertID
            try db.execute("UPDATE users SET active_patient_id = ? WHERE id = ?", [.int(patient), .int(user)])
            return user
        }
    }
}
