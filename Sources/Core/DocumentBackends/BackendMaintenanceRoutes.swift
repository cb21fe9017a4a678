import Foundation

/// Moving a local file into Paperless (the contract's `POST /paperless/upload`), storage
/// figures, removing rows whose backend document failed or vanished, and upstream's two
/// background-task calls.
enum BackendMaintenanceRoutes {
    static func register(in table: RouteTable) {
        table.post("/api/v1/paperless/upload", upload)
        table.get("/api/v1/paperless/storage-stats", storageStats)
        table.post("/api/v1/paperless/cleanup", cleanup)
        table.post("/api/v1/paperless/entity-files/set-background-task", setBackgroundTask)
        table.post("/api/v1/paperless/entity-files/update-background-task", updateBackgroundTask)
    }

    /// `{"document_id": <entity file id>, "tags": [...], "correspondent": ...}`: sends a
    /// local entity file to the caller's Paperless (tags and correspondent by id or by
    /// their name in Paperless). The row becomes a Paperless file; its local copy is
    /// removed once Paperless has the document (at once, or when its task ends).
    static func upload(_ context: Context) throws -> Response {
        let user = try context.requireUser()
        var reader = FieldReader(try context.jsonObject())
        let fileID = reader.int("document_id") ?? reader.int("file_id")
        reader.require("document_id", fileID) { $0 > 0 ? nil : "must be a positive integer" }
        let tagValues = reader.has("tags") ? reader.object["tags"]?.arrayValue : []
        if tagValues == nil && !reader.isNull("tags") { reader.fail("tags", "must be a list") }
        let correspondentValue = reader.object["correspondent"]
        try reader.check()
        guard let fileID else { throw APIError.validation([FieldProblem("document_id", "is required")]) }
        let db = context.db
        let row = try EntityFiles.find(fileID, user: user.id, level: EntityFiles.manageLevel, db: db)
        guard row.string("storage_backend") == "local", let path = row.string("file_path"),
            FileStore.isStoredPath(path)
        else { throw APIError.conflict("Only a local file can be sent to Paperless-ngx") }
        let account = try BackendFiles.account(.paperless, user: user.id, context: context)
        var tags: [Int64] = []
        for value in tagValues ?? [] { tags.append(try reference(value, kind: "tags", field: "tags", account)) }
        let correspondent = try correspondentValue.flatMap { value in
            value.isNull ? nil : try reference(value, kind: "correspondents", field: "correspondent", account)
        }
        let files = context.services.shared.files
        let descriptor = open(files.absolute(path), O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw APIError.notFound("File content") }
        defer { close(descriptor) }
        let source = DocumentSource(
            descriptor: descriptor, size: Int(row.int("file_size") ?? 0), name: row.string("file_name") ?? "document",
            mediaType: row.string("file_type") ?? "application/octet-stream")
        let uuid = try account.paperlessUpload(
            source, title: row.string("description"), tags: tags, correspondent: correspondent)
        let task = try? account.paperlessTask(uuid)
        let documentID =
            task?.status == "SUCCESS" ? task?.documentID.flatMap { DocumentIDs.isPaperless($0) ? $0 : nil } : nil
        let updated: Row = try db.transaction {
            let current = try EntityFiles.find(
                fileID, user: user.id, level: EntityFiles.manageLevel, db: db, lock: true)
            guard current.string("file_path") == path, current.string("storage_backend") == "local" else {
                throw APIError.conflict("The file changed while it was sent to Paperless-ngx")
            }
            _ = try db.execute(
                """
                UPDATE entity_files SET storage_backend = 'paperless', paperless_task_uuid = ?,
                    paperless_document_id = ?, sync_status = ?, file_path = ?, last_sync_at = NOW(),
                    uploaded_by = ? WHERE id = ?
                """,
                [
                    .text(uuid), documentID.map(SQLValue.text) ?? .null,
                    .text(documentID == nil ? "processing" : "synced"), documentID == nil ? .text(path) : .null,
                    .int(user.id), .int(fileID),
                ])
            return try EntityFiles.find(fileID, user: user.id, level: .view, db: db)
        }
        if documentID != nil { files.remove([path]) }
        var answer = EntityFiles.json(updated).objectValue ?? JSONObject()
        answer["task_id"] = .string(uuid)
        return .json(.object(answer))
    }

