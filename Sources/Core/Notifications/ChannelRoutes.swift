import Foundation

/// `/notifications/event-types` and `/notifications/channels[/{channel_id}[/test]]`: a
/// user's own channels. Another user's channel is 404. The configuration is validated
/// per type, sealed before it is stored, and answered only masked.
enum ChannelRoutes {
    static let base = "/api/v1/notifications"

    static func register(in table: RouteTable) {
        table.get("\(base)/event-types") { context in
            _ = try context.requireUser()
            return .json(NotificationEvents.json)
        }
        table.get("\(base)/channels", list)
        table.post("\(base)/channels", create)
        table.get("\(base)/channels/{channel_id}", show)
        table.put("\(base)/channels/{channel_id}", update)
        table.delete("\(base)/channels/{channel_id}", remove)
        table.post("\(base)/channels/{channel_id}/test", test)
    }

    static func list(_ context: Context) throws -> Response {
        let user = try context.requireUser()
        let channels = try NotificationChannel.all(
            user: user.id, db: context.db, box: context.services.shared.credentials)
        return .json(.array(channels.map { $0.json(withConfig: false) }))
    }

    static func show(_ context: Context) throws -> Response {
        let user = try context.requireUser()
        let id = try context.parameters.id("channel_id")
        let channel = try NotificationChannel.load(
            id, user: user.id, db: context.db, box: context.services.shared.credentials)
        return .json(channel.json(withConfig: true))
    }

    static func create(_ context: Context) throws -> Response {
        let user = try context.requireUser()
        var reader = FieldReader(try context.jsonObject())
        let name = reader.string("name")
        reader.require("name", name, nameProblem)
        let typeName = reader.string("channel_type")
        let type = typeName.flatMap { ChannelType(rawValue: $0.lowercased()) }
        reader.require("channel_type", typeName) { _ in
            type == nil ? "must be one of \(ChannelType.allCases.map(\.rawValue).joined(separator: ", "))" : nil
        }
        let enabled = reader.bool("is_enabled") ?? true
        let config = configObject(&reader, required: true)
        var clean: JSONObject = [:]
        if let type, let config {
            switch ChannelConfig.validate(config, type: type) {
            case .success(let value): clean = value
            case .failure(let problems): problems.forEach { reader.fail($0.field, $0.message) }
            }
        }
        try reader.check()
        guard let name, let type else { throw APIError.validation([]) }
        let box = context.services.shared.credentials
        let db = context.db
        let id = try db.execute(
            """
            INSERT INTO notification_channels (user_id, name, channel_type, config_sealed, is_enabled)
            VALUES (?, ?, ?, ?, ?)
            """,
            [
                .int(user.id), .text(name), .text(type.rawValue),
                .text(NotificationChannel.seal(clean, type: type, user: user.id, box: box)), .bool(enabled),
            ]
        ).lastInsertID
        let channel = try NotificationChannel.load(id, user: user.id, db: db, box: box)
        return .json(channel.json(withConfig: true), status: 201)
    }

