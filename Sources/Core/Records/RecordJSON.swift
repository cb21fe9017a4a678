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
}
