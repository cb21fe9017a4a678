import Foundation

/// The dose slots of a medication: each of its `reminder_times` (wall-clock times in the
/// facility time zone) on each day of a period that is inside its effective period and,
/// when `reminder_days` is set, on one of those weekdays. Slots are answered as UTC
/// moments (`YYYY-MM-DD HH:MM:SS`, the DATETIME form), which is how a dose names the
/// slot it answers (`scheduled_for`). Pure computation: adherence and reminders share it.
public struct DoseSchedule: Sendable {
    /// Minutes after local midnight, sorted.
    public let minutes: [Int]
    /// Allowed weekdays, 0 = Sunday … 6 = Saturday; nil for every day.
    public let weekdays: Set<Int>?
    public let zone: TimeZone

    static let weekdayNames = ["sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"]

    /// From a medication's stored `reminder_times` and `reminder_days` (JSON arrays);
    /// unreadable entries are skipped (validation never stores them).
    public init(reminderTimes: [String], reminderDays: [String], zone: TimeZone) {
        minutes = reminderTimes.compactMap { text in
            guard Validators.isTimeOfDay(text), let hour = Int(text.prefix(2)), let minute = Int(text.suffix(2))
            else { return nil }
            return hour * 60 + minute
        }.sorted()
        let days = Set(reminderDays.compactMap { DoseSchedule.weekdayNames.firstIndex(of: $0.lowercased()) })
        weekdays = days.isEmpty ? nil : days
        self.zone = zone
    }

    /// Every slot of the local days `first...last` (days since 1970-01-01), oldest first.
    public func slots(firstDay first: Int, lastDay last: Int) -> [String] {
        guard first <= last, !minutes.isEmpty else { return [] }
        var slots: [String] = []
        slots.reserveCapacity((last - first + 1) * minutes.count)
        for day in first...last {
            // 1970-01-01 was a Thursday (4).
            if let weekdays, !weekdays.contains(((day + 4) % 7 + 7) % 7) { continue }
            for minute in minutes {
                slots.append(DoseSchedule.sqlText(utcSeconds: utcSeconds(localDay: day, minute: minute)))
            }
        }
        return slots
    }

    /// The UTC moment of a local wall-clock time. A time skipped by a daylight-saving
    /// change resolves to the moment the same distance after the jump; a time repeated when
    /// the clocks go back to its later occurrence.
    public func utcSeconds(localDay day: Int, minute: Int, second: Int = 0) -> Int {
        let local = day * 86_400 + minute * 60 + second
        let first = zone.secondsFromGMT(for: Date(timeIntervalSince1970: Double(local)))
        let guess = local - first
        let second = zone.secondsFromGMT(for: Date(timeIntervalSince1970: Double(guess)))
        return second == first ? guess : max(guess, local - second)
    }

    /// The local day (days since 1970-01-01) a UTC moment falls on.
    public func localDay(utcSeconds seconds: Int) -> Int {
        let local = seconds + zone.secondsFromGMT(for: Date(timeIntervalSince1970: Double(seconds)))
        return Int((Double(local) / 86_400).rounded(.down))
    }

    /// `YYYY-MM-DD HH:MM:SS` of a UTC moment.
    public static func sqlText(utcSeconds seconds: Int) -> String {
        let days = Int((Double(seconds) / 86_400).rounded(.down))
        let rest = seconds - days * 86_400
        let civil = DateTimeText.civilFromDays(days)
        return DateTimeText(
            year: civil.year, month: civil.month, day: civil.day, hour: rest / 3600, minute: rest % 3600 / 60,
            second: rest % 60
        ).sql
    }

    /// Days since 1970-01-01 of a `YYYY-MM-DD` date (or the date part of a DATETIME).
    public static func day(_ text: String) -> Int? {
        guard let date = Validators.date(String(text.prefix(10))) else { return nil }
        return DateTimeText.daysFromCivil(date.year, date.month, date.day)
    }

    /// `YYYY-MM-DD` of days since 1970-01-01.
    public static func dateText(day: Int) -> String {
        String(DoseSchedule.sqlText(utcSeconds: day * 86_400).prefix(10))
    }
}
