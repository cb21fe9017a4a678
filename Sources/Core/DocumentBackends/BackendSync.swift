/// Keeps `entity_files.sync_status` true to what a user's backend holds: finishes
/// Paperless uploads whose task has ended, and marks documents that were deleted in the
/// backend `missing` (the row stays, so the user sees it and may clean it up).
enum BackendSync {
    /// The caller's files in `backend` that they stored or linked and can still see.
    static func rows(_ backend: DocumentBackend, user: Int64, db: Connection, only ids: [Int64]? = nil) throws
        -> [Row]
    {
        let access = PatientAccess.condition(patientColumn: "f.patient_id", user: user, level: .view)
        var sql = """
            SELECT f.id, f.file_path, f.sync_status, f.paperless_document_id, f.paperless_task_uuid,
                f.papra_document_id, f.papra_organization_id
            FROM entity_files f WHERE f.uploaded_by = ? AND f.storage_backend = ? AND \(access.sql)
            """
        var binds: [SQLValue] = [.int(user), .text(backend.rawValue)] + access.binds
        if let ids {
            guard !ids.isEmpty else { return [] }
            sql += " AND f.id IN (\(Array(repeating: "?", count: ids.count).joined(separator: ", ")))"
            binds += ids.map { .int($0) }
        }
        return try db.query(sql + " ORDER BY f.id LIMIT 2000", binds)
    }

    /// What became of a file: true present, false missing, nil still processing or failed.
    typealias Outcome = [Int64: Bool?]

    /// Checks `rows` against the backend and writes the result, then removes local copies
    /// no longer needed (after the commit). One request per unfinished Paperless task,
    /// one per 100 Paperless documents (`id__in`), one per Papra document.
    static func run(_ rows: [Row], account: BackendAccount, db: Connection, files: FileStore) throws -> Outcome {
        var outcome: Outcome = [:]
        var finished: [(id: Int64, documentID: String)] = []
        var failed: [Int64] = []
        var present: [Int64] = []
        var missing: [Int64] = []
        switch account.backend {
        case .paperless:
            var byDocument: [String: [Int64]] = [:]
            for row in rows {
                let id = row.int("id") ?? 0
                if let document = row.string("paperless_document_id"), DocumentIDs.isPaperless(document) {
                    byDocument[document, default: []].append(id)
                } else if let uuid = row.string("paperless_task_uuid"), DocumentIDs.isTaskUUID(uuid) {
                    let task = try account.paperlessTask(uuid)
                    if task.status == "SUCCESS", let document = task.documentID, DocumentIDs.isPaperless(document) {
                        finished.append((id, document))
                        outcome[id] = true
                    } else if task.finished {
                        failed.append(id)
                        outcome[id] = .some(nil)
                    } else {
                        outcome[id] = .some(nil)
                    }
                } else {
                    outcome[id] = .some(nil)
                }
            }
            let documents = Array(byDocument.keys)
            for start in stride(from: 0, to: documents.count, by: 100) {
                let chunk = Array(documents[start..<min(start + 100, documents.count)])
                let existing = try account.paperlessExisting(chunk)
                for document in chunk {
                    for id in byDocument[document] ?? [] {
                        let found = existing.contains(document)
                        outcome[id] = found
                        if found { present.append(id) } else { missing.append(id) }
                    }
                }
            }
        case .papra:
            for row in rows {
                let id = row.int("id") ?? 0
                guard let document = row.string("papra_document_id"), DocumentIDs.isPapra(document) else {
                    outcome[id] = .some(nil)
                    continue
                }
                var scoped = account
                if let organization = row.string("papra_organization_id") { scoped.organizationID = organization }
                do {
                    _ = try scoped.papraDocument(document)
                    outcome[id] = true
                    present.append(id)
                } catch let error as APIError where error.status == 404 {
                    outcome[id] = false
                    missing.append(id)
                }
            }
        }
        try write(finished: finished, failed: failed, present: present, missing: missing, db: db, files: files)
        return outcome
    }

    /// One transaction for the whole result; local copies of finished uploads are removed
    /// after it commits (never inside a closure that may run twice).
    static func write(
        finished: [(id: Int64, documentID: String)], failed: [Int64], present: [Int64], missing: [Int64],
        db: Connection, files: FileStore
    ) throws {
        guard !(finished.isEmpty && failed.isEmpty && present.isEmpty && missing.isEmpty) else { return }
        func marks(_ ids: [Int64]) -> String { Array(repeating: "?", count: ids.count).joined(separator: ", ") }
        let copies: [String] = try db.transaction {
            var copies: [String] = []
            for (id, document) in finished {
                if let row = try db.queryOne(
                    "SELECT file_path FROM entity_files WHERE id = ? AND sync_status = 'processing' FOR UPDATE",
                    [.int(id)])
                {
                    if let path = row.string("file_path") { copies.append(path) }
                    _ = try db.execute(
                        """
                        UPDATE entity_files SET paperless_document_id = ?, sync_status = 'synced', file_path = NULL,
                            last_sync_at = NOW() WHERE id = ?
                        """, [.text(document), .int(id)])
                }
            }
            if !failed.isEmpty {
                _ = try db.execute(
                    "UPDATE entity_files SET sync_status = 'failed', last_sync_at = NOW() WHERE id IN (\(marks(failed)))",
                    failed.map { .int($0) })
            }
            if !present.isEmpty {
                _ = try db.execute(
                    "UPDATE entity_files SET sync_status = 'synced', last_sync_at = NOW() WHERE id IN (\(marks(present)))",
                    present.map { .int($0) })
            }
            if !missing.isEmpty {
                _ = try db.execute(
                    "UPDATE entity_files SET sync_status = 'missing', last_sync_at = NOW() WHERE id IN (\(marks(missing)))",
                    missing.map { .int($0) })
            }
            return copies
        }
        files.remove(copies)
    }

    /// The contract-free map upstream answers: `{"<file id>": true|false|null}`.
    static func json(_ outcome: Outcome) -> JSON {
        var object = JSONObject()
        for id in outcome.keys.sorted() {
            object[String(id)] = outcome[id]!.map { .bool($0) } ?? .null
        }
        return .object(object)
    }
}
