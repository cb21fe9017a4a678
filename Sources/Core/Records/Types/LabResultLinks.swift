/// A lab result's links: to the conditions it monitors, to the encounters it was ordered
/// or reviewed at (reachable from both sides), and to the treatments it follows.
public enum LabResultLinks {
    static let labResult = LinkType.End(LabResults.type, column: "lab_result_id", key: "lab_result")

    public static let conditions = LinkType(
        name: "Lab result condition relationship", table: "lab_result_conditions", left: labResult,
        right: .init(Conditions.type, column: "condition_id", key: "condition"),
        fields: [FieldSpec("relevance_note", .string(maxLength: 500))],
        doors: [
            .init(
                .left, idParameter: "lab_result_id", list: "/api/v1/lab-results/{lab_result_id}/conditions",
                create: "/api/v1/lab-results/{lab_result_id}/conditions",
                item: "/api/v1/lab-results/{lab_result_id}/conditions/{relationship_id}", otherIDKey: "condition_id"),
            // The results that monitor a condition (upstream's reverse list).
            .init(
                .right, idParameter: "condition_id", list: "/api/v1/conditions/{condition_id}/lab-results",
                otherIDKey: "lab_result_id"),
        ],
        deletedMessage: "Lab result condition relationship deleted successfully")

    public static let purposes = ["ordered_during", "results_reviewed", "follow_up_for", "reference", "other"]

    /// Encounter ↔ lab result, with upstream's flat display fields of both ends beside
    /// the embedded other end. From the lab-result side the body names `encounter_id`
    /// (decisions rule 12); each side words its delete answer its own way.
    public static let encounters = LinkType(
        name: "Encounter lab result relationship", table: "encounter_lab_results",
        left: .init(Encounters.type, column: "encounter_id", key: "encounter"), right: labResult,
        fields: [
            FieldSpec("purpose", .choice(purposes)),
            FieldSpec("relevance_note", .string(maxLength: 500)),
        ],
        computed: [
            .init("lab_result_name", sql: "{right}.test_name", kind: .string(maxLength: 200)),
            .init("lab_result_date", sql: "COALESCE({right}.completed_date, {right}.ordered_date)", kind: .date()),
            .init("lab_result_status", sql: "{right}.status", kind: .string(maxLength: 20)),
            .init("encounter_reason", sql: "{left}.reason", kind: .string(maxLength: 500)),
            .init("encounter_date", sql: "{left}.encounter_date", kind: .date()),
        ],
        doors: [
            .init(
                .left, idParameter: "encounter_id", list: "/api/v1/encounters/{encounter_id}/lab-results",
                create: "/api/v1/encounters/{encounter_id}/lab-results",
                bulk: "/api/v1/encounters/{encounter_id}/lab-results/bulk",
                item: "/api/v1/encounters/{encounter_id}/lab-results/{relationship_id}", otherIDKey: "lab_result_id",
                deletedMessage: "Encounter lab result relationship deleted successfully"),
            .init(
                .right, idParameter: "lab_result_id", list: "/api/v1/lab-results/{lab_result_id}/encounters",
                create: "/api/v1/lab-results/{lab_result_id}/encounters",
                bulk: "/api/v1/lab-results/{lab_result_id}/encounters/bulk",
                item: "/api/v1/lab-results/{lab_result_id}/encounters/{relationship_id}", otherIDKey: "encounter_id",
                deletedMessage: "Lab result encounter relationship deleted successfully"),
        ],
        deletedMessage: "Encounter lab result relationship deleted successfully")

    /// Treatment ↔ lab result, the same pattern as a treatment's other links.
    public static let treatments = LinkType(
        name: "Treatment lab result relationship", table: "treatment_lab_results", left: TreatmentLinks.treatment,
        right: labResult,
        fields: [
            FieldSpec("purpose", .string(maxLength: 50)),
            FieldSpec("expected_frequency", .string(maxLength: 100)),
            FieldSpec("relevance_note", .string(maxLength: 500)),
        ],
        doors: [
            .init(
                .left, idParameter: "treatment_id", list: "/api/v1/treatments/{treatment_id}/lab-results",
                create: "/api/v1/treatments/{treatment_id}/lab-results",
                bulk: "/api/v1/treatments/{treatment_id}/lab-results/bulk",
                item: "/api/v1/treatments/{treatment_id}/lab-results/{relationship_id}", otherIDKey: "lab_result_id"),
            // The treatments a result follows (upstream's reverse list).
            .init(
                .right, idParameter: "lab_result_id", list: "/api/v1/lab-results/{lab_result_id}/treatments",
                otherIDKey: "treatment_id"),
        ],
        createStatus: 200, deletedMessage: "Lab result link removed",
        deletedBody: ["status": "success", "message": "Lab result link removed"])

    static func register(in routes: RouteTable) {
        for link in [conditions, encounters, treatments] { LinkHandlers(link).register(in: routes) }
    }
}
