import Testing

@testable import Core

/// Binding and decoding every value type through real prepared statements.
@Suite struct StoreValueTests {
    static let allTypes = """
        id BIGINT AUTO_INCREMENT PRIMARY KEY, i BIGINT NULL, u INT UNSIGNED NULL, flag BOOLEAN NULL,
        d DOUBLE NULL, f FLOAT NULL, amount DECIMAL(10,2) NULL, s VARCHAR(100) NULL, t TEXT NULL,
        b BLOB NULL, vb VARBINARY(16) NULL, dt DATE NULL, dtt DATETIME NULL, dtt6 DATETIME(6) NULL,
        ts TIMESTAMP NULL, tm TIME NULL, j JSON NULL, e ENUM('red','green') NULL, bits BIT(8) NULL
        """
    static func insertAll(into table: String) -> String {
        """
        INSERT INTO \(table) (i, u, flag, d, f, amount, s, t, b, vb, dt, dtt, dtt6, ts, tm, j, e, bits)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
        """
    }

    @Test func everyTypeRoundTrips() throws {
        let db = try TestDatabase.connect()
        let table = try ScratchTable(db, columns: Self.allTypes)
        defer { table.drop() }
        let inserted = try db.execute(
            Self.insertAll(into: table.name),
            [
                .int(-9_000_000_000_000), .int(4_000_000_000), .bool(true), .double(2.5), .double(0.1), .text("12.34"),
                .text("héllo"), .text("long text"), .blob([0, 1, 2, 255]), .blob([9, 8]), .text("2024-02-29"),
                .datetime("2024-03-01T12:34:56Z"), .text("2024-03-01 12:34:56.123456"), .text("2024-03-01 00:00:01"),
                .text("-838:59:59"), .text(#"{"a": [1, 2]}"#), .text("green"), .int(5),
            ])
        #expect(inserted.affectedRows == 1)
        #expect(inserted.lastInsertID > 0)

        let row = try #require(
            try db.queryOne("SELECT * FROM \(table.name) WHERE id = ?", [.int(inserted.lastInsertID)]))
        #expect(row["i"] == .int(-9_000_000_000_000))
        #expect(row["u"] == .int(4_000_000_000))
        #expect(row["flag"] == .int(1))
        #expect(row.bool("flag") == true)
        #expect(row["d"] == .double(2.5))
        #expect(row["f"] == .double(0.1))
        #expect(row["amount"] == .double(12.34))
        #expect(row["s"] == .text("héllo"))
        #expect(row["t"] == .text("long text"))
        #expect(row["b"] == .blob([0, 1, 2, 255]))
        #expect(row["vb"] == .blob([9, 8]))
        #expect(row["dt"] == .text("2024-02-29"))
        #expect(row["dtt"] == .text("2024-03-01T12:34:56Z"))
        #expect(row["dtt6"] == .text("2024-03-01T12:34:56.123456Z"))
        #expect(row["ts"] == .text("2024-03-01T00:00:01Z"))
        #expect(row["tm"] == .text("-838:59:59"))
        #expect(row["j"] == .text(#"{"a": [1, 2]}"#))
        #expect(row["e"] == .text("green"))
        #expect(row["bits"] == .int(5))
        #expect(row.columnNames.first == "id" && row.columnNames.count == 19)
    }

    @Test func nullInEveryColumn() throws {
        let db = try TestDatabase.connect()
        let table = try ScratchTable(db, columns: Self.allTypes)
        defer { table.drop() }
        let nulls = [SQLValue](repeating: .null, count: 18)
        let id = try db.execute(Self.insertAll(into: table.name), nulls).lastInsertID
        let row = try #require(try db.queryOne("SELECT * FROM \(table.name) WHERE id = ?", [.int(id)]))
        #expect(Array(row.values.dropFirst()) == nulls)
        #expect(row.string("s") == nil && row.int("i") == nil && row.bool("flag") == nil)
    }

