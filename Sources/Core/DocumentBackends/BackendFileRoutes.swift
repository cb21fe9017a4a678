import Foundation

/// Entity files and backends: link an existing backend document to a record (no copy is
/// made: upstream issue #363), check and settle sync state, follow a Paperless task.
enum BackendFileRoutes {
    static func register(in table: RouteTable) {
        let base = EntityFileRoutes.base
        table.post("\(base)/{entity_type}/{entity_id}/link-paperless") { try link($0, .paperless) }
        table.post("\(base)/{entity_type}/{entity_id}/link-papra") { try link($0, .papra) }
        table.post("\(base)/sync/paperless") { try syncMap($0, .paperless) }
        table.post("\(base)/sync/papra") { try syncMap($0, .papra) }
        table.post("/api/v1/paperless/sync", syncSummary)
        table.get("/api/v1/paperless/tasks/{task_uuid}/status", taskStatus)
    }

    /// Creates a file row pointing at document `<backend>_document_id` of the caller's
    /// backend, after checking the document is there (its name and type come from the
    /// backend). The same document linked twice to one record → 409.
    static func link(_ context: Context, _ backend: DocumentBackend) throws -> Response {
        let user = try context.requireUser()
        let (entityType, recordType) = try EntityFiles.resolve(context.parameters["entity_type"] ?? "")
        let entityID = try context.parameters.id("entity_id")
        var reader = FieldReader(try context.jsonObject())
        let key = backend.documentColumn
        // Upstream sends the id as a string; a number is the same id.
        let raw = reader.object[key]
        let documentID = raw?.intValue.map { String($0) } ?? raw?.stringValue?.trimmingCharacters(in: .whitespaces)
        reader.require(key, documentID) { DocumentIDs.isValid($0, for: backend) ? nil : "is not a valid document id" }
        let description = reader.string("description")
        let category = reader.string("category")
        if let description, description.count > 1000 { reader.fail("description", "must be at most 1000 characters") }
        if let category, category.count > 100 { reader.fail("category", "must be at most 100 characters") }
        try reader.check()
        guard let documentID else { throw APIError.validation([FieldProblem(key, "is required")]) }
        let db = context.db
        _ = try EntityFiles.patientOfEntity(
            recordType, id: entityID, user: user.id, level: EntityFiles.manageLevel, db: db)
        let account = try BackendFiles.account(backend, user: user.id, context: context)
        var file = EntityFiles.NewFile(
            name: "", description: description?.isEmpty == false ? description : nil,
            category: category?.isEmpty == false ? category : nil, backend: backend.rawValue)
        switch backend {
        case .paperless:
            let document = try account.paperlessDocument(documentID)
            file.name = FileTypes.displayName(
                document["original_file_name"]?.stringValue ?? document["title"]?.stringValue
                    ?? "document-\(documentID)")
            file.mediaType = MediaTypeText.clean(document["mime_type"]?.stringValue)
            file.paperlessDocumentID = documentID
        case .papra:
            let document = try account.papraDocument(documentID)
            file.name = FileTypes.displayName(document["name"]?.stringValue ?? "document-\(documentID)")
            file.mediaType = MediaTypeText.clean(document["mimeType"]?.stringValue)
            file.size = document["originalSize"]?.intValue
            file.papraDocumentID = documentID
            file.papraOrganizationID = account.organizationID
        }
        let duplicate = try db.queryOne(
            "SELECT id FROM entity_files WHERE entity_type = ? AND entity_id = ? AND \(key) = ? LIMIT 1",
            [.text(entityType), .int(entityID), .text(documentID)])
        if duplicate != nil {
            throw APIError.conflict("This \(backend.title) document is already linked to this record")
        }
        let row = try EntityFiles.insert(
            file, entityType: entityType, recordType: recordType, entityID: entityID, user: user.id, db: db)
        return .json(EntityFiles.json(row), status: 201)
    }

    /// Upstream's sync check: `{"<file id>": true (present) | false (missing) | null}` for
    /// the caller's files in `backend`; `file_ids` in the body narrows it.
    static func syncMap(_ context: Context, _ backend: DocumentBackend) throws -> Response {
        let user = try context.requireUser()
        var ids: [Int64]?
        if !context.request.body.isEmpty, let object = try? context.jsonObject(),
            let list = object["file_ids"]?.arrayValue
        {
            ids = try list.map { value in
                guard let id = value.intValue else {
                    throw APIError.validation([FieldProblem("file_ids", "must be a list of integers")])
                }
                return id
            }
        }
        let rows = try BackendSync.rows(backend, user: user.id, db: context.db, only: ids)
        guard !rows.isEmpty else { return .json(.object(JSONObject())) }
        let account = try BackendFiles.account(backend, user: user.id, context: context)
        return .json(
            BackendSync.json(
                try BackendSync.run(
                    rows, account: account, db: context.db, files: context.services.shared.files)))
    }

    /// The contract's `POST /paperless/sync`: the same check, answered as counts.
    static func syncSummary(_ context: Context) throws -> Response {
        let user = try context.requireUser()
        let account = try BackendFiles.account(.paperless, user: user.id, context: context)
        let rows = try BackendSync.rows(.paperless, user: user.id, db: context.db)
        let outcome = try BackendSync.run(
            rows, account: account, db: context.db, files: context.services.shared.files)
        let present = outcome.values.filter { $0 == true }.count
        let missing = outcome.values.filter { $0 == false }.count
        return .json([
            "message": "Paperless-ngx sync complete", "checked": .int(Int64(outcome.count)),
            "synced": .int(Int64(present)), "missing": .int(Int64(missing)),
            "pending": .int(Int64(outcome.count - present - missing)), "files": BackendSync.json(outcome),
        ])
    }

    /// A Paperless task's state, asked of the caller's Paperless; a file row waiting for it
    /// is settled on the way.
    static func taskStatus(_ context: Context) throws -> Response {
        let user = try context.requireUser()
        let uuid = context.parameters["task_uuid"] ?? ""
        guard DocumentIDs.isTaskUUID(uuid) else {
            throw APIError.validation([FieldProblem("task_uuid", "must be a task UUID")])
        }
        let account = try BackendFiles.account(.paperless, user: user.id, context: context)
        let task = try account.paperlessTask(uuid)
        guard task.status != "UNKNOWN" else { throw APIError.notFound("Paperless task") }
        try BackendFiles.settleTask(uuid, task: task, user: user.id, context: context)
        return .json([
            "task_id": .string(uuid), "status": .string(task.status), "result": JSON.string(task.result),
            "document_id": JSON.string(task.documentID), "related_document": JSON.string(task.documentID),
        ])
    }
}

/// A media type a backend reported, kept only when it looks like one (`type/subtype`).
enum MediaTypeText {
    static func clean(_ text: String?) -> String? {
        guard let text = text?.lowercased(), text.utf8.count <= 120 else { return nil }
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2,
            parts.allSatisfy({ part in
                !part.isEmpty
                    && part.utf8.allSatisfy { byte in
                        switch byte {
                        case 0x30...0x39, 0x61...0x7A, UInt8(ascii: "."), UInt8(ascii: "+"), UInt8(ascii: "-"): true
                        default: false
                        }
                    }
            })
        else { return nil }
        return text
    }
}
