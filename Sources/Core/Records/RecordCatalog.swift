/// A record type's module: its description and its routes (the generic ones and any of
/// its own). Listing a module in `RecordCatalog.modules` is all it takes for the type to
/// be routed, counted on the dashboard and in the account-deletion summary, and taken
/// into account when a directory row it points to is deleted.
protocol RecordTypeModule {
    static var type: RecordType { get }
    static func register(in routes: RouteTable)
}

extension Medications: RecordTypeModule {}
extension MedicationDoses: RecordTypeModule {}
extension Pharmacies: RecordTypeModule {}
extension Practitioners: RecordTypeModule {}
extension Practices: RecordTypeModule {}
extension MedicalSpecialties: RecordTypeModule {}
extension Conditions: RecordTypeModule {}
extension Allergies: RecordTypeModule {}
extension Immunizations: RecordTypeModule {}
extension Vitals: RecordTypeModule {}
extension Encounters: RecordTypeModule {}
extension Procedures: RecordTypeModule {}
extension Treatments: RecordTypeModule {}
extension MedicalEquipment: RecordTypeModule {}
extension Symptoms: RecordTypeModule {}
extension SymptomOccurrences: RecordTypeModule {}
extension InjuryTypes: RecordTypeModule {}
extension Injuries: RecordTypeModule {}
extension Insurances: RecordTypeModule {}
extension EmergencyContacts: RecordTypeModule {}
extension FamilyMembers: RecordTypeModule {}
extension FamilyConditions: RecordTypeModule {}
extension LabResults: RecordTypeModule {}
extension LabTestComponents: RecordTypeModule {}

/// Every described record type, and what follows from the descriptions for the features
/// that span them all: dashboard counts, the account-deletion summary, directory usage.
public enum RecordCatalog {
    /// The one list of record types. Order is the order of summaries after the contract's keys.
    static var modules: [any RecordTypeModule.Type] {
        [
            Medications.self,
            MedicationDoses.self,
            Pharmacies.self,
            Practitioners.self,
            Practices.self,
            MedicalSpecialties.self,
            Conditions.self,
            Allergies.self,
            Immunizations.self,
            Vitals.self,
            Encounters.self,
            Procedures.self,
            Treatments.self,
            MedicalEquipment.self,
            Symptoms.self,
            SymptomOccurrences.self,
            InjuryTypes.self,
            Injuries.self,
            Insurances.self,
            EmergencyContacts.self,
            FamilyMembers.self,
            FamilyConditions.self,
            LabResults.self,
            LabTestComponents.self,
            // (one per line: each new record type adds its own line)
        ]
    }

    static let types: [RecordType] = modules.map { $0.type }

    /// The model name of the described type stored in `table` ("Condition").
    static func modelName(of table: String) -> String {
        types.first { $0.table == table }?.name ?? "Record"
    }

    /// A patient-owned table: its summary key (the table name: `medications`), table and model name.
    public struct PatientTable: Sendable {
        public let key: String
        public let table: String
        public let model: String
    }

    /// The patient-owned types with a top-level patient column (child records are
    /// counted with their parent, not on their own).
    public static let patientTables: [PatientTable] = types.compactMap { type in
        guard type.patientColumn != nil else { return nil }
        return PatientTable(key: type.table, table: type.table, model: type.name)
    }

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

    // MARK: directory usage

    /// A column that points at a shared directory row, and how to tell whose row holds it.
    struct ReferenceHolder: Sendable {
        let table: String
        let column: String
        /// SQL over alias `h` true when the holding row is *not* the user's (one `?`: the user id).
        let belongsToOthers: String
    }

    /// Who points at rows of `table`: every described field of kind `.reference(table)`,
    /// and a patient's physician.
    static func holders(of table: String) -> [ReferenceHolder] {
        var holders: [ReferenceHolder] = []
        func add(_ fields: [FieldSpec], holder: String, scope: RecordType.Scope) {
            for field in fields {
                guard case .reference(let target, _) = field.kind, target == table else { continue }
                let others: String
                switch scope {
                case .patient(let column):
                    others = "EXISTS (SELECT 1 FROM patients p WHERE p.id = h.\(column) AND p.owner_user_id <> ?)"
                case .child(let parentTable, let column, let parentPatientColumn):
                    others = """
                        EXISTS (SELECT 1 FROM \(parentTable) par JOIN patients p ON p.id = par.\(parentPatientColumn) \
                        WHERE par.id = h.\(column) AND p.owner_user_id <> ?)
                        """
                case .directory:
                    others = "NOT (h.created_by <=> ?)"
                }
                holders.append(ReferenceHolder(table: holder, column: field.column, belongsToOthers: others))
            }
        }
        for type in types { add(type.fields, holder: type.table, scope: type.scope) }
        for field in PatientFields.all {
            guard case .reference(let target, _) = field.kind, target == table else { continue }
            holders.append(
                ReferenceHolder(table: "patients", column: field.column, belongsToOthers: "h.owner_user_id <> ?"))
        }
        return holders
    }

    /// How many rows of other users point at row `id` of `table` (one query).
    static func usageByOthers(of table: String, id: Int64, user: Int64, db: Connection) throws -> Int64 {
        let holders = holders(of: table)
        guard !holders.isEmpty else { return 0 }
        let sql =
            "SELECT "
            + holders.map {
                "(SELECT COUNT(*) FROM \($0.table) h WHERE h.\($0.column) = ? AND \($0.belongsToOthers))"
            }.joined(separator: " + ") + " AS n"
        let binds = holders.flatMap { _ in [SQLValue.int(id), .int(user)] }
        return try db.queryOne(sql, binds)?.int("n") ?? 0
    }
}
