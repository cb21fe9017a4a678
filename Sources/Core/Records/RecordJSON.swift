/// Renders a stored row as the record's JSON, driven by the field kinds.
enum RecordJSON {
    static func render(_ row: Row, type: RecordType) -> JSON {
        var object = JSONObject()
        object["id"] = json(row["id"], kind: .integer(0...Int64.max))
        if let patient = type.patientColumn { object[patient] = json(row[patient], kind: .integer(0...Int64.max)) }
        for field in type.fields where field.column != type.patientColumn {
            object[field.name] = json(row[field.column], kind: field.kind)
        }
        for computed in type.computed { object[computed.name] = json(row[computed.name], kind: computed.kind) }
        for embed in type.embeds {
            let idColumn = "\(embed.key)__id"
            if row[idColumn] == .null {
                object[embed.key] = .null
                continue
            }
            var embedded = JSONObject()
            for column in embed.columns { embedded[column.name] = json(row["\(embed.key)__\(column.name)"], kind: column.kind) }
            object[embed.key] = .object(embedded)
        }
        object["created_at"] = json(row["created_at"], kind: .string(maxLength: 40))
        object["updated_at"] = json(row["updated_at"], kind: .string(maxLength: 40))
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
            if case .number = kind { return .double(Double(i)) }
            return .int(i)
        case .double(let d): return .double(d)
        case .text(let s):
            if kind.isJSONColumn { return (try? JSON.parse(s)) ?? .null }
            return .string(s)
        case .blob: return .null
        }
    }
}
