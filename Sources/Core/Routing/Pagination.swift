import Foundation

/// `skip` and `limit` as the contract has them: each endpoint's default and maximum, a
/// limit over the maximum clamped to it, negative or non-integer values refused (422).
public struct Pagination: Sendable {
    public let skip: Int
    public let limit: Int

    public init(query: QueryParameters, defaultLimit: Int, maxLimit: Int) throws {
        skip = try QueryValues.count(query, "skip", default: 0, max: 1_000_000_000)
        limit = try QueryValues.count(query, "limit", default: defaultLimit, max: maxLimit)
    }
}
