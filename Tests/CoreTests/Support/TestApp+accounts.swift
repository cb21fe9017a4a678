import Foundation
import Testing

@testable import Core

/// An account made by `TestApp.registerAndLogin`, with a valid token and its self record.
struct TestUser: Sendable {
    let id: Int64
    let username: String
    let password: String
    let token: String
    /// The patient record registration created for the user (their active patient).
    let selfPatientID: Int64
}

/// A request a test helper made did not answer as expected.
struct TestAppError: Error, CustomStringConvertible {
    let description: String
}

extension TestApp {
    /// Registers a fresh user (`<prefix><random>`) through the API, logs in and returns it.
    /// Costs one Argon2 hash and one verification.
    func registerAndLogin(_ prefix: String = "u") throws -> TestUser {
        let username = TestApp.unique(prefix)
        let password = "Secret-\(username)-9"
        let registered = send(
            "POST", "/api/v1/auth/register",
            json: [
                "username": .string(username), "email": .string("\(username)@example.com"),
                "password": .string(password),
                "first_name": "Test", "last_name": .string(username),
            ])
        guard registered.status == 201, let id = registered.jsonBody?["id"]?.intValue else {
            throw TestAppError(
                description:
                    "register \(username): \(registered.status) \(String(decoding: registered.body, as: UTF8.self))")
        }
        let token = try login(username, password)
        guard
            let patient = try services.db.queryOne("SELECT active_patient_id FROM users WHERE id = ?", [.int(id)])?
                .int("active_patient_id")
        else { throw TestAppError(description: "register \(username): no self patient record") }
        return TestUser(id: id, username: username, password: password, token: token, selfPatientID: patient)
    }

    /// Logs in with a form body (as the contract's clients do) and returns the access token.
    func login(_ username: String, _ password: String) throws -> String {
        let response = send(
            "POST", "/api/v1/auth/login",
            form: "username=\(Self.formEncode(username))&password=\(Self.formEncode(password))")
        guard response.status == 200, let token = response.jsonBody?["access_token"]?.stringValue else {
            throw TestAppError(
                description: "login \(username): \(response.status) \(String(decoding: response.body, as: UTF8.self))")
        }
        return token
    }

    /// `application/x-www-form-urlencoded` encoding of one value.
    static func formEncode(_ value: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return value.addingPercentEncoding(withAllowedCharacters: allowed) ?? value
    }
}
