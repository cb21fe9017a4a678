import Foundation
import Testing

@testable import Core

/// Small helpers shared by the Accounts* suites.
enum AccountsTestSupport {
    /// The `field` names in a validation error's `detail`.
    static func fields(_ response: Response) -> [String] {
        response.jsonBody?["detail"]?.arrayValue?.compactMap { $0["field"]?.stringValue } ?? []
    }

    static func text(_ response: Response) -> String { String(decoding: response.body, as: UTF8.self) }

    /// A register body for a fresh name; `extra` replaces or adds fields.
    static func signup(_ prefix: String = "r", _ extra: JSONObject = [:]) -> (
        username: String, password: String, body: JSON
    ) {
        let username = TestApp.unique(prefix)
        let password = "Passw0rd-\(username)"
        var body: JSONObject = [
            "username": .string(username), "email": .string("\(username)@example.org"), "password": .string(password),
            "first_name": "Ada", "last_name": "Lovelace",
        ]
        for (key, value) in extra { body[key] = value }
        return (username, password, .object(body))
    }

    /// Runs `body` inside a transaction on the test app's own connection and rolls it back.
    /// Changes made in it (a global setting, other admins deactivated) are seen by requests
    /// sent through `app` meanwhile, but never by other tests' connections, so tests
    /// running in parallel are not disturbed.
    static func withinRolledBackTransaction(_ app: TestApp, _ body: () throws -> Void) throws {
        struct Rollback: Error {}
        do {
            try app.services.db.transaction {
                try body()
                throw Rollback()
            }
        } catch is Rollback {}
    }
}
