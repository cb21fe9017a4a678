import CMariaDB

/// The MYSQL_BIND array for one statement's `?` markers, with the memory behind it.
/// Connector/C reads these buffers during `mysql_stmt_execute`, so they live on the
/// heap as long as the statement; text and blob values are copied into one growable
/// area, which costs a memcpy and no allocation once it is big enough.
final class ParameterBuffers {
    let count: Int
    private let binds: UnsafeMutablePointer<MYSQL_BIND>
    /// 8 bytes per parameter for an Int64 or a Double.
    private let numbers: UnsafeMutableRawPointer
    private let lengths: UnsafeMutablePointer<UInt>
    private var bytes: UnsafeMutableRawPointer
    private var bytesCapacity: Int

    init(count: Int) {
        self.count = count
        binds = .allocate(capacity: max(count, 1))
        binds.initialize(repeating: MYSQL_BIND(), count: max(count, 1))
        numbers = .allocate(byteCount: 8 * max(count, 1), alignment: 8)
        lengths = .allocate(capacity: max(count, 1))
        lengths.initialize(repeating: 0, count: max(count, 1))
        bytesCapacity = 256
        bytes = .allocate(byteCount: bytesCapacity, alignment: 8)
    }

    deinit {
        binds.deallocate()
        numbers.deallocate()
        lengths.deallocate()
        bytes.deallocate()
    }

    /// Copies `values` into the buffers and hands them to the statement.
    func bind(_ values: [SQLValue], to statement: UnsafeMutablePointer<MYSQL_STMT>) throws {
        guard values.count == count else {
            throw DriverError(
                code: 2031, message: "statement has \(count) parameters but \(values.count) values were bound")
        }
        guard count > 0 else { return }
        reserveBytes(for: values)
        var offset = 0
        for (index, value) in values.enumerated() {
            var bind = MYSQL_BIND()
            let slot = numbers + 8 * index
            switch value {
            case .null:
                bind.buffer_type = MYSQL_TYPE_NULL
            case .int(let number):
                slot.storeBytes(of: number, as: Int64.self)
                bind.buffer_type = MYSQL_TYPE_LONGLONG
                bind.buffer = slot
                bind.buffer_length = 8
            case .double(let number):
                slot.storeBytes(of: number, as: Double.self)
                bind.buffer_type = MYSQL_TYPE_DOUBLE
                bind.buffer = slot
                bind.buffer_length = 8
            case .text(var text):
                let length = text.withUTF8 { copy(UnsafeRawBufferPointer($0), at: offset) }
                point(&bind, type: MYSQL_TYPE_STRING, at: offset, length: length, index: index)
                offset += length
            case .blob(let data):
                let length = data.withUnsafeBytes { copy($0, at: offset) }
                point(&bind, type: MYSQL_TYPE_BLOB, at: offset, length: length, index: index)
                offset += length
            }
            binds[index] = bind
        }
        if mysql_stmt_bind_param(statement, binds) != 0 {
            throw DriverError(statement: statement)
        }
    }

    private func point(_ bind: inout MYSQL_BIND, type: enum_field_types, at offset: Int, length: Int, index: Int) {
        lengths[index] = UInt(length)
        bind.buffer_type = type
        bind.buffer = bytes + offset
        bind.buffer_length = UInt(length)
        bind.length = lengths + index
    }

    private func copy(_ source: UnsafeRawBufferPointer, at offset: Int) -> Int {
        if let base = source.baseAddress, source.count > 0 {
            (bytes + offset).copyMemory(from: base, byteCount: source.count)
        }
        return source.count
    }

    /// Grows the byte area to hold every text and blob value of this call.
    private func reserveBytes(for values: [SQLValue]) {
        var needed = 0
        for value in values {
            switch value {
            case .text(let text): needed += text.utf8.count
            case .blob(let data): needed += data.count
            case .null, .int, .double: break
            }
        }
        guard needed > bytesCapacity else { return }
        bytes.deallocate()
        bytesCapacity = max(needed, bytesCapacity * 2)
        bytes = .allocate(byteCount: bytesCapacity, alignment: 8)
    }
}

extension DriverError {
    /// The statement's last error.
    init(statement: UnsafeMutablePointer<MYSQL_STMT>) {
        self.init(code: mysql_stmt_errno(statement), message: String(cString: mysql_stmt_error(statement)))
    }

    /// The connection's last error.
    init(connection: UnsafeMutablePointer<MYSQL>) {
        self.init(code: mysql_errno(connection), message: String(cString: mysql_error(connection)))
    }
}
