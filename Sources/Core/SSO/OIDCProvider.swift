import Foundation

/// OpenID Connect with discovery: generic providers, Keycloak, Authentik, Authelia and
/// Google. Authorization-code flow with PKCE; the ID token from the token endpoint is
/// verified against the provider's JWKS (`IDToken`).
enum OIDCProvider {
    /// The parts of `.well-known/openid-configuration` we use.
    struct Discovery: Sendable {
        let issuer: String
        let authorizationEndpoint: String
        let tokenEndpoint: String
        let jwksURI: String
        let userinfoEndpoint: String?
        /// Whether the token endpoint wants the client secret in the form rather than
        /// in HTTP Basic (the OAuth default).
        let secretInForm: Bool
    }

    /// Discovery documents and key sets, per process, for an hour: a sign-in then costs
    /// one outbound call (the code exchange) instead of three. A token naming a key we
    /// do not know makes us fetch the key set again once (the provider rotated keys).
    static let cache = ProviderCache()
    static let cacheSeconds: Double = 3600

    static func discovery(_ settings: SSOSettings) throws -> Discovery {
        let issuer = settings.effectiveIssuer
        if let cached = cache.discovery(issuer, maxAge: cacheSeconds) { return cached }
        let document = try fetchJSON(issuer + "/.well-known/openid-configuration", settings)
        guard let reportedIssuer = document["issuer"]?.stringValue,
            let authorization = document["authorization_endpoint"]?.stringValue,
            let token = document["token_endpoint"]?.stringValue,
            let jwks = document["jwks_uri"]?.stringValue
        else { throw SSOFailure.unavailable("discovery document lacks issuer or endpoints") }
        // OIDC Discovery §4.3: the document must be for the issuer we asked about,
        // or a provider could pose as another.
        guard reportedIssuer == issuer || reportedIssuer == issuer + "/" else {
            throw SSOFailure.unavailable("discovery names issuer \(reportedIssuer), expected \(issuer)")
        }
        for url in [authorization, token, jwks] where !SSOSettings.isAllowedURL(url) {
            throw SSOFailure.unavailable("discovery endpoint \(url) is not https")
        }
        let methods = document["token_endpoint_auth_methods_supported"]?.arrayValue?.compactMap(\.stringValue)
        let discovered = Discovery(
            issuer: reportedIssuer, authorizationEndpoint: authorization, tokenEndpoint: token, jwksURI: jwks,
            userinfoEndpoint: document["userinfo_endpoint"]?.stringValue,
            secretInForm: methods.map { !$0.contains("client_secret_basic") && $0.contains("client_secret_post") }
                ?? false)
        cache.store(discovered, for: issuer)
        return discovered
    }

    static func keys(_ discovery: Discovery, _ settings: SSOSettings, refresh: Bool = false) throws -> JWKSet {
        if !refresh, let cached = cache.keys(discovery.jwksURI, maxAge: cacheSeconds) { return cached }
        guard let set = JWKSet(json: try fetchJSON(discovery.jwksURI, settings)) else {
            throw SSOFailure.unavailable("the JWKS document has no key list")
        }
        cache.store(set, for: discovery.jwksURI)
        return set
    }

    static func authorizationURL(_ settings: SSOSettings, state: String, nonce: String, challenge: String) throws
        -> String
    {
        var fields = [
            ("response_type", "code"), ("client_id", settings.clientID), ("redirect_uri", settings.redirectURI),
            ("scope", settings.effectiveScopes), ("state", state), ("nonce", nonce),
            ("code_challenge", challenge), ("code_challenge_method", "S256"),
        ]
        if settings.providerType == .google { fields.append(("prompt", "select_account")) }
        return FormEncoding.url(try discovery(settings).authorizationEndpoint, fields)
    }

    /// Exchanges `code` and verifies the ID token; the identity it vouches for.
    static func identity(_ settings: SSOSettings, code: String, verifier: String, nonce: String) throws
        -> SSOIdentity
    {
        let discovery = try discovery(settings)
        var fields = [
            ("grant_type", "authorization_code"), ("code", code), ("redirect_uri", settings.redirectURI),
            ("client_id", settings.clientID), ("code_verifier", verifier),
        ]
        var headers = [(name: "Accept", value: "application/json")]
        if discovery.secretInForm {
            fields.append(("client_secret", settings.clientSecret))
        } else {
            headers.append(basicAuthorization(settings))
        }
        let answer = try send(.urlEncoded(discovery.tokenEndpoint, fields, headers: headers, timeout: settings.timeout))
        guard answer.status == 200 else {
            let error = answer.jsonObject?["error"]?.stringValue ?? "status \(answer.status)"
            throw SSOFailure.refused("the token endpoint refused the code (\(error))")
        }
        guard let tokens = answer.jsonObject, let idToken = tokens["id_token"]?.stringValue else {
            throw SSOFailure.refused("the token endpoint returned no id_token")
        }
        let claims = try verified(idToken, discovery, settings, nonce: nonce)
        var details = claims
        if details["email"]?.stringValue == nil, let userinfo = discovery.userinfoEndpoint,
            let access = tokens["access_token"]?.stringValue
        {
            details = try userInfo(userinfo, access: access, subject: claims["sub"]?.stringValue, settings)
        }
        guard let subject = claims["sub"]?.stringValue, let email = details["email"]?.stringValue, !email.isEmpty
        else { throw APIError(400, "The identity provider did not share an e-mail address") }
        let verifiedFlag = details["email_verified"]
        return SSOIdentity(
            provider: settings.providerType, subject: subject, email: email,
            emailVerified: verifiedFlag?.boolValue ?? (verifiedFlag?.stringValue == "true"),
            firstName: details["given_name"]?.stringValue, lastName: details["family_name"]?.stringValue,
            usernameHint: details["preferred_username"]?.stringValue ?? details["nickname"]?.stringValue)
    }

