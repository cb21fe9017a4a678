import Foundation
import Testing

@testable import Core

@Suite struct AccountsTokenTests {
    typealias S = AccountsTestSupport

    func me(_ t: TestApp, _ token: String) -> Int { t.send("GET", "/api/v1/users/me", token: token).status }

    @Test func tamperedTokensAre401() throws {
        let t = try TestApp()
        let user = try t.registerAndLogin("j")
        #expect(me(t, user.token) == 200)
        let parts = user.token.split(separator: ".").map(String.init)

        let none = Base64URL.encode(Array(#"{"alg":"none","typ":"JWT"}"#.utf8)) + "." + parts[1] + "."
        #expect(me(t, none) == 401)

        var signature = Array(parts[2])
        signature[5] = signature[5] == "A" ? "B" : "A"
        #expect(me(t, parts[0] + "." + parts[1] + "." + String(signature)) == 401)

        // A payload for another user under the original signature.
        let other = TokenClaims(
            subject: user.id + 1, tokenID: SecureRandom.hex(16), issuedAt: 0, expiresAt: Int64(time(nil)) + 600,
            epoch: 0)
        let forgedPayload = t.app.shared.tokenSigner.sign(other).split(separator: ".")[1]
        #expect(me(t, parts[0] + "." + forgedPayload + "." + parts[2]) == 401)

        let now = Int64(time(nil))
        let expired = t.app.shared.tokenSigner.sign(
            TokenClaims(
                subject: user.id, tokenID: SecureRandom.hex(16), issuedAt: now - 7200, expiresAt: now - 60, epoch: 0))
        #expect(me(t, expired) == 401)

        // The same claims signed by another key.
        let foreign = JWTSigner(key: SecureRandom.bytes(32)).sign(
            TokenClaims(subject: user.id, tokenID: SecureRandom.hex(16), issuedAt: now, expiresAt: now + 600, epoch: 0))
        #expect(me(t, foreign) == 401)
        #expect(me(t, "garbage") == 401)
        #expect(t.send("GET", "/api/v1/users/me").status == 401)
        #expect(t.send("GET", "/api/v1/users/me").header("WWW-Authenticate") == "Bearer")
    }

    @Test func logoutRevokesTheTokenAtOnce() throws {
        let t = try TestApp()
        let user = try t.registerAndLogin("o")
        let second = try t.login(user.username, user.password)
        let response = t.send("POST", "/api/v1/auth/logout", token: user.token)
        #expect(response.status == 200)
        #expect(response.jsonBody == ["message": "Successfully logged out"])
        #expect(response.header("Set-Cookie")?.contains("Max-Age=0") == true)
        #expect(me(t, user.token) == 401)
        #expect(t.send("POST", "/api/v1/auth/logout", token: user.token).status == 401)
        // Only that token: another session of the same user goes on.
        #expect(me(t, second) == 200)
        let claims = try t.app.shared.tokenSigner.verify(user.token, now: Int64(time(nil)))
        let row = try #require(
            try t.services.db.queryOne(
                "SELECT user_id, UNIX_TIMESTAMP(expires_at) AS expires FROM revoked_tokens WHERE token_id = ?",
                [.text(claims.tokenID)]))
        #expect(row.int("user_id") == user.id)
        #expect(row.int("expires") == claims.expiresAt)
    }

    @Test func changePasswordRevokesOldTokensAndTheNewPasswordWorks() throws {
        let t = try TestApp()
        let user = try t.registerAndLogin("p")
        let newPassword = "Changed-\(user.username)-2"
        let response = t.send(
            "POST", "/api/v1/auth/change-password",
            json: ["current_password": .string(user.password), "new_password": .string(newPassword)], token: user.token)
        #expect(response.status == 200, "\(S.text(response))")
        #expect(response.jsonBody == ["message": "Password changed successfully"])
        #expect(me(t, user.token) == 401)
        #expect(throws: TestAppError.self) { try t.login(user.username, user.password) }
        let token = try t.login(user.username, newPassword)
        #expect(me(t, token) == 200)
    }

    @Test func changePasswordRefusals() throws {
        let t = try TestApp()
        let user = try t.registerAndLogin("q")
        func change(_ current: String, _ new: String) -> Response {
            t.send(
                "POST", "/api/v1/auth/change-password",
                json: ["current_password": .string(current), "new_password": .string(new)], token: user.token)
        }
        let wrong = change(user.password + "x", "Another-pass-3")
        #expect(wrong.status == 401)
        let weak = change(user.password, "weak")
        #expect(weak.status == 400)
        #expect(S.fields(weak) == ["new_password"])
        let same = change(user.password, user.password)
        #expect(same.status == 400)
        #expect(S.fields(same) == ["new_password"])
        let missing = t.send("POST", "/api/v1/auth/change-password", json: [:], token: user.token)
        #expect(missing.status == 400)
        #expect(Set(S.fields(missing)) == ["current_password", "new_password"])
        #expect(
            t.send("POST", "/api/v1/auth/change-password", json: ["current_password": "a", "new_password": "b"]).status
                == 401)
        // None of that changed anything.
        #expect(me(t, user.token) == 200)
        #expect(!S.text(weak).contains(user.password))
    }
}
