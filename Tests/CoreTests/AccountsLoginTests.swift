import Foundation
import Testing

@testable import Core

@Suite struct AccountsLoginTests {
    typealias S = AccountsTestSupport

    func form(_ username: String, _ password: String) -> String {
        "username=\(TestApp.formEncode(username))&password=\(TestApp.formEncode(password))"
    }

    @Test func formLoginReturnsTokenAndCookie() throws {
        let t = try TestApp()
        let user = try t.registerAndLogin("l")
        let response = t.send("POST", "/api/v1/auth/login", form: form(user.username, user.password))
        #expect(response.status == 200, "\(S.text(response))")
        let body = try #require(response.jsonBody?.objectValue)
        #expect(Set(body.keys) == ["access_token", "token_type", "session_timeout_minutes"])
        #expect(body["token_type"] == "bearer")
        #expect(body["session_timeout_minutes"]?.intValue == Int64(t.app.shared.config.sessionTimeoutMinutes))
        let token = try #require(body["access_token"]?.stringValue)
        let cookie = try #require(response.header("Set-Cookie"))
        #expect(cookie.hasPrefix("access_token=\(token);"))
        for attribute in [
            "HttpOnly", "SameSite=Strict", "Path=/", "Max-Age=\(t.app.shared.config.sessionTimeoutMinutes * 60)",
        ] {
            #expect(cookie.contains(attribute))
        }
        #expect(t.send("GET", "/api/v1/users/me", token: token).status == 200)
        // Browser clients send the cookie instead of the header.
        let viaCookie = t.send("GET", "/api/v1/users/me", headers: ["cookie": "theme=x; access_token=\(token)"])
        #expect(viaCookie.jsonBody?["id"]?.intValue == user.id)
    }

    @Test func loginIsCaseInsensitiveAndAcceptsEmailAndJSON() throws {
        let t = try TestApp()
        let user = try t.registerAndLogin("c")
        #expect(
            t.send("POST", "/api/v1/auth/login", form: form(user.username.uppercased(), user.password)).status == 200)
        #expect(
            t.send("POST", "/api/v1/auth/login", form: form("\(user.username)@EXAMPLE.com", user.password)).status
                == 200)
        let json = t.send(
            "POST", "/api/v1/auth/login",
            json: ["username": .string(user.username), "password": .string(user.password)])
        #expect(json.status == 200)
        #expect(json.jsonBody?["access_token"]?.stringValue != nil)
    }

    @Test func wrongPasswordAndUnknownUserAre401() throws {
        let t = try TestApp()
        let user = try t.registerAndLogin("w")
        let wrong = t.send("POST", "/api/v1/auth/login", form: form(user.username, user.password + "x"))
        #expect(wrong.status == 401)
        #expect(wrong.jsonBody?["error"] == "Incorrect username or password")
        #expect(wrong.header("Set-Cookie") == nil)
        let unknown = t.send("POST", "/api/v1/auth/login", form: form(TestApp.unique("nobody"), "Whatever123"))
        #expect(unknown.status == 401)
        #expect(unknown.jsonBody == wrong.jsonBody)
        #expect(!S.text(wrong).contains(user.password))
    }

    @Test func missingFieldsAreNamed() throws {
        let t = try TestApp()
        let response = t.send("POST", "/api/v1/auth/login", form: "username=someone")
        #expect(response.status == 422)
        #expect(S.fields(response) == ["password"])
        #expect(Set(S.fields(t.send("POST", "/api/v1/auth/login", form: ""))) == ["username", "password"])
    }

    @Test func tenFailuresLockTheAccountEvenForTheRightPassword() throws {
        let t = try TestApp()
        let user = try t.registerAndLogin("k")
        for attempt in 1...Config().loginMaxFailures {
            // Half the guesses by e-mail: they count against the same account.
            let name = attempt.isMultiple(of: 2) ? "\(user.username)@example.com" : user.username
            #expect(t.send("POST", "/api/v1/auth/login", form: form(name, "Wrong-\(attempt)")).status == 401)
        }
        let locked = t.send("POST", "/api/v1/auth/login", form: form(user.username, user.password))
        #expect(locked.status == 429)
        #expect(locked.jsonBody?["status"] == "error")
        let retryAfter = try #require(locked.header("Retry-After").flatMap(Int.init))
        #expect(retryAfter > 0 && retryAfter <= Config().loginLockoutMinutes * 60)
        // Tokens issued before the lockout keep working: it stops guessing, not sessions.
        #expect(t.send("GET", "/api/v1/users/me", token: user.token).status == 200)
    }

    @Test func unknownNamesLockOutTooSoLockoutRevealsNothing() throws {
        let t = try TestApp()
        let name = TestApp.unique("ghost")
        for _ in 1...Config().loginMaxFailures {
            #expect(t.send("POST", "/api/v1/auth/login", form: form(name, "Guess1234")).status == 401)
        }
        #expect(t.send("POST", "/api/v1/auth/login", form: form(name, "Guess1234")).status == 429)
    }

    @Test func successResetsTheFailureCount() throws {
        let t = try TestApp()
        let user = try t.registerAndLogin("s")
        for _ in 1...3 { t.send("POST", "/api/v1/auth/login", form: form(user.username, "Wrong-pass1")) }
        let account = LoginThrottle.key(userID: user.id)
        #expect(
            try t.services.db.queryOne("SELECT failures FROM login_failures WHERE account = ?", [.text(account)])?.int(
                "failures") == 3)
        #expect(t.send("POST", "/api/v1/auth/login", form: form(user.username, user.password)).status == 200)
        #expect(try t.services.db.queryOne("SELECT 1 FROM login_failures WHERE account = ?", [.text(account)]) == nil)
    }

    @Test func anExpiredWindowStartsCountingAgain() throws {
        let t = try TestApp()
        let user = try t.registerAndLogin("x")
        let account = LoginThrottle.key(userID: user.id)
        try t.services.db.execute(
            "INSERT INTO login_failures (account, failures, window_started_at) VALUES (?, 9, UTC_TIMESTAMP() - INTERVAL 16 MINUTE)",
            [.text(account)])
        #expect(t.send("POST", "/api/v1/auth/login", form: form(user.username, "Wrong-pass1")).status == 401)
        #expect(
            try t.services.db.queryOne("SELECT failures FROM login_failures WHERE account = ?", [.text(account)])?.int(
                "failures") == 1)
        #expect(t.send("POST", "/api/v1/auth/login", form: form(user.username, user.password)).status == 200)
    }

    @Test func sessionTimeoutPreferenceSetsTokenLifetime() throws {
        let t = try TestApp()
        let user = try t.registerAndLogin("t")
        #expect(
            t.send("PUT", "/api/v1/users/me/preferences", json: ["session_timeout_minutes": 7], token: user.token)
                .status == 200)
        let response = t.send("POST", "/api/v1/auth/login", form: form(user.username, user.password))
        #expect(response.jsonBody?["session_timeout_minutes"] == 7)
        let token = try #require(response.jsonBody?["access_token"]?.stringValue)
        let claims = try t.app.shared.tokenSigner.verify(token, now: Int64(time(nil)))
        #expect(claims.expiresAt - claims.issuedAt == 7 * 60)
        #expect(response.header("Set-Cookie")?.contains("Max-Age=420") == true)
    }
}

