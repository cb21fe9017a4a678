/// The SQL each record type needs, built once from its description (every value bound,
/// never interpolated). The record's own table is aliased `r`.
struct RecordQuery: Sendable {
    let type: RecordType
    /// `SELECT <columns> FROM <table> r <joins>`; callers add WHERE/ORDER/LIMIT.
    let selectFrom: String

    init(_ type: RecordType) {
        self.type = type
        var columns = ["r.id"]
        if let patient = type.patientColumn { columns.append("r.\(patient)") }
        columns += type.fields.filter { $0.column != type.patientColumn }.map { "r.\($0.column)" }
        columns += type.computed.map { "(\($0.sql)) AS \($0.name)" }
        var joins: [String] = []
        for (index, embed) in type.embeds.enumerated() {
            let alias = "e\(index)"
            joins.append("LEFT JOIN \(embed.table) \(alias) ON \(alias).id = r.\(embed.foreignKey)")
            columns += embed.columns.map { "\($0.sql.replacingOccurrences(of: "{e}", with: alias)) AS \(embed.key)__\($0.name)" }
        }
        columns += ["r.created_at", "r.updated_at"]
        selectFrom = "SELECT \(columns.joined(separator: ", ")) FROM \(type.table) r " + joins.joined(separator: " ")
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
