import Foundation
import Testing

@testable import Core

/// Drives `App` in-process against a real, migrated MariaDB schema — the same code path
/// a FastCGI request takes, without a socket. Each test makes its own users (unique
/// names), so tests can run in parallel on the shared schema.
final class TestApp {
    static let schema = "medikeep_test_app"
    let app: App
    let services: Services

    init() throws {
        var config = Config()
        config.database = try TestDatabase.config(database: TestApp.schema)
        config.sqlDir = TestApp.repositoryRoot + "/sql"
        config.dataDir = NSTemporaryDirectory() + "/medikeep-tests-\(getpid())"
        config.enableTestEndpoints = true
        try TestApp.prepareSchema(config)
        let shared = SharedState(
            config: config, tokenSigner: JWTSigner(key: SecureRandom.bytes(32)),
            credentials: SecretBox(key: SecureRandom.bytes(32)))
        app = App(shared: shared)
        services = Services(shared: shared, db: try Connection(config.database))
    }

    static let repositoryRoot: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<4 { url.deleteLastPathComponent() }
        return url.path
    }()

    /// Creates and migrates the schema once per test process (the Migrator's own lock
    /// makes concurrent first calls safe).
    static func prepareSchema(_ config: Config) throws {
        var serverConfig = config.database
        serverConfig.database = ""
        let server = try Connection(serverConfig)
        try server.run("CREATE DATABASE IF NOT EXISTS \(schema) CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci")
        let connection = try Connection(config.database)
        _ = try Migrator(connection: connection, directory: config.sqlDir).migrate()
    }

    /// Sends one request and returns the response.
    @discardableResult
    func send(
        _ method: String, _ path: String, json: JSON? = nil, form: String? = nil, raw: [UInt8]? = nil,
        token: String? = nil, query: String = "", headers: [String: String] = [:]
    ) -> Response {
        var allHeaders = headers
        var body: [UInt8] = []
        if let json {
            body = json.serialized()
            allHeaders["content-type"] = "application/json"
        } else if let form {
            body = Array(form.utf8)
            allHeaders["content-type"] = "application/x-www-form-urlencoded"
        } else if let raw {
            body = raw
            allHeaders["content-type"] = allHeaders["content-type"] ?? "application/json"
        }
        if let token { allHeaders["authorization"] = "Bearer \(token)" }
        let request = Request(
            method: method, path: path, query: QueryParameters(parsing: query), headers: allHeaders, body: body,
            requestID: "test-\(UInt32.random(in: 0...UInt32.max))")
        return app.handle(request, services: services)
    }

    /// A name no other test uses (for usernames, e-mails, practice names).
    static func unique(_ prefix: String) -> String {
        prefix + String(UInt64.random(in: 0..<(1 << 40)), radix: 36)
    }
}
