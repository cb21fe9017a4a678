/// Query-string values, checked as decisions rule 6 asks:
/// a non-integer or negative number is 422 naming the parameter; over the maximum clamps.
public enum QueryValues {
    /// A non-negative integer parameter, `fallback` when absent, at most `max` when given.
    public static func count(_ query: QueryParameters, _ name: String, default fallback: Int, max: Int? = nil) throws
        -> Int
    {
        guard let raw = query[name], !raw.isEmpty else { return fallback }
        // A number too long for an Int is still a number over any maximum: clamp it.
        if let max, raw.utf8.count > 18, raw.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) { return max }
        guard let value = Int(raw) else { throw APIError.validation([FieldProblem(name, "must be an integer")]) }
        guard value >= 0 else { throw APIError.validation([FieldProblem(name, "must be greater than or equal to 0")]) }
        if let max { return Swift.min(value, max) }
        return value
    }

    /// An optional id parameter (`patient_id`): nil when absent, 422 unless a non-negative integer.
    public static func id(_ query: QueryParameters, _ name: String) throws -> Int64? {
        guard let raw = query[name], !raw.isEmpty else { return nil }
        guard let value = Int64(raw), value >= 0 else {
            throw APIError.validation([FieldProblem(name, "must be an integer")])
        }
        return value
    }

    /// A boolean parameter in the spellings clients use (true/false, 1/0, yes/no, on/off).
    public static func flag(_ query: QueryParameters, _ name: String, default fallback: Bool) throws -> Bool {
        guard let raw = query[name], !raw.isEmpty else { return fallback }
        switch raw.lowercased() {
        case "true", "1", "yes", "on": return true
        case "false", "0", "no", "off": return false
        default: throw APIError.validation([FieldProblem(name, "must be a boolean")])
        }
    }
}
