import Foundation

/// The patient's fields, described with the same `FieldSpec`s as every record type and
/// checked by the same `FieldValidation`. What is particular to patients is said here:
/// strings are trimmed and a blank optional string means null (as upstream does), numbers
/// may arrive as numeric strings (form-style clients), a birth date may not lie in the
/// future, and failures answer 400 as the contract lists for patients.
///
/// Gender is one of male, female, other, non-binary, prefer-not-to-say, unknown (any case;
/// upstream's `M`, `F`, `U` accepted as aliases), stored lower-case; blood types upper-case.
enum PatientFields {
    static let genders = ["male", "female", "other", "non-binary", "prefer-not-to-say", "unknown"]
    static let bloodTypes = ["A+", "A-", "B+", "B-", "AB+", "AB-", "O+", "O-"]
    static let genderAliases = [
        "m": "male", "f": "female", "u": "unknown", "nonbinary": "non-binary", "non_binary": "non-binary",
        "prefer_not_to_say": "prefer-not-to-say",
    ]

    static let all: [FieldSpec] = [
        FieldSpec("first_name", .string(maxLength: 100, minLength: 1), required: true),
        FieldSpec("last_name", .string(maxLength: 100, minLength: 1), required: true),
        FieldSpec("birth_date", .date(years: 1900...9999), required: true),
        FieldSpec("gender", .choice(genders, aliases: genderAliases)),
        FieldSpec("address", .string(maxLength: 500)),
        FieldSpec("phone_number", .string(maxLength: 30)),
        FieldSpec("blood_type", .choice(bloodTypes)),
        FieldSpec("height", .measure(maximum: 120, unit: "inches")),
        FieldSpec("weight", .measure(maximum: 1500, unit: "pounds")),
        FieldSpec("physician_id", .reference(table: "practitioners", label: "Practitioner")),
        FieldSpec("relationship_to_self", .string(maxLength: 50)),
    ]

    /// How a record shows the patient it belongs to (the contract's "with patient details").
    static let embed = RecordType.Embed(
        "patient", table: "patients", foreignKey: "patient_id",
        columns: [
            ("id", "{e}.id", .integer(0...Int64.max)), ("first_name", "{e}.first_name", .string(maxLength: 100)),
            ("last_name", "{e}.last_name", .string(maxLength: 100)), ("birth_date", "{e}.birth_date", .date()),
        ])

    /// The select list for `patients p`, in the order `json` renders it.
    static let selectList: String =
        (["id", "owner_user_id"] + all.map(\.column) + ["is_self_record", "created_at", "updated_at"])
        .map { "p.\($0)" }.joined(separator: ", ")

    /// A patient row (selected with `selectList`) as the API returns it.
    static func json(_ row: Row) -> JSON {
        var object = JSONObject()
        object.reserveCapacity(all.count + 6)
        object.appendUnique("id", .int(row.int("id") ?? 0))
        object.appendUnique("owner_user_id", .int(row.int("owner_user_id") ?? 0))
        object.appendUnique("user_id", .int(row.int("owner_user_id") ?? 0))
        for field in all { object.appendUnique(field.name, RecordJSON.json(row[field.column], kind: field.kind)) }
        object.appendUnique("is_self_record", .bool(row.bool("is_self_record") ?? false))
        object.appendUnique("created_at", .string(row.string("created_at")))
        object.appendUnique("updated_at", .string(row.string("updated_at")))
        return .object(object)
    }

    /// Checks the patient fields present in `body` and returns their values to store,
    /// keyed by column. `creating` demands the required fields; otherwise every field is
    /// optional (a partial update). Other keys are ignored. Every problem is reported at
    /// once with status 400; `also` adds the caller's own problems with other keys.
    static func parse(
        _ body: JSONObject, creating: Bool, today: String, db: Connection, also: [FieldProblem] = []
    ) throws -> [String: SQLValue] {
        var values: [String: SQLValue] = [:]
        var problems = also
        var physician: Int64?
        for field in all {
            guard let raw = body[field.name] else {
                if creating && field.required { problems.append(FieldProblem(field.name, "is required")) }
                continue
            }
            switch check(raw, field, today: today) {
            case .success(let value):
                values[field.column] = value
                if case .reference = field.kind, case .int(let id) = value { physician = id }
            case .failure(let problem):
                problems.append(problem)
            }
        }
        if let physician, try db.queryOne("SELECT 1 FROM practitioners WHERE id = ?", [.int(physician)]) == nil {
            problems.append(FieldProblem("physician_id", "Practitioner \(physician) does not exist"))
        }
        guard problems.isEmpty else { throw APIError.validation(problems, status: 400) }
        return values
    }

    /// One field's value, normalised the patient way and checked by `FieldValidation`.
    static func check(_ raw: JSON, _ field: FieldSpec, today: String) -> Result<SQLValue, FieldProblem> {
        var value = raw
        if case .string(let text) = raw {
            let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
            value = .string(trimmed)
            if trimmed.isEmpty && !field.required { value = .null }
            switch field.kind {
            case .measure: if let number = Double(trimmed), number.isFinite { value = .double(number) }
            case .reference: if let id = Int64(trimmed) { value = .int(id) }
            default: break
            }
        }
        if case .reference = field.kind, let id = value.intValue, case .double = value { value = .int(id) }
        switch FieldValidation.accept(value, for: field) {
        case .failure(let problem): return .failure(problem)
        case .success(let accepted):
            if case .date = field.kind, case .string(let date) = accepted.json, date > today {
                return .failure(FieldProblem(field.name, "must not be in the future"))
            }
            return .success(accepted.sql)
        }
    }

    /// An id from a body value, also as a numeric string.
    static func integer(_ raw: JSON) -> Int64? {
        if let value = raw.intValue { return value }
        return raw.stringValue.flatMap { Int64($0.trimmingCharacters(in: .whitespaces)) }
    }
}

extension Context {
    /// Today's date in the server's configured time zone: a birth date may not be later.
    var patientToday: String { Timestamp.date(Date(), in: services.shared.timeZone) }
}
