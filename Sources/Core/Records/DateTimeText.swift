import Foundation

/// ISO 8601 date-times as clients send them (`2025-10-04T10:30:00Z`, `…+02:00`,
/// `2025-10-04 10:30`, or a date alone), normalised to UTC: the API answers
/// `YYYY-MM-DDTHH:MM:SSZ`, MariaDB stores `YYYY-MM-DD HH:MM:SS` (sessions run in UTC).
public struct DateTimeText: Sendable, Equatable {
    public let year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Int

    /// The API's form.
    public var iso: String { "\(datePart)T\(two(hour)):\(two(minute)):\(two(second))Z" }
    /// MariaDB's DATETIME literal.
    public var sql: String { "\(datePart) \(two(hour)):\(two(minute)):\(two(second))" }

    private var datePart: String {
        let y = String(year)
        return String(repeating: "0", count: max(0, 4 - y.count)) + y + "-\(two(month))-\(two(day))"
    }
    private func two(_ n: Int) -> String { n < 10 ? "0\(n)" : String(n) }

    /// Parses; a date alone is midnight (or 23:59:59 with `endOfDay`). Fractions of a
    /// second are dropped; an offset is applied to reach UTC. Nil when not a valid time.
    /// Read as bytes: list filters parse one per request.
    public static func parse(_ text: String, endOfDay: Bool = false) -> DateTimeText? {
        var bytes = Array(text.utf8)[...]
        while bytes.first == 0x20 { bytes = bytes.dropFirst() }
        while bytes.last == 0x20 { bytes = bytes.dropLast() }
        guard bytes.count >= 10, bytes.count <= 40,
            let date = Validators.date(String(decoding: bytes.prefix(10), as: UTF8.self))
        else { return nil }
        var rest = bytes.dropFirst(10)
        if rest.isEmpty {
            let (h, m, s) = endOfDay ? (23, 59, 59) : (0, 0, 0)
            return DateTimeText(year: date.year, month: date.month, day: date.day, hour: h, minute: m, second: s)
        }
        guard let separator = rest.first,
            separator == UInt8(ascii: "T") || separator == UInt8(ascii: "t") || separator == 0x20
        else { return nil }
        rest = rest.dropFirst()
        func digits(_ slice: ArraySlice<UInt8>) -> Int? {
            guard !slice.isEmpty, slice.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return nil }
            return slice.reduce(0) { $0 * 10 + Int($1 - 0x30) }
        }
        // Offset: Z, or ±HH:MM / ±HHMM at the end.
        var offsetMinutes = 0
        if rest.last == UInt8(ascii: "Z") || rest.last == UInt8(ascii: "z") {
            rest = rest.dropLast()
        } else if let sign = rest.lastIndex(where: { $0 == UInt8(ascii: "+") || $0 == UInt8(ascii: "-") }) {
            let zone = rest[(sign + 1)...].filter { $0 != UInt8(ascii: ":") }
            guard zone.count == 4, let hh = digits(zone.prefix(2)), let mm = digits(zone.suffix(2)), hh < 24, mm < 60
            else { return nil }
            offsetMinutes = (hh * 60 + mm) * (rest[sign] == UInt8(ascii: "-") ? -1 : 1)
            rest = rest[..<sign]
        }
        if let dot = rest.firstIndex(of: UInt8(ascii: ".")) {
            guard digits(rest[(dot + 1)...]) != nil else { return nil }
            rest = rest[..<dot]
        }
        let parts = rest.split(separator: UInt8(ascii: ":"), omittingEmptySubsequences: false)
        guard parts.count == 2 || parts.count == 3, parts.allSatisfy({ $0.count == 2 }),
            let hour = digits(parts[0]), let minute = digits(parts[1]), hour < 24, minute < 60
        else { return nil }
        let second = parts.count == 3 ? digits(parts[2]) ?? 60 : 0
        guard second < 60 else { return nil }
        var total = (daysFromCivil(date.year, date.month, date.day) * 1440 + hour * 60 + minute - offsetMinutes) * 60
        total += second
        let days = Int((Double(total) / 86400).rounded(.down))
        let seconds = total - days * 86400
        let civil = civilFromDays(days)
        return DateTimeText(
            year: civil.year, month: civil.month, day: civil.day, hour: seconds / 3600, minute: seconds % 3600 / 60,
            second: seconds % 60)
    }

    /// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
    static func daysFromCivil(_ y0: Int, _ m: Int, _ d: Int) -> Int {
        let y = m <= 2 ? y0 - 1 : y0
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146097 + doe - 719468
    }

    static func civilFromDays(_ z0: Int) -> (year: Int, month: Int, day: Int) {
        let z = z0 + 719468
        let era = (z >= 0 ? z : z - 146096) / 146097
        let doe = z - era * 146097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (m <= 2 ? 1 : 0), m, d)
    }
}

/// Date filters of lists: a query value read as a UTC date-time bound, or a 422 naming it.
enum TemporalFilter {
    static func dateTime(_ value: String, parameter: String, endOfDay: Bool) throws -> String {
        guard let parsed = DateTimeText.parse(value, endOfDay: endOfDay) else {
            throw APIError.validation([FieldProblem(parameter, "must be a date YYYY-MM-DD or an ISO date-time")])
        }
        return parsed.sql
    }
}
