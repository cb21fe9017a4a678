import Foundation

/// `medikeep-jobs document-sync`: the server side of the backends' asynchrony. Pushes
/// uploads kept locally as `pending` (too large to push within their request, or the
/// backend was down) and settles Paperless uploads still `processing`, each with the
/// settings of the user who stored it. A push that fails for a passing reason (the
/// backend unreachable, a timeout, a 5xx) stays `pending` for the next run; one the
/// backend refuses, or whose owner has no working settings any more, becomes `failed`
/// and keeps its local copy.
public enum BackendJob {
    public struct Result: Sendable {
        public var pushed = 0
        public var settled = 0
        public var failed = 0
        public var retry = 0
    }

    /// At most this many rows of each kind per run (the timer runs it again soon).
    static let batch = 200

    public static func run(db: Connection, box: SecretBox, files: FileStore) throws -> Result {
        var result = Result()
        var accounts: [String: BackendAccount?] = [:]
        func account(_ backend: DocumentBackend, _ user: Int64?) throws -> BackendAccount? {
            guard let user else { return nil }
            let key = "\(backend.rawValue):\(user)"
            if let known = accounts[key] { return known }
            let found = try BackendSettings.load(user: user, db: db, box: box).account(backend)
            accounts[key] = found
            return found
        }

        let pending = try db.query(
            """
            SELECT id, uploaded_by, storage_backend, file_path, file_name, file_type, file_size, description
            FROM entity_files WHERE sync_status = 'pending' AND storage_backend IN ('paperless', 'papra')
                AND file_path IS NOT NULL
            ORDER BY id LIMIT \(batch)
            """)
        for row in pending {
            guard let id = row.int("id"), let backend = DocumentBackend(rawValue: row.string("storage_backend") ?? "")
            else { continue }
            guard let account = try account(backend, row.int("uploaded_by")) else {
                try mark(id, "failed", db: db)
                result.failed += 1
                continue
            }
            switch try push(row, id: id, account: account, db: db, files: files) {
            case .done: result.pushed += 1
            case .refused: result.failed += 1
            case .later: result.retry += 1
            }
        }

        let processing = try db.query(
            """
            SELECT id, uploaded_by, file_path, sync_status, paperless_document_id, paperless_task_uuid,
                papra_document_id, papra_organization_id
            FROM entity_files WHERE sync_status = 'processing' AND storage_backend = 'paperless'
                AND paperless_task_uuid IS NOT NULL
            ORDER BY id LIMIT \(batch)
            """)
        let byUser = Dictionary(grouping: processing) { $0.int("uploaded_by") ?? -1 }
        for (user, rows) in byUser {
            guard let account = try account(.paperless, user >= 0 ? user : nil) else { continue }
            do {
                let outcome = try BackendSync.run(rows, account: account, db: db, files: files)
                result.settled += outcome.values.filter { $0 == true }.count
            } catch let error as APIError {
                Log.error(
                    "document_sync_failed",
                    ["user_id": .int(user), "error": .string(error.message), "detail": error.detail])
            }
        }
        return result
    }

    enum PushOutcome { case done, refused, later }

    /// Sends one pending row's local file; writes what the backend answered.
    static func push(_ row: Row, id: Int64, account: BackendAccount, db: Connection, files: FileStore) throws
        -> PushOutcome
    {
        guard let path = row.string("file_path"), FileStore.isStoredPath(path) else { return .refused }
        let descriptor = open(files.absolute(path), O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else {
            try mark(id, "failed", db: db)
            return .refused
        }
        defer { close(descriptor) }
        let source = DocumentSource(
            descriptor: descriptor, size: Int(row.int("file_size") ?? 0), name: row.string("file_name") ?? "document",
            mediaType: row.string("file_type") ?? "application/octet-stream")
        let pushed: BackendFiles.Pushed
        do {
            pushed = try BackendFiles.push(source, to: account, title: row.string("description"))
        } catch let error as APIError {
            let passing =
                error.status == 504 || error.message.hasSuffix("is unreachable")
                || (error.detail.stringValue ?? "").contains("answered 5")
            Log.error(
                "document_push_failed",
                [
                    "file_id": .int(id), "backend": .string(account.backend.rawValue), "error": .string(error.message),
                    "retry": .bool(passing),
                ])
            if passing { return .later }
            try mark(id, "failed", db: db)
            return .refused
        }
        // Written only if the row is still the pending one we pushed (not deleted meanwhile).
        let copy: String? = try db.transaction {
            guard
                let current = try db.queryOne(
                    "SELECT file_path FROM entity_files WHERE id = ? AND sync_status = 'pending' FOR UPDATE", [.int(id)]
                ),
                current.string("file_path") == path
            else { return nil }
            let done = pushed.documentID != nil
            _ = try db.execute(
                """
                UPDATE entity_files SET paperless_task_uuid = ?, paperless_document_id = ?, papra_document_id = ?,
                    papra_organization_id = COALESCE(?, papra_organization_id), sync_status = ?, file_path = ?,
                    last_sync_at = NOW()
                WHERE id = ?
                """,
                [
                    pushed.taskUUID.map(SQLValue.text) ?? .null,
                    account.backend == .paperless ? pushed.documentID.map(SQLValue.text) ?? .null : .null,
                    account.backend == .papra ? pushed.documentID.map(SQLValue.text) ?? .null : .null,
                    pushed.organizationID.map(SQLValue.text) ?? .null, .text(pushed.syncStatus),
                    done ? .null : .text(path), .int(id),
                ])
            return done ? path : nil
        }
        if let copy { files.remove([copy]) }
        return .done
    }

    static func mark(_ id: Int64, _ status: String, db: Connection) throws {
        _ = try db.execute(
            "UPDATE entity_files SET sync_status = ?, last_sync_at = NOW() WHERE id = ?", [.text(status), .int(id)])
    }
}
