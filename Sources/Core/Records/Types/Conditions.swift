/// Conditions (diagnoses) and the medications that treat them.
///
/// Stored as `condition_name`; the contract's `condition_name` and upstream's `diagnosis`
/// are one field, accepted and answered under both names (decisions rule 9), as are
/// `diagnosed_date` and `onset_date`.
public enum Conditions {
    /// The contract's three, plus upstream's other states a real client sends.
    public static let statuses = ["active", "resolved", "chronic", "inactive", "recurrence", "relapse"]
    public static let severities = ["mild", "moderate", "severe", "critical"]

    public static let type = RecordType(
        name: "Condition", table: "conditions", path: "/api/v1/conditions", idParameter: "condition_id",
        scope: .patient(column: "patient_id"),
        fields: [
            FieldSpec("patient_id", .integer(1...Int64.max), required: true, immutable: true),
            FieldSpec(
                "condition_name", .string(maxLength: 500, minLength: 2), required: true, aliases: ["diagnosis"],
                rendersAliases: true),
            FieldSpec("status", .choice(statuses), nullable: false, default: "active"),
            FieldSpec("severity", .choice(severities)),
            FieldSpec("onset_date", .date(), aliases: ["diagnosed_date"], rendersAliases: true),
            FieldSpec("end_date", .date()),
            FieldSpec("icd10_code", .string(maxLength: 10)),
            FieldSpec("snomed_code", .string(maxLength: 20)),
            FieldSpec("code_description", .string(maxLength: 500)),
            Practitioners.field,
            FieldSpec("notes", .text(maxLength: 5000)),
            FieldSpec("tags", .stringList(maxItems: 20, maxLength: 50), default: []),
        ],
        embeds: [PatientFields.embed, Practitioners.embed],
        filters: [.equalsChoice("status", column: "status", choices: statuses)],
        rules: [.notBefore("end_date", "onset_date")],
        labelField: "condition_name",
        patientListPaths: [
            "/api/v1/conditions/patients/{patient_id}/conditions", "/api/v1/patients/{patient_id}/conditions",
        ],
        summary: [
            ("id", "{e}.id", .integer(0...Int64.max)),
            ("condition_name", "{e}.condition_name", .string(maxLength: 500)),
            ("diagnosis", "{e}.condition_name", .string(maxLength: 500)),
            ("status", "{e}.status", .string(maxLength: 20)), ("severity", "{e}.severity", .string(maxLength: 20)),
        ], fileEntityType: "condition")

    static let handlers = RecordHandlers(type)

    /// Condition ↔ medication: linked from the condition, listed from both sides.
    public static let medicationLinks = LinkType(
        name: "Condition medication relationship", table: "condition_medications",
        left: .init(type, column: "condition_id", key: "condition"),
        right: .init(Medications.type, column: "medication_id", key: "medication"),
        fields: [FieldSpec("relevance_note", .string(maxLength: 500))],
        doors: [
            .init(
                .left, idParameter: "condition_id", list: "/api/v1/conditions/condition-medications/{condition_id}",
                create: "/api/v1/conditions/{condition_id}/medications",
                bulk: "/api/v1/conditions/{condition_id}/medications/bulk",
                item: "/api/v1/conditions/{condition_id}/medications/{relationship_id}", otherIDKey: "medication_id"),
            .init(
                .left, idParameter: "condition_id", list: "/api/v1/conditions/{condition_id}/medications",
                otherIDKey: "medication_id"),
            .init(
                .right, idParameter: "medication_id", list: "/api/v1/conditions/medication/{medication_id}/conditions",
                otherIDKey: "condition_id"),
        ],
        deletedMessage: "Condition medication relationship deleted successfully")

    static func register(in routes: RouteTable) {
        handlers.register(in: routes)
        LinkHandlers(medicationLinks).register(in: routes)
        routes.get("/api/v1/conditions/patient/{patient_id}/active") { context in
            try handlers.list(
                context, patientID: try context.parameters.id("patient_id"), extra: [("r.status = 'active'", [])])
        }
        routes.get("/api/v1/conditions/dropdown", dropdown)
    }

    /// `[{id, condition_name, diagnosis, status, severity}]` of the active patient (or
    /// `patient_id`), alphabetical; `active_only` narrows to active ones.
    static func dropdown(_ context: Context) throws -> Response {
        let user = try context.requireUser()
        let activeOnly = try QueryValues.flag(context.query, "active_only", default: false)
        guard
            let patientID = try ActivePatient.requested(context)
        else { return .json(.array([])) }
        try PatientAccess.require(.view, patient: patientID, user: user.id, db: context.db)
        let rows = try context.db.query(
            """
            SELECT id, condition_name, status, severity FROM conditions
            WHERE patient_id = ?\(activeOnly ? " AND status = 'active'" : "") ORDER BY condition_name LIMIT 1000
            """, [.int(patientID)])
        return .json(
            .array(
                rows.map {
                    [
                        "id": .int($0.int("id") ?? 0), "condition_name": .string($0.string("condition_name")),
                        "diagnosis": .string($0.string("condition_name")), "status": .string($0.string("status")),
                        "severity": .string($0.string("severity")),
                    ]
                }))
    }
}
