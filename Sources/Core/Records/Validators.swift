/// Small format checks shared by every validation path.
public enum Validators {
    /// A pragmatic e-mail check (one `@`, a local part without stray dots, a dotted domain
    /// of sensible labels, no spaces or control characters), not RFC 5322: addresses are
    /// only displayed and compared, never used to route mail without confirmation.
    public static func isEmail(_ text: String) -> Bool {
        let parts = text.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, parts[0].count <= 64 else { return false }
        guard !text.contains(where: { $0.isWhitespace || $0.asciiValue.map { $0 < 0x20 || $0 == 0x7F } == true }),
            !text.contains(where: { $0 == "<" || $0 == ">" || $0 == "," || $0 == ";" }),
            !parts[0].hasPrefix("."), !parts[0].hasSuffix("."), !parts[0].contains("..")
        else { return false }
        let labels = parts[1].split(separator: ".", omittingEmptySubsequences: false)
        let labelsOK = labels.allSatisfy { label in
            !label.isEmpty && label.count <= 63 && !label.hasPrefix("-") && !label.hasSuffix("-")
                && label.allSatisfy { $0.isLetter || $0.isNumber || $0 == "-" }
        }
        return labels.count >= 2 && labelsOK && labels.last!.count >= 2
    }

    public static func isURL(_ text: String) -> Bool {
        let lower = text.lowercased()
        guard lower.hasPrefix("http://") || lower.hasPrefix("https://") else { return false }
        return text.count > 8 && !text.contains(where: { $0.isWhitespace || $0 == "<" || $0 == ">" || $0 == "\"" })
    }

    /// `HH:MM`, 00:00–23:59.
    public static func isTimeOfDay(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        guard bytes.count == 5, bytes[2] == UInt8(ascii: ":") else { return false }
        guard let hour = Int(text.prefix(2)), let minute = Int(text.suffix(2)),
            bytes[0...1].allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }), bytes[3...4].allSatisfy({ $0 >= 0x30 && $0 <= 0x39 })
        else { return false }
        return hour < 24 && minute < 60
    }

    /// A calendar date `YYYY-MM-DD` (leap years included), or nil.
    public static func date(_ text: String) -> (year: Int, month: Int, day: Int)? {
        let bytes = Array(text.utf8)
        guard bytes.count == 10, bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-") else { return nil }
        for index in [0, 1, 2, 3, 5, 6, 8, 9] where !(bytes[index] >= 0x30 && bytes[index] <= 0x39) { return nil }
        let year = Int(text.prefix(4))!
        let month = Int(text.dropFirst(5).prefix(2))!
        let day = Int(text.suffix(2))!
        guard (1...12).contains(month), day >= 1 else { return nil }
        let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
        let lengths = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
        guard day <= lengths[month - 1] else { return nil }
        return (year, month, day)
    }
}

extension StringProtocol {
    /// Length as MariaDB counts it for a utf8mb4 VARCHAR/TEXT limit: code points, not
    /// Swift's grapheme clusters ("é" written as e + combining accent is 2, not 1).
    public var storedLength: Int { unicodeScalars.count }
}
