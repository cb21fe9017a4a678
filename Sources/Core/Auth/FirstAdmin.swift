import Foundation

/// Creates the first administrator at first setup. There is no default password: it is
/// taken from `MEDIKEEP_ADMIN_PASSWORD` or generated and written once, mode 0600, to
/// `initial_admin_password_file` for the operator to read (and `scripts/run` to print).
public enum FirstAdmin {
    public static func ensure(
        connection db: Connection, config: Config,
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws {
        _ = try db.execute(
            "INSERT IGNORE INTO app_settings (name, value) VALUES ('registration_enabled', ?)",
            [.text(config.registrationEnabled ? "true" : "false")])
        guard try db.queryOne("SELECT 1 FROM users WHERE role = 'admin' LIMIT 1") == nil else { return }
        let given = environment["MEDIKEEP_ADMIN_PASSWORD"].flatMap { $0.isEmpty ? nil : $0 }
        let password = given ?? SecureRandom.password(length: 20)
        if given != nil, let problem = PasswordPolicy.problem(password, username: "admin") {
            throw ConfigError(key: "MEDIKEEP_ADMIN_PASSWORD", message: problem)
        }
        let hash = try PasswordHasher().hash(password)
        try db.transaction {
            _ = try db.execute(
                """
                INSERT INTO users (username, email, password_hash, first_name, last_name, full_name, role)
                VALUES ('admin', 'admin@localhost', ?, 'System', 'Administrator', 'System Administrator', 'admin')
                """, [.text(hash)])
        }
        if given == nil {
            let path = config.resolvedAdminPasswordFile
            let directory = (path as NSString).deletingLastPathComponent
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
            guard fd >= 0 else {
                throw ConfigError(key: "initial_admin_password_file", message: "cannot write \(path)")
            }
            fchmod(fd, 0o600)
            let line = password + "\n"
            _ = line.withCString { Foundation.write(fd, $0, strlen($0)) }
            close(fd)
            Log.warning("initial_admin_created", ["username": "admin", "password_file": .string(path)])
        } else {
            Log.info("initial_admin_created", ["username": "admin", "password_source": "MEDIKEEP_ADMIN_PASSWORD"])
        }
    }
}
