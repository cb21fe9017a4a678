/// The caller of a read that proves the token in its own statement: one round trip to
/// the database instead of two (the token check, then the read), where each round trip
/// costs the worker a sleep and a wake-up.
///
/// `id` comes from the token's verified signature. Whether the token still stands in the
/// database (the user exists and is active, the epoch and account nonce are current, the
/// token is not revoked) is `proof`: a condition the read adds to its WHERE, evaluated
/// once per statement. A read that returns rows was authorized by that same statement;
/// one that returns none must call `requireUser()`, which answers 401 for a token that
/// no longer stands, before it answers anything else (an empty list, a 404).
public struct Caller {
    public let id: Int64
    /// The unchecked token's claims; nil when this request has checked the token already.
    let claims: TokenClaims?

    /// `EXISTS (…)` over the token's standing with its binds; nil when the token was
    /// checked already in this request (nothing left to prove).
    public var proof: (sql: String, binds: [SQLValue])? {
        guard let claims else { return nil }
        return (Caller.proofSQL, Caller.standingBinds(claims))
    }

    /// The caller's active patient (`ActivePatient`) as one scalar subquery, for a list
    /// of the active patient's records that proves the token (`proof`) in the same
    /// statement; nil when the token was checked already (the active patient is then
    /// known: `AuthenticatedUser.activePatientID`).
    var provenActivePatient: (sql: String, binds: [SQLValue])? {
        guard claims != nil else { return nil }
        return (Caller.activePatientSQL, PatientAccess.binds(user: id) + [.int(id)])
    }

    /// The SQL of `proof` and `provenActivePatient`, built once (they run on every read).
    static let proofSQL = "EXISTS (SELECT 1 FROM users mk_u WHERE \(provenStanding))"
    static let activePatientSQL: String = {
        let choice = ActivePatient.subqueries(users: "mk_u")
        return "(SELECT COALESCE(\(choice.stored), \(choice.fallback)) FROM users mk_u WHERE mk_u.id = ?)"
    }()

    /// The user's profile columns (`UserJSON.columns`) if the token stands, read by the
    /// statement that checks it; nil when the token was checked already in this request.
    /// Throws 401 when it does not stand.
    func provenProfile(db: Connection) throws -> Row? {
        guard let claims else { return nil }
        guard
            let row = try db.queryOne(Caller.profileCheck, Caller.standingBinds(claims))
        else { throw APIError.unauthorized }
        return row
    }

    static let profileCheck = "SELECT \(Context.profileColumns) FROM users u WHERE \(standing(user: "u"))"

    /// The token's standing over `users <user>`; binds `standingBinds`.
    static func standing(user: String) -> String {
        """
        \(user).id = ? AND \(user).token_epoch = ? AND \(user).account_nonce = ? AND \(user).is_active = 1
          AND NOT EXISTS (SELECT 1 FROM revoked_tokens \(user)_rt WHERE \(user)_rt.token_id = ?)
        """
    }

    static let provenStanding = standing(user: "mk_u")

    static func standingBinds(_ claims: TokenClaims) -> [SQLValue] {
        [.int(claims.subject), .int(claims.epoch), .text(claims.accountNonce), .text(claims.tokenID)]
    }
}

extension Context {
    /// The patient a read names with `?patient_id=`, else the caller's active one, as a
    /// condition on `column` for the read's own statement: access-checked, and carrying
    /// the token's proof while this request has not checked the token. nil when the token
    /// was checked and the caller has no patient to read.
    func requestedPatient(column: String, caller: Caller) throws -> (sql: String, binds: [SQLValue])? {
        if let named = try QueryValues.id(query, "patient_id") {
            let access = PatientAccess.condition(patientColumn: column, user: caller.id, level: .view)
            var condition = ("\(column) = ? AND \(access.sql)", [SQLValue.int(named)] + access.binds)
            if let proof = caller.proof {
                condition.0 += " AND " + proof.sql
                condition.1 += proof.binds
            }
            return condition
        }
        if let active = caller.provenActivePatient, let proof = caller.proof {
            return ("\(column) = \(active.sql) AND \(proof.sql)", active.binds + proof.binds)
        }
        guard let id = try ActivePatient.resolve(for: try requireUser(), db: db) else { return nil }
        return ("\(column) = ?", [.int(id)])
    }
}
