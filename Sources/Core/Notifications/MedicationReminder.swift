/// The reminder message for one medication, scheduled or a test, and the facts a client
/// needs to answer it (the medication, the scheduled time, in UTC and facility time).
enum MedicationReminder {
    /// The columns a reminder needs, from `medications m` joined to `patients p`.
    static let columns = """
        m.id, m.patient_id, p.owner_user_id, m.medication_name, m.dosage, m.reminder_enabled, m.reminder_times,
        m.reminder_message, m.reminder_days, m.status,
        DATE_FORMAT(m.effective_period_start, '%Y-%m-%d') AS effective_period_start,
        DATE_FORMAT(m.effective_period_end, '%Y-%m-%d') AS effective_period_end
        """

    /// `scheduled`: the UTC instant (`YYYY-MM-DD HH:MM:SS`) and the facility-local "HH:MM";
    /// nil for a test.
    static func message(_ row: Row, scheduled: (utc: String, local: String)?, timeZone: String) -> NotificationMessage {
        let name = row.string("medication_name") ?? "your medication"
        let dosage = row.string("dosage").map { " (\($0))" } ?? ""
        var body = "Time to take \(name)\(dosage)"
        if let scheduled { body += ", scheduled for \(scheduled.local)" }
        body += "."
        if let note = row.string("reminder_message"), !note.isEmpty { body += "\n\(note)" }
        var data: JSONObject = [
            "medication_id": .int(row.int("id") ?? 0), "medication_name": .string(name),
            "patient_id": .int(row.int("patient_id") ?? 0), "timezone": .string(timeZone),
        ]
        data["scheduled_for"] =
            scheduled.map { .string($0.utc.replacingOccurrences(of: " ", with: "T") + "Z") } ?? .null
        data["scheduled_local_time"] = JSON.string(scheduled?.local)
        return NotificationMessage(
            eventType: NotificationEvents.medicationReminder, title: "Medication Reminder", body: body,
            isTest: scheduled == nil, data: data, medicationID: row.int("id"), scheduledFor: scheduled?.utc)
    }
}
