import Foundation

/// Which reminder instants of one medication fall in a window: its `reminder_times` are
/// facility-local "HH:MM" on each local date, kept when the date is inside the effective
/// period (both ends inclusive) and on one of `reminder_days` (when any are set).
struct ReminderSchedule {
    let calendar: Calendar
    static let weekdays = ["sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"]

    init(timeZone: TimeZone) {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        self.calendar = calendar
    }

    /// The scheduled instants `s` with `after < s - lead <= until` (`lead`: seconds early
    /// the user wants it), each with its local "HH:MM".
    func instants(
        times: [String], days: [String], periodStart: String?, periodEnd: String?, after: Date, until: Date,
        lead: TimeInterval
    ) -> [(at: Date, local: String)] {
        guard after < until else { return [] }
        let clock: [(hour: Int, minute: Int, text: String)] = times.compactMap { text in
            let parts = text.split(separator: ":")
            guard parts.count == 2, let hour = Int(parts[0]), let minute = Int(parts[1]), (0..<24).contains(hour),
                (0..<60).contains(minute)
            else { return nil }
            return (hour, minute, text)
        }
        var found: [(at: Date, local: String)] = []
        // Local dates from the day of the first candidate to the day of the last (+1 for
        // a DST day whose instants shift across midnight).
        var day = calendar.startOfDay(for: after.addingTimeInterval(lead))
        let lastDay = calendar.startOfDay(for: until.addingTimeInterval(lead))
        while day <= lastDay {
            let parts = calendar.dateComponents([.year, .month, .day, .weekday], from: day)
            let date = String(format: "%04d-%02d-%02d", parts.year ?? 0, parts.month ?? 0, parts.day ?? 0)
            let weekday = Self.weekdays[(parts.weekday ?? 1) - 1]
            let inPeriod = (periodStart.map { date >= $0 } ?? true) && (periodEnd.map { date <= $0 } ?? true)
            if inPeriod && (days.isEmpty || days.contains(weekday)) {
                for time in clock {
                    var wanted = parts
                    wanted.weekday = nil
                    wanted.hour = time.hour
                    wanted.minute = time.minute
                    wanted.second = 0
                    guard let instant = calendar.date(from: wanted) else { continue }
                    let fires = instant.addingTimeInterval(-lead)
                    if fires > after && fires <= until { found.append((instant, time.text)) }
                }
            }
            guard let next = calendar.date(byAdding: .day, value: 1, to: day) else { break }
            day = next
        }
        return found
    }

    /// `YYYY-MM-DD HH:MM:SS` in UTC (a DATETIME literal; the dedup key's time).
    static func utcText(_ date: Date) -> String {
        Timestamp.iso8601(date).replacingOccurrences(of: "T", with: " ").replacingOccurrences(of: "Z", with: "")
    }
}
