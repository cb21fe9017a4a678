import Foundation

/// What a lab report's text gives away without parsing it for real: the laboratory's
/// name, the date of the test and how many result lines it has. Each is nil when not
/// found; the client parses the text itself (the contract returns it raw).
public struct LabReportFacts: Equatable {
    public var labName: String?
    public var testDate: String?
    public var testCount: Int?

    public init(text: String) {
        labName = LabReportFacts.labName(in: text)
        testDate = LabReportFacts.testDate(in: text)
        let count = LabReportFacts.resultLines(in: text)
        testCount = count > 0 ? count : nil
    }

    /// Laboratories known by name, and how they are written.
    static let knownLabs: [(name: String, spellings: [String])] = [
        ("LabCorp", ["labcorp", "laboratory corporation of america"]),
        ("Quest Diagnostics", ["quest diagnostics"]),
        ("ARUP Laboratories", ["arup laboratories"]),
        ("Mayo Clinic Laboratories", ["mayo clinic laboratories", "mayo medical laboratories"]),
        ("BioReference Laboratories", ["bioreference"]),
        ("Sonic Healthcare", ["sonic healthcare"]),
        ("Synlab", ["synlab"]),
        ("Unilabs", ["unilabs"]),
        ("Eurofins", ["eurofins"]),
    ]

    static func labName(in text: String) -> String? {
        let lower = text.lowercased()
        for lab in knownLabs where lab.spellings.contains(where: { lower.contains($0) }) { return lab.name }
        // Else a short line near the top naming a laboratory.
        for line in text.split(separator: "\n").prefix(15) {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            guard trimmed.count <= 80, match(labLine, trimmed) != nil else { continue }
            return trimmed.replacingOccurrences(of: #"\s{2,}.*$"#, with: "", options: .regularExpression)
        }
        return nil
    }

    static let labLine = regex(#"^[A-Z][\w .&'-]*\b(Laborator(y|ies)|Diagnostics|Lab)\b"#)
    static let dateWords = regex(
        #"(?i)\b(collected|collection date|date collected|date of collection|specimen collected|drawn|test date|date of service|reported|report date)\b[^\n\d]{0,30}"#
            + datePattern)
    static let anyDate = regex(datePattern)
    static let datePattern =
        #"((\d{4})-(\d{1,2})-(\d{1,2})|(\d{1,2})/(\d{1,2})/(\d{2,4})|(\d{1,2})\.(\d{1,2})\.(\d{4})|([A-Za-z]{3,9})\.? (\d{1,2}),? (\d{4}))"#

    /// The first date after a word such as "Collected", else the first date at all, as
    /// YYYY-MM-DD. Slashed dates are read month first (the reports upstream targets).
    static func testDate(in text: String) -> String? {
        for expression in [dateWords, anyDate] {
            var found: String?
            expression.enumerateMatches(in: text, range: NSRange(text.startIndex..., in: text)) { result, _, stop in
                guard let result, let date = isoDate(result, in: text) else { return }
                found = date
                stop.pointee = true
            }
            if let found { return found }
        }
        return nil
    }

    static func isoDate(_ result: NSTextCheckingResult, in text: String) -> String? {
        func group(_ name: Int) -> String? {
            // The date groups sit after the keyword's own groups in `dateWords`.
            let offset = result.numberOfRanges - 14
            let range = result.range(at: name + offset)
            guard range.location != NSNotFound, let swiftRange = Range(range, in: text) else { return nil }
            return String(text[swiftRange])
        }
        var year: Int?
        var month: Int?
        var day: Int?
        if let y = group(2) {
            (year, month, day) = (Int(y), group(3).flatMap { Int($0) }, group(4).flatMap { Int($0) })
        } else if let m = group(5) {
            (month, day, year) = (Int(m), group(6).flatMap { Int($0) }, group(7).flatMap { Int($0) })
            if let y = year, y < 100 { year = 2000 + y }
        } else if let d = group(8) {
            (day, month, year) = (Int(d), group(9).flatMap { Int($0) }, group(10).flatMap { Int($0) })
        } else if let name = group(11) {
            let months = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
            month = months.firstIndex(of: String(name.lowercased().prefix(3))).map { $0 + 1 }
            (day, year) = (group(12).flatMap { Int($0) }, group(13).flatMap { Int($0) })
        }
        guard let year, let month, let day, (1900...2200).contains(year), (1...12).contains(month) else { return nil }
        var components = DateComponents()
        (components.year, components.month, components.day) = (year, month, day)
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        guard (1...31).contains(day), let date = calendar.date(from: components),
            calendar.component(.day, from: date) == day
        else { return nil }
        return String(format: "%04d-%02d-%02d", year, month, day)
    }

    /// Lines shaped like a result: a name, a number, and a unit or a reference range.
    static let resultLine = regex(
        #"^\s*([A-Za-z][A-Za-z0-9 ,()/%+.\-]{1,60}?)\s+[<>]?\s*-?\d+(\.\d+)?\s*(H|L|High|Low|\*)?\s+(([A-Za-z%µ/^*][A-Za-z0-9%µ/^*.]*)|(\d+(\.\d+)?\s*-\s*\d+(\.\d+)?))"#
    )
    static let notResults = regex(
        #"(?i)^\s*(page|date|dob|birth|phone|tel|fax|patient|account|acct|specimen|collected|reported|received|age|id|npi|order|client|physician|provider)\b"#
    )

    static func resultLines(in text: String) -> Int {
        text.split(separator: "\n").count { line in
            let line = String(line)
            return match(resultLine, line) != nil && match(notResults, line) == nil
        }
    }

    static func regex(_ pattern: String) -> NSRegularExpression {
        // The patterns are constants of this file: a bad one is a programming error.
        try! NSRegularExpression(pattern: pattern, options: [.anchorsMatchLines])
    }

    static func match(_ expression: NSRegularExpression, _ text: String) -> NSTextCheckingResult? {
        expression.firstMatch(in: text, range: NSRange(text.startIndex..., in: text))
    }
}
