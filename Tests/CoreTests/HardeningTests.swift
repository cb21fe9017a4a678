import Foundation
import Testing

@testable import Core

/// The defects a review of the first landing found, each pinned by a test that failed
/// before its fix.
@Suite struct HardeningTests {
    // MARK: JSON

    /// A 1 MB object of 90,000 distinct keys used to take ~30 s (each key scanned the
    /// ones before it). Now it is refused at the key cap at once.
    @Test func hugeObjectsAreRefusedQuickly() {
        var text = "{"
        for index in 0..<100_000 { text += (index == 0 ? "" : ",") + "\"k\(index)\":1" }
        text += "}"
        let bytes = Array(text.utf8)
        let start = DispatchTime.now().uptimeNanoseconds
        #expect(throws: JSONParseError.self) { try JSON.parse(bytes) }
        let elapsed = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        #expect(elapsed < 0.1, "took \(elapsed) s")
    }

    /// Below the cap, parsing is linear: a 1000-key object parses, and a document of many
    /// small objects does too, until the document's value cap.
    @Test func limitsAreWhereHonestClientsNeverGo() throws {
        let wide = "{" + (0..<1000).map { "\"k\($0)\":\($0)" }.joined(separator: ",") + "}"
        #expect(try JSON.parse(wide).objectValue?.count == 1000)
        let items = "[" + Array(repeating: "{\"a\":1,\"b\":[2,3]}", count: 5000).joined(separator: ",") + "]"
        #expect(try JSON.parse(items).arrayValue?.count == 5000)
        let tooMany = "[" + Array(repeating: "0", count: 100_001).joined(separator: ",") + "]"
        #expect(throws: JSONParseError.self) { try JSON.parse(tooMany) }
    }

