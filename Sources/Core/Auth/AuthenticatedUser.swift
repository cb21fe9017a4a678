/// The user a valid token belongs to, as loaded for this request.
public struct AuthenticatedUser: Sendable {
    public let id: Int64
    public let username: String
    public let role: String
    /// The token's `jti`, needed to revoke it on logout.
    public let tokenID: String
    public let tokenExpiresAt: Int64

    public init(id: Int64, username: String, role: String, tokenID: String, tokenExpiresAt: Int64) {
        self.id = id
        self.username = username
        self.role = role
        self.tokenID = tokenID
        self.tokenExpiresAt = tokenExpiresAt
    }

    public var isAdmin: Bool { role == "admin" }
}
