import Testing

@testable import Core

/// BEGIN / COMMIT / ROLLBACK, nesting and the deadlock retry.
@Suite struct StoreTransactionTests {
    struct Abort: Error {}

    private func count(_ db: Connection, _ table: ScratchTable) throws -> Int64? {
        try db.queryOne("SELECT COUNT(*) AS n FROM \(table.name)")?.int("n")
    }

    @Test func commitKeepsRows() throws {
        let db = try TestDatabase.connect()
        let table = try ScratchTable(db, columns: "id INT PRIMARY KEY")
        defer { table.drop() }
        let value = try db.transaction {
            #expect(db.isInTransaction)
            try db.execute("INSERT INTO \(table.name) VALUES (1), (2)")
            return 42
        }
        #expect(value == 42)
        #expect(!db.isInTransaction)
        let other = try TestDatabase.connect()
        #expect(try count(other, table) == 2)
    }

    @Test func thrownErrorRollsBack() throws {
        let db = try TestDatabase.connect()
        let table = try ScratchTable(db, columns: "id INT PRIMARY KEY")
        defer { table.drop() }
        #expect(throws: Abort.self) {
            try db.transaction {
                try db.execute("INSERT INTO \(table.name) VALUES (?)", [.int(1)])
                try db.execute("INSERT INTO \(table.name) VALUES (?)", [.int(2)])
                throw Abort()
            }
        }
        #expect(!db.isInTransaction)
        #expect(try count(db, table) == 0)
    }

    @Test func storeErrorRollsBackEarlierRows() throws {
        let db = try TestDatabase.connect()
        let table = try ScratchTable(db, columns: "id INT PRIMARY KEY")
        defer { table.drop() }
        #expect(throws: StoreError.self) {
            try db.transaction {
                try db.execute("INSERT INTO \(table.name) VALUES (?)", [.int(1)])
                try db.execute("INSERT INTO \(table.name) VALUES (?)", [.int(1)])
            }
        }
        #expect(try count(db, table) == 0)
    }

    @Test func nestedTransactionJoinsTheOuterOne() throws {
        let db = try TestDatabase.connect()
        let table = try ScratchTable(db, columns: "id INT PRIMARY KEY")
        defer { table.drop() }
        #expect(throws: Abort.self) {
            try db.transaction {
                try db.transaction {
                    try db.execute("INSERT INTO \(table.name) VALUES (1)")
                }
                #expect(db.isInTransaction, "the inner call does not commit or end the outer one")
                throw Abort()
            }
        }
        #expect(try count(db, table) == 0, "the inner insert was rolled back with the outer transaction")

        try db.transaction {
            try db.transaction { try db.execute("INSERT INTO \(table.name) VALUES (2)") }
            try db.execute("INSERT INTO \(table.name) VALUES (3)")
        }
        #expect(try count(db, table) == 2)
    }

    @Test func deadlockRetriesTheBodyOnce() throws {
        let db = try TestDatabase.connect()
        let table = try ScratchTable(db, columns: "id INT PRIMARY KEY")
        defer { table.drop() }
        var attempts = 0
        try db.transaction {
            attempts += 1
            try db.execute("INSERT INTO \(table.name) VALUES (?)", [.int(attempts)])
            if attempts == 1 { throw StoreError.deadlock("simulated") }
        }
        #expect(attempts == 2)
        #expect(try db.query("SELECT id FROM \(table.name)").map { $0.int("id") } == [2])

        attempts = 0
        #expect(throws: StoreError.self) {
            try db.transaction {
                attempts += 1
                throw StoreError.deadlock("always")
            }
        }
        #expect(attempts == 2, "only one retry")
    }
}
