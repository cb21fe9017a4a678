import Foundation

/// Entity files whose bytes live in a user's Paperless-ngx or Papra: pushing an upload
/// there, sending a document's bytes back through the worker, and keeping each row's
/// `sync_status` true to what the backend holds.
///
/// A backend document is reached with the settings of the user who stored or linked it
/// (`uploaded_by`): it lives in that user's account, so someone the patient is shared
/// with can still open it. While Paperless has not finished consuming an upload, the row
/// keeps a local copy (`file_path`) and is `processing`; the copy goes once the document
/// id is known, and stays if Paperless fails the task (`failed`): nothing is lost.
enum BackendFiles {
    /// The caller's account for `backend`, or 400 naming what is missing.
    static func account(_ backend: DocumentBackend, user: Int64, context: Context) throws -> BackendAccount {
        let settings = try BackendSettings.load(
            user: user, db: context.db, box: context.services.shared.credentials)
        guard let account = settings.account(backend) else { throw notConfigured(backend) }
        return account
    }

    static func notConfigured(_ backend: DocumentBackend) -> APIError {
        APIError.badRequest(
            "\(backend.title) is not configured",
            detail: .string(
                "Enable \(backend.title) and save its URL and credentials in /api/v1/\(backend.rawValue)/settings."))
    }

    /// The largest upload pushed to a backend within its request. A larger one is stored
    /// locally as `pending` and pushed by `medikeep-jobs document-sync`, so a slow backend
    /// never holds a worker thread past `request_timeout`.
    static let inlinePushLimit = 32 << 20

    /// Applies the upload's `storage_backend` (the user's default when absent) to `file`.
    /// Local: nothing to do (nil). A backend: 422 unless configured; a small upload is
    /// pushed now and, once the backend has its id, answered (the document id; the caller
    /// writes the row without a local copy). Otherwise `file` is marked to keep its local
    /// copy (`processing` while Paperless consumes, `pending` for the job) and nil says
    /// "store it locally".
    static func pushIfAsked(_ received: ReceivedFile, file: inout EntityFiles.NewFile, user: Int64, context: Context)
        throws -> String?
    {
        let settings = try BackendSettings.load(user: user, db: context.db, box: context.services.shared.credentials)
        let name = try received.field("storage_backend", maxLength: 20)?.lowercased() ?? settings.defaultStorageBackend
        guard name != "local" else { return nil }
        guard let backend = DocumentBackend(rawValue: name) else {
            throw APIError.validation([FieldProblem("storage_backend", "must be local, paperless or papra")])
        }
        guard let account = settings.account(backend) else {
            throw APIError.validation([
                FieldProblem("storage_backend", "\(backend.title) is not configured for this account")
            ])
        }
        file.backend = backend.rawValue
        guard received.file.size <= inlinePushLimit else {
            file.syncStatus = "pending"
            if backend == .papra { file.papraOrganizationID = account.organizationID }
            return nil
        }
        let pushed = try push(DocumentSource(received), to: account, title: file.description)
        file.paperlessTaskUUID = pushed.taskUUID
        file.syncStatus = pushed.syncStatus
        switch backend {
        case .paperless: file.paperlessDocumentID = pushed.documentID
        case .papra:
            file.papraDocumentID = pushed.documentID
            file.papraOrganizationID = pushed.organizationID
        }
        return pushed.documentID
    }

    /// Where an upload went: the document id when the backend knew it at once, else
    /// Paperless's task id (the row then keeps a local copy until the task ends).
    struct Pushed {
        var documentID: String?
        var taskUUID: String?
        var organizationID: String?
        var syncStatus: String
    }

    /// Sends an accepted upload to `account`'s backend. Paperless consumes asynchronously:
    /// its task is asked once right away (small documents are often done by then).
    static func push(_ source: DocumentSource, to account: BackendAccount, title: String?) throws -> Pushed {
        switch account.backend {
        case .paperless:
            let uuid = try account.paperlessUpload(source, title: title)
            let task = try? account.paperlessTask(uuid)
            if let task, task.status == "SUCCESS", let id = task.documentID, DocumentIDs.isPaperless(id) {
                return Pushed(documentID: id, taskUUID: uuid, syncStatus: "synced")
            }
            if let task, task.finished {
                throw APIError(
                    502, "Paperless-ngx refused the document",
                    detail: .string(
                        "Paperless-ngx task \(uuid) ended \(task.status)"
                            + (task.result.map { ": \($0.prefix(300))" } ?? "")))
            }
            return Pushed(taskUUID: uuid, syncStatus: "processing")
        case .papra:
            let (id, _) = try account.papraUpload(source)
            return Pushed(documentID: id, organizationID: account.organizationID, syncStatus: "synced")
        }
    }

