import Foundation

/// Turns one client-supplied JSON value into the value stored for a field, or says why not.
enum FieldValidation {
    /// The normalised JSON value (what the record will hold) and its SQL form.
    struct Accepted {
        let json: JSON
        let sql: SQLValue
    }

    static func accept(_ value: JSON, for field: FieldSpec) -> Result<Accepted, FieldProblem> {
        if value == .null {
            guard field.nullable else { return .failure(FieldProblem(field.name, "may not be null")) }
            return .success(Accepted(json: .null, sql: .null))
        }
        switch check(value, kind: field.kind, name: field.name) {
        case .failure(let problem): return .failure(problem)
        case .success(.string("")) where !field.required && field.nullable:
            if case .string = field.kind { return .success(Accepted(json: .null, sql: .null)) }  // blank means none
            return .success(Accepted(json: .string(""), sql: .text("")))
        case .success(let json):
            if field.required, case .string(let text) = json,
                text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty
            {
                return .failure(FieldProblem(field.name, "may not be empty"))
            }
            return .success(Accepted(json: json, sql: sqlValue(json, kind: field.kind)))
        }
    }

    static func sqlValue(_ json: JSON, kind: FieldKind) -> SQLValue {
        if kind.isJSONColumn { return .text(json.serializedString) }
        if case .dateTime = kind, case .string(let text) = json, let moment = DateTimeText.parse(text) {
            return .text(moment.sql)
        }
        switch json {
        case .null: return .null
        case .bool(let b): return .int(b ? 1 : 0)
        case .int(let i): return .int(i)
        case .double(let d): return .double(d)
        case .string(let s): return .text(s)
        case .array, .object: return .text(json.serializedString)
        }
    }

