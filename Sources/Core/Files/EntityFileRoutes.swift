import Foundation

/// `/api/v1/entity-files`: files attached to records of every type that takes them
/// (`RecordType.fileEntityType`), and the legacy `/lab-results/{id}/files` routes over
/// the same rows. Bytes never pass through a worker on the way out: view and download
/// answer `X-Accel-Redirect` to nginx's internal `/_medikeep_files/` location.
enum EntityFileRoutes {
    static let base = "/api/v1/entity-files"
    /// nginx's internal location over `<data_dir>/files`.
    static let internalPrefix = "/_medikeep_files/"

    static func register(in table: RouteTable) {
        table.get("\(base)/{entity_type}/{entity_id}/files", list)
        table.post("\(base)/{entity_type}/{entity_id}/files", upload: EntityFiles.uploadPolicy, upload)
        table.get("\(base)/files/{file_id}", details)
        table.get("\(base)/files/{file_id}/view") { try send($0, inline: true) }
        table.get("\(base)/files/{file_id}/download") { try send($0, inline: false) }
        table.put("\(base)/files/{file_id}/metadata", updateMetadata)
        table.delete("\(base)/files/{file_id}", delete)
        table.post("\(base)/files/batch-counts", batchCounts)
        // Upstream's older lab-result file routes, answering as they did.
        table.get("/api/v1/lab-results/{lab_result_id}/files", legacyList)
        table.post("/api/v1/lab-results/{lab_result_id}/files", upload: EntityFiles.uploadPolicy, legacyUpload)
        table.delete("/api/v1/lab-results/{lab_result_id}/files/{file_id}", legacyDelete)
    }

    // MARK: list and upload

    static func list(_ context: Context) throws -> Response {
        let user = try context.requireUser()
        let (name, type) = try EntityFiles.resolve(context.parameters["entity_type"] ?? "")
        let entityID = try context.parameters.id("entity_id")
        _ = try EntityFiles.patientOfEntity(type, id: entityID, user: user.id, level: .view, db: context.db)
        let rows = try EntityFiles.list(entityType: name, entityID: entityID, db: context.db)
        return .json(.array(rows.map(EntityFiles.json)))
    }

    static func upload(_ context: Context) throws -> Response {
        let user = try context.requireUser()
        let (name, type) = try EntityFiles.resolve(context.parameters["entity_type"] ?? "")
        let entityID = try context.parameters.id("entity_id")
        let row = try store(context, user: user, entityType: name, recordType: type, entityID: entityID)
        return .json(EntityFiles.json(row))
    }

    /// Checks access and the upload, names the file in the store, then commits its row; if
    /// the commit fails the file is removed again (the sweep covers a crash in between).
    static func store(
        _ context: Context, user: AuthenticatedUser, entityType: String, recordType: RecordType, entityID: Int64
    ) throws -> Row {
        let db = context.db
        _ = try EntityFiles.patientOfEntity(
            recordType, id: entityID, user: user.id, level: EntityFiles.manageLevel, db: db)
        let received = try ReceivedFile(context, policy: EntityFiles.uploadPolicy)
        let description = try received.field("description", maxLength: 1000)
        let category = try received.field("category", maxLength: 100)
        var file = EntityFiles.NewFile(
            name: received.displayName, mediaType: received.mediaType, size: Int64(received.file.size),
            description: description, category: category)
        if let pushed = try BackendFiles.pushIfAsked(
            received, file: &file, user: user.id, context: context)
        {
            do {
                return try EntityFiles.insert(
                    file, entityType: entityType, recordType: recordType, entityID: entityID, user: user.id, db: db)
            } catch {
                Log.error(
                    "backend_document_unlinked",
                    ["backend": .string(file.backend), "document_id": .string(pushed), "user_id": .int(user.id)])
                throw error
            }
        }
        let files = context.services.shared.files
        let path = FileStore.newPath(in: "entity/\(entityType)/\(entityID)")
        try files.place(received.file, at: path)
        file.path = path
        do {
            return try EntityFiles.insert(
                file, entityType: entityType, recordType: recordType, entityID: entityID, user: user.id, db: db)
        } catch {
            files.remove([path])
            throw error
        }
    }

    // MARK: one file

    static func details(_ context: Context) throws -> Response {
        let user = try context.requireUser()
        let row = try EntityFiles.find(
            try context.parameters.id("file_id"), user: user.id, level: .view, db: context.db)
        return .json(EntityFiles.json(row))
    }

