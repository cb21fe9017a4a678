import Foundation

/// `skip` and `limit` as the contract has them: each endpoint's default and maximum, a
/// limit over the maximum clamped to it, negative or non-integer values refused (422).
public struct Pagination: Sendable {
    public let skip: Int
    public let limit: Int

    public init(query: QueryParameters, defaultLimit: Int, maxLimit: Int) throws {
        var problems: [FieldProblem] = []
        func read(_ name: String, _ fallback: Int) -> Int {
            guard let raw = query[name] else { return fallback }
            guard let value = Int(raw.trimmingCharacters(in: .whitespaces)) else {
                problems.append(FieldProblem(name, "must be an integer"))
                return fallback
            }
            if value < 0 { problems.append(FieldProblem(name, "must be greater than or equal to 0")) }
            return value
        }
        let skip = read("skip", 0)
        let limit = read("limit", defaultLimit)
        guard problems.isEmpty else { throw APIError.validation(problems) }
        self.skip = min(skip, 1_000_000_000)
        self.limit = min(limit, maxLimit)
    }
}

/// Boolean query flags (`active_only=true`): true/false/1/0/yes/no, else 422.
public enum QueryFlag {
    public static func read(_ query: QueryParameters, _ name: String, default fallback: Bool) throws -> Bool {
        guard let raw = query[name] else { return fallback }
        switch raw.lowercased() {
        case "true", "1", "yes", "on": return true
        case "false", "0", "no", "off": return false
        default: throw APIError.validation([FieldProblem(name, "must be true or false")])
        }
    }
}
