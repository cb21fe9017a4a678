/// One user's document backend settings (`document_backend_settings`), secrets opened.
/// Nothing here is ever rendered with its secrets: `json` says only whether one is set.
struct BackendSettings {
    var defaultStorageBackend = "local"
    var paperlessEnabled = false
    var paperlessURL: String?
    var paperlessUsername: String?
    var paperlessToken: String?
    var paperlessPassword: String?
    var paperlessAutoSync = false
    var paperlessSyncTags = true
    var papraEnabled = false
    var papraURL: String?
    var papraToken: String?
    var papraOrganizationID: String?

    /// The user's settings (defaults when none were saved). A sealed secret that no longer
    /// opens (the server key was replaced) counts as not set, so the user is asked again.
    static func load(user: Int64, db: Connection, box: SecretBox, lock: Bool = false) throws -> BackendSettings {
        var settings = BackendSettings()
        guard
            let row = try db.queryOne(
                """
                SELECT default_storage_backend, paperless_enabled, paperless_url, paperless_username,
                    paperless_token_sealed, paperless_password_sealed, paperless_auto_sync, paperless_sync_tags,
                    papra_enabled, papra_url, papra_token_sealed, papra_organization_id
                FROM document_backend_settings WHERE user_id = ?
                """ + (lock ? " FOR UPDATE" : ""), [.int(user)])
        else { return settings }
        func secret(_ column: String, _ field: String) -> String? {
            guard let sealed = row.string(column) else { return nil }
            return try? box.open(sealed, context: context(field, user: user))
        }
        settings.defaultStorageBackend = row.string("default_storage_backend") ?? "local"
        settings.paperlessEnabled = (row.int("paperless_enabled") ?? 0) != 0
        settings.paperlessURL = row.string("paperless_url")
        settings.paperlessUsername = row.string("paperless_username")
        settings.paperlessToken = secret("paperless_token_sealed", "paperless_api_token")
        settings.paperlessPassword = secret("paperless_password_sealed", "paperless_password")
        settings.paperlessAutoSync = (row.int("paperless_auto_sync") ?? 0) != 0
        settings.paperlessSyncTags = (row.int("paperless_sync_tags") ?? 1) != 0
        settings.papraEnabled = (row.int("papra_enabled") ?? 0) != 0
        settings.papraURL = row.string("papra_url")
        settings.papraToken = secret("papra_token_sealed", "papra_api_token")
        settings.papraOrganizationID = row.string("papra_organization_id")
        return settings
    }

    /// Writes the whole row (insert or replace), sealing each secret for this user and field.
    func save(user: Int64, db: Connection, box: SecretBox) throws {
        func sealed(_ value: String?, _ field: String) -> SQLValue {
            value.map { .text(box.seal($0, context: Self.context(field, user: user))) } ?? .null
        }
        func text(_ value: String?) -> SQLValue { value.map(SQLValue.text) ?? .null }
        func flag(_ value: Bool) -> SQLValue { .int(value ? 1 : 0) }
        let values: [SQLValue] = [
            .int(user), .text(defaultStorageBackend), flag(paperlessEnabled), text(paperlessURL),
            text(paperlessUsername), sealed(paperlessToken, "paperless_api_token"),
            sealed(paperlessPassword, "paperless_password"), flag(paperlessAutoSync), flag(paperlessSyncTags),
            flag(papraEnabled), text(papraURL), sealed(papraToken, "papra_api_token"), text(papraOrganizationID),
        ]
        _ = try db.execute(
            """
            INSERT INTO document_backend_settings (user_id, default_storage_backend, paperless_enabled, paperless_url,
                paperless_username, paperless_token_sealed, paperless_password_sealed, paperless_auto_sync,
                paperless_sync_tags, papra_enabled, papra_url, papra_token_sealed, papra_organization_id)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            ON DUPLICATE KEY UPDATE default_storage_backend = VALUES(default_storage_backend),
                paperless_enabled = VALUES(paperless_enabled), paperless_url = VALUES(paperless_url),
                paperless_username = VALUES(paperless_username),
                paperless_token_sealed = VALUES(paperless_token_sealed),
                paperless_password_sealed = VALUES(paperless_password_sealed),
                paperless_auto_sync = VALUES(paperless_auto_sync), paperless_sync_tags = VALUES(paperless_sync_tags),
                papra_enabled = VALUES(papra_enabled), papra_url = VALUES(papra_url),
                papra_token_sealed = VALUES(papra_token_sealed), papra_organization_id = VALUES(papra_organization_id)
            """, values)
    }

    /// What a sealed secret is bound to: its field and its user.
    static func context(_ field: String, user: Int64) -> String { "document-backend:\(field):\(user)" }

    /// Paperless settings as upstream's preferences show them: whether secrets are set,
    /// never the secrets.
    var paperlessJSON: JSON {
        [
            "paperless_enabled": .bool(paperlessEnabled), "paperless_url": JSON.string(paperlessURL),
            "paperless_username": JSON.string(paperlessUsername),
            "paperless_has_token": .bool(paperlessToken != nil),
            "paperless_has_credentials": .bool(paperlessToken != nil || paperlessPassword != nil),
            "paperless_auto_sync": .bool(paperlessAutoSync), "paperless_sync_tags": .bool(paperlessSyncTags),
            "default_storage_backend": .string(defaultStorageBackend),
        ]
    }

    var papraJSON: JSON {
        [
            "papra_enabled": .bool(papraEnabled), "papra_url": JSON.string(papraURL),
            "papra_organization_id": JSON.string(papraOrganizationID), "papra_has_token": .bool(papraToken != nil),
            "default_storage_backend": .string(defaultStorageBackend),
        ]
    }

    /// The account to reach `backend` with, when it is enabled and complete; else nil.
    func account(_ backend: DocumentBackend) -> BackendAccount? {
        switch backend {
        case .paperless:
            guard paperlessEnabled, let url = paperlessURL else { return nil }
            if let token = paperlessToken { return BackendAccount(backend, url: url, auth: .token(token)) }
            if let user = paperlessUsername, let password = paperlessPassword {
                return BackendAccount(backend, url: url, auth: .basic(user, password))
            }
            return nil
        case .papra:
            guard papraEnabled, let url = papraURL, let token = papraToken, let organization = papraOrganizationID
            else { return nil }
            return BackendAccount(backend, url: url, auth: .bearer(token), organizationID: organization)
        }
    }
}