    /// The file's bytes, sent by nginx: inline for kinds a browser shows safely (PDF,
    /// images, audio, video, text), else as an attachment; always with our media type.
    static func send(_ context: Context, inline: Bool) throws -> Response {
        context.acceptsQueryToken = true
        let user = try context.requireUser()
        let row = try EntityFiles.find(
            try context.parameters.id("file_id"), user: user.id, level: .view, db: context.db)
        // Local bytes when there are (a local file, or a copy kept while Paperless consumes
        // the upload), else the backend's, through this worker.
        guard let path = row.string("file_path"), FileStore.isStoredPath(path) else {
            if (row.string("storage_backend") ?? "local") != "local" {
                return try BackendFiles.send(row, inline: inline, context: context)
            }
            throw APIError.notFound("File content")
        }
        let name = row.string("file_name") ?? "file"
        let kind = FileTypes.kinds.first { $0.mediaType == row.string("file_type") }
        let showInline = inline && kind?.inline == true
        return accelRedirect(
            path: path, mediaType: row.string("file_type") ?? "application/octet-stream",
            disposition: FileTypes.contentDisposition(showInline ? "inline" : "attachment", name: name),
            cacheControl: "private, no-cache")
    }

    /// An empty answer that has nginx send `<data_dir>/files/<path>` (sendfile, ranges).
    static func accelRedirect(path: String, mediaType: String, disposition: String, cacheControl: String) -> Response {
        Response(
            status: 200,
            headers: [
                (name: "X-Accel-Redirect", value: internalPrefix + path), (name: "Content-Type", value: mediaType),
                (name: "Content-Disposition", value: disposition), (name: "Cache-Control", value: cacheControl),
            ])
    }

    /// `description` and `category` from a JSON object or a form (upstream sends a form);
    /// a key present with an empty value clears it.
    static func updateMetadata(_ context: Context) throws -> Response {
        let user = try context.requireUser()
        let id = try context.parameters.id("file_id")
        var values: [String: String?] = [:]
        if context.request.contentType == "application/x-www-form-urlencoded" {
            let form = QueryParameters(parsing: String(decoding: context.request.body, as: UTF8.self))
            for key in ["description", "category"] where form.contains(key) { values[key] = form[key] }
        } else {
            let body = try context.jsonObject()
            for key in ["description", "category"] {
                guard let value = body[key] else { continue }
                switch value {
                case .null: values[key] = .some(nil)
                case .string(let text): values[key] = text
                default: throw APIError.validation([FieldProblem(key, "must be a string")])
                }
            }
        }
        var problems: [FieldProblem] = []
        var changes: [(String, SQLValue)] = []
        for (key, limit) in [("description", 1000), ("category", 100)] {
            guard let given = values[key] else { continue }
            let text = given?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
            if text.count > limit { problems.append(FieldProblem(key, "must be at most \(limit) characters")) }
            changes.append((key, text.isEmpty ? .null : .text(text)))
        }
        guard problems.isEmpty else { throw APIError.validation(problems) }
        let db = context.db
        let row: Row = try db.transaction {
            let existing = try EntityFiles.find(id, user: user.id, level: EntityFiles.manageLevel, db: db, lock: true)
            if !changes.isEmpty {
                _ = try db.execute(
                    "UPDATE entity_files SET \(changes.map { "\($0.0) = ?" }.joined(separator: ", ")) WHERE id = ?",
                    changes.map(\.1) + [.int(id)])
                try ActivityLog.record(
                    .updated, model: "File", recordID: id, patientID: existing.int("patient_id"), userID: user.id,
                    label: existing.string("file_name") ?? "", db: db)
            }
            return try EntityFiles.find(id, user: user.id, level: .view, db: db)
        }
        return .json(EntityFiles.json(row))
    }

    static func delete(_ context: Context) throws -> Response {
        let user = try context.requireUser()
        let id = try context.parameters.id("file_id")
        let path = try remove(id, user: user, context: context, labResult: nil)
        return .json([
            "success": true, "message": "File deleted successfully", "file_id": .int(id), "file_path": .string(path),
        ])
    }

    /// Deletes file `id` (of lab result `labResult` when given): the row in a transaction,
    /// the stored file after its commit. Returns the stored path.
    static func remove(_ id: Int64, user: AuthenticatedUser, context: Context, labResult: Int64?) throws -> String {
        let db = context.db
        let path: String? = try db.transaction {
            let row = try EntityFiles.find(id, user: user.id, level: EntityFiles.manageLevel, db: db, lock: true)
            if let labResult, row.string("entity_type") != "lab-result" || row.int("entity_id") != labResult {
                throw APIError.notFound("File")
            }
            _ = try db.execute("DELETE FROM entity_files WHERE id = ?", [.int(id)])
            try ActivityLog.record(
                .deleted, model: "File", recordID: id, patientID: row.int("patient_id"), userID: user.id,
                label: row.string("file_name") ?? "", db: db)
            return row.string("file_path")
        }
        if let path { context.services.shared.files.remove([path]) }
        return path ?? ""
    }

