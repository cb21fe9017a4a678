/// Treatments: a plan for a condition — simple (schedule and dosage on the treatment) or
/// advanced (medication-centric: each linked medication may override its dosage,
/// frequency, dates, prescriber and pharmacy for this treatment; see `TreatmentLinks`).
public enum Treatments {
    /// Upstream's states; `in_progress` is accepted as `in-progress` (decisions rule 13).
    public static let statuses = ["active", "in-progress", "completed", "cancelled", "on-hold", "planned"]
    public static let modes = ["simple", "advanced"]

    public static let type = RecordType(
        name: "Treatment", table: "treatments", path: "/api/v1/treatments", idParameter: "treatment_id",
        scope: .patient(column: "patient_id"),
        fields: [
            FieldSpec("patient_id", .integer(1...Int64.max), required: true, immutable: true),
            FieldSpec("treatment_name", .string(maxLength: 300, minLength: 2), required: true),
            FieldSpec("treatment_type", .string(maxLength: 300)),
            FieldSpec("description", .text(maxLength: 5000)),
            FieldSpec("start_date", .date()),
            FieldSpec("end_date", .date()),
            FieldSpec("frequency", .string(maxLength: 100)),
            FieldSpec("treatment_category", .string(maxLength: 200)),
            FieldSpec("outcome", .string(maxLength: 200)),
            FieldSpec("location", .string(maxLength: 200)),
            FieldSpec("dosage", .string(maxLength: 200)),
            FieldSpec("mode", .choice(modes), nullable: false, default: "simple"),
            FieldSpec(
                "status", .choice(statuses, aliases: ["in_progress": "in-progress", "on_hold": "on-hold"]),
                nullable: false, default: "active"),
            Practitioners.field,
            FieldSpec("condition_id", .patientRecord(table: "conditions", label: "Condition")),
            FieldSpec("notes", .text(maxLength: 5000)),
            FieldSpec("tags", .stringList(maxItems: 20, maxLength: 50), default: []),
        ],
        embeds: [
            PatientFields.embed, Practitioners.embed,
            RecordType.Embed("condition", Conditions.type, foreignKey: "condition_id"),
        ],
        filters: [
            .equalsID("condition_id", column: "condition_id"),
            .equalsChoice("status", column: "status", choices: statuses),
        ],
        rules: [.notBefore("end_date", "start_date")],
        labelField: "treatment_name",
        patientListPaths: [
            "/api/v1/treatments/patients/{patient_id}/treatments", "/api/v1/patients/{patient_id}/treatments",
        ],
        summary: [
            ("id", "{e}.id", .integer(0...Int64.max)),
            ("treatment_name", "{e}.treatment_name", .string(maxLength: 300)),
            ("treatment_type", "{e}.treatment_type", .string(maxLength: 300)),
            ("status", "{e}.status", .string(maxLength: 20)), ("mode", "{e}.mode", .string(maxLength: 20)),
            ("start_date", "{e}.start_date", .date()), ("end_date", "{e}.end_date", .date()),
            (
                "condition",
                """
                (SELECT JSON_OBJECT('id', c.id, 'condition_name', c.condition_name, 'diagnosis', c.condition_name,
                    'status', c.status) FROM conditions c WHERE c.id = {e}.condition_id AND c.patient_id = {e}.patient_id)
                """, .json
            ),
        ])

    static let handlers = RecordHandlers(type)

    static func register(in routes: RouteTable) {
        handlers.register(in: routes)
        routes.get("/api/v1/treatments/patient/{patient_id}/active") { context in
            try handlers.list(
                context, patientID: try context.parameters.id("patient_id"), extra: [("r.status = 'active'", [])])
        }
        // Ongoing: active or in progress, for `patient_id` or the active patient.
        routes.get("/api/v1/treatments/ongoing") { context in
            _ = try context.requireUser()
            guard
                let patientID = try ActivePatient.requested(context)
            else { return .json(.array([])) }
            return try handlers.list(
                context, patientID: patientID, extra: [("r.status IN ('active', 'in-progress')", [])])
        }
        for link in TreatmentLinks.all { LinkHandlers(link).register(in: routes) }
    }
}
