import Foundation

/// The whole configuration, read once at start-up from one file plus `MEDIKEEP_*`
/// environment overrides. Every key, its default and its meaning is in
/// `docs/configuration.md`; this type is the single source of the defaults.
public struct Config: Sendable {
    // Pool
    public var listen: String = "unix:/run/medikeep-fcgi/fcgi.sock"
    public var listenBacklog: Int = 511
    /// Permissions of a unix listening socket: nginx's user must be able to connect.
    public var listenMode: Int = 0o660
    public var workers: Int = max(1, ProcessInfo.processInfo.activeProcessorCount)
    public var threads: Int = 4
    public var maxRequests: Int = 100_000
    public var requestTimeout: Double = 60
    public var slowlogTimeout: Double = 10
    public var shutdownTimeout: Double = 30
    public var pidFile: String = ""
    public var logFile: String = ""
    public var logLevel: LogLevel = .info
    // Storage
    public var dataDir: String = "/var/lib/medikeep-fcgi"
    public var sqlDir: String = "/usr/share/medikeep-fcgi/sql"
    public var migrateOnStart: Bool = true
    public var database = DatabaseConfig(
        host: "127.0.0.1", port: 3306, socket: nil, user: "medikeep", password: "", database: "medikeep")
    // Application
    public var timezone: String = "UTC"
    public var maxBodyBytes: Int = 1_048_576
    public var sessionTimeoutMinutes: Int = 30
    public var registrationEnabled: Bool = true
    /// Failed logins for one account before it is locked (decisions rule 7).
    public var loginMaxFailures: Int = 10
    public var loginLockoutMinutes: Int = 15
    public var initialAdminPasswordFile: String = ""
    public var enableTestEndpoints: Bool = false
    /// Seconds the external tools of one OCR parse may take in all (capped below
    /// `request_timeout`).
    public var ocrTimeout: Double = 30
    /// Single sign-on (`sso_*` keys).
    public var sso = SSOSettings()
    /// Scheduled backups (`backup_*` keys).
    public var backup = BackupSettings()
    /// Notification delivery and the reminder job (`notify_*` keys).
    public var notifications = NotificationSettings()

    public init() {}

    /// The file holding the generated first-admin password.
    public var resolvedAdminPasswordFile: String {
        initialAdminPasswordFile.isEmpty ? dataDir + "/initial-admin-password" : initialAdminPasswordFile
    }

