import Foundation

/// `GET /medications/{medication_id}/adherence?start_date=&end_date=`: how well the dose
/// log follows the medication's schedule over a period of facility-local days (both ends
/// inclusive; by default the 30 days ending today, at most 366). The schedule is the
/// medication's `reminder_times` on its `reminder_days`, inside its effective period
/// (both ends inclusive; without a start, from the day the medication was recorded).
///
/// A slot is due once its time has passed (or it has been answered early); each due
/// slot is taken, late, skipped or — unanswered — missed. Doses that answer no slot of
/// the schedule (extra doses, or slots of an earlier schedule) are counted apart as
/// `unscheduled`. The percentage is (taken + late) / due, null when nothing is due.
/// Two queries: the medication (with the caller's view access) and its doses in the
/// period's UTC range, over the (medication_id, scheduled_for) and (medication_id,
/// taken_at) keys.
enum MedicationAdherence {
    static let defaultDays = 30
    static let maxDays = 366

    static func summary(_ context: Context) throws -> Response {
        let user = try context.requireUser()
        let medicationID = try context.parameters.id("medication_id")
        let access = Medications.type.access(user: user.id, level: .view)!
        guard
            let medication = try context.db.queryOne(
                """
                SELECT r.reminder_enabled, r.reminder_times, r.reminder_days, r.effective_period_start,
                    r.effective_period_end, r.created_at
                FROM medications r WHERE r.id = ? AND \(access.sql)
                """, [.int(medicationID)] + access.binds)
        else { throw APIError.notFound("Medication") }

        let zone = context.services.shared.timeZone
        let schedule = DoseSchedule(
            reminderTimes: stringList(medication.string("reminder_times")),
            reminderDays: stringList(medication.string("reminder_days")), zone: zone)
        let now = Int(Date().timeIntervalSince1970)
        let period = try requestedPeriod(context.query, today: schedule.localDay(utcSeconds: now))

        // The part of the period inside the effective period.
        let recorded = medication.string("created_at").flatMap { DateTimeText.parse($0) }.map {
            schedule.localDay(
                utcSeconds: DateTimeText.daysFromCivil($0.year, $0.month, $0.day) * 86_400 + $0.hour * 3600
                    + $0.minute * 60 + $0.second)
        }
        let effectiveStart = medication.string("effective_period_start").flatMap(DoseSchedule.day) ?? recorded
        let effectiveEnd = medication.string("effective_period_end").flatMap(DoseSchedule.day)
        let first = max(period.first, effectiveStart ?? period.first)
        let last = min(period.last, effectiveEnd ?? period.last)
        let slots = schedule.slots(firstDay: first, lastDay: last)

        let rangeStart = DoseSchedule.sqlText(utcSeconds: schedule.utcSeconds(localDay: period.first, minute: 0))
        let rangeEnd = DoseSchedule.sqlText(
            utcSeconds: schedule.utcSeconds(localDay: period.last, minute: 1439, second: 59))
        let doses = try context.db.query(
            // Two index ranges (an OR of the two would read all of the medication's doses):
            // answers by slot over (medication_id, scheduled_for), extra doses by time over
            // (medication_id, taken_at).
            """
            SELECT status, scheduled_for FROM medication_doses
            WHERE medication_id = ? AND scheduled_for BETWEEN ? AND ?
            UNION ALL
            SELECT status, scheduled_for FROM medication_doses
            WHERE medication_id = ? AND scheduled_for IS NULL AND taken_at BETWEEN ? AND ?
            """,
            [
                .int(medicationID), .text(rangeStart), .text(rangeEnd), .int(medicationID), .text(rangeStart),
                .text(rangeEnd),
            ])

        let slotSet = Set(slots)
        var answered: [String: Int] = ["taken": 0, "late": 0, "skipped": 0]
        var answeredSlots = Set<String>()
        var unscheduled = 0
        for dose in doses {
            // Read back in the API's ISO form; slots are in DATETIME form.
            guard let slot = dose.string("scheduled_for").flatMap({ DateTimeText.parse($0)?.sql }),
                slotSet.contains(slot),
                let status = dose.string("status"), answered[status] != nil
            else {
                unscheduled += 1
                continue
            }
            answered[status, default: 0] += 1
            answeredSlots.insert(slot)
        }
        let nowText = DoseSchedule.sqlText(utcSeconds: now)
        let due = slots.filter { $0 <= nowText || answeredSlots.contains($0) }.count
        let taken = answered["taken"] ?? 0
        let late = answered["late"] ?? 0
        let percentage: JSON =
            due == 0 ? .null : .double((Double(taken + late) / Double(due) * 1000).rounded() / 10)
        return .json([
            "medication_id": .int(medicationID),
            "start_date": .string(DoseSchedule.dateText(day: period.first)),
            "end_date": .string(DoseSchedule.dateText(day: period.last)),
            "timezone": .string(context.config.timezone),
            "reminder_enabled": .bool(medication.bool("reminder_enabled") ?? false),
            "reminder_times": .array(stringList(medication.string("reminder_times")).map(JSON.string)),
            "scheduled": .int(Int64(due)),
            "upcoming": .int(Int64(slots.count - due)),
            "taken": .int(Int64(taken)),
            "late": .int(Int64(late)),
            "skipped": .int(Int64(answered["skipped"] ?? 0)),
            "missed": .int(Int64(due - answeredSlots.count)),
            "unscheduled": .int(Int64(unscheduled)),
            "adherence_percentage": percentage,
        ])
    }

    /// `start_date`/`end_date` as local days; 422 naming the parameter when unreadable,
    /// reversed or longer than `maxDays`.
    static func requestedPeriod(_ query: QueryParameters, today: Int) throws -> (first: Int, last: Int) {
        func day(_ name: String) throws -> Int? {
            guard let text = query[name], !text.isEmpty else { return nil }
            guard let day = DoseSchedule.day(text), text.count == 10 else {
                throw APIError.validation([FieldProblem(name, "must be a date YYYY-MM-DD")])
            }
            return day
        }
        let requestedEnd = try day("end_date")
        let requestedStart = try day("start_date")
        let last = requestedEnd ?? (requestedStart.map { min($0 + defaultDays - 1, today) } ?? today)
        let first = requestedStart ?? last - (defaultDays - 1)
        guard first <= last else {
            throw APIError.validation([FieldProblem("end_date", "must not be before start_date")])
        }
        guard last - first < maxDays else {
            throw APIError.validation([FieldProblem("end_date", "the period may cover at most \(maxDays) days")])
        }
        return (first, last)
    }

    /// A stored JSON array of strings (`["08:00","20:00"]`); empty when absent.
    static func stringList(_ text: String?) -> [String] {
        guard let text, let array = (try? JSON.parse(text))?.arrayValue else { return [] }
        return array.compactMap(\.stringValue)
    }
}
