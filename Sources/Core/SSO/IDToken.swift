/// Why an ID token was refused. Every case ends the sign-in with a 401; the cases are
/// for logs and tests.
enum IDTokenError: Error, Equatable, Sendable {
    case malformed
    /// `alg` is not RS256 or ES256 (`none`, HS256, …).
    case unsupportedAlgorithm
    /// No key of the provider's JWKS has the token's `kid` (and algorithm).
    case unknownKey
    case badSignature
    case wrongIssuer
    case wrongAudience
    case expired
    /// `iat` lies in the future beyond the allowed clock skew.
    case notYetValid
    case wrongNonce
    case missingSubject
}

/// What an ID token must say to be accepted.
struct IDTokenExpectations {
    /// The provider's `issuer`, exactly as discovery gave it (Google: also without scheme).
    let issuers: [String]
    /// Our client id: the token's `aud` must contain it (and `azp`, if present, be it).
    let clientID: String
    /// The nonce we sent with this sign-in's authorization request.
    let nonce: String
    /// Unix seconds.
    let now: Int64
    /// Clock skew tolerated between us and the provider.
    var leewaySeconds: Int64 = 60
}

/// Verifies OpenID Connect ID tokens (OIDC Core §3.1.3.7): signature against the
/// provider's keys with a pinned algorithm, then issuer, audience, expiry and nonce.
enum IDToken {
    static let maximumLength = 16_384

    /// The header's `kid`, so the caller can tell whether its cached JWKS knows the key
    /// before verifying (a provider rotating keys needs a fresh fetch).
    static func keyID(of token: String) -> String? {
        guard let header = try? parts(token).header else { return nil }
        return header["kid"]?.stringValue
    }

    /// The verified claims of `token`.
    static func verify(_ token: String, keys: JWKSet, expect: IDTokenExpectations) throws(IDTokenError) -> JSONObject {
        let (header, signed, payload, signature) = try parts(token)
        guard let name = header["alg"]?.stringValue, let algorithm = JWSAlgorithm(rawValue: name) else {
            throw .unsupportedAlgorithm
        }
        // `crit` names extensions the verifier must understand; we understand none.
        if header.contains("crit") { throw .malformed }
        let candidates = keys.candidates(keyID: header["kid"]?.stringValue, algorithm: algorithm)
        guard !candidates.isEmpty else { throw .unknownKey }
        guard candidates.contains(where: { $0.verify(signature: signature, message: signed) }) else {
            throw .badSignature
        }
        guard let claims = (try? JSON.parse(payload))?.objectValue else { throw .malformed }
        guard let issuer = claims["iss"]?.stringValue, expect.issuers.contains(issuer) else { throw .wrongIssuer }
        let audiences: [String]
        switch claims["aud"] {
        case .string(let one)?: audiences = [one]
        case .array(let many)?: audiences = many.compactMap(\.stringValue)
        default: throw .wrongAudience
        }
        guard audiences.contains(expect.clientID) else { throw .wrongAudience }
        if let party = claims["azp"]?.stringValue, party != expect.clientID { throw .wrongAudience }
        guard audiences.count == 1 || claims["azp"] != nil else { throw .wrongAudience }
        guard let expires = claims["exp"]?.intValue else { throw .malformed }
        guard expires + expect.leewaySeconds > expect.now else { throw .expired }
        if let issued = claims["iat"]?.intValue, issued > expect.now + expect.leewaySeconds { throw .notYetValid }
        // Compared as provided: the nonce is ours, random, and single-use with its state.
        guard let nonce = claims["nonce"]?.stringValue, nonce == expect.nonce else { throw .wrongNonce }
        guard let subject = claims["sub"]?.stringValue, !subject.isEmpty else { throw .missingSubject }
        return claims
    }

    /// Splits and decodes the compact serialisation `header.payload.signature`.
    private static func parts(_ token: String) throws(IDTokenError) -> (
        header: JSONObject, signed: ArraySlice<UInt8>, payload: [UInt8], signature: [UInt8]
    ) {
        guard token.utf8.count <= maximumLength else { throw .malformed }
        let bytes = Array(token.utf8)
        let dots = bytes.indices.filter { bytes[$0] == UInt8(ascii: ".") }
        guard dots.count == 2 else { throw .malformed }
        guard let header = Base64URL.decode(bytes[..<dots[0]]).flatMap({ try? JSON.parse($0) })?.objectValue,
            let payload = Base64URL.decode(bytes[(dots[0] + 1)..<dots[1]]),
            let signature = Base64URL.decode(bytes[(dots[1] + 1)...])
        else { throw .malformed }
        return (header, bytes[..<dots[1]], payload, signature)
    }
}
