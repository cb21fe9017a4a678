import Foundation

/// A lab result's component statistics, and the trend of one test across a patient's
/// results: the series a chart draws, read by SQL over the component indexes (by
/// canonical name, printed name or LOINC code) joined to the patient's results, never by
/// loading the patient's components into the worker.
enum LabTrends {
    /// Readings counted as out of range.
    static let abnormal: Set<String> = ["abnormal", "critical", "high", "low", "borderline"]

    /// `{lab_result_id, total_components, normal/abnormal/critical counts, by status,
    /// by category, by result type}` of one result; 404 when it is not the caller's.
    static func statistics(_ context: Context) throws -> Response {
        let user = try context.requireUser()
        let resultID = try context.parameters.id("lab_result_id")
        let access = PatientAccess.condition(patientColumn: "par.patient_id", user: user.id, level: .view)
        let rows = try context.db.query(
            """
            SELECT c.status, c.category, c.result_type, COUNT(*) AS n
            FROM lab_results par JOIN lab_test_components c ON c.lab_result_id = par.id
            WHERE par.id = ? AND \(access.sql)
            GROUP BY c.status, c.category, c.result_type
            """, [.int(resultID)] + access.binds)
        if rows.isEmpty { try LabTestComponents.handlers.requireParent(resultID, level: .view, context) }
        var total: Int64 = 0
        var byStatus: [String: Int64] = [:]
        var byCategory: [String: Int64] = [:]
        var byType: [String: Int64] = [:]
        for row in rows {
            let n = row.int("n") ?? 0
            total += n
            byStatus[row.string("status") ?? "unknown", default: 0] += n
            byCategory[row.string("category") ?? "uncategorized", default: 0] += n
            byType[row.string("result_type") ?? "quantitative", default: 0] += n
        }
        func object(_ counts: [String: Int64]) -> JSON {
            var out = JSONObject()
            for key in counts.keys.sorted() { out[key] = .int(counts[key]!) }
            return .object(out)
        }
        return .json([
            "lab_result_id": .int(resultID),
            "total_components": .int(total),
            "normal_count": .int(byStatus["normal"] ?? 0),
            "abnormal_count": .int(byStatus.filter { abnormal.contains($0.key) }.values.reduce(0, +)),
            "critical_count": .int(byStatus["critical"] ?? 0),
            "status_counts": object(byStatus),
            "category_counts": object(byCategory),
            "result_type_counts": object(byType),
        ])
    }

