/// Encounters: visits to a practitioner, with what was found and planned.
///
/// The contract's `encounter_date` / `encounter_type` and upstream's `date` /
/// `visit_type` are one field each, accepted and answered under both names.
public enum Encounters {
    public static let priorities = ["routine", "urgent", "emergency"]

    public static let type = RecordType(
        name: "Encounter", table: "encounters", path: "/api/v1/encounters", idParameter: "encounter_id",
        scope: .patient(column: "patient_id"),
        fields: [
            FieldSpec("patient_id", .integer(1...Int64.max), required: true, immutable: true),
            FieldSpec("encounter_date", .date(), required: true, aliases: ["date"], rendersAliases: true),
            FieldSpec("encounter_type", .string(maxLength: 100), aliases: ["visit_type"], rendersAliases: true),
            FieldSpec("reason", .string(maxLength: 500)),
            FieldSpec("chief_complaint", .string(maxLength: 500)),
            FieldSpec("diagnosis", .string(maxLength: 500)),
            FieldSpec("treatment_plan", .text(maxLength: 5000)),
            FieldSpec("follow_up_instructions", .text(maxLength: 5000)),
            FieldSpec("duration_minutes", .integer(0...10_000)),
            FieldSpec("location", .string(maxLength: 200)),
            FieldSpec("priority", .choice(priorities)),
            Practitioners.field,
            FieldSpec("condition_id", .patientRecord(table: "conditions", label: "Condition")),
            FieldSpec("notes", .text(maxLength: 5000)),
            FieldSpec("tags", .stringList(maxItems: 20, maxLength: 50), default: []),
        ],
        embeds: [Practitioners.embed, RecordType.Embed("condition", Conditions.type, foreignKey: "condition_id")],
        filters: [.equalsID("practitioner_id", column: "practitioner_id")]
            + RecordType.Filter.dateRange(column: "encounter_date"),
        labelField: "encounter_type", order: "r.encounter_date DESC, r.id DESC",
        patientListPaths: [
            "/api/v1/encounters/patients/{patient_id}/encounters", "/api/v1/patients/{patient_id}/encounters",
        ],
        summary: [
            ("id", "{e}.id", .integer(0...Int64.max)), ("encounter_date", "{e}.encounter_date", .date()),
            ("encounter_type", "{e}.encounter_type", .string(maxLength: 100)),
            ("reason", "{e}.reason", .string(maxLength: 500)),
        ], fileEntityType: "encounter")

    static func register(in routes: RouteTable) {
        RecordHandlers(type).register(in: routes)
    }
}
