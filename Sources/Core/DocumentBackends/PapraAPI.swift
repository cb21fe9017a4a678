/// The Papra REST calls MediKeep makes: everything lives in an organization, an API key
/// is a bearer token, and an upload answers the new document at once.
extension BackendAccount {
    var papraOrganizationPath: String { "/api/organizations/\(BackendAccount.escape(organizationID ?? ""))" }

    /// `GET /api/organizations`: the organizations the key may use.
    func papraOrganizations() throws -> [JSON] {
        let json = try self.json(send(request("GET", "/api/organizations", timeout: 10)))
        return json["organizations"]?.arrayValue ?? json.arrayValue ?? []
    }

    /// Reachable, key accepted, and (when one is set) the organization among the key's.
    func papraProbe() throws -> JSON {
        let organizations = try papraOrganizations()
        if let organizationID,
            !organizations.contains(where: { $0["id"]?.stringValue == organizationID })
        {
            throw APIError.badRequest(
                "Papra organization not found",
                detail: .string("The API key has no access to organization \(organizationID)."))
        }
        return [
            "status": "success", "message": "Connected to Papra",
            "organizations": .array(
                organizations.map { ["id": $0["id"] ?? .null, "name": $0["name"] ?? .null] }),
        ]
    }

    /// `POST /api/organizations/{org}/documents` with the file as `file`; the new document's id.
    func papraUpload(_ source: DocumentSource) throws -> (id: String, json: JSON) {
        let form = OutboundForm(
            file: (
                field: "file", descriptor: source.descriptor, size: source.size, name: source.name,
                mediaType: source.mediaType
            ))
        let json = try self.json(send(request("POST", papraOrganizationPath + "/documents", form: form, timeout: 0)))
        guard let document = json["document"], let id = document["id"]?.stringValue, DocumentIDs.isPapra(id) else {
            throw APIError(502, "Papra did not answer a document id")
        }
        return (id, document)
    }

    /// `GET /api/organizations/{org}/documents/{id}`; 404 "Papra document not found".
    func papraDocument(_ id: String) throws -> JSON {
        let json = try self.json(
            send(request("GET", papraOrganizationPath + "/documents/\(id)"), notFound: "Papra document"))
        return json["document"] ?? json
    }

    /// One page of the organization's documents, or of a search.
    func papraSearch(query: String, page: Int, pageSize: Int) throws -> JSON {
        let paging = "pageIndex=\(page)&pageSize=\(pageSize)"
        let path =
            query.isEmpty
            ? papraOrganizationPath + "/documents?\(paging)"
            : papraOrganizationPath + "/documents/search?searchQuery=\(BackendAccount.escape(query))&\(paging)"
        let json = try self.json(send(request("GET", path)))
        let documents = json["documents"]?.arrayValue ?? []
        let count = json["documentsCount"]?.intValue ?? json["totalCount"]?.intValue ?? Int64(documents.count)
        return ["results": .array(documents), "count": .int(count)]
    }

    func papraDownloadPath(_ id: String) -> String { papraOrganizationPath + "/documents/\(id)/file" }
}

/// What a backend's document or task id may look like before it goes into a URL path:
/// Paperless documents are numbers, tasks UUIDs; Papra ids are `doc_…` style tokens.
enum DocumentIDs {
    static func isPaperless(_ id: String) -> Bool {
        !id.isEmpty && id.utf8.count <= 18 && id.utf8.allSatisfy { $0 >= 0x30 && $0 <= 0x39 }
    }

    static func isTaskUUID(_ id: String) -> Bool {
        !id.isEmpty && id.utf8.count <= 64
            && id.utf8.allSatisfy { byte in
                switch byte {
                case 0x30...0x39, 0x41...0x46, 0x61...0x66, UInt8(ascii: "-"): true
                default: false
                }
            }
    }

    static func isPapra(_ id: String) -> Bool {
        !id.isEmpty && id.utf8.count <= 64
            && id.utf8.allSatisfy { byte in
                switch byte {
                case 0x30...0x39, 0x41...0x5A, 0x61...0x7A, UInt8(ascii: "-"), UInt8(ascii: "_"): true
                default: false
                }
            }
    }

    static func isValid(_ id: String, for backend: DocumentBackend) -> Bool {
        backend == .paperless ? isPaperless(id) : isPapra(id)
    }
}
