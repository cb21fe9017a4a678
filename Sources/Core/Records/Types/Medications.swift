/// Medications: a patient's medicines with prescriber, pharmacy and reminder settings.
public enum Medications {
    public static let routes = [
        "oral", "injection", "topical", "intravenous", "intramuscular", "subcutaneous", "inhalation", "nasal", "rectal",
        "sublingual",
    ]
    public static let statuses = ["active", "stopped", "on-hold", "completed", "cancelled"]
    public static let types = ["prescription", "otc", "supplement", "herbal"]

    public static let type = RecordType(
        name: "Medication", table: "medications", path: "/api/v1/medications", idParameter: "medication_id",
        scope: .patient(column: "patient_id"),
        fields: [
            FieldSpec("patient_id", .integer(1...Int64.max), required: true, immutable: true),
            FieldSpec("medication_name", .string(maxLength: 200, minLength: 1), required: true),
            FieldSpec("alternative_name", .string(maxLength: 200)),
            FieldSpec("medication_type", .choice(types), default: "prescription"),
            FieldSpec("dosage", .string(maxLength: 100)),
            FieldSpec("frequency", .string(maxLength: 100)),
            FieldSpec("route", .choice(routes)),
            FieldSpec("indication", .string(maxLength: 500)),
            FieldSpec("effective_period_start", .date()),
            FieldSpec("effective_period_end", .date()),
            FieldSpec("status", .choice(statuses), default: "active"),
            FieldSpec("practitioner_id", .reference(table: "practitioners", label: "Practitioner")),
            FieldSpec("pharmacy_id", .reference(table: "pharmacies", label: "Pharmacy")),
            FieldSpec("notes", .text(maxLength: 5000)),
            FieldSpec("side_effects", .text(maxLength: 5000)),
            FieldSpec("tags", .stringList(maxItems: 20, maxLength: 50), default: []),
            FieldSpec("reminder_enabled", .boolean, nullable: false, default: false),
            FieldSpec("reminder_times", .timesOfDay(maxItems: 12)),
            FieldSpec("reminder_message", .string(maxLength: 500)),
            FieldSpec("reminder_days", .weekdays),
        ],
        embeds: [
            Practitioners.embed,
            RecordType.Embed(
                "pharmacy", table: "pharmacies", foreignKey: "pharmacy_id",
                columns: [
                    ("id", "{e}.id", .integer(0...Int64.max)), ("name", "{e}.name", .string(maxLength: 150)),
                    ("brand", "{e}.brand", .string(maxLength: 100)), ("city", "{e}.city", .string(maxLength: 100)),
                    ("phone_number", "{e}.phone_number", .string(maxLength: 30)),
                ]),
        ],
        filters: [
            .contains("name", column: "medication_name"),
            .equalsChoice("status", column: "status", choices: statuses),
        ],
        rules: [.notBefore("effective_period_end", "effective_period_start")],
        defaultLimit: 100, maxLimit: 100, labelField: "medication_name", deleteStyle: .noContent,
        summary: [
            ("id", "{e}.id", .integer(0...Int64.max)),
            ("medication_name", "{e}.medication_name", .string(maxLength: 200)),
            ("dosage", "{e}.dosage", .string(maxLength: 100)), ("frequency", "{e}.frequency", .string(maxLength: 100)),
            ("status", "{e}.status", .string(maxLength: 20)),
        ], fileEntityType: "medication")

    static let handlers = RecordHandlers(type)

    /// The generic routes plus the two patient-path forms the contract lists.
    static func register(in routes: RouteTable) {
        handlers.register(in: routes)
        routes.get("/api/v1/medications/patient/{patient_id}", listForPatient)
        routes.get("/api/v1/patients/{patient_id}/medications", listForPatient)
        routes.post("/api/v1/patients/{patient_id}/medications") { context in
            try handlers.create(context, patientID: try context.parameters.id("patient_id"))
        }
    }

    /// `?active_only=true` narrows to medications whose status is active.
    static func listForPatient(_ context: Context) throws -> Response {
        let patientID = try context.parameters.id("patient_id")
        let activeOnly = try QueryValues.flag(context.query, "active_only", default: false)
        return try handlers.list(context, patientID: patientID, extra: activeOnly ? [("r.status = 'active'", [])] : [])
    }
}
