import Testing

@testable import Core

/// Rows written in place (`RecordJSON.list`, no `Row` built) give exactly the JSON the
/// `Row` path gives, for every column type, escapes, non-ASCII text, NULLs, long values
/// past the fetch buffer, and embedded objects.
@Suite struct RawRowTests {
    @Test func inPlaceRowsWriteWhatRowsWrite() throws {
        let db = try TestDatabase.connect()
        let table = try ScratchTable(db, columns: StoreValueTests.allTypes)
        defer { table.drop() }
        let long = String(repeating: "ab\"c\\", count: 600)  // past the 1 KiB buffer, with escapes
        for values: [SQLValue] in [
            [
                .int(-9_000_000_000_000), .int(4_000_000_000), .bool(true), .double(2.5), .double(0.1), .text("12.34"),
                .text("héllo \"quoted\"\n\ttab"), .text(long), .blob([0, 1, 2, 255]), .blob([9, 8]),
                .text("2024-02-29"), .datetime("2024-03-01T12:34:56Z"), .text("2024-03-01 12:34:56.123456"),
                .text("2024-03-01 00:00:01"), .text("-838:59:59"), .text(#"{"a": [1, 2]}"#), .text("green"), .int(5),
            ],
            Array(repeating: .null, count: 18),
            [
                .int(0), .int(0), .bool(false), .double(-1e-9), .double(3.25), .text("-0.50"), .text("\u{1}ctl"),
                .text("日本語 ✓"), .null, .null, .text("0001-01-01"), .datetime("1970-01-01T00:00:00Z"),
                .text("2024-03-01 12:34:56"), .null, .text("12:00:00"), .text(#"["x"]"#), .null, .int(0),
            ],
        ] {
            try db.execute(StoreValueTests.insertAll(into: table.name), values)
        }
        let text = FieldKind.string(maxLength: 10_000)
        let columns: [(String, FieldKind)] = [
            ("id", .integer(0...Int64.max)), ("i", .integer(Int64.min...Int64.max)), ("u", .number(0...1e12)),
            ("flag", .boolean), ("d", .number(-1e12...1e12)), ("f", .number(-1e12...1e12)),
            ("amount", .number(-1e12...1e12)), ("s", text), ("t", text), ("b", text), ("vb", text), ("dt", .date()),
            ("dtt", .dateTime()), ("dtt6", .dateTime()), ("ts", .dateTime()), ("tm", text),
            ("j", .jsonObject(maxLength: 100)),
            ("e", text), ("bits", .integer(0...255)),
        ]
        var layout = columns.enumerated().map { RecordQuery.Slot.value(name: $1.0, kind: $1.1, position: $0) }
        layout.append(.embed(key: "nested", idPosition: 1, columns: [("s", text, 7), ("dt", .date(), 10)]))
        let plan = RecordQuery.WritePlan(layout)
        let sql =
            "SELECT id, i, u, flag, d, f, amount, s, t, b, vb, dt, dtt, dtt6, ts, tm, j, e, bits FROM \(table.name) ORDER BY id"

        var viaRows: [UInt8] = [0x5B]
        for (index, row) in try db.query(sql).enumerated() {
            if index > 0 { viaRows.append(0x2C) }
            try RecordJSON.write(row, plan: plan, into: &viaRows)
        }
        viaRows.append(0x5D)
        let inPlace = try RecordJSON.list(sql, [], plan: plan, db: db)
        #expect(inPlace.count == 3)
        #expect(String(decoding: inPlace.bytes, as: UTF8.self) == String(decoding: viaRows, as: UTF8.self))
        // And it is JSON.
        #expect(try JSON.parse(inPlace.bytes).arrayValue?.count == 3)
    }
}
