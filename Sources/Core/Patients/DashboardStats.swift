/// The counts behind `/patients/me/dashboard-stats`, driven by `RecordCatalog`: a record
/// type is counted as soon as its table is in the catalog, in one query of COUNT
/// subqueries. The contract's keys for types not built yet are reported as 0.
enum DashboardStats {
    /// The active medications, counted in the same query as the totals.
    static let activeMedications = [
        (name: "active_medications", sql: "SELECT COUNT(*) FROM medications WHERE patient_id = ? AND status = 'active'")
    ]

    /// `{patient_id, total_records, active_medications, total_<contract key>..., total_<other catalog key>...}`.
    static func json(patient id: Int64, db: Connection) throws -> JSON {
        var counted = try RecordCatalog.count(
            patientFilter: "patient_id = ?", value: .int(id), extra: activeMedications, db: db)
        let active = counted.removeValue(forKey: "active_medications") ?? 0
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
