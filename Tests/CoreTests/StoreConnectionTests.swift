import Foundation
import Testing

@testable import Core

/// Statement caching, connection loss and recovery.
@Suite struct StoreConnectionTests {
    private func preparedCount(_ db: Connection) throws -> Int64 {
        let row = try db.queryOne("SHOW SESSION STATUS LIKE 'Com_stmt_prepare'")
        return try #require(row?.int("Value"))
    }

    @Test func preparedStatementsAreReused() throws {
        let db = try TestDatabase.connect()
        let before = try preparedCount(db)
        let cachedBefore = db.preparedStatementCount
        for number in 1...20 {
            #expect(try db.queryOne("SELECT ? + 1 AS n", [.int(number)])?.int("n") == Int64(number + 1))
        }
        let after = try preparedCount(db)
        // One prepare for the SELECT; the SHOW STATUS statement was cached by the first call.
        #expect(after - before == 1)
        #expect(db.preparedStatementCount == cachedBefore + 1)
    }

    @Test func cacheIsCapped() throws {
        let db = try TestDatabase.connect()
        for number in 0..<(StatementCache.capacity + 10) {
            _ = try db.queryOne("SELECT \(number) AS n")
        }
        #expect(db.preparedStatementCount <= StatementCache.capacity)
        #expect(try db.queryOne("SELECT 1 AS n")?.int("n") == 1)
    }

    @Test func reconnectsAfterTheSessionIsKilled() throws {
        let db = try TestDatabase.connect()
        let killer = try TestDatabase.connect()
        let table = try ScratchTable(db, columns: "id INT PRIMARY KEY")
        defer { table.drop() }
        try db.execute("INSERT INTO \(table.name) VALUES (?)", [.int(1)])
        let before = try #require(db.serverConnectionID)
        try killer.run("KILL CONNECTION \(before)")

        // The next call finds the session dead, reconnects and retries once, transparently.
        #expect(try db.queryOne("SELECT COUNT(*) AS n FROM \(table.name)")?.int("n") == 1)
        #expect(db.serverConnectionID != before)
        #expect(try db.queryOne("SELECT @@time_zone AS tz")?.string("tz") == "+00:00", "session set-up is redone")
        try killer.run("KILL CONNECTION \(try #require(db.serverConnectionID))")
        #expect(try db.execute("INSERT INTO \(table.name) VALUES (?)", [.int(2)]).affectedRows == 1)
        try killer.run("KILL CONNECTION \(try #require(db.serverConnectionID))")
        try db.run("SET @x = 1")
    }

    @Test func lossInsideATransactionIsReported() throws {
        let db = try TestDatabase.connect()
        let killer = try TestDatabase.connect()
        let table = try ScratchTable(db, columns: "id INT PRIMARY KEY")
        defer { table.drop() }
        #expect {
            try db.transaction {
                try db.execute("INSERT INTO \(table.name) VALUES (?)", [.int(1)])
                try killer.run("KILL CONNECTION \(try #require(db.serverConnectionID))")
                try db.execute("INSERT INTO \(table.name) VALUES (?)", [.int(2)])
            }
        } throws: { error in
            if case StoreError.unavailable = error { return true }
            return false
        }
        #expect(!db.isInTransaction)
        #expect(try db.queryOne("SELECT COUNT(*) AS n FROM \(table.name)")?.int("n") == 0)
    }

    @Test func unreachableServerIsUnavailableQuickly() throws {
        var config = try TestDatabase.config()
        config.socket = "/nonexistent/mysqld.sock"
        let started = ContinuousClock.now
        let db = try Connection(config)
        #expect(!db.ping())
        for _ in 0..<3 {
            #expect {
                try db.query("SELECT 1")
            } throws: { error in
                guard case StoreError.unavailable(let message) = error else { return false }
                return message.contains("/nonexistent/mysqld.sock")
            }
        }
        #expect(ContinuousClock.now - started < .seconds(3))
    }

    @Test func pingReportsAndRestores() throws {
        let db = try TestDatabase.connect()
        let killer = try TestDatabase.connect()
        #expect(db.ping())
        try killer.run("KILL CONNECTION \(try #require(db.serverConnectionID))")
        #expect(db.ping(), "ping reconnects outside a transaction")
        db.close()
        #expect(!db.isConnected)
        #expect(try db.queryOne("SELECT 1 AS n")?.int("n") == 1)
    }

    @Test func sessionIsSetUp() throws {
        let db = try TestDatabase.connect()
        let row = try #require(
            try db.queryOne(
                "SELECT @@time_zone AS tz, @@sql_mode AS mode, @@autocommit AS ac, @@innodb_lock_wait_timeout AS wait, @@character_set_client AS cs"
            ))
        #expect(row.string("tz") == "+00:00")
        #expect(row.string("mode")?.contains("STRICT_ALL_TABLES") == true)
        #expect(row.int("ac") == 1)
        #expect(row.int("wait") == 10, "a lock wait ends before the 30 s read timeout")
        #expect(row.string("cs") == "utf8mb4")
    }

    @Test func runAndExecuteDiscardResultSets() throws {
        let db = try TestDatabase.connect()
        try db.run("SELECT 1")
        #expect(try db.execute("SELECT seq FROM seq_1_to_100").affectedRows == 0)
        try db.run("SET @medikeep = 5")
        #expect(try db.queryOne("SELECT @medikeep AS v")?.int("v") == 5)
    }
}