    /// `name`, `config` (merged over the stored one: keys left out are kept, null removes)
    /// and `is_enabled`; `channel_type` cannot change. A new configuration unverifies
    /// the channel until its next successful test.
    static func update(_ context: Context) throws -> Response {
        let user = try context.requireUser()
        let id = try context.parameters.id("channel_id")
        let body = try context.jsonObject()
        let box = context.services.shared.credentials
        let db = context.db
        let channel: NotificationChannel = try db.transaction {
            let current = try NotificationChannel.load(id, user: user.id, db: db, box: box, lock: true)
            var reader = FieldReader(body)
            let name = reader.string("name")
            if reader.has("name") { reader.require("name", name, nameProblem) }
            if let given = reader.string("channel_type"), given.lowercased() != current.type.rawValue {
                reader.fail("channel_type", "cannot be changed (create a new channel instead)")
            }
            let enabled = reader.bool("is_enabled")
            let update = configObject(&reader, required: false)
            var sealed: String?
            if let update {
                switch ChannelConfig.validate(ChannelConfig.merge(current.config ?? [:], update), type: current.type) {
                case .success(let clean):
                    sealed = NotificationChannel.seal(clean, type: current.type, user: user.id, box: box)
                case .failure(let problems): problems.forEach { reader.fail($0.field, $0.message) }
                }
            }
            try reader.check()
            try db.execute(
                """
                UPDATE notification_channels SET name = COALESCE(?, name), is_enabled = COALESCE(?, is_enabled),
                    config_sealed = COALESCE(?, config_sealed), is_verified = IF(? IS NULL, is_verified, 0),
                    updated_at = UTC_TIMESTAMP()
                WHERE id = ? AND user_id = ?
                """,
                [
                    name.map(SQLValue.text) ?? .null, .bool(enabled), sealed.map(SQLValue.text) ?? .null,
                    sealed.map(SQLValue.text) ?? .null, .int(id), .int(user.id),
                ])
            return try NotificationChannel.load(id, user: user.id, db: db, box: box)
        }
        return .json(channel.json(withConfig: true))
    }

    static func remove(_ context: Context) throws -> Response {
        let user = try context.requireUser()
        let id = try context.parameters.id("channel_id")
        let deleted = try context.db.execute(
            "DELETE FROM notification_channels WHERE id = ? AND user_id = ?", [.int(id), .int(user.id)])
        guard deleted.affectedRows == 1 else { throw APIError.notFound("Notification channel") }
        return .noContent
    }

    /// Sends a test message at once (one try, so the answer reports what really happened)
    /// and records it: history (`is_test`), `last_test_at`/`last_test_status`, and
    /// `is_verified` once a test succeeds. A failure is still 200, as the contract shows.
    static func test(_ context: Context) throws -> Response {
        let user = try context.requireUser()
        let id = try context.parameters.id("channel_id")
        var text = "This is a test notification from MediKeep"
        if !context.request.body.isEmpty {
            var reader = FieldReader(try context.jsonObject())
            if let given = reader.string("message") {
                if given.count > 500 { reader.fail("message", "must be at most 500 characters") }
                if !given.isEmpty { text = given }
            }
            try reader.check()
        }
        let box = context.services.shared.credentials
        let db = context.db
        let channel = try NotificationChannel.load(id, user: user.id, db: db, box: box)
        let message = NotificationMessage(
            eventType: "channel_test", title: "MediKeep test notification", body: text, isTest: true)
        let outcome = try NotificationDelivery.deliver(
            message, to: channel, attempts: 1, settings: context.config.notifications, db: db)
        let sent = outcome?.sent ?? false
        try db.execute(
            """
            UPDATE notification_channels SET last_test_at = UTC_TIMESTAMP(), last_test_status = ?,
                is_verified = IF(? = 1, 1, is_verified), updated_at = updated_at
            WHERE id = ?
            """, [.text(sent ? "success" : "failed"), .bool(sent), .int(id)])
        let sentAt = try db.queryOne(
            "SELECT \(NotificationChannel.iso("sent_at")) AS sent_at FROM notification_history WHERE id = ?",
            [.int(outcome?.historyID ?? 0)])?.string("sent_at")
        return .json([
            "success": .bool(sent),
            "message": .string(sent ? "Test notification sent successfully" : outcome?.error ?? "Not sent"),
            "channel_name": .string(channel.name), "sent_at": sent ? JSON.string(sentAt) : .null,
        ])
    }

    static func nameProblem(_ name: String) -> String? {
        if name.isEmpty { return "must not be empty" }
        return name.count > 100 ? "must be at most 100 characters" : nil
    }

    /// The body's `config` object; a problem when it is not an object (or, on create, absent).
    static func configObject(_ reader: inout FieldReader, required: Bool) -> JSONObject? {
        guard let value = reader.object["config"], !value.isNull else {
            if required { reader.fail("config", "is required") }
            return nil
        }
        guard let object = value.objectValue else {
            reader.fail("config", "must be an object, got \(value.typeName)")
            return nil
        }
        return object
    }
}
