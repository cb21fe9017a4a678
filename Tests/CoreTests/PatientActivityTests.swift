import Testing

@testable import Core

/// `/patients/me/recent-activity` and `/patients/me/dashboard-stats`.
@Suite struct PatientActivityTests {
    let t: TestApp
    init() throws { t = try TestApp() }

    @Test func recentActivityListsPatientChangesNewestFirst() throws {
        let user = try t.registerAndLogin("pact")
        let stranger = try t.registerAndLogin("pact")
        let child = try t.createPatient(user, "Kid")
        #expect(
            t.send("PUT", "/api/v1/patient-management/\(child)", json: ["first_name": "Kiddo"], token: user.token)
                .status == 200)
        let gone = try t.createPatient(user, "Gone")
        #expect(t.send("DELETE", "/api/v1/patient-management/\(gone)", token: user.token).status == 200)
        _ = try t.createPatient(stranger, "NotMine")

        let response = t.send("GET", "/api/v1/patients/me/recent-activity", token: user.token)
        #expect(response.status == 200)
        let entries = try #require(response.jsonBody?.arrayValue)
        #expect(
            entries.compactMap { $0["description"]?.stringValue } == [
                "Deleted Patient: Gone Doe", "Updated Patient: Kiddo Doe", "Created Patient: Kid Doe",
            ])
        let first = try #require(entries.first?.objectValue)
        #expect(
            first.keys == [
                "id", "model_name", "action", "description", "timestamp", "patient_id", "user_id", "username",
            ])
        #expect(first["username"] == .string(user.username))
        #expect(first["model_name"] == "Patient")
        #expect(first["action"] == "deleted")
        #expect(first["patient_id"] == .null)
        #expect(entries[1]["patient_id"] == .int(child))
        #expect(entries.map { $0["id"]?.intValue ?? 0 } == entries.map { $0["id"]?.intValue ?? 0 }.sorted(by: >))

        #expect(
            t.send("GET", "/api/v1/patients/me/recent-activity", token: user.token, query: "limit=1").jsonBody?
                .arrayValue?.count == 1)
        #expect(
            t.send("GET", "/api/v1/patients/me/recent-activity", token: user.token, query: "limit=500").status == 200)
        #expect(
            t.send("GET", "/api/v1/patients/me/recent-activity", token: user.token, query: "limit=-1").status == 422)
        #expect(t.send("GET", "/api/v1/patients/me/recent-activity", token: user.token, query: "limit=x").status == 422)
        #expect(t.send("GET", "/api/v1/patients/me/recent-activity").status == 401)
    }

    @Test func recentActivityIncludesSharedPatients() throws {
        let owner = try t.registerAndLogin("pact")
        let viewer = try t.registerAndLogin("pact")
        let child = try t.createPatient(owner, "Shared")
        try t.share(child, by: owner, with: viewer)
        let entries =
            t.send("GET", "/api/v1/patients/me/recent-activity", token: viewer.token).jsonBody?.arrayValue ?? []
        #expect(entries.map { $0["patient_id"] } == [.int(child)])
    }

    @Test func recentActivityDefaultsToTen() throws {
        let user = try t.registerAndLogin("pact")
        for index in 0..<11 {
            #expect(
                t.send("PUT", "/api/v1/patients/me", json: ["first_name": .string("N\(index)")], token: user.token)
                    .status == 200)
        }
        #expect(
            t.send("GET", "/api/v1/patients/me/recent-activity", token: user.token).jsonBody?.arrayValue?.count == 10)
        #expect(
            t.send("GET", "/api/v1/patients/me/recent-activity", token: user.token, query: "limit=100").jsonBody?
                .arrayValue?.count == 11)
    }

    @Test func dashboardStatsCountsTheActivePatientsRecords() throws {
        let user = try t.registerAndLogin("pact")
        try t.insertMedication(patient: user.selfPatientID, status: "active")
        try t.insertMedication(patient: user.selfPatientID, status: "stopped")
        let response = t.send("GET", "/api/v1/patients/me/dashboard-stats", token: user.token)
        #expect(response.status == 200)
        let body = try #require(response.jsonBody?.objectValue)
        #expect(body["patient_id"] == .int(user.selfPatientID))
        #expect(body["total_records"] == 2)
        #expect(body["active_medications"] == 1)
        #expect(body["total_medications"] == 2)
        for key in [
            "total_lab_results", "total_procedures", "total_treatments", "total_conditions", "total_allergies",
            "total_immunizations", "total_encounters", "total_vitals",
        ] {
            #expect(body[key]?.intValue != nil, "missing \(key)")
        }
        #expect(Array(body.keys.prefix(3)) == ["patient_id", "total_records", "active_medications"])

        let child = try t.createPatient(user, "Kid")
        let childStats = t.send(
            "GET", "/api/v1/patients/me/dashboard-stats", token: user.token, query: "patient_id=\(child)")
        #expect(childStats.jsonBody?["patient_id"] == .int(child))
        #expect(childStats.jsonBody?["total_records"] == 0)
        #expect(
            t.send("POST", "/api/v1/patient-management/switch", json: ["patient_id": .int(child)], token: user.token)
                .status == 200)
        #expect(
            t.send("GET", "/api/v1/patients/me/dashboard-stats", token: user.token).jsonBody?["patient_id"]
                == .int(child))
        #expect(
            t.send("GET", "/api/v1/patients/me/dashboard-stats", token: user.token, query: "patient_id=abc").status
                == 422)
        #expect(
            t.send("GET", "/api/v1/patients/me/dashboard-stats", token: user.token, query: "patient_id=-4").status
                == 422)
    }

    @Test func dashboardStatsWithoutAnyPatientIs404() throws {
        let user = try t.registerAndLogin("pact")
        #expect(t.send("DELETE", "/api/v1/patients/me", token: user.token).status == 200)
        #expect(t.send("GET", "/api/v1/patients/me/dashboard-stats", token: user.token).status == 404)
    }
}
