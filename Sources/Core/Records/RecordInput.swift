import Foundation

/// Reads a create or update body against a record type's fields: every bad field is
/// collected (not just the first), aliases are folded in, defaults applied on create.
struct RecordInput {
    /// Columns and values to write, in field order.
    var changes: [(column: String, value: SQLValue)] = []
    /// The record's values after the change (for cross-field rules and labels).
    var merged: JSONObject
    /// References to check: (field, table, label, id, whether it must be the same patient's).
    var references: [(field: String, table: String, label: String, id: Int64, samePatient: Bool)] = []

    /// `problems` found by the caller (a field outside the description) are reported
    /// together with the description's, so one answer names every bad field.
    init(type: RecordType, body: JSONObject, existing: JSONObject?, problems found: [FieldProblem] = []) throws {
        let creating = existing == nil
        merged = existing ?? JSONObject()
        var problems = found
        for field in type.fields {
            if !creating && field.immutable { continue }
            let supplied = body[field.name] ?? field.aliases.lazy.compactMap { body[$0] }.first
            // Two names of one field with different values: which was meant is a guess.
            if let supplied, let alias = field.aliases.first(where: { body[$0] != nil && body[$0] != supplied }) {
                problems.append(FieldProblem(alias, "conflicts with \(field.name); send one of them"))
                continue
            }
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
                if case .int(let id) = accepted.json {
                    switch field.kind {
                    case .reference(let table, let label): references.append((field.name, table, label, id, false))
                    case .patientRecord(let table, let label): references.append((field.name, table, label, id, true))
                    default: break
                    }
                }
            }
        }
        if problems.isEmpty {
            problems += type.rules.compactMap { $0.check(merged) }
        }
        guard problems.isEmpty else { throw APIError.validation(problems, status: type.validationStatus) }
    }

    /// Checks in one query that every referenced id exists — and, for references to
    /// patient-owned records, that it belongs to `patient` (the record's own patient, whose
    /// access the caller has proven): 422 naming each bad field. Another patient's record
    /// is reported exactly like a missing one.
    func verifyReferences(patient: Int64?, db: Connection, status: Int) throws {
        guard !references.isEmpty else { return }
        var parts: [String] = []
        var binds: [SQLValue] = []
        for reference in references {
            if reference.samePatient {
                parts.append(
                    "SELECT ? AS field, EXISTS(SELECT 1 FROM \(reference.table) WHERE id = ? AND patient_id = ?) AS present"
                )
                binds += [.text(reference.field), .int(reference.id), patient.map { .int($0) } ?? .null]
            } else {
                parts.append("SELECT ? AS field, EXISTS(SELECT 1 FROM \(reference.table) WHERE id = ?) AS present")
                binds += [.text(reference.field), .int(reference.id)]
            }
        }
        let rows = try db.query(parts.joined(separator: " UNION ALL "), binds)
        let missing = rows.filter { $0.int("present") == 0 }.compactMap { $0.string("field") }
        guard missing.isEmpty else {
            throw APIError.validation(
                missing.map { name in
                    let reference = references.first { $0.field == name }!
                    let whose = reference.samePatient ? " for this patient" : ""
                    return FieldProblem(name, "\(reference.label) \(reference.id) does not exist\(whose)")
                }, status: status)
        }
    }
}
