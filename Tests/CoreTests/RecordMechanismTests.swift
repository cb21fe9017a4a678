import Foundation
import Testing

@testable import Core

/// The record-type mechanism's newer parts, on the types that first use them: links
/// (condition ↔ medication), references to a patient's own records, child records,
/// date-times, code lookups, output aliases, and the statements a read costs.
@Suite struct RecordMechanismTests {
    func created(_ response: Response, _ what: String) throws -> Int64 {
        guard let id = response.jsonBody?["id"]?.intValue else {
            throw TestAppError(
                description: "\(what): \(response.status) \(String(decoding: response.body, as: UTF8.self))")
        }
        return id
    }

    // MARK: links

    @Test func linksNeedBothEndsReachableAndOfOnePatient() throws {
        let t = try TestApp()
        let user = try t.registerAndLogin("link")
        let stranger = try t.registerAndLogin("linkx")
        let condition = try created(
            t.send("POST", "/api/v1/conditions/", json: ["condition_name": "Asthma"], token: user.token), "condition")
        let mine = try t.insertMedication(patient: user.selfPatientID)
        let child = try t.createPatient(user, "Kid")
        let childs = try t.insertMedication(patient: child)
        let foreign = try t.insertMedication(patient: stranger.selfPatientID)
        let path = "/api/v1/conditions/\(condition)/medications"

        #expect(t.send("POST", path, json: ["medication_id": .int(foreign)], token: user.token).status == 404)
        #expect(t.send("POST", path, json: ["medication_id": .int(childs)], token: user.token).status == 400)
        let link = t.send(
            "POST", path, json: ["medication_id": .int(mine), "relevance_note": "rescue"], token: user.token)
        #expect(link.status == 201)
        #expect(link.jsonBody?["medication"]?["id"] == .int(mine))
        #expect(t.send("POST", path, json: ["medication_id": .int(mine)], token: user.token).status == 400)
        // The stranger can neither see nor change it, from either side.
        let linkID = try #require(link.jsonBody?["id"]?.intValue)
        #expect(
            t.send("GET", "/api/v1/conditions/condition-medications/\(condition)", token: stranger.token).status == 404)
        #expect(t.send("DELETE", "\(path)/\(linkID)", token: stranger.token).status == 404)
        #expect(t.send("GET", "/api/v1/conditions/medication/\(mine)/conditions", token: stranger.token).status == 404)
        let reverse = t.send("GET", "/api/v1/conditions/medication/\(mine)/conditions", token: user.token)
        #expect(reverse.jsonBody?.arrayValue?.first?["condition"]?["diagnosis"] == "Asthma")

