/// `GET|PUT /paperless/settings` and `GET|PUT /papra/settings`: a user's connection to each
/// backend. A field left out is kept; a secret sent as null or "" is removed. Secrets are
/// sealed before they are stored and never answered, only `*_has_token`.
enum BackendSettingsRoutes {
    static func register(in table: RouteTable) {
        table.get("/api/v1/paperless/settings") { try show($0, .paperless) }
        table.put("/api/v1/paperless/settings") { try update($0, .paperless) }
        table.get("/api/v1/papra/settings") { try show($0, .papra) }
        table.put("/api/v1/papra/settings") { try update($0, .papra) }
    }

    static func show(_ context: Context, _ backend: DocumentBackend) throws -> Response {
        let user = try context.requireUser()
        let settings = try BackendSettings.load(user: user.id, db: context.db, box: context.services.shared.credentials)
        return .json(backend == .paperless ? settings.paperlessJSON : settings.papraJSON)
    }

    static func update(_ context: Context, _ backend: DocumentBackend) throws -> Response {
        let user = try context.requireUser()
        var reader = FieldReader(try context.jsonObject())
        let db = context.db
        let box = context.services.shared.credentials
        let settings: BackendSettings = try db.transaction {
            var settings = try BackendSettings.load(user: user.id, db: db, box: box, lock: true)
            apply(&reader, to: &settings, backend)
            try reader.check()
            try settings.save(user: user.id, db: db, box: box)
            return settings
        }
        return .json(backend == .paperless ? settings.paperlessJSON : settings.papraJSON)
    }

    /// Reads the body's fields for `backend` into `settings`, collecting problems in `reader`.
    static func apply(_ reader: inout FieldReader, to settings: inout BackendSettings, _ backend: DocumentBackend) {
        if let value = reader.string("default_storage_backend") {
            if ["local", "paperless", "papra"].contains(value.lowercased()) {
                settings.defaultStorageBackend = value.lowercased()
            } else {
                reader.fail("default_storage_backend", "must be local, paperless or papra")
            }
        }
        switch backend {
        case .paperless:
            if let flag = reader.bool("paperless_enabled") { settings.paperlessEnabled = flag }
            url(&reader, "paperless_url", into: &settings.paperlessURL)
            text(&reader, "paperless_username", limit: 255, into: &settings.paperlessUsername)
            text(&reader, "paperless_api_token", limit: 500, into: &settings.paperlessToken)
            text(&reader, "paperless_password", limit: 500, into: &settings.paperlessPassword, trim: false)
            if let flag = reader.bool("paperless_auto_sync") { settings.paperlessAutoSync = flag }
            if let flag = reader.bool("paperless_sync_tags") { settings.paperlessSyncTags = flag }
            if settings.paperlessEnabled && reader.problems.isEmpty {
                if settings.paperlessURL == nil { reader.fail("paperless_url", "is required to enable Paperless-ngx") }
                if settings.paperlessToken == nil
                    && (settings.paperlessUsername == nil || settings.paperlessPassword == nil)
                {
                    reader.fail(
                        "paperless_api_token",
                        "an API token (or a user name and password) is required to enable Paperless-ngx")
                }
            }
        case .papra:
            if let flag = reader.bool("papra_enabled") { settings.papraEnabled = flag }
            url(&reader, "papra_url", into: &settings.papraURL)
            text(&reader, "papra_api_token", limit: 500, into: &settings.papraToken)
            text(&reader, "papra_organization_id", limit: 64, into: &settings.papraOrganizationID)
            if let organization = settings.papraOrganizationID, !DocumentIDs.isPapra(organization) {
                reader.fail("papra_organization_id", "must be letters, digits, - or _")
            }
            if settings.papraEnabled && reader.problems.isEmpty {
                if settings.papraURL == nil { reader.fail("papra_url", "is required to enable Papra") }
                if settings.papraToken == nil { reader.fail("papra_api_token", "is required to enable Papra") }
                if settings.papraOrganizationID == nil {
                    reader.fail("papra_organization_id", "is required to enable Papra")
                }
            }
        }
        if settings.defaultStorageBackend == "paperless" && !settings.paperlessEnabled && backend == .paperless {
            reader.fail("default_storage_backend", "Paperless-ngx must be enabled to be the default")
        }
        if settings.defaultStorageBackend == "papra" && !settings.papraEnabled && backend == .papra {
            reader.fail("default_storage_backend", "Papra must be enabled to be the default")
        }
    }

    /// A text field: absent keeps `target`; null or blank clears it; else at most `limit` characters.
    static func text(
        _ reader: inout FieldReader, _ key: String, limit: Int, into target: inout String?, trim: Bool = true
    ) {
        guard reader.has(key) else { return }
        let value = reader.string(key, trim: trim)
        guard let value, !value.isEmpty else {
            if !reader.problems.contains(where: { $0.field == key }) { target = nil }
            return
        }
        guard value.count <= limit else { return reader.fail(key, "must be at most \(limit) characters") }
        target = value
    }

    /// A backend URL: absent keeps it, null or blank clears it, else `BackendURL`'s rule.
    static func url(_ reader: inout FieldReader, _ key: String, into target: inout String?) {
        guard reader.has(key) else { return }
        guard let value = reader.string(key), !value.isEmpty else {
            if !reader.problems.contains(where: { $0.field == key }) { target = nil }
            return
        }
        switch BackendURL.normalize(value) {
        case .success(let url): target = url
        case .failure(let problem): reader.fail(key, problem.message)
        }
    }
}
