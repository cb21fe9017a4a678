/// `/symptoms/stats` and `/symptoms/timeline` for the caller's active patient (or
/// `patient_id`, access-checked like every patient id): counts and chart points computed
/// by SQL aggregates over the (patient_id, …) and (symptom_id, occurred_at) indexes,
/// never by loading occurrences into the worker.
enum SymptomStats {
    /// Days counted as "recent" in the statistics.
    static let recentDays = 30

    /// The severity's score for averages: mild 1 … critical 4 (0 for none). The
    /// triggers of sql/0017_symptom_days.sql score with the same list.
    static let severityScore =
        "FIELD(o.severity, "
        + SymptomOccurrences.severities.map { "'\($0)'" }.joined(separator: ", ") + ")"

    /// The patient a request is about: `patient_id` or the active patient; 404 when
    /// there is none.
    static func patient(_ context: Context) throws -> Int64 {
        _ = try context.requireUser()  // 401 before anything else
        guard
            let patientID = try ActivePatient.requested(context)
        else { throw APIError.notFound("Patient") }
        return patientID
    }

    /// The contract's counts, with upstream's chronic count and most frequent symptom.
    static func stats(_ context: Context) throws -> Response {
        let user = try context.requireUser()
        let patientID = try patient(context)
        let access = PatientAccess.condition(patientColumn: "p.id", user: user.id, level: .view)
        let occurrences = "FROM symptoms s JOIN symptom_occurrences o ON o.symptom_id = s.id WHERE s.patient_id = p.id"
        let mostFrequent =
            "\(occurrences) GROUP BY s.id ORDER BY COUNT(*) DESC, MAX(o.occurred_at) DESC, s.id LIMIT 1"
        guard
            let row = try context.db.queryOne(
                """
                SELECT (SELECT COUNT(*) FROM symptoms s WHERE s.patient_id = p.id) AS total,
                    (SELECT COUNT(*) FROM symptoms s WHERE s.patient_id = p.id AND s.status = 'active') AS active,
                    (SELECT COUNT(*) FROM symptoms s WHERE s.patient_id = p.id AND s.status = 'resolved') AS resolved,
                    (SELECT COUNT(*) FROM symptoms s WHERE s.patient_id = p.id AND s.is_chronic = 1) AS chronic,
                    (SELECT COUNT(*) \(occurrences)) AS occurrences,
                    (SELECT COUNT(*) \(occurrences) AND o.occurred_at >= UTC_TIMESTAMP() - INTERVAL ? DAY) AS recent,
                    (SELECT s.symptom_name \(mostFrequent)) AS frequent_name,
                    (SELECT COUNT(*) \(mostFrequent)) AS frequent_count
                FROM patients p WHERE p.id = ? AND \(access.sql)
                """, [.int(Int64(recentDays)), .int(patientID)] + access.binds)
        else { throw APIError.notFound("Patient") }
        return .json([
            "patient_id": .int(patientID),
            "total_symptoms": .int(row.int("total") ?? 0),
            "active_symptoms": .int(row.int("active") ?? 0),
            "resolved_symptoms": .int(row.int("resolved") ?? 0),
            "chronic_symptoms": .int(row.int("chronic") ?? 0),
            "total_occurrences": .int(row.int("occurrences") ?? 0),
            "recent_occurrences": .int(row.int("recent") ?? 0),
            "recent_days": .int(Int64(recentDays)),
            "most_frequent_symptom": .string(row.string("frequent_name")),
            "most_frequent_count": row.int("frequent_count").map(JSON.int) ?? .null,
        ])
    }