@Suite struct AccountsMaintenanceTests {
    @Test func purgeRemovesOnlyStaleRows() throws {
        let t = try TestApp()
        let db = t.services.db
        let stale = LoginThrottle.key(unknownName: TestApp.unique("stale"))
        let locked = LoginThrottle.key(unknownName: TestApp.unique("locked"))
        let fresh = LoginThrottle.key(unknownName: TestApp.unique("fresh"))
        try db.execute(
            "INSERT INTO login_failures (account, failures, window_started_at) VALUES (?, 3, UTC_TIMESTAMP() - INTERVAL 25 HOUR)",
            [.text(stale)])
        try db.execute(
            "INSERT INTO login_failures (account, failures, window_started_at, locked_until) VALUES (?, 10, UTC_TIMESTAMP() - INTERVAL 20 MINUTE, UTC_TIMESTAMP() + INTERVAL 5 MINUTE)",
            [.text(locked)])
        try db.execute(
            "INSERT INTO login_failures (account, failures, window_started_at) VALUES (?, 1, UTC_TIMESTAMP())",
            [.text(fresh)])
        let oldToken = SecureRandom.hex(16)
        let liveToken = SecureRandom.hex(16)
        try db.execute(
            "INSERT INTO revoked_tokens (token_id, user_id, expires_at) VALUES (?, 0, UTC_TIMESTAMP() - INTERVAL 1 MINUTE)",
            [.text(oldToken)])
        try db.execute(
            "INSERT INTO revoked_tokens (token_id, user_id, expires_at) VALUES (?, 0, UTC_TIMESTAMP() + INTERVAL 1 HOUR)",
            [.text(liveToken)])

        let purged = try AccountMaintenance.purgeExpired(db: db)
        #expect(purged.loginFailures >= 1 && purged.revokedTokens >= 1)
        func exists(_ sql: String, _ key: String) throws -> Bool { try db.queryOne(sql, [.text(key)]) != nil }
        let failure = "SELECT 1 FROM login_failures WHERE account = ?"
        #expect(try !exists(failure, stale))
        #expect(try exists(failure, locked))
        #expect(try exists(failure, fresh))
        #expect(try !exists("SELECT 1 FROM revoked_tokens WHERE token_id = ?", oldToken))
        #expect(try exists("SELECT 1 FROM revoked_tokens WHERE token_id = ?", liveToken))
        try db.execute("DELETE FROM login_failures WHERE account IN (?, ?)", [.text(locked), .text(fresh)])
        try db.execute("DELETE FROM revoked_tokens WHERE token_id = ?", [.text(liveToken)])
    }
}
