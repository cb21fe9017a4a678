import Foundation
import Testing

@testable import Core

/// The dose slots adherence counts (no database): wall-clock times in the facility zone
/// turned into UTC moments, weekdays, daylight-saving changes.
@Suite struct DoseScheduleTests {
    let berlin = TimeZone(identifier: "Europe/Berlin")!
    func day(_ text: String) -> Int { DoseSchedule.day(text)! }

    @Test func slotsAreUTCMomentsOfLocalTimes() {
        let schedule = DoseSchedule(reminderTimes: ["20:00", "08:00"], reminderDays: [], zone: berlin)
        #expect(
            schedule.slots(firstDay: day("2026-01-10"), lastDay: day("2026-01-11")) == [
                "2026-01-10 07:00:00", "2026-01-10 19:00:00", "2026-01-11 07:00:00", "2026-01-11 19:00:00",
            ])
        // Summer time: two hours ahead of UTC.
        #expect(schedule.slots(firstDay: day("2026-07-01"), lastDay: day("2026-07-01")).first == "2026-07-01 06:00:00")
    }

    @Test func weekdaysNarrowTheDays() {
        // 2026-01-05 is a Monday.
        let schedule = DoseSchedule(reminderTimes: ["09:30"], reminderDays: ["Monday", "friday"], zone: .gmt)
        #expect(
            schedule.slots(firstDay: day("2026-01-04"), lastDay: day("2026-01-11")) == [
                "2026-01-05 09:30:00", "2026-01-09 09:30:00",
            ])
    }

    @Test func daylightSavingChanges() {
        let schedule = DoseSchedule(reminderTimes: ["02:30"], reminderDays: [], zone: berlin)
        // 2026-03-29: 02:00 CET jumps to 03:00 CEST; 02:30 does not exist → 03:30 CEST.
        #expect(schedule.slots(firstDay: day("2026-03-29"), lastDay: day("2026-03-29")) == ["2026-03-29 01:30:00"])
        // 2026-10-25: 03:00 CEST goes back to 02:00 CET; 02:30 happens twice → the later.
        #expect(schedule.slots(firstDay: day("2026-10-25"), lastDay: day("2026-10-25")) == ["2026-10-25 01:30:00"])
        #expect(
            schedule.localDay(utcSeconds: schedule.utcSeconds(localDay: day("2026-10-25"), minute: 0))
                == day("2026-10-25"))
    }

    @Test func noTimesNoSlots() {
        let schedule = DoseSchedule(reminderTimes: [], reminderDays: [], zone: berlin)
        #expect(schedule.slots(firstDay: day("2026-01-01"), lastDay: day("2026-12-31")).isEmpty)
        #expect(DoseSchedule.dateText(day: day("2026-02-28") + 1) == "2026-03-01")
    }
}
