import Foundation
import Synchronization
import Testing

@testable import Core

/// `/patient-management` against a real MariaDB.
@Suite struct PatientManagementTests {
    let t: TestApp
    init() throws { t = try TestApp() }
    let base = "/api/v1/patient-management"

    @Test func createListGetUpdateDelete() throws {
        let user = try t.registerAndLogin("pmg")
        let created = t.send(
            "POST", "\(base)/", json: TestApp.patientBody("Kid", ["relationship_to_self": "child"]), token: user.token)
        #expect(created.status == 201)
        let id = try #require(created.jsonBody?["id"]?.intValue)
        #expect(created.jsonBody?["is_self_record"] == false)
        #expect(created.jsonBody?["owner_user_id"] == .int(user.id))
        #expect(created.jsonBody?["relationship_to_self"] == "child")

        let list = t.send("GET", base, token: user.token)
        #expect(list.status == 200)
        #expect(list.jsonBody?["total"] == 2)
        #expect(list.jsonBody?["owned_count"] == 2)
        #expect(list.jsonBody?["shared_count"] == 0)
        // Self record first.
        #expect(list.jsonBody?["patients"]?.arrayValue?.map { $0["id"] } == [.int(user.selfPatientID), .int(id)])
        #expect(t.send("GET", "\(base)/owned/list", token: user.token).jsonBody?.arrayValue?.count == 2)
        #expect(t.send("GET", "\(base)/self-record", token: user.token).jsonBody?["id"] == .int(user.selfPatientID))
        #expect(
            t.send("GET", "\(base)/stats", token: user.token).jsonBody == [
                "total_patients": 2, "owned_patients": 2, "shared_patients": 0, "self_record_exists": true,
            ])

        #expect(t.send("GET", "\(base)/\(id)", token: user.token).jsonBody?["first_name"] == "Kid")
        let updated = t.send("PUT", "\(base)/\(id)", json: ["weight": 90.5], token: user.token)
        #expect(updated.status == 200)
        #expect(updated.jsonBody?["weight"] == 90.5)
        #expect(updated.jsonBody?["first_name"] == "Kid")
        #expect(t.send("PUT", "\(base)/\(id)", json: ["blood_type": "Q"], token: user.token).status == 400)

