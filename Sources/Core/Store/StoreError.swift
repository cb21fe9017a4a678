/// Why a database call failed, sorted by what the caller can do about it.
public enum StoreError: Error, Sendable {
    /// MariaDB cannot be reached or the connection was lost; the app answers 503.
    case unavailable(String)
    /// A UNIQUE or PRIMARY KEY index refused the row; `key` is the index name.
    case duplicate(key: String, message: String)
    /// A foreign key refused the change (missing parent, or children still refer to it).
    case foreignKey(String)
    /// A value did not fit its column: too long, out of range, wrong format, CHECK failed.
    case invalidData(String)
    /// The transaction lost a deadlock or waited too long for a lock.
    case deadlock(String)
    /// Any other server or client error, with MariaDB's error number.
    case other(code: UInt32, message: String)
}

extension StoreError: CustomStringConvertible {
    public var description: String {
        switch self {
        case .unavailable(let message): return "database unavailable: \(message)"
        case .duplicate(let key, let message): return "duplicate key \(key): \(message)"
        case .foreignKey(let message): return "foreign key: \(message)"
        case .invalidData(let message): return "invalid data: \(message)"
        case .deadlock(let message): return "deadlock: \(message)"
        case .other(let code, let message): return "database error \(code): \(message)"
        }
    }
}

extension StoreError {
    /// Sorts a MariaDB server or Connector/C error number into a case.
    init(code: UInt32, message: String) {
        switch code {
        case 1062, 1586:
            self = .duplicate(key: Self.indexName(inDuplicateMessage: message), message: message)
        case 1216, 1217, 1451, 1452:
            self = .foreignKey(message)
        case 1048, 1264, 1265, 1292, 1366, 1367, 1406, 1690, 3140, 4025:
            self = .invalidData(message)
        case 1205, 1213:
            self = .deadlock(message)
        case 1040, 1045, 1053, 1927, 2002, 2003, 2005, 2006, 2013, 2026, 2055, 4031:
            self = .unavailable("error \(code): \(message)")
        default:
            self = .other(code: code, message: message)
        }
    }

    /// The column from "Data too long for column 'name' at row 1" (and the other
    /// value errors that name one), or nil.
    static func columnName(inMessage message: String) -> String? {
        guard let range = message.range(of: "column '") else { return nil }
        let rest = message[range.upperBound...]
        guard let end = rest.firstIndex(of: "'") else { return nil }
        let column = rest[..<end]
        return column.isEmpty ? nil : String(column)
    }

    /// The index name from "Duplicate entry 'x' for key 'email'": the last quoted token
    /// (the entry itself may contain quotes). MySQL 8 writes 'table.index'; keep the index.
    static func indexName(inDuplicateMessage message: String) -> String {
        var text = Substring(message)
        guard text.hasSuffix("'") else { return "" }
        text.removeLast()
        guard let open = text.lastIndex(of: "'") else { return "" }
        let key = text[text.index(after: open)...]
        if let dot = key.lastIndex(of: ".") { return String(key[key.index(after: dot)...]) }
        return String(key)
    }
}

/// A raw failure from Connector/C, before the connection decides whether to reconnect
/// and retry; callers only ever see it turned into a `StoreError`.
struct DriverError: Error {
    let code: UInt32
    let message: String
    /// Raised while preparing, so no statement of the caller's ran on the server.
    var beforeExecution = false

    init(code: UInt32, message: String) {
        self.code = code
        self.message = message
    }

    /// The command never reached the server: "server has gone away" (2006, raised when
    /// sending) and the server's own "disconnected for inactivity" (4031, for a session
    /// it had already closed). Contrast 2013, lost *during* the query.
    var neverReachedServer: Bool { code == 2006 || code == 4031 }

    /// The connection is dead (server restarted, killed, timed out) or its protocol
    /// state is broken; either way the only way on is a fresh connection.
    var connectionLost: Bool {
        switch code {
        case 1053, 1927, 2006, 2013, 2014, 2055, 4031: return true
        default: return false
        }
    }

    /// The server forgot or refused the statement handle; preparing again fixes it
    /// (1615: needs re-prepare after a schema change; 1243: unknown handle;
    /// 1461: the server-wide max_prepared_stmt_count was reached).
    var statementStale: Bool {
        code == 1615 || code == 1243 || code == 1461
    }
}
