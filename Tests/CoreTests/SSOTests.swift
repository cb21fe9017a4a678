import Foundation
import Testing

@testable import Core

/// ID-token verification against fixed vectors: an RSA 2048 and a P-256 key (public
/// halves only) and tokens signed once with their private halves (by Tests/e2e/fake_idp.py).
/// Every token says iss https://idp.example, aud client-1, nonce n-123, exp 1800000300.
enum SSOVectors {
    static let jwks =
        #"{"keys": [{"kty": "RSA", "use": "sig", "alg": "RS256", "kid": "rsa-1", "n": "3aUk_DoFJ8UGyBQYEsP8i7tQ5auxdciAPPaA82pR9Jx5j2ChNwSPmuWFHICXpQQmS8INrq3fQDhSeEBhW9LQhG9qmSCoJo3hF04-aR7xKG4AdnKSDWI3s_2q6H_PQA2j2i6oUiIttLLHfIZxblSlTrdaI2ukJcjnZDMmjz_fROKH43dO4Ewy3-l-VmHIvGkpNUX-lBB2Nw6iYqhpAgStYJ8Kn_SNgg0AH3mAr4WOfl2iXTLvTGBkplw_YWKlLVu9F7z_8tNAMWo6fd1zGqVoVKWouW6Lc7T52aMARCw3JT4QpgLazlD-ZM6DEA0PmZYgtFeESnWfjArmPwHG9ab9zw", "e": "AQAB"}, {"kty": "EC", "use": "sig", "alg": "ES256", "kid": "ec-1", "crv": "P-256", "x": "PfYH4jnIJ0pFEjvJyi6Tp1LkvLZaa0K066PjGdzAG6c", "y": "xlmYClFue4rUKAjFrl8Jr0SlP0BJSqaOzpsvLVNv8VQ"}]}"#
    static let rs256 =
        "eyJhbGciOiAiUlMyNTYiLCAidHlwIjogIkpXVCIsICJraWQiOiAicnNhLTEifQ.eyJpc3MiOiAiaHR0cHM6Ly9pZHAuZXhhbXBsZSIsICJhdWQiOiAiY2xpZW50LTEiLCAic3ViIjogInVzZXItNDIiLCAibm9uY2UiOiAibi0xMjMiLCAiaWF0IjogMTgwMDAwMDAwMCwgImV4cCI6IDE4MDAwMDAzMDAsICJlbWFpbCI6ICJhQGV4YW1wbGUub3JnIn0.Xeg1dqw2xehIZOU_nc72RLpQXfC3QQuDNy2BJE3nWe_8YuTqy4rtIDc8MfqWZfxLMNF2SLWFJmLtJGpnZPVLqZ6YQgRtHzbv-emq7PpKbGl9_GHMO_0RaK26e8IsNLjba8QyzKOCIWmN9Uq7MNyJYyXRfbsRSkbBA6bYDrTQeeix3KxBMLLnACVN9nAA_W-vKQKEMUppCVrSN8DF6uMEtV7ZRS70cknqgV0ItCXl_lNTxU2FFtMxHI3yln9mX6_f0fTHDdW2CcRxWVj-0haUwRwRm3CEAc4ET4pomNkBQvvSThhLVZfpn90jnrFIS1FI4ejwjIzLBx4SuoN225ey2A"
    static let es256 =
        "eyJhbGciOiAiRVMyNTYiLCAidHlwIjogIkpXVCIsICJraWQiOiAiZWMtMSJ9.eyJpc3MiOiAiaHR0cHM6Ly9pZHAuZXhhbXBsZSIsICJhdWQiOiAiY2xpZW50LTEiLCAic3ViIjogInVzZXItNDIiLCAibm9uY2UiOiAibi0xMjMiLCAiaWF0IjogMTgwMDAwMDAwMCwgImV4cCI6IDE4MDAwMDAzMDAsICJlbWFpbCI6ICJhQGV4YW1wbGUub3JnIn0.859lJQqSo-1DEsTJe-uE5QF1mumDJrMq1vT49HlK20bBjq23C119qtlkZ_zGPmtWgNgtZw6wU96LSKsBAsUcHA"
    static let otherKey =
        "eyJhbGciOiAiUlMyNTYiLCAidHlwIjogIkpXVCIsICJraWQiOiAicnNhLTEifQ.eyJpc3MiOiAiaHR0cHM6Ly9pZHAuZXhhbXBsZSIsICJhdWQiOiAiY2xpZW50LTEiLCAic3ViIjogInVzZXItNDIiLCAibm9uY2UiOiAibi0xMjMiLCAiaWF0IjogMTgwMDAwMDAwMCwgImV4cCI6IDE4MDAwMDAzMDAsICJlbWFpbCI6ICJhQGV4YW1wbGUub3JnIn0.De2HmQ8h4GwdA_o4ewL6VI8yqUkiH0-_U9aPP2JNcoKmt4RZMbMjJxzlZIocBw9dLwq-XLNhLm1UBEDjVzUmy_95QVYUsE97K4OryYOBdocfH2sq0WhZdbMg7vbYNGptiKjdC8dkhh1J00Qv7vWDI8hS0V78aiQF8y6p4O8m5EUEPEm3mtYWzmcn1FpwmI-hnk1MjJBpJgkhobexxc4JUq6oyIa0m7yYZvgbDQ9_lb3NbfTaIpyU045cbxrPZ5wzm7HNJaVxbg1Z5jXOxW8qzEul6CtskF86sTEpz6DrjS-yyGNaL5Bkpz1O9fLRsze8YuIdiJQbL2WiLFGSwts6GQ"
    static let hs256Header =
        "eyJhbGciOiAiSFMyNTYiLCAia2lkIjogInJzYS0xIn0.eyJpc3MiOiAiaHR0cHM6Ly9pZHAuZXhhbXBsZSIsICJhdWQiOiAiY2xpZW50LTEiLCAic3ViIjogInVzZXItNDIiLCAibm9uY2UiOiAibi0xMjMiLCAiaWF0IjogMTgwMDAwMDAwMCwgImV4cCI6IDE4MDAwMDAzMDAsICJlbWFpbCI6ICJhQGV4YW1wbGUub3JnIn0.v4U22H7CnwJQBJnxU2rVL2jW6reys6S6gMMGVMiP4OsvKU7yOpMxt_b1SiAJsgW_L2ohoSI0OzHxmyn9v8rOAHreBNw4AUVJS0qRZwgVoBtVqsTIzcrTVoguiXpdrkqjKOcBEuJET1hzptxHvo4awLskPrX1wDdeLhDTjsHH1xnLM-nthAhlRuDbJKKRaNZSw7V7GyNI8_RpEGudXn4RLuIwidFtCSzGAk2cWDQjhiJDT3pYrB42y4HHqpTdHX5TuA0Flre4fTWxJU1AlZLxL_UpnpiqpTw-m1XrHZU-86bqpPNHGQhmAJyC7WFXOZQXfsxiyrb7dOY19KRO8xqe9Q"
    static let none =
        "eyJhbGciOiAibm9uZSJ9.eyJpc3MiOiAiaHR0cHM6Ly9pZHAuZXhhbXBsZSIsICJhdWQiOiAiY2xpZW50LTEiLCAic3ViIjogInVzZXItNDIiLCAibm9uY2UiOiAibi0xMjMiLCAiaWF0IjogMTgwMDAwMDAwMCwgImV4cCI6IDE4MDAwMDAzMDAsICJlbWFpbCI6ICJhQGV4YW1wbGUub3JnIn0."
}

