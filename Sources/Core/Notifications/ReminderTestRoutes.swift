/// `POST /medications/{medication_id}/reminders/test`: one reminder now, flagged `is_test`,
/// to the patient owner's channels (not the caller's). 404 when the caller cannot see the
/// medication, 400 when its reminders are off, 422 when the owner has no channel for
/// reminders; otherwise 204, each delivery (one try each) recorded in the owner's history.
enum ReminderTestRoutes {
    static func register(in table: RouteTable) {
        table.post("/api/v1/medications/{medication_id}/reminders/test", test)
    }

    static func test(_ context: Context) throws -> Response {
        let user = try context.requireUser()
        let id = try context.parameters.id("medication_id")
        let access = PatientAccess.condition(patientColumn: "m.patient_id", user: user.id, level: .view)
        guard
            let row = try context.db.queryOne(
                """
                SELECT \(MedicationReminder.columns) FROM medications m JOIN patients p ON p.id = m.patient_id
                WHERE m.id = ? AND \(access.sql)
                """, [.int(id)] + access.binds)
        else { throw APIError.notFound("Medication") }
        guard row.bool("reminder_enabled") == true else {
            throw APIError.badRequest("Reminders are not enabled for this medication")
        }
        let owner = row.int("owner_user_id") ?? 0
        let targets = try EventRecipients.channels(
            user: owner, event: NotificationEvents.medicationReminder, db: context.db,
            box: context.services.shared.credentials)
        guard !targets.isEmpty else {
            throw APIError(422, "No notification channel is enabled for the medication_reminder_due event type")
        }
        let message = MedicationReminder.message(row, scheduled: nil, timeZone: context.config.timezone)
        for target in targets {
            _ = try NotificationDelivery.deliver(
                message, to: target.channel, attempts: 1, settings: context.config.notifications, db: context.db)
        }
        return .noContent
    }
}
