import CMariaDB

/// One connection to MariaDB, owned by one thread and never shared: each worker thread
/// has its own, with its own prepared statements. It connects on creation when it can,
/// and otherwise (or after losing the server) on the next call, so a MariaDB restart
/// costs the requests made while it is down a 503 and nothing more.
public final class Connection {
    private var handle: UnsafeMutablePointer<MYSQL>?
    private var statements = StatementCache()
    /// Depth of `transaction` calls; only the outermost one begins and commits.
    var transactionDepth = 0

    /// Session settings applied on every (re)connect: UTC, so DATETIME values mean UTC;
    /// strict SQL, so bad data is an error rather than a silently changed value; and lock
    /// waits that give up (as `.deadlock`) well before the read timeout would drop the
    /// connection, so a blocked request gets an answer instead of a lost session.
    static func sessionSetup(readTimeout: Int) -> String {
        var setup = """
            SET time_zone = '+00:00', autocommit = 1, \
            sql_mode = 'STRICT_ALL_TABLES,NO_ZERO_IN_DATE,NO_ZERO_DATE,ERROR_FOR_DIVISION_BY_ZERO,NO_ENGINE_SUBSTITUTION'
            """
        if readTimeout > 0 {
            let lockWait = max(1, readTimeout / 3)
            setup += ", innodb_lock_wait_timeout = \(lockWait), lock_wait_timeout = \(lockWait)"
        }
        return setup
    }

    /// The configuration this connection (re)connects with.
    let config: DatabaseConfig

    /// Creates the connection and tries to connect. It does not fail when MariaDB is
    /// down: the next statement tries again and throws `StoreError.unavailable`.
    public init(_ config: DatabaseConfig) throws {
        Store.initializeLibrary()
        self.config = config
        handle = try? open()
    }

    deinit {
        close()
    }

    /// True between the start and the end of the outermost `transaction`.
    public var isInTransaction: Bool { transactionDepth > 0 }

    /// Runs a prepared query and returns all its rows.
    public func query(_ sql: String, _ binds: [SQLValue] = []) throws -> [Row] {
        try withStatement(sql) { try $0.query(binds) }
    }

    /// Runs a prepared query and hands each row to `body` where the driver fetched it,
    /// returning the number of rows. For answers written straight from rows (lists): no
    /// `Row` is built. A read that loses its connection runs again on a fresh one, so
    /// `body` may see the first rows twice: `restart` is called before each run and must
    /// undo what `body` did (truncate the answer).
    func forEachRow(
        _ sql: String, _ binds: [SQLValue] = [], restart: () -> Void, _ body: (RawRow) throws -> Void
    ) throws -> Int {
        try withStatement(sql) { statement in
            restart()
            return try statement.forEachRow(binds, body)
        }
    }

    /// Runs a prepared query and returns its first row, or nil; further rows are dropped.
    public func queryOne(_ sql: String, _ binds: [SQLValue] = []) throws -> Row? {
        try withStatement(sql) { try $0.query(binds, limit: 1) }.first
    }

    /// Runs a prepared INSERT, UPDATE, DELETE or other statement without rows.
    @discardableResult
    public func execute(_ sql: String, _ binds: [SQLValue] = []) throws -> ExecResult {
        try withStatement(sql) { try $0.execute(binds) }
    }

    /// Runs one statement unprepared, for what cannot or need not be prepared:
    /// DDL, SET, LOCK TABLES, START TRANSACTION. Any result set is discarded.
    public func run(_ sql: String) throws {
        try withConnection(rerunnable: Self.isRerunnable(sql)) { connection in
            var sql = sql
            let status = sql.withUTF8 { text in
                text.withMemoryRebound(to: CChar.self) { mysql_real_query(connection, $0.baseAddress, UInt($0.count)) }
            }
            if status != 0 { throw DriverError(connection: connection) }
            if mysql_field_count(connection) > 0, let result = mysql_store_result(connection) {
                mysql_free_result(result)
            }
        }
    }

    /// True if the server answers, reconnecting first if needed (outside a transaction).
    public func ping() -> Bool {
        if let handle, mysql_ping(handle) == 0 { return true }
        disconnect()
        guard transactionDepth == 0 else { return false }
        handle = try? open()
        return handle != nil
    }

    /// Disconnects now, e.g. in a master before it forks workers (a connection must not
    /// be shared across processes). The next call connects again.
    public func close() {
        disconnect()
    }

    /// True while a session is open (it may still turn out to be dead on next use).
    var isConnected: Bool { handle != nil }

    /// Number of prepared statements held, for tests.
    var preparedStatementCount: Int { statements.count }

    /// The server's id for this session (for `KILL`), or nil when disconnected.
    var serverConnectionID: UInt? { handle.map { mysql_thread_id($0) } }

