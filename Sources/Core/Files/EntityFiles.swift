/// Files attached to records: which record types take them (from the catalogue), how a
/// row is read under the access check and rendered, and how a record's files go when
/// the record does.
public enum EntityFiles {
    /// Managing files (upload, metadata, delete) needs `full` access to the patient
    /// (issue 11: `edit` writes records, `full` also manages files); reading needs `view`.
    static let manageLevel = AccessLevel.full

    /// The largest attachment (the contract: 1 GB).
    public static let maxFileBytes = 1 << 30
    static let uploadPolicy = UploadPolicy(maxFileBytes: maxFileBytes)

    /// Entity type name → record type, for every catalogued type that declares a
    /// `fileEntityType`; `visit` is upstream's other name for an encounter.
    static let types: [String: RecordType] = {
        var map: [String: RecordType] = [:]
        for type in RecordCatalog.types {
            if let name = type.fileEntityType { map[name] = type }
        }
        if let encounter = map["encounter"] { map["visit"] = encounter }
        return map
    }()

    static let aliases = ["visit": "encounter"]

    /// The canonical entity type and its record type; 422 naming `entity_type` otherwise.
    static func resolve(_ name: String) throws -> (name: String, type: RecordType) {
        let lower = name.lowercased()
        guard let type = types[lower] else {
            throw APIError.validation([
                FieldProblem(
                    "entity_type", "must be one of \(types.keys.sorted().joined(separator: ", "))")
            ])
        }
        return (aliases[lower] ?? lower, type)
    }

    /// The patient of record `id` of `type` when `user` may act on it at `level`, else 404
    /// naming the record type (another user's record looks absent).
    static func patientOfEntity(
        _ type: RecordType, id: Int64, user: Int64, level: AccessLevel, db: Connection, lock: Bool = false
    ) throws -> Int64 {
        guard let column = type.patientColumn else { throw APIError.notFound(type.name) }
        let access = PatientAccess.condition(patientColumn: "r.\(column)", user: user, level: level)
        guard
            let row = try db.queryOne(
                "SELECT r.\(column) AS patient_id FROM \(type.table) r WHERE r.id = ? AND \(access.sql)"
                    + (lock ? " LOCK IN SHARE MODE" : ""), [.int(id)] + access.binds),
            let patient = row.int("patient_id")
        else {
            // 403 when a share shows the record but not at this level, else 404.
            throw try PatientAccess.refusal(
                level, table: type.table, patient: "r.\(column)", id: id, user: user, db: db
            ) {
                APIError.notFound(type.name)
            }
        }
        return patient
    }

    static let columns = """
        f.id, f.patient_id, f.entity_type, f.entity_id, f.file_name, f.file_path, f.file_type, f.file_size, \
        f.description, f.category, f.storage_backend, f.paperless_document_id, f.paperless_task_uuid, \
        f.papra_document_id, f.papra_organization_id, f.sync_status, f.uploaded_at, f.created_at, f.updated_at, \
        f.last_sync_at, f.uploaded_by
        """

    /// File `id` when `user` may act on its patient at `level` (`FOR UPDATE` with `lock`),
    /// else 403 when a share shows it at a lower level, or 404 "File not found".
    static func find(_ id: Int64, user: Int64, level: AccessLevel, db: Connection, lock: Bool = false) throws -> Row {
        let access = PatientAccess.condition(patientColumn: "f.patient_id", user: user, level: level)
        guard
            let row = try db.queryOne(
                "SELECT \(columns) FROM entity_files f WHERE f.id = ? AND \(access.sql)" + (lock ? " FOR UPDATE" : ""),
                [.int(id)] + access.binds)
        else {
            throw try PatientAccess.refusal(
                level, table: "entity_files", patient: "r.patient_id", id: id, user: user, db: db
            ) {
                APIError.notFound("File")
            }
        }
        return row
    }

    /// A file row about to be written: local (`path`) or in a backend (its ids), or both
    /// while a Paperless upload is still being consumed.
    struct NewFile {
        var name: String
        var path: String?
        var mediaType: String?
        var size: Int64?
        var description: String?
        var category: String?
        var backend = "local"
        var paperlessDocumentID: String?
        var paperlessTaskUUID: String?
        var papraDocumentID: String?
        var papraOrganizationID: String?
        var syncStatus = "synced"
    }

