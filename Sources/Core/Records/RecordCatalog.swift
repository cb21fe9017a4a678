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

    /// Every key a summary reports: the contract's, then any other catalogued type.
    public static var summaryKeys: [String] {
        contractKeys + patientTables.map(\.key).filter { !contractKeys.contains($0) }
    }
}
