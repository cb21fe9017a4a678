/// Emergency contacts: whom to call for a patient, at most one of them primary.
public enum EmergencyContacts {
    /// Upstream's relationships (the contract's "Spouse" is `spouse`).
    public static let relationships = [
        "spouse", "partner", "parent", "child", "sibling", "grandparent", "grandchild", "aunt", "uncle", "cousin",
        "friend", "neighbor", "caregiver", "guardian", "other",
    ]

    public static let type = RecordType(
        name: "Emergency Contact", table: "emergency_contacts", path: "/api/v1/emergency-contacts",
        idParameter: "emergency_contact_id", scope: .patient(column: "patient_id"),
        fields: [
            FieldSpec("patient_id", .integer(1...Int64.max), required: true, immutable: true),
            FieldSpec("name", .string(maxLength: 100, minLength: 2), required: true),
            FieldSpec("relationship", .choice(relationships), required: true),
            FieldSpec("phone_number", .string(maxLength: 20, minLength: 1), required: true),
            FieldSpec("secondary_phone", .string(maxLength: 20)),
            FieldSpec("email", .email),
            FieldSpec("is_primary", .boolean, nullable: false, default: false),
            FieldSpec("is_active", .boolean, nullable: false, default: true),
            FieldSpec("address", .string(maxLength: 500)),
            FieldSpec("notes", .text(maxLength: 5000)),
        ],
        filters: [.flag("is_active", column: "is_active"), .flag("is_primary", column: "is_primary")],
        rules: [phoneNumber("phone_number"), phoneNumber("secondary_phone")],
        defaultLimit: 10_000, maxLimit: 10_000, labelField: "name", order: "r.is_primary DESC, r.name, r.id",
        beforeWrite: PrimaryFlag.onePerPatient(table: "emergency_contacts"))

    /// Upstream's check: 10 to 15 digits, whatever the punctuation ("+1 (555) 010-0100").
    static func phoneNumber(_ field: String) -> RecordType.Rule {
        RecordType.Rule { values in
            guard let text = values[field]?.stringValue else { return nil }
            let digits = text.unicodeScalars.filter { ("0"..."9").contains($0) }.count
            return (10...15).contains(digits) ? nil : FieldProblem(field, "must have 10 to 15 digits")
        }
    }

    static let handlers = RecordHandlers(type)

    static func register(in routes: RouteTable) {
        handlers.register(in: routes)
        routes.post("/api/v1/emergency-contacts/{emergency_contact_id}/set-primary") { context in
            try handlers.update(context, body: ["is_primary": true])
        }
        routes.get("/api/v1/emergency-contacts/patient/{patient_id}/primary", primary)
    }

    /// The patient's active primary contact; 404 when there is none.
    static func primary(_ context: Context) throws -> Response {
        let user = try context.requireUser()
        let patientID = try context.parameters.id("patient_id")
        try PatientAccess.require(.view, patient: patientID, user: user.id, db: context.db)
        guard
            let row = try context.db.queryOne(
                "SELECT id FROM emergency_contacts WHERE patient_id = ? AND is_primary = 1 AND is_active = 1 LIMIT 1",
                [.int(patientID)]),
            let id = row.int("id")
        else { throw APIError.notFound("Primary emergency contact") }
        return .json(try handlers.fetch(id, user: user, level: .view, db: context.db))
    }
}
