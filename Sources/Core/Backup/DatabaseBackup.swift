import Foundation

/// `medikeep-jobs backup`: one archive holding a consistent dump of the application's
/// database (`mariadb-dump --single-transaction`: one snapshot, no table locks, so the
/// pool keeps serving) and a copy of the file store (`<data_dir>/files`), taken after
/// the dump. The archive (`backup_full_YYYY-MM-DD_HHMMSS.tar.gz`, UTC) is written under
/// a hidden name and renamed into place once complete and on disk, so a crash never
/// leaves a half archive that looks whole; then the retention rule runs
/// (`BackupRetention`). Secrets of the data directory (signing and credential keys) are
/// not in the archive: they are kept apart from the data they protect.
public enum DatabaseBackup {
    public struct Result: Sendable {
        public let archive: String
        public let bytes: Int64
        public let dumpBytes: Int64
        public let includesFiles: Bool
        public let removed: [String]
    }

    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    public static func run(db: Connection, config: Config, now: Date = Date()) throws -> Result {
        // Archives hold every patient's data: only their owner reads them, whatever the
        // service's umask (the job is its own process; this outlives the run harmlessly).
        umask(0o077)
        let directory = config.backup.resolvedDirectory(dataDir: config.dataDir)
        let fm = FileManager.default
        try fm.createDirectory(
            atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        // Leftovers of a run that died: the lease says no other run is writing here.
        for name in (try? fm.contentsOfDirectory(atPath: directory)) ?? [] where name.hasPrefix(".partial-") {
            try? fm.removeItem(atPath: directory + "/" + name)
        }
        let name = BackupRetention.archiveName(at: now)
        let final = directory + "/" + name
        guard !fm.fileExists(atPath: final) else { throw Failure(description: "\(final) exists already") }
        let work = directory + "/.partial-" + SecureRandom.hex(6)
        try fm.createDirectory(atPath: work, withIntermediateDirectories: false, attributes: [.posixPermissions: 0o700])
        defer { try? fm.removeItem(atPath: work) }

        let dump = work + "/database.sql"
        try dumpDatabase(config, into: dump, work: work)
        let dumpBytes = (try? fm.attributesOfItem(atPath: dump)[.size] as? Int64) ?? 0
        try manifest(config, db: db, at: now).write(toFile: work + "/manifest.json", atomically: false, encoding: .utf8)

        let files = config.dataDir + "/files"
        var isDirectory: ObjCBool = false
        let includesFiles = fm.fileExists(atPath: files, isDirectory: &isDirectory) && isDirectory.boolValue
        let partial = work + "/" + name
        var tar = ["tar", "--create", "--gzip", "--file", partial, "-C", work, "manifest.json", "database.sql"]
        if includesFiles { tar += ["-C", config.dataDir, "files"] }
        try runTool(tar, work: work, timeout: config.backup.timeout, allowChangedFiles: true)
        try syncFile(partial)
        guard rename(partial, final) == 0 else {
            throw Failure(description: "cannot move the archive into place: \(String(cString: strerror(errno)))")
        }
        try syncFile(directory)
        let bytes = (try? fm.attributesOfItem(atPath: final)[.size] as? Int64) ?? 0
        let removed = try BackupRetention.apply(config.backup, directory: directory, now: now)
        return Result(
            archive: final, bytes: bytes, dumpBytes: dumpBytes, includesFiles: includesFiles, removed: removed)
    }

    /// The dump, with the credentials in an option file readable only by us (never on a
    /// command line, where `ps` would show them).
    static func dumpDatabase(_ config: Config, into path: String, work: String) throws {
        let database = config.database
        var options = ["[client]", "user=\(optionValue(database.user))", "password=\(optionValue(database.password))"]
        if let socket = database.socket {
            options.append("socket=\(optionValue(socket))")
        } else {
            options += ["host=\(optionValue(database.host))", "port=\(database.port)"]
        }
        let optionFile = work + "/client.cnf"
        guard FileManager.default.createFile(atPath: optionFile, contents: nil, attributes: [.posixPermissions: 0o600])
        else { throw Failure(description: "cannot write \(optionFile)") }
        try (options.joined(separator: "\n") + "\n").write(toFile: optionFile, atomically: false, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: optionFile) }
        try runTool(
            [
                "mariadb-dump", "--defaults-file=" + optionFile, "--single-transaction", "--quick", "--routines",
                "--triggers", "--hex-blob", "--default-character-set=utf8mb4", database.database,
            ], output: path, work: work, timeout: config.backup.timeout)
    }

    /// A value of an option file, quoted so spaces, `#` and quotes survive.
    static func optionValue(_ value: String) -> String {
        "\"" + value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }

    /// What the archive is: when, of which database, at which schema version.
    static func manifest(_ config: Config, db: Connection, at now: Date) throws -> String {
        let migration = try db.queryOne("SELECT MAX(version) AS version FROM schema_migrations")?.string("version")
        let object: JSONObject = [
            "format": 1, "created_at": .string(Timestamp.iso8601(now)),
            "database": .string(config.database.database), "schema_version": migration.map(JSON.string) ?? .null,
            "contents": ["database.sql", "files/"],
        ]
        return JSON.object(object).serializedString + "\n"
    }

    /// Runs a tool; its error output lands in the message of the failure. GNU tar's
    /// status 1 ("a file changed as it was read", an upload arriving) is accepted with
    /// `allowChangedFiles`: the new file is simply not in this backup.
    static func runTool(
        _ arguments: [String], output: String = "/dev/null", work: String, timeout: Double,
        allowChangedFiles: Bool = false
    ) throws {
        let errors = work + "/stderr.txt"
        defer { try? FileManager.default.removeItem(atPath: errors) }
        let deadline = DispatchTime.now().uptimeNanoseconds + UInt64(timeout * 1_000_000_000)
        do {
            try ExternalTool.run(arguments, outputFile: output, errorFile: errors, deadline: deadline)
        } catch ExternalTool.Failure.failed(_, 1) where allowChangedFiles {
            return
        } catch {
            let said = ((try? String(contentsOfFile: errors, encoding: .utf8)) ?? "")
                .trimmingCharacters(in: .whitespacesAndNewlines).prefix(500)
            throw Failure(description: "\(arguments[0]) failed (\(error))" + (said.isEmpty ? "" : ": \(said)"))
        }
    }

    static func syncFile(_ path: String) throws {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { throw Failure(description: "cannot open \(path) to sync it") }
        defer { close(fd) }
        guard fsync(fd) == 0 else { throw Failure(description: "cannot sync \(path)") }
    }
}
