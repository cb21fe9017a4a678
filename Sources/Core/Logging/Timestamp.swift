import Foundation

/// ISO-8601 timestamps as the contract prints them (`2025-10-04T10:30:00Z`).
public enum Timestamp {
    /// UTC, second precision, `Z` suffix.
    public static func iso8601(_ date: Date) -> String {
        var seconds = time_t(date.timeIntervalSince1970.rounded(.down))
        var parts = tm()
        gmtime_r(&seconds, &parts)
        return format(parts, suffix: "Z")
    }

    /// The wall-clock time in `timeZone`, with its numeric offset (`2025-10-19T14:30:00-05:00`).
    public static func iso8601(_ date: Date, in timeZone: TimeZone) -> String {
        let offset = timeZone.secondsFromGMT(for: date)
        var seconds = time_t(date.timeIntervalSince1970.rounded(.down)) + time_t(offset)
        var parts = tm()
        gmtime_r(&seconds, &parts)
        return format(parts, suffix: offsetString(offset))
    }

    /// `+HH:MM` / `-HH:MM` for an offset in seconds.
    public static func offsetString(_ offset: Int) -> String {
        let sign = offset < 0 ? "-" : "+"
        let minutes = abs(offset) / 60
        return sign + pad(minutes / 60) + ":" + pad(minutes % 60)
    }

    /// Today's date (`YYYY-MM-DD`) in `timeZone`.
    public static func date(_ date: Date, in timeZone: TimeZone) -> String {
        String(iso8601(date, in: timeZone).prefix(10))
    }

    private static func format(_ t: tm, suffix: String) -> String {
        let year = Int(t.tm_year) + 1900
        return
            "\(year)-\(pad(Int(t.tm_mon) + 1))-\(pad(Int(t.tm_mday)))T\(pad(Int(t.tm_hour))):\(pad(Int(t.tm_min))):\(pad(Int(t.tm_sec)))\(suffix)"
    }

    private static func pad(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }
}
