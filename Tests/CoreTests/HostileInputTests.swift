import Testing

@testable import Core

/// Random and hostile bodies against every write endpoint: whatever arrives, the answer is
/// a 2xx or a 4xx in the error shape — never a 500, never a crash of the worker.
@Suite struct HostileInputTests {
    let t: TestApp
    init() throws { t = try TestApp() }

    /// A small deterministic generator, so a failure can be replayed.
    struct Generator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return state >> 11
        }
        mutating func pick<T>(_ items: [T]) -> T { items[Int(next() % UInt64(items.count))] }

        mutating func value(depth: Int = 0) -> JSON {
            let strings = [
                "", " ", "x", "2025-02-30", "2025-01-01", "08:00", "24:61", "oral", "ACTIVE", "on-hold", "A+",
                "'; DROP TABLE users; --", "<script>alert(1)</script>", "\u{0}", "é🙂",
                String(repeating: "z", count: 600),
                "-1", "1e309", "null", "[]",
            ]
            let numbers: [JSON] = [0, -1, 1, 5, 4.5, 1e308, -1e308, .int(Int64.max), .int(Int64.min), 999_999_999_999]
            switch next() % (depth > 2 ? 4 : 6) {
            case 0: return .null
            case 1: return .bool(next() % 2 == 0)
            case 2: return pick(numbers)
            case 3: return .string(pick(strings))
            case 4: return .array((0..<Int(next() % 4)).map { _ in value(depth: depth + 1) })
            default:
                return .object(JSONObject((0..<Int(next() % 3)).map { _ in (pick(strings), value(depth: depth + 1)) }))
            }
        }
    }

    static let fields =
        [
            "medication_name", "dosage", "route", "status", "patient_id", "practitioner_id", "pharmacy_id",
            "effective_period_start", "effective_period_end", "reminder_times", "reminder_days", "reminder_enabled",
            "tags",
            "first_name", "last_name", "birth_date", "gender", "blood_type", "height", "weight", "physician_id", "name",
            "specialty_id", "practice_id", "rating", "email", "website", "locations", "theme", "language",
            "session_timeout_minutes", "current_password", "new_password", "is_self_record", "level", "message",
        ] + Set(RecordCatalog.types.flatMap { $0.fields.flatMap { [$0.name] + $0.aliases } }).sorted()
        + ["medication_id", "medication_ids", "relevance_note", "standardized_vaccine_who_code"]

    @Test func randomBodiesNeverCauseAServerError() throws {
        let user = try t.registerAndLogin("fuzz")
        let medication = t.send("POST", "/api/v1/medications/", json: ["medication_name": "Base"], token: user.token)
        let medicationID = try #require(medication.jsonBody?["id"]?.intValue)
        let condition = try #require(
            t.send("POST", "/api/v1/conditions/", json: ["condition_name": "Base"], token: user.token).jsonBody?["id"]?
                .intValue)
        let targets: [(String, String)] =
            [
                ("POST", "/api/v1/medications/"), ("PUT", "/api/v1/medications/\(medicationID)"),
                ("POST", "/api/v1/patients/\(user.selfPatientID)/medications"), ("POST", "/api/v1/pharmacies/"),
                ("POST", "/api/v1/practitioners/"), ("POST", "/api/v1/practices/"),
                ("PUT", "/api/v1/patients/me"), ("POST", "/api/v1/patient-management/"),
                ("PUT", "/api/v1/patient-management/\(user.selfPatientID)"),
                ("POST", "/api/v1/patient-management/switch"),
                ("PUT", "/api/v1/users/me"), ("PUT", "/api/v1/users/me/preferences"),
                ("POST", "/api/v1/frontend-logs/log"), ("POST", "/api/v1/frontend-logs/error"),
                ("POST", "/api/v1/auth/register"),
            ] + RecordCatalog.types.map { ("POST", $0.path + "/") } + [
                ("POST", "/api/v1/conditions/\(condition)/medications"),
                ("POST", "/api/v1/conditions/\(condition)/medications/bulk"),
                ("PUT", "/api/v1/conditions/\(condition)"),
                ("POST", "/api/v1/vitals/patient/\(user.selfPatientID)/vitals/"),
            ]
        var generator = Generator(state: 20_261_125)
        for round in 0..<(targets.count * 25) {
            let (method, path) = targets[round % targets.count]
            var body = JSONObject()
            for _ in 0..<Int(generator.next() % 6) { body[generator.pick(Self.fields)] = generator.value() }
            let raw: JSON = generator.next() % 10 == 0 ? generator.value() : .object(body)
            let response = t.send(method, path, json: raw, token: user.token)
            #expect(
                response.status < 500, "round \(round): \(method) \(path) \(raw.serializedString) → \(response.status)")
            if response.status >= 400 {
                #expect(
                    response.jsonBody?["status"] == "error",
                    "round \(round): \(response.status) without the error shape")
            }
        }
    }

    @Test func oversizedBodiesAre413OnKnownRoutesOnly() throws {
        let big = [UInt8](repeating: UInt8(ascii: " "), count: t.app.shared.config.maxBodyBytes + 1)
        let known = t.send("POST", "/api/v1/medications/", raw: big)
        #expect(known.status == 413)
        #expect(known.jsonBody?["status"] == "error")
        #expect(t.send("POST", "/api/v1/no-such-endpoint", raw: big).status == 404)
    }

    @Test func randomQueryStringsNeverCauseAServerError() throws {
        let user = try t.registerAndLogin("fuzz")
        var generator = Generator(state: 42)
        let parameters =
            [
                "skip", "limit", "tags", "tag_match_all", "name", "patient_id", "active_only", "search", "status",
            ] + Set(RecordCatalog.types.flatMap { $0.filters.map(\.parameter) }).sorted()
        let values = [
            "-1", "0", "1", "100000000000000000000", "x", "", "%FF", "true", "maybe", "a,b", "%27%3B--", "2025-01-01",
            "2025-13-45", "2025-01-01T10:00:00%2B02:00", "blood_pressure", "fasting", "36501",
        ]
        let paths =
            [
                "/api/v1/medications/", "/api/v1/medications/patient/\(user.selfPatientID)", "/api/v1/pharmacies/",
                "/api/v1/practitioners/", "/api/v1/practices/", "/api/v1/practitioners/search/by-name",
                "/api/v1/patient-management/", "/api/v1/patients/me/recent-activity",
                "/api/v1/patients/me/dashboard-stats",
                "/api/v1/vitals/stats", "/api/v1/vitals/patient/\(user.selfPatientID)/paginated",
                "/api/v1/vitals/patient/\(user.selfPatientID)/date-range", "/api/v1/conditions/dropdown",
                "/api/v1/immunizations/patient/\(user.selfPatientID)/history",
            ] + RecordCatalog.types.map { $0.path + "/" }
        for round in 0..<(paths.count * 25) {
            let query = (0..<Int(generator.next() % 4)).map { _ in
                "\(generator.pick(parameters))=\(generator.pick(values))"
            }.joined(separator: "&")
            let path = paths[round % paths.count]
            let response = t.send("GET", path, token: user.token, query: query)
            #expect(response.status < 500, "round \(round): GET \(path)?\(query) → \(response.status)")
        }
    }
}
