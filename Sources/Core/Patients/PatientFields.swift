import Foundation

/// One patient field as the API accepts and returns it. The list in `PatientFields.all`
/// is the single description every patient endpoint validates and renders with.
struct PatientField: Sendable {
    enum Kind: Sendable {
        /// Text of at most `max` characters; `required` ones must not be blank.
        case text(max: Int)
        /// A birth date: `YYYY-MM-DD`, a real day, from 1900 up to today.
        case birthDate
        /// One of a fixed set, matched case-insensitively; maps each accepted spelling
        /// (lower-cased) to the stored value. `listed` is what error messages name.
        case choice(accepted: [String: String], listed: [String])
        /// A positive number up to `max` in `unit`.
        case measure(max: Double, unit: String)
        /// The id of an existing practitioner.
        case practitioner
    }

    let name: String
    let kind: Kind
    let required: Bool

    init(_ name: String, _ kind: Kind, required: Bool = false) {
        self.name = name
        self.kind = kind
        self.required = required
    }
}

/// Validation and JSON of a patient. Decisions where the contract is silent:
/// gender is one of male, female, other, non-binary, prefer-not-to-say, unknown (any case;
/// upstream's `M`, `F`, `U` accepted as aliases), stored and returned lower-case; blood types
/// are stored upper-case; an empty string for an optional field means null, as upstream does.
enum PatientFields {
    static let genders = ["male", "female", "other", "non-binary", "prefer-not-to-say", "unknown"]
    static let bloodTypes = ["A+", "A-", "B+", "B-", "AB+", "AB-", "O+", "O-"]

    static let all: [PatientField] = [
        PatientField("first_name", .text(max: 100), required: true),
        PatientField("last_name", .text(max: 100), required: true),
        PatientField("birth_date", .birthDate, required: true),
        PatientField("gender", .choice(accepted: genderSpellings, listed: genders)),
        PatientField("address", .text(max: 500)),
        PatientField("phone_number", .text(max: 30)),
        PatientField("blood_type", .choice(accepted: Dictionary(uniqueKeysWithValues: bloodTypes.map { ($0.lowercased(), $0) }), listed: bloodTypes)),
        PatientField("height", .measure(max: 120, unit: "inches")),
        PatientField("weight", .measure(max: 1500, unit: "pounds")),
        PatientField("physician_id", .practitioner),
        PatientField("relationship_to_self", .text(max: 50)),
    ]

    static let genderSpellings: [String: String] = {
        var map = Dictionary(uniqueKeysWithValues: genders.map { ($0, $0) })
        for (alias, value) in [("m", "male"), ("f", "female"), ("u", "unknown"), ("nonbinary", "non-binary"),
                               ("non_binary", "non-binary"), ("prefer_not_to_say", "prefer-not-to-say")] {
            map[alias] = value
        }
        return map
    }()

    /// The select list for `patients p`, in the order `json` renders it.
    static let selectList: String =
        (["id", "owner_user_id"] + all.map(\.name) + ["is_self_record", "created_at", "updated_at"])
        .map { "p.\($0)" }.joined(separator: ", ")

    /// A patient row (selected with `selectList`) as the API returns it.
    static func json(_ row: Row) -> JSON {
        var object = JSONObject()
        object["id"] = .int(row.int("id") ?? 0)
        object["owner_user_id"] = .int(row.int("owner_user_id") ?? 0)
        object["user_id"] = .int(row.int("owner_user_id") ?? 0)
        for field in all {
            switch field.kind {
            case .text, .birthDate, .choice: object[field.name] = .string(row.string(field.name))
            case .measure: object[field.name] = row.double(field.name).map(JSON.double) ?? .null
            case .practitioner: object[field.name] = row.int(field.name).map(JSON.int) ?? .null
            }
        }
        object["is_self_record"] = .bool(row.bool("is_self_record") ?? false)
        object["created_at"] = .string(row.string("created_at"))
        object["updated_at"] = .string(row.string("updated_at"))
        return .object(object)
    }

    /// Checks the patient fields present in `body` and returns their values to store,
    /// keyed by column. `creating` demands the required fields; otherwise every field is
    /// optional (a partial update). Other keys are ignored. Every problem is reported at
    /// once, with status 400 as the contract lists for patients; `also` adds the caller's
    /// own problems with other keys of the body to the same answer.
    static func parse(
        _ body: JSONObject, creating: Bool, today: String, db: Connection, also: [FieldProblem] = []
    ) throws -> [String: SQLValue] {
        var values: [String: SQLValue] = [:]
        var problems = also
        var physician: Int64?
        for field in all {
            guard let raw = body[field.name] else {
                if creating && field.required { problems.append(FieldProblem(field.name, "field required")) }
                continue
            }
            switch check(raw, field, today: today) {
            case .success(let value):
                values[field.name] = value
                if case .practitioner = field.kind, case .int(let id) = value { physician = id }
            case .failure(let problem):
                problems.append(problem)
            }
        }
        if let physician, try db.queryOne("SELECT 1 FROM practitioners WHERE id = ?", [.int(physician)]) == nil {
            problems.append(FieldProblem("physician_id", "practitioner \(physician) does not exist"))
        }
        guard problems.isEmpty else { throw APIError.validation(problems, status: 400) }
        return values
    }