    // swiftlint:disable:next cyclomatic_complexity
    static func check(_ value: JSON, kind: FieldKind, name: String) -> Result<JSON, FieldProblem> {
        func fail(_ message: String) -> Result<JSON, FieldProblem> { .failure(FieldProblem(name, message)) }
        switch kind {
        case .string(let maxLength, let minLength):
            // Short strings are names and labels: surrounding white space is never meant,
            // and a name stored untrimmed would dodge duplicate checks on the trimmed one.
            guard case .string(let raw) = value else { return fail("must be a string") }
            let text = raw.trimmingCharacters(in: .whitespacesAndNewlines)
            if text.storedLength > maxLength { return fail("must be at most \(maxLength) characters") }
            if text.storedLength < minLength { return fail("must be at least \(minLength) characters") }
            return .success(.string(text))
        case .text(let maxLength):
            guard case .string(let text) = value else { return fail("must be a string") }
            if text.storedLength > maxLength { return fail("must be at most \(maxLength) characters") }
            return .success(value)
        case .email:
            guard case .string(let text) = value else { return fail("must be a string") }
            guard text.storedLength <= 255, Validators.isEmail(text) else {
                return fail("must be a valid e-mail address")
            }
            return .success(.string(text))
        case .url:
            guard case .string(let text) = value else { return fail("must be a string") }
            guard text.storedLength <= 500, Validators.isURL(text) else { return fail("must be an http(s) URL") }
            return .success(value)
        case .integer(let range):
            // 70 and 70.0 are the same number in JSON; 70.5 is not an integer.
            guard let number = value.intValue else { return fail("must be an integer") }
            guard range.contains(number) else {
                return fail("must be between \(range.lowerBound) and \(range.upperBound)")
            }
            return .success(.int(number))
        case .number(let range):
            guard let number = value.doubleValue, number.isFinite else { return fail("must be a number") }
            guard range.contains(number) else {
                return fail("must be between \(range.lowerBound.clean) and \(range.upperBound.clean)")
            }
            return .success(.double(number))
        case .measure(let maximum, let unit):
            guard let number = value.doubleValue, number.isFinite else { return fail("must be a number") }
            guard number > 0 && number <= maximum else {
                return fail("must be greater than 0 and at most \(maximum.clean) \(unit)")
            }
            return .success(.double(number))
        case .boolean:
            guard case .bool = value else { return fail("must be true or false") }
            return .success(value)
        case .date(let years):
            guard case .string(let text) = value, let date = Validators.date(text) else {
                return fail("must be a date YYYY-MM-DD")
            }
            guard years.contains(date.year) else {
                return fail("must be a year between \(years.lowerBound) and \(years.upperBound)")
            }
            return .success(.string(text))
        case .dateTime(let years):
            guard case .string(let text) = value, let moment = DateTimeText.parse(text) else {
                return fail("must be an ISO date-time (YYYY-MM-DDTHH:MM:SSZ) or a date YYYY-MM-DD")
            }
            guard years.contains(moment.year) else {
                return fail("must be a year between \(years.lowerBound) and \(years.upperBound)")
            }
            return .success(.string(moment.iso))
        case .choice(let choices, let aliases):
            guard case .string(let text) = value else {
                return fail("must be one of \(choices.joined(separator: ", "))")
            }
            let lower = text.lowercased()
            guard let choice = choices.first(where: { $0.lowercased() == lower }) ?? aliases[lower] else {
                return fail("must be one of \(choices.joined(separator: ", "))")
            }
            return .success(.string(choice))
        case .reference, .patientRecord:
            guard case .int(let id) = value, id > 0 else { return fail("must be a positive integer id") }
            return .success(value)
        case .stringList(let maxItems, let maxLength):
            guard case .array(let items) = value else { return fail("must be a list of strings") }
            var seen: [String] = []
            for item in items {
                guard case .string(let text) = item else { return fail("must be a list of strings") }
                let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
                if trimmed.isEmpty { continue }
                if trimmed.storedLength > maxLength { return fail("items must be at most \(maxLength) characters") }
                if !seen.contains(trimmed) { seen.append(trimmed) }
            }
            if seen.count > maxItems { return fail("must have at most \(maxItems) items") }
            return .success(.array(seen.map(JSON.string)))
        case .timesOfDay(let maxItems):
            guard case .array(let items) = value else { return fail("must be a list of \"HH:MM\" times") }
            var times: [String] = []
            for item in items {
                guard case .string(let text) = item, Validators.isTimeOfDay(text) else {
                    return fail("each time must be \"HH:MM\" (00:00–23:59)")
                }
                if times.contains(text) { return fail("must not contain duplicates (\(text))") }
                times.append(text)
            }
            if times.count > maxItems { return fail("must have at most \(maxItems) times") }
            return .success(.array(times.sorted().map(JSON.string)))
        case .weekdays:
            let days = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
            guard case .array(let items) = value else { return fail("must be a list of weekday names") }
            var chosen: [String] = []
            for item in items {
                guard case .string(let text) = item, days.contains(text.lowercased()) else {
                    return fail("items must be weekday names (monday … sunday)")
                }
                if !chosen.contains(text.lowercased()) { chosen.append(text.lowercased()) }
            }
            return .success(.array(days.filter(chosen.contains).map(JSON.string)))
        case .json:
            return fail("is computed and cannot be set")
        case .jsonObject(let maxLength):
            guard case .object = value else { return fail("must be an object") }
            if value.serializedString.utf8.count > maxLength {
                return fail("must be at most \(maxLength) bytes as JSON")
            }
            // MariaDB refuses a JSON column value nested deeper than 32 levels.
            if nesting(value) > 16 { return fail("must not be nested deeper than 16 levels") }
            return .success(value)
        case .objectList(let maxItems, let fields):
            guard case .array(let items) = value else { return fail("must be a list of objects") }
            if items.count > maxItems { return fail("must have at most \(maxItems) items") }
            var accepted: [JSON] = []
            for (index, item) in items.enumerated() {
                guard case .object(let object) = item else { return fail("item \(index) must be an object") }
                var clean = JSONObject()
                for field in fields {
                    guard let raw = object[field.name] else {
                        if field.required {
                            return .failure(FieldProblem("\(name)[\(index)].\(field.name)", "is required"))
                        }
                        continue
                    }
                    switch accept(raw, for: field) {
                    case .success(let ok): clean[field.name] = ok.json
                    case .failure(let problem):
                        return .failure(FieldProblem("\(name)[\(index)].\(problem.field)", problem.message))
                    }
                }
                accepted.append(.object(clean))
            }
            return .success(.array(accepted))
        }
    }
}

extension FieldValidation {
    /// Levels of objects and arrays in `value` (a scalar is 0).
    static func nesting(_ value: JSON) -> Int {
        switch value {
        case .array(let items): return 1 + (items.map(nesting).max() ?? 0)
        case .object(let object): return 1 + (object.map { nesting($0.value) }.max() ?? 0)
        default: return 0
        }
    }
}

extension Double {
    /// `5` rather than `5.0` in messages.
    var clean: String { rounded() == self ? String(Int64(self)) : String(self) }
}
