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
    /// plan, values go from the row to bytes. Lists use it, since a page of records is
    /// most of what the pool spends on a list.
    static func write(_ row: Row, plan: RecordQuery.WritePlan, into out: inout [UInt8]) {
        plan.keyBytes.withUnsafeBufferPointer { keys in
            plan.steps.withUnsafeBufferPointer { steps in
                row.values.withUnsafeBufferPointer { values in
                    out.append(0x7B)
                    var index = 0
                    var first = true
                    while index < steps.count {
                        let step = steps[index]
                        if !first { out.append(0x2C) }
                        first = false
                        out.append(
                            contentsOf: UnsafeBufferPointer(rebasing: keys[Int(step.keyStart)..<Int(step.keyEnd)]))
                        let value = Int(step.position) < values.count ? values[Int(step.position)] : .null
                        guard step.columns > 0 else {
                            writeValue(value, style: step.style, into: &out)
                            index += 1
                            continue
                        }
                        let embedded = steps[(index + 1)..<(index + 1 + Int(step.columns))]
                        index += 1 + Int(step.columns)
                        guard value != .null else {
                            out.append(contentsOf: [0x6E, 0x75, 0x6C, 0x6C])
                            continue
                        }
                        out.append(0x7B)
                        for (number, column) in embedded.enumerated() {
                            if number > 0 { out.append(0x2C) }
                            out.append(
                                contentsOf: UnsafeBufferPointer(
                                    rebasing: keys[Int(column.keyStart)..<Int(column.keyEnd)]))
                            let inner = Int(column.position) < values.count ? values[Int(column.position)] : .null
                            writeValue(inner, style: column.style, into: &out)
                        }
                        out.append(0x7D)
                    }
                    out.append(0x7D)
                }
            }
        }
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
