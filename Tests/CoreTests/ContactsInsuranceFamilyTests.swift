import Foundation
import Testing

@testable import Core

/// Insurances, emergency contacts and family history: one primary per patient (per
/// insurance type), cleared in the write's transaction; a family member's conditions
/// reached only through the family member.
@Suite struct ContactsInsuranceFamilyTests {
    let t: TestApp
    init() throws { t = try TestApp() }

    func id(_ response: Response, _ what: String) throws -> Int64 {
        guard response.status == 201, let id = response.jsonBody?["id"]?.intValue else {
            throw TestAppError(
                description: "\(what): \(response.status) \(String(decoding: response.body, as: UTF8.self))")
        }
        return id
    }

    /// The ids of the records a GET lists.
    func ids(_ path: String, _ user: TestUser, query: String = "") -> [Int64] {
        t.send("GET", path, token: user.token, query: query).jsonBody?.arrayValue?.compactMap { $0["id"]?.intValue }
            ?? []
    }

    /// The fields a 422 names.
    func named(_ response: Response) -> [String] {
        (response.jsonBody?["detail"]?.arrayValue ?? []).compactMap { $0["field"]?.stringValue }.sorted()
    }

    func primaries(_ table: String, patient: Int64) throws -> [Int64] {
        try t.services.db.query(
            "SELECT id FROM \(table) WHERE patient_id = ? AND is_primary = 1 ORDER BY id", [.int(patient)]
        ).compactMap { $0.int("id") }
    }

    // MARK: insurances

