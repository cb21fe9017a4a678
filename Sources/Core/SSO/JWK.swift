import COpenSSL

/// The signature algorithms an ID token may use. Pinned: `none`, the HMAC family (which
/// would let anyone holding the client secret — or a confused verifier using the public
/// key as an HMAC key — forge tokens) and everything else are refused.
enum JWSAlgorithm: String, Sendable {
    case rs256 = "RS256"
    case es256 = "ES256"
}

/// A public signing key from a provider's JWKS (RFC 7517), as an OpenSSL key.
final class JWK: @unchecked Sendable {
    // @unchecked: the EVP_PKEY is never mutated after construction, and OpenSSL 3 allows
    // concurrent verification with one key.
    let keyID: String?
    let algorithm: JWSAlgorithm
    private let key: OpaquePointer

    /// RSA keys shorter than this are refused (RFC 7518 §3.3 asks for 2048 bits).
    static let minimumRSABytes = 256

    private init(keyID: String?, algorithm: JWSAlgorithm, key: OpaquePointer) {
        self.keyID = keyID
        self.algorithm = algorithm
        self.key = key
    }

    deinit { EVP_PKEY_free(key) }

    /// The key in `object`, or nil when it is not a signing key we can use: RSA (n, e)
    /// for RS256 or EC P-256 (x, y) for ES256. A key whose `alg` or `use` says it is for
    /// something else is skipped.
    static func parse(_ object: JSONObject) -> JWK? {
        if let use = object["use"]?.stringValue, use != "sig" { return nil }
        let keyID = object["kid"]?.stringValue
        let declared = object["alg"]?.stringValue
        switch object["kty"]?.stringValue {
        case "RSA":
            guard declared == nil || declared == JWSAlgorithm.rs256.rawValue,
                let n = bytes(object, "n"), let e = bytes(object, "e"), n.count >= minimumRSABytes, !e.isEmpty,
                let key = rsaKey(modulus: n, exponent: e)
            else { return nil }
            return JWK(keyID: keyID, algorithm: .rs256, key: key)
        case "EC":
            guard declared == nil || declared == JWSAlgorithm.es256.rawValue,
                object["crv"]?.stringValue == "P-256",
                let x = bytes(object, "x"), let y = bytes(object, "y"), x.count == 32, y.count == 32,
                let key = ecKey(point: [0x04] + x + y)
            else { return nil }
            return JWK(keyID: keyID, algorithm: .es256, key: key)
        default:
            return nil
        }
    }

    /// A base64url parameter. Padding is tolerated here (some providers pad their JWKS,
    /// against RFC 7517); token signatures stay strict, where re-spellings matter.
    private static func bytes(_ object: JSONObject, _ name: String) -> [UInt8]? {
        guard var text = object[name]?.stringValue else { return nil }
        while text.hasSuffix("=") { text.removeLast() }
        return Base64URL.decode(text)
    }

    /// True when `signature` is this key's valid signature over `message`. ES256's JWS
    /// signature is r‖s (32 bytes each); OpenSSL wants DER, so it is re-encoded.
    func verify(signature: [UInt8], message: ArraySlice<UInt8>) -> Bool {
        let der: [UInt8]
        switch algorithm {
        case .rs256: der = signature
        case .es256:
            guard signature.count == 64, let encoded = Self.derSignature(signature) else { return false }
            der = encoded
        }
        guard let context = EVP_MD_CTX_new() else { return false }
        defer { EVP_MD_CTX_free(context) }
        guard EVP_DigestVerifyInit(context, nil, EVP_sha256(), nil, key) == 1 else { return false }
        return der.withUnsafeBufferPointer { sig in
            message.withUnsafeBufferPointer { data in
                EVP_DigestVerify(context, sig.baseAddress, sig.count, data.baseAddress, data.count) == 1
            }
        }
    }

    private static func derSignature(_ raw: [UInt8]) -> [UInt8]? {
        guard let signature = ECDSA_SIG_new() else { return nil }
        defer { ECDSA_SIG_free(signature) }
        let r = BN_bin2bn(raw, 32, nil)
        let s = raw[32...].withUnsafeBufferPointer { BN_bin2bn($0.baseAddress, 32, nil) }
        guard let r, let s, ECDSA_SIG_set0(signature, r, s) == 1 else {
            BN_free(r)
            BN_free(s)
            return nil
        }
        let length = i2d_ECDSA_SIG(signature, nil)
        guard length > 0 else { return nil }
        var out = [UInt8](repeating: 0, count: Int(length))
        let written = out.withUnsafeMutableBufferPointer { buffer -> Int32 in
            var cursor: UnsafeMutablePointer<UInt8>? = buffer.baseAddress
            return i2d_ECDSA_SIG(signature, &cursor)
        }
        return written == length ? out : nil
    }

    private static func rsaKey(modulus: [UInt8], exponent: [UInt8]) -> OpaquePointer? {
        mk_rsa_public_key(modulus, modulus.count, exponent, exponent.count)
    }

    private static func ecKey(point: [UInt8]) -> OpaquePointer? {
        mk_p256_public_key(point, point.count)
    }
}

/// A provider's key set: the usable keys of its JWKS document.
struct JWKSet: Sendable {
    let keys: [JWK]

    init(keys: [JWK]) { self.keys = keys }

    /// The keys of a `{"keys": [...]}` document; nil when it is not one.
    init?(json: JSONObject) {
        guard let list = json["keys"]?.arrayValue else { return nil }
        keys = list.compactMap { $0.objectValue.flatMap(JWK.parse) }
    }

    /// The keys a token with header `kid` and `alg` may be verified with: the one with
    /// that id, or — when the token names none — every key of that algorithm.
    func candidates(keyID: String?, algorithm: JWSAlgorithm) -> [JWK] {
        keys.filter { $0.algorithm == algorithm && (keyID == nil || $0.keyID == keyID) }
    }
}
