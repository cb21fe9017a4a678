import Testing

@testable import Core

@Suite struct AuthJWTTests {
    let signer = JWTSigner(key: SecureRandom.bytes(32))
    let now: Int64 = 1_700_000_000
    var claims: TokenClaims {
        TokenClaims(subject: 42, tokenID: SecureRandom.hex(16), issuedAt: now, expiresAt: now + 3600, epoch: 3)
    }

    /// A token with `header` as its JSON header, a valid payload, and `signature` bytes.
    func forged(header: String, signature: [UInt8] = SecureRandom.bytes(32)) -> String {
        let valid = signer.sign(claims).split(separator: ".")
        return Base64URL.encode(Array(header.utf8)) + "." + valid[1] + "." + Base64URL.encode(signature)
    }

    func expectError(_ error: JWTError, _ token: String, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(throws: error, "\(token)", sourceLocation: sourceLocation) { try signer.verify(token, now: now) }
    }

    @Test func roundTrip() throws {
        let original = claims
        let token = signer.sign(original)
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        #expect(parts.count == 3)
        #expect(Base64URL.decode(String(parts[0])) == Array(#"{"alg":"HS256","typ":"JWT"}"#.utf8))
        let payload = try JSON.parse(Base64URL.decode(String(parts[1]))!)
        #expect(payload["sub"] == "42")
        #expect(payload["ver"] == 3)
        #expect(!token.contains("=") && !token.contains("+") && !token.contains("/"))
        #expect(try signer.verify(token, now: now) == original)
        #expect(original.tokenID.count == 32)
    }

    @Test func issueMakesFreshTokenIDs() {
        let a = TokenClaims.issue(subject: 1, epoch: 0, now: now, lifetime: 60)
        let b = TokenClaims.issue(subject: 1, epoch: 0, now: now, lifetime: 60)
        #expect(a.tokenID != b.tokenID)
        #expect(a.expiresAt == now + 60)
    }

    @Test func expiry() throws {
        var c = claims
        c.expiresAt = now
        expectError(.expired, signer.sign(c))
        c.expiresAt = now + 1
        #expect(try signer.verify(signer.sign(c), now: now) == c)
    }

    @Test func tamperedPayload() {
        let parts = signer.sign(claims).split(separator: ".").map(String.init)
        var forgedClaims = claims
        forgedClaims.subject = 1
        let payload = Base64URL.encode(forgedClaims.json.serialized())
        expectError(.badSignature, parts[0] + "." + payload + "." + parts[2])
    }

    @Test func tamperedSignature() {
        let token = signer.sign(claims)
        var bytes = Array(token.utf8)
        let index = bytes.count - 10
        bytes[index] = bytes[index] == UInt8(ascii: "A") ? UInt8(ascii: "B") : UInt8(ascii: "A")
        expectError(.badSignature, String(decoding: bytes, as: UTF8.self))
        expectError(.badSignature, String(token.dropLast()))
        expectError(.badSignature, token + "A")
        // Same bits, other spelling: the last character's unused low bits set.
        var respelled = Array(token.utf8)
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)
        let last = alphabet.firstIndex(of: respelled[respelled.count - 1])!
        respelled[respelled.count - 1] = alphabet[last | 1]
        if last | 1 != last { expectError(.badSignature, String(decoding: respelled, as: UTF8.self)) }
    }

    @Test func otherKeyIsRefused() {
        let other = JWTSigner(key: SecureRandom.bytes(32))
        expectError(.badSignature, other.sign(claims))
    }

    @Test func algorithmIsPinned() {
        let valid = signer.sign(claims).split(separator: ".")
        let noneToken = Base64URL.encode(Array(#"{"alg":"none"}"#.utf8)) + "." + valid[1] + "."
        expectError(.unsupportedAlgorithm, noneToken)
        expectError(.unsupportedAlgorithm, forged(header: #"{"alg":"none","typ":"JWT"}"#, signature: []))
        expectError(.unsupportedAlgorithm, forged(header: #"{"alg":"HS512","typ":"JWT"}"#))
        expectError(.unsupportedAlgorithm, forged(header: #"{"alg":"HS384","typ":"JWT"}"#))
        expectError(.unsupportedAlgorithm, forged(header: #"{"alg":"RS256","typ":"JWT"}"#))
        expectError(.unsupportedAlgorithm, forged(header: #"{"alg":"hs256","typ":"JWT"}"#))
        expectError(.unsupportedAlgorithm, forged(header: #"{"typ":"JWT"}"#))
        expectError(.unsupportedAlgorithm, forged(header: #"{"alg":null}"#))
        // HS256 spelled differently is not a header we issue.
        expectError(.malformed, forged(header: #"{"typ":"JWT","alg":"HS256"}"#))
        expectError(.malformed, forged(header: #"{"alg":"HS256","typ":"JWT","kid":"x"}"#))
    }

    @Test func garbageIsMalformed() {
        let valid = signer.sign(claims)
        let parts = valid.split(separator: ".").map(String.init)
        for token in [
            "", ".", "..", "...", "abc", "a.b", "a.b.c.d", "not a token", valid + ".", "." + valid,
            "!!!." + parts[1] + "." + parts[2], forged(header: "[1]"), forged(header: "not json"),
            String(repeating: "A", count: 10_000),
        ] {
            expectError(.malformed, token)
        }
    }

    @Test func validlySignedBadPayloadIsMalformed() throws {
        let payloads = [
            "[1]", "\"x\"", "{}", "not json",
            #"{"sub":42,"jti":"a","iat":1,"exp":9999999999,"ver":0}"#,
            #"{"sub":"+42","jti":"a","iat":1,"exp":9999999999,"ver":0}"#,
            #"{"sub":"42","jti":"","iat":1,"exp":9999999999,"ver":0}"#,
            #"{"sub":"42","jti":"a","iat":1,"exp":"9999999999","ver":0}"#,
            #"{"sub":"42","jti":"a","iat":1,"exp":9999999999}"#,
            #"{"sub":"42","jti":"a","iat":1,"exp":9999999999,"ver":0}"#,  // no account nonce
        ]
        for payload in payloads {
            expectError(.malformed, signer.sign(payload: Array(payload.utf8)))
        }
        let ok = #"{"sub":"42","jti":"a","iat":1,"exp":9999999999,"ver":0,"acn":"n"}"#
        #expect(try signer.verify(signer.sign(payload: Array(ok.utf8)), now: now).subject == 42)
    }
}
