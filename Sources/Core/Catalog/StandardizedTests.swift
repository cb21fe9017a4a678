import Foundation

/// The standardized lab tests catalog (`/api/v1/standardized-tests/*`): search,
/// autocomplete, lookups and batch matching over the LOINC-coded tests migration 0011
/// loads, for every signed-in user. Read-only; the catalog changes only by migration.
enum StandardizedTests {
    static let path = "/api/v1/standardized-tests"

    /// Search and autocomplete terms longer than this are refused (422); batch-match
    /// inputs longer than this are matched by code and whole name only.
    static let maxQueryLength = 100
    /// Autocomplete needs this many characters (the contract's minimum).
    static let minAutocompleteLength = 2
    /// Names one batch-match request may carry.
    static let maxBatchNames = 500

    static func register(in routes: RouteTable) {
        routes.get("\(path)/search") { context in
            let (catalog, query, _) = try searchInput(context)
            let category = categoryParameter(context)
            let skip = try QueryValues.count(context.query, "skip", default: 0)
            let limit = try QueryValues.count(context.query, "limit", default: 200, max: 1000)
            let found = catalog.search(query, category: category)
            return .json([
                "tests": .array(found.dropFirst(skip).prefix(limit).map(\.json)), "total": .int(Int64(found.count)),
            ])
        }
        routes.get("\(path)/autocomplete") { context in
            let (catalog, query, name) = try searchInput(context)
            guard query.count >= minAutocompleteLength else {
                throw APIError.validation([
                    FieldProblem(name, "must be at least \(minAutocompleteLength) characters")
                ])
            }
            let limit = try QueryValues.count(context.query, "limit", default: 10, max: 200)
            let found = catalog.search(query, category: categoryParameter(context))
            return .json(.array(found.prefix(limit).map(\.option)))
        }
        routes.get("\(path)/common") { context in
            let catalog = try signedIn(context)
            let limit = try QueryValues.count(context.query, "limit", default: 100, max: 500)
            let common = catalog.tests(in: categoryParameter(context)).filter(\.isCommon)
            return .json(.array(common.prefix(limit).map(\.json)))
        }
        routes.get("\(path)/by-category/{category}") { context in
            let catalog = try signedIn(context)
            let category = (context.parameters["category"] ?? "").trimmingCharacters(in: .whitespaces)
            return .json(.array(catalog.tests(in: category).map(\.json)))
        }
        routes.get("\(path)/by-loinc/{loinc_code}") { context in
            let catalog = try signedIn(context)
            let code = context.parameters["loinc_code"] ?? ""
            guard let test = catalog.test(loincCode: code) else {
                throw APIError(404, "Test not found", detail: .string("No standardized test has LOINC code \(code)"))
            }
            return .json(test.json)
        }
        routes.get("\(path)/by-name/{test_name}") { context in
            try byName(context, context.parameters["test_name"] ?? "")
        }
        // nginx hands the path over decoded, so a name with a slash ("BUN/Creatinine
        // Ratio", sent as BUN%2FCreatinine%20Ratio) arrives as two segments; no name has two.
        routes.get("\(path)/by-name/{test_name}/{name_rest}") { context in
            try byName(context, (context.parameters["test_name"] ?? "") + "/" + (context.parameters["name_rest"] ?? ""))
        }
        routes.get("\(path)/count") { context in
            let catalog = try signedIn(context)
            let tests = catalog.tests(in: categoryParameter(context))
            return .json([
                "total_tests": .int(Int64(tests.count)),
                "common_tests": .int(Int64(tests.filter(\.isCommon).count)),
                "categories": .int(Int64(Set(tests.map { $0.category.lowercased() }).count)),
            ])
        }
        routes.post("\(path)/batch-match") { context in
            let catalog = try signedIn(context)
            let names = try batchNames(context.jsonObject())
            var matches: [JSON] = []
            var results: [JSON] = []
            var matched = 0
            for name in names {
                let found = catalog.match(name)
                if found != nil { matched += 1 }
                let test = found.map(\.test.json) ?? .null
                var match = JSONObject()
                match.reserveCapacity(7)
                match.appendUnique("input", .string(name))
                match.appendUnique("matched", .bool(found != nil))
                match.appendUnique("loinc_code", .string(found?.test.loincCode))
                match.appendUnique("test_name", .string(found?.test.name))
                match.appendUnique("match_type", .string(found?.kind.rawValue))
                match.appendUnique("confidence", found.map { .double($0.kind.confidence) } ?? .null)
                match.appendUnique("matched_test", test)
                matches.append(.object(match))
                results.append(["test_name": .string(name), "matched_test": test])
            }
            return .json([
                "matches": .array(matches),
                "total_requested": .int(Int64(names.count)),
                "total_matched": .int(Int64(matched)),
                "results": .array(results),
            ])
        }
    }

    /// The catalog, once the caller is known to be signed in (401 otherwise).
    private static func signedIn(_ context: Context) throws -> TestCatalog {
        _ = try context.requireUser()
        return try TestCatalog.shared(context.db)
    }

    /// The optional `category` query parameter (any case; nil when absent or blank).
    private static func categoryParameter(_ context: Context) -> String? {
        guard let raw = context.query["category"]?.trimmingCharacters(in: .whitespaces), !raw.isEmpty else {
            return nil
        }
        return raw
    }

    /// What search and autocomplete share: the catalog, the term (`query`, or `q` as the
    /// contract names it for autocomplete; empty matches everything) and the parameter's name.
    private static func searchInput(_ context: Context) throws -> (TestCatalog, String, String) {
        let catalog = try signedIn(context)
        let name = context.query["query"] != nil ? "query" : "q"
        let query = (context.query[name] ?? "").trimmingCharacters(in: .whitespaces)
        guard query.count <= maxQueryLength else {
            throw APIError.validation([FieldProblem(name, "must be at most \(maxQueryLength) characters")])
        }
        return (catalog, query, name)
    }

    /// `test_names` of a batch-match body: a list of at most `maxBatchNames` strings.
    private static func batchNames(_ body: JSONObject) throws -> [String] {
        guard let value = body["test_names"], value != .null else {
            throw APIError.validation([FieldProblem("test_names", "is required")])
        }
        guard let items = value.arrayValue else {
            throw APIError.validation([FieldProblem("test_names", "must be a list of strings")])
        }
        guard items.count <= maxBatchNames else {
            throw APIError.validation([FieldProblem("test_names", "must hold at most \(maxBatchNames) names")])
        }
        var names: [String] = []
        names.reserveCapacity(items.count)
        for (index, item) in items.enumerated() {
            guard let name = item.stringValue else {
                throw APIError.validation([FieldProblem("test_names.\(index)", "must be a string")])
            }
            names.append(name)
        }
        return names
    }

    private static func byName(_ context: Context, _ name: String) throws -> Response {
        let catalog = try signedIn(context)
        guard let test = catalog.test(named: name) else {
            throw APIError(404, "Test not found", detail: .string("No standardized test is named \(name)"))
        }
        return .json(test.json)
    }
}