        let updated = t.send("PUT", "\(path)/\(linkID)", json: ["relevance_note": "daily"], token: user.token)
        #expect(updated.jsonBody?["relevance_note"] == "daily")
        #expect(t.send("DELETE", "\(path)/\(linkID)", token: user.token).jsonBody?["message"] != nil)
    }

    @Test func bulkLinksAllOrNothing() throws {
        let t = try TestApp()
        let user = try t.registerAndLogin("bulk")
        let stranger = try t.registerAndLogin("bulkx")
        let condition = try created(
            t.send("POST", "/api/v1/conditions/", json: ["condition_name": "Gout"], token: user.token), "condition")
        let a = try t.insertMedication(patient: user.selfPatientID)
        let b = try t.insertMedication(patient: user.selfPatientID)
        let foreign = try t.insertMedication(patient: stranger.selfPatientID)
        let path = "/api/v1/conditions/\(condition)/medications/bulk"
        func linked() throws -> Int64 {
            try t.count("SELECT COUNT(*) AS n FROM condition_medications WHERE condition_id = ?", [.int(condition)])
        }
        #expect(
            t.send("POST", path, json: ["medication_ids": [.int(a), .int(foreign)]], token: user.token).status == 404)
        #expect(try linked() == 0)
        for bad: JSON in [[], [.int(a), .int(a)], ["x"], [0]] {
            #expect(t.send("POST", path, json: ["medication_ids": bad], token: user.token).status == 422)
        }
        _ = t.send(
            "POST", "/api/v1/conditions/\(condition)/medications", json: ["medication_id": .int(a)], token: user.token)
        let bulk = t.send(
            "POST", path, json: ["medication_ids": [.int(a), .int(b)], "relevance_note": "n"], token: user.token)
        #expect(bulk.status == 200)
        #expect(bulk.jsonBody?.arrayValue?.map { $0["medication_id"] } == [.int(b)])  // a was linked: skipped
        #expect(try linked() == 2)
    }

    // MARK: references to the same patient's records

    @Test func referencesToPatientRecordsStayWithinThePatient() throws {
        let t = try TestApp()
        let user = try t.registerAndLogin("ref")
        let child = try t.createPatient(user, "Kid")
        let condition = try created(
            t.send(
                "POST", "/api/v1/conditions/", json: ["condition_name": "Flu", "patient_id": .int(child)],
                token: user.token),
            "condition")
        // The condition is the caller's, but another patient's: refused, naming the field.
        let refused = t.send(
            "POST", "/api/v1/encounters/", json: ["encounter_date": "2025-01-02", "condition_id": .int(condition)],
            token: user.token)
        #expect(refused.status == 422)
        #expect(TestApp.badFields(refused) == ["condition_id"])
        let accepted = t.send(
            "POST", "/api/v1/encounters/",
            json: [
                "date": "2025-01-02", "visit_type": "Checkup", "condition_id": .int(condition),
                "patient_id": .int(child),
            ],
            token: user.token)
        #expect(accepted.status == 201)
        #expect(accepted.jsonBody?["condition"]?["condition_name"] == "Flu")
        #expect(accepted.jsonBody?["encounter_type"] == "Checkup")
        #expect(accepted.jsonBody?["visit_type"] == "Checkup")
        #expect(accepted.jsonBody?["encounter_date"] == "2025-01-02")
    }

    // MARK: child records

    /// A type scoped to its parent is reached only through the parent's access.
    @Test func childRecordsFollowTheirParentsAccess() throws {
        let t = try TestApp()
        try t.services.db.run(
            """
            CREATE TABLE IF NOT EXISTS test_condition_notes (id BIGINT AUTO_INCREMENT PRIMARY KEY,
              condition_id BIGINT NOT NULL, note VARCHAR(100) NOT NULL,
              created_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP, updated_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP)
            """)
        let type = RecordType(
            name: "Note", table: "test_condition_notes", path: "/notes", idParameter: "note_id",
            scope: .child(parentTable: "conditions", column: "condition_id"),
            fields: [
                FieldSpec("condition_id", .integer(1...Int64.max), required: true, immutable: true),
                FieldSpec("note", .string(maxLength: 100, minLength: 1), required: true),
            ], labelField: "note")
        let handlers = RecordHandlers(type)
        let routes = RouteTable()
        handlers.register(in: routes)
        let app = App(shared: t.app.shared, routes: routes)
        let owner = try t.registerAndLogin("child")
        let stranger = try t.registerAndLogin("childx")
        let condition = try created(
            t.send("POST", "/api/v1/conditions/", json: ["condition_name": "Eczema"], token: owner.token), "condition")
        func send(_ method: String, _ path: String, _ json: JSON? = nil, _ user: TestUser) -> Response {
            var headers = ["authorization": "Bearer \(user.token)"]
            if json != nil { headers["content-type"] = "application/json" }
            return app.handle(
                Request(method: method, path: path, headers: headers, body: json?.serialized() ?? []),
                services: t.services)
        }
        #expect(send("POST", "/notes", ["condition_id": .int(condition), "note": "x"], stranger).status == 404)
        let note = try created(
            send("POST", "/notes", ["condition_id": .int(condition), "note": "itchy"], owner), "note")
        #expect(send("GET", "/notes/\(note)", nil, owner).status == 200)
        #expect(send("GET", "/notes/\(note)", nil, stranger).status == 404)
        #expect(send("PUT", "/notes/\(note)", ["note": "y"], stranger).status == 404)
        #expect(send("GET", "/notes", nil, stranger).jsonBody == .array([]))
        #expect(send("GET", "/notes", nil, owner).jsonBody?.arrayValue?.count ?? 0 >= 1)
        #expect(send("DELETE", "/notes/\(note)", nil, owner).status == 200)
    }

    // MARK: date-times, lookups, aliases

    @Test func dateTimesAreNormalisedToUTC() {
        #expect(DateTimeText.parse("2025-10-04T10:30:00Z")?.iso == "2025-10-04T10:30:00Z")
        #expect(DateTimeText.parse("2025-10-04T01:30:00+02:00")?.iso == "2025-10-03T23:30:00Z")
        #expect(DateTimeText.parse("2025-12-31T23:30-0100")?.iso == "2026-01-01T00:30:00Z")
        #expect(DateTimeText.parse("2025-10-04 10:30:15.123456")?.sql == "2025-10-04 10:30:15")
        #expect(DateTimeText.parse("2025-10-04")?.iso == "2025-10-04T00:00:00Z")
        #expect(DateTimeText.parse("2025-10-04", endOfDay: true)?.sql == "2025-10-04 23:59:59")
        for bad in ["2025-13-01T00:00:00Z", "2025-10-04T24:00", "2025-10-04T10", "yesterday", "2025-02-30"] {
            #expect(DateTimeText.parse(bad) == nil, "\(bad)")
        }
    }

    @Test func vaccineCodesResolveToTheCatalog() throws {
        let t = try TestApp()
        let user = try t.registerAndLogin("who")
        let bcg = try #require(
            try t.services.db.queryOne("SELECT id FROM standardized_vaccines WHERE who_code = 'BCG'")?.int("id"))
        let made = t.send(
            "POST", "/api/v1/immunizations/",
            json: ["vaccine_name": "BCG", "administration_date": "2020-01-01", "standardized_vaccine_who_code": "BCG"],
            token: user.token)
        #expect(made.jsonBody?["standardized_vaccine_id"] == .int(bcg))
        #expect(made.jsonBody?["date_administered"] == "2020-01-01")
        let id = try created(made, "immunization")
        let unknown = t.send(
            "PUT", "/api/v1/immunizations/\(id)", json: ["standardized_vaccine_who_code": "NoSuchCode"],
            token: user.token)
        #expect(unknown.jsonBody?["standardized_vaccine_id"] == .null)
    }

    // MARK: list encoding

    /// Lists write rows straight to bytes; each item must equal what the item's own GET
    /// (rendered through the JSON tree) answers, for every kind of field and embed.
    @Test func listItemsEqualTheirSingleRecord() throws {
        let t = try TestApp()
        let user = try t.registerAndLogin("enc")
        let practitioner = try t.makePractitioner()
        let condition = try created(
            t.send(
                "POST", "/api/v1/conditions/",
                json: [
                    "condition_name": "Quote \" and \\ é🙂", "practitioner_id": .int(practitioner), "tags": ["a", "b"],
                ],
                token: user.token), "condition")
        _ = try created(
            t.send(
                "POST", "/api/v1/vitals/",
                json: [
                    "recorded_date": "2025-10-01T08:00:00+02:00", "weight": 150, "temperature": 98.6, "heart_rate": 70,
                ],
                token: user.token), "vitals")
        _ = try created(
            t.send(
                "POST", "/api/v1/medications/",
                json: ["medication_name": "Med", "reminder_enabled": true, "reminder_times": ["08:00"], "tags": []],
                token: user.token), "medication")
        _ = try created(
            t.send(
                "POST", "/api/v1/encounters/",
                json: ["encounter_date": "2025-01-01", "condition_id": .int(condition), "duration_minutes": 30],
                token: user.token), "encounter")
        for path in ["/api/v1/conditions", "/api/v1/vitals", "/api/v1/medications", "/api/v1/encounters"] {
            let items = try #require(t.send("GET", path + "/", token: user.token).jsonBody?.arrayValue)
            #expect(!items.isEmpty, "\(path)")
            for item in items {
                let id = try #require(item["id"]?.intValue)
                #expect(t.send("GET", "\(path)/\(id)", token: user.token).jsonBody == item, "\(path)/\(id)")
            }
        }
    }

    // MARK: statements per read

    /// An authenticated read that finds rows sends one statement: the read proves the
    /// token (and resolves the active patient) itself. An empty answer sends one more, the
    /// token check, which tells a refused token from an empty list.
    @Test func aListWithRowsCostsOneStatement() throws {
        let t = try TestApp()
        let user = try t.registerAndLogin("stmt")
        _ = t.send("GET", "/api/v1/allergies/", token: user.token)  // statements prepared once
        func executed() throws -> Int64 {
            try t.services.db.queryOne(
                "SELECT VARIABLE_VALUE AS n FROM information_schema.SESSION_STATUS WHERE VARIABLE_NAME = 'COM_STMT_EXECUTE'"
            )?.int("n") ?? -1
        }
        func statements(_ query: String = "") throws -> (status: Int, count: Int?, statements: Int64) {
            let before = try executed()
            let response = t.send("GET", "/api/v1/allergies/", token: user.token, query: query)
            let after = try executed()
            return (response.status, response.jsonBody?.arrayValue?.count, after - before - 1)  // minus the count
        }
        #expect(try statements() == (200, 0, 2))
        _ = t.send("POST", "/api/v1/allergies/", json: ["allergen": "Dust", "severity": "mild"], token: user.token)
        #expect(try statements() == (200, 1, 1))
        // Naming the patient costs no more: the access check rides in the list's statement.
        let query = "patient_id=\(user.selfPatientID)"
        _ = try statements(query)  // its statement prepared once
        #expect(try statements(query) == (200, 1, 1))
        // …and another user's patient is still a 404, not an empty list.
        let stranger = try t.registerAndLogin("stmtx")
        #expect(t.send("GET", "/api/v1/allergies/", token: stranger.token, query: query).status == 404)
    }

    // MARK: vitals statistics

    @Test func vitalsTotalsFollowEveryChange() throws {
        let t = try TestApp()
        let user = try t.registerAndLogin("vit")
        var ids: [Int64] = []
        for (day, systolic) in [(1, 120), (2, 130), (3, 140)] {
            ids.append(
                try created(
                    t.send(
                        "POST", "/api/v1/vitals/",
                        json: [
                            "recorded_date": .string("2025-10-0\(day)T08:00:00Z"), "systolic_bp": .int(Int64(systolic)),
                            "diastolic_bp": 80, "weight": .double(150 + Double(day)),
                        ], token: user.token), "vitals"))
        }
        _ = t.send("PUT", "/api/v1/vitals/\(ids[2])", json: ["systolic_bp": 150], token: user.token)
        _ = t.send("DELETE", "/api/v1/vitals/\(ids[0])", token: user.token)
        let stats = try #require(t.send("GET", "/api/v1/vitals/stats", token: user.token).jsonBody)
        #expect(stats["total_readings"] == 2)
        #expect(stats["avg_systolic_bp"] == .double(140))
        #expect(stats["blood_pressure_avg"]?["diastolic"] == .double(80))
        #expect(stats["latest_reading_date"] == "2025-10-03T08:00:00Z")
        #expect(stats["weight_change"] == .double(1))
        #expect(stats["weight_trend"] == "increasing")
    }
}