@Suite struct SSOIDTokenTests {
    let keys = JWKSet(json: try! JSON.parse(SSOVectors.jwks).objectValue!)!
    func expect(
        issuer: String = "https://idp.example", clientID: String = "client-1", nonce: String = "n-123",
        now: Int64 = 1_800_000_100
    ) -> IDTokenExpectations {
        IDTokenExpectations(issuers: [issuer], clientID: clientID, nonce: nonce, now: now)
    }

    func refusal(_ token: String, _ expectations: IDTokenExpectations) -> IDTokenError? {
        do {
            _ = try IDToken.verify(token, keys: keys, expect: expectations)
            return nil
        } catch {
            return error
        }
    }

    @Test func bothKeysLoad() {
        #expect(keys.keys.map(\.algorithm) == [.rs256, .es256])
    }

    @Test func validTokensVerify() throws {
        for token in [SSOVectors.rs256, SSOVectors.es256] {
            let claims = try IDToken.verify(token, keys: keys, expect: expect())
            #expect(claims["sub"]?.stringValue == "user-42")
        }
    }

    @Test func forgedTokensAreRefused() {
        #expect(refusal(SSOVectors.otherKey, expect()) == .badSignature)
        #expect(refusal(SSOVectors.hs256Header, expect()) == .unsupportedAlgorithm)
        #expect(refusal(SSOVectors.none, expect()) == .unsupportedAlgorithm)
        #expect(refusal("a.b", expect()) == .malformed)
        // One flipped byte of the payload breaks the signature.
        var parts = SSOVectors.rs256.split(separator: ".").map(String.init)
        parts[1] = String(parts[1].dropLast()) + (parts[1].hasSuffix("A") ? "B" : "A")
        #expect(refusal(parts.joined(separator: "."), expect()) != nil)
    }

