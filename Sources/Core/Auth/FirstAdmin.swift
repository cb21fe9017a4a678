import Foundation

/// Creates the first administrator at first setup. There is no default password: it is
/// taken from `MEDIKEEP_ADMIN_PASSWORD` or generated and written once, mode 0600, to
/// `initial_admin_password_file` for the operator to read (and `scripts/run` to print).
///
/// Order matters: a generated password is on disk (written and fsynced) *before* the
/// admin row exists, so a crash or a full disk can never leave an admin nobody can log
/// into. A crash between the two leaves the file; the next start finds it and creates the
/// admin with the password it holds.
public enum FirstAdmin {
    public static func ensure(
        connection db: Connection, config: Config,
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws {
        _ = try db.execute(
            "INSERT IGNORE INTO app_settings (name, value) VALUES ('registration_enabled', ?)",
            [.text(config.registrationEnabled ? "true" : "false")])
        let given = environment["MEDIKEEP_ADMIN_PASSWORD"].flatMap { $0.isEmpty ? nil : $0 }
        let path = config.resolvedAdminPasswordFile
        if let admin = try db.queryOne(
            "SELECT username, must_change_password FROM users WHERE role = 'admin' ORDER BY id LIMIT 1")
        {
            // The generated password was never changed, yet nobody can read it any more.
            if admin.bool("must_change_password") == true, given == nil, !FileManager.default.fileExists(atPath: path) {
                let name = admin.string("username") ?? "admin"
                let message =
                    "the first admin '\(name)' still has its generated password, but \(path) is missing; "
                    + "set a new one with: medikeep-fcgi reset-password \(name)"
                Log.critical("initial_admin_password_missing", ["username": .string(name), "hint": .string(message)])
                FileHandle.standardError.write(Data("medikeep-fcgi: \(message)\n".utf8))
            }
            return
        }
        let password: String
        if let given {
            if let problem = PasswordPolicy.problem(given, username: "admin") {
                throw ConfigError(key: "MEDIKEEP_ADMIN_PASSWORD", message: problem)
            }
            password = given
        } else {
            password = try PasswordFile.createOrRead(path, generate: { SecureRandom.password(length: 20) })
        }
        let hash = try PasswordHasher().hash(password)
        do {
            _ = try db.execute(
                """
                INSERT INTO users (username, email, password_hash, first_name, last_name, full_name, role,
                    must_change_password)
                VALUES ('admin', 'admin@localhost', ?, 'System', 'Administrator', 'System Administrator', 'admin', ?)
                """, [.text(hash), .int(given == nil ? 1 : 0)])
        } catch StoreError.duplicate {
            return  // another master starting at the same moment created it (with the same file)
        }
        if given == nil {
            Log.warning("initial_admin_created", ["username": "admin", "password_file": .string(path)])
        } else {
            Log.info("initial_admin_created", ["username": "admin", "password_source": "MEDIKEEP_ADMIN_PASSWORD"])
        }
    }

    /// Sets a new generated password for `username` (the operator's way back in when the
    /// first admin's password is lost): every older token stops working, the lockout is
    /// cleared, and the user is asked to change it. Returns the password to show once.
    public static func resetPassword(username: String, db: Connection) throws -> String {
        let password = SecureRandom.password(length: 20)
        let hash = try PasswordHasher().hash(password)
        return try db.transaction {
            guard let row = try db.queryOne("SELECT id FROM users WHERE username = ? FOR UPDATE", [.text(username)]),
                let id = row.int("id")
            else { throw ConfigError(key: "username", message: "no user named '\(username)'") }
            _ = try db.execute(
                """
                UPDATE users SET password_hash = ?, token_epoch = token_epoch + 1, must_change_password = 1
                WHERE id = ?
                """, [.text(hash), .int(id)])
            _ = try db.execute("DELETE FROM login_failures WHERE account = ?", [.text(LoginThrottle.key(userID: id))])
            Log.warning("password_reset_by_operator", ["category": "security", "user_id": .int(id)])
            return password
        }
    }
}

/// The first admin's password file: created exclusively (never through a symlink, never
/// over an existing file), mode 0600, written in full and fsynced with its directory.
enum PasswordFile {
    static func createOrRead(_ path: String, generate: () -> String) throws -> String {
        let directory = (path as NSString).deletingLastPathComponent
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let password = generate()
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
        if fd < 0 && errno == EEXIST { return try read(path) }
        guard fd >= 0 else { throw failure(path, "cannot create") }
        defer { close(fd) }
        let bytes = Array((password + "\n").utf8)
        var written = 0
        while written < bytes.count {
            let n = bytes[written...].withUnsafeBytes { Foundation.write(fd, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else {
                unlink(path)  // a half-written password must not be mistaken for one later
                throw failure(path, "cannot write")
            }
            written += n
        }
        guard fsync(fd) == 0 else {
            unlink(path)
            throw failure(path, "cannot fsync")
        }
        let dirfd = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if dirfd >= 0 {
            _ = fsync(dirfd)
            close(dirfd)
        }
        return password
    }

    /// A file left by a start that crashed before creating the admin: its password is
    /// the one the operator may already have read.
    static func read(_ path: String) throws -> String {
        let fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)
        guard fd >= 0 else { throw failure(path, "cannot read") }
        defer { close(fd) }
        var buffer = [UInt8](repeating: 0, count: 512)
        let n = buffer.withUnsafeMutableBytes { Foundation.read(fd, $0.baseAddress, $0.count) }
        let text = n > 0 ? String(decoding: buffer[0..<n], as: UTF8.self) : ""
        let password = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !password.isEmpty, PasswordPolicy.problem(password, username: "admin") == nil else {
            throw ConfigError(
                key: "initial_admin_password_file",
                message: "\(path) holds no usable password (delete it to have a new one generated)")
        }
        return password
    }

    static func failure(_ path: String, _ what: String) -> ConfigError {
        ConfigError(
            key: "initial_admin_password_file", message: "\(what) \(path): \(String(cString: strerror(errno)))")
    }
}
