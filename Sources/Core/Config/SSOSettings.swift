import Foundation

/// The `sso_*` configuration keys: single sign-on with one identity provider. Off by
/// default; local password sign-in keeps working whether it is on or off, so turning it
/// off never locks out a local administrator.
public struct SSOSettings: Sendable {
    /// The kinds of provider. Keycloak, Authentik and Authelia are OpenID Connect
    /// providers found by discovery; the names exist so the front end can show them.
    public enum ProviderType: String, Sendable, CaseIterable {
        case oidc, google, github, keycloak, authentik, authelia

        /// True for every provider that issues ID tokens (all but GitHub).
        public var isOpenIDConnect: Bool { self != .github }
    }

    public var enabled = false
    public var providerType: ProviderType = .oidc
    public var clientID = ""
    /// Sent only to the provider's token endpoint; never returned, never logged.
    public var clientSecret = ""
    /// The OpenID Connect issuer; discovery is `<issuer>/.well-known/openid-configuration`.
    /// Google's is the default for `google`.
    public var issuerURL = ""
    /// Where the provider sends the browser back: the front end's callback page, which
    /// posts `code` and `state` to `/auth/sso/callback`.
    public var redirectURI = ""
    /// Empty: `openid email profile` (OIDC) or `read:user user:email` (GitHub).
    public var scopes = ""
    /// GitHub's OAuth and API bases (changed only to point at a test double).
    public var githubOAuthURL = "https://github.com"
    public var githubAPIURL = "https://api.github.com"
    /// Seconds one outbound call to the provider may take.
    public var timeout: Double = 10

    public init() {}

    public static let keys = [
        "sso_enabled", "sso_provider_type", "sso_client_id", "sso_client_secret", "sso_issuer_url",
        "sso_redirect_uri", "sso_scopes", "sso_github_oauth_url", "sso_github_api_url", "sso_timeout",
    ]

    /// The scopes asked for.
    public var effectiveScopes: String {
        if !scopes.isEmpty { return scopes }
        return providerType == .github ? "read:user user:email" : "openid email profile"
    }

    /// The issuer, with Google's filled in.
    public var effectiveIssuer: String {
        if issuerURL.isEmpty && providerType == .google { return "https://accounts.google.com" }
        return issuerURL
    }

    /// The `iss` values an ID token may carry, given the issuer discovery reported.
    public func acceptedIssuers(discovered: String) -> [String] {
        guard providerType == .google, discovered == "https://accounts.google.com" else { return [discovered] }
        return [discovered, "accounts.google.com"]
    }

    mutating func apply(key: String, value: String) throws(ConfigError) {
        switch key {
        case "sso_enabled": enabled = try Config.bool(key, value)
        case "sso_provider_type":
            guard let type = ProviderType(rawValue: value.lowercased()) else {
                let names = ProviderType.allCases.map(\.rawValue).joined(separator: ", ")
                throw ConfigError(key: key, message: "must be one of \(names) (got \(value))")
            }
            providerType = type
        case "sso_client_id": clientID = value
        case "sso_client_secret": clientSecret = value
        case "sso_issuer_url": issuerURL = value.hasSuffix("/") ? String(value.dropLast()) : value
        case "sso_redirect_uri": redirectURI = value
        case "sso_scopes": scopes = value
        case "sso_github_oauth_url": githubOAuthURL = value.hasSuffix("/") ? String(value.dropLast()) : value
        case "sso_github_api_url": githubAPIURL = value.hasSuffix("/") ? String(value.dropLast()) : value
        case "sso_timeout": timeout = try Config.seconds(key, value)
        default: throw ConfigError(key: key, message: "unknown configuration key")
        }
    }

    /// When SSO is on, everything it needs must be there, and every provider URL must be
    /// https (plain http only to this machine's loopback, for a provider on the same host).
    /// Google's ID tokens may name their issuer without the scheme (its documentation
    /// allows both spellings); `acceptedIssuers` says so.
    func validate() throws(ConfigError) {
        guard enabled else { return }
        if clientID.isEmpty { throw ConfigError(key: "sso_client_id", message: "is required when sso_enabled") }
        if clientSecret.isEmpty {
            throw ConfigError(key: "sso_client_secret", message: "is required when sso_enabled")
        }
        if redirectURI.isEmpty {
            throw ConfigError(key: "sso_redirect_uri", message: "is required when sso_enabled")
        }
        // The redirect URI is where the browser goes, not a call of ours: http is allowed
        // (a front end on the LAN); the provider decides what it accepts.
        guard let redirect = URLComponents(string: redirectURI), ["http", "https"].contains(redirect.scheme ?? ""),
            redirect.host?.isEmpty == false
        else {
            throw ConfigError(key: "sso_redirect_uri", message: "must be an absolute http:// or https:// URL")
        }
        var urls: [(String, String)] = []
        if providerType.isOpenIDConnect {
            if effectiveIssuer.isEmpty {
                throw ConfigError(key: "sso_issuer_url", message: "is required for provider \(providerType.rawValue)")
            }
            urls.append(("sso_issuer_url", effectiveIssuer))
        } else {
            urls += [("sso_github_oauth_url", githubOAuthURL), ("sso_github_api_url", githubAPIURL)]
        }
        for (key, url) in urls where !Self.isAllowedURL(url) {
            throw ConfigError(key: key, message: "must be an https:// URL (http:// only to 127.0.0.1 or localhost)")
        }
    }

    /// https anywhere, http only to the loopback host: these URLs are called by the
    /// server, with the client secret or the person's tokens.
    public static func isAllowedURL(_ text: String) -> Bool {
        guard let url = URLComponents(string: text), let host = url.host, !host.isEmpty else { return false }
        switch url.scheme?.lowercased() {
        case "https": return true
        case "http": return ["127.0.0.1", "localhost", "[::1]", "::1"].contains(host.lowercased())
        default: return false
        }
    }
}
