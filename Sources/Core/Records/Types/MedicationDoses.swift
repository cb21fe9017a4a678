/// The dose log (beyond the contract): each answer to a dose — taken, skipped, or taken
/// late — with when it happened (`taken_at`) and the reminder slot it answers
/// (`scheduled_for`, the scheduled time a reminder notification carries; absent for an
/// extra dose). A child of its medication at `/medications/{medication_id}/doses`, reached
/// only through the medication's patient: view reads, edit writes. A slot is answered
/// once (409 for a second answer; update the first instead). Adherence over a period is
/// `MedicationAdherence`.
public enum MedicationDoses {
    public static let statuses = ["taken", "skipped", "late"]

    public static let type = RecordType(
        name: "Medication dose", table: "medication_doses", path: "/api/v1/medications/{medication_id}/doses",
        idParameter: "dose_id",
        scope: .child(parentTable: "medications", column: "medication_id"),
        fields: [
            FieldSpec("medication_id", .integer(1...Int64.max), required: true, immutable: true),
            FieldSpec("status", .choice(statuses), required: true),
            FieldSpec("taken_at", .dateTime(), required: true, aliases: ["dose_time"]),
            FieldSpec("scheduled_for", .dateTime(), aliases: ["scheduled_time"]),
            FieldSpec("notes", .text(maxLength: 2000)),
        ],
        filters: Array(RecordType.Filter.dateRange(column: "taken_at", dateOnly: false)) + [
            .equalsChoice("status", column: "status", choices: statuses)
        ],
        rules: [
            // "Late" is measured against a slot: without one it says nothing.
            RecordType.Rule { values in
                guard values["status"]?.stringValue == "late", values["scheduled_for"]?.stringValue == nil else {
                    return nil
                }
                return FieldProblem("scheduled_for", "is required when status is late")
            }
        ],
        defaultLimit: 100, maxLimit: 1000, labelField: "taken_at", order: "r.taken_at DESC, r.id DESC")

    static let handlers = RecordHandlers(type)

    static func register(in routes: RouteTable) {
        handlers.registerChildRoutes(in: routes)
        routes.get("/api/v1/medications/{medication_id}/adherence", MedicationAdherence.summary)
    }
}
