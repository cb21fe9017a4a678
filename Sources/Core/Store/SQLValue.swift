/// A value bound to or read from SQL.
public enum SQLValue: Sendable, Equatable {
    case null
    case int(Int64)
    case double(Double)
    case text(String)
    case blob([UInt8])
}

// Constructors from optionals and Swift's own integer and Bool types, so call sites
// can bind a model's fields directly: `.text(patient.notes)` binds NULL when nil.
extension SQLValue {
    /// A boolean as MariaDB stores it: `.int(1)` or `.int(0)`.
    public static func bool(_ value: Bool) -> SQLValue { .int(value ? 1 : 0) }
    /// A boolean, or NULL when nil.
    public static func bool(_ value: Bool?) -> SQLValue { value.map { .bool($0) } ?? .null }
    /// A Swift `Int`.
    public static func int(_ value: Int) -> SQLValue { .int(Int64(value)) }
    /// A Swift `Int`, or NULL when nil.
    public static func int(_ value: Int?) -> SQLValue { value.map { .int(Int64($0)) } ?? .null }
    /// An `Int64`, or NULL when nil.
    public static func int(_ value: Int64?) -> SQLValue { value.map { .int($0) } ?? .null }
    /// A `Double`, or NULL when nil.
    public static func double(_ value: Double?) -> SQLValue { value.map { .double($0) } ?? .null }
    /// A string, or NULL when nil.
    public static func text(_ value: String?) -> SQLValue { value.map { .text($0) } ?? .null }
    /// Bytes, or NULL when nil.
    public static func blob(_ value: [UInt8]?) -> SQLValue { value.map { .blob($0) } ?? .null }

    /// A UTC timestamp for a DATETIME column, given as the store returns them
    /// ("YYYY-MM-DDTHH:MM:SSZ"). MariaDB refuses the trailing "Z" in strict mode, so it
    /// is dropped; the "T" is accepted as is. NULL when nil.
    public static func datetime(_ iso8601: String?) -> SQLValue {
        guard var text = iso8601 else { return .null }
        if text.hasSuffix("Z") { text.removeLast() }
        return .text(text)
    }

    /// The value as an integer (whole doubles and numeric text converted), as `Row.int`
    /// does for a named column, for code that reads columns by position.
    public var integerValue: Int64? {
        switch self {
        case .int(let value): return value
        case .double(let value): return Int64(exactly: value)
        case .text(let text): return Int64(text)
        case .null, .blob: return nil
        }
    }

    /// The value as a double (integers and numeric text converted), as `Row.double`.
    public var doubleValue: Double? {
        switch self {
        case .double(let value): return value
        case .int(let value): return Double(value)
        case .text(let text): return Double(text)
        case .null, .blob: return nil
        }
    }

    /// The value as text when it is text (by position, like `Row.string` for text).
    public var textValue: String? {
        if case .text(let text) = self { return text }
        return nil
    }

    /// True for `.null`.
    public var isNull: Bool {
        if case .null = self { return true }
        return false
    }
}
