import Foundation
import Testing

@testable import Core

/// Connections for tests that need MariaDB, configured by the MEDIKEEP_TEST_DB_*
/// variables that `scripts/test` sets. A missing variable fails the test (it does not
/// skip it), so a run without a database cannot pass by accident.
enum TestDatabase {
    struct NotConfigured: Error, CustomStringConvertible {
        let description =
            "MEDIKEEP_TEST_DB_SOCKET is not set: run the tests with scripts/test, "
            + "which starts a private MariaDB and sets MEDIKEEP_TEST_DB_* for you"
    }

    /// The shared test schema's name.
    static var name: String { environment("MEDIKEEP_TEST_DB_NAME") ?? "medikeep_test" }

    /// The configuration for `database` (default: the shared test schema).
    static func config(database: String? = nil) throws -> DatabaseConfig {
        guard let socket = environment("MEDIKEEP_TEST_DB_SOCKET") else { throw NotConfigured() }
        return DatabaseConfig(
            socket: socket,
            user: environment("MEDIKEEP_TEST_DB_USER") ?? "root",
            password: environment("MEDIKEEP_TEST_DB_PASSWORD") ?? "",
            database: database ?? name
        )
    }

    /// A connection to the shared test schema, created on first use.
    static func connect() throws -> Connection {
        try sharedSchema.get()
        return try Connection(config())
    }

    /// Created once per test process (a lazily initialised static runs once).
    private static let sharedSchema = Result<Void, any Error> {
        let server = try Connection(config(database: ""))
        try server.run("CREATE DATABASE IF NOT EXISTS \(name) CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci")
    }

    /// Runs `body` with a connection to a fresh, empty schema that is dropped after,
    /// for tests that need a whole database to themselves (such as migrations).
    static func withScratchDatabase(_ body: (Connection, DatabaseConfig) throws -> Void) throws {
        let database = uniqueName("medikeep_test_scratch")
        let server = try Connection(config(database: ""))
        try server.run("CREATE DATABASE \(database) CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci")
        defer { try? server.run("DROP DATABASE IF EXISTS \(database)") }
        let scratch = try config(database: database)
        try body(try Connection(scratch), scratch)
    }

    /// A name no other test uses, for tables and schemas: `prefix_<12 hex digits>`.
    static func uniqueName(_ prefix: String) -> String {
        let suffix = String(UInt64.random(in: 0..<(1 << 48)), radix: 16)
        return prefix + "_" + String(repeating: "0", count: 12 - suffix.count) + suffix
    }

    private static func environment(_ key: String) -> String? {
        guard let value = ProcessInfo.processInfo.environment[key], !value.isEmpty else { return nil }
        return value
    }
}

/// A table created for one test and dropped after it.
struct ScratchTable {
    let connection: Connection
    let name: String

    /// Creates `<prefix>_<unique>` with the given column definitions, utf8mb4.
    init(_ connection: Connection, prefix: String = "t", columns: String) throws {
        self.connection = connection
        self.name = TestDatabase.uniqueName(prefix)
        try connection.run(
            "CREATE TABLE \(name) (\(columns)) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE utf8mb4_unicode_ci")
    }

    func drop() {
        try? connection.run("DROP TABLE IF EXISTS \(name)")
    }
}