    /// Inserts `file` for record `entityID` in one transaction, re-checking the caller's
    /// access under a share lock (a delete of the record running now either waits for this
    /// row and removes it, or has gone: 404), and logs the activity. Returns the new row.
    static func insert(
        _ file: NewFile, entityType: String, recordType: RecordType, entityID: Int64, user: Int64, db: Connection
    ) throws -> Row {
        func text(_ value: String?) -> SQLValue { value.map(SQLValue.text) ?? .null }
        return try db.transaction {
            let patient = try patientOfEntity(
                recordType, id: entityID, user: user, level: manageLevel, db: db, lock: true)
            let inserted = try db.execute(
                """
                INSERT INTO entity_files (patient_id, entity_type, entity_id, file_name, file_path, file_type,
                    file_size, description, category, storage_backend, paperless_document_id, paperless_task_uuid,
                    papra_document_id, papra_organization_id, sync_status, last_sync_at, uploaded_by)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, \(file.backend == "local" ? "NULL" : "NOW()"), ?)
                """,
                [
                    .int(patient), .text(entityType), .int(entityID), .text(file.name), text(file.path),
                    text(file.mediaType), file.size.map { .int($0) } ?? .null, text(file.description),
                    text(file.category), .text(file.backend), text(file.paperlessDocumentID),
                    text(file.paperlessTaskUUID), text(file.papraDocumentID), text(file.papraOrganizationID),
                    .text(file.syncStatus), .int(user),
                ])
            try ActivityLog.record(
                .created, model: "File", recordID: inserted.lastInsertID, patientID: patient, userID: user,
                label: file.name, db: db)
            return try find(inserted.lastInsertID, user: user, level: .view, db: db)
        }
    }

    /// The files of one record, newest first (the record's access checked by the caller).
    static func list(entityType: String, entityID: Int64, db: Connection) throws -> [Row] {
        try db.query(
            "SELECT \(columns) FROM entity_files f WHERE f.entity_type = ? AND f.entity_id = ? ORDER BY f.id DESC",
            [.text(entityType), .int(entityID)])
    }

    /// The contract's entity file object.
    static func json(_ row: Row) -> JSON {
        var object = JSONObject()
        object["id"] = .int(row.int("id") ?? 0)
        object["entity_type"] = .string(row.string("entity_type") ?? "")
        object["entity_id"] = .int(row.int("entity_id") ?? 0)
        object["patient_id"] = .int(row.int("patient_id") ?? 0)
        object["file_name"] = .string(row.string("file_name") ?? "")
        object["file_path"] = .string(row.string("file_path") ?? "")
        object["file_type"] = JSON.string(row.string("file_type"))
        object["file_size"] = row.int("file_size").map { .int($0) } ?? .null
        object["description"] = JSON.string(row.string("description"))
        object["category"] = JSON.string(row.string("category"))
        object["storage_backend"] = .string(row.string("storage_backend") ?? "local")
        for key in ["paperless_document_id", "paperless_task_uuid", "papra_document_id", "papra_organization_id"] {
            object[key] = JSON.string(row.string(key))
        }
        object["sync_status"] = .string(row.string("sync_status") ?? "synced")
        for key in ["uploaded_at", "created_at", "updated_at", "last_sync_at"] {
            object[key] = JSON.string(row.string(key))
        }
        return .object(object)
    }

    /// Upstream's older lab-result file object (`/lab-results/{id}/files`).
    static func legacyJSON(_ row: Row) -> JSON {
        var object = JSONObject()
        object["id"] = .int(row.int("id") ?? 0)
        object["lab_result_id"] = .int(row.int("entity_id") ?? 0)
        object["file_name"] = .string(row.string("file_name") ?? "")
        object["file_path"] = .string(row.string("file_path") ?? "")
        object["file_type"] = JSON.string(row.string("file_type"))
        object["file_size"] = row.int("file_size").map { .int($0) } ?? .null
        object["description"] = JSON.string(row.string("description"))
        object["uploaded_at"] = JSON.string(row.string("uploaded_at"))
        return .object(object)
    }

    // MARK: records deleted

    /// What removing a record's files did: local files deleted, and documents kept in an
    /// external backend (only the link is removed).
    public struct Removal: Sendable {
        public var paths: [String] = []
        public var deleted = 0
        public var preserved = 0
    }

    /// Deletes the file rows of record `id` of `type` inside the caller's transaction and
    /// returns the stored paths, which the caller removes *after* the commit
    /// (`FileStore.remove`). Types that take no files return an empty removal.
    static func deleteRows(of type: RecordType, id: Int64, db: Connection) throws -> Removal {
        guard let name = type.fileEntityType else { return Removal() }
        let rows = try db.query(
            "SELECT file_path, storage_backend FROM entity_files WHERE entity_type = ? AND entity_id = ? FOR UPDATE",
            [.text(name), .int(id)])
        guard !rows.isEmpty else { return Removal() }
        var removal = Removal()
        for row in rows {
            if let path = row.string("file_path") { removal.paths.append(path) }
            if (row.string("storage_backend") ?? "local") == "local" {
                removal.deleted += 1
            } else {
                removal.preserved += 1
            }
        }
        _ = try db.execute(
            "DELETE FROM entity_files WHERE entity_type = ? AND entity_id = ?", [.text(name), .int(id)])
        return removal
    }

    /// Every stored path of a patient's files and photo, read inside the transaction that
    /// deletes the patient (the rows go by cascade); removed after its commit.
    public static func pathsOfPatient(_ patientID: Int64, db: Connection) throws -> [String] {
        try db.query(
            """
            SELECT file_path FROM entity_files WHERE patient_id = ? AND file_path IS NOT NULL
            UNION ALL SELECT file_path FROM patient_photos WHERE patient_id = ?
            """, [.int(patientID), .int(patientID)]
        ).compactMap { $0.string("file_path") }
    }
}