    /// Paperless tasks end long after the upload (OCR); once it is known, a row whose
    /// task `uuid` the caller started is finished or failed (BackendSync).
    static func settleTask(_ uuid: String, task: BackendAccount.PaperlessTask, user: Int64, context: Context) throws {
        let access = PatientAccess.condition(patientColumn: "f.patient_id", user: user, level: .view)
        guard
            let row = try context.db.queryOne(
                """
                SELECT f.id FROM entity_files f WHERE f.paperless_task_uuid = ? AND f.uploaded_by = ?
                    AND f.sync_status = 'processing' AND \(access.sql) LIMIT 1
                """, [.text(uuid), .int(user)] + access.binds),
            let id = row.int("id")
        else { return }
        if task.status == "SUCCESS", let document = task.documentID, DocumentIDs.isPaperless(document) {
            try BackendSync.write(
                finished: [(id, document)], failed: [], present: [], missing: [], db: context.db,
                files: context.services.shared.files)
        } else if task.finished {
            try BackendSync.write(
                finished: [], failed: [id], present: [], missing: [], db: context.db,
                files: context.services.shared.files)
        }
    }

    // MARK: sending a document's bytes

    /// A backend file's bytes, fetched into a nameless temporary file and streamed to the
    /// client from there (the worker never holds the document in memory; nginx cannot
    /// reach the backend with the user's credentials, so no X-Accel-Redirect here).
    static func send(_ row: Row, inline: Bool, context: Context) throws -> Response {
        guard let backend = DocumentBackend(rawValue: row.string("storage_backend") ?? "") else {
            throw APIError.notFound("File content")
        }
        guard let documentID = row.string(backend.documentColumn), DocumentIDs.isValid(documentID, for: backend)
        else {
            throw APIError.conflict("\(backend.title) has not finished processing this document yet")
        }
        guard let owner = row.int("uploaded_by"),
            var account = try BackendSettings.load(
                user: owner, db: context.db, box: context.services.shared.credentials
            ).account(backend)
        else {
            throw APIError.conflict("\(backend.title) is no longer configured for the account that stored this file")
        }
        if backend == .papra, let organization = row.string("papra_organization_id") {
            account.organizationID = organization
        }
        let path =
            backend == .paperless ? account.paperlessDownloadPath(documentID) : account.papraDownloadPath(documentID)
        let directory = TemporaryFile.workDirectory(dataDir: context.config.dataDir)
        let descriptor = try TemporaryFile.anonymous(in: directory)
        let body: BodyFile
        let response: OutboundResponse
        do {
            let request = OutboundRequest(
                method: "GET", url: account.url + path,
                headers: [(name: "Authorization", value: account.authorization)], timeout: 0)
            let (answer, written) = try HTTPClient.download(request, to: descriptor)
            response = answer
            try account.check(answer.status, notFound: "\(backend.title) document")
            body = BodyFile(descriptor: descriptor, count: written)
        } catch let error as OutboundError {
            close(descriptor)
            throw account.unreachable(error)
        } catch {
            close(descriptor)
            throw error
        }
        let name = row.string("file_name") ?? "document"
        let mediaType =
            row.string("file_type") ?? response.header("content-type") ?? "application/octet-stream"
        let kind = FileTypes.kinds.first { $0.mediaType == mediaType }
        var answer = Response(
            status: 200,
            headers: [
                (name: "Content-Type", value: mediaType),
                (
                    name: "Content-Disposition",
                    value: FileTypes.contentDisposition(
                        inline && kind?.inline == true ? "inline" : "attachment", name: name)
                ),
                (name: "Cache-Control", value: "private, no-cache"), (name: "X-Content-Type-Options", value: "nosniff"),
            ])
        answer.bodyFile = body
        return answer
    }
}
