/// Connection checks and document browsing for both backends: test a connection before
/// saving it, check the saved one's health, list Papra organizations, and search a
/// user's documents (to pick one to link).
enum BackendConnectionRoutes {
    static func register(in table: RouteTable) {
        table.post("/api/v1/paperless/test-connection") { try test($0, .paperless) }
        table.post("/api/v1/paperless/test-connection-v2") { try test($0, .paperless) }
        table.post("/api/v1/papra/test-connection") { try test($0, .papra) }
        table.get("/api/v1/paperless/health/paperless", health)
        table.get("/api/v1/papra/organizations", organizations)
        table.get("/api/v1/paperless/documents/search") { try search($0, .paperless) }
        table.get("/api/v1/paperless/documents") { try search($0, .paperless) }
        table.get("/api/v1/papra/documents/search") { try search($0, .papra) }
    }

    /// Tries the URL and credentials in the body; a secret left out is taken from the saved
    /// settings (the settings page tests without asking for the token again). 200 with
    /// `status: success`, or 400 naming what failed.
    static func test(_ context: Context, _ backend: DocumentBackend) throws -> Response {
        let user = try context.requireUser()
        var reader = FieldReader(try context.jsonObject())
        let saved = try BackendSettings.load(user: user.id, db: context.db, box: context.services.shared.credentials)
        var trial = saved
        let prefix = backend.rawValue
        let rawURL = reader.string("\(prefix)_url")
        reader.require("\(prefix)_url", rawURL.flatMap { $0.isEmpty ? nil : $0 }) { _ in nil }
        switch backend {
        case .paperless:
            trial.paperlessEnabled = true
            BackendSettingsRoutes.url(&reader, "paperless_url", into: &trial.paperlessURL)
            BackendSettingsRoutes.text(&reader, "paperless_api_token", limit: 500, into: &trial.paperlessToken)
            BackendSettingsRoutes.text(&reader, "paperless_username", limit: 255, into: &trial.paperlessUsername)
            BackendSettingsRoutes.text(
                &reader, "paperless_password", limit: 500, into: &trial.paperlessPassword, trim: false)
            // A user name and password given in the body win over a saved token.
            if reader.has("paperless_password") && !reader.has("paperless_api_token") { trial.paperlessToken = nil }
        case .papra:
            trial.papraEnabled = true
            BackendSettingsRoutes.url(&reader, "papra_url", into: &trial.papraURL)
            BackendSettingsRoutes.text(&reader, "papra_api_token", limit: 500, into: &trial.papraToken)
            BackendSettingsRoutes.text(
                &reader, "papra_organization_id", limit: 64, into: &trial.papraOrganizationID)
        }
        try reader.check()
        var account = trial.account(backend)
        if backend == .papra, account == nil, let url = trial.papraURL, let token = trial.papraToken {
            // The organization is chosen after the test (from the list it answers).
            account = BackendAccount(.papra, url: url, auth: .bearer(token))
        }
        guard let account else {
            throw APIError.badRequest(
                "No credentials to test",
                detail: .string(
                    backend == .paperless
                        ? "Send paperless_api_token, or paperless_username and paperless_password."
                        : "Send papra_api_token."))
        }
        do {
            return .json(backend == .paperless ? try account.paperlessProbe() : try account.papraProbe())
        } catch let error as APIError where error.status == 502 || error.status == 504 {
            throw APIError.badRequest(error.message, detail: error.detail)
        }
    }

    /// The saved Paperless connection's state; always 200 (the state is the answer).
    static func health(_ context: Context) throws -> Response {
        let user = try context.requireUser()
        let settings = try BackendSettings.load(user: user.id, db: context.db, box: context.services.shared.credentials)
        guard settings.paperlessEnabled else {
            return .json(["status": "disabled", "message": "Paperless-ngx is not enabled", "paperless_enabled": false])
        }
        guard let account = settings.account(.paperless) else {
            return .json([
                "status": "unconfigured", "message": "Paperless-ngx URL or credentials are missing",
                "paperless_enabled": true,
            ])
        }
        do {
            let probe = try account.paperlessProbe()
            return .json([
                "status": "healthy", "message": "Paperless-ngx is reachable", "paperless_enabled": true,
                "details": probe,
            ])
        } catch let error as APIError {
            return .json([
                "status": "unhealthy", "message": .string(error.message), "paperless_enabled": true,
                "details": error.detail,
            ])
        }
    }

    static func organizations(_ context: Context) throws -> Response {
        let user = try context.requireUser()
        let settings = try BackendSettings.load(user: user.id, db: context.db, box: context.services.shared.credentials)
        guard let url = settings.papraURL, let token = settings.papraToken else {
            throw BackendFiles.notConfigured(.papra)
        }
        let account = BackendAccount(.papra, url: url, auth: .bearer(token))
        return .json(.array(try account.papraOrganizations()))
    }

    /// One page of the user's backend documents (`query` searches); Paperless may leave out
    /// documents already linked to a record (`exclude_linked`).
    static func search(_ context: Context, _ backend: DocumentBackend) throws -> Response {
        let user = try context.requireUser()
        let account = try BackendFiles.account(backend, user: user.id, context: context)
        let query = String((context.query["query"] ?? context.query["q"] ?? "").prefix(200))
        let firstPage = backend == .paperless ? 1 : 0
        let page = try QueryValues.count(context.query, "page", default: firstPage, max: 100_000)
        let pageSize = max(1, try QueryValues.count(context.query, "page_size", default: 25, max: 100))
        guard page >= firstPage else {
            throw APIError.validation([FieldProblem("page", "must be at least \(firstPage)")])
        }
        var answer =
            try backend == .paperless
            ? account.paperlessSearch(query: query, page: page, pageSize: pageSize)
            : account.papraSearch(query: query, page: page, pageSize: pageSize)
        var results = answer["results"]?.arrayValue ?? []
        if backend == .paperless, try QueryValues.flag(context.query, "exclude_linked", default: false) {
            let ids = results.compactMap { $0["id"]?.intValue.map { String($0) } }
            let linked = try linkedDocuments(ids, backend: backend, user: user.id, db: context.db)
            results.removeAll { $0["id"]?.intValue.map { linked.contains(String($0)) } ?? false }
        }
        var object = JSONObject()
        object["count"] = answer["count"] ?? .int(Int64(results.count))
        object["page"] = .int(Int64(page))
        object["page_size"] = .int(Int64(pageSize))
        object["results"] = .array(results)
        answer = .object(object)
        return .json(answer)
    }

    /// Which of `ids` the user has linked or uploaded already (one query).
    static func linkedDocuments(_ ids: [String], backend: DocumentBackend, user: Int64, db: Connection) throws
        -> Set<String>
    {
        guard !ids.isEmpty else { return [] }
        let marks = Array(repeating: "?", count: ids.count).joined(separator: ", ")
        let rows = try db.query(
            """
            SELECT DISTINCT \(backend.documentColumn) AS document FROM entity_files
            WHERE \(backend.documentColumn) IN (\(marks)) AND uploaded_by = ?
            """, ids.map { .text($0) } + [.int(user)])
        return Set(rows.compactMap { $0.string("document") })
    }
}
