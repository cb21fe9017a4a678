import CMariaDB

/// Formats MariaDB DATE, DATETIME/TIMESTAMP and TIME values as the API's strings,
/// without Foundation: dates "YYYY-MM-DD", timestamps "YYYY-MM-DDTHH:MM:SSZ" (the
/// connection's time zone is UTC, so the "Z" is true), times "HH:MM:SS".
enum TemporalText {
    static func date(_ value: MYSQL_TIME) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(10)
        appendDate(value, to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    static func dateTime(_ value: MYSQL_TIME) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(27)
        appendDate(value, to: &out)
        out.append(UInt8(ascii: "T"))
        appendClock(hours: Int(value.hour), value, to: &out)
        out.append(UInt8(ascii: "Z"))
        return String(decoding: out, as: UTF8.self)
    }

    /// A TIME may be negative and exceed 24 hours (it is a duration as much as a clock).
    static func time(_ value: MYSQL_TIME) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(17)
        if value.neg != 0 { out.append(UInt8(ascii: "-")) }
        appendClock(hours: Int(value.day) * 24 + Int(value.hour), value, to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// The value as `date`, `dateTime` or `time` would give it, appended to `out`.
    static func append(_ value: MYSQL_TIME, kind: ResultBuffers.Kind, to out: inout [UInt8]) {
        switch kind {
        case .date:
            appendDate(value, to: &out)
        case .dateTime:
            appendDate(value, to: &out)
            out.append(UInt8(ascii: "T"))
            appendClock(hours: Int(value.hour), value, to: &out)
            out.append(UInt8(ascii: "Z"))
        default:
            if value.neg != 0 { out.append(UInt8(ascii: "-")) }
            appendClock(hours: Int(value.day) * 24 + Int(value.hour), value, to: &out)
        }
    }

    private static func appendDate(_ value: MYSQL_TIME, to out: inout [UInt8]) {
        append(Int(value.year), digits: 4, to: &out)
        out.append(UInt8(ascii: "-"))
        append(Int(value.month), digits: 2, to: &out)
        out.append(UInt8(ascii: "-"))
        append(Int(value.day), digits: 2, to: &out)
    }

    /// HH:MM:SS, plus the fraction without trailing zeros when a column keeps one.
    private static func appendClock(hours: Int, _ value: MYSQL_TIME, to out: inout [UInt8]) {
        append(hours, digits: 2, to: &out)
        out.append(UInt8(ascii: ":"))
        append(Int(value.minute), digits: 2, to: &out)
        out.append(UInt8(ascii: ":"))
        append(Int(value.second), digits: 2, to: &out)
        var fraction = Int(value.second_part)
        guard fraction > 0 else { return }
        var digits = 6
        while fraction % 10 == 0 { fraction /= 10; digits -= 1 }
        out.append(UInt8(ascii: "."))
        append(fraction, digits: digits, to: &out)
    }

    /// Zero-padded to at least `digits`, written in place (no temporary array).
    private static func append(_ number: Int, digits: Int, to out: inout [UInt8]) {
        var width = 1
        var probe = number / 10
        while probe > 0 { width += 1; probe /= 10 }
        width = max(width, digits)
        out.append(contentsOf: repeatElement(UInt8(ascii: "0"), count: width))
        var rest = number
        var position = out.count - 1
        while rest > 0 {
            out[position] = UInt8(ascii: "0") + UInt8(rest % 10)
            rest /= 10
            position -= 1
        }
    }
}
