import Foundation
import Testing

@testable import Core

/// Lab results and their components: the bulk create that saves the good items and
/// reports the bad, the trend across results, code searches with LIKE's wildcards taken
/// literally, the practitioner list limited to reachable patients, and the links.
@Suite struct LabResultTests {
    let t: TestApp
    init() throws { t = try TestApp() }

    func id(_ response: Response, _ what: String) throws -> Int64 {
        guard let id = response.jsonBody?["id"]?.intValue else {
            throw TestAppError(
                description: "\(what): \(response.status) \(String(decoding: response.body, as: UTF8.self))")
        }
        return id
    }

    func result(_ user: TestUser, _ fields: JSONObject) throws -> Int64 {
        var body: JSONObject = ["test_name": "Lipid panel"]
        for (key, value) in fields { body[key] = value }
        return try id(t.send("POST", "/api/v1/lab-results/", json: .object(body), token: user.token), "lab result")
    }

    @Test func bulkSavesTheGoodAndReportsTheBad() throws {
        let user = try t.registerAndLogin("lrb")
        let lab = try result(user, ["test_code": "LIPID", "completed_date": "2026-01-05"])
        let path = "/api/v1/lab-test-components/lab-result/\(lab)/components"
        let response = t.send(
            "POST", path + "/bulk",
            json: [
                "lab_result_id": .int(lab),
                "components": [
                    ["test_name": "LDL Cholesterol", "value": 130, "unit": "mg/dL", "test_code": "13457-7"],
                    ["test_name": "HDL Cholesterol", "value": 55, "unit": "mg/dL"],
                    ["test_name": "Triglycerides"],  // quantitative without value or unit
                    ["test_name": "Total Cholesterol", "value": 210.5, "unit": "mg/dL", "status": "high"],
                ],
            ], token: user.token)
        #expect(response.status == 201)
        let body = try #require(response.jsonBody)
        #expect(body["created_count"] == 3)
        #expect(body["components"]?.arrayValue?.count == 3)
        let errors = try #require(body["errors"]?.arrayValue)
        #expect(errors.count == 1)
        #expect(errors.first?["index"] == 2)
        let fields = Set(errors.first?["detail"]?.arrayValue?.compactMap { $0["field"]?.stringValue } ?? [])
        #expect(fields == ["value"] || fields == ["value", "unit"])
        #expect(try t.count("SELECT COUNT(*) AS n FROM lab_test_components WHERE lab_result_id = ?", [.int(lab)]) == 3)
        // Every item bad: nothing saved, 422.
        let none = t.send("POST", path + "/bulk", json: ["components": [["value": 1]]], token: user.token)
        #expect(none.status == 422)
        #expect(
            t.send("POST", path + "/bulk", json: ["components": []], token: user.token).status == 422)
        // A qualitative component needs its qualitative value.
        let qualitative = t.send(
            "POST", path, json: ["test_name": "HIV", "result_type": "qualitative"], token: user.token)
        #expect(TestApp.badFields(qualitative) == ["qualitative_value"])
        // Another user reaches neither the result nor its components.
        let stranger = try t.registerAndLogin("lrbx")
        #expect(
            t.send(
                "POST", path + "/bulk", json: ["components": [["test_name": "X", "value": 1, "unit": "u"]]],
                token: stranger.token
            ).status == 404)
        #expect(t.send("GET", path, token: stranger.token).status == 404)
    }

    @Test func trendAcrossResultsByCanonicalNameNameOrCode() throws {
        let user = try t.registerAndLogin("lrt")
        let patient = user.selfPatientID
        for (day, value, name, canonical) in [
            ("2025-03-01", 160.0, "LDL-C", "LDL Cholesterol"), ("2025-09-01", 140.0, "LDL Cholesterol", nil),
            ("2026-02-01", 118.0, "LDL Chol Calc", "LDL Cholesterol"),
        ] {
            let lab = try result(user, ["completed_date": .string(day), "status": "completed"])
            var component: JSONObject = [
                "test_name": .string(name), "value": .double(value), "unit": "mg/dL", "ref_range_max": 130,
                "test_code": "13457-7", "status": value > 130 ? "high" : "normal",
            ]
            if let canonical { component["canonical_test_name"] = .string(canonical) }
            _ = try id(
                t.send(
                    "POST", "/api/v1/lab-test-components/lab-result/\(lab)/components", json: .object(component),
                    token: user.token), "component")
        }
        let base = "/api/v1/lab-test-components/patient/\(patient)/trends"
        let byCanonical = try #require(t.send("GET", base + "/LDL Cholesterol", token: user.token).jsonBody)
        #expect(byCanonical["data_points"]?.arrayValue?.compactMap { $0["value"]?.doubleValue } == [160, 140, 118])
        #expect(byCanonical["statistics"]?["trend_direction"] == "decreasing")
        #expect(byCanonical["statistics"]?["count"] == 3)
        #expect(byCanonical["statistics"]?["abnormal_count"] == 2)
        let byCode = try #require(t.send("GET", base, token: user.token, query: "test_name=13457-7").jsonBody)
        #expect(byCode["data_points"]?.arrayValue?.count == 3)
        let recent = try #require(
            t.send("GET", base + "/13457-7", token: user.token, query: "date_from=2025-06-01").jsonBody)
        #expect(recent["data_points"]?.arrayValue?.first?["recorded_date"] == "2025-09-01")
        #expect(t.send("GET", base + "/Unknown", token: user.token).jsonBody?["data_points"] == .array([]))
        let stranger = try t.registerAndLogin("lrtx")
        #expect(t.send("GET", base + "/13457-7", token: stranger.token).status == 404)
    }

    @Test func codeSearchesTakeWildcardsLiterally() throws {
        let user = try t.registerAndLogin("lrc")
        let plain = try result(user, ["test_code": "A1C"])
        let underscore = try result(user, ["test_code": "A_1C"])
        _ = try result(user, ["test_code": "BMP"])
        func ids(_ path: String) -> Set<Int64> {
            Set(t.send("GET", path, token: user.token).jsonBody?.arrayValue?.compactMap { $0["id"]?.intValue } ?? [])
        }
        #expect(ids("/api/v1/lab-results/search/code/A1C") == [plain])
        #expect(ids("/api/v1/lab-results/search/code-pattern/1C") == [plain, underscore])
        #expect(ids("/api/v1/lab-results/search/code-pattern/A_") == [underscore])
        #expect(ids("/api/v1/lab-results/search/code-pattern/%") == [])
        #expect(ids("/api/v1/lab-results/patient/\(user.selfPatientID)/code/BMP").count == 1)
        let count = t.send("GET", "/api/v1/lab-results/stats/code/A1C/count", token: user.token)
        #expect(count.jsonBody == ["code": "A1C", "usage_count": 1])
        let stranger = try t.registerAndLogin("lrcx")
        #expect(t.send("GET", "/api/v1/lab-results/search/code/A1C", token: stranger.token).jsonBody == .array([]))
    }

    @Test func practitionerListShowsOnlyReachablePatients() throws {
        let user = try t.registerAndLogin("lrp")
        let other = try t.registerAndLogin("lrpx")
        let doctor = try t.makePractitioner()
        let mine = try result(user, ["practitioner_id": .int(doctor)])
        _ = try result(other, ["practitioner_id": .int(doctor)])
        let listed = t.send("GET", "/api/v1/lab-results/practitioner/\(doctor)", token: user.token)
        #expect(listed.jsonBody?.arrayValue?.compactMap { $0["id"]?.intValue } == [mine])
        let count = t.send("GET", "/api/v1/lab-results/stats/practitioner/\(doctor)/count", token: user.token)
        #expect(count.jsonBody?["lab_result_count"] == 1)
        // Shared with view access: now both are reachable.
        try t.share(other.selfPatientID, by: other, with: user)
        let shared = t.send("GET", "/api/v1/lab-results/practitioner/\(doctor)", token: user.token)
        #expect(shared.jsonBody?.arrayValue?.count == 2)
    }

    @Test func deleteAnswersFileCountsAndCascades() throws {
        let user = try t.registerAndLogin("lrd")
        let lab = try result(user, [:])
        let condition = try id(
            t.send("POST", "/api/v1/conditions/", json: ["condition_name": "Hyperlipidemia"], token: user.token),
            "condition")
        let encounter = try id(
            t.send("POST", "/api/v1/encounters/", json: ["encounter_date": "2026-01-05"], token: user.token),
            "encounter")
        #expect(
            t.send(
                "POST", "/api/v1/lab-results/\(lab)/conditions", json: ["condition_id": .int(condition)],
                token: user.token
            ).status == 201)
        let link = t.send(
            "POST", "/api/v1/lab-results/\(lab)/encounters",
            json: ["encounter_id": .int(encounter), "purpose": "ordered_during"], token: user.token)
        #expect(link.status == 201)
        #expect(link.jsonBody?["encounter"]?["id"] == .int(encounter))
        #expect(link.jsonBody?["lab_result_name"] == "Lipid panel")
        let fromEncounter = t.send("GET", "/api/v1/encounters/\(encounter)/lab-results", token: user.token)
        #expect(fromEncounter.jsonBody?.arrayValue?.first?["lab_result"]?["id"] == .int(lab))
        let deleted = t.send("DELETE", "/api/v1/lab-results/\(lab)", token: user.token)
        #expect(
            deleted.jsonBody == [
                "message": "Lab result and associated files deleted successfully", "files_deleted": 0,
                "files_preserved": 0,
            ])
        for table in ["lab_result_conditions", "encounter_lab_results"] {
            #expect(try t.count("SELECT COUNT(*) AS n FROM \(table) WHERE lab_result_id = ?", [.int(lab)]) == 0)
        }
        #expect(try t.count("SELECT COUNT(*) AS n FROM encounters WHERE id = ?", [.int(encounter)]) == 1)
    }
}
