/// Applies the schema migrations in a directory (`NNNN_name.sql`, in name order) and
/// records each in `schema_migrations` with the SHA-256 of its file, so each runs once
/// and an edited file is noticed. Used by the master at start and by `migrate`.
///
/// `migrate()` works on a session of its own to the connection's database, opened with
/// a long read timeout (see `statementTimeout`); the given connection is only read for
/// its configuration there, and used as is by `pending()`.
public struct Migrator {
    /// Server-wide lock name that serialises masters starting at the same time.
    static let lockName = "medikeep_migrations"
    /// Total wait for the lock, taken in short waits so no single call blocks long.
    static let lockWaitSeconds = 60
    private static let lockStepSeconds = 5
    /// Read timeout for the migration session. One statement (an ALTER of a big table)
    /// can take far longer than a request may, and a timed-out DDL would be retried
    /// on a new session while the first still runs on the server.
    static let statementTimeout = 24 * 3600

    private let connection: Connection
    private let directory: String

    public init(connection: Connection, directory: String) {
        self.connection = connection
        self.directory = directory
    }

    /// Applies every migration not yet recorded, in order; returns their versions
    /// (file names without ".sql"). Throws before applying anything if an applied file
    /// changed, and stops at the first failing migration.
    @discardableResult
    public func migrate() throws -> [String] {
        let session = try migrationSession()
        return try withLock(on: session) {
            try session.run(
                """
                CREATE TABLE IF NOT EXISTS schema_migrations (
                    version VARCHAR(255) NOT NULL PRIMARY KEY,
                    checksum CHAR(64) NOT NULL,
                    applied_at DATETIME NOT NULL
                ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4
                """)
            var applied: [String] = []
            for file in try pendingFiles(on: session) {
                try apply(file, on: session)
                applied.append(file.version)
            }
            return applied
        }
    }

    /// The versions `migrate()` would apply now, after the same checksum checks.
    public func pending() throws -> [String] {
        try pendingFiles(on: connection).map(\.version)
    }

    /// The caller's connection if its read timeout allows long statements, else a
    /// session of its own to the same database with a long one.
    private func migrationSession() throws -> Connection {
        if connection.config.readTimeout <= 0 || connection.config.readTimeout >= Self.statementTimeout {
            return connection
        }
        var config = connection.config
        config.readTimeout = Self.statementTimeout
        return try Connection(config)
    }

    private func pendingFiles(on session: Connection) throws -> [MigrationFile] {
        let recorded = try recordedChecksums(on: session)
        let files = try MigrationFile.all(in: directory)
        for file in files {
            if let checksum = recorded[file.version], checksum != file.checksum {
                throw MigrationError.checksumMismatch(file: file.path, expected: checksum, actual: file.checksum)
            }
        }
        return files.filter { recorded[$0.version] == nil }
    }

    private func recordedChecksums(on session: Connection) throws -> [String: String] {
        let exists = try session.queryOne(
            "SELECT COUNT(*) AS n FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name = 'schema_migrations'"
        )
        guard exists?.int("n") == 1 else { return [:] }
        var recorded: [String: String] = [:]
        for row in try session.query("SELECT version, checksum FROM schema_migrations") {
            if let version = row.string("version") { recorded[version] = row.string("checksum") ?? "" }
        }
        return recorded
    }

    /// Runs the file's statements one by one. MariaDB commits DDL as it goes, so a
    /// failure leaves the statements before it applied; the message says which failed.
    private func apply(_ file: MigrationFile, on session: Connection) throws {
        let statements = SQLScript.statements(in: file.text)
        for (number, statement) in statements.enumerated() {
            do {
                try session.run(statement)
            } catch {
                throw MigrationError.failed(
                    file: file.path,
                    message:
                        "statement \(number + 1) of \(statements.count) (statements before it were applied): \(error)"
                )
            }
        }
        try session.execute(
            "INSERT INTO schema_migrations (version, checksum, applied_at) VALUES (?, ?, UTC_TIMESTAMP())",
            [.text(file.version), .text(file.checksum)]
        )
    }

    private func withLock<T>(on session: Connection, _ body: () throws -> T) throws -> T {
        var waited = 0
        while true {
            let got = try session.queryOne(
                "SELECT GET_LOCK(?, ?) AS got", [.text(Self.lockName), .int(Self.lockStepSeconds)])
            if got?.int("got") == 1 { break }
            waited += Self.lockStepSeconds
            if waited >= Self.lockWaitSeconds { throw MigrationError.lockTimeout(seconds: Self.lockWaitSeconds) }
        }
        defer { _ = try? session.queryOne("SELECT RELEASE_LOCK(?)", [.text(Self.lockName)]) }
        return try body()
    }
}