    @Test func claimsAreChecked() {
        #expect(refusal(SSOVectors.rs256, expect(issuer: "https://other.example")) == .wrongIssuer)
        #expect(refusal(SSOVectors.rs256, expect(clientID: "client-2")) == .wrongAudience)
        #expect(refusal(SSOVectors.rs256, expect(nonce: "n-999")) == .wrongNonce)
        #expect(refusal(SSOVectors.rs256, expect(now: 1_800_000_300 + 61)) == .expired)
        #expect(refusal(SSOVectors.rs256, expect(now: 1_800_000_300 + 59)) == nil)  // clock skew allowed
        #expect(refusal(SSOVectors.rs256, expect(now: 1_800_000_000 - 3600)) == .notYetValid)
    }

    @Test func keysOfAnotherKindOrUseAreSkipped() throws {
        let set = JWKSet(
            json: try JSON.parse(
                #"{"keys":[{"kty":"oct","k":"c2VjcmV0"},{"kty":"RSA","use":"enc","n":"AQAB","e":"AQAB"},{"kty":"RSA","n":"AQAB","e":"AQAB"}]}"#
            ).objectValue!)
        #expect(set?.keys.isEmpty == true)
    }
}

@Suite struct SSOReturnURLTests {
    let own = "https://medikeep.example/auth/sso/callback"

    @Test func ownPathsPass() {
        #expect(ReturnURL.validated("/dashboard", redirectURI: own) == "/dashboard")
        #expect(ReturnURL.validated("/a?b=c#d", redirectURI: own) == "/a?b=c#d")
        #expect(ReturnURL.validated("https://medikeep.example/records?x=1", redirectURI: own) == "/records?x=1")
    }

    @Test func otherHostsAndTricksAreRefused() {
        for url in [
            "https://evil.example/", "//evil.example/x", "/\\evil.example", "http://medikeep.example/x",
            "https://medikeep.example:8443/x", "https://user@medikeep.example/x", "javascript:alert(1)",
            "/x\r\nLocation: https://evil.example", "evil.example/x",
        ] {
            #expect(ReturnURL.validated(url, redirectURI: own) == nil, "\(url)")
        }
    }
}

@Suite struct SSOSettingsTests {
    func load(_ pairs: [String: String]) throws(ConfigError) -> Config {
        try Config.load(
            path: nil, environment: pairs.reduce(into: [:]) { $0["MEDIKEEP_" + $1.key.uppercased()] = $1.value })
    }

    @Test func offByDefault() throws {
        #expect(try load([:]).sso.enabled == false)
    }

