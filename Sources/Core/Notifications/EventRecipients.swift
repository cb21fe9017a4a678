/// The channels an event reaches for one user: enabled channels whose preference for the
/// event is on (or unset), with how many minutes early the user wants reminders.
enum EventRecipients {
    struct Target {
        let channel: NotificationChannel
        let remindBeforeMinutes: Int
    }

    static func channels(user: Int64, event: String, db: Connection, box: SecretBox) throws -> [Target] {
        try query("c.user_id = ?", [.int(user)], event: event, db: db, box: box)
    }

    /// The targets of every user picked by `owners` (a SQL condition on `c.user_id`), in
    /// one statement: the reminder job asks once per run, not once per owner.
    static func channels(ownersWhere owners: String, event: String, db: Connection, box: SecretBox) throws
        -> [Int64: [Target]]
    {
        Dictionary(grouping: try query(owners, [], event: event, db: db, box: box), by: \.channel.userID)
    }

    private static func query(_ condition: String, _ binds: [SQLValue], event: String, db: Connection, box: SecretBox)
        throws -> [Target]
    {
        try db.query(
            """
            SELECT \(NotificationChannel.columns), p.remind_before_minutes
            FROM notification_channels c
            LEFT JOIN notification_preferences p ON p.channel_id = c.id AND p.event_type = ?
            WHERE \(condition) AND c.is_enabled = 1 AND COALESCE(p.is_enabled, 1) = 1
            ORDER BY c.id
            """, [.text(event)] + binds
        ).compactMap { row in
            NotificationChannel(row: row, box: box).map {
                Target(channel: $0, remindBeforeMinutes: Int(row.int("remind_before_minutes") ?? 0))
            }
        }
    }
}
