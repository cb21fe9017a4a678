import Foundation

/// Applies the schema migrations in a directory (`NNNN_name.sql`, in name order) and
/// records each in `schema_migrations` with the SHA-256 of its file, so each runs once
/// and an edited file is noticed. Used by the master at start and by `migrate`.
public struct Migrator {
    /// Server-wide lock name that serialises masters starting at the same time.
    static let lockName = "medikeep_migrations"
    /// Total wait for the lock. It is taken in short waits, each well under the
    /// connection's read timeout.
    static let lockWaitSeconds = 60
    private static let lockStepSeconds = 5

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
        try withLock {
            try connection.run("""
                CREATE TABLE IF NOT EXISTS schema_migrations (
                    version VARCHAR(255) NOT NULL PRIMARY KEY,
                    checksum CHAR(64) NOT NULL,
                    applied_at DATETIME NOT NULL
                ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4
                """)
            var applied: [String] = []
            for file in try pendingFiles() {
                try apply(file)
                applied.append(file.version)
            }
            return applied
        }
    }

    /// The versions `migrate()` would apply now, after the same checksum checks.
    public func pending() throws -> [String] {
        try pendingFiles().map(\.version)
    }

    private func pendingFiles() throws -> [MigrationFile] {
        let recorded = try recordedChecksums()
        let files = try MigrationFile.all(in: directory)
        for file in files {
            if let checksum = recorded[file.version], checksum != file.checksum {
                throw MigrationError.checksumMismatch(file: file.path, expected: checksum, actual: file.checksum)
            }
        }
        return files.filter { recorded[$0.version] == nil }
    }

    private func recordedChecksums() throws -> [String: String] {
        let exists = try connection.queryOne(
            "SELECT COUNT(*) AS n FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name = 'schema_migrations'"
        )
        guard exists?.int("n") == 1 else { return [:] }
        var recorded: [String: String] = [:]
        for row in try connection.query("SELECT version, checksum FROM schema_migrations") {
            if let version = row.string("version") { recorded[version] = row.string("checksum") ?? "" }
        }
        return recorded
    }

    /// Runs the file's statements one by one. MariaDB commits DDL as it goes, so a
    /// failure leaves the statements before it applied; the message says which failed.
    private func apply(_ file: MigrationFile) throws {
        let statements = SQLScript.statements(in: file.text)
        for (number, statement) in statements.enumerated() {
            do {
                try connection.run(statement)
            } catch {
                throw MigrationError.failed(
                    file: file.path,
                    message: "statement \(number + 1) of \(statements.count) (statements before it were applied): \(error)"
                )
            }
        }
        try connection.execute(
            "INSERT INTO schema_migrations (version, checksum, applied_at) VALUES (?, ?, UTC_TIMESTAMP())",
            [.text(file.version), .text(file.checksum)]
        )
    }

    private func withLock<T>(_ body: () throws -> T) throws -> T {
        var waited = 0
        while true {
            let got = try connection.queryOne("SELECT GET_LOCK(?, ?) AS got", [.text(Self.lockName), .int(Self.lockStepSeconds)])
            if got?.int("got") == 1 { break }
            waited += Self.lockStepSeconds
            if waited >= Self.lockWaitSeconds { throw MigrationError.lockTimeout(seconds: Self.lockWaitSeconds) }
        }
        defer { _ = try? connection.queryOne("SELECT RELEASE_LOCK(?)", [.text(Self.lockName)]) }
        return try body()
    }
}

/// One `NNNN_name.sql` file as read from disk.
struct MigrationFile {
    let version: String
    let path: String
    let text: String
    let checksum: String

    /// The directory's migration files in name order; other files are ignored.
    static func all(in directory: String) throws -> [MigrationFile] {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: directory)
        } catch {
            throw MigrationError.failed(file: directory, message: "cannot list the migrations directory: \(error.localizedDescription)")
        }
        return try names.filter(isMigrationName).sorted().map { name in
            let path = directory.hasSuffix("/") ? directory + name : directory + "/" + name
            guard let data = FileManager.default.contents(atPath: path) else {
                throw MigrationError.failed(file: path, message: "cannot read the file")
            }
            let bytes = [UInt8](data)
            guard let text = String(validating: bytes, as: UTF8.self) else {
                throw MigrationError.failed(file: path, message: "the file is not valid UTF-8")
            }
            return MigrationFile(
                version: String(name.dropLast(4)), path: path, text: text, checksum: Checksum.sha256Hex(bytes)
            )
        }
    }

    /// Digits, an underscore, anything, ".sql".
    static func isMigrationName(_ name: String) -> Bool {
        guard name.hasSuffix(".sql"), let underscore = name.firstIndex(of: "_") else { return false }
        let number = name[..<underscore]
        return !number.isEmpty && number.allSatisfy(\.isASCII) && number.allSatisfy(\.isNumber)
    }
}
