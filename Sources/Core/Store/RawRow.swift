import CMariaDB

/// One column of a row read in place from the statement's result buffers (`RawRow`).
enum RawCell {
    case null
    case integer(Int64)
    case double(Double)
    /// Text as the column's UTF-8 bytes, valid only until the next row is fetched.
    case utf8(UnsafeRawBufferPointer)
    case temporal(MYSQL_TIME, ResultBuffers.Kind)
    /// Whatever else (unsigned, FLOAT, DECIMAL, blobs, bits, values longer than their
    /// buffer), as `Row` would hold it.
    case value(SQLValue)
}

/// The current row of a query, read column by column where the driver put it: a page
/// of records written straight to JSON makes no `Row`, no `SQLValue` array and no
/// `String` per text column (`Connection.forEachRow`). Valid only inside the callback.
struct RawRow {
    let buffers: ResultBuffers
    let statement: UnsafeMutablePointer<MYSQL_STMT>
    let truncated: Bool

    var count: Int { buffers.count }

    /// Column `index` as a number (integers, doubles, decimals and numeric text), as
    /// `Row.double` reads it.
    func double(_ index: Int) throws -> Double? {
        switch try cell(index) {
        case .integer(let value): return Double(value)
        case .double(let value): return value
        case .utf8(let bytes): return Double(String(decoding: bytes, as: UTF8.self))
        case .value(let value): return value.doubleValue
        case .null, .temporal: return nil
        }
    }

    /// Column `index` as text when it is text, as `SQLValue.textValue` reads it.
    func string(_ index: Int) throws -> String? {
        switch try cell(index) {
        case .utf8(let bytes): return String(decoding: bytes, as: UTF8.self)
        case .value(let value): return value.textValue
        case .null, .integer, .double, .temporal: return nil
        }
    }

    func cell(_ index: Int) throws -> RawCell {
        guard index < buffers.count else { return .null }
        return try buffers.cell(index, of: statement, truncated: truncated)
    }
}
