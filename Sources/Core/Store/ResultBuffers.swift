import CMariaDB

/// The MYSQL_BIND array a statement's result columns are fetched into, and the decoding
/// of each fetched row into `SQLValue`s by column type. Built once per prepared
/// statement; a row then costs one fetch and one small array.
final class ResultBuffers {
    /// How a column is fetched and what `SQLValue` it becomes.
    enum Kind {
        case integer(unsigned: Bool)
        case float
        case double
        case decimal
        case date
        case dateTime
        case time
        case text
        case blob
        /// BIT(n): Connector/C copies only the column's bytes (big-endian) into the
        /// buffer, so it is fetched as bytes and assembled here.
        case bits
    }

    /// Variable-length values are fetched into a buffer of the column's maximum size up
    /// to this many bytes; a longer value is read whole with mysql_stmt_fetch_column.
    static let initialVariableBuffer = 1024

    let count: Int
    let kinds: [Kind]
    private let signature: [FieldSignature]
    let columns: ColumnIndex
    private let binds: UnsafeMutablePointer<MYSQL_BIND>
    private let lengths: UnsafeMutablePointer<UInt>
    private let nulls: UnsafeMutablePointer<my_bool>
    private let truncations: UnsafeMutablePointer<my_bool>
    private let storage: UnsafeMutableRawPointer

    /// Builds buffers for the columns described by `fields` (the statement's metadata
    /// from its last execution).
    init(fields: UnsafeMutablePointer<MYSQL_FIELD>, count: Int) {
        self.count = count
        signature = (0..<count).map { FieldSignature(fields[$0]) }
        var kinds: [Kind] = []
        var names: [String] = []
        var sizes: [Int] = []
        for index in 0..<count {
            let field = fields[index]
            let kind = Self.kind(of: field)
            kinds.append(kind)
            names.append(String(cString: field.name))
            sizes.append(Self.bufferSize(kind, declaredLength: Int(field.length)))
        }
        self.kinds = kinds
        self.columns = ColumnIndex(names: names)
        let slots = max(count, 1)
        binds = .allocate(capacity: slots)
        binds.initialize(repeating: MYSQL_BIND(), count: slots)
        lengths = .allocate(capacity: slots)
        lengths.initialize(repeating: 0, count: slots)
        nulls = .allocate(capacity: slots)
        nulls.initialize(repeating: 0, count: slots)
        truncations = .allocate(capacity: slots)
        truncations.initialize(repeating: 0, count: slots)
        // One block for all columns, each slot 8-aligned so Int64, Double and MYSQL_TIME fit.
        let offsets = sizes.reduce(into: [0]) { $0.append($0.last! + ($1 + 7) / 8 * 8) }
        storage = .allocate(byteCount: max(offsets.last!, 8), alignment: 8)
        for index in 0..<count {
            binds[index].buffer_type = Self.bufferType(kinds[index], fieldType: fields[index].type)
            binds[index].buffer = storage + offsets[index]
            binds[index].buffer_length = UInt(sizes[index])
            binds[index].length = lengths + index
            binds[index].is_null = nulls + index
            binds[index].error = truncations + index
            if case .integer(let unsigned) = kinds[index] { binds[index].is_unsigned = unsigned ? 1 : 0 }
        }
    }

    deinit {
        binds.deallocate()
        lengths.deallocate()
        nulls.deallocate()
        truncations.deallocate()
        storage.deallocate()
    }

    /// True if these buffers still fit the columns. Columns whose type only the binds
    /// decide (`SELECT ?`) are typed NULL at prepare time, and a table altered since
    /// prepare changes types too; in both cases the buffers must be rebuilt.
    func matches(_ fields: UnsafeMutablePointer<MYSQL_FIELD>, count: Int) -> Bool {
        guard count == self.count else { return false }
        for index in 0..<count where signature[index] != FieldSignature(fields[index]) {
            return false
        }
        return true
    }

    /// Points the statement's result columns at these buffers (once per execution).
    func bind(to statement: UnsafeMutablePointer<MYSQL_STMT>) throws {
        if mysql_stmt_bind_result(statement, binds) != 0 { throw DriverError(statement: statement) }
    }

    /// The current fetched row as values. `truncated` is set when the fetch reported
    /// MYSQL_DATA_TRUNCATED: some variable-length value is longer than its buffer.
    func row(of statement: UnsafeMutablePointer<MYSQL_STMT>, truncated: Bool) throws -> Row {
        var values: [SQLValue] = []
        values.reserveCapacity(count)
        for index in 0..<count {
            if nulls[index] != 0 {
                values.append(.null)
            } else if truncated && truncations[index] != 0 {
                values.append(try fetchWhole(index, of: statement))
            } else {
                values.append(value(at: index))
            }
        }
        return Row(columns: columns, values: values)
    }

    /// Column `index` of the current fetched row, read in place: no String or array is
    /// made for text, numbers and temporal values (`RawRow`). Valid until the next fetch.
    func cell(_ index: Int, of statement: UnsafeMutablePointer<MYSQL_STMT>, truncated: Bool) throws -> RawCell {
        if nulls[index] != 0 { return .null }
        if truncated && truncations[index] != 0 { return .value(try fetchWhole(index, of: statement)) }
        let buffer = UnsafeRawPointer(binds[index].buffer!)
        switch kinds[index] {
        case .integer(unsigned: false): return .integer(buffer.load(as: Int64.self))
        case .double: return .double(buffer.load(as: Double.self))
        case .date, .dateTime, .time: return .temporal(buffer.load(as: MYSQL_TIME.self), kinds[index])
        case .text: return .utf8(UnsafeRawBufferPointer(start: buffer, count: Int(lengths[index])))
        case .integer(unsigned: true), .float, .decimal, .blob, .bits: return .value(value(at: index))
        }
    }

