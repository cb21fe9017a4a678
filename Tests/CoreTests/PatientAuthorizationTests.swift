import Testing

@testable import Core

/// Every patient endpoint that takes a patient id answers 404 for another user's patient,
/// exactly as for an id that does not exist, and changes nothing.
@Suite struct PatientAuthorizationTests {
    let t: TestApp
    init() throws { t = try TestApp() }

    func requests(for id: Int64) -> [(String, String, JSON?, String)] {
        [
            ("GET", "/api/v1/patient-management/\(id)", nil, ""),
            ("PUT", "/api/v1/patient-management/\(id)", ["first_name": "Hacked"], ""),
            ("PUT", "/api/v1/patient-management/\(id)", ["first_name": .null], ""),
            ("DELETE", "/api/v1/patient-management/\(id)", nil, ""),
            ("POST", "/api/v1/patient-management/switch", ["patient_id": .int(id)], ""),
            ("GET", "/api/v1/patients/me/dashboard-stats", nil, "patient_id=\(id)"),
        ]
    }

    @Test func anotherUsersPatientIsNotFound() throws {
        let alice = try t.registerAndLogin("pauth")
        let bob = try t.registerAndLogin("pauth")
        let bobsChild = try t.createPatient(bob, "Bobby")
        for target in [bob.selfPatientID, bobsChild, 999_999_999] {
            for (method, path, body, query) in requests(for: target) {
                let response = t.send(method, path, json: body, token: alice.token, query: query)
                #expect(response.status == 404, "\(method) \(path) \(query) → \(response.status)")
                #expect(response.jsonBody?["status"] == "error")
            }
        }
        // Nothing changed for Bob, and Alice's lists and active patient never show his.
        #expect(
            t.send("GET", "/api/v1/patient-management/\(bobsChild)", token: bob.token).jsonBody?["first_name"]
                == "Bobby")
        #expect(t.send("GET", "/api/v1/patient-management/", token: bob.token).jsonBody?["total"] == 2)
        let ids = t.send("GET", "/api/v1/patient-management/", token: alice.token).jsonBody?["patients"]?.arrayValue?
            .map { $0["id"] }
        #expect(ids == [.int(alice.selfPatientID)])
        #expect(
            t.send("GET", "/api/v1/patient-management/active/current", token: alice.token).jsonBody?["id"]
                == .int(alice.selfPatientID))
        let activity =
            t.send("GET", "/api/v1/patients/me/recent-activity", token: alice.token).jsonBody?.arrayValue ?? []
        #expect(activity.isEmpty)
    }

    @Test func everyEndpointNeedsAToken() throws {
        let paths = [
            ("GET", "/api/v1/patients/me"), ("POST", "/api/v1/patients/me"), ("PUT", "/api/v1/patients/me"),
            ("DELETE", "/api/v1/patients/me"), ("GET", "/api/v1/patients/me/recent-activity"),
            ("GET", "/api/v1/patients/me/dashboard-stats"), ("GET", "/api/v1/patient-management/"),
            ("POST", "/api/v1/patient-management/"), ("GET", "/api/v1/patient-management/1"),
            ("PUT", "/api/v1/patient-management/1"), ("DELETE", "/api/v1/patient-management/1"),
            ("GET", "/api/v1/patient-management/owned/list"), ("GET", "/api/v1/patient-management/self-record"),
            ("POST", "/api/v1/patient-management/switch"), ("GET", "/api/v1/patient-management/active/current"),
            ("GET", "/api/v1/patient-management/stats"),
        ]
        for (method, path) in paths {
            #expect(t.send(method, path, json: [:], token: nil).status == 401, "\(method) \(path)")
        }
    }
}
