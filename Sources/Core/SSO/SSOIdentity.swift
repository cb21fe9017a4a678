/// A person as the identity provider vouched for them, after every check passed.
struct SSOIdentity: Sendable {
    let provider: SSOSettings.ProviderType
    /// The provider's stable id of the person (`sub`, GitHub's numeric user id).
    let subject: String
    let email: String
    /// Whether the provider says it verified the address; linking to an existing
    /// account by e-mail requires it.
    let emailVerified: Bool
    let firstName: String?
    let lastName: String?
    /// What to base a new account's username on (`preferred_username`, GitHub login).
    let usernameHint: String?
}

/// A failed exchange with the provider, as the API answers it.
enum SSOFailure {
    /// The provider could not be reached or answered nonsense: 502.
    static func unavailable(_ what: String) -> APIError {
        Log.warning("sso_provider_unavailable", ["category": "security", "reason": .string(what)])
        return APIError(502, "Identity provider unavailable", detail: .string(what))
    }

    /// The sign-in itself is refused (bad code, forged or replayed token): 401. The
    /// reason is logged; the answer names it only in general terms.
    static func refused(_ reason: String) -> APIError {
        Log.warning("sso_signin_refused", ["category": "security", "reason": .string(reason)])
        return APIError(401, "SSO authentication failed", detail: .string(reason))
    }

    static var disabled: APIError { APIError(400, "SSO is not enabled") }
}
