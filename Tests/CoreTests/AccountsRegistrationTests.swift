import Foundation
import Testing

@testable import Core

@Suite struct AccountsRegistrationTests {
    typealias S = AccountsTestSupport

    @Test func registerWithFirstAndLastName() throws {
        let t = try TestApp()
        let signup = S.signup()
        let response = t.send("POST", "/api/v1/auth/register", json: signup.body)
        #expect(response.status == 201, "\(S.text(response))")
        let body = try #require(response.jsonBody)
        #expect(body["username"]?.stringValue == signup.username)
        #expect(body["email"]?.stringValue == "\(signup.username)@example.org")
        #expect(body["first_name"] == "Ada")
        #expect(body["last_name"] == "Lovelace")
        #expect(body["full_name"] == "Ada Lovelace")
        #expect(body["role"] == "user")
        #expect(body["created_at"]?.stringValue?.hasSuffix("Z") == true)
        #expect(body["password_hash"] == nil && body["password"] == nil)
        #expect(!S.text(response).contains(signup.password))

        // The user's own patient record exists, is marked as self, and is the active one.
        let id = try #require(body["id"]?.intValue)
        let row = try #require(
            try t.services.db.queryOne(
                """
                SELECT p.id, p.first_name, p.last_name, p.birth_date, p.is_self_record, u.active_patient_id
                FROM patients p JOIN users u ON u.id = p.owner_user_id WHERE p.owner_user_id = ?
                """, [.int(id)]))
        #expect(row.int("id") == row.int("active_patient_id"))
        #expect(row.bool("is_self_record") == true)
        #expect(row.string("first_name") == "Ada" && row.string("last_name") == "Lovelace")
        #expect(row["birth_date"].isNull)
        #expect(try t.services.db.queryOne("SELECT 1 FROM user_preferences WHERE user_id = ?", [.int(id)]) != nil)
        let hash = try #require(
            try t.services.db.queryOne("SELECT password_hash FROM users WHERE id = ?", [.int(id)])?.string(
                "password_hash"))
        #expect(hash.hasPrefix("$argon2id$"))
    }

    @Test func registerWithFullNameOnly() throws {
        let t = try TestApp()
        let signup = S.signup("f", ["first_name": nil, "last_name": nil, "full_name": "Mary Ann Smith"])
        let response = t.send("POST", "/api/v1/auth/register", json: signup.body)
        #expect(response.status == 201, "\(S.text(response))")
        #expect(response.jsonBody?["first_name"] == "Mary Ann")
        #expect(response.jsonBody?["last_name"] == "Smith")
        #expect(response.jsonBody?["full_name"] == "Mary Ann Smith")

        let single = t.send(
            "POST", "/api/v1/auth/register",
            json: S.signup("f", ["first_name": nil, "last_name": nil, "full_name": "Cher"]).body)
        #expect(single.status == 201, "\(S.text(single))")
        #expect(single.jsonBody?["first_name"] == "Cher")
        #expect(single.jsonBody?["full_name"] == "Cher")
    }

    @Test func missingFieldsAreAllNamed() throws {
        let t = try TestApp()
        let response = t.send("POST", "/api/v1/auth/register", json: [:])
        #expect(response.status == 400)
        #expect(response.jsonBody?["status"] == "error")
        #expect(Set(S.fields(response)) == ["username", "email", "password", "first_name", "last_name"])
        let halfName = t.send("POST", "/api/v1/auth/register", json: S.signup("h", ["last_name": nil]).body)
        #expect(halfName.status == 400)
        #expect(S.fields(halfName) == ["last_name"])
    }

    @Test(arguments: [
        ("username", JSON.string("ab")),
        ("username", JSON.string("has space")),
        ("username", JSON.string("mail@host")),
        ("username", JSON.string(String(repeating: "x", count: 51))),
        ("username", JSON.int(Int64(12345))),
        ("email", JSON.string("not-an-email")),
        ("email", JSON.string("a@b")),
        ("email", JSON.string("two@@example.com")),
        ("email", JSON.string(String(repeating: "a", count: 250) + "@example.com")),
        ("password", JSON.string("short1")),
        ("password", JSON.string("lettersonly")),
        ("password", JSON.string("1234567890")),
        ("first_name", JSON.string("")),
        ("last_name", JSON.string(String(repeating: "n", count: 101))),
    ])
    func eachRuleNamesItsField(field: String, value: JSON) throws {
        let t = try TestApp()
        let response = t.send("POST", "/api/v1/auth/register", json: S.signup("v", [field: value]).body)
        #expect(response.status == 400, "\(field)=\(value): \(S.text(response))")
        #expect(S.fields(response) == [field])
    }

    @Test func passwordEqualToUsernameIsRefused() throws {
        let t = try TestApp()
        let name = TestApp.unique("same1")
        let response = t.send(
            "POST", "/api/v1/auth/register",
            json: S.signup("p", ["username": .string(name), "password": .string(name)]).body)
        #expect(response.status == 400)
        #expect(S.fields(response) == ["password"])
    }

    @Test func duplicateUsernameOrEmailInAnyCaseIs409() throws {
        let t = try TestApp()
        let first = S.signup("d")
        #expect(t.send("POST", "/api/v1/auth/register", json: first.body).status == 201)

        let sameName = t.send(
            "POST", "/api/v1/auth/register",
            json: S.signup("d", ["username": .string(first.username.uppercased())]).body)
        #expect(sameName.status == 409)
        #expect(S.fields(sameName) == ["username"])

        let sameEmail = t.send(
            "POST", "/api/v1/auth/register",
            json: S.signup("d", ["email": .string("\(first.username.uppercased())@EXAMPLE.org")]).body)
        #expect(sameEmail.status == 409)
        #expect(S.fields(sameEmail) == ["email"])
    }

    @Test func registrationStatusIsEnabledByDefault() throws {
        let t = try TestApp()
        let response = t.send("GET", "/api/v1/auth/registration-status")
        #expect(response.status == 200)
        #expect(response.jsonBody == ["registration_enabled": true, "message": nil])
    }

    @Test func registrationDisabledIs403() throws {
        let t = try TestApp()
        try S.withinRolledBackTransaction(t) {
            try t.services.db.execute(
                "INSERT INTO app_settings (name, value) VALUES ('registration_enabled', 'false') ON DUPLICATE KEY UPDATE value = 'false'"
            )
            let status = t.send("GET", "/api/v1/auth/registration-status")
            #expect(status.jsonBody?["registration_enabled"] == false)
            #expect(status.jsonBody?["message"]?.stringValue?.isEmpty == false)
            let signup = S.signup("off")
            let response = t.send("POST", "/api/v1/auth/register", json: signup.body)
            #expect(response.status == 403)
            #expect(
                try t.services.db.queryOne("SELECT 1 FROM users WHERE username = ?", [.text(signup.username)]) == nil)
        }
        #expect(t.send("GET", "/api/v1/auth/registration-status").jsonBody?["registration_enabled"] == true)
    }
}