    /// A tag or correspondent given by id (a number) or by its name in Paperless.
    static func reference(_ value: JSON, kind: String, field: String, _ account: BackendAccount) throws -> Int64 {
        if let id = value.intValue, id > 0 { return id }
        guard let name = value.stringValue?.trimmingCharacters(in: .whitespaces), !name.isEmpty, name.count <= 128
        else { throw APIError.validation([FieldProblem(field, "must be ids or names")]) }
        guard let id = try account.paperlessLookup(kind, name: name) else {
            throw APIError.validation([FieldProblem(field, "\"\(name)\" does not exist in Paperless-ngx")])
        }
        return id
    }

    /// Count and bytes of the caller's files by where they live, in one query.
    static func storageStats(_ context: Context) throws -> Response {
        let user = try context.requireUser()
        let access = PatientAccess.condition(patientColumn: "f.patient_id", user: user.id, level: .view)
        let rows = try context.db.query(
            """
            SELECT f.storage_backend, COUNT(*) AS files, COALESCE(SUM(f.file_size), 0) AS bytes
            FROM entity_files f WHERE f.uploaded_by = ? AND \(access.sql) GROUP BY f.storage_backend
            """, [.int(user.id)] + access.binds)
        var object = JSONObject()
        var totalCount: Int64 = 0
        var totalSize: Int64 = 0
        for backend in ["local", "paperless", "papra"] {
            let row = rows.first { $0.string("storage_backend") == backend }
            let count = row?.int("files") ?? 0
            let size = row?.int("bytes") ?? 0
            totalCount += count
            totalSize += size
            object[backend] = ["count": .int(count), "size": .int(size)]
        }
        object["total"] = ["count": .int(totalCount), "size": .int(totalSize)]
        return .json(.object(object))
    }

    /// Removes the caller's backend file rows whose document failed to arrive or is gone
    /// from the backend (`failed`, `missing`), with any local copy (after the commit).
    static func cleanup(_ context: Context) throws -> Response {
        let user = try context.requireUser()
        let db = context.db
        let access = PatientAccess.condition(
            patientColumn: "f.patient_id", user: user.id, level: EntityFiles.manageLevel)
        let (rows, paths): ([Row], [String]) = try db.transaction {
            let rows = try db.query(
                """
                SELECT f.id, f.patient_id, f.file_name, f.file_path, f.sync_status FROM entity_files f
                WHERE f.uploaded_by = ? AND f.storage_backend IN ('paperless', 'papra')
                    AND f.sync_status IN ('failed', 'missing') AND \(access.sql) FOR UPDATE
                """, [.int(user.id)] + access.binds)
            guard !rows.isEmpty else { return ([], []) }
            let ids = rows.compactMap { $0.int("id") }
            _ = try db.execute(
                "DELETE FROM entity_files WHERE id IN (\(Array(repeating: "?", count: ids.count).joined(separator: ", ")))",
                ids.map { .int($0) })
            for row in rows {
                try ActivityLog.record(
                    .deleted, model: "File", recordID: row.int("id") ?? 0, patientID: row.int("patient_id"),
                    userID: user.id, label: row.string("file_name") ?? "", db: db)
            }
            return (rows, rows.compactMap { $0.string("file_path") })
        }
        context.services.shared.files.remove(paths)
        let failed = rows.filter { $0.string("sync_status") == "failed" }.count
        return .json([
            "message": .string("Cleaned up \(rows.count) out-of-sync files"), "files_cleaned": .int(Int64(rows.count)),
            "failed_cleaned": .int(Int64(failed)), "missing_cleaned": .int(Int64(rows.count - failed)),
        ])
    }

    // MARK: upstream's background-task calls

