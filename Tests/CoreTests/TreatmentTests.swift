import Foundation
import Testing

@testable import Core

/// Treatments and their links: the effective values of a linked medication (override,
/// else the medication's own), the smart end date, and the link rules.
@Suite struct TreatmentTests {
    let t: TestApp
    init() throws { t = try TestApp() }

    func id(_ response: Response, _ what: String) throws -> Int64 {
        guard let id = response.jsonBody?["id"]?.intValue else {
            throw TestAppError(
                description: "\(what): \(response.status) \(String(decoding: response.body, as: UTF8.self))")
        }
        return id
    }

    /// One link per case of the override table, each checked against what the contract's
    /// rules give: every `effective_*` is the override when set, else the medication's.
    @Test func effectiveValuesPreferTheOverride() throws {
        let user = try t.registerAndLogin("eff")
        let base = try t.makePractitioner()
        let override = try t.makePractitioner()
        let pharmacy = try t.services.db.execute("INSERT INTO pharmacies (name) VALUES ('Base Pharmacy')").lastInsertID
        let treatment = try id(
            t.send(
                "POST", "/api/v1/treatments/", json: ["treatment_name": "Cardiac plan", "mode": "advanced"],
                token: user.token),
            "treatment")
        // (override dosage?, override frequency?, override prescriber?)
        for (dosage, frequency, prescriber) in [
            (false, false, false), (true, false, false), (false, true, true), (true, true, true),
        ] {
            let medication = try id(
                t.send(
                    "POST", "/api/v1/medications/",
                    json: [
                        "medication_name": .string(TestApp.unique("Med")), "dosage": "10mg", "frequency": "daily",
                        "practitioner_id": .int(base), "pharmacy_id": .int(pharmacy),
                    ], token: user.token), "medication")
            var body: JSONObject = ["medication_id": .int(medication)]
            if dosage { body["specific_dosage"] = "20mg" }
            if frequency { body["specific_frequency"] = "twice daily" }
            if prescriber { body["specific_prescriber_id"] = .int(override) }
            let link = t.send(
                "POST", "/api/v1/treatments/\(treatment)/medications", json: .object(body), token: user.token)
            #expect(link.status == 200)
            let row = try #require(link.jsonBody)
            #expect(row["effective_dosage"] == (dosage ? "20mg" : "10mg"))
            #expect(row["effective_frequency"] == (frequency ? "twice daily" : "daily"))
            #expect(row["effective_prescriber"]?["id"] == .int(prescriber ? override : base))
            #expect(row["specific_prescriber"] == (prescriber ? row["effective_prescriber"] : .null))
            #expect(row["effective_pharmacy"]?["id"] == .int(pharmacy))
            #expect(row["medication"]?["practitioner"]?["id"] == .int(base))
        }
        let listed = try #require(
            t.send("GET", "/api/v1/treatments/\(treatment)/medications", token: user.token).jsonBody)
        #expect(listed.arrayValue?.count == 4)
    }

    /// The smart end date, every combination: override end wins; an override start after
    /// the medication's own end, with no override end, is ongoing (null); else the
    /// medication's end.
    @Test func smartEndDate() throws {
        let user = try t.registerAndLogin("end")
        let treatment = try id(
            t.send("POST", "/api/v1/treatments/", json: ["treatment_name": "Plan"], token: user.token), "treatment")
        let cases: [(medicationEnd: JSON, start: JSON, end: JSON, effectiveStart: JSON, effectiveEnd: JSON)] = [
            ("2025-09-25", .null, .null, "2025-06-01", "2025-09-25"),
            ("2025-09-25", "2026-01-09", .null, "2026-01-09", .null),  // stale end before the new start
            ("2025-09-25", "2025-07-01", .null, "2025-07-01", "2025-09-25"),  // start before the end: keep it
            ("2025-09-25", "2026-01-09", "2026-03-01", "2026-01-09", "2026-03-01"),
            (.null, .null, "2026-03-01", "2025-06-01", "2026-03-01"),
            (.null, .null, .null, "2025-06-01", .null),
        ]
        for (index, test) in cases.enumerated() {
            let medication = try id(
                t.send(
                    "POST", "/api/v1/medications/",
                    json: [
                        "medication_name": .string("M\(index)"), "effective_period_start": "2025-06-01",
                        "effective_period_end": test.medicationEnd,
                    ], token: user.token), "medication")
            let link = t.send(
                "POST", "/api/v1/treatments/\(treatment)/medications",
                json: [
                    "medication_id": .int(medication), "specific_start_date": test.start, "specific_end_date": test.end,
                ], token: user.token)
            #expect(link.jsonBody?["effective_start_date"] == test.effectiveStart, "case \(index)")
            #expect(link.jsonBody?["effective_end_date"] == test.effectiveEnd, "case \(index)")
        }
    }

    @Test func linkRulesAndHistory() throws {
        let user = try t.registerAndLogin("trl")
        let stranger = try t.registerAndLogin("trlx")
        let condition = try id(
            t.send("POST", "/api/v1/conditions/", json: ["condition_name": "Angina"], token: user.token), "condition")
        let treatment = try id(
            t.send(
                "POST", "/api/v1/treatments/", json: ["treatment_name": "Cardiac", "condition_id": .int(condition)],
                token: user.token), "treatment")
        let medication = try t.insertMedication(patient: user.selfPatientID)
        let path = "/api/v1/treatments/\(treatment)/medications"
        let backwards = t.send(
            "POST", path,
            json: [
                "medication_id": .int(medication), "specific_start_date": "2026-02-01",
                "specific_end_date": "2026-01-01",
            ],
            token: user.token)
        #expect(backwards.status == 422)
        #expect(TestApp.badFields(backwards) == ["specific_end_date"])
        #expect(
            t.send(
                "POST", path, json: ["medication_id": .int(medication), "specific_pharmacy_id": 999_999_999],
                token: user.token
            )
            .status == 422)
        let link = try id(t.send("POST", path, json: ["medication_id": .int(medication)], token: user.token), "link")
        // The medication's history shows the treatment with its condition; a stranger sees nothing.
        let history = t.send("GET", "/api/v1/medications/\(medication)/treatments", token: user.token)
        #expect(history.jsonBody?.arrayValue?.first?["treatment"]?["condition"]?["condition_name"] == "Angina")
        #expect(t.send("GET", "/api/v1/medications/\(medication)/treatments", token: stranger.token).status == 404)
        let deleted = t.send("DELETE", "\(path)/\(link)", token: user.token)
        #expect(deleted.jsonBody == ["status": "success", "message": "Medication link removed"])
        // Deleting the treatment removes its links, never the medication.
        _ = t.send("POST", path, json: ["medication_id": .int(medication)], token: user.token)
        #expect(t.send("DELETE", "/api/v1/treatments/\(treatment)", token: user.token).status == 200)
        #expect(
            try t.count("SELECT COUNT(*) AS n FROM treatment_medications WHERE medication_id = ?", [.int(medication)])
                == 0)
        #expect(try t.count("SELECT COUNT(*) AS n FROM medications WHERE id = ?", [.int(medication)]) == 1)
    }

    @Test func ongoingAndStatusSpellings() throws {
        let user = try t.registerAndLogin("ong")
        for (name, status) in [("A", "active"), ("B", "in_progress"), ("C", "completed")] {
            let made = t.send(
                "POST", "/api/v1/treatments/",
                json: ["treatment_name": .string(name + "x"), "status": .string(status)], token: user.token)
            #expect(made.status == 201)
        }
        let ongoing = try #require(t.send("GET", "/api/v1/treatments/ongoing", token: user.token).jsonBody?.arrayValue)
        #expect(Set(ongoing.compactMap { $0["status"]?.stringValue }) == ["active", "in-progress"])
        let stats = try #require(t.send("GET", "/api/v1/patients/me/dashboard-stats", token: user.token).jsonBody)
        #expect(stats["total_treatments"] == 3)
    }
}
