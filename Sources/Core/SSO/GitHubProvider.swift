/// GitHub: plain OAuth2 (no ID token), so the identity comes from its API with the
/// access token: `/user` for the id and login, `/user/emails` for an address GitHub has
/// verified. The state (single-use) and PKCE protect the exchange.
enum GitHubProvider {
    static func authorizationURL(_ settings: SSOSettings, state: String, challenge: String) -> String {
        FormEncoding.url(
            settings.githubOAuthURL + "/login/oauth/authorize",
            [
                ("client_id", settings.clientID), ("redirect_uri", settings.redirectURI),
                ("scope", settings.effectiveScopes), ("state", state), ("code_challenge", challenge),
                ("code_challenge_method", "S256"), ("allow_signup", "false"),
            ])
    }

    static func identity(_ settings: SSOSettings, code: String, verifier: String) throws -> SSOIdentity {
        let answer = try OIDCProvider.send(
            .urlEncoded(
                settings.githubOAuthURL + "/login/oauth/access_token",
                [
                    ("client_id", settings.clientID), ("client_secret", settings.clientSecret), ("code", code),
                    ("redirect_uri", settings.redirectURI), ("code_verifier", verifier),
                ],
                headers: [(name: "Accept", value: "application/json")], timeout: settings.timeout))
        // GitHub answers a bad code with 200 and an `error` field.
        guard answer.status == 200, let access = answer.jsonObject?["access_token"]?.stringValue else {
            let error = answer.jsonObject?["error"]?.stringValue ?? "status \(answer.status)"
            throw SSOFailure.refused("GitHub refused the code (\(error))")
        }
        let user = try api("/user", access, settings)
        guard let id = user["id"]?.intValue else { throw SSOFailure.unavailable("GitHub's /user has no id") }
        let emails = try apiList("/user/emails", access, settings).compactMap(\.objectValue)
        // Only an address GitHub verified; the primary one when it is verified.
        let verified = emails.filter { $0["verified"]?.boolValue == true }
        guard
            let email = (verified.first(where: { $0["primary"]?.boolValue == true }) ?? verified.first)?["email"]?
                .stringValue
        else {
            throw APIError(400, "The GitHub account has no verified e-mail address")
        }
        let name = user["name"]?.stringValue.map(AccountFields.split(fullName:))
        return SSOIdentity(
            provider: .github, subject: String(id), email: email, emailVerified: true, firstName: name?.first,
            lastName: name?.last, usernameHint: user["login"]?.stringValue)
    }

    /// The API reachable, for `/auth/sso/test-connection` (no token: the root answers anyone).
    static func testConnection(_ settings: SSOSettings) throws -> String {
        let answer = try OIDCProvider.send(
            OutboundRequest(url: settings.githubAPIURL + "/", headers: headers(nil), timeout: settings.timeout))
        guard answer.status == 200 else { throw SSOFailure.unavailable("GitHub API answered \(answer.status)") }
        return "Successfully connected to provider"
    }

    private static func headers(_ access: String?) -> [(name: String, value: String)] {
        var list = [(name: "Accept", value: "application/vnd.github+json")]
        if let access { list.append((name: "Authorization", value: "Bearer \(access)")) }
        return list
    }

    private static func get(_ path: String, _ access: String, _ settings: SSOSettings) throws -> JSON {
        let answer = try OIDCProvider.send(
            OutboundRequest(url: settings.githubAPIURL + path, headers: headers(access), timeout: settings.timeout))
        guard answer.status == 200, let json = try? JSON.parse(answer.body) else {
            throw SSOFailure.unavailable("GitHub \(path) answered \(answer.status)")
        }
        return json
    }

    private static func api(_ path: String, _ access: String, _ settings: SSOSettings) throws -> JSONObject {
        guard let object = try get(path, access, settings).objectValue else {
            throw SSOFailure.unavailable("GitHub \(path) is not an object")
        }
        return object
    }

    private static func apiList(_ path: String, _ access: String, _ settings: SSOSettings) throws -> [JSON] {
        guard let list = try get(path, access, settings).arrayValue else {
            throw SSOFailure.unavailable("GitHub \(path) is not a list")
        }
        return list
    }
}
