/// Symptoms: a recurring complaint described once (a headache, back pain), with each
/// episode logged as an occurrence (`SymptomOccurrences`), statistics and a timeline
/// (`SymptomStats`), and links to the conditions, medications and treatments it relates to
/// (`SymptomLinks`).
///
/// The contract's `notes` and upstream's `general_notes` are one field, both names.
/// `occurrence_count` and `last_occurrence_date` are computed from the occurrences on
/// every read, so they never disagree with them.
public enum Symptoms {
    /// The contract's three, plus upstream's `recurring`.
    public static let statuses = ["active", "inactive", "resolved", "recurring"]

    public static let type = RecordType(
        name: "Symptom", table: "symptoms", path: "/api/v1/symptoms", idParameter: "symptom_id",
        scope: .patient(column: "patient_id"),
        fields: [
            FieldSpec("patient_id", .integer(1...Int64.max), required: true, immutable: true),
            FieldSpec("symptom_name", .string(maxLength: 200, minLength: 1), required: true),
            FieldSpec("category", .string(maxLength: 100)),
            FieldSpec("body_part", .string(maxLength: 100)),
            FieldSpec("status", .choice(statuses), nullable: false, default: "active"),
            FieldSpec("is_chronic", .boolean, nullable: false, default: false),
            FieldSpec("first_occurrence_date", .date()),
            FieldSpec("resolved_date", .date()),
            FieldSpec("typical_triggers", .stringList(maxItems: 20, maxLength: 100), default: []),
            FieldSpec("notes", .text(maxLength: 2000), aliases: ["general_notes"], rendersAliases: true),
            FieldSpec("tags", .stringList(maxItems: 20, maxLength: 50), default: []),
        ],
        computed: [
            .init(
                "occurrence_count", sql: "SELECT COUNT(*) FROM symptom_occurrences o WHERE o.symptom_id = r.id",
                kind: .integer(0...Int64.max)),
            .init(
                "last_occurrence_date",
                sql: "SELECT DATE(MAX(o.occurred_at)) FROM symptom_occurrences o WHERE o.symptom_id = r.id",
                kind: .date()),
        ],
        filters: [
            .equalsChoice("status", column: "status", choices: statuses),
            .contains("search", column: "symptom_name"),
        ],
        rules: [.notBefore("resolved_date", "first_occurrence_date")],
        labelField: "symptom_name",
        summary: [
            ("id", "{e}.id", .integer(0...Int64.max)), ("symptom_name", "{e}.symptom_name", .string(maxLength: 200)),
            ("body_part", "{e}.body_part", .string(maxLength: 100)), ("status", "{e}.status", .string(maxLength: 20)),
        ], fileEntityType: "symptom")

    static let handlers = RecordHandlers(type)

    static func register(in routes: RouteTable) {
        // The literal paths first in the reading, though the router prefers them anyway.
        routes.get("/api/v1/symptoms/stats", SymptomStats.stats)
        routes.get("/api/v1/symptoms/timeline", SymptomStats.timeline)
        handlers.register(in: routes)
        SymptomLinks.register(in: routes)
    }
}
