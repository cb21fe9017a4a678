import Testing

@testable import Core

/// Shared steps of the patient endpoint tests.
extension TestApp {
    /// A valid patient body; `overrides` replace or add keys.
    static func patientBody(_ first: String = "Jane", _ overrides: [String: JSON] = [:]) -> JSON {
        var body: JSONObject = [
            "first_name": .string(first), "last_name": "Doe", "birth_date": "2010-05-20", "gender": "female",
            "blood_type": "A+", "height": 60, "weight": 85, "address": "123 Main St",
        ]
        for (key, value) in overrides { body[key] = value }
        return .object(body)
    }

    /// Creates a patient through `/patient-management/` and returns its id.
    func createPatient(_ user: TestUser, _ first: String = "Jane", _ overrides: [String: JSON] = [:]) throws -> Int64 {
        let response = send(
            "POST", "/api/v1/patient-management/", json: TestApp.patientBody(first, overrides), token: user.token)
        guard response.status == 201, let id = response.jsonBody?["id"]?.intValue else {
            throw TestAppError(
                description: "create patient: \(response.status) \(String(decoding: response.body, as: UTF8.self))")
        }
        return id
    }

    /// A practitioner row made directly in SQL (patients only need one to point at).
    func makePractitioner() throws -> Int64 {
        let db = services.db
        let specialty = try db.execute(
            "INSERT INTO medical_specialties (name) VALUES (?)", [.text(TestApp.unique("PatSpec"))]
        ).lastInsertID
        return try db.execute(
            "INSERT INTO practitioners (name, specialty_id) VALUES (?, ?)", [.text("Dr Who"), .int(specialty)]
        ).lastInsertID
    }

    /// A medication row made directly in SQL.
    @discardableResult
    func insertMedication(patient: Int64, status: String = "active") throws -> Int64 {
        try services.db.execute(
            "INSERT INTO medications (patient_id, medication_name, status) VALUES (?, ?, ?)",
            [.int(patient), .text("Aspirin"), .text(status)]
        ).lastInsertID
    }

    /// Shares `patient` (owned by `owner`) with `user` directly in SQL.
    func share(
        _ patient: Int64, by owner: TestUser, with user: TestUser, level: String = "view", active: Bool = true,
        expiresSQL: String = "NULL"
    ) throws {
        try services.db.execute(
            "INSERT INTO patient_shares (patient_id, shared_by_user_id, shared_with_user_id, permission_level, is_active, expires_at) VALUES (?, ?, ?, ?, ?, \(expiresSQL))",
            [.int(patient), .int(owner.id), .int(user.id), .text(level), .bool(active)])
    }

    func count(_ sql: String, _ binds: [SQLValue]) throws -> Int64 {
        try services.db.queryOne(sql, binds)?.int("n") ?? -1
    }

    /// The `field` names listed in a validation error's detail.
    static func badFields(_ response: Response) -> Set<String> {
        Set(response.jsonBody?["detail"]?.arrayValue?.compactMap { $0["field"]?.stringValue } ?? [])
    }
}
