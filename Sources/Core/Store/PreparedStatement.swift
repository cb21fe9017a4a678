import CMariaDB

/// One server-side prepared statement with its parameter and result buffers. Owned by
/// a connection's cache; closing it (deinit) frees the server handle too, unless the
/// connection was closed first, in which case Connector/C only frees client memory.
final class PreparedStatement {
    private let handle: UnsafeMutablePointer<MYSQL_STMT>
    private let parameters: ParameterBuffers
    private var results: ResultBuffers?

    init(sql: String, on connection: UnsafeMutablePointer<MYSQL>) throws {
        guard let handle = mysql_stmt_init(connection) else {
            throw DriverError(connection: connection)
        }
        var sql = sql
        let status = sql.withUTF8 { text in
            text.withMemoryRebound(to: CChar.self) { mysql_stmt_prepare(handle, $0.baseAddress, UInt($0.count)) }
        }
        if status != 0 {
            let error = DriverError(statement: handle)
            mysql_stmt_close(handle)
            throw error
        }
        self.handle = handle
        parameters = ParameterBuffers(count: Int(mysql_stmt_param_count(handle)))
    }

    deinit {
        mysql_stmt_close(handle)
    }

    /// Runs a statement that changes data. A result set, if any, is discarded.
    func execute(_ values: [SQLValue]) throws -> ExecResult {
        try run(values)
        let affected = mysql_stmt_affected_rows(handle)
        let result = ExecResult(
            // (my_ulonglong)-1 means "not applicable", as for a SELECT.
            affectedRows: affected == UInt64.max ? 0 : Int(clamping: affected),
            lastInsertID: Int64(bitPattern: mysql_stmt_insert_id(handle))
        )
        if mysql_stmt_field_count(handle) > 0 { mysql_stmt_free_result(handle) }
        return result
    }

    /// Runs a query and reads up to `limit` rows (the rest are discarded).
    func query(_ values: [SQLValue], limit: Int = .max) throws -> [Row] {
        try run(values)
        guard let results = try currentResults() else { return [] }
        try results.bind(to: handle)
        var rows: [Row] = []
        while rows.count < limit {
            let status = mysql_stmt_fetch(handle)
            if status == MYSQL_NO_DATA { return rows }
            if status != 0 && status != MYSQL_DATA_TRUNCATED { throw DriverError(statement: handle) }
            rows.append(try results.row(of: handle, truncated: status == MYSQL_DATA_TRUNCATED))
        }
        // Stopped early: drain the rest of the unbuffered result so the connection is free.
        mysql_stmt_free_result(handle)
        return rows
    }

    /// Runs the query and hands each row to `body` in place (`RawRow`); returns how many.
    func forEachRow(_ values: [SQLValue], _ body: (RawRow) throws -> Void) throws -> Int {
        try run(values)
        guard let results = try currentResults() else { return 0 }
        try results.bind(to: handle)
        var count = 0
        while true {
            let status = mysql_stmt_fetch(handle)
            if status == MYSQL_NO_DATA { return count }
            if status != 0 && status != MYSQL_DATA_TRUNCATED { throw DriverError(statement: handle) }
            do {
                try body(RawRow(buffers: results, statement: handle, truncated: status == MYSQL_DATA_TRUNCATED))
            } catch {
                mysql_stmt_free_result(handle)  // the rest of the result, so the connection is free
                throw error
            }
            count += 1
        }
    }

    private func run(_ values: [SQLValue]) throws {
        try parameters.bind(values, to: handle)
        if mysql_stmt_execute(handle) != 0 { throw DriverError(statement: handle) }
    }

    /// The result buffers for the shape just executed, built on first use and rebuilt
    /// when the columns' types changed (see `ResultBuffers.matches`).
    private func currentResults() throws -> ResultBuffers? {
        let count = Int(mysql_stmt_field_count(handle))
        guard count > 0, let fields = handle.pointee.fields else { return nil }
        if let results, results.matches(fields, count: count) { return results }
        let fresh = ResultBuffers(fields: fields, count: count)
        results = fresh
        return fresh
    }
}