    @Test func insuranceAnswersBothNamesAndKeepsOnePrimaryPerType() throws {
        let user = try t.registerAndLogin("ins")
        let contract = t.send(
            "POST", "/api/v1/insurances/",
            json: [
                "patient_id": .int(user.selfPatientID), "provider_name": "Blue Cross Blue Shield",
                "policy_number": "ABC123456", "group_number": "GRP789", "insurance_type": "primary",
                "effective_date": "2025-01-01", "expiration_date": "2025-12-31", "notes": "PPO plan",
            ], token: user.token)
        #expect(contract.status == 201)
        let body = try #require(contract.jsonBody)
        #expect(body["company_name"] == "Blue Cross Blue Shield" && body["provider_name"] == "Blue Cross Blue Shield")
        #expect(body["member_id"] == "ABC123456" && body["policy_number"] == "ABC123456")
        #expect(body["status"] == "active" && body["is_primary"] == .bool(false) && body["coverage_details"] == .null)

        func medical(_ name: String, primary: Bool, type: String = "medical") throws -> Int64 {
            try id(
                t.send(
                    "POST", "/api/v1/insurances",
                    json: [
                        "insurance_type": .string(type), "company_name": .string(name), "effective_date": "2025-01-01",
                        "is_primary": .bool(primary), "coverage_details": ["copay_pcp": 25, "tiers": ["a", "b"]],
                    ], token: user.token), name)
        }
        let first = try medical("Aetna", primary: true)
        let dental = try medical("Delta", primary: true, type: "dental")
        let second = try medical("Cigna", primary: true)
        #expect(try primaries("insurances", patient: user.selfPatientID) == [dental, second])
        let promoted = t.send("PATCH", "/api/v1/insurances/\(first)/set-primary", token: user.token)
        #expect(promoted.status == 200 && promoted.jsonBody?["is_primary"] == .bool(true))
        #expect(try primaries("insurances", patient: user.selfPatientID) == [first, dental])
        #expect(
            t.send("GET", "/api/v1/insurances/\(first)", token: user.token).jsonBody?["coverage_details"]
                == ["copay_pcp": 25, "tiers": ["a", "b"]])
        // Moving a primary to another type takes that type's primary place.
        #expect(
            t.send("PUT", "/api/v1/insurances/\(first)", json: ["insurance_type": "dental"], token: user.token).status
                == 200)
        #expect(try primaries("insurances", patient: user.selfPatientID) == [first])

        let status = t.send(
            "PATCH", "/api/v1/insurances/\(second)/status", json: ["status": "inactive", "company_name": "ignored"],
            token: user.token)
        #expect(status.status == 200 && status.jsonBody?["status"] == "inactive")
        #expect(status.jsonBody?["company_name"] == "Cigna")
        #expect(
            named(t.send("PATCH", "/api/v1/insurances/\(second)/status", json: [:], token: user.token)) == ["status"])
        #expect(
            named(t.send("PATCH", "/api/v1/insurances/\(second)/status", json: ["status": "lapsed"], token: user.token))
                == ["status"])
        #expect(ids("/api/v1/insurances", user, query: "active_only=true").contains(second) == false)
        #expect(ids("/api/v1/insurances", user, query: "status=inactive") == [second])
        #expect(ids("/api/v1/insurances", user, query: "insurance_type=DENTAL") == [dental, first])
        #expect(ids("/api/v1/insurances/search", user, query: "company=cig") == [second])
        #expect(named(t.send("GET", "/api/v1/insurances/search", token: user.token)) == ["company"])
        #expect(ids("/api/v1/insurances/expiring", user, query: "days=365").isEmpty == false)
        #expect(named(t.send("GET", "/api/v1/insurances/expiring", token: user.token, query: "days=400")) == ["days"])

        let bad = t.send(
            "POST", "/api/v1/insurances",
            json: [
                "insurance_type": "life", "company_name": "X", "effective_date": "2025-06-01",
                "coverage_details": ["not", "an", "object"], "relationship_to_holder": "boss",
            ], token: user.token)
        #expect(bad.status == 422)
        #expect(named(bad) == ["coverage_details", "insurance_type", "relationship_to_holder"])
        let backwards = t.send(
            "POST", "/api/v1/insurances",
            json: [
                "insurance_type": "vision", "company_name": "X", "effective_date": "2025-06-01",
                "expiration_date": "2025-01-01",
            ], token: user.token)
        #expect(named(backwards) == ["expiration_date"])
        #expect(named(t.send("POST", "/api/v1/insurances", json: [:], token: user.token)).contains("company_name"))
    }

    /// A JSON object deeper than MariaDB's JSON columns hold is a 422, not a failed insert.
    @Test func deepCoverageDetailsAreRefused() throws {
        let user = try t.registerAndLogin("deep")
        var nested: JSON = 1
        for _ in 0..<20 { nested = ["a": nested] }
        let response = t.send(
            "POST", "/api/v1/insurances",
            json: [
                "insurance_type": "medical", "company_name": "Deep", "effective_date": "2025-01-01",
                "coverage_details": nested,
            ], token: user.token)
        #expect(response.status == 422 && named(response) == ["coverage_details"])
    }

    // MARK: emergency contacts

    @Test func oneEmergencyContactIsPrimary() throws {
        let user = try t.registerAndLogin("ec")
        func contact(_ name: String, primary: Bool) throws -> Int64 {
            try id(
                t.send(
                    "POST", "/api/v1/emergency-contacts/",
                    json: [
                        "name": .string(name), "relationship": "Spouse", "phone_number": "+1234567890",
                        "is_primary": .bool(primary),
                    ], token: user.token), name)
        }
        let jane = try contact("Jane Doe", primary: true)
        let john = try contact("John Doe", primary: false)
        #expect(try primaries("emergency_contacts", patient: user.selfPatientID) == [jane])
        let ann = try contact("Ann Doe", primary: true)
        #expect(try primaries("emergency_contacts", patient: user.selfPatientID) == [ann])
        #expect(
            t.send("PUT", "/api/v1/emergency-contacts/\(john)", json: ["is_primary": true], token: user.token).status
                == 200)
        #expect(try primaries("emergency_contacts", patient: user.selfPatientID) == [john])
        #expect(t.send("POST", "/api/v1/emergency-contacts/\(jane)/set-primary", token: user.token).status == 200)
        #expect(try primaries("emergency_contacts", patient: user.selfPatientID) == [jane])
        // Primary first, then by name.
        #expect(ids("/api/v1/emergency-contacts", user) == [jane, ann, john])
        #expect(ids("/api/v1/emergency-contacts", user, query: "is_primary=false") == [ann, john])
        #expect(
            named(t.send("GET", "/api/v1/emergency-contacts", token: user.token, query: "is_active=maybe")) == [
                "is_active"
            ])
        let primary = t.send(
            "GET", "/api/v1/emergency-contacts/patient/\(user.selfPatientID)/primary", token: user.token)
        #expect(primary.jsonBody?["id"] == .int(jane) && primary.jsonBody?["relationship"] == "spouse")
        #expect(
            t.send("PUT", "/api/v1/emergency-contacts/\(jane)", json: ["is_primary": false], token: user.token).status
                == 200)
        #expect(
            t.send("GET", "/api/v1/emergency-contacts/patient/\(user.selfPatientID)/primary", token: user.token).status
                == 404)
        let bad = t.send(
            "POST", "/api/v1/emergency-contacts",
            json: ["name": "X", "relationship": "boss", "phone_number": "12", "email": "nope"], token: user.token)
        #expect(named(bad) == ["email", "name", "relationship"])
        let shortPhone = t.send(
            "POST", "/api/v1/emergency-contacts",
            json: ["name": "Xavier", "relationship": "friend", "phone_number": "555-0100"], token: user.token)
        #expect(named(shortPhone) == ["phone_number"])
        // Another patient's primary is not touched.
        let other = try t.registerAndLogin("ecx")
        _ = try id(
            t.send(
                "POST", "/api/v1/emergency-contacts",
                json: ["name": "Bob", "relationship": "friend", "phone_number": "5550100100", "is_primary": true],
                token: other.token), "other's contact")
        #expect(try primaries("emergency_contacts", patient: user.selfPatientID) == [])
        #expect(t.send("POST", "/api/v1/emergency-contacts/\(john)/set-primary", token: other.token).status == 404)
        #expect(try primaries("emergency_contacts", patient: user.selfPatientID) == [])
    }

    /// The hook runs inside the write's transaction: when the write fails after it, the
    /// other records keep their primary flag.
    @Test func clearingThePrimaryRollsBackWithAFailedWrite() throws {
        let user = try t.registerAndLogin("ecr")
        let jane = try id(
            t.send(
                "POST", "/api/v1/emergency-contacts",
                json: ["name": "Jane", "relationship": "spouse", "phone_number": "5550100100", "is_primary": true],
                token: user.token), "jane")
        let failing = RecordType(
            name: "Emergency Contact", table: "emergency_contacts", path: "/failing", idParameter: "id",
            scope: .patient(column: "patient_id"),
            fields: EmergencyContacts.type.fields + [FieldSpec("no_such_column", .string(maxLength: 10))],
            labelField: "name", beforeWrite: EmergencyContacts.type.beforeWrite)
        let routes = RouteTable()
        RecordHandlers(failing).register(in: routes)
        let app = App(shared: t.app.shared, routes: routes)
        let response = app.handle(
            Request(
                method: "POST", path: "/failing",
                headers: ["authorization": "Bearer \(user.token)", "content-type": "application/json"],
                body: JSON.object([
                    "name": "Ann", "relationship": "friend", "phone_number": "5550100101", "is_primary": true,
                    "no_such_column": "x",
                ]).serialized()), services: t.services)
        #expect(response.status == 500)
        #expect(try primaries("emergency_contacts", patient: user.selfPatientID) == [jane])
    }

    // MARK: family members and their conditions

    @Test func familyMembersCarryTheirConditions() throws {
        let user = try t.registerAndLogin("fam")
        let stranger = try t.registerAndLogin("famx")
        let father = try id(
            t.send(
                "POST", "/api/v1/family-members/",
                json: [
                    "patient_id": .int(user.selfPatientID), "name": "John Doe Sr.", "relationship": "Father",
                    "birth_date": "1960-05-20", "is_deceased": false, "medical_history": "Diabetes, Hypertension",
                ], token: user.token), "father")
        let base = "/api/v1/family-members/\(father)/conditions"
        let diabetes = try id(
            t.send(
                "POST", base, json: ["condition_name": "Diabetes Type 2", "diagnosis_age": 55, "notes": "Controlled"],
                token: user.token), "diabetes")
        let hypertension = try id(
            t.send(
                "POST", base + "/", json: ["condition_name": "Hypertension", "diagnosis_age": 45], token: user.token),
            "hypertension")
        let member = try #require(t.send("GET", "/api/v1/family-members/\(father)", token: user.token).jsonBody)
        #expect(member["relationship"] == "father" && member["birth_date"] == "1960-05-20")
        let conditions = try #require(member["family_conditions"]?.arrayValue)
        #expect(conditions.compactMap { $0["id"]?.intValue } == [hypertension, diabetes])
        #expect(conditions.last?["diagnosis_age"] == 55 && conditions.last?["family_member_id"] == .int(father))
        #expect(conditions.last?["created_at"]?.stringValue?.hasSuffix("Z") == true)
        #expect(ids(base, user) == [hypertension, diabetes])
        #expect(
            t.send("GET", "/api/v1/family-members", token: user.token).jsonBody?.arrayValue?.first?[
                "family_conditions"]?
                .arrayValue?.count == 2)

        // Through another family member's path, or by another user: not found.
        let mother = try id(
            t.send(
                "POST", "/api/v1/family-members", json: ["name": "Jane", "relationship": "mother"], token: user.token),
            "mother")
        let elsewhere = "/api/v1/family-members/\(mother)/conditions/\(diabetes)"
        #expect(t.send("PUT", elsewhere, json: ["diagnosis_age": 1], token: user.token).status == 404)
        #expect(t.send("DELETE", elsewhere, token: user.token).status == 404)
        #expect(t.send("GET", elsewhere, token: user.token).status == 404)
        #expect(t.send("GET", base, token: stranger.token).status == 404)
        #expect(t.send("POST", base, json: ["condition_name": "Gout"], token: stranger.token).status == 404)
        #expect(t.send("PUT", "\(base)/\(diabetes)", json: ["diagnosis_age": 1], token: stranger.token).status == 404)
        #expect(t.send("DELETE", "\(base)/\(diabetes)", token: stranger.token).status == 404)
        #expect(t.send("GET", "/api/v1/family-members/\(mother)/conditions", token: user.token).jsonBody == .array([]))

        let updated = t.send(
            "PUT", "\(base)/\(diabetes)", json: ["diagnosis_age": 50, "family_member_id": .int(mother)],
            token: user.token)
        #expect(updated.jsonBody?["diagnosis_age"] == 50 && updated.jsonBody?["family_member_id"] == .int(father))
        let bad = t.send(
            "POST", base, json: ["condition_name": "X", "diagnosis_age": 130, "severity": "extreme"], token: user.token)
        #expect(named(bad) == ["condition_name", "diagnosis_age", "severity"])
        #expect(
            t.send("DELETE", "\(base)/\(diabetes)", token: user.token).jsonBody == [
                "message": "Family Condition deleted successfully"
            ])

        // Deleting the family member takes its conditions along.
        #expect(
            t.send("DELETE", "/api/v1/family-members/\(father)", token: user.token).jsonBody == [
                "message": "Family Member deleted successfully"
            ])
        #expect(
            try t.services.db.queryOne("SELECT id FROM family_conditions WHERE id = ?", [.int(hypertension)]) == nil)
        #expect(t.send("GET", base, token: user.token).status == 404)
    }

    @Test func familySearchDropdownAndRules() throws {
        let user = try t.registerAndLogin("fams")
        let grandma = try id(
            t.send(
                "POST", "/api/v1/family-members",
                json: [
                    "name": "Rose Miller", "relationship": "maternal_grandmother", "gender": "F", "birth_year": 1930,
                    "death_year": 2001, "is_deceased": true,
                ], token: user.token), "grandma")
        let uncle = try id(
            t.send(
                "POST", "/api/v1/family-members", json: ["name": "Sam Miller", "relationship": "uncle"],
                token: user.token),
            "uncle")
        #expect(ids("/api/v1/family-members/search/", user, query: "name=mill") == [uncle, grandma])
        #expect(ids("/api/v1/family-members/search", user, query: "name=rose") == [grandma])
        #expect(named(t.send("GET", "/api/v1/family-members/search/", token: user.token, query: "name=r")) == ["name"])
        #expect(ids("/api/v1/family-members", user, query: "relationship=Uncle") == [uncle])
        #expect(
            named(t.send("GET", "/api/v1/family-members", token: user.token, query: "relationship=pet")) == [
                "relationship"
            ])
        let dropdown = t.send("GET", "/api/v1/family-members/dropdown", token: user.token).jsonBody
        #expect(
            dropdown
                == [
                    ["id": .int(grandma), "name": "Rose Miller", "relationship": "maternal_grandmother"],
                    ["id": .int(uncle), "name": "Sam Miller", "relationship": "uncle"],
                ])
        let alive = t.send(
            "POST", "/api/v1/family-members", json: ["name": "Al", "relationship": "brother", "death_year": 2020],
            token: user.token)
        #expect(named(alive) == ["death_year"])
        let backwards = t.send(
            "PUT", "/api/v1/family-members/\(grandma)", json: ["death_year": 1920], token: user.token)
        #expect(named(backwards) == ["death_year"])
        #expect(
            t.send("GET", "/api/v1/family-members/\(grandma)", token: user.token).jsonBody?["gender"] == "female")
    }
}
