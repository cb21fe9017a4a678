/// `/notifications/preferences[/matrix]`: which events go to which of the user's channels.
/// Without a row an event goes to every enabled channel (a new channel gets reminders
/// until the user turns them off); a row turns one event on or off for one channel and
/// may move reminders earlier (`remind_before_minutes`).
enum NotificationPreferenceRoutes {
    static func register(in table: RouteTable) {
        table.get("\(ChannelRoutes.base)/preferences", list)
        table.get("\(ChannelRoutes.base)/preferences/matrix", matrix)
        table.post("\(ChannelRoutes.base)/preferences", set)
    }

    static let columns = """
        p.id, p.channel_id, c.name AS channel_name, p.event_type, p.is_enabled, p.remind_before_minutes,
        \(NotificationChannel.iso("p.created_at")) AS created_at, \(NotificationChannel.iso("p.updated_at")) AS updated_at
        """

    static func json(_ row: Row) -> JSON {
        [
            "id": .int(row.int("id") ?? 0), "channel_id": .int(row.int("channel_id") ?? 0),
            "channel_name": JSON.string(row.string("channel_name")),
            "event_type": JSON.string(row.string("event_type")),
            "is_enabled": .bool(row.bool("is_enabled") ?? false),
            "remind_before_minutes": row.int("remind_before_minutes").map(JSON.int) ?? .null,
            "created_at": JSON.string(row.string("created_at")), "updated_at": JSON.string(row.string("updated_at")),
        ]
    }

    static func list(_ context: Context) throws -> Response {
        let user = try context.requireUser()
        let rows = try context.db.query(
            """
            SELECT \(columns) FROM notification_preferences p JOIN notification_channels c ON c.id = p.channel_id
            WHERE p.user_id = ? ORDER BY p.id
            """, [.int(user.id)])
        return .json(.array(rows.map(json)))
    }

    static func matrix(_ context: Context) throws -> Response {
        let user = try context.requireUser()
        let channels = try NotificationChannel.all(
            user: user.id, db: context.db, box: context.services.shared.credentials)
        let rows = try context.db.query(
            "SELECT channel_id, event_type, is_enabled FROM notification_preferences WHERE user_id = ?", [.int(user.id)]
        )
        var chosen: [String: Bool] = [:]
        for row in rows {
            chosen["\(row.string("event_type") ?? ""):\(row.int("channel_id") ?? 0)"] = row.bool("is_enabled") ?? false
        }
        var preferences: JSONObject = [:]
        for event in NotificationEvents.all {
            var cells: JSONObject = [:]
            for channel in channels {
                cells[String(channel.id)] = .bool(chosen["\(event.value):\(channel.id)"] ?? true)
            }
            preferences[event.value] = .object(cells)
        }
        return .json([
            "channels": .array(channels.map { $0.json(withConfig: false) }),
            "events": .array(NotificationEvents.all.map { .string($0.value) }), "preferences": .object(preferences),
        ])
    }

    /// Creates or replaces the preference for (`channel_id`, `event_type`); the channel
    /// must be the caller's (404 otherwise).
    static func set(_ context: Context) throws -> Response {
        let user = try context.requireUser()
        var reader = FieldReader(try context.jsonObject())
        let channelID = reader.int("channel_id")
        reader.require("channel_id", channelID) { $0 > 0 ? nil : "must be greater than 0" }
        let event = reader.string("event_type")
        reader.require("event_type", event) { value in
            NotificationEvents.isKnown(value)
                ? nil : "must be one of \(NotificationEvents.all.map(\.value).joined(separator: ", "))"
        }
        let enabled = reader.bool("is_enabled") ?? true
        let before = reader.int("remind_before_minutes")
        if let before, before < 0 || before > 1440 {
            reader.fail("remind_before_minutes", "must be from 0 to 1440")
        }
        try reader.check()
        guard let channelID, let event else { throw APIError.validation([]) }
        let db = context.db
        let row: Row = try db.transaction {
            guard
                try db.queryOne(
                    "SELECT id FROM notification_channels WHERE id = ? AND user_id = ? FOR UPDATE",
                    [.int(channelID), .int(user.id)]) != nil
            else { throw APIError.notFound("Notification channel") }
            try db.execute(
                """
                INSERT INTO notification_preferences (user_id, channel_id, event_type, is_enabled, remind_before_minutes)
                VALUES (?, ?, ?, ?, ?)
                ON DUPLICATE KEY UPDATE is_enabled = VALUES(is_enabled),
                    remind_before_minutes = VALUES(remind_before_minutes), updated_at = UTC_TIMESTAMP()
                """, [.int(user.id), .int(channelID), .text(event), .bool(enabled), before.map(SQLValue.int) ?? .null])
            guard
                let row = try db.queryOne(
                    """
                    SELECT \(columns) FROM notification_preferences p JOIN notification_channels c ON c.id = p.channel_id
                    WHERE p.channel_id = ? AND p.event_type = ?
                    """, [.int(channelID), .text(event)])
            else { throw APIError.notFound("Notification preference") }
            return row
        }
        return .json(json(row))
    }
}
