import Testing

@testable import Core

@Suite struct RouterTests {
    static let ok: Handler = { _ in .json(["ok": true]) }

    func router() -> Router {
        let table = RouteTable()
        table.get("/api/v1/medications", RouterTests.ok)
        table.post("/api/v1/medications", RouterTests.ok)
        table.get("/api/v1/medications/{medication_id}") { context in
            .json(["id": .int(try context.parameters.id("medication_id"))])
        }
        table.get("/api/v1/medications/patient/{patient_id}") { context in
            .json(["patient": .int(try context.parameters.id("patient_id"))])
        }
        return table.build()
    }

    @Test func trailingSlashIsTheSameRoute() {
        for path in ["/api/v1/medications", "/api/v1/medications/"] {
            guard case .found = router().match(method: "GET", path: path) else {
                Issue.record("\(path) did not match")
                return
            }
        }
    }

    @Test func literalSegmentWinsOverParameter() throws {
        guard case .found(_, let parameters) = router().match(method: "GET", path: "/api/v1/medications/patient/7")
        else {
            Issue.record("no match")
            return
        }
        #expect(try parameters.id("patient_id") == 7)
    }

    @Test func wrongMethodListsAllowedMethods() {
        guard case .wrongMethod(let allowed) = router().match(method: "DELETE", path: "/api/v1/medications/") else {
            Issue.record("expected 405")
            return
        }
        #expect(allowed == ["GET", "POST"])
    }

    @Test func unknownPathIsNotFound() {
        guard case .notFound = router().match(method: "GET", path: "/api/v1/nothing") else {
            Issue.record("expected 404")
            return
        }
        guard case .notFound = router().match(method: "GET", path: "/api/v1/medications/1/extra") else {
            Issue.record("expected 404")
            return
        }
    }

    @Test func nonIntegerIdIsRefusedByName() {
        guard case .found(_, let parameters) = router().match(method: "GET", path: "/api/v1/medications/abc") else {
            Issue.record("no match")
            return
        }
        #expect(throws: APIError.self) { try parameters.id("medication_id") }
    }

    @Test func queryDecodingKeepsRepeatedKeysAndDecodes() {
        let query = QueryParameters(parsing: "tags=a&tags=b%20c&name=J%C3%BCrgen+X&tags[]=d&empty=&flag")
        #expect(query.all("tags") == ["a", "b c", "d"])
        #expect(query["name"] == "Jürgen X")
        #expect(query["empty"] == "")
        #expect(query["flag"] == "")
        #expect(query["missing"] == nil)
    }

    @Test func contentTypeIgnoresParameters() {
        let request = Request(method: "POST", path: "/", headers: ["content-type": "Application/JSON; charset=utf-8"])
        #expect(request.contentType == "application/json")
    }

    @Test func paginationClampsAndRefusesNegatives() throws {
        let page = try Pagination(
            query: QueryParameters(parsing: "skip=5&limit=5000"), defaultLimit: 100, maxLimit: 100)
        #expect(page.skip == 5 && page.limit == 100)
        #expect(throws: APIError.self) {
            try Pagination(query: QueryParameters(parsing: "limit=-1"), defaultLimit: 100, maxLimit: 100)
        }
        #expect(throws: APIError.self) {
            try Pagination(query: QueryParameters(parsing: "skip=x"), defaultLimit: 100, maxLimit: 100)
        }
    }
}
