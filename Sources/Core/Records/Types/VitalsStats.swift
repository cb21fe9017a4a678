/// `/vitals/stats` and `/vitals/patient/{id}/stats`: averages from `vitals_totals` (one
/// row), the latest reading date from (patient_id, recorded_date), and each measure's
/// latest (and first) value by one seek in its (patient_id, has_<measure>, recorded_date)
/// index — constant work however many readings there are.
enum VitalsStats {
    /// The caller's active patient, or `patient_id` — access-checked like every patient
    /// id (upstream answers another user's statistics here).
    static func forActivePatient(_ context: Context) throws -> Response {
        _ = try context.requireUser()  // 401 before anything else
        guard
            let patientID = try ActivePatient.requested(context)
        else { throw APIError.notFound("Patient") }
        return try answer(context, patientID: patientID)
    }

    /// The latest non-null value of a column (and, with `first`, the earliest); `select`
    /// names what to take from that reading (its id, to tell one reading from two).
    static func edge(_ column: String, first: Bool = false, select: String? = nil) -> String {
        """
        (SELECT v.\(select ?? column) FROM vitals v WHERE v.patient_id = p.id AND v.has_\(column) = 1
         ORDER BY v.recorded_date \(first ? "ASC" : "DESC"), v.id \(first ? "ASC" : "DESC") LIMIT 1)
        """
    }

    static func answer(_ context: Context, patientID: Int64) throws -> Response {
        // The statement checks the token too; no row is 401, else 404.
        let caller = try context.caller()
        let access = PatientAccess.condition(patientColumn: "p.id", user: caller.id, level: .view)
        let proof = caller.proof ?? ("1", [])
        guard
            let row = try context.db.queryOne(
                """
                SELECT t.readings, t.systolic_sum / NULLIF(t.systolic_n, 0) AS avg_systolic,
                    t.diastolic_sum / NULLIF(t.diastolic_n, 0) AS avg_diastolic,
                    t.heart_rate_sum / NULLIF(t.heart_rate_n, 0) AS avg_heart_rate,
                    t.temperature_sum / NULLIF(t.temperature_n, 0) AS avg_temperature,
                    (SELECT MAX(v.recorded_date) FROM vitals v WHERE v.patient_id = p.id) AS latest,
                    \(edge("weight")) AS current_weight, \(edge("weight", first: true)) AS first_weight,
                    \(edge("weight", select: "id")) AS current_weight_id,
                    \(edge("weight", first: true, select: "id")) AS first_weight_id,
                    \(edge("temperature")) AS current_temperature, \(edge("bmi")) AS current_bmi,
                    \(edge("blood_glucose")) AS current_blood_glucose, \(edge("a1c")) AS current_a1c
                FROM patients p LEFT JOIN vitals_totals t ON t.patient_id = p.id
                WHERE p.id = ? AND \(access.sql) AND \(proof.sql)
                """, [.int(patientID)] + access.binds + proof.binds)
        else {
            _ = try context.requireUser()
            throw APIError.notFound("Patient")
        }
        func number(_ column: String) -> JSON {
            guard let value = row.double(column) else { return .null }
            return .double((value * 10).rounded() / 10)
        }
        let current = row.double("current_weight")
        let first = row.double("first_weight")
        var change: Double?
        // A trend needs two weighings: the first and the latest must be different readings.
        if let current, let first, row.int("current_weight_id") != row.int("first_weight_id") {
            change = ((current - first) * 10).rounded() / 10
        }
        let trend: JSON
        switch change {
        case nil: trend = .null
        case let delta? where delta >= 1: trend = "increasing"
        case let delta? where delta <= -1: trend = "decreasing"
        default: trend = "stable"
        }
        return .json([
            "patient_id": .int(patientID),
            "total_readings": .int(row.int("readings") ?? 0),
            "latest_reading_date": .string(row.string("latest")),
            "blood_pressure_avg": ["systolic": number("avg_systolic"), "diastolic": number("avg_diastolic")],
            "heart_rate_avg": number("avg_heart_rate"),
            "weight_trend": trend,
            "avg_systolic_bp": number("avg_systolic"),
            "avg_diastolic_bp": number("avg_diastolic"),
            "avg_heart_rate": number("avg_heart_rate"),
            "avg_temperature": number("avg_temperature"),
            "current_temperature": number("current_temperature"),
            "current_weight": number("current_weight"),
            "current_bmi": number("current_bmi"),
            "weight_change": change.map(JSON.double) ?? .null,
            "current_blood_glucose": number("current_blood_glucose"),
            "current_a1c": number("current_a1c"),
        ])
    }
}