    /// One field's value, checked against its description.
    static func check(_ raw: JSON, _ field: PatientField, today: String) -> Result<SQLValue, FieldProblem> {
        let name = field.name
        let blank = raw.stringValue.map { $0.allSatisfy(\.isWhitespace) } ?? false
        if raw == .null || (blank && !field.required) {
            return field.required ? .failure(FieldProblem(name, "must not be null or empty")) : .success(.null)
        }
        switch field.kind {
        case .text(let max):
            guard let text = raw.stringValue else { return .failure(FieldProblem(name, "must be a string, got \(raw.typeName)")) }
            let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
            if trimmed.isEmpty { return .failure(FieldProblem(name, "must not be empty")) }
            // MariaDB counts VARCHAR length in code points, so count the same way.
            if trimmed.unicodeScalars.count > max { return .failure(FieldProblem(name, "must be at most \(max) characters")) }
            return .success(.text(trimmed))
        case .birthDate:
            guard let text = raw.stringValue, let date = CalendarDate(text) else {
                return .failure(FieldProblem(name, "must be a valid date in the form YYYY-MM-DD"))
            }
            if date.year < 1900 { return .failure(FieldProblem(name, "must not be before 1900-01-01")) }
            if date.text > today { return .failure(FieldProblem(name, "must not be in the future")) }
            return .success(.text(date.text))
        case .choice(let accepted, let listed):
            guard let text = raw.stringValue,
                let value = accepted[text.trimmingCharacters(in: .whitespaces).lowercased()]
            else { return .failure(FieldProblem(name, "must be one of: \(listed.joined(separator: ", "))")) }
            return .success(.text(value))
        case .measure(let max, let unit):
            guard let number = numeric(raw) else { return .failure(FieldProblem(name, "must be a number, got \(raw.typeName)")) }
            guard number > 0 && number <= max else {
                return .failure(FieldProblem(name, "must be greater than 0 and at most \(Int(max)) \(unit)"))
            }
            return .success(.double(number))
        case .practitioner:
            guard let id = integer(raw), id > 0 else { return .failure(FieldProblem(name, "must be a positive integer")) }
            return .success(.int(id))
        }
    }

    /// A JSON number, or a string holding one (form-style clients send numbers as text).
    static func numeric(_ raw: JSON) -> Double? {
        if let value = raw.doubleValue { return value }
        guard let text = raw.stringValue, let value = Double(text.trimmingCharacters(in: .whitespaces)),
            value.isFinite else { return nil }
        return value
    }

    static func integer(_ raw: JSON) -> Int64? {
        if let value = raw.intValue { return value }
        return raw.stringValue.flatMap { Int64($0.trimmingCharacters(in: .whitespaces)) }
    }
}

/// A calendar date parsed strictly from `YYYY-MM-DD`.
struct CalendarDate: Sendable, Equatable {
    let year: Int, month: Int, day: Int

    init?(_ text: String) {
        let bytes = Array(text.utf8)
        guard bytes.count == 10, bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-") else { return nil }
        func number(_ range: Range<Int>) -> Int? {
            var value = 0
            for byte in bytes[range] {
                guard byte >= 0x30 && byte <= 0x39 else { return nil }
                value = value * 10 + Int(byte - 0x30)
            }
            return value
        }
        guard let year = number(0..<4), let month = number(5..<7), let day = number(8..<10),
            (1...12).contains(month), day >= 1, day <= CalendarDate.days(inMonth: month, year: year)
        else { return nil }
        self.year = year
        self.month = month
        self.day = day
    }

    /// Zero-padded `YYYY-MM-DD`, which compares correctly as text.
    var text: String {
        func pad(_ value: Int, _ width: Int) -> String {
            let digits = String(value)
            return String(repeating: "0", count: max(0, width - digits.count)) + digits
        }
        return "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))"
    }

    static func days(inMonth month: Int, year: Int) -> Int {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }
}

extension Context {
    /// Today's date in the server's configured time zone: a birth date may not be later.
    var patientToday: String { Timestamp.date(Date(), in: services.shared.timeZone) }
}
