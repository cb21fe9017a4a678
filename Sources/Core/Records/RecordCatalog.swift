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
        PatientTable(key: "medications", table: "medications", model: "Medication"),
    ]
}
