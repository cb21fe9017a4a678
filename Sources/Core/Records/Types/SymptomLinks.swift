/// A symptom's links to the conditions it belongs to, the medications that cause or
/// relieve it, and the treatments aimed at it: three descriptions, linked and listed from
/// the symptom, unlinked by naming the other record (the contract's
/// `/symptoms/{id}/unlink-condition/{condition_id}`).
enum SymptomLinks {
    /// Upstream's kinds; the contract's "treatment" (the medication treats the symptom)
    /// is upstream's `helped_by`.
    static let medicationRelationships = ["side_effect", "helped_by", "related_to"]

    /// The contract names the note `notes`, upstream `relevance_note`: one field.
    static let note = FieldSpec("relevance_note", .string(maxLength: 500), aliases: ["notes"])

    /// Symptom ↔ `other`: listed at `/symptoms/{id}/<plural>`, linked at
    /// `/symptoms/{id}/link-<singular>`, unlinked at `/symptoms/{id}/unlink-<singular>/{<column>}`.
    static func link(
        _ other: RecordType, table: String, column: String, key: String, plural: String,
        fields: [FieldSpec] = [note]
    ) -> LinkType {
        LinkType(
            name: "Symptom \(key) relationship", table: table,
            left: .init(Symptoms.type, column: "symptom_id", key: "symptom"),
            right: .init(other, column: column, key: key),
            fields: fields,
            doors: [
                .init(
                    .left, idParameter: "symptom_id", list: "/api/v1/symptoms/{symptom_id}/\(plural)",
                    create: "/api/v1/symptoms/{symptom_id}/link-\(key)", otherIDKey: column,
                    unlink: "/api/v1/symptoms/{symptom_id}/unlink-\(key)/{\(column)}")
            ],
            deletedMessage: "\(other.name) unlinked from symptom")
    }

    static let conditions = link(
        Conditions.type, table: "symptom_conditions", column: "condition_id", key: "condition", plural: "conditions")

    static let medications = link(
        Medications.type, table: "symptom_medications", column: "medication_id", key: "medication",
        plural: "medications",
        fields: [
            FieldSpec(
                "relationship_type",
                .choice(
                    medicationRelationships,
                    aliases: [
                        "treatment": "helped_by", "side-effect": "side_effect", "helped-by": "helped_by",
                        "related-to": "related_to",
                    ]),
                nullable: false, default: "related_to"),
            note,
        ])

    static let treatments = link(
        Treatments.type, table: "symptom_treatments", column: "treatment_id", key: "treatment", plural: "treatments")

    static func register(in routes: RouteTable) {
        for link in [conditions, medications, treatments] { LinkHandlers(link).register(in: routes) }
    }
}