    /// Loads `path` (if given) and applies environment overrides; throws naming the bad key.
    public static func load(path: String?, environment: [String: String] = ProcessInfo.processInfo.environment)
        throws(ConfigError) -> Config
    {
        var values: [String: String] = [:]
        if let path, !path.isEmpty {
            guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
                throw ConfigError(key: "--config", message: "cannot read configuration file \(path)")
            }
            for (number, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
                let line = rawLine.trimmingCharacters(in: .whitespaces)
                if line.isEmpty || line.hasPrefix("#") || line.hasPrefix(";") { continue }
                guard let equals = line.firstIndex(of: "=") else {
                    throw ConfigError(key: "line \(number + 1)", message: "expected `key = value` in \(path)")
                }
                let key = line[..<equals].trimmingCharacters(in: .whitespaces)
                var value = line[line.index(after: equals)...].trimmingCharacters(in: .whitespaces)
                if value.count >= 2, value.hasPrefix("\""), value.hasSuffix("\"") {
                    value = String(value.dropFirst().dropLast())
                }
                values[key] = value
            }
        }
        for key in Config.keys where environment["MEDIKEEP_" + key.uppercased()] != nil {
            values[key] = environment["MEDIKEEP_" + key.uppercased()]
        }
        var config = Config()
        for (key, value) in values {
            try config.apply(key: key, value: value)
        }
        try config.validate()
        return config
    }

    /// Every key the file accepts (and its environment override `MEDIKEEP_<KEY>`).
    public static let keys: [String] =
        [
            "listen", "listen_backlog", "listen_mode", "workers", "threads", "max_requests", "request_timeout",
            "slowlog_timeout", "shutdown_timeout", "pid_file", "log_file", "log_level", "data_dir", "sql_dir",
            "migrate_on_start", "db_socket", "db_host", "db_port", "db_user", "db_password", "db_name", "timezone",
            "max_body_bytes", "session_timeout_minutes", "registration_enabled", "login_max_failures",
            "login_lockout_minutes", "initial_admin_password_file",
            "enable_test_endpoints", "ocr_timeout",
        ] + SSOSettings.keys + BackupSettings.keys + NotificationSettings.keys

    mutating func apply(key: String, value: String) throws(ConfigError) {
        switch key {
        case "listen": listen = value
        case "listen_backlog": listenBacklog = try Config.int(key, value, 1...65535)
        case "listen_mode":
            guard let mode = Int(value, radix: 8), (0...0o777).contains(mode) else {
                throw ConfigError(key: key, message: "must be an octal file mode such as 0660 (got \(value))")
            }
            listenMode = mode
        case "workers": workers = try Config.int(key, value, 1...64)
        case "threads": threads = try Config.int(key, value, 1...256)
        case "max_requests": maxRequests = try Config.int(key, value, 0...100_000_000)
        case "request_timeout": requestTimeout = try Config.seconds(key, value)
        case "slowlog_timeout": slowlogTimeout = try Config.seconds(key, value)
        case "shutdown_timeout": shutdownTimeout = try Config.seconds(key, value)
        case "pid_file": pidFile = value
        case "log_file": logFile = value
        case "log_level":
            guard let level = LogLevel(name: value) else {
                throw ConfigError(key: key, message: "must be one of DEBUG, INFO, WARNING, ERROR, CRITICAL")
            }
            logLevel = level
        case "data_dir": dataDir = value
        case "sql_dir": sqlDir = value
        case "migrate_on_start": migrateOnStart = try Config.bool(key, value)
        case "db_socket": database.socket = value.isEmpty ? nil : value
        case "db_host": database.host = value
        case "db_port": database.port = try Config.int(key, value, 1...65535)
        case "db_user": database.user = value
        case "db_password": database.password = value
        case "db_name": database.database = value
        case "timezone":
            guard TimeZone(identifier: value) != nil else {
                throw ConfigError(
                    key: key, message: "unknown time zone \(value) (use an IANA name such as Europe/Berlin)")
            }
            timezone = value
        case "max_body_bytes": maxBodyBytes = try Config.int(key, value, 1024...1_073_741_824)
        case "session_timeout_minutes": sessionTimeoutMinutes = try Config.int(key, value, 5...10_080)
        case "registration_enabled": registrationEnabled = try Config.bool(key, value)
        case "login_max_failures": loginMaxFailures = try Config.int(key, value, 1...100_000)
        case "login_lockout_minutes": loginLockoutMinutes = try Config.int(key, value, 1...1440)
        case "initial_admin_password_file": initialAdminPasswordFile = value
        case "enable_test_endpoints": enableTestEndpoints = try Config.bool(key, value)
        case "ocr_timeout": ocrTimeout = try Config.seconds(key, value)
        case _ where key.hasPrefix("sso_"): try sso.apply(key: key, value: value)
        case _ where key.hasPrefix("backup_"): try backup.apply(key: key, value: value)
        case _ where key.hasPrefix("notify_"): try notifications.apply(key: key, value: value)
        default: throw ConfigError(key: key, message: "unknown configuration key")
        }
    }

    func validate() throws(ConfigError) {
        guard listen.hasPrefix("unix:") || listen == "fd:0" || ListenAddress.parseTCP(listen) != nil else {
            throw ConfigError(key: "listen", message: "must be unix:/path, 127.0.0.1:PORT or fd:0 (got \(listen))")
        }
        guard slowlogTimeout <= requestTimeout else {
            throw ConfigError(key: "slowlog_timeout", message: "must not exceed request_timeout")
        }
        guard !dataDir.isEmpty else { throw ConfigError(key: "data_dir", message: "must not be empty") }
        guard !database.database.isEmpty, database.database.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" })
        else { throw ConfigError(key: "db_name", message: "must be letters, digits and underscores") }
        try sso.validate()
        try backup.validate()
    }

    static func int(_ key: String, _ value: String, _ range: ClosedRange<Int>) throws(ConfigError) -> Int {
        guard let number = Int(value), range.contains(number) else {
            throw ConfigError(
                key: key, message: "must be an integer in \(range.lowerBound)...\(range.upperBound) (got \(value))")
        }
        return number
    }

    static func seconds(_ key: String, _ value: String) throws(ConfigError) -> Double {
        let trimmed = value.hasSuffix("s") ? String(value.dropLast()) : value
        guard let number = Double(trimmed), number > 0, number <= 86_400 else {
            throw ConfigError(key: key, message: "must be a number of seconds in (0, 86400] (got \(value))")
        }
        return number
    }

    static func bool(_ key: String, _ value: String) throws(ConfigError) -> Bool {
        switch value.lowercased() {
        case "true", "yes", "on", "1": return true
        case "false", "no", "off", "0": return false
        default: throw ConfigError(key: key, message: "must be true or false (got \(value))")
        }
    }
}

/// A refused configuration value, naming the key.
public struct ConfigError: Error, CustomStringConvertible, Sendable {
    public let key: String
    public let message: String
    public var description: String { "configuration error: \(key): \(message)" }
}

/// A parsed TCP listen address.
public enum ListenAddress {
    /// `host:port` with an IPv4 host; nil when `value` is not of that form.
    public static func parseTCP(_ value: String) -> (host: String, port: UInt16)? {
        guard let colon = value.lastIndex(of: ":") else { return nil }
        let host = String(value[..<colon])
        guard let port = UInt16(value[value.index(after: colon)...]), port > 0 else { return nil }
        let parts = host.split(separator: ".")
        guard parts.count == 4, parts.allSatisfy({ UInt8($0) != nil }) else { return nil }
        return (host, port)
    }
}
