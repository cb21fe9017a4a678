/// Renders a stored row as the record's JSON, by column position (no name lookups on
/// the list path), driven by the field kinds.
enum RecordJSON {
    static func render(_ row: Row, layout: [RecordQuery.Slot]) -> JSON {
        var object = JSONObject()
        object.reserveCapacity(layout.count)
        for slot in layout {
            switch slot {
            case .value(let name, let kind, let position):
                object.appendUnique(name, json(row[position], kind: kind))
            case .embed(let key, let idPosition, let columns):
                guard row[idPosition] != .null else {
                    object.appendUnique(key, .null)
                    continue
                }
                var embedded = JSONObject()
                embedded.reserveCapacity(columns.count)
                for column in columns {
                    embedded.appendUnique(column.name, json(row[column.position], kind: column.kind))
                }
                object.appendUnique(key, .object(embedded))
            }
        }
        return .object(object)
    }

    /// One column's value as JSON for a field kind (booleans from TINYINT, JSON columns parsed).
    static func json(_ value: SQLValue, kind: FieldKind) -> JSON {
        switch value {
        case .null:
            if case .stringList = kind { return .array([]) }
            return .null
        case .int(let i):
            if case .boolean = kind { return .bool(i != 0) }
            switch kind {
            case .number, .measure: return .double(Double(i))
            default: break
            }
            return .int(i)
        case .double(let d): return .double(d)
        case .text(let s):
            if kind.isJSONColumn { return s == "[]" ? .array([]) : (try? JSON.parse(Array(s.utf8))) ?? .null }
            return .string(s)
        case .blob: return .null
        }
    }

    /// Writes a row's JSON straight into `out`, the same text `render(...).write` would
    /// give, without building the `JSON` tree first: keys come pre-encoded from the type's
    /// plan, values go from the row to bytes. Lists use it with rows read in place
    /// (`RawRow`), since a page of records is most of what the pool spends on a list.
    static func write<Cells: RowCells>(_ row: Cells, plan: RecordQuery.WritePlan, into out: inout [UInt8]) throws {
        try plan.keyBytes.withUnsafeBufferPointer { keys in
            try plan.steps.withUnsafeBufferPointer { steps in
                out.append(0x7B)
                var index = 0
                var first = true
                while index < steps.count {
                    let step = steps[index]
                    if !first { out.append(0x2C) }
                    first = false
                    out.append(contentsOf: UnsafeBufferPointer(rebasing: keys[Int(step.keyStart)..<Int(step.keyEnd)]))
                    guard step.columns > 0 else {
                        try row.write(Int(step.position), style: step.style, into: &out)
                        index += 1
                        continue
                    }
                    let embedded = steps[(index + 1)..<(index + 1 + Int(step.columns))]
                    index += 1 + Int(step.columns)
                    guard try !row.isNull(Int(step.position)) else {
                        out.append(contentsOf: [0x6E, 0x75, 0x6C, 0x6C])
                        continue
                    }
                    out.append(0x7B)
                    for (number, column) in embedded.enumerated() {
                        if number > 0 { out.append(0x2C) }
                        out.append(
                            contentsOf: UnsafeBufferPointer(rebasing: keys[Int(column.keyStart)..<Int(column.keyEnd)]))
                        try row.write(Int(column.position), style: column.style, into: &out)
                    }
                    out.append(0x7D)
                }
                out.append(0x7D)
            }
        }
    }

    /// `[row, row, …]` of a list query and how many rows, each row written by `plan`
    /// from where the driver fetched it (no `Row` is built).
    static func list(_ sql: String, _ binds: [SQLValue], plan: RecordQuery.WritePlan, db: Connection) throws -> (
        bytes: [UInt8], count: Int
    ) {
        var out: [UInt8] = []
        let count = try db.forEachRow(
            sql, binds,
            restart: {
                out.removeAll(keepingCapacity: true)
                out.reserveCapacity(4096)
                out.append(0x5B)
            }
        ) { row in
            if out.count > 1 { out.append(0x2C) }
            try write(row, plan: plan, into: &out)
        }
        out.append(0x5D)
        return (out, count)
    }

    /// One value as `json(_:kind:)` renders it. A JSON column is copied as stored:
    /// MariaDB's JSON type checks every stored value is valid JSON.
    static func writeValue(_ value: SQLValue, style: RecordQuery.ValueStyle, into out: inout [UInt8]) {
        switch value {
        case .null:
            if style == .stringList {
                out.append(contentsOf: [0x5B, 0x5D])
            } else {
                out.append(contentsOf: [0x6E, 0x75, 0x6C, 0x6C])
            }
        case .text(let text):
            if style == .jsonColumn || style == .stringList {
                var text = text
                text.withUTF8 { out.append(contentsOf: $0) }
            } else {
                JSON.writeString(text, into: &out)
            }
        case .int(let i):
            switch style {
            case .boolean: out.append(contentsOf: i != 0 ? Array("true".utf8) : Array("false".utf8))
            case .number: JSON.double(Double(i)).write(into: &out)
            default: JSON.writeInteger(i, into: &out)
            }
        case .double(let d): JSON.double(d).write(into: &out)
        case .blob: out.append(contentsOf: [0x6E, 0x75, 0x6C, 0x6C])
        }
    }
}

/// What `RecordJSON.write` reads a row through: a `Row`'s values, or a row read in place.
protocol RowCells {
    func isNull(_ position: Int) throws -> Bool
    func write(_ position: Int, style: RecordQuery.ValueStyle, into out: inout [UInt8]) throws
}

extension Row: RowCells {
    func isNull(_ position: Int) -> Bool { self[position] == .null }

    func write(_ position: Int, style: RecordQuery.ValueStyle, into out: inout [UInt8]) {
        RecordJSON.writeValue(self[position], style: style, into: &out)
    }
}

extension RawRow: RowCells {
    func isNull(_ position: Int) throws -> Bool {
        if case .null = try cell(position) { return true }
        return false
    }

    /// As `RecordJSON.writeValue` writes the same column read into a `Row`.
    func write(_ position: Int, style: RecordQuery.ValueStyle, into out: inout [UInt8]) throws {
        switch try cell(position) {
        case .null: RecordJSON.writeValue(.null, style: style, into: &out)
        case .integer(let value): RecordJSON.writeValue(.int(value), style: style, into: &out)
        case .double(let value): JSON.double(value).write(into: &out)
        case .value(let value): RecordJSON.writeValue(value, style: style, into: &out)
        case .utf8(let bytes):
            if style == .jsonColumn || style == .stringList {
                out.append(contentsOf: bytes)
            } else {
                JSON.writeString(utf8: bytes, into: &out)
            }
        case .temporal(let value, let kind):
            let quoted = !(style == .jsonColumn || style == .stringList)
            if quoted { out.append(0x22) }
            TemporalText.append(value, kind: kind, to: &out)
            if quoted { out.append(0x22) }
        }
    }
}