    /// The caller's newest Paperless file of record (`entity_type`, `entity_id`) named
    /// `file_name`, locked; 404 otherwise.
    static func taskRow(_ reader: inout FieldReader, user: Int64, db: Connection) throws -> (Row, String) {
        let typeName = reader.string("entity_type")
        let entityID = reader.int("entity_id")
        let fileName = reader.string("file_name")
        let uuid = reader.string("task_uuid")
        reader.require("entity_type", typeName) { _ in nil }
        reader.require("entity_id", entityID) { _ in nil }
        reader.require("file_name", fileName) { _ in nil }
        reader.require("task_uuid", uuid) { DocumentIDs.isTaskUUID($0) ? nil : "must be a task UUID" }
        try reader.check()
        let (entityType, _) = try EntityFiles.resolve(typeName ?? "")
        let access = PatientAccess.condition(patientColumn: "f.patient_id", user: user, level: EntityFiles.manageLevel)
        guard
            let row = try db.queryOne(
                """
                SELECT f.id FROM entity_files f WHERE f.entity_type = ? AND f.entity_id = ? AND f.file_name = ?
                    AND f.storage_backend = 'paperless' AND f.uploaded_by = ? AND \(access.sql)
                ORDER BY f.id DESC LIMIT 1 FOR UPDATE
                """,
                [.text(entityType), .int(entityID ?? 0), .text(FileTypes.displayName(fileName ?? "")), .int(user)]
                    + access.binds)
        else { throw APIError.notFound("File") }
        return (row, uuid ?? "")
    }

    /// Records the task a Paperless file waits for (`sync_status` processing or pending).
    static func setBackgroundTask(_ context: Context) throws -> Response {
        let user = try context.requireUser()
        var reader = FieldReader(try context.jsonObject())
        let status = reader.string("sync_status") ?? "processing"
        guard ["processing", "pending"].contains(status) else {
            throw APIError.validation([FieldProblem("sync_status", "must be processing or pending")])
        }
        let db = context.db
        let row: Row = try db.transaction {
            let (row, uuid) = try taskRow(&reader, user: user.id, db: db)
            let id = row.int("id") ?? 0
            _ = try db.execute(
                "UPDATE entity_files SET paperless_task_uuid = ?, sync_status = ? WHERE id = ?",
                [.text(uuid), .text(status), .int(id)])
            return try EntityFiles.find(id, user: user.id, level: .view, db: db)
        }
        return .json([
            "message": "Background task recorded", "file_id": .int(row.int("id") ?? 0), "file": EntityFiles.json(row),
        ])
    }

    /// Records a finished task: `synced` with the document id from `task_result`
    /// (`document_id` or `related_document`), or `failed`.
    static func updateBackgroundTask(_ context: Context) throws -> Response {
        let user = try context.requireUser()
        var reader = FieldReader(try context.jsonObject())
        let status = reader.string("sync_status")
        reader.require("sync_status", status) { ["synced", "failed"].contains($0) ? nil : "must be synced or failed" }
        let result = reader.object["task_result"]?.objectValue ?? JSONObject()
        let document = (result["document_id"] ?? result["related_document"]).flatMap { value in
            value.intValue.map { String($0) } ?? value.stringValue
        }
        if status == "synced" && !(document.map(DocumentIDs.isPaperless) ?? false) {
            reader.fail("task_result", "a synced task needs document_id")
        }
        let db = context.db
        let (row, copies): (Row, [String]) = try db.transaction {
            let (row, uuid) = try taskRow(&reader, user: user.id, db: db)
            let id = row.int("id") ?? 0
            let current = try EntityFiles.find(id, user: user.id, level: .view, db: db)
            var copies: [String] = []
            if status == "synced" {
                if let path = current.string("file_path") { copies.append(path) }
                _ = try db.execute(
                    """
                    UPDATE entity_files SET paperless_task_uuid = ?, paperless_document_id = ?, sync_status = 'synced',
                        file_path = NULL, last_sync_at = NOW() WHERE id = ?
                    """, [.text(uuid), .text(document ?? ""), .int(id)])
            } else {
                _ = try db.execute(
                    "UPDATE entity_files SET paperless_task_uuid = ?, sync_status = 'failed' WHERE id = ?",
                    [.text(uuid), .int(id)])
            }
            return (try EntityFiles.find(id, user: user.id, level: .view, db: db), copies)
        }
        context.services.shared.files.remove(copies)
        return .json([
            "message": "Background task updated", "file_id": .int(row.int("id") ?? 0), "file": EntityFiles.json(row),
        ])
    }
}
