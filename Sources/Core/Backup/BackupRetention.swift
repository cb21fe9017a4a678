import Foundation

/// Which archives of the backup directory stay: the `min_count` newest always; of the
/// others, those at most `retention_days` old, and never more than `max_count` in all.
/// Age is read from the archive's name (its UTC creation time), not from the file's
/// time, which a copy or a restore of the directory would change. Files that are not
/// archives by name are never touched.
public enum BackupRetention {
    static let prefix = "backup_full_"
    static let suffix = ".tar.gz"

    /// `backup_full_2026-12-01_203000.tar.gz` for a UTC moment.
    public static func archiveName(at date: Date) -> String {
        let text = DoseSchedule.sqlText(utcSeconds: Int(date.timeIntervalSince1970))  // YYYY-MM-DD HH:MM:SS
        let clock = text.dropFirst(11).replacingOccurrences(of: ":", with: "")
        return prefix + text.prefix(10) + "_" + clock + suffix
    }

    /// The UTC moment in an archive's name (seconds since 1970); nil for other names.
    static func createdAt(_ name: String) -> Int? {
        guard name.hasPrefix(prefix), name.hasSuffix(suffix) else { return nil }
        let stamp = name.dropFirst(prefix.count).dropLast(suffix.count)  // YYYY-MM-DD_HHMMSS
        guard stamp.count == 17, let day = DoseSchedule.day(String(stamp.prefix(10))),
            stamp[stamp.index(stamp.startIndex, offsetBy: 10)] == "_",
            let clock = Int(stamp.suffix(6)), stamp.suffix(6).allSatisfy(\.isNumber)
        else { return nil }
        let (hours, minutes, seconds) = (clock / 10_000, clock / 100 % 100, clock % 100)
        guard hours < 24, minutes < 60, seconds < 60 else { return nil }
        return day * 86_400 + hours * 3600 + minutes * 60 + seconds
    }

    /// The names to remove from `names` (newest kept first), by the rule above.
    public static func expired(_ names: [String], settings: BackupSettings, now: Date) -> [String] {
        let archives = names.compactMap { name in createdAt(name).map { (name, $0) } }.sorted { $0.1 > $1.1 }
        let oldest = Int(now.timeIntervalSince1970) - settings.retentionDays * 86_400
        return archives.enumerated().compactMap { index, archive in
            guard index >= settings.minCount else { return nil }
            return index >= settings.maxCount || archive.1 < oldest ? archive.0 : nil
        }
    }

    /// Removes the expired archives of `directory`; returns their names.
    static func apply(_ settings: BackupSettings, directory: String, now: Date) throws -> [String] {
        let names = try FileManager.default.contentsOfDirectory(atPath: directory)
        let doomed = expired(names, settings: settings, now: now)
        for name in doomed { try FileManager.default.removeItem(atPath: directory + "/" + name) }
        return doomed
    }
}
