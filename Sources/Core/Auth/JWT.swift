import COpenSSL

/// Why a token was refused. The HTTP layer answers 401 for all of them; the cases exist
/// for logs and tests.
public enum JWTError: Error, Sendable, Equatable {
    /// Not three base64url parts, bad JSON, or missing/ill-typed claims.
    case malformed
    /// A header whose `alg` is anything but HS256 (including `none` and a missing `alg`).
    case unsupportedAlgorithm
    /// The HMAC does not match: forged, tampered, or signed with another key.
    case badSignature
    /// `exp` is now or in the past.
    case expired
}

/// Signs and verifies HS256 JSON Web Tokens (RFC 7519) with one server-held key.
///
/// The algorithm is pinned: tokens are issued with exactly the header
/// `{"alg":"HS256","typ":"JWT"}` and only that header is accepted, so `alg: none` and
/// algorithm-confusion attacks have nothing to work with. Verification runs on every
/// authenticated request, so it avoids Foundation and checks the cheap things first; the
/// payload is parsed only after its signature is known to be good.
public struct JWTSigner: Sendable {
    private let key: [UInt8]
    /// The base64url of the only header we issue or accept, encoded once.
    private let headerSegment: [UInt8]

    static let header: JSON = ["alg": "HS256", "typ": "JWT"]
    /// Upper bound on a token's length, so a hostile header costs no work. Ours are ~250.
    static let maximumLength = 4096
    static let macLength = 32

    /// `key` should be 32 random bytes (see `SecretStore`); RFC 7518 requires at least
    /// the hash size for HS256.
    public init(key: [UInt8]) {
        precondition(key.count >= 32, "JWT signing key must be at least 32 bytes")
        self.key = key
        var segment = [UInt8]()
        Base64URL.encode(Self.header.serialized(), into: &segment)
        headerSegment = segment
    }

    /// The compact serialisation `header.payload.signature`.
    public func sign(_ claims: TokenClaims) -> String {
        sign(payload: claims.json.serialized())
    }

    /// Signs arbitrary payload bytes under our header (tests use it to forge bad payloads
    /// with a valid signature).
    func sign(payload: [UInt8]) -> String {
        var token = headerSegment
        token.append(UInt8(ascii: "."))
        Base64URL.encode(payload, into: &token)
        let signature = mac(token[...])
        token.append(UInt8(ascii: "."))
        Base64URL.encode(signature, into: &token)
        return String(decoding: token, as: UTF8.self)
    }

    /// The claims of `token` if it is well formed, HS256, signed with this key and not
    /// expired at `now` (Unix seconds). Revocation (epoch, `jti`) is the caller's check.
    public func verify(_ token: String, now: Int64) throws(JWTError) -> TokenClaims {
        guard token.utf8.count <= Self.maximumLength else { throw .malformed }
        let bytes = Array(token.utf8)
        guard let firstDot = bytes.firstIndex(of: UInt8(ascii: ".")),
            let secondDot = bytes[(firstDot + 1)...].firstIndex(of: UInt8(ascii: ".")),
            !bytes[(secondDot + 1)...].contains(UInt8(ascii: "."))
        else { throw .malformed }

        let header = bytes[..<firstDot]
        if !header.elementsEqual(headerSegment) { throw Self.headerError(header) }

        guard let signature = Base64URL.decode(bytes[(secondDot + 1)...]), signature.count == Self.macLength
        else { throw .badSignature }
        let expected = mac(bytes[..<secondDot])
        let same = signature.withUnsafeBytes { a in
            expected.withUnsafeBytes { b in CRYPTO_memcmp(a.baseAddress, b.baseAddress, Self.macLength) }
        }
        guard same == 0 else { throw .badSignature }

        guard let payload = Base64URL.decode(bytes[(firstDot + 1)..<secondDot]),
            let json = try? JSON.parse(payload), let claims = TokenClaims(json: json)
        else { throw .malformed }
        guard claims.expiresAt > now else { throw .expired }
        return claims
    }

    /// Classifies a header that is not ours: another (or no) algorithm, or just garbage.
    private static func headerError(_ segment: ArraySlice<UInt8>) -> JWTError {
        guard let decoded = Base64URL.decode(segment), case .object(let object)? = try? JSON.parse(decoded)
        else { return .malformed }
        // A header naming HS256 in another spelling (extra fields, other order) is not
        // one we issued; refusing it keeps `crit`, `kid` and friends out of scope.
        return object["alg"]?.stringValue == "HS256" ? .malformed : .unsupportedAlgorithm
    }

    /// HMAC-SHA256 of `data` under the signing key.
    private func mac(_ data: ArraySlice<UInt8>) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var length: UInt32 = 0
        let result = data.withUnsafeBufferPointer { input in
            key.withUnsafeBufferPointer { key in
                HMAC(EVP_sha256(), key.baseAddress, Int32(key.count), input.baseAddress, input.count, &out, &length)
            }
        }
        guard result != nil, length == UInt32(Self.macLength) else { fatalError("HMAC-SHA256 failed") }
        out.removeLast(out.count - Self.macLength)
        return out
    }
}
