/// Injuries (a sprain, a fracture, a burn): what was hurt, on which side, how and how
/// badly, with its type from the shared `InjuryTypes` list, and links to the medications,
/// conditions, treatments and procedures that go with it (`InjuryLinks`).
public enum Injuries {
    public static let lateralities = ["left", "right", "bilateral", "not_applicable"]
    public static let severities = ["mild", "moderate", "severe", "life-threatening"]
    public static let statuses = ["active", "healing", "resolved", "chronic"]

    public static let type = RecordType(
        name: "Injury", table: "injuries", path: "/api/v1/injuries", idParameter: "injury_id",
        scope: .patient(column: "patient_id"),
        fields: [
            FieldSpec("patient_id", .integer(1...Int64.max), required: true, immutable: true),
            FieldSpec("injury_name", .string(maxLength: 300, minLength: 2), required: true),
            FieldSpec("injury_type_id", .reference(table: "injury_types", label: "Injury type")),
            FieldSpec("body_part", .string(maxLength: 100, minLength: 1), required: true),
            FieldSpec("laterality", .choice(lateralities, aliases: ["not-applicable": "not_applicable"])),
            FieldSpec("date_of_injury", .date()),
            FieldSpec("mechanism", .string(maxLength: 500)),
            FieldSpec(
                "severity", .choice(severities, aliases: ["life_threatening": "life-threatening"])),
            FieldSpec("status", .choice(statuses), nullable: false, default: "active"),
            FieldSpec("treatment_received", .text(maxLength: 5000)),
            FieldSpec("recovery_notes", .text(maxLength: 5000)),
            Practitioners.field,
            FieldSpec("notes", .text(maxLength: 5000)),
            FieldSpec("tags", .stringList(maxItems: 20, maxLength: 50), default: []),
        ],
        embeds: [
            RecordType.Embed(
                "injury_type", table: "injury_types", foreignKey: "injury_type_id", columns: InjuryTypes.type.summary),
            Practitioners.embed,
        ],
        filters: [
            .equalsChoice("status", column: "status", choices: statuses),
            .equalsID("injury_type_id", column: "injury_type_id"),
        ],
        labelField: "injury_name",
        summary: [
            ("id", "{e}.id", .integer(0...Int64.max)), ("injury_name", "{e}.injury_name", .string(maxLength: 300)),
            ("body_part", "{e}.body_part", .string(maxLength: 100)),
            ("laterality", "{e}.laterality", .string(maxLength: 20)),
            ("severity", "{e}.severity", .string(maxLength: 20)), ("status", "{e}.status", .string(maxLength: 20)),
            ("date_of_injury", "{e}.date_of_injury", .date()),
        ], fileEntityType: "injury")

    static let handlers = RecordHandlers(type)

    static func register(in routes: RouteTable) {
        handlers.register(in: routes)
        routes.get("/api/v1/injuries/patient/{patient_id}/active") { context in
            try handlers.list(
                context, patientID: try context.parameters.id("patient_id"), extra: [("r.status = 'active'", [])])
        }
        for link in InjuryLinks.all { LinkHandlers(link).register(in: routes) }
    }
}

/// An injury's links: one description per other end, all alike — listed and linked at
/// `/injuries/{id}/<plural>`, bulk-linked at `…/bulk`, unlinked at
/// `/injuries/{id}/<plural>/{<other>_id}` (the contract names the other record, not the link).
enum InjuryLinks {
    static func link(
        _ other: RecordType, column: String, key: String, plural: String, summary: [RecordType.Embed.Column]? = nil
    ) -> LinkType {
        let base = "/api/v1/injuries/{injury_id}/\(plural)"
        return LinkType(
            name: "Injury \(key) relationship", table: "injury_\(plural)",
            left: .init(Injuries.type, column: "injury_id", key: "injury"),
            right: .init(other, column: column, key: key, summary: summary),
            fields: [FieldSpec("relevance_note", .string(maxLength: 500), aliases: ["notes"])],
            doors: [
                .init(
                    .left, idParameter: "injury_id", list: base, create: base, bulk: "\(base)/bulk", otherIDKey: column,
                    unlink: "\(base)/{\(column)}")
            ],
            deletedMessage: "\(other.name) unlinked from injury")
    }

    /// What an injury shows of a linked procedure (procedures describe no summary of their own).
    static let all = [
        link(Medications.type, column: "medication_id", key: "medication", plural: "medications"),
        link(Conditions.type, column: "condition_id", key: "condition", plural: "conditions"),
        link(Treatments.type, column: "treatment_id", key: "treatment", plural: "treatments"),
        link(
            Procedures.type, column: "procedure_id", key: "procedure", plural: "procedures"),
    ]
}