    /// Upstream's trend answer for `test_name` (path or query): the most recent `limit`
    /// points (default and at most 100) oldest first, each with its result's id, name and
    /// date, and statistics over them. Optional `date_from`/`date_to` bound the result's
    /// date (completed, else ordered), `unit` keeps one unit. 404 when the patient is
    /// not the caller's; an unknown test is an empty series.
    static func trend(_ context: Context) throws -> Response {
        let user = try context.caller()  // the series' statement proves the token
        let patientID = try context.parameters.id("patient_id")
        let name = (context.parameters["test_name"] ?? context.query["test_name"] ?? "")
            .trimmingCharacters(in: .whitespaces)
        guard !name.isEmpty, name.count <= 200 else {
            throw APIError.validation([FieldProblem("test_name", "must be 1 to 200 characters")])
        }
        let limit = try QueryValues.count(context.query, "limit", default: 100, max: 100)
        let access = PatientAccess.condition(patientColumn: "r.patient_id", user: user.id, level: .view)
        let date = "r.result_date"  // completed, else ordered, else entered (stored, indexed)
        var conditions = [
            "r.patient_id = ?", access.sql,
            "(c.canonical_test_name = ? OR c.test_name = ? OR c.test_code = ?)",
        ]
        var binds: [SQLValue] = [.int(patientID)] + access.binds + [.text(name), .text(name), .text(name)]
        if let proof = user.proof {
            conditions.append(proof.sql)
            binds += proof.binds
        }
        var from: String?
        for (parameter, comparison) in [("date_from", ">="), ("date_to", "<=")] {
            guard let value = context.query[parameter], !value.isEmpty else { continue }
            guard
                case .success(let accepted) = FieldValidation.accept(.string(value), for: FieldSpec(parameter, .date()))
            else { throw APIError.validation([FieldProblem(parameter, "must be a date (YYYY-MM-DD)")]) }
            let day = accepted.json.stringValue ?? value
            if parameter == "date_from" { from = day }
            if parameter == "date_to", let from, day < from {
                throw APIError.validation([FieldProblem("date_to", "must not be before date_from")])
            }
            conditions.append("\(date) \(comparison) ?")
            binds.append(.text(day))
        }
        if let unit = context.query["unit"], !unit.isEmpty {
            conditions.append("c.unit = ?")
            binds.append(.text(unit))
        }
        // The latest `limit` matches, newest first (the walk down the patient's results
        // stops at the last one needed; each result's components are tested on the entries
        // of ix_lab_components_trend, see sql/0020). Each point is written as its row arrives, read in
        // place, into a piece of its own; the pieces then go out oldest first.
        let sql = """
            SELECT c.id, c.value, c.unit, c.status, c.ref_range_min, c.ref_range_max, c.ref_range_text,
                \(date) AS recorded_date, c.created_at, c.result_type, c.qualitative_value, c.textual_value,
                r.id AS result_id, r.test_name AS result_name, r.completed_date, c.category
            FROM lab_results r
            STRAIGHT_JOIN lab_test_components c FORCE INDEX (ix_lab_components_trend) ON c.lab_result_id = r.id
            WHERE \(conditions.joined(separator: " AND "))
            ORDER BY r.result_date DESC, r.id DESC LIMIT ?
            """
        var pieces: [[UInt8]] = []
        var tally = Tally()
        var latest: (unit: String?, category: String?, resultType: String?) = (nil, nil, nil)
        let count = try context.db.forEachRow(
            sql, binds + [.int(Int64(limit))],
            restart: {
                pieces.removeAll(keepingCapacity: true)
                tally = Tally()
            }
        ) { row in
            var piece: [UInt8] = []
            piece.reserveCapacity(512)
            try RecordJSON.write(row, plan: pointPlan, into: &piece)
            pieces.append(piece)
            try tally.add(row)
            if pieces.count == 1 {
                latest = (
                    try row.string(Column.unit), try row.string(Column.category), try row.string(Column.resultType)
                )
            }
        }
        tally.values.reverse()  // oldest first, as the points
        var out = Array(#"{"data_points":["#.utf8)
        out.reserveCapacity(pieces.reduce(512) { $0 + $1.count + 1 })
        for (index, piece) in pieces.reversed().enumerated() {
            if index > 0 { out.append(0x2C) }
            out += piece
        }
        if count == 0 {
            try PatientAccess.require(.view, patient: patientID, user: try context.requireUser().id, db: context.db)
        }
        let resultType = latest.resultType ?? "quantitative"
        let rest: JSON = [
            "test_name": .string(name),
            "unit": .string(latest.unit),
            "category": .string(latest.category),
            "statistics": .object(tally.statistics(resultType: resultType)),
            "is_aggregated": false,
            "aggregation_period": .null,
            "result_type": .string(resultType),
        ]
        out.append(0x5D)
        out.append(0x2C)
        out += rest.serialized().dropFirst()
        return .json(encoded: out)
    }

    /// One point as upstream's LabTestComponentTrendDataPoint, by position in the trend's
    /// select list (its result under `lab_result`).
    static let pointPlan: RecordQuery.WritePlan = {
        let id = FieldKind.integer(0...Int64.max)
        let text = FieldKind.string(maxLength: 500)
        let number = FieldKind.number(-1.0e12...1.0e12)
        let values: [(String, FieldKind)] = [
            ("id", id), ("value", number), ("unit", text), ("status", text), ("ref_range_min", number),
            ("ref_range_max", number), ("ref_range_text", text), ("recorded_date", .date()), ("created_at", text),
            ("result_type", text), ("qualitative_value", text), ("textual_value", text),
        ]
        var layout = values.enumerated().map { RecordQuery.Slot.value(name: $1.0, kind: $1.1, position: $0) }
        layout.append(
            .embed(
                key: "lab_result", idPosition: 12,
                columns: [("id", id, 12), ("test_name", text, 13), ("completed_date", .date(), 14)]))
        return RecordQuery.WritePlan(layout)
    }()

    /// The trend's select-list positions that its statistics and answer read.
    enum Column {
        static let value = 1, unit = 2, status = 3, rangeMin = 4, rangeMax = 5, resultType = 9
        static let qualitativeValue = 10, category = 15
    }

    /// Upstream's trend statistics, tallied point by point as the rows arrive (`values`
    /// put oldest first before `statistics`). The direction compares the last value with the first: a change of more than
    /// 5% of the first is `increasing` or `decreasing`, else `stable`; fewer than two
    /// values is `insufficient_data`. Time in range counts values within both given bounds.
    struct Tally {
        var count = 0
        var values: [Double] = []
        var normal = 0
        var outOfRange = 0
        var ranged = 0
        var within = 0
        var qualitative: [String: Int64] = [:]

        mutating func add(_ row: RawRow) throws {
            count += 1
            if let status = try row.string(Column.status) {
                if status == "normal" { normal += 1 } else if abnormal.contains(status) { outOfRange += 1 }
            }
            if let answer = try row.string(Column.qualitativeValue) { qualitative[answer, default: 0] += 1 }
            guard let value = try row.double(Column.value) else { return }
            values.append(value)
            let (low, high) = (try row.double(Column.rangeMin), try row.double(Column.rangeMax))
            guard low != nil || high != nil else { return }
            ranged += 1
            if value >= (low ?? -.infinity) && value <= (high ?? .infinity) { within += 1 }
        }

        func statistics(resultType: String) -> JSONObject {
            var out: JSONObject = [
                "count": .int(Int64(count)),
                "normal_count": .int(Int64(normal)),
                "abnormal_count": .int(Int64(outOfRange)),
                "result_type": .string(resultType),
            ]
            func rounded(_ value: Double) -> JSON { .double((value * 1000).rounded() / 1000) }
            if values.isEmpty {
                for key in ["latest", "average", "min", "max", "std_dev", "time_in_range_percent"] { out[key] = .null }
            } else {
                let mean = values.reduce(0, +) / Double(values.count)
                let variance = values.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(values.count)
                out["latest"] = .double(values.last!)
                out["average"] = rounded(mean)
                out["min"] = .double(values.min()!)
                out["max"] = .double(values.max()!)
                out["std_dev"] = values.count > 1 ? rounded(variance.squareRoot()) : .null
                out["time_in_range_percent"] = ranged == 0 ? .null : rounded(Double(within) * 100 / Double(ranged))
            }
            if values.count < 2 {
                out["trend_direction"] = "insufficient_data"
            } else {
                let (first, last) = (values.first!, values.last!)
                let threshold = abs(first) * 0.05
                out["trend_direction"] = .string(
                    last - first > threshold ? "increasing" : first - last > threshold ? "decreasing" : "stable")
            }
            if resultType == "qualitative" {
                var counts = JSONObject()
                for key in qualitative.keys.sorted() { counts[key] = .int(qualitative[key]!) }
                out["qualitative_summary"] = .object(counts)
            } else {
                out["qualitative_summary"] = .null
            }
            return out
        }
    }
}
