/// What an access token says: whose it is, which token it is, and when it stops working.
///
/// In the token these are `sub` (the user id, as a decimal string as RFC 7519 wants),
/// `jti`, `iat`, `exp` (Unix seconds), `ver`, the user's token epoch, and `acn`, the
/// account's random nonce. The accounts code bumps a user's epoch on a password change,
/// which revokes every token issued before it; the nonce ties a token to one account, not
/// just to an id (an id reused after a restore starts at epoch 0 again).
public struct TokenClaims: Sendable, Equatable {
    /// The user id (`sub`).
    public var subject: Int64
    /// A unique token id (`jti`), 128 random bits in hex, so one token can be revoked.
    public var tokenID: String
    /// Issue time, Unix seconds (`iat`).
    public var issuedAt: Int64
    /// Expiry, Unix seconds (`exp`); the token is refused from this second on.
    public var expiresAt: Int64
    /// The user's token epoch when issued (`ver`).
    public var epoch: Int64
    /// The account's nonce (`acn`, `users.account_nonce`).
    public var accountNonce: String

    public init(
        subject: Int64, tokenID: String, issuedAt: Int64, expiresAt: Int64, epoch: Int64, accountNonce: String = ""
    ) {
        self.subject = subject
        self.tokenID = tokenID
        self.issuedAt = issuedAt
        self.expiresAt = expiresAt
        self.epoch = epoch
        self.accountNonce = accountNonce
    }

    /// Claims for a new token with a fresh random `jti`, valid for `lifetime` seconds.
    public static func issue(
        subject: Int64, epoch: Int64, accountNonce: String = "", now: Int64, lifetime: Int64
    ) -> TokenClaims {
        TokenClaims(
            subject: subject, tokenID: SecureRandom.hex(16), issuedAt: now,
            expiresAt: now + lifetime, epoch: epoch, accountNonce: accountNonce)
    }

    /// The JWT payload object.
    var json: JSON {
        [
            "sub": .string(String(subject)),
            "jti": .string(tokenID),
            "iat": .int(issuedAt),
            "exp": .int(expiresAt),
            "ver": .int(epoch),
            "acn": .string(accountNonce),
        ]
    }

    /// Reads the claims from a JWT payload; `nil` if any is missing or of the wrong type.
    init?(json: JSON) {
        guard case .object(let object) = json,
            let sub = object["sub"]?.stringValue, let subject = Int64(sub), String(subject) == sub,
            let tokenID = object["jti"]?.stringValue, !tokenID.isEmpty,
            let issuedAt = object["iat"]?.intValue,
            let expiresAt = object["exp"]?.intValue,
            let epoch = object["ver"]?.intValue,
            let accountNonce = object["acn"]?.stringValue
        else { return nil }
        self.init(
            subject: subject, tokenID: tokenID, issuedAt: issuedAt, expiresAt: expiresAt, epoch: epoch,
            accountNonce: accountNonce)
    }
}
