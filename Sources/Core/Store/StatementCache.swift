import CMariaDB

/// A connection's prepared statements, keyed by SQL text. The app has a fixed set of
/// queries, so the cache fills once and stays; the cap only guards against a caller
/// that builds SQL text dynamically. When full it is emptied rather than tracked LRU:
/// simpler, and re-preparing a few hundred statements is cheap.
struct StatementCache {
    /// Server side, statements count against max_prepared_stmt_count (16382 by default)
    /// summed over all connections: 256 x 64 connections would reach it.
    static let capacity = 256

    private var statements: [String: PreparedStatement] = [:]

    /// Number of statements currently prepared.
    var count: Int { statements.count }

    /// The cached statement for `sql`, preparing it on first use.
    mutating func statement(for sql: String, on connection: UnsafeMutablePointer<MYSQL>) throws -> PreparedStatement {
        if let statement = statements[sql] { return statement }
        if statements.count >= Self.capacity { statements.removeAll(keepingCapacity: true) }
        let statement = try PreparedStatement(sql: sql, on: connection)
        statements[sql] = statement
        return statement
    }

    mutating func remove(_ sql: String) {
        statements[sql] = nil
    }

    mutating func removeAll() {
        statements.removeAll()
    }
}
