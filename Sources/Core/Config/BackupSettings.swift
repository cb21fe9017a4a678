/// The `backup_*` configuration keys: where `medikeep-jobs backup` writes its archives
/// and which it keeps. The retention rule is upstream's (its admin settings of the same
/// names): the `backup_min_count` newest are always kept; beyond them an archive older
/// than `backup_retention_days` goes, and so does every archive past the
/// `backup_max_count` newest.
public struct BackupSettings: Sendable {
    /// Empty: `<data_dir>/backups`.
    public var directory = ""
    public var retentionDays = 30
    public var minCount = 3
    public var maxCount = 10
    /// Seconds the database dump (and, separately, the archive) may take.
    public var timeout: Double = 3600

    public init() {}

    public static let keys = [
        "backup_dir", "backup_retention_days", "backup_min_count", "backup_max_count", "backup_timeout",
    ]

    mutating func apply(key: String, value: String) throws(ConfigError) {
        switch key {
        case "backup_dir": directory = value
        case "backup_retention_days": retentionDays = try Config.int(key, value, 1...36_500)
        case "backup_min_count": minCount = try Config.int(key, value, 1...1000)
        case "backup_max_count": maxCount = try Config.int(key, value, 1...1000)
        case "backup_timeout":
            guard let seconds = Double(value.hasSuffix("s") ? String(value.dropLast()) : value), seconds > 0,
                seconds <= 86_400
            else { throw ConfigError(key: key, message: "must be a number of seconds in (0, 86400] (got \(value))") }
            timeout = seconds
        default: throw ConfigError(key: key, message: "unknown configuration key")
        }
    }

    func validate() throws(ConfigError) {
        guard minCount <= maxCount else {
            throw ConfigError(key: "backup_min_count", message: "must not exceed backup_max_count")
        }
    }

    /// The directory archives go to, given the data directory.
    public func resolvedDirectory(dataDir: String) -> String {
        directory.isEmpty ? dataDir + "/backups" : directory
    }
}
