import Foundation
import Testing

@testable import Core

@Suite struct AccountsUserTests {
    typealias S = AccountsTestSupport

    @Test func meShowsTheProfileWithoutSecrets() throws {
        let t = try TestApp()
        let user = try t.registerAndLogin("m")
        let response = t.send("GET", "/api/v1/users/me", token: user.token)
        #expect(response.status == 200)
        let body = try #require(response.jsonBody?.objectValue)
        #expect(
            Set(body.keys) == [
                "id", "username", "email", "first_name", "last_name", "full_name", "role", "auth_method",
                "is_active", "created_at", "updated_at",
            ])
        #expect(body["id"]?.intValue == user.id)
        #expect(body["username"]?.stringValue == user.username)
        #expect(body["role"] == "user" && body["auth_method"] == "local" && body["is_active"] == true)
        #expect(!S.text(response).contains("argon2"))
    }

    @Test func updateKeepsTheNameConsistent() throws {
        let t = try TestApp()
        let user = try t.registerAndLogin("n")
        let first = t.send("PUT", "/api/v1/users/me", json: ["first_name": "Grace"], token: user.token)
        #expect(first.status == 200, "\(S.text(first))")
        #expect(first.jsonBody?["full_name"]?.stringValue == "Grace \(user.username)")
        let full = t.send("PUT", "/api/v1/users/me", json: ["full_name": "Grace Brewster Hopper"], token: user.token)
        #expect(full.jsonBody?["first_name"] == "Grace Brewster")
        #expect(full.jsonBody?["last_name"] == "Hopper")
        let email = "\(TestApp.unique("new"))@example.net"
        let changed = t.send("PUT", "/api/v1/users/me", json: ["email": .string(email)], token: user.token)
        #expect(changed.jsonBody?["email"]?.stringValue == email)
        #expect(changed.jsonBody?["full_name"] == "Grace Brewster Hopper")
        #expect(t.send("PUT", "/api/v1/users/me", json: [:], token: user.token).status == 200)
    }

    @Test func updateValidatesAndRefusesTakenEmail() throws {
        let t = try TestApp()
        let user = try t.registerAndLogin("e")
        let other = try t.registerAndLogin("e")
        let bad = t.send(
            "PUT", "/api/v1/users/me", json: ["email": "nope", "first_name": "", "last_name": 5], token: user.token)
        #expect(bad.status == 422)
        #expect(Set(S.fields(bad)) == ["email", "first_name", "last_name"])
        let taken = t.send(
            "PUT", "/api/v1/users/me", json: ["email": .string("\(other.username.uppercased())@example.com")],
            token: user.token)
        #expect(taken.status == 409)
        // Its own address, in another case, is not a conflict.
        let own = t.send(
            "PUT", "/api/v1/users/me", json: ["email": .string("\(user.username.uppercased())@example.com")],
            token: user.token)
        #expect(own.status == 200)
        #expect(t.send("PUT", "/api/v1/users/me", json: ["first_name": "X"]).status == 401)
    }

    @Test func deleteRemovesEverythingAndSummarizes() throws {
        let t = try TestApp()
        let user = try t.registerAndLogin("del")
        let db = t.services.db
        for name in ["Aspirin", "Ibuprofen"] {
            try db.execute(
                "INSERT INTO medications (patient_id, medication_name) VALUES (?, ?)",
                [.int(user.selfPatientID), .text(name)])
        }
        let second = try db.execute(
            "INSERT INTO patients (owner_user_id, first_name, last_name, birth_date) VALUES (?, 'Kid', 'Doe', '2015-05-05')",
            [.int(user.id)]
        ).lastInsertID
        try db.execute("INSERT INTO medications (patient_id, medication_name) VALUES (?, 'Syrup')", [.int(second)])
        // Someone else's record stays out of the count and the deletion.
        let other = try t.registerAndLogin("del")
        try db.execute(
            "INSERT INTO medications (patient_id, medication_name) VALUES (?, 'Other')", [.int(other.selfPatientID)])
        // The other user shares with this one and has this one's kid active (a share).
        try db.execute(
            "INSERT INTO patient_shares (patient_id, shared_by_user_id, shared_with_user_id) VALUES (?, ?, ?)",
            [.int(second), .int(user.id), .int(other.id)])
        try db.execute("UPDATE users SET active_patient_id = ? WHERE id = ?", [.int(second), .int(other.id)])

        let response = t.send("DELETE", "/api/v1/users/me", token: user.token)
        #expect(response.status == 200, "\(S.text(response))")
        let body = try #require(response.jsonBody)
        #expect(body["message"] == "Account and all associated data deleted successfully")
        #expect(body["deleted_user_id"]?.intValue == user.id)
        #expect(body["deleted_patient_id"]?.intValue == user.selfPatientID)
        #expect(body["deletion_summary"]?["patients"] == 2)
        #expect(body["deletion_summary"]?["medications"] == 3)

        #expect(t.send("GET", "/api/v1/users/me", token: user.token).status == 401)
        #expect(try db.queryOne("SELECT 1 FROM users WHERE id = ?", [.int(user.id)]) == nil)
        #expect(
            try db.queryOne("SELECT COUNT(*) AS n FROM patients WHERE owner_user_id = ?", [.int(user.id)])?.int("n")
                == 0)
        #expect(
            try db.queryOne(
                "SELECT COUNT(*) AS n FROM medications WHERE patient_id IN (?, ?)",
                [.int(user.selfPatientID), .int(second)])?.int("n") == 0)
        #expect(
            try db.queryOne("SELECT COUNT(*) AS n FROM medications WHERE patient_id = ?", [.int(other.selfPatientID)])?
                .int("n") == 1)
        #expect(
            try db.queryOne("SELECT active_patient_id FROM users WHERE id = ?", [.int(other.id)])?["active_patient_id"]
                .isNull == true)
        #expect(t.send("GET", "/api/v1/users/me", token: other.token).status == 200)
        // The name is free again.
        #expect(throws: TestAppError.self) { try t.login(user.username, user.password) }
    }
}

