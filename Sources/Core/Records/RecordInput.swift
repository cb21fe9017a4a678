import Foundation

/// Reads a create or update body against a record type's fields: every bad field is
/// collected (not just the first), aliases are folded in, defaults applied on create.
struct RecordInput {
    /// Columns and values to write, in field order.
    var changes: [(column: String, value: SQLValue)] = []
    /// The record's values after the change (for cross-field rules and labels).
    var merged: JSONObject
    /// References to check for existence: (field, table, label, id).
    var references: [(field: String, table: String, label: String, id: Int64)] = []

    init(type: RecordType, body: JSONObject, existing: JSONObject?) throws {
        let creating = existing == nil
        merged = existing ?? JSONObject()
        var problems: [FieldProblem] = []
        for field in type.fields {
            if !creating && field.immutable { continue }
            let supplied = body[field.name] ?? field.aliases.lazy.compactMap { body[$0] }.first
            guard let raw = supplied else {
                if creating {
                    if field.required {
                        problems.append(FieldProblem(field.name, "is required"))
                    } else if let fallback = field.defaultValue {
                        changes.append((field.column, FieldValidation.sqlValue(fallback, kind: field.kind)))
                        merged[field.name] = fallback
                    }
                }
                continue
            }
            switch FieldValidation.accept(raw, for: field) {
            case .failure(let problem): problems.append(problem)
            case .success(let accepted):
                changes.append((field.column, accepted.sql))
                merged[field.name] = accepted.json
                if case .reference(let table, let label) = field.kind, case .int(let id) = accepted.json {
                    references.append((field.name, table, label, id))
                }
            }
        }
        if problems.isEmpty {
            problems += type.rules.compactMap { $0.check(merged) }
        }
        guard problems.isEmpty else { throw APIError.validation(problems, status: type.validationStatus) }
    }

    /// Checks in one query that every referenced id exists; 422 naming each missing one.
    func verifyReferences(db: Connection, status: Int) throws {
        guard !references.isEmpty else { return }
        let sql = references.map { "SELECT ? AS field, EXISTS(SELECT 1 FROM \($0.table) WHERE id = ?) AS present" }
            .joined(separator: " UNION ALL ")
        let rows = try db.query(sql, references.flatMap { [.text($0.field), .int($0.id)] })
        let missing = rows.filter { $0.int("present") == 0 }.compactMap { $0.string("field") }
        guard missing.isEmpty else {
            throw APIError.validation(
                missing.map { name in
                    let reference = references.first { $0.field == name }!
                    return FieldProblem(name, "\(reference.label) \(reference.id) does not exist")
                }, status: status)
        }
    }
}