    // MARK: counts

    /// Counts for many records in one query. Takes upstream's `{"entity_type": ...,
    /// "entity_ids": [...]}` or the contract's array of `{"entity_type", "entity_id"}`;
    /// answers one `{entity_type, entity_id, file_count}` per pair asked, 0 for a record
    /// the caller cannot see (no count leaks).
    static func batchCounts(_ context: Context) throws -> Response {
        let user = try context.requireUser()
        let body: JSON
        do {
            body = try JSON.parse(context.request.body)
        } catch {
            throw APIError(422, "Malformed JSON body", detail: .string(error.message))
        }
        var pairs: [(String, Int64)] = []
        func id(_ value: JSON?, _ field: String) throws -> Int64 {
            guard let id = value?.intValue, id >= 0 else {
                throw APIError.validation([FieldProblem(field, "must be an integer")])
            }
            return id
        }
        switch body {
        case .object(let object):
            let (name, _) = try EntityFiles.resolve(object["entity_type"]?.stringValue ?? "")
            guard case .array(let ids) = object["entity_ids"] ?? .null else {
                throw APIError.validation([FieldProblem("entity_ids", "must be a list of integers")])
            }
            for value in ids { pairs.append((name, try id(value, "entity_ids"))) }
        case .array(let items):
            for item in items {
                guard case .object(let object) = item else {
                    throw APIError.validation([FieldProblem("body", "each item must be {entity_type, entity_id}")])
                }
                let (name, _) = try EntityFiles.resolve(object["entity_type"]?.stringValue ?? "")
                pairs.append((name, try id(object["entity_id"], "entity_id")))
            }
        default:
            throw APIError.validation([FieldProblem("body", "must be an object or a list")])
        }
        guard pairs.count <= 1000 else {
            throw APIError.validation([FieldProblem("entity_ids", "at most 1000 entities at once")])
        }
        var counts: [String: Int64] = [:]
        if !pairs.isEmpty {
            let access = PatientAccess.condition(patientColumn: "f.patient_id", user: user.id, level: .view)
            let tuples = Array(repeating: "(?, ?)", count: pairs.count).joined(separator: ", ")
            let rows = try context.db.query(
                """
                SELECT f.entity_type, f.entity_id, COUNT(*) AS n FROM entity_files f
                WHERE (f.entity_type, f.entity_id) IN (\(tuples)) AND \(access.sql)
                GROUP BY f.entity_type, f.entity_id
                """, pairs.flatMap { [SQLValue.text($0.0), .int($0.1)] } + access.binds)
            for row in rows {
                counts["\(row.string("entity_type") ?? "")/\(row.int("entity_id") ?? 0)"] = row.int("n") ?? 0
            }
        }
        return .json(
            .array(
                pairs.map { pair in
                    [
                        "entity_type": .string(pair.0), "entity_id": .int(pair.1),
                        "file_count": .int(counts["\(pair.0)/\(pair.1)"] ?? 0),
                    ]
                }))
    }

    // MARK: legacy lab-result routes

    static func legacyList(_ context: Context) throws -> Response {
        let user = try context.requireUser()
        let labResult = try context.parameters.id("lab_result_id")
        _ = try EntityFiles.patientOfEntity(LabResults.type, id: labResult, user: user.id, level: .view, db: context.db)
        let rows = try EntityFiles.list(entityType: "lab-result", entityID: labResult, db: context.db)
        return .json(.array(rows.map(EntityFiles.legacyJSON)))
    }

    static func legacyUpload(_ context: Context) throws -> Response {
        let user = try context.requireUser()
        let labResult = try context.parameters.id("lab_result_id")
        let row = try store(
            context, user: user, entityType: "lab-result", recordType: LabResults.type, entityID: labResult)
        return .json(EntityFiles.legacyJSON(row))
    }

    static func legacyDelete(_ context: Context) throws -> Response {
        let user = try context.requireUser()
        let labResult = try context.parameters.id("lab_result_id")
        _ = try remove(try context.parameters.id("file_id"), user: user, context: context, labResult: labResult)
        return .message("File deleted successfully")
    }
}
