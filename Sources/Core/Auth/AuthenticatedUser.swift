/// The user a valid token belongs to, as loaded for this request.
public struct AuthenticatedUser: Sendable {
    public let id: Int64
    public let username: String
    public let role: String
    /// The token's `jti`, needed to revoke it on logout.
    public let tokenID: String
    public let tokenExpiresAt: Int64
    /// The user's profile columns (`UserJSON.columns`), read by the same query that checked
    /// the token, so `/users/me` needs no second round trip.
    public let profile: Row?
    /// The active patient as resolved with the token check (`ActivePatient`), when it was.
    public let activePatientID: Int64?

    public init(
        id: Int64, username: String, role: String, tokenID: String, tokenExpiresAt: Int64, profile: Row? = nil,
        activePatientID: Int64? = nil
    ) {
        self.id = id
        self.username = username
        self.role = role
        self.tokenID = tokenID
        self.tokenExpiresAt = tokenExpiresAt
        self.profile = profile
        self.activePatientID = activePatientID
    }

    public var isAdmin: Bool { role == "admin" }
}
