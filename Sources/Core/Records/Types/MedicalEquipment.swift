/// Medical equipment a patient uses (upstream's `/medical-equipment`; the contract's
/// treatment "equipment"): CPAP machines, glucose meters, braces, with their service dates.
public enum MedicalEquipment {
    public static let statuses = ["active", "inactive", "needs_repair", "replaced", "returned"]

    public static let type = RecordType(
        name: "Medical equipment", table: "medical_equipment", path: "/api/v1/medical-equipment",
        idParameter: "equipment_id", scope: .patient(column: "patient_id"),
        fields: [
            FieldSpec("patient_id", .integer(1...Int64.max), required: true, immutable: true),
            FieldSpec("equipment_name", .string(maxLength: 200, minLength: 2), required: true),
            FieldSpec("equipment_type", .string(maxLength: 100, minLength: 2), required: true),
            FieldSpec("manufacturer", .string(maxLength: 200)),
            FieldSpec("model_number", .string(maxLength: 100)),
            FieldSpec("serial_number", .string(maxLength: 100)),
            FieldSpec("prescribed_date", .date()),
            FieldSpec("last_service_date", .date()),
            FieldSpec("next_service_date", .date()),
            FieldSpec("usage_instructions", .text(maxLength: 5000)),
            FieldSpec(
                "status", .choice(statuses, aliases: ["needs-repair": "needs_repair"]), nullable: false,
                default: "active"),
            FieldSpec("supplier", .string(maxLength: 200)),
            Practitioners.field,
            FieldSpec("notes", .text(maxLength: 5000)),
            FieldSpec("tags", .stringList(maxItems: 20, maxLength: 50), default: []),
        ],
        embeds: [Practitioners.embed],
        filters: [
            .equalsChoice("status", column: "status", choices: statuses),
            .contains("equipment_type", column: "equipment_type"),
        ],
        labelField: "equipment_name",
        summary: [
            ("id", "{e}.id", .integer(0...Int64.max)),
            ("equipment_name", "{e}.equipment_name", .string(maxLength: 200)),
            ("equipment_type", "{e}.equipment_type", .string(maxLength: 100)),
            ("status", "{e}.status", .string(maxLength: 50)),
        ])

    static let handlers = RecordHandlers(type)

    static func register(in routes: RouteTable) {
        handlers.register(in: routes)
        routes.get("/api/v1/medical-equipment/active") { context in
            try list(context, where: "r.status = 'active'")
        }
        // Due for service within 30 days, or overdue.
        routes.get("/api/v1/medical-equipment/needing-service") { context in
            try list(context, where: "r.next_service_date <= UTC_DATE() + INTERVAL 30 DAY")
        }
    }

    /// The `patient_id` query parameter's (or the active patient's) equipment matching `condition`.
    static func list(_ context: Context, where condition: String) throws -> Response {
        _ = try context.requireUser()  // 401 before anything else
        guard
            let patientID = try ActivePatient.requested(context)
        else { return .json(.array([])) }
        return try handlers.list(context, patientID: patientID, extra: [(condition, [])])
    }
}
