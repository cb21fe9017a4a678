/// Procedures: what was done (or is scheduled), when, and how it went.
///
/// The contract's `procedure_date` and upstream's `date` are one field, both names.
public enum Procedures {
    public static let statuses = ["scheduled", "in-progress", "completed", "cancelled", "postponed"]

    public static let type = RecordType(
        name: "Procedure", table: "procedures", path: "/api/v1/procedures", idParameter: "procedure_id",
        scope: .patient(column: "patient_id"),
        fields: [
            FieldSpec("patient_id", .integer(1...Int64.max), required: true, immutable: true),
            FieldSpec("procedure_name", .string(maxLength: 300, minLength: 2), required: true),
            FieldSpec("procedure_date", .date(), required: true, aliases: ["date"], rendersAliases: true),
            FieldSpec(
                "status", .choice(statuses, aliases: ["in_progress": "in-progress"]), nullable: false,
                default: "completed"),
            FieldSpec("outcome", .string(maxLength: 50)),
            FieldSpec("procedure_type", .string(maxLength: 50)),
            FieldSpec("procedure_code", .string(maxLength: 50)),
            FieldSpec("description", .text(maxLength: 5000)),
            FieldSpec("facility", .string(maxLength: 300)),
            FieldSpec("procedure_setting", .string(maxLength: 100)),
            FieldSpec("procedure_complications", .string(maxLength: 500)),
            FieldSpec("procedure_duration", .integer(0...100_000)),
            FieldSpec("anesthesia_type", .string(maxLength: 100)),
            FieldSpec("anesthesia_notes", .text(maxLength: 5000)),
            Practitioners.field,
            FieldSpec("condition_id", .patientRecord(table: "conditions", label: "Condition")),
            FieldSpec("notes", .text(maxLength: 5000)),
            FieldSpec("tags", .stringList(maxItems: 20, maxLength: 50), default: []),
        ],
        embeds: [Practitioners.embed, RecordType.Embed("condition", Conditions.type, foreignKey: "condition_id")],
        filters: [.equalsChoice("status", column: "status", choices: statuses)]
            + RecordType.Filter.dateRange(column: "procedure_date"),
        labelField: "procedure_name", order: "r.procedure_date DESC, r.id DESC",
        patientListPaths: [
            "/api/v1/procedures/patients/{patient_id}/procedures", "/api/v1/patients/{patient_id}/procedures",
        ],
        summary: [
            ("id", "{e}.id", .integer(0...Int64.max)),
            ("procedure_name", "{e}.procedure_name", .string(maxLength: 300)),
            ("procedure_date", "{e}.procedure_date", .date()), ("status", "{e}.status", .string(maxLength: 20)),
            ("outcome", "{e}.outcome", .string(maxLength: 50)),
        ], fileEntityType: "procedure")

    static func register(in routes: RouteTable) {
        RecordHandlers(type).register(in: routes)
    }
}
