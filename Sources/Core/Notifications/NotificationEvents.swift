/// The events a user can route to channels. `isImplemented` is true only for events the
/// server really fires; the others are listed so clients can show (and pre-set) them.
enum NotificationEvents {
    struct Event {
        let value: String
        let label: String
        let description: String
        let category: String
        let isImplemented: Bool
    }

    static let medicationReminder = "medication_reminder_due"

    static let all: [Event] = [
        Event(
            value: medicationReminder, label: "Medication Reminder", description: "Reminders for taking medications",
            category: "reminders", isImplemented: true),
        Event(
            value: "lab_result_available", label: "Lab Result Available",
            description: "Notification when lab results are ready", category: "results", isImplemented: false),
        Event(
            value: "appointment_reminder", label: "Appointment Reminder",
            description: "Reminders for upcoming appointments", category: "reminders", isImplemented: false),
        Event(
            value: "backup_completed", label: "Backup Completed", description: "A scheduled backup finished",
            category: "system", isImplemented: false),
        Event(
            value: "backup_failed", label: "Backup Failed", description: "A scheduled backup failed",
            category: "system", isImplemented: false),
        Event(
            value: "invitation_received", label: "Invitation Received",
            description: "Someone invited you to share records", category: "sharing", isImplemented: false),
        Event(
            value: "invitation_accepted", label: "Invitation Accepted",
            description: "Someone accepted your invitation", category: "sharing", isImplemented: false),
        Event(
            value: "share_revoked", label: "Share Revoked", description: "A share with you was revoked",
            category: "sharing", isImplemented: false),
        Event(
            value: "password_changed", label: "Password Changed", description: "Your password was changed",
            category: "security", isImplemented: false),
    ]

    static func isKnown(_ value: String) -> Bool { all.contains { $0.value == value } }

    static var json: JSON {
        [
            "event_types": .array(
                all.map {
                    [
                        "value": .string($0.value), "label": .string($0.label), "description": .string($0.description),
                        "category": .string($0.category), "is_implemented": .bool($0.isImplemented),
                    ]
                })
        ]
    }
}
