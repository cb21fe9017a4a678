/// Lab results: one ordered test or panel (a lipid panel, a CBC) with its status and
/// overall reading; the measured values are its components (`LabTestComponents`). Found
/// by patient, by test code (exact, or a part of it), by the practitioner who ordered
/// it; linked to conditions, encounters and treatments (`LabResultLinks`).
public enum LabResults {
    /// The contract's states; `in_progress` is accepted as `in-progress`.
    public static let statuses = ["ordered", "in-progress", "completed", "cancelled"]
    public static let readings = ["normal", "abnormal", "critical", "high", "low", "borderline", "inconclusive"]
    public static let categories = [
        "blood work", "imaging", "pathology", "microbiology", "chemistry", "hematology", "hepatology", "immunology",
        "genetics", "cardiology", "pulmonology", "hearing", "stomatology", "other",
    ]
    public static let testTypes = ["routine", "urgent", "stat", "emergency", "follow-up", "screening"]

    public static let type = RecordType(
        name: "Lab result", table: "lab_results", path: "/api/v1/lab-results", idParameter: "lab_result_id",
        scope: .patient(column: "patient_id"),
        fields: [
            FieldSpec("patient_id", .integer(1...Int64.max), required: true, immutable: true),
            FieldSpec("test_name", .string(maxLength: 200, minLength: 1), required: true),
            FieldSpec("test_code", .string(maxLength: 50)),
            FieldSpec("test_category", .choice(categories, aliases: ["blood_work": "blood work"])),
            FieldSpec("test_type", .choice(testTypes, aliases: ["follow_up": "follow-up"])),
            FieldSpec("facility", .string(maxLength: 300)),
            FieldSpec(
                "status", .choice(statuses, aliases: ["in_progress": "in-progress"]), nullable: false,
                default: "ordered"),
            FieldSpec("labs_result", .choice(readings)),
            FieldSpec("ordered_date", .date()),
            FieldSpec("completed_date", .date()),
            Practitioners.field,
            FieldSpec("notes", .text(maxLength: 5000)),
            FieldSpec("tags", .stringList(maxItems: 20, maxLength: 50), default: []),
        ],
        embeds: [PatientFields.embed, Practitioners.embed],
        filters: [
            .equalsChoice("status", column: "status", choices: statuses),
            .equalsChoice("labs_result", column: "labs_result", choices: readings),
            .equalsChoice("test_category", column: "test_category", choices: categories),
        ],
        rules: [.notBefore("completed_date", "ordered_date")],
        defaultLimit: 100, maxLimit: 1000, labelField: "test_name",
        deleteStyle: .withFileCounts(message: "Lab result and associated files deleted successfully"),
        patientListPaths: ["/api/v1/lab-results/patient/{patient_id}", "/api/v1/patients/{patient_id}/lab-results"],
        summary: [
            ("id", "{e}.id", .integer(0...Int64.max)), ("test_name", "{e}.test_name", .string(maxLength: 200)),
            ("test_code", "{e}.test_code", .string(maxLength: 50)),
            ("test_category", "{e}.test_category", .string(maxLength: 30)),
            ("status", "{e}.status", .string(maxLength: 20)),
            ("labs_result", "{e}.labs_result", .string(maxLength: 20)),
            ("ordered_date", "{e}.ordered_date", .date()), ("completed_date", "{e}.completed_date", .date()),
        ], fileEntityType: "lab-result")

    static let handlers = RecordHandlers(type)

    static func register(in routes: RouteTable) {
        handlers.register(in: routes)
        routes.get("/api/v1/lab-results/patient/{patient_id}/code/{code}") { context in
            try handlers.list(
                context, patientID: try context.parameters.id("patient_id"),
                extra: [("r.test_code = ?", [.text(try code(context))])])
        }
        // Across every patient the caller may see (the access condition of `list`).
        routes.get("/api/v1/lab-results/practitioner/{practitioner_id}") { context in
            try handlers.list(
                context, patientID: nil,
                extra: [("r.practitioner_id = ?", [.int(try context.parameters.id("practitioner_id"))])])
        }
        routes.get("/api/v1/lab-results/search/code/{code}") { context in
            try handlers.list(context, patientID: nil, extra: [("r.test_code = ?", [.text(try code(context))])])
        }
        routes.get("/api/v1/lab-results/search/code-pattern/{code_pattern}") { context in
            let pattern = "%" + RecordQuery.escapeLike(try code(context, "code_pattern")) + "%"
            return try handlers.list(context, patientID: nil, extra: [("r.test_code LIKE ?", [.text(pattern)])])
        }
        routes.get("/api/v1/lab-results/stats/patient/{patient_id}/count", patientCount)
        routes.get("/api/v1/lab-results/stats/practitioner/{practitioner_id}/count") { context in
            let id = try context.parameters.id("practitioner_id")
            let count = try accessibleCount(context, "r.practitioner_id = ?", .int(id))
            return .json(["practitioner_id": .int(id), "lab_result_count": .int(count)])
        }
        routes.get("/api/v1/lab-results/stats/code/{code}/count") { context in
            let code = try code(context)
            let count = try accessibleCount(context, "r.test_code = ?", .text(code))
            return .json(["code": .string(code), "usage_count": .int(count)])
        }
        LabResultLinks.register(in: routes)
    }

    /// A code from the path, trimmed; 422 when empty or longer than a code can be.
    static func code(_ context: Context, _ name: String = "code") throws -> String {
        let code = (context.parameters[name] ?? "").trimmingCharacters(in: .whitespaces)
        guard !code.isEmpty, code.count <= 50 else {
            throw APIError.validation([FieldProblem(name, "must be 1 to 50 characters")])
        }
        return code
    }

    /// `{patient_id, lab_result_count}`; 404 when the patient is not the caller's to see.
    static func patientCount(_ context: Context) throws -> Response {
        let user = try context.requireUser()
        let patientID = try context.parameters.id("patient_id")
        let access = PatientAccess.condition(patientColumn: "p.id", user: user.id, level: .view)
        guard
            let row = try context.db.queryOne(
                """
                SELECT (SELECT COUNT(*) FROM lab_results r WHERE r.patient_id = p.id) AS n
                FROM patients p WHERE p.id = ? AND \(access.sql)
                """, [.int(patientID)] + access.binds)
        else { throw APIError.notFound("Patient") }
        return .json(["patient_id": .int(patientID), "lab_result_count": .int(row.int("n") ?? 0)])
    }

    /// How many results match `condition` among the patients the caller may see.
    static func accessibleCount(_ context: Context, _ condition: String, _ value: SQLValue) throws -> Int64 {
        let user = try context.requireUser()
        let access = PatientAccess.condition(patientColumn: "r.patient_id", user: user.id, level: .view)
        return try context.db.queryOne(
            "SELECT COUNT(*) AS n FROM lab_results r WHERE \(condition) AND \(access.sql)", [value] + access.binds
        )?.int("n") ?? 0
    }
}