    private func withStatement<T>(_ sql: String, _ body: (PreparedStatement) throws -> T) throws -> T {
        try withConnection(retryingStale: sql, rerunnable: Self.isRerunnable(sql)) { connection in
            let statement: PreparedStatement
            do {
                statement = try statements.statement(for: sql, on: connection)
            } catch var error as DriverError {
                error.beforeExecution = true  // preparing runs nothing
                throw error
            }
            return try body(statement)
        }
    }

    /// Statements that may run twice without harm: a read (or starting a transaction)
    /// lost mid-flight is simply asked again.
    static func isRerunnable(_ sql: String) -> Bool {
        // Bytes, case-folded by hand: this runs for every statement.
        let head = sql.utf8.prefix(32).drop { $0 == 0x20 || $0 == 0x0A || $0 == 0x28 }
        func starts(_ word: String) -> Bool {
            head.count >= word.utf8.count && zip(head, word.utf8).allSatisfy { $0 & 0xDF == $1 & 0xDF || $0 == $1 }
        }
        if starts("SELECT") {
            let next = head.dropFirst(6).first
            return next == 0x20 || next == 0x0A
        }
        return starts("START TRANSACTION") && head.count == 17
    }

    /// Runs `body` on a live connection. If the connection turns out to be dead, it is
    /// dropped, and outside a transaction `body` runs once more on a fresh one — but only
    /// when running it twice cannot apply a write twice: the failure came before the
    /// statement reached the server (2006, or while preparing), or the statement is
    /// `rerunnable`. "Lost during the query" (2013) after an INSERT may mean it committed;
    /// the caller must hear about it (503) rather than have the row written twice.
    /// Inside a transaction the transaction is gone with the session: never retried.
    private func withConnection<T>(
        retryingStale sql: String? = nil, rerunnable: Bool = false,
        _ body: (UnsafeMutablePointer<MYSQL>) throws -> T
    ) throws -> T {
        var retried = false
        while true {
            let connection = try connected()
            do {
                return try body(connection)
            } catch let error as DriverError {
                if error.connectionLost {
                    disconnect()
                    let safe = error.neverReachedServer || error.beforeExecution || rerunnable
                    if transactionDepth == 0 && !retried && safe { retried = true; continue }
                    let context = transactionDepth > 0 ? "connection lost inside a transaction" : "connection lost"
                    throw StoreError.unavailable("\(context): error \(error.code): \(error.message)")
                }
                if error.statementStale, let sql, !retried {
                    retried = true
                    if error.code == 1461 { statements.removeAll() } else { statements.remove(sql) }
                    continue
                }
                throw StoreError(code: error.code, message: error.message)
            }
        }
    }

    private func connected() throws -> UnsafeMutablePointer<MYSQL> {
        if let handle { return handle }
        guard transactionDepth == 0 else {
            // Reconnecting here would silently run the rest of the transaction in autocommit.
            throw StoreError.unavailable("connection lost inside a transaction")
        }
        let fresh = try open()
        handle = fresh
        return fresh
    }

    /// Closes the session; statements are freed after it, which Connector/C then does
    /// locally without talking to a server that may be gone.
    private func disconnect() {
        if let handle { mysql_close(handle) }
        handle = nil
        statements.removeAll()
    }

    private func open() throws -> UnsafeMutablePointer<MYSQL> {
        guard let connection = mysql_init(nil) else { throw StoreError.unavailable("mysql_init failed") }
        var connectTimeout = UInt32(clamping: config.connectTimeout)
        var readTimeout = UInt32(clamping: config.readTimeout)
        mysql_options(connection, MYSQL_OPT_CONNECT_TIMEOUT, &connectTimeout)
        mysql_options(connection, MYSQL_OPT_READ_TIMEOUT, &readTimeout)
        mysql_options(connection, MYSQL_OPT_WRITE_TIMEOUT, &readTimeout)
        mysql_options(connection, MYSQL_SET_CHARSET_NAME, "utf8mb4")
        mysql_options(connection, MYSQL_INIT_COMMAND, Self.sessionSetup(readTimeout: config.readTimeout))
        let connected = mysql_real_connect(
            connection,
            config.socket == nil ? config.host : "localhost",
            config.user,
            config.password,
            config.database.isEmpty ? nil : config.database,
            UInt32(clamping: config.port),
            config.socket,
            0
        )
        guard connected != nil else {
            let error = DriverError(connection: connection)
            mysql_close(connection)
            throw StoreError.unavailable(
                "cannot connect to MariaDB at \(config.endpoint): error \(error.code): \(error.message)")
        }
        return connection
    }
}

/// A connection belongs to the thread that made it; the compiler keeps it there.
@available(*, unavailable)
extension Connection: Sendable {}
