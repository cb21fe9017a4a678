/// Every patient-owned record type, for the features that span them all: dashboard
/// counts, the account-deletion summary, cascades. Grows as record types land.
public enum RecordCatalog {
    /// A patient-owned table: its summary key (`medications`), table and model name.
    public struct PatientTable: Sendable {
        public let key: String
        public let table: String
        public let model: String
    }

    public static let patientTables: [PatientTable] = [
        PatientTable(key: "medications", table: "medications", model: "Medication")
    ]

    /// The record kinds the contract's summaries name (dashboard stats, the account
    /// deletion summary), in its order. Kinds not built yet are reported as 0, so clients
    /// see the documented shape from the start.
    public static let contractKeys = [
        "medications", "lab_results", "procedures", "treatments", "conditions", "allergies", "immunizations",
        "encounters", "vitals",
    ]

    /// Counts every catalogued table's rows whose patient matches `patientFilter` (a SQL
    /// condition on `patient_id` with one `?`, bound to `value` for each table), in one
    /// query of COUNT subqueries, plus any `extra` named expressions with the same bind.
    public static func count(
        patientFilter: String, value: SQLValue, extra: [(name: String, sql: String)] = [], db: Connection
    ) throws -> [String: Int64] {
        var parts = patientTables.map { "(SELECT COUNT(*) FROM \($0.table) WHERE \(patientFilter)) AS \($0.key)" }
        parts += extra.map { "(\($0.sql)) AS \($0.name)" }
        guard !parts.isEmpty,
            let row = try db.queryOne(
                "SELECT " + parts.joined(separator: ", "), Array(repeating: value, count: parts.count))
        else {
            return [:]
        }
        var counts: [String: Int64] = [:]
        for key in patientTables.map(\.key) + extra.map(\.name) { counts[key] = row.int(key) ?? 0 }
        return counts
    }

    /// Every key a summary reports: the contract's, then any other catalogued type.
    public static var summaryKeys: [String] {
        contractKeys + patientTables.map(\.key).filter { !contractKeys.contains($0) }
    }
}