    @Test func enabledNeedsItsKeys() {
        #expect(throws: ConfigError.self) { try load(["sso_enabled": "true"]) }
        #expect(throws: ConfigError.self) {
            try load([
                "sso_enabled": "true", "sso_client_id": "c", "sso_client_secret": "s",
                "sso_redirect_uri": "https://m.example/cb", "sso_issuer_url": "http://idp.example",
            ])
        }
        #expect(throws: ConfigError.self) {
            try load([
                "sso_enabled": "true", "sso_provider_type": "github", "sso_client_id": "c", "sso_client_secret": "s",
                "sso_redirect_uri": "javascript:alert(1)",
            ])
        }
    }

    @Test func googleHasItsIssuerAndLoopbackMayBeHTTP() throws {
        let google = try load([
            "sso_enabled": "true", "sso_provider_type": "google", "sso_client_id": "c", "sso_client_secret": "s",
            "sso_redirect_uri": "https://m.example/cb",
        ])
        #expect(google.sso.effectiveIssuer == "https://accounts.google.com")
        #expect(
            google.sso.acceptedIssuers(discovered: "https://accounts.google.com") == [
                "https://accounts.google.com", "accounts.google.com",
            ])
        let lan = try load([
            "sso_enabled": "true", "sso_provider_type": "github", "sso_client_id": "c", "sso_client_secret": "s",
            "sso_redirect_uri": "http://192.168.1.10/auth/sso/callback",
        ])
        #expect(lan.sso.acceptedIssuers(discovered: "https://x") == ["https://x"])
        let local = try load([
            "sso_enabled": "true", "sso_provider_type": "keycloak", "sso_client_id": "c", "sso_client_secret": "s",
            "sso_redirect_uri": "http://127.0.0.1:8080/cb", "sso_issuer_url": "http://127.0.0.1:8081/realms/x/",
        ])
        #expect(local.sso.effectiveIssuer == "http://127.0.0.1:8081/realms/x")
        #expect(local.sso.providerType.isOpenIDConnect)
    }
}

@Suite struct SSOStateStoreTests {
    @Test func aStateWorksOnceAndOnlyUntilItExpires() throws {
        let t = try TestApp()
        let db = t.services.db
        let started = try SSOStates.start(db: db, provider: "oidc", returnURL: "/x")
        // Only the digest is stored.
        #expect(try db.queryOne("SELECT 1 AS x FROM sso_states WHERE state_hash = ?", [.text(started.state)]) == nil)
        let consumed = try #require(try SSOStates.consume(db: db, state: started.state))
        #expect(consumed.nonce == started.nonce && consumed.returnURL == "/x" && consumed.provider == "oidc")
        #expect(Base64URL.encode(SSOStates.sha256(Array(consumed.codeVerifier.utf8))) == started.codeChallenge)
        #expect(try SSOStates.consume(db: db, state: started.state) == nil)

        let expired = try SSOStates.start(db: db, provider: "oidc", returnURL: nil)
        try db.execute(
            "UPDATE sso_states SET expires_at = UTC_TIMESTAMP() - INTERVAL 1 SECOND WHERE state_hash = ?",
            [.text(SSOStates.hash(expired.state))])
        #expect(try SSOStates.consume(db: db, state: expired.state) == nil)
        let purged = try AccountMaintenance.purgeExpired(db: db)
        #expect(purged.ssoFlows >= 1)
        #expect(
            try db.queryOne(
                "SELECT 1 AS x FROM sso_states WHERE state_hash = ?", [.text(SSOStates.hash(expired.state))]) == nil)
    }

    @Test func usernamesAreMadeValidAndFree() throws {
        let t = try TestApp()
        let base = TestApp.unique("sso")
        #expect(try SSOAccounts.freeUsername("\(base) ünï@x", db: t.services.db) == "\(base)nx")
        #expect(try SSOAccounts.freeUsername("a", db: t.services.db).hasPrefix("usera"))
    }
}