    /// One point per UTC day with occurrences in the range (oldest first): the day's
    /// count, highest and average severity and pain, and the same per symptom, so a chart
    /// can draw the total and one series per symptom.
    static func timeline(_ context: Context) throws -> Response {
        // The chart's statement checks the token and the patient's access itself; only an
        // empty chart asks which of 401, 404 or no symptoms it is.
        guard let patient = try context.requestedPatient(column: "s.patient_id", caller: try context.caller()) else {
            throw APIError.notFound("Patient")
        }
        var binds = patient.binds
        var start: String?
        var end: String?
        if let value = context.query["start_date"], !value.isEmpty {
            start = try TemporalFilter.dateTime(value, parameter: "start_date", endOfDay: false)
        }
        if let value = context.query["end_date"], !value.isEmpty {
            end = try TemporalFilter.dateTime(value, parameter: "end_date", endOfDay: true)
            if let start, let end, end < start {
                throw APIError.validation([FieldProblem("end_date", "must not be before start_date")])
            }
        }
        // Whole UTC days (dates, or times at midnight and 23:59:59) read the per-day totals
        // that triggers keep (symptom_days); a bound inside a day aggregates occurrences.
        let wholeDays = (start?.hasSuffix(" 00:00:00") ?? true) && (end?.hasSuffix(" 23:59:59") ?? true)
        let sql: String
        if wholeDays {
            var conditions = [patient.sql, "d.occurrences > 0"]
            if let start {
                conditions.append("d.day >= ?")
                binds.append(.text(String(start.prefix(10))))
            }
            if let end {
                conditions.append("d.day <= ?")
                binds.append(.text(String(end.prefix(10))))
            }
            sql = """
                SELECT d.day, s.id AS symptom_id, s.symptom_name, d.occurrences AS n, d.max_score, d.score_sum,
                    d.max_pain, d.pain_sum, d.pain_count AS pain_n
                FROM symptoms s JOIN symptom_days d ON d.symptom_id = s.id
                WHERE \(conditions.joined(separator: " AND ")) ORDER BY d.day, s.id
                """
        } else {
            var conditions = [patient.sql]
            if let start {
                conditions.append("o.occurred_at >= ?")
                binds.append(.text(start))
            }
            if let end {
                conditions.append("o.occurred_at <= ?")
                binds.append(.text(end))
            }
            sql = """
                SELECT DATE(o.occurred_at) AS day, s.id AS symptom_id, s.symptom_name, COUNT(*) AS n,
                    MAX(\(severityScore)) AS max_score, SUM(\(severityScore)) AS score_sum,
                    MAX(o.pain_scale) AS max_pain, SUM(o.pain_scale) AS pain_sum, COUNT(o.pain_scale) AS pain_n
                FROM symptoms s JOIN symptom_occurrences o ON o.symptom_id = s.id
                WHERE \(conditions.joined(separator: " AND "))
                GROUP BY day, s.id, s.symptom_name ORDER BY day, s.id
                """
        }
        let rows = try context.db.query(sql, binds)
        if rows.isEmpty {
            let patientID = try self.patient(context)
            try PatientAccess.require(.view, patient: patientID, user: try context.requireUser().id, db: context.db)
        }
        // Written as bytes as the rows arrive, columns read by position (a month's chart is
        // a few hundred values; a JSON tree and by-name lookups cost more than the query's
        // share of the pool).
        var out: [UInt8] = [0x5B]
        out.reserveCapacity(rows.count * 300 + 2)
        var day: String?
        var total = Tally()
        var series: [UInt8] = []
        series.reserveCapacity(512)
        func close() {
            guard let day else { return }
            if out.count > 1 { out.append(0x2C) }
            out.append(0x7B)
            total.write(into: &out)
            out.append(contentsOf: #","date":"#.utf8)
            JSON.writeString(day, into: &out)
            out.append(contentsOf: #","symptoms":["#.utf8)
            out.append(contentsOf: series)
            out.append(contentsOf: [0x5D, 0x7D])
        }
        for row in rows {
            let values = row.values
            let rowDay = values[Column.day].textValue ?? ""
            if rowDay != day {
                close()
                (day, total) = (rowDay, Tally())
                series.removeAll(keepingCapacity: true)
            }
            let tally = Tally(values)
            total.add(tally)
            if !series.isEmpty { series.append(0x2C) }
            series.append(0x7B)
            tally.write(into: &series)
            series.append(contentsOf: #","symptom_id":"#.utf8)
            JSON.writeInteger(values[Column.symptomID].integerValue ?? 0, into: &series)
            series.append(contentsOf: #","symptom_name":"#.utf8)
            if let name = values[Column.symptomName].textValue {
                JSON.writeString(name, into: &series)
            } else {
                series.append(contentsOf: "null".utf8)
            }
            series.append(0x7D)
        }
        close()
        out.append(0x5D)
        return .json(encoded: out)
    }

    /// The timeline query's select-list positions.
    enum Column {
        static let day = 0, symptomID = 1, symptomName = 2, count = 3, maxScore = 4, scoreSum = 5
        static let maxPain = 6, painSum = 7, painCount = 8
    }

    /// Counts and sums of one group of occurrences, combinable into a day's total.
    struct Tally {
        var count: Int64 = 0
        var maxScore: Int64 = 0
        var scoreSum: Int64 = 0
        var maxPain: Int64?
        var painSum: Int64 = 0
        var painCount: Int64 = 0

        init() {}

        init(_ values: [SQLValue]) {
            count = values[Column.count].integerValue ?? 0
            maxScore = values[Column.maxScore].integerValue ?? 0
            scoreSum = values[Column.scoreSum].integerValue ?? 0
            maxPain = values[Column.maxPain].integerValue
            painSum = values[Column.painSum].integerValue ?? 0
            painCount = values[Column.painCount].integerValue ?? 0
        }

        mutating func add(_ other: Tally) {
            count += other.count
            maxScore = max(maxScore, other.maxScore)
            scoreSum += other.scoreSum
            if let pain = other.maxPain { maxPain = max(maxPain ?? pain, pain) }
            painSum += other.painSum
            painCount += other.painCount
        }

        static func average(_ sum: Int64, _ count: Int64) -> JSON {
            count == 0 ? .null : .double((Double(sum) / Double(count) * 10).rounded() / 10)
        }

        /// The tally's members (`"occurrence_count":…,"average_pain_scale":…`), no braces.
        func write(into out: inout [UInt8]) {
            let severities = SymptomOccurrences.severities
            out.append(contentsOf: #""occurrence_count":"#.utf8)
            JSON.writeInteger(count, into: &out)
            out.append(contentsOf: #","max_severity":"#.utf8)
            let severity: JSON = maxScore > 0 ? .string(severities[Int(maxScore) - 1]) : .null
            severity.write(into: &out)
            out.append(contentsOf: #","average_severity":"#.utf8)
            Tally.average(scoreSum, count).write(into: &out)
            out.append(contentsOf: #","max_pain_scale":"#.utf8)
            (maxPain.map(JSON.int) ?? .null).write(into: &out)
            out.append(contentsOf: #","average_pain_scale":"#.utf8)
            Tally.average(painSum, painCount).write(into: &out)
        }
    }
}
