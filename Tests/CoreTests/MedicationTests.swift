import Testing

@testable import Core

@Suite struct MedicationTests {
    let t: TestApp
    init() throws { t = try TestApp() }

    /// A specialty, practitioner and pharmacy to point medications at.
    func providers(_ user: TestUser) throws -> (practitioner: Int64, pharmacy: Int64) {
        let specialty = t.send(
            "POST", "/api/v1/medical-specialties/", json: ["name": .string(TestApp.unique("Spec"))], token: user.token)
        let specialtyID = try #require(specialty.jsonBody?["id"]?.intValue)
        let practitioner = t.send(
            "POST", "/api/v1/practitioners/", json: ["name": "Dr. Who", "specialty_id": .int(specialtyID)],
            token: user.token)
        #expect(practitioner.status == 201)
        let pharmacy = t.send(
            "POST", "/api/v1/pharmacies/", json: ["name": "CVS Main", "city": "Anytown", "drive_through": true],
            token: user.token)
        #expect(pharmacy.status == 201)
        return (try #require(practitioner.jsonBody?["id"]?.intValue), try #require(pharmacy.jsonBody?["id"]?.intValue))
    }

    @Test func createEmbedsRelationsAndSortsReminders() throws {
        let user = try t.registerAndLogin("med")
        let (practitioner, pharmacy) = try providers(user)
        let response = t.send(
            "POST", "/api/v1/medications/",
            json: [
                "patient_id": .int(user.selfPatientID), "medication_name": "Aspirin", "dosage": "100mg",
                "route": "oral",
                "status": "active", "practitioner_id": .int(practitioner), "pharmacy_id": .int(pharmacy),
                "reminder_enabled": true, "reminder_times": ["20:00", "08:00"], "tags": ["heart", "daily"],
                "effective_period_start": "2025-01-01", "effective_period_end": "2025-12-31",
            ], token: user.token)
        #expect(response.status == 201)
        let body = try #require(response.jsonBody)
        #expect(body["medication_name"] == "Aspirin")
        #expect(body["reminder_times"] == ["08:00", "20:00"])
        #expect(body["practitioner"]?["name"] == "Dr. Who")
        #expect(body["pharmacy"]?["name"] == "CVS Main")
        #expect(body["medication_type"] == "prescription")
        #expect(body["reminder_enabled"] == true)
        let id = try #require(body["id"]?.intValue)
        let fetched = t.send("GET", "/api/v1/medications/\(id)", token: user.token)
        #expect(fetched.status == 200)
        #expect(fetched.jsonBody?["tags"] == ["heart", "daily"])
    }

    @Test func reminderDefaultsAndPatientFromActivePatient() throws {
        let user = try t.registerAndLogin("med")
        let response = t.send("POST", "/api/v1/medications", json: ["medication_name": "Ibuprofen"], token: user.token)
        #expect(response.status == 201)
        #expect(response.jsonBody?["reminder_enabled"] == false)
        #expect(response.jsonBody?["patient_id"]?.intValue == user.selfPatientID)
        #expect(response.jsonBody?["practitioner"] == .null)
    }

    @Test func validationNamesEveryBadField() throws {
        let user = try t.registerAndLogin("med")
        let response = t.send(
            "POST", "/api/v1/medications/",
            json: [
                "patient_id": .int(user.selfPatientID), "route": "by-mouth", "status": "paused",
                "effective_period_start": "2025-02-30", "reminder_times": ["8:00"],
                "dosage": .string(String(repeating: "x", count: 101)),
                "reminder_enabled": "yes",
            ], token: user.token)
        #expect(response.status == 422)
        let fields = Set(response.jsonBody?["detail"]?.arrayValue?.compactMap { $0["field"]?.stringValue } ?? [])
        #expect(
            fields == [
                "medication_name", "route", "status", "effective_period_start", "reminder_times", "dosage",
                "reminder_enabled",
            ])
        #expect(response.jsonBody?["status"] == "error")
    }

    @Test func reminderTimeRules() throws {
        let user = try t.registerAndLogin("med")
        func create(_ times: JSON) -> Int {
            t.send(
                "POST", "/api/v1/medications/", json: ["medication_name": "X", "reminder_times": times],
                token: user.token
            ).status
        }
        #expect(create(["08:00", "08:00"]) == 422)
        #expect(create(["24:00"]) == 422)
        #expect(create(.array((0..<13).map { .string("0\($0 % 10):1\($0 % 6)") })) == 422)
        #expect(create(.array((0..<12).map { .string(String(format: "%02d:00", $0)) })) == 201)
        #expect(create(["08:00", "7:00"]) == 422)
    }

    @Test func endBeforeStartAndMissingReferencesAreRefused() throws {
        let user = try t.registerAndLogin("med")
        let dates = t.send(
            "POST", "/api/v1/medications/",
            json: [
                "medication_name": "X", "effective_period_start": "2025-05-01", "effective_period_end": "2025-04-01",
            ], token: user.token)
        #expect(dates.status == 422)
        let missing = t.send(
            "POST", "/api/v1/medications/",
            json: ["medication_name": "X", "practitioner_id": 999_999_999, "pharmacy_id": 999_999_998],
            token: user.token)
        #expect(missing.status == 422)
        #expect(missing.jsonBody?["detail"]?.arrayValue?.count == 2)
    }

