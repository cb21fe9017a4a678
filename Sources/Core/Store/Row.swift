/// One result row. Values are in select-list order; lookups by name go through a
/// column map built once per prepared statement and shared by all its rows.
public struct Row: Sendable {
    let columns: ColumnIndex
    /// The row's values in select-list order.
    public let values: [SQLValue]

    init(columns: ColumnIndex, values: [SQLValue]) {
        self.columns = columns
        self.values = values
    }

    /// Builds a row by hand, for tests and fakes that stand in for the database.
    public init(columns: [String], values: [SQLValue]) {
        self.init(columns: ColumnIndex(names: columns), values: values)
    }

    /// Column names (or aliases) in select-list order.
    public var columnNames: [String] { columns.names }

    /// The value of the named column; `.null` if the row has no such column.
    public subscript(_ column: String) -> SQLValue {
        guard let index = columns.position[column] else { return .null }
        return values[index]
    }

    /// The value at a select-list position; `.null` if out of range.
    public subscript(_ index: Int) -> SQLValue {
        values.indices.contains(index) ? values[index] : .null
    }

    /// The column as an integer: integers as is, whole doubles and numeric text converted.
    public func int(_ column: String) -> Int64? { self[column].integerValue }

    /// The column as a string: text as is, numbers printed, blobs if valid UTF-8.
    public func string(_ column: String) -> String? {
        switch self[column] {
        case .text(let text): return text
        case .int(let value): return String(value)
        case .double(let value): return String(value)
        case .blob(let bytes): return String(validating: bytes, as: UTF8.self)
        case .null: return nil
        }
    }

    /// The column as a double: doubles, integers and numeric text.
    public func double(_ column: String) -> Double? { self[column].doubleValue }

    /// The column as a boolean: any non-zero number is true.
    public func bool(_ column: String) -> Bool? {
        switch self[column] {
        case .int(let value): return value != 0
        case .double(let value): return value != 0
        case .text(let text): return Int64(text).map { $0 != 0 }
        case .null, .blob: return nil
        }
    }

    /// The column as bytes: blobs as is, text as its UTF-8.
    public func blob(_ column: String) -> [UInt8]? {
        switch self[column] {
        case .blob(let bytes): return bytes
        case .text(let text): return Array(text.utf8)
        case .int, .double, .null: return nil
        }
    }
}

/// Column names and the name -> position map of one result shape. The first of
/// duplicate names wins, as `SELECT a.id, b.id` would make a name lookup ambiguous.
final class ColumnIndex: Sendable {
    let names: [String]
    let position: [String: Int]

    init(names: [String]) {
        self.names = names
        var position: [String: Int] = [:]
        position.reserveCapacity(names.count)
        for (index, name) in names.enumerated() where position[name] == nil {
            position[name] = index
        }
        self.position = position
    }
}
