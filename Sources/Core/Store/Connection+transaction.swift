extension Connection {
    /// Runs `body` in a transaction: COMMIT when it returns, ROLLBACK when anything
    /// throws (and the error is rethrown). A call inside another transaction just runs
    /// `body` as part of the outer one. When the transaction loses a deadlock or a lock
    /// wait, the whole of `body` runs once more, so it must not have side effects
    /// outside the database that cannot be repeated.
    @discardableResult
    public func transaction<T>(_ body: () throws -> T) throws -> T {
        if transactionDepth > 0 { return try body() }
        do {
            return try runTransaction(body)
        } catch StoreError.deadlock {
            return try runTransaction(body)
        }
    }

    private func runTransaction<T>(_ body: () throws -> T) throws -> T {
        try run("START TRANSACTION")
        transactionDepth = 1
        defer { transactionDepth = 0 }
        do {
            let value = try body()
            try run("COMMIT")
            return value
        } catch {
            rollbackQuietly()
            throw error
        }
    }

    /// ROLLBACK, ignoring failure: the error that got us here is the one to report,
    /// and a session that died has rolled back on the server anyway.
    private func rollbackQuietly() {
        guard isConnected else { return }
        _ = try? run("ROLLBACK")
    }
}
