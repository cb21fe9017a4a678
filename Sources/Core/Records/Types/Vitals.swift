/// Vital signs: one reading (any subset of the measures) at a moment. Temperature in °F,
/// weight in pounds, height in inches, as the contract stores them. Lists are ordered by
/// the reading's time; statistics come from `vitals_totals` (kept by triggers) and index
/// range reads, never from the readings loaded into the worker.
public enum Vitals {
    public static let glucoseContexts = ["fasting", "before_meal", "after_meal", "random"]

    /// `vital_type` filter values and the reading they require.
    static let vitalTypes: [String: String] = [
        "blood_pressure": "(r.systolic_bp IS NOT NULL OR r.diastolic_bp IS NOT NULL)",
        "heart_rate": "r.heart_rate IS NOT NULL", "temperature": "r.temperature IS NOT NULL",
        "weight": "r.weight IS NOT NULL", "height": "r.height IS NOT NULL",
        "oxygen_saturation": "r.oxygen_saturation IS NOT NULL", "respiratory_rate": "r.respiratory_rate IS NOT NULL",
        "blood_glucose": "r.blood_glucose IS NOT NULL", "a1c": "r.a1c IS NOT NULL", "bmi": "r.bmi IS NOT NULL",
        "pain_scale": "r.pain_scale IS NOT NULL",
    ]

    static let vitalTypeFilter = RecordType.Filter("vital_type") { value in
        guard let condition = vitalTypes[value.lowercased()] else {
            throw APIError.validation([
                FieldProblem("vital_type", "must be one of \(vitalTypes.keys.sorted().joined(separator: ", "))")
            ])
        }
        return (condition, [])
    }
    static let glucoseFilter = RecordType.Filter.equalsChoice(
        "glucose_context", column: "glucose_context", choices: glucoseContexts)

    public static let type = RecordType(
        name: "Vitals", table: "vitals", path: "/api/v1/vitals", idParameter: "vitals_id",
        scope: .patient(column: "patient_id"),
        fields: [
            FieldSpec("patient_id", .integer(1...Int64.max), required: true, immutable: true),
            FieldSpec("recorded_date", .dateTime(), required: true),
            FieldSpec("systolic_bp", .integer(60...250)),
            FieldSpec("diastolic_bp", .integer(30...150)),
            FieldSpec("heart_rate", .integer(30...250)),
            FieldSpec("temperature", .number(80...115)),
            FieldSpec("weight", .measure(maximum: 1500, unit: "pounds")),
            FieldSpec("height", .measure(maximum: 120, unit: "inches")),
            FieldSpec("oxygen_saturation", .number(50...100)),
            FieldSpec("respiratory_rate", .integer(4...80)),
            FieldSpec("blood_glucose", .number(10...1500)),
            FieldSpec("a1c", .number(2...20)),
            FieldSpec("glucose_context", .choice(glucoseContexts)),
            FieldSpec("bmi", .number(5...150)),
            FieldSpec("pain_scale", .integer(0...10)),
            FieldSpec("location", .string(maxLength: 200)),
            FieldSpec("device_used", .string(maxLength: 200)),
            FieldSpec("import_source", .string(maxLength: 100)),
            Practitioners.field,
            FieldSpec("notes", .text(maxLength: 5000)),
        ],
        embeds: [PatientFields.embed, Practitioners.embed],
        filters: [vitalTypeFilter, glucoseFilter]
            + RecordType.Filter.dateRange(column: "recorded_date", dateOnly: false),
        rules: [
            RecordType.Rule { values in
                guard let systolic = values["systolic_bp"]?.intValue, let diastolic = values["diastolic_bp"]?.intValue,
                    diastolic >= systolic
                else { return nil }
                return FieldProblem("diastolic_bp", "must be lower than systolic_bp")
            }
        ],
        defaultLimit: 10_000, maxLimit: 10_000, labelField: "recorded_date", order: "r.recorded_date DESC, r.id DESC",
        fileEntityType: "vitals")

    static let handlers = RecordHandlers(type)

    static func register(in routes: RouteTable) {
        handlers.register(in: routes)
        routes.get("/api/v1/vitals/stats", VitalsStats.forActivePatient)
        routes.get("/api/v1/vitals/patient/{patient_id}/stats") { context in
            try VitalsStats.answer(context, patientID: try context.parameters.id("patient_id"))
        }
        routes.get("/api/v1/vitals/patient/{patient_id}") { context in
            try handlers.list(context, patientID: try context.parameters.id("patient_id"), extra: [])
        }
        routes.get("/api/v1/vitals/patient/{patient_id}/paginated", paginated)
        routes.get("/api/v1/vitals/patient/{patient_id}/latest", latest)
        routes.get("/api/v1/vitals/patient/{patient_id}/date-range", dateRange)
        routes.post("/api/v1/vitals/patient/{patient_id}/vitals") { context in
            try handlers.create(context, patientID: try context.parameters.id("patient_id"), bodyMustAgree: true)
        }
    }

    /// `{items, total, skip, limit}`: 10 per page by default, at most 100.
    static func paginated(_ context: Context) throws -> Response {
        let patientID = try context.parameters.id("patient_id")
        let page = try Pagination(query: context.query, defaultLimit: 10, maxLimit: 100)
        let filter = try handlers.conditions(context, patientID: patientID, extra: [])
        let db = context.db
        let rows = try db.query(
            handlers.query.selectFrom + filter.sql + " ORDER BY \(type.order) LIMIT ? OFFSET ?",
            filter.binds + [.int(Int64(page.limit)), .int(Int64(page.skip))])
        try filter.confirmAccess(ifEmpty: rows.count, context)
        let total = try db.queryOne("SELECT COUNT(*) AS n FROM vitals r" + filter.sql, filter.binds)?.int("n") ?? 0
        return .json([
            "items": .array(rows.map { RecordJSON.render($0, layout: handlers.query.layout) }),
            "total": .int(total), "skip": .int(Int64(page.skip)), "limit": .int(Int64(page.limit)),
        ])
    }

    /// The most recent reading; 404 when the patient has none.
    static func latest(_ context: Context) throws -> Response {
        let user = try context.requireUser()
        let patientID = try context.parameters.id("patient_id")
        try PatientAccess.require(.view, patient: patientID, user: user.id, db: context.db)
        guard
            let row = try context.db.queryOne(
                handlers.query.selectFrom + " WHERE r.patient_id = ? ORDER BY \(type.order) LIMIT 1", [.int(patientID)])
        else { throw APIError(404, "No vitals readings found") }
        return .json(RecordJSON.render(row, layout: handlers.query.layout))
    }

    /// Readings between `start_date` and `end_date` (both required).
    static func dateRange(_ context: Context) throws -> Response {
        var problems: [FieldProblem] = []
        for parameter in ["start_date", "end_date"] where (context.query[parameter] ?? "").isEmpty {
            problems.append(FieldProblem(parameter, "is required"))
        }
        guard problems.isEmpty else { throw APIError.validation(problems) }
        return try handlers.list(context, patientID: try context.parameters.id("patient_id"), extra: [])
    }
}
