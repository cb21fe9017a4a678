import Foundation
import Testing

@testable import Core

@Suite struct ReminderScheduleTests {
    let berlin = ReminderSchedule(timeZone: TimeZone(identifier: "Europe/Berlin")!)

    func utc(_ text: String) -> Date {
        ISO8601DateFormatter().date(from: text)!
    }

    func due(
        _ times: [String], from: String, to: String, days: [String] = [], start: String? = nil, end: String? = nil,
        lead: TimeInterval = 0
    ) -> [String] {
        berlin.instants(
            times: times, days: days, periodStart: start, periodEnd: end, after: utc(from), until: utc(to), lead: lead
        ).map { ReminderSchedule.utcText($0.at) }
    }

    @Test func facilityTimesBecomeUTCInstantsInsideTheWindow() {
        // 08:00 and 20:00 in Berlin (UTC+1 in winter), window 06:00–19:30 UTC.
        #expect(
            due(["08:00", "20:00"], from: "2026-01-10T06:00:00Z", to: "2026-01-10T19:30:00Z") == [
                "2026-01-10 07:00:00", "2026-01-10 19:00:00",
            ])
        // The window is (after, until]: an instant at its start belongs to the run before.
        #expect(due(["08:00"], from: "2026-01-10T07:00:00Z", to: "2026-01-10T08:00:00Z") == [])
        #expect(due(["08:00"], from: "2026-01-10T06:59:00Z", to: "2026-01-10T07:00:00Z") == ["2026-01-10 07:00:00"])
        // Summer time: 08:00 is 06:00 UTC.
        #expect(due(["08:00"], from: "2026-07-10T05:00:00Z", to: "2026-07-10T07:00:00Z") == ["2026-07-10 06:00:00"])
    }

    @Test func theEffectivePeriodIsInclusiveOnBothEnds() {
        let window = (from: "2026-03-01T00:00:00Z", to: "2026-03-05T00:00:00Z")
        let days = due(["09:00"], from: window.from, to: window.to, start: "2026-03-02", end: "2026-03-03")
        #expect(days == ["2026-03-02 08:00:00", "2026-03-03 08:00:00"])
    }

    @Test func weekdaysAndLeadTimeNarrowAndShift() {
        // 2026-03-02 is a Monday.
        let mondays = due(["09:00"], from: "2026-03-01T00:00:00Z", to: "2026-03-09T00:00:00Z", days: ["monday"])
        #expect(mondays == ["2026-03-02 08:00:00"])
        // 30 minutes early: the 09:00 reminder fires at 07:30 UTC, inside a window that ends before 08:00.
        #expect(
            due(["09:00"], from: "2026-03-02T07:00:00Z", to: "2026-03-02T07:45:00Z", lead: 1800) == [
                "2026-03-02 08:00:00"
            ])
        // A local date just after midnight is reached across the date line of the lead.
        #expect(
            due(["00:10"], from: "2026-03-02T22:00:00Z", to: "2026-03-02T23:00:00Z", lead: 3600) == [
                "2026-03-02 23:10:00"
            ])
    }
}

@Suite struct ChannelConfigTests {
    @Test func eachTypeNamesWhatIsMissingOrUnknown() {
        guard case .failure(let problems) = ChannelConfig.validate(["chat_id": "1", "extra": 1], type: .telegram)
        else { Issue.record("accepted"); return }
        #expect(Set(problems.map(\.field)) == ["config.bot_token", "config.extra"])
        guard
            case .success(let clean) = ChannelConfig.validate(
                ["chat_id": .int(42), "bot_token": " t "], type: .telegram)
        else { Issue.record("refused"); return }
        #expect(clean["chat_id"] == .string("42"))
        #expect(clean["bot_token"] == .string("t"))
        guard case .failure = ChannelConfig.validate(["webhook_url": "javascript:alert(1)"], type: .slack) else {
            Issue.record("accepted a non-http URL"); return
        }
        guard
            case .failure = ChannelConfig.validate(["url": "http://h/", "headers": ["Bad Name": "x"]], type: .webhook)
        else { Issue.record("accepted a bad header name"); return }
        guard case .failure = ChannelConfig.validate(["to": "a@b.test", "smtp_password": "p"], type: .email) else {
            Issue.record("accepted SMTP settings without a server"); return
        }
    }

    @Test func maskingNeverShowsASecret() {
        let config: JSONObject = [
            "url": "https://hooks.example/T0/B0/secretpath", "headers": ["Authorization": "Bearer abc"],
            "method": "PUT",
        ]
        let masked = ChannelConfig.masked(config, type: .webhook)
        let text = JSON.object(masked).serializedString
        #expect(!text.contains("secretpath") && !text.contains("abc"))
        #expect(masked["url"] == .string("https://hooks.example/***masked***"))
        #expect(masked["method"] == .string("PUT"))
        #expect(ChannelConfig.partialMask("123456789") == "123***789")
        #expect(ChannelConfig.partialMask("12345") == "***")
    }

    @Test func anUpdateKeepsWhatItLeavesOutAndNullRemoves() {
        let merged = ChannelConfig.merge(["chat_id": "1", "bot_token": "t"], ["chat_id": "2", "bot_token": .null])
        #expect(merged == ["chat_id": "2"])
    }
}
