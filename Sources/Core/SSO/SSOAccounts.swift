import Foundation

/// Which account an SSO identity signs in to: the one linked to it, else — when its
/// e-mail belongs to an account — what that account's owner chose (link, a separate
/// account, or ask), else a new account if registration is open.
enum SSOAccounts {
    enum Outcome {
        case signedIn(userID: Int64, isNew: Bool)
        /// The e-mail is an existing account's: the browser must choose (temporary token).
        case conflict(token: String, existingEmail: String)
    }

    /// The `sso_linking_preference` values.
    static let preferences = ["auto_link", "create_separate", "always_ask"]

    static func signIn(_ identity: SSOIdentity, returnURL: String?, context: Context) throws -> Outcome {
        let db = context.db
        if let linked = try db.queryOne(
            "SELECT id FROM users WHERE sso_provider = ? AND external_id = ?",
            [.text(identity.provider.rawValue), .text(identity.subject)])?.int("id")
        {
            try db.execute("UPDATE users SET last_sso_login = UTC_TIMESTAMP() WHERE id = ?", [.int(linked)])
            return .signedIn(userID: linked, isNew: false)
        }
        if let existing = try db.queryOne(
            "SELECT id, email, sso_linking_preference FROM users WHERE email = ?", [.text(identity.email)]),
            let existingID = existing.int("id")
        {
            switch existing.string("sso_linking_preference") {
            // GitHub accounts are always linked by password (`resolve-github-link`).
            case "auto_link" where identity.emailVerified && identity.provider != .github:
                try link(identity, to: existingID, preference: nil, db: db)
                return .signedIn(userID: existingID, isNew: false)
            case "create_separate":
                return .signedIn(userID: try createSeparate(identity, context: context), isNew: true)
            default:
                let token = try SSOStates.park(
                    db: db, .init(existingUserID: existingID, identity: identity, returnURL: returnURL))
                return .conflict(token: token, existingEmail: existing.string("email") ?? identity.email)
            }
        }
        return .signedIn(userID: try create(identity, email: identity.email, context: context), isNew: true)
    }

    /// Links `identity` to the account `userID`; its password keeps working ('hybrid').
    /// A disabled account is refused before anything changes.
    static func link(_ identity: SSOIdentity, to userID: Int64, preference: String?, db: Connection) throws {
        guard try db.queryOne("SELECT is_active FROM users WHERE id = ?", [.int(userID)])?.bool("is_active") == true
        else {
            throw APIError(401, "Account is disabled", headers: [(name: "WWW-Authenticate", value: "Bearer")])
        }
        do {
            try db.execute(
                """
                UPDATE users SET sso_provider = ?, external_id = ?, account_linked_at = UTC_TIMESTAMP(),
                    last_sso_login = UTC_TIMESTAMP(), auth_method = IF(auth_method = 'local', 'hybrid', auth_method),
                    sso_linking_preference = COALESCE(?, sso_linking_preference)
                WHERE id = ?
                """,
                [.text(identity.provider.rawValue), .text(identity.subject), .text(preference), .int(userID)])
        } catch StoreError.duplicate {
            throw APIError(409, "This SSO account is already linked to another user")
        }
        Log.info(
            "sso_account_linked",
            ["category": "security", "user_id": .int(userID), "provider": .string(identity.provider.rawValue)])
    }

    /// A new account for `identity` beside the existing one that has its e-mail: same
    /// mailbox, tagged address (`name+github@example.org`) since addresses are unique.
    static func createSeparate(_ identity: SSOIdentity, context: Context) throws -> Int64 {
        let parts = identity.email.split(separator: "@", maxSplits: 1).map(String.init)
        guard parts.count == 2 else { throw APIError(400, "The identity provider's e-mail address is not valid") }
        let local = String(parts[0].prefix(40))
        var candidate = "\(local)+\(identity.provider.rawValue)@\(parts[1])"
        if try context.db.queryOne("SELECT 1 AS taken FROM users WHERE email = ?", [.text(candidate)]) != nil {
            candidate = "\(local)+\(identity.provider.rawValue)-\(SecureRandom.hex(3))@\(parts[1])"
        }
        return try create(identity, email: candidate, context: context)
    }

    /// A new account signed in with `identity`; only while registration is open.
    static func create(_ identity: SSOIdentity, email: String, context: Context) throws -> Int64 {
        guard try RegistrationRoutes.isEnabled(context) else {
            Log.warning(
                "sso_signup_refused",
                ["category": "security", "provider": .string(identity.provider.rawValue), "reason": "registration off"])
            throw APIError.forbidden(RegistrationRoutes.disabledMessage)
        }
        guard AccountFields.emailProblem(email) == nil else {
            throw APIError(400, "The identity provider's e-mail address is not valid")
        }
        let db = context.db
        let username = try freeUsername(identity.usernameHint ?? String(email.prefix { $0 != "@" }), db: db)
        let first = clipped(identity.firstName) ?? clipped(identity.usernameHint) ?? username
        let name = AccountFields.PersonName(first: first, last: clipped(identity.lastName) ?? "")
        do {
            let userID = try AccountCreation.create(
                .init(
                    username: username, email: email, passwordHash: AccountCreation.ssoOnlyPasswordHash, name: name,
                    authMethod: identity.provider.rawValue + "_sso", ssoProvider: identity.provider.rawValue,
                    externalID: identity.subject),
                db: db)
            Log.info(
                "sso_user_created",
                [
                    "category": "security", "user_id": .int(userID), "provider": .string(identity.provider.rawValue),
                ])
            return userID
        } catch StoreError.duplicate {
            // A parallel sign-in of the same person (or the same name) won the race.
            throw APIError(409, "The account was just created by another request; sign in again")
        }
    }

    /// A name part cut to the column's length; nil when empty.
    private static func clipped(_ text: String?) -> String? {
        guard let text = text?.trimmingCharacters(in: .whitespacesAndNewlines), !text.isEmpty else { return nil }
        return String(text.prefix(AccountFields.namePartMaximumLength))
    }

    /// `hint` made a valid username (letters, digits, `.`, `_`, `-`), with a number added
    /// when it is taken. One query for all the names starting the same way.
    static func freeUsername(_ hint: String, db: Connection) throws -> String {
        var base = String(
            String.UnicodeScalarView(
                hint.unicodeScalars.filter {
                    $0.isASCII
                        && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || "._-".unicodeScalars.contains($0))
                }
            ).prefix(40))
        if base.count < AccountFields.usernameLength.lowerBound { base = "user" + base }
        let pattern = base.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "_", with: "\\_")
            .replacingOccurrences(of: "%", with: "\\%")
        let taken = Set(
            try db.query("SELECT username FROM users WHERE username LIKE ?", [.text(pattern + "%")]).compactMap {
                $0.string("username")?.lowercased()
            })
        if !taken.contains(base.lowercased()) { return base }
        for number in 2...9999 where !taken.contains("\(base)\(number)".lowercased()) {
            return "\(base)\(number)"
        }
        return base + SecureRandom.hex(4)
    }
}
