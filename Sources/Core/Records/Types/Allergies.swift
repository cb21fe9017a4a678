/// Allergies: what a patient reacts to, how badly, and since when.
public enum Allergies {
    public static let severities = ["mild", "moderate", "severe", "life-threatening"]
    public static let statuses = ["active", "inactive", "resolved"]

    public static let type = RecordType(
        name: "Allergy", table: "allergies", path: "/api/v1/allergies", idParameter: "allergy_id",
        scope: .patient(column: "patient_id"),
        fields: [
            FieldSpec("patient_id", .integer(1...Int64.max), required: true, immutable: true),
            FieldSpec("allergen", .string(maxLength: 200, minLength: 2), required: true),
            FieldSpec(
                "severity", .choice(severities, aliases: ["life_threatening": "life-threatening"]), required: true),
            FieldSpec("reaction", .string(maxLength: 500)),
            // The contract says diagnosed_date, upstream onset_date: one field, both names.
            FieldSpec("onset_date", .date(), aliases: ["diagnosed_date"], rendersAliases: true),
            FieldSpec("status", .choice(statuses), nullable: false, default: "active"),
            FieldSpec("medication_id", .patientRecord(table: "medications", label: "Medication")),
            FieldSpec("notes", .text(maxLength: 5000)),
            FieldSpec("tags", .stringList(maxItems: 20, maxLength: 50), default: []),
        ],
        embeds: [RecordType.Embed("medication", Medications.type, foreignKey: "medication_id")],
        filters: [
            .equalsChoice("severity", column: "severity", choices: severities),
            .contains("allergen", column: "allergen"),
            .equalsChoice("status", column: "status", choices: statuses),
        ],
        labelField: "allergen",
        patientListPaths: [
            "/api/v1/allergies/patients/{patient_id}/allergies", "/api/v1/patients/{patient_id}/allergies",
        ],
        summary: [
            ("id", "{e}.id", .integer(0...Int64.max)), ("allergen", "{e}.allergen", .string(maxLength: 200)),
            ("severity", "{e}.severity", .string(maxLength: 20)), ("status", "{e}.status", .string(maxLength: 20)),
        ], fileEntityType: "allergy")

    static let handlers = RecordHandlers(type)

    static func register(in routes: RouteTable) {
        handlers.register(in: routes)
        routes.get("/api/v1/allergies/patient/{patient_id}/active") { context in
            try handlers.list(
                context, patientID: try context.parameters.id("patient_id"), extra: [("r.status = 'active'", [])])
        }
        routes.get("/api/v1/allergies/patient/{patient_id}/critical") { context in
            try handlers.list(
                context, patientID: try context.parameters.id("patient_id"),
                extra: [("r.severity IN ('severe', 'life-threatening')", [])])
        }
        routes.get("/api/v1/allergies/patient/{patient_id}/check/{allergen}", check)
        // nginx decodes %2F, so "Dust/Mold" arrives as two segments.
        routes.get("/api/v1/allergies/patient/{patient_id}/check/{allergen}/{allergen_rest}", check)
    }

    /// Whether the patient has an active allergy to `allergen` (case-insensitive, as the
    /// column's collation compares).
    static func check(_ context: Context) throws -> Response {
        let user = try context.requireUser()
        let patientID = try context.parameters.id("patient_id")
        let allergen = ([context.parameters["allergen"], context.parameters["allergen_rest"]].compactMap { $0 })
            .joined(separator: "/").trimmingCharacters(in: .whitespaces)
        guard !allergen.isEmpty, allergen.storedLength <= 200 else {
            throw APIError.validation([FieldProblem("allergen", "must be 1 to 200 characters")])
        }
        try PatientAccess.require(.view, patient: patientID, user: user.id, db: context.db)
        let found = try context.db.queryOne(
            "SELECT 1 FROM allergies WHERE patient_id = ? AND allergen = ? AND status = 'active' LIMIT 1",
            [.int(patientID), .text(allergen)])
        return .json(["patient_id": .int(patientID), "allergen": .string(allergen), "has_allergy": .bool(found != nil)])
    }
}
