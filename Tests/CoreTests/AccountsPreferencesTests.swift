import Foundation
import Testing

@testable import Core

@Suite struct AccountsPreferencesTests {
    typealias S = AccountsTestSupport

    @Test func defaultsThenPartialUpdate() throws {
        let t = try TestApp()
        let user = try t.registerAndLogin("pref")
        let shown = t.send("GET", "/api/v1/users/me/preferences", token: user.token)
        #expect(shown.status == 200)
        #expect(
            shown.jsonBody == [
                "user_id": .int(user.id), "theme": "light", "notifications_enabled": true, "language": "en",
                "unit_system": "imperial", "session_timeout_minutes": nil, "date_format": "mdy",
            ])
        let updated = t.send(
            "PUT", "/api/v1/users/me/preferences",
            json: ["theme": "dark", "notifications_enabled": false, "session_timeout_minutes": 120], token: user.token)
        #expect(updated.status == 200, "\(S.text(updated))")
        #expect(updated.jsonBody?["theme"] == "dark")
        #expect(updated.jsonBody?["notifications_enabled"] == false)
        #expect(updated.jsonBody?["session_timeout_minutes"] == 120)
        #expect(updated.jsonBody?["language"] == "en")
        let more = t.send(
            "PUT", "/api/v1/users/me/preferences",
            json: ["language": "pt-BR", "unit_system": "metric", "date_format": "ymd", "session_timeout_minutes": nil],
            token: user.token)
        #expect(more.jsonBody?["theme"] == "dark")
        #expect(more.jsonBody?["language"] == "pt-BR")
        #expect(more.jsonBody?["unit_system"] == "metric")
        #expect(more.jsonBody?["date_format"] == "ymd")
        #expect(more.jsonBody?["session_timeout_minutes"] == JSON.null)
        #expect(t.send("GET", "/api/v1/users/me/preferences", token: user.token).jsonBody == more.jsonBody)
    }

    @Test func everyBadFieldIsNamedAndNothingChanges() throws {
        let t = try TestApp()
        let user = try t.registerAndLogin("pref")
        let response = t.send(
            "PUT", "/api/v1/users/me/preferences",
            json: [
                "theme": "purple", "notifications_enabled": "yes", "language": "e", "unit_system": nil,
                "session_timeout_minutes": 2, "date_format": "dd/mm/yyyy",
            ], token: user.token)
        #expect(response.status == 422)
        #expect(
            Set(S.fields(response)) == [
                "theme", "notifications_enabled", "language", "unit_system", "session_timeout_minutes", "date_format",
            ])
        #expect(
            t.send("PUT", "/api/v1/users/me/preferences", json: ["session_timeout_minutes": 1441], token: user.token)
                .status == 422)
        #expect(
            t.send("PUT", "/api/v1/users/me/preferences", json: ["theme": "dark", "language": "x"], token: user.token)
                .status == 422)
        #expect(t.send("GET", "/api/v1/users/me/preferences", token: user.token).jsonBody?["theme"] == "light")
    }

    @Test func aMissingRowIsCreated() throws {
        let t = try TestApp()
        let user = try t.registerAndLogin("pref")
        try t.services.db.execute("DELETE FROM user_preferences WHERE user_id = ?", [.int(user.id)])
        #expect(t.send("GET", "/api/v1/users/me/preferences", token: user.token).jsonBody?["theme"] == "light")
        try t.services.db.execute("DELETE FROM user_preferences WHERE user_id = ?", [.int(user.id)])
        #expect(
            t.send("PUT", "/api/v1/users/me/preferences", json: ["theme": "auto"], token: user.token).jsonBody?["theme"]
                == "auto")
        #expect(t.send("GET", "/api/v1/users/me/preferences").status == 401)
    }
}
