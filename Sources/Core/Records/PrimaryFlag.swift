/// "Primary" as one record per patient — or per patient and kind (one primary insurance
/// of each type) — for types with an `is_primary` flag.
enum PrimaryFlag {
    /// A `beforeWrite` that, when a record is created or changed with `is_primary` true,
    /// clears the flag on the patient's other records of `table` that share its values
    /// of `columns`, in the write's own transaction. The rows it clears stay locked until
    /// that transaction ends, so two concurrent writes take turns (InnoDB lets one of
    /// them deadlock and the store runs it again) and never leave two primaries.
    static func onePerPatient(table: String, patientColumn: String = "patient_id", sharing columns: [String] = [])
        -> RecordType.BeforeWrite
    {
        { values, id, db in
            guard values["is_primary"] == .bool(true), let patient = values[patientColumn]?.intValue else { return }
            var sql = "UPDATE \(table) SET is_primary = 0 WHERE \(patientColumn) = ?"
            var binds: [SQLValue] = [.int(patient)]
            for column in columns {
                sql += " AND \(column) = ?"
                binds.append(values[column]?.stringValue.map { .text($0) } ?? .null)
            }
            sql += " AND is_primary = 1 AND id <> ?"
            binds.append(.int(id ?? 0))
            _ = try db.execute(sql, binds)
        }
    }
}
