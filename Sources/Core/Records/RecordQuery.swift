/// The SQL each record type needs, built once from its description (every value bound,
/// never interpolated), and the layout of its result columns so rows render by position.
/// The record's own table is aliased `r`.
struct RecordQuery: Sendable {
    /// `SELECT <columns> FROM <table> r <joins>`; callers add WHERE/ORDER/LIMIT.
    let selectFrom: String
    /// The parts of `selectFrom`, for a query that selects more (`columns, x FROM …`).
    let columns: String
    let from: String
    /// The top-level output values in select order (embedded objects are `.embed`).
    let layout: [Slot]
    enum Slot: Sendable {
        /// A plain value at `position`.
        case value(name: String, kind: FieldKind, position: Int)
        /// An embedded object whose id is at `idPosition` (null object when the id is null).
        case embed(key: String, idPosition: Int, columns: [(name: String, kind: FieldKind, position: Int)])
    }

    /// The layout flattened for `RecordJSON.write`: plain integers and one byte buffer
    /// of encoded keys, so writing a row touches no reference counts.
    let plan: WritePlan

    /// How one value is written: a copy of `RecordJSON.json(_:kind:)` reduced to what
    /// varies by field kind.
    enum ValueStyle: UInt8, Sendable {
        case plain, boolean, number, jsonColumn, stringList
        init(_ kind: FieldKind) {
            switch kind {
            case .boolean: self = .boolean
            case .number, .measure: self = .number
            case .stringList: self = .stringList
            default: self = kind.isJSONColumn ? .jsonColumn : .plain
            }
        }
    }

    struct WritePlan: Sendable {
        /// A key (`"name":` at `keyStart..<keyEnd` of `keyBytes`) and its value: at
        /// `position` in the row, or, when `columns > 0`, an object of the next `columns`
        /// steps, null when the row's `position` (the embed's id) is null.
        struct Step: Sendable {
            let keyStart: Int32
            let keyEnd: Int32
            let position: Int32
            let columns: Int32
            let style: ValueStyle
        }
        let steps: [Step]
        let keyBytes: [UInt8]

        init(_ layout: [Slot]) {
            var steps: [Step] = []
            var keyBytes: [UInt8] = []
            func add(_ name: String, position: Int, columns: Int, style: ValueStyle) {
                let start = keyBytes.count
                JSON.writeString(name, into: &keyBytes)
                keyBytes.append(0x3A)
                steps.append(
                    Step(
                        keyStart: Int32(start), keyEnd: Int32(keyBytes.count), position: Int32(position),
                        columns: Int32(columns), style: style))
            }
            for slot in layout {
                switch slot {
                case .value(let name, let kind, let position):
                    add(name, position: position, columns: 0, style: ValueStyle(kind))
                case .embed(let key, let idPosition, let columns):
                    add(key, position: idPosition, columns: columns.count, style: .plain)
                    for column in columns {
                        add(column.name, position: column.position, columns: 0, style: ValueStyle(column.kind))
                    }
                }
            }
            self.steps = steps
            self.keyBytes = keyBytes
        }
    }

    init(_ type: RecordType) {
        var columns: [String] = []
        var layout: [Slot] = []
        func add(_ sql: String, _ name: String, _ kind: FieldKind) {
            layout.append(.value(name: name, kind: kind, position: columns.count))
            columns.append(sql)
        }
        let id = FieldKind.integer(0...Int64.max)
        add("r.id", "id", id)
        if let patient = type.patientColumn { add("r.\(patient)", patient, id) }
        for field in type.fields where field.column != type.patientColumn {
            add("r.\(field.column)", field.name, field.kind)
            // The same column once more under each alias the field also answers to.
            if field.rendersAliases {
                for alias in field.aliases { add("r.\(field.column)", alias, field.kind) }
            }
        }
        for computed in type.computed { add("(\(computed.sql))", computed.name, computed.kind) }
        var joins: [String] = []
        for (index, embed) in type.embeds.enumerated() {
            let alias = "e\(index)"
            var join = "LEFT JOIN \(embed.table) \(alias) ON \(alias).id = r.\(embed.foreignKey)"
            if embed.samePatient, let patient = type.patientExpression {
                join += " AND \(alias).patient_id = \(patient)"
            }
            joins.append(join)
            var embedded: [(name: String, kind: FieldKind, position: Int)] = []
            var idPosition = columns.count
            for column in embed.columns {
                if column.name == "id" { idPosition = columns.count }
                embedded.append((column.name, column.kind, columns.count))
                columns.append(column.sql.replacingOccurrences(of: "{e}", with: alias))
            }
            layout.append(.embed(key: embed.key, idPosition: idPosition, columns: embedded))
        }
        add("r.created_at", "created_at", .string(maxLength: 40))
        add("r.updated_at", "updated_at", .string(maxLength: 40))
        self.layout = layout
        self.plan = WritePlan(layout)
        self.columns = columns.joined(separator: ", ")
        from = "FROM \(type.table) r " + joins.joined(separator: " ")
        selectFrom = "SELECT \(self.columns) \(from)"
    }

    /// Escapes `%`, `_` and `\` so a search term matches literally inside LIKE.
    static func escapeLike(_ text: String) -> String {
        var escaped = ""
        for character in text {
            if character == "%" || character == "_" || character == "\\" { escaped.append("\\") }
            escaped.append(character)
        }
        return escaped
    }
}
