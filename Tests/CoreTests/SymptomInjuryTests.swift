import Foundation
import Testing

@testable import Core

/// Symptoms (with occurrences, statistics, timeline and links) and injuries (with the
/// shared injury types and links), in-process against a real MariaDB.
@Suite struct SymptomInjuryTests {
    func created(_ response: Response, _ what: String) throws -> Int64 {
        guard response.status == 201 || response.status == 200, let id = response.jsonBody?["id"]?.intValue else {
            throw TestAppError(
                description: "\(what): \(response.status) \(String(decoding: response.body, as: UTF8.self))")
        }
        return id
    }

    func symptom(_ t: TestApp, _ user: TestUser, _ body: JSONObject = [:]) throws -> Int64 {
        var json: JSONObject = ["symptom_name": "Headache", "body_part": "Head"]
        for (key, value) in body { json[key] = value }
        return try created(t.send("POST", "/api/v1/symptoms/", json: .object(json), token: user.token), "symptom")
    }

    // MARK: symptoms and occurrences

    @Test func symptomsCountTheirOccurrencesAndFilter() throws {
        let t = try TestApp()
        let user = try t.registerAndLogin("sym")
        let bad = t.send(
            "POST", "/api/v1/symptoms/", json: ["symptom_name": "", "status": "gone", "is_chronic": "maybe"],
            token: user.token)
        #expect(bad.status == 422)
        #expect(TestApp.badFields(bad) == ["symptom_name", "status", "is_chronic"])

        let headache = try symptom(t, user, ["general_notes": "tension", "status": "ACTIVE"])
        let nausea = try symptom(t, user, ["symptom_name": "Nausea", "status": "resolved"])
        let got = t.send("GET", "/api/v1/symptoms/\(headache)", token: user.token).jsonBody
        #expect(got?["notes"] == "tension")
        #expect(got?["general_notes"] == "tension")
        #expect(got?["status"] == "active")
        #expect(got?["occurrence_count"] == 0)
        #expect(got?["last_occurrence_date"] == .null)

        let path = "/api/v1/symptoms/\(headache)/occurrences"
        for (day, severity) in [("2025-03-01", "mild"), ("2025-03-04T22:30:00-05:00", "severe")] {
            let body: JSON = ["occurred_at": .string(day), "severity": .string(severity), "symptom_id": .int(nausea)]
            _ = try created(t.send("POST", path, json: body, token: user.token), "occurrence")
        }
        // The path names the symptom, whatever the body says; an offset is converted to UTC.
        let after = t.send("GET", "/api/v1/symptoms/\(headache)", token: user.token).jsonBody
        #expect(after?["occurrence_count"] == 2)
        #expect(after?["last_occurrence_date"] == "2025-03-05")
        let list = t.send("GET", path, token: user.token).jsonBody?.arrayValue ?? []
        #expect(list.map { $0["occurred_at"] } == ["2025-03-05T03:30:00Z", "2025-03-01T00:00:00Z"])
        #expect(list.first?["occurrence_date"] == "2025-03-05")

        let missing = t.send("POST", path, json: ["notes": "x"], token: user.token)
        #expect(TestApp.badFields(missing) == ["occurred_at", "severity"])
        let early = t.send(
            "POST", path,
            json: ["occurred_at": "2025-03-02T10:00:00Z", "severity": "mild", "resolved_date": "2025-03-01"],
            token: user.token)
        #expect(TestApp.badFields(early) == ["resolved_date"])

        func names(_ query: String) -> [JSON] {
            t.send("GET", "/api/v1/symptoms", token: user.token, query: query).jsonBody?.arrayValue?.map {
                $0["symptom_name"] ?? .null
            } ?? []
        }
        #expect(names("status=resolved") == ["Nausea"])
        #expect(names("search=ache") == ["Headache"])
        #expect(names("search=%25") == [])
        #expect(t.send("GET", "/api/v1/symptoms", token: user.token, query: "status=nope").status == 422)

        // Deleting the symptom deletes its occurrences.
        #expect(t.send("DELETE", "/api/v1/symptoms/\(headache)", token: user.token).status == 200)
        #expect(
            try t.count("SELECT COUNT(*) AS n FROM symptom_occurrences WHERE symptom_id = ?", [.int(headache)]) == 0)
    }

    @Test func occurrencesAreReachedOnlyThroughTheirOwnSymptom() throws {
        let t = try TestApp()
        let user = try t.registerAndLogin("occ")
        let stranger = try t.registerAndLogin("occx")
        let headache = try symptom(t, user)
        let cough = try symptom(t, user, ["symptom_name": "Cough"])
        let path = "/api/v1/symptoms/\(headache)/occurrences"
        let occurrence = try created(
            t.send("POST", path, json: ["occurred_at": "2025-01-01", "severity": "mild"], token: user.token), "occ")

        #expect(t.send("GET", path, token: stranger.token).status == 404)
        #expect(
            t.send("POST", path, json: ["occurred_at": "2025-01-01", "severity": "mild"], token: stranger.token)
                .status == 404)
        for method in ["GET", "PUT", "DELETE"] {
            let json: JSON? = method == "PUT" ? ["severity": "severe"] : nil
            #expect(t.send(method, "\(path)/\(occurrence)", json: json, token: stranger.token).status == 404)
            // Through a symptom it does not belong to: 404 even for its owner.
            #expect(
                t.send(method, "/api/v1/symptoms/\(cough)/occurrences/\(occurrence)", json: json, token: user.token)
                    .status == 404)
        }
        let updated = t.send("PUT", "\(path)/\(occurrence)", json: ["severity": "severe"], token: user.token)
        #expect(updated.jsonBody?["severity"] == "severe")
        #expect(t.send("DELETE", "\(path)/\(occurrence)", token: user.token).status == 200)
    }

    @Test func statisticsAndTimelineAggregateOccurrences() throws {
        let t = try TestApp()
        let user = try t.registerAndLogin("stat")
        let stranger = try t.registerAndLogin("statx")
        let headache = try symptom(t, user, ["is_chronic": true])
        let dizzy = try symptom(t, user, ["symptom_name": "Dizziness", "status": "resolved"])
        let occurrences: [(Int64, String, String, Int)] = [
            (headache, "2025-05-01T08:00:00Z", "mild", 2), (headache, "2025-05-01T20:00:00Z", "severe", 8),
            (dizzy, "2025-05-01T09:00:00Z", "moderate", 4), (headache, "2025-05-03T10:00:00Z", "critical", 10),
        ]
        for (id, moment, severity, pain) in occurrences {
            _ = try created(
                t.send(
                    "POST", "/api/v1/symptoms/\(id)/occurrences",
                    json: [
                        "occurred_at": .string(moment), "severity": .string(severity), "pain_scale": .int(Int64(pain)),
                    ],
                    token: user.token), "occurrence")
        }
        let stats = t.send("GET", "/api/v1/symptoms/stats", token: user.token).jsonBody
        #expect(stats?["total_symptoms"] == 2)
        #expect(stats?["active_symptoms"] == 1)
        #expect(stats?["resolved_symptoms"] == 1)
        #expect(stats?["chronic_symptoms"] == 1)
        #expect(stats?["total_occurrences"] == 4)
        #expect(stats?["recent_occurrences"] == 0)
        #expect(stats?["most_frequent_symptom"] == "Headache")
        #expect(stats?["most_frequent_count"] == 3)

        let timeline = t.send("GET", "/api/v1/symptoms/timeline", token: user.token).jsonBody?.arrayValue ?? []
        #expect(timeline.map { $0["date"] } == ["2025-05-01", "2025-05-03"])
        let first = timeline.first
        #expect(first?["occurrence_count"] == 3)
        #expect(first?["max_severity"] == "severe")
        #expect(first?["average_severity"] == .double(2))
        #expect(first?["max_pain_scale"] == 8)
        #expect(first?["average_pain_scale"] == .double(4.7))
        #expect(first?["symptoms"]?.arrayValue?.map { $0["symptom_name"] } == ["Headache", "Dizziness"])
        #expect(first?["symptoms"]?.arrayValue?.first?["average_severity"] == .double(2))

        let ranged = t.send(
            "GET", "/api/v1/symptoms/timeline", token: user.token, query: "start_date=2025-05-02&end_date=2025-05-03")
        #expect(ranged.jsonBody?.arrayValue?.map { $0["date"] } == ["2025-05-03"])
        let backwards = t.send(
            "GET", "/api/v1/symptoms/timeline", token: user.token, query: "start_date=2025-05-03&end_date=2025-05-01")
        #expect(TestApp.badFields(backwards) == ["end_date"])
        #expect(
            TestApp.badFields(t.send("GET", "/api/v1/symptoms/timeline", token: user.token, query: "start_date=x")) == [
                "start_date"
            ])

        // Another user's patient: 404, from both.
        let theirs = "patient_id=\(user.selfPatientID)"
        #expect(t.send("GET", "/api/v1/symptoms/stats", token: stranger.token, query: theirs).status == 404)
        #expect(t.send("GET", "/api/v1/symptoms/timeline", token: stranger.token, query: theirs).status == 404)
        #expect(t.send("GET", "/api/v1/symptoms/timeline", token: stranger.token).jsonBody == .array([]))
    }

    // MARK: links

    @Test func symptomLinksAreUnlinkedByTheOtherRecordsID() throws {
        let t = try TestApp()
        let user = try t.registerAndLogin("syl")
        let stranger = try t.registerAndLogin("sylx")
        let headache = try symptom(t, user)
        let medication = try t.insertMedication(patient: user.selfPatientID)
        let child = try t.createPatient(user, "Kid")
        let childsMedication = try t.insertMedication(patient: child)
        let theirs = try t.insertMedication(patient: stranger.selfPatientID)
        let condition = try created(
            t.send("POST", "/api/v1/conditions/", json: ["condition_name": "Migraine"], token: user.token), "condition")
        let base = "/api/v1/symptoms/\(headache)"

        let side = t.send(
            "POST", "\(base)/link-medication",
            json: [
                "medication_id": .int(medication), "symptom_id": .int(headache), "relationship_type": "side_effect",
            ],
            token: user.token)
        #expect(side.status == 201)
        #expect(side.jsonBody?["relationship_type"] == "side_effect")
        #expect(side.jsonBody?["medication"]?["medication_name"] == "Aspirin")
        #expect(
            t.send("POST", "\(base)/link-medication", json: ["medication_id": .int(medication)], token: user.token)
                .status == 400)
        #expect(
            t.send(
                "POST", "\(base)/link-medication", json: ["medication_id": .int(childsMedication)], token: user.token
            )
            .status == 400)
        #expect(
            t.send("POST", "\(base)/link-medication", json: ["medication_id": .int(theirs)], token: user.token)
                .status == 404)
        let wrongKind = t.send(
            "POST", "\(base)/link-medication",
            json: ["medication_id": .int(childsMedication), "relationship_type": "cause"],
            token: user.token)
        #expect(TestApp.badFields(wrongKind) == ["relationship_type"])

        let linked = t.send(
            "POST", "\(base)/link-condition", json: ["condition_id": .int(condition), "notes": "aura"],
            token: user.token)
        #expect(linked.jsonBody?["relevance_note"] == "aura")
        #expect(linked.jsonBody?["condition"]?["diagnosis"] == "Migraine")
        #expect(t.send("GET", "\(base)/conditions", token: user.token).jsonBody?.arrayValue?.count == 1)
        #expect(t.send("GET", "\(base)/conditions", token: stranger.token).status == 404)

        // Unlinking names the condition, not the link; the stranger cannot, and a second time there is nothing.
        #expect(t.send("DELETE", "\(base)/unlink-condition/\(condition)", token: stranger.token).status == 404)
        let unlinked = t.send("DELETE", "\(base)/unlink-condition/\(condition)", token: user.token)
        #expect(unlinked.status == 200)
        #expect(unlinked.jsonBody?["message"] == "Condition unlinked from symptom")
        #expect(t.send("DELETE", "\(base)/unlink-condition/\(condition)", token: user.token).status == 404)
        #expect(try t.count("SELECT COUNT(*) AS n FROM conditions WHERE id = ?", [.int(condition)]) == 1)
        #expect(t.send("DELETE", "\(base)/unlink-medication/\(medication)", token: user.token).status == 200)
    }

    // MARK: injuries and injury types

    @Test func injuryTypesAreSharedAndProtected() throws {
        let t = try TestApp()
        let user = try t.registerAndLogin("ity")
        let other = try t.registerAndLogin("ityx")
        let types = t.send("GET", "/api/v1/injury-types/", token: user.token).jsonBody?.arrayValue ?? []
        let sprain = try #require(types.first { $0["name"] == "Sprain" })
        #expect(sprain["is_system"] == true)
        let sprainID = try #require(sprain["id"]?.intValue)
        #expect(t.send("DELETE", "/api/v1/injury-types/\(sprainID)", token: user.token).status == 400)
        #expect(
            t.send("PUT", "/api/v1/injury-types/\(sprainID)", json: ["name": "Sprains"], token: user.token).status
                == 400)

        let name = TestApp.unique("Turf toe ")
        let mine = try created(
            t.send("POST", "/api/v1/injury-types/", json: ["name": .string(name)], token: user.token), "type")
        #expect(
            t.send("POST", "/api/v1/injury-types/", json: ["name": .string(name.uppercased())], token: other.token)
                .status == 400)
        #expect(
            TestApp.badFields(t.send("POST", "/api/v1/injury-types/", json: ["name": "x"], token: user.token))
                == ["name"])
        let dropdown = t.send("GET", "/api/v1/injury-types/dropdown", token: other.token).jsonBody?.arrayValue ?? []
        #expect(dropdown.contains { $0["id"] == .int(mine) && $0["is_system"] == false && $0.objectValue?.count == 3 })
        #expect(t.send("GET", "/api/v1/injury-types/\(mine)", token: other.token).jsonBody?["name"] == .string(name))
        #expect(t.send("DELETE", "/api/v1/injury-types/\(mine)", token: other.token).status == 403)

        // In use by another user's injury: refused for its creator too.
        let injury = try created(
            t.send(
                "POST", "/api/v1/injuries/",
                json: ["injury_name": "Big toe", "body_part": "Foot", "injury_type_id": .int(mine)], token: other.token),
            "injury")
        #expect(t.send("DELETE", "/api/v1/injury-types/\(mine)", token: user.token).status == 400)
        #expect(t.send("DELETE", "/api/v1/injuries/\(injury)", token: other.token).status == 200)
        #expect(t.send("DELETE", "/api/v1/injury-types/\(mine)", token: user.token).status == 200)
        #expect(t.send("GET", "/api/v1/injury-types/\(mine)", token: user.token).status == 404)
    }

    @Test func injuriesEmbedTheirTypeAndLinkWithinOnePatient() throws {
        let t = try TestApp()
        let user = try t.registerAndLogin("inj")
        let stranger = try t.registerAndLogin("injx")
        let sprain = try #require(
            try t.services.db.queryOne("SELECT id FROM injury_types WHERE name = 'Sprain'")?.int("id"))
        let bad = t.send(
            "POST", "/api/v1/injuries/",
            json: ["injury_name": "A", "laterality": "middle", "severity": "bad", "injury_type_id": 999_999_999],
            token: user.token)
        #expect(TestApp.badFields(bad) == ["injury_name", "body_part", "laterality", "severity"])
        let unknownType = t.send(
            "POST", "/api/v1/injuries/",
            json: ["injury_name": "Ankle", "body_part": "Ankle", "injury_type_id": 999_999_999], token: user.token)
        #expect(TestApp.badFields(unknownType) == ["injury_type_id"])

        let ankle = try created(
            t.send(
                "POST", "/api/v1/injuries/",
                json: [
                    "injury_name": "Left ankle sprain", "body_part": "Ankle", "laterality": "LEFT",
                    "severity": "life_threatening", "injury_type_id": .int(sprain), "tags": ["sports"],
                ], token: user.token), "injury")
        let got = t.send("GET", "/api/v1/injuries/\(ankle)", token: user.token).jsonBody
        #expect(got?["injury_type"]?["name"] == "Sprain")
        #expect(got?["injury_type"]?["is_system"] == true)
        #expect(got?["laterality"] == "left")
        #expect(got?["severity"] == "life-threatening")
        #expect(got?["status"] == "active")
        _ = try created(
            t.send(
                "POST", "/api/v1/injuries/",
                json: ["injury_name": "Old burn", "body_part": "Hand", "status": "resolved"],
                token: user.token), "injury")
        func names(_ query: String, path: String = "/api/v1/injuries/") -> [JSON] {
            t.send("GET", path, token: user.token, query: query).jsonBody?.arrayValue?.map {
                $0["injury_name"] ?? .null
            } ?? []
        }
        #expect(names("injury_type_id=\(sprain)") == ["Left ankle sprain"])
        #expect(names("status=resolved") == ["Old burn"])
        #expect(names("tags=sports") == ["Left ankle sprain"])
        #expect(names("", path: "/api/v1/injuries/patient/\(user.selfPatientID)/active") == ["Left ankle sprain"])
        #expect(
            t.send("GET", "/api/v1/injuries/patient/\(user.selfPatientID)/active", token: stranger.token).status == 404)

        let procedure = try created(
            t.send(
                "POST", "/api/v1/procedures/", json: ["procedure_name": "Ankle X-ray", "procedure_date": "2025-10-02"],
                token: user.token), "procedure")
        let medication = try t.insertMedication(patient: user.selfPatientID)
        let theirs = try t.insertMedication(patient: stranger.selfPatientID)
        let base = "/api/v1/injuries/\(ankle)"
        let linked = t.send(
            "POST", "\(base)/procedures", json: ["procedure_id": .int(procedure), "relevance_note": "imaging"],
            token: user.token)
        #expect(linked.status == 201)
        #expect(linked.jsonBody?["procedure"]?["procedure_name"] == "Ankle X-ray")
        #expect(
            t.send("POST", "\(base)/procedures", json: ["procedure_id": .int(procedure)], token: user.token).status
                == 400)
        let bulk = t.send(
            "POST", "\(base)/medications/bulk", json: ["medication_ids": [.int(medication), .int(theirs)]],
            token: user.token)
        #expect(bulk.status == 404)
        #expect(try t.count("SELECT COUNT(*) AS n FROM injury_medications WHERE injury_id = ?", [.int(ankle)]) == 0)
        #expect(
            t.send("POST", "\(base)/medications", json: ["medication_id": .int(medication)], token: user.token).status
                == 201)
        #expect(t.send("GET", "\(base)/medications", token: user.token).jsonBody?.arrayValue?.count == 1)
        #expect(t.send("DELETE", "\(base)/medications/\(medication)", token: stranger.token).status == 404)
        let unlinked = t.send("DELETE", "\(base)/medications/\(medication)", token: user.token)
        #expect(unlinked.jsonBody?["message"] == "Medication unlinked from injury")
        #expect(t.send("DELETE", "\(base)/medications/\(medication)", token: user.token).status == 404)
        // Deleting the injury removes its links, never the procedure.
        #expect(t.send("DELETE", base, token: user.token).status == 200)
        #expect(
            try t.count("SELECT COUNT(*) AS n FROM injury_procedures WHERE procedure_id = ?", [.int(procedure)]) == 0)
        #expect(t.send("GET", "/api/v1/procedures/\(procedure)", token: user.token).status == 200)
    }
}