    @Test func optionalConstructorsBindNull() throws {
        let db = try TestDatabase.connect()
        let missingText: String? = nil
        let missingInt: Int? = nil
        let present: Int? = 7
        let row = try #require(
            try db.queryOne(
                "SELECT ? AS a, ? AS b, ? AS c, ? AS d, ? AS e, ? AS f",
                [
                    .text(missingText), .int(missingInt), .int(present), .bool(false), .double(nil as Double?),
                    .blob(nil),
                ]
            ))
        #expect(row.values == [.null, .null, .int(7), .int(0), .null, .null])
    }

    @Test func longTextAndBlobAcrossRows() throws {
        let db = try TestDatabase.connect()
        let table = try ScratchTable(db, columns: "id INT PRIMARY KEY, t MEDIUMTEXT, b MEDIUMBLOB")
        defer { table.drop() }
        let long = String(repeating: "0123456789abcdé🙂", count: 6_000)  // > 100 KB of UTF-8
        #expect(long.utf8.count > 100_000)
        let bytes = (0..<150_000).map { UInt8(truncatingIfNeeded: $0 * 7) }
        let insert = "INSERT INTO \(table.name) (id, t, b) VALUES (?, ?, ?)"
        try db.execute(insert, [.int(1), .text("short"), .blob([1])])
        try db.execute(insert, [.int(2), .text(long), .blob(bytes)])
        try db.execute(insert, [.int(3), .text(""), .blob([])])
        let rows = try db.query("SELECT id, t, b FROM \(table.name) ORDER BY id")
        #expect(rows.count == 3)
        #expect(rows[0]["t"] == .text("short") && rows[0]["b"] == .blob([1]))
        #expect(rows[1].string("t") == long)
        #expect(rows[1]["b"] == .blob(bytes))
        #expect(rows[2]["t"] == .text("") && rows[2]["b"] == .blob([]))
    }

    @Test func fourByteUTF8IsKept() throws {
        let db = try TestDatabase.connect()
        let table = try ScratchTable(db, columns: "id INT PRIMARY KEY, s VARCHAR(20)")
        defer { table.drop() }
        let text = "🩺💊 Zoë 漢字"
        try db.execute("INSERT INTO \(table.name) VALUES (?, ?)", [.int(1), .text(text)])
        let row = try #require(try db.queryOne("SELECT s, CHAR_LENGTH(s) AS n FROM \(table.name) WHERE id = 1"))
        #expect(row.string("s") == text)
        #expect(row.int("n") == Int64(text.unicodeScalars.count))
    }

    @Test func timeOfDayAndDuration() throws {
        let db = try TestDatabase.connect()
        let row = try #require(
            try db.queryOne(
                "SELECT CAST(? AS TIME) AS a, CAST(? AS TIME) AS b, CAST(? AS DATE) AS c, NOW() AS now, UTC_TIMESTAMP() AS utc",
                [.text("08:05:03"), .text("100:00:00"), .text("1999-12-31")]
            ))
        #expect(row["a"] == .text("08:05:03"))
        #expect(row["b"] == .text("100:00:00"))
        #expect(row["c"] == .text("1999-12-31"))
        #expect(row["now"] == row["utc"], "the session time zone is UTC")
    }

    @Test func decodingHelpersAndMissingColumns() throws {
        let db = try TestDatabase.connect()
        let row = try #require(try db.queryOne("SELECT 1 AS x, 2 AS x, '42' AS s, 3.0e0 AS d, NULL AS n"))
        #expect(row["x"] == .int(1), "the first of duplicate names wins")
        #expect(row[1] == .int(2))
        #expect(row[9] == .null && row["nope"] == .null)
        #expect(row.int("s") == 42 && row.string("x") == "1" && row.double("x") == 1 && row.int("d") == 3)
        #expect(row["n"] == .null)
    }

    @Test func queryOneDropsTheRestAndLeavesTheConnectionUsable() throws {
        let db = try TestDatabase.connect()
        let first = try db.queryOne("SELECT seq FROM seq_1_to_1000")
        #expect(first?.int("seq") == 1)
        #expect(try db.query("SELECT seq FROM seq_1_to_3").map { $0.int("seq") } == [1, 2, 3])
        #expect(try db.queryOne("SELECT 1 AS a WHERE 1 = 0") == nil)
    }

    @Test func wrongParameterCountIsAnError() throws {
        let db = try TestDatabase.connect()
        #expect(throws: StoreError.self) { try db.query("SELECT ? AS a", []) }
    }

    @Test func datetimeConstructorDropsTheZone() {
        #expect(SQLValue.datetime("2024-01-02T03:04:05Z") == .text("2024-01-02T03:04:05"))
        #expect(SQLValue.datetime(nil) == .null)
    }
}
