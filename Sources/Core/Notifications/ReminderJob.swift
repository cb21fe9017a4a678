import Foundation

/// The `reminders` task of `medikeep-jobs`: fires `medication_reminder_due` for every
/// reminder instant in the window since the last run, to each of the patient owner's
/// channels for the event. Exactly once per medication x instant x channel: each
/// delivery is claimed through the history's unique `dedup_key` before it is sent, so a
/// second run (or a second host) over the same window sends nothing again. The window's
/// end is kept in `job_cursors`; after downtime the job reaches back at most
/// `notify_reminder_catchup_minutes` and reports what it skipped.
enum ReminderJob {
    static let task = Jobs.Task(
        name: "reminders",
        summary: "send medication reminders due since the last run (once each, catching up after downtime)",
        leaseSeconds: 600
    ) { db, config in try run(db: db, config: config) }

    static let cursorName = "reminders"

    static func run(db: Connection, config: Config) throws -> JSONObject {
        let settings = config.notifications
        let timeZone = TimeZone(identifier: config.timezone) ?? TimeZone(identifier: "UTC")!
        let box = try Bootstrap.credentialBox(config)
        let nowSeconds =
            try db.queryOne("SELECT UNIX_TIMESTAMP() AS now")?.int("now") ?? Int64(Date().timeIntervalSince1970)
        let now = Date(timeIntervalSince1970: TimeInterval(nowSeconds))
        let cursor = try db.queryOne(
            "SELECT UNIX_TIMESTAMP(covered_until) AS covered FROM job_cursors WHERE name = ?", [.text(cursorName)]
        )?.int("covered").map { Date(timeIntervalSince1970: TimeInterval($0)) }
        // A first run covers the last minute only: a new install does not send old reminders.
        var start = cursor ?? now.addingTimeInterval(-60)
        let earliest = now.addingTimeInterval(-TimeInterval(settings.reminderCatchupMinutes * 60))
        var skippedMinutes = 0
        if start < earliest {
            skippedMinutes = Int(earliest.timeIntervalSince(start) / 60)
            Log.warning(
                "reminders_window_capped",
                [
                    "from": .string(Timestamp.iso8601(start)), "to": .string(Timestamp.iso8601(earliest)),
                    "skipped_minutes": .int(Int64(skippedMinutes)),
                ])
            start = earliest
        }

        let schedule = ReminderSchedule(timeZone: timeZone)
        let due = "m.reminder_enabled = 1 AND m.status = 'active' AND m.reminder_times IS NOT NULL"
        let medications = try db.query(
            """
            SELECT \(MedicationReminder.columns) FROM medications m JOIN patients p ON p.id = m.patient_id
            WHERE \(due) ORDER BY p.owner_user_id, m.id
            """)
        let targetsByOwner = try EventRecipients.channels(
            ownersWhere: """
                c.user_id IN (SELECT p.owner_user_id FROM medications m JOIN patients p ON p.id = m.patient_id \
                WHERE \(due))
                """, event: NotificationEvents.medicationReminder, db: db, box: box)
        var sent = 0
        var failed = 0
        var duplicates = 0
        for row in medications {
            let owner = row.int("owner_user_id") ?? 0
            guard let targets = targetsByOwner[owner], !targets.isEmpty else { continue }
            let times = strings(row.string("reminder_times"))
            let days = strings(row.string("reminder_days")).map { $0.lowercased() }
            for target in targets {
                let due = schedule.instants(
                    times: times, days: days, periodStart: row.string("effective_period_start"),
                    periodEnd: row.string("effective_period_end"), after: start, until: now,
                    lead: TimeInterval(target.remindBeforeMinutes * 60))
                for instant in due {
                    let utc = ReminderSchedule.utcText(instant.at)
                    let message = MedicationReminder.message(
                        row, scheduled: (utc, instant.local), timeZone: config.timezone)
                    let key = "reminder:\(row.int("id") ?? 0):\(utc):\(target.channel.id)"
                    guard
                        let outcome = try NotificationDelivery.deliver(
                            message, to: target.channel, dedupKey: key, attempts: settings.maxAttempts,
                            settings: settings, db: db)
                    else {
                        duplicates += 1
                        continue
                    }
                    if outcome.sent { sent += 1 } else { failed += 1 }
                }
            }
        }
        try db.execute(
            """
            INSERT INTO job_cursors (name, covered_until) VALUES (?, FROM_UNIXTIME(?))
            ON DUPLICATE KEY UPDATE covered_until = GREATEST(covered_until, VALUES(covered_until))
            """, [.text(cursorName), .int(nowSeconds)])
        return [
            "window_from": .string(Timestamp.iso8601(start)), "window_to": .string(Timestamp.iso8601(now)),
            "timezone": .string(config.timezone), "medications": .int(Int64(medications.count)),
            "sent": .int(Int64(sent)), "failed": .int(Int64(failed)), "already_sent": .int(Int64(duplicates)),
            "caught_up": .bool(cursor != nil && now.timeIntervalSince(cursor!) > 90),
            "skipped_minutes": .int(Int64(skippedMinutes)),
        ]
    }

    /// A JSON array of strings from a column, or [] (null, or not such an array).
    static func strings(_ text: String?) -> [String] {
        guard let text, let value = try? JSON.parse(Array(text.utf8)), let items = value.arrayValue else { return [] }
        return items.compactMap(\.stringValue)
    }
}
