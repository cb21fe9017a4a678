/// Splits a migration file into statements: a statement ends at a `;` that closes its
/// line (only spaces or a comment may follow). Quotes, backticks and block comments
/// are skipped over, so a `;` inside them never splits; `--` and `#` comments are
/// dropped; statements that hold nothing but comments are left out.
enum SQLScript {
    static func statements(in script: String) -> [String] {
        let bytes = Array(script.utf8)
        var statements: [String] = []
        var current: [UInt8] = []
        var hasContent = false
        var index = 0

        func finish() {
            if hasContent, let text = String(validating: current, as: UTF8.self) {
                statements.append(trimmed(text))
            }
            current.removeAll(keepingCapacity: true)
            hasContent = false
        }

        while index < bytes.count {
            let byte = bytes[index]
            if isLineComment(bytes, at: index) {
                while index < bytes.count && bytes[index] != UInt8(ascii: "\n") { index += 1 }
                continue
            }
            switch byte {
            case UInt8(ascii: "'"), UInt8(ascii: "\""), UInt8(ascii: "`"):
                let end = endOfQuoted(bytes, from: index)
                current.append(contentsOf: bytes[index..<end])
                hasContent = true
                index = end
            case UInt8(ascii: "/") where next(bytes, index) == UInt8(ascii: "*"):
                // Kept verbatim: `/*! ... */` comments are executed by MariaDB.
                let end = endOfBlockComment(bytes, from: index)
                current.append(contentsOf: bytes[index..<end])
                hasContent = hasContent || (index + 2 < bytes.count && bytes[index + 2] == UInt8(ascii: "!"))
                index = end
            case UInt8(ascii: ";") where closesLine(bytes, after: index):
                finish()
                index += 1
            default:
                current.append(byte)
                if !isSpace(byte) { hasContent = true }
                index += 1
            }
        }
        finish()
        return statements
    }

    /// `-- ` (dash dash then space or end of line) or `#` starts a comment to end of line.
    private static func isLineComment(_ bytes: [UInt8], at index: Int) -> Bool {
        if bytes[index] == UInt8(ascii: "#") { return true }
        guard bytes[index] == UInt8(ascii: "-"), next(bytes, index) == UInt8(ascii: "-") else { return false }
        guard index + 2 < bytes.count else { return true }
        return isSpace(bytes[index + 2])
    }

    /// Index just past the closing quote; a backslash escapes the next byte in strings,
    /// and a doubled quote is read as a close followed by a new open, which is equivalent.
    private static func endOfQuoted(_ bytes: [UInt8], from start: Int) -> Int {
        let quote = bytes[start]
        var index = start + 1
        while index < bytes.count {
            if bytes[index] == UInt8(ascii: "\\") && quote != UInt8(ascii: "`") {
                index += 2
                continue
            }
            if bytes[index] == quote { return index + 1 }
            index += 1
        }
        return bytes.count
    }

    private static func endOfBlockComment(_ bytes: [UInt8], from start: Int) -> Int {
        var index = start + 2
        while index + 1 < bytes.count {
            if bytes[index] == UInt8(ascii: "*") && bytes[index + 1] == UInt8(ascii: "/") { return index + 2 }
            index += 1
        }
        return bytes.count
    }

    /// True when only spaces or a line comment follow `index` on its line.
    private static func closesLine(_ bytes: [UInt8], after index: Int) -> Bool {
        var position = index + 1
        while position < bytes.count {
            let byte = bytes[position]
            if byte == UInt8(ascii: "\n") { return true }
            if isLineComment(bytes, at: position) { return true }
            if !isSpace(byte) { return false }
            position += 1
        }
        return true
    }

    private static func next(_ bytes: [UInt8], _ index: Int) -> UInt8? {
        index + 1 < bytes.count ? bytes[index + 1] : nil
    }

    private static func isSpace(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") || byte == UInt8(ascii: "\n")
            || byte == UInt8(ascii: "\r")
    }

    private static func trimmed(_ text: String) -> String {
        let scalars = text.unicodeScalars
        guard let first = scalars.firstIndex(where: { !$0.properties.isWhitespace }),
            let last = scalars.lastIndex(where: { !$0.properties.isWhitespace })
        else { return "" }
        return String(scalars[first...last])
    }
}
