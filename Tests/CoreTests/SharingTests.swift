import Testing

@testable import Core

/// Sharing inside the process: the level decides 403 against 404 on the refusal path only,
/// an expired share stops at once and the hourly job sweeps it, and an invitation accepted
/// by its recipient becomes a share.
@Suite(.serialized) struct SharingTests {
    @Test func refusalTellsVisibleFromAbsent() throws {
        let t = try TestApp()
        let owner = try t.registerAndLogin("shown")
        let viewer = try t.registerAndLogin("viewer")
        let stranger = try t.registerAndLogin("stranger")
        let patient = try t.createPatient(owner, "Kid")
        let medication = try t.insertMedication(patient: patient)
        try t.share(patient, by: owner, with: viewer, level: "view")

        let path = "/api/v1/medications/\(medication)"
        #expect(t.send("GET", path, token: viewer.token).status == 200)
        #expect(t.send("PUT", path, json: ["dosage": "1g"], token: viewer.token).status == 403)
        #expect(t.send("PUT", path, json: ["dosage": "1g"], token: stranger.token).status == 404)
        // A bad body does not tell the stranger anything about the patient.
        let bad: JSON = ["patient_id": .int(patient), "medication_name": ""]
        #expect(t.send("POST", "/api/v1/medications/", json: bad, token: stranger.token).status == 404)
        #expect(t.send("POST", "/api/v1/medications/", json: bad, token: viewer.token).status == 403)
        #expect(t.send("POST", "/api/v1/medications/", json: bad, token: owner.token).status == 422)
    }

    @Test func expiredShareStopsAndTheJobSweepsIt() throws {
        let t = try TestApp()
        let owner = try t.registerAndLogin("expowner")
        let carer = try t.registerAndLogin("carer")
        let patient = try t.createPatient(owner, "Kid")
        try t.share(patient, by: owner, with: carer, level: "edit", expiresSQL: "UTC_TIMESTAMP() - INTERVAL 1 SECOND")
        try t.services.db.execute(
            "UPDATE users SET active_patient_id = ? WHERE id = ?", [.int(patient), .int(carer.id)])

        #expect(t.send("GET", "/api/v1/medications/", token: carer.token, query: "patient_id=\(patient)").status == 404)
        let active = t.send("GET", "/api/v1/patient-management/active/current", token: carer.token)
        #expect(active.jsonBody?["id"]?.intValue == carer.selfPatientID)

        let summary = try #require(Jobs.task(named: "maintenance")).run(t.services.db, Config())
        #expect((summary["expired_shares"]?.intValue ?? 0) >= 1)
        #expect(
            try t.count("SELECT COUNT(*) AS n FROM patient_shares WHERE patient_id = ?", [.int(patient)]) == 0)
        #expect(
            try t.count(
                "SELECT COUNT(*) AS n FROM activity_log WHERE patient_id = ? AND action = 'expired'", [.int(patient)])
                == 1)
        #expect(
            try t.services.db.queryOne("SELECT active_patient_id FROM users WHERE id = ?", [.int(carer.id)])?.int(
                "active_patient_id") == nil)
    }

    @Test func acceptedInvitationBecomesAShare() throws {
        let t = try TestApp()
        let owner = try t.registerAndLogin("invowner")
        let friend = try t.registerAndLogin("friend")
        let patient = try t.createPatient(owner, "Kid")
        let email = try #require(
            try t.services.db.queryOne("SELECT email FROM users WHERE id = ?", [.int(friend.id)])?.string("email"))
        let sent = t.send(
            "POST", "/api/v1/patient-sharing/",
            json: ["patient_id": .int(patient), "recipient_email": .string(email), "access_level": "edit"],
            token: owner.token)
        #expect(sent.status == 201)
        let id = try #require(sent.jsonBody?["id"]?.intValue)
        #expect(
            t.send("GET", "/api/v1/medications/", token: friend.token, query: "patient_id=\(patient)").status == 404)
        let answer = t.send(
            "POST", "/api/v1/invitations/\(id)/respond", json: ["action": "accept"], token: friend.token)
        #expect(answer.status == 200)
        #expect(answer.jsonBody?["status"]?.stringValue == "accepted")
        #expect(
            t.send(
                "POST", "/api/v1/medications/", json: ["patient_id": .int(patient), "medication_name": "Zinc"],
                token: friend.token
            ).status == 201)
    }
}
