import Foundation

/// The `notify_*` configuration keys: how notifications are delivered and how the
/// reminder job catches up. The facility time zone reminders are read in is `timezone`.
public struct NotificationSettings: Sendable {
    /// Telegram's Bot API base and Pushover's message endpoint: fixed hosts, so changed
    /// only to point at a test double or an operator's relay.
    public var telegramAPIURL = "https://api.telegram.org"
    public var pushoverAPIURL = "https://api.pushover.net/1/messages.json"
    /// Tries per delivery in the reminder job (1: no retry); the wait before try n+1 is
    /// `retryDelay * 2^(n-1)` seconds.
    public var maxAttempts = 3
    public var retryDelay: Double = 1
    /// Seconds one outbound call (HTTP request or SMTP session) may take.
    public var timeout: Double = 10
    /// How far back the reminder job reaches after downtime: reminders older than this
    /// many minutes are skipped (and the run says how many minutes it skipped).
    public var reminderCatchupMinutes = 60
    /// The local mail submission program an email channel without `smtp_host` uses.
    public var sendmailPath = "/usr/sbin/sendmail"

    public init() {}

    public static let keys = [
        "notify_telegram_api_url", "notify_pushover_api_url", "notify_max_attempts", "notify_retry_delay",
        "notify_timeout", "notify_reminder_catchup_minutes", "notify_sendmail_path",
    ]

    mutating func apply(key: String, value: String) throws(ConfigError) {
        switch key {
        case "notify_telegram_api_url": telegramAPIURL = try Self.url(key, value)
        case "notify_pushover_api_url": pushoverAPIURL = try Self.url(key, value)
        case "notify_max_attempts": maxAttempts = try Config.int(key, value, 1...10)
        case "notify_retry_delay": retryDelay = try Config.seconds(key, value)
        case "notify_timeout": timeout = try Config.seconds(key, value)
        case "notify_reminder_catchup_minutes": reminderCatchupMinutes = try Config.int(key, value, 1...10_080)
        case "notify_sendmail_path": sendmailPath = value
        default: throw ConfigError(key: key, message: "unknown configuration key")
        }
    }

    static func url(_ key: String, _ value: String) throws(ConfigError) -> String {
        guard value.hasPrefix("http://") || value.hasPrefix("https://") else {
            throw ConfigError(key: key, message: "must be an http:// or https:// URL (got \(value))")
        }
        return value.hasSuffix("/") ? String(value.dropLast()) : value
    }
}
