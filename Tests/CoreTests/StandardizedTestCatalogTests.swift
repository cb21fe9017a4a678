import Foundation
import Testing

@testable import Core

/// The standardized lab tests catalog: the 174 tests of migration 0011, search,
/// autocomplete, lookups, batch-match, and the trigger that will fill a lab test
/// component's canonical name (sql/0012_component_canonical_names.sql).
@Suite struct StandardizedTestCatalogTests {
    let t: TestApp
    init() throws { t = try TestApp() }

    static let base = "/api/v1/standardized-tests"
    static let testKeys = [
        "id", "loinc_code", "test_name", "short_name", "default_unit", "category", "common_names", "is_common",
    ]

    func get(_ path: String, _ user: TestUser, query: String = "") -> Response {
        t.send("GET", Self.base + path, token: user.token, query: query)
    }

    func names(_ response: Response, key: String? = nil) -> [String] {
        let list = key.map { response.jsonBody?[$0] } ?? response.jsonBody
        return list?.arrayValue?.compactMap { $0["test_name"]?.stringValue } ?? []
    }

    @Test func everyTestIsLoadedInUpstreamsShape() throws {
        let user = try t.registerAndLogin("loinc")
        let count = get("/count", user)
        #expect(count.status == 200)
        #expect(count.jsonBody == ["total_tests": 174, "common_tests": 67, "categories": 11])
        let all = get("/search", user)
        #expect(all.jsonBody?["total"] == 174)
        let tests = try #require(all.jsonBody?["tests"]?.arrayValue)
        #expect(tests.count == 174)
        #expect(Set(tests.compactMap { $0["id"]?.intValue }).count == 174)
        for test in tests {
            #expect(test.objectValue?.keys == Self.testKeys)
            #expect(test["is_common"]?.boolValue != nil)
            #expect(test["common_names"]?.arrayValue?.allSatisfy { $0.stringValue != nil } == true)
        }
        // Catalog order is the library's display order.
        #expect(names(all, key: "tests").prefix(2) == ["Alanine Aminotransferase", "Albumin"])
        let glucose = try #require(tests.first { $0["loinc_code"] == "2345-7" })
        #expect(glucose["test_name"] == "Glucose")
        #expect(glucose["short_name"] == "GLU")
        #expect(glucose["default_unit"] == "mg/dL")
        #expect(glucose["category"] == "endocrinology")
        #expect(glucose["is_common"] == true)
        // No LOINC code where the library gives none; no unit where it has an empty one.
        #expect(tests.filter { $0["loinc_code"] == .null }.count == 66)
        #expect(tests.filter { $0["default_unit"] == .null }.count == 45)
        let stored = try t.services.db.queryOne(
            "SELECT (SELECT COUNT(*) FROM standardized_tests) AS tests, (SELECT COUNT(*) FROM standardized_test_names) AS names, (SELECT COUNT(*) FROM standardized_test_panels) AS panels"
        )
        #expect(stored?.int("tests") == 174)
        #expect(stored?.int("names") == 704)
        #expect(stored?.int("panels") == 39)
        let lipids = get("/count", user, query: "category=LIPIDS")
        #expect(lipids.jsonBody == ["total_tests": 8, "common_tests": 4, "categories": 1])
        #expect(
            get("/count", user, query: "category=nope").jsonBody == [
                "total_tests": 0, "common_tests": 0, "categories": 0,
            ])
    }

    @Test func searchFindsNamesAbbreviationsCodesAndCommonNames() throws {
        let user = try t.registerAndLogin("loinc")
        #expect(names(get("/search", user, query: "query=glucose"), key: "tests").first == "Glucose")
        #expect(names(get("/search", user, query: "query=2345-7"), key: "tests") == ["Glucose"])
        // "SGOT" is one typo away, so it follows.
        #expect(
            names(get("/search", user, query: "query=SGPT"), key: "tests")
                == ["Alanine Aminotransferase", "Aspartate Aminotransferase"])
        #expect(names(get("/search", user, query: "q=wbc"), key: "tests").first == "White Blood Cell Count")
        #expect(names(get("/search", user, query: "query=blood%20sugar"), key: "tests").first == "Glucose")
        // Typos are tolerated.
        #expect(names(get("/search", user, query: "query=hemoglobn"), key: "tests").first == "Hemoglobin")
        let lipids = get("/search", user, query: "query=cholesterol&category=Lipids")
        #expect(lipids.jsonBody?["tests"]?.arrayValue?.allSatisfy { $0["category"] == "lipids" } == true)
        #expect((lipids.jsonBody?["total"]?.intValue ?? 0) >= 4)
        let page = get("/search", user, query: "skip=2&limit=3")
        #expect(names(page, key: "tests") == Array(names(get("/search", user), key: "tests")[2..<5]))
        #expect(page.jsonBody?["total"] == 174)
        #expect(get("/search", user, query: "query=xyzzyq").jsonBody == ["tests": [], "total": 0])
        for bad in ["limit=-1", "skip=x", "query=" + String(repeating: "a", count: 101)] {
            #expect(get("/search", user, query: bad).status == 422, "\(bad)")
        }
        #expect(get("/search", user, query: "limit=5000").jsonBody?["tests"]?.arrayValue?.count == 174)
    }

    @Test func autocompleteNeedsTwoCharacters() throws {
        let user = try t.registerAndLogin("loinc")
        let options = get("/autocomplete", user, query: "q=gluc")
        #expect(options.status == 200)
        #expect(
            options.jsonBody?.arrayValue?.first
                == [
                    "value": "Glucose", "label": "Glucose (GLU)", "loinc_code": "2345-7", "default_unit": "mg/dL",
                    "category": "endocrinology",
                ])
        #expect(get("/autocomplete", user, query: "query=he").jsonBody?.arrayValue?.count == 10)
        #expect(get("/autocomplete", user, query: "q=he&limit=3").jsonBody?.arrayValue?.count == 3)
        for bad in ["", "q=g", "q=%20g%20", "query=x"] {
            let response = get("/autocomplete", user, query: bad)
            #expect(response.status == 422, "\(bad)")
        }
        #expect(
            get("/autocomplete", user, query: "query=x").jsonBody?["detail"]?.arrayValue?.first?["field"] == "query")
    }

    @Test func commonByCategoryAndLookups() throws {
        let user = try t.registerAndLogin("loinc")
        let common = try #require(get("/common", user).jsonBody?.arrayValue)
        #expect(common.count == 67)
        #expect(common.allSatisfy { $0["is_common"] == true })
        #expect(get("/common", user, query: "limit=2").jsonBody?.arrayValue?.count == 2)
        #expect(get("/common", user, query: "category=lipids").jsonBody?.arrayValue?.count == 4)
        let hearing = get("/by-category/HEARING", user)
        #expect(hearing.jsonBody?.arrayValue?.count == 6)
        #expect(get("/by-category/nothing", user).jsonBody == [])
        #expect(get("/by-loinc/718-7", user).jsonBody?["test_name"] == "Hemoglobin")
        let unknown = get("/by-loinc/0000-0", user)
        #expect(unknown.status == 404)
        #expect(unknown.jsonBody?["error"] == "Test not found")
        #expect(get("/by-name/hemoglobin", user).jsonBody?["loinc_code"] == "718-7")
        #expect(get("/by-name/BUN/Creatinine Ratio", user).jsonBody?["short_name"] == "BUN/CREA")
        #expect(get("/by-name/HGB", user).status == 404)
    }

    @Test func batchMatchGivesEachNameItsTest() throws {
        let user = try t.registerAndLogin("loinc")
        let body: JSON = [
            "test_names": ["Glucose", "hgb", "Blood Sugar", "2093-3", "Hemoglobn", "Trigly", "Nothing", ""]
        ]
        let response = t.send("POST", Self.base + "/batch-match", json: body, token: user.token)
        #expect(response.status == 200)
        let matches = try #require(response.jsonBody?["matches"]?.arrayValue)
        #expect(matches.map { $0["input"]?.stringValue } == body["test_names"]?.arrayValue?.map(\.stringValue))
        #expect(
            matches.map { $0["test_name"]?.stringValue ?? "-" } == [
                "Glucose", "Hemoglobin", "Glucose", "Total Cholesterol", "Hemoglobin", "Triglycerides", "-", "-",
            ])
        #expect(
            matches.map { $0["match_type"]?.stringValue ?? "-" } == [
                "name", "abbreviation", "common_name", "loinc_code", "fuzzy", "partial", "-", "-",
            ])
        #expect(matches[0]["confidence"]?.doubleValue == 1.0)
        #expect(matches[0]["loinc_code"] == "2345-7")
        #expect(matches[0]["matched_test"]?.objectValue?.keys == Self.testKeys)
        #expect(matches[6]["matched"] == false)
        #expect(matches[6]["matched_test"] == .null)
        #expect(response.jsonBody?["total_requested"] == 8)
        #expect(response.jsonBody?["total_matched"] == 6)
        let results = try #require(response.jsonBody?["results"]?.arrayValue)
        #expect(results.first?["test_name"] == "Glucose")
        #expect(results.first?["matched_test"]?["loinc_code"] == "2345-7")
        for bad: JSON in [
            [:], ["test_names": "Glucose"], ["test_names": [1]],
            ["test_names": .array(Array(repeating: "x", count: 501))],
        ] {
            #expect(t.send("POST", Self.base + "/batch-match", json: bad, token: user.token).status == 422, "\(bad)")
        }
    }

    @Test func everyEndpointNeedsASignedInUser() throws {
        for path in [
            "/search", "/autocomplete", "/common", "/count", "/by-category/lipids", "/by-loinc/718-7",
            "/by-name/Glucose",
        ] {
            #expect(t.send("GET", Self.base + path, query: "q=gl").status == 401, "\(path)")
        }
        #expect(t.send("POST", Self.base + "/batch-match", json: ["test_names": ["Glucose"]]).status == 401)
    }

    /// The trigger text that becomes migration 0012 once lab_test_components exists, run
    /// on a stand-in table of the columns it uses.
    @Test func componentTriggerFillsTheCanonicalName() throws {
        let db = t.services.db
        let table = TestApp.unique("ltc_probe_")
        try db.run(
            """
            CREATE TABLE \(table) (id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY, lab_result_id BIGINT NOT NULL,
                test_name VARCHAR(200) NOT NULL, test_code VARCHAR(50) NULL, value DOUBLE NULL,
                canonical_test_name VARCHAR(200) NULL)
            ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci
            """)
        defer { try? db.run("DROP TABLE \(table)") }
        let script = try String(
            contentsOfFile: TestApp.repositoryRoot + "/sql/0012_component_canonical_names.sql", encoding: .utf8
        )
        for statement in SQLScript.statements(in: script.replacingOccurrences(of: "lab_test_components", with: table)) {
            try db.run(statement)
        }
        func canonical(_ id: Int) throws -> String? {
            try db.queryOne("SELECT canonical_test_name FROM \(table) WHERE id = \(id)")?.string("canonical_test_name")
        }
        try db.run(
            """
            INSERT INTO \(table) (id, lab_result_id, test_name, test_code, canonical_test_name) VALUES
                (1, 1, 'Sugar, fasting', '2345-7', NULL), (2, 1, '  ldl-c ', NULL, NULL),
                (3, 1, 'BLOOD SUGAR', NULL, NULL), (4, 1, 'wbc', '9999-9', NULL), (5, 1, 'Mystery', NULL, NULL),
                (6, 1, 'HGB', NULL, 'My hemoglobin'), (7, 1, 'Hb', NULL, '')
            """)
        #expect(try canonical(1) == "Glucose")  // by LOINC code
        #expect(try canonical(2) == "LDL Cholesterol")  // a common name, any case, trimmed
        #expect(try canonical(3) == "Glucose")
        #expect(try canonical(4) == "White Blood Cell Count")  // unknown code: by name
        #expect(try canonical(5) == nil)
        #expect(try canonical(6) == "My hemoglobin")  // the client's own mapping is kept
        #expect(try canonical(7) == "Hemoglobin")
        try db.run("UPDATE \(table) SET test_name = 'Hb' WHERE id = 5")
        #expect(try canonical(5) == "Hemoglobin")  // renamed: looked up again
        try db.run("UPDATE \(table) SET test_name = 'Nothing known' WHERE id = 3")
        #expect(try canonical(3) == nil)
        try db.run("UPDATE \(table) SET canonical_test_name = 'Custom' WHERE id = 2")
        #expect(try canonical(2) == "Custom")  // set by the client in this update
        try db.run("UPDATE \(table) SET value = 2 WHERE id IN (2, 6)")
        #expect(try canonical(2) == "Custom")  // nothing it depends on changed
        #expect(try canonical(6) == "My hemoglobin")
        try db.run("UPDATE \(table) SET canonical_test_name = NULL WHERE id = 6")
        #expect(try canonical(6) == "Hemoglobin")  // cleared: back to the catalog's
    }
}