/// Tests that make users administrators; serialized so they do not race each other on
/// the set of active admins.
@Suite(.serialized) struct AccountsAdminDeletionTests {
    typealias S = AccountsTestSupport

    @Test func theLastActiveAdminCannotDeleteThemselves() throws {
        let t = try TestApp()
        let admin = try t.registerAndLogin("adm")
        let db = t.services.db
        try db.execute("UPDATE users SET role = 'admin' WHERE id = ?", [.int(admin.id)])
        // Inside a rolled-back transaction on the app's own connection, every other admin
        // is deactivated; other tests' connections never see that.
        try S.withinRolledBackTransaction(t) {
            try db.execute("UPDATE users SET is_active = 0 WHERE role = 'admin' AND id <> ?", [.int(admin.id)])
            let response = t.send("DELETE", "/api/v1/users/me", token: admin.token)
            #expect(response.status == 400)
            #expect(response.jsonBody?["error"] == "Cannot delete last admin user")
        }
        #expect(try db.queryOne("SELECT 1 FROM users WHERE id = ?", [.int(admin.id)]) != nil)
        try db.execute("DELETE FROM users WHERE id = ?", [.int(admin.id)])
    }

    @Test func anAdminMayLeaveWhileAnotherRemains() throws {
        let t = try TestApp()
        let leaving = try t.registerAndLogin("adm")
        let staying = try t.registerAndLogin("adm")
        let db = t.services.db
        try db.execute("UPDATE users SET role = 'admin' WHERE id IN (?, ?)", [.int(leaving.id), .int(staying.id)])
        let response = t.send("DELETE", "/api/v1/users/me", token: leaving.token)
        #expect(response.status == 200, "\(S.text(response))")
        try db.execute("DELETE FROM users WHERE id = ?", [.int(staying.id)])
    }
}
