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
