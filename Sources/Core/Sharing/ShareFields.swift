/// The body fields the sharing endpoints have in common, read under the contract's names
/// and upstream's (`access_level` or `permission_level`, `recipient_email` or
/// `shared_with_user_identifier`, `expiration_date` or `expires_at`). Every bad field is
/// collected, so one 422 names them all.
struct ShareFields {
    var body: JSONObject
    var problems: [FieldProblem] = []

    init(_ body: JSONObject) { self.body = body }

    /// The first of `names` present in the body (its name and value).
    func first(_ names: [String]) -> (name: String, value: JSON)? {
        for name in names { if let value = body[name] { return (name, value) } }
        return nil
    }

    /// A share level among `allowed`, `fallback` when absent.
    mutating func level(allowed: [String], fallback: String?) -> String? {
        guard let (name, value) = first(["access_level", "permission_level"]), value != .null else {
            if fallback == nil { problems.append(FieldProblem("access_level", "field required")) }
            return fallback
        }
        guard let text = value.stringValue?.lowercased(), allowed.contains(text) else {
            problems.append(FieldProblem(name, "must be one of: \(allowed.joined(separator: ", "))"))
            return nil
        }
        return text
    }

    /// A positive integer id.
    mutating func id(_ name: String) -> Int64? {
        guard let value = body[name], value != .null else {
            problems.append(FieldProblem(name, "field required"))
            return nil
        }
        guard let id = value.intValue, id > 0 else {
            problems.append(FieldProblem(name, "must be a positive integer"))
            return nil
        }
        return id
    }

    /// A list of 1...`max` distinct positive integer ids.
    mutating func ids(_ name: String, max: Int) -> [Int64] {
        guard let array = body[name]?.arrayValue, !array.isEmpty, array.count <= max else {
            problems.append(FieldProblem(name, "must be a list of 1 to \(max) ids"))
            return []
        }
        let ids = array.compactMap { $0.intValue }.filter { $0 > 0 }
        guard ids.count == array.count, Set(ids).count == ids.count else {
            problems.append(FieldProblem(name, "must hold distinct positive integer ids"))
            return []
        }
        return ids
    }

    /// An optional text of at most `maxLength` characters under one of `names`.
    mutating func text(_ names: [String], maxLength: Int) -> String? {
        guard let (name, value) = first(names), value != .null else { return nil }
        guard let text = value.stringValue, text.count <= maxLength else {
            problems.append(FieldProblem(name, "must be a string of at most \(maxLength) characters"))
            return nil
        }
        return text
    }

    /// When a share ends: a date (the end of that day, UTC) or a date-time, in the future;
    /// nil when absent or null (never). `present` tells a null from an absent field.
    mutating func expiry() -> (present: Bool, value: DateTimeText?) {
        guard let (name, value) = first(["expiration_date", "expires_at"]) else { return (false, nil) }
        guard value != .null else { return (true, nil) }
        guard let text = value.stringValue, let parsed = DateTimeText.parse(text, endOfDay: text.count == 10) else {
            problems.append(FieldProblem(name, "must be a date YYYY-MM-DD or an ISO date-time"))
            return (true, nil)
        }
        return (true, parsed)
    }

    /// 422 naming every bad field, when there is one.
    func check() throws {
        if !problems.isEmpty { throw APIError.validation(problems) }
    }

    /// A recipient's e-mail address, trimmed, or the problem with it (`field` names it).
    static func email(_ value: JSON?, field: String) -> Result<String, FieldProblem> {
        guard let raw = value?.stringValue else { return .failure(FieldProblem(field, "field required")) }
        let email = raw.trimmingCharacters(in: .whitespaces)
        if let problem = AccountFields.emailProblem(email) { return .failure(FieldProblem(field, problem)) }
        return .success(email)
    }
}

/// The same moment as `DateTimeText` in MariaDB's form, for a share's expiry compared in SQL.
extension DateTimeText {
    /// True when this moment is not after `now` (`YYYY-MM-DD HH:MM:SS`, UTC).
    func isPast(now: String) -> Bool { sql <= now }
}

/// Columns the sharing queries render: DATETIME as the API's UTC form.
enum ShareSQL {
    static func iso(_ column: String) -> String { "DATE_FORMAT(\(column), '%Y-%m-%dT%H:%i:%sZ')" }

    /// The database's clock (`YYYY-MM-DD HH:MM:SS`, UTC): expiry is always judged by it.
    static func now(db: Connection) throws -> String {
        try db.queryOne("SELECT DATE_FORMAT(UTC_TIMESTAMP(), '%Y-%m-%d %H:%i:%s') AS now", [])?.string("now") ?? ""
    }

    /// `{id, username, full_name, email}` of a user from columns prefixed `prefix`.
    static func user(_ row: Row, prefix: String, id: Int64?) -> JSON {
        guard let id else { return .null }
        return [
            "id": .int(id), "username": .string(row.string("\(prefix)username")),
            "full_name": .string(row.string("\(prefix)full_name")), "name": .string(row.string("\(prefix)full_name")),
            "email": .string(row.string("\(prefix)email")),
        ]
    }
}
