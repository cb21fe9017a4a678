import Foundation

extension Context {
    /// The signed-in user, or 401. One indexed query checks that the user still exists and
    /// is active, that the token's epoch is current (password change, account events), that
    /// it was issued to this account and not an earlier holder of the id (the nonce), and
    /// that this token was not revoked (logout).
    public func requireUser() throws -> AuthenticatedUser {
        if let cachedUser { return cachedUser }
        let claims = try verifiedClaims()
        // The same statement resolves the active patient (`ActivePatient`). The hot reads
        // skip it: they prove the token in their own statement (`caller()`, `Caller`).
        guard
            let row = try db.queryOne(
                Context.tokenCheck, ActivePatient.binds(user: claims.subject) + Caller.standingBinds(claims))
        else { throw APIError.unauthorized }
        let user = AuthenticatedUser(
            id: claims.subject, username: row.string("username") ?? "", role: row.string("role") ?? "user",
            tokenID: claims.tokenID, tokenExpiresAt: claims.expiresAt, profile: row,
            activePatientID: ActivePatient.id(in: row))
        cachedUser = user
        return user
    }

    /// The caller of a read that checks the token's standing in its own statement
    /// (`Caller.proof`) instead of a statement of its own before it; `requireUser()`'s
    /// user, without a proof, when this request has checked the token already.
    public func caller() throws -> Caller {
        if let cachedUser { return Caller(id: cachedUser.id, claims: nil) }
        let claims = try verifiedClaims()
        return Caller(id: claims.subject, claims: claims)
    }

    /// The bearer token's claims once its signature and expiry hold (no statement: a
    /// token verified before is remembered per thread until it expires); 401 otherwise.
    private func verifiedClaims() throws -> TokenClaims {
        guard let token = bearerToken() else { throw APIError.unauthorized }
        let now = Int64(time(nil))
        if let known = services.verifiedTokens[token] {
            guard now < known.expiresAt else { throw APIError.unauthorized }
            return known
        }
        let claims: TokenClaims
        do {
            claims = try services.shared.tokenSigner.verify(token, now: now)
        } catch {
            throw APIError.unauthorized
        }
        if services.verifiedTokens.count >= Services.verifiedTokenCapacity { services.verifiedTokens.removeAll() }
        services.verifiedTokens[token] = claims
        return claims
    }

    /// The token check's statement, built once (it runs on every authenticated request).
    static let tokenCheck = """
        SELECT \(Context.profileColumns), \(ActivePatient.columns)
        FROM users u WHERE \(Caller.standing(user: "u"))
        """

    /// The `users` columns loaded with every token check (the profile `/users/me` shows).
    static let profileColumns = UserJSON.columns.split(separator: ",").map {
        "u." + $0.trimmingCharacters(in: .whitespaces)
    }
    .joined(separator: ", ")

    /// 403 unless the signed-in user is an admin.
    public func requireAdmin() throws -> AuthenticatedUser {
        let user = try requireUser()
        guard user.isAdmin else { throw APIError.forbidden("Admin privileges required") }
        return user
    }

    /// The token from `Authorization: Bearer …`, else from the `access_token` cookie that
    /// login sets (HttpOnly, SameSite=Strict) for browser clients.
    ///
    /// Read as bytes: it runs on every authenticated request, and Foundation's trimming
    /// goes through UTF-16 (it was a tenth of `/users/me`'s CPU).
    func bearerToken() -> String? {
        if let header = request.headers["authorization"] {
            let bytes = header.utf8
            guard bytes.count > 7, let space = bytes.firstIndex(where: Self.isBlank),
                bytes[..<space].elementsEqual("bearer".utf8, by: { $0 | 0x20 == $1 })
            else { return nil }
            let token = Self.trimmed(bytes[space...])
            return token.isEmpty ? nil : String(decoding: token, as: UTF8.self)
        }
        guard let cookies = request.headers["cookie"] else { return queryToken() }
        for cookie in cookies.utf8.split(separator: UInt8(ascii: ";")) {
            let pair = Self.trimmed(cookie)
            if pair.starts(with: "access_token=".utf8) {
                return String(decoding: pair.dropFirst("access_token=".utf8.count), as: UTF8.self)
            }
        }
        return queryToken()
    }

    /// `?token=` on the few routes that allow it (`acceptsQueryToken`): a file opened in
    /// a new browser tab carries no Authorization header (upstream's `/view`). nginx logs
    /// paths without their query, so the token is not written to the access log.
    private func queryToken() -> String? {
        guard acceptsQueryToken, let token = request.query["token"], !token.isEmpty else { return nil }
        return token
    }

    private static func isBlank(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x09 }

    private static func trimmed(_ bytes: Substring.UTF8View.SubSequence) -> Substring.UTF8View.SubSequence {
        var slice = bytes
        while let first = slice.first, isBlank(first) { slice = slice.dropFirst() }
        while let last = slice.last, isBlank(last) { slice = slice.dropLast() }
        return slice
    }
}