    @Test func duplicateKeysAreRefused() {
        do {
            _ = try JSON.parse(#"{"role":"user","role":"admin"}"#)
            Issue.record("a duplicate key was accepted")
        } catch {
            #expect(error.message.contains("duplicate key \"role\""))
        }
        #expect(throws: JSONParseError.self) { try JSON.parse(#"{"a":{"x":1,"x":2}}"#) }
        #expect((try? JSON.parse(#"[{"x":1},{"x":2}]"#)) != nil)  // same key in two objects is fine
    }

    // MARK: field lengths and trimming

    /// MariaDB counts code points: 100 letters with a combining accent each are 200.
    @Test func lengthsCountCodePoints() {
        let field = FieldSpec("name", .string(maxLength: 100, minLength: 1), required: true)
        let combined = String(repeating: "e\u{301}", count: 100)
        #expect(combined.count == 100)
        guard case .failure(let problem) = FieldValidation.accept(.string(combined), for: field) else {
            Issue.record("200 code points passed a 100 limit")
            return
        }
        #expect(problem.field == "name")
        let precomposed = String(repeating: "\u{e9}", count: 100)
        if case .failure = FieldValidation.accept(.string(precomposed), for: field) {
            Issue.record("100 code points were refused")
        }
    }

    @Test func shortStringsAreTrimmed() {
        let field = FieldSpec("name", .string(maxLength: 10, minLength: 1), required: true)
        guard case .success(let accepted) = FieldValidation.accept(.string("  Cardio \n"), for: field) else {
            Issue.record("refused")
            return
        }
        #expect(accepted.json == .string("Cardio"))
        #expect(accepted.sql == .text("Cardio"))
    }

    /// If a value ever slips past validation, MariaDB's 1406 names the field.
    @Test func dataTooLongNamesTheField() {
        let response = App.response(
            for: StoreError(code: 1406, message: "Data too long for column 'city' at row 1"),
            request: Request(method: "PUT", path: "/x"))
        #expect(response.status == 422)
        #expect(String(decoding: response.body, as: UTF8.self).contains("\"field\":\"city\""))
    }

    // MARK: reconnecting

    /// Only what cannot apply a write twice is run again after a lost connection.
    @Test func onlySafeStatementsAreRetried() {
        #expect(DriverError(code: 2006, message: "gone").neverReachedServer)
        #expect(DriverError(code: 4031, message: "idle").neverReachedServer)
        #expect(!DriverError(code: 2013, message: "lost during query").neverReachedServer)
        #expect(Connection.isRerunnable("SELECT 1"))
        #expect(Connection.isRerunnable("  (SELECT a FROM t) UNION (SELECT b FROM u)"))
        #expect(Connection.isRerunnable("START TRANSACTION"))
        #expect(!Connection.isRerunnable("INSERT INTO t VALUES (1)"))
        #expect(!Connection.isRerunnable("UPDATE t SET a = 1"))
        #expect(!Connection.isRerunnable("COMMIT"))
    }

    // MARK: login lockout

    /// Each attempt is counted before the password is checked, so the limit holds under
    /// parallel guesses; the right password clears the count.
    @Test func attemptsAreCountedBeforeVerification() throws {
        let t = try TestApp()
        var config = Config()
        config.loginMaxFailures = 3
        config.loginLockoutMinutes = 5
        let throttle = LoginThrottle(db: t.services.db, config: config)
        let account = "name:" + TestApp.unique("lock")
        #expect(try throttle.countAttempt(account) == 1)
        #expect(try throttle.countAttempt(account) == 2)
        try throttle.admit(account)  // the third is still allowed (and locks)
        #expect(throws: APIError.self) { try throttle.admit(account) }
        try throttle.reset(account)
        try throttle.admit(account)
    }

    // MARK: tokens

    /// A token names its account by a random nonce too, so an id reused after a restore
    /// (same id, epoch 0 again) does not accept the old account's tokens.
    @Test func tokensAreTiedToTheAccountNotJustItsID() throws {
        let t = try TestApp()
        let user = try t.registerAndLogin("nonce")
        #expect(t.send("GET", "/api/v1/users/me", token: user.token).status == 200)
        try t.services.db.execute(
            "UPDATE users SET account_nonce = ? WHERE id = ?", [.text(SecureRandom.hex(16)), .int(user.id)])
        #expect(t.send("GET", "/api/v1/users/me", token: user.token).status == 401)
        let fresh = try t.login(user.username, user.password)
        #expect(t.send("GET", "/api/v1/users/me", token: fresh).status == 200)
    }

    /// Over TLS (nginx passes HTTPS=on) the login cookie is `Secure`.
    @Test func cookieIsSecureOverTLS() throws {
        let t = try TestApp()
        let user = try t.registerAndLogin("tls")
        let form = "username=\(user.username)&password=\(TestApp.formEncode(user.password))"
        var request = Request(
            method: "POST", path: "/api/v1/auth/login",
            headers: ["content-type": "application/x-www-form-urlencoded"], body: Array(form.utf8))
        let plain = t.app.handle(request, services: t.services)
        #expect(plain.header("Set-Cookie")?.contains("Secure") == false)
        request.isSecure = true
        let secure = t.app.handle(request, services: t.services)
        #expect(secure.header("Set-Cookie")?.hasSuffix("; Secure") == true)
    }

    // MARK: directories

    @Test func directoryRowsChangeOnlyByTheirCreatorOrAnAdmin() throws {
        let t = try TestApp()
        let owner = try t.registerAndLogin("dirA")
        let other = try t.registerAndLogin("dirB")
        let created = t.send("POST", "/api/v1/pharmacies/", json: ["name": "Corner Pharmacy"], token: owner.token)
        let id = try #require(created.jsonBody?["id"]?.intValue)
        let path = "/api/v1/pharmacies/\(id)"
        #expect(t.send("GET", path, token: other.token).status == 200)
        #expect(t.send("PUT", path, json: ["city": "Elsewhere"], token: other.token).status == 403)
        #expect(t.send("DELETE", path, token: other.token).status == 403)
        #expect(t.send("PUT", path, json: ["city": "Here"], token: owner.token).status == 200)

        // Another family's medication points at it: the delete is refused and says why.
        let medication = t.send(
            "POST", "/api/v1/medications/", json: ["medication_name": "Drug", "pharmacy_id": .int(id)],
            token: other.token)
        #expect(medication.status == 201)
        let refused = t.send("DELETE", path, token: owner.token)
        #expect(refused.status == 409)
        #expect(refused.jsonBody?["error"]?.stringValue?.contains("used by 1 record") == true)
        #expect(t.send("GET", path, token: owner.token).status == 200)

        // Once it is not used by others, its creator may delete it (own uses are cleared).
        let medicationID = try #require(medication.jsonBody?["id"]?.intValue)
        #expect(t.send("DELETE", "/api/v1/medications/\(medicationID)", token: other.token).status == 204)
        _ = t.send(
            "POST", "/api/v1/medications/", json: ["medication_name": "Mine", "pharmacy_id": .int(id)],
            token: owner.token)
        #expect(t.send("DELETE", path, token: owner.token).status == 200)
    }

    /// Rows from before ownership was recorded have no creator: only an admin changes them.
    @Test func rowsWithoutCreatorAreAdminOnly() throws {
        let t = try TestApp()
        let user = try t.registerAndLogin("legacy")
        let admin = try t.registerAndLogin("legacyadmin")
        try t.services.db.execute("UPDATE users SET role = 'admin' WHERE id = ?", [.int(admin.id)])
        let result = try t.services.db.execute("INSERT INTO pharmacies (name) VALUES ('Old Pharmacy')")
        let path = "/api/v1/pharmacies/\(result.lastInsertID)"
        #expect(t.send("PUT", path, json: ["city": "X"], token: user.token).status == 403)
        #expect(t.send("PUT", path, json: ["city": "Y"], token: admin.token).status == 200)
        #expect(t.send("DELETE", path, token: admin.token).status == 200)
    }

    // MARK: first admin

    @Test func firstAdminPasswordFileIsWrittenBeforeTheAdmin() throws {
        let directory = NSTemporaryDirectory() + "/mk-admin-\(TestApp.unique("d"))"
        let path = directory + "/initial-admin-password"
        let password = try PasswordFile.createOrRead(path, generate: { "Generated-Pass-12345" })
        #expect(password == "Generated-Pass-12345")
        var info = stat()
        #expect(stat(path, &info) == 0)
        #expect(info.st_mode & 0o777 == 0o600)
        // A start that crashed after writing the file reuses it rather than losing it.
        #expect(try PasswordFile.createOrRead(path, generate: { "Another-Pass-67890" }) == "Generated-Pass-12345")
        // Never through a symbolic link.
        let link = directory + "/link"
        symlink("/etc/passwd", link)
        #expect(throws: ConfigError.self) { try PasswordFile.createOrRead(link, generate: { "Third-Pass-24680" }) }
        try? FileManager.default.removeItem(atPath: directory)
    }

    @Test func resetPasswordGivesAWayBackIn() throws {
        let t = try TestApp()
        let user = try t.registerAndLogin("reset")
        let password = try FirstAdmin.resetPassword(username: user.username, db: t.services.db)
        #expect(t.send("GET", "/api/v1/users/me", token: user.token).status == 401)  // older tokens end
        #expect(throws: TestAppError.self) { try t.login(user.username, user.password) }
        _ = try t.login(user.username, password)
        #expect(throws: ConfigError.self) {
            try FirstAdmin.resetPassword(username: "no-such-user-x", db: t.services.db)
        }
    }

    // MARK: frontend logs

    @Test func frontendLogLinesAreCapped() {
        var body = JSONObject()
        for index in 0..<10 { body["field\(index)"] = .string(String(repeating: "x", count: 5000)) }
        body["password"] = "hunter2"
        let logged = FrontendLogRoutes.capped(body)
        guard case .string(let text) = logged else {
            Issue.record("not truncated")
            return
        }
        #expect(text.utf8.count < FrontendLogRoutes.maxLogged + 100)
        #expect(text.contains("…[truncated:"))
        #expect(!text.contains("hunter2"))
        let small: JSONObject = ["message": "hi", "token": "abc"]
        #expect(FrontendLogRoutes.capped(small) == .object(["message": "hi", "token": "[redacted]"]))
    }
}
