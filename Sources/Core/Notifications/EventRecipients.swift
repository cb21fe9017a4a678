/// The channels an event reaches for one user: enabled channels whose preference for the
/// event is on (or unset), with how many minutes early the user wants reminders.
enum EventRecipients {
    struct Target {
        let channel: NotificationChannel
        let remindBeforeMinutes: Int
    }

    static func channels(user: Int64, event: String, db: Connection, box: SecretBox) throws -> [Target] {
        try db.query(
            """
            SELECT \(NotificationChannel.columns), p.remind_before_minutes
            FROM notification_channels c
            LEFT JOIN notification_preferences p ON p.channel_id = c.id AND p.event_type = ?
            WHERE c.user_id = ? AND c.is_enabled = 1 AND COALESCE(p.is_enabled, 1) = 1
            ORDER BY c.id
            """, [.text(event), .int(user)]
        ).compactMap { row in
            NotificationChannel(row: row, box: box).map {
                Target(channel: $0, remindBeforeMinutes: Int(row.int("remind_before_minutes") ?? 0))
            }
        }
    }
}
