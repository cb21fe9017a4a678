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

    func cell(_ index: Int) throws -> RawCell {
        guard index < buffers.count else { return .null }
        return try buffers.cell(index, of: statement, truncated: truncated)
    }
}
