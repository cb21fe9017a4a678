/// The counts behind `/patients/me/dashboard-stats`, driven by `RecordCatalog`: a record
/// type is counted as soon as its table is in the catalog, in one query of COUNT
/// subqueries. The contract's keys for types not built yet are reported as 0.
enum DashboardStats {
    /// The record type whose `status = 'active'` rows are `active_medications`.
    static let medicationsKey = "medications"

    /// One SELECT with a COUNT subquery per catalog table (each binds the patient id),
    /// plus the active medications when medications are in the catalog.
    static let query: (sql: String, binds: Int) = {
        var parts = RecordCatalog.patientTables.map {
            "(SELECT COUNT(*) FROM \($0.table) WHERE patient_id = ?) AS total_\($0.key)"
        }
        if let medications = RecordCatalog.patientTables.first(where: { $0.key == medicationsKey }) {
            parts.append(
                "(SELECT COUNT(*) FROM \(medications.table) WHERE patient_id = ? AND status = 'active') AS active_medications"
            )
        }
        return ("SELECT " + parts.joined(separator: ", "), parts.count)
    }()

    /// `{patient_id, total_records, active_medications, total_<contract key>..., total_<other catalog key>...}`.
    static func json(patient id: Int64, db: Connection) throws -> JSON {
        var counted: [String: Int64] = [:]
        var active: Int64 = 0
        if query.binds > 0, let row = try db.queryOne(query.sql, Array(repeating: .int(id), count: query.binds)) {
            for table in RecordCatalog.patientTables {
                counted[table.key] = row.int("total_\(table.key)") ?? 0
            }
            active = row.int("active_medications") ?? 0
        }
        var object: JSONObject = [
            "patient_id": .int(id),
            "total_records": .int(counted.values.reduce(0, +)),
            "active_medications": .int(active),
        ]
        for key in RecordCatalog.summaryKeys {
            object["total_\(key)"] = .int(counted[key] ?? 0)
        }
        return .object(object)
    }
}