    /// The claims of a verified ID token; a key the cached set lacks triggers one refetch.
    private static func verified(_ token: String, _ discovery: Discovery, _ settings: SSOSettings, nonce: String)
        throws -> JSONObject
    {
        let expect = IDTokenExpectations(
            issuers: settings.acceptedIssuers(discovered: discovery.issuer), clientID: settings.clientID, nonce: nonce,
            now: Int64(Date().timeIntervalSince1970))
        let cached = try keys(discovery, settings)
        var result = Result { () throws(IDTokenError) in try IDToken.verify(token, keys: cached, expect: expect) }
        if case .failure(.unknownKey) = result {
            let fresh = try keys(discovery, settings, refresh: true)
            result = Result { () throws(IDTokenError) in try IDToken.verify(token, keys: fresh, expect: expect) }
        }
        switch result {
        case .success(let claims): return claims
        case .failure(let error): throw SSOFailure.refused("ID token refused: \(error)")
        }
    }

    /// The userinfo claims for `access`; refused unless they are about the token's subject.
    private static func userInfo(_ url: String, access: String, subject: String?, _ settings: SSOSettings) throws
        -> JSONObject
    {
        let answer = try send(
            OutboundRequest(
                url: url, headers: [(name: "Authorization", value: "Bearer \(access)")], timeout: settings.timeout))
        guard answer.status == 200, let claims = answer.jsonObject else {
            throw SSOFailure.unavailable("userinfo answered \(answer.status)")
        }
        guard claims["sub"]?.stringValue == subject else {
            throw SSOFailure.refused("userinfo is about another subject")
        }
        return claims
    }

    /// Discovery reachable and the key set loads, for `/auth/sso/test-connection`.
    static func testConnection(_ settings: SSOSettings) throws -> String {
        cache.forget()
        let discovery = try discovery(settings)
        let keys = try keys(discovery, settings)
        guard !keys.keys.isEmpty else { throw SSOFailure.unavailable("the JWKS has no RS256 or ES256 signing key") }
        return "Successfully connected to provider (\(keys.keys.count) signing key(s))"
    }

    /// RFC 6749 §2.3.1: id and secret form-encoded, then Basic.
    static func basicAuthorization(_ settings: SSOSettings) -> (name: String, value: String) {
        let pair = FormEncoding.escape(settings.clientID) + ":" + FormEncoding.escape(settings.clientSecret)
        return (name: "Authorization", value: "Basic " + Data(pair.utf8).base64EncodedString())
    }

    static func fetchJSON(_ url: String, _ settings: SSOSettings) throws -> JSONObject {
        let answer = try send(
            OutboundRequest(url: url, headers: [(name: "Accept", value: "application/json")], timeout: settings.timeout)
        )
        guard answer.status == 200, let object = answer.jsonObject else {
            throw SSOFailure.unavailable("\(url) answered \(answer.status)")
        }
        return object
    }

    /// One outbound call; a transport failure is the provider being unavailable.
    static func send(_ request: OutboundRequest) throws -> OutboundResponse {
        do {
            return try HTTPClient.send(request)
        } catch {
            throw SSOFailure.unavailable(error.message)
        }
    }
}

/// Discovery documents and key sets shared by a process's threads.
final class ProviderCache: @unchecked Sendable {
    // @unchecked: every access goes through `lock`.
    private let lock = NSLock()
    private var discoveries: [String: (Date, OIDCProvider.Discovery)] = [:]
    private var keySets: [String: (Date, JWKSet)] = [:]

    func discovery(_ issuer: String, maxAge: Double) -> OIDCProvider.Discovery? {
        lock.withLock { discoveries[issuer].flatMap { -$0.0.timeIntervalSinceNow < maxAge ? $0.1 : nil } }
    }

    func keys(_ uri: String, maxAge: Double) -> JWKSet? {
        lock.withLock { keySets[uri].flatMap { -$0.0.timeIntervalSinceNow < maxAge ? $0.1 : nil } }
    }

    func store(_ discovery: OIDCProvider.Discovery, for issuer: String) {
        lock.withLock { discoveries[issuer] = (Date(), discovery) }
    }

    func store(_ keys: JWKSet, for uri: String) {
        lock.withLock { keySets[uri] = (Date(), keys) }
    }

    func forget() {
        lock.withLock {
            discoveries = [:]
            keySets = [:]
        }
    }
}
