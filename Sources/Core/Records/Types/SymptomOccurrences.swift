/// One episode of a symptom: when it happened (`occurred_at`, UTC), how bad, how long.
/// A child of its symptom, reached only through the symptom's patient, at the contract's
/// paths under `/symptoms/{symptom_id}/occurrences`.
///
/// Upstream logs a date (`occurrence_date`); the contract a date-time (`occurred_at`).
/// Either is accepted (a date alone is midnight UTC) and both are answered, the date
/// being the occurrence's UTC day.
public enum SymptomOccurrences {
    /// Upstream's levels; the timeline scores them 1 (mild) to 4 (critical).
    public static let severities = ["mild", "moderate", "severe", "critical"]
    public static let timesOfDay = ["morning", "afternoon", "evening", "night"]
    public static let impactLevels = ["no_impact", "mild", "moderate", "severe", "debilitating"]

    public static let type = RecordType(
        name: "Symptom occurrence", table: "symptom_occurrences", path: "/api/v1/symptoms/{symptom_id}/occurrences",
        idParameter: "occurrence_id",
        scope: .child(parentTable: "symptoms", column: "symptom_id"),
        fields: [
            FieldSpec("symptom_id", .integer(1...Int64.max), required: true, immutable: true),
            FieldSpec("occurred_at", .dateTime(), required: true, aliases: ["occurrence_date"]),
            FieldSpec("severity", .choice(severities), required: true),
            FieldSpec("pain_scale", .integer(0...10)),
            FieldSpec("duration_minutes", .integer(0...525_600)),
            FieldSpec("duration", .string(maxLength: 100)),
            FieldSpec("time_of_day", .choice(timesOfDay)),
            FieldSpec("location", .string(maxLength: 200)),
            FieldSpec("triggers", .stringList(maxItems: 20, maxLength: 100), default: []),
            FieldSpec("relief_methods", .stringList(maxItems: 20, maxLength: 100), default: []),
            FieldSpec("associated_symptoms", .stringList(maxItems: 20, maxLength: 100), default: []),
            FieldSpec("impact_level", .choice(impactLevels)),
            FieldSpec("resolved_date", .date()),
            FieldSpec("resolution_notes", .text(maxLength: 2000)),
            FieldSpec("notes", .text(maxLength: 2000)),
        ],
        computed: [.init("occurrence_date", sql: "DATE(r.occurred_at)", kind: .date())],
        rules: [
            // The resolution is a date; the occurrence a moment: compare their days.
            RecordType.Rule { values in
                guard let resolved = values["resolved_date"]?.stringValue,
                    let occurred = values["occurred_at"]?.stringValue, resolved < String(occurred.prefix(10))
                else { return nil }
                return FieldProblem("resolved_date", "must not be before the day of occurred_at")
            }
        ],
        defaultLimit: 10_000, maxLimit: 10_000, labelField: "occurred_at", order: "r.occurred_at DESC, r.id DESC")

    static let handlers = RecordHandlers(type)

    static func register(in routes: RouteTable) {
        handlers.registerChildRoutes(in: routes)
    }
}
