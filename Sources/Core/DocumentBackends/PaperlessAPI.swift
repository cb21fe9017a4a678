/// The Paperless-ngx REST calls MediKeep makes (API version as of Paperless-ngx 2.x):
/// documents are consumed asynchronously, so an upload answers a task id and the
/// document id arrives with the task's success.
extension BackendAccount {
    /// A Paperless task (`GET /api/tasks/?task_id=`), as far as we use it.
    struct PaperlessTask {
        /// PENDING, STARTED, SUCCESS, FAILURE, RETRY, REVOKED; "UNKNOWN" when Paperless has no such task.
        var status: String
        var documentID: String?
        var result: String?
        var raw: JSON

        var finished: Bool { status == "SUCCESS" || status == "FAILURE" || status == "REVOKED" }
    }

    /// `GET /api/documents/?page_size=1`: reachable, credentials accepted; the answer's
    /// document count and the server's version header.
    func paperlessProbe() throws -> JSON {
        let response = try send(request("GET", "/api/documents/?page_size=1", timeout: 10))
        let json = try self.json(response)
        return [
            "status": "success", "message": "Connected to Paperless-ngx",
            "server_version": JSON.string(response.header("x-version")),
            "document_count": json["count"]?.intValue.map { .int($0) } ?? .null,
        ]
    }

    /// `POST /api/documents/post_document/` with the file as `document`; answers the task id.
    func paperlessUpload(
        _ source: DocumentSource, title: String?, tags: [Int64] = [], correspondent: Int64? = nil
    ) throws -> String {
        var fields: [(name: String, value: String)] = []
        if let title { fields.append((name: "title", value: title)) }
        for tag in tags { fields.append((name: "tags", value: String(tag))) }
        if let correspondent { fields.append((name: "correspondent", value: String(correspondent))) }
        let form = OutboundForm(
            fields: fields,
            file: (
                field: "document", descriptor: source.descriptor, size: source.size, name: source.name,
                mediaType: source.mediaType
            ))
        let response = try send(request("POST", "/api/documents/post_document/", form: form, timeout: 0))
        // The task id comes as a JSON string (older versions: bare text).
        let text =
            response.json?.stringValue
            ?? String(decoding: response.body, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard DocumentIDs.isTaskUUID(text) else {
            throw APIError(502, "Paperless-ngx did not answer a task id")
        }
        return text
    }

    /// `GET /api/tasks/?task_id=`.
    func paperlessTask(_ uuid: String) throws -> PaperlessTask {
        let response = try send(request("GET", "/api/tasks/?task_id=\(BackendAccount.escape(uuid))"))
        let json = try self.json(response)
        let list = json.arrayValue ?? json["results"]?.arrayValue ?? []
        guard let task = list.first?.objectValue else {
            return PaperlessTask(status: "UNKNOWN", documentID: nil, result: nil, raw: .null)
        }
        let related = task["related_document"]
        let documentID = related?.intValue.map { String($0) } ?? related?.stringValue
        return PaperlessTask(
            status: task["status"]?.stringValue ?? "UNKNOWN", documentID: documentID,
            result: task["result"]?.stringValue, raw: .object(task))
    }

    /// `GET /api/documents/{id}/`; 404 "Paperless document not found" when it is not there.
    func paperlessDocument(_ id: String) throws -> JSON {
        try json(send(request("GET", "/api/documents/\(id)/"), notFound: "Paperless document"))
    }

    /// Which of `ids` exist, in one call (`id__in`), not one per document.
    func paperlessExisting(_ ids: [String]) throws -> Set<String> {
        guard !ids.isEmpty else { return [] }
        let list = ids.joined(separator: ",")
        let response = try send(
            request("GET", "/api/documents/?id__in=\(list)&page_size=\(ids.count)&fields=id&truncate_content=true"))
        let results = try json(response)["results"]?.arrayValue ?? []
        return Set(results.compactMap { $0["id"]?.intValue.map { String($0) } ?? $0["id"]?.stringValue })
    }

    /// `GET /api/documents/?query=` (full text) or the plain list, one page.
    func paperlessSearch(query: String, page: Int, pageSize: Int) throws -> JSON {
        var path = "/api/documents/?page=\(page)&page_size=\(pageSize)&truncate_content=true"
        if !query.isEmpty { path += "&query=\(BackendAccount.escape(query))" }
        do {
            return try json(send(request("GET", path), notFound: "page"))
        } catch let error as APIError where error.status == 404 {
            // Paperless answers a page past the end 404 "Invalid page": an empty page here.
            return ["count": 0, "results": []]
        }
    }

    /// The id of the tag or correspondent named `name` (case-insensitive), or nil.
    func paperlessLookup(_ kind: String, name: String) throws -> Int64? {
        let response = try send(request("GET", "/api/\(kind)/?name__iexact=\(BackendAccount.escape(name))"))
        return try json(response)["results"]?.arrayValue?.first?["id"]?.intValue
    }

    func paperlessDownloadPath(_ id: String) -> String { "/api/documents/\(id)/download/" }
}
