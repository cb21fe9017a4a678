import Foundation

/// The one way a notification leaves the server: a history row is written first (the
/// claim), then the channel is tried up to `attempts` times with doubling waits between
/// retryable failures, then the row records the outcome (status, attempts, error) and
/// the channel its use. Nothing here logs or stores a channel's configuration.
enum NotificationDelivery {
    struct Outcome {
        let historyID: Int64
        let sent: Bool
        let attempts: Int
        let error: String?
    }

    /// Delivers `message` to `channel`. With a `dedupKey` the claim is an `INSERT IGNORE`
    /// on a unique key: when another run (here or on another host) already claimed it,
    /// nothing is sent and the answer is nil. Runs outside any transaction, so the claim
    /// is visible to every other host at once.
    static func deliver(
        _ message: NotificationMessage, to channel: NotificationChannel, dedupKey: String? = nil, attempts: Int,
        settings: NotificationSettings, db: Connection
    ) throws -> Outcome? {
        let preview = String(message.body.prefix(250))
        let claim = try db.execute(
            """
            INSERT IGNORE INTO notification_history (user_id, channel_id, channel_name, channel_type, event_type, title,
                message_preview, status, attempt_count, is_test, medication_id, scheduled_for, dedup_key)
            VALUES (?, ?, ?, ?, ?, ?, ?, 'pending', 0, ?, ?, ?, ?)
            """,
            [
                .int(channel.userID), .int(channel.id), .text(channel.name), .text(channel.type.rawValue),
                .text(message.eventType), .text(String(message.title.prefix(200))), .text(preview),
                .bool(message.isTest), message.medicationID.map(SQLValue.int) ?? .null,
                message.scheduledFor.map(SQLValue.text) ?? .null, dedupKey.map(SQLValue.text) ?? .null,
            ])
        guard claim.affectedRows == 1 else { return nil }
        let historyID = claim.lastInsertID

        var tries = 0
        var failure: String?
        if let config = channel.config, channel.configError == nil {
            var wait = settings.retryDelay
            while true {
                tries += 1
                do {
                    try ChannelSender.send(message, type: channel.type, config: config, settings: settings)
                    failure = nil
                    break
                } catch {
                    failure = error.message
                    guard error.retryable, tries < attempts else { break }
                    Thread.sleep(forTimeInterval: wait)
                    wait *= 2
                }
            }
        } else {
            failure = "Channel configuration is invalid: \(channel.configError ?? "unreadable")"
        }

        let sent = failure == nil
        try db.execute(
            """
            UPDATE notification_history SET status = ?, attempt_count = ?, error_message = ?,
                sent_at = IF(? = 1, UTC_TIMESTAMP(), NULL)
            WHERE id = ?
            """,
            [
                .text(sent ? "sent" : "failed"), .int(tries), failure.map { .text(String($0.prefix(500))) } ?? .null,
                .bool(sent), .int(historyID),
            ])
        if sent {
            try db.execute(
                """
                UPDATE notification_channels SET total_notifications_sent = total_notifications_sent + 1,
                    last_used_at = UTC_TIMESTAMP(), updated_at = updated_at
                WHERE id = ?
                """, [.int(channel.id)])
        }
        Log.info(
            sent ? "notification_sent" : "notification_failed",
            [
                "history_id": .int(historyID), "channel_id": .int(channel.id),
                "channel_type": .string(channel.type.rawValue), "event_type": .string(message.eventType),
                "attempts": .int(Int64(tries)), "error": JSON.string(failure),
            ])
        return Outcome(historyID: historyID, sent: sent, attempts: tries, error: failure)
    }
}
