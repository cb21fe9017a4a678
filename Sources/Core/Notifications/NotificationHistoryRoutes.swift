/// `GET /notifications/history`: the caller's deliveries, newest first, paginated with
/// `page` / `page_size` (default 20, at most 100), filtered by `status_filter`
/// (pending, sent, failed) and `event_type`. Each filter has an index starting with user.
enum NotificationHistoryRoutes {
    static let statuses = ["pending", "sent", "failed"]

    static func register(in table: RouteTable) {
        table.get("\(ChannelRoutes.base)/history", list)
    }

    static func list(_ context: Context) throws -> Response {
        let user = try context.requireUser()
        let page = max(1, try QueryValues.count(context.query, "page", default: 1, max: 1_000_000))
        let pageSize = max(1, try QueryValues.count(context.query, "page_size", default: 20, max: 100))
        var conditions = ["h.user_id = ?"]
        var binds: [SQLValue] = [.int(user.id)]
        if let status = context.query["status_filter"], !status.isEmpty {
            guard statuses.contains(status) else {
                throw APIError.validation([
                    FieldProblem("status_filter", "must be one of \(statuses.joined(separator: ", "))")
                ])
            }
            conditions.append("h.status = ?")
            binds.append(.text(status))
        }
        if let event = context.query["event_type"], !event.isEmpty {
            conditions.append("h.event_type = ?")
            binds.append(.text(event))
        }
        let filter = conditions.joined(separator: " AND ")
        let total =
            try context.db.queryOne(
                "SELECT COUNT(*) AS total FROM notification_history h WHERE \(filter)", binds)?.int("total") ?? 0
        let rows = try context.db.query(
            """
            SELECT h.id, h.event_type, h.title, h.message_preview, h.channel_id, h.channel_name, h.channel_type,
                h.status, h.attempt_count, h.error_message, h.is_test, h.medication_id,
                \(NotificationChannel.iso("h.scheduled_for")) AS scheduled_for,
                \(NotificationChannel.iso("h.created_at")) AS created_at,
                \(NotificationChannel.iso("h.sent_at")) AS sent_at
            FROM notification_history h WHERE \(filter) ORDER BY h.id DESC LIMIT ? OFFSET ?
            """, binds + [.int(pageSize), .int((page - 1) * pageSize)])
        let items: [JSON] = rows.map { row in
            [
                "id": .int(row.int("id") ?? 0), "event_type": JSON.string(row.string("event_type")),
                "title": JSON.string(row.string("title")),
                "message_preview": JSON.string(row.string("message_preview")),
                "channel_id": row.int("channel_id").map(JSON.int) ?? .null,
                "channel_name": JSON.string(row.string("channel_name")),
                "channel_type": JSON.string(row.string("channel_type")), "status": JSON.string(row.string("status")),
                "attempt_count": .int(row.int("attempt_count") ?? 0),
                "error_message": JSON.string(row.string("error_message")),
                "is_test": .bool(row.bool("is_test") ?? false),
                "medication_id": row.int("medication_id").map(JSON.int) ?? .null,
                "scheduled_for": JSON.string(row.string("scheduled_for")),
                "created_at": JSON.string(row.string("created_at")), "sent_at": JSON.string(row.string("sent_at")),
            ]
        }
        return .json([
            "items": .array(items), "total": .int(total), "page": .int(Int64(page)), "page_size": .int(Int64(pageSize)),
        ])
    }
}
