import Foundation
import Testing

@testable import Core

/// MariaDB errors arrive as the `StoreError` case the app can act on.
@Suite struct StoreErrorTests {
    @Test func duplicateKeyNamesTheIndex() throws {
        let db = try TestDatabase.connect()
        let table = try ScratchTable(
            db, columns: "id INT PRIMARY KEY, email VARCHAR(100), UNIQUE KEY users_email (email)")
        defer { table.drop() }
        try db.execute("INSERT INTO \(table.name) VALUES (?, ?)", [.int(1), .text("a@example.org")])
        #expect {
            try db.execute("INSERT INTO \(table.name) VALUES (?, ?)", [.int(2), .text("a@example.org")])
        } throws: { error in
            guard case StoreError.duplicate(let key, _) = error else { return false }
            return key == "users_email"
        }
        #expect {
            try db.execute("INSERT INTO \(table.name) VALUES (?, ?)", [.int(1), .text("b@example.org")])
        } throws: { error in
            guard case StoreError.duplicate(let key, _) = error else { return false }
            return key == "PRIMARY"
        }
    }

    @Test func indexNameParsing() {
        #expect(StoreError.indexName(inDuplicateMessage: "Duplicate entry 'o'k' for key 'email'") == "email")
        #expect(StoreError.indexName(inDuplicateMessage: "Duplicate entry 'x' for key 'users.email'") == "email")
        #expect(StoreError.indexName(inDuplicateMessage: "no quotes") == "")
    }

    @Test func foreignKeyViolations() throws {
        let db = try TestDatabase.connect()
        let parent = try ScratchTable(db, prefix: "parent", columns: "id INT PRIMARY KEY")
        defer { parent.drop() }
        let child = try ScratchTable(
            db, prefix: "child",
            columns: """
                id INT PRIMARY KEY, parent_id INT NOT NULL, FOREIGN KEY (parent_id) REFERENCES \(parent.name) (id)
                """)
        defer { child.drop() }
        let isForeignKey: (any Error) -> Bool = { if case StoreError.foreignKey = $0 { true } else { false } }
        #expect(
            performing: {
                try db.execute("INSERT INTO \(child.name) VALUES (1, 99)")
            }, throws: isForeignKey)
        try db.execute("INSERT INTO \(parent.name) VALUES (1)")
        try db.execute("INSERT INTO \(child.name) VALUES (1, 1)")
        #expect(
            performing: {
                try db.execute("DELETE FROM \(parent.name) WHERE id = 1")
            }, throws: isForeignKey)
    }

    @Test func invalidDataIsReported() throws {
        let db = try TestDatabase.connect()
        let table = try ScratchTable(
            db,
            columns: """
                id INT PRIMARY KEY, name VARCHAR(5), small TINYINT, born DATE, doc JSON, age INT CHECK (age >= 0)
                """)
        defer { table.drop() }
        let isInvalid: (any Error) -> Bool = { if case StoreError.invalidData = $0 { true } else { false } }
        let cases: [(String, SQLValue)] = [
            ("name", .text("too long")), ("small", .int(1000)), ("born", .text("2024-02-30")),
            ("doc", .text("{not json")), ("age", .int(-1)), ("small", .text("abc")),
        ]
        for (index, (column, value)) in cases.enumerated() {
            #expect(
                performing: {
                    try db.execute("INSERT INTO \(table.name) (id, \(column)) VALUES (?, ?)", [.int(index), value])
                }, throws: isInvalid)
        }
    }

    @Test func otherErrorsKeepTheirCode() throws {
        let db = try TestDatabase.connect()
        #expect {
            try db.query("SELECT * FROM no_such_table_here")
        } throws: { error in
            guard case StoreError.other(let code, _) = error else { return false }
            return code == 1146
        }
    }

    /// Two sessions lock two rows in opposite order: InnoDB picks one as the victim.
    @Test func realDeadlockIsRecognised() throws {
        let setup = try TestDatabase.connect()
        let table = try ScratchTable(setup, columns: "id INT PRIMARY KEY, v INT")
        defer { table.drop() }
        try setup.execute("INSERT INTO \(table.name) VALUES (1, 0), (2, 0)")
        let name = table.name
        let outcomes = Outcomes()
        let firstLocked = DispatchSemaphore(value: 0)
        let secondLocked = DispatchSemaphore(value: 0)
        let done = DispatchGroup()
        for (mine, theirs) in [(1, 2), (2, 1)] {
            done.enter()
            Thread.detachNewThread {
                defer { done.leave() }
                do {
                    let db = try TestDatabase.connect()
                    try db.run("START TRANSACTION")
                    try db.execute("UPDATE \(name) SET v = v + 1 WHERE id = ?", [.int(mine)])
                    if mine == 1 {
                        firstLocked.signal(); secondLocked.wait()
                    } else {
                        secondLocked.signal(); firstLocked.wait()
                    }
                    try db.execute("UPDATE \(name) SET v = v + 1 WHERE id = ?", [.int(theirs)])
                    try db.run("COMMIT")
                    outcomes.add("ok")
                } catch StoreError.deadlock {
                    outcomes.add("deadlock")
                } catch {
                    outcomes.add("\(error)")
                }
            }
        }
        done.wait()
        #expect(outcomes.sorted == ["deadlock", "ok"])
    }
}

/// Results gathered from test threads.
final class Outcomes: @unchecked Sendable {
    private let lock = NSLock()
    private var items: [String] = []

    func add(_ item: String) { lock.withLock { items.append(item) } }
    var sorted: [String] { lock.withLock { items.sorted() } }
}
