import Foundation
import Testing

@testable import Core

/// Applying `NNNN_name.sql` files once, in order, guarded by checksums and a lock.
@Suite struct MigratorTests {
    /// A temporary directory of migration files, removed by `remove()`.
    struct MigrationDirectory {
        let path: String

        init(_ files: [String: String]) throws {
            path = NSTemporaryDirectory() + TestDatabase.uniqueName("medikeep-migrations")
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
            for (name, text) in files { try write(name, text) }
        }

        func write(_ name: String, _ text: String) throws {
            try Data(text.utf8).write(to: URL(fileURLWithPath: path + "/" + name))
        }

        func remove() { try? FileManager.default.removeItem(atPath: path) }
    }

    static let files = [
        "0001_init.sql": """
        -- people
        CREATE TABLE people (
            id INT PRIMARY KEY,
            name VARCHAR(50) NOT NULL DEFAULT 'a;b' -- not a separator
        );
        INSERT INTO people (id) VALUES (1);

        """,
        "0002_notes.sql":
            "CREATE TABLE notes (id INT PRIMARY KEY, body TEXT);\n# a hash comment\nINSERT INTO notes VALUES (1, 'it''s; fine');\n",
        "0010_more.sql": "ALTER TABLE notes ADD COLUMN tag VARCHAR(10) NULL",
        "README.md": "not a migration",
        "notes.sql": "not numbered either",
    ]

    @Test func appliesInOrderOnce() throws {
        let directory = try MigrationDirectory(Self.files)
        defer { directory.remove() }
        try TestDatabase.withScratchDatabase { db, _ throws in
            let migrator = Migrator(connection: db, directory: directory.path)
            #expect(try migrator.pending() == ["0001_init", "0002_notes", "0010_more"])
            #expect(try migrator.migrate() == ["0001_init", "0002_notes", "0010_more"])
            #expect(try migrator.migrate() == [])
            #expect(try migrator.pending() == [])
            #expect(try db.queryOne("SELECT name FROM people WHERE id = 1")?.string("name") == "a;b")
            #expect(try db.queryOne("SELECT body, tag FROM notes")?.string("body") == "it's; fine")
            let recorded = try db.query("SELECT version, checksum, applied_at FROM schema_migrations ORDER BY version")
            #expect(recorded.map { $0.string("version") } == ["0001_init", "0002_notes", "0010_more"])
            #expect(recorded[0].string("checksum") == Checksum.sha256Hex(Array(Self.files["0001_init.sql"]!.utf8)))
            #expect(recorded.allSatisfy { $0.string("applied_at")?.hasSuffix("Z") == true })

            try directory.write("0011_later.sql", "CREATE TABLE later (id INT PRIMARY KEY);")
            #expect(try migrator.migrate() == ["0011_later"])
        }
    }

    @Test func modifiedFileIsRefused() throws {
        let directory = try MigrationDirectory(["0001_a.sql": "CREATE TABLE a (id INT);"])
        defer { directory.remove() }
        try TestDatabase.withScratchDatabase { db, _ throws in
            let migrator = Migrator(connection: db, directory: directory.path)
            try migrator.migrate()
            try directory.write("0001_a.sql", "CREATE TABLE a (id BIGINT);")
            try directory.write("0002_b.sql", "CREATE TABLE b (id INT);")
            #expect {
                try migrator.migrate()
            } throws: { error in
                guard case MigrationError.checksumMismatch(let file, _, _) = error else { return false }
                let text = "\(error)"
                return file.hasSuffix("/0001_a.sql") && text.contains("was modified after it was applied")
                    && text.contains("put changes in a new migration")
            }
            #expect(throws: MigrationError.self) { try migrator.pending() }
            #expect(
                try db.queryOne(
                    "SELECT COUNT(*) AS n FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name = 'b'"
                )?.int("n") == 0)
        }
    }

    @Test func failingMigrationStopsAndIsNotRecorded() throws {
        let directory = try MigrationDirectory([
            "0001_ok.sql": "CREATE TABLE ok (id INT);",
            "0002_bad.sql": "CREATE TABLE bad (id INT);\nCREATE TABLE broken (id NOSUCHTYPE);",
            "0003_after.sql": "CREATE TABLE after (id INT);",
        ])
        defer { directory.remove() }
        try TestDatabase.withScratchDatabase { db, _ throws in
            let migrator = Migrator(connection: db, directory: directory.path)
            #expect {
                try migrator.migrate()
            } throws: { error in
                guard case MigrationError.failed(let file, let message) = error else { return false }
                return file.hasSuffix("0002_bad.sql") && message.contains("statement 2 of 2")
            }
            #expect(try migrator.pending() == ["0002_bad", "0003_after"])
        }
    }

    @Test func racingMigratorsApplyEachFileOnce() throws {
        // The second file sleeps so the race window is wide; an unguarded second runner
        // would fail on CREATE TABLE or record a version twice.
        let directory = try MigrationDirectory([
            "0001_a.sql": "CREATE TABLE a (id INT);",
            "0002_slow.sql": "DO SLEEP(0.5);\nCREATE TABLE slow (id INT);",
            "0003_c.sql": "CREATE TABLE c (id INT);",
        ])
        defer { directory.remove() }
        try TestDatabase.withScratchDatabase { db, config throws in
            let outcomes = Outcomes()
            let done = DispatchGroup()
            let path = directory.path
            for _ in 0..<2 {
                done.enter()
                Thread.detachNewThread {
                    defer { done.leave() }
                    Store.threadInit()
                    defer { Store.threadEnd() }
                    do {
                        let applied = try Migrator(connection: Connection(config), directory: path).migrate()
                        outcomes.add(applied.joined(separator: ","))
                    } catch {
                        outcomes.add("error: \(error)")
                    }
                }
            }
            done.wait()
            #expect(outcomes.sorted == ["", "0001_a,0002_slow,0003_c"])
            #expect(try db.queryOne("SELECT COUNT(*) AS n FROM schema_migrations")?.int("n") == 3)
        }
    }

    @Test func missingDirectoryIsAFailure() throws {
        try TestDatabase.withScratchDatabase { db, _ throws in
            #expect(throws: MigrationError.self) {
                try Migrator(connection: db, directory: "/nonexistent/sql").migrate()
            }
        }
    }

    @Test func scriptSplitting() {
        let script = """
            -- header comment
            CREATE TABLE t (a VARCHAR(5) DEFAULT ';', b TEXT COMMENT "x;"); -- trailing
            INSERT INTO t VALUES ('a\\';b', 'c');
            /* block; comment */
            /*!40101 SET @x = 1 */;
            SELECT 1; SELECT 2;
            SELECT `odd;name` FROM t
            """
        #expect(
            SQLScript.statements(in: script) == [
                #"CREATE TABLE t (a VARCHAR(5) DEFAULT ';', b TEXT COMMENT "x;")"#,
                #"INSERT INTO t VALUES ('a\';b', 'c')"#,
                "/* block; comment */\n/*!40101 SET @x = 1 */",
                "SELECT 1; SELECT 2",
                "SELECT `odd;name` FROM t",
            ])
        #expect(SQLScript.statements(in: "-- only a comment\n\n;\n") == [])
    }

    @Test func migrationNames() {
        #expect(MigrationFile.isMigrationName("0001_init.sql"))
        #expect(MigrationFile.isMigrationName("20240101_x.sql"))
        #expect(!MigrationFile.isMigrationName("init.sql"))
        #expect(!MigrationFile.isMigrationName("_x.sql"))
        #expect(!MigrationFile.isMigrationName("0001_init.sql.bak"))
    }
}
