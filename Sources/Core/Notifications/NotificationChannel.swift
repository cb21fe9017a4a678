/// One user's notification channel as stored (`notification_channels`), its configuration
/// opened. A configuration that no longer opens (the server key was replaced) is nil:
/// the channel is shown as invalid and not used until the user enters it again.
struct NotificationChannel {
    let id: Int64
    let userID: Int64
    let name: String
    let type: ChannelType
    let config: JSONObject?
    let isEnabled: Bool
    let row: Row

    static let columns = """
        c.id, c.user_id, c.name, c.channel_type, c.config_sealed, c.is_enabled, c.is_verified,
        c.total_notifications_sent, \(iso("c.last_test_at")) AS last_test_at, c.last_test_status,
        \(iso("c.last_used_at")) AS last_used_at, \(iso("c.created_at")) AS created_at,
        \(iso("c.updated_at")) AS updated_at
        """

    static func iso(_ column: String) -> String { "DATE_FORMAT(\(column), '%Y-%m-%dT%H:%i:%sZ')" }

    init?(row: Row, box: SecretBox) {
        guard let id = row.int("id"), let user = row.int("user_id"),
            let type = ChannelType(rawValue: row.string("channel_type") ?? "")
        else { return nil }
        self.id = id
        self.userID = user
        self.name = row.string("name") ?? ""
        self.type = type
        self.isEnabled = row.bool("is_enabled") ?? false
        self.row = row
        let opened = try? box.open(row.string("config_sealed") ?? "", context: Self.sealContext(type, user: user))
        self.config = opened.flatMap { try? JSON.parse(Array($0.utf8)) }?.objectValue
    }

    /// What the sealed configuration is bound to: its type and its user.
    static func sealContext(_ type: ChannelType, user: Int64) -> String {
        "notification-channel:\(type.rawValue):\(user)"
    }

    static func seal(_ config: JSONObject, type: ChannelType, user: Int64, box: SecretBox) -> String {
        box.seal(JSON.object(config).serializedString, context: sealContext(type, user: user))
    }

    /// The caller's channel `id`, or 404 (another user's channel does not exist for them).
    static func load(_ id: Int64, user: Int64, db: Connection, box: SecretBox, lock: Bool = false) throws
        -> NotificationChannel
    {
        let row = try db.queryOne(
            "SELECT \(columns) FROM notification_channels c WHERE c.id = ? AND c.user_id = ?"
                + (lock ? " FOR UPDATE" : ""), [.int(id), .int(user)])
        guard let row, let channel = NotificationChannel(row: row, box: box) else {
            throw APIError.notFound("Notification channel")
        }
        return channel
    }

    /// Every channel of `user`, oldest first.
    static func all(user: Int64, db: Connection, box: SecretBox) throws -> [NotificationChannel] {
        try db.query("SELECT \(columns) FROM notification_channels c WHERE c.user_id = ? ORDER BY c.id", [.int(user)])
            .compactMap { NotificationChannel(row: $0, box: box) }
    }

    /// Why the configuration cannot be used, or nil.
    var configError: String? {
        guard let config else {
            return "the stored configuration cannot be read (the server key changed); enter it again"
        }
        if case .failure(let problems) = ChannelConfig.validate(config, type: type) {
            return problems.map { "\($0.field.replacingOccurrences(of: "config.", with: "")) \($0.message)" }
                .joined(separator: "; ")
        }
        return nil
    }

    /// The contract's channel object; `withConfig` adds `config_masked` (single-channel answers).
    func json(withConfig: Bool) -> JSON {
        let problem = configError
        var object: JSONObject = [
            "id": .int(id), "name": .string(name), "channel_type": .string(type.rawValue),
            "is_enabled": .bool(isEnabled), "is_verified": .bool(row.bool("is_verified") ?? false),
            "last_test_at": JSON.string(row.string("last_test_at")),
            "last_test_status": JSON.string(row.string("last_test_status")),
            "last_used_at": JSON.string(row.string("last_used_at")),
            "total_notifications_sent": .int(row.int("total_notifications_sent") ?? 0),
            "config_valid": .bool(problem == nil), "config_error": JSON.string(problem),
            "created_at": JSON.string(row.string("created_at")), "updated_at": JSON.string(row.string("updated_at")),
        ]
        if withConfig { object["config_masked"] = .object(config.map { ChannelConfig.masked($0, type: type) } ?? [:]) }
        return .object(object)
    }
}
