import Foundation

/// Reads typed fields from a JSON request body and collects every problem, so one answer
/// names all the bad fields (decisions rule 3) instead of the first one found.
struct FieldReader {
    let object: JSONObject
    private(set) var problems: [FieldProblem] = []

    init(_ object: JSONObject) { self.object = object }

    /// True when the body has the key, even with a null value.
    func has(_ key: String) -> Bool { object.contains(key) }

    /// True when the body has the key with an explicit null.
    func isNull(_ key: String) -> Bool { object[key]?.isNull ?? false }

    /// The string at `key`, trimmed of surrounding white space unless `trim` is false;
    /// nil when absent or null. Any other type is a problem.
    mutating func string(_ key: String, trim: Bool = true) -> String? {
        guard let value = object[key], !value.isNull else { return nil }
        guard let text = value.stringValue else {
            fail(key, "must be a string, got \(value.typeName)")
            return nil
        }
        return trim ? text.trimmingCharacters(in: .whitespacesAndNewlines) : text
    }

    /// The boolean at `key`; nil when absent or null. Any other type is a problem.
    mutating func bool(_ key: String) -> Bool? {
        guard let value = object[key], !value.isNull else { return nil }
        guard let flag = value.boolValue else {
            fail(key, "must be true or false, got \(value.typeName)")
            return nil
        }
        return flag
    }

    /// The integer at `key`; nil when absent or null. Any other type is a problem.
    mutating func int(_ key: String) -> Int64? {
        guard let value = object[key], !value.isNull else { return nil }
        guard let number = value.intValue else {
            fail(key, "must be an integer, got \(value.typeName)")
            return nil
        }
        return number
    }

    /// Checks a required field read earlier: "is required" when it was absent (and not
    /// already refused for its type), else whatever `rule` finds wrong with it.
    mutating func require<T>(_ key: String, _ value: T?, _ rule: (T) -> String?) {
        if let value {
            if let problem = rule(value) { fail(key, problem) }
        } else if !problems.contains(where: { $0.field == key }) {
            fail(key, "is required")
        }
    }

    /// Records a problem with `key`.
    mutating func fail(_ key: String, _ message: String) {
        problems.append(FieldProblem(key, message))
    }

    /// Throws the collected problems, if any, as one validation error.
    func check(status: Int = 422) throws {
        if !problems.isEmpty { throw APIError.validation(problems, status: status) }
    }
}