        let deleted = t.send("DELETE", "\(base)/\(id)", token: user.token)
        #expect(deleted.status == 200)
        #expect(deleted.jsonBody?["message"] == "Patient deleted successfully")
        #expect(t.send("GET", "\(base)/\(id)", token: user.token).status == 404)
        #expect(t.send("GET", "\(base)/abc", token: user.token).status == 422)
    }

    @Test func selfRecordFlagOnlyWhileNoneExists() throws {
        let user = try t.registerAndLogin("pmg")
        let again = t.send("POST", base, json: TestApp.patientBody("Me", ["is_self_record": true]), token: user.token)
        #expect(again.status == 400)
        let badFlag = t.send(
            "POST", base, json: TestApp.patientBody("Me", ["is_self_record": "yes", "height": 500]), token: user.token)
        #expect(badFlag.status == 400)
        #expect(TestApp.badFields(badFlag) == ["is_self_record", "height"])
        #expect(t.send("DELETE", "/api/v1/patients/me", token: user.token).status == 200)
        #expect(t.send("GET", "\(base)/self-record", token: user.token).jsonBody == .null)
        #expect(t.send("GET", "\(base)/stats", token: user.token).jsonBody?["self_record_exists"] == false)
        let created = t.send("POST", base, json: TestApp.patientBody("Me", ["is_self_record": true]), token: user.token)
        #expect(created.status == 201)
        #expect(created.jsonBody?["is_self_record"] == true)
        #expect(t.send("GET", "/api/v1/patients/me", token: user.token).jsonBody?["id"] == created.jsonBody?["id"])
    }

    @Test func refusesToDeleteTheLastPatient() throws {
        let user = try t.registerAndLogin("pmg")
        let response = t.send("DELETE", "\(base)/\(user.selfPatientID)", token: user.token)
        #expect(response.status == 400)
        #expect(t.send("GET", "\(base)/\(user.selfPatientID)", token: user.token).status == 200)
    }

    @Test func concurrentDeletesKeepTheLastPatient() throws {
        let user = try t.registerAndLogin("pmg")
        let child = try t.createPatient(user, "Kid")
        let paths = ["\(base)/\(user.selfPatientID)", "\(base)/\(child)"]
        let (username, password) = (user.username, user.password)
        let statuses = Mutex<[Int]>([])
        // Each thread has its own app and connection, as each worker thread does.
        DispatchQueue.concurrentPerform(iterations: 2) { index in
            let status =
                (try? TestApp()).flatMap { app in
                    (try? app.login(username, password)).map { app.send("DELETE", paths[index], token: $0).status }
                } ?? -1
            statuses.withLock { $0.append(status) }
        }
        #expect(statuses.withLock { $0.sorted() } == [200, 400])
        #expect(try t.count("SELECT COUNT(*) AS n FROM patients WHERE owner_user_id = ?", [.int(user.id)]) == 1)
    }

    @Test func switchPersistsAndDeleteFallsBackToTheSelfRecord() throws {
        let user = try t.registerAndLogin("pmg")
        let child = try t.createPatient(user, "Kid")
        #expect(t.send("GET", "\(base)/active/current", token: user.token).jsonBody?["id"] == .int(user.selfPatientID))
        let switched = t.send("POST", "\(base)/switch", json: ["patient_id": .int(child)], token: user.token)
        #expect(switched.status == 200)
        #expect(switched.jsonBody?["id"] == .int(child))
        // Persisted: a fresh app (new connection, new signing key, new login) sees it too.
        let other = try TestApp()
        let token = try other.login(user.username, user.password)
        #expect(other.send("GET", "\(base)/active/current", token: token).jsonBody?["id"] == .int(child))
        #expect(
            try t.services.db.queryOne("SELECT active_patient_id FROM users WHERE id = ?", [.int(user.id)])?.int(
                "active_patient_id") == child)

        #expect(t.send("POST", "\(base)/switch", json: [:], token: user.token).status == 422)
        #expect(t.send("POST", "\(base)/switch", json: ["patient_id": "abc"], token: user.token).status == 422)
        #expect(t.send("POST", "\(base)/switch", json: ["patient_id": 999_999_999], token: user.token).status == 404)

        #expect(t.send("DELETE", "\(base)/\(child)", token: user.token).status == 200)
        #expect(
            try t.services.db.queryOne("SELECT active_patient_id FROM users WHERE id = ?", [.int(user.id)])?.int(
                "active_patient_id") == user.selfPatientID)
        #expect(t.send("GET", "\(base)/active/current", token: user.token).jsonBody?["id"] == .int(user.selfPatientID))
    }

    @Test func deletingTheSelfRecordMovesTheActivePatientToAnotherOwnedOne() throws {
        let user = try t.registerAndLogin("pmg")
        let child = try t.createPatient(user, "Kid")
        #expect(t.send("DELETE", "\(base)/\(user.selfPatientID)", token: user.token).status == 200)
        #expect(t.send("GET", "\(base)/active/current", token: user.token).jsonBody?["id"] == .int(child))
        #expect(t.send("DELETE", "\(base)/\(child)", token: user.token).status == 400)
    }

    @Test func paginationBounds() throws {
        let user = try t.registerAndLogin("pmg")
        for index in 0..<3 { _ = try t.createPatient(user, "P\(index)") }
        let page = t.send("GET", base, token: user.token, query: "limit=2")
        #expect(page.jsonBody?["patients"]?.arrayValue?.count == 2)
        #expect(page.jsonBody?["total"] == 4)
        #expect(t.send("GET", base, token: user.token, query: "skip=3").jsonBody?["patients"]?.arrayValue?.count == 1)
        #expect(t.send("GET", base, token: user.token, query: "skip=10").jsonBody?["patients"]?.arrayValue?.count == 0)
        #expect(
            t.send("GET", base, token: user.token, query: "limit=1000").jsonBody?["patients"]?.arrayValue?.count == 4)
        #expect(t.send("GET", base, token: user.token, query: "limit=0").jsonBody?["patients"]?.arrayValue?.count == 0)
        for bad in ["limit=-1", "skip=-1", "limit=abc", "skip=1.5", "include_shared=maybe"] {
            let response = t.send("GET", base, token: user.token, query: bad)
            #expect(response.status == 422, "\(bad)")
        }
    }

    @Test func sharedPatientsFollowTheShareLevel() throws {
        let owner = try t.registerAndLogin("pmg")
        let viewer = try t.registerAndLogin("pmg")
        let editor = try t.registerAndLogin("pmg")
        let child = try t.createPatient(owner, "Shared")
        try t.share(child, by: owner, with: viewer, level: "view")
        try t.share(child, by: owner, with: editor, level: "edit")

        let list = t.send("GET", base, token: viewer.token)
        #expect(list.jsonBody?["total"] == 2)
        #expect(list.jsonBody?["shared_count"] == 1)
        #expect(list.jsonBody?["patients"]?.arrayValue?.last?["id"] == .int(child))
        let ownedOnly = t.send("GET", base, token: viewer.token, query: "include_shared=false")
        #expect(ownedOnly.jsonBody?["total"] == 1)
        #expect(ownedOnly.jsonBody?["shared_count"] == 0)
        #expect(t.send("GET", "\(base)/stats", token: viewer.token).jsonBody?["shared_patients"] == 1)
        #expect(t.send("GET", "\(base)/owned/list", token: viewer.token).jsonBody?.arrayValue?.count == 1)

        #expect(t.send("GET", "\(base)/\(child)", token: viewer.token).status == 200)
        #expect(t.send("PUT", "\(base)/\(child)", json: ["first_name": "X"], token: viewer.token).status == 403)
        #expect(t.send("DELETE", "\(base)/\(child)", token: viewer.token).status == 403)
        #expect(t.send("PUT", "\(base)/\(child)", json: ["first_name": "Edited"], token: editor.token).status == 200)
        #expect(t.send("DELETE", "\(base)/\(child)", token: editor.token).status == 403)
        #expect(t.send("GET", "\(base)/\(child)", token: owner.token).jsonBody?["first_name"] == "Edited")

        // The viewer switches to the shared patient; once the share ends, the active
        // patient falls back to the viewer's own record.
        #expect(t.send("POST", "\(base)/switch", json: ["patient_id": .int(child)], token: viewer.token).status == 200)
        #expect(t.send("GET", "\(base)/active/current", token: viewer.token).jsonBody?["id"] == .int(child))
        try t.services.db.execute(
            "UPDATE patient_shares SET is_active = 0 WHERE patient_id = ? AND shared_with_user_id = ?",
            [.int(child), .int(viewer.id)])
        #expect(
            t.send("GET", "\(base)/active/current", token: viewer.token).jsonBody?["id"] == .int(viewer.selfPatientID))
        #expect(t.send("GET", "\(base)/\(child)", token: viewer.token).status == 404)
    }

    @Test func expiredSharesGrantNothing() throws {
        let owner = try t.registerAndLogin("pmg")
        let viewer = try t.registerAndLogin("pmg")
        let child = try t.createPatient(owner, "Expired")
        try t.share(child, by: owner, with: viewer, level: "full", expiresSQL: "UTC_TIMESTAMP() - INTERVAL 1 DAY")
        #expect(t.send("GET", "\(base)/\(child)", token: viewer.token).status == 404)
        #expect(t.send("GET", base, token: viewer.token).jsonBody?["shared_count"] == 0)
    }

    @Test func deleteCascadesToRecordsAndShares() throws {
        let owner = try t.registerAndLogin("pmg")
        let viewer = try t.registerAndLogin("pmg")
        let child = try t.createPatient(owner, "Gone")
        let medication = try t.insertMedication(patient: child)
        try t.share(child, by: owner, with: viewer)
        #expect(t.send("DELETE", "\(base)/\(child)", token: owner.token).status == 200)
        #expect(try t.count("SELECT COUNT(*) AS n FROM medications WHERE id = ?", [.int(medication)]) == 0)
        #expect(try t.count("SELECT COUNT(*) AS n FROM patient_shares WHERE patient_id = ?", [.int(child)]) == 0)
        #expect(try t.count("SELECT COUNT(*) AS n FROM patients WHERE id = ?", [.int(child)]) == 0)
    }
}
