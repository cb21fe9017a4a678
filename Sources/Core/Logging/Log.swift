import Foundation
import Synchronization

/// Log severity, named as the contract's `/system/log-level` names them.
public enum LogLevel: Int, Sendable, Comparable, CaseIterable {
    case debug = 10, info = 20, warning = 30, error = 40, critical = 50

    public init?(name: String) {
        switch name.uppercased() {
        case "DEBUG": self = .debug
        case "INFO": self = .info
        case "WARNING", "WARN": self = .warning
        case "ERROR": self = .error
        case "CRITICAL": self = .critical
        default: return nil
        }
    }

    public var name: String {
        switch self {
        case .debug: return "DEBUG"
        case .info: return "INFO"
        case .warning: return "WARNING"
        case .error: return "ERROR"
        case .critical: return "CRITICAL"
        }
    }

    public static func < (lhs: LogLevel, rhs: LogLevel) -> Bool { lhs.rawValue < rhs.rawValue }
}

/// The process-wide structured log: one JSON object per line, appended with a single
/// `write(2)` so lines from many threads and processes never interleave.
///
/// Callers must never pass passwords, hashes or tokens as fields; the handful of
/// field names that could carry one are redacted here as a second line of defence.
public enum Log {
    private static let state = Mutex<(fd: Int32, path: String, level: LogLevel)>((2, "", .info))

    /// Opens `path` for appending (stderr when empty) and sets the threshold.
    public static func configure(path: String, level: LogLevel) {
        let opened = path.isEmpty ? Int32(2) : open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o640)
        state.withLock { current in
            if current.fd > 2 && opened > 2 {
                // Swap the file under the same descriptor number: a thread that read the
                // number a moment ago still writes to a log, never to a socket that
                // happened to get the freed number.
                dup2(opened, current.fd)
                _ = fcntl(current.fd, F_SETFD, FD_CLOEXEC)
                close(opened)
                current = (current.fd, path, level)
            } else {
                if current.fd > 2 { close(current.fd) }
                current = (opened < 0 ? 2 : opened, path, level)
            }
        }
    }

    /// Reopens the log file after rotation (SIGUSR1).
    public static func reopen() {
        let (path, level) = state.withLock { ($0.path, $0.level) }
        configure(path: path, level: level)
    }

    public static var level: LogLevel { state.withLock { $0.level } }

    public static func debug(_ event: String, _ fields: JSONObject = [:]) { write(.debug, event, fields) }
    public static func info(_ event: String, _ fields: JSONObject = [:]) { write(.info, event, fields) }
    public static func warning(_ event: String, _ fields: JSONObject = [:]) { write(.warning, event, fields) }
    public static func error(_ event: String, _ fields: JSONObject = [:]) { write(.error, event, fields) }
    public static func critical(_ event: String, _ fields: JSONObject = [:]) { write(.critical, event, fields) }

    /// `value` with secrets removed at any depth: values under a secret-sounding key, and
    /// strings that look like a bearer token or a JWT wherever they are (a client's
    /// frontend log may carry anything).
    static func redacted(_ key: String, _ value: JSON) -> JSON {
        let lower = key.lowercased()
        if redactedKeys.contains(lower) || lower.contains("password") || lower.hasSuffix("_token") {
            return "[redacted]"
        }
        switch value {
        case .string(let text) where looksLikeToken(text): return "[redacted]"
        case .object(let object): return .object(JSONObject(object.map { ($0.key, redacted($0.key, $0.value)) }))
        case .array(let items): return .array(items.map { redacted("", $0) })
        default: return value
        }
    }

    static func looksLikeToken(_ text: String) -> Bool {
        if text.lowercased().hasPrefix("bearer ") { return true }
        return text.hasPrefix("eyJ") && text.split(separator: ".").count == 3
    }

    static let redactedKeys: Set<String> = [
        "password", "current_password", "new_password", "access_token", "token", "authorization",
        "password_hash", "secret", "api_token", "paperless_password", "papra_api_token",
    ]

    public static func write(_ severity: LogLevel, _ event: String, _ fields: JSONObject) {
        let (fd, threshold) = state.withLock { ($0.fd, $0.level) }
        guard severity >= threshold else { return }
        var line = JSONObject()
        line["ts"] = .string(Timestamp.iso8601(Date()))
        line["level"] = .string(severity.name)
        line["event"] = .string(event)
        line["pid"] = .int(Int64(getpid()))
        for (key, value) in fields { line[key] = redacted(key, value) }
        var bytes = JSON.object(line).serialized()
        bytes.append(0x0A)
        _ = bytes.withUnsafeBytes { Foundation.write(fd, $0.baseAddress, $0.count) }
    }
}