    @Test func hostileAndMalformedInput() throws {
        let user = try t.registerAndLogin("med")
        let sql = "Robert'); DROP TABLE medications;--"
        let script = "<script>alert(1)</script>"
        let stored = t.send(
            "POST", "/api/v1/medications/", json: ["medication_name": .string(sql), "notes": .string(script)],
            token: user.token)
        #expect(stored.status == 201)
        #expect(stored.jsonBody?["medication_name"] == .string(sql))
        #expect(stored.jsonBody?["notes"] == .string(script))
        #expect(
            t.send("POST", "/api/v1/medications/", raw: Array("{\"medication_name\": ".utf8), token: user.token).status
                == 422)
        #expect(
            t.send(
                "POST", "/api/v1/medications/", raw: [0x7B, 0x22, 0x6D, 0x22, 0x3A, 0x22, 0xFF, 0x22, 0x7D],
                token: user.token
            ).status == 422)
        #expect(
            t.send("POST", "/api/v1/medications/", json: ["medication_name", "x"], token: user.token).status == 422)
        #expect(t.send("POST", "/api/v1/medications/", json: ["medication_name": 5], token: user.token).status == 422)
        #expect(t.send("GET", "/api/v1/medications/abc", token: user.token).status == 422)
        #expect(t.send("GET", "/api/v1/medications/", token: nil).status == 401)
    }

    @Test func updateIsPartialAndDeleteAnswers204() throws {
        let user = try t.registerAndLogin("med")
        let created = t.send(
            "POST", "/api/v1/medications/", json: ["medication_name": "Metformin", "dosage": "500mg"], token: user.token
        )
        let id = try #require(created.jsonBody?["id"]?.intValue)
        let updated = t.send(
            "PUT", "/api/v1/medications/\(id)", json: ["status": "stopped", "reminder_times": ["21:00", "09:30"]],
            token: user.token)
        #expect(updated.status == 200)
        #expect(updated.jsonBody?["dosage"] == "500mg")
        #expect(updated.jsonBody?["status"] == "stopped")
        #expect(updated.jsonBody?["reminder_times"] == ["09:30", "21:00"])
        #expect(
            t.send("PUT", "/api/v1/medications/\(id)", json: ["medication_name": .null], token: user.token).status
                == 422)
        #expect(t.send("DELETE", "/api/v1/medications/\(id)", token: user.token).status == 204)
        #expect(t.send("GET", "/api/v1/medications/\(id)", token: user.token).status == 404)
    }

    @Test func listFiltersTagsPagingAndActiveOnly() throws {
        let user = try t.registerAndLogin("med")
        for (name, tags, status) in [
            ("Alpha", ["a", "b"], "active"), ("Beta", ["b"], "stopped"), ("Gamma", ["c"], "active"),
        ] {
            let response = t.send(
                "POST", "/api/v1/medications/",
                json: [
                    "medication_name": .string(name), "tags": .array(tags.map(JSON.string)), "status": .string(status),
                ], token: user.token)
            #expect(response.status == 201)
        }
        func names(_ query: String, path: String = "/api/v1/medications/") -> [String] {
            t.send("GET", path, token: user.token, query: query).jsonBody?.arrayValue?.compactMap {
                $0["medication_name"]?.stringValue
            } ?? []
        }
        #expect(names("") == ["Gamma", "Beta", "Alpha"])
        #expect(names("tags=b") == ["Beta", "Alpha"])
        #expect(names("tags=a&tags=c") == ["Gamma", "Alpha"])
        #expect(names("tags=a&tags=b&tag_match_all=true") == ["Alpha"])
        #expect(names("name=alp") == ["Alpha"])
        #expect(names("skip=1&limit=1") == ["Beta"])
        #expect(names("limit=1000").count == 3)
        #expect(t.send("GET", "/api/v1/medications/", token: user.token, query: "limit=-1").status == 422)
        #expect(
            names("active_only=true", path: "/api/v1/medications/patient/\(user.selfPatientID)") == ["Gamma", "Alpha"])
        #expect(names("", path: "/api/v1/patients/\(user.selfPatientID)/medications").count == 3)
        let viaPath = t.send(
            "POST", "/api/v1/patients/\(user.selfPatientID)/medications", json: ["medication_name": "Delta"],
            token: user.token)
        #expect(viaPath.status == 201)
    }

    @Test func anotherUsersMedicationsAreInvisible() throws {
        let owner = try t.registerAndLogin("own")
        let other = try t.registerAndLogin("oth")
        let created = t.send("POST", "/api/v1/medications/", json: ["medication_name": "Secret"], token: owner.token)
        let id = try #require(created.jsonBody?["id"]?.intValue)
        #expect(t.send("GET", "/api/v1/medications/\(id)", token: other.token).status == 404)
        #expect(t.send("PUT", "/api/v1/medications/\(id)", json: ["dosage": "1"], token: other.token).status == 404)
        #expect(t.send("DELETE", "/api/v1/medications/\(id)", token: other.token).status == 404)
        #expect(
            t.send("GET", "/api/v1/medications/", token: other.token, query: "patient_id=\(owner.selfPatientID)").status
                == 404)
        #expect(t.send("GET", "/api/v1/medications/patient/\(owner.selfPatientID)", token: other.token).status == 404)
        #expect(t.send("GET", "/api/v1/patients/\(owner.selfPatientID)/medications", token: other.token).status == 404)
        #expect(
            t.send(
                "POST", "/api/v1/patients/\(owner.selfPatientID)/medications", json: ["medication_name": "X"],
                token: other.token
            ).status == 404)
        #expect(
            t.send(
                "POST", "/api/v1/medications/",
                json: ["medication_name": "X", "patient_id": .int(owner.selfPatientID)], token: other.token
            ).status == 404)
        #expect(t.send("GET", "/api/v1/medications/\(id)", token: owner.token).status == 200)
    }
}
