/// What is said to the user, whatever the channel: a title, a text, and the facts a
/// client needs to act on it (for a reminder: the medication and its scheduled time).
struct NotificationMessage {
    var eventType: String
    var title: String
    var body: String
    var isTest = false
    /// Extra structured facts (`medication_id`, `scheduled_for`, ...), sent to webhooks
    /// as `data` and kept in the history row's own columns.
    var data: JSONObject = [:]
    var medicationID: Int64?
    /// The scheduled instant as a UTC DATETIME literal, for reminders.
    var scheduledFor: String?

    /// The webhook body: a stable JSON document a receiver can parse.
    func webhookPayload(sentAt: String) -> JSON {
        [
            "event_type": .string(eventType), "title": .string(title), "message": .string(body),
            "is_test": .bool(isTest), "data": .object(data), "sent_at": .string(sentAt),
        ]
    }
}