    private func value(at index: Int) -> SQLValue {
        let buffer = UnsafeRawPointer(binds[index].buffer!)
        switch kinds[index] {
        case .integer(let unsigned):
            if unsigned {
                let number = buffer.load(as: UInt64.self)
                return number <= UInt64(Int64.max) ? .int(Int64(number)) : .text(String(number))
            }
            return .int(buffer.load(as: Int64.self))
        case .float:
            // Via the shortest decimal form, so a FLOAT 0.1 reads as 0.1, not 0.100000001.
            return .double(Double(String(buffer.load(as: Float.self))) ?? 0)
        case .double:
            return .double(buffer.load(as: Double.self))
        case .decimal:
            return .double(Double(text(buffer, Int(lengths[index]))) ?? 0)
        case .date:
            return .text(TemporalText.date(buffer.load(as: MYSQL_TIME.self)))
        case .dateTime:
            return .text(TemporalText.dateTime(buffer.load(as: MYSQL_TIME.self)))
        case .time:
            return .text(TemporalText.time(buffer.load(as: MYSQL_TIME.self)))
        case .text:
            return .text(text(buffer, Int(lengths[index])))
        case .blob:
            let bytes = UnsafeRawBufferPointer(start: buffer, count: Int(lengths[index]))
            return .blob(Array(bytes))
        case .bits:
            let bytes = UnsafeRawBufferPointer(start: buffer, count: min(Int(lengths[index]), 8))
            let number = bytes.reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
            return number <= UInt64(Int64.max) ? .int(Int64(number)) : .text(String(number))
        }
    }

    private func text(_ buffer: UnsafeRawPointer, _ length: Int) -> String {
        String(decoding: UnsafeRawBufferPointer(start: buffer, count: length), as: UTF8.self)
    }

    /// Reads a value longer than its buffer straight into its final storage.
    private func fetchWhole(_ index: Int, of statement: UnsafeMutablePointer<MYSQL_STMT>) throws -> SQLValue {
        let length = Int(lengths[index])
        var column = MYSQL_BIND()
        column.buffer_type = binds[index].buffer_type
        var status: Int32 = 0
        var fetchedLength: UInt = 0
        func fill(_ destination: UnsafeMutableRawPointer?) {
            column.buffer = destination
            column.buffer_length = UInt(length)
            withUnsafeMutablePointer(to: &fetchedLength) { lengthPointer in
                column.length = lengthPointer
                status = mysql_stmt_fetch_column(statement, &column, UInt32(index), 0)
            }
        }
        let value: SQLValue
        switch kinds[index] {
        case .blob:
            value = .blob(
                [UInt8](unsafeUninitializedCapacity: length) { buffer, initialised in
                    fill(buffer.baseAddress)
                    initialised = length
                })
        default:
            value = .text(
                String(unsafeUninitializedCapacity: length) { buffer in
                    fill(buffer.baseAddress)
                    return length
                })
        }
        if status != 0 { throw DriverError(statement: statement) }
        return value
    }

    private static func kind(of field: MYSQL_FIELD) -> Kind {
        switch field.type {
        case MYSQL_TYPE_TINY, MYSQL_TYPE_SHORT, MYSQL_TYPE_LONG, MYSQL_TYPE_INT24,
            MYSQL_TYPE_LONGLONG, MYSQL_TYPE_YEAR:
            return .integer(unsigned: field.flags & UInt32(UNSIGNED_FLAG) != 0)
        case MYSQL_TYPE_BIT:
            return .bits
        case MYSQL_TYPE_FLOAT: return .float
        case MYSQL_TYPE_DOUBLE: return .double
        case MYSQL_TYPE_DECIMAL, MYSQL_TYPE_NEWDECIMAL: return .decimal
        case MYSQL_TYPE_DATE, MYSQL_TYPE_NEWDATE: return .date
        case MYSQL_TYPE_DATETIME, MYSQL_TYPE_TIMESTAMP: return .dateTime
        case MYSQL_TYPE_TIME: return .time
        case MYSQL_TYPE_GEOMETRY: return .blob
        default:
            // Strings, BLOB/TEXT, ENUM, SET, JSON: bytes are binary only in the binary charset.
            return field.charsetnr == 63 ? .blob : .text
        }
    }

    private static func bufferSize(_ kind: Kind, declaredLength: Int) -> Int {
        switch kind {
        case .integer, .double, .float, .bits: return 8
        case .date, .dateTime, .time: return MemoryLayout<MYSQL_TIME>.size
        case .decimal: return max(declaredLength, 66) + 2
        case .text, .blob: return max(1, min(declaredLength, initialVariableBuffer))
        }
    }

    private static func bufferType(_ kind: Kind, fieldType: enum_field_types) -> enum_field_types {
        switch kind {
        case .integer: return MYSQL_TYPE_LONGLONG
        case .float: return MYSQL_TYPE_FLOAT
        case .double: return MYSQL_TYPE_DOUBLE
        case .decimal, .text: return MYSQL_TYPE_STRING
        case .date, .dateTime, .time: return fieldType == MYSQL_TYPE_NEWDATE ? MYSQL_TYPE_DATE : fieldType
        case .blob, .bits: return MYSQL_TYPE_BLOB
        }
    }
}

/// What decides how a column is fetched: its type, whether it is binary, its sign.
private struct FieldSignature: Equatable {
    let type: UInt32
    let charset: UInt32
    let flags: UInt32

    init(_ field: MYSQL_FIELD) {
        type = field.type.rawValue
        charset = field.charsetnr
        flags = field.flags & UInt32(UNSIGNED_FLAG)
    }
}
