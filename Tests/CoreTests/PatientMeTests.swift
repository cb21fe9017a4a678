import Testing

@testable import Core

/// `/patients/me` against a real MariaDB.
@Suite struct PatientMeTests {
    let t: TestApp
    init() throws { t = try TestApp() }

    @Test func getReturnsTheSelfRecordRegistrationMade() throws {
        let user = try t.registerAndLogin("pme")
        let response = t.send("GET", "/api/v1/patients/me", token: user.token)
        #expect(response.status == 200)
        let body = try #require(response.jsonBody?.objectValue)
        #expect(body["id"] == .int(user.selfPatientID))
        #expect(body["owner_user_id"] == .int(user.id))
        #expect(body["user_id"] == .int(user.id))
        #expect(body["is_self_record"] == true)
        #expect(
            body.keys == [
                "id", "owner_user_id", "user_id", "first_name", "last_name", "birth_date", "gender", "address",
                "phone_number", "blood_type", "height", "weight", "physician_id", "relationship_to_self",
                "is_self_record", "created_at", "updated_at",
            ])
        #expect(t.send("GET", "/api/v1/patients/me").status == 401)
    }

    @Test func postRefusesASecondSelfRecord() throws {
        let user = try t.registerAndLogin("pme")
        let response = t.send("POST", "/api/v1/patients/me", json: TestApp.patientBody(), token: user.token)
        #expect(response.status == 400)
        #expect(response.jsonBody?["error"] == "Patient record already exists")
    }

    @Test func deleteThenCreateAgain() throws {
        let user = try t.registerAndLogin("pme")
        let deleted = t.send("DELETE", "/api/v1/patients/me", token: user.token)
        #expect(deleted.status == 200)
        #expect(
            deleted.jsonBody?["message"] == "Patient record and all associated medical records deleted successfully")
        #expect(t.send("GET", "/api/v1/patients/me", token: user.token).status == 404)
        #expect(t.send("DELETE", "/api/v1/patients/me", token: user.token).status == 404)
        #expect(t.send("PUT", "/api/v1/patients/me", json: ["first_name": "X"], token: user.token).status == 404)
        #expect(t.send("GET", "/api/v1/patient-management/active/current", token: user.token).jsonBody == .null)

        let physician = try t.makePractitioner()
        let created = t.send(
            "POST", "/api/v1/patients/me",
            json: [
                "first_name": "John", "last_name": "Doe", "birth_date": "1990-01-15", "gender": "MALE",
                "address": "123 Main St, City, State 12345", "blood_type": "o+", "height": 70, "weight": 165,
                "physician_id": .int(physician), "phone_number": "+1234567890",
            ], token: user.token)
        #expect(created.status == 201)
        let body = try #require(created.jsonBody)
        #expect(body["gender"] == "male")
        #expect(body["blood_type"] == "O+")
        #expect(body["height"] == 70.0)
        #expect(body["physician_id"] == .int(physician))
        #expect(body["relationship_to_self"] == "self")
        #expect(body["is_self_record"] == true)
        #expect(body["birth_date"] == "1990-01-15")
        // The new self record becomes the active patient of a user who had none.
        #expect(
            t.send("GET", "/api/v1/patient-management/active/current", token: user.token).jsonBody?["id"] == body["id"])
    }

    @Test func postValidationNamesEveryBadField() throws {
        let user = try t.registerAndLogin("pme")
        #expect(t.send("DELETE", "/api/v1/patients/me", token: user.token).status == 200)
        let missing = t.send("POST", "/api/v1/patients/me", json: ["gender": "female"], token: user.token)
        #expect(missing.status == 400)
        #expect(TestApp.badFields(missing) == ["first_name", "last_name", "birth_date"])
        let wrong = t.send(
            "POST", "/api/v1/patients/me",
            json: [
                "first_name": 5, "last_name": .string(String(repeating: "x", count: 101)), "birth_date": "2023-02-30",
                "gender": "robot", "blood_type": "Z", "height": 0, "weight": 2000,
                "address": .string(String(repeating: "a", count: 501)),
                "phone_number": .string(String(repeating: "1", count: 31)), "physician_id": 999_999_999,
                "relationship_to_self": .string(String(repeating: "r", count: 51)),
            ], token: user.token)
        #expect(wrong.status == 400)
        #expect(TestApp.badFields(wrong) == Set(PatientFields.all.map(\.name)))
        #expect(
            t.send(
                "POST", "/api/v1/patients/me", json: TestApp.patientBody("A", ["birth_date": "2999-01-01"]),
                token: user.token
            ).status == 400)
        #expect(
            t.send(
                "POST", "/api/v1/patients/me", json: TestApp.patientBody("A", ["birth_date": "1899-12-31"]),
                token: user.token
            ).status == 400)
        #expect(
            t.send("POST", "/api/v1/patients/me", raw: Array("{\"first_name\": ".utf8), token: user.token).status == 422
        )
        #expect(t.send("POST", "/api/v1/patients/me", json: ["a", "b"], token: user.token).status == 422)
        #expect(t.send("POST", "/api/v1/patients/me", token: user.token).status == 422)
        #expect(t.send("GET", "/api/v1/patients/me", token: user.token).status == 404)
    }

    @Test func putIsPartialAndValidated() throws {
        let user = try t.registerAndLogin("pme")
        let first = t.send(
            "PUT", "/api/v1/patients/me", json: ["birth_date": "1985-03-04", "last_name": "Original"], token: user.token
        )
        #expect(first.status == 200)
        let updated = t.send(
            "PUT", "/api/v1/patients/me", json: ["first_name": "Jonathan", "address": "456 New Address"],
            token: user.token)
        #expect(updated.status == 200)
        #expect(updated.jsonBody?["first_name"] == "Jonathan")
        #expect(updated.jsonBody?["address"] == "456 New Address")
        #expect(updated.jsonBody?["last_name"] == "Original")
        #expect(updated.jsonBody?["birth_date"] == "1985-03-04")
        let cleared = t.send("PUT", "/api/v1/patients/me", json: ["address": .null, "height": ""], token: user.token)
        #expect(cleared.jsonBody?["address"] == .null)
        #expect(cleared.jsonBody?["first_name"] == "Jonathan")
        let bad = t.send(
            "PUT", "/api/v1/patients/me", json: ["first_name": .null, "birth_date": "tomorrow", "weight": -1],
            token: user.token)
        #expect(bad.status == 400)
        #expect(TestApp.badFields(bad) == ["first_name", "birth_date", "weight"])
        #expect(t.send("GET", "/api/v1/patients/me", token: user.token).jsonBody?["first_name"] == "Jonathan")
        #expect(t.send("PUT", "/api/v1/patients/me", json: [:], token: user.token).status == 200)
    }

    @Test func hostileStringsAreStoredLiterally() throws {
        let user = try t.registerAndLogin("pme")
        let sql = "Robert'); DROP TABLE patients;--"
        let script = "<script>alert('x')</script>"
        let response = t.send(
            "PUT", "/api/v1/patients/me", json: ["last_name": .string(sql), "address": .string(script)],
            token: user.token)
        #expect(response.status == 200)
        let body = t.send("GET", "/api/v1/patients/me", token: user.token).jsonBody
        #expect(body?["last_name"] == .string(sql))
        #expect(body?["address"] == .string(script))
    }

    @Test func deleteCascadesToRecordsAndIsAllowedForTheLastPatient() throws {
        let user = try t.registerAndLogin("pme")
        let medication = try t.insertMedication(patient: user.selfPatientID)
        #expect(t.send("DELETE", "/api/v1/patients/me", token: user.token).status == 200)
        #expect(try t.count("SELECT COUNT(*) AS n FROM medications WHERE id = ?", [.int(medication)]) == 0)
        #expect(try t.count("SELECT COUNT(*) AS n FROM patients WHERE owner_user_id = ?", [.int(user.id)]) == 0)
    }
}
